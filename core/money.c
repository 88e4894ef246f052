#include "money.h"
#include "cascade_assert.h"

__extension__ typedef __int128 i128; /* GCC/Clang extension: exact 128-bit intermediates */

bool money_mul(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return false;
    *out = r;
    return true;
}

bool money_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return false;
    *out = r;
    return true;
}

/* The step (-1, 0 or +1) that turns the truncated quotient into the rounded one, given the sign of the exact
 * quotient, how the remainder compares with half the divisor (-1 below, 0 equal, +1 above) and the truncated
 * quotient's parity. Shared by the 64- and 128-bit divisions so both round identically. */
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

/* The same in 64 bits, for operands that are not INT64_MIN (so every negation and the quotient fit): a 64-bit
 * division is several times cheaper than the 128-bit library call, and exact products usually fit. */
static int64_t div64(int64_t num, int64_t den, Rounding r)
{
    int64_t q = num / den;
    int64_t rem = num % den;
    if (rem == 0) return q;
    int64_t arem = rem < 0 ? -rem : rem, aden = den < 0 ? -den : den;
    int64_t other = aden - arem; /* 2 arem vs aden without overflow: arem vs aden - arem */
    int half_cmp = arem > other ? 1 : (arem == other ? 0 : -1);
    return q + round_step(r, (num < 0) != (den < 0), half_cmp, q % 2 != 0);
}

static bool fits64(i128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

bool money_div_checked(int64_t num, int64_t den, Rounding r, int64_t *out)
{
    if (den == 0) return false;
    if (num != INT64_MIN && den != INT64_MIN) {
        *out = div64(num, den, r);
        return true;
    }
    i128 q = div128(num, den, r);
    if (!fits64(q)) return false;
    *out = (int64_t)q;
    return true;
}

int64_t money_div(int64_t num, int64_t den, Rounding r)
{
    int64_t q = 0;
    CASCADE_ASSERT(money_div_checked(num, den, r, &q));
    return q;
}

bool money_mul_div(int64_t a, int64_t b, int64_t c, Rounding r, int64_t *out)
{
    if (c == 0) return false;
    int64_t ab;
    if (!__builtin_mul_overflow(a, b, &ab) && ab != INT64_MIN && c != INT64_MIN) {
        *out = div64(ab, c, r);
        return true;
    }
    /* |a*b| < 2^126, so the 128-bit product cannot overflow. */
    i128 q = div128((i128)a * (i128)b, c, r);
    if (!fits64(q)) return false;
    *out = (int64_t)q;
    return true;
}

Quote money_notional(Ticks price, Lots qty)
{
    Quote n = 0;
    CASCADE_ASSERT(money_mul(price, qty, &n));
    return n;
}

Quote money_bps(Quote amount, int64_t bps, Rounding r)
{
    Quote v = 0;
    CASCADE_ASSERT(money_mul_div(amount, bps, 10000, r, &v));
    return v;
}

Quote money_fee(Quote notional, int32_t bps)
{
    return money_bps(notional, bps, bps >= 0 ? ROUND_CEIL : ROUND_TRUNC);
}
