/* The limit order book: one type for spot and perpetual venues (MODEL.md 3.1). Design notes: docs/book.md.
 *
 * Prices are integer Ticks (> 0), sizes integer Lots (> 0). Matching is price-time priority. Order types: limit
 * GTC, IOC, post-only, market with a protection band, stop-market (triggered by last trade or by mark price, held
 * outside the book until triggered); flags: reduce-only. Cancel, cancel-replace, self-trade prevention, a call
 * auction with a single-price uncross.
 *
 * Ids: every accepted order gets an OrderId (pool slot + generation, never 0). An id outlives its order safely:
 * using it after the order ended returns STATUS_STALE, never undefined behaviour.
 *
 * Events: fills and order endings are reported through BookListener function pointers while the call that caused
 * them is running. Listeners must not call back into the book (asserted).
 *
 * Reporting rule: on_fill for every execution; on_order_done for every order that ends for a reason other than
 * (a) being completely filled (visible as remaining == 0 in on_fill) or (b) the caller's own book_cancel. */
#ifndef CASCADE_BOOK_H
#define CASCADE_BOOK_H

#include "money.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Book Book;

/* (generation << 32) | slot; 0 is never a valid id. */
typedef uint64_t OrderId;
#define ORDER_ID_NONE ((OrderId)0)

typedef enum Side { SIDE_BUY = 0, SIDE_SELL = 1 } Side;

typedef enum OrderType {
    ORDER_LIMIT = 0,     /* GTC: matches what it can, rests the remainder */
    ORDER_IOC,           /* matches what it can at price_tk or better, the remainder ends (BOOK_DONE_IOC) */
    ORDER_POST_ONLY,     /* rests without matching; rejected (STATUS_REJECTED) if it would cross */
    ORDER_MARKET,        /* matches up to reference +/- band, the remainder ends (BOOK_DONE_BAND/NO_LIQUIDITY) */
    ORDER_STOP_MARKET,   /* held until trigger price_tk is touched, then enters as ORDER_MARKET with the band */
    ORDER_TYPE_COUNT_
} OrderType;

/* Self-trade prevention, applied with the taker's mode when a taker meets a resting order of the same owner. */
typedef enum StpMode {
    STP_DEFAULT = 0,       /* the book's BookDef.stp */
    STP_CANCEL_RESTING,    /* the resting order ends (BOOK_DONE_STP), the taker goes on matching */
    STP_CANCEL_TAKER,      /* the taker's remainder ends (BOOK_DONE_STP), the resting order stays */
    STP_CANCEL_BOTH,       /* both end */
    STP_NONE,              /* they trade */
    STP_MODE_COUNT_
} StpMode;

typedef enum StopTrigger {
    STOP_TRIGGER_LAST = 0, /* the book's own last trade price */
    STOP_TRIGGER_MARK,     /* the price given to book_on_mark */
    STOP_TRIGGER_COUNT_
} StopTrigger;

/* Flags of OrderReq.flags. */
#define ORDER_FLAG_REDUCE_ONLY 0x1u

/* Why an order ended (on_order_done). */
typedef enum BookDoneReason {
    BOOK_DONE_IOC = 0,          /* IOC remainder */
    BOOK_DONE_BAND,             /* market remainder beyond the protection band */
    BOOK_DONE_NO_LIQUIDITY,     /* market remainder: the opposite side was empty */
    BOOK_DONE_STP,              /* self-trade prevention */
    BOOK_DONE_REDUCE_ONLY,      /* a triggered reduce-only stop found nothing to reduce */
    BOOK_DONE_REASON_COUNT_
} BookDoneReason;

typedef struct BookFill {
    OrderId maker_id;
    OrderId taker_id;
    uint64_t maker_tag;
    uint64_t taker_tag;
    uint32_t maker_owner;
    uint32_t taker_owner;
    Side aggressor;        /* the taker's side; in an auction uncross, the side of the later-arriving order */
    bool auction;          /* executed by book_uncross */
    Ticks price_tk;        /* the maker's price (the uncross price in an auction) */
    Lots qty;
    Lots maker_remaining;  /* after this fill; 0 = the maker is gone */
    Lots taker_remaining;  /* after this fill */
} BookFill;

