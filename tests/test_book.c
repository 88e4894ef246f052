/* market/book: matching rules, order types, queries, recentring, auction. book_validate runs after every
 * operation (VALID). Expected numbers are computed by hand in the comments. */
#include "test_suites.h"
#include "test_util.h"
#include "test_book_util.h"

#include "book.h"
#include "rng.h"

#include <string.h>

/* ---- recording listener ---- */

typedef struct DoneEv {
    OrderId id;
    uint32_t owner;
    uint64_t tag;
    BookDoneReason reason;
    Lots remaining;
} DoneEv;

typedef struct Rec {
    BookFill fills[256];
    int nfills;
    DoneEv done[64];
    int ndone;
    Lots ro_max;          /* reduce-only hook answer */
    uint32_t ro_owner;    /* last hook arguments */
    Side ro_side;
} Rec;

static void rec_fill(void *ctx, const BookFill *f)
{
    Rec *r = ctx;
    if (r->nfills < 256) r->fills[r->nfills++] = *f;
}

static void rec_done(void *ctx, OrderId id, uint32_t owner, uint64_t tag, BookDoneReason reason, Lots remaining)
{
    Rec *r = ctx;
    if (r->ndone < 64) r->done[r->ndone++] = (DoneEv){id, owner, tag, reason, remaining};
}

static Lots rec_ro(void *ctx, uint32_t owner, Side side)
{
    Rec *r = ctx;
    r->ro_owner = owner;
    r->ro_side = side;
    return r->ro_max;
}

static void rec_clear(Rec *r)
{
    r->nfills = 0;
    r->ndone = 0;
}

static Book *make_book(Rec *r, uint32_t window, StpMode stp)
{
    memset(r, 0, sizeof *r);
    BookDef d = book_default_def();
    if (window) d.window_ticks = window;
    d.stp = stp;
    d.listener.ctx = r;
    d.listener.on_fill = rec_fill;
    d.listener.on_order_done = rec_done;
    d.listener.reduce_only_max = rec_ro;
    Book *b = NULL;
    CHECK_EQ(book_create(&d, &b), STATUS_OK);
    return b;
}


static OrderReq req(OrderType type, Side side, Ticks price, Lots qty, uint32_t owner)
{
    OrderReq q;
    memset(&q, 0, sizeof q);
    q.type = type;
    q.side = side;
    q.price_tk = price;
    q.qty = qty;
    q.owner = owner;
    q.tag = 1000u + owner;
    return q;
}

static Status sub(Book *b, OrderType type, Side side, Ticks price, Lots qty, uint32_t owner, BookResult *res)
{
    OrderReq q = req(type, side, price, qty, owner);
    Status st = book_submit(b, &q, res);
    VALID(b);
    return st;
}

/* A resting limit order; returns its id. */
static OrderId lim(Book *b, Side side, Ticks price, Lots qty, uint32_t owner)
{
    BookResult res;
    CHECK_EQ(sub(b, ORDER_LIMIT, side, price, qty, owner, &res), STATUS_OK);
    return res.id;
}

static void check_fill(const BookFill *f, OrderId maker, OrderId taker, Ticks px, Lots qty, Lots maker_rem,
                       Lots taker_rem)
{
    CHECK_EQ(f->maker_id, maker);
    CHECK_EQ(f->taker_id, taker);
    CHECK_EQ(f->price_tk, px);
    CHECK_EQ(f->qty, qty);
    CHECK_EQ(f->maker_remaining, maker_rem);
    CHECK_EQ(f->taker_remaining, taker_rem);
}

/* ---- cases ---- */

static void book_price_time_priority(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    OrderId a = lim(b, SIDE_SELL, 100, 5, 1);
    OrderId c = lim(b, SIDE_SELL, 100, 5, 2);
    BookResult res;
    CHECK_EQ(sub(b, ORDER_LIMIT, SIDE_BUY, 100, 7, 3, &res), STATUS_OK);
    /* 7 = 5 from a (first in) + 2 from c */
    CHECK_EQ(r.nfills, 2);
    check_fill(&r.fills[0], a, res.id, 100, 5, 0, 2);
    check_fill(&r.fills[1], c, res.id, 100, 2, 3, 0);
    CHECK_EQ(r.fills[0].aggressor, SIDE_BUY);
    CHECK_EQ(r.fills[0].maker_owner, 1);
    CHECK_EQ(r.fills[0].taker_owner, 3);
    CHECK_EQ(r.fills[0].maker_tag, 1001);
    CHECK_EQ(r.fills[0].taker_tag, 1003);
    CHECK_EQ(res.filled, 7);
    CHECK_EQ(res.resting, 0);
    CHECK_EQ(book_qty_at(b, SIDE_SELL, 100), 3);
    CHECK_EQ(book_last_price(b), 100);
    CHECK_EQ(book_last_qty(b), 2);
    CHECK_EQ(r.ndone, 0);
    book_destroy(b);
}

static void book_partial_fills_across_levels(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    OrderId a0 = lim(b, SIDE_SELL, 100, 3, 1);
    OrderId a1 = lim(b, SIDE_SELL, 101, 4, 1);
    OrderId a2 = lim(b, SIDE_SELL, 102, 5, 1);
    BookResult res;
    /* buy 10 @102: 3@100 + 4@101 + 3@102 = 10; 2 left at 102 */
    CHECK_EQ(sub(b, ORDER_LIMIT, SIDE_BUY, 102, 10, 2, &res), STATUS_OK);
    CHECK_EQ(r.nfills, 3);
    check_fill(&r.fills[0], a0, res.id, 100, 3, 0, 7);
    check_fill(&r.fills[1], a1, res.id, 101, 4, 0, 3);
    check_fill(&r.fills[2], a2, res.id, 102, 3, 2, 0);
    CHECK_EQ(book_best_ask(b), 102);
    CHECK_EQ(book_best_bid(b), 0);
    /* buy 6 @103: 2@102, then 4 rest at 103 as the new best bid */
    rec_clear(&r);
    CHECK_EQ(sub(b, ORDER_LIMIT, SIDE_BUY, 103, 6, 2, &res), STATUS_OK);
    CHECK_EQ(r.nfills, 1);
    check_fill(&r.fills[0], a2, res.id, 102, 2, 0, 4);
    CHECK_EQ(res.filled, 2);
    CHECK_EQ(res.resting, 4);
    CHECK_EQ(book_best_bid(b), 103);
    CHECK_EQ(book_best_ask(b), 0);
    BookCounts c = book_counts(b);
    CHECK_EQ(c.resting_orders, 1);
    CHECK_EQ(c.fills, 4);
    CHECK_EQ(c.volume, 12);
    book_destroy(b);
}

