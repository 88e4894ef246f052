/* market/book stop-market orders: held outside the book, triggered by the last trade or the mark, in a
 * deterministic order, cascading. book_validate runs after every operation. */
#include "test_suites.h"
#include "test_util.h"
#include "test_book_util.h"

#include "book.h"

#include <string.h>

typedef struct SRec {
    BookFill fills[128];
    int nfills;
    OrderId done_id[32];
    BookDoneReason done_reason[32];
    Lots done_rem[32];
    int ndone;
    OrderId trig_id[32];
    Ticks trig_px[32];
    int ntrig;
    Lots ro_max;
} SRec;

static void s_fill(void *ctx, const BookFill *f)
{
    SRec *r = ctx;
    if (r->nfills < 128) r->fills[r->nfills++] = *f;
}

static void s_done(void *ctx, OrderId id, uint32_t owner, uint64_t tag, BookDoneReason reason, Lots remaining)
{
    SRec *r = ctx;
    (void)owner;
    (void)tag;
    if (r->ndone < 32) {
        r->done_id[r->ndone] = id;
        r->done_reason[r->ndone] = reason;
        r->done_rem[r->ndone++] = remaining;
    }
}

static void s_trig(void *ctx, OrderId id, uint32_t owner, uint64_t tag, Ticks px)
{
    SRec *r = ctx;
    (void)owner;
    (void)tag;
    if (r->ntrig < 32) {
        r->trig_id[r->ntrig] = id;
        r->trig_px[r->ntrig++] = px;
    }
}

static Lots s_ro(void *ctx, uint32_t owner, Side side)
{
    (void)owner;
    (void)side;
    return ((SRec *)ctx)->ro_max;
}

static Book *s_book(SRec *r)
{
    memset(r, 0, sizeof *r);
    BookDef d = book_default_def();
    d.listener.ctx = r;
    d.listener.on_fill = s_fill;
    d.listener.on_order_done = s_done;
    d.listener.on_stop_triggered = s_trig;
    d.listener.reduce_only_max = s_ro;
    Book *b = NULL;
    CHECK_EQ(book_create(&d, &b), STATUS_OK);
    return b;
}


static Status s_sub(Book *b, OrderType type, Side side, Ticks price, Lots qty, uint32_t owner, BookResult *res)
{
    OrderReq q;
    memset(&q, 0, sizeof q);
    q.type = type;
    q.side = side;
    q.price_tk = price;
    q.qty = qty;
    q.owner = owner;
    Status st = book_submit(b, &q, res);
    VALID(b);
    return st;
}

static OrderId s_lim(Book *b, Side side, Ticks price, Lots qty)
{
    BookResult res;
    CHECK_EQ(s_sub(b, ORDER_LIMIT, side, price, qty, 1, &res), STATUS_OK);
    return res.id;
}

static OrderId s_stop(Book *b, Side side, Ticks trigger_px, Lots qty, StopTrigger trig, uint32_t owner)
{
    OrderReq q;
    memset(&q, 0, sizeof q);
    q.type = ORDER_STOP_MARKET;
    q.side = side;
    q.price_tk = trigger_px;
    q.qty = qty;
    q.owner = owner;
    q.trigger = trig;
    BookResult res;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_OK);
    VALID(b);
    CHECK_EQ(res.resting, qty);
    CHECK_EQ(res.filled, 0);
    return res.id;
}

