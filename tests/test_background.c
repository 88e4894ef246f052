/* agents/noise and agents/value: the background populations.
 *
 * Unit tests drive a population through a mock AgentEnv: real spot and perpetual venues (so reads such as best
 * prices, balances and free margin are the real ones) seeded with a two-sided book by a test account, and mock
 * actions that record every submission, cancel and wake-up instead of queueing them. The test plays the world:
 * it delivers on_submitted for recorded submissions (resting limit orders get fake references), moves the clock,
 * and moves balances directly when it needs an inventory. Integration tests run small worlds (sim/world.c).
 *
 * Units as the world's defaults: 0.1 USD ticks, 0.001 BTC lots, so 1 quote unit = 0.0001 USD (10,000 per USD);
 * the books sit at 600,000 ticks = 60,000 USD (bid 599,950 / ask 600,050, mid 600,000). */
#include "test_suites.h"
#include "test_util.h"
#include "test_config_util.h"

#include "alloc.h"
#include "config_agents.h"
#include "noise.h"
#include "value.h"
#include "world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEC SIMTIME_NS_PER_S
#define MIN SIMTIME_NS_PER_MIN
#define MID 600000
#define BID 599950
#define ASK 600050

/* ---- the mock environment ---- */

enum { REC_SUBMIT = 0, REC_CANCEL, REC_CANCEL_ALL };
enum { MOCK_RECS = 1 << 16, MOCK_REFS = 1 << 16 };

typedef struct MockRec {
    int kind;
    uint32_t agent;
    VenueKind venue;
    AccountId account;
    VenueReq req;
    OrderRef ref;
    SimTime at;
} MockRec;

typedef struct Mock {
    AgentEnv env;
    MarketFeed feed;
    IntensityProfile profile;
    PerpVenue *perp;
    SpotVenue *spot;
    AccountId perp_maker, spot_maker;
    MockRec *recs;
    uint32_t n, delivered;
    uint8_t *ref_state;   /* fake refs: 1 resting, 2 cancelled */
    uint32_t *ref_agent;
    uint32_t live[64];    /* resting fake refs per agent (agents < 64) */
    uint64_t next_ref;
    uint32_t wakes;       /* wake_at requests */
    SimTime last_wake;
    double gap_sum_s;     /* sum of (requested wake - now) */
    bool bad_cancel;      /* a cancel of a reference never issued or already cancelled */
} Mock;

static Status m_submit(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, const VenueReq *req,
                       SimDuration latency)
{
    (void)pop;
    Mock *m = world;
    CHECK(latency > 0);
    if (m->n == MOCK_RECS) return STATUS_FULL;
    m->recs[m->n++] = (MockRec){REC_SUBMIT, agent, v, a, *req, ORDER_REF_NONE, m->env.now};
    return STATUS_OK;
}

static Status m_cancel(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, OrderRef ref,
                       SimDuration latency)
{
    (void)pop, (void)latency;
    Mock *m = world;
    if (m->n == MOCK_RECS) return STATUS_FULL;
    m->recs[m->n++] = (MockRec){REC_CANCEL, agent, v, a, {0}, ref, m->env.now};
    return STATUS_OK;
}

static Status m_cancel_all(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, SimDuration latency)
{
    (void)pop, (void)latency;
    Mock *m = world;
    if (m->n == MOCK_RECS) return STATUS_FULL;
    m->recs[m->n++] = (MockRec){REC_CANCEL_ALL, agent, v, a, {0}, ORDER_REF_NONE, m->env.now};
    return STATUS_OK;
}

static Status m_add_margin(void *world, AccountId a, Quote amount)
{
    Mock *m = world;
    return perp_add_margin(m->perp, m->env.now, a, amount);
}

static void m_wake_at(void *world, uint32_t pop, uint32_t agent, SimTime t)
{
    (void)pop;
    Mock *m = world;
    CHECK_EQ(agent, AGENT_NONE);
    CHECK(t > m->env.now);
    m->wakes++;
    m->last_wake = t;
    m->gap_sum_s += (double)(t - m->env.now) / (double)SEC;
}

static Status m_open_account(void *world, uint32_t pop, uint32_t agent, VenueKind v, MarginMode mode,
                             int32_t leverage, Quote cash, Lots asset, AccountId *out)
{
    (void)pop, (void)agent;
    Mock *m = world;
    return world_venue_open_account(m->perp, m->spot, v, mode, leverage, cash, asset, out);
}

static Status m_add_backstop(void *world, uint32_t pop, uint32_t agent, AccountId a)
{
    (void)world, (void)pop, (void)agent, (void)a;
    return STATUS_INVALID;
}

static SimTime t0(void)
{
    SimTime t = 0;
    CHECK_EQ(simtime_parse_iso("2025-10-10T00:00:00Z", &t), STATUS_OK);
    return t;
}

