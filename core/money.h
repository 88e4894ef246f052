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

/* a * b into *out; false (and *out untouched) when the product does not fit in int64. */
bool money_mul(int64_t a, int64_t b, int64_t *out);
/* a + b into *out; false on overflow. */
bool money_add(int64_t a, int64_t b, int64_t *out);
/* num / den rounded as asked; den must not be 0. INT64_MIN / -1 is reported as overflow by money_div_checked. */
int64_t money_div(int64_t num, int64_t den, Rounding r);
/* num / den into *out; false when den is 0 or the quotient does not fit. */
bool money_div_checked(int64_t num, int64_t den, Rounding r, int64_t *out);
/* a * b / c with a 128-bit intermediate, rounded as asked; false when c is 0 or the result does not fit. */
bool money_mul_div(int64_t a, int64_t b, int64_t c, Rounding r, int64_t *out);
/* |v| for signed lots or quote amounts (positions are signed: long > 0). v must not be INT64_MIN. */
static inline int64_t money_abs(int64_t v) { return v < 0 ? -v : v; }
/* Notional of qty lots at price ticks, in quote units; asserts on overflow (venue limits make it impossible). */
Quote money_notional(Ticks price, Lots qty);
/* amount * bps / 10000 rounded as asked (fees, rates given in basis points); asserts on overflow. */
Quote money_bps(Quote amount, int64_t bps, Rounding r);
/* A trading fee of bps basis points on notional >= 0, rounded in the venue's favour: a fee (bps > 0) up, a rebate
 * (bps < 0, a negative result) toward zero. Every venue charges fees through this one function. */
Quote money_fee(Quote notional, int32_t bps);

#endif
