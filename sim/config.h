/* Schema-driven configuration: JSON experiment files -> plain definition structs (MODEL.md section 6). The file
 * format (extends, merging, --set, errors, canonical form and hash) is described in docs/config-format.md.
 *
 * The engine never sees JSON: it is built from plain definition structs. Each struct gets a descriptor table (a
 * CfgSchema of CfgFields: key, type, offset, range, default, unit, one line of documentation), written with the
 * CFG_FIELD_* macros below. Everything else is generic and driven by those tables: defaults, decoding with
 * errors that name file, JSON path and allowed range, the canonical serialisation and its hash, a JSON Schema for
 * editors and the Markdown reference table. Adding a key is one line in a table.
 *
 * Loading (cfg_load_file):
 *   1. the defaults, serialised canonically, are the bottom layer of a JSON tree;
 *   2. the file and the files it `extends` (up to CFG_EXTENDS_MAX_DEPTH hops, no cycles) are each parsed and
 *      checked against the schema on their own -- so an error names the file it is in -- and merged on top, base
 *      first (objects merge key by key, arrays and scalars replace);
 *   3. each --set KEY.PATH=VALUE is checked and applied in order;
 *   4. the merged tree is decoded into a scratch struct, per-object validate callbacks run (cross-field rules);
 *   5. only then is the caller's struct overwritten: on any error it is left untouched.
 * Numbers keep their literal text through the whole pipeline, so 64-bit integers (seeds) are exact, never rounded
 * through a double.
 *
 * cJSON (Debian's libcjson) is used only inside sim/config*.c. Its allocator hooks are process-global: every
 * function here that touches cJSON first calls cfg_install_json_hooks(), which points them at core/alloc
 * (mem_alloc/mem_free) so that the per-test leak checker counts cJSON's memory too. Installing is idempotent, but
 * it writes cJSON's globals: load configs from one thread at a time (the main thread, before sweeps fan out).
 * Other code that uses cJSON must call cfg_install_json_hooks() before it allocates anything with cJSON. */
#ifndef CASCADE_CONFIG_H
#define CASCADE_CONFIG_H

#include "simtime.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_EXTENDS_MAX_DEPTH 8 /* most `extends` hops from the file named on the command line (9 files) */
#define CFG_SOURCE_MAX 512
#define CFG_PATH_MAX 256
#define CFG_MESSAGE_MAX 512

/* What a key holds in JSON and in the struct. Integer-like members may be 1, 2, 4 or 8 bytes wide (the macros
 * record sizeof the member); doubles are double; durations and datetimes are int64 nanoseconds. */
typedef enum CfgType {
    CFG_BOOL,         /* true/false                 -> bool */
    CFG_INT,          /* integer in [imin, imax]    -> int8..int64 */
    CFG_UINT,         /* integer in [umin, umax]    -> uint8..uint64 (seeds: the full 0..2^64-1) */
    CFG_DOUBLE,       /* finite number in the range -> double (bounds may be open, or +-INFINITY for none) */
    CFG_ENUM,         /* one of names[]             -> the index, in an int-like member (a C enum) */
    CFG_STRING,       /* string                     -> char member[N], at most N-1 bytes */
    CFG_DURATION,     /* "1h30m", "250ms", "24h"    -> SimDuration ns in [imin, imax] */
    CFG_DATETIME,     /* "2025-01-01T00:00:00Z"     -> SimTime ns in [imin, imax] */
    CFG_OBJECT,       /* nested object              -> nested struct described by sub */
    CFG_DOUBLE_ARRAY, /* exactly `length` numbers in [dmin, dmax] -> double member[length] */
    CFG_OBJECT_ARRAY, /* 0..length objects          -> Elem member[length] plus a count member */
    CFG_TYPE_COUNT_
} CfgType;

typedef struct CfgSchema CfgSchema;