/* Venues with a two-sided book of 1,000 lots a side at BID / ASK, placed by a test account on each venue. */
static Mock *mock_new(void)
{
    Mock *m = mem_calloc(1, sizeof *m);
    m->recs = mem_calloc(MOCK_RECS, sizeof *m->recs);
    m->ref_state = mem_calloc(MOCK_REFS, 1);
    m->ref_agent = mem_calloc(MOCK_REFS, sizeof *m->ref_agent);
    SpotDef sd = spot_default_def();
    sd.book.initial_center_tk = MID;
    CHECK_EQ(spot_create(&sd, &m->spot), STATUS_OK);
    PerpDef pd = perp_default_def();
    pd.book.initial_center_tk = MID;
    pd.start = t0();
    pd.funding.impact_notional = 250000000; /* 25,000 USD */
    char why[200] = "";
    CHECK_EQ(perp_def_validate(&pd, why, sizeof why), STATUS_OK);
    CHECK_EQ(perp_create(&pd, &m->perp), STATUS_OK);
    perp_set_index(m->perp, MID);
    perp_advance(m->perp, pd.start);

    m->profile = profile_flat();
    m->feed.index = MID;
    m->feed.perp_mark = MID;
    m->feed.fundamental = MID;
    m->env = (AgentEnv){m,
                        {m_submit, m_cancel, m_cancel_all, m_add_margin, m_wake_at, m_open_account, m_add_backstop},
                        pd.start,
                        &m->feed,
                        m->perp,
                        m->spot,
                        &m->profile,
                        10000.0,
                        0.1,
                        0.001,
                        0.0,
                        0.0,
                        0, 0, 0.0}; /* no hour cache: profile_factor per wake */

    CHECK_EQ(spot_add_account(m->spot, &m->spot_maker), STATUS_OK);
    CHECK_EQ(spot_deposit_cash(m->spot, m->spot_maker, INT64_C(10000000000000)), STATUS_OK);
    CHECK_EQ(spot_deposit_asset(m->spot, m->spot_maker, 100000), STATUS_OK);
    VenueReq b = {ORDER_LIMIT, SIDE_BUY, BID, 1000, 0, 0, STOP_TRIGGER_LAST};
    VenueReq a = {ORDER_LIMIT, SIDE_SELL, ASK, 1000, 0, 0, STOP_TRIGGER_LAST};
    CHECK_EQ(spot_submit(m->spot, m->spot_maker, &b, NULL), STATUS_OK);
    CHECK_EQ(spot_submit(m->spot, m->spot_maker, &a, NULL), STATUS_OK);
    CHECK_EQ(perp_add_account(m->perp, MARGIN_MODE_CROSS, 10, &m->perp_maker), STATUS_OK);
    CHECK_EQ(perp_deposit(m->perp, m->perp_maker, INT64_C(10000000000000)), STATUS_OK);
    CHECK_EQ(perp_submit(m->perp, pd.start, m->perp_maker, &b, NULL), STATUS_OK);
    CHECK_EQ(perp_submit(m->perp, pd.start, m->perp_maker, &a, NULL), STATUS_OK);
    return m;
}

static void mock_free(Mock *m)
{
    perp_destroy(m->perp);
    spot_destroy(m->spot);
    mem_free(m->recs);
    mem_free(m->ref_state);
    mem_free(m->ref_agent);
    mem_free(m);
}

/* Plays the world for every record since the last call: a limit order rests under a fresh fake reference, other
 * submissions end at once; cancels retire their reference (checking it was live). */
static void mock_deliver(Mock *m, const PopulationOps *ops, void *pop)
{
    for (; m->delivered < m->n; m->delivered++) {
        MockRec *r = &m->recs[m->delivered];
        if (r->kind == REC_CANCEL) {
            if (r->ref == 0 || r->ref >= MOCK_REFS || m->ref_state[r->ref] != 1 || m->ref_agent[r->ref] != r->agent)
                m->bad_cancel = true;
            else {
                m->ref_state[r->ref] = 2;
                if (r->agent < 64) m->live[r->agent]--;
            }
            continue;
        }
        if (r->kind != REC_SUBMIT) continue;
        VenueResult res = {ORDER_REF_NONE, r->req.qty, 0, 0};
        if (r->req.type == ORDER_LIMIT && m->next_ref + 1 < MOCK_REFS) {
            res.ref = ++m->next_ref;
            res.resting = r->req.qty;
            m->ref_state[res.ref] = 1;
            m->ref_agent[res.ref] = r->agent;
            if (r->agent < 64) m->live[r->agent]++;
        } else {
            res.filled = r->req.qty;
        }
        ops->on_submitted(pop, &m->env, r->agent, r->venue, r->req.tag, STATUS_OK, &res);
    }
}

static uint32_t mock_live(const Mock *m, uint32_t agent) { return agent < 64 ? m->live[agent] : 0; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, uint32_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n ? (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2])) : 0.0;
}

/* Two definitions equal as configs (field by field through the canonical JSON, padding ignored). */
/* ---- noise: definitions and pure rules ---- */

/* agent_floor, agent_ceil and agent_llround against libm, bit for bit (signed zeros too), on halves, integers, tiny
 * and huge magnitudes, both signs and random values; agent_usd_to_quote against its plain floor formula. */
static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static void agent_rounding_matches_libm(void)
{
    const double fixed[] = {0.0, -0.0, 0.3, -0.3, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.5, -2.5, 1e-300, -1e-300,
                            4503599627370495.5, -4503599627370495.5, 4503599627370496.0, 9007199254740993.0,
                            9.2e18, -9.2e18, 9223372036854775808.0, 1e300, -1e300, INFINITY, -INFINITY, NAN};
    Rng r = rng_stream(5, 9);
    int bad = 0;
    for (int i = 0; i < 200000 + (int)(sizeof fixed / sizeof fixed[0]); i++) {
        double x;
        if (i < (int)(sizeof fixed / sizeof fixed[0])) x = fixed[i];
        else x = (rng_uniform(&r) - 0.5) * pow(2.0, (double)rng_range_i64(&r, -4, 66));
        if (!same_bits(agent_floor(x), floor(x)) || !same_bits(agent_ceil(x), ceil(x))) bad++;
        if (fabs(x) < 9e18 && agent_llround(x) != llround(x)) bad++;
    }
    CHECK_EQ(bad, 0);
    AgentEnv env = {0};
    env.quote_per_usd = 10000.0;
    for (int i = 0; i < 100000; i++) {
        double usd = (rng_uniform(&r) - 0.1) * pow(10.0, (double)rng_range_i64(&r, -6, 16));
        double q = floor(usd * env.quote_per_usd);
        Quote plain = q > 0 ? (q < 9e18 ? (Quote)q : QUOTE_MAX) : 0;
        if (agent_usd_to_quote(&env, usd) != plain) bad++;
    }
    CHECK_EQ(bad, 0);
}

/* The agent helpers' shortcuts (a log-median taken once, llround without libm below 2^52) give
 * exactly what the plain formulas give, draw for draw. */
