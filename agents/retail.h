/* Leveraged retail traders on the perpetual venue: the crowd whose liquidations cascade (MODEL.md section 4;
 * LITERATURE.md A1, A8). Behaviour rules, formulas and defaults: docs/agent_retail.md.
 *
 * Each agent owns one perp account (isolated margin by default, a configurable share cross) opened at creation with
 * its wealth (Pareto) as cash; its leverage setting (lognormal, median 10x, clipped to the venue's maximum) is fixed
 * for life. The account's free cash is the agent's reserve; a position's isolated margin is what it put at risk.
 *
 * Time. One population-level Poisson process drives the whole block, so the event queue does not grow with the
 * number of agents and the cost of a wake does not depend on it:
 *   rate = count x rate_max                   (base wakes: an agent picked uniformly, kept with p = rate_i / rate_max)
 *        + watched x monitor_per_hour         (checks: an agent picked uniformly from the watch list)
 * thinned by the 24/7 profile. The watch list (a dense array with swap-remove) holds the agents that hold a
 * position, have an order in flight or resting, or wait to re-enter after a liquidation. When it grows the pending
 * wake is superposed with a fresh draw for the newcomer (memorylessness makes that exact); when it shrinks the next
 * wake is thinned by current rate / rate it was drawn at. Stale wakes are recognised by time and ignored.
 *
 * A flat agent decides from its strategy (trend: fast vs slow EMA of the mark; dip: buy after a drop beyond its
 * threshold; noise: a coin with a long bias), modulated by a population-level sentiment s in [-1, 1] (herding on
 * recent returns, fear of the public liquidation feed), puts margin_frac of its reserve at risk at its leverage,
 * mostly with a market order, and may attach a reduce-only stop-loss (STOP_MARKET on mark) and a take-profit
 * (reduce-only limit). In a position it answers margin calls (top up with probability p, panic-close with
 * probability q, raised by fear), and closes on its holding time or when sentiment turns against it. After a
 * liquidation it re-enters with what is left (probability r) or leaves for good.
 *
 * Memory: 32 bytes per agent (asserted), 1 activity byte and 4 in the watch list; the venue account costs more. */
#ifndef CASCADE_RETAIL_H
#define CASCADE_RETAIL_H

#include "agent.h"

typedef enum RetailStrategy { RETAIL_TREND = 0, RETAIL_DIP, RETAIL_NOISE, RETAIL_STRATEGY_COUNT_ } RetailStrategy;

typedef struct RetailDef {
    uint32_t count;            /* agents in this block; 0 = the population is off */
    VenueKind venue;           /* must be VENUE_PERP */
    /* endowment and risk */
    DistDef wealth_usd;        /* initial cash (Pareto) */
    DistDef leverage;          /* account leverage (lognormal, median 10x); clipped to the venue's maximum */
    double isolated_share;     /* share of agents on isolated margin (the rest cross) */
    DistDef margin_frac;       /* fraction of the reserve (free margin) put up as margin per trade */
    /* activity */
    DistDef rate_per_hour;     /* base wakes per agent-hour at profile factor 1 */
    double monitor_per_hour;   /* extra checks per hour while watched (position, order, re-entry) */
    /* strategy mix and signals */
    double share_trend;        /* share of trend followers */
    double share_dip;          /* share of dip buyers (the rest are noise traders) */
    double long_bias;          /* P(long) of a noise trader at neutral sentiment; (long_bias - 0.5) adds to trend */
    double entry_prob;         /* P(trend/noise agent considers a trade) per base wake when flat */
    double trend_scale;        /* EMA gap (fraction of price) that counts as a unit trend signal */
    DistDef trend_threshold;   /* |score| a trend follower needs to open */
    DistDef dip_threshold;     /* log drop over its horizon a dip buyer needs to buy */
    DistDef herding;           /* weight of sentiment in an agent's score / long probability */
    double limit_share;        /* share of agents that enter with a limit order at the touch */
    SimDuration limit_patience;/* a resting entry older than this is cancelled at the agent's next check */
    /* sentiment and fear (population level) */
    double sentiment_ret_scale;/* 15-min log return that moves the sentiment target by one unit (tanh argument) */
    double sentiment_liq_weight;/* weight of net liquidations (longs - shorts) in units of fear_liq_share x OI */
    SimDuration sentiment_tau; /* relaxation time of sentiment toward its target */
    double fear_liq_share;     /* share of open interest liquidated in 60 s that gives fear 1 - 1/e */
    SimDuration fear_tau;      /* decay time of fear */
    double fear_entry_damp;    /* entry probability x (1 - damp x fear) */
    double fear_panic;         /* panic probability q' = q + (1 - q) x fear_panic x fear */
    /* exits */
    DistDef hold_hours;        /* planned holding time, drawn at each entry */
    double reversal_threshold; /* close when the agent's view against the position exceeds this */
    double sl_share;           /* share of agents that attach a stop-loss */
    DistDef sl_pct;            /* stop-loss distance from entry, percent of price */
    double tp_share;           /* share of agents that attach a take-profit */
    DistDef tp_pct;            /* take-profit distance from entry, percent of price */
    /* margin calls and liquidation */
    double topup_prob;         /* p: top up from the reserve on a margin call */
    double panic_prob;         /* q: close at market on a margin call */
    double topup_frac;         /* top-up = this x the position's isolated margin, at most the free cash */
    double reentry_prob;       /* r: re-enter after a liquidation with what is left (else leave for good) */
    int32_t max_leverage;      /* the block's own cap (the venue's cap also applies) */
    LatencyDef latency;        /* order-entry latency */
} RetailDef;

