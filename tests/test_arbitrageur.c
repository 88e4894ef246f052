/* agents/arbitrageur: the pure rules with hand-computed numbers, the population against real venues through a
 * scripted environment (orders recorded, then executed by the test), and small worlds.
 *
 * Units as in the world's defaults: 0.1 USD ticks, 0.001 BTC lots, so 1 quote unit = 0.0001 USD
 * (quote_per_usd = 10,000) and 60,000 USD = 600,000 ticks. */
#include "test_suites.h"
#include "test_util.h"
#include "test_config_util.h"

#include "alloc.h"
#include "arbitrageur.h"
#include "config_agents.h"
#include "world.h"

#include <math.h>
#include <string.h>

#define SEC SIMTIME_NS_PER_S
#define MIN SIMTIME_NS_PER_MIN

static SimTime t0(void)
{
    SimTime t = 0;
    CHECK_EQ(simtime_parse_iso("2025-10-10T00:00:00Z", &t), STATUS_OK);
    return t;
}

/* ---- the decision rule ---- */

static ArbRule rule(double entry)
{
    /* cost = 2 x (perp taker 5 + spot taker 2) = 14 bps; exit 2 bps; funding horizon 3 intervals, hold 2 bps. */
    return (ArbRule){14.0, entry, 2.0, 3.0, 2.0};
}

static void agents_arbitrageur_basis_thresholds(void)
{
    /* Perp rich: open_rich = (100,300 - 100,010) / 100,010 = 28.9971 bps; edge = 28.9971 - 14 = 14.9971. */
    ArbQuotes q = {100300, 100310, 100000, 100010, 0};
    ArbBasis b = arb_basis(&q);
    CHECK_NEAR(b.open_rich, 290.0 / 100010.0 * 1e4, 1e-9);
    CHECK_NEAR(b.open_cheap, -310.0 / 100310.0 * 1e4, 1e-9);
    ArbRule r = rule(10.0);
    CHECK_EQ(arb_decide(&r, &q, 0), ARB_OPEN_RICH);
    r = rule(14.99);
    CHECK_EQ(arb_decide(&r, &q, 0), ARB_OPEN_RICH);
    r = rule(15.0); /* 14.9971 < 15: the fees eat the rest */
    CHECK_EQ(arb_decide(&r, &q, 0), ARB_HOLD);
    /* Without counting fees, 28.99 bps would clear a 15 bps threshold: the costs are what stop it. */
    r.cost_bps = 0;
    CHECK_EQ(arb_decide(&r, &q, 0), ARB_OPEN_RICH);

    /* Perp cheap: open_cheap = (100,000 - 99,710) / 99,710 = 29.0843 bps; edge 15.0843. */
    ArbQuotes c = {99700, 99710, 100000, 100010, 0};
    r = rule(15.0);
    CHECK_EQ(arb_decide(&r, &c, 0), ARB_OPEN_CHEAP);
    r = rule(15.1);
    CHECK_EQ(arb_decide(&r, &c, 0), ARB_HOLD);
    /* Same direction: add; opposite direction open: unwind first. */
    r = rule(10.0);
    CHECK_EQ(arb_decide(&r, &c, -1), ARB_OPEN_CHEAP);
    CHECK_EQ(arb_decide(&r, &c, +1), ARB_UNWIND);
    /* A missing side of a book: nothing. */
    ArbQuotes e = {0, 100310, 100000, 100010, 0};
    CHECK_EQ(arb_decide(&r, &e, 0), ARB_HOLD);
}

