/* agents/retail: the leveraged retail crowd.
 *
 * (a) Pure decision rules with hand-computed expectations (leverage clipping, entry sizing against the tier table
 *     and the venue's admission rule, sentiment and fear, trend score, noise long probability), the config schema's
 *     defaults against retail_default_def(), the memory budget per agent, and the parameter draws of a large block
 *     (median leverage 10x with a few % at >= 50x, Pareto wealth median).
 * (b) Behaviour in a "mini world": a real PerpVenue, one deep market maker ladder placed by the test, and a small
 *     event loop standing in for sim/world.c (orders arrive after their latency, wake-ups, fills, liquidations are
 *     routed to the population). The test moves the index (mark = index) to make crashes and margin calls.
 * (c) Integration in the real world (sim/world.c) with makers and noise traders and a sell shock. */
#include "test_suites.h"
#include "test_util.h"
#include "test_config_util.h"

#include "alloc.h"
#include "config_agents.h"
#include "retail.h"
#include "world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEC SIMTIME_NS_PER_S
#define MINUTE SIMTIME_NS_PER_MIN
#define HOUR SIMTIME_NS_PER_HOUR
#define P0 600000 /* 60,000 USD at 0.1 USD ticks */

static SimTime t0(void)
{
    SimTime t = 0;
    CHECK_EQ(simtime_parse_iso("2025-10-10T00:00:00Z", &t), STATUS_OK);
    return t;
}

/* ---- (a) pure rules ---- */

static void agents_retail_record_size(void)
{
    /* 32-byte agent record (two to a cache line; the account is not stored) + 1-byte activity (kept apart: the
     * wake thinning reads only it) + 4-byte watch slot; the brief's budget is 64 bytes of population state. */
    CHECK_LE(retail_bytes_per_agent(), 64);
    CHECK_EQ(retail_bytes_per_agent(), 37);
}

static void agents_retail_schema_defaults(void)
{
    RetailDef a, b = retail_default_def();
    test_check_schema_defaults(&cfg_retail_schema, &b);
    cfg_defaults(&cfg_retail_schema, &a);
    /* field by field for the ones that matter most */
    CHECK_EQ(a.count, 2000);
    CHECK_EQ(a.venue, VENUE_PERP);
    CHECK_EQ(a.leverage.kind, DIST_LOGNORMAL);
    CHECK_NEAR(dist_median(&a.leverage), 10.0, 0);
    CHECK_EQ(a.wealth_usd.kind, DIST_PARETO);
    CHECK_EQ(a.limit_patience, b.limit_patience);
    CHECK_NEAR(a.latency.median_ms, b.latency.median_ms, 0);
    CfgError err;
    CHECK_EQ(cfg_validate(&cfg_retail_schema, &b, &err), STATUS_OK);
    /* cross-field rules */
    RetailDef c = b;
    c.share_trend = 0.7;
    c.share_dip = 0.5;
    CHECK_NE(cfg_validate(&cfg_retail_schema, &c, &err), STATUS_OK);
    c = b;
    c.venue = VENUE_SPOT;
    CHECK_NE(cfg_validate(&cfg_retail_schema, &c, &err), STATUS_OK);
}

static void agents_retail_leverage_clip(void)
{
    CHECK_EQ(retail_clip_leverage(10.4, 125), 10);
    CHECK_EQ(retail_clip_leverage(10.5, 125), 11);  /* llround: half away from zero */
    CHECK_EQ(retail_clip_leverage(200.0, 125), 125);
    CHECK_EQ(retail_clip_leverage(60.0, 50), 50);   /* a venue with a lower cap */
    CHECK_EQ(retail_clip_leverage(0.3, 125), 1);
    CHECK_EQ(retail_clip_leverage(NAN, 125), 1);
    CHECK_EQ(retail_clip_leverage(7.0, 0), 1);
}

static MarginTable small_table(void)
{
    MarginTable t = {0};
    t.count = 3;
    t.tiers[0] = (MarginTier){1000000, 10000, 0, 50};
    t.tiers[1] = (MarginTier){10000000, 25000, 15000, 20};
    t.tiers[2] = (MarginTier){QUOTE_MAX, 50000, 265000, 10};
    return t;
}

static void agents_retail_entry_sizing(void)
{
    MarginTable t = small_table();
    /* free 1,000,000 quote, 25 % margin, 10x: notional 2,500,000; at 600,000 ticks floor(2.5e6 / 6e5) = 4 lots. */
    CHECK_EQ(retail_entry_lots(1000000, 0.25, 10, P0, &t, 0.0, 0.0), 4);
    /* all in at 10x: 10,000,000 / 600,000 = 16.67 -> 16 lots without headroom; with the 5 % band and a 10-bps fee
     * the venue admits at most 1e6 / (1.05 / 10 + 1.05 x 0.001) = 9,429,514 -> 15 lots. */
    CHECK_EQ(retail_entry_lots(1000000, 1.0, 10, P0, &t, 0.0, 0.0), 16);
    CHECK_EQ(retail_entry_lots(1000000, 1.0, 10, P0, &t, 0.05, 0.001), 15);
    /* the tier table: at 20x the largest notional is tier 1's cap 10,000,000 -> floor(1e7 / 6e5) = 16 lots even with
     * 1e9 free; at 10x the last tier (no cap): 0.5 x 1e9 x 10 = 5e9 -> 8333 lots; 60x no tier allows -> 0. */
    CHECK_EQ(retail_entry_lots(1000000000, 0.5, 20, P0, &t, 0.0, 0.0), 16);
    CHECK_EQ(retail_entry_lots(1000000000, 0.5, 10, P0, &t, 0.0, 0.0), 8333);
    CHECK_EQ(retail_entry_lots(1000000000, 0.5, 60, P0, &t, 0.0, 0.0), 0);
    /* too poor for one lot: 100,000 x 0.5 x 10 = 500,000 < 600,000 */
    CHECK_EQ(retail_entry_lots(100000, 0.5, 10, P0, &t, 0.0, 0.0), 0);
    CHECK_EQ(retail_entry_lots(0, 0.5, 10, P0, &t, 0.0, 0.0), 0);
    CHECK_EQ(retail_entry_lots(1000000, 0.0, 10, P0, &t, 0.0, 0.0), 0);
}

