/* core_status, core_money, core_alloc: status codes, exact money arithmetic, the counting allocator. */
#include "test_suites.h"
#include "test_util.h"

#include "alloc.h"
#include "money.h"
#include "rng.h"
#include "status.h"

#include <stddef.h>
#include <string.h>

/* ---- core_status ------------------------------------------------------------------------------------------------ */

static void status_names_and_messages(void)
{
    static const struct {
        Status s;
        const char *name;
        const char *message;
    } EXPECT[] = {
        {STATUS_OK, "STATUS_OK", "ok"},
        {STATUS_NOMEM, "STATUS_NOMEM", "out of memory"},
        {STATUS_INVALID, "STATUS_INVALID", "invalid argument"},
        {STATUS_RANGE, "STATUS_RANGE", "value out of range"},
        {STATUS_PARSE, "STATUS_PARSE", "could not parse input"},
        {STATUS_IO, "STATUS_IO", "input/output error"},
        {STATUS_FULL, "STATUS_FULL", "capacity exhausted"},
        {STATUS_NOT_FOUND, "STATUS_NOT_FOUND", "not found"},
        {STATUS_OVERFLOW, "STATUS_OVERFLOW", "integer overflow"},
        {STATUS_STALE, "STATUS_STALE", "handle refers to a released object"},
        {STATUS_REJECTED, "STATUS_REJECTED", "rejected by the venue"},
    };
    size_t n = sizeof EXPECT / sizeof EXPECT[0];
    CHECK_EQ(n, STATUS_COUNT_); /* a new code must be added here too */
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(EXPECT[i].s, i); /* the X-macro keeps declaration order */
        CHECK_STR(status_name(EXPECT[i].s), EXPECT[i].name);
        CHECK_STR(status_message(EXPECT[i].s), EXPECT[i].message);
    }
    CHECK_EQ(STATUS_OK, 0); /* `if (st)` idioms rely on OK being zero */
}

static void status_out_of_range(void)
{
    CHECK_STR(status_name(STATUS_COUNT_), "STATUS_?");
    CHECK_STR(status_message(STATUS_COUNT_), "unknown status");
    CHECK_STR(status_name((Status)1000), "STATUS_?");
    CHECK_STR(status_message((Status)1000), "unknown status");
}

/* ---- core_money ------------------------------------------------------------------------------------------------- */

typedef struct DivCase {
    int64_t num, den;
    int64_t floor_, ceil_, trunc_, away_, half_even;
} DivCase;

static void money_div_every_rounding_mode(void)
{
    static const DivCase CASES[] = {
        /* 7/2 = 3.5: floor 3, ceil 4, trunc 3, away 4, half-even 4 (4 is even) */
        {7, 2, 3, 4, 3, 4, 4},
        /* -7/2 = 7/-2 = -3.5: floor -4, ceil -3, trunc -3, away -4, half-even -4 */
        {-7, 2, -4, -3, -3, -4, -4},
        {7, -2, -4, -3, -3, -4, -4},
        /* -7/-2 = 3.5 */
        {-7, -2, 3, 4, 3, 4, 4},
        /* Ties to even: 5/2 = 2.5 -> 2; 1/2 = 0.5 -> 0; 3/2 = 1.5 -> 2; -5/2 -> -2; -3/2 -> -2; -1/2 -> 0 */
        {5, 2, 2, 3, 2, 3, 2},
        {1, 2, 0, 1, 0, 1, 0},
        {3, 2, 1, 2, 1, 2, 2},
        {-5, 2, -3, -2, -2, -3, -2},
        {-3, 2, -2, -1, -1, -2, -2},
        {-1, 2, -1, 0, 0, -1, 0},
        /* Not ties: 7/3 = 2.33 -> nearest 2; 8/3 = 2.67 -> nearest 3; -7/3 = -2.33 -> -2; -8/3 = -2.67 -> -3 */
        {7, 3, 2, 3, 2, 3, 2},
        {8, 3, 2, 3, 2, 3, 3},
        {-7, 3, -3, -2, -2, -3, -2},
        {-8, 3, -3, -2, -2, -3, -3},
        {8, -3, -3, -2, -2, -3, -3},
        /* Exact quotients are the same in every mode. */
        {6, 3, 2, 2, 2, 2, 2},
        {-6, 3, -2, -2, -2, -2, -2},
        {0, -5, 0, 0, 0, 0, 0},
        /* INT64_MAX / 2 = 4611686018427387903.5: a tie, 4611686018427387904 is even */
        {INT64_MAX, 2, INT64_C(4611686018427387903), INT64_C(4611686018427387904), INT64_C(4611686018427387903),
         INT64_C(4611686018427387904), INT64_C(4611686018427387904)},
        /* INT64_MIN / 1 and INT64_MIN / 2 = -2^62 are exact */
        {INT64_MIN, 1, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN},
        {INT64_MIN, 2, -INT64_C(4611686018427387904), -INT64_C(4611686018427387904), -INT64_C(4611686018427387904),
         -INT64_C(4611686018427387904), -INT64_C(4611686018427387904)},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const DivCase *c = &CASES[i];
        CHECK_EQ(money_div(c->num, c->den, ROUND_FLOOR), c->floor_);
        CHECK_EQ(money_div(c->num, c->den, ROUND_CEIL), c->ceil_);
        CHECK_EQ(money_div(c->num, c->den, ROUND_TRUNC), c->trunc_);
        CHECK_EQ(money_div(c->num, c->den, ROUND_AWAY), c->away_);
        CHECK_EQ(money_div(c->num, c->den, ROUND_HALF_EVEN), c->half_even);
        int64_t q = 0;
        CHECK(money_div_checked(c->num, c->den, ROUND_HALF_EVEN, &q));
        CHECK_EQ(q, c->half_even);
    }
}

