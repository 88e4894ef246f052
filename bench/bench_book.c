/* Scenario `book`: throughput of market/book under a realistic order-flow mix (bench/README.md has the definition).
 *
 * The op stream is generated once, untimed, by driving a generation book: adds at a geometric distance from the mid
 * (mean ~20 ticks), cancels of uniformly random live orders, marketable IOC or market orders that sweep 1-5 levels;
 * the cancel rate follows the live count so the book stays near 4000 live orders. Order ids are deterministic
 * (slot + generation), so the recorded cancel ids are valid again when the same stream is replayed on a fresh book:
 * every timed repeat must reproduce the generation run's fills, volume, last price and live orders exactly. */
#include "bench.h"

#include "alloc.h"
#include "book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OP_ADD = 0, OP_IOC, OP_MARKET, OP_CANCEL };

typedef struct BenchOp {
    uint8_t kind;
    uint8_t side;
    uint16_t owner;
    uint32_t qty;
    union {
        Ticks price_tk;   /* ADD, IOC */
        OrderId id;       /* CANCEL */
    } u;
} BenchOp;

typedef struct Totals {
    uint64_t fills;
    int64_t volume;
    uint64_t done;
    uint64_t cancel_fail;
    uint32_t live;
    Ticks last_tk;
} Totals;

/* ---- generation: tracks live orders to choose cancels ---- */

#define LIVE_TARGET 4000u
#define SLOT_MAP (1u << 22)

typedef struct Gen {
    OrderId *live;
    uint32_t nlive;
    uint32_t *pos; /* [slot] index in live, UINT32_MAX when absent */
    Totals t;
} Gen;

static void gen_remove(Gen *g, OrderId id)
{
    uint32_t slot = (uint32_t)id;
    if (slot >= SLOT_MAP) return;
    uint32_t p = g->pos[slot];
    if (p == UINT32_MAX || g->live[p] != id) return;
    OrderId last = g->live[--g->nlive];
    g->live[p] = last;
    g->pos[(uint32_t)last] = p;
    g->pos[slot] = UINT32_MAX;
}

static void gen_fill(void *ctx, const BookFill *f)
{
    Gen *g = ctx;
    g->t.fills++;
    g->t.volume += f->qty;
    if (f->maker_remaining == 0) gen_remove(g, f->maker_id);
}

static void gen_done(void *ctx, OrderId id, uint32_t owner, uint64_t tag, BookDoneReason reason, Lots remaining)
{
    Gen *g = ctx;
    (void)owner;
    (void)tag;
    (void)reason;
    (void)remaining;
    g->t.done++;
    gen_remove(g, id);
}

static BookDef bench_def(void)
{
    BookDef d = book_default_def();
    d.order_capacity = 16384;
    d.initial_center_tk = 1000000;
    return d;
}

static OrderReq op_req(const BenchOp *op)
{
    OrderReq q;
    memset(&q, 0, sizeof q);
    q.type = op->kind == OP_ADD ? ORDER_LIMIT : op->kind == OP_IOC ? ORDER_IOC : ORDER_MARKET;
    q.side = (Side)op->side;
    q.price_tk = op->kind == OP_MARKET ? 0 : op->u.price_tk;
    q.qty = op->qty;
    q.owner = op->owner;
    return q;
}

/* Geometric distance >= 0 with success probability 1/20 (mean 19 ticks), truncated at 2000. */
static Ticks geo_distance(uint64_t *s)
{
    Ticks d = 0;
    while (d < 2000 && bench_rand(s) % 20u != 0) d++;
    return d;
}