static void agents_arbitrageur_funding_capture(void)
{
    /* open_rich = (100,100 - 100,010) / 100,010 = 8.9991 bps: edge = 8.9991 - 14 = -5.0009 without funding. */
    ArbQuotes q = {100100, 100110, 100000, 100010, 0};
    ArbRule r = rule(3.0);
    CHECK_EQ(arb_decide(&r, &q, 0), ARB_HOLD);
    /* Funding +3 bps per interval (longs pay, the short perp leg receives): edge = -5.0009 + 3 x 3 = 3.9991 > 3. */
    q.funding_e8 = 30000;
    CHECK_EQ(arb_decide(&r, &q, 0), ARB_OPEN_RICH);
    r = rule(4.0);
    CHECK_EQ(arb_decide(&r, &q, 0), ARB_HOLD);
    /* Negative funding of the same size favours the cheap side, but its basis is -19 bps: nothing. */
    q.funding_e8 = -30000;
    r = rule(3.0);
    CHECK_EQ(arb_decide(&r, &q, 0), ARB_HOLD);
}

static void agents_arbitrageur_unwind_rule(void)
{
    /* close_rich = (100,020 - 100,000) / 100,000 = 2.0 bps; close_cheap = (100,010 - 100,010) / 100,010 = 0. */
    ArbQuotes q = {100010, 100020, 100000, 100010, 0};
    ArbBasis b = arb_basis(&q);
    CHECK_NEAR(b.close_rich, 2.0, 1e-9);
    CHECK_NEAR(b.close_cheap, 0.0, 1e-12);
    ArbRule r = rule(5.0);
    CHECK_EQ(arb_decide(&r, &q, +1), ARB_UNWIND); /* 2.0 <= exit 2.0 */
    r.exit_bps = 1.9;
    CHECK_EQ(arb_decide(&r, &q, +1), ARB_HOLD);
    CHECK_EQ(arb_decide(&r, &q, -1), ARB_UNWIND); /* 0 <= 1.9 */
    /* Funding pays the short perp leg 2 bps >= hold 2: the converged rich trade is kept for the carry ... */
    r.exit_bps = 2.0;
    q.funding_e8 = 20000;
    CHECK_EQ(arb_decide(&r, &q, +1), ARB_HOLD);
    /* ... while the cheap trade (long perp) pays it and goes. */
    CHECK_EQ(arb_decide(&r, &q, -1), ARB_UNWIND);
    /* 1.99 bps is below the hold level: unwind. */
    q.funding_e8 = 19900;
    CHECK_EQ(arb_decide(&r, &q, +1), ARB_UNWIND);
    /* Not converged (close_rich 12 bps): hold. */
    ArbQuotes w = {100110, 100120, 100000, 100010, 0};
    CHECK_EQ(arb_decide(&r, &w, +1), ARB_HOLD);
}

static void agents_arbitrageur_sizing(void)
{
    /* perp: per lot = 100,000 / 5 + 100,000 x 5 / 1e4 = 20,050; room = 10,000,000 - 4,000,000 = 6,000,000
     *       -> floor(6,000,000 / 20,050) = 299 (299 x 20,050 = 5,994,950; 300 x 20,050 = 6,015,000)
     * spot: floor(20,000,000 / 100,031) = 199 (199 x 100,031 = 19,906,169; 200 x 100,031 = 20,006,200)
     * clip: floor(50,000,000 / 100,000) = 500 */
    ArbCapacity c = {10000000, 4000000, 5, 5.0, 20000000, 100031, 120, 50000000};
    CHECK_EQ(arb_open_size(&c, ARB_OPEN_RICH, 100000), 199);
    CHECK_EQ(arb_open_size(&c, ARB_OPEN_CHEAP, 100000), 120); /* the inventory binds */
    c.spot_free_asset = 1000;
    CHECK_EQ(arb_open_size(&c, ARB_OPEN_CHEAP, 100000), 299); /* the margin binds */
    c.clip = 10000000;
    CHECK_EQ(arb_open_size(&c, ARB_OPEN_RICH, 100000), 100); /* the clip binds */
    c.perp_free = 4000000; /* nothing above the reserve */
    CHECK_EQ(arb_open_size(&c, ARB_OPEN_RICH, 100000), 0);
    CHECK_EQ(arb_open_size(&c, ARB_UNWIND, 100000), 0);
}

static void agents_arbitrageur_defaults_match_schema(void)
{
    ArbitrageurDef b = arbitrageur_default_def();
    test_check_schema_defaults(&cfg_arbitrageur_schema, &b);
}

