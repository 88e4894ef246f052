/* Schema-driven configuration (see config.h for the pipeline, docs/config-format.md for the file format).
 *
 * Data flow. Every input -- the defaults, each file of an extends chain, each --set value -- becomes a cJSON tree.
 * Each tree is checked against the schema on its own (unknown keys, types, ranges), so that an error names the
 * file or --set it came from; the trees are then merged into one (objects key by key, everything else replaces)
 * whose bottom layer is the canonical JSON of the defaults, so every path a --set can name exists already. The
 * merged tree is decoded once more, this time into a scratch struct, running the cross-field validate callbacks;
 * the caller's struct is overwritten only at the very end.
 *
 * Numbers. cJSON keeps numbers as doubles, which would round 64-bit seeds. After parsing, every number node is
 * turned into a cJSON_Raw node whose valuestring is the number's literal text (valuedouble is kept): cJSON builds
 * its tree in document order, so the k-th number node in pre-order is the k-th number literal in the text. The
 * literals are also checked against the strict JSON grammar (cJSON accepts "01" and "1."). Integers are then
 * parsed exactly from their digits.
 *
 * Output. The canonical form, the JSON Schema and the Markdown table are written by a small pretty-printer of our
 * own (not cJSON_Print), so the canonical text -- and the hash over it -- depends only on this file.
 *
 * Rejected: merging after decoding into structs (a struct cannot say which keys a file set); one error list
 * (users fix the first error and rerun; one precise message beats a page of consequences). */
#include "config.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CFG_FILE_MAX_BYTES (64L * 1024 * 1024)
#define CFG_FILE_PATH_MAX 4096
#define CFG_SET_MAX_SEGMENTS 16
#define CFG_KEY_MAX 64
#define TWO_POW_53 9007199254740992.0

/* ---- cJSON allocator --------------------------------------------------------------------------------------------- */

void cfg_install_json_hooks(void)
{
    cJSON_Hooks hooks = {mem_alloc, mem_free};
    cJSON_InitHooks(&hooks);
}

