/* Simulated time: ISO 8601 timestamps, compact durations and the UTC calendar.
 *
 * Everything is integer arithmetic on int64 nanoseconds; no libc time functions (gmtime, timegm, strptime) are used,
 * because they depend on the TZ environment, are not all in C17 and differ across platforms. Parsers are strict:
 * a config typo must be an error, not a silently different start date. */
#include "simtime.h"
#include "cascade_assert.h"

#include <stdio.h>
#include <string.h>

__extension__ typedef __int128 i128; /* exact intermediates: civil time to ns, duration parsing */

/* ---- small arithmetic helpers ----------------------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    CASCADE_ASSERT(b > 0);
    int64_t q = a / b;
    if (a % b < 0) q--; /* C truncates toward zero; step down for negative remainders */
    return q;
}

/* a - floor_div(a, b) * b, computed without the product, which overflows for a near INT64_MIN. */
static int64_t floor_mod(int64_t a, int64_t b)
{
    CASCADE_ASSERT(b > 0);
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

/* Copies len bytes of src into buf (cap bytes), truncating and NUL-terminating; returns len (snprintf contract). */
static size_t copy_out(const char *src, size_t len, char *buf, size_t cap)
{
    if (cap > 0) {
        size_t n = len < cap - 1 ? len : cap - 1;
        memcpy(buf, src, n);
        buf[n] = '\0';
    }
    return len;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* ---- calendar --------------------------------------------------------------------------------------------------- */

bool simtime_is_leap_year(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int simtime_days_in_month(int64_t year, int month)
{
    static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    CASCADE_ASSERT(month >= 1 && month <= 12);
    if (month == 2 && simtime_is_leap_year(year)) return 29;
    return DAYS[month - 1];
}

/* Years are counted from March so that the leap day is the last day of the (shifted) year; an era is 400 years =
 * 146097 days, after which the Gregorian calendar repeats exactly. 719468 = days from 0000-03-01 to 1970-01-01. */
#define DAYS_PER_ERA INT64_C(146097)
#define EPOCH_SHIFT INT64_C(719468)
#define CIVIL_YEAR_LIMIT INT64_C(1000000000000)

int64_t simtime_days_from_civil(int64_t year, int month, int day)
{
    CASCADE_ASSERT(year >= -CIVIL_YEAR_LIMIT && year <= CIVIL_YEAR_LIMIT);
    CASCADE_ASSERT(month >= 1 && month <= 12);
    CASCADE_ASSERT(day >= 1 && day <= simtime_days_in_month(year, month));
    int64_t y = month <= 2 ? year - 1 : year;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                     /* [0, 399] */
    int64_t mp = month > 2 ? month - 3 : month + 9;                  /* March = 0 ... February = 11 */
    int64_t doy = (153 * mp + 2) / 5 + day - 1;                      /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;             /* [0, 146096] */
    return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

void simtime_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    CASCADE_ASSERT(days >= INT64_MIN / 2 && days <= INT64_MAX / 2);
    int64_t z = days + EPOCH_SHIFT;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t doe = z - era * DAYS_PER_ERA;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;      /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                    /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                          /* [0, 11] */
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)m;
    *year = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

CivilTime simtime_to_civil(SimTime t)
{
    CivilTime c;
    int64_t days = floor_div(t, SIMTIME_NS_PER_DAY);
    int64_t ns = floor_mod(t, SIMTIME_NS_PER_DAY); /* [0, 1 day) */
    simtime_civil_from_days(days, &c.year, &c.month, &c.day);
    c.hour = (int)(ns / SIMTIME_NS_PER_HOUR);
    c.minute = (int)(ns / SIMTIME_NS_PER_MIN % 60);
    c.second = (int)(ns / SIMTIME_NS_PER_S % 60);
    c.nanos = (int32_t)(ns % SIMTIME_NS_PER_S);
    return c;
}

static bool civil_fields_valid(const CivilTime *c)
{
    if (c->year < -CIVIL_YEAR_LIMIT || c->year > CIVIL_YEAR_LIMIT) return false;
    if (c->month < 1 || c->month > 12) return false;
    if (c->day < 1 || c->day > simtime_days_in_month(c->year, c->month)) return false;
    if (c->hour < 0 || c->hour > 23 || c->minute < 0 || c->minute > 59) return false;
    if (c->second < 0 || c->second > 59) return false; /* POSIX time: no leap second 60 */
    return c->nanos >= 0 && c->nanos < SIMTIME_NS_PER_S;
}

/* The instant of c minus offset_ns, exactly: the 128-bit sum lets a day count just beyond the int64 range be pulled
 * back by its time of day (1677-09-21T00:12:43.145224192Z is INT64_MIN, but its midnight is not representable). */
static Status civil_to_time(const CivilTime *c, int64_t offset_ns, SimTime *out)
{
    if (!civil_fields_valid(c)) return STATUS_INVALID;
    int64_t days = simtime_days_from_civil(c->year, c->month, c->day);
    int64_t secs = (int64_t)c->hour * 3600 + (int64_t)c->minute * 60 + c->second;
    i128 t = (i128)days * SIMTIME_NS_PER_DAY + (i128)secs * SIMTIME_NS_PER_S + c->nanos - offset_ns;
    if (t < INT64_MIN || t > INT64_MAX) return STATUS_RANGE;
    *out = (SimTime)t;
    return STATUS_OK;
}

Status simtime_from_civil(const CivilTime *c, SimTime *out) { return civil_to_time(c, 0, out); }

SimTime simtime_floor(SimTime t, SimDuration unit)
{
    CASCADE_ASSERT(unit > 0);
    SimTime r;
    /* Only t within one unit of INT64_MIN can overflow (the floor lies below the representable range). */
    bool overflow = __builtin_mul_overflow(floor_div(t, unit), unit, &r);
    CASCADE_ASSERT(!overflow);
    return r;
}

SimTime simtime_day_start(SimTime t) { return simtime_floor(t, SIMTIME_NS_PER_DAY); }

int simtime_hour_of_day(SimTime t)
{
    return (int)(floor_mod(t, SIMTIME_NS_PER_DAY) / SIMTIME_NS_PER_HOUR);
}

int simtime_day_of_week(SimTime t)
{
    /* 1970-01-01 (day 0) was a Thursday, which is 3 when Monday is 0. */
    return (int)floor_mod(floor_div(t, SIMTIME_NS_PER_DAY) + 3, 7);
}

bool simtime_is_weekend(SimTime t) { return simtime_day_of_week(t) >= 5; }

SimTime simtime_next_funding(SimTime t, SimDuration interval)
{
    CASCADE_ASSERT(interval > 0 && SIMTIME_NS_PER_DAY % interval == 0);
    /* interval divides a day and the epoch is a midnight, so every day start is a multiple of interval and the
     * per-day grid is exactly the grid of multiples of interval since the epoch. */
    SimDuration step = interval - floor_mod(t, interval); /* (0, interval]: strictly after t */
    CASCADE_ASSERT(t <= SIMTIME_MAX - step);
    return t + step;
}

/* ---- ISO 8601 --------------------------------------------------------------------------------------------------- */

/* Reads exactly n decimal digits at *p into *v and advances; false if any is missing. */
static bool take_digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (!is_digit(c)) return false;
        x = x * 10 + (c - '0');
    }
    *p += n;
    *v = x;
    return true;
}

static bool take_char(const char **p, char c)
{
    if (**p != c) return false;
    (*p)++;
    return true;
}

/* ".f{1,9}" (optional) into nanoseconds. */
static bool take_fraction(const char **p, int32_t *nanos)
{
    *nanos = 0;
    if (!take_char(p, '.')) return true;
    int32_t v = 0;
    int n = 0;
    while (is_digit(**p)) {
        if (n == 9) return false; /* finer than 1 ns */
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n == 0) return false;
    for (; n < 9; n++) v *= 10;
    *nanos = v;
    return true;
}

/* "Z" or "+HH:MM" / "-HH:MM" into a signed offset east of UTC, in ns. */
static bool take_offset(const char **p, int64_t *offset_ns)
{
    if (take_char(p, 'Z')) {
        *offset_ns = 0;
        return true;
    }
    int sign = 0;
    if (take_char(p, '+')) sign = 1;
    else if (take_char(p, '-')) sign = -1;
    else return false;
    int hh, mm;
    if (!take_digits(p, 2, &hh) || !take_char(p, ':') || !take_digits(p, 2, &mm)) return false;
    if (hh > 23 || mm > 59) return false;
    *offset_ns = sign * ((int64_t)hh * SIMTIME_NS_PER_HOUR + (int64_t)mm * SIMTIME_NS_PER_MIN);
    return true;
}

Status simtime_parse_iso(const char *s, SimTime *out)
{
    if (!s) return STATUS_PARSE;
    const char *p = s;
    CivilTime c;
    int year;
    int64_t offset;
    bool ok = take_digits(&p, 4, &year) && take_char(&p, '-') && take_digits(&p, 2, &c.month) &&
              take_char(&p, '-') && take_digits(&p, 2, &c.day) && take_char(&p, 'T') &&
              take_digits(&p, 2, &c.hour) && take_char(&p, ':') && take_digits(&p, 2, &c.minute) &&
              take_char(&p, ':') && take_digits(&p, 2, &c.second) && take_fraction(&p, &c.nanos) &&
              take_offset(&p, &offset) && *p == '\0';
    if (!ok) return STATUS_PARSE;
    c.year = year;
    Status st = civil_to_time(&c, offset, out);
    return st == STATUS_INVALID ? STATUS_PARSE : st; /* INVALID: well-formed but not a date (2025-02-29, 24:00) */
}

size_t simtime_format_iso(SimTime t, char *buf, size_t cap)
{
    CivilTime c = simtime_to_civil(t);
    char tmp[SIMTIME_ISO_BUFSIZE];
    int n = snprintf(tmp, sizeof tmp, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)c.year, c.month, c.day, c.hour,
                     c.minute, c.second);
    CASCADE_ASSERT(n > 0 && (size_t)n < sizeof tmp);
    size_t len = (size_t)n;
    /* The shortest of 3, 6 or 9 digits that is exact, so millisecond timestamps read as such. */
    if (c.nanos != 0) {
        int digits = c.nanos % 1000000 == 0 ? 3 : c.nanos % 1000 == 0 ? 6 : 9;
        int32_t v = digits == 3 ? c.nanos / 1000000 : digits == 6 ? c.nanos / 1000 : c.nanos;
        n = snprintf(tmp + len, sizeof tmp - len, ".%0*d", digits, (int)v);
        CASCADE_ASSERT(n > 0 && (size_t)n < sizeof tmp - len);
        len += (size_t)n;
    }
    CASCADE_ASSERT(len + 1 < sizeof tmp);
    tmp[len++] = 'Z';
    tmp[len] = '\0';
    return copy_out(tmp, len, buf, cap);
}