typedef struct BookListener {
    void *ctx;
    /* Every execution, in execution order. */
    void (*on_fill)(void *ctx, const BookFill *fill);
    /* An order ended without being completely filled and without book_cancel (see the reporting rule above). */
    void (*on_order_done)(void *ctx, OrderId id, uint32_t owner, uint64_t tag, BookDoneReason reason,
                          Lots remaining);
    /* A stop was triggered by `price_tk` and is about to enter as a market order under the same id. May be NULL. */
    void (*on_stop_triggered)(void *ctx, OrderId id, uint32_t owner, uint64_t tag, Ticks price_tk);
    /* Reduce-only hook: the largest quantity a reduce-only order of `owner` on `side` may have now. The book clamps
     * the order to it and rejects when it is <= 0. NULL: reduce-only orders are rejected (STATUS_INVALID). */
    Lots (*reduce_only_max)(void *ctx, uint32_t owner, Side side);
} BookListener;

typedef struct BookDef {
    Ticks initial_center_tk;   /* centre of the dense window; 0 = the first resting price */
    uint32_t window_ticks;     /* dense ladder width, a power of two >= 64; prices outside go to the far store */
    uint32_t order_capacity;   /* initial order pool size (grows by doubling) */
    StpMode stp;               /* default self-trade prevention (STP_CANCEL_RESTING) */
    int32_t band_bps;          /* default market-order protection band, basis points of the reference */
    BookListener listener;
} BookDef;

typedef struct OrderReq {
    OrderType type;
    Side side;
    Ticks price_tk;        /* limit price (LIMIT, IOC, POST_ONLY); trigger price (STOP_MARKET); unused for MARKET */
    Lots qty;
    uint32_t owner;        /* account id */
    uint64_t tag;          /* caller's value, echoed in fills and endings */
    uint32_t flags;        /* ORDER_FLAG_* */
    StpMode stp;           /* STP_DEFAULT = the book's mode */
    StopTrigger trigger;   /* STOP_MARKET only */
    Ticks ref_tk;          /* MARKET/STOP_MARKET band reference; 0 = opposite best when it executes */
    int32_t band_bps;      /* MARKET/STOP_MARKET band; 0 = the book's default */
} OrderReq;

typedef struct BookResult {
    OrderId id;            /* ORDER_ID_NONE when the request was rejected */
    Lots accepted;         /* quantity after the reduce-only clamp */
    Lots filled;           /* executed during this call (by this order as taker) */
    Lots resting;          /* left in the book (or the stop store) after this call */
} BookResult;

typedef struct BookLevelView {
    Ticks price_tk;
    Lots qty;
    uint32_t orders;
} BookLevelView;

typedef struct BookDepth {
    Lots qty;
    Quote notional;
    uint32_t levels;
} BookDepth;

typedef struct BookOrderInfo {
    OrderType type;
    Side side;
    Ticks price_tk;
    Lots remaining;
    uint32_t owner;
    uint64_t tag;
    uint32_t flags;
    bool is_stop;          /* waiting in the stop store, not in the book */
} BookOrderInfo;

typedef struct BookCounts {
    uint32_t resting_orders;
    uint32_t stop_orders;
    uint32_t bid_levels;
    uint32_t ask_levels;
    uint64_t fills;
    Lots volume;           /* total executed lots */
    uint64_t recentres;    /* dense-window moves so far */
} BookCounts;

/* ---- lifecycle ---- */

/* window 4096 ticks, 4096 orders, STP_CANCEL_RESTING, band 500 bps, no listener. */
BookDef book_default_def(void);
/* A new empty book; STATUS_INVALID for a bad def (window not a power of two, band < 0, ...), STATUS_NOMEM. */
Status book_create(const BookDef *def, Book **out);
/* Frees everything; NULL is allowed. */
void book_destroy(Book *book);
/* Replaces the listener (e.g. once the venue that owns the book exists). */
void book_set_listener(Book *book, const BookListener *listener);

/* ---- orders ---- */

/* Submits an order; fills and endings are reported to the listener before it returns. STATUS_INVALID for bad input,
 * STATUS_REJECTED for post-only that would cross, reduce-only clamped to 0, a stop that would trigger at once, or
 * IOC/market during an auction; STATUS_NOMEM if the pool cannot grow. `out` may be NULL. */
