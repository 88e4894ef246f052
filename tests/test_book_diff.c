/* Differential test of market/book against a tiny, obviously-correct reference model.
 *
 * The reference keeps resting orders in one array sorted best-first per side (insert and remove by memmove, lookup
 * by id by a scan: O(n) everything); the best maker is the first entry of the other side, levels are aggregated by
 * walking the array. A long seeded
 * random sequence of limit, IOC, post-only, market (with band), cancel (live and stale ids), replace and reduce
 * requests from several owners with mixed STP modes is applied to both; after every step the test compares the
 * status, the result, the exact sequence of events (fills: price, qty, maker, taker, remainders; endings: id,
 * reason, remainder), best prices, the top levels' totals and order counts, and the live order count. A 64-tick
 * window with occasional 300-tick jumps of the price keeps the far store and recentring busy. */
#include "test_suites.h"
#include "test_util.h"

#include "book.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

/* Uniform in [0, n) (the tiny modulo bias is irrelevant here). */
static int64_t rnd(uint64_t *s, int64_t n)
{
    return (int64_t)(rng_splitmix64(s) % (uint64_t)n);
}

/* ---- events, as both sides report them ---- */

#define TAKER_PLACEHOLDER UINT64_MAX
#define MAX_EV 4096

typedef struct Ev {
    int kind; /* 0 fill, 1 done */
    OrderId a;  /* maker / ended order */
    OrderId b;  /* taker */
    Ticks px;
    Lots qty;   /* fill qty / done remaining */
    Lots arem;
    Lots brem;
    int reason;
} Ev;

typedef struct EvList {
    Ev ev[MAX_EV];
    int n;
} EvList;

static void ev_push(EvList *l, Ev e)
{
    if (l->n < MAX_EV) l->ev[l->n++] = e;
}

static void bk_fill(void *ctx, const BookFill *f)
{
    ev_push(ctx, (Ev){0, f->maker_id, f->taker_id, f->price_tk, f->qty, f->maker_remaining, f->taker_remaining, 0});
}

static void bk_done(void *ctx, OrderId id, uint32_t owner, uint64_t tag, BookDoneReason reason, Lots remaining)
{
    (void)owner;
    (void)tag;
    ev_push(ctx, (Ev){1, id, 0, 0, remaining, 0, 0, (int)reason});
}

/* ---- the reference model ---- */

#define MAXR 8192

typedef struct ROrd {
    OrderId id;
    Side side;
    Ticks px;
    Lots qty;
    uint64_t seq;
    uint32_t owner;
    StpMode stp;      /* resolved */
    OrderType type;   /* LIMIT or POST_ONLY */
} ROrd;

/* Resting orders in one array sorted best-first per side: bids [0, nb) by price descending, then asks [nb, n) by
 * price ascending; arrival order within a price. */
typedef struct Ref {
    ROrd o[MAXR];
    int n;
    int nb;
    uint64_t seq;
    StpMode def_stp;
    int32_t def_band;
    EvList ev;
    OrderId dead[256];
    int ndead;
} Ref;

static void ref_kill(Ref *r, OrderId id)
{
    r->dead[r->ndead++ & 255] = id;
}

static int ref_find(const Ref *r, OrderId id)
{
    for (int i = 0; i < r->n; i++)
        if (r->o[i].id == id) return i;
    return -1;
}

/* Index of the best order of `side`, -1 when empty. */
static int ref_best(const Ref *r, Side side)
{
    if (side == SIDE_BUY) return r->nb > 0 ? 0 : -1;
    return r->n > r->nb ? r->nb : -1;
}

static Ticks ref_best_px(const Ref *r, Side side)
{
    int i = ref_best(r, side);
    return i < 0 ? 0 : r->o[i].px;
}

/* Removes entry i keeping the order (no "dead" record). */
static void ref_erase(Ref *r, int i)
{
    if (r->o[i].side == SIDE_BUY) r->nb--;
    memmove(&r->o[i], &r->o[i + 1], (size_t)(r->n - i - 1) * sizeof r->o[0]);
    r->n--;
}

static void ref_remove(Ref *r, int i)
{
    ref_kill(r, r->o[i].id);
    ref_erase(r, i);
}