static void agents_retail_sentiment_rules(void)
{
    RetailDef d = retail_default_def(); /* ret scale 1 %, liq weight 1, fear share 0.2 % */
    /* herding: a 0.5 % rise in 15 min -> tanh(0.5) */
    CHECK_NEAR(retail_sentiment_target(&d, 0.005, 0, 0, 1e9), 0.46211715726000974, 1e-12);
    /* fear: 0.2 % of OI of longs liquidated in 60 s -> tanh(-1); shorts liquidated symmetric */
    CHECK_NEAR(retail_sentiment_target(&d, 0.0, 2e6, 0, 1e9), -0.7615941559557649, 1e-12);
    CHECK_NEAR(retail_sentiment_target(&d, 0.0, 0, 2e6, 1e9), 0.7615941559557649, 1e-12);
    CHECK_NEAR(retail_sentiment_target(&d, 0.0, 2e6, 0, 0), 0.0, 0); /* no open interest: no liquidation term */
    /* relaxation: after one time constant 1 - e^-1 of the way */
    CHECK_NEAR(retail_sentiment_step(0.0, 1.0, 600, 600), 0.6321205588285577, 1e-12);
    CHECK_NEAR(retail_sentiment_step(0.5, -1.0, 0, 600), 0.5, 0);
    CHECK_NEAR(retail_sentiment_step(0.5, 3.0, 1e9, 600), 1.0, 0); /* clipped */
    CHECK_NEAR(retail_fear_level(&d, 1e6, 1e6, 1e9), 1.0 - exp(-1.0), 1e-12);
    CHECK_NEAR(retail_fear_level(&d, 0, 0, 1e9), 0.0, 0);
    /* trend: fast EMA 0.4 % above slow at scale 0.2 % -> 2, + herding 0.5 x s 0.4 = 0.2, + bias 0.65 - 0.5 */
    CHECK_NEAR(retail_trend_score(&d, 1.004 * P0, P0, 0.5, 0.4), 2.35, 1e-9);
    CHECK_NEAR(retail_trend_score(&d, 0.996 * P0, P0, 0.0, 0.0), -1.85, 1e-9);
    CHECK_NEAR(retail_trend_score(&d, P0, 0, 0.0, 0.0), 0.15, 1e-12); /* no history: bias only */
    /* noise: 0.65 + 0.5 x 1 x (-1) = 0.15; clipped to [0.05, 0.95] */
    CHECK_NEAR(retail_noise_long_prob(&d, 1.0, -1.0), 0.15, 1e-12);
    CHECK_NEAR(retail_noise_long_prob(&d, 2.0, 1.0), 0.95, 0);
    CHECK_NEAR(retail_noise_long_prob(&d, 2.0, -1.0), 0.05, 0);
}

/* ---- (b) the mini world ---- */

enum { MEV_WAKE = 0, MEV_SUBMIT, MEV_CANCEL, MEV_CANCEL_ALL };

typedef struct MiniEv {
    SimTime time;
    uint64_t seq;
    int kind;
    uint32_t agent;
    AccountId account;
    OrderRef ref;
    VenueReq req;
} MiniEv;

typedef struct Mini {
    PerpVenue *perp;
    AgentEnv env;
    MarketFeed feed;
    IntensityProfile prof;
    void *pop;
    AccountId maker;
    uint32_t *owner;      /* agent by account, UINT32_MAX for the maker */
    uint32_t owner_cap;
    MiniEv *ev;
    size_t nev, evcap;
    uint64_t seq;
    uint32_t liquidations;
} Mini;

static void mini_push(Mini *m, const MiniEv *e)
{
    if (m->nev == m->evcap) {
        size_t cap = m->evcap ? m->evcap * 2 : 256;
        MiniEv *n = mem_realloc(m->ev, cap * sizeof *n);
        CHECK(n != NULL);
        if (!n) return;
        m->ev = n;
        m->evcap = cap;
    }
    m->ev[m->nev] = *e;
    m->ev[m->nev].seq = m->seq++;
    m->nev++;
}

static Status mini_submit(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, const VenueReq *req,
                          SimDuration latency)
{
    (void)pop;
    (void)v;
    Mini *m = world;
    mini_push(m, &(MiniEv){m->env.now + latency, 0, MEV_SUBMIT, agent, a, ORDER_REF_NONE, *req});
    return STATUS_OK;
}

static Status mini_cancel(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, OrderRef ref,
                          SimDuration latency)
{
    (void)pop;
    (void)v;
    Mini *m = world;
    mini_push(m, &(MiniEv){m->env.now + latency, 0, MEV_CANCEL, agent, a, ref, {0}});
    return STATUS_OK;
}

