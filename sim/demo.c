/* Kernel demo: see demo.h. */
#include "demo.h"

#include "alloc.h"
#include "book.h"
#include "evq.h"
#include "output.h"
#include "rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { DEMO_EV_ARRIVAL = 1, DEMO_EV_SAMPLE = 2 };
enum { DEMO_STREAM_FLOW = 1 };

/* Activity by UTC hour (Asia, Europe, US sessions overlapping) and on weekends; the thinning uses their maximum. */
static const double HOUR_PROFILE[24] = {
    0.8, 0.8, 0.9, 0.9, 0.8, 0.7, 0.7, 0.8, 1.0, 1.0, 0.9, 0.9,
    1.0, 1.2, 1.4, 1.5, 1.4, 1.2, 1.0, 0.9, 0.9, 0.9, 0.8, 0.8,
};
static const double WEEKEND_FACTOR = 0.7;
static const double PROFILE_MAX = 1.5;

typedef struct Bar {
    Ticks open, high, low, close;
    Lots volume;
    uint32_t trades;
} Bar;

typedef struct Demo {
    const DemoDef *def;
    Book *book;
    Evq evq;
    Rng rng;
    OrderId *ids;          /* resting orders we may cancel; filled ones are dropped lazily */
    uint32_t ids_count, ids_cap;
    Bar bar;
    DemoReport rep;
    Lots lots_submitted, lots_cancelled, lots_ended;
    OutFile bars;
} Demo;

DemoDef demo_default_def(void)
{
    DemoDef d = {0};
    d.seed = 1;
    d.start = INT64_C(1760054400) * SIMTIME_NS_PER_S; /* 2025-10-10T00:00:00Z */
    d.duration = SIMTIME_NS_PER_DAY;
    d.initial_price_tk = 1000000;
    d.tick_size = 0.1;
    d.limit_rate_hz = 40.0;
    d.market_rate_hz = 6.0;
    d.cancel_rate_hz = 0.02;
    d.mean_offset_ticks = 400.0;
    d.size_median_lots = 20.0;
    d.size_sigma = 1.0;
    return d;
}

static double intensity(SimTime t)
{
    double f = HOUR_PROFILE[simtime_hour_of_day(t)];
    return simtime_is_weekend(t) ? f * WEEKEND_FACTOR : f;
}

static void on_fill(void *ctx, const BookFill *f)
{
    Demo *d = ctx;
    Bar *b = &d->bar;
    if (b->trades == 0) b->open = b->high = b->low = f->price_tk;
    if (f->price_tk > b->high) b->high = f->price_tk;
    if (f->price_tk < b->low) b->low = f->price_tk;
    b->close = f->price_tk;
    b->volume += f->qty;
    b->trades++;
    d->rep.fills++;
    d->rep.volume += f->qty;
    if (d->rep.low_tk == 0 || f->price_tk < d->rep.low_tk) d->rep.low_tk = f->price_tk;
    if (f->price_tk > d->rep.high_tk) d->rep.high_tk = f->price_tk;
}

static void on_order_done(void *ctx, OrderId id, uint32_t owner, uint64_t tag, BookDoneReason reason,
                          Lots remaining)
{
    (void)id, (void)owner, (void)tag, (void)reason;
    ((Demo *)ctx)->lots_ended += remaining;
}

static Lots draw_size(Demo *d)
{
    double x = rng_lognormal(&d->rng, log(d->def->size_median_lots), d->def->size_sigma);
    Lots q = (Lots)llround(x);
    return q < 1 ? 1 : q;
}

static Ticks reference_price(const Demo *d, Side side)
{
    /* A buyer prices off the best ask, a seller off the best bid; an empty side falls back to the last trade. */
    Ticks p = side == SIDE_BUY ? book_best_ask(d->book) : book_best_bid(d->book);
    if (p == 0) p = book_last_price(d->book);
    return p ? p : d->def->initial_price_tk;
}

static Status remember_id(Demo *d, OrderId id)
{
    if (d->ids_count == d->ids_cap) {
        uint32_t cap = d->ids_cap ? d->ids_cap * 2 : 1024;
        OrderId *ids = mem_realloc(d->ids, (size_t)cap * sizeof *ids);
        if (!ids) return STATUS_NOMEM;
        d->ids = ids;
        d->ids_cap = cap;
    }
    d->ids[d->ids_count++] = id;
    return STATUS_OK;
}

static Status submit_limit(Demo *d)
{
    Side side = rng_bernoulli(&d->rng, 0.5) ? SIDE_BUY : SIDE_SELL;
    Ticks offset = 1 + (Ticks)floor(rng_exponential(&d->rng, 1.0 / d->def->mean_offset_ticks));
    Ticks ref = reference_price(d, side);
    Ticks price = side == SIDE_BUY ? ref - offset : ref + offset;
    if (price < 1) price = 1;
    OrderReq req = {.type = ORDER_LIMIT, .side = side, .price_tk = price, .qty = draw_size(d), .owner = 1};
    BookResult res;
    Status s = book_submit(d->book, &req, &res);
    if (s != STATUS_OK) return s;
    d->rep.limits++;
    d->lots_submitted += req.qty;
    return res.resting > 0 ? remember_id(d, res.id) : STATUS_OK;
}