/* Matches a taker; returns false when STP ended it. *qty is its remaining quantity. */
static bool ref_match(Ref *r, OrderId tid, Side side, Ticks limit, Lots *qty, uint32_t owner, StpMode stp)
{
    Side os = side == SIDE_BUY ? SIDE_SELL : SIDE_BUY;
    while (*qty > 0) {
        int i = ref_best(r, os);
        if (i < 0) break;
        ROrd *m = &r->o[i];
        if (side == SIDE_BUY ? m->px > limit : m->px < limit) break;
        if (m->owner == owner && stp != STP_NONE) {
            if (stp == STP_CANCEL_RESTING || stp == STP_CANCEL_BOTH) {
                ev_push(&r->ev, (Ev){1, m->id, 0, 0, m->qty, 0, 0, BOOK_DONE_STP});
                ref_remove(r, i);
            }
            if (stp == STP_CANCEL_TAKER || stp == STP_CANCEL_BOTH) {
                ev_push(&r->ev, (Ev){1, tid, 0, 0, *qty, 0, 0, BOOK_DONE_STP});
                return false;
            }
            continue;
        }
        Lots q = *qty < m->qty ? *qty : m->qty;
        m->qty -= q;
        *qty -= q;
        ev_push(&r->ev, (Ev){0, m->id, tid, m->px, q, m->qty, *qty, 0});
        if (m->qty == 0) ref_remove(r, i);
    }
    return true;
}

static void ref_rest(Ref *r, OrderId id, Side side, Ticks px, Lots qty, uint32_t owner, StpMode stp, OrderType t)
{
    if (r->n >= MAXR) abort();
    /* after every order of its side with a better or equal price (it is the latest arrival) */
    int i = side == SIDE_BUY ? 0 : r->nb, end = side == SIDE_BUY ? r->nb : r->n;
    while (i < end && (side == SIDE_BUY ? r->o[i].px >= px : r->o[i].px <= px)) i++;
    memmove(&r->o[i + 1], &r->o[i], (size_t)(r->n - i) * sizeof r->o[0]);
    r->o[i] = (ROrd){id, side, px, qty, ++r->seq, owner, stp, t};
    r->n++;
    if (side == SIDE_BUY) r->nb++;
}

static bool ref_crosses(const Ref *r, Side side, Ticks px)
{
    Ticks ob = ref_best_px(r, side == SIDE_BUY ? SIDE_SELL : SIDE_BUY);
    if (ob == 0) return false;
    return side == SIDE_BUY ? px >= ob : px <= ob;
}

/* Submit on the reference; mirrors book_submit's contract (taker events carry TAKER_PLACEHOLDER). */
static Status ref_submit(Ref *r, const OrderReq *q, BookResult *res)
{
    memset(res, 0, sizeof *res);
    StpMode stp = q->stp == STP_DEFAULT ? r->def_stp : q->stp;
    Lots qty = q->qty;
    Side os = q->side == SIDE_BUY ? SIDE_SELL : SIDE_BUY;
    if (q->type == ORDER_POST_ONLY && ref_crosses(r, q->side, q->price_tk)) return STATUS_REJECTED;
    res->id = TAKER_PLACEHOLDER;
    res->accepted = qty;
    OrderId tid = TAKER_PLACEHOLDER;
    if (q->type == ORDER_MARKET) {
        Ticks ref = q->ref_tk > 0 ? q->ref_tk : ref_best_px(r, os);
        if (ref == 0) {
            ev_push(&r->ev, (Ev){1, tid, 0, 0, qty, 0, 0, BOOK_DONE_NO_LIQUIDITY});
            return STATUS_OK;
        }
        int32_t band = q->band_bps > 0 ? q->band_bps : r->def_band;
        Ticks off = ref * band / 10000;
        Ticks limit = q->side == SIDE_BUY ? ref + off : (ref - off < 1 ? 1 : ref - off);
        bool alive = ref_match(r, tid, q->side, limit, &qty, q->owner, stp);
        res->filled = q->qty - qty;
        if (alive && qty > 0)
            ev_push(&r->ev, (Ev){1, tid, 0, 0, qty, 0, 0,
                                 ref_best_px(r, os) == 0 ? BOOK_DONE_NO_LIQUIDITY : BOOK_DONE_BAND});
        return STATUS_OK;
    }
    bool alive = true;
    if (q->type != ORDER_POST_ONLY) alive = ref_match(r, tid, q->side, q->price_tk, &qty, q->owner, stp);
    res->filled = q->qty - qty;
    if (!alive || qty == 0) return STATUS_OK;
    if (q->type == ORDER_IOC) {
        ev_push(&r->ev, (Ev){1, tid, 0, 0, qty, 0, 0, BOOK_DONE_IOC});
        return STATUS_OK;
    }
    ref_rest(r, tid, q->side, q->price_tk, qty, q->owner, stp, q->type);
    res->resting = qty;
    return STATUS_OK;
}