/* ---- a scripted environment: real venues, orders recorded and executed by the test ---- */

typedef struct Sub {
    uint32_t agent;
    VenueKind v;
    AccountId a;
    VenueReq req;
} Sub;

typedef struct Mini {
    PerpVenue *perp;
    SpotVenue *spot;
    MarketFeed feed;
    AgentEnv env;
    Sub sub[64];
    uint32_t nsub;
    SimTime wake[8];
    void *pop;
    AccountId mm_perp, mm_spot;
} Mini;

static Status mini_submit(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, const VenueReq *req,
                          SimDuration latency)
{
    (void)pop;
    (void)latency;
    Mini *m = world;
    CHECK(m->nsub < 64);
    if (m->nsub >= 64) return STATUS_FULL;
    m->sub[m->nsub++] = (Sub){agent, v, a, *req};
    return STATUS_OK;
}
static Status mini_cancel(void *w, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, OrderRef r, SimDuration l)
{
    (void)w, (void)pop, (void)agent, (void)v, (void)a, (void)r, (void)l;
    return STATUS_OK;
}
static Status mini_cancel_all(void *w, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, SimDuration l)
{
    (void)w, (void)pop, (void)agent, (void)v, (void)a, (void)l;
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
    if (agent < 8) m->wake[agent] = t;
}
static Status mini_open_account(void *world, uint32_t pop, uint32_t agent, VenueKind v, MarginMode mode,
                                int32_t leverage, Quote cash, Lots asset, AccountId *out)
{
    (void)pop;
    (void)agent;
    Mini *m = world;
    return world_venue_open_account(m->perp, m->spot, v, mode, leverage, cash, asset, out);
}
static Status mini_add_backstop(void *world, uint32_t pop, uint32_t agent, AccountId a)
{
    (void)world, (void)pop, (void)agent, (void)a;
    return STATUS_OK;
}

static void mini_init(Mini *m)
{
    memset(m, 0, sizeof *m);
    SimTime t = t0();
    PerpDef pd = perp_default_def();
    pd.book.initial_center_tk = 600000;
    pd.mark.method = MARK_INDEX;
    pd.start = t;
    CHECK_EQ(perp_create(&pd, &m->perp), STATUS_OK);
    perp_set_index(m->perp, 600000);
    perp_advance(m->perp, t);
    SpotDef sd = spot_default_def();
    sd.book.initial_center_tk = 600000;
    sd.maker_fee_bps = 1;
    sd.taker_fee_bps = 2;
    CHECK_EQ(spot_create(&sd, &m->spot), STATUS_OK);
    m->feed.time = t;
    m->feed.index = 600000;
    m->feed.perp_mark = 600000;
    for (int h = 0; h < FEED_HORIZONS; h++) m->feed.ema[h] = 600000;
    m->env = (AgentEnv){m,
                        {mini_submit, mini_cancel, mini_cancel_all, mini_add_margin, mini_wake_at, mini_open_account,
                         mini_add_backstop},
                        t,
                        &m->feed,
                        m->perp,
                        m->spot,
                        NULL,
                        10000.0,
                        0.1,
                        0.001,
                        0.0,
                        0.0,
                        0, 0, 0.0}; /* no hour cache: profile_factor per wake */
    CHECK_EQ(mini_open_account(m, 0, 0, VENUE_PERP, MARGIN_MODE_CROSS, 10, INT64_C(10000000000000), 0, &m->mm_perp),
             STATUS_OK);
    CHECK_EQ(mini_open_account(m, 0, 0, VENUE_SPOT, MARGIN_MODE_CROSS, 1, INT64_C(10000000000000), 1000000,
                               &m->mm_spot),
             STATUS_OK);
}

static void mini_fini(Mini *m)
{
    char why[200] = "";
    CHECK_EQ(perp_check(m->perp, why, sizeof why), STATUS_OK);
    CHECK_EQ(spot_check(m->spot, why, sizeof why), STATUS_OK);
    if (m->pop) arbitrageur_ops.destroy(m->pop);
    perp_destroy(m->perp);
    spot_destroy(m->spot);
}