static void stops_trigger_by_last_trade(void)
{
    SRec r;
    Book *b = s_book(&r);
    s_lim(b, SIDE_SELL, 100, 1);
    s_lim(b, SIDE_SELL, 101, 1);
    OrderId a102 = s_lim(b, SIDE_SELL, 102, 5);
    OrderId st = s_stop(b, SIDE_BUY, 101, 2, STOP_TRIGGER_LAST, 5);
    /* held outside the book: not in depth, levels or resting counts */
    BookCounts c = book_counts(b);
    CHECK_EQ(c.stop_orders, 1);
    CHECK_EQ(c.resting_orders, 3);
    CHECK_EQ(c.bid_levels, 0);
    CHECK_EQ(book_best_bid(b), 0);
    CHECK_EQ(book_qty_at(b, SIDE_BUY, 101), 0);
    CHECK_EQ(book_depth(b, SIDE_BUY, 101, 10000).qty, 0);
    BookOrderInfo info;
    CHECK_EQ(book_order_info(b, st, &info), STATUS_OK);
    CHECK(info.is_stop);
    CHECK_EQ(info.price_tk, 101);
    /* a trade at 100 does not reach 101 */
    BookResult res;
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_BUY, 100, 1, 2, &res), STATUS_OK);
    CHECK_EQ(r.ntrig, 0);
    /* a trade at 101 triggers it: market buy 2, ref = best ask 102, band 500 bps -> limit 107: 2 @102 */
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_BUY, 101, 1, 2, &res), STATUS_OK);
    CHECK_EQ(res.filled, 1);
    CHECK_EQ(r.ntrig, 1);
    CHECK_EQ(r.trig_id[0], st);
    CHECK_EQ(r.trig_px[0], 101);
    CHECK_EQ(r.nfills, 3);
    CHECK_EQ(r.fills[2].maker_id, a102);
    CHECK_EQ(r.fills[2].taker_id, st);
    CHECK_EQ(r.fills[2].price_tk, 102);
    CHECK_EQ(r.fills[2].qty, 2);
    CHECK_EQ(r.fills[2].taker_remaining, 0);
    CHECK_EQ(book_counts(b).stop_orders, 0);
    CHECK_EQ(book_qty_at(b, SIDE_SELL, 102), 3);
    CHECK_EQ(book_cancel(b, st), STATUS_STALE);
    /* a stop that would trigger at once is rejected: last is 102 */
    OrderReq q;
    memset(&q, 0, sizeof q);
    q.type = ORDER_STOP_MARKET;
    q.side = SIDE_BUY;
    q.price_tk = 102;
    q.qty = 1;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_REJECTED);
    q.price_tk = 90;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_REJECTED);
    q.side = SIDE_SELL;
    q.price_tk = 102;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_REJECTED);
    q.price_tk = 101;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_OK);
    VALID(b);
    book_destroy(b);
}

static void stops_trigger_by_mark(void)
{
    SRec r;
    Book *b = s_book(&r);
    s_lim(b, SIDE_BUY, 96, 1);
    s_lim(b, SIDE_BUY, 94, 2);
    s_lim(b, SIDE_BUY, 90, 5);
    OrderId st = s_stop(b, SIDE_SELL, 95, 3, STOP_TRIGGER_MARK, 5);
    BookResult res;
    /* last trades at 96 then 94 do not move a mark stop */
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_SELL, 94, 1, 2, &res), STATUS_OK);
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_SELL, 94, 1, 2, &res), STATUS_OK);
    CHECK_EQ(book_last_price(b), 94);
    CHECK_EQ(r.ntrig, 0);
    CHECK_EQ(book_on_mark(b, 97), STATUS_OK);
    VALID(b);
    CHECK_EQ(r.ntrig, 0);
    /* mark 95 <= 95: market sell 3, ref = best bid 94, off = floor(94*500/10000) = 4 -> limit 90: 1 @94, 2 @90 */
    r.nfills = 0;
    CHECK_EQ(book_on_mark(b, 95), STATUS_OK);
    VALID(b);
    CHECK_EQ(book_mark(b), 95);
    CHECK_EQ(r.ntrig, 1);
    CHECK_EQ(r.trig_id[0], st);
    CHECK_EQ(r.trig_px[0], 95);
    CHECK_EQ(r.nfills, 2);
    CHECK_EQ(r.fills[0].price_tk, 94);
    CHECK_EQ(r.fills[0].qty, 1);
    CHECK_EQ(r.fills[1].price_tk, 90);
    CHECK_EQ(r.fills[1].qty, 2);
    CHECK_EQ(r.fills[1].aggressor, SIDE_SELL);
    CHECK_EQ(book_qty_at(b, SIDE_BUY, 90), 3);
    CHECK_EQ(r.ndone, 0);
    book_destroy(b);
}

/* Sell stops at 98 (1st), 99, 98 (3rd), 97; one trade at 96 triggers all four. Direction of travel is down, so
 * the highest trigger goes first, then arrival: 99, 98 (1st), 98 (3rd), 97. Buy stops mirror it. */
