/* Funding of a perpetual venue: premium index samples, the funding rate, and the payment rounding helper
 * (MODEL.md 3.4; LITERATURE.md C4). Formulas and rounding: docs/prices.md.
 *
 * Rates are int64 in units of 1e-8 (rate_e8): 0.01 % = 10,000 e8. The common formula (Binance, BitMEX, Hyperliquid):
 *     impact bid / ask  average fill price of a market sell / buy of the impact margin notional (IMN) in the book
 *     premium           P = [max(0, ImpactBid - Index) - max(0, Index - ImpactAsk)] / Index   (e8, half to even)
 *     average           P_avg over the interval's samples (equal weights, or Binance's linear weights 1..n)
 *     rate              F = P_avg + clamp(I - P_avg, -clamp, +clamp), then capped to [-cap, +cap]
 * The venue calls funding_sample on its schedule (e.g. every 5 s), funding_rate at settlement, then funding_reset.
 * F > 0: longs pay shorts. */
#ifndef CASCADE_FUNDING_H
#define CASCADE_FUNDING_H

#include "book.h"
#include "money.h"
#include "simtime.h"
#include "status.h"

#include <stdbool.h>
#include <stdint.h>

#define FUNDING_RATE_ONE_E8 INT64_C(100000000)
/* The period interest and the convention are quoted for (8 h). */
#define FUNDING_BASE_INTERVAL (INT64_C(8) * SIMTIME_NS_PER_HOUR)
/* funding_impact_price walks at most this many levels; deeper liquidity counts as not there. */
#define FUNDING_IMPACT_MAX_LEVELS 256u

typedef enum FundingAveraging {
    FUNDING_AVG_EQUAL = 0,   /* mean of the samples (time-weighted when samples are evenly spaced) */
    FUNDING_AVG_LINEAR,      /* sum(k * P_k) / sum(k), k = 1..n: later samples weigh more (Binance) */
    FUNDING_AVG_COUNT_
} FundingAveraging;

/* How a rate is formed for an interval T other than 8 h. For T = 8 h both give the same rate. */
typedef enum FundingConvention {
    /* F = P_avg + clamp(I * T/8h - P_avg, +-clamp): the interest scales with the interval, the premium does not. */
    FUNDING_CONV_INTEREST_SCALED = 0,
    /* F = (P_avg + clamp(I - P_avg, +-clamp)) * T/8h: the 8-h rate paid pro rata (Hyperliquid pays 1/8 hourly). */
    FUNDING_CONV_RATE_SCALED,
    FUNDING_CONV_COUNT_
} FundingConvention;

typedef struct FundingDef {
    SimDuration interval;      /* settlement interval, > 0 and dividing 24 h (simtime_next_funding); default 8 h */
    SimDuration sample_period; /* how often the venue samples the premium (> 0); default 5 s */
    int64_t interest_e8;       /* interest per 8 h; default 10,000 (0.01 %) */
    int64_t clamp_e8;          /* >= 0; default 50,000 (0.05 %) */
    int64_t cap_e8;            /* >= 0, applied to the final rate per interval; default 750,000 (0.75 %) */
    Quote impact_notional;     /* IMN in quote units (> 0); the venue sets it (default 0 = must be set) */
    FundingAveraging averaging;
    FundingConvention convention;
} FundingDef;

typedef struct FundingState {
    int64_t samples;           /* n */
    int64_t sum_e8;            /* sum of P_k */
    int64_t weighted_sum_e8;   /* sum of k * P_k */
    int64_t last_premium_e8;   /* the latest sample */
} FundingState;

/* 8 h, samples every 5 s, interest 10,000 e8, clamp 50,000 e8, cap 750,000 e8, equal weights, interest scaled,
 * impact_notional 0 (the venue must set it). */
FundingDef funding_default_def(void);
/* STATUS_OK or STATUS_INVALID (interval <= 0 or not dividing 24 h, sample_period <= 0, clamp/cap < 0,
 * impact_notional <= 0, |interest| > 1e8, unknown enum). */
Status funding_def_validate(const FundingDef *def);

/* Average fill price of a market order on `side` (SIDE_SELL walks the bids: impact bid; SIDE_BUY walks the asks:
 * impact ask) for impact_notional quote units: IMN / (lots bought), fractional lots allowed at the last level.
 * Rounded toward the worse price for the taker (bid: floor, ask: ceil). A book too thin for IMN fills the remainder
 * at the worst price reached (also when liquidity lies beyond FUNDING_IMPACT_MAX_LEVELS levels). STATUS_NOT_FOUND
 * and *out = 0 when the side is empty; STATUS_INVALID when impact_notional <= 0. */
Status funding_impact_price(const Book *book, Side side, Quote impact_notional, Ticks *out);

/* P in e8 from index (> 0, asserted) and impact prices; an impact price of 0 (empty side) contributes 0. */
int64_t funding_premium_e8(Ticks index, Ticks impact_bid, Ticks impact_ask);

/* An empty state. */
void funding_init(FundingState *st);
/* Adds one premium sample (e8). */
void funding_sample(FundingState *st, int64_t premium_e8);
/* Samples the premium of `book` against index with def->impact_notional: STATUS_OK, or STATUS_NOT_FOUND (no sample
 * taken) when index <= 0 or both sides of the book are empty. premium_out may be NULL. */
Status funding_sample_book(FundingState *st, const FundingDef *def, const Book *book, Ticks index,
                           int64_t *premium_out);
/* Average premium over the samples so far, half to even (0 with no samples). */
int64_t funding_average_premium(const FundingState *st, const FundingDef *def);
/* The funding rate for the interval from the samples so far (no samples: P_avg = 0, so F = the clamped interest). */
int64_t funding_rate(const FundingState *st, const FundingDef *def);
/* The rate formula on a given average premium (what funding_rate applies). */
int64_t funding_rate_from_premium(int64_t avg_premium_e8, const FundingDef *def);
/* Interest per interval: interest_e8 * interval / 8 h, half to even. */
int64_t funding_interest_per_interval(const FundingDef *def);
/* Clears the samples (at settlement). */
void funding_reset(FundingState *st);

/* |notional| * |rate_e8| / 1e8 as a non-negative amount: the payer's side rounded up, the receiver's rounded down,
 * so that no quote unit is created (the sub-unit residue stays with the venue; the ledger decides where). */
Quote funding_payment(Quote notional, int64_t rate_e8, bool payer);

#endif