static Status submit_market(Demo *d)
{
    Side side = rng_bernoulli(&d->rng, 0.5) ? SIDE_BUY : SIDE_SELL;
    OrderReq req = {.type = ORDER_MARKET, .side = side, .qty = draw_size(d), .owner = 2};
    Status s = book_submit(d->book, &req, NULL);
    if (s != STATUS_OK) return s;
    d->rep.markets++;
    d->lots_submitted += req.qty;
    return STATUS_OK;
}

static void cancel_random(Demo *d)
{
    /* Pick random remembered ids until one is still resting; ids of filled orders are dropped on the way. */
    while (d->ids_count > 0) {
        uint32_t i = (uint32_t)rng_bounded(&d->rng, d->ids_count);
        OrderId id = d->ids[i];
        d->ids[i] = d->ids[--d->ids_count];
        BookOrderInfo info;
        if (book_order_info(d->book, id, &info) != STATUS_OK) continue;
        if (book_cancel(d->book, id) == STATUS_OK) {
            d->rep.cancels++;
            d->lots_cancelled += info.remaining;
        }
        return;
    }
}

static Status on_arrival(Demo *d, SimTime now)
{
    /* Each resting order is cancelled at its own rate, so the book size is stationary (Smith, Farmer et al.). The
     * total rate changes only at events, so drawing the next arrival from the current total stays exact. */
    double cancel_hz = d->def->cancel_rate_hz * (double)book_counts(d->book).resting_orders;
    double total = d->def->limit_rate_hz + d->def->market_rate_hz + cancel_hz;
    EvqHandle h = evq_push(&d->evq, now + (SimTime)(rng_exponential(&d->rng, total * PROFILE_MAX) * 1e9),
                           DEMO_EV_ARRIVAL, 0, 0);
    if (evq_handle_is_null(h)) return STATUS_NOMEM;
    /* Thinning: the candidate arrival happens with probability intensity(now) / PROFILE_MAX. */
    if (rng_uniform(&d->rng) * PROFILE_MAX >= intensity(now)) return STATUS_OK;
    double u = rng_uniform(&d->rng) * total;
    if (u < d->def->limit_rate_hz) return submit_limit(d);
    if (u < d->def->limit_rate_hz + d->def->market_rate_hz) return submit_market(d);
    cancel_random(d);
    return STATUS_OK;
}

static void write_bar(Demo *d, SimTime bar_start)
{
    Bar *b = &d->bar;
    if (b->trades == 0) b->open = b->high = b->low = b->close = book_last_price(d->book);
    char iso[SIMTIME_ISO_BUFSIZE];
    simtime_format_iso(bar_start, iso, sizeof iso);
    Ticks bid = book_best_bid(d->book), ask = book_best_ask(d->book);
    Ticks mid_ref = book_last_price(d->book) ? book_last_price(d->book) : d->def->initial_price_tk;
    BookDepth bd = book_depth(d->book, SIDE_BUY, mid_ref, 100);
    BookDepth ad = book_depth(d->book, SIDE_SELL, mid_ref, 100);
    BookCounts c = book_counts(d->book);
    fprintf(d->bars.fp, "%s,%lld,%lld,%lld,%lld,%lld,%u,%lld,%lld,%lld,%lld,%u\n", iso, (long long)b->open,
            (long long)b->high, (long long)b->low, (long long)b->close, (long long)b->volume, b->trades,
            (long long)bid, (long long)ask, (long long)bd.qty, (long long)ad.qty, c.resting_orders);
    Ticks close = b->close;
    memset(b, 0, sizeof *b);
    b->close = close;
}

static Status event_loop(Demo *d)
{
    const DemoDef *def = d->def;
    SimTime end = def->start + def->duration;
    if (evq_handle_is_null(evq_push(&d->evq, def->start, DEMO_EV_ARRIVAL, 0, 0))) return STATUS_NOMEM;
    if (evq_handle_is_null(evq_push(&d->evq, def->start + SIMTIME_NS_PER_MIN, DEMO_EV_SAMPLE, 0, 0))) {
        return STATUS_NOMEM;
    }
    Event ev;
    while (evq_pop(&d->evq, &ev) && ev.time <= end) {
        d->rep.events++;
        Status s = STATUS_OK;
        if (ev.kind == DEMO_EV_ARRIVAL) {
            if (ev.time == end) continue; /* the run covers [start, end); the final sample still runs */
            s = on_arrival(d, ev.time);
        } else {
            if (d->bars.fp) write_bar(d, ev.time - SIMTIME_NS_PER_MIN);
            if (ev.time < end && evq_handle_is_null(evq_push(&d->evq, ev.time + SIMTIME_NS_PER_MIN, DEMO_EV_SAMPLE,
                                                             0, 0))) {
                s = STATUS_NOMEM;
            }
        }
        if (s != STATUS_OK && s != STATUS_REJECTED) return s;
    }
    return STATUS_OK;
}