/* A cross-field rule for one decoded object (min <= max, shares summing to 1...). Return STATUS_OK, or an error
 * status (STATUS_INVALID, STATUS_RANGE) after writing the offending key relative to the object ("max"; "" for the
 * object as a whole) into key and a message into msg. Runs after the object's own fields and children decoded. */
typedef Status (*CfgValidateFn)(const void *obj, char *key, size_t key_cap, char *msg, size_t msg_cap);

/* One key. Fill it with the CFG_FIELD_* macros; members a type does not use stay zero. */
typedef struct CfgField {
    const char *key;      /* JSON key: letters, digits, '_' (and '-'), unique within its schema */
    CfgType type;
    size_t offset;        /* of the member within its struct */
    size_t size;          /* sizeof the member (the whole array for arrays) */
    int64_t imin, imax;   /* CFG_INT; CFG_DURATION and CFG_DATETIME in ns */
    uint64_t umin, umax;  /* CFG_UINT */
    double dmin, dmax;    /* CFG_DOUBLE and the elements of CFG_DOUBLE_ARRAY */
    bool dmin_open, dmax_open; /* exclusive bounds: (0, 1] */
    bool def_b;           /* defaults, by type: CFG_BOOL */
    int64_t def_i;        /* CFG_INT, CFG_DURATION (ns), CFG_ENUM (index into names) */
    uint64_t def_u;       /* CFG_UINT */
    double def_d;         /* CFG_DOUBLE; CFG_DOUBLE_ARRAY when def_arr is NULL (every element) */
    const char *def_s;    /* CFG_STRING; CFG_DATETIME (ISO text) */
    const double *def_arr; /* CFG_DOUBLE_ARRAY: `length` values, or NULL */
    const char *const *names; /* CFG_ENUM: the accepted strings, index = stored value */
    size_t name_count;
    size_t length;        /* CFG_DOUBLE_ARRAY: exact length; CFG_OBJECT_ARRAY: most elements */
    const CfgSchema *sub; /* CFG_OBJECT, CFG_OBJECT_ARRAY: the element's schema */
    size_t elem_size;     /* CFG_OBJECT_ARRAY: sizeof one element (must equal sub->size) */
    size_t count_offset, count_size; /* CFG_OBJECT_ARRAY: where the element count lives in the parent struct */
    const char *unit;     /* "accounts", "bps", "x"...; NULL when none */
    const char *doc;      /* one sentence for the reference */
} CfgField;

/* A struct's descriptor table. */
struct CfgSchema {
    const char *name;     /* title in the JSON Schema */
    const CfgField *fields;
    size_t count;
    size_t size;          /* sizeof the struct */
    CfgValidateFn validate; /* NULL when no cross-field rule */
    const char *doc;
};

/* Where a user error is and what is wrong: "experiments/x.json: retail.leverage.max: 250 is out of range [1, 125]".
 * source is the file (as named by the user or joined from an `extends`), "--set retail.count" for a --set value,
 * or "--set" for a malformed --set argument; path is the JSON path ("shocks[1].size", "" for the whole document). */
typedef struct CfgError {
    char source[CFG_SOURCE_MAX];
    char path[CFG_PATH_MAX];
    char message[CFG_MESSAGE_MAX];
} CfgError;

/* ---- descriptor macros: T is the struct type, m the member ------------------------------------------------------- */

#define CFG__SIZE(T, m) sizeof(((T *)0)->m)
#define CFG__LEN(T, m) (sizeof(((T *)0)->m) / sizeof(((T *)0)->m[0]))
#define CFG__BASE(key_, type_, T, m, doc_) \
    .key = (key_), .type = (type_), .offset = offsetof(T, m), .size = CFG__SIZE(T, m), .doc = (doc_)

#define CFG_FIELD_BOOL(key_, T, m, def, doc_) {CFG__BASE(key_, CFG_BOOL, T, m, doc_), .def_b = (def)}
#define CFG_FIELD_INT(key_, T, m, lo, hi, def, unit_, doc_) \
    {CFG__BASE(key_, CFG_INT, T, m, doc_), .imin = (lo), .imax = (hi), .def_i = (def), .unit = (unit_)}