/* ---- durations -------------------------------------------------------------------------------------------------- */

typedef struct DurationUnit {
    const char *name;
    int64_t ns;
} DurationUnit;

/* Largest first: a duration's components must appear in this order, each at most once. */
static const DurationUnit UNITS[] = {
    {"w", SIMTIME_NS_PER_WEEK}, {"d", SIMTIME_NS_PER_DAY}, {"h", SIMTIME_NS_PER_HOUR}, {"m", SIMTIME_NS_PER_MIN},
    {"s", SIMTIME_NS_PER_S},    {"ms", SIMTIME_NS_PER_MS}, {"us", SIMTIME_NS_PER_US},  {"ns", 1},
};
#define UNIT_COUNT ((int)(sizeof UNITS / sizeof UNITS[0]))

/* Longest unit name at *p ("ms" before "m"); index into UNITS or -1. */
static int take_unit(const char **p)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < UNIT_COUNT; i++) {
        size_t len = strlen(UNITS[i].name);
        if (len > best_len && strncmp(*p, UNITS[i].name, len) == 0) {
            best = i;
            best_len = len;
        }
    }
    *p += best_len;
    return best;
}

#define I128_POW2_63 ((i128)1 << 63)

/* One "<int>[.<frac>]<unit>" component, added to *total. Returns STATUS_PARSE on bad text, STATUS_RANGE (after
 * consuming the component) when the integer part alone exceeds 2^63 ns-units; *last_unit enforces decreasing units. */