static void book_ioc_remainder_cancelled(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    lim(b, SIDE_SELL, 100, 3, 1);
    lim(b, SIDE_SELL, 102, 3, 1);
    BookResult res;
    /* IOC buy 5 @101: 3@100, the remaining 2 end (102 is beyond the limit) */
    CHECK_EQ(sub(b, ORDER_IOC, SIDE_BUY, 101, 5, 2, &res), STATUS_OK);
    CHECK_EQ(r.nfills, 1);
    CHECK_EQ(res.filled, 3);
    CHECK_EQ(res.resting, 0);
    CHECK_EQ(r.ndone, 1);
    CHECK_EQ(r.done[0].id, res.id);
    CHECK_EQ(r.done[0].reason, BOOK_DONE_IOC);
    CHECK_EQ(r.done[0].remaining, 2);
    CHECK_EQ(r.done[0].tag, 1002);
    CHECK_EQ(book_best_bid(b), 0);
    CHECK_EQ(book_cancel(b, res.id), STATUS_STALE);
    /* an IOC on an empty side ends whole */
    rec_clear(&r);
    CHECK_EQ(sub(b, ORDER_IOC, SIDE_SELL, 50, 4, 2, &res), STATUS_OK);
    CHECK_EQ(r.ndone, 1);
    CHECK_EQ(r.done[0].remaining, 4);
    book_destroy(b);
}

static void book_post_only_reject(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    lim(b, SIDE_SELL, 100, 3, 1);
    lim(b, SIDE_BUY, 98, 3, 1);
    BookResult res;
    CHECK_EQ(sub(b, ORDER_POST_ONLY, SIDE_BUY, 100, 1, 2, &res), STATUS_REJECTED);
    CHECK_EQ(res.id, ORDER_ID_NONE);
    CHECK_EQ(sub(b, ORDER_POST_ONLY, SIDE_BUY, 101, 1, 2, &res), STATUS_REJECTED);
    CHECK_EQ(sub(b, ORDER_POST_ONLY, SIDE_SELL, 98, 1, 2, &res), STATUS_REJECTED);
    CHECK_EQ(r.nfills, 0);
    CHECK_EQ(sub(b, ORDER_POST_ONLY, SIDE_BUY, 99, 2, 2, &res), STATUS_OK);
    CHECK_EQ(res.resting, 2);
    CHECK_EQ(book_best_bid(b), 99);
    /* a post-only replace that would cross is rejected and leaves the order as it was */
    CHECK_EQ(book_replace(b, res.id, 100, 2, NULL), STATUS_REJECTED);
    VALID(b);
    CHECK_EQ(book_best_bid(b), 99);
    CHECK_EQ(book_qty_at(b, SIDE_BUY, 99), 2);
    book_destroy(b);
}

static void book_market_band_stops_sweep(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    lim(b, SIDE_SELL, 1000, 1, 1);
    lim(b, SIDE_SELL, 1030, 1, 1);
    lim(b, SIDE_SELL, 1060, 1, 1);
    lim(b, SIDE_SELL, 1100, 1, 1);
    BookResult res;
    /* default band 500 bps of ref 1000 (opposite best): limit 1000 + 1000*500/10000 = 1050: fills 1000, 1030 */
    CHECK_EQ(sub(b, ORDER_MARKET, SIDE_BUY, 0, 4, 2, &res), STATUS_OK);
    CHECK_EQ(res.filled, 2);
    CHECK_EQ(r.nfills, 2);
    CHECK_EQ(r.fills[1].price_tk, 1030);
    CHECK_EQ(r.ndone, 1);
    CHECK_EQ(r.done[0].reason, BOOK_DONE_BAND);
    CHECK_EQ(r.done[0].remaining, 2);
    CHECK_EQ(book_best_ask(b), 1060);
    /* caller reference 1100 (e.g. mark), band 100 bps: limit 1100 + 11 = 1111: fills 1060 and 1100, then the side
     * is empty: remainder 1 ends with NO_LIQUIDITY */
    rec_clear(&r);
    OrderReq q = req(ORDER_MARKET, SIDE_BUY, 0, 3, 2);
    q.ref_tk = 1100;
    q.band_bps = 100;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_OK);
    VALID(b);
    CHECK_EQ(res.filled, 2);
    CHECK_EQ(r.ndone, 1);
    CHECK_EQ(r.done[0].reason, BOOK_DONE_NO_LIQUIDITY);
    CHECK_EQ(r.done[0].remaining, 1);
    /* sells: bids 1000, 960, 940; band 500 bps: limit 1000 - 50 = 950: fills 1000, 960 */
    lim(b, SIDE_BUY, 1000, 1, 1);
    lim(b, SIDE_BUY, 960, 1, 1);
    lim(b, SIDE_BUY, 940, 1, 1);
    rec_clear(&r);
    CHECK_EQ(sub(b, ORDER_MARKET, SIDE_SELL, 0, 5, 2, &res), STATUS_OK);
    CHECK_EQ(res.filled, 2);
    CHECK_EQ(r.fills[0].price_tk, 1000);
    CHECK_EQ(r.fills[1].price_tk, 960);
    CHECK_EQ(r.done[0].reason, BOOK_DONE_BAND);
    CHECK_EQ(r.done[0].remaining, 3);
    CHECK_EQ(book_best_bid(b), 940);
    /* a market order against an empty side, no reference: nothing executes */
    rec_clear(&r);
    CHECK_EQ(sub(b, ORDER_MARKET, SIDE_BUY, 0, 5, 2, &res), STATUS_OK);
    CHECK_EQ(res.filled, 0);
    CHECK_EQ(r.done[0].reason, BOOK_DONE_NO_LIQUIDITY);
    CHECK_EQ(r.done[0].remaining, 5);
    book_destroy(b);
}