/* A string copied with cJSON's allocator (so cJSON_Delete may free it). */
static char *json_strdup(const char *s, size_t n)
{
    char *p = mem_alloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ---- growable text ----------------------------------------------------------------------------------------------- */

typedef struct Buf {
    char *p;
    size_t len, cap;
    bool oom;
} Buf;

static void buf_reserve(Buf *b, size_t extra)
{
    if (b->oom || b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = mem_realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void buf_putn(Buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (b->oom) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_puts(Buf *b, const char *s) { buf_putn(b, s, strlen(s)); }

static void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    buf_reserve(b, (size_t)n);
    if (b->oom) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void buf_free(Buf *b)
{
    mem_free(b->p);
    *b = (Buf){0};
}

/* Hands the text over (an empty string when nothing was written). */
static Status buf_finish(Buf *b, char **out)
{
    buf_reserve(b, 0);
    if (b->oom) {
        buf_free(b);
        *out = NULL;
        return STATUS_NOMEM;
    }
    b->p[b->len] = '\0';
    *out = b->p;
    *b = (Buf){0};
    return STATUS_OK;
}

static void buf_json_string(Buf *b, const char *s)
{
    buf_putn(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '\b': buf_puts(b, "\\b"); break;
        case '\f': buf_puts(b, "\\f"); break;
        default:
            if (*p < 0x20) buf_printf(b, "\\u%04x", *p);
            else buf_putn(b, (const char *)p, 1);
        }
    }
    buf_putn(b, "\"", 1);
}

/* ---- a small pretty JSON writer ---------------------------------------------------------------------------------- */

#define JW_MAX_DEPTH 64

/* Two-space indentation; a container opened `inline` (number arrays) stays on one line: [1, 2, 3]. */
typedef struct JsonWriter {
    Buf *b;
    int depth;
    bool first; /* nothing written yet in the current container */
    bool inline_at[JW_MAX_DEPTH];
} JsonWriter;

static void jw_sep(JsonWriter *w, const char *key)
{
    if (w->depth > 0) {
        if (!w->first) buf_putn(w->b, ",", 1);
        if (w->inline_at[w->depth]) {
            if (!w->first) buf_putn(w->b, " ", 1);
        } else {
            buf_putn(w->b, "\n", 1);
            for (int i = 0; i < w->depth; i++) buf_putn(w->b, "  ", 2);
        }
    }
    w->first = false;
    if (key) {
        buf_json_string(w->b, key);
        buf_putn(w->b, ": ", 2);
    }
}

static void jw_open(JsonWriter *w, const char *key, char c, bool inl)
{
    CASCADE_ASSERT(w->depth + 1 < JW_MAX_DEPTH);
    jw_sep(w, key);
    buf_putn(w->b, &c, 1);
    w->depth++;
    w->inline_at[w->depth] = inl || w->inline_at[w->depth - 1];
    w->first = true;
}

static void jw_close(JsonWriter *w, char c)
{
    bool empty = w->first, inl = w->inline_at[w->depth];
    w->depth--;
    if (!empty && !inl) {
        buf_putn(w->b, "\n", 1);
        for (int i = 0; i < w->depth; i++) buf_putn(w->b, "  ", 2);
    }
    buf_putn(w->b, &c, 1);
    w->first = false;
}

static void jw_raw(JsonWriter *w, const char *key, const char *text)
{
    jw_sep(w, key);
    buf_puts(w->b, text);
}

static void jw_str(JsonWriter *w, const char *key, const char *s)
{
    jw_sep(w, key);
    buf_json_string(w->b, s);
}

/* ---- members and number text ------------------------------------------------------------------------------------- */

static int64_t load_int(const void *p, size_t size)
{
    switch (size) {
    case 1: { int8_t v; memcpy(&v, p, 1); return v; }
    case 2: { int16_t v; memcpy(&v, p, 2); return v; }
    case 4: { int32_t v; memcpy(&v, p, 4); return v; }
    default: { int64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void store_int(void *p, size_t size, int64_t x)
{
    switch (size) {
    case 1: { int8_t v = (int8_t)x; memcpy(p, &v, 1); break; }
    case 2: { int16_t v = (int16_t)x; memcpy(p, &v, 2); break; }
    case 4: { int32_t v = (int32_t)x; memcpy(p, &v, 4); break; }
    default: memcpy(p, &x, 8);
    }
}

static uint64_t load_uint(const void *p, size_t size)
{
    switch (size) {
    case 1: { uint8_t v; memcpy(&v, p, 1); return v; }
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void store_uint(void *p, size_t size, uint64_t x)
{
    switch (size) {
    case 1: { uint8_t v = (uint8_t)x; memcpy(p, &v, 1); break; }
    case 2: { uint16_t v = (uint16_t)x; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)x; memcpy(p, &v, 4); break; }
    default: memcpy(p, &x, 8);
    }
}

static bool int_width_ok(size_t size) { return size == 1 || size == 2 || size == 4 || size == 8; }

static int64_t int_width_min(size_t size) { return size >= 8 ? INT64_MIN : -(INT64_C(1) << (size * 8 - 1)); }
static int64_t int_width_max(size_t size) { return size >= 8 ? INT64_MAX : (INT64_C(1) << (size * 8 - 1)) - 1; }
static uint64_t uint_width_max(size_t size) { return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1; }

/* Shortest text that reads back as exactly v ("0.1", not "0.10000000000000001"); integers below 1e15 in plain
 * digits ("1000000", not "1e+06"). v must be finite. */
static void fmt_double(double v, char *buf, size_t cap)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, cap, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

static void fmt_duration(SimDuration d, char *buf, size_t cap) { simtime_format_duration(d, buf, cap); }

static void fmt_datetime(SimTime t, char *buf, size_t cap) { simtime_format_iso(t, buf, cap); }

/* The allowed range of a numeric, duration or datetime field as users read it: "[1, 125]", "(0, 1]", "[1s, 365d]". */
static void fmt_range(const CfgField *f, char *buf, size_t cap)
{
    char lo[64], hi[64];
    switch (f->type) {
    case CFG_INT:
        snprintf(buf, cap, "[%" PRId64 ", %" PRId64 "]", f->imin, f->imax);
        break;
    case CFG_UINT:
        snprintf(buf, cap, "[%" PRIu64 ", %" PRIu64 "]", f->umin, f->umax);
        break;
    case CFG_DOUBLE:
    case CFG_DOUBLE_ARRAY:
        if (isinf(f->dmin)) snprintf(lo, sizeof lo, "-inf");
        else fmt_double(f->dmin, lo, sizeof lo);
        if (isinf(f->dmax)) snprintf(hi, sizeof hi, "+inf");
        else fmt_double(f->dmax, hi, sizeof hi);
        snprintf(buf, cap, "%c%s, %s%c", f->dmin_open || isinf(f->dmin) ? '(' : '[', lo, hi,
                 f->dmax_open || isinf(f->dmax) ? ')' : ']');
        break;
    case CFG_DURATION:
        fmt_duration(f->imin, lo, sizeof lo);
        fmt_duration(f->imax, hi, sizeof hi);
        snprintf(buf, cap, "[%s, %s]", lo, hi);
        break;
    case CFG_DATETIME:
        fmt_datetime(f->imin, lo, sizeof lo);
        fmt_datetime(f->imax, hi, sizeof hi);
        snprintf(buf, cap, "[%s, %s]", lo, hi);
        break;
    default:
        snprintf(buf, cap, "%s", "");
    }
}

static bool datetime_bounded(const CfgField *f) { return f->imin != SIMTIME_MIN || f->imax != SIMTIME_MAX; }

static bool double_in_range(const CfgField *f, double v)
{
    if (f->dmin_open ? !(v > f->dmin) : !(v >= f->dmin)) return false;
    if (f->dmax_open ? !(v < f->dmax) : !(v <= f->dmax)) return false;
    return true;
}

/* Strict JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool json_number_ok(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-') i++;
    if (i >= n || !isdigit((unsigned char)s[i])) return false;
    if (s[i] == '0') i++;
    else while (i < n && isdigit((unsigned char)s[i])) i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !isdigit((unsigned char)s[i])) return false;
        while (i < n && isdigit((unsigned char)s[i])) i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= n || !isdigit((unsigned char)s[i])) return false;
        while (i < n && isdigit((unsigned char)s[i])) i++;
    }
    return i == n;
}

/* An integer literal read exactly: plain digits give any magnitude (overflow flagged); a fraction or exponent is
 * accepted when the value is integral and at most 2^53, where a double is still exact. */
typedef enum IntRead { INT_OK, INT_NOT_INTEGER, INT_OVERFLOW, INT_INEXACT } IntRead;

static IntRead read_integer(const char *lit, double d, bool *neg, uint64_t *mag)
{
    *neg = lit[0] == '-';
    if (!strpbrk(lit, ".eE")) {
        uint64_t m = 0;
        for (const char *p = lit + (*neg ? 1 : 0); *p; p++) {
            unsigned digit = (unsigned)(*p - '0');
            if (m > (UINT64_MAX - digit) / 10) return INT_OVERFLOW;
            m = m * 10 + digit;
        }
        *mag = m;
        return INT_OK;
    }
    if (d != floor(d)) return INT_NOT_INTEGER;
    if (fabs(d) > TWO_POW_53) return fabs(d) >= 18446744073709551616.0 ? INT_OVERFLOW : INT_INEXACT;
    *neg = d < 0;
    *mag = (uint64_t)fabs(d);
    return INT_OK;
}

/* ---- errors and paths -------------------------------------------------------------------------------------------- */

typedef struct PathBuf {
    char s[CFG_PATH_MAX];
    size_t n;
} PathBuf;

static size_t path_push_key(PathBuf *p, const char *key)
{
    size_t mark = p->n;
    snprintf(p->s + p->n, sizeof p->s - p->n, "%s%s", p->n ? "." : "", key);
    p->n = strlen(p->s);
    return mark;
}

static size_t path_push_index(PathBuf *p, size_t i)
{
    size_t mark = p->n;
    snprintf(p->s + p->n, sizeof p->s - p->n, "[%zu]", i);
    p->n = strlen(p->s);
    return mark;
}

static void path_pop(PathBuf *p, size_t mark)
{
    p->n = mark;
    p->s[mark] = '\0';
}

static Status set_error(CfgError *err, Status st, const char *source, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static Status set_error(CfgError *err, Status st, const char *source, const char *path, const char *fmt, ...)
{
    if (!err) return st;
    snprintf(err->source, sizeof err->source, "%s", source ? source : "");
    snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return st;
}

size_t cfg_error_format(const CfgError *err, char *buf, size_t cap)
{
    const char *src = err->source, *path = err->path;
    if (strncmp(src, "--set ", 6) == 0 && strcmp(src + 6, path) == 0) path = "";
    int n = snprintf(buf, cap, "%s%s%s%s%s", src, *src ? ": " : "", path, *path ? ": " : "", err->message);
    return n < 0 ? 0 : (size_t)n;
}

/* Levenshtein distance, for "did you mean"; long strings count as far apart. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na >= CFG_KEY_MAX || nb >= CFG_KEY_MAX) return SIZE_MAX;
    size_t row[CFG_KEY_MAX + 1];
    for (size_t j = 0; j <= nb; j++) row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* The closest of a list of names to s if it is close (at most 2 edits, and fewer edits than s has characters). */
typedef const char *(*NameAt)(const void *list, size_t i);

static const char *field_key_at(const void *list, size_t i) { return ((const CfgSchema *)list)->fields[i].key; }
static const char *enum_name_at(const void *list, size_t i) { return ((const CfgField *)list)->names[i]; }

static const char *closest(const char *s, const void *list, size_t count, NameAt at)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX, len = strlen(s);
    for (size_t i = 0; i < count; i++) {
        size_t d = edit_distance(s, at(list, i));
        if (d < best_d) best_d = d, best = at(list, i);
    }
    return best && best_d <= 2 && best_d < len ? best : NULL;
}

/* "unknown key "levrage" (did you mean "leverage"?); allowed keys: dist, median, max" */
static Status unknown_key(CfgError *err, const char *source, const char *path, const CfgSchema *s, const char *key)
{
    char allowed[CFG_MESSAGE_MAX / 2], hint[CFG_KEY_MAX + 32] = "";
    size_t n = 0;
    allowed[0] = '\0';
    for (size_t i = 0; i < s->count && n < sizeof allowed; i++) {
        int w = snprintf(allowed + n, sizeof allowed - n, "%s%s", i ? ", " : "", s->fields[i].key);
        if (w < 0) break;
        n += (size_t)w;
    }
    const char *near = closest(key, s, s->count, field_key_at);
    if (near) snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", near);
    return set_error(err, STATUS_INVALID, source, path, "unknown key \"%s\"%s; allowed keys: %s", key, hint,
                     s->count ? allowed : "none");
}

/* What a JSON value is, for "expected X, got Y". */
static void describe(const cJSON *v, char *buf, size_t cap)
{
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        size_t len = strlen(s);
        if (len > 40) snprintf(buf, cap, "string \"%.37s...\"", s);
        else snprintf(buf, cap, "string \"%s\"", s);
    } else if (cJSON_IsRaw(v)) {
        snprintf(buf, cap, "number %s", v->valuestring);
    } else if (cJSON_IsTrue(v)) {
        snprintf(buf, cap, "true");
    } else if (cJSON_IsFalse(v)) {
        snprintf(buf, cap, "false");
    } else if (cJSON_IsNull(v)) {
        snprintf(buf, cap, "null");
    } else if (cJSON_IsArray(v)) {
        snprintf(buf, cap, "an array");
    } else {
        snprintf(buf, cap, "an object");
    }
}

static void describe_expected(const CfgField *f, char *buf, size_t cap)
{
    char range[128];
    fmt_range(f, range, sizeof range);
    switch (f->type) {
    case CFG_BOOL: snprintf(buf, cap, "true or false"); break;
    case CFG_INT:
    case CFG_UINT: snprintf(buf, cap, "an integer in %s", range); break;
    case CFG_DOUBLE: snprintf(buf, cap, "a number in %s", range); break;
    case CFG_ENUM: {
        size_t n = (size_t)snprintf(buf, cap, "one of ");
        for (size_t i = 0; i < f->name_count && n < cap; i++) {
            int w = snprintf(buf + n, cap - n, "%s\"%s\"", i ? ", " : "", f->names[i]);
            if (w < 0) break;
            n += (size_t)w;
        }
        break;
    }
    case CFG_STRING: snprintf(buf, cap, "a string"); break;
    case CFG_DURATION: snprintf(buf, cap, "a duration string like \"90s\" or \"1h30m\" in %s", range); break;
    case CFG_DATETIME: snprintf(buf, cap, "an ISO-8601 time string like \"2025-01-01T00:00:00Z\""); break;
    case CFG_OBJECT: snprintf(buf, cap, "an object"); break;
    case CFG_DOUBLE_ARRAY: snprintf(buf, cap, "an array of exactly %zu numbers in %s", f->length, range); break;
    default: snprintf(buf, cap, "an array of at most %zu objects", f->length); break;
    }
}

/* ---- parsing JSON text ------------------------------------------------------------------------------------------- */

static void line_col(const char *text, const char *at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; p < at && *p; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* The next number literal at or after *cursor (outside strings); its length in *n. */
static const char *next_literal(const char **cursor, size_t *n)
{
    const char *p = *cursor;
    while (*p) {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1]) p++;
            if (*p) p++;
        } else if (*p == '-' || isdigit((unsigned char)*p)) {
            const char *start = p;
            while (*p && strchr("0123456789+-.eE", *p)) p++;
            *n = (size_t)(p - start);
            *cursor = p;
            return start;
        } else {
            p++;
        }
    }
    return NULL;
}

typedef struct ParseCtx {
    const char *text;
    const char *cursor;
    const char *source;
    CfgError *err;
} ParseCtx;

/* Turns every number node into a raw node holding its literal text (pre-order = document order). */
static Status mark_numbers(ParseCtx *pc, cJSON *node)
{
    if (cJSON_IsNumber(node)) {
        size_t n = 0;
        const char *lit = next_literal(&pc->cursor, &n);
        CASCADE_ASSERT(lit != NULL); /* cJSON found a number, so the text holds one */
        if (!json_number_ok(lit, n)) {
            int line, col;
            line_col(pc->text, lit, &line, &col);
            return set_error(pc->err, STATUS_PARSE, pc->source, "",
                             "invalid JSON at line %d, column %d: %.*s is not a JSON number", line, col, (int)n, lit);
        }
        char *copy = json_strdup(lit, n);
        if (!copy) return set_error(pc->err, STATUS_NOMEM, pc->source, "", "out of memory");
        node->type = cJSON_Raw | (node->type & cJSON_StringIsConst);
        node->valuestring = copy;
        return STATUS_OK;
    }
    for (cJSON *c = node->child; c; c = c->next) {
        Status st = mark_numbers(pc, c);
        if (st != STATUS_OK) return st;
    }
    return STATUS_OK;
}

/* Parses text into a tree with raw number nodes. Syntax errors name line and column. */
static Status parse_json(const char *text, const char *source, CfgError *err, cJSON **out)
{
    *out = NULL;
    if (strncmp(text, "\xEF\xBB\xBF", 3) == 0) text += 3; /* UTF-8 byte order mark */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        size_t len = strlen(text);
        const char *at = end && end <= text + len ? end : text + len;
        int line, col;
        line_col(text, at, &line, &col);
        const char *p = at;
        while (p > text && p[-1] != '\n' && at - p < 10) p--; /* a little context before the error */
        int show = 0;
        while (p[show] && p[show] != '\n' && show < 30) show++;
        bool blank = true;
        for (const char *q = text; *q; q++)
            if (!isspace((unsigned char)*q)) blank = false;
        if (blank) return set_error(err, STATUS_PARSE, source, "", "invalid JSON: the text is empty");
        return set_error(err, STATUS_PARSE, source, "", "invalid JSON at line %d, column %d, near \"%.*s\"", line,
                         col, show, p);
    }
    ParseCtx pc = {text, text, source, err};
    Status st = mark_numbers(&pc, root);
    if (st != STATUS_OK) {
        cJSON_Delete(root);
        return st;
    }
    *out = root;
    return STATUS_OK;
}

/* ---- schema lookups and defaults --------------------------------------------------------------------------------- */

static const CfgField *find_field(const CfgSchema *s, const char *key)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->fields[i].key, key) == 0) return &s->fields[i];
    return NULL;
}