static void agent_helpers_match_plain_formulas(void)
{
    const double fracs[] = {0.0, 0.5, -0.5, 0.05, -0.05, 1e-4, -1e-4, 0.1, -0.1, 0.25};
    for (Ticks price = 1; price < 3000; price += 7) {
        for (size_t k = 0; k < sizeof fracs / sizeof fracs[0]; k++) {
            double x = (double)llround((double)price * (1.0 + fracs[k]));
            CHECK_EQ(agent_price_offset(price, fracs[k]), x >= 1 ? (Ticks)x : 1);
        }
    }
    CHECK_EQ(agent_price_offset(1, 0.5), 2);  /* 1.5: half away from zero */
    CHECK_EQ(agent_price_offset(5, -0.1), 5); /* 4.5 */
    CHECK_EQ(agent_price_offset(INT64_C(1) << 53, 0.0), INT64_C(1) << 53); /* beyond the fast range */
    LatencyDef lat = {50.0, 0.5, 5.0};
    DistDef size = {DIST_LOGNORMAL, 1500.0, 0.8, 100.0, 25000.0};
    AgentLatency model = agent_latency_model(&lat);
    double log_size = dist_log_a(&size);
    Rng r = rng_stream(11, 3), plain = r;
    for (int i = 0; i < 20000; i++) {
        double ms = rng_lognormal(&plain, log(lat.median_ms), lat.sigma);
        if (ms < lat.min_ms) ms = lat.min_ms;
        CHECK_EQ(agent_latency(&r, &model), (SimDuration)llround(ms * (double)SIMTIME_NS_PER_MS));
        Rng before = r;
        double a = dist_draw_log_a(&r, &size, log_size);
        double b = dist_draw(&before, &size);
        CHECK(a == b);
        plain = r;
    }
}

/* feed_return_memo gives feed_return bit for bit through marks and horizon marks that change, repeat and return to
 * earlier values, per horizon, including a horizon without history (mark_then 0). */
static void agent_feed_return_memo_is_feed_return(void)
{
    MarketFeed f;
    memset(&f, 0, sizeof f);
    FeedReturnMemo m;
    memset(&m, 0, sizeof m);
    Rng r = rng_stream(12, 1);
    int recomputed_differently = 0;
    for (int i = 0; i < 20000; i++) {
        if (rng_uniform(&r) < 0.3) f.perp_mark = 590000 + (Ticks)rng_bounded(&r, 20000);
        int hh = (int)rng_bounded(&r, FEED_HORIZONS);
        if (rng_uniform(&r) < 0.2)
            f.mark_then[hh] = rng_uniform(&r) < 0.1 ? 0.0 : 590000.0 + (double)rng_bounded(&r, 20000);
        int h = (int)rng_bounded(&r, FEED_HORIZONS);
        double want = feed_return(&f, h), got = feed_return_memo(&m, &f, h);
        recomputed_differently += memcmp(&want, &got, sizeof want) != 0;
    }
    CHECK_EQ(recomputed_differently, 0);
    f.perp_mark = 600000;
    f.mark_then[1] = 0;
    CHECK(feed_return_memo(&m, &f, 1) == 0.0);
    f.mark_then[1] = 500000;
    CHECK(feed_return_memo(&m, &f, 1) == log(600000.0 / 500000.0)); /* a changed input is never served stale */
}

static void noise_defaults_match_schema(void)
{
    NoiseDef a, b = noise_default_def();
    cfg_defaults(&cfg_noise_schema, &a);
    test_check_schema_defaults(&cfg_noise_schema, &b);
    CHECK_EQ(a.venue, VENUE_PERP);
    NoiseDef c, e = noise_default_spot_def();
    cfg_defaults(&cfg_spot_noise_schema, &c);
    test_check_schema_defaults(&cfg_spot_noise_schema, &e);
    CHECK_EQ(c.venue, VENUE_SPOT);
    CHECK(c.asset_usd > 0);
    /* the weights must not all be zero */
    NoiseDef z = noise_default_def();
    z.p_limit = z.p_market = z.p_cancel = 0;
    CfgError err;
    CHECK_EQ(cfg_validate(&cfg_noise_schema, &z, &err), STATUS_RANGE);
}

static void noise_limit_price_rounds_away_from_mid(void)
{
    /* 600,000 x (1 - 0.001) = 599,400 exactly; 600,001 x 0.999 = 599,400.999 -> floor 599,400;
     * 600,001 x 1.001 = 600,601.001 -> ceil 600,602. */
    CHECK_EQ(noise_limit_price(600000, SIDE_BUY, 10.0), 599400);
    CHECK_EQ(noise_limit_price(600001, SIDE_BUY, 10.0), 599400);
    CHECK_EQ(noise_limit_price(600001, SIDE_SELL, 10.0), 600602);
    CHECK_EQ(noise_limit_price(600000, SIDE_SELL, 0.0), 600000);
    /* 2.5 bps of 1,000 ticks is a quarter tick: a buy rounds down to 999, a sell up to 1,001 */
    CHECK_EQ(noise_limit_price(1000, SIDE_BUY, 2.5), 999);
    CHECK_EQ(noise_limit_price(1000, SIDE_SELL, 2.5), 1001);
    /* a buy more than 100 % below is floored at one tick */
    CHECK_EQ(noise_limit_price(1000, SIDE_BUY, 20000.0), 1);
}

static void noise_buy_prob_leans_against_inventory(void)
{
    CHECK_NEAR(noise_buy_prob(0, 15000, 0.5), 0.5, 1e-15);
    /* long at the bound: 0.5 x (1 - 0.5 x 1) = 0.25; short beyond it: clamped to -1 -> 0.75 */
    CHECK_NEAR(noise_buy_prob(15000, 15000, 0.5), 0.25, 1e-15);
    CHECK_NEAR(noise_buy_prob(-30000, 15000, 0.5), 0.75, 1e-15);
    /* half the bound long, full skew: 0.5 x (1 - 0.5) = 0.25 */
    CHECK_NEAR(noise_buy_prob(7500, 15000, 1.0), 0.25, 1e-15);
    CHECK_NEAR(noise_buy_prob(7500, 15000, 0.0), 0.5, 1e-15);
}

