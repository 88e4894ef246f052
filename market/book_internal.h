/* Internals of market/book: shared by book.c (ladder, matching, queries, validation), book_stops.c (stop store
 * and triggering) and book_auction.c (call auction). Nothing outside market/ includes this. See docs/book.md. */
#ifndef CASCADE_BOOK_INTERNAL_H
#define CASCADE_BOOK_INTERNAL_H

#include "book.h"
#include "cascade_assert.h"

#include <stdbool.h>
#include <stdint.h>

#define BOOK_NIL UINT32_MAX
/* Input limits: keep p * q and level sums inside int64 (a level holds < 2^32 orders of <= 2^31 lots). */
#define BOOK_PRICE_MAX_TK ((Ticks)1 << 40)
#define BOOK_QTY_MAX ((Lots)1 << 31)

typedef enum OrderState {
    ORDER_STATE_FREE = 0,  /* on the free list */
    ORDER_STATE_RESTING,   /* in a level FIFO */
    ORDER_STATE_STOP,      /* in a stop list */
    ORDER_STATE_ACTIVE     /* a taker being matched inside a book call */
} OrderState;

/* One pool slot: 64 bytes, one cache line. */
typedef struct Order {
    union {
        struct {
            uint32_t prev;     /* FIFO links (RESTING); `next` is also the free-list link (FREE) */
            uint32_t next;
        } q;
        Ticks stop_ref_tk;     /* STOP: band reference of the market order it becomes (0 = opposite best) */
    } u;
    Lots qty;                  /* remaining */
    Ticks price_tk;            /* limit price, or trigger price for a stop */
    uint64_t tag;
    uint64_t seq;              /* arrival sequence: time priority; renewed when priority is lost */
    uint32_t owner;
    uint32_t gen;              /* generation of the slot; part of the id, bumped on free */
    int32_t band_bps;          /* STOP: band of the market order it becomes */
    uint8_t side;              /* Side */
    uint8_t type;              /* OrderType */
    uint8_t state;             /* OrderState */
    uint8_t flags;             /* ORDER_FLAG_* */
    uint8_t stp;               /* resolved StpMode (never STP_DEFAULT) */
    uint8_t trigger;           /* StopTrigger */
    uint32_t stop_pos;         /* STOP: index in its stop heap */
} Order;
_Static_assert(sizeof(Order) == 64, "an order slot is one cache line");

/* A price level: FIFO of order slots, oldest at head. In the dense window a level is valid only while its bitmap
 * bit is set (book.c, book_create). */
typedef struct Level {
    uint32_t head;
    uint32_t tail;
    uint32_t count;
    uint32_t pad_;
    Lots qty;                  /* sum of the orders' remaining quantities */
} Level;

/* A level outside the dense window (the far store, sorted by price ascending). */
typedef struct FarLevel {
    Ticks price_tk;
    Level lv;
} FarLevel;

/* One side of the book: the dense window's levels plus the far store. */
typedef struct Ladder {
    Level *levels;             /* [window] level of price base_tk + i */
    uint64_t *words;           /* [window / 64] bit i: levels[i] non-empty */
    uint64_t *summary;         /* [nsummary] bit w: words[w] != 0 */
    FarLevel *far;
    uint32_t far_count;
    uint32_t far_cap;
    uint32_t level_count;      /* non-empty levels, window + far */
    uint32_t order_count;      /* resting orders */
    Ticks best_tk;             /* 0 when the side is empty */
} Ladder;

/* A waiting stop's trigger key, kept in its heap entry so that sifting compares without touching the orders. */
typedef struct StopEntry {
    Ticks price_tk;
    uint64_t seq;
    uint32_t slot;
    uint32_t pad_;
} StopEntry;

/* Stops waiting for one (trigger, side): a binary heap whose root is the NEXT to trigger (book_stops.c). */
typedef struct StopList {
    StopEntry *e;
    uint32_t count;
    uint32_t cap;
} StopList;

struct Book {
    Ladder side[2];
    Order *orders;
    uint32_t cap;              /* pool slots allocated */
    uint32_t fresh;            /* slots [fresh, cap) were never used and are not initialised (book.c, pool) */
    uint32_t free_head;        /* freed slots, last freed first */
    uint32_t used;             /* slots in use: fresh minus the free list */
    uint32_t window;           /* dense window width (power of two) */
    uint32_t nwords;
    uint32_t nsummary;
    Ticks base_tk;             /* price of levels[0] */
    bool window_set;
    bool auction;
    bool busy;                 /* inside a mutating call: listeners must not re-enter */
    int8_t last_dir;           /* direction of the latest price move (+1 up, -1 down), orders stop triggering */
    StpMode stp;
    int32_t band_bps;
    uint64_t seq;
    Ticks last_tk;
    Lots last_qty;
    Ticks mark_tk;
    uint64_t fills;
    Lots volume;
    uint64_t recentres;
    StopList stops[STOP_TRIGGER_COUNT_][2];
    uint32_t stop_count;
    BookListener lst;
};