static void defaults_apply(const CfgSchema *s, void *out)
{
    memset(out, 0, s->size);
    for (size_t i = 0; i < s->count; i++) {
        const CfgField *f = &s->fields[i];
        void *m = (char *)out + f->offset;
        switch (f->type) {
        case CFG_BOOL: *(bool *)m = f->def_b; break;
        case CFG_INT:
        case CFG_ENUM: store_int(m, f->size, f->def_i); break;
        case CFG_UINT: store_uint(m, f->size, f->def_u); break;
        case CFG_DOUBLE: memcpy(m, &f->def_d, sizeof(double)); break;
        case CFG_STRING: snprintf(m, f->size, "%s", f->def_s ? f->def_s : ""); break;
        case CFG_DURATION: store_int(m, 8, f->def_i); break;
        case CFG_DATETIME: {
            SimTime t = 0;
            CASCADE_ASSERT(f->def_s && simtime_parse_iso(f->def_s, &t) == STATUS_OK);
            store_int(m, 8, t);
            break;
        }
        case CFG_OBJECT: defaults_apply(f->sub, m); break;
        case CFG_DOUBLE_ARRAY:
            for (size_t k = 0; k < f->length; k++) {
                double v = f->def_arr ? f->def_arr[k] : f->def_d;
                memcpy((char *)m + k * sizeof(double), &v, sizeof(double));
            }
            break;
        case CFG_OBJECT_ARRAY: store_uint((char *)out + f->count_offset, f->count_size, 0); break;
        default: CASCADE_ASSERT(0);
        }
    }
}

static bool why_(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool why_(char *why, size_t cap, const char *fmt, ...)
{
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool key_ok(const char *k)
{
    if (!k || !*k || strlen(k) >= CFG_KEY_MAX) return false;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-') return false;
    return true;
}

static bool field_check(const CfgSchema *s, const CfgField *f, char *why, size_t cap)
{
    const char *k = f->key ? f->key : "(null)";
    if (!key_ok(f->key)) return why_(why, cap, "%s: key \"%s\" is not letters, digits, '_' or '-'", s->name, k);
    if (strcmp(f->key, "extends") == 0) return why_(why, cap, "%s: \"extends\" is reserved", s->name);
    if (f->offset + f->size > s->size) return why_(why, cap, "%s.%s: member outside the struct", s->name, k);
    switch (f->type) {
    case CFG_BOOL:
        if (f->size != sizeof(bool)) return why_(why, cap, "%s.%s: member is not a bool", s->name, k);
        break;
    case CFG_INT:
        if (!int_width_ok(f->size)) return why_(why, cap, "%s.%s: member is not an integer", s->name, k);
        if (f->imin > f->imax || f->imin < int_width_min(f->size) || f->imax > int_width_max(f->size))
            return why_(why, cap, "%s.%s: range does not fit the member", s->name, k);
        if (f->def_i < f->imin || f->def_i > f->imax) return why_(why, cap, "%s.%s: default out of range", s->name, k);
        break;
    case CFG_UINT:
        if (!int_width_ok(f->size)) return why_(why, cap, "%s.%s: member is not an integer", s->name, k);
        if (f->umin > f->umax || f->umax > uint_width_max(f->size))
            return why_(why, cap, "%s.%s: range does not fit the member", s->name, k);
        if (f->def_u < f->umin || f->def_u > f->umax) return why_(why, cap, "%s.%s: default out of range", s->name, k);
        break;
    case CFG_DOUBLE:
    case CFG_DOUBLE_ARRAY:
        if (f->type == CFG_DOUBLE ? f->size != sizeof(double)
                                  : (f->length == 0 || f->size != f->length * sizeof(double)))
            return why_(why, cap, "%s.%s: member is not a double (array)", s->name, k);
        if (isnan(f->dmin) || isnan(f->dmax) || f->dmin > f->dmax)
            return why_(why, cap, "%s.%s: range is not ordered", s->name, k);
        for (size_t i = 0; i < (f->type == CFG_DOUBLE ? 1 : f->length); i++) {
            double v = f->def_arr ? f->def_arr[i] : f->def_d;
            if (!isfinite(v) || !double_in_range(f, v))
                return why_(why, cap, "%s.%s: default out of range", s->name, k);
        }
        break;
    case CFG_ENUM:
        if (!int_width_ok(f->size)) return why_(why, cap, "%s.%s: member is not an integer", s->name, k);
        if (!f->names || f->name_count == 0) return why_(why, cap, "%s.%s: no names", s->name, k);
        if (f->def_i < 0 || (uint64_t)f->def_i >= f->name_count)
            return why_(why, cap, "%s.%s: default index out of range", s->name, k);
        for (size_t i = 0; i < f->name_count; i++) {
            if (!f->names[i] || !*f->names[i]) return why_(why, cap, "%s.%s: empty name", s->name, k);
            for (size_t j = 0; j < i; j++)
                if (strcmp(f->names[i], f->names[j]) == 0)
                    return why_(why, cap, "%s.%s: name \"%s\" twice", s->name, k, f->names[i]);
        }
        break;
    case CFG_STRING:
        if (f->size < 1 || (f->def_s && strlen(f->def_s) >= f->size))
            return why_(why, cap, "%s.%s: default does not fit", s->name, k);
        break;
    case CFG_DURATION:
    case CFG_DATETIME:
        if (f->size != sizeof(int64_t)) return why_(why, cap, "%s.%s: member is not an int64", s->name, k);
        if (f->imin > f->imax) return why_(why, cap, "%s.%s: range is not ordered", s->name, k);
        if (f->type == CFG_DURATION) {
            if (f->def_i < f->imin || f->def_i > f->imax)
                return why_(why, cap, "%s.%s: default out of range", s->name, k);
        } else {
            SimTime t = 0;
            if (!f->def_s || simtime_parse_iso(f->def_s, &t) != STATUS_OK || t < f->imin || t > f->imax)
                return why_(why, cap, "%s.%s: default is not an ISO time in range", s->name, k);
        }
        break;
    case CFG_OBJECT:
        if (!f->sub || f->sub->size != f->size) return why_(why, cap, "%s.%s: sub-schema size mismatch", s->name, k);
        break;
    case CFG_OBJECT_ARRAY:
        if (!f->sub || f->sub->size != f->elem_size || f->length == 0 || f->size != f->length * f->elem_size)
            return why_(why, cap, "%s.%s: element schema size mismatch", s->name, k);
        if (!int_width_ok(f->count_size) || f->count_offset + f->count_size > s->size ||
            f->length > uint_width_max(f->count_size))
            return why_(why, cap, "%s.%s: bad count member", s->name, k);
        break;
    default: return why_(why, cap, "%s.%s: unknown type %d", s->name, k, (int)f->type);
    }
    return true;
}

static bool schema_check(const CfgSchema *s, char *why, size_t cap, int depth)
{
    if (depth > 16) return why_(why, cap, "schemas nest too deeply (a cycle?)");
    if (!s || !s->name || (s->count && !s->fields) || s->size == 0) return why_(why, cap, "malformed schema");
    for (size_t i = 0; i < s->count; i++) {
        const CfgField *f = &s->fields[i];
        if (!field_check(s, f, why, cap)) return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->fields[j].key, f->key) == 0) return why_(why, cap, "%s: key \"%s\" twice", s->name, f->key);
        if ((f->type == CFG_OBJECT || f->type == CFG_OBJECT_ARRAY) && !schema_check(f->sub, why, cap, depth + 1))
            return false;
    }
    return true;
}

