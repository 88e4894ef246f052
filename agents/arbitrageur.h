/* Arbitrageurs (MODEL.md 4): perp-vs-spot basis traders, capital- and margin-limited (limits to arbitrage,
 * LITERATURE.md A4 Brunnermeier-Pedersen; "Crypto carry", A8). Behaviour rules: docs/agent_arbitrageur.md.
 *
 * Each agent holds a cross-margined perp account and a spot account with cash and an asset inventory (spot cannot
 * be shorted, so the "cheap perp" trade sells inventory). On every wake (interval + jitter) it reads the executable
 * prices at the top of both books and the public funding rate and
 *   - opens / adds to the "rich" trade (sell perp, buy spot) or the "cheap" trade (buy perp, sell spot) when the
 *     expected edge, basis plus expected funding minus round-trip taker costs, exceeds its entry threshold;
 *   - unwinds when the basis has converged below its exit threshold and funding no longer pays for holding;
 *   - re-hedges a mismatch between the legs (legging risk: the two IOC legs travel with independent latencies).
 * Sizes are capped per wake (a clip) and in total by perp free margin and spot free cash / free inventory.
 *
 * The pure decision helpers below are public so that tests can check them with hand-computed numbers. */
#ifndef CASCADE_ARBITRAGEUR_H
#define CASCADE_ARBITRAGEUR_H

#include "agent.h"

typedef struct ArbitrageurDef {
    uint32_t count;            /* agents in this block; 0 = the population is off */
    VenueKind venue;           /* where it trades (populations that trade on one venue) -- unused: both venues */
    DistDef capital_usd;       /* an agent's total capital (perp collateral + spot cash + spot inventory), USD */
    double perp_share;         /* share of capital deposited as perp collateral (0..1) */
    double inventory_share;    /* share of the spot capital held as asset inventory at the start (0..1) */
    int32_t leverage;          /* perp account leverage setting (cross margin) */
    double margin_use;         /* most of the perp collateral committed as initial margin (0..1) */
    double clip_share;         /* most traded per wake, as a share of capital */
    DistDef entry_bps;         /* edge beyond costs needed to open or add, bps (per agent) */
    double exit_bps;           /* unwind when the closing basis is at or below this, bps */
    double perp_fee_bps;       /* taker fee the agent budgets on the perp venue, bps */
    double spot_fee_bps;       /* taker fee the agent budgets on the spot venue, bps */
    double slippage_bps;       /* IOC limit beyond the touch, bps */
    double funding_horizon;    /* funding intervals the agent expects to hold (weights the funding rate) */
    double funding_hold_bps;   /* keep a position while the rate pays it at least this per interval, bps */
    double min_trade_usd;      /* smallest clip worth sending, USD */
    SimDuration interval;      /* mean time between wakes */
    double jitter;             /* wakes are spread uniformly over interval x [1 - jitter, 1 + jitter] */
    LatencyDef latency;        /* order-entry latency (each leg draws its own) */
} ArbitrageurDef;

/* Defaults of a realistic baseline block. */
ArbitrageurDef arbitrageur_default_def(void);
/* Creates the population: draws its agents' parameters from rng, opens their accounts and schedules their first
 * wake-ups through env. *out receives the state, to be used with arbitrageur_ops. */
Status arbitrageur_create(const ArbitrageurDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out);
extern const PopulationOps arbitrageur_ops;

/* ---- pure decision rules (docs/agent_arbitrageur.md) ---- */

/* What the agent sees: the tops of both books and the funding rate (1e-8 per interval, > 0: longs pay). */
typedef struct ArbQuotes {
    Ticks perp_bid, perp_ask, spot_bid, spot_ask;
    int64_t funding_e8;
} ArbQuotes;

/* The agent's thresholds in bps. cost = 2 x (perp fee + spot fee): both legs in and out at the taker fee. */
typedef struct ArbRule {
    double cost_bps, entry_bps, exit_bps, funding_horizon, funding_hold_bps;
} ArbRule;

typedef enum ArbAction {
    ARB_HOLD = 0,
    ARB_OPEN_RICH,    /* perp rich: sell perp, buy spot (also: add) */
    ARB_OPEN_CHEAP,   /* perp cheap: buy perp, sell spot inventory (also: add) */
    ARB_UNWIND,       /* close the current trade */
} ArbAction;

/* Executable basis of each trade in bps:
 *   open rich   (perp_bid - spot_ask) / spot_ask     close rich   (perp_ask - spot_bid) / spot_bid
 *   open cheap  (spot_bid - perp_ask) / perp_ask     close cheap  (spot_ask - perp_bid) / perp_bid
 * (the closing basis is what is still left to gain; the trade converged when it is <= exit). */
typedef struct ArbBasis {
    double open_rich, open_cheap, close_rich, close_cheap;
} ArbBasis;
ArbBasis arb_basis(const ArbQuotes *q);

/* The decision for an agent whose current trade is dir (+1 rich, -1 cheap, 0 flat). With f = funding in bps per
 * interval and H = funding_horizon:
 *   edge_rich  = open_rich  + H f - cost,   edge_cheap = open_cheap - H f - cost;
 *   flat or same direction: open/add the side whose edge exceeds entry (the larger one);
 *   dir = +1: unwind when close_rich <= exit and f < funding_hold, or when edge_cheap exceeds entry;
 *   dir = -1: unwind when close_cheap <= exit and -f < funding_hold, or when edge_rich exceeds entry.
 * Missing prices (0) give ARB_HOLD. */
ArbAction arb_decide(const ArbRule *r, const ArbQuotes *q, int dir);

/* Capacity of one opening clip in lots, the smallest of (each >= 0):
 *   perp:  floor((perp_free - perp_reserve) / (px / leverage + px x perp_fee / 1e4))   (margin kept free)
 *   spot:  rich (buy spot): floor(spot_free_cash / spot_hold_per_lot);  cheap (sell spot): spot_free_asset
 *   clip:  floor(clip / px)
 * px is the perp limit price (ticks, > 0); quote amounts in quote units. Other actions: 0. */
typedef struct ArbCapacity {
    Quote perp_free;           /* perp_free_margin of the account */
    Quote perp_reserve;        /* (1 - margin_use) x perp collateral, never committed */
    int32_t leverage;
    double perp_fee_bps;
    Quote spot_free_cash;
    Quote spot_hold_per_lot;   /* cash one lot of the spot buy holds at its limit (spot_hold_per_lot) */
    Lots spot_free_asset;
    Quote clip;
} ArbCapacity;
Lots arb_open_size(const ArbCapacity *c, ArbAction a, Ticks px);

#endif