static Status ref_replace(Ref *r, OrderId id, Ticks np, Lots nq, BookResult *res)
{
    memset(res, 0, sizeof *res);
    int i = ref_find(r, id);
    if (i < 0) return STATUS_STALE;
    ROrd o = r->o[i];
    res->id = id;
    res->accepted = nq;
    if (np == o.px && nq <= o.qty) {
        r->o[i].qty = nq;
        res->resting = nq;
        return STATUS_OK;
    }
    if (o.type == ORDER_POST_ONLY) {
        /* crossing judged against the book without this order (it is on the other side, so unaffected) */
        if (ref_crosses(r, o.side, np)) return STATUS_REJECTED;
    }
    ref_erase(r, i); /* no "dead" record: the id lives on */
    Lots qty = nq;
    bool alive = true;
    if (o.type != ORDER_POST_ONLY) alive = ref_match(r, id, o.side, np, &qty, o.owner, o.stp);
    res->filled = nq - qty;
    if (!alive || qty == 0) {
        ref_kill(r, id);
        return STATUS_OK;
    }
    ref_rest(r, id, o.side, np, qty, o.owner, o.stp, o.type);
    res->resting = qty;
    return STATUS_OK;
}

/* ---- comparison ---- */

static int g_mismatch;

#define DIFF_CHECK_EQ(a, b)                                                                                   \
    do {                                                                                                      \
        int64_t da_ = (int64_t)(a), db_ = (int64_t)(b);                                                       \
        if (da_ != db_) {                                                                                     \
            if (g_mismatch++ < 10)                                                                            \
                fprintf(stderr, "diff step %ld: %s = %lld, reference %lld\n", step, #a, (long long)da_,      \
                        (long long)db_);                                                                      \
            CHECK_EQ(da_, db_);                                                                               \
        }                                                                                                     \
    } while (0)

static void compare_levels(const Book *b, const Ref *r, Side side, long step)
{
    BookLevelView v[5];
    uint32_t n = book_top(b, side, v, 5);
    BookLevelView top[5];
    uint32_t k = 0;
    int i = side == SIDE_BUY ? 0 : r->nb, end = side == SIDE_BUY ? r->nb : r->n;
    for (; i < end; i++) {
        const ROrd *o = &r->o[i];
        if (k > 0 && top[k - 1].price_tk == o->px) {
            top[k - 1].qty += o->qty;
            top[k - 1].orders++;
            continue;
        }
        if (k == 5) break;
        top[k++] = (BookLevelView){o->px, o->qty, 1};
    }
    DIFF_CHECK_EQ(n, k);
    for (uint32_t j = 0; j < n && j < k; j++) {
        DIFF_CHECK_EQ(v[j].price_tk, top[j].price_tk);
        DIFF_CHECK_EQ(v[j].qty, top[j].qty);
        DIFF_CHECK_EQ(v[j].orders, top[j].orders);
    }
}

static void compare_events(const EvList *bk, EvList *rf, OrderId taker, long step)
{
    DIFF_CHECK_EQ(bk->n, rf->n);
    int n = bk->n < rf->n ? bk->n : rf->n;
    for (int i = 0; i < n; i++) {
        Ev *e = &rf->ev[i];
        if (e->a == TAKER_PLACEHOLDER) e->a = taker;
        if (e->b == TAKER_PLACEHOLDER) e->b = taker;
        const Ev *f = &bk->ev[i];
        DIFF_CHECK_EQ(f->kind, e->kind);
        DIFF_CHECK_EQ(f->a, e->a);
        DIFF_CHECK_EQ(f->b, e->b);
        DIFF_CHECK_EQ(f->px, e->px);
        DIFF_CHECK_EQ(f->qty, e->qty);
        DIFF_CHECK_EQ(f->arem, e->arem);
        DIFF_CHECK_EQ(f->brem, e->brem);
        DIFF_CHECK_EQ(f->reason, e->reason);
    }
}