static Status mini_cancel_all(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, SimDuration latency)
{
    (void)pop;
    (void)v;
    Mini *m = world;
    mini_push(m, &(MiniEv){m->env.now + latency, 0, MEV_CANCEL_ALL, agent, a, ORDER_REF_NONE, {0}});
    return STATUS_OK;
}

static Status mini_add_margin(void *world, AccountId a, Quote amount)
{
    Mini *m = world;
    return perp_add_margin(m->perp, m->env.now, a, amount);
}

static void mini_wake_at(void *world, uint32_t pop, uint32_t agent, SimTime t)
{
    (void)pop;
    Mini *m = world;
    mini_push(m, &(MiniEv){t, 0, MEV_WAKE, agent, ACCOUNT_NONE, ORDER_REF_NONE, {0}});
}

static void owner_set(Mini *m, AccountId a, uint32_t agent)
{
    if (a >= m->owner_cap) {
        uint32_t cap = m->owner_cap ? m->owner_cap : 256;
        while (cap <= a) cap *= 2;
        uint32_t *o = mem_realloc(m->owner, cap * sizeof *o);
        CHECK(o != NULL);
        if (!o) return;
        for (uint32_t i = m->owner_cap; i < cap; i++) o[i] = UINT32_MAX;
        m->owner = o;
        m->owner_cap = cap;
    }
    m->owner[a] = agent;
}

static uint32_t owner_of(const Mini *m, AccountId a) { return a < m->owner_cap ? m->owner[a] : UINT32_MAX; }

static Status mini_open(void *world, uint32_t pop, uint32_t agent, VenueKind v, MarginMode mode, int32_t leverage,
                        Quote cash, Lots asset, AccountId *out)
{
    (void)pop;
    Mini *m = world;
    if (v != VENUE_PERP) return STATUS_INVALID;
    Status s = world_venue_open_account(m->perp, NULL, v, mode, leverage, cash, asset, out);
    if (s == STATUS_OK) owner_set(m, *out, agent);
    return s;
}

static Status mini_backstop(void *world, uint32_t pop, uint32_t agent, AccountId a)
{
    (void)world;
    (void)pop;
    (void)agent;
    (void)a;
    return STATUS_INVALID;
}

static void mini_on_trade(void *ctx, const PerpTrade *t)
{
    Mini *m = ctx;
    if (!m->pop) return;
    Side maker_side = t->aggressor == SIDE_BUY ? SIDE_SELL : SIDE_BUY;
    uint32_t mo = owner_of(m, t->maker), to = owner_of(m, t->taker);
    if (mo != UINT32_MAX) {
        AgentFill f = {VENUE_PERP, t->maker, maker_side, t->price_tk, t->qty, true, t->maker_ref, t->maker_remaining,
                       t->maker_tag, false};
        retail_ops.on_fill(m->pop, &m->env, mo, &f);
    }
    if (to != UINT32_MAX) {
        AgentFill f = {VENUE_PERP, t->taker, t->aggressor, t->price_tk, t->qty, false, t->taker_ref, t->taker_remaining,
                       t->taker_tag, false};
        retail_ops.on_fill(m->pop, &m->env, to, &f);
    }
}

static void mini_on_liq(void *ctx, const PerpLiqRecord *r)
{
    Mini *m = ctx;
    m->liquidations++;
    m->feed.liq_notional_60s[r->side] += (double)money_notional(r->mark_tk, r->qty);
    uint32_t o = owner_of(m, r->account);
    if (m->pop && o != UINT32_MAX) retail_ops.on_liquidated(m->pop, &m->env, o, r);
}

static void mini_on_done(void *ctx, AccountId a, OrderRef ref, uint64_t tag, Lots remaining)
{
    Mini *m = ctx;
    uint32_t o = owner_of(m, a);
    if (m->pop && o != UINT32_MAX) retail_ops.on_order_done(m->pop, &m->env, o, VENUE_PERP, ref, tag, remaining);
}