/* Counters of a block (tests, metrics, the docs' numbers). */
typedef struct RetailStats {
    uint64_t base_wakes, checks;    /* events after thinning: base wakes, watch-list checks */
    uint64_t opens, opens_long;     /* entry orders sent (and of those, buys) */
    uint64_t limit_entries;         /* entries sent as resting limit orders */
    uint64_t positions;             /* entries that produced a position */
    uint64_t stops, take_profits;   /* protective orders attached */
    uint64_t close_hold, close_reversal, close_panic; /* closes sent, by reason */
    uint64_t closed_by_stop;        /* positions that ended without the agent's close (SL/TP/ADL) */
    uint64_t margin_calls, topups;  /* margin calls seen at a check, top-ups done */
    uint64_t liquidations, reentries, exits;
    uint64_t rejects;               /* submissions the venue refused */
    uint64_t too_small;             /* entries skipped because the size rounded to 0 lots */
} RetailStats;

/* Defaults of a realistic baseline block (2000 agents; MODEL.md 4 and docs/agent_retail.md). */
RetailDef retail_default_def(void);
/* Creates the population: draws its agents' parameters from rng, opens their accounts and schedules their first
 * wake-ups through env. *out receives the state, to be used with retail_ops. STATUS_INVALID when def->venue is not
 * VENUE_PERP or a share/probability is outside [0, 1]. */
Status retail_create(const RetailDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out);
extern const PopulationOps retail_ops;

RetailStats retail_stats(const void *pop);
/* Agent i's perp account / strategy / leverage setting. */
AccountId retail_account(const void *pop, uint32_t agent);
RetailStrategy retail_strategy(const void *pop, uint32_t agent);
int32_t retail_leverage(const void *pop, uint32_t agent);
/* Population sentiment in [-1, 1] and fear in [0, 1] as last updated. */
double retail_sentiment(const void *pop);
double retail_fear(const void *pop);
/* Bytes of population state per agent (agent record + watch-list slot). */
size_t retail_bytes_per_agent(void);

/* ---- decision rules (pure; exposed for tests) ---- */

/* Leverage setting from a draw: rounded to the nearest integer, clipped to [1, cap]. */
int32_t retail_clip_leverage(double draw, int32_t cap);
/* Lots of an entry: margin = margin_frac x free, notional = margin x leverage, at most the largest notional the tier
 * table allows at that leverage (the cap of the last tier whose max_leverage >= leverage) and at most what the
 * venue admits for a market order (free / (price x (1 + band) / leverage + fee)); floor(notional / price). */
Lots retail_entry_lots(Quote free, double margin_frac, int32_t leverage, Ticks price, const MarginTable *table,
                       double band_frac, double fee_frac);
/* Sentiment target: tanh(ret_15m / ret_scale - liq_weight x (liq_long - liq_short) / (fear_liq_share x oi_notional));
 * the liquidation term is 0 when oi_notional <= 0. Liquidations and open interest in quote units. */
double retail_sentiment_target(const RetailDef *d, double ret_15m, double liq_long, double liq_short,
                               double oi_notional);
/* One relaxation step of s toward target over dt seconds with time constant tau (s, > 0). */
double retail_sentiment_step(double s, double target, double dt_s, double tau_s);
/* Instantaneous fear of a liquidation wave: 1 - exp(-(liq_long + liq_short) / (fear_liq_share x oi_notional)). */
double retail_fear_level(const RetailDef *d, double liq_long, double liq_short, double oi_notional);
/* Trend score: (ema_fast / ema_slow - 1) / trend_scale + herding x s + (long_bias - 0.5); 0-signal if ema_slow <= 0. */
double retail_trend_score(const RetailDef *d, double ema_fast, double ema_slow, double herding, double s);
/* P(long) of a noise trader: clamp(long_bias + herding x s / 2, 0.05, 0.95). */
double retail_noise_long_prob(const RetailDef *d, double herding, double s);

#endif