/* Fills the reference ids in after a submit: the book chose the taker's id. */
static void ref_name_taker(Ref *r, OrderId id)
{
    for (int i = 0; i < r->n; i++)
        if (r->o[i].id == TAKER_PLACEHOLDER) r->o[i].id = id;
    for (int i = 0; i < 256 && i < r->ndead; i++)
        if (r->dead[i] == TAKER_PLACEHOLDER) r->dead[i] = id;
}

static Ticks rand_offset(uint64_t *s)
{
    /* geometric-ish distance from the mid: mostly near the touch, a tail out to ~60 ticks */
    int64_t scale = rnd(s, 4) == 0 ? 60 : (rnd(s, 2) ? 3 : 12);
    return rnd(s, scale + 1);
}

static StpMode rand_stp(uint64_t *s)
{
    int64_t k = rnd(s, 10);
    if (k < 6) return STP_DEFAULT;
    return (StpMode)(k - 5); /* 1..4 */
}

static void run_diff(uint64_t seed, long steps, uint32_t window, StpMode def_stp, int validate_every)
{
    static Ref ref;
    static EvList bev;
    memset(&ref, 0, sizeof ref);
    bev.n = 0;
    ref.def_stp = def_stp;

    BookDef d = book_default_def();
    d.window_ticks = window;
    d.order_capacity = 64;
    d.stp = def_stp;
    d.band_bps = 200;
    ref.def_band = 200;
    d.listener.ctx = &bev;
    d.listener.on_fill = bk_fill;
    d.listener.on_order_done = bk_done;
    Book *b = NULL;
    CHECK_EQ(book_create(&d, &b), STATUS_OK);
    if (!b) return;

    uint64_t s = seed;
    Ticks mid = 10000;
    g_mismatch = 0;
    long fills = 0;
    for (long step = 0; step < steps && g_mismatch == 0; step++) {
        if (rnd(&s, 40) == 0) mid += rnd(&s, 7) - 3;
        if (step % 20000 == 19999) mid += rnd(&s, 2) ? 300 : -300;
        if (mid < 500) mid = 500;
        bev.n = 0;
        ref.ev.n = 0;
        Status sb = STATUS_OK, sr = STATUS_OK;
        BookResult rb, rr;
        memset(&rb, 0, sizeof rb);
        memset(&rr, 0, sizeof rr);
        OrderId taker = 0;
        int64_t op = rnd(&s, 100);
        /* keep the book size roughly stationary around a few hundred orders */
        if (ref.n > 600 && op < 60) op = 70;
        if (ref.n < 250 && op >= 60 && op < 85 && rnd(&s, 2)) op = 0;
        if (op < 60) {
            OrderReq q;
            memset(&q, 0, sizeof q);
            q.side = rnd(&s, 2) ? SIDE_BUY : SIDE_SELL;
            q.owner = 1 + (uint32_t)rnd(&s, 5);
            q.qty = 1 + rnd(&s, rnd(&s, 5) == 0 ? 40 : 8);
            q.stp = rand_stp(&s);
            q.tag = (uint64_t)step;
            Ticks off = rand_offset(&s);
            bool aggressive = rnd(&s, 6) == 0;
            if (aggressive) q.price_tk = q.side == SIDE_BUY ? mid + off : mid - off;
            else q.price_tk = q.side == SIDE_BUY ? mid - 1 - off : mid + 1 + off;
            if (op < 38) q.type = ORDER_LIMIT;
            else if (op < 46) q.type = ORDER_IOC;
            else if (op < 54) q.type = ORDER_POST_ONLY;
            else {
                q.type = ORDER_MARKET;
                q.price_tk = 0;
                static const int32_t bands[] = {0, 5, 20, 100, 1000};
                q.band_bps = bands[rnd(&s, 5)];
                if (rnd(&s, 3) == 0) q.ref_tk = mid + rnd(&s, 21) - 10;
            }
            sb = book_submit(b, &q, &rb);
            sr = ref_submit(&ref, &q, &rr);
            taker = rb.id;
            if (sr == STATUS_OK) {
                rr.id = rb.id;
                ref_name_taker(&ref, rb.id);
            }
        } else if (op < 85) {
            if (ref.n == 0 && ref.ndead == 0) continue;
            OrderId id;
            if (ref.n == 0 || (ref.ndead > 0 && rnd(&s, 8) == 0))
                id = ref.dead[rnd(&s, ref.ndead < 256 ? ref.ndead : 256)]; /* ended: must be STALE */
            else
                id = ref.o[rnd(&s, ref.n)].id;
            sb = book_cancel(b, id);
            int i = ref_find(&ref, id);
            if (i >= 0) {
                ref_remove(&ref, i);
                sr = STATUS_OK;
            } else {
                sr = STATUS_STALE;
            }
        } else if (ref.n > 0) {
            ROrd *o = &ref.o[rnd(&s, ref.n)];
            OrderId id = o->id;
            taker = id;
            if (op < 97) {
                Ticks np = o->px;
                Lots nq;
                int64_t kind = rnd(&s, 3);
                if (kind == 0) nq = 1 + rnd(&s, o->qty); /* shrink (or same) */
                else if (kind == 1) nq = o->qty + 1 + rnd(&s, 5);
                else {
                    nq = 1 + rnd(&s, 10);
                    Ticks off = rand_offset(&s);
                    bool aggressive = rnd(&s, 5) == 0;
                    if (aggressive) np = o->side == SIDE_BUY ? mid + off : mid - off;
                    else np = o->side == SIDE_BUY ? mid - 1 - off : mid + 1 + off;
                }
                sb = book_replace(b, id, np, nq, &rb);
                sr = ref_replace(&ref, id, np, nq, &rr);
            } else {
                Lots nq = 1 + rnd(&s, o->qty);
                sb = book_reduce(b, id, nq);
                o->qty = nq;
                sr = STATUS_OK;
            }
        }
        DIFF_CHECK_EQ(sb, sr);
        if (sb == STATUS_OK && sr == STATUS_OK) {
            DIFF_CHECK_EQ(rb.id, rr.id);
            DIFF_CHECK_EQ(rb.accepted, rr.accepted);
            DIFF_CHECK_EQ(rb.filled, rr.filled);
            DIFF_CHECK_EQ(rb.resting, rr.resting);
        }
        compare_events(&bev, &ref.ev, taker, step);
        for (int i = 0; i < bev.n; i++) fills += bev.ev[i].kind == 0;
        DIFF_CHECK_EQ(book_best_bid(b), ref_best_px(&ref, SIDE_BUY));
        DIFF_CHECK_EQ(book_best_ask(b), ref_best_px(&ref, SIDE_SELL));
        DIFF_CHECK_EQ(book_counts(b).resting_orders, ref.n);
        compare_levels(b, &ref, SIDE_BUY, step);
        compare_levels(b, &ref, SIDE_SELL, step);
        if (validate_every && step % validate_every == 0) {
            char why[256];
            Status v = book_validate(b, why, sizeof why);
            if (v != STATUS_OK) fprintf(stderr, "diff step %ld: book_validate: %s\n", step, why);
            DIFF_CHECK_EQ(v, STATUS_OK);
        }
    }
    char why[256];
    CHECK_EQ(book_validate(b, why, sizeof why), STATUS_OK);
    /* the run must have exercised what it claims to */
    BookCounts c = book_counts(b);
    CHECK_GT(fills, steps / 10);
    CHECK_EQ(c.fills, (uint64_t)fills);
    if (window == 64) CHECK_GT(c.recentres, 10);
    if (getenv("CASCADE_DIFF_STATS"))
        fprintf(stderr, "diff: %ld steps, %ld fills, %llu recentres, %d live at the end\n", steps, fills,
                (unsigned long long)c.recentres, ref.n);
    book_destroy(b);
}

static void book_diff_small_window(void)
{
    run_diff(0x5eed0001u, 120000, 64, STP_CANCEL_RESTING, 2);
}

static void book_diff_default_window(void)
{
    run_diff(0x5eed0002u, 60000, 4096, STP_CANCEL_BOTH, 64);
}

void suite_market_book_diff(void)
{
    static const TestCase cases[] = {
        TEST_CASE(book_diff_small_window),
        TEST_CASE(book_diff_default_window),
    };
    test_add_suite("market_book_diff", cases, TEST_COUNT(cases));
}
