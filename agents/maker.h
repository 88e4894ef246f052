/* Market makers (MODEL.md section 4; LITERATURE.md D). Behaviour rules, formulas and defaults: docs/agent_maker.md.
 *
 * One block of makers trades one venue: the world runs a perp block (`makers`, cross-margined accounts) and a spot
 * block (`spot_makers`, cash + asset inventory). Each maker owns one account and wakes every `refresh` (+ jitter).
 * On a wake, unless it is withdrawn, it computes `levels` orders per side around its reference price with
 *
 *     sigma  = max(vol_1m, vol_floor)                      (feed: RMS of 1-s log returns of the mark)
 *     half   = max(h, vol_spread_mult x sigma)             (h = the maker's minimum half-spread)
 *     q      = inventory / inventory limit                 (clamped to [-1, 1])
 *     skew   = clamp(-q x gamma x sigma^2 x tau, +-max_skew)   Avellaneda-Stoikov: r = s (1 + skew)
 *     bid_i  = floor(r (1 - half - i x spacing)),  ask_i = ceil(r (1 + half + i x spacing)),  i = 0..levels-1
 *     size_i = size_0 x growth^i (USD),
 *
 * never crossing the book's opposite best, each side cut to what keeps |inventory| within its limit and what the
 * account's margin (perp) or cash / asset (spot) can back. If they equal the quotes resting untouched nothing is
 * sent; otherwise agent_cancel_all and the new orders go out with one latency draw. It withdraws (cancels everything
 * and stays out for a cooldown) when vol_1m passes its threshold or when, within `adverse_window`, its fills moved
 * its inventory by more than a share of the limit or its equity fell by more than a share of its capital; it stays
 * out while the scenario's maker outage is on and (perp) while the venue is halted; under a margin call it quotes
 * only the side that reduces its position. Its perp account can be liquidated: it then stops. */
#ifndef CASCADE_MAKER_H
#define CASCADE_MAKER_H

#include "agent.h"

#define MAKER_MAX_LEVELS 20

/* The price a maker quotes around. Fallbacks, in order, when the chosen one is not available (empty book, no trade
 * yet): mid, last, index, perp mark, the fundamental. */
typedef enum MakerRef {
    MAKER_REF_INDEX = 0,    /* the venue's index (feed) */
    MAKER_REF_MID,          /* own venue's (best bid + best ask) / 2 */
    MAKER_REF_MICRO,        /* own venue's micro-price: (bid x ask_qty + ask x bid_qty) / (bid_qty + ask_qty) */
    MAKER_REF_LAST,         /* own venue's last trade */
    MAKER_REF_COUNT_
} MakerRef;

typedef struct MakerDef {
    uint32_t count;            /* agents in this block; 0 = the population is off */
    VenueKind venue;           /* where it trades (populations that trade on one venue) */
    /* capital and account */
    DistDef capital_usd;       /* per maker: perp collateral, or spot cash + asset value (half each) */
    int32_t leverage;          /* perp account leverage setting (cross margin) */
    double margin_use;         /* share of the available margin (perp) / balances (spot) quotes may use, (0, 1] */
    double inventory_limit;    /* |position notional| limit as a fraction of capital */
    /* quotes */
    MakerRef reference;
    uint32_t levels;           /* per side, 1..MAKER_MAX_LEVELS */
    DistDef half_spread_bps;   /* per maker: minimum half-spread h at calm volatility */
    double vol_spread_mult;    /* half-spread >= this x sigma (sigma per sqrt(s)) */
    double level_spacing_bps;  /* distance between consecutive levels */
    DistDef level_size_usd;    /* per maker: size of the innermost level */
    double size_growth;        /* size of level i = size_0 x growth^i */
    bool post_only;            /* post-only (true) or plain limit orders */
    /* Avellaneda-Stoikov inventory skew */
    double risk_aversion;      /* gamma, per unit of normalised inventory q */
    SimDuration horizon;       /* tau (T - t), a stationary horizon in a 24/7 market */
    double vol_floor_bps;      /* sigma is at least this (bps per sqrt(s)) */
    double max_skew_bps;       /* |skew| cap */
    /* timing */
    SimDuration refresh;       /* quote refresh interval */
    double refresh_jitter;     /* each interval is refresh x U(1 - j, 1 + j) */
    LatencyDef latency;
    /* withdrawal */
    DistDef withdraw_vol_bps;  /* per maker: withdraw when vol_1m exceeds this (bps per sqrt(s)) */
    SimDuration adverse_window;/* window of the adverse-fill checks (tumbling, restarted when it elapses) */
    double adverse_inventory;  /* withdraw when fills in the window move inventory by this x the limit (0 = off) */
    double adverse_loss_bps;   /* withdraw when equity falls by this many bps of capital in the window (0 = off) */
    SimDuration cooldown;      /* stay out this long after the last trigger */
    /* hedging (perp makers only): offset the perp inventory on the spot venue, as market makers that run a
     * delta-neutral book do; it carries forced flow absorbed on the perp to the spot market behind the index */
    double hedge_share;        /* share of capital kept on spot (half cash, half asset) for hedging; 0 = no hedging */
    double hedge_band;         /* net exposure (perp + spot) left unhedged, as a fraction of the inventory limit */
    double hedge_slippage_bps; /* a hedge is an IOC limited this far beyond the spot touch */
} MakerDef;