/* The scripted liquidity: one level of 10,000 lots on each side of both books. */
static void mini_quote(Mini *m, Ticks pb, Ticks pa, Ticks sb, Ticks sa)
{
    (void)perp_cancel_all(m->perp, m->env.now, m->mm_perp);
    (void)spot_cancel_all(m->spot, m->mm_spot);
    VenueReq r = {ORDER_LIMIT, SIDE_BUY, pb, 10000, 0, 0, STOP_TRIGGER_LAST};
    CHECK_EQ(perp_submit(m->perp, m->env.now, m->mm_perp, &r, NULL), STATUS_OK);
    r.side = SIDE_SELL;
    r.price_tk = pa;
    CHECK_EQ(perp_submit(m->perp, m->env.now, m->mm_perp, &r, NULL), STATUS_OK);
    r.side = SIDE_BUY;
    r.price_tk = sb;
    CHECK_EQ(spot_submit(m->spot, m->mm_spot, &r, NULL), STATUS_OK);
    r.side = SIDE_SELL;
    r.price_tk = sa;
    CHECK_EQ(spot_submit(m->spot, m->mm_spot, &r, NULL), STATUS_OK);
}

/* Executes recorded submission k and reports it back; returns the lots filled. */
static Lots mini_run(Mini *m, uint32_t k)
{
    Sub *s = &m->sub[k];
    VenueResult r = {0};
    Status st = s->v == VENUE_PERP ? perp_submit(m->perp, m->env.now, s->a, &s->req, &r)
                                   : spot_submit(m->spot, s->a, &s->req, &r);
    arbitrageur_ops.on_submitted(m->pop, &m->env, s->agent, s->v, s->req.tag, st, &r);
    return r.filled;
}

static ArbitrageurDef one_arb(void)
{
    ArbitrageurDef d = arbitrageur_default_def();
    d.count = 1;
    d.capital_usd = dist_const(1e6);
    d.entry_bps = dist_const(3.0);
    return d;
}

static void agents_arbitrageur_opens_both_legs(void)
{
    Mini m;
    mini_init(&m);
    ArbitrageurDef d = one_arb();
    CHECK_EQ(arbitrageur_create(&d, &m.env, POP_ARBITRAGEURS, rng_stream(1, 4), &m.pop), STATUS_OK);
    /* Capital 1,000,000 USD: perp 400,000 USD = 4e9 quote; spot 600,000 USD: inventory 300,000 USD = 3e9 quote
     * / 600,000 ticks = 5,000 lots, cash 3e9 quote. */
    CHECK_EQ(ledger_cash(perp_ledger(m.perp), 1), INT64_C(4000000000));
    CHECK_EQ(spot_asset(m.spot, 1), 5000);
    CHECK_EQ(spot_cash(m.spot, 1), INT64_C(3000000000));
    CHECK(m.wake[0] > m.env.now && m.wake[0] <= m.env.now + d.interval + 1);

    /* Basis inside the costs: (600,100 - 600,000) / 600,000 = 1.67 bps < 14 + 3. */
    mini_quote(&m, 600100, 600110, 599990, 600000);
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 0);
    CHECK(m.wake[0] > m.env.now);

    /* Perp rich by (601,200 - 600,000) / 600,000 = 20 bps > 14 + 3: sell perp, buy spot.
     * Perp limit 601,200 x (1 - 5 bps) = 600,899.4 -> 600,899; spot limit 600,000 x 1.0005 = 600,300.
     * Size: clip 5 % x 1e6 USD = 5e8 quote / 600,899 = 832 lots; margin room (4e9 - 1.6e9) / (600,899 / 5 + 300.45)
     * = 19,920; spot cash 3e9 / hold 600,421 (600,300 + ceil(600,300 x 2 bps = 120.06)) = 4,996. */
    mini_quote(&m, 601200, 601300, 599990, 600000);
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    CHECK_EQ(m.sub[0].v, VENUE_PERP);
    CHECK_EQ(m.sub[0].req.type, ORDER_IOC);
    CHECK_EQ(m.sub[0].req.side, SIDE_SELL);
    CHECK_EQ(m.sub[0].req.price_tk, 600899);
    CHECK_EQ(m.sub[0].req.qty, 832);
    CHECK_EQ(m.sub[1].v, VENUE_SPOT);
    CHECK_EQ(m.sub[1].req.side, SIDE_BUY);
    CHECK_EQ(m.sub[1].req.price_tk, 600300);
    CHECK_EQ(m.sub[1].req.qty, 832);
    /* Legs in flight: the next wake waits for them. */
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    CHECK_EQ(mini_run(&m, 0), 832);
    CHECK_EQ(mini_run(&m, 1), 832);
    CHECK_EQ(ledger_qty(perp_ledger(m.perp), 1), -832);
    CHECK_EQ(spot_asset(m.spot, 1), 5832);
    /* Still rich: add another clip. */
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 4);
    CHECK_EQ(m.sub[2].req.qty, 832);
    CHECK_EQ(m.sub[2].req.side, SIDE_SELL);
    mini_fini(&m);
}