static void money_div_checked_failures(void)
{
    int64_t q = 42;
    CHECK(!money_div_checked(1, 0, ROUND_FLOOR, &q));       /* division by zero */
    CHECK(!money_div_checked(0, 0, ROUND_TRUNC, &q));
    CHECK(!money_div_checked(INT64_MIN, -1, ROUND_TRUNC, &q)); /* 2^63 does not fit */
    CHECK_EQ(q, 42);                                        /* untouched */
    CHECK(money_div_checked(INT64_MIN + 1, -1, ROUND_TRUNC, &q));
    CHECK_EQ(q, INT64_MAX);
}

static void money_mul_add_overflow(void)
{
    int64_t r = 42;
    CHECK(money_mul(INT64_MAX, 1, &r));
    CHECK_EQ(r, INT64_MAX);
    CHECK(money_mul(INT64_MIN, 1, &r));
    CHECK_EQ(r, INT64_MIN);
    r = 42;
    CHECK(!money_mul(INT64_MAX, 2, &r));
    CHECK(!money_mul(INT64_MIN, -1, &r)); /* 2^63 */
    CHECK(!money_mul(-1, INT64_MIN, &r));
    CHECK(!money_mul(INT64_MIN, INT64_MIN, &r));
    /* 3037000499^2 = 9223372030926249001 <= INT64_MAX; 3037000500^2 = 9223372037000250000 > INT64_MAX */
    CHECK(!money_mul(INT64_C(3037000500), INT64_C(3037000500), &r));
    CHECK_EQ(r, 42);
    CHECK(money_mul(INT64_C(3037000499), INT64_C(3037000499), &r));
    CHECK_EQ(r, INT64_C(9223372030926249001));
    CHECK(money_mul(-INT64_C(3037000499), INT64_C(3037000499), &r));
    CHECK_EQ(r, -INT64_C(9223372030926249001));
    r = 42;
    CHECK(!money_add(INT64_MAX, 1, &r));
    CHECK(!money_add(INT64_MIN, -1, &r));
    CHECK_EQ(r, 42);
    CHECK(money_add(INT64_MAX, INT64_MIN, &r));
    CHECK_EQ(r, -1);
    CHECK_EQ(money_notional(100, 250), 25000); /* 100 ticks x 250 lots = 25000 quote units */
}

