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

/* Quotient of 128-bit values with explicit rounding; den != 0. */
static i128 div128(i128 num, i128 den, Rounding r)
{
    i128 q = num / den; /* truncates toward zero */
    i128 rem = num % den;
    if (rem == 0) return q;
    bool negative = (num < 0) != (den < 0);
    switch (r) {
    case ROUND_TRUNC: return q;
    case ROUND_FLOOR: return negative ? q - 1 : q;
    case ROUND_CEIL: return negative ? q : q + 1;
    case ROUND_AWAY: return negative ? q - 1 : q + 1;
    case ROUND_HALF_EVEN: {
        i128 arem = rem < 0 ? -rem : rem;
        i128 aden = den < 0 ? -den : den;
        i128 twice = 2 * arem;
        bool up = twice > aden || (twice == aden && (q % 2 != 0));
        if (!up) return q;
        return negative ? q - 1 : q + 1;
    }
    }
    CASCADE_ASSERT(0 && "unknown rounding");
    return q;
}

static bool fits64(i128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

bool money_div_checked(int64_t num, int64_t den, Rounding r, int64_t *out)
{
    if (den == 0) return false;
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