static void agents_arbitrageur_cheap_sells_inventory(void)
{
    Mini m;
    mini_init(&m);
    ArbitrageurDef d = one_arb();
    d.clip_share = 0.5; /* a 500,000 USD clip: the 5,000-lot inventory binds */
    CHECK_EQ(arbitrageur_create(&d, &m.env, POP_ARBITRAGEURS, rng_stream(1, 4), &m.pop), STATUS_OK);
    /* Perp cheap: (599,990 - 598,800) / 598,800 = 19.87 bps > 17: buy perp, sell spot.
     * Clip 5e9 / 599,099 (598,800 x 1.0005 = 599,099.4) = 8,345 lots; margin room 2.4e9 / (119,819.8 + 299.55)
     * = 19,980; inventory 5,000: 5,000 lots. */
    mini_quote(&m, 598700, 598800, 599990, 600000);
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    CHECK_EQ(m.sub[0].req.side, SIDE_BUY);
    CHECK_EQ(m.sub[0].req.price_tk, 599099);
    CHECK_EQ(m.sub[0].req.qty, 5000);
    CHECK_EQ(m.sub[1].req.side, SIDE_SELL);
    CHECK_EQ(m.sub[1].req.qty, 5000);
    CHECK_EQ(mini_run(&m, 0), 5000);
    CHECK_EQ(mini_run(&m, 1), 5000);
    /* Inventory gone: no more cheap trades whatever the basis (spot cannot be shorted). */
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    mini_fini(&m);
}

static void agents_arbitrageur_repairs_lost_leg(void)
{
    Mini m;
    mini_init(&m);
    ArbitrageurDef d = one_arb();
    CHECK_EQ(arbitrageur_create(&d, &m.env, POP_ARBITRAGEURS, rng_stream(1, 4), &m.pop), STATUS_OK);
    mini_quote(&m, 601200, 601300, 599990, 600000);
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    /* The spot leg fills; the perp leg arrives after the bid has gone (the venue rejects nothing, it just does not
     * fill: here it is dropped) -- legging risk. */
    CHECK_EQ(mini_run(&m, 1), 832);
    arbitrageur_ops.on_submitted(m.pop, &m.env, 0, VENUE_PERP, 1, STATUS_OK, &(VenueResult){0});
    /* Unhedged: +832 lots of spot. The next wake sells 832 perp first, whatever the basis. */
    mini_quote(&m, 600000, 600010, 599990, 600000);
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 3);
    CHECK_EQ(m.sub[2].v, VENUE_PERP);
    CHECK_EQ(m.sub[2].req.side, SIDE_SELL);
    CHECK_EQ(m.sub[2].req.qty, 832);
    /* That repair is refused: the one after goes through the spot leg (sell the 832 lots back). */
    arbitrageur_ops.on_submitted(m.pop, &m.env, 0, VENUE_PERP, m.sub[2].req.tag, STATUS_REJECTED, &(VenueResult){0});
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 4);
    CHECK_EQ(m.sub[3].v, VENUE_SPOT);
    CHECK_EQ(m.sub[3].req.side, SIDE_SELL);
    CHECK_EQ(m.sub[3].req.qty, 832);
    CHECK_EQ(mini_run(&m, 3), 832);
    CHECK_EQ(spot_asset(m.spot, 1), 5000);
    mini_fini(&m);
}