static void noise_rebalance_rule(void)
{
    CHECK_EQ(noise_rebalance_lots(250, 250, 0.5), 0);      /* at the bound: nothing */
    CHECK_EQ(noise_rebalance_lots(-250, 250, 0.5), 0);
    CHECK_EQ(noise_rebalance_lots(251, 250, 0.5), 126);    /* 251 - floor(125.0) */
    CHECK_EQ(noise_rebalance_lots(-400, 250, 0.5), 275);   /* 400 - 125 */
    CHECK_EQ(noise_rebalance_lots(-400, 250, 0.0), 400);   /* all the way to flat */
    CHECK_EQ(noise_rebalance_lots(301, 101, 0.5), 251);    /* 301 - floor(50.5) */
}

/* ---- noise: the order flow through the mock ---- */

static void noise_order_flow_statistics(void)
{
    Mock *m = mock_new();
    NoiseDef d = noise_default_def();
    d.count = 20;
    void *pop = NULL;
    CHECK_EQ(noise_create(&d, &m->env, 5, rng_stream(42, 6), &pop), STATUS_OK);
    CHECK_EQ(m->wakes, 1u); /* the one population-level process */
    enum { WAKES = 20000 };
    double *off = mem_calloc(WAKES, sizeof *off), *usd = mem_calloc(WAKES, sizeof *usd);
    uint32_t n_off = 0, buys = 0, sells = 0, over = 0;
    double off_min = 1e9, off_max = 0;
    for (uint32_t k = 0; k < WAKES; k++) {
        m->env.now += 50 * SIMTIME_NS_PER_MS; /* 1,000 s in all */
        uint32_t before = m->n;
        noise_ops.wake(pop, &m->env, AGENT_NONE);
        for (uint32_t i = before; i < m->n; i++) {
            const MockRec *r = &m->recs[i];
            if (r->kind != REC_SUBMIT) continue;
            CHECK(r->req.qty >= 1);
            CHECK_EQ(r->venue, VENUE_PERP);
            CHECK_EQ(r->req.flags, 0u); /* no inventory, so no reduce-only rebalancing */
            if (r->req.side == SIDE_BUY) buys++;
            else sells++;
            if (r->req.type != ORDER_LIMIT) {
                CHECK_EQ(r->req.type, ORDER_MARKET);
                continue;
            }
            /* limit prices: buys below the mid, sells above; offset in bps of the mid */
            double o = r->req.side == SIDE_BUY ? (double)(MID - r->req.price_tk) : (double)(r->req.price_tk - MID);
            o = o / MID * 1e4;
            off[n_off] = o;
            usd[n_off++] = (double)r->req.qty * (double)r->req.price_tk / 10000.0;
            off_min = fmin(off_min, o);
            off_max = fmax(off_max, o);
        }
        mock_deliver(m, &noise_ops, pop);
        for (uint32_t a = 0; a < d.count; a++) over += mock_live(m, a) > d.max_orders;
        if (k % 1000 == 0) CHECK(!m->bad_cancel);
    }
    NoiseStats st = noise_stats(pop);
    CHECK_EQ(st.events, WAKES);
    CHECK_EQ(m->wakes, 1u + WAKES);
    /* population rate 20 x 180 / 3600 = 1 /s on a flat profile: mean gap 1 s (sd of the mean 1/sqrt(20000) = 0.7 %) */
    CHECK_NEAR(m->gap_sum_s / WAKES, 1.0, 0.03);
    /* event mix 0.60 / 0.25 / 0.15 (sd of a share ~0.0035); cancels also replace the oldest order on a full ring */
    CHECK_NEAR((double)st.limits / WAKES, 0.60, 0.015);
    CHECK_NEAR((double)st.markets / WAKES, 0.25, 0.015);
    CHECK(st.cancels >= (uint64_t)(0.13 * WAKES));
    CHECK_EQ(st.rejects, 0u);
    /* side balance with no inventory: a fair coin (sd 0.0038 on ~17,000 orders) */
    CHECK_NEAR((double)buys / (double)(buys + sells), 0.5, 0.015);
    CHECK_EQ(st.buy_orders, buys);
    CHECK_EQ(st.sell_orders, sells);
    /* offsets: lognormal median 10 bps (ticks round away from the mid by < 0.17 bps), clipped to [0.5, 300] */
    CHECK(n_off > 11000);
    CHECK(off_min >= 0.5 - 1e-9);
    CHECK(off_max <= 300.0 + 0.2);
    double mo = median(off, n_off);
    CHECK(mo > 9.5 && mo < 10.6);
    /* sizes: lognormal median 1,500 USD, rounded down to whole 60-USD lots (about 30 USD lower on average) */
    double mu = median(usd, n_off);
    CHECK(mu > 1400 && mu < 1550);
    CHECK(usd[0] >= 58.0); /* one lot at the lowest price, 300 bps below the mid */
    /* the ring: never more than max_orders resting per agent; every cancel names a live order of its agent */
    CHECK_EQ(over, 0u);
    CHECK(!m->bad_cancel);

    /* 11 minutes later every resting order is older than the max age: each agent's next event cancels them all */
    uint32_t live = 0;
    for (uint32_t a = 0; a < d.count; a++) live += mock_live(m, a);
    CHECK(live > 0);
    m->env.now += 11 * MIN;
    uint64_t exp0 = st.expiries;
    for (uint32_t a = 0; a < d.count; a++) {
        noise_ops.wake(pop, &m->env, a);
        mock_deliver(m, &noise_ops, pop);
    }
    CHECK_EQ(noise_stats(pop).expiries - exp0, live);
    CHECK(!m->bad_cancel);
    mem_free(off);
    mem_free(usd);
    noise_ops.destroy(pop);
    mock_free(m);
}

/* The inventory bound on both venues: beyond max_position_usd the agent's one action is a market order back to
 * half the bound (reduce-only on the perpetual venue). */