static void stops_trigger_order(void)
{
    SRec r;
    Book *b = s_book(&r);
    s_lim(b, SIDE_BUY, 100, 1);
    s_lim(b, SIDE_BUY, 96, 10);
    BookResult res;
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_SELL, 100, 1, 2, &res), STATUS_OK); /* last 100 */
    OrderId s1 = s_stop(b, SIDE_SELL, 98, 1, STOP_TRIGGER_LAST, 11);
    OrderId s2 = s_stop(b, SIDE_SELL, 99, 1, STOP_TRIGGER_LAST, 12);
    OrderId s3 = s_stop(b, SIDE_SELL, 98, 1, STOP_TRIGGER_LAST, 13);
    OrderId s4 = s_stop(b, SIDE_SELL, 97, 1, STOP_TRIGGER_LAST, 14);
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_SELL, 96, 1, 2, &res), STATUS_OK);
    CHECK_EQ(r.ntrig, 4);
    CHECK_EQ(r.trig_id[0], s2);
    CHECK_EQ(r.trig_id[1], s1);
    CHECK_EQ(r.trig_id[2], s3);
    CHECK_EQ(r.trig_id[3], s4);
    CHECK_EQ(r.nfills, 6);
    for (int i = 2; i < 6; i++) CHECK_EQ(r.fills[i].taker_id, r.trig_id[i - 2]);
    CHECK_EQ(book_qty_at(b, SIDE_BUY, 96), 5);

    /* buys: asks 104 x10, last 100; stops t1 102 (last), t2 101 (mark), t3 103 (last), t4 102 (mark) */
    s_lim(b, SIDE_SELL, 104, 10);
    s_lim(b, SIDE_BUY, 100, 1);
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_SELL, 100, 1, 2, &res), STATUS_OK); /* last 100 */
    OrderId t1 = s_stop(b, SIDE_BUY, 102, 1, STOP_TRIGGER_LAST, 21);
    OrderId t2 = s_stop(b, SIDE_BUY, 101, 1, STOP_TRIGGER_MARK, 22);
    OrderId t3 = s_stop(b, SIDE_BUY, 103, 1, STOP_TRIGGER_LAST, 23);
    OrderId t4 = s_stop(b, SIDE_BUY, 102, 1, STOP_TRIGGER_MARK, 24);
    r.ntrig = 0;
    /* mark 103 triggers the mark stops t2 (101) and t4 (102). t2 goes first; its fill at 104 triggers the last
     * stops t1 (102) and t3 (103). t1 and t4 share 102: t1 arrived first. So: t2, t1, t4, t3. */
    CHECK_EQ(book_on_mark(b, 103), STATUS_OK);
    VALID(b);
    CHECK_EQ(r.ntrig, 4);
    CHECK_EQ(r.trig_id[0], t2);
    CHECK_EQ(r.trig_id[1], t1);
    CHECK_EQ(r.trig_id[2], t4);
    CHECK_EQ(r.trig_id[3], t3);
    CHECK_EQ(r.trig_px[0], 103);
    CHECK_EQ(r.trig_px[1], 104);
    CHECK_EQ(r.trig_px[2], 103);
    CHECK_EQ(book_qty_at(b, SIDE_SELL, 104), 6);
    book_destroy(b);
}

/* Last and mark stops of one side triggered together merge by (trigger price, arrival). */
static void stops_merge_last_and_mark(void)
{
    SRec r;
    Book *b = s_book(&r);
    s_lim(b, SIDE_BUY, 100, 1);
    s_lim(b, SIDE_BUY, 90, 10);
    BookResult res;
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_SELL, 100, 1, 2, &res), STATUS_OK); /* last 100 */
    CHECK_EQ(book_on_mark(b, 100), STATUS_OK);
    OrderId m97 = s_stop(b, SIDE_SELL, 97, 1, STOP_TRIGGER_MARK, 11);
    OrderId l98 = s_stop(b, SIDE_SELL, 98, 1, STOP_TRIGGER_LAST, 12);
    OrderId m99 = s_stop(b, SIDE_SELL, 99, 1, STOP_TRIGGER_MARK, 13);
    OrderId l96 = s_stop(b, SIDE_SELL, 96, 1, STOP_TRIGGER_LAST, 14);
    /* mark 95 triggers m99 then m97; m99's fill at 90 already triggered l98 and l96, which rank between:
     * after m99 (99) the next in order is l98 (98), m97 (97), l96 (96) */
    CHECK_EQ(book_on_mark(b, 95), STATUS_OK);
    VALID(b);
    CHECK_EQ(r.ntrig, 4);
    CHECK_EQ(r.trig_id[0], m99);
    CHECK_EQ(r.trig_id[1], l98);
    CHECK_EQ(r.trig_id[2], m97);
    CHECK_EQ(r.trig_id[3], l96);
    book_destroy(b);
}

