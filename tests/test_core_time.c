/* core_time: ISO timestamps, durations and the UTC calendar (core/simtime.h). */

#include "test_suites.h"
#include "test_util.h"

#include "rng.h"
#include "simtime.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define S SIMTIME_NS_PER_S
#define MIN SIMTIME_NS_PER_MIN
#define H SIMTIME_NS_PER_HOUR
#define DAY SIMTIME_NS_PER_DAY

/* 2025-10-10: 55 years 1970..2024 = 55*365 + 14 leap days (1972..2024) = 20089 days; Jan..Sep 2025 = 273 days;
 * + 9 = 20371. */
#define D_2025_10_10 INT64_C(20371)
#define T_2025_10_10 (D_2025_10_10 * DAY)


static SimTime iso(const char *s)
{
    SimTime t = 0;
    Status st = simtime_parse_iso(s, &t);
    CHECK_EQ(st, STATUS_OK);
    return t;
}

static SimDuration dur(const char *s)
{
    SimDuration d = 0;
    Status st = simtime_parse_duration(s, &d);
    CHECK_EQ(st, STATUS_OK);
    return d;
}

/* ---- calendar --------------------------------------------------------------------------------------------------- */

static void time_leap_years(void)
{
    CHECK(simtime_is_leap_year(2000));  /* divisible by 400 */
    CHECK(!simtime_is_leap_year(1900)); /* century not divisible by 400 */
    CHECK(!simtime_is_leap_year(2100));
    CHECK(simtime_is_leap_year(2024));
    CHECK(!simtime_is_leap_year(2025));
    CHECK(simtime_is_leap_year(-4)); /* proleptic: 5 BC */
    CHECK_EQ(simtime_days_in_month(2024, 2), 29);
    CHECK_EQ(simtime_days_in_month(2025, 2), 28);
    CHECK_EQ(simtime_days_in_month(2025, 4), 30);
    CHECK_EQ(simtime_days_in_month(2025, 12), 31);
}

static void time_days_from_civil_known(void)
{
    CHECK_EQ(simtime_days_from_civil(1970, 1, 1), 0);
    CHECK_EQ(simtime_days_from_civil(1969, 12, 31), -1);
    CHECK_EQ(simtime_days_from_civil(2025, 10, 10), D_2025_10_10);
    /* 2000-02-29: 30 years = 30*365 + 7 leap days (1972..1996) = 10957; + 31 + 28 = 11016. */
    CHECK_EQ(simtime_days_from_civil(2000, 2, 29), 11016);
    /* 0001-01-01: 1969 years = 1969*365 + (492 - 19 + 4) leap days = 718685 + 477 = 719162 days before. */
    CHECK_EQ(simtime_days_from_civil(1, 1, 1), -719162);
    /* Values checked against Python's datetime.date ordinal arithmetic. */
    CHECK_EQ(simtime_days_from_civil(1600, 3, 1), -135080);
    CHECK_EQ(simtime_days_from_civil(2400, 2, 29), 157113);
    CHECK_EQ(simtime_days_from_civil(9999, 12, 31), 2932896);
    CHECK_EQ(simtime_days_from_civil(1677, 9, 22), -106751);
    CHECK_EQ(simtime_days_from_civil(2262, 4, 11), 106751);
}

/* Every day from 0001-01-01 to 9999-12-31 (3.65 million): the inverse round-trips and dates advance by one day. */
static void time_civil_round_trip_every_day(void)
{
    int64_t y = 0;
    int m = 0, d = 0;
    simtime_civil_from_days(-719162, &y, &m, &d);
    CHECK(y == 1 && m == 1 && d == 1);
    int failures = 0;
    for (int64_t z = -719162; z <= 2932896; z++) {
        int64_t y2;
        int m2, d2;
        simtime_civil_from_days(z, &y2, &m2, &d2);
        bool next_day = y2 == y && m2 == m && d2 == d + 1;
        bool next_month = y2 == y && m2 == m + 1 && d2 == 1 && d == simtime_days_in_month(y, m);
        bool next_year = y2 == y + 1 && m2 == 1 && d2 == 1 && m == 12 && d == 31;
        bool first = z == -719162;
        if (!(first || next_day || next_month || next_year) || simtime_days_from_civil(y2, m2, d2) != z) failures++;
        y = y2;
        m = m2;
        d = d2;
    }
    CHECK_EQ(failures, 0);
    CHECK(y == 9999 && m == 12 && d == 31);
}