static void book_replace_priority_rules(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    OrderId a = lim(b, SIDE_BUY, 100, 5, 1);
    OrderId c = lim(b, SIDE_BUY, 100, 5, 2);
    BookResult res;
    /* shrink at the same price keeps priority: a still fills first */
    CHECK_EQ(book_replace(b, a, 100, 3, &res), STATUS_OK);
    VALID(b);
    CHECK_EQ(res.id, a);
    CHECK_EQ(res.resting, 3);
    CHECK_EQ(book_qty_at(b, SIDE_BUY, 100), 8);
    CHECK_EQ(sub(b, ORDER_IOC, SIDE_SELL, 100, 1, 3, &res), STATUS_OK);
    CHECK_EQ(r.fills[0].maker_id, a);
    /* grow loses priority: a (now 2) goes behind c */
    CHECK_EQ(book_replace(b, a, 100, 4, &res), STATUS_OK);
    VALID(b);
    rec_clear(&r);
    CHECK_EQ(sub(b, ORDER_IOC, SIDE_SELL, 100, 1, 3, &res), STATUS_OK);
    CHECK_EQ(r.fills[0].maker_id, c);
    /* price change loses priority: c moves to 101 and back: behind a */
    CHECK_EQ(book_replace(b, c, 101, 4, &res), STATUS_OK);
    VALID(b);
    CHECK_EQ(book_best_bid(b), 101);
    CHECK_EQ(book_replace(b, c, 100, 4, &res), STATUS_OK);
    VALID(b);
    CHECK_EQ(book_best_bid(b), 100);
    rec_clear(&r);
    CHECK_EQ(sub(b, ORDER_IOC, SIDE_SELL, 100, 5, 3, &res), STATUS_OK);
    /* a has 4, then c gives 1 */
    CHECK_EQ(r.nfills, 2);
    check_fill(&r.fills[0], a, res.id, 100, 4, 0, 1);
    check_fill(&r.fills[1], c, res.id, 100, 1, 3, 0);
    /* a replace that crosses matches as a taker under the same id */
    OrderId s = lim(b, SIDE_SELL, 103, 2, 4);
    rec_clear(&r);
    CHECK_EQ(book_replace(b, s, 100, 2, &res), STATUS_OK);
    VALID(b);
    CHECK_EQ(res.filled, 2);
    CHECK_EQ(r.nfills, 1);
    check_fill(&r.fills[0], c, s, 100, 2, 1, 0);
    CHECK_EQ(book_cancel(b, s), STATUS_STALE);
    /* book_reduce keeps priority; bad sizes are rejected */
    CHECK_EQ(book_reduce(b, c, 2), STATUS_INVALID);
    CHECK_EQ(book_reduce(b, c, 0), STATUS_INVALID);
    CHECK_EQ(book_replace(b, c, 100, 0, NULL), STATUS_INVALID);
    CHECK_EQ(book_replace(b, c, 0, 1, NULL), STATUS_INVALID);
    CHECK_EQ(book_reduce(b, c, 1), STATUS_OK);
    VALID(b);
    book_destroy(b);
}

/* owner 1 rests 5 @100 ahead of owner 2's 5 @100; owner 1 buys 7 @100 under each STP mode. */
static void book_stp_modes(void)
{
    static const StpMode modes[] = {STP_CANCEL_RESTING, STP_CANCEL_TAKER, STP_CANCEL_BOTH, STP_NONE};
    for (int m = 0; m < 4; m++) {
        Rec r;
        Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
        OrderId own = lim(b, SIDE_SELL, 100, 5, 1);
        OrderId other = lim(b, SIDE_SELL, 100, 5, 2);
        OrderReq q = req(ORDER_LIMIT, SIDE_BUY, 100, 7, 1);
        q.stp = modes[m];
        BookResult res;
        CHECK_EQ(book_submit(b, &q, &res), STATUS_OK);
        VALID(b);
        switch (modes[m]) {
        case STP_CANCEL_RESTING: /* own ask cancelled, 5 from owner 2, 2 rest as a bid */
            CHECK_EQ(r.ndone, 1);
            CHECK_EQ(r.done[0].id, own);
            CHECK_EQ(r.done[0].reason, BOOK_DONE_STP);
            CHECK_EQ(r.done[0].remaining, 5);
            CHECK_EQ(r.nfills, 1);
            check_fill(&r.fills[0], other, res.id, 100, 5, 0, 2);
            CHECK_EQ(res.resting, 2);
            CHECK_EQ(book_best_bid(b), 100);
            CHECK_EQ(book_best_ask(b), 0);
            break;
        case STP_CANCEL_TAKER: /* the taker ends whole, the book is untouched */
            CHECK_EQ(r.ndone, 1);
            CHECK_EQ(r.done[0].id, res.id);
            CHECK_EQ(r.done[0].remaining, 7);
            CHECK_EQ(r.nfills, 0);
            CHECK_EQ(book_qty_at(b, SIDE_SELL, 100), 10);
            CHECK_EQ(book_best_bid(b), 0);
            break;
        case STP_CANCEL_BOTH: /* both end; owner 2's ask stays */
            CHECK_EQ(r.ndone, 2);
            CHECK_EQ(r.done[0].id, own);
            CHECK_EQ(r.done[1].id, res.id);
            CHECK_EQ(r.done[1].remaining, 7);
            CHECK_EQ(r.nfills, 0);
            CHECK_EQ(book_qty_at(b, SIDE_SELL, 100), 5);
            CHECK_EQ(book_best_bid(b), 0);
            break;
        default: /* NONE: trades with itself, then 2 from owner 2 */
            CHECK_EQ(r.ndone, 0);
            CHECK_EQ(r.nfills, 2);
            check_fill(&r.fills[0], own, res.id, 100, 5, 0, 2);
            check_fill(&r.fills[1], other, res.id, 100, 2, 3, 0);
            break;
        }
        book_destroy(b);
    }
    /* the book's default mode applies when the order says STP_DEFAULT */
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_TAKER);
    lim(b, SIDE_SELL, 100, 5, 1);
    BookResult res;
    CHECK_EQ(sub(b, ORDER_LIMIT, SIDE_BUY, 100, 7, 1, &res), STATUS_OK);
    CHECK_EQ(r.ndone, 1);
    CHECK_EQ(r.done[0].id, res.id);
    CHECK_EQ(book_qty_at(b, SIDE_SELL, 100), 5);
    book_destroy(b);
}