static void noise_inventory_bound_trades_back(void)
{
    Mock *m = mock_new();
    /* perp: one agent, long 400 lots bought from the test account at the ask */
    NoiseDef d = noise_default_def();
    d.count = 1;
    void *pop = NULL;
    CHECK_EQ(noise_create(&d, &m->env, 5, rng_stream(1, 6), &pop), STATUS_OK);
    AccountId a = noise_account(pop, 0);
    VenueReq take = {ORDER_MARKET, SIDE_BUY, 0, 400, 0, 0, STOP_TRIGGER_LAST};
    VenueResult r;
    CHECK_EQ(perp_submit(m->perp, m->env.now, a, &take, &r), STATUS_OK);
    CHECK_EQ(r.filled, 400);
    CHECK_EQ(ledger_qty(perp_ledger(m->perp), a), 400);
    /* mid = 599,950 + (600,050 - 599,950) / 2 = 600,000 (the ask level still holds 600 lots);
     * bound = floor(15,000 USD x 10,000 / 600,000) = floor(250.0) = 250 lots; 400 > 250: sell 400 - 125 = 275 */
    noise_ops.wake(pop, &m->env, 0);
    CHECK_EQ(m->n, 1u);
    CHECK_EQ(m->recs[0].kind, REC_SUBMIT);
    CHECK_EQ(m->recs[0].req.type, ORDER_MARKET);
    CHECK_EQ(m->recs[0].req.side, SIDE_SELL);
    CHECK_EQ(m->recs[0].req.qty, 275);
    CHECK_EQ(m->recs[0].req.flags, ORDER_FLAG_REDUCE_ONLY);
    CHECK_EQ(noise_stats(pop).rebalances, 1u);
    /* at 250 lots (exactly the bound) the agent trades normally again: no reduce-only order */
    VenueReq back = {ORDER_MARKET, SIDE_SELL, 0, 150, 0, 0, STOP_TRIGGER_LAST};
    CHECK_EQ(perp_submit(m->perp, m->env.now, a, &back, &r), STATUS_OK);
    for (int k = 0; k < 50; k++) {
        m->env.now += SEC;
        noise_ops.wake(pop, &m->env, 0);
        mock_deliver(m, &noise_ops, pop);
    }
    for (uint32_t i = 1; i < m->n; i++) CHECK_EQ(m->recs[i].req.flags, 0u);
    CHECK_EQ(noise_stats(pop).rebalances, 1u);
    noise_ops.destroy(pop);

    /* spot: inventory is the asset above the initial holding. asset0 = floor(20,000 USD x 10,000 / 600,000) = 333
     * lots; 300 lots more arrive: inventory 300 > 250 -> sell 300 - 125 = 175 lots at market */
    NoiseDef s = noise_default_spot_def();
    s.count = 1;
    CHECK_EQ(noise_create(&s, &m->env, 6, rng_stream(1, 7), &pop), STATUS_OK);
    a = noise_account(pop, 0);
    CHECK_EQ(spot_asset(m->spot, a), 333);
    CHECK_EQ(spot_cash(m->spot, a), 200000000);
    CHECK_EQ(spot_deposit_asset(m->spot, a, 300), STATUS_OK);
    uint32_t first = m->n;
    noise_ops.wake(pop, &m->env, 0);
    CHECK_EQ(m->n, first + 1);
    CHECK_EQ(m->recs[first].venue, VENUE_SPOT);
    CHECK_EQ(m->recs[first].req.type, ORDER_MARKET);
    CHECK_EQ(m->recs[first].req.side, SIDE_SELL);
    CHECK_EQ(m->recs[first].req.qty, 175);
    CHECK_EQ(m->recs[first].req.flags, 0u);
    /* short of the asset by 300 lots (it sold them): buy back 175; the market buy is clipped to the cash a buy at
     * the protection price can hold, which is far more here */
    CHECK_EQ(spot_withdraw_asset(m->spot, a, 600), STATUS_OK);
    CHECK_EQ(spot_asset(m->spot, a), 33);
    noise_ops.wake(pop, &m->env, 0);
    CHECK_EQ(m->n, first + 2);
    CHECK_EQ(m->recs[first + 1].req.side, SIDE_BUY);
    CHECK_EQ(m->recs[first + 1].req.qty, 175);
    noise_ops.destroy(pop);
    mock_free(m);
}

/* Orders are clipped to what the account can pay for: a spot agent with no cash sends no buys. */
static void noise_spot_orders_respect_balances(void)
{
    Mock *m = mock_new();
    NoiseDef s = noise_default_spot_def();
    s.count = 4;
    s.cash_usd = 0;
    void *pop = NULL;
    CHECK_EQ(noise_create(&s, &m->env, 6, rng_stream(3, 7), &pop), STATUS_OK);
    Lots held = 0;
    for (uint32_t i = 0; i < 4; i++) held += spot_asset(m->spot, noise_account(pop, i));
    Lots offered = 0;
    for (int k = 0; k < 400; k++) {
        m->env.now += SEC;
        uint32_t before = m->n;
        noise_ops.wake(pop, &m->env, AGENT_NONE);
        for (uint32_t i = before; i < m->n; i++) {
            if (m->recs[i].kind != REC_SUBMIT) continue;
            CHECK_EQ(m->recs[i].req.side, SIDE_SELL);
            /* nothing is held by the mock, so the free asset is the whole holding: each sell fits in it */
            CHECK(m->recs[i].req.qty <= spot_free_asset(m->spot, m->recs[i].account));
            offered += m->recs[i].req.qty;
        }
        mock_deliver(m, &noise_ops, pop);
    }
    CHECK(offered > 0);
    CHECK(held > 0);
    CHECK_EQ(noise_stats(pop).buy_orders, 0u);
    noise_ops.destroy(pop);
    mock_free(m);
}

/* ---- value: definitions and the rule ---- */

static void value_defaults_match_schema(void)
{
    ValueDef a, b = value_default_def();
    cfg_defaults(&cfg_value_schema, &a);
    test_check_schema_defaults(&cfg_value_schema, &b);
    CHECK_EQ(a.venue, VENUE_SPOT);
    CHECK_EQ(a.count, 30u);
}