/* Resting lots on one side, summed over its levels. */
static Status side_total(const Book *book, Side side, uint32_t levels, Lots *out)
{
    *out = 0;
    if (levels == 0) return STATUS_OK;
    BookLevelView *v = mem_alloc((size_t)levels * sizeof *v);
    if (!v) return STATUS_NOMEM;
    uint32_t n = book_top(book, side, v, levels);
    for (uint32_t i = 0; i < n; i++) *out += v[i].qty;
    mem_free(v);
    return STATUS_OK;
}

/* Every lot submitted is accounted for exactly: each fill consumes its quantity from two orders. */
static Status check_conservation(Demo *d, char *why, size_t why_cap)
{
    Status s = book_validate(d->book, why, why_cap);
    if (s != STATUS_OK) return s;
    BookCounts c = book_counts(d->book);
    Lots bids = 0, asks = 0;
    s = side_total(d->book, SIDE_BUY, c.bid_levels, &bids);
    if (s == STATUS_OK) s = side_total(d->book, SIDE_SELL, c.ask_levels, &asks);
    if (s != STATUS_OK) return s;
    Lots accounted = 2 * d->rep.volume + d->lots_cancelled + d->lots_ended + bids + asks;
    if (accounted != d->lots_submitted || c.volume != d->rep.volume) {
        snprintf(why, why_cap, "lots not conserved: submitted %lld, accounted %lld (book volume %lld, seen %lld)",
                 (long long)d->lots_submitted, (long long)accounted, (long long)c.volume, (long long)d->rep.volume);
        return STATUS_INVALID;
    }
    return STATUS_OK;
}

static Status write_summary(const Demo *d)
{
    const DemoDef *def = d->def;
    OutFile f;
    Status s = output_open(&f, def->out_dir, "summary.json");
    if (s != STATUS_OK) return s;
    char start[SIMTIME_ISO_BUFSIZE], dur[SIMTIME_DURATION_BUFSIZE];
    simtime_format_iso(def->start, start, sizeof start);
    simtime_format_duration(def->duration, dur, sizeof dur);
    const DemoReport *r = &d->rep;
    fprintf(f.fp,
            "{\n  \"kind\": \"cascade-demo\",\n  \"seed\": %llu,\n  \"start\": \"%s\",\n  \"duration\": \"%s\",\n"
            "  \"tick_size\": %.10g,\n  \"events\": %llu,\n  \"orders\": {\"limit\": %llu, \"market\": %llu, "
            "\"cancel\": %llu},\n  \"fills\": %llu,\n  \"volume_lots\": %lld,\n  \"price_ticks\": {\"last\": %lld, "
            "\"low\": %lld, \"high\": %lld},\n  \"resting_orders\": %u,\n  \"invariants\": \"ok\"\n}\n",
            (unsigned long long)def->seed, start, dur, def->tick_size, (unsigned long long)r->events,
            (unsigned long long)r->limits, (unsigned long long)r->markets, (unsigned long long)r->cancels,
            (unsigned long long)r->fills, (long long)r->volume, (long long)r->last_tk, (long long)r->low_tk,
            (long long)r->high_tk, r->resting_orders);
    return output_commit(&f);
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

Status demo_run(const DemoDef *def, DemoReport *report, char *why, size_t why_cap)
{
    Demo d = {.def = def};
    double t0 = wall_now();
    d.rng = rng_stream(def->seed, DEMO_STREAM_FLOW);
    evq_init(&d.evq);
    BookDef bd = book_default_def();
    bd.initial_center_tk = def->initial_price_tk;
    bd.listener = (BookListener){.ctx = &d, .on_fill = on_fill, .on_order_done = on_order_done};
    Status s = book_create(&bd, &d.book);
    if (s != STATUS_OK) goto done;
    if (def->out_dir) {
        s = output_make_dir(def->out_dir);
        if (s == STATUS_OK) s = output_open(&d.bars, def->out_dir, "bars.csv");
        if (s != STATUS_OK) goto done;
        fprintf(d.bars.fp, "minute_utc,open_tk,high_tk,low_tk,close_tk,volume_lots,trades,best_bid_tk,best_ask_tk,"
                           "bid_depth_1pct_lots,ask_depth_1pct_lots,resting_orders\n");
    }
    s = event_loop(&d);
    if (s != STATUS_OK) goto done;
    d.rep.last_tk = book_last_price(d.book);
    d.rep.resting_orders = book_counts(d.book).resting_orders;
    s = check_conservation(&d, why, why_cap);
    if (s != STATUS_OK) goto done;
    if (def->out_dir) {
        s = output_commit(&d.bars);
        if (s == STATUS_OK) s = write_summary(&d);
    }
done:
    output_abort(&d.bars);
    d.rep.wall_seconds = wall_now() - t0;
    *report = d.rep;
    mem_free(d.ids);
    book_destroy(d.book);
    evq_fini(&d.evq);
    return s;
}