static void book_reduce_only_clamp_and_reject(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    lim(b, SIDE_BUY, 100, 10, 1);
    BookResult res;
    /* the hook allows 3: a reduce-only sell of 5 is clamped to 3 */
    r.ro_max = 3;
    OrderReq q = req(ORDER_LIMIT, SIDE_SELL, 101, 5, 7);
    q.flags = ORDER_FLAG_REDUCE_ONLY;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_OK);
    VALID(b);
    CHECK_EQ(r.ro_owner, 7);
    CHECK_EQ(r.ro_side, SIDE_SELL);
    CHECK_EQ(res.accepted, 3);
    CHECK_EQ(res.resting, 3);
    CHECK_EQ(book_qty_at(b, SIDE_SELL, 101), 3);
    BookOrderInfo info;
    CHECK_EQ(book_order_info(b, res.id, &info), STATUS_OK);
    CHECK_EQ(info.flags, ORDER_FLAG_REDUCE_ONLY);
    CHECK_EQ(info.remaining, 3);
    /* growing it asks the hook again: 2 allowed now, so the replace to 6 gives 2 (a shrink: priority kept) */
    r.ro_max = 2;
    CHECK_EQ(book_replace(b, res.id, 101, 6, &res), STATUS_OK);
    VALID(b);
    CHECK_EQ(res.accepted, 2);
    CHECK_EQ(book_qty_at(b, SIDE_SELL, 101), 2);
    /* the venue clips a resting reduce-only order when the position shrinks */
    CHECK_EQ(book_reduce(b, res.id, 1), STATUS_OK);
    VALID(b);
    CHECK_EQ(book_qty_at(b, SIDE_SELL, 101), 1);
    /* nothing to reduce: rejected */
    r.ro_max = 0;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_REJECTED);
    CHECK_EQ(res.id, ORDER_ID_NONE);
    /* a reduce-only market order is clamped too: 4 allowed of 6, all fill at 100 */
    r.ro_max = 4;
    q = req(ORDER_MARKET, SIDE_SELL, 0, 6, 7);
    q.flags = ORDER_FLAG_REDUCE_ONLY;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_OK);
    VALID(b);
    CHECK_EQ(res.filled, 4);
    CHECK_EQ(book_qty_at(b, SIDE_BUY, 100), 6);
    /* without a hook the flag cannot be honoured */
    BookListener l = {0};
    l.ctx = &r;
    book_set_listener(b, &l);
    CHECK_EQ(book_submit(b, &q, &res), STATUS_INVALID);
    book_destroy(b);
}

static void book_depth_queries(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    lim(b, SIDE_BUY, 100, 2, 1);
    lim(b, SIDE_BUY, 99, 3, 1);
    lim(b, SIDE_BUY, 99, 1, 2);
    lim(b, SIDE_BUY, 95, 10, 1);
    lim(b, SIDE_SELL, 102, 1, 1);
    lim(b, SIDE_SELL, 103, 4, 1);
    lim(b, SIDE_SELL, 110, 7, 1);
    CHECK_EQ(book_best_bid(b), 100);
    CHECK_EQ(book_best_ask(b), 102);
    /* +/-300 bps of 101: off = floor(101 * 300 / 10000) = 3 -> [98, 104]
     * bids: 100x2 + 99x4 = 6 lots, notional 200 + 396 = 596; asks: 102x1 + 103x4 = 5, 102 + 412 = 514 */
    BookDepth d = book_depth(b, SIDE_BUY, 101, 300);
    CHECK_EQ(d.qty, 6);
    CHECK_EQ(d.notional, 596);
    CHECK_EQ(d.levels, 2);
    d = book_depth(b, SIDE_SELL, 101, 300);
    CHECK_EQ(d.qty, 5);
    CHECK_EQ(d.notional, 514);
    CHECK_EQ(d.levels, 2);
    /* +/-1000 bps of 101: off 10 -> [91, 111]: everything. bids 2+4+10 = 16, 200+396+950 = 1546 */
    d = book_depth(b, SIDE_BUY, 101, 1000);
    CHECK_EQ(d.qty, 16);
    CHECK_EQ(d.notional, 1546);
    d = book_depth(b, SIDE_SELL, 101, 1000);
    CHECK_EQ(d.qty, 12);
    CHECK_EQ(d.notional, 102 + 412 + 770);
    /* 0 bps: exactly the centre */
    d = book_depth(b, SIDE_BUY, 99, 0);
    CHECK_EQ(d.qty, 4);
    CHECK_EQ(d.notional, 396);
    /* bad arguments give zero */
    d = book_depth(b, SIDE_BUY, 0, 100);
    CHECK_EQ(d.qty, 0);
    book_destroy(b);
}

/* Reference depth: every level (book_level_after, best first) whose price lies in center +/- floor(center*bps/1e4). */
static BookDepth depth_by_walk(const Book *b, Side side, Ticks center, int32_t bps)
{
    BookDepth d = {0, 0, 0};
    Ticks off = center * bps / 10000;
    BookLevelView v;
    for (Ticks px = book_level_after(b, side, 0, &v); px != 0; px = book_level_after(b, side, px, &v)) {
        if (px < center - off || px > center + off) continue;
        d.qty += v.qty;
        d.notional += px * v.qty;
        d.levels++;
    }
    return d;
}

/* book_depth_bands (one walk over the widest band, window bitmap words and far store) against the level walk, for
 * random nested bands around random centres on a book whose 64-tick window holds only part of its levels. */
static void book_depth_bands_match_walk(void)
{
    Rec r;
    Book *b = make_book(&r, 64, STP_CANCEL_RESTING);
    uint64_t seed = 7;
    for (int i = 0; i < 400; i++) {
        uint64_t x = rng_splitmix64(&seed);
        bool buy = (x & 1u) != 0;
        Ticks px = buy ? 1000 + (Ticks)(x >> 8) % 400 : 1401 + (Ticks)(x >> 8) % 400;
        lim(b, buy ? SIDE_BUY : SIDE_SELL, px, 1 + (Lots)((x >> 40) % 9u), 1 + (uint32_t)i % 7u);
    }
    CHECK(book_validate(b, NULL, 0) == STATUS_OK);
    for (int t = 0; t < 300; t++) {
        uint64_t x = rng_splitmix64(&seed);
        Ticks center = 900 + (Ticks)(x % 1000u);
        uint32_t n = 1u + (uint32_t)((x >> 10) % 3u);
        int32_t bps[3];
        int32_t w = (int32_t)((x >> 20) % 50u);
        for (uint32_t k = 0; k < n; k++) {
            bps[k] = w;
            w += (int32_t)((x >> (30 + 5 * k)) % 700u);
        }
        for (int side = 0; side < 2; side++) {
            BookDepth out[3];
            book_depth_bands(b, (Side)side, center, bps, n, out);
            for (uint32_t k = 0; k < n; k++) {
                BookDepth want = depth_by_walk(b, (Side)side, center, bps[k]);
                BookDepth one = book_depth(b, (Side)side, center, bps[k]);
                CHECK_EQ(out[k].qty, want.qty);
                CHECK_EQ(out[k].notional, want.notional);
                CHECK_EQ(out[k].levels, want.levels);
                CHECK_EQ(one.qty, want.qty);
                CHECK_EQ(one.notional, want.notional);
                CHECK_EQ(one.levels, want.levels);
            }
        }
    }
    /* bands that are not nested give zeros */
    int32_t bad[2] = {500, 100};
    BookDepth out[2];
    book_depth_bands(b, SIDE_BUY, 1200, bad, 2, out);
    CHECK_EQ(out[0].qty, 0);
    CHECK_EQ(out[1].qty, 0);
    book_destroy(b);
}

