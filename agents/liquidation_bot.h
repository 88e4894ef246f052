/* Liquidation bots (MODEL.md 4): capital-limited traders that live off the liquidation flow. One population holds a
 * mix of three types (shares in the def). Behaviour rules: docs/agent_liquidation_bot.md.
 *
 *   backstop takers     register their perp account as backstop takers (LIQ_MODE_BACKSTOP) and answer offers with
 *                       lots at a price a discount below the mark (buying a liquidated long) or above it (taking
 *                       over a short), limited by exposure and free margin; they unwind the inventory later;
 *   discount providers  when the public liquidation feed (notional liquidated in the last 60 s) or the engine
 *                       backlog rises above a threshold, post a ladder of bids below the mark (asks above it for
 *                       short liquidations) sized by capital, cancel it after a time, unwind the inventory later;
 *   predatory hunters   estimate where the crowd's liquidation prices cluster from public data only (the feed's
 *                       mark EMAs as entry prices, an assumed typical leverage and maintenance rate) and, when the
 *                       mark is within a few % of a dense cluster and open interest is high, sell (buy) to push the
 *                       price through it, then buy back (sell) into the liquidation flow.
 * No bot reads another account's data: only the feed, the books, the mark and its own account.
 *
 * The pure rules below are public so that tests can check them with hand-computed numbers. */
#ifndef CASCADE_LIQUIDATION_BOT_H
#define CASCADE_LIQUIDATION_BOT_H

#include "agent.h"

typedef enum LiqBotType { LIQBOT_BACKSTOP = 0, LIQBOT_DISCOUNT, LIQBOT_HUNTER, LIQBOT_TYPE_COUNT_ } LiqBotType;

typedef struct LiqBotDef {
    uint32_t count;            /* agents in this block; 0 = the population is off */
    VenueKind venue;           /* where it trades (populations that trade on one venue): the perp */
    double share_backstop;     /* type mix: shares of the count (normalised by their sum) */
    double share_discount;
    double share_hunter;
    DistDef capital_usd;       /* perp collateral per agent, USD */
    int32_t leverage;          /* perp account leverage setting (cross margin) */
    double max_exposure;       /* most position notional, as a multiple of capital */
    SimDuration interval;      /* mean time between wakes */
    double jitter;             /* wakes spread uniformly over interval x [1 - jitter, 1 + jitter] */
    LatencyDef latency;
    double slippage_bps;       /* IOC limit beyond the touch (unwinds, covers) */
    /* inventory (backstop takers and discount providers) */
    double take_profit_bps;    /* unwind once the mark is this far beyond the average entry in the bot's favour */
    SimDuration max_hold;      /* unwind inventory older than this whatever the price */
    double unwind_share;       /* share of the inventory sent per wake while unwinding */
    /* backstop takers */
    DistDef backstop_discount_bps; /* offer price: mark - this (taking a long) or mark + this (a short), bps */
    /* discount providers */
    double trigger_liq_usd;    /* notional liquidated on one side in the last 60 s that triggers the ladder, USD */
    double trigger_backlog_usd;/* liquidation-engine backlog that triggers the ladder, USD */
    DistDef discount_bps;      /* first ladder level below (above) the mark, bps */
    uint32_t levels;           /* ladder levels */
    double level_step_bps;     /* spacing of the levels, bps */
    double quote_share;        /* share of the bot's remaining capacity posted in the ladder */
    SimDuration quote_ttl;     /* the ladder is cancelled after this */
    /* predatory hunters */
    DistDef typical_leverage;  /* leverage a hunter assumes for the crowd (drawn per hunter) */
    double assumed_mmr;        /* maintenance rate in its liquidation-price estimate */
    double cluster_band_pct;   /* estimates within this % of the nearest one belong to its cluster */
    double min_density;        /* least share of the horizons that must fall in the cluster */
    double trigger_distance_pct; /* push when the mark is within this % of the cluster */
    double oi_ratio;           /* and open interest >= this x its slow average */
    double min_oi_usd;         /* and open interest >= this, USD */
    double push_share;         /* share of the hunter's capacity sold (bought) in the push */
    double overshoot_bps;      /* the push goes this far through the cluster, no farther */
    double stop_bps;           /* cover at once when the mark moves this far against the push */
    SimDuration hunt_max;      /* cover after this anyway */
    SimDuration hunt_cooldown; /* wait this long after a hunt */
} LiqBotDef;