/* bids 100, 99, 98, 97 (1 each), 96 x5. Sell stops A @99 (2 lots), B @97 (2 lots).
 * A taker sells 2 @99: 100, 99 -> last 99 triggers A: market sell 2, ref 98, limit 98 - 4 = 94: 98, 97 -> last 97
 * triggers B: market sell 2, ref 96: 2 @96. */
static void stops_cascade(void)
{
    SRec r;
    Book *b = s_book(&r);
    s_lim(b, SIDE_BUY, 100, 1);
    s_lim(b, SIDE_BUY, 99, 1);
    s_lim(b, SIDE_BUY, 98, 1);
    s_lim(b, SIDE_BUY, 97, 1);
    s_lim(b, SIDE_BUY, 96, 5);
    OrderId sa = s_stop(b, SIDE_SELL, 99, 2, STOP_TRIGGER_LAST, 5);
    OrderId sb = s_stop(b, SIDE_SELL, 97, 2, STOP_TRIGGER_LAST, 6);
    BookResult res;
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_SELL, 99, 2, 2, &res), STATUS_OK);
    CHECK_EQ(res.filled, 2);
    CHECK_EQ(r.ntrig, 2);
    CHECK_EQ(r.trig_id[0], sa);
    CHECK_EQ(r.trig_px[0], 99);
    CHECK_EQ(r.trig_id[1], sb);
    CHECK_EQ(r.trig_px[1], 97);
    static const Ticks px[] = {100, 99, 98, 97, 96};
    static const Lots qty[] = {1, 1, 1, 1, 2};
    CHECK_EQ(r.nfills, 5);
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(r.fills[i].price_tk, px[i]);
        CHECK_EQ(r.fills[i].qty, qty[i]);
    }
    CHECK_EQ(r.fills[2].taker_id, sa);
    CHECK_EQ(r.fills[4].taker_id, sb);
    CHECK_EQ(book_last_price(b), 96);
    CHECK_EQ(book_qty_at(b, SIDE_BUY, 96), 3);
    CHECK_EQ(book_counts(b).stop_orders, 0);
    book_destroy(b);
}

static void stops_cancel_and_replace_pending(void)
{
    SRec r;
    Book *b = s_book(&r);
    s_lim(b, SIDE_SELL, 100, 1);
    s_lim(b, SIDE_SELL, 101, 1);
    s_lim(b, SIDE_SELL, 105, 10);
    OrderId st = s_stop(b, SIDE_BUY, 100, 2, STOP_TRIGGER_LAST, 5);
    OrderId keep = s_stop(b, SIDE_BUY, 104, 2, STOP_TRIGGER_LAST, 6);
    CHECK_EQ(book_cancel(b, st), STATUS_OK);
    VALID(b);
    CHECK_EQ(book_counts(b).stop_orders, 1);
    CHECK_EQ(book_cancel(b, st), STATUS_STALE);
    BookResult res;
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_BUY, 100, 1, 2, &res), STATUS_OK);
    CHECK_EQ(r.ntrig, 0);
    /* move the remaining stop down to 101 and shrink it; a move to 100 (already hit) is rejected */
    CHECK_EQ(book_replace(b, keep, 100, 2, &res), STATUS_REJECTED);
    CHECK_EQ(book_replace(b, keep, 101, 1, &res), STATUS_OK);
    VALID(b);
    CHECK_EQ(res.resting, 1);
    CHECK_EQ(book_reduce(b, keep, 1), STATUS_OK);
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_BUY, 101, 1, 2, &res), STATUS_OK);
    CHECK_EQ(r.ntrig, 1);
    CHECK_EQ(r.trig_id[0], keep);
    CHECK_EQ(r.fills[r.nfills - 1].price_tk, 105);
    CHECK_EQ(r.fills[r.nfills - 1].qty, 1);
    book_destroy(b);
}