static inline OrderId book__make_id(uint32_t slot, uint32_t gen)
{
    return ((uint64_t)gen << 32) | slot;
}

static inline Side book__opp(Side s)
{
    return s == SIDE_BUY ? SIDE_SELL : SIDE_BUY;
}

/* true when a (price, side) order is marketable against best price `opp_best` of the other side. */
static inline bool book__crosses(Side side, Ticks price_tk, Ticks opp_best)
{
    if (opp_best == 0) return false;
    return side == SIDE_BUY ? price_tk >= opp_best : price_tk <= opp_best;
}

/* ---- book.c ---- */
/* Resolves an id to its slot; STATUS_NOT_FOUND / STATUS_STALE as book_cancel. */
Status book__lookup(const Book *book, OrderId id, uint32_t *slot);
/* Returns slot to the free list and bumps its generation. */
void book__free_slot(Book *book, uint32_t slot);
/* Level at price_tk on a side, or NULL when that level is empty (not present in the far store). */
Level *book__level(Book *book, Side side, Ticks price_tk);
/* Next non-empty price strictly worse than price_tk on `side` (lower for bids, higher for asks); 0 when none.
 * price_tk == 0 asks for the best. */
Ticks book__next_price(const Book *book, Side side, Ticks price_tk);
/* Unlinks a resting order from its level, updating totals, bitmaps and best. Does not free the slot. */
void book__unlink(Book *book, uint32_t slot);
/* Matches taker `slot` against the other side up to limit_tk; fills are reported. Returns false when STP ended
 * the taker (its done event already reported). */
bool book__match(Book *book, uint32_t slot, Ticks limit_tk);
/* Executes one market order already held in `slot` (a triggered stop), reporting its remainder; frees the slot. */
void book__execute_market(Book *book, uint32_t slot, Ticks ref_tk, int32_t band_bps);
/* Reports and records one fill of `qty` at price_tk between maker and taker (levels are updated by the caller). */
void book__report_fill(Book *book, uint32_t maker, uint32_t taker, Ticks price_tk, Lots qty, Side aggressor,
                       bool auction);
/* Reports an ending to the listener. */
void book__report_done(Book *book, uint32_t slot, BookDoneReason reason);
/* Moves the dense window to the touch (book.c: the rule and its reasons); call when book__window_holds_touch fails. */
void book__recentre_to_touch(Book *book);

/* Either best price lies in the middle half of the dense window (an absent side's 0 never does: base_tk >= 0), or
 * the window sits at 0 with both touches below its middle half: book__recentre_to_touch would centre it below 0 and
 * clamp it back to 0, a move to where it is. Prices below a quarter window are common (equity_day trades near 10,000
 * ticks in a 2^17-tick window), and without the second test every request paid for that futile move. This runs
 * after every request, so it is inline and branch-light; the move itself is out of line. */
static inline bool book__window_holds_touch(const Book *b)
{
    Ticks q = (Ticks)(b->window / 4u), lo = b->base_tk + q;
    Ticks bb = b->side[SIDE_BUY].best_tk, ba = b->side[SIDE_SELL].best_tk;
    uint64_t span = (uint64_t)(2 * q);
    if ((uint64_t)(bb - lo) < span || (uint64_t)(ba - lo) < span) return true;
    return b->base_tk == 0 && bb < lo && ba < lo;
}

static inline void book__maybe_recentre(Book *b)
{
    if (!book__window_holds_touch(b)) book__recentre_to_touch(b);
}

/* ---- book_stops.c ---- */
/* Room for one more stop on (trigger, side); STATUS_NOMEM. */
Status book__stops_reserve(Book *book, StopTrigger trigger, Side side);
/* Inserts a STOP order slot into its list (room reserved). */
void book__stops_insert(Book *book, uint32_t slot);
/* Removes a STOP order slot from its list. */
void book__stops_remove(Book *book, uint32_t slot);
/* True when a stop (side, trigger price) would trigger at reference price px (> 0). */
bool book__stop_hit(Side side, Ticks stop_tk, Ticks px);
/* Triggers and executes stops until none is triggered (cascades included); the book holds stops and is not in an
 * auction. */
void book__trigger_stops(Book *book);
/* book__trigger_stops when there is anything to trigger. Inline: it runs after every submission with a fill and every
 * mark update, and without resting stops (or in an auction) the call was the whole cost. */
static inline void book__run_stops(Book *book)
{
    if (!book->auction && book->stop_count != 0) book__trigger_stops(book);
}
/* Validation of the stop lists; writes a reason and returns false on failure. */
bool book__stops_validate(const Book *book, char *why, size_t why_cap, uint32_t *stops_seen);
void book__stops_free(Book *book);

#endif