bool cfg_schema_check(const CfgSchema *schema, char *why, size_t why_cap)
{
    if (why && why_cap) why[0] = '\0';
    return schema_check(schema, why, why_cap, 0);
}

void cfg_defaults(const CfgSchema *schema, void *out)
{
    char why[256];
    if (!cfg_schema_check(schema, why, sizeof why)) {
        fprintf(stderr, "config schema: %s\n", why);
        CASCADE_ASSERT(!"inconsistent config schema");
    }
    defaults_apply(schema, out);
}

/* ---- decoding (checking a layer, or writing the final struct) ---------------------------------------------------- */

typedef struct Decoder {
    CfgError *err;
    const char *source;
    bool final; /* run the validate callbacks (the whole merged tree, into a struct) */
    PathBuf path;
} Decoder;

static Status dec_object(Decoder *d, const CfgSchema *s, const cJSON *obj, void *out);

static Status dec_type_error(Decoder *d, const CfgField *f, const cJSON *v)
{
    char want[CFG_MESSAGE_MAX / 2], got[80];
    describe_expected(f, want, sizeof want);
    describe(v, got, sizeof got);
    bool looks_nonfinite = false;
    if (cJSON_IsString(v) && (f->type == CFG_DOUBLE || f->type == CFG_DOUBLE_ARRAY)) {
        char low[8] = "";
        const char *s = v->valuestring + (v->valuestring[0] == '-' || v->valuestring[0] == '+');
        for (size_t i = 0; i < sizeof low - 1 && s[i]; i++) low[i] = (char)tolower((unsigned char)s[i]);
        looks_nonfinite = strncmp(low, "nan", 3) == 0 || strncmp(low, "inf", 3) == 0;
    }
    return set_error(d->err, STATUS_INVALID, d->source, d->path.s, "expected %s, got %s%s", want, got,
                     looks_nonfinite ? " (NaN and infinities are not allowed)" : "");
}

/* The field an element of a number array is checked as (messages then say "a number in [0, 10]"). */
static CfgField number_element(const CfgField *array)
{
    return (CfgField){.key = array->key, .type = CFG_DOUBLE, .dmin = array->dmin, .dmax = array->dmax,
                      .dmin_open = array->dmin_open, .dmax_open = array->dmax_open, .unit = array->unit};
}

static Status dec_double(Decoder *d, const CfgField *f, const cJSON *v, double *out)
{
    if (!cJSON_IsRaw(v)) return dec_type_error(d, f, v);
    double x = v->valuedouble;
    char range[128];
    fmt_range(f, range, sizeof range);
    if (!isfinite(x))
        return set_error(d->err, STATUS_RANGE, d->source, d->path.s, "%s is not a finite number (allowed: %s)",
                         v->valuestring, range);
    if (!double_in_range(f, x))
        return set_error(d->err, STATUS_RANGE, d->source, d->path.s, "%s is out of range %s", v->valuestring, range);
    *out = x;
    return STATUS_OK;
}

static Status dec_integer(Decoder *d, const CfgField *f, const cJSON *v, void *m)
{
    if (!cJSON_IsRaw(v)) return dec_type_error(d, f, v);
    char range[128];
    fmt_range(f, range, sizeof range);
    bool neg = false;
    uint64_t mag = 0;
    IntRead r = read_integer(v->valuestring, v->valuedouble, &neg, &mag);
    if (r == INT_NOT_INTEGER)
        return set_error(d->err, STATUS_INVALID, d->source, d->path.s, "%s is not an integer (allowed: %s)",
                         v->valuestring, range);
    bool in_range;
    if (r == INT_OK && f->type == CFG_INT) {
        bool fits = neg ? mag <= (uint64_t)INT64_MAX + 1 : mag <= (uint64_t)INT64_MAX;
        int64_t x = !fits ? 0 : neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
        in_range = fits && x >= f->imin && x <= f->imax;
        if (in_range && m) store_int(m, f->size, x);
    } else if (r == INT_OK) {
        in_range = (!neg || mag == 0) && mag >= f->umin && mag <= f->umax;
        if (in_range && m) store_uint(m, f->size, mag);
    } else if (r == INT_INEXACT) {
        double x = v->valuedouble;
        in_range = f->type == CFG_INT ? x >= (double)f->imin && x <= (double)f->imax
                                      : x >= (double)f->umin && x <= (double)f->umax;
        if (in_range)
            return set_error(d->err, STATUS_INVALID, d->source, d->path.s,
                             "%s is too large to be exact; write the integer in plain digits", v->valuestring);
    } else {
        in_range = false;
    }
    if (!in_range)
        return set_error(d->err, STATUS_RANGE, d->source, d->path.s, "%s is out of range %s", v->valuestring, range);
    return STATUS_OK;
}

static Status dec_enum(Decoder *d, const CfgField *f, const cJSON *v, void *m)
{
    if (!cJSON_IsString(v)) return dec_type_error(d, f, v);
    for (size_t i = 0; i < f->name_count; i++) {
        if (strcmp(f->names[i], v->valuestring) == 0) {
            if (m) store_int(m, f->size, (int64_t)i);
            return STATUS_OK;
        }
    }
    char want[CFG_MESSAGE_MAX / 2], hint[CFG_KEY_MAX + 32] = "";
    describe_expected(f, want, sizeof want);
    const char *near = closest(v->valuestring, f, f->name_count, enum_name_at);
    if (near) snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", near);
    return set_error(d->err, STATUS_INVALID, d->source, d->path.s, "\"%s\" is not %s%s", v->valuestring, want, hint);
}

static Status dec_time(Decoder *d, const CfgField *f, const cJSON *v, void *m)
{
    if (!cJSON_IsString(v)) return dec_type_error(d, f, v);
    char range[128];
    fmt_range(f, range, sizeof range);
    int64_t x = 0;
    bool dur = f->type == CFG_DURATION;
    Status st = dur ? simtime_parse_duration(v->valuestring, &x) : simtime_parse_iso(v->valuestring, &x);
    if (st == STATUS_PARSE) {
        if (dur)
            return set_error(d->err, STATUS_INVALID, d->source, d->path.s,
                             "\"%s\" is not a duration: write digits and units in decreasing order, like \"90s\", "
                             "\"1h30m\", \"250ms\" (units w, d, h, m, s, ms, us, ns)",
                             v->valuestring);
        return set_error(d->err, STATUS_INVALID, d->source, d->path.s,
                         "\"%s\" is not an ISO-8601 time: write YYYY-MM-DDTHH:MM:SS[.fff]Z (or an offset like "
                         "+02:00), e.g. \"2025-01-01T00:00:00Z\"",
                         v->valuestring);
    }
    if (st != STATUS_OK || x < f->imin || x > f->imax) {
        if (!dur && !datetime_bounded(f))
            return set_error(d->err, STATUS_RANGE, d->source, d->path.s,
                             "\"%s\" is outside the representable span (years 1678 to 2261)", v->valuestring);
        return set_error(d->err, STATUS_RANGE, d->source, d->path.s, "\"%s\" is out of range %s", v->valuestring,
                         range);
    }
    if (m) store_int(m, 8, x);
    return STATUS_OK;
}

/* One value against one field; out is the member's address, or NULL when only checking. For CFG_OBJECT_ARRAY,
 * count_out receives the element count. */
static Status dec_value(Decoder *d, const CfgField *f, const cJSON *v, void *m, void *count_out)
{
    switch (f->type) {
    case CFG_BOOL:
        if (!cJSON_IsBool(v)) return dec_type_error(d, f, v);
        if (m) *(bool *)m = cJSON_IsTrue(v);
        return STATUS_OK;
    case CFG_INT:
    case CFG_UINT: return dec_integer(d, f, v, m);
    case CFG_DOUBLE: {
        double x = 0;
        Status st = dec_double(d, f, v, &x);
        if (st == STATUS_OK && m) memcpy(m, &x, sizeof x);
        return st;
    }
    case CFG_ENUM: return dec_enum(d, f, v, m);
    case CFG_STRING: {
        if (!cJSON_IsString(v)) return dec_type_error(d, f, v);
        size_t len = strlen(v->valuestring);
        if (len >= f->size)
            return set_error(d->err, STATUS_RANGE, d->source, d->path.s,
                             "string of %zu bytes is too long (at most %zu)", len, f->size - 1);
        if (m) {
            memset(m, 0, f->size);
            memcpy(m, v->valuestring, len);
        }
        return STATUS_OK;
    }
    case CFG_DURATION:
    case CFG_DATETIME: return dec_time(d, f, v, m);
    case CFG_OBJECT:
        if (!cJSON_IsObject(v)) return dec_type_error(d, f, v);
        return dec_object(d, f->sub, v, m);
    case CFG_DOUBLE_ARRAY: {
        if (!cJSON_IsArray(v)) return dec_type_error(d, f, v);
        size_t n = (size_t)cJSON_GetArraySize(v);
        if (n != f->length) {
            char range[128];
            fmt_range(f, range, sizeof range);
            return set_error(d->err, STATUS_INVALID, d->source, d->path.s,
                             "expected exactly %zu numbers in %s, got %zu", f->length, range, n);
        }
        size_t i = 0;
        CfgField elem = number_element(f);
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            size_t mark = path_push_index(&d->path, i);
            double x = 0;
            Status st = dec_double(d, &elem, e, &x);
            if (st != STATUS_OK) return st;
            path_pop(&d->path, mark);
            if (m) memcpy((char *)m + i * sizeof(double), &x, sizeof x);
        }
        return STATUS_OK;
    }
    case CFG_OBJECT_ARRAY: {
        if (!cJSON_IsArray(v)) return dec_type_error(d, f, v);
        size_t n = (size_t)cJSON_GetArraySize(v);
        if (n > f->length)
            return set_error(d->err, STATUS_RANGE, d->source, d->path.s,
                             "array of %zu elements is too long (at most %zu)", n, f->length);
        size_t i = 0;
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            size_t mark = path_push_index(&d->path, i);
            void *elem = m ? (char *)m + i * f->elem_size : NULL;
            if (elem) defaults_apply(f->sub, elem);
            CfgField as_object = {.key = f->key, .type = CFG_OBJECT, .sub = f->sub};
            if (!cJSON_IsObject(e)) return dec_type_error(d, &as_object, e);
            Status st = dec_object(d, f->sub, e, elem);
            if (st != STATUS_OK) return st;
            path_pop(&d->path, mark);
        }
        if (count_out) store_uint(count_out, f->count_size, n);
        return STATUS_OK;
    }
    default: CASCADE_ASSERT(0); return STATUS_INVALID;
    }
}