static void book_top_snapshot(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    lim(b, SIDE_BUY, 100, 2, 1);
    lim(b, SIDE_BUY, 99, 3, 1);
    lim(b, SIDE_BUY, 99, 1, 2);
    lim(b, SIDE_BUY, 95, 10, 1);
    lim(b, SIDE_SELL, 102, 1, 1);
    BookLevelView v[8];
    CHECK_EQ(book_top(b, SIDE_BUY, v, 2), 2);
    CHECK_EQ(v[0].price_tk, 100);
    CHECK_EQ(v[0].qty, 2);
    CHECK_EQ(v[0].orders, 1);
    CHECK_EQ(v[1].price_tk, 99);
    CHECK_EQ(v[1].qty, 4);
    CHECK_EQ(v[1].orders, 2);
    CHECK_EQ(book_top(b, SIDE_BUY, v, 8), 3);
    CHECK_EQ(v[2].price_tk, 95);
    CHECK_EQ(book_top(b, SIDE_SELL, v, 8), 1);
    CHECK_EQ(v[0].price_tk, 102);
    CHECK_EQ(book_top(b, SIDE_SELL, v, 0), 0);
    BookCounts c = book_counts(b);
    CHECK_EQ(c.bid_levels, 3);
    CHECK_EQ(c.ask_levels, 1);
    CHECK_EQ(c.resting_orders, 5);
    book_destroy(b);
}

/* One leg of the far walk: `steps` moves of `step` ticks. At each price an order pair is placed around p and a
 * trade prints; every 100th step the order on the far side of the move is left behind (bids on the way up, asks on
 * the way down), so the far store fills while the window follows the price. Returns the price reached. */
static Ticks walk(Book *b, Ticks p, int steps, Ticks step, OrderId *left, int *nleft)
{
    bool up = step > 0;
    for (int k = 0; k < steps; k++) {
        OrderId keep = lim(b, up ? SIDE_BUY : SIDE_SELL, up ? p - 1 : p + 1, 2, 1);
        lim(b, up ? SIDE_SELL : SIDE_BUY, up ? p + 1 : p - 1, 1, 1);
        BookResult res;
        /* owner 2 takes the other order: the last trade follows the walk */
        CHECK_EQ(sub(b, ORDER_IOC, up ? SIDE_BUY : SIDE_SELL, up ? p + 1 : p - 1, 1, 2, &res), STATUS_OK);
        CHECK_EQ(res.filled, 1);
        CHECK_EQ(book_last_price(b), up ? p + 1 : p - 1);
        if (k % 100 == 0 && *nleft < 64) {
            left[(*nleft)++] = keep;
        } else {
            CHECK_EQ(book_cancel(b, keep), STATUS_OK);
            VALID(b);
        }
        p += step;
    }
    return p;
}

/* A 64-tick window and a price that walks 100 000 ticks up and back down, leaving orders behind in the far store:
 * the window recentres many times and every order stays reachable at its price. */
static void book_recentre_far_walk(void)
{
    Rec r;
    Book *b = make_book(&r, 64, STP_CANCEL_RESTING);
    OrderId left[64];
    int nleft = 0;
    /* up: 2703 * 37 = 100 011 ticks; bids left at 999, 4699, ... (every 3700 ticks) */
    Ticks p = walk(b, 1000, 2703, 37, left, &nleft);
    CHECK_EQ(p, 1000 + 2703 * 37);
    BookCounts c = book_counts(b);
    CHECK_GT(c.recentres, 100);
    CHECK_EQ(nleft, 28);
    CHECK_EQ(c.resting_orders, 28);
    CHECK_EQ(c.bid_levels, 28);
    CHECK_EQ(book_best_bid(b), 999 + 2700 * 37);
    BookLevelView v[3];
    CHECK_EQ(book_top(b, SIDE_BUY, v, 3), 3);
    CHECK_EQ(v[1].price_tk, 999 + 2600 * 37);
    CHECK_EQ(v[2].price_tk, 999 + 2500 * 37);
    /* one level at a time, through the 64-tick window and the far store: all 28, best first, 3,700 ticks apart */
    BookLevelView one;
    int walked = 0;
    Ticks prev = 0;
    for (Ticks px = book_level_after(b, SIDE_BUY, 0, &one); px != 0; px = book_level_after(b, SIDE_BUY, px, &one)) {
        CHECK_EQ(one.price_tk, px);
        CHECK_EQ(one.qty, 2);
        if (prev) CHECK_EQ(prev - px, 3700);
        prev = px;
        walked++;
    }
    CHECK_EQ(walked, 28);
    CHECK_EQ(prev, 999);
    CHECK_EQ(book_depth(b, SIDE_BUY, 60000, 10000).qty, 2 * 28); /* [0, 120000] */
    /* every one is at its price and can be hit: one sell at 1 takes all 28 x 2 lots, best first */
    BookResult res;
    CHECK_EQ(sub(b, ORDER_IOC, SIDE_SELL, 1, 56, 3, &res), STATUS_OK);
    CHECK_EQ(res.filled, 56);
    CHECK_EQ(book_counts(b).resting_orders, 0);
    CHECK_EQ(book_last_price(b), 999);
    /* down from the top to 1000 again, leaving asks behind */
    nleft = 0;
    p = walk(b, 1000 + 2703 * 37, 2703, -37, left, &nleft);
    CHECK_EQ(p, 1000);
    CHECK_EQ(book_counts(b).resting_orders, 28);
    CHECK_EQ(book_best_ask(b), 1000 + 3 * 37 + 1);
    CHECK_EQ(book_cancel(b, left[27]), STATUS_OK);
    VALID(b);
    CHECK_EQ(book_cancel(b, left[0]), STATUS_OK);
    VALID(b);
    CHECK_EQ(sub(b, ORDER_IOC, SIDE_BUY, 200000, 100, 3, &res), STATUS_OK);
    CHECK_EQ(res.filled, 52);
    /* far prices on an otherwise empty book, then near tick 1 (window clamped at 0) */
    OrderId lo = lim(b, SIDE_BUY, 5, 1, 1);
    OrderId hi = lim(b, SIDE_SELL, 1000000, 1, 1);
    CHECK_EQ(book_best_ask(b), 1000000);
    CHECK_EQ(book_best_bid(b), 5);
    CHECK_EQ(book_cancel(b, hi), STATUS_OK);
    VALID(b);
    CHECK_EQ(book_cancel(b, lo), STATUS_OK);
    VALID(b);
    CHECK_GT(book_counts(b).recentres, 200);
    book_destroy(b);
}