static void time_to_civil_negative(void)
{
    CivilTime c = simtime_to_civil(-1); /* one ns before the epoch */
    CHECK_EQ(c.year, 1969);
    CHECK_EQ(c.month, 12);
    CHECK_EQ(c.day, 31);
    CHECK_EQ(c.hour, 23);
    CHECK_EQ(c.minute, 59);
    CHECK_EQ(c.second, 59);
    CHECK_EQ(c.nanos, 999999999);
    SimTime back = 0;
    CHECK_EQ(simtime_from_civil(&c, &back), STATUS_OK);
    CHECK_EQ(back, -1);
    c.day = 32;
    CHECK_EQ(simtime_from_civil(&c, &back), STATUS_INVALID);
    CHECK_EQ(back, -1);
}

static void time_hour_and_weekday(void)
{
    SimTime fri_21h = T_2025_10_10 + 21 * H; /* 2025-10-10 was a Friday */
    CHECK_EQ(simtime_hour_of_day(fri_21h), 21);
    CHECK_EQ(simtime_hour_of_day(0), 0);
    CHECK_EQ(simtime_hour_of_day(-1), 23);
    CHECK_EQ(simtime_day_of_week(0), 3); /* 1970-01-01: Thursday */
    CHECK_EQ(simtime_day_of_week(-1), 2); /* 1969-12-31: Wednesday */
    CHECK_EQ(simtime_day_of_week(fri_21h), 4);
    CHECK(!simtime_is_weekend(fri_21h));
    CHECK_EQ(simtime_day_of_week(T_2025_10_10 + DAY), 5); /* Saturday */
    CHECK(simtime_is_weekend(T_2025_10_10 + DAY));
    CHECK_EQ(simtime_day_of_week(T_2025_10_10 + 3 * DAY - 1), 6); /* Sunday 23:59:59.999999999 */
    CHECK(simtime_is_weekend(T_2025_10_10 + 3 * DAY - 1));
    CHECK_EQ(simtime_day_of_week(T_2025_10_10 + 3 * DAY), 0); /* Monday */
    CHECK(!simtime_is_weekend(T_2025_10_10 + 3 * DAY));
    CHECK_EQ(simtime_day_start(fri_21h), T_2025_10_10);
    CHECK_EQ(simtime_day_start(-1), -DAY);
    CHECK_EQ(simtime_floor(-1, 10), -10);
    CHECK_EQ(simtime_floor(19, 10), 10);
    CHECK_EQ(simtime_floor(20, 10), 20);
}

static void time_next_funding(void)
{
    SimDuration h8 = 8 * H;
    /* 21:00 -> next day's 00:00; 16:00 exactly -> 24:00 (strictly after); just before 16:00 -> 16:00. */
    CHECK_EQ(simtime_next_funding(T_2025_10_10 + 21 * H, h8), T_2025_10_10 + DAY);
    CHECK_EQ(simtime_next_funding(T_2025_10_10 + 16 * H, h8), T_2025_10_10 + DAY);
    CHECK_EQ(simtime_next_funding(T_2025_10_10 + 16 * H - 1, h8), T_2025_10_10 + 16 * H);
    CHECK_EQ(simtime_next_funding(T_2025_10_10, h8), T_2025_10_10 + 8 * H);
    CHECK_EQ(simtime_next_funding(T_2025_10_10 + 1, h8), T_2025_10_10 + 8 * H);
    CHECK_EQ(simtime_next_funding(T_2025_10_10 + 30 * MIN, H), T_2025_10_10 + H);
    CHECK_EQ(simtime_next_funding(T_2025_10_10 + 30 * MIN, DAY), T_2025_10_10 + DAY);
    CHECK_EQ(simtime_next_funding(-1, h8), 0);
    CHECK_EQ(simtime_next_funding(-8 * H - 1, h8), -8 * H);
    /* The ends of the range: near SIMTIME_MIN the day start is not representable, the answer is. */
    CHECK_EQ(simtime_next_funding(SIMTIME_MIN, DAY), -106751 * DAY); /* 1677-09-22T00:00:00Z */
    CHECK_EQ(simtime_next_funding(SIMTIME_MIN, h8) % h8, 0);
    CHECK_LT(simtime_next_funding(SIMTIME_MIN, h8) - SIMTIME_MIN, h8 + 1);
    CHECK_EQ(simtime_hour_of_day(SIMTIME_MIN), 0);  /* 1677-09-21T00:12:43Z */
    CHECK_EQ(simtime_hour_of_day(SIMTIME_MAX), 23); /* 2262-04-11T23:47:16Z */
    /* Iterating walks the grid 00:00, 08:00, 16:00 across days. */
    SimTime t = T_2025_10_10 + 21 * H;
    for (int i = 0; i < 6; i++) t = simtime_next_funding(t, h8);
    CHECK_EQ(t, T_2025_10_10 + 2 * DAY + 16 * H); /* 11th 00, 08, 16; 12th 00, 08, 16 */
}

