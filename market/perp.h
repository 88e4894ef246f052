/* The perpetual venue: a book, the margin ledger, mark/index/funding, the liquidation engine (insurance fund, ADL,
 * bad debt) and the exchange's policy switches (MODEL.md 3.2-3.6; LITERATURE.md C1-C7). Mechanics, formulas and
 * sources: docs/perp.md.
 *
 * Time. The venue keeps its own schedule (mark updates, premium samples, funding settlements, liquidation-engine
 * ticks, the end of a halt, dynamic-margin reviews). The world's event queue asks perp_next_due() and calls
 * perp_advance(now) at that time; every public call that takes `now` first runs whatever is due up to now, so the
 * venue never acts on a stale schedule. Tasks due at the same instant run in a fixed order: halt end, mark update
 * (liquidation checks, mark stops, circuit breaker), premium sample, funding settlement (then liquidation checks
 * again: funding moves isolated liquidation prices), margin review, engine tick.
 *
 * Accounts are the ledger's dense AccountIds. The venue also creates internal accounts (one per position the
 * liquidation engine holds); they never trade on their own and are excluded from liquidation checks and ADL.
 *
 * Orders: perp_submit admits an order only if the account's free margin covers the initial margin of everything it
 * could open (this order plus the account's other open orders on that side) plus the taker fee; reduce-only orders
 * are clipped to the position. Fills apply to the ledger immediately (fees in basis points through money_fee) and
 * an isolated position receives initial margin for the lots it opens. The account's own tag comes back in trades.
 *
 * Conservation: perp_check (ledger identity, OI long == short, order table against the book, engine items against
 * the engine accounts). Run after every public call in CASCADE_VALIDATE builds and by the world at the end of a run. */
#ifndef CASCADE_PERP_H
#define CASCADE_PERP_H

#include "book.h"
#include "funding.h"
#include "ledger.h"
#include "mark.h"
#include "order_table.h"
#include "simtime.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct PerpVenue PerpVenue;

typedef enum LiqMode {
    LIQ_MODE_MARKET = 0,     /* sweep the book with market orders (protection band around mark) */
    LIQ_MODE_BANKRUPTCY_IOC, /* IOC at the bankruptcy price, retried each tick; after ioc_retries: as market */
    LIQ_MODE_PARTIAL,        /* take over only enough lots to bring the position into a lower tier where it holds */
    LIQ_MODE_BACKSTOP,       /* offer the position to registered backstop takers first; the rest as market */
    LIQ_MODE_COUNT_
} LiqMode;

typedef enum DynMmrMode {
    DYN_MMR_OFF = 0,
    DYN_MMR_VOLATILITY,      /* scale by short-term realized volatility of the mark */
    DYN_MMR_CROWDING,        /* scale by the share of open interest whose liquidation price is near the mark */
    DYN_MMR_BOTH,            /* the larger of the two factors */
    DYN_MMR_COUNT_
} DynMmrMode;

typedef struct PerpLiqDef {
    LiqMode mode;
    int32_t fee_bps;              /* liquidation fee on the notional at mark, from remaining margin to the fund */
    SimDuration tick;             /* engine tick period while a backlog exists (> 0) */
    uint32_t max_orders_per_tick; /* 0 = unlimited */
    Quote max_notional_per_tick;  /* at mark; 0 = unlimited */
    uint32_t ioc_retries;         /* LIQ_MODE_BANKRUPTCY_IOC: failed ticks before the market path */
    int32_t band_bps;             /* protection band of the engine's market orders around the mark (> 0) */
    bool adl;                     /* auto-deleveraging when the fund cannot cover; off: bad debt */
    bool backstop_auction;        /* LIQ_MODE_BACKSTOP: best offered price first (true) or all at bankruptcy */
    SimDuration generation_window;/* MODEL.md 3.5 lookback for a liquidation's generation (> 0) */
} PerpLiqDef;

typedef struct PerpPolicyDef {
    int32_t price_band_bps;       /* reject limit prices beyond mark +/- band; market orders use it as their band;
                                     0 = off */
    int32_t max_leverage;         /* venue cap on account leverage (1..first tier's max) */
    int32_t cb_move_bps;          /* circuit breaker: halt when trades move more than this within cb_window; 0 = off */
    SimDuration cb_window;
    SimDuration cb_halt;          /* halt length; the book then reopens with a single-price call auction */
    DynMmrMode dyn_mmr;
    SimDuration dyn_review;       /* how often the factor is reviewed (> 0 when on) */
    SimDuration dyn_vol_window;   /* realized volatility over mark returns sampled at each mark update */
    int64_t dyn_vol_ref_ppm;      /* reference per-update volatility (ppm of price); factor 1 at or below it */
    int64_t dyn_vol_slope_ppm;    /* factor = 1 + slope x (vol / ref - 1) above the reference */
    int32_t dyn_crowd_band_bps;   /* crowding: isolated positions with LP within this band of the mark */
    int64_t dyn_crowd_ref_ppm;    /* share of open interest (ppm) at which the factor starts rising */
    int64_t dyn_crowd_slope_ppm;  /* factor = 1 + slope x (share - ref) / 1e6 */
    int64_t dyn_max_factor_ppm;   /* cap of the factor (>= 1e6) */
    int64_t dyn_step_ppm;         /* factor quantum (the table is rebuilt only when the quantised factor changes) */
} PerpPolicyDef;