static void value_trade_rule_hand_computed(void)
{
    ValueRule r = {0.01, 10.0, 0.5, 0.1, 0.25};
    const double W = 100000;
    /* m = 3 %: target = min(10 x (0.03 - 0.01), 0.5) x W = 0.2 W = 20,000; from flat buy 20,000, capped at 0.1 W */
    CHECK_NEAR(value_target_usd(&r, 0.03, W), 20000, 1e-6);
    CHECK_NEAR(value_trade_usd(&r, 0.03, 0, W), 10000, 1e-6);
    CHECK_NEAR(value_trade_usd(&r, 0.03, 15000, W), 5000, 1e-6);
    /* already above the target while the price is below value: hold (never sells below value) */
    CHECK_NEAR(value_trade_usd(&r, 0.03, 25000, W), 0, 1e-9);
    CHECK_NEAR(value_trade_usd(&r, 0.03, -30000, W), 10000, 1e-6);
    /* m = -8 %: target = -min(10 x 0.07, 0.5) W = -50,000 (the exposure cap binds); at -45,000 sell 5,000 */
    CHECK_NEAR(value_target_usd(&r, -0.08, W), -50000, 1e-6);
    CHECK_NEAR(value_trade_usd(&r, -0.08, -45000, W), -5000, 1e-6);
    CHECK_NEAR(value_trade_usd(&r, -0.08, -60000, W), 0, 1e-9);
    /* inside the band: no target; a quarter of the exposure is unwound (8,000 long -> sell 2,000) */
    CHECK_NEAR(value_target_usd(&r, 0.005, W), 0, 1e-9);
    CHECK_NEAR(value_trade_usd(&r, 0.005, 8000, W), -2000, 1e-6);
    CHECK_NEAR(value_trade_usd(&r, -0.01, -8000, W), 2000, 1e-6);
    CHECK_NEAR(value_trade_usd(&r, 0.0, 0, W), 0, 1e-9);
    /* a large unwind is capped too: 80,000 x 0.25 = 20,000 -> 10,000 */
    CHECK_NEAR(value_trade_usd(&r, 0.0, 80000, W), -10000, 1e-6);
}

/* One spot value trader with an exact estimate (sd 0), threshold 100 bps, aggression 10, capital 100,000 USD. */
static ValueDef one_value_trader(VenueKind v)
{
    ValueDef d = value_default_def();
    d.count = 1;
    d.venue = v;
    d.capital_usd = dist_const(100000);
    d.threshold_bps = dist_const(100);
    d.aggression = dist_const(10);
    d.estimate_sd = 0;
    return d;
}

static void value_spot_decisions_hand_computed(void)
{
    Mock *m = mock_new();
    ValueDef d = one_value_trader(VENUE_SPOT);
    void *pop = NULL;
    CHECK_EQ(value_create(&d, &m->env, 7, rng_stream(9, 8), &pop), STATUS_OK);
    AccountId a = value_account(pop, 0);
    /* half the capital in the asset at the mid: floor(50,000 USD x 10,000 / 600,000) = 833 lots; cash 5e8 */
    CHECK_EQ(spot_asset(m->spot, a), 833);
    CHECK_EQ(spot_cash(m->spot, a), 500000000);

    /* F = 618,000: m = ln(618,000 / 600,000) = ln 1.03 = 0.029559; target = 10 x 0.019559 x 100,000 = 19,559 USD,
     * capped at 10,000 USD per order; limit floor(618,000 x e^-0.01) = floor(611,850.80) = 611,850;
     * qty = floor(100,000,000 / 611,850) = floor(163.44) = 163 lots, IOC buy */
    m->feed.fundamental = 618000;
    value_ops.wake(pop, &m->env, AGENT_NONE);
    CHECK_EQ(m->n, 1u);
    CHECK_EQ(m->recs[0].req.type, ORDER_IOC);
    CHECK_EQ(m->recs[0].req.side, SIDE_BUY);
    CHECK_EQ(m->recs[0].req.price_tk, 611850);
    CHECK_EQ(m->recs[0].req.qty, 163);

    /* F = 582,000: m = ln 0.97 = -0.030459; target -20,459 -> order -10,000 USD; limit ceil(582,000 x e^0.01) =
     * ceil(587,849.20) = 587,850; qty = floor(100,000,000 / 587,850) = floor(170.11) = 170 lots, IOC sell */
    m->feed.fundamental = 582000;
    value_ops.wake(pop, &m->env, AGENT_NONE);
    CHECK_EQ(m->n, 2u);
    CHECK_EQ(m->recs[1].req.side, SIDE_SELL);
    CHECK_EQ(m->recs[1].req.price_tk, 587850);
    CHECK_EQ(m->recs[1].req.qty, 170);

    /* F = 603,000: m = 0.004988, inside the 1 % band, and the agent holds its neutral 833 lots: nothing to do */
    m->feed.fundamental = 603000;
    value_ops.wake(pop, &m->env, AGENT_NONE);
    CHECK_EQ(m->n, 2u);

    /* 100 lots above neutral: exposure 100 x 600,000 / 10,000 = 6,000 USD; unwind a quarter = 1,500 USD at the bid:
     * qty = floor(15,000,000 / 599,950) = floor(25.002) = 25 lots, IOC sell at 599,950 */
    CHECK_EQ(spot_deposit_asset(m->spot, a, 100), STATUS_OK);
    value_ops.wake(pop, &m->env, AGENT_NONE);
    CHECK_EQ(m->n, 3u);
    CHECK_EQ(m->recs[2].req.side, SIDE_SELL);
    CHECK_EQ(m->recs[2].req.price_tk, BID);
    CHECK_EQ(m->recs[2].req.qty, 25);
    CHECK_EQ(value_stats(pop).unwinds, 1u);

    /* capital limit: with only 10,000,000 quote (1,000 USD) of free cash the 10,000-USD buy is clipped to what the
     * cash holds at 611,850 plus the worst fee (5 bps: ceil(611,850 x 5 / 10^4) = 306 per lot): floor(1e7 / 612,156)
     * = 16 lots */
    CHECK_EQ(spot_withdraw_cash(m->spot, a, 490000000), STATUS_OK);
    CHECK_EQ(spot_withdraw_asset(m->spot, a, 100), STATUS_OK);
    CHECK_EQ(spot_hold_per_lot(m->spot, 611850), 612156);
    m->feed.fundamental = 618000;
    value_ops.wake(pop, &m->env, AGENT_NONE);
    CHECK_EQ(m->n, 4u);
    CHECK_EQ(m->recs[3].req.side, SIDE_BUY);
    CHECK_EQ(m->recs[3].req.qty, 16);
    value_ops.destroy(pop);
    mock_free(m);
}