static Status dec_object(Decoder *d, const CfgSchema *s, const cJSON *obj, void *out)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        size_t mark = path_push_key(&d->path, c->string);
        for (const cJSON *e = obj->child; e != c; e = e->next)
            if (strcmp(e->string, c->string) == 0)
                return set_error(d->err, STATUS_INVALID, d->source, d->path.s, "duplicate key \"%s\"", c->string);
        const CfgField *f = find_field(s, c->string);
        if (!f) {
            if (strcmp(c->string, "extends") == 0)
                return set_error(d->err, STATUS_INVALID, d->source, d->path.s,
                                 "\"extends\" may appear once, at the top level of a file");
            return unknown_key(d->err, d->source, d->path.s, s, c->string);
        }
        void *m = out ? (char *)out + f->offset : NULL;
        void *count = out && f->type == CFG_OBJECT_ARRAY ? (char *)out + f->count_offset : NULL;
        Status st = dec_value(d, f, c, m, count);
        if (st != STATUS_OK) return st;
        path_pop(&d->path, mark);
    }
    if (d->final && out && s->validate) {
        char key[CFG_PATH_MAX] = "", msg[CFG_MESSAGE_MAX] = "";
        Status st = s->validate(out, key, sizeof key, msg, sizeof msg);
        if (st != STATUS_OK) {
            size_t mark = d->path.n;
            if (key[0]) path_push_key(&d->path, key);
            set_error(d->err, st, d->source, d->path.s, "%s", msg[0] ? msg : status_message(st));
            path_pop(&d->path, mark);
            return st;
        }
    }
    return STATUS_OK;
}

/* ---- canonical serialisation ------------------------------------------------------------------------------------- */

typedef struct Emitter {
    JsonWriter w;
    PathBuf path;
    CfgError *err; /* may be NULL */
} Emitter;

static Status emit_object(Emitter *e, const char *key, const CfgSchema *s, const void *base);

static Status emit_bad(Emitter *e, Status st, const char *what)
{
    return set_error(e->err, st, "(definition)", e->path.s, "%s", what);
}

/* The value of field f of the struct at base, written under key (NULL inside arrays). */
static Status emit_field(Emitter *e, const char *key, const CfgField *f, const void *base)
{
    const void *m = (const char *)base + f->offset;
    char text[96];
    switch (f->type) {
    case CFG_BOOL: jw_raw(&e->w, key, *(const bool *)m ? "true" : "false"); break;
    case CFG_INT: snprintf(text, sizeof text, "%" PRId64, load_int(m, f->size)), jw_raw(&e->w, key, text); break;
    case CFG_UINT: snprintf(text, sizeof text, "%" PRIu64, load_uint(m, f->size)), jw_raw(&e->w, key, text); break;
    case CFG_DOUBLE: {
        double v;
        memcpy(&v, m, sizeof v);
        if (!isfinite(v)) return emit_bad(e, STATUS_RANGE, "value is not a finite number");
        fmt_double(v, text, sizeof text);
        jw_raw(&e->w, key, text);
        break;
    }
    case CFG_ENUM: {
        int64_t i = load_int(m, f->size);
        if (i < 0 || (uint64_t)i >= f->name_count) return emit_bad(e, STATUS_RANGE, "enum value out of range");
        jw_str(&e->w, key, f->names[i]);
        break;
    }
    case CFG_STRING:
        if (!memchr(m, '\0', f->size)) return emit_bad(e, STATUS_INVALID, "string is not NUL-terminated");
        jw_str(&e->w, key, m);
        break;
    case CFG_DURATION: fmt_duration(load_int(m, 8), text, sizeof text), jw_str(&e->w, key, text); break;
    case CFG_DATETIME: fmt_datetime(load_int(m, 8), text, sizeof text), jw_str(&e->w, key, text); break;
    case CFG_OBJECT: return emit_object(e, key, f->sub, m);
    case CFG_DOUBLE_ARRAY:
        jw_open(&e->w, key, '[', true);
        for (size_t i = 0; i < f->length; i++) {
            double v;
            memcpy(&v, (const char *)m + i * sizeof(double), sizeof v);
            if (!isfinite(v)) {
                path_push_index(&e->path, i);
                return emit_bad(e, STATUS_RANGE, "value is not a finite number");
            }
            fmt_double(v, text, sizeof text);
            jw_raw(&e->w, NULL, text);
        }
        jw_close(&e->w, ']');
        break;
    case CFG_OBJECT_ARRAY: {
        uint64_t n = load_uint((const char *)base + f->count_offset, f->count_size);
        if (n > f->length) return emit_bad(e, STATUS_RANGE, "element count exceeds the array");
        jw_open(&e->w, key, '[', false);
        for (size_t i = 0; i < n; i++) {
            size_t mark = path_push_index(&e->path, i);
            Status st = emit_object(e, NULL, f->sub, (const char *)m + i * f->elem_size);
            if (st != STATUS_OK) return st;
            path_pop(&e->path, mark);
        }
        jw_close(&e->w, ']');
        break;
    }
    default: CASCADE_ASSERT(0);
    }
    return STATUS_OK;
}

static Status emit_object(Emitter *e, const char *key, const CfgSchema *s, const void *base)
{
    jw_open(&e->w, key, '{', false);
    for (size_t i = 0; i < s->count; i++) {
        size_t mark = path_push_key(&e->path, s->fields[i].key);
        Status st = emit_field(e, s->fields[i].key, &s->fields[i], base);
        if (st != STATUS_OK) return st;
        path_pop(&e->path, mark);
    }
    jw_close(&e->w, '}');
    return STATUS_OK;
}

static Status to_json(const CfgSchema *schema, const void *in, char **out_text, CfgError *err)
{
    Buf b = {0};
    Emitter e = {.w = {.b = &b}, .err = err};
    *out_text = NULL;
    Status st = emit_object(&e, NULL, schema, in);
    if (st != STATUS_OK) {
        buf_free(&b);
        return st;
    }
    buf_puts(&b, "\n");
    return buf_finish(&b, out_text);
}

Status cfg_to_json(const CfgSchema *schema, const void *in, char **out_text)
{
    return to_json(schema, in, out_text, NULL);
}

void cfg_free(char *text) { mem_free(text); }

uint64_t cfg_hash_text(const char *text)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

Status cfg_hash(const CfgSchema *schema, const void *in, uint64_t *out)
{
    char *text = NULL;
    Status st = cfg_to_json(schema, in, &text);
    if (st == STATUS_OK) *out = cfg_hash_text(text);
    cfg_free(text);
    return st;
}

/* ---- merging trees ----------------------------------------------------------------------------------------------- */

/* Moves every member of src into dst: objects merge key by key, anything else replaces. src is left empty. */
static void merge_into(cJSON *dst, cJSON *src)
{
    cJSON *c;
    while ((c = src->child) != NULL) {
        cJSON_DetachItemViaPointer(src, c);
        cJSON *old = cJSON_GetObjectItemCaseSensitive(dst, c->string);
        if (old && cJSON_IsObject(old) && cJSON_IsObject(c)) {
            merge_into(old, c);
            cJSON_Delete(c);
        } else if (old) {
            cJSON_ReplaceItemViaPointer(dst, old, c); /* c keeps its key */
        } else {
            cJSON_AddItemToArray(dst, c); /* an object's members are its array; c->string is the key */
        }
    }
}

/* ---- files and the extends chain --------------------------------------------------------------------------------- */

/* A file's identity (device and inode): the same file reached by two spellings of its path is one file. */
typedef struct FileId {
    bool known; /* false for text given as a string */
    dev_t dev;
    ino_t ino;
} FileId;

