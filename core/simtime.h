/* Simulated time and the UTC calendar (MODEL.md section 2).
 *
 * A SimTime is a count of nanoseconds since 1970-01-01T00:00:00Z; a SimDuration is a signed count of nanoseconds.
 * The market runs 24/7 in UTC, so there are no time zones, no daylight saving and no leap seconds (POSIX time: every
 * day has exactly 86400 s). An int64 of nanoseconds spans 1677-09-21T00:12:43.145224192Z to
 * 2262-04-11T23:47:16.854775807Z; ISO strings outside that span parse as STATUS_RANGE.
 *
 * Civil-date conversion uses the days-from-civil construction on the proleptic Gregorian calendar with 400-year
 * eras (as popularised by H. Hinnant), exact for every int64 day count reachable from a SimTime. */
#ifndef CASCADE_SIMTIME_H
#define CASCADE_SIMTIME_H

#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t SimTime;     /* ns since the Unix epoch, UTC */
typedef int64_t SimDuration; /* ns */

#define SIMTIME_NS_PER_US INT64_C(1000)
#define SIMTIME_NS_PER_MS INT64_C(1000000)
#define SIMTIME_NS_PER_S INT64_C(1000000000)
#define SIMTIME_NS_PER_MIN (INT64_C(60) * SIMTIME_NS_PER_S)
#define SIMTIME_NS_PER_HOUR (INT64_C(60) * SIMTIME_NS_PER_MIN)
#define SIMTIME_NS_PER_DAY (INT64_C(24) * SIMTIME_NS_PER_HOUR)
#define SIMTIME_NS_PER_WEEK (INT64_C(7) * SIMTIME_NS_PER_DAY)

#define SIMTIME_MIN INT64_MIN
#define SIMTIME_MAX INT64_MAX

/* Buffer size that always holds an ISO timestamp or a compact duration plus its terminating NUL. */
#define SIMTIME_ISO_BUFSIZE 32
#define SIMTIME_DURATION_BUFSIZE 64

/* A broken-down UTC instant: month 1..12, day 1..31, hour 0..23, minute 0..59, second 0..59, nanos 0..999999999. */
typedef struct CivilTime {
    int64_t year;
    int month;
    int day;
    int hour;
    int minute;
    int second;
    int32_t nanos;
} CivilTime;

/* ---- ISO 8601 / RFC 3339 ---------------------------------------------------------------------------------------- */

/* Parses "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)" into *out (converted to UTC); STATUS_PARSE on any malformed
 * or invalid field (Feb 30, hour 24, second 60, lower-case t/z, spaces), STATUS_RANGE if the instant is not
 * representable as a SimTime. *out is untouched on failure. */
Status simtime_parse_iso(const char *s, SimTime *out);
/* Writes t as "YYYY-MM-DDTHH:MM:SSZ", with a 3-, 6- or 9-digit fraction only when needed; returns the length it needs
 * (excluding NUL) like snprintf, truncating (always NUL-terminated) when cap is too small. */
size_t simtime_format_iso(SimTime t, char *buf, size_t cap);

/* ---- Durations -------------------------------------------------------------------------------------------------- */

/* Parses "[-]<n>[.<digits>]<unit>..." with units w, d, h, m, s, ms, us, ns in strictly decreasing order ("1h30m",
 * "1.5s", "250ms", "0s") using exact integer arithmetic; STATUS_PARSE on malformed text or a fraction finer than 1 ns,
 * STATUS_RANGE if the total does not fit in int64 ns. *out is untouched on failure. */
Status simtime_parse_duration(const char *s, SimDuration *out);
/* Writes d in compact form: nonzero components among d, h, m, s, ms, us, ns ("8h", "1h30m", "1s500ms", "0s", "-2m");
 * returns the needed length like snprintf. The output parses back to d. */
size_t simtime_format_duration(SimDuration d, char *buf, size_t cap);

/* ---- Calendar --------------------------------------------------------------------------------------------------- */

/* True for Gregorian leap years (divisible by 4, except centuries not divisible by 400). */
bool simtime_is_leap_year(int64_t year);
/* Number of days in the given month (1..12) of the given year; asserts on a bad month. */
int simtime_days_in_month(int64_t year, int month);
/* Days since 1970-01-01 of the civil date year-month-day (proleptic Gregorian); asserts the date is valid and
 * |year| <= 10^12 so that the arithmetic cannot overflow. */
int64_t simtime_days_from_civil(int64_t year, int month, int day);
/* Inverse of simtime_days_from_civil: writes year, month (1..12) and day (1..31) of the given day count. */
void simtime_civil_from_days(int64_t days, int64_t *year, int *month, int *day);
/* Breaks t down into UTC calendar fields (negative times included: floor semantics). */
CivilTime simtime_to_civil(SimTime t);
/* Builds a SimTime from calendar fields; STATUS_INVALID if a field is out of its range (Feb 29 in a common year...),
 * STATUS_RANGE if the instant does not fit in a SimTime. */
Status simtime_from_civil(const CivilTime *c, SimTime *out);

/* Largest multiple of unit (> 0) since the epoch that is <= t: floor division, correct for negative t; asserts
 * that the result is representable (fails only for t within one unit of SIMTIME_MIN). */
SimTime simtime_floor(SimTime t, SimDuration unit);
/* Start (00:00:00Z) of t's UTC day (asserts on the first, partial day of the SimTime range). */
SimTime simtime_day_start(SimTime t);
/* Hour of the UTC day, 0..23. */
int simtime_hour_of_day(SimTime t);
/* ISO day of the week minus one: 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday = 3). */
int simtime_day_of_week(SimTime t);
/* True on Saturday and Sunday (UTC). */
bool simtime_is_weekend(SimTime t);
/* First funding instant strictly after t: the smallest (day start of t) + k * interval > t, k >= 1. interval must be
 * positive and divide 24 h exactly (asserted), so the grid repeats identically every UTC day and every grid point is
 * also a multiple of interval since the epoch (8h gives 00:00, 08:00, 16:00 UTC). Asserts the result fits. */
SimTime simtime_next_funding(SimTime t, SimDuration interval);

#endif