static Status take_component(const char **p, int *last_unit, i128 *total)
{
    i128 whole = 0;
    bool huge = false;
    if (!is_digit(**p)) return STATUS_PARSE;
    while (is_digit(**p)) {
        if (!huge) whole = whole * 10 + (**p - '0');
        huge = huge || whole > I128_POW2_63; /* saturate: the exact value no longer matters */
        (*p)++;
    }
    /* The fraction with trailing zeros stripped: value f / 10^k with f not a multiple of 10. No unit up to a week
     * has more than 10^16 in its factorisation reachable by such an f, so k > 18 can never come out exact. */
    i128 frac = 0;
    int k = 0, zeros = 0;
    bool inexact = false;
    if (**p == '.') {
        (*p)++;
        if (!is_digit(**p)) return STATUS_PARSE;
        for (; is_digit(**p); (*p)++) {
            if (**p == '0') {
                zeros++;
                continue;
            }
            k += zeros + 1;
            inexact = inexact || k > 18;
            if (!inexact) { /* frac < 10^18 stays small */
                for (int i = 0; i <= zeros; i++) frac *= 10;
                frac += **p - '0';
            }
            zeros = 0;
        }
    }
    int unit = take_unit(p);
    if (unit < 0 || unit <= *last_unit || inexact) return STATUS_PARSE;
    *last_unit = unit;
    i128 scale = 1;
    for (int i = 0; i < k; i++) scale *= 10;
    i128 frac_ns = frac * UNITS[unit].ns; /* < 10^19 * 6.1e14, fits */
    if (frac_ns % scale != 0) return STATUS_PARSE; /* finer than 1 ns */
    if (huge) return STATUS_RANGE;
    *total += whole * UNITS[unit].ns + frac_ns / scale; /* each term < 2^114: no i128 overflow over 8 components */
    return STATUS_OK;
}