static void stops_reduce_only_and_band(void)
{
    SRec r;
    Book *b = s_book(&r);
    s_lim(b, SIDE_BUY, 100, 1);
    s_lim(b, SIDE_BUY, 80, 10);
    /* reduce-only stop accepted with 3 allowed, but at trigger time nothing is left to reduce */
    r.ro_max = 3;
    OrderReq q;
    memset(&q, 0, sizeof q);
    q.type = ORDER_STOP_MARKET;
    q.side = SIDE_SELL;
    q.price_tk = 100;
    q.qty = 5;
    q.owner = 5;
    q.flags = ORDER_FLAG_REDUCE_ONLY;
    BookResult res;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_OK);
    VALID(b);
    CHECK_EQ(res.accepted, 3);
    OrderId ro = res.id;
    /* a plain stop with its own band (100 bps) behind it */
    q.flags = 0;
    q.owner = 6;
    q.band_bps = 100;
    q.qty = 4;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_OK);
    OrderId banded = res.id;
    r.ro_max = 0;
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_SELL, 100, 1, 2, &res), STATUS_OK);
    /* ro ends REDUCE_ONLY; banded: ref = best bid 80, limit 80 - 0 (80*100/10000 = 0) = 80: 4 @80 */
    CHECK_EQ(r.ntrig, 2);
    CHECK_EQ(r.ndone, 1);
    CHECK_EQ(r.done_id[0], ro);
    CHECK_EQ(r.done_reason[0], BOOK_DONE_REDUCE_ONLY);
    CHECK_EQ(r.done_rem[0], 3);
    CHECK_EQ(r.fills[r.nfills - 1].taker_id, banded);
    CHECK_EQ(r.fills[r.nfills - 1].price_tk, 80);
    CHECK_EQ(book_qty_at(b, SIDE_BUY, 80), 6);
    /* a band that stops the sweep: bids 80 x6, 70 x10; stop sell with a reference 80 and 500 bps -> limit 76 */
    s_lim(b, SIDE_BUY, 70, 10);
    memset(&q, 0, sizeof q);
    q.type = ORDER_STOP_MARKET;
    q.side = SIDE_SELL;
    q.price_tk = 79;
    q.qty = 10;
    q.owner = 7;
    q.ref_tk = 80;
    CHECK_EQ(book_submit(b, &q, &res), STATUS_OK);
    OrderId st = res.id;
    r.ndone = 0;
    CHECK_EQ(book_on_mark(b, 50), STATUS_OK); /* a last-price stop ignores the mark */
    CHECK_EQ(r.ndone, 0);
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_SELL, 79, 1, 2, &res), STATUS_OK);
    /* the IOC finds 80 (>= 79): last 80 does not reach 79; nothing triggers */
    CHECK_EQ(r.ndone, 0);
    CHECK_EQ(s_sub(b, ORDER_IOC, SIDE_SELL, 70, 6, 2, &res), STATUS_OK);
    /* 5 @80 then 1 @70: last 70 triggers st: ref 80, limit 80 - 4 = 76, best bid 70 is beyond it: all 10 end */
    CHECK_EQ(r.ndone, 1);
    CHECK_EQ(r.done_id[0], st);
    CHECK_EQ(r.done_reason[0], BOOK_DONE_BAND);
    CHECK_EQ(r.done_rem[0], 10);
    book_destroy(b);
}

/* Stops wait during an auction and trigger on the uncross print. */
static void stops_wait_for_auction_end(void)
{
    SRec r;
    Book *b = s_book(&r);
    CHECK_EQ(book_set_auction(b, true), STATUS_OK);
    OrderId st = s_stop(b, SIDE_BUY, 101, 1, STOP_TRIGGER_LAST, 5);
    s_lim(b, SIDE_BUY, 102, 2);
    BookResult res;
    CHECK_EQ(s_sub(b, ORDER_LIMIT, SIDE_SELL, 102, 1, 2, &res), STATUS_OK);
    s_lim(b, SIDE_SELL, 103, 5);
    CHECK_EQ(book_on_mark(b, 150), STATUS_OK);
    CHECK_EQ(r.ntrig, 0);
    Ticks px;
    CHECK_EQ(book_uncross(b, 102, &px), STATUS_OK);
    VALID(b);
    CHECK_EQ(px, 102);
    CHECK_EQ(r.ntrig, 1);
    CHECK_EQ(r.trig_id[0], st);
    CHECK_EQ(r.fills[r.nfills - 1].price_tk, 103);
    CHECK_EQ(book_qty_at(b, SIDE_SELL, 103), 4);
    book_destroy(b);
}