typedef struct PerpDef {
    BookDef book;                 /* the venue installs its own listener */
    LedgerDef ledger;             /* tier table and initial account capacity */
    MarkDef mark;
    FundingDef funding;           /* impact_notional must be set */
    SimTime start;                /* first mark update time */
    SimDuration mark_period;      /* default 1 s */
    int32_t maker_fee_bps;        /* may be negative (rebate), >= -taker */
    int32_t taker_fee_bps;
    int32_t market_band_bps;      /* user market orders' protection band around the mark (policy band overrides) */
    int64_t warn_ratio_ppm;       /* margin-call warning when maintenance / margin balance >= this (default 80 %) */
    Quote insurance_fund;         /* initial fund (>= 0), counted as a fund deposit */
    PerpLiqDef liq;
    PerpPolicyDef policy;
} PerpDef;

/* A trade as the world sees it (one per book fill). */
typedef struct PerpTrade {
    SimTime time;
    Ticks price_tk;
    Lots qty;
    Side aggressor;
    AccountId maker, taker;
    uint64_t maker_tag, taker_tag;   /* the accounts' own tags (0 for engine orders) */
    OrderRef maker_ref, taker_ref;   /* the venue references (ORDER_REF_NONE once the order ended) */
    Lots maker_remaining, taker_remaining;
    Quote maker_fee, taker_fee;
    bool taker_is_liquidation;       /* the liquidation engine's order */
    bool auction;
} PerpTrade;

/* One liquidation (MODEL.md section 5, liquidations.csv). Written at trigger, completed when the engine is done. */
typedef struct PerpLiqRecord {
    SimTime time;             /* trigger (mark update) time */
    SimTime done_time;        /* when the engine finished the position; 0 while in the backlog */
    AccountId account;
    Side side;                /* the liquidated position's side (SIDE_BUY = a long) */
    Lots qty;                 /* lots taken over */
    bool partial;             /* LIQ_MODE_PARTIAL slice; the account keeps the rest */
    bool cross;
    int32_t leverage;         /* the account's leverage setting */
    double eff_leverage;      /* notional at mark / margin balance at trigger (1e18 if the balance was <= 0) */
    Ticks mark_tk;            /* mark at trigger */
    Ticks liq_price_tk;       /* isolated: its liquidation price; cross: 0 */
    Ticks bankruptcy_tk;      /* the takeover price (the mark for a partial slice) */
    Quote fee;                /* liquidation fee to the fund */
    Lots book_qty;            /* lots the engine sold/bought in the book */
    Quote book_notional;      /* their notional (VWAP = book_notional / book_qty) */
    Lots backstop_qty;
    Lots adl_qty;
    Quote pnl;                /* engine's result on the position: > 0 surplus to the fund, < 0 deficit */
    Quote fund_paid;          /* deficit covered by the fund */
    Quote bad_debt;           /* deficit nobody covered */
    int32_t generation;
    uint32_t cascade_id;      /* the generation-0 liquidation's cascade (ids from 1) */
} PerpLiqRecord;

/* A backstop taker: a cross account (liquidation bot, vault) offered positions in LIQ_MODE_BACKSTOP. */
typedef struct PerpBackstopOffer {
    SimTime time;
    Side side;                /* the side the taker would take on (SIDE_BUY = it buys the liquidated long) */
    Lots qty;
    Ticks bankruptcy_tk;
    Ticks mark_tk;
} PerpBackstopOffer;

typedef struct PerpBackstop {
    void *ctx;
    /* Returns how many lots the taker wants (0..offer->qty) and, for auctions, the price in *price_tk (a worse
     * price than bankruptcy costs the insurance fund). NULL: takes all it can afford at the bankruptcy price. */
    Lots (*offer)(void *ctx, const PerpBackstopOffer *offer, Ticks *price_tk);
} PerpBackstop;

typedef struct PerpListener {
    void *ctx;
    void (*on_trade)(void *ctx, const PerpTrade *trade);
    /* A liquidation was triggered (the record's book/ADL fields fill in later). */
    void (*on_liquidation)(void *ctx, const PerpLiqRecord *record);
    /* An order of an account ended without a fill completing it and without perp_cancel (IOC, band, STP, or the
     * engine cancelling a liquidated account's orders). */
    void (*on_order_done)(void *ctx, AccountId account, OrderRef ref, uint64_t tag, Lots remaining);
} PerpListener;

