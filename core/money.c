/* Out-of-line parts of the money helpers (money.h): the 128-bit paths, ties-to-even rounding and the overflow
 * report. The inline fast paths in money.h and div128 here round identically: both apply the same step to the
 * truncated quotient. */
#include "money.h"
#include "cascade_assert.h"

__extension__ typedef __int128 i128; /* GCC/Clang extension: exact 128-bit intermediates */

/* The step (-1, 0 or +1) that turns the truncated quotient into the rounded one, given the sign of the exact
 * quotient, how the remainder compares with half the divisor (-1 below, 0 equal, +1 above) and the truncated
 * quotient's parity. */
static int round_step(Rounding r, bool negative, int half_cmp, bool q_odd)
{
    switch (r) {
    case ROUND_TRUNC: return 0;
    case ROUND_FLOOR: return negative ? -1 : 0;
    case ROUND_CEIL: return negative ? 0 : 1;
    case ROUND_AWAY: return negative ? -1 : 1;
    case ROUND_HALF_EVEN: {
        bool up = half_cmp > 0 || (half_cmp == 0 && q_odd);
        return up ? (negative ? -1 : 1) : 0;
    }
    }
    CASCADE_ASSERT(0 && "unknown rounding");
    return 0;
}

/* Quotient of 128-bit values with explicit rounding; den != 0. */
static i128 div128(i128 num, i128 den, Rounding r)
{
    i128 q = num / den; /* truncates toward zero */
    i128 rem = num % den;
    if (rem == 0) return q;
    i128 arem = rem < 0 ? -rem : rem, aden = den < 0 ? -den : den;
    i128 twice = 2 * arem;
    int half_cmp = twice > aden ? 1 : (twice == aden ? 0 : -1);
    return q + round_step(r, (num < 0) != (den < 0), half_cmp, q % 2 != 0);
}

int64_t money__half_even_step(int64_t q, int64_t rem, int64_t den, bool negative)
{
    /* Operands are not INT64_MIN (money__div64's contract), so the negations fit. */
    int64_t arem = rem < 0 ? -rem : rem, aden = den < 0 ? -den : den;
    int64_t other = aden - arem; /* 2 arem vs aden without overflow: arem vs aden - arem */
    int half_cmp = arem > other ? 1 : (arem == other ? 0 : -1);
    return q + round_step(ROUND_HALF_EVEN, negative, half_cmp, q % 2 != 0);
}

static bool fits64(i128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

bool money__div_wide(int64_t num, int64_t den, Rounding r, int64_t *out)
{
    if (den == 0) return false;
    if (num != INT64_MIN && den != INT64_MIN) {
        *out = money__div64(num, den, r);
        return true;
    }
    i128 q = div128(num, den, r);
    if (!fits64(q)) return false;
    *out = (int64_t)q;
    return true;
}

bool money__mul_div_wide(int64_t a, int64_t b, int64_t c, Rounding r, int64_t *out)
{
    if (c == 0) return false;
    int64_t ab;
    if (!__builtin_mul_overflow(a, b, &ab) && ab != INT64_MIN && c != INT64_MIN) {
        *out = money__div64(ab, c, r);
        return true;
    }
    /* |a*b| < 2^126, so the 128-bit product cannot overflow. */
    i128 q = div128((i128)a * (i128)b, c, r);
    if (!fits64(q)) return false;
    *out = (int64_t)q;
    return true;
}

void money__overflow(const char *what) { cascade_assert_fail(what, __FILE__, __LINE__); }