/* Thousands of stops with cancels in between, then one mark move that triggers them all: they must fire in
 * trigger order (price in the direction of travel, then arrival), as a sorted list would give; the stop heaps are
 * checked by book_validate on the way. */
enum { MANY_STOPS = 3000 };

typedef struct ManyRec {
    OrderId trig[MANY_STOPS];
    int ntrig;
} ManyRec;

static void many_trig(void *ctx, OrderId id, uint32_t owner, uint64_t tag, Ticks px)
{
    ManyRec *r = ctx;
    (void)owner, (void)tag, (void)px;
    if (r->ntrig < MANY_STOPS) r->trig[r->ntrig++] = id;
}

static void stops_many_fire_in_trigger_order(void)
{
    static ManyRec r;
    static OrderId id[MANY_STOPS];
    static Ticks px[MANY_STOPS];
    static int order[MANY_STOPS];
    for (int pass = 0; pass < 2; pass++) {
        Side side = pass == 0 ? SIDE_BUY : SIDE_SELL;
        memset(&r, 0, sizeof r);
        BookDef d = book_default_def();
        d.listener.ctx = &r;
        d.listener.on_stop_triggered = many_trig;
        Book *b = NULL;
        CHECK_EQ(book_create(&d, &b), STATUS_OK);
        if (!b) return;
        CHECK_EQ(book_on_mark(b, 5000), STATUS_OK);
        uint64_t x = 12345u + (uint64_t)pass;
        bool live[MANY_STOPS];
        for (int i = 0; i < MANY_STOPS; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            /* 400 distinct prices for 3000 stops: many ties, broken by arrival */
            px[i] = side == SIDE_BUY ? 6000 + (Ticks)((x >> 33) % 400u) : 4000 - (Ticks)((x >> 33) % 400u);
            OrderReq q;
            memset(&q, 0, sizeof q);
            q.type = ORDER_STOP_MARKET;
            q.side = side;
            q.price_tk = px[i];
            q.qty = 1;
            q.owner = (uint32_t)i;
            q.trigger = STOP_TRIGGER_MARK;
            BookResult res;
            CHECK_EQ(book_submit(b, &q, &res), STATUS_OK);
            id[i] = res.id;
            live[i] = true;
            /* cancel an earlier stop now and then, from anywhere in the heap */
            if (i % 3 == 2) {
                int k = (int)((x >> 17) % (uint64_t)(i + 1));
                if (live[k]) {
                    CHECK_EQ(book_cancel(b, id[k]), STATUS_OK);
                    live[k] = false;
                }
            }
            if (i % 500 == 0) VALID(b);
        }
        VALID(b);
        int n = 0;
        for (int i = 0; i < MANY_STOPS; i++)
            if (live[i]) order[n++] = i;
        /* expected: by price in the direction of travel, then arrival (insertion sort: stable, n = 2,000ish) */
        for (int i = 1; i < n; i++) {
            int v = order[i], j = i - 1;
            while (j >= 0 && (side == SIDE_BUY ? px[order[j]] > px[v] : px[order[j]] < px[v])) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = v;
        }
        CHECK_EQ(book_counts(b).stop_orders, n);
        CHECK_EQ(book_on_mark(b, side == SIDE_BUY ? 7000 : 3000), STATUS_OK); /* every one triggers */
        CHECK_EQ(r.ntrig, n);
        int same = 0;
        for (int i = 0; i < n && i < r.ntrig; i++) same += r.trig[i] == id[order[i]];
        CHECK_EQ(same, n);
        CHECK_EQ(book_counts(b).stop_orders, 0);
        VALID(b);
        book_destroy(b);
    }
}

void suite_market_book_stops(void)
{
    static const TestCase cases[] = {
        TEST_CASE(stops_trigger_by_last_trade),
        TEST_CASE(stops_trigger_by_mark),
        TEST_CASE(stops_trigger_order),
        TEST_CASE(stops_merge_last_and_mark),
        TEST_CASE(stops_cascade),
        TEST_CASE(stops_cancel_and_replace_pending),
        TEST_CASE(stops_reduce_only_and_band),
        TEST_CASE(stops_wait_for_auction_end),
        TEST_CASE(stops_many_fire_in_trigger_order),
    };
    test_add_suite("market_book_stops", cases, TEST_COUNT(cases));
}