static int generate(BenchOp *ops, int64_t n, uint64_t seed, Totals *expect)
{
    Gen g;
    memset(&g, 0, sizeof g);
    g.live = malloc(SLOT_MAP * sizeof *g.live);
    g.pos = malloc(SLOT_MAP * sizeof *g.pos);
    if (!g.live || !g.pos) {
        free(g.live);
        free(g.pos);
        return 1;
    }
    memset(g.pos, 0xff, SLOT_MAP * sizeof *g.pos);
    BookDef d = bench_def();
    d.listener.ctx = &g;
    d.listener.on_fill = gen_fill;
    d.listener.on_order_done = gen_done;
    Book *b = NULL;
    if (book_create(&d, &b) != STATUS_OK) return 1;
    uint64_t s = seed;
    BookLevelView top[5];
    for (int64_t i = 0; i < n; i++) {
        BenchOp *op = &ops[i];
        memset(op, 0, sizeof *op);
        Ticks bb = book_best_bid(b), ba = book_best_ask(b);
        Ticks mid = bb && ba ? (bb + ba) / 2 : bb ? bb + 1 : ba ? ba - 1 : 1000000;
        int64_t cancel_pm = 350 + ((int64_t)g.nlive - (int64_t)LIVE_TARGET) / 4;
        if (cancel_pm < 20) cancel_pm = 20;
        if (cancel_pm > 900) cancel_pm = 900;
        uint64_t r = bench_rand(&s) % 1000u;
        op->owner = (uint16_t)(1u + bench_rand(&s) % 1000u);
        op->side = (uint8_t)(bench_rand(&s) & 1u);
        Side os = op->side == SIDE_BUY ? SIDE_SELL : SIDE_BUY;
        if (r < 25 && book_top(b, os, top, 5) > 0) {
            /* sweep k levels: k-1 whole levels plus part of the k-th */
            uint64_t kr = bench_rand(&s) % 100u;
            uint32_t k = kr < 40 ? 1 : kr < 65 ? 2 : kr < 80 ? 3 : kr < 90 ? 4 : 5;
            uint32_t have = book_top(b, os, top, k);
            if (k > have) k = have;
            Lots q = 0;
            for (uint32_t j = 0; j + 1 < k; j++) q += top[j].qty;
            q += 1 + (Lots)(bench_rand(&s) % (uint64_t)top[k - 1].qty);
            op->qty = (uint32_t)q;
            if (bench_rand(&s) % 4u == 0) {
                op->kind = OP_MARKET;
            } else {
                op->kind = OP_IOC;
                op->u.price_tk = top[k - 1].price_tk;
            }
        } else if (r < 25 + (uint64_t)cancel_pm && g.nlive > 0) {
            op->kind = OP_CANCEL;
            op->u.id = g.live[bench_rand(&s) % g.nlive];
        } else {
            op->kind = OP_ADD;
            Ticks dist = geo_distance(&s);
            Ticks px = op->side == SIDE_BUY ? mid - 1 - dist : mid + 1 + dist;
            if (op->side == SIDE_BUY && ba && px >= ba) px = ba - 1;
            if (op->side == SIDE_SELL && bb && px <= bb) px = bb + 1;
            op->u.price_tk = px;
            op->qty = (uint32_t)(1u + bench_rand(&s) % 10u);
        }
        BookResult res;
        if (op->kind == OP_CANCEL) {
            if (book_cancel(b, op->u.id) != STATUS_OK) g.t.cancel_fail++;
            gen_remove(&g, op->u.id);
        } else {
            OrderReq q = op_req(op);
            if (book_submit(b, &q, &res) != STATUS_OK) g.t.cancel_fail++;
            if (res.resting > 0) {
                uint32_t slot = (uint32_t)res.id;
                if (slot >= SLOT_MAP) {
                    fprintf(stderr, "book: slot map too small\n");
                    return 1;
                }
                g.pos[slot] = g.nlive;
                g.live[g.nlive++] = res.id;
            }
        }
    }
    g.t.live = g.nlive;
    g.t.last_tk = book_last_price(b);
    int bad = book_counts(b).resting_orders != g.nlive || book_validate(b, NULL, 0) != STATUS_OK;
    *expect = g.t;
    book_destroy(b);
    free(g.live);
    free(g.pos);
    return bad;
}

/* ---- timed replay ---- */

static void cnt_fill(void *ctx, const BookFill *f)
{
    Totals *t = ctx;
    t->fills++;
    t->volume += f->qty;
}

static void cnt_done(void *ctx, OrderId id, uint32_t owner, uint64_t tag, BookDoneReason reason, Lots remaining)
{
    (void)id;
    (void)owner;
    (void)tag;
    (void)reason;
    (void)remaining;
    ((Totals *)ctx)->done++;
}