static void value_perp_margin_limit(void)
{
    Mock *m = mock_new();
    ValueDef d = one_value_trader(VENUE_PERP);
    d.capital_usd = dist_const(1000);
    d.aggression = dist_const(100);
    d.max_exposure = 5;
    d.max_trade_frac = 10;
    void *pop = NULL;
    CHECK_EQ(value_create(&d, &m->env, 7, rng_stream(9, 8), &pop), STATUS_OK);
    AccountId a = value_account(pop, 0);
    CHECK_EQ(perp_free_margin(m->perp, a), 10000000); /* 1,000 USD, no position, no orders */
    /* F = 660,000: m = ln 1.1 = 0.09531; target = min(100 x 0.08531, 5) x 1,000 = 5,000 USD; limit
     * floor(660,000 x e^-0.01) = floor(653,432.89) = 653,432; 5,000 USD would be 76 lots, but the margin allows
     * floor(0.9 x 10,000,000 x 2 / 653,432) = floor(27.55) = 27 lots */
    m->feed.fundamental = 660000;
    value_ops.wake(pop, &m->env, AGENT_NONE);
    CHECK_EQ(m->n, 1u);
    CHECK_EQ(m->recs[0].venue, VENUE_PERP);
    CHECK_EQ(m->recs[0].req.type, ORDER_IOC);
    CHECK_EQ(m->recs[0].req.side, SIDE_BUY);
    CHECK_EQ(m->recs[0].req.price_tk, 653432);
    CHECK_EQ(m->recs[0].req.qty, 27);
    /* the venue accepts it (and fills it at the ask) */
    VenueResult r;
    CHECK_EQ(perp_submit(m->perp, m->env.now, a, &m->recs[0].req, &r), STATUS_OK);
    CHECK_EQ(r.filled, 27);
    value_ops.destroy(pop);
    mock_free(m);
}

/* The estimate error is an OU process: sd estimate_sd across agents, persistent over minutes, renewed after many
 * correlation times. */
static void value_estimates_are_noisy_and_persistent(void)
{
    Mock *m = mock_new();
    ValueDef d = value_default_def();
    enum { N = 2000 };
    d.count = N;
    d.threshold_bps = dist_const(10000); /* |m| is far inside a 100 % band and nobody holds anything: no orders */
    void *pop = NULL;
    CHECK_EQ(value_create(&d, &m->env, 7, rng_stream(11, 8), &pop), STATUS_OK);
    double e0[N], s0 = 0, s1 = 0, s2 = 0, c1 = 0, c2 = 0;
    for (uint32_t i = 0; i < N; i++) {
        e0[i] = value_estimate_error(pop, i);
        s0 += e0[i] * e0[i];
    }
    /* sd across agents 0.01 (the sd of the estimate is 0.01 / sqrt(2 x 2000) = 1.6 %) */
    CHECK_NEAR(sqrt(s0 / N), 0.01, 0.0008);
    /* one minute later: rho = exp(-1 / 360) = 0.99722; correlation with the start ~0.997 */
    m->env.now += MIN;
    for (uint32_t i = 0; i < N; i++) {
        value_ops.wake(pop, &m->env, i);
        double e = value_estimate_error(pop, i);
        s1 += e * e;
        c1 += e * e0[i];
    }
    CHECK(c1 / sqrt(s0 * s1) > 0.99);
    /* 60 h = 10 correlation times later: rho = e^-10, independent of the start, same sd */
    m->env.now += 60 * SIMTIME_NS_PER_HOUR;
    for (uint32_t i = 0; i < N; i++) {
        value_ops.wake(pop, &m->env, i);
        double e = value_estimate_error(pop, i);
        s2 += e * e;
        c2 += e * e0[i];
    }
    CHECK(fabs(c2 / sqrt(s0 * s2)) < 0.08);
    CHECK_NEAR(sqrt(s2 / N), 0.01, 0.0008);
    CHECK_EQ(m->n, 0u);
    CHECK_EQ(value_stats(pop).wakes, 2u * N);
    value_ops.destroy(pop);
    mock_free(m);
}

/* ---- small worlds ---- */

static WorldDef quiet_world(SimDuration duration)
{
    WorldDef d = world_default_def();
    d.run.duration = duration;
    d.run.progress = false;
    d.retail.count = 0;
    d.makers.count = 0;
    d.spot_makers.count = 0;
    d.arbitrageurs.count = 0;
    d.liquidation_bots.count = 0;
    d.noise.count = 0;
    d.spot_noise = noise_default_spot_def();
    d.spot_noise.count = 0;
    d.value.count = 0;
    d.fundamental.vol_per_sqrt_hour = 0;
    d.fundamental.jumps_per_day = 0;
    return d;
}

