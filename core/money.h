/* Integer units of account and exact arithmetic on them (MODEL.md 3.1).
 *
 *   Ticks  a price, in multiples of the venue's tick size          (e.g. 1 tick = 0.1 USDT)
 *   Lots   a size, in multiples of the venue's lot size            (e.g. 1 lot  = 0.001 BTC)
 *   Quote  cash, in quote units = tick value x one lot             (e.g. 1 unit = 0.0001 USDT)
 *
 * so the notional of q lots at price p ticks is exactly p * q quote units. Every product goes through a 128-bit
 * intermediate and reports overflow; every division names its rounding direction, so that who gets the remainder
 * is a decision in the caller's code, never an accident of C's truncation. */
#ifndef CASCADE_MONEY_H
#define CASCADE_MONEY_H

#include <stdbool.h>
#include <stdint.h>

typedef int64_t Ticks;
typedef int64_t Lots;
typedef int64_t Quote;

#define TICKS_MAX INT64_MAX
#define LOTS_MAX INT64_MAX
#define QUOTE_MAX INT64_MAX

typedef enum Rounding {
    ROUND_FLOOR,        /* toward minus infinity */
    ROUND_CEIL,         /* toward plus infinity */
    ROUND_TRUNC,        /* toward zero */
    ROUND_AWAY,         /* away from zero */
    ROUND_HALF_EVEN     /* to nearest, ties to even (banker's rounding) */
} Rounding;

/* The helpers below are inline: they run several times per fill and per order check, where a call costs as much
 * as the arithmetic. Each has a 64-bit fast path; the rare operands that need 128 bits (or INT64_MIN, whose negation
 * does not fit) go to the out-of-line money__*_wide functions in money.c, which round identically. */

/* Out-of-line parts; use the money_* functions. */
bool money__div_wide(int64_t num, int64_t den, Rounding r, int64_t *out);
bool money__mul_div_wide(int64_t a, int64_t b, int64_t c, Rounding r, int64_t *out);
int64_t money__half_even_step(int64_t q, int64_t rem, int64_t den, bool negative);
_Noreturn void money__overflow(const char *what);

/* Quotient rounded as asked, for num, den != INT64_MIN and den != 0 (so every negation and the quotient fit). The
 * rounding is a switch on a value that is a constant at almost every call site, so it folds away when inlined. */
static inline int64_t money__div64(int64_t num, int64_t den, Rounding r)
{
    int64_t q = num / den;
    int64_t rem = num % den;
    if (rem == 0) return q;
    bool negative = (num < 0) != (den < 0); /* sign of the exact quotient (nonzero here) */
    switch (r) {
    case ROUND_TRUNC: return q;
    case ROUND_FLOOR: return negative ? q - 1 : q;
    case ROUND_CEIL: return negative ? q : q + 1;
    case ROUND_AWAY: return negative ? q - 1 : q + 1;
    case ROUND_HALF_EVEN: break;
    }
    return money__half_even_step(q, rem, den, negative);
}

/* a * b into *out; false (and *out untouched) when the product does not fit in int64. */
static inline bool money_mul(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return false;
    *out = r;
    return true;
}

/* a + b into *out; false on overflow. */
static inline bool money_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return false;
    *out = r;
    return true;
}

/* num / den into *out; false when den is 0 or the quotient does not fit (INT64_MIN / -1). */
static inline bool money_div_checked(int64_t num, int64_t den, Rounding r, int64_t *out)
{
    if (den != 0 && num != INT64_MIN && den != INT64_MIN) {
        *out = money__div64(num, den, r);
        return true;
    }
    return money__div_wide(num, den, r, out);
}

/* num / den rounded as asked; den must not be 0. INT64_MIN / -1 is reported as overflow by money_div_checked. */
static inline int64_t money_div(int64_t num, int64_t den, Rounding r)
{
    int64_t q = 0;
    if (!money_div_checked(num, den, r, &q)) money__overflow("money_div: quotient overflows int64");
    return q;
}

/* a * b / c with a 128-bit intermediate, rounded as asked; false when c is 0 or the result does not fit. The 64-bit
 * path covers every product that fits (the usual case); the others take the exact 128-bit path. */
static inline bool money_mul_div(int64_t a, int64_t b, int64_t c, Rounding r, int64_t *out)
{
    int64_t ab;
    if (c != 0 && c != INT64_MIN && !__builtin_mul_overflow(a, b, &ab) && ab != INT64_MIN) {
        *out = money__div64(ab, c, r);
        return true;
    }
    return money__mul_div_wide(a, b, c, r, out);
}

/* |v| for signed lots or quote amounts (positions are signed: long > 0). v must not be INT64_MIN. */
static inline int64_t money_abs(int64_t v) { return v < 0 ? -v : v; }

/* Notional of qty lots at price ticks, in quote units; asserts on overflow (venue limits make it impossible). */
static inline Quote money_notional(Ticks price, Lots qty)
{
    Quote n;
    if (__builtin_mul_overflow(price, qty, &n)) money__overflow("money_notional: product overflows int64");
    return n;
}

/* amount * bps / 10000 rounded as asked (fees, rates given in basis points); asserts on overflow. */
static inline Quote money_bps(Quote amount, int64_t bps, Rounding r)
{
    Quote v = 0;
    if (!money_mul_div(amount, bps, 10000, r, &v)) money__overflow("money_bps: result overflows int64");
    return v;
}

/* A trading fee of bps basis points on notional >= 0, rounded in the venue's favour: a fee (bps > 0) up, a rebate
 * (bps < 0, a negative result) toward zero. Every venue charges fees through this one function. */
static inline Quote money_fee(Quote notional, int32_t bps)
{
    return money_bps(notional, bps, bps >= 0 ? ROUND_CEIL : ROUND_TRUNC);
}

#endif