#define CFG_FIELD_UINT(key_, T, m, lo, hi, def, unit_, doc_) \
    {CFG__BASE(key_, CFG_UINT, T, m, doc_), .umin = (lo), .umax = (hi), .def_u = (def), .unit = (unit_)}
/* Closed range [lo, hi]; use CFG_FIELD_DOUBLE_EX for open bounds, +-INFINITY for an unbounded side. */
#define CFG_FIELD_DOUBLE(key_, T, m, lo, hi, def, unit_, doc_) \
    {CFG__BASE(key_, CFG_DOUBLE, T, m, doc_), .dmin = (lo), .dmax = (hi), .def_d = (def), .unit = (unit_)}
#define CFG_FIELD_DOUBLE_EX(key_, T, m, lo, lo_open, hi, hi_open, def, unit_, doc_)                            \
    {CFG__BASE(key_, CFG_DOUBLE, T, m, doc_), .dmin = (lo), .dmax = (hi), .dmin_open = (lo_open),             \
     .dmax_open = (hi_open), .def_d = (def), .unit = (unit_)}
/* names is a `static const char *const X[]` array (its length is taken with sizeof); def is an index into it. */
#define CFG_FIELD_ENUM(key_, T, m, names_, def, doc_)                                                          \
    {CFG__BASE(key_, CFG_ENUM, T, m, doc_), .names = (names_),                                                 \
     .name_count = sizeof(names_) / sizeof((names_)[0]), .def_i = (def)}
/* m is a char array; the string may hold sizeof(m) - 1 bytes. */
#define CFG_FIELD_STRING(key_, T, m, def, doc_) {CFG__BASE(key_, CFG_STRING, T, m, doc_), .def_s = (def)}
/* lo, hi and def in ns (SIMTIME_NS_PER_HOUR...). */
#define CFG_FIELD_DURATION(key_, T, m, lo, hi, def, doc_) \
    {CFG__BASE(key_, CFG_DURATION, T, m, doc_), .imin = (lo), .imax = (hi), .def_i = (def)}
/* def is ISO-8601 text; any representable instant is accepted. */
#define CFG_FIELD_DATETIME(key_, T, m, def_iso, doc_) \
    {CFG__BASE(key_, CFG_DATETIME, T, m, doc_), .imin = SIMTIME_MIN, .imax = SIMTIME_MAX, .def_s = (def_iso)}
#define CFG_FIELD_OBJECT(key_, T, m, sub_, doc_) {CFG__BASE(key_, CFG_OBJECT, T, m, doc_), .sub = (sub_)}
/* m is double[N]; exactly N numbers in [lo, hi]; def_array is NULL (every element def_each) or N doubles. */
#define CFG_FIELD_DOUBLE_ARRAY(key_, T, m, lo, hi, def_array, def_each, unit_, doc_)                           \
    {CFG__BASE(key_, CFG_DOUBLE_ARRAY, T, m, doc_), .dmin = (lo), .dmax = (hi), .def_arr = (def_array),         \
     .def_d = (def_each), .length = CFG__LEN(T, m), .unit = (unit_)}
/* m is Elem[N], count_m the member holding how many are used (0..N); defaults to empty. */
#define CFG_FIELD_OBJECT_ARRAY(key_, T, m, count_m, sub_, doc_)                                                \
    {CFG__BASE(key_, CFG_OBJECT_ARRAY, T, m, doc_), .sub = (sub_), .length = CFG__LEN(T, m),                    \
     .elem_size = sizeof(((T *)0)->m[0]), .count_offset = offsetof(T, count_m), .count_size = CFG__SIZE(T, count_m)}

/* A schema for struct T from a `static const CfgField fields[]` array. */
#define CFG_SCHEMA(T, name_, fields_, validate_, doc_)                                                         \
    {.name = (name_), .fields = (fields_), .count = sizeof(fields_) / sizeof((fields_)[0]), .size = sizeof(T), \
     .validate = (validate_), .doc = (doc_)}

