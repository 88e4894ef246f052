/* Zero-intelligence noise traders on one venue (MODEL.md section 4, "Background"; LITERATURE.md A6: Farmer,
 * Patelli & Zovko 2005 and the Chiarella-Iori family). Behaviour rules, formulas and defaults: docs/agent_noise.md.
 *
 * One population-level Poisson process (rate = count x rate_per_hour, thinned by the 24/7 profile) drives the block:
 * each event picks an agent uniformly, which first cancels its orders older than max_order_age, then
 *   - if its inventory is beyond max_position_usd: trades back toward flat with a market order (reduce-only on the
 *     perpetual venue) down to rebalance_to x max_position_usd, and does nothing else;
 *   - otherwise, with probabilities p_limit : p_market : p_cancel, places a limit order offset_bps away from the mid
 *     (below it for a buy, above for a sell), sends a market order, or cancels one of its resting orders at random.
 * Sizes are drawn in USD; the side is a coin skewed against the agent's inventory (inventory_skew), so the flow is
 * balanced on average and positions stay bounded. Each agent keeps at most max_orders orders in a small ring of
 * slots (in flight or resting); a new limit order on a full ring replaces the oldest resting one.
 *
 * Perp blocks trade from cross-margined accounts (cash_usd collateral, modest leverage); spot blocks hold cash_usd
 * of cash and asset_usd of the asset (inventory = asset held minus the initial holding). Every order is clipped to
 * what the account can afford, so venue rejections stay rare (they are counted). */
#ifndef CASCADE_NOISE_H
#define CASCADE_NOISE_H

#include "agent.h"

typedef struct NoiseDef {
    uint32_t count;            /* agents in this block; 0 = the population is off */
    VenueKind venue;           /* where it trades: VENUE_PERP (world block `noise`) or VENUE_SPOT (`spot_noise`) */
    double rate_per_hour;      /* events per agent per hour at profile factor 1 */
    double p_limit;            /* relative weight of a limit order among the event kinds */
    double p_market;           /* relative weight of a market order */
    double p_cancel;           /* relative weight of a cancel of one resting order */
    DistDef offset_bps;        /* limit price distance from the mid, basis points (>= 0: never crosses the mid) */
    DistDef size_usd;          /* order size, USD notional */
    double cash_usd;           /* perp: collateral per agent; spot: cash per agent */
    double asset_usd;          /* spot: asset per agent at the initial price (ignored on the perpetual venue) */
    int32_t leverage;          /* perp: cross-margin leverage setting (ignored on spot) */
    double max_position_usd;   /* inventory bound: beyond it the agent trades back toward flat */
    double rebalance_to;       /* ... down to this fraction of the bound */
    double inventory_skew;     /* P(buy) = 0.5 x (1 - skew x clamp(inventory / bound, -1, 1)) */
    uint32_t max_orders;       /* order slots per agent (in flight or resting), 1..256 (a tag carries the slot) */
    SimDuration max_order_age; /* resting orders older than this are cancelled at the agent's next event */
    LatencyDef latency;        /* order-entry latency */
} NoiseDef;

/* Counters of a block (for tests, metrics and the docs' numbers). */
typedef struct NoiseStats {
    uint64_t events;           /* agent events (after thinning) */
    uint64_t limits, markets, cancels, expiries, rebalances;
    uint64_t rejects;          /* submissions the venue refused */
    uint64_t fills;
    uint64_t buy_orders, sell_orders; /* limit + market + rebalance orders by side */
    Lots volume;               /* lots filled */
    uint32_t liquidations;
} NoiseStats;

/* Defaults of a realistic baseline block on the perpetual venue (50 agents, ~2.5 events/s in all). */
NoiseDef noise_default_def(void);
/* The same block on the spot venue (cash and asset instead of margin). */
NoiseDef noise_default_spot_def(void);
/* Creates the population: draws its agents' parameters from rng, opens their accounts and schedules their first
 * wake-ups through env. *out receives the state, to be used with noise_ops. */
Status noise_create(const NoiseDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out);
extern const PopulationOps noise_ops;

/* The block's counters; pop is the state noise_create returned. */
NoiseStats noise_stats(const void *pop);
/* Agent i's account on the block's venue. */
AccountId noise_account(const void *pop, uint32_t agent);

/* ---- decision rules (pure; exposed for tests) ---- */

/* Probability of a buy for an agent whose inventory is inv_usd against the bound max_usd (> 0). */
double noise_buy_prob(double inv_usd, double max_usd, double skew);
/* Limit price offset_bps (>= 0) away from the reference: a buy floor(ref x (1 - bps/1e4)) (at least 1),
 * a sell ceil(ref x (1 + bps/1e4)). */
Ticks noise_limit_price(Ticks ref_tk, Side side, double offset_bps);
/* Lots to trade back toward flat for an inventory of `inv` lots against a bound of `bound` lots: 0 while
 * |inv| <= bound, else |inv| - floor(rebalance_to x bound). */
Lots noise_rebalance_lots(Lots inv, Lots bound, double rebalance_to);

#endif