static void mini_check(const Mini *m)
{
    char why[256] = "";
    Status s = perp_check(m->perp, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nperp_check: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
}

/* The maker's ladder: 300 levels each side, 1 USD apart, 400 lots each, around center (cancels the old one). */
static void mini_ladder(Mini *m, Ticks center)
{
    perp_cancel_all(m->perp, m->env.now, m->maker);
    for (int i = 0; i < 300; i++) {
        VenueReq b = {ORDER_LIMIT, SIDE_BUY, center - 5 - 10 * i, 400, 0, 0, STOP_TRIGGER_LAST};
        VenueReq a = {ORDER_LIMIT, SIDE_SELL, center + 5 + 10 * i, 400, 0, 0, STOP_TRIGGER_LAST};
        CHECK_EQ(perp_submit(m->perp, m->env.now, m->maker, &b, NULL), STATUS_OK);
        CHECK_EQ(perp_submit(m->perp, m->env.now, m->maker, &a, NULL), STATUS_OK);
    }
}

static void mini_feed(Mini *m)
{
    MarketFeed *f = &m->feed;
    f->time = m->env.now;
    f->perp_mark = perp_mark(m->perp);
    f->index = perp_index(m->perp);
    f->perp_bid = book_best_bid(perp_book(m->perp));
    f->perp_ask = book_best_ask(perp_book(m->perp));
    for (int h = 0; h < FEED_HORIZONS; h++) f->ema[h] = (double)f->perp_mark;
    f->open_interest = ledger_oi_long(perp_ledger(m->perp));
}

/* Sets the index (mark = index from the next mark update) and recentres the maker's ladder there. */
static void mini_move(Mini *m, Ticks index)
{
    perp_set_index(m->perp, index);
    mini_ladder(m, index);
}

static void mini_init(Mini *m, const RetailDef *rd, int64_t warn_ppm)
{
    memset(m, 0, sizeof *m);
    PerpDef d = perp_default_def();
    d.mark.method = MARK_INDEX;
    d.start = t0();
    d.book.initial_center_tk = P0;
    d.book.window_ticks = 32768;
    d.insurance_fund = INT64_C(10000000) * 10000; /* 10M USD */
    if (warn_ppm > 0) d.warn_ratio_ppm = warn_ppm;
    CHECK_EQ(perp_create(&d, &m->perp), STATUS_OK);
    perp_set_listener(m->perp, &(PerpListener){m, mini_on_trade, mini_on_liq, mini_on_done});
    perp_set_index(m->perp, P0);
    perp_advance(m->perp, d.start);
    m->prof = profile_flat();
    m->env.world = m;
    m->env.ops = (AgentEnvOps){mini_submit, mini_cancel, mini_cancel_all, mini_add_margin, mini_wake_at, mini_open,
                               mini_backstop};
    m->env.now = d.start;
    m->env.feed = &m->feed;
    m->env.perp = m->perp;
    m->env.spot = NULL;
    m->env.profile = &m->prof;
    m->env.quote_per_usd = 10000.0;
    m->env.tick_usd = 0.1;
    m->env.lot_units = 0.001;
    CHECK_EQ(perp_add_account(m->perp, MARGIN_MODE_CROSS, 10, &m->maker), STATUS_OK);
    CHECK_EQ(perp_deposit(m->perp, m->maker, INT64_C(1000000000) * 10000), STATUS_OK); /* 1bn USD */
    mini_ladder(m, P0);
    mini_feed(m);
    void *pop = NULL;
    CHECK_EQ(retail_create(rd, &m->env, 0, rng_stream(42, 1), &pop), STATUS_OK);
    m->pop = pop;
}

static void mini_fini(Mini *m)
{
    if (m->pop) retail_ops.destroy(m->pop);
    perp_destroy(m->perp);
    mem_free(m->ev);
    mem_free(m->owner);
    memset(m, 0, sizeof *m);
}

static void mini_dispatch(Mini *m, const MiniEv *e)
{
    m->env.now = e->time;
    switch (e->kind) {
    case MEV_WAKE: retail_ops.wake(m->pop, &m->env, e->agent); break;
    case MEV_SUBMIT: {
        VenueResult r = {0};
        Status s = perp_submit(m->perp, e->time, e->account, &e->req, &r);
        retail_ops.on_submitted(m->pop, &m->env, e->agent, VENUE_PERP, e->req.tag, s, &r);
        break;
    }
    case MEV_CANCEL: (void)perp_cancel(m->perp, e->time, e->account, e->ref); break;
    default: (void)perp_cancel_all(m->perp, e->time, e->account); break;
    }
}

/* Runs events and the venue's schedule in time order up to t; the liquidation feed decays after 60 s. */
static void mini_run(Mini *m, SimTime t)
{
    for (;;) {
        size_t best = m->nev;
        for (size_t i = 0; i < m->nev; i++)
            if (best == m->nev || m->ev[i].time < m->ev[best].time ||
                (m->ev[i].time == m->ev[best].time && m->ev[i].seq < m->ev[best].seq))
                best = i;
        SimTime te = best < m->nev ? m->ev[best].time : SIMTIME_MAX;
        SimTime tp = perp_next_due(m->perp);
        if (te > t && tp > t) break;
        if (tp <= te) {
            m->env.now = tp;
            perp_advance(m->perp, tp);
            mini_feed(m);
            if ((tp - t0()) % (60 * SEC) == 0) m->feed.liq_notional_60s[0] = m->feed.liq_notional_60s[1] = 0;
        } else {
            MiniEv e = m->ev[best];
            m->ev[best] = m->ev[--m->nev];
            mini_dispatch(m, &e);
        }
    }
    m->env.now = t;
}

/* A block that trades predictably: noise traders only, always willing, no time or sentiment exits, no SL/TP,
 * market orders, wealth capped so one agent cannot sweep the maker's ladder. */
static RetailDef plain_def(uint32_t n)
{
    RetailDef d = retail_default_def();
    d.count = n;
    d.share_trend = 0;
    d.share_dip = 0;
    d.entry_prob = 1.0;
    d.long_bias = 0.8;
    d.herding = dist_const(0.0);
    d.limit_share = 0;
    d.sl_share = 0;
    d.tp_share = 0;
    d.hold_hours = dist_const(1000.0);
    d.reversal_threshold = 10.0;
    d.rate_per_hour = dist_const(4.0);
    d.wealth_usd.max = 20000.0;
    d.topup_prob = 0;
    d.panic_prob = 0;
    return d;
}

typedef struct PosCount {
    uint32_t longs, shorts;
} PosCount;

static PosCount count_positions(const Mini *m, uint32_t n)
{
    PosCount c = {0, 0};
    const Ledger *L = perp_ledger(m->perp);
    for (uint32_t i = 0; i < n; i++) {
        Lots q = ledger_qty(L, retail_account(m->pop, i));
        if (q > 0) c.longs++;
        if (q < 0) c.shorts++;
    }
    return c;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void agents_retail_parameter_draws(void)
{
    enum { N = 20000 };
    RetailDef d = retail_default_def();
    d.count = N;
    Mini m;
    mini_init(&m, &d, 0);
    double *lev = mem_alloc(N * sizeof *lev), *wealth = mem_alloc(N * sizeof *wealth);
    CHECK(lev && wealth);
    if (!lev || !wealth) goto out;
    uint32_t tail = 0, strat[RETAIL_STRATEGY_COUNT_] = {0};
    const Ledger *L = perp_ledger(m.perp);
    for (uint32_t i = 0; i < N; i++) {
        lev[i] = retail_leverage(m.pop, i);
        wealth[i] = (double)ledger_cash(L, retail_account(m.pop, i)) / 10000.0;
        if (lev[i] >= 50) tail++;
        CHECK(lev[i] >= 1 && lev[i] <= 125);
        CHECK_EQ(ledger_leverage(L, retail_account(m.pop, i)), (int64_t)lev[i]);
        CHECK_EQ(ledger_mode(L, retail_account(m.pop, i)), MARGIN_MODE_ISOLATED);
        strat[retail_strategy(m.pop, i)]++;
    }
    qsort(lev, N, sizeof *lev, cmp_double);
    qsort(wealth, N, sizeof *wealth, cmp_double);
    /* lognormal median 10, log-sd 0.8, rounded: median 10; P(>= 49.5) = P(Z >= ln(4.95) / 0.8 = 2.0) = 2.3 % */
    CHECK_NEAR(lev[N / 2], 10.0, 1.0);
    CHECK_NEAR((double)tail / N, 0.0228, 0.006);
    CHECK_EQ((int64_t)lev[N - 1], 125); /* the tail reaches the venue maximum */
    /* Pareto scale 500, index 1.3: median 500 x 2^(1 / 1.3) = 852.7 USD (sd of the sample median ~5 USD) */
    CHECK_NEAR(wealth[N / 2], 852.7, 40.0);
    CHECK_NEAR(wealth[0], 500.0, 0.01);
    /* strategy mix 40 / 20 / 40 */
    CHECK_NEAR((double)strat[RETAIL_TREND] / N, 0.4, 0.02);
    CHECK_NEAR((double)strat[RETAIL_DIP] / N, 0.2, 0.02);
    CHECK_NEAR((double)strat[RETAIL_NOISE] / N, 0.4, 0.02);
    /* one population-level wake is scheduled, not one per agent */
    CHECK_EQ(m.nev, 1);
out:
    mem_free(lev);
    mem_free(wealth);
    mini_fini(&m);
}

static void agents_retail_venue_cap(void)
{
    /* A venue whose policy cap (30x) the population cannot read: the first agent above it finds the cap by
     * stepping down, every later draw is clipped to it. */
    RetailDef d = retail_default_def();
    d.count = 3000;
    Mini m;
    memset(&m, 0, sizeof m);
    PerpDef pd = perp_default_def();
    pd.policy.max_leverage = 30;
    pd.start = t0();
    CHECK_EQ(perp_create(&pd, &m.perp), STATUS_OK);
    m.prof = profile_flat();
    m.env = (AgentEnv){&m, {mini_submit, mini_cancel, mini_cancel_all, mini_add_margin, mini_wake_at, mini_open,
                            mini_backstop}, pd.start, &m.feed, m.perp, NULL, &m.prof, 10000.0, 0.1, 0.001, 0.0, 0.0,
                      0, 0, 0.0}; /* no hour cache: profile_factor per wake */
    void *pop = NULL;
    CHECK_EQ(retail_create(&d, &m.env, 0, rng_stream(7, 1), &pop), STATUS_OK);
    m.pop = pop;
    uint32_t at_cap = 0;
    for (uint32_t i = 0; i < d.count; i++) {
        CHECK_LE(retail_leverage(pop, i), 30);
        at_cap += retail_leverage(pop, i) == 30;
    }
    CHECK_GT(at_cap, 10); /* ~6 % of draws are >= 29.5 */
    /* a spot block is refused */
    d.venue = VENUE_SPOT;
    void *bad = NULL;
    CHECK_EQ(retail_create(&d, &m.env, 0, rng_stream(7, 1), &bad), STATUS_INVALID);
    CHECK(bad == NULL);
    mini_fini(&m);
}

static void agents_retail_open_long_bias(void)
{
    enum { N = 200 };
    RetailDef d = plain_def(N);
    Mini m;
    mini_init(&m, &d, 0);
    SimTime t = t0();
    mini_run(&m, t + HOUR);
    RetailStats st = retail_stats(m.pop);
    PosCount c = count_positions(&m, N);
    /* each agent wakes at 4/h: P(no base wake in an hour) = e^-4 = 1.8 %, so ~196 open, ~80 % long */
    CHECK_GE(c.longs + c.shorts, 180);
    CHECK_GE(st.positions, 180);
    CHECK_NEAR((double)c.longs / (double)(c.longs + c.shorts), 0.8, 0.1);
    CHECK_NEAR((double)st.opens_long / (double)st.opens, 0.8, 0.1);
    CHECK_EQ(st.rejects, 0);
    /* base wakes ~ 200 x 4 = 800 in the hour (sd 28); checks ~ watched x 6/h */
    CHECK_NEAR((double)st.base_wakes, 800.0, 120.0);
    CHECK_GT(st.checks, 500);
    /* sizing: isolated margin <= margin_frac (<= 0.5) of the initial cash, notional / margin = leverage */
    const Ledger *L = perp_ledger(m.perp);
    for (uint32_t i = 0; i < N; i++) {
        AccountId a = retail_account(m.pop, i);
        Lots q = ledger_qty(L, a);
        if (q == 0) continue;
        Quote im = ledger_isolated_margin(L, a);
        Quote cash = ledger_cash(L, a);
        CHECK_LE(im, (im + cash) / 2 + 1 + ledger_entry_cost(L, a) / 1000); /* fees out of cash: slack 0.1 % */
        double lev_eff = (double)ledger_entry_cost(L, a) / (double)im;
        CHECK_NEAR(lev_eff, retail_leverage(m.pop, i), 0.01 * retail_leverage(m.pop, i) + 0.01);
    }
    mini_check(&m);
    mini_fini(&m);
}

static void agents_retail_crash_liquidates_and_reenters(void)
{
    enum { N = 200 };
    RetailDef d = plain_def(N);
    d.leverage = dist_const(50.0); /* liquidation ~1.6 % below entry (MMR 0.4 %) */
    d.reentry_prob = 1.0;
    Mini m;
    mini_init(&m, &d, 0);
    SimTime t = t0();
    mini_run(&m, t + HOUR);
    PosCount before = count_positions(&m, N);
    CHECK_GT(before.longs, 120);
    /* crash: -3 % */
    mini_move(&m, P0 * 97 / 100);
    mini_run(&m, t + HOUR + 2 * MINUTE);
    RetailStats st = retail_stats(m.pop);
    PosCount after = count_positions(&m, N);
    CHECK_GE(st.liquidations, before.longs);     /* every long entered within +0.6 % of 60,000 */
    /* the longs left are re-entries at the new price */
    CHECK_LE(after.longs, st.reentries);
    for (uint32_t i = 0; i < N; i++) {
        AccountId a = retail_account(m.pop, i);
        Lots q = ledger_qty(perp_ledger(m.perp), a);
        if (q > 0) CHECK_LT(ledger_entry_cost(perp_ledger(m.perp), a) / q, P0 * 98 / 100);
    }
    CHECK_EQ(st.exits, 0);
    /* the liquidation feed made the crowd afraid and bearish */
    CHECK(retail_fear(m.pop) > 0.3);
    CHECK(retail_sentiment(m.pop) < -0.05);
    /* re-entry at the next check (monitor 6/h) with what was left */
    mini_run(&m, t + 3 * HOUR);
    st = retail_stats(m.pop);
    CHECK_GT(st.reentries, before.longs / 2);
    PosCount later = count_positions(&m, N);
    CHECK_GT(later.longs + later.shorts, before.longs / 2);
    mini_check(&m);
    mini_fini(&m);

    /* the same crash with r = 0: every liquidated agent leaves for good */
    d.reentry_prob = 0.0;
    mini_init(&m, &d, 0);
    mini_run(&m, t + HOUR);
    before = count_positions(&m, N);
    mini_move(&m, P0 * 97 / 100);
    mini_run(&m, t + 3 * HOUR);
    st = retail_stats(m.pop);
    CHECK_GE(st.liquidations, before.longs);
    CHECK_EQ(st.exits, st.liquidations);
    CHECK_EQ(st.reentries, 0);
    const Ledger *L = perp_ledger(m.perp);
    uint32_t gone = 0;
    for (uint32_t i = 0; i < N; i++) gone += ledger_qty(L, retail_account(m.pop, i)) == 0;
    CHECK_GE(gone, (uint32_t)st.exits);
    mini_check(&m);
    mini_fini(&m);
}

/* Longs at 10x, warning level 10 %: the warning starts ~6 % below entry, liquidation at ~9.6 %; a 7.5 % drop puts
 * every long in a margin call without liquidating it. */
static void margin_call_world(Mini *m, double topup, double panic)
{
    RetailDef d = plain_def(200);
    d.leverage = dist_const(10.0);
    d.long_bias = 1.0;
    d.topup_prob = topup;
    d.panic_prob = panic;
    d.fear_panic = 0;
    mini_init(m, &d, 100000);
    mini_run(m, t0() + HOUR);
    mini_move(m, P0 * 925 / 1000);
}

static void agents_retail_margin_call_topup(void)
{
    Mini m;
    margin_call_world(&m, 1.0, 0.0);
    PosCount before = count_positions(&m, 200);
    CHECK_GT(before.longs, 150);
    mini_run(&m, t0() + 2 * HOUR);
    RetailStats st = retail_stats(m.pop);
    CHECK_EQ(st.liquidations, 0);
    CHECK_GT(st.margin_calls, 100);
    CHECK_GT(st.topups, 100);
    CHECK_EQ(st.close_panic, 0);
    /* top-up = 1 x the isolated margin (or all the free cash): margin now about twice the initial 10 % */
    const Ledger *L = perp_ledger(m.perp);
    uint32_t doubled = 0;
    for (uint32_t i = 0; i < 200; i++) {
        AccountId a = retail_account(m.pop, i);
        if (ledger_qty(L, a) <= 0) continue;
        if ((double)ledger_isolated_margin(L, a) > 0.15 * (double)ledger_entry_cost(L, a)) doubled++;
        CHECK(!perp_margin_call(m.perp, a) || ledger_cash(L, a) < ledger_entry_cost(L, a) / 100);
    }
    CHECK_GT(doubled, 100);
    PosCount after = count_positions(&m, 200);
    CHECK_GE(after.longs, before.longs); /* nobody closed (late entrants may have opened) */
    CHECK_EQ(st.close_hold + st.close_reversal + st.close_panic + st.closed_by_stop, 0);
    mini_check(&m);
    mini_fini(&m);
}

static void agents_retail_margin_call_panic(void)
{
    Mini m;
    margin_call_world(&m, 0.0, 1.0);
    PosCount before = count_positions(&m, 200);
    CHECK_GT(before.longs, 150);
    mini_run(&m, t0() + 2 * HOUR);
    RetailStats st = retail_stats(m.pop);
    CHECK_EQ(st.liquidations, 0);
    CHECK_EQ(st.topups, 0);
    CHECK_GE(st.close_panic, before.longs - 5);
    /* they re-enter at the new price (entry_prob 1), but nobody is left in a margin call */
    const Ledger *L = perp_ledger(m.perp);
    for (uint32_t i = 0; i < 200; i++) {
        AccountId a = retail_account(m.pop, i);
        CHECK(!perp_margin_call(m.perp, a));
        if (ledger_qty(L, a) > 0) CHECK_LT(ledger_entry_cost(L, a) / ledger_qty(L, a), P0 * 95 / 100);
    }
    mini_check(&m);
    mini_fini(&m);
}

static void agents_retail_stop_loss(void)
{
    RetailDef d = plain_def(200);
    d.leverage = dist_const(10.0);
    d.long_bias = 1.0;
    d.sl_share = 1.0;
    d.sl_pct = dist_const(1.0);     /* 1 % below entry, well above the 9.6 % liquidation price */
    d.tp_share = 1.0;
    d.tp_pct = dist_const(50.0);    /* far away: never fills */
    Mini m;
    mini_init(&m, &d, 0);
    mini_run(&m, t0() + HOUR);
    RetailStats st = retail_stats(m.pop);
    PosCount before = count_positions(&m, 200);
    CHECK_GT(before.longs, 150);
    CHECK_EQ(st.stops, st.positions);
    CHECK_EQ(st.take_profits, st.positions);
    mini_move(&m, P0 * 98 / 100);   /* -2 %: every stop (entry <= +0.6 %) triggers on the mark */
    mini_run(&m, t0() + 2 * HOUR);
    st = retail_stats(m.pop);
    CHECK_EQ(st.liquidations, 0);
    CHECK_GE(st.closed_by_stop, before.longs);
    /* every long now open was entered at the new price, with a fresh stop and take-profit: the old ones were
     * cancelled (one stop and one take-profit rest per open position) */
    const Ledger *L = perp_ledger(m.perp);
    uint32_t open = 0, resting = 0;
    for (uint32_t i = 0; i < 200; i++) {
        AccountId a = retail_account(m.pop, i);
        resting += perp_order_count(m.perp, a);
        if (ledger_qty(L, a) == 0) continue;
        open++;
        CHECK_LT(ledger_entry_cost(L, a) / ledger_qty(L, a), P0 * 99 / 100);
    }
    CHECK_LE(resting, 2 * open);
    mini_check(&m);
    mini_fini(&m);
}

static void agents_retail_sentiment_follows_feed(void)
{
    RetailDef d = plain_def(50);
    d.entry_prob = 0; /* nobody trades: only the mood moves */
    Mini m;
    mini_init(&m, &d, 0);
    m.feed.mark_then[2] = (double)P0 * exp(-0.02); /* +2 % in 15 min: the mark stays at P0 (index mark) */
    /* mini_feed does not touch mark_then[]; run 30 min = 3 time constants: s ~ tanh(2) x (1 - e^-3) = 0.92 */
    mini_run(&m, t0() + 30 * MINUTE);
    CHECK_NEAR(retail_sentiment(m.pop), tanh(2.0) * (1 - exp(-3.0)), 0.05);
    CHECK_NEAR(retail_fear(m.pop), 0.0, 0);
    m.feed.mark_then[2] = (double)P0 * exp(0.02);
    mini_run(&m, t0() + 90 * MINUTE);
    CHECK(retail_sentiment(m.pop) < -0.9);
    RetailStats st = retail_stats(m.pop);
    CHECK_EQ(st.opens, 0);
    mini_fini(&m);
}

/* ---- (c) the real world ---- */

typedef struct Obs {
    const World *w;
    uint32_t retail_liqs, retail_liq_longs;
    SimTime *liq_time;     /* by retail agent: last liquidation, 0 = none */
    uint32_t n;
    uint32_t reentry_trades;
} Obs;

static void obs_liq(void *ctx, const PerpLiqRecord *r)
{
    Obs *o = ctx;
    uint32_t agent = 0;
    if (world_perp_owner(o->w, r->account, &agent) != POP_RETAIL) return;
    o->retail_liqs++;
    if (r->side == SIDE_BUY) o->retail_liq_longs++;
    if (agent < o->n) o->liq_time[agent] = r->time;
}

static void obs_trade(void *ctx, const PerpTrade *t)
{
    Obs *o = ctx;
    uint32_t agent = 0;
    if (world_perp_owner(o->w, t->taker, &agent) == POP_RETAIL && agent < o->n && o->liq_time[agent] > 0 &&
        t->time > o->liq_time[agent]) {
        o->reentry_trades++;
        o->liq_time[agent] = 0; /* count each re-entry once */
    }
}

/* A small world, kept cheap for the validate build (perp_check after every venue call): 4 perp makers and 2 spot
 * makers refreshing every 5 s, 20 + 20 noise traders, 200 retail agents woken ~10x faster than the defaults so that
 * positions build up within minutes; after 8 minutes market sells of 2M USD on the perp and 6M USD on spot over
 * one minute. Every liquidated agent re-enters (r = 1) so that re-entries are certain to show. */
static void agents_retail_world(void)
{
    WorldDef d = world_default_def();
    d.run.duration = 15 * MINUTE;
    d.run.progress = false;
    d.makers.count = 4;
    d.makers.refresh = 5 * SEC;
    d.spot_makers.count = 2;
    d.spot_makers.refresh = 5 * SEC;
    d.noise.count = 20;
    d.spot_noise.count = 20;
    d.arbitrageurs.count = 0;
    d.liquidation_bots.count = 0;
    d.value.count = 0;
    d.retail.count = 200;
    d.retail.wealth_usd.max = 50000.0;
    d.retail.rate_per_hour = dist_const(30.0);
    d.retail.monitor_per_hour = 120.0;
    d.retail.hold_hours = dist_const(1.0);
    d.retail.reentry_prob = 1.0;
    /* noise-strategy agents only: their side is the long bias (0.65) moved by sentiment, so the crowd leans long
     * on every seed (trend followers follow the last minutes' drift, which goes either way) */
    d.retail.share_trend = 0.0;
    d.retail.share_dip = 0.0;
    /* without arbitrageurs the index follows only spot: sell both (the mark is median3 around the index) */
    d.shock_count = 2;
    d.shocks[0] = (ShockDef){SHOCK_SELL, 8 * MINUTE, VENUE_PERP, 2e6, 60 * SEC, 20, 0, 0};
    d.shocks[1] = (ShockDef){SHOCK_SELL, 8 * MINUTE, VENUE_SPOT, 6e6, 60 * SEC, 20, 0, 0};
    World *w = NULL;
    char why[256] = "";
    Status s = world_create(&d, &w, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nworld_create: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    if (s != STATUS_OK) return;
    Obs o = {w, 0, 0, NULL, 200, 0};
    o.liq_time = mem_calloc(200, sizeof *o.liq_time);
    world_set_observer(w, &(WorldObserver){&o, obs_trade, NULL, obs_liq, NULL});
    /* before the shock: positions open, most of them long */
    CHECK_EQ(world_run_until(w, d.run.start + 8 * MINUTE), STATUS_OK);
    const Ledger *L = perp_ledger(world_perp(w));
    uint32_t longs = 0, shorts = 0;
    for (AccountId a = 0; a < ledger_account_count(L); a++) {
        if (world_perp_owner(w, a, NULL) != POP_RETAIL) continue;
        Lots q = ledger_qty(L, a);
        longs += q > 0;
        shorts += q < 0;
    }
    CHECK_GT(longs + shorts, 40);
    CHECK_GT(longs, shorts);
    if (longs <= shorts) fprintf(stderr, "\nretail world: %u long, %u short before the shock\n", longs, shorts);
    uint32_t liqs_before = o.retail_liqs;
    /* the shock liquidates leveraged longs; some liquidated agents come back */
    CHECK_EQ(world_run(w), STATUS_OK);
    CHECK_GT(o.retail_liqs, liqs_before);
    CHECK_GT(o.retail_liq_longs, o.retail_liqs / 2);
    CHECK_GT(o.reentry_trades, 0);
    s = world_check(w, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nworld_check: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    world_destroy(w);
    mem_free(o.liq_time);
}

/* Opens one more account before agent 2's: the block's accounts are then not consecutive. */
static Status mini_open_gap(void *world, uint32_t pop, uint32_t agent, VenueKind v, MarginMode mode, int32_t leverage,
                            Quote cash, Lots asset, AccountId *out)
{
    Mini *m = world;
    AccountId extra;
    if (agent == 2) CHECK_EQ(perp_add_account(m->perp, MARGIN_MODE_CROSS, 1, &extra), STATUS_OK);
    return mini_open(world, pop, agent, v, mode, leverage, cash, asset, out);
}

/* The record does not store the account: agent i's is the block's first + i, which holds because the venue numbers
 * accounts in order and the block opens its own in a row; a venue that interleaved others is refused. */
static void agents_retail_accounts_consecutive(void)
{
    RetailDef d = plain_def(6);
    Mini m;
    mini_init(&m, &d, 0);
    AccountId first = retail_account(m.pop, 0);
    CHECK_EQ(first, m.maker + 1u);
    for (uint32_t i = 0; i < 6; i++) {
        CHECK_EQ(retail_account(m.pop, i), first + i);
        CHECK_EQ(owner_of(&m, first + i), i);
    }
    m.env.ops.open_account = mini_open_gap;
    void *pop = NULL;
    CHECK_EQ(retail_create(&d, &m.env, 1, rng_stream(42, 2), &pop), STATUS_INVALID);
    CHECK(pop == NULL);
    mini_fini(&m);
}

void suite_agents_retail(void)
{
    static const TestCase cases[] = {
        TEST_CASE(agents_retail_record_size),
        TEST_CASE(agents_retail_schema_defaults),
        TEST_CASE(agents_retail_leverage_clip),
        TEST_CASE(agents_retail_entry_sizing),
        TEST_CASE(agents_retail_sentiment_rules),
        TEST_CASE(agents_retail_parameter_draws),
        TEST_CASE(agents_retail_accounts_consecutive),
        TEST_CASE(agents_retail_venue_cap),
        TEST_CASE(agents_retail_open_long_bias),
        TEST_CASE(agents_retail_crash_liquidates_and_reenters),
        TEST_CASE(agents_retail_margin_call_topup),
        TEST_CASE(agents_retail_margin_call_panic),
        TEST_CASE(agents_retail_stop_loss),
        TEST_CASE(agents_retail_sentiment_follows_feed),
        TEST_CASE(agents_retail_world),
    };
    test_add_suite("agents_retail", cases, TEST_COUNT(cases));
}