typedef struct Loader {
    const CfgSchema *schema;
    CfgError *err;
    cJSON *acc;   /* the merged tree: defaults at the bottom */
    size_t depth; /* files in the chain being loaded */
    bool merged;  /* some file extends another */
    FileId id[CFG_EXTENDS_MAX_DEPTH + 1];                    /* identities of the chain's files, for cycles */
    char name[CFG_EXTENDS_MAX_DEPTH + 1][CFG_FILE_PATH_MAX]; /* the same as users wrote them */
} Loader;

/* Whole file into a NUL-terminated mem_alloc'd buffer; errno describes a failure (EFBIG when too large). */
static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    Buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        buf_putn(&b, chunk, n);
        if (b.len > (size_t)CFG_FILE_MAX_BYTES) {
            buf_free(&b);
            fclose(fp);
            errno = EFBIG;
            return NULL;
        }
    }
    int bad = ferror(fp), e = errno; /* reading a folder fails here with EISDIR */
    fclose(fp);
    if (bad) {
        buf_free(&b);
        errno = e ? e : EIO;
        return NULL;
    }
    if (memchr(b.p ? b.p : "", '\0', b.len)) { /* a NUL inside: not text */
        buf_free(&b);
        errno = EILSEQ;
        return NULL;
    }
    char *out = NULL;
    if (buf_finish(&b, &out) != STATUS_OK) errno = ENOMEM;
    return out;
}

static void chain_text(const Loader *L, const char *last, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < L->depth && n < cap; i++) {
        int w = snprintf(buf + n, cap - n, "%s -> ", L->name[i]);
        if (w < 0) return;
        n += (size_t)w;
    }
    if (n < cap) snprintf(buf + n, cap - n, "%s", last);
}

/* Loads one file of the chain (text given, or read from name), its bases first, and merges it into L->acc.
 * from is the file whose `extends` named this one (NULL for the first): read errors and cycles are reported there. */
static Status load_layer(Loader *L, const char *name, const char *given_text, const char *from)
{
    Status st = STATUS_OK;
    char *owned = NULL;
    cJSON *root = NULL, *ext = NULL;
    char chain[CFG_MESSAGE_MAX];
    const char *text = given_text;
    if (!text) {
        owned = read_file(name);
        if (!owned) {
            int e = errno;
            if (e == ENOMEM) return set_error(L->err, STATUS_NOMEM, name, "", "out of memory");
            if (from) return set_error(L->err, STATUS_IO, from, "extends", "cannot read \"%s\": %s", name, strerror(e));
            return set_error(L->err, STATUS_IO, name, "", "cannot read the file: %s", strerror(e));
        }
        text = owned;
    }
    /* Cycles: the same file twice in the chain. */
    struct stat sb;
    FileId id = {0};
    if (!given_text && stat(name, &sb) == 0) id = (FileId){true, sb.st_dev, sb.st_ino};
    for (size_t i = 0; i < L->depth; i++) {
        if (id.known && L->id[i].known && L->id[i].dev == id.dev && L->id[i].ino == id.ino) {
            chain_text(L, name, chain, sizeof chain);
            st = set_error(L->err, STATUS_INVALID, from, "extends", "extends cycle: %s", chain);
            goto done;
        }
    }
    L->id[L->depth] = id;
    snprintf(L->name[L->depth], CFG_FILE_PATH_MAX, "%s", name);
    L->depth++;

    st = parse_json(text, name, L->err, &root);
    if (st != STATUS_OK) goto done;
    if (!cJSON_IsObject(root)) {
        char got[80];
        describe(root, got, sizeof got);
        st = set_error(L->err, STATUS_INVALID, name, "", "expected a JSON object at the top level, got %s", got);
        goto done;
    }
    ext = cJSON_DetachItemFromObjectCaseSensitive(root, "extends");
    if (ext && (!cJSON_IsString(ext) || !ext->valuestring[0])) {
        char got[80];
        describe(ext, got, sizeof got);
        st = set_error(L->err, STATUS_INVALID, name, "extends",
                       "expected a string naming the file this one extends, got %s", got);
        goto done;
    }
    Decoder d = {.err = L->err, .source = name};
    st = dec_object(&d, L->schema, root, NULL);
    if (st != STATUS_OK) goto done;
    if (ext) {
        if (L->depth > CFG_EXTENDS_MAX_DEPTH) {
            chain_text(L, ext->valuestring, chain, sizeof chain);
            st = set_error(L->err, STATUS_INVALID, name, "extends", "extends chain is longer than %d hops: %s",
                           CFG_EXTENDS_MAX_DEPTH, chain);
            goto done;
        }
        char base[CFG_FILE_PATH_MAX];
        const char *slash = strrchr(name, '/');
        int w;
        if (ext->valuestring[0] == '/' || !slash) w = snprintf(base, sizeof base, "%s", ext->valuestring);
        else w = snprintf(base, sizeof base, "%.*s/%s", (int)(slash - name), name, ext->valuestring);
        if (w < 0 || (size_t)w >= sizeof base) {
            st = set_error(L->err, STATUS_RANGE, name, "extends", "path is too long");
            goto done;
        }
        L->merged = true;
        st = load_layer(L, base, NULL, name);
        if (st != STATUS_OK) goto done;
    }
    merge_into(L->acc, root);
    L->depth--;
done:
    cJSON_Delete(ext);
    cJSON_Delete(root);
    mem_free(owned);
    return st;
}

/* ---- --set ------------------------------------------------------------------------------------------------------- */

typedef struct SetSeg {
    bool is_index;
    size_t index;
    char key[CFG_KEY_MAX];
} SetSeg;

/* "retail.leverage.max=20", "shocks[1].size=5": the path's segments and the value text after the first '='. */
static Status parse_set(const char *arg, SetSeg *segs, size_t *nseg, const char **value, CfgError *err)
{
    const char *eq = strchr(arg, '=');
    const char *why = NULL;
    const char *p = arg;
    *nseg = 0;
    if (!eq) why = "no '='";
    while (!why && p < eq) {
        if (*nseg == CFG_SET_MAX_SEGMENTS) {
            why = "too many path segments";
            break;
        }
        SetSeg *s = &segs[*nseg];
        *s = (SetSeg){0};
        if (*p == '[') {
            if (*nseg == 0) {
                why = "the path starts with an index";
                break;
            }
            p++;
            if (!isdigit((unsigned char)*p)) {
                why = "an index must be digits, like [0]";
                break;
            }
            size_t idx = 0;
            while (isdigit((unsigned char)*p) && idx < 1000000) idx = idx * 10 + (size_t)(*p++ - '0');
            if (*p != ']') {
                why = "an index must be digits closed by ']', like [0]";
                break;
            }
            p++;
            s->is_index = true;
            s->index = idx;
        } else {
            if (*nseg > 0) {
                if (*p != '.') {
                    why = "expected '.' or '[' between path segments";
                    break;
                }
                p++;
            }
            size_t n = 0;
            while (p < eq && (isalnum((unsigned char)*p) || *p == '_' || *p == '-') && n < CFG_KEY_MAX - 1)
                s->key[n++] = *p++;
            if (n == 0) {
                why = "empty key in the path";
                break;
            }
            if (p < eq && *p != '.' && *p != '[') {
                why = "keys are letters, digits, '_' and '-'";
                break;
            }
        }
        (*nseg)++;
    }
    if (!why && *nseg == 0) why = "empty path before '='";
    if (why)
        return set_error(err, STATUS_PARSE, "--set", "",
                         "\"%s\" is not KEY.PATH=VALUE (%s); e.g. retail.count=1000 or shocks[0].size=5", arg, why);
    *value = eq + 1;
    return STATUS_OK;
}

static const char *type_phrase(CfgType t)
{
    static const char *const PHRASES[CFG_TYPE_COUNT_] = {
        "a boolean", "an integer", "an integer", "a number", "an enum string", "a string", "a duration",
        "a datetime", "an object", "an array of numbers", "an array of objects"};
    return PHRASES[t];
}

/* Follows the set path through the schema to the field (or array element) it names; *slot is filled with a copy. */
static Status set_resolve(const CfgSchema *schema, const SetSeg *segs, size_t nseg, const char *source,
                          PathBuf *path, CfgField *slot, CfgError *err)
{
    *slot = (CfgField){.key = "", .type = CFG_OBJECT, .sub = schema};
    for (size_t i = 0; i < nseg; i++) {
        const SetSeg *s = &segs[i];
        if (!s->is_index) {
            if (slot->type != CFG_OBJECT)
                return set_error(err, STATUS_INVALID, source, path->s, "%s, not an object: it has no key \"%s\"",
                                 type_phrase(slot->type), s->key);
            const CfgField *f = find_field(slot->sub, s->key);
            path_push_key(path, s->key);
            if (!f) return unknown_key(err, source, path->s, slot->sub, s->key);
            *slot = *f;
            continue;
        }
        if (slot->type != CFG_DOUBLE_ARRAY && slot->type != CFG_OBJECT_ARRAY)
            return set_error(err, STATUS_INVALID, source, path->s, "%s, not an array: it has no element [%zu]",
                             type_phrase(slot->type), s->index);
        path_push_index(path, s->index);
        if (s->index >= slot->length)
            return set_error(err, STATUS_RANGE, source, path->s, "index %zu is out of range [0, %zu]", s->index,
                             slot->length - 1);
        if (slot->type == CFG_DOUBLE_ARRAY) *slot = number_element(slot);
        else *slot = (CfgField){.key = slot->key, .type = CFG_OBJECT, .sub = slot->sub};
    }
    return STATUS_OK;
}