static void agents_arbitrageur_unwinds_on_convergence(void)
{
    Mini m;
    mini_init(&m);
    ArbitrageurDef d = one_arb();
    CHECK_EQ(arbitrageur_create(&d, &m.env, POP_ARBITRAGEURS, rng_stream(1, 4), &m.pop), STATUS_OK);
    mini_quote(&m, 601200, 601300, 599990, 600000);
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(mini_run(&m, 0), 832);
    CHECK_EQ(mini_run(&m, 1), 832);
    /* Narrowed but not converged: close_rich = (600,200 - 599,990) / 599,990 = 3.5 bps > exit 2: hold. */
    mini_quote(&m, 600190, 600200, 599990, 600000);
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    /* Converged: close_rich = (600,020 - 599,990) / 599,990 = 0.5 bps <= 2: buy the perp back (reduce-only) at
     * 600,020 x 1.0005 = 600,320.01 -> 600,320 and sell the spot at 599,990 x 0.9995 = 599,690.005 -> 599,690;
     * 832 lots (the clip 5e8 / 600,320 = 832 and the whole position). */
    mini_quote(&m, 600010, 600020, 599990, 600000);
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 4);
    CHECK_EQ(m.sub[2].v, VENUE_PERP);
    CHECK_EQ(m.sub[2].req.side, SIDE_BUY);
    CHECK_EQ(m.sub[2].req.price_tk, 600320);
    CHECK_EQ(m.sub[2].req.qty, 832);
    CHECK(m.sub[2].req.flags & ORDER_FLAG_REDUCE_ONLY);
    CHECK_EQ(m.sub[3].v, VENUE_SPOT);
    CHECK_EQ(m.sub[3].req.side, SIDE_SELL);
    CHECK_EQ(m.sub[3].req.price_tk, 599690);
    CHECK_EQ(m.sub[3].req.qty, 832);
    CHECK_EQ(mini_run(&m, 2), 832);
    CHECK_EQ(mini_run(&m, 3), 832);
    CHECK_EQ(ledger_qty(perp_ledger(m.perp), 1), 0);
    CHECK_EQ(spot_asset(m.spot, 1), 5000);
    /* Flat, basis inside costs: nothing more. The round trip earned the basis minus fees:
     * perp +832 x (601,200 - 600,020) = 981,760 less fees; spot -832 x (600,000 - 599,990) = -8,320 less fees. */
    arbitrageur_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 4);
    Quote perp_cash = ledger_cash(perp_ledger(m.perp), 1);
    Quote spot_c = spot_cash(m.spot, 1);
    CHECK_GT(perp_cash + spot_c, INT64_C(7000000000));
    mini_fini(&m);
}

/* ---- small worlds ---- */

typedef struct BasisObs {
    SimTime from, to;
    double sum_abs_bps;
    uint32_t n;
    double max_abs_bps;
} BasisObs;

/* Every second between from and to: |perp mid - spot mid| / spot mid in bps (seconds with an empty side skipped). */

static void basis_second(void *ctx, const World *w)
{
    BasisObs *o = ctx;
    SimTime t = world_now(w);
    if (t < o->from || t > o->to) return;
    const Book *pb = perp_book(world_perp(w)), *sb = spot_book(world_spot(w));
    Ticks a = book_best_bid(pb), b = book_best_ask(pb), c = book_best_bid(sb), d = book_best_ask(sb);
    if (a <= 0 || b <= 0 || c <= 0 || d <= 0) return;
    double perp_mid = 0.5 * (double)(a + b), spot_mid = 0.5 * (double)(c + d);
    double bps = fabs(perp_mid - spot_mid) / spot_mid * 1e4;
    o->sum_abs_bps += bps;
    o->n++;
    if (bps > o->max_abs_bps) o->max_abs_bps = bps;
}

