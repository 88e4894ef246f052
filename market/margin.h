/* Margin arithmetic of a perpetual venue: tiered maintenance margin, initial margin, and the liquidation and
 * bankruptcy prices of an isolated position (MODEL.md 3.3; LITERATURE.md C1-C2).
 *
 * All amounts are integers: notionals and margins in Quote (= ticks x lots), rates in parts per million (ppm).
 * Rounding always favours the venue (requirements round up), so that no fraction of a quote unit is created.
 *
 * Tiers follow the large crypto venues (Binance "cum", Bybit "MM deduction"):
 *     MM(N) = ceil(N * mmr_ppm / 10^6) - maint_amount     for the tier whose cap is the first >= N
 * and maint_amount is chosen so that MM is continuous at every cap: cum[i] = cum[i-1] + cap[i-1]*(mmr[i]-mmr[i-1]).
 * margin_table_validate checks that exactly. */
#ifndef CASCADE_MARGIN_H
#define CASCADE_MARGIN_H

#include "cascade_assert.h"
#include "money.h"
#include "status.h"

#include <stddef.h>
#include <stdint.h>

#define MARGIN_PPM 1000000
#define MARGIN_MAX_TIERS 16
/* Liquidation price of a position that cannot be liquidated at any positive price (a long backed 1:1). */
#define MARGIN_NO_LIQ_LONG ((Ticks)0)
/* Liquidation price of a short that no representable price reaches. */
#define MARGIN_NO_LIQ_SHORT TICKS_MAX

typedef struct MarginTier {
    Quote notional_cap;   /* tier holds notionals <= this (the last tier should be QUOTE_MAX) */
    int64_t mmr_ppm;      /* maintenance margin rate, ppm of notional */
    Quote maint_amount;   /* subtracted from notional x rate ("cum"), keeps MM continuous */
    int32_t max_leverage; /* highest initial leverage allowed for notionals in this tier */
} MarginTier;

typedef struct MarginTable {
    int32_t count;
    MarginTier tiers[MARGIN_MAX_TIERS];
} MarginTable;

/* STATUS_OK, or STATUS_INVALID with a one-line reason in why: caps strictly increasing, rates in [0, 10^6)
 * non-decreasing, leverage >= 1 non-increasing, maintenance amounts exactly continuous. */
Status margin_table_validate(const MarginTable *t, char *why, size_t why_cap);
/* Binance BTCUSDT's published tier table (LITERATURE.md C1) in quote units, given quote units per USDT. */
MarginTable margin_table_binance_btcusdt(int64_t quote_per_usdt);

/* Index of the tier that holds |notional|. */
int32_t margin_tier_index(const MarginTable *t, Quote notional);
/* Maintenance margin for |notional|: ceil(N x rate) - amount, never negative. */
Quote margin_maintenance(const MarginTable *t, Quote notional);
/* Initial margin for |notional| at the given leverage: ceil(N / leverage). Inline: every order check and free-margin
 * read takes one or two (~90 k calls in equity_day's loop). */
static inline Quote margin_initial(Quote notional, int32_t leverage)
{
    CASCADE_ASSERT(leverage >= 1);
    return money_div(money_abs(notional), leverage, ROUND_CEIL);
}
/* Highest leverage the tier table allows for |notional|. */
int32_t margin_max_leverage(const MarginTable *t, Quote notional);

/* Margin balance of an isolated position at price `mark`: collateral + unrealized PnL.
 * qty is signed (long > 0), entry_cost = sum of price x qty over the position's fills (always >= 0). */
Quote margin_balance(Lots qty, Quote entry_cost, Quote collateral, Ticks mark);
/* True when an isolated position at price `mark` must be liquidated: margin balance <= maintenance margin. */
bool margin_is_liquidatable(const MarginTable *t, Lots qty, Quote entry_cost, Quote collateral, Ticks mark);
/* Liquidation price of an isolated position: for a long the highest tick at which it is liquidatable
 * (liquidate when mark <= LP), for a short the lowest (liquidate when mark >= LP). MARGIN_NO_LIQ_* when none. */
Ticks margin_liquidation_price(const MarginTable *t, Lots qty, Quote entry_cost, Quote collateral);
/* Bankruptcy price (margin balance = 0): the worst tick at which closing the position loses no more than its
 * collateral; long ceil((cost - collateral)/q), short floor((cost + collateral)/q). A long's is at least 1. */
Ticks margin_bankruptcy_price(Lots qty, Quote entry_cost, Quote collateral);

#endif