/* Defaults of a realistic baseline perp block (8 makers). */
MakerDef maker_default_def(void);
/* Defaults of the spot block (4 makers around the spot micro-price). */
MakerDef maker_default_spot_def(void);
/* Creates the population: draws its agents' parameters from rng, opens their accounts and schedules their first
 * wake-ups through env. *out receives the state, to be used with maker_ops. STATUS_INVALID when no price is known
 * yet (a spot block needs one to split capital) or the def is out of range. */
Status maker_create(const MakerDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out);
extern const PopulationOps maker_ops;

/* ---- the quote computation (pure; exposed for tests and docs) ---- */

typedef struct MakerQuoteIn {
    Ticks ref_tk;              /* reference price (> 0) */
    double vol;                /* realized volatility per sqrt(s) (fraction), before the floor */
    double half_spread;        /* the maker's minimum half-spread h (fraction) */
    Lots inventory;            /* signed position (spot: asset minus its starting amount) */
    Lots inv_limit;            /* inventory limit in lots (>= 0) */
    Quote level0_notional;     /* size of the innermost level (quote units) */
    Quote max_notional[2];     /* per side [SIDE_BUY], [SIDE_SELL]: what the account can back (quote units) */
    Ticks best_bid, best_ask;  /* the book when deciding (0 = empty side): a quote never crosses the other side */
} MakerQuoteIn;

typedef struct MakerQuotes {
    double sigma;              /* max(vol, floor) */
    double half;               /* half-spread used (fraction) */
    double skew;               /* reservation offset (fraction of ref) */
    double reservation;        /* r in ticks (unrounded) */
    uint32_t n[2];             /* levels per side */
    Ticks price[2][MAKER_MAX_LEVELS];  /* best first: bids descending, asks ascending, at least 1 tick apart */
    Lots qty[2][MAKER_MAX_LEVELS];     /* > 0 */
} MakerQuotes;

/* The quotes of one refresh (see the top of this file). */
void maker_quotes(const MakerDef *d, const MakerQuoteIn *in, MakerQuotes *out);

/* ---- population state (read-only view for the world, metrics and tests) ---- */

typedef enum MakerState {
    MAKER_QUOTING = 0,         /* quotes out (or about to be) */
    MAKER_COOLDOWN,            /* withdrawn after a volatility or adverse-fill trigger */
    MAKER_OUT,                 /* pulled by a maker outage or a halt */
    MAKER_DEAD,                /* liquidated: no more wake-ups */
    MAKER_STATE_COUNT_
} MakerState;

typedef struct MakerStats {
    uint32_t agents;
    uint32_t by_state[MAKER_STATE_COUNT_];
    uint64_t refreshes;        /* wakes that posted quotes */
    uint64_t orders, rejects;  /* submissions that reached the venue, and how many it refused */
    uint64_t fills;
    Lots volume;
    uint64_t withdrawals_vol, withdrawals_adverse, returns;
    uint64_t liquidations;
    uint64_t hedge_orders;     /* spot IOC hedges sent */
    Lots hedge_volume;         /* spot lots they filled */
} MakerStats;

MakerStats maker_stats(const void *pop);
/* Agents that currently have quotes out (state QUOTING): the "number of market makers quoting" output. */
uint32_t maker_quoting(const void *pop);
/* One agent's state and account. */
MakerState maker_agent_state(const void *pop, uint32_t agent);
AccountId maker_agent_account(const void *pop, uint32_t agent);
/* The spot account a hedging perp maker offsets its inventory on (ACCOUNT_NONE when it does not hedge). */
AccountId maker_agent_hedge_account(const void *pop, uint32_t agent);
/* Its inventory in lots as tracked from its fills (perp: the position, zeroed by a liquidation; ADL is not
 * reported to agents; spot: asset bought minus asset sold; hedge fills are not counted). */
Lots maker_agent_inventory(const void *pop, uint32_t agent);

const char *maker_state_name(MakerState s);
const char *maker_ref_name(MakerRef r);

#endif