/* A perp-only sale (SHOCK_SELL on VENUE_PERP, 3M USD in 10 slices over 10 s at 60 s) in a world whose perp makers
 * quote around their own mid (not the index), so that only arbitrage ties the perp back to the spot market. */
static WorldDef shock_world(uint32_t arbs, double capital_usd, uint64_t seed)
{
    WorldDef d = world_default_def();
    d.run.seed = seed;
    d.run.duration = 300 * SEC;
    d.run.progress = false;
    d.retail.count = 0;
    d.liquidation_bots.count = 0;
    d.makers.reference = MAKER_REF_MID;
    d.noise.count = 20;
    d.spot_noise.count = 20;
    d.value.count = 20;
    d.arbitrageurs.count = arbs;
    if (capital_usd > 0) d.arbitrageurs.capital_usd = dist_const(capital_usd);
    d.shock_count = 1;
    d.shocks[0] = (ShockDef){SHOCK_SELL, 60 * SEC, VENUE_PERP, 3e6, 10 * SEC, 10, 0, 0};
    return d;
}

/* Mean |perp mid - spot mid| / spot mid (bps) from 20 s after the sale to the end; world_check must hold. */
static double run_shock(uint32_t arbs, double capital_usd, uint64_t seed)
{
    WorldDef d = shock_world(arbs, capital_usd, seed);
    World *w = NULL;
    char why[256] = "";
    Status s = world_create(&d, &w, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nworld_create: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    if (s != STATUS_OK) return -1;
    BasisObs o = {d.run.start + 80 * SEC, d.run.start + d.run.duration, 0, 0, 0};
    world_set_observer(w, &(WorldObserver){&o, NULL, NULL, NULL, basis_second});
    CHECK_EQ(world_run(w), STATUS_OK);
    s = world_check(w, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nworld_check: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    world_destroy(w);
    CHECK_GT(o.n, 100);
    return o.n ? o.sum_abs_bps / o.n : -1;
}

static void agents_arbitrageur_world_basis_shrinks(void)
{
    /* Two seeds each: without arbitrageurs, with the default block of 8, and with 8 that have 100,000 USD each. */
    double off = 0, on = 0, poor = 0;
    for (uint64_t seed = 1; seed <= 2; seed++) {
        off += run_shock(0, 0, seed);
        on += run_shock(8, 0, seed);
        poor += run_shock(8, 1e5, seed);
    }
    if (!(on < 0.6 * off) || !(poor > on))
        fprintf(stderr, "\nmean |basis| after the shock: without arbitrageurs %.2f bps, with %.2f, capital-limited %.2f\n",
                off / 2, on / 2, poor / 2);
    CHECK(off > 0 && on >= 0);
    /* They close the perp discount ... */
    CHECK(on < 0.6 * off);
    /* ... as far as their capital goes (limits to arbitrage). */
    CHECK(poor > on);
}

void suite_agents_arbitrageur(void)
{
    static const TestCase cases[] = {
        TEST_CASE(agents_arbitrageur_basis_thresholds),
        TEST_CASE(agents_arbitrageur_funding_capture),
        TEST_CASE(agents_arbitrageur_unwind_rule),
        TEST_CASE(agents_arbitrageur_sizing),
        TEST_CASE(agents_arbitrageur_defaults_match_schema),
        TEST_CASE(agents_arbitrageur_opens_both_legs),
        TEST_CASE(agents_arbitrageur_cheap_sells_inventory),
        TEST_CASE(agents_arbitrageur_repairs_lost_leg),
        TEST_CASE(agents_arbitrageur_unwinds_on_convergence),
        TEST_CASE(agents_arbitrageur_world_basis_shrinks),
    };
    test_add_suite("agents_arbitrageur", cases, TEST_COUNT(cases));
}