static void funding_7h(void) { (void)simtime_next_funding(0, 7 * H); }
static void funding_zero(void) { (void)simtime_next_funding(0, 0); }

static void time_next_funding_rejects_bad_interval(void)
{
    CHECK(test_dies_by_assert(funding_7h)); /* 7h does not divide 24h */
    CHECK(test_dies_by_assert(funding_zero));
}

/* ---- ISO 8601 --------------------------------------------------------------------------------------------------- */

static void time_parse_iso_valid(void)
{
    /* 20371 days * 86400 s + 21 h * 3600 s = 1760054400 + 75600 = 1760130000 s. */
    CHECK_EQ(iso("2025-10-10T21:00:00Z"), INT64_C(1760130000000000000));
    CHECK_EQ(iso("1970-01-01T00:00:00Z"), 0);
    CHECK_EQ(iso("2025-10-10T21:00:00.250Z"), iso("2025-10-10T21:00:00Z") + 250 * SIMTIME_NS_PER_MS);
    CHECK_EQ(iso("1970-01-01T00:00:00.1Z"), 100000000);
    CHECK_EQ(iso("1970-01-01T00:00:00.123456789Z"), 123456789);
    CHECK_EQ(iso("1970-01-01T00:00:00.000000001Z"), 1);
    CHECK_EQ(iso("2025-10-10T21:00:00+00:00"), iso("2025-10-10T21:00:00Z"));
    CHECK_EQ(iso("2025-10-10T21:00:00-00:00"), iso("2025-10-10T21:00:00Z"));
    CHECK_EQ(iso("2025-10-10T23:00:00+02:00"), iso("2025-10-10T21:00:00Z")); /* 23:00 at UTC+2 is 21:00Z */
    CHECK_EQ(iso("2025-10-10T15:30:00-05:30"), iso("2025-10-10T21:00:00Z"));
    CHECK_EQ(iso("2024-02-29T12:00:00Z"), simtime_days_from_civil(2024, 2, 29) * DAY + 12 * H);
    CHECK_EQ(iso("2000-02-29T23:59:59.999999999Z"), 11017 * DAY - 1);
    CHECK_EQ(iso("1969-12-31T23:59:59.999999999Z"), -1);
}