static void money_mul_div_wide_products(void)
{
    int64_t r = 42;
    /* INT64_MAX * 3 / 3: the product 2.77e19 exceeds 2^63 but the quotient fits. */
    CHECK(money_mul_div(INT64_MAX, 3, 3, ROUND_TRUNC, &r));
    CHECK_EQ(r, INT64_MAX);
    /* 2^62 * 6 / 4 = 3 * 2^61 = 6917529027641081856, product 2^64.58 */
    CHECK(money_mul_div(INT64_C(4611686018427387904), 6, 4, ROUND_FLOOR, &r));
    CHECK_EQ(r, INT64_C(6917529027641081856));
    /* INT64_MAX * 2 / 4 = (2^64 - 2) / 4 = 2^62 - 0.5: floor 2^62 - 1, ceil 2^62, half-even 2^62 (even) */
    CHECK(money_mul_div(INT64_MAX, 2, 4, ROUND_FLOOR, &r));
    CHECK_EQ(r, INT64_C(4611686018427387903));
    CHECK(money_mul_div(INT64_MAX, 2, 4, ROUND_CEIL, &r));
    CHECK_EQ(r, INT64_C(4611686018427387904));
    CHECK(money_mul_div(INT64_MAX, 2, 4, ROUND_HALF_EVEN, &r));
    CHECK_EQ(r, INT64_C(4611686018427387904));
    CHECK(money_mul_div(INT64_MAX, -2, 4, ROUND_HALF_EVEN, &r));
    CHECK_EQ(r, -INT64_C(4611686018427387904));
    CHECK(money_mul_div(INT64_MAX, -2, 4, ROUND_CEIL, &r));
    CHECK_EQ(r, -INT64_C(4611686018427387903));
    /* INT64_MIN * 3 / 3 = INT64_MIN fits; INT64_MIN * 3 / -3 = 2^63 does not; INT64_MIN^2 / INT64_MIN = INT64_MIN */
    CHECK(money_mul_div(INT64_MIN, 3, 3, ROUND_TRUNC, &r));
    CHECK_EQ(r, INT64_MIN);
    CHECK(money_mul_div(INT64_MIN, INT64_MIN, INT64_MIN, ROUND_TRUNC, &r));
    CHECK_EQ(r, INT64_MIN);
    r = 42;
    CHECK(!money_mul_div(INT64_MIN, 3, -3, ROUND_TRUNC, &r));
    CHECK(!money_mul_div(INT64_MAX, 2, 1, ROUND_TRUNC, &r)); /* quotient too large */
    CHECK(!money_mul_div(1, 1, 0, ROUND_TRUNC, &r));         /* division by zero */
    CHECK_EQ(r, 42);
}

/* Reference: the exact quotient in 128 bits, rounded by the definition of each mode (floor/ceil of the rational
 * value; half-even by comparing twice the remainder with the divisor). */
__extension__ typedef __int128 ref_i128;

static bool ref_mul_div(int64_t a, int64_t b, int64_t c, Rounding r, int64_t *out)
{
    if (c == 0) return false;
    ref_i128 num = (ref_i128)a * b, den = c;
    ref_i128 q = num / den, rem = num % den;
    if (rem != 0) {
        bool neg = (num < 0) != (den < 0);
        ref_i128 ar = rem < 0 ? -rem : rem, ad = den < 0 ? -den : den;
        bool away = r == ROUND_AWAY || (r == ROUND_FLOOR && neg) || (r == ROUND_CEIL && !neg) ||
                    (r == ROUND_HALF_EVEN && (2 * ar > ad || (2 * ar == ad && q % 2 != 0)));
        if (away) q += neg ? -1 : 1;
    }
    if (q < INT64_MIN || q > INT64_MAX) return false;
    *out = (int64_t)q;
    return true;
}

static int64_t wide_or_narrow(uint64_t *s)
{
    uint64_t x = rng_splitmix64(s);
    switch (x & 3u) {
    case 0: return (int64_t)(x >> 56) - 128;                  /* tiny, both signs: exact ties are frequent */
    case 1: return (int64_t)(x >> 33) - (INT64_C(1) << 30);   /* ~2^31 */
    case 2: return (int64_t)rng_splitmix64(s);                 /* anywhere, INT64_MIN included in principle */
    default: return (x & 4u) ? INT64_MIN : INT64_MAX;
    }
}

static void money_mul_div_matches_wide_reference(void)
{
    /* money_mul_div and money_div take a 64-bit path when the product fits and a 128-bit one otherwise: both must
     * give the exact rounded quotient in every mode. */
    uint64_t s = 12345;
    static const Rounding modes[] = {ROUND_TRUNC, ROUND_FLOOR, ROUND_CEIL, ROUND_AWAY, ROUND_HALF_EVEN};
    uint32_t mismatches = 0, fast = 0;
    for (int i = 0; i < 200000; i++) {
        int64_t a = wide_or_narrow(&s), b = wide_or_narrow(&s), c = wide_or_narrow(&s);
        if (i % 3 == 0) b = 1; /* plain divisions too */
        Rounding r = modes[rng_splitmix64(&s) % 5u];
        int64_t got = 7, want = 7, ab;
        bool ok_got = money_mul_div(a, b, c, r, &got), ok_want = ref_mul_div(a, b, c, r, &want);
        fast += !__builtin_mul_overflow(a, b, &ab);
        if (ok_got != ok_want || (ok_got && got != want)) mismatches++;
        if (b == 1 && c != 0) {
            int64_t d = 7;
            bool ok_div = money_div_checked(a, c, r, &d);
            if (ok_div != ok_want || (ok_div && d != want)) mismatches++;
        }
    }
    CHECK_EQ(mismatches, 0);
    CHECK_GT(fast, 50000); /* both paths were exercised */
    CHECK_LT(fast, 190000);
}