/* Puts value (owned) at the end of the path in the merged tree: objects merge into objects, else it replaces. */
static Status set_apply(cJSON *root, const SetSeg *segs, size_t nseg, cJSON *value, const char *source,
                        CfgError *err)
{
    cJSON *node = root;
    PathBuf path = {0};
    for (size_t i = 0; i < nseg; i++) {
        const SetSeg *s = &segs[i];
        bool last = i + 1 == nseg;
        cJSON *child;
        if (!s->is_index) {
            CASCADE_ASSERT(cJSON_IsObject(node)); /* every layer was checked against the schema */
            path_push_key(&path, s->key);
            child = cJSON_GetObjectItemCaseSensitive(node, s->key);
            if (last) {
                if (child && cJSON_IsObject(child) && cJSON_IsObject(value)) {
                    merge_into(child, value);
                    cJSON_Delete(value);
                } else if (child ? !cJSON_ReplaceItemInObjectCaseSensitive(node, s->key, value)
                                 : !cJSON_AddItemToObject(node, s->key, value)) {
                    goto oom; /* the key's copy failed; value is not in the tree */
                }
                return STATUS_OK;
            }
            if (!child) {
                child = cJSON_CreateObject();
                if (!child) goto oom;
                if (!cJSON_AddItemToObject(node, s->key, child)) {
                    cJSON_Delete(child);
                    goto oom;
                }
            }
        } else {
            CASCADE_ASSERT(cJSON_IsArray(node));
            size_t n = (size_t)cJSON_GetArraySize(node);
            if (s->index > n) {
                path_push_index(&path, s->index);
                cJSON_Delete(value);
                return set_error(err, STATUS_RANGE, source, path.s,
                                 "index %zu is past the end: the array has %zu element%s (index %zu appends one)",
                                 s->index, n, n == 1 ? "" : "s", n);
            }
            path_push_index(&path, s->index);
            if (s->index == n) { /* append: an object array grows by one element (defaults for absent keys) */
                child = last ? value : cJSON_CreateObject();
                if (!child) goto oom;
                cJSON_AddItemToArray(node, child); /* links only: cannot fail */
                if (last) return STATUS_OK;
            } else {
                child = cJSON_GetArrayItem(node, (int)s->index);
                if (last) {
                    if (cJSON_IsObject(child) && cJSON_IsObject(value)) {
                        merge_into(child, value);
                        cJSON_Delete(value);
                    } else {
                        cJSON_ReplaceItemInArray(node, (int)s->index, value);
                    }
                    return STATUS_OK;
                }
            }
        }
        node = child;
    }
    CASCADE_ASSERT(0); /* nseg >= 1 and the last segment returns */
oom:
    cJSON_Delete(value);
    return set_error(err, STATUS_NOMEM, source, path.s, "out of memory");
}

/* Checks one --set argument against the schema and applies it to the merged tree. */
static Status apply_set(Loader *L, const char *arg)
{
    SetSeg segs[CFG_SET_MAX_SEGMENTS];
    size_t nseg = 0;
    const char *value_text = NULL;
    Status st = parse_set(arg, segs, &nseg, &value_text, L->err);
    if (st != STATUS_OK) return st;
    char source[CFG_SOURCE_MAX];
    snprintf(source, sizeof source, "--set %.*s", (int)(strchr(arg, '=') - arg), arg);

    Decoder d = {.err = L->err, .source = source};
    CfgField slot;
    st = set_resolve(L->schema, segs, nseg, source, &d.path, &slot, L->err);
    if (st != STATUS_OK) return st;

    /* JSON if it parses as JSON, else the bare text as a string. */
    cJSON *value = NULL;
    CfgError ignored;
    if (parse_json(value_text, source, &ignored, &value) != STATUS_OK) {
        value = cJSON_CreateString(value_text);
        if (!value) return set_error(L->err, STATUS_NOMEM, source, "", "out of memory");
    }
    st = dec_value(&d, &slot, value, NULL, NULL);
    if (st != STATUS_OK) {
        cJSON_Delete(value);
        return st;
    }
    return set_apply(L->acc, segs, nseg, value, source, L->err);
}

/* ---- loading ----------------------------------------------------------------------------------------------------- */

static Status load_common(const CfgSchema *schema, const char *name, const char *text, const char *const *sets,
                          size_t nsets, void *out, CfgError *err)
{
    cfg_install_json_hooks();
    CfgError local;
    if (!err) err = &local;
    *err = (CfgError){0};
    Status st = STATUS_NOMEM;
    char *defaults_text = NULL;
    Loader *L = NULL;
    void *scratch = mem_alloc(schema->size);
    if (!scratch) goto nomem;
    cfg_defaults(schema, scratch);
    L = mem_calloc(1, sizeof *L);
    if (!L) goto nomem;
    L->schema = schema;
    L->err = err;
    st = to_json(schema, scratch, &defaults_text, NULL);
    if (st == STATUS_NOMEM) goto nomem;
    CASCADE_ASSERT(st == STATUS_OK); /* defaults are checked by cfg_schema_check */
    st = parse_json(defaults_text, "(defaults)", err, &L->acc);
    if (st == STATUS_NOMEM) goto fail;
    CASCADE_ASSERT(st == STATUS_OK);

    st = load_layer(L, name, text, NULL);
    if (st != STATUS_OK) goto fail;
    for (size_t i = 0; i < nsets; i++) {
        st = apply_set(L, sets[i]);
        if (st != STATUS_OK) goto fail;
    }
    defaults_apply(schema, scratch);
    Decoder d = {.err = err, .source = name, .final = true};
    st = dec_object(&d, schema, L->acc, scratch);
    if (st != STATUS_OK) {
        /* Layers were checked one by one, so this is a cross-field rule: its values may come from several. */
        if (L->merged || nsets > 0) {
            size_t n = strlen(err->message);
            snprintf(err->message + n, sizeof err->message - n, " (in the config merged from extends and --set)");
        }
        goto fail;
    }
    if (out) memcpy(out, scratch, schema->size);
    goto done;
nomem:
    st = set_error(err, STATUS_NOMEM, name, "", "out of memory");
fail:
done:
    if (L) cJSON_Delete(L->acc);
    mem_free(L);
    mem_free(defaults_text);
    mem_free(scratch);
    return st;
}

Status cfg_load_file(const CfgSchema *schema, const char *path, const char *const *sets, size_t nsets, void *out,
                     CfgError *err)
{
    return load_common(schema, path, NULL, sets, nsets, out, err);
}

Status cfg_load_string(const CfgSchema *schema, const char *text, const char *name, const char *const *sets,
                       size_t nsets, void *out, CfgError *err)
{
    return load_common(schema, name, text, sets, nsets, out, err);
}

Status cfg_validate(const CfgSchema *schema, const void *in, CfgError *err)
{
    CfgError local;
    if (!err) err = &local;
    *err = (CfgError){0};
    char *text = NULL;
    Status st = to_json(schema, in, &text, err);
    if (st == STATUS_NOMEM) return set_error(err, st, "(definition)", "", "out of memory");
    if (st == STATUS_OK) st = load_common(schema, "(definition)", text, NULL, 0, NULL, err);
    cfg_free(text);
    return st;
}

/* ---- JSON Schema ------------------------------------------------------------------------------------------------- */

#define DURATION_PATTERN "^-?([0-9]+(\\.[0-9]+)?(w|d|h|ms|us|ns|m|s))+$"

static void describe_field(const CfgField *f, char *buf, size_t cap)
{
    char range[160] = "";
    if (f->type == CFG_DURATION || (f->type == CFG_DATETIME && datetime_bounded(f))) fmt_range(f, range, sizeof range);
    snprintf(buf, cap, "%s%s%s%s%s%s", f->doc ? f->doc : "", f->unit ? " Unit: " : "", f->unit ? f->unit : "",
             f->unit ? "." : "", range[0] ? " Allowed: " : "", range);
    if (range[0]) strncat(buf, ".", cap - strlen(buf) - 1);
}

static void schema_number_bounds(JsonWriter *w, const CfgField *f)
{
    char text[64];
    if (!isinf(f->dmin)) {
        fmt_double(f->dmin, text, sizeof text);
        jw_raw(w, f->dmin_open ? "exclusiveMinimum" : "minimum", text);
    }
    if (!isinf(f->dmax)) {
        fmt_double(f->dmax, text, sizeof text);
        jw_raw(w, f->dmax_open ? "exclusiveMaximum" : "maximum", text);
    }
}

static Status schema_object(Emitter *e, const char *key, const CfgSchema *s, const void *defaults, bool root,
                            const char *doc);