static void time_parse_iso_invalid(void)
{
    static const char *const BAD[] = {
        "",
        "2025-10-10",
        "2025-10-10T21:00:00",          /* no zone */
        "2025-10-10 21:00:00Z",         /* space instead of T */
        "2025-10-10t21:00:00Z",         /* lower-case t */
        "2025-10-10T21:00:00z",         /* lower-case z */
        "2025-10-10T21:00Z",            /* seconds are required */
        "2025-1-10T21:00:00Z",          /* two-digit month */
        "25-10-10T21:00:00Z",           /* four-digit year */
        "+2025-10-10T21:00:00Z",
        "2025-13-01T00:00:00Z",         /* month 13 */
        "2025-00-01T00:00:00Z",         /* month 0 */
        "2025-01-00T00:00:00Z",         /* day 0 */
        "2025-02-29T00:00:00Z",         /* 2025 is not a leap year */
        "1900-02-29T00:00:00Z",         /* nor is 1900 */
        "2024-02-30T00:00:00Z",
        "2025-04-31T00:00:00Z",         /* April has 30 days */
        "2025-10-10T24:00:00Z",         /* hour 24 */
        "2025-10-10T21:60:00Z",
        "2025-10-10T21:00:60Z",         /* no leap seconds */
        "2025-10-10T21:00:00.Z",        /* empty fraction */
        "2025-10-10T21:00:00.1234567890Z", /* finer than 1 ns */
        "2025-10-10T21:00:00Z ",        /* trailing space */
        " 2025-10-10T21:00:00Z",
        "2025-10-10T21:00:00+0000",     /* offset needs a colon */
        "2025-10-10T21:00:00+24:00",
        "2025-10-10T21:00:00+00:60",
        "2025-10-10T21:00:00+00",
        "2025-10-10T2l:00:00Z",
        "2025-10-10T21:00:00ZZ",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        SimTime t = 42;
        Status st = simtime_parse_iso(BAD[i], &t);
        if (st != STATUS_PARSE) fprintf(stderr, "\n  accepted or misclassified: \"%s\"\n", BAD[i]);
        CHECK_EQ(st, STATUS_PARSE);
        CHECK_EQ(t, 42); /* untouched */
    }
    SimTime t = 42;
    CHECK_EQ(simtime_parse_iso(NULL, &t), STATUS_PARSE);
}