/* ---- loading ----------------------------------------------------------------------------------------------------- */

/* Fills *out with every default (object arrays empty; bytes not covered by a member zeroed, so two structs from
 * cfg_defaults or cfg_load_* compare equal with memcmp). Asserts that the schema is consistent (cfg_schema_check). */
void cfg_defaults(const CfgSchema *schema, void *out);
/* Reads the JSON file at path, resolves its `extends` chain, applies the --set arguments ("retail.count=100000",
 * "shocks[1].size=5", "run.duration=24h") in order and decodes into *out with defaults for absent keys. On error
 * returns STATUS_PARSE (JSON syntax, malformed --set), STATUS_INVALID (unknown key, wrong type, bad enum name,
 * extends cycle or depth, failed cross-field rule), STATUS_RANGE (out of range, not finite, too long),
 * STATUS_IO (unreadable file) or STATUS_NOMEM, fills *err and leaves *out untouched. */
Status cfg_load_file(const CfgSchema *schema, const char *path, const char *const *sets, size_t nsets, void *out,
                     CfgError *err);
/* As cfg_load_file with the text of a file called `name` (errors name it; an `extends` in it resolves against
 * name's folder, "." when name has no '/'). */
Status cfg_load_string(const CfgSchema *schema, const char *text, const char *name, const char *const *sets,
                       size_t nsets, void *out, CfgError *err);
/* Checks a struct built in code (ranges, enum indices, string termination, counts, cross-field rules) by
 * serialising and decoding it; errors name source "(definition)". */
Status cfg_validate(const CfgSchema *schema, const void *in, CfgError *err);

/* ---- canonical form, hash, generated documentation --------------------------------------------------------------- */

/* The canonical JSON of *in: keys in schema order, every key present, two-space indentation, number arrays on one
 * line, doubles in the shortest form that reads back exactly, durations and datetimes as their canonical strings,
 * a final newline. Loading it gives back an identical struct. *out_text is freed with cfg_free. STATUS_RANGE if a
 * double is not finite or an enum index or array count is out of range, STATUS_INVALID for an unterminated string,
 * STATUS_NOMEM. */
Status cfg_to_json(const CfgSchema *schema, const void *in, char **out_text);
/* 64-bit FNV-1a of the bytes of text (offset basis 0xcbf29ce484222325, prime 0x100000001b3). */
uint64_t cfg_hash_text(const char *text);
/* cfg_hash_text of cfg_to_json(schema, in): the config hash written into summary.json. */
Status cfg_hash(const CfgSchema *schema, const void *in, uint64_t *out);
/* A JSON Schema (draft 2020-12) of the file format: types, ranges, enums, defaults, descriptions, no extra keys. */
Status cfg_json_schema(const CfgSchema *schema, char **out_text);
/* A Markdown table with one row per key (dotted path, "shocks[].at" inside arrays): key, type, default, allowed
 * range, unit, description. */
Status cfg_markdown(const CfgSchema *schema, char **out_text);
/* Frees text returned by this module; NULL is allowed. */
void cfg_free(char *text);

/* ---- errors and plumbing ----------------------------------------------------------------------------------------- */

/* "SOURCE: PATH: MESSAGE", leaving out an empty part, and the path when the source already is "--set PATH".
 * Returns the length it needs like snprintf. */
size_t cfg_error_format(const CfgError *err, char *buf, size_t cap);
/* True if the table is consistent (keys unique and well formed, member sizes match types, ranges ordered, defaults
 * in range, sub-schemas consistent); otherwise false with the reason in why. */
bool cfg_schema_check(const CfgSchema *schema, char *why, size_t why_cap);
/* Points cJSON's allocator at mem_alloc/mem_free (idempotent; see the top of this header). */
void cfg_install_json_hooks(void);

#endif