/* Replays the stream on a fresh book; returns elapsed seconds (timed part only), totals in *t. */
static double replay(const BenchOp *ops, int64_t n, Totals *t, int *recount_bad)
{
    memset(t, 0, sizeof *t);
    BookDef d = bench_def();
    d.listener.ctx = t;
    d.listener.on_fill = cnt_fill;
    d.listener.on_order_done = cnt_done;
    Book *b = NULL;
    if (book_create(&d, &b) != STATUS_OK) return -1.0;
    OrderReq q;
    memset(&q, 0, sizeof q);
    double t0 = bench_now();
    for (int64_t i = 0; i < n; i++) {
        const BenchOp *op = &ops[i];
        if (op->kind == OP_CANCEL) {
            t->cancel_fail += book_cancel(b, op->u.id) != STATUS_OK;
            continue;
        }
        q.type = op->kind == OP_ADD ? ORDER_LIMIT : op->kind == OP_IOC ? ORDER_IOC : ORDER_MARKET;
        q.side = (Side)op->side;
        q.price_tk = op->kind == OP_MARKET ? 0 : op->u.price_tk;
        q.qty = op->qty;
        q.owner = op->owner;
        t->cancel_fail += book_submit(b, &q, NULL) != STATUS_OK;
    }
    double el = bench_now() - t0;
    BookCounts c = book_counts(b);
    t->live = c.resting_orders;
    t->last_tk = book_last_price(b);
    /* recount the live orders level by level and check every invariant (untimed) */
    uint32_t cap = c.bid_levels + c.ask_levels + 1u;
    BookLevelView *lv = malloc(cap * sizeof *lv);
    uint64_t recount = 0;
    if (lv) {
        for (int s = 0; s < 2; s++) {
            uint32_t k = book_top(b, (Side)s, lv, cap);
            for (uint32_t j = 0; j < k; j++) recount += lv[j].orders;
        }
    }
    *recount_bad = !lv || recount != c.resting_orders || c.fills != t->fills || book_validate(b, NULL, 0) != STATUS_OK;
    free(lv);
    book_destroy(b);
    return el;
}

static int same(const Totals *a, const Totals *b)
{
    return a->fills == b->fills && a->volume == b->volume && a->done == b->done && a->live == b->live &&
           a->last_tk == b->last_tk && a->cancel_fail == b->cancel_fail;
}

int bench_book(const BenchArgs *args)
{
    int64_t n = args->ops > 0 ? args->ops : args->quick ? 200000 : 10000000;
    int reps = args->quick ? 2 : args->repeats;
    BenchOp *ops = malloc((size_t)n * sizeof *ops);
    double *rate = malloc((size_t)reps * sizeof *rate);
    if (!ops || !rate) {
        fprintf(stderr, "book: out of memory for %lld ops\n", (long long)n);
        free(ops);
        free(rate);
        return 1;
    }
    Totals expect;
    memset(&expect, 0, sizeof expect);
    double g0 = bench_now();
    int bad = generate(ops, n, args->seed, &expect);
    double gen_s = bench_now() - g0;
    int64_t kinds[4] = {0, 0, 0, 0};
    for (int64_t i = 0; i < n; i++) kinds[ops[i].kind]++;
    printf("book: %lld ops (add %.1f%%, cancel %.1f%%, ioc %.1f%%, market %.1f%%), seed %llu, generated in %.2f s\n",
           (long long)n, 100.0 * (double)kinds[OP_ADD] / (double)n, 100.0 * (double)kinds[OP_CANCEL] / (double)n,
           100.0 * (double)kinds[OP_IOC] / (double)n, 100.0 * (double)kinds[OP_MARKET] / (double)n,
           (unsigned long long)args->seed, gen_s);
    printf("book: expected fills %llu, volume %lld, endings %llu, live at end %u, last %lld\n",
           (unsigned long long)expect.fills, (long long)expect.volume, (unsigned long long)expect.done, expect.live,
           (long long)expect.last_tk);
    if (expect.cancel_fail) {
        fprintf(stderr, "book: %llu requests failed in the generation run\n", (unsigned long long)expect.cancel_fail);
        bad = 1;
    }
    for (int r = 0; r < reps; r++) {
        Totals t;
        int recount_bad = 0;
        int64_t live0 = mem_live_bytes();
        double el = replay(ops, n, &t, &recount_bad);
        rate[r] = el > 0 ? (double)n / el : 0.0;
        printf("book: repeat %d: %.3f s, %.2f Mops/s, %.1f ns/op\n", r + 1, el, rate[r] * 1e-6, 1e9 * el / (double)n);
        if (!same(&t, &expect) || recount_bad || mem_live_bytes() != live0) {
            fprintf(stderr, "book: repeat %d MISMATCH: fills %llu volume %lld endings %llu live %u last %lld "
                            "failed %llu recount %s\n",
                    r + 1, (unsigned long long)t.fills, (long long)t.volume, (unsigned long long)t.done, t.live,
                    (long long)t.last_tk, (unsigned long long)t.cancel_fail, recount_bad ? "BAD" : "ok");
            bad = 1;
        }
    }
    double med, mn;
    bench_median_min(rate, reps, &med, &mn);
    printf("book: median %.2f Mops/s, min %.2f Mops/s over %d repeats; results %s\n", med * 1e-6, mn * 1e-6, reps,
           bad ? "MISMATCH" : "identical");
    free(ops);
    free(rate);
    return bad ? 1 : 0;
}