/* A spread far wider than the window (a withdrawn market): the window stays with the touch that is inside it instead
 * of following the mid, which every jump of the far touch would move (the old rule recentred on each of the asks
 * below); when that touch goes, it moves to the nearer of the two. */
static void book_recentre_wide_spread(void)
{
    Rec r;
    Book *b = make_book(&r, 64, STP_CANCEL_RESTING);
    OrderId far_bid = lim(b, SIDE_BUY, 900, 1, 1);
    OrderId near_bid = lim(b, SIDE_BUY, 1000, 1, 1);
    (void)near_bid;
    uint64_t r0 = book_counts(b).recentres;
    const Ticks asks[] = {5000, 2000, 9000, 3000, 1100, 7000};
    for (size_t k = 0; k < sizeof asks / sizeof asks[0]; k++) {
        OrderId a = lim(b, SIDE_SELL, asks[k], 1, 2);
        CHECK_EQ(book_best_ask(b), asks[k]);
        CHECK_EQ(book_cancel(b, a), STATUS_OK);
        VALID(b);
    }
    CHECK_EQ(book_counts(b).recentres, r0);
    OrderId a = lim(b, SIDE_SELL, 3000, 1, 2);
    BookResult res;
    CHECK_EQ(sub(b, ORDER_IOC, SIDE_SELL, 1000, 1, 3, &res), STATUS_OK); /* the bid at 1000 goes */
    CHECK_EQ(res.filled, 1);
    CHECK_EQ(book_best_bid(b), 900);
    CHECK_EQ(book_counts(b).recentres, r0 + 1); /* to the bid at 900, 2 100 ticks nearer than the ask */
    BookLevelView v;
    CHECK_EQ(book_level_after(b, SIDE_BUY, 0, &v), 900);
    CHECK_EQ(book_level_after(b, SIDE_SELL, 0, &v), 3000);
    VALID(b);
    CHECK_EQ(book_cancel(b, a), STATUS_OK);
    CHECK_EQ(book_cancel(b, far_bid), STATUS_OK);
    VALID(b);
    book_destroy(b);
}

static void book_empty_edge_cases(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    VALID(b);
    CHECK_EQ(book_best_bid(b), 0);
    CHECK_EQ(book_best_ask(b), 0);
    CHECK_EQ(book_last_price(b), 0);
    CHECK_EQ(book_last_qty(b), 0);
    CHECK_EQ(book_mark(b), 0);
    BookLevelView v[2];
    CHECK_EQ(book_top(b, SIDE_BUY, v, 2), 0);
    CHECK_EQ(book_level_after(b, SIDE_SELL, 0, &v[0]), 0);
    CHECK_EQ(book_depth(b, SIDE_SELL, 100, 10000).qty, 0);
    CHECK_EQ(book_qty_at(b, SIDE_BUY, 100), 0);
    CHECK_EQ(book_cancel(b, ORDER_ID_NONE), STATUS_NOT_FOUND);
    Ticks px = 7;
    CHECK_EQ(book_uncross(b, 100, &px), STATUS_OK);
    CHECK_EQ(px, 0);
    /* invalid input is a status, never an assert */
    BookResult res;
    CHECK_EQ(sub(b, ORDER_LIMIT, SIDE_BUY, 100, 0, 1, &res), STATUS_INVALID);
    CHECK_EQ(sub(b, ORDER_LIMIT, SIDE_BUY, 100, -3, 1, &res), STATUS_INVALID);
    CHECK_EQ(sub(b, ORDER_LIMIT, SIDE_BUY, 0, 1, 1, &res), STATUS_INVALID);
    CHECK_EQ(sub(b, ORDER_LIMIT, SIDE_BUY, -5, 1, 1, &res), STATUS_INVALID);
    CHECK_EQ(sub(b, ORDER_STOP_MARKET, SIDE_BUY, 0, 1, 1, &res), STATUS_INVALID);
    CHECK_EQ(sub(b, (OrderType)99, SIDE_BUY, 100, 1, 1, &res), STATUS_INVALID);
    CHECK_EQ(sub(b, ORDER_LIMIT, (Side)2, 100, 1, 1, &res), STATUS_INVALID);
    CHECK_EQ(sub(b, ORDER_LIMIT, SIDE_BUY, (Ticks)1 << 50, 1, 1, &res), STATUS_RANGE);
    CHECK_EQ(sub(b, ORDER_LIMIT, SIDE_BUY, 100, (Lots)1 << 40, 1, &res), STATUS_RANGE);
    OrderReq q = req(ORDER_LIMIT, SIDE_BUY, 100, 1, 1);
    q.flags = 0x80;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_INVALID);
    q = req(ORDER_LIMIT, SIDE_BUY, 100, 1, 1);
    q.stp = (StpMode)42;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_INVALID);
    q = req(ORDER_MARKET, SIDE_BUY, 0, 1, 1);
    q.band_bps = -1;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_INVALID);
    CHECK_EQ(book_submit(b, NULL, &res), STATUS_INVALID);
    CHECK_EQ(book_on_mark(b, 0), STATUS_INVALID);
    CHECK_EQ(book_counts(b).resting_orders, 0);
    VALID(b);
    /* bad definitions */
    BookDef d = book_default_def();
    Book *bad = NULL;
    d.window_ticks = 100;
    CHECK_EQ(book_create(&d, &bad), STATUS_INVALID);
    d = book_default_def();
    d.band_bps = -1;
    CHECK_EQ(book_create(&d, &bad), STATUS_INVALID);
    CHECK(bad == NULL);
    book_destroy(NULL);
    /* fill the book then empty it: back to the empty state */
    OrderId a = lim(b, SIDE_BUY, 100, 1, 1);
    CHECK_EQ(book_cancel(b, a), STATUS_OK);
    VALID(b);
    CHECK_EQ(book_best_bid(b), 0);
    book_destroy(b);
}