static void time_parse_iso_range(void)
{
    /* int64 ns spans 1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z exactly. */
    CHECK_EQ(iso("1677-09-21T00:12:43.145224192Z"), INT64_MIN);
    CHECK_EQ(iso("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
    SimTime t = 42;
    CHECK_EQ(simtime_parse_iso("1677-09-21T00:12:43.145224191Z", &t), STATUS_RANGE);
    CHECK_EQ(simtime_parse_iso("2262-04-11T23:47:16.854775808Z", &t), STATUS_RANGE);
    CHECK_EQ(simtime_parse_iso("9999-12-31T23:59:59Z", &t), STATUS_RANGE);
    CHECK_EQ(simtime_parse_iso("0000-01-01T00:00:00Z", &t), STATUS_RANGE);
    /* In range as local time, out of range once the offset is applied. */
    CHECK_EQ(simtime_parse_iso("2262-04-11T23:47:16.854775807-00:01", &t), STATUS_RANGE);
    CHECK_EQ(t, 42);
}

static const char *fmt(SimTime t, char *buf)
{
    size_t n = simtime_format_iso(t, buf, SIMTIME_ISO_BUFSIZE);
    CHECK_EQ(n, strlen(buf));
    return buf;
}

static void time_format_iso(void)
{
    char b[SIMTIME_ISO_BUFSIZE];
    CHECK_STR(fmt(0, b), "1970-01-01T00:00:00Z");
    CHECK_STR(fmt(INT64_C(1760130000000000000), b), "2025-10-10T21:00:00Z");
    CHECK_STR(fmt(250 * SIMTIME_NS_PER_MS, b), "1970-01-01T00:00:00.250Z");
    CHECK_STR(fmt(SIMTIME_NS_PER_US, b), "1970-01-01T00:00:00.000001Z");
    CHECK_STR(fmt(120 * SIMTIME_NS_PER_US, b), "1970-01-01T00:00:00.000120Z");
    CHECK_STR(fmt(1, b), "1970-01-01T00:00:00.000000001Z");
    CHECK_STR(fmt(-1, b), "1969-12-31T23:59:59.999999999Z");
    CHECK_STR(fmt(INT64_MIN, b), "1677-09-21T00:12:43.145224192Z");
    CHECK_STR(fmt(INT64_MAX, b), "2262-04-11T23:47:16.854775807Z");
    /* snprintf contract: the needed length is returned, output truncated and terminated. */
    char small[5];
    CHECK_EQ(simtime_format_iso(0, small, sizeof small), 20);
    CHECK_STR(small, "1970");
    CHECK_EQ(simtime_format_iso(0, NULL, 0), 20);
}

static void time_iso_round_trip(void)
{
    Rng r;
    rng_seed(&r, 20251010);
    char b[SIMTIME_ISO_BUFSIZE];
    int failures = 0;
    for (int i = 0; i < 200000; i++) {
        SimTime t = rng_range_i64(&r, INT64_MIN, INT64_MAX);
        if (i % 4 == 1) t = simtime_floor(t, SIMTIME_NS_PER_MS); /* exercise 0-, 3- and 6-digit fractions too */
        if (i % 4 == 2) t = simtime_floor(t, SIMTIME_NS_PER_US);
        if (i % 4 == 3) t = simtime_floor(t, S);
        SimTime back = 0;
        simtime_format_iso(t, b, sizeof b);
        if (simtime_parse_iso(b, &back) != STATUS_OK || back != t) failures++;
    }
    CHECK_EQ(failures, 0);
}

/* ---- durations -------------------------------------------------------------------------------------------------- */

static void time_parse_duration_valid(void)
{
    CHECK_EQ(dur("250ms"), 250 * SIMTIME_NS_PER_MS);
    CHECK_EQ(dur("8h"), 8 * H);
    CHECK_EQ(dur("7d"), 7 * DAY);
    CHECK_EQ(dur("1w"), 7 * DAY);
    CHECK_EQ(dur("1h30m"), 90 * MIN);
    CHECK_EQ(dur("1.5h"), 90 * MIN);
    CHECK_EQ(dur("1.5s"), 1500000000);
    CHECK_EQ(dur("0s"), 0);
    CHECK_EQ(dur("0.000000001s"), 1);
    CHECK_EQ(dur("1.0000000000000s"), S); /* zeros past ns precision are exact */
    CHECK_EQ(dur("2.5us"), 2500);
    CHECK_EQ(dur("1m"), MIN);
    CHECK_EQ(dur("1ms"), SIMTIME_NS_PER_MS);
    CHECK_EQ(dur("1m30s"), 90 * S);
    CHECK_EQ(dur("1d2h3m4s5ms6us7ns"), DAY + 2 * H + 3 * MIN + 4 * S + 5000000 + 6000 + 7);
    CHECK_EQ(dur("-1h30m"), -90 * MIN);
    CHECK_EQ(dur("007s"), 7 * S);
    /* 1/3 of a week is not a whole number of ns, but 0.25w = 1.75 d is: 151200 s. */
    CHECK_EQ(dur("0.25w"), 151200 * S);
    /* A 16-digit fraction that is still exact: 3125e-16 w = 3125e-16 * 604800e9 ns = 189 ns. (A week is
     * 2^16 * 3^3 * 5^11 * 7 ns, so 16 digits is the most any exact fraction can need.) 5e-14 w = 30.24 ns is not. */
    CHECK_EQ(dur("0.0000000000003125w"), 189);
    CHECK_EQ(dur("9223372036854775807ns"), INT64_MAX);
    CHECK_EQ(dur("-9223372036854775808ns"), INT64_MIN);
    CHECK_EQ(dur("106751d"), 106751 * DAY);
    CHECK_EQ(dur("15250w"), 15250 * SIMTIME_NS_PER_WEEK);
}

static void time_parse_duration_invalid(void)
{
    static const char *const BAD[] = {
        "", "-", "h", "1", "1x", "1 h", " 1h", "1h ", "1.h", ".5s", "1..5s", "1.5", "1s1h", /* units must decrease */
        "1h1h", "1hh", "+1h", "--1h", "1H", "1e3s", "1s-1ms", "1.5ns", "0.1ns", "0.0001us",
        "0.3333333333333333333333w", /* never exact */
        "0.00000000000005w",         /* 30.24 ns */
        "1y", "1h 30m", "1µs",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        SimDuration d = 42;
        Status st = simtime_parse_duration(BAD[i], &d);
        if (st != STATUS_PARSE) fprintf(stderr, "\n  accepted or misclassified: \"%s\"\n", BAD[i]);
        CHECK_EQ(st, STATUS_PARSE);
        CHECK_EQ(d, 42);
    }
    SimDuration d = 42;
    CHECK_EQ(simtime_parse_duration(NULL, &d), STATUS_PARSE);
}

static void time_parse_duration_range(void)
{
    SimDuration d = 42;
    CHECK_EQ(simtime_parse_duration("9223372036854775808ns", &d), STATUS_RANGE);
    CHECK_EQ(simtime_parse_duration("-9223372036854775809ns", &d), STATUS_RANGE);
    /* 106752 d = 106752 * 86400e9 = 9.2233728e18 > INT64_MAX = 9.2233720e18. */
    CHECK_EQ(simtime_parse_duration("106752d", &d), STATUS_RANGE);
    /* 15251 w = 15251 * 604800e9 = 9.2238048e18 > INT64_MAX. */
    CHECK_EQ(simtime_parse_duration("15251w", &d), STATUS_RANGE);
    CHECK_EQ(simtime_parse_duration("99999999999999999999999999999999999999999w", &d), STATUS_RANGE);
    CHECK_EQ(simtime_parse_duration("106751d24h", &d), STATUS_RANGE); /* sum overflows, parts do not */
    CHECK_EQ(d, 42);
    /* Malformed text wins over a huge number. */
    CHECK_EQ(simtime_parse_duration("99999999999999999999999999h1x", &d), STATUS_PARSE);
}

static const char *fmtd(SimDuration d, char *buf)
{
    size_t n = simtime_format_duration(d, buf, SIMTIME_DURATION_BUFSIZE);
    CHECK_EQ(n, strlen(buf));
    return buf;
}

static void time_format_duration(void)
{
    char b[SIMTIME_DURATION_BUFSIZE];
    CHECK_STR(fmtd(0, b), "0s");
    CHECK_STR(fmtd(8 * H, b), "8h");
    CHECK_STR(fmtd(90 * MIN, b), "1h30m");
    CHECK_STR(fmtd(250 * SIMTIME_NS_PER_MS, b), "250ms");
    CHECK_STR(fmtd(1500000000, b), "1s500ms");
    CHECK_STR(fmtd(7 * DAY, b), "7d");
    CHECK_STR(fmtd(-90 * S, b), "-1m30s");
    CHECK_STR(fmtd(1, b), "1ns");
    CHECK_STR(fmtd(DAY + 1, b), "1d1ns");
    /* INT64_MIN = -9223372036854775808 ns = 106751 d 23 h 47 m 16 s 854 ms 775 us 808 ns. */
    CHECK_STR(fmtd(INT64_MIN, b), "-106751d23h47m16s854ms775us808ns");
    CHECK_STR(fmtd(INT64_MAX, b), "106751d23h47m16s854ms775us807ns");
    char small[3];
    CHECK_EQ(simtime_format_duration(90 * MIN, small, sizeof small), 5);
    CHECK_STR(small, "1h");
}

static void time_duration_round_trip(void)
{
    Rng r;
    rng_seed(&r, 7);
    char b[SIMTIME_DURATION_BUFSIZE];
    int failures = 0;
    for (int i = 0; i < 100000; i++) {
        SimDuration d = rng_range_i64(&r, INT64_MIN, INT64_MAX) / (INT64_C(1) << rng_bounded(&r, 63)); /* all sizes */
        SimDuration back = 0;
        simtime_format_duration(d, b, sizeof b);
        if (simtime_parse_duration(b, &back) != STATUS_OK || back != d) failures++;
    }
    CHECK_EQ(failures, 0);
}

void suite_core_time(void)
{
    static const TestCase cases[] = {
        TEST_CASE(time_leap_years),
        TEST_CASE(time_days_from_civil_known),
        TEST_CASE(time_civil_round_trip_every_day),
        TEST_CASE(time_to_civil_negative),
        TEST_CASE(time_hour_and_weekday),
        TEST_CASE(time_next_funding),
        TEST_CASE(time_next_funding_rejects_bad_interval),
        TEST_CASE(time_parse_iso_valid),
        TEST_CASE(time_parse_iso_invalid),
        TEST_CASE(time_parse_iso_range),
        TEST_CASE(time_format_iso),
        TEST_CASE(time_iso_round_trip),
        TEST_CASE(time_parse_duration_valid),
        TEST_CASE(time_parse_duration_invalid),
        TEST_CASE(time_parse_duration_range),
        TEST_CASE(time_format_duration),
        TEST_CASE(time_duration_round_trip),
    };
    test_add_suite("core_time", cases, TEST_COUNT(cases));
}