Status book_submit(Book *book, const OrderReq *req, BookResult *out);
/* Removes a resting or stop order. STATUS_STALE for an ended order, STATUS_NOT_FOUND for an id never issued. */
Status book_cancel(Book *book, OrderId id);
/* Cancel-replace under the same id: new price and new remaining quantity (> 0). Keeps time priority only when the
 * price is unchanged and the quantity does not grow; otherwise the order goes to the back of its new level and, if
 * it now crosses, matches as a taker. A post-only replace that would cross is rejected and leaves the order as it
 * was. For a stop the price is the trigger price. `out` may be NULL. */
Status book_replace(Book *book, OrderId id, Ticks new_price_tk, Lots new_qty, BookResult *out);
/* Shrinks a resting or stop order to new_qty (0 < new_qty <= remaining) keeping priority (venues use it to clip
 * resting reduce-only orders when a position shrinks). */
Status book_reduce(Book *book, OrderId id, Lots new_qty);
/* Information about a live order; STATUS_STALE / STATUS_NOT_FOUND as book_cancel. */
Status book_order_info(const Book *book, OrderId id, BookOrderInfo *out);

/* ---- prices, stops, auction ---- */

/* Feeds a new mark price (> 0) and triggers the mark stops it crosses (and any stops their trades trigger). */
Status book_on_mark(Book *book, Ticks mark_tk);
/* Enters (true) or leaves (false) call-auction mode. In an auction orders rest without matching and the book may
 * be crossed; stops do not trigger. Leaving without book_uncross is allowed only when the book is not crossed. */
Status book_set_auction(Book *book, bool on);
/* Executes the call auction at the single price that maximises matched volume (ties: least imbalance, then closest
 * to reference_tk, then the lower price), in price-time priority, then returns to continuous trading and runs the
 * stops. *price_out (may be NULL) gets the uncross price, 0 when nothing crossed. */
Status book_uncross(Book *book, Ticks reference_tk, Ticks *price_out);
bool book_in_auction(const Book *book);

/* ---- queries ---- */

/* Best prices; 0 when the side is empty. O(1). */
Ticks book_best_bid(const Book *book);
Ticks book_best_ask(const Book *book);
/* Total lots at exactly price_tk on a side. */
Lots book_qty_at(const Book *book, Side side, Ticks price_tk);
/* Resting lots and notional on `side` at prices within center_tk +/- floor(center_tk * bps / 10000). */
BookDepth book_depth(const Book *book, Side side, Ticks center_tk, int32_t bps);
/* The same for n (1..BOOK_DEPTH_MAX_BANDS) bands in one walk over the widest: out[k] = book_depth(book, side,
 * center_tk, bps[k]). bps must be non-decreasing (nested bands); otherwise, or with arguments book_depth refuses,
 * every out[k] is zero. For per-second outputs that ask for several widths. */
#define BOOK_DEPTH_MAX_BANDS 8u
void book_depth_bands(const Book *book, Side side, Ticks center_tk, const int32_t *bps, uint32_t n, BookDepth *out);
/* Up to `cap` best levels of `side`, best first; returns how many were written. */
uint32_t book_top(const Book *book, Side side, BookLevelView *levels, uint32_t cap);
/* The next level of `side` away from the touch after the level at price_tk (0: the best level): its price, or 0
 * when there is none; *out receives it. Walks the book one level at a time, for callers that stop early. */
Ticks book_level_after(const Book *book, Side side, Ticks price_tk, BookLevelView *out);
/* The worst price an ORDER_MARKET on `side` may trade at, as book_submit bands it: ref_tk (> 0) +/- floor(ref_tk *
 * band / 10000), band = band_bps or the book's default when 0; a sell's limit is at least 1 tick. */
Ticks book_market_limit(const Book *book, Side side, Ticks ref_tk, int32_t band_bps);
/* Last trade price and quantity; 0 before the first trade. */
Ticks book_last_price(const Book *book);
Lots book_last_qty(const Book *book);
/* Last mark given to book_on_mark; 0 before. */
Ticks book_mark(const Book *book);
BookCounts book_counts(const Book *book);

/* Checks every internal invariant (O(window + orders)). STATUS_OK, or STATUS_INVALID with a reason written to
 * `why` (may be NULL). */
Status book_validate(const Book *book, char *why, size_t why_cap);

const char *book_done_reason_name(BookDoneReason reason);

#endif