Status simtime_parse_duration(const char *s, SimDuration *out)
{
    if (!s) return STATUS_PARSE;
    const char *p = s;
    bool negative = take_char(&p, '-');
    if (*p == '\0') return STATUS_PARSE;
    i128 total = 0;
    int last_unit = -1;
    Status range = STATUS_OK;
    while (*p != '\0') {
        Status st = take_component(&p, &last_unit, &total);
        if (st == STATUS_PARSE) return st; /* malformed text wins over an out-of-range number */
        if (st != STATUS_OK) range = st;
    }
    i128 limit = negative ? I128_POW2_63 : I128_POW2_63 - 1;
    if (range != STATUS_OK || total > limit) return STATUS_RANGE;
    *out = negative ? (SimDuration)(-total) : (SimDuration)total;
    return STATUS_OK;
}

size_t simtime_format_duration(SimDuration d, char *buf, size_t cap)
{
    static const DurationUnit PARTS[] = {
        {"d", SIMTIME_NS_PER_DAY}, {"h", SIMTIME_NS_PER_HOUR}, {"m", SIMTIME_NS_PER_MIN}, {"s", SIMTIME_NS_PER_S},
        {"ms", SIMTIME_NS_PER_MS}, {"us", SIMTIME_NS_PER_US},  {"ns", 1},
    };
    char tmp[SIMTIME_DURATION_BUFSIZE];
    size_t len = 0;
    /* Work on the magnitude as unsigned so INT64_MIN has a magnitude too. */
    uint64_t rest = d < 0 ? 0u - (uint64_t)d : (uint64_t)d;
    if (d < 0) tmp[len++] = '-';
    if (rest == 0) return copy_out("0s", 2, buf, cap);
    for (size_t i = 0; i < sizeof PARTS / sizeof PARTS[0]; i++) {
        uint64_t unit = (uint64_t)PARTS[i].ns;
        uint64_t n = rest / unit;
        rest -= n * unit;
        if (n == 0) continue;
        int w = snprintf(tmp + len, sizeof tmp - len, "%llu%s", (unsigned long long)n, PARTS[i].name);
        CASCADE_ASSERT(w > 0 && (size_t)w < sizeof tmp - len);
        len += (size_t)w;
    }
    return copy_out(tmp, len, buf, cap);
}