static void money_bps_fee_rounding(void)
{
    /* 5 bps of 123457: 123457 * 5 / 10000 = 61.7285 */
    CHECK_EQ(money_bps(123457, 5, ROUND_CEIL), 62);  /* fee charged to a trader: round against the trader */
    CHECK_EQ(money_bps(123457, 5, ROUND_FLOOR), 61); /* rebate paid by the venue: round in the venue's favour */
    CHECK_EQ(money_bps(123457, 5, ROUND_HALF_EVEN), 62);
    /* Negative amount (-61.7285): floor -62, ceil -61, trunc -61, away -62 */
    CHECK_EQ(money_bps(-123457, 5, ROUND_FLOOR), -62);
    CHECK_EQ(money_bps(-123457, 5, ROUND_CEIL), -61);
    CHECK_EQ(money_bps(-123457, 5, ROUND_TRUNC), -61);
    CHECK_EQ(money_bps(-123457, 5, ROUND_AWAY), -62);
    /* Negative bps (maker rebate): 123457 * -2 / 10000 = -24.6914 */
    CHECK_EQ(money_bps(123457, -2, ROUND_FLOOR), -25);
    CHECK_EQ(money_bps(123457, -2, ROUND_TRUNC), -24);
    /* Ties: 2500 * 2 / 10000 = 0.5 -> 0; 7500 * 2 / 10000 = 1.5 -> 2 */
    CHECK_EQ(money_bps(2500, 2, ROUND_HALF_EVEN), 0);
    CHECK_EQ(money_bps(7500, 2, ROUND_HALF_EVEN), 2);
    CHECK_EQ(money_bps(0, 5, ROUND_CEIL), 0);
    /* 10000 bps = 100 %: the product INT64_MAX * 10000 exceeds 2^63 yet the result is exact */
    CHECK_EQ(money_bps(INT64_MAX, 10000, ROUND_TRUNC), INT64_MAX);
    CHECK_EQ(money_bps(INT64_MIN, 10000, ROUND_TRUNC), INT64_MIN);
}

/* ---- core_alloc ------------------------------------------------------------------------------------------------- */

static void alloc_counts_exactly(void)
{
    int64_t bytes0 = mem_live_bytes(), blocks0 = mem_live_blocks();
    char *a = mem_alloc(100);
    CHECK(a != NULL);
    CHECK_EQ(mem_live_bytes(), bytes0 + 100);
    CHECK_EQ(mem_live_blocks(), blocks0 + 1);
    CHECK_EQ((uintptr_t)a % _Alignof(max_align_t), 0);
    memset(a, 'a', 100);
    char *b = mem_realloc(a, 300); /* grow: contents kept, counted at the new size */
    CHECK(b != NULL);
    CHECK_EQ(b[99], 'a');
    CHECK_EQ(mem_live_bytes(), bytes0 + 300);
    CHECK_EQ(mem_live_blocks(), blocks0 + 1);
    b = mem_realloc(b, 10); /* shrink */
    CHECK(b != NULL);
    CHECK_EQ(b[9], 'a');
    CHECK_EQ(mem_live_bytes(), bytes0 + 10);
    int64_t *z = mem_calloc(10, sizeof *z);
    CHECK(z != NULL);
    int nonzero = 0;
    for (int i = 0; i < 10; i++) nonzero += z[i] != 0;
    CHECK_EQ(nonzero, 0);
    CHECK_EQ(mem_live_bytes(), bytes0 + 10 + 80);
    CHECK_EQ(mem_live_blocks(), blocks0 + 2);
    CHECK_GE(mem_peak_bytes(), mem_live_bytes());
    mem_free(b);
    CHECK_EQ(mem_live_bytes(), bytes0 + 80);
    CHECK_EQ(mem_live_blocks(), blocks0 + 1);
    mem_free(z);
    CHECK_EQ(mem_live_bytes(), bytes0);
    CHECK_EQ(mem_live_blocks(), blocks0);
}

/* Dense blocks: zeroed and counted like mem_calloc whatever the kernel does with the advice (whether the pages
 * become huge depends on the machine's THP setting, so it is not asserted), and the advice never changes contents. */