static void book_stale_id_cancel(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    OrderId a = lim(b, SIDE_BUY, 100, 1, 1);
    CHECK_EQ(book_cancel(b, a), STATUS_OK);
    VALID(b);
    CHECK_EQ(book_cancel(b, a), STATUS_STALE);
    CHECK_EQ(book_replace(b, a, 100, 1, NULL), STATUS_STALE);
    CHECK_EQ(book_reduce(b, a, 1), STATUS_STALE);
    BookOrderInfo info;
    CHECK_EQ(book_order_info(b, a, &info), STATUS_STALE);
    /* the slot is reused under a new generation: the old id stays stale, the new one works */
    OrderId c = lim(b, SIDE_BUY, 101, 1, 1);
    CHECK_EQ((uint32_t)c, (uint32_t)a);
    CHECK_NE(c, a);
    CHECK_EQ(book_cancel(b, a), STATUS_STALE);
    CHECK_EQ(book_qty_at(b, SIDE_BUY, 101), 1);
    /* ids never issued: a future generation, a slot beyond the pool */
    CHECK_EQ(book_cancel(b, c + ((OrderId)5 << 32)), STATUS_NOT_FOUND);
    CHECK_EQ(book_cancel(b, ((OrderId)1 << 32) | 0xfffffffu), STATUS_NOT_FOUND);
    CHECK_EQ(book_cancel(b, c), STATUS_OK);
    VALID(b);
    book_destroy(b);
}

static void book_pool_grows_without_losing_orders(void)
{
    Rec r;
    memset(&r, 0, sizeof r);
    BookDef d = book_default_def();
    d.order_capacity = 16;
    Book *b = NULL;
    CHECK_EQ(book_create(&d, &b), STATUS_OK);
    OrderId ids[1000];
    for (int i = 0; i < 1000; i++) ids[i] = lim(b, SIDE_BUY, 100 + i % 50, 1 + i % 3, 1);
    for (int i = 0; i < 1000; i += 2) CHECK_EQ(book_cancel(b, ids[i]), STATUS_OK);
    VALID(b);
    BookOrderInfo info;
    CHECK_EQ(book_order_info(b, ids[999], &info), STATUS_OK);
    CHECK_EQ(info.price_tk, 100 + 999 % 50);
    CHECK_EQ(info.remaining, 1 + 999 % 3);
    CHECK_EQ(book_counts(b).resting_orders, 500);
    /* Slots are initialised when first taken, yet handed out as an eager free list 0, 1, 2, ... would: in index
     * order while none was freed, then the freed ones last-freed first, then the never-used ones in order again.
     * Order ids (and with them every output) do not depend on when the pool touches its memory. */
    for (int i = 0; i < 1000; i++) CHECK_EQ((uint32_t)ids[i], (uint32_t)i);
    CHECK_EQ(book_order_info(b, ((OrderId)1 << 32) | 1000u, &info), STATUS_NOT_FOUND); /* in the pool, never issued */
    OrderId again[501];
    for (int i = 0; i < 501; i++) again[i] = lim(b, SIDE_SELL, 200 + i % 50, 1, 2);
    CHECK_EQ((uint32_t)again[0], 998u);
    CHECK_EQ((uint32_t)again[1], 996u);
    CHECK_EQ((uint32_t)again[499], 0u);
    CHECK_EQ((uint32_t)again[500], 1000u);
    CHECK_EQ(again[500] >> 32, 1u);
    CHECK_EQ(book_cancel(b, ids[0]), STATUS_STALE); /* its slot now holds again[499] */
    VALID(b);
    book_destroy(b);
}

/* Hand-computed call auction.
 *   bids  B1 10@102  B2 15@101  B3 20@100  B4 10@98        asks  A1 12@99  A2 8@100  A3 15@101  A4 20@103
 *   P    B(>=P)  S(<=P)  matched  imbalance
 *   99     45      12      12        33
 *  100     45      20      20        25
 *  101     25      35      25        10     <- maximum
 *  102     10      35      10        25
 * At 101, in price-time priority: B1 x A1 10 (A1 2 left), B2 x A1 2, B2 x A2 8, B2 x A3 5 (B2 done, A3 10 left).
 * The bids arrived first, so they are the makers. 25 lots in all. */
static void book_auction_uncross_hand_example(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    CHECK_EQ(book_set_auction(b, true), STATUS_OK);
    CHECK(book_in_auction(b));
    OrderId b1 = lim(b, SIDE_BUY, 102, 10, 1);
    OrderId b2 = lim(b, SIDE_BUY, 101, 15, 2);
    lim(b, SIDE_BUY, 100, 20, 3);
    lim(b, SIDE_BUY, 98, 10, 4);
    OrderId a1 = lim(b, SIDE_SELL, 99, 12, 5);
    OrderId a2 = lim(b, SIDE_SELL, 100, 8, 6);
    OrderId a3 = lim(b, SIDE_SELL, 101, 15, 7);
    lim(b, SIDE_SELL, 103, 20, 8);
    CHECK_EQ(r.nfills, 0);
    CHECK_EQ(book_best_bid(b), 102);
    CHECK_EQ(book_best_ask(b), 99);
    /* IOC and market orders make no sense in an auction; leaving it crossed is refused */
    BookResult res;
    CHECK_EQ(sub(b, ORDER_IOC, SIDE_BUY, 105, 1, 9, &res), STATUS_REJECTED);
    CHECK_EQ(sub(b, ORDER_MARKET, SIDE_BUY, 0, 1, 9, &res), STATUS_REJECTED);
    CHECK_EQ(book_set_auction(b, false), STATUS_INVALID);
    Ticks px = 0;
    CHECK_EQ(book_uncross(b, 100, &px), STATUS_OK);
    VALID(b);
    CHECK_EQ(px, 101);
    CHECK(!book_in_auction(b));
    CHECK_EQ(r.nfills, 4);
    check_fill(&r.fills[0], b1, a1, 101, 10, 0, 2);
    check_fill(&r.fills[1], b2, a1, 101, 2, 13, 0);
    check_fill(&r.fills[2], b2, a2, 101, 8, 5, 0);
    check_fill(&r.fills[3], b2, a3, 101, 5, 0, 10);
    CHECK(r.fills[0].auction);
    CHECK_EQ(r.fills[0].aggressor, SIDE_SELL);
    CHECK_EQ(book_counts(b).volume, 25);
    CHECK_EQ(book_best_bid(b), 100);
    CHECK_EQ(book_best_ask(b), 101);
    CHECK_EQ(book_qty_at(b, SIDE_SELL, 101), 10);
    CHECK_EQ(book_last_price(b), 101);
    book_destroy(b);
}