static void world_ok(const World *w)
{
    char why[256] = "";
    Status s = world_check(w, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nworld_check: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
}

typedef struct PriceRange {
    Ticks lo, hi;
    uint64_t perp_trades, spot_trades;
} PriceRange;

static void range_perp(void *ctx, const PerpTrade *t)
{
    PriceRange *r = ctx;
    r->perp_trades++;
    if (!r->lo || t->price_tk < r->lo) r->lo = t->price_tk;
    if (t->price_tk > r->hi) r->hi = t->price_tk;
}

static void range_spot(void *ctx, SimTime t, const SpotTrade *tr)
{
    (void)t;
    PriceRange *r = ctx;
    r->spot_trades++;
    if (!r->lo || tr->price_tk < r->lo) r->lo = tr->price_tk;
    if (tr->price_tk > r->hi) r->hi = tr->price_tk;
}

static void noise_world_trades_on_both_venues(void)
{
    WorldDef d = quiet_world(SIMTIME_NS_PER_HOUR);
    d.noise.count = 10;
    d.spot_noise.count = 10;
    /* two slow makers per venue keep a two-sided book without dominating the run's cost (CASCADE_VALIDATE checks
     * the venues after every call) */
    d.makers = maker_default_def();
    d.makers.count = 2;
    d.makers.levels = 2;
    d.makers.refresh = 30 * SEC;
    d.spot_makers = maker_default_spot_def();
    d.spot_makers.count = 2;
    d.spot_makers.levels = 2;
    d.spot_makers.refresh = 30 * SEC;
    World *w = NULL;
    char why[256] = "";
    CHECK_EQ(world_create(&d, &w, why, sizeof why), STATUS_OK);
    if (!w) return;
    PriceRange r = {0};
    world_set_observer(w, &(WorldObserver){&r, range_perp, range_spot, NULL, NULL});
    CHECK_EQ(world_run(w), STATUS_OK);
    /* 10 noise agents a venue (0.5 events/s) and the makers' refreshes for an hour: hundreds of trades each */
    CHECK(r.perp_trades > 300);
    CHECK(r.spot_trades > 300);
    WorldCounts c = world_counts(w);
    CHECK(c.submissions > 2000);
    CHECK(c.rejects < c.submissions / 20);
    /* no drift to the moon: every trade within 5 % of the 600,000-tick start */
    CHECK(r.lo > 570000);
    CHECK(r.hi < 630000);
    /* positions stay bounded: no noise account beyond twice the 15,000-USD bound (500 lots at 60,000 USD) */
    const Ledger *g = perp_ledger(world_perp(w));
    Lots biggest = 0;
    uint32_t n_noise = 0;
    for (AccountId a = 0; a < ledger_account_count(g); a++) {
        uint32_t agent;
        if (world_perp_owner(w, a, &agent) != POP_NOISE) continue;
        n_noise++;
        Lots q = llabs(ledger_qty(g, a));
        if (q > biggest) biggest = q;
    }
    CHECK_EQ(n_noise, 10u);
    CHECK(biggest < 500);
    world_ok(w);
    world_destroy(w);
}

/* Mean spot mid over the last `window` of the run, sampled every second. */
typedef struct MidMean {
    SimTime from;
    double sum;
    uint32_t n;
} MidMean;

static void mid_sample(void *ctx, const World *w)
{
    MidMean *m = ctx;
    const MarketFeed *f = world_feed(w);
    if (f->time < m->from || f->spot_bid <= 0 || f->spot_ask <= 0) return;
    m->sum += 0.5 * (double)(f->spot_bid + f->spot_ask);
    m->n++;
}

/* Spot noise (20) with or without the default value block; the fundamental is flat but for a +5 % jump after
 * 5 min. Returns the mean spot mid over the run's last 10 min (30 min in all). */
static double run_jump(bool with_value, double *fundamental_out)
{
    WorldDef d = quiet_world(30 * MIN);
    d.spot_noise.count = 20;
    d.value.count = with_value ? 30 : 0;
    d.shock_count = 1;
    d.shocks[0] = (ShockDef){.kind = SHOCK_FUNDAMENTAL_JUMP, .at = 5 * MIN, .venue = VENUE_SPOT, .pct = 5.0};
    World *w = NULL;
    char why[256] = "";
    CHECK_EQ(world_create(&d, &w, why, sizeof why), STATUS_OK);
    if (!w) return 0;
    MidMean mm = {d.run.start + 20 * MIN, 0, 0};
    world_set_observer(w, &(WorldObserver){&mm, NULL, NULL, NULL, mid_sample});
    CHECK_EQ(world_run(w), STATUS_OK);
    world_ok(w);
    *fundamental_out = world_feed(w)->fundamental;
    world_destroy(w);
    CHECK(mm.n > 500);
    return mm.n ? mm.sum / mm.n : 0;
}

static void value_world_pulls_spot_to_fundamental(void)
{
    /* the fundamental jumps +5 % (600,000 -> 630,000 ticks) at 5 min. Noise traders alone do not follow it (their
     * flow is balanced around the mid): the gap stays whole. The default value block (30 agents) buys the spot up
     * to the new value within minutes; what is left over the last 10 min is the agents' thresholds and estimate
     * errors (and an overshoot while the noise traders buy back the asset they sold to them). */
    double f = 0, f0 = 0;
    double with = run_jump(true, &f);
    double without = run_jump(false, &f0);
    CHECK_NEAR(f, 630000, 1);
    CHECK_NEAR(f0, 630000, 1);
    double gap_with = (f - with) / (f - 600000.0);
    double gap_without = (f0 - without) / (f0 - 600000.0);
    CHECK(fabs(gap_with) < 0.4);
    CHECK(gap_without > 0.8);
}

void suite_agents_noise(void)
{
    static const TestCase cases[] = {
        TEST_CASE(agent_helpers_match_plain_formulas),
        TEST_CASE(agent_feed_return_memo_is_feed_return),
        TEST_CASE(agent_rounding_matches_libm),
        TEST_CASE(noise_defaults_match_schema),
        TEST_CASE(noise_limit_price_rounds_away_from_mid),
        TEST_CASE(noise_buy_prob_leans_against_inventory),
        TEST_CASE(noise_rebalance_rule),
        TEST_CASE(noise_order_flow_statistics),
        TEST_CASE(noise_inventory_bound_trades_back),
        TEST_CASE(noise_spot_orders_respect_balances),
        TEST_CASE(noise_world_trades_on_both_venues),
    };
    test_add_suite("agents_noise", cases, TEST_COUNT(cases));
}

void suite_agents_value(void)
{
    static const TestCase cases[] = {
        TEST_CASE(value_defaults_match_schema),
        TEST_CASE(value_trade_rule_hand_computed),
        TEST_CASE(value_spot_decisions_hand_computed),
        TEST_CASE(value_perp_margin_limit),
        TEST_CASE(value_estimates_are_noisy_and_persistent),
        TEST_CASE(value_world_pulls_spot_to_fundamental),
    };
    test_add_suite("agents_value", cases, TEST_COUNT(cases));
}