static void alloc_dense_blocks(void)
{
    int64_t bytes0 = mem_live_bytes(), blocks0 = mem_live_blocks();
    size_t n = (MEM_HUGE_PAGE_MIN + (3u << 20)) / sizeof(uint64_t); /* over the threshold, not a multiple of 2 MiB */
    uint64_t *z = mem_calloc_dense(n, sizeof *z);
    CHECK(z != NULL);
    if (!z) return;
    CHECK_EQ(mem_live_bytes(), bytes0 + (int64_t)(n * sizeof *z));
    CHECK_EQ(mem_live_blocks(), blocks0 + 1);
    size_t nonzero = 0;
    for (size_t i = 0; i < n; i += 509) nonzero += z[i] != 0;
    CHECK_EQ(nonzero, 0);
    CHECK_EQ(z[n - 1], 0);
    for (size_t i = 0; i < n; i++) z[i] = i * 0x9e3779b97f4a7c15u;
    mem_advise_dense(z, n * sizeof *z);         /* again, on written pages */
    mem_advise_dense((char *)z + 1, 4096);      /* small and unaligned: nothing to advise */
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++) wrong += z[i] != i * 0x9e3779b97f4a7c15u;
    CHECK_EQ(wrong, 0);
    char *line = mem_line_align(z);
    CHECK_EQ((uintptr_t)line % MEM_LINE, 0);
    CHECK(line >= (char *)z && line < (char *)z + MEM_LINE);
    CHECK(mem_line_align(NULL) == NULL);
    uint32_t *small = mem_calloc_dense(3, sizeof *small); /* below the threshold: plain zeroed block */
    CHECK(small != NULL && small[0] == 0 && small[2] == 0);
    CHECK(mem_calloc_dense(SIZE_MAX / 2, 3) == NULL);
    CHECK(mem_calloc_dense(0, 8) == NULL);
    mem_free(small);
    mem_free(z);
    CHECK_EQ(mem_live_bytes(), bytes0);
    CHECK_EQ(mem_live_blocks(), blocks0);
}

static void alloc_edge_cases(void)
{
    int64_t bytes0 = mem_live_bytes(), blocks0 = mem_live_blocks();
    CHECK(mem_alloc(0) == NULL);
    CHECK(mem_alloc(SIZE_MAX) == NULL);            /* header would overflow: refused before malloc */
    CHECK(mem_calloc(SIZE_MAX / 2, 3) == NULL);    /* count * size overflows */
    CHECK(mem_calloc((size_t)1 << 62, 8) == NULL); /* 2^65 bytes */
    CHECK(mem_calloc(0, 8) == NULL);
    CHECK(mem_calloc(8, 0) == NULL);
    mem_free(NULL);
    CHECK_EQ(mem_live_bytes(), bytes0);
    CHECK_EQ(mem_live_blocks(), blocks0);
    char *p = mem_realloc(NULL, 16); /* realloc(NULL) allocates */
    CHECK(p != NULL);
    CHECK_EQ(mem_live_bytes(), bytes0 + 16);
    p[15] = 'z';
    CHECK(mem_realloc(p, 0) == NULL);        /* refused: the old block stays valid and counted */
    CHECK(mem_realloc(p, SIZE_MAX) == NULL); /* refused before realloc */
    CHECK_EQ(p[15], 'z');
    CHECK_EQ(mem_live_bytes(), bytes0 + 16);
    CHECK_EQ(mem_live_blocks(), blocks0 + 1);
    mem_free(p);
    CHECK_EQ(mem_live_bytes(), bytes0);
    CHECK_EQ(mem_live_blocks(), blocks0);
}

void suite_core_status(void)
{
    static const TestCase cases[] = {
        TEST_CASE(status_names_and_messages),
        TEST_CASE(status_out_of_range),
    };
    test_add_suite("core_status", cases, TEST_COUNT(cases));
}

void suite_core_money(void)
{
    static const TestCase cases[] = {
        TEST_CASE(money_div_every_rounding_mode),
        TEST_CASE(money_div_checked_failures),
        TEST_CASE(money_mul_add_overflow),
        TEST_CASE(money_mul_div_wide_products),
        TEST_CASE(money_mul_div_matches_wide_reference),
        TEST_CASE(money_bps_fee_rounding),
    };
    test_add_suite("core_money", cases, TEST_COUNT(cases));
}

void suite_core_alloc(void)
{
    static const TestCase cases[] = {
        TEST_CASE(alloc_counts_exactly),
        TEST_CASE(alloc_edge_cases),
        TEST_CASE(alloc_dense_blocks),
    };
    test_add_suite("core_alloc", cases, TEST_COUNT(cases));
}