/* Defaults of a realistic baseline block. */
LiqBotDef liquidation_bot_default_def(void);
/* Creates the population: draws its agents' parameters from rng, opens their accounts and schedules their first
 * wake-ups through env. *out receives the state, to be used with liquidation_bot_ops. */
Status liquidation_bot_create(const LiqBotDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out);
extern const PopulationOps liquidation_bot_ops;

/* ---- pure rules (docs/agent_liquidation_bot.md) ---- */

/* Type counts from the shares by largest remainder (ties to the earlier type); they sum to count. */
void liqbot_type_counts(const LiqBotDef *def, uint32_t out[LIQBOT_TYPE_COUNT_]);

/* A backstop taker's answer to an offer. price = mark x (1 -/+ discount / 1e4) (taking a long / a short); lots =
 * min(offered, exposure room, margin room) with
 *   exposure room = max_position - position (taking a long; + position when taking a short), signed position,
 *   margin room   = floor(free_margin / ceil(mark / leverage)),
 * never below 0. */
Lots liqbot_backstop_bid(const PerpBackstopOffer *o, double discount_bps, Lots position, Lots max_position,
                         Quote free_margin, int32_t leverage, Ticks *price);

/* Discount providers' trigger. Returns SIDE_BUY (bid for liquidated longs), SIDE_SELL (offer to liquidated shorts) or
 * -1 (no trigger): the side with the larger 60-s liquidated notional when it reaches trigger_liq (quote units);
 * else, when the backlog reaches trigger_backlog, the side the 1-minute return points to (falling: SIDE_BUY). */
int liqbot_discount_trigger(const MarketFeed *f, double trigger_liq, double trigger_backlog);

/* An estimated cluster of liquidation prices. */
typedef struct LiqCluster {
    double price;      /* mean of the member estimates (ticks) */
    double density;    /* members / FEED_HORIZONS */
    uint32_t members;
} LiqCluster;

/* Cluster of the crowd's liquidation prices on one side, from the EMAs of the mark taken as entry prices:
 *   longs (side SIDE_BUY):  L_h = ema_h x (1 - 1/leverage + mmr), considered when below the mark;
 *   shorts (SIDE_SELL):     L_h = ema_h x (1 + 1/leverage - mmr), considered when above the mark.
 * The cluster is the estimate nearest to the mark and every other within band_pct % of it (farther from the mark).
 * False when no estimate lies on that side. */
bool liqbot_cluster(const double ema[FEED_HORIZONS], double mark, double leverage, double mmr, double band_pct,
                    Side side, LiqCluster *out);

/* A hunter's thresholds. */
typedef struct LiqHuntRule {
    double leverage, mmr, band_pct;    /* the cluster estimate (liqbot_cluster) */
    double min_density;                /* least share of horizons in the cluster */
    double trigger_distance_pct;       /* cluster within this % of the mark */
    double oi_ratio;                   /* open interest >= this x its average */
    double min_oi;                     /* open interest notional >= this (quote units) */
} LiqHuntRule;

/* The hunter's rule: +1 push down through the long cluster (sell), -1 push up through the short cluster (buy),
 * 0 nothing. A side qualifies when its cluster has density >= min_density and lies within trigger_distance_pct % of
 * the mark, and the market when oi >= oi_ratio x oi_avg and oi_notional >= min_oi; the nearer qualifying side wins.
 * *out receives the chosen cluster. */
int liqbot_hunt(const LiqHuntRule *r, const double ema[FEED_HORIZONS], double mark, double oi, double oi_avg,
                double oi_notional, LiqCluster *out);

#endif