static Status schema_field(Emitter *e, const CfgField *f, const void *defaults)
{
    JsonWriter *w = &e->w;
    char text[CFG_MESSAGE_MAX];
    Status st = STATUS_OK;
    if (f->type == CFG_OBJECT)
        return schema_object(e, f->key, f->sub, (const char *)defaults + f->offset, false,
                             f->doc ? f->doc : f->sub->doc);
    jw_open(w, f->key, '{', false);
    describe_field(f, text, sizeof text);
    jw_str(w, "description", text);
    switch (f->type) {
    case CFG_BOOL: jw_str(w, "type", "boolean"); break;
    case CFG_INT:
        jw_str(w, "type", "integer");
        snprintf(text, sizeof text, "%" PRId64, f->imin), jw_raw(w, "minimum", text);
        snprintf(text, sizeof text, "%" PRId64, f->imax), jw_raw(w, "maximum", text);
        break;
    case CFG_UINT:
        jw_str(w, "type", "integer");
        snprintf(text, sizeof text, "%" PRIu64, f->umin), jw_raw(w, "minimum", text);
        snprintf(text, sizeof text, "%" PRIu64, f->umax), jw_raw(w, "maximum", text);
        break;
    case CFG_DOUBLE:
        jw_str(w, "type", "number");
        schema_number_bounds(w, f);
        break;
    case CFG_ENUM:
        jw_str(w, "type", "string");
        jw_open(w, "enum", '[', true);
        for (size_t i = 0; i < f->name_count; i++) jw_str(w, NULL, f->names[i]);
        jw_close(w, ']');
        break;
    case CFG_STRING:
        jw_str(w, "type", "string");
        snprintf(text, sizeof text, "%zu", f->size - 1), jw_raw(w, "maxLength", text);
        break;
    case CFG_DURATION:
        jw_str(w, "type", "string");
        jw_str(w, "pattern", DURATION_PATTERN);
        break;
    case CFG_DATETIME:
        jw_str(w, "type", "string");
        jw_str(w, "format", "date-time");
        break;
    case CFG_DOUBLE_ARRAY:
        jw_str(w, "type", "array");
        jw_open(w, "items", '{', false);
        jw_str(w, "type", "number");
        schema_number_bounds(w, f);
        jw_close(w, '}');
        snprintf(text, sizeof text, "%zu", f->length);
        jw_raw(w, "minItems", text);
        jw_raw(w, "maxItems", text);
        break;
    case CFG_OBJECT_ARRAY: {
        jw_str(w, "type", "array");
        void *elem = mem_alloc(f->sub->size);
        if (!elem) return STATUS_NOMEM;
        defaults_apply(f->sub, elem);
        st = schema_object(e, "items", f->sub, elem, false, f->sub->doc);
        mem_free(elem);
        if (st != STATUS_OK) return st;
        snprintf(text, sizeof text, "%zu", f->length), jw_raw(w, "maxItems", text);
        break;
    }
    default: CASCADE_ASSERT(0);
    }
    st = emit_field(e, "default", f, defaults);
    if (st != STATUS_OK) return st;
    jw_close(w, '}');
    return STATUS_OK;
}

static Status schema_object(Emitter *e, const char *key, const CfgSchema *s, const void *defaults, bool root,
                            const char *doc)
{
    JsonWriter *w = &e->w;
    jw_open(w, key, '{', false);
    if (root) {
        jw_str(w, "$schema", "https://json-schema.org/draft/2020-12/schema");
        jw_str(w, "title", s->name);
    }
    if (doc) jw_str(w, "description", doc);
    jw_str(w, "type", "object");
    jw_open(w, "properties", '{', false);
    if (root) {
        jw_open(w, "extends", '{', false);
        jw_str(w, "description", "Path of a config file this one extends, relative to this file's folder; its "
                                 "values apply first and this file's override them.");
        jw_str(w, "type", "string");
        jw_raw(w, "minLength", "1");
        jw_close(w, '}');
    }
    for (size_t i = 0; i < s->count; i++) {
        Status st = schema_field(e, &s->fields[i], defaults);
        if (st != STATUS_OK) return st;
    }
    jw_close(w, '}');
    jw_raw(w, "additionalProperties", "false");
    jw_close(w, '}');
    return STATUS_OK;
}

Status cfg_json_schema(const CfgSchema *schema, char **out_text)
{
    *out_text = NULL;
    void *defaults = mem_alloc(schema->size);
    if (!defaults) return STATUS_NOMEM;
    cfg_defaults(schema, defaults);
    Buf b = {0};
    Emitter e = {.w = {.b = &b}};
    Status st = schema_object(&e, NULL, schema, defaults, true, schema->doc);
    mem_free(defaults);
    if (st != STATUS_OK) {
        buf_free(&b);
        return st;
    }
    buf_puts(&b, "\n");
    return buf_finish(&b, out_text);
}

/* ---- Markdown reference ------------------------------------------------------------------------------------------ */

static void md_cell(Buf *b, const char *s)
{
    buf_puts(b, " ");
    for (; *s; s++) {
        if (*s == '|') buf_puts(b, "\\|");
        else if (*s == '\n') buf_puts(b, " ");
        else buf_putn(b, s, 1);
    }
    buf_puts(b, " |");
}

static Status md_object(Buf *b, const char *prefix, const CfgSchema *s, const void *defaults)
{
    for (size_t i = 0; i < s->count; i++) {
        const CfgField *f = &s->fields[i];
        char key[CFG_PATH_MAX], type[48], def[CFG_MESSAGE_MAX] = "", allowed[CFG_MESSAGE_MAX] = "";
        snprintf(key, sizeof key, "`%s%s%s`", prefix, prefix[0] ? "." : "", f->key);
        static const char *const TYPE_NAMES[CFG_TYPE_COUNT_] = {
            "boolean", "integer", "integer", "number", "enum (string)", "string", "duration (string)",
            "datetime (string)", "object", "", "array of objects"};
        if (f->type == CFG_DOUBLE_ARRAY) snprintf(type, sizeof type, "number[%zu]", f->length);
        else snprintf(type, sizeof type, "%s", TYPE_NAMES[f->type]);
        if (f->type != CFG_OBJECT) { /* the default, as compact JSON */
            Buf d = {0};
            Emitter e = {.w = {.b = &d}};
            e.w.inline_at[0] = true;
            Status st = emit_field(&e, NULL, f, defaults);
            if (st == STATUS_OK && d.oom) st = STATUS_NOMEM;
            if (st != STATUS_OK) {
                buf_free(&d);
                return st;
            }
            snprintf(def, sizeof def, "`%s`", d.p ? d.p : "");
            buf_free(&d);
        }
        char range[160];
        fmt_range(f, range, sizeof range);
        switch (f->type) {
        case CFG_BOOL: snprintf(allowed, sizeof allowed, "true, false"); break;
        case CFG_ENUM: {
            size_t n = 0;
            for (size_t k = 0; k < f->name_count && n < sizeof allowed; k++) {
                int w = snprintf(allowed + n, sizeof allowed - n, "%s`%s`", k ? ", " : "", f->names[k]);
                if (w < 0) break;
                n += (size_t)w;
            }
            break;
        }
        case CFG_STRING: snprintf(allowed, sizeof allowed, "at most %zu bytes", f->size - 1); break;
        case CFG_DATETIME:
            snprintf(allowed, sizeof allowed, "ISO-8601%s%s", datetime_bounded(f) ? " in " : "",
                     datetime_bounded(f) ? range : "");
            break;
        case CFG_OBJECT: break;
        case CFG_DOUBLE_ARRAY: snprintf(allowed, sizeof allowed, "%zu numbers in %s", f->length, range); break;
        case CFG_OBJECT_ARRAY: snprintf(allowed, sizeof allowed, "0 to %zu elements", f->length); break;
        default: snprintf(allowed, sizeof allowed, "%s", range);
        }
        buf_puts(b, "|");
        md_cell(b, key);
        md_cell(b, type);
        md_cell(b, def);
        md_cell(b, allowed);
        md_cell(b, f->unit ? f->unit : "");
        md_cell(b, f->type == CFG_OBJECT && !f->doc && f->sub->doc ? f->sub->doc : (f->doc ? f->doc : ""));
        buf_puts(b, "\n");
        char sub_prefix[CFG_PATH_MAX];
        if (f->type == CFG_OBJECT) {
            snprintf(sub_prefix, sizeof sub_prefix, "%s%s%s", prefix, prefix[0] ? "." : "", f->key);
            Status st = md_object(b, sub_prefix, f->sub, (const char *)defaults + f->offset);
            if (st != STATUS_OK) return st;
        } else if (f->type == CFG_OBJECT_ARRAY) {
            snprintf(sub_prefix, sizeof sub_prefix, "%s%s%s[]", prefix, prefix[0] ? "." : "", f->key);
            void *elem = mem_alloc(f->sub->size);
            if (!elem) return STATUS_NOMEM;
            defaults_apply(f->sub, elem);
            Status st = md_object(b, sub_prefix, f->sub, elem);
            mem_free(elem);
            if (st != STATUS_OK) return st;
        }
    }
    return STATUS_OK;
}

Status cfg_markdown(const CfgSchema *schema, char **out_text)
{
    *out_text = NULL;
    void *defaults = mem_alloc(schema->size);
    if (!defaults) return STATUS_NOMEM;
    cfg_defaults(schema, defaults);
    Buf b = {0};
    buf_puts(&b, "| key | type | default | allowed | unit | description |\n"
                 "| --- | --- | --- | --- | --- | --- |\n");
    Status st = md_object(&b, "", schema, defaults);
    mem_free(defaults);
    if (st != STATUS_OK) {
        buf_free(&b);
        return st;
    }
    return buf_finish(&b, out_text);
}
