/* Internals of the perpetual venue shared by perp.c (venue, orders, schedule), perp_liq.c (liquidation engine) and
 * perp_policy.c (circuit breaker, dynamic maintenance margin). Not part of the public API. */
#ifndef CASCADE_PERP_INTERNAL_H
#define CASCADE_PERP_INTERNAL_H

#include "perp.h"

/* Account roles. */
enum { PERP_ROLE_USER = 0, PERP_ROLE_ENGINE = 1, PERP_ROLE_BACKSTOP = 2 };

/* A position the engine has taken over and still has to close (one per internal engine account). */
typedef struct LiqItem {
    AccountId engine;      /* internal account holding the position */
    uint32_t record;       /* index into PerpVenue.records */
    Ticks bankrupt_tk;     /* the takeover price: ADL and backstops close at it */
    SimTime enqueued;
    uint32_t ioc_failures;
    bool backstop_tried;
    Quote carried;         /* unpaid deficit (<= 0) left in the engine account after the last settlement */
} LiqItem;

/* Sliding-window extremum entry (monotonic deques). */
typedef struct WindowEntry {
    SimTime time;
    int64_t value;         /* price (circuit breaker) or generation (cascade window) */
    uint32_t cascade;
} WindowEntry;

/* A growable ring used as a deque. */
typedef struct Deque {
    WindowEntry *e;
    uint32_t cap, head, count;
} Deque;

typedef struct BackstopReg {
    AccountId account;
    PerpBackstop taker;
    Lots bid_qty;          /* the current offer round's bid (scratch of the engine) */
    Ticks bid_price;
} BackstopReg;

struct PerpVenue {
    PerpDef def;
    MarginTable base_table;    /* the configured table; the ledger holds the scaled one */
    Book *book;
    Ledger ledger;
    OrderTable orders;
    MarkState mark;
    FundingState funding;
    PerpListener listener;
    PerpStats stats;
    SimTime now;               /* the time of the call or task being run */
    Ticks index_tk;
    /* schedule */
    SimTime next_mark, next_sample, next_funding, next_engine, next_review, halt_until;
    SimTime next_due;      /* the earliest of the six above: perp__due_changed after writing any of them */
    bool halted;
    bool cb_tripped;           /* set by a fill, acted on after the book call returns */
    /* per account (capacity acct_cap, grown with the ledger) */
    uint32_t acct_cap;
    uint8_t *role;
    Quote *open_notional;      /* [2 * a + side]: price x remaining of open non-reduce-only orders */
    uint32_t *stamp;           /* liquidation-check round in which the account was last handled */
    uint32_t round;
    AccountId *scratch;        /* acct_cap ids */
    /* liquidation engine */
    LiqItem *items;            /* ring of backlog items */
    uint32_t item_cap, item_head, item_count;
    AccountId *free_engines;   /* stack of flat internal accounts */
    uint32_t free_engine_count, free_engine_cap;
    PerpLiqRecord *records;
    uint32_t record_count, record_cap;
    Deque gen_window[2];       /* [0]: liquidation sells (falling price), [1]: liquidation buys */
    uint32_t adl_count;        /* holders drawn so far (in scratch) from the ADL walk begun at engine tick adl_tick
                                  for holders adl_side */
    uint64_t adl_tick;
    int adl_side;
    BackstopReg *backstops;
    uint32_t backstop_count, backstop_cap;
    /* policies */
    Deque cb_max, cb_min;      /* trade prices in the breaker window */
    int64_t *vol_ring;         /* squared per-update mark returns (ppm^2) */
    uint32_t vol_cap, vol_head, vol_count;
    int64_t vol_sum;
    Ticks vol_last_mark;
    unsigned long long validate_calls;
};

/* Recomputes next_due; call after every write to next_mark, next_sample, next_funding, next_engine, next_review or
 * halt_until. The world asks perp_next_due before every event, far more often than these change. */
static inline void perp__due_changed(PerpVenue *p)
{
    SimTime t = p->next_mark < p->next_sample ? p->next_mark : p->next_sample;
    if (p->next_funding < t) t = p->next_funding;
    if (p->next_engine < t) t = p->next_engine;
    if (p->next_review < t) t = p->next_review;
    p->next_due = p->halt_until < t ? p->halt_until : t;
}

/* The engine's order rules, shared by the order itself (perp__engine_order), its loss estimate and the tick's
 * test for items that cannot trade (perp_liq.c), so that the three agree by construction. */
/* The worst price a market order of the engine on `side` may reach: the protection band around the mark. */
static inline Ticks perp__engine_edge(const PerpVenue *p, Side side)
{
    return book_market_limit(p->book, side, mark_price(&p->mark), p->def.liq.band_bps);
}
/* A price beyond `limit` for an order on `side` (a buy's above it, a sell's below it). */
static inline bool perp__beyond(Side side, Ticks px, Ticks limit) { return side == SIDE_BUY ? px > limit : px < limit; }

/* perp.c */
Status perp__reserve_accounts(PerpVenue *p, uint32_t n);
uint32_t perp__cancel_all(PerpVenue *p, AccountId a, bool notify);
/* Submits an engine order for an item; returns the lots filled. */
Lots perp__engine_order(PerpVenue *p, uint32_t item_slot, OrderType type, Side side, Ticks price, Lots qty);
/* The circuit breaker tripped during a book call: halts the venue (an auction until cb_halt has passed) unless it is
 * halted already, and clears the flag. */
void perp__on_trip(PerpVenue *p);
/* After every book call (submissions, engine orders, mark updates). Inline: the breaker has almost never tripped, and
 * the call was the whole cost. */
static inline void perp__after_book_call(PerpVenue *p)
{
    if (p->cb_tripped) perp__on_trip(p);
}
void perp__validate(PerpVenue *p);

/* perp_liq.c */
void perp__check_liquidations(PerpVenue *p);
void perp__engine_tick(PerpVenue *p);
void perp__on_liq_fill(PerpVenue *p, uint32_t item_slot, Ticks price, Lots qty);
void perp__liq_fini(PerpVenue *p);
Status perp__liq_check(const PerpVenue *p, char *why, size_t why_cap);
void perp__update_backlog_stats(PerpVenue *p);

/* perp_policy.c */
Status deque_push_back(Deque *d, WindowEntry e);
void deque_fini(Deque *d);
WindowEntry *deque_front(Deque *d);
WindowEntry *deque_back(Deque *d);
void deque_pop_front(Deque *d);
void deque_pop_back(Deque *d);
void perp__cb_on_trade(PerpVenue *p, Ticks price);
void perp__cb_reset(PerpVenue *p);
void perp__halt_end(PerpVenue *p);
void perp__vol_on_mark(PerpVenue *p, Ticks mark);
void perp__review_margin(PerpVenue *p);
bool perp__band_rejects(const PerpVenue *p, const VenueReq *req);
void perp__policy_fini(PerpVenue *p);

#endif