/* Tie-breaks. bids 10@102, 5@100; asks 10@100.
 *   P=100: B 15, S 10 -> 10, imbalance 5;  P in [101, 102]: B 10, S 10 -> 10, imbalance 0.
 * Least imbalance wins over the reference 100; inside [101, 102] the closest to the reference. */
static void book_auction_tie_breaks(void)
{
    static const struct { Ticks ref, want; } cases[] = {{100, 101}, {110, 102}, {0, 101}, {101, 101}};
    for (int k = 0; k < 4; k++) {
        Rec r;
        Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
        CHECK_EQ(book_set_auction(b, true), STATUS_OK);
        lim(b, SIDE_BUY, 102, 10, 1);
        lim(b, SIDE_BUY, 100, 5, 2);
        lim(b, SIDE_SELL, 100, 10, 3);
        Ticks px = 0;
        CHECK_EQ(book_uncross(b, cases[k].ref, &px), STATUS_OK);
        VALID(b);
        CHECK_EQ(px, cases[k].want);
        CHECK_EQ(book_counts(b).volume, 10);
        book_destroy(b);
    }
    /* equal everything on an open interval: bids 10@105, asks 10@95; any P in [95, 105] matches 10.
     * ref 100 -> 100 (inside the interval); ref 0 with no last trade -> the lowest, 95 */
    static const struct { Ticks ref, want; } c2[] = {{100, 100}, {0, 95}, {200, 105}, {1, 95}};
    for (int k = 0; k < 4; k++) {
        Rec r;
        Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
        CHECK_EQ(book_set_auction(b, true), STATUS_OK);
        lim(b, SIDE_BUY, 105, 10, 1);
        lim(b, SIDE_SELL, 95, 10, 3);
        Ticks px = 0;
        CHECK_EQ(book_uncross(b, c2[k].ref, &px), STATUS_OK);
        VALID(b);
        CHECK_EQ(px, c2[k].want);
        book_destroy(b);
    }
}

/* STP inside an auction uses the later order's mode; the leftover crossing is uncrossed again. */
static void book_auction_stp(void)
{
    Rec r;
    Book *b = make_book(&r, 0, STP_CANCEL_RESTING);
    CHECK_EQ(book_set_auction(b, true), STATUS_OK);
    lim(b, SIDE_BUY, 101, 5, 1);              /* earlier: the "resting" one */
    OrderId own_ask = lim(b, SIDE_SELL, 100, 5, 1);
    lim(b, SIDE_BUY, 100, 5, 2);
    lim(b, SIDE_SELL, 99, 5, 3);
    /* P: bids 5@101 5@100, asks 5@99 5@100: P=100 -> B 10 S 10 matches 10.
     * First pair: bid 5@101 (owner 1) vs ask 5@99 (owner 3): 5 trade. Then bid 5@100 (owner 2) vs ask 5@100
     * (owner 1): 5 trade. No self-match needed in that order. */
    Ticks px;
    CHECK_EQ(book_uncross(b, 100, &px), STATUS_OK);
    VALID(b);
    CHECK_EQ(px, 100);
    CHECK_EQ(r.nfills, 2);
    CHECK_EQ(r.ndone, 0);
    (void)own_ask;
    book_destroy(b);

    /* owner 1 on both sides at the top: bid 5@101 (earlier), ask 5@99; owner 2 ask 5@100.
     * P: B(>=99..101) = 5; S(<=100) = 10, S(<=99) = 5: P=99 -> 5/5 imbalance 0, P=100 -> 5/10 imb 5 -> 99.
     * First pair is owner 1 x owner 1: the ask (later, mode cancel-resting) cancels the bid; nothing else crosses
     * at 99 or below, the book is no longer crossed. */
    b = make_book(&r, 0, STP_CANCEL_RESTING);
    CHECK_EQ(book_set_auction(b, true), STATUS_OK);
    OrderId own_bid = lim(b, SIDE_BUY, 101, 5, 1);
    lim(b, SIDE_SELL, 99, 5, 1);
    lim(b, SIDE_SELL, 100, 5, 2);
    CHECK_EQ(book_uncross(b, 100, &px), STATUS_OK);
    VALID(b);
    CHECK_EQ(px, 99);
    CHECK_EQ(r.nfills, 0);
    CHECK_EQ(r.ndone, 1);
    CHECK_EQ(r.done[0].id, own_bid);
    CHECK_EQ(r.done[0].reason, BOOK_DONE_STP);
    CHECK_EQ(book_best_bid(b), 0);
    CHECK_EQ(book_best_ask(b), 99);
    book_destroy(b);
}

void suite_market_book(void)
{
    static const TestCase cases[] = {
        TEST_CASE(book_price_time_priority),
        TEST_CASE(book_partial_fills_across_levels),
        TEST_CASE(book_ioc_remainder_cancelled),
        TEST_CASE(book_post_only_reject),
        TEST_CASE(book_market_band_stops_sweep),
        TEST_CASE(book_replace_priority_rules),
        TEST_CASE(book_stp_modes),
        TEST_CASE(book_reduce_only_clamp_and_reject),
        TEST_CASE(book_depth_queries),
        TEST_CASE(book_depth_bands_match_walk),
        TEST_CASE(book_top_snapshot),
        TEST_CASE(book_recentre_far_walk),
        TEST_CASE(book_recentre_wide_spread),
        TEST_CASE(book_empty_edge_cases),
        TEST_CASE(book_stale_id_cancel),
        TEST_CASE(book_pool_grows_without_losing_orders),
        TEST_CASE(book_auction_uncross_hand_example),
        TEST_CASE(book_auction_tie_breaks),
        TEST_CASE(book_auction_stp),
    };
    test_add_suite("market_book", cases, TEST_COUNT(cases));
}