typedef struct PerpStats {
    uint64_t submits, rejects, band_rejects, margin_rejects, cancels, fills;
    Lots volume;
    uint64_t mark_updates, fundings, engine_ticks;
    uint64_t liquidations, partial_liquidations;
    Quote liq_notional[2];    /* by liquidated side, at trigger mark */
    uint64_t adl_events;
    Lots adl_qty;
    Quote adl_notional;
    uint64_t halts;
    uint32_t backlog_items;   /* now */
    uint32_t backlog_peak;
    Lots backlog_lots;        /* now */
    Quote backlog_notional;   /* now, at the latest mark */
    Quote backlog_notional_peak;
    int32_t deepest_generation;
    uint32_t cascades;        /* cascade ids issued */
    int64_t last_funding_e8;
    int64_t dyn_factor_ppm;   /* current dynamic maintenance factor (1e6 = off) */
} PerpStats;

/* ---- lifecycle ---- */

/* Binance-like defaults: BTCUSDT tiers (ledger_default_def), median3 mark, 8-h funding with IMN 200 USDT-notional
 * equivalent, fees 2/5 bps, liquidation market mode 50 bps fee, tick 100 ms, unlimited throughput, ADL on,
 * generation window 60 s, policies off. Prices and quotes in the ledger's units. */
PerpDef perp_default_def(void);
/* STATUS_OK or STATUS_INVALID with a reason naming the field. */
Status perp_def_validate(const PerpDef *def, char *why, size_t why_cap);
Status perp_create(const PerpDef *def, PerpVenue **out);
void perp_destroy(PerpVenue *p);
void perp_set_listener(PerpVenue *p, const PerpListener *listener);

/* ---- accounts ---- */

Status perp_add_account(PerpVenue *p, MarginMode mode, int32_t leverage, AccountId *out);
/* Registers account a (cross) as a backstop taker for LIQ_MODE_BACKSTOP, in registration order. */
Status perp_add_backstop(PerpVenue *p, AccountId a, const PerpBackstop *taker);
Status perp_deposit(PerpVenue *p, AccountId a, Quote amount);
Status perp_withdraw(PerpVenue *p, SimTime now, AccountId a, Quote amount);
/* Leverage within [1, min(policy max, tier max for the current position)]. */
Status perp_set_leverage(PerpVenue *p, AccountId a, int32_t leverage);
/* Isolated top-up of an open position (a margin-call response). */
Status perp_add_margin(PerpVenue *p, SimTime now, AccountId a, Quote amount);

/* ---- orders ---- */

/* STATUS_REJECTED: not enough margin, price band, halted (IOC/market), reduce-only with nothing to reduce, or the
 * book's own refusals. STATUS_INVALID: bad request. */
Status perp_submit(PerpVenue *p, SimTime now, AccountId a, const VenueReq *req, VenueResult *out);
/* STATUS_STALE when the order already ended; STATUS_INVALID when it is not a's. */
Status perp_cancel(PerpVenue *p, SimTime now, AccountId a, OrderRef ref);
/* Cancels every open order of a; returns how many. */
uint32_t perp_cancel_all(PerpVenue *p, SimTime now, AccountId a);
uint32_t perp_order_count(const PerpVenue *p, AccountId a);

/* ---- time ---- */

/* The index the next mark update uses (the world computes it from spot venues). Advance to the index's time
 * first: mark updates still due before it would otherwise see it early. */
void perp_set_index(PerpVenue *p, Ticks index_tk);
/* Earliest scheduled task (SIMTIME_MAX when none). */
SimTime perp_next_due(const PerpVenue *p);
/* Runs every task due at or before now, in time order. now must not go backwards (asserted). */
void perp_advance(PerpVenue *p, SimTime now);

/* ---- reads ---- */

/* The venue's rules as created (fees, bands, leverage cap, liquidation and policy settings). */
const PerpDef *perp_def(const PerpVenue *p);
const Book *perp_book(const PerpVenue *p);
const Ledger *perp_ledger(const PerpVenue *p);
Ticks perp_mark(const PerpVenue *p);
Ticks perp_index(const PerpVenue *p);
bool perp_halted(const PerpVenue *p);
/* maintenance / margin balance in ppm (0 when flat, INT64_MAX when the balance is <= 0). */
int64_t perp_margin_ratio_ppm(const PerpVenue *p, AccountId a);
/* True when the margin ratio is at or above the warning level (an agent may top up or close). */
bool perp_margin_call(const PerpVenue *p, AccountId a);
/* Free margin for new orders: ledger_available minus the initial margin held by open orders. */
Quote perp_free_margin(const PerpVenue *p, AccountId a);
/* True for the venue's own engine accounts. */
bool perp_is_internal(const PerpVenue *p, AccountId a);
PerpStats perp_stats(const PerpVenue *p);
/* All liquidation records so far (valid until the next venue call that may liquidate). */
const PerpLiqRecord *perp_liq_records(const PerpVenue *p, uint32_t *count);
/* Age of the oldest backlog item at now (0 when empty). */
SimDuration perp_backlog_age(const PerpVenue *p, SimTime now);
/* The maintenance table currently in force (the base table scaled by the dynamic factor). */
const MarginTable *perp_table(const PerpVenue *p);

/* Conservation and consistency (see the file comment); STATUS_INVALID with a reason. O(accounts + orders). */
Status perp_check(const PerpVenue *p, char *why, size_t why_cap);

const char *liq_mode_name(LiqMode m);
const char *dyn_mmr_mode_name(DynMmrMode m);

#endif
