/* agents/maker: market makers.
 *
 * (a) maker_quotes with hand-computed prices and sizes (reservation price, spread, skew, spacing, tick rounding,
 *     inventory and margin caps);
 * (b) the population driven through a mock AgentEnv that records every action and, on request, delivers it to real
 *     venues (fills come back through on_fill): refresh, withdrawal and cooldown, outage and halt, adverse fills,
 *     inventory limits, liquidation, spot accounts and the micro-price;
 * (c) a small world: makers keep both sides quoted with the expected spread and depth; a volatility burst makes them
 *     withdraw and they come back after the cooldown; an adverse sweep on the perp does the same; world_check OK.
 *
 * Units as in the world: 0.1 USD ticks, 0.001 BTC lots, so 1 quote unit = 1e-4 USD (quote_per_usd = 10,000).
 * Prices in the mock are 1,000,000 ticks (100,000 USD). */
#include "test_suites.h"
#include "test_util.h"
#include "test_config_util.h"

#include "alloc.h"
#include "config_agents.h"
#include "maker.h"
#include "world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEC SIMTIME_NS_PER_S
#define MS SIMTIME_NS_PER_MS

static SimTime t0(void)
{
    SimTime t = 0;
    CHECK_EQ(simtime_parse_iso("2025-10-10T00:00:00Z", &t), STATUS_OK);
    return t;
}

/* ---- config ---------------------------------------------------------------------------------------------------- */

static void check_schema_default(const CfgSchema *schema, MakerDef def)
{
    test_check_schema_defaults(schema, &def);
    MakerDef from_schema;
    cfg_defaults(schema, &from_schema);
    /* field by field, for what the JSON cannot show (padding aside) */
    CHECK_EQ(from_schema.count, def.count);
    CHECK_EQ(from_schema.venue, def.venue);
    CHECK_EQ(from_schema.levels, def.levels);
    CHECK_EQ(from_schema.reference, def.reference);
    CHECK_EQ(from_schema.horizon, def.horizon);
    CHECK_EQ(from_schema.cooldown, def.cooldown);
    CHECK_NEAR(from_schema.capital_usd.a, def.capital_usd.a, 0);
    CHECK_NEAR(from_schema.withdraw_vol_bps.b, def.withdraw_vol_bps.b, 0);
    CHECK_NEAR(from_schema.latency.median_ms, def.latency.median_ms, 0);
}

static void agents_maker_config_defaults(void)
{
    check_schema_default(&cfg_maker_schema, maker_default_def());
    check_schema_default(&cfg_spot_maker_schema, maker_default_spot_def());
    MakerDef p = maker_default_def(), s = maker_default_spot_def();
    CHECK_EQ(p.venue, VENUE_PERP);
    CHECK_EQ(s.venue, VENUE_SPOT);
    CHECK_EQ(p.count, 8);
    CHECK_EQ(s.count, 4);
    CHECK_EQ(p.reference, MAKER_REF_INDEX);
    CHECK_EQ(s.reference, MAKER_REF_MICRO);
}

/* ---- the quote computation ------------------------------------------------------------------------------------- */

/* levels 3, spacing 5 bps, growth 2, gamma 500, tau 120 s, floor 1 bp, cap 25 bps, vol mult 2. */
static MakerDef qdef(void)
{
    MakerDef d = maker_default_def();
    d.levels = 3;
    d.level_spacing_bps = 5.0;
    d.size_growth = 2.0;
    d.risk_aversion = 500.0;
    d.horizon = 120 * SEC;
    d.vol_floor_bps = 1.0;
    d.max_skew_bps = 25.0;
    d.vol_spread_mult = 2.0;
    return d;
}

static MakerQuoteIn qin(void)
{
    MakerQuoteIn in = {0};
    in.ref_tk = 1000000;
    in.vol = 0;
    in.half_spread = 3e-4;
    in.inventory = 0;
    in.inv_limit = 1000000;
    in.level0_notional = 50000000; /* 5,000 USD */
    in.max_notional[0] = in.max_notional[1] = QUOTE_MAX;
    return in;
}

static void agents_maker_quotes_calm(void)
{
    MakerDef d = qdef();
    MakerQuoteIn in = qin();
    MakerQuotes q;
    maker_quotes(&d, &in, &q);
    /* sigma = max(0, 1e-4) = 1e-4; half = max(3e-4, 2 x 1e-4) = 3e-4; q = 0 -> skew 0, r = 1,000,000 */
    CHECK_NEAR(q.sigma, 1e-4, 1e-15);
    CHECK_NEAR(q.half, 3e-4, 1e-15);
    CHECK_NEAR(q.skew, 0, 0);
    CHECK_NEAR(q.reservation, 1000000, 1e-9);
    CHECK_EQ(q.n[SIDE_BUY], 3);
    CHECK_EQ(q.n[SIDE_SELL], 3);
    /* bids floor(1e6 (1 - 3e-4 - i 5e-4)): 999700, 999200, 998700; asks ceil: 1000300, 1000800, 1001300 */
    CHECK_EQ(q.price[SIDE_BUY][0], 999700);
    CHECK_EQ(q.price[SIDE_BUY][1], 999200);
    CHECK_EQ(q.price[SIDE_BUY][2], 998700);
    CHECK_EQ(q.price[SIDE_SELL][0], 1000300);
    CHECK_EQ(q.price[SIDE_SELL][1], 1000800);
    CHECK_EQ(q.price[SIDE_SELL][2], 1001300);
    /* sizes 5e7, 1e8, 2e8 quote units: 5e7/999700 = 50.01 -> 50, 1e8/999200 = 100.08 -> 100,
     * 2e8/998700 = 200.26 -> 200; asks 5e7/1000300 = 49.98 -> 49, 1e8/1000800 = 99.92 -> 99, 2e8/1001300 -> 199 */
    CHECK_EQ(q.qty[SIDE_BUY][0], 50);
    CHECK_EQ(q.qty[SIDE_BUY][1], 100);
    CHECK_EQ(q.qty[SIDE_BUY][2], 200);
    CHECK_EQ(q.qty[SIDE_SELL][0], 49);
    CHECK_EQ(q.qty[SIDE_SELL][1], 99);
    CHECK_EQ(q.qty[SIDE_SELL][2], 199);

    /* volatility widens: vol 4e-4 -> half = max(3e-4, 8e-4) = 8e-4; bid0 = 999200, ask0 = 1000800 (skew 0) */
    in.vol = 4e-4;
    maker_quotes(&d, &in, &q);
    CHECK_NEAR(q.half, 8e-4, 1e-15);
    CHECK_EQ(q.price[SIDE_BUY][0], 999200);
    CHECK_EQ(q.price[SIDE_SELL][0], 1000800);
    CHECK_EQ(q.price[SIDE_SELL][2], 1001800); /* 1e6 (1 + 8e-4 + 2 x 5e-4) */
}

static void agents_maker_quotes_skew(void)
{
    MakerDef d = qdef();
    MakerQuoteIn in = qin();
    MakerQuotes q;
    /* long 500 of a 1000-lot limit: q = 0.5; vol 2e-4 -> sigma 2e-4, half = max(3e-4, 4e-4) = 4e-4;
     * skew = -0.5 x 500 x 4e-8 x 120 = -1.2e-3; r = 1e6 (1 - 1.2e-3) = 998,800 */
    in.vol = 2e-4;
    in.inventory = 500;
    in.inv_limit = 1000;
    in.level0_notional = 300000000; /* ~300 lots per level at 1e6, doubling */
    maker_quotes(&d, &in, &q);
    CHECK_NEAR(q.skew, -1.2e-3, 1e-12);
    CHECK_NEAR(q.reservation, 998800, 1e-6);
    /* bid0 = floor(998800 x 0.9996) = floor(998400.48) = 998400; bid1 = floor(998800 x 0.9991) = 997901 (997901.08)
     * ask0 = ceil(998800 x 1.0004) = ceil(999199.52) = 999200; ask1 = ceil(999698.92) = 999699;
     * ask2 = ceil(998800 x 1.0014) = ceil(1000198.32) = 1000199 */
    CHECK_EQ(q.price[SIDE_BUY][0], 998400);
    CHECK_EQ(q.price[SIDE_BUY][1], 997901);
    CHECK_EQ(q.price[SIDE_SELL][0], 999200);
    CHECK_EQ(q.price[SIDE_SELL][1], 999699);
    CHECK_EQ(q.price[SIDE_SELL][2], 1000199);
    /* inventory room: buys 1000 - 500 = 500 lots: 3e8/998400 = 300.48 -> 300, then 6e8/997901 = 601 -> cut to 200,
     * then nothing left: 2 levels. Sells 1000 + 500 = 1500: 3e8/999200 = 300, 6e8/999699 = 600.18 -> 600,
     * 1.2e9/1000199 = 1199.76 -> 1199 cut to 1500 - 900 = 600 */
    CHECK_EQ(q.n[SIDE_BUY], 2);
    CHECK_EQ(q.qty[SIDE_BUY][0], 300);
    CHECK_EQ(q.qty[SIDE_BUY][1], 200);
    CHECK_EQ(q.n[SIDE_SELL], 3);
    CHECK_EQ(q.qty[SIDE_SELL][0], 300);
    CHECK_EQ(q.qty[SIDE_SELL][1], 600);
    CHECK_EQ(q.qty[SIDE_SELL][2], 600);

    /* short: the mirror image (skew +1.2e-3) */
    in.inventory = -500;
    maker_quotes(&d, &in, &q);
    CHECK_NEAR(q.skew, 1.2e-3, 1e-12);
    CHECK_EQ(q.n[SIDE_BUY], 3);
    CHECK_EQ(q.n[SIDE_SELL], 2);
    CHECK_EQ(q.qty[SIDE_SELL][1], 201); /* ask0 = ceil(1001200 x 1.0004) = 1001601: 299 lots; 500 - 299 */
}

static void agents_maker_quotes_skew_cap_and_limit(void)
{
    MakerDef d = qdef();
    MakerQuoteIn in = qin();
    MakerQuotes q;
    /* vol 3e-4: skew = -0.5 x 500 x 9e-8 x 120 = -2.7e-3, capped at -25 bps; half = 6e-4; r = 997,500 */
    in.vol = 3e-4;
    in.inventory = 500;
    in.inv_limit = 1000;
    maker_quotes(&d, &in, &q);
    CHECK_NEAR(q.skew, -2.5e-3, 1e-12);
    CHECK_NEAR(q.reservation, 997500, 1e-6);
    /* bid0 = floor(997500 x 0.9994) = floor(996901.5) = 996901; ask0 = ceil(997500 x 1.0006) = ceil(998098.5) */
    CHECK_EQ(q.price[SIDE_BUY][0], 996901);
    CHECK_EQ(q.price[SIDE_SELL][0], 998099);
    /* at or beyond the limit: no bids at all, q clamped to 1 (same capped skew) */
    in.inventory = 1200;
    maker_quotes(&d, &in, &q);
    CHECK_EQ(q.n[SIDE_BUY], 0);
    CHECK_EQ(q.n[SIDE_SELL], 3);
    CHECK_NEAR(q.skew, -2.5e-3, 1e-12);
    /* gamma 0: no skew whatever the inventory */
    d.risk_aversion = 0;
    maker_quotes(&d, &in, &q);
    CHECK_NEAR(q.skew, 0, 0);
    CHECK_EQ(q.price[SIDE_SELL][0], 1000600);
    /* a zero limit: nothing can be quoted on the side that adds inventory, flat: nothing at all */
    in.inventory = 0;
    in.inv_limit = 0;
    maker_quotes(&d, &in, &q);
    CHECK_EQ(q.n[SIDE_BUY], 0);
    CHECK_EQ(q.n[SIDE_SELL], 0);
}

static void agents_maker_quotes_ticks_and_book(void)
{
    MakerDef d = qdef();
    MakerQuoteIn in = qin();
    MakerQuotes q;
    /* a coarse price: ref 1000 ticks. bids 999.7 -> 999, 999.2 -> 999 -> one tick lower 998, 998.7 -> 998 -> 997;
     * asks 1000.3 -> 1001, 1000.8 -> 1001 -> 1002, 1001.3 -> 1002 -> 1003 */
    in.ref_tk = 1000;
    in.level0_notional = 1000000;
    maker_quotes(&d, &in, &q);
    CHECK_EQ(q.n[SIDE_BUY], 3);
    CHECK_EQ(q.price[SIDE_BUY][0], 999);
    CHECK_EQ(q.price[SIDE_BUY][1], 998);
    CHECK_EQ(q.price[SIDE_BUY][2], 997);
    CHECK_EQ(q.price[SIDE_SELL][0], 1001);
    CHECK_EQ(q.price[SIDE_SELL][1], 1002);
    CHECK_EQ(q.price[SIDE_SELL][2], 1003);
    /* an exact product is not pushed a tick away by float error: 1e6 x (1 - 3e-4) is 999700 */
    in = qin();
    in.best_ask = 999000; /* the book trades below the reference: bids stay passive under the best ask */
    in.best_bid = 998500;
    maker_quotes(&d, &in, &q);
    /* bid0 999700 -> 998999, bid1 999200 -> 998998 (below bid0), bid2 998700 stays; asks 1000300... unchanged */
    CHECK_EQ(q.price[SIDE_BUY][0], 998999);
    CHECK_EQ(q.price[SIDE_BUY][1], 998998);
    CHECK_EQ(q.price[SIDE_BUY][2], 998700);
    CHECK_EQ(q.price[SIDE_SELL][0], 1000300);
    /* above the reference: asks stay above the best bid */
    in.best_bid = 1000500;
    in.best_ask = 1000900;
    maker_quotes(&d, &in, &q);
    CHECK_EQ(q.price[SIDE_SELL][0], 1000501);
    CHECK_EQ(q.price[SIDE_SELL][1], 1000800);
    CHECK_EQ(q.price[SIDE_BUY][0], 999700);
}

static void agents_maker_quotes_budget(void)
{
    MakerDef d = qdef();
    MakerQuoteIn in = qin();
    MakerQuotes q;
    /* 120,000,000 quote units of buying power: bid0 50 lots (49,985,000), room 70,015,000 < 1e8 ->
     * 70,015,000/999200 = 70.07 -> 70 lots (69,944,000); room 71,000 -> 0 lots at 998700: stop */
    in.max_notional[SIDE_BUY] = 120000000;
    in.max_notional[SIDE_SELL] = 0;
    maker_quotes(&d, &in, &q);
    CHECK_EQ(q.n[SIDE_BUY], 2);
    CHECK_EQ(q.qty[SIDE_BUY][0], 50);
    CHECK_EQ(q.qty[SIDE_BUY][1], 70);
    CHECK_EQ(q.n[SIDE_SELL], 0);
}

/* ---- a mock environment -------------------------------------------------------------------------------------- */

enum { MOCK_SUBMIT = 0, MOCK_CANCEL, MOCK_CANCEL_ALL };
enum { MOCK_ACTS = 512, MOCK_AGENTS = 8 };

typedef struct MockAct {
    int kind;
    uint32_t agent;
    VenueKind v;
    AccountId a;
    VenueReq req;
    OrderRef ref;
    SimDuration lat;
} MockAct;

typedef struct Mock {
    PerpVenue *perp;
    SpotVenue *spot;
    MarketFeed feed;
    IntensityProfile prof;
    AgentEnv env;
    void *pop;
    MockAct act[MOCK_ACTS];
    uint32_t nact, done;
    uint32_t wakes[MOCK_AGENTS];
    SimTime wake_t[MOCK_AGENTS];
    uint32_t perp_owner[64], spot_owner[64]; /* agent + 1; 0 = not a maker's */
    AccountId cp_perp, cp_spot;              /* a counterparty */
} Mock;

static Status mock_push(Mock *m, MockAct a)
{
    CHECK(m->nact < MOCK_ACTS);
    if (m->nact >= MOCK_ACTS) return STATUS_FULL;
    m->act[m->nact++] = a;
    return STATUS_OK;
}

static Status mock_submit(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, const VenueReq *req,
                          SimDuration latency)
{
    (void)pop;
    return mock_push(world, (MockAct){MOCK_SUBMIT, agent, v, a, *req, ORDER_REF_NONE, latency});
}

static Status mock_cancel(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, OrderRef ref,
                          SimDuration latency)
{
    (void)pop;
    return mock_push(world, (MockAct){MOCK_CANCEL, agent, v, a, {0}, ref, latency});
}

static Status mock_cancel_all(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a,
                              SimDuration latency)
{
    (void)pop;
    return mock_push(world, (MockAct){MOCK_CANCEL_ALL, agent, v, a, {0}, ORDER_REF_NONE, latency});
}

static Status mock_add_margin(void *world, AccountId a, Quote amount)
{
    Mock *m = world;
    return perp_add_margin(m->perp, m->env.now, a, amount);
}

static void mock_wake_at(void *world, uint32_t pop, uint32_t agent, SimTime t)
{
    Mock *m = world;
    (void)pop;
    CHECK(agent < MOCK_AGENTS);
    m->wakes[agent]++;
    m->wake_t[agent] = t;
}

static Status mock_open_account(void *world, uint32_t pop, uint32_t agent, VenueKind v, MarginMode mode,
                                int32_t leverage, Quote cash, Lots asset, AccountId *out)
{
    Mock *m = world;
    (void)pop;
    Status s = world_venue_open_account(m->perp, m->spot, v, mode, leverage, cash, asset, out);
    if (s == STATUS_OK) (v == VENUE_PERP ? m->perp_owner : m->spot_owner)[*out] = agent + 1;
    return s;
}

static Status mock_add_backstop(void *world, uint32_t pop, uint32_t agent, AccountId a)
{
    (void)world, (void)pop, (void)agent, (void)a;
    return STATUS_INVALID;
}

static void mock_fill(Mock *m, VenueKind v, uint32_t owner, AccountId a, Side side, Ticks px, Lots qty,
                      OrderRef ref, Lots remaining, uint64_t tag)
{
    if (!owner || !m->pop) return;
    AgentFill f = {v, a, side, px, qty, true, ref, remaining, tag, false};
    maker_ops.on_fill(m->pop, &m->env, owner - 1, &f);
}

static void mock_perp_trade(void *ctx, const PerpTrade *t)
{
    Mock *m = ctx;
    Side ms = t->aggressor == SIDE_BUY ? SIDE_SELL : SIDE_BUY;
    mock_fill(m, VENUE_PERP, m->perp_owner[t->maker], t->maker, ms, t->price_tk, t->qty, t->maker_ref,
              t->maker_remaining, t->maker_tag);
}

static void mock_spot_trade(void *ctx, const SpotTrade *t)
{
    Mock *m = ctx;
    Side ms = t->aggressor == SIDE_BUY ? SIDE_SELL : SIDE_BUY;
    mock_fill(m, VENUE_SPOT, m->spot_owner[t->maker], t->maker, ms, t->price_tk, t->qty, t->maker_ref,
              t->maker_remaining, t->maker_tag);
    /* a hedging perp maker takes liquidity on spot: its fill as the taker (the world reports both sides too) */
    mock_fill(m, VENUE_SPOT, m->spot_owner[t->taker], t->taker, t->aggressor, t->price_tk, t->qty, t->taker_ref,
              t->taker_remaining, t->taker_tag);
}

static void check_venues(const Mock *m)
{
    char why[256] = "";
    Status s = perp_check(m->perp, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nperp_check: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    s = spot_check(m->spot, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nspot_check: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
}

/* Venues at 1,000,000 ticks (mark = index), no fees; a deep counterparty on each venue. */
static Mock *mock_new(void)
{
    Mock *m = mem_calloc(1, sizeof *m);
    PerpDef pd = perp_default_def();
    pd.ledger.table = margin_table_binance_btcusdt(10000);
    pd.mark.method = MARK_INDEX;
    pd.maker_fee_bps = 0;
    pd.taker_fee_bps = 0;
    pd.start = t0();
    pd.book.initial_center_tk = 1000000;
    pd.book.window_ticks = 32768;
    CHECK_EQ(perp_create(&pd, &m->perp), STATUS_OK);
    perp_set_index(m->perp, 1000000);
    perp_advance(m->perp, pd.start);
    perp_set_listener(m->perp, &(PerpListener){m, mock_perp_trade, NULL, NULL});
    SpotDef sd = spot_default_def();
    sd.book.initial_center_tk = 1000000;
    sd.book.window_ticks = 32768;
    sd.maker_fee_bps = 0;
    sd.taker_fee_bps = 0;
    CHECK_EQ(spot_create(&sd, &m->spot), STATUS_OK);
    spot_set_listener(m->spot, &(SpotListener){m, mock_spot_trade, NULL});
    m->prof = profile_flat();
    m->feed.index = 1000000;
    m->feed.perp_mark = 1000000;
    m->feed.fundamental = 1000000;
    m->env.world = m;
    m->env.ops = (AgentEnvOps){mock_submit, mock_cancel, mock_cancel_all, mock_add_margin, mock_wake_at,
                               mock_open_account, mock_add_backstop};
    m->env.now = pd.start;
    m->env.feed = &m->feed;
    m->env.perp = m->perp;
    m->env.spot = m->spot;
    m->env.profile = &m->prof;
    m->env.quote_per_usd = 10000.0;
    m->env.tick_usd = 0.1;
    m->env.lot_units = 0.001;
    m->env.attention_max = 0.0; /* attention off */
    CHECK_EQ(perp_add_account(m->perp, MARGIN_MODE_CROSS, 10, &m->cp_perp), STATUS_OK);
    CHECK_EQ(perp_deposit(m->perp, m->cp_perp, INT64_C(100000000000000)), STATUS_OK);
    CHECK_EQ(spot_add_account(m->spot, &m->cp_spot), STATUS_OK);
    CHECK_EQ(spot_deposit_cash(m->spot, m->cp_spot, INT64_C(100000000000000)), STATUS_OK);
    CHECK_EQ(spot_deposit_asset(m->spot, m->cp_spot, INT64_C(100000000)), STATUS_OK);
    return m;
}

static void mock_free(Mock *m)
{
    if (m->pop) maker_ops.destroy(m->pop);
    perp_destroy(m->perp);
    spot_destroy(m->spot);
    mem_free(m);
}

/* Delivers the recorded actions (in order, ignoring their latency) to the venues; fills reach the makers at once.
 * Actions the makers record meanwhile wait for the next call. */
static void mock_deliver(Mock *m)
{
    uint32_t n = m->nact;
    for (uint32_t i = m->done; i < n; i++) {
        MockAct *a = &m->act[i];
        if (a->kind == MOCK_SUBMIT) {
            VenueResult r = {0};
            Status s = a->v == VENUE_PERP ? perp_submit(m->perp, m->env.now, a->a, &a->req, &r)
                                          : spot_submit(m->spot, a->a, &a->req, &r);
            maker_ops.on_submitted(m->pop, &m->env, a->agent, a->v, a->req.tag, s, &r);
        } else if (a->kind == MOCK_CANCEL) {
            if (a->v == VENUE_PERP) (void)perp_cancel(m->perp, m->env.now, a->a, a->ref);
            else (void)spot_cancel(m->spot, a->a, a->ref);
        } else {
            if (a->v == VENUE_PERP) (void)perp_cancel_all(m->perp, m->env.now, a->a);
            else (void)spot_cancel_all(m->spot, a->a);
        }
    }
    m->done = n;
}

/* Actions recorded since index `from`, by kind. */
static uint32_t mock_count(const Mock *m, uint32_t from, int kind)
{
    uint32_t c = 0;
    for (uint32_t i = from; i < m->nact; i++) c += m->act[i].kind == kind;
    return c;
}

/* One maker block with constant parameters: capital 2 M USD, h = 2 bps, level 0 = 50 k USD, withdraw at 10 bps. */
static MakerDef mdef(VenueKind v, uint32_t count)
{
    MakerDef d = v == VENUE_PERP ? maker_default_def() : maker_default_spot_def();
    d.count = count;
    d.capital_usd = dist_const(2e6);
    d.half_spread_bps = dist_const(2.0);
    d.level_size_usd = dist_const(50e3);
    d.withdraw_vol_bps = dist_const(10.0);
    d.levels = 5;
    d.level_spacing_bps = 4.0;
    d.size_growth = 1.5;
    d.inventory_limit = 0.5;
    d.adverse_inventory = 0;
    d.adverse_loss_bps = 0;
    return d;
}

static Mock *mock_with(const MakerDef *d)
{
    Mock *m = mock_new();
    CHECK_EQ(maker_create(d, &m->env, 1, rng_stream(7, 2), &m->pop), STATUS_OK);
    return m;
}

static void wake_at(Mock *m, uint32_t agent, SimTime t)
{
    m->env.now = t;
    perp_advance(m->perp, t);
    maker_ops.wake(m->pop, &m->env, agent);
}

/* ---- (b) the population through the mock ---------------------------------------------------------------------- */

static void agents_maker_create_and_refresh(void)
{
    MakerDef d = mdef(VENUE_PERP, 2);
    Mock *m = mock_with(&d);
    SimTime t = t0();
    /* accounts: cross, leverage 5, 2 M USD = 2e10 quote units; first wakes within one refresh */
    for (uint32_t i = 0; i < 2; i++) {
        AccountId a = maker_agent_account(m->pop, i);
        CHECK_EQ(ledger_mode(perp_ledger(m->perp), a), MARGIN_MODE_CROSS);
        CHECK_EQ(ledger_leverage(perp_ledger(m->perp), a), 5);
        CHECK_EQ(ledger_cash(perp_ledger(m->perp), a), INT64_C(20000000000));
        CHECK_EQ(m->wakes[i], 1);
        CHECK(m->wake_t[i] >= t && m->wake_t[i] < t + SEC);
        CHECK_EQ(maker_agent_state(m->pop, i), MAKER_QUOTING);
    }
    wake_at(m, 0, t);
    /* next wake in [0.8 s, 1.2 s] */
    CHECK_EQ(m->wakes[0], 2);
    CHECK(m->wake_t[0] >= t + 800 * MS && m->wake_t[0] <= t + 1200 * MS);
    /* a cancel-all, then 5 bids and 5 asks, all with the cancel's latency */
    CHECK_EQ(m->nact, 11);
    CHECK_EQ(m->act[0].kind, MOCK_CANCEL_ALL);
    CHECK(m->act[0].lat >= 1 * MS);
    for (uint32_t i = 1; i < 11; i++) {
        CHECK_EQ(m->act[i].kind, MOCK_SUBMIT);
        CHECK_EQ(m->act[i].lat, m->act[0].lat);
        CHECK_EQ(m->act[i].req.type, ORDER_POST_ONLY);
    }
    /* sigma = floor 1e-4 -> half = max(2e-4, 2e-4); spacing 4 bps; r = 1e6:
     * bids 999800, 999400, 999000, 998600, 998200; asks 1000200 ... 1001800
     * sizes 5e8, 7.5e8, 1.125e9, 1.6875e9, 2.53125e9 quote units: bids 500, 750, 1126 (1126.13), 1689 (1689.87),
     * 2535 (2535.81); asks 499 (499.9), 749, 1123, 1685, 2526 */
    static const Ticks bid_px[5] = {999800, 999400, 999000, 998600, 998200};
    static const Ticks ask_px[5] = {1000200, 1000600, 1001000, 1001400, 1001800};
    static const Lots bid_q[5] = {500, 750, 1126, 1689, 2535};
    static const Lots ask_q[5] = {499, 749, 1123, 1685, 2526};
    for (uint32_t k = 0; k < 5; k++) {
        CHECK_EQ(m->act[1 + k].req.side, SIDE_BUY);
        CHECK_EQ(m->act[1 + k].req.price_tk, bid_px[k]);
        CHECK_EQ(m->act[1 + k].req.qty, bid_q[k]);
        CHECK_EQ(m->act[6 + k].req.side, SIDE_SELL);
        CHECK_EQ(m->act[6 + k].req.price_tk, ask_px[k]);
        CHECK_EQ(m->act[6 + k].req.qty, ask_q[k]);
    }
    mock_deliver(m);
    check_venues(m);
    AccountId a0 = maker_agent_account(m->pop, 0);
    CHECK_EQ(perp_order_count(m->perp, a0), 10);
    CHECK_EQ(book_best_bid(perp_book(m->perp)), 999800);
    CHECK_EQ(book_best_ask(perp_book(m->perp)), 1000200);
    MakerStats st = maker_stats(m->pop);
    CHECK_EQ(st.orders, 10);
    CHECK_EQ(st.rejects, 0);
    CHECK_EQ(st.refreshes, 1);
    /* nothing changed: the next wake leaves the resting quotes alone */
    uint32_t from = m->nact;
    wake_at(m, 0, t + SEC);
    CHECK_EQ(m->nact, from);
    /* the index moves 100 ticks: cancel-all and 10 new quotes, bid0 = floor(1000100 x 0.9998) = 999899 (999899.98) */
    m->feed.index = 1000100;
    wake_at(m, 0, t + 2 * SEC);
    CHECK_EQ(mock_count(m, from, MOCK_CANCEL_ALL), 1);
    CHECK_EQ(mock_count(m, from, MOCK_SUBMIT), 10);
    CHECK_EQ(m->act[from + 1].req.price_tk, 999899);
    mock_deliver(m);
    CHECK_EQ(perp_order_count(m->perp, a0), 10);
    CHECK_EQ(book_best_bid(perp_book(m->perp)), 999899);
    CHECK_EQ(maker_stats(m->pop).refreshes, 2);
    CHECK_EQ(maker_quoting(m->pop), 2);
    check_venues(m);
    mock_free(m);
}

static void agents_maker_withdraw_vol_and_cooldown(void)
{
    MakerDef d = mdef(VENUE_PERP, 1);
    d.cooldown = 30 * SEC;
    Mock *m = mock_with(&d);
    SimTime t = t0();
    AccountId a = maker_agent_account(m->pop, 0);
    wake_at(m, 0, t);
    mock_deliver(m);
    CHECK_EQ(perp_order_count(m->perp, a), 10);

    /* vol_1m 12 bps > 10 bps: pull everything, post nothing */
    m->feed.vol_1m = 12e-4;
    uint32_t from = m->nact;
    wake_at(m, 0, t + 1 * SEC);
    CHECK_EQ(mock_count(m, from, MOCK_CANCEL_ALL), 1);
    CHECK_EQ(mock_count(m, from, MOCK_SUBMIT), 0);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_COOLDOWN);
    CHECK_EQ(maker_quoting(m->pop), 0);
    mock_deliver(m);
    CHECK_EQ(perp_order_count(m->perp, a), 0);
    CHECK_EQ(maker_stats(m->pop).withdrawals_vol, 1);
    /* it keeps waking every refresh while out */
    CHECK(m->wake_t[0] > t + 1 * SEC);

    /* calm again at 11 s: still cooling down (until 31 s) */
    m->feed.vol_1m = 1e-4;
    from = m->nact;
    wake_at(m, 0, t + 11 * SEC);
    CHECK_EQ(m->nact, from);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_COOLDOWN);
    /* the trigger again at 20 s does not extend the cooldown (it ends at 31 s) and sends nothing */
    m->feed.vol_1m = 20e-4;
    wake_at(m, 0, t + 20 * SEC);
    CHECK_EQ(m->nact, from);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_COOLDOWN);
    /* 40 s: the cooldown is over and the maker returns although volatility is still 20 bps (its spread follows
     * volatility); its gate is now 1.5 x 20 = 30 bps */
    wake_at(m, 0, t + 40 * SEC);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_QUOTING);
    CHECK_EQ(mock_count(m, from, MOCK_SUBMIT), 10);
    CHECK_EQ(maker_stats(m->pop).returns, 1);
    CHECK_EQ(maker_stats(m->pop).withdrawals_vol, 1);
    mock_deliver(m);
    CHECK_EQ(perp_order_count(m->perp, a), 10);
    /* 25 bps: below the raised gate, it stays; 31 bps: above it, it withdraws again */
    m->feed.vol_1m = 25e-4;
    wake_at(m, 0, t + 41 * SEC);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_QUOTING);
    m->feed.vol_1m = 31e-4;
    wake_at(m, 0, t + 42 * SEC);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_COOLDOWN);
    CHECK_EQ(maker_stats(m->pop).withdrawals_vol, 2);
    mock_deliver(m);
    CHECK_EQ(perp_order_count(m->perp, a), 0);
    check_venues(m);
    mock_free(m);
}

static void agents_maker_outage_and_halt(void)
{
    MakerDef d = mdef(VENUE_PERP, 1);
    Mock *m = mock_with(&d);
    SimTime t = t0();
    AccountId a = maker_agent_account(m->pop, 0);
    wake_at(m, 0, t);
    mock_deliver(m);
    /* maker outage: cancel and stay out while it lasts */
    m->feed.maker_outage = true;
    uint32_t from = m->nact;
    wake_at(m, 0, t + SEC);
    CHECK_EQ(mock_count(m, from, MOCK_CANCEL_ALL), 1);
    CHECK_EQ(mock_count(m, from, MOCK_SUBMIT), 0);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_OUT);
    mock_deliver(m);
    CHECK_EQ(perp_order_count(m->perp, a), 0);
    from = m->nact;
    wake_at(m, 0, t + 2 * SEC);
    CHECK_EQ(m->nact, from);
    /* over: quotes at the next wake, no cooldown */
    m->feed.maker_outage = false;
    wake_at(m, 0, t + 3 * SEC);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_QUOTING);
    CHECK_EQ(mock_count(m, from, MOCK_SUBMIT), 10);
    mock_deliver(m);
    /* the perp venue halted: same */
    m->feed.halted = true;
    from = m->nact;
    wake_at(m, 0, t + 4 * SEC);
    CHECK_EQ(mock_count(m, from, MOCK_CANCEL_ALL), 1);
    CHECK_EQ(mock_count(m, from, MOCK_SUBMIT), 0);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_OUT);
    m->feed.halted = false;
    wake_at(m, 0, t + 5 * SEC);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_QUOTING);
    CHECK_EQ(maker_stats(m->pop).returns, 2);
    mock_deliver(m);
    CHECK_EQ(perp_order_count(m->perp, a), 10);
    /* quotes reaching the venue while the maker is out are cancelled on arrival */
    m->feed.index = 1000100;
    wake_at(m, 0, t + 6 * SEC);      /* a refresh in flight */
    m->feed.maker_outage = true;
    wake_at(m, 0, t + 6 * SEC);      /* out before it arrives: its cancel goes no earlier than the refresh */
    CHECK_EQ(m->act[m->nact - 1].kind, MOCK_CANCEL_ALL);
    CHECK(m->act[m->nact - 1].lat >= m->act[m->nact - 2].lat);
    mock_deliver(m);                 /* cancel-all, 10 submits, cancel-all */
    mock_deliver(m);
    CHECK_EQ(perp_order_count(m->perp, a), 0);
    check_venues(m);
    mock_free(m);
}

static void agents_maker_adverse_inventory(void)
{
    MakerDef d = mdef(VENUE_PERP, 2);
    /* limit 0.5 x 2 M = 1 M USD = 10,000 lots at 1e6; adverse at 25 % of it = 2,500 lots within 10 s */
    d.adverse_inventory = 0.25;
    d.adverse_window = 10 * SEC;
    Mock *m = mock_with(&d);
    SimTime t = t0();
    AccountId a = maker_agent_account(m->pop, 0);
    wake_at(m, 0, t);
    mock_deliver(m);
    /* the counterparty sells 3,000 lots at market: 500 + 750 + 1126 + 624 -- the fourth fill crosses 2,500 */
    m->env.now = t + 500 * MS;
    uint32_t from = m->nact;
    VenueReq sell = {ORDER_MARKET, SIDE_SELL, 0, 3000, 0, 0, STOP_TRIGGER_LAST};
    VenueResult r;
    CHECK_EQ(perp_submit(m->perp, m->env.now, m->cp_perp, &sell, &r), STATUS_OK);
    CHECK_EQ(r.filled, 3000);
    CHECK_EQ(maker_agent_inventory(m->pop, 0), 3000);
    CHECK_EQ(ledger_qty(perp_ledger(m->perp), a), 3000);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_COOLDOWN);
    CHECK_EQ(mock_count(m, from, MOCK_CANCEL_ALL), 1);
    MakerStats st = maker_stats(m->pop);
    CHECK_EQ(st.withdrawals_adverse, 1);
    CHECK_EQ(st.fills, 4);
    CHECK_EQ(st.volume, 3000);
    mock_deliver(m);
    CHECK_EQ(perp_order_count(m->perp, a), 0);
    /* the other maker never quoted and is untouched */
    CHECK_EQ(maker_agent_state(m->pop, 1), MAKER_QUOTING);
    /* after the 30 s cooldown it comes back, skewed: long 3000 of 10000 -> q = 0.3, skew = -0.3 x 500 x 1e-8 x 120
     * = -1.8e-4, r = 999,820; bid0 = floor(999820 x 0.9998) = floor(999620.04) = 999620 */
    wake_at(m, 0, t + 31 * SEC);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_QUOTING);
    CHECK_EQ(m->act[m->done + 1].req.side, SIDE_BUY);
    CHECK_EQ(m->act[m->done + 1].req.price_tk, 999620);
    mock_deliver(m);
    check_venues(m);
    mock_free(m);
}

static void agents_maker_adverse_loss(void)
{
    MakerDef d = mdef(VENUE_PERP, 1);
    d.adverse_loss_bps = 20; /* of 2 M USD capital = 4,000 USD = 4e7 quote units */
    d.adverse_window = 10 * SEC;
    Mock *m = mock_with(&d);
    SimTime t = t0();
    wake_at(m, 0, t);
    mock_deliver(m);
    m->env.now = t + 500 * MS;
    VenueReq sell = {ORDER_MARKET, SIDE_SELL, 0, 3000, 0, 0, STOP_TRIGGER_LAST};
    VenueResult r;
    CHECK_EQ(perp_submit(m->perp, m->env.now, m->cp_perp, &sell, &r), STATUS_OK);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_QUOTING); /* inventory rule off, no loss at the mark yet */
    /* cost 500 x 999800 + 750 x 999400 + 1126 x 999000 + 624 x 998600 = 2,997,450,400; at a mark of 990,000 the
     * 3000 lots are worth 2,970,000,000: a loss of 27,450,400 quote units = 2,745 USD = 13.7 bps of capital */
    m->feed.index = 990000;
    perp_set_index(m->perp, 990000);
    wake_at(m, 0, t + 1 * SEC);
    CHECK_EQ(perp_mark(m->perp), 990000);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_QUOTING); /* 13.7 < 20 bps */
    mock_deliver(m);
    /* 985,000: 3000 x 985000 = 2,955,000,000, loss 42,450,400 >= 4e7 -> withdraw */
    m->feed.index = 985000;
    perp_set_index(m->perp, 985000);
    uint32_t from = m->nact;
    wake_at(m, 0, t + 2 * SEC);
    CHECK_EQ(maker_agent_state(m->pop, 0), MAKER_COOLDOWN);
    CHECK_EQ(mock_count(m, from, MOCK_CANCEL_ALL), 1);
    CHECK_EQ(mock_count(m, from, MOCK_SUBMIT), 0);
    CHECK_EQ(maker_stats(m->pop).withdrawals_adverse, 1);
    mock_deliver(m);
    check_venues(m);
    mock_free(m);
}

static void agents_maker_inventory_limit(void)
{
    MakerDef d = mdef(VENUE_PERP, 1);
    d.inventory_limit = 0.05; /* 100 k USD = 1,000 lots at 1e6 */
    Mock *m = mock_with(&d);
    SimTime t = t0();
    AccountId a = maker_agent_account(m->pop, 0);
    wake_at(m, 0, t);
    /* bids 500 + 500 (750 cut to the room left), asks 499 + 501 */
    CHECK_EQ(mock_count(m, 0, MOCK_SUBMIT), 4);
    CHECK_EQ(m->act[1].req.qty, 500);
    CHECK_EQ(m->act[2].req.qty, 500);
    CHECK_EQ(m->act[3].req.qty, 499);
    CHECK_EQ(m->act[4].req.qty, 501);
    mock_deliver(m);
    /* sell 800 into its bids: long 800 */
    VenueReq sell = {ORDER_MARKET, SIDE_SELL, 0, 800, 0, 0, STOP_TRIGGER_LAST};
    VenueResult r;
    CHECK_EQ(perp_submit(m->perp, m->env.now, m->cp_perp, &sell, &r), STATUS_OK);
    CHECK_EQ(ledger_qty(perp_ledger(m->perp), a), 800);
    uint32_t from = m->nact;
    wake_at(m, 0, t + SEC);
    /* q = 0.8: skew = -0.8 x 500 x 1e-8 x 120 = -4.8e-4, r = 999,520.
     * bid0 = floor(999520 x 0.9998) = 999320 (999320.096), 500 lots cut to the 200 left;
     * asks ceil(999719.904) = 999720: 500; ceil(1000119.712) = 1000120: 749; ceil(1000519.52) = 1000520:
     * 1124 cut to 1800 - 1249 = 551 */
    CHECK_EQ(mock_count(m, from, MOCK_SUBMIT), 4);
    const MockAct *x = &m->act[from + 1];
    CHECK_EQ(x[0].req.side, SIDE_BUY);
    CHECK_EQ(x[0].req.price_tk, 999320);
    CHECK_EQ(x[0].req.qty, 200);
    CHECK_EQ(x[1].req.side, SIDE_SELL);
    CHECK_EQ(x[1].req.price_tk, 999720);
    CHECK_EQ(x[1].req.qty, 500);
    CHECK_EQ(x[2].req.price_tk, 1000120);
    CHECK_EQ(x[2].req.qty, 749);
    CHECK_EQ(x[3].req.price_tk, 1000520);
    CHECK_EQ(x[3].req.qty, 551);
    mock_deliver(m);
    /* fill the rest of the bid: at the limit, no bids at all */
    CHECK_EQ(perp_submit(m->perp, m->env.now, m->cp_perp, &(VenueReq){ORDER_MARKET, SIDE_SELL, 0, 200, 0, 0,
                                                                      STOP_TRIGGER_LAST}, &r), STATUS_OK);
    CHECK_EQ(ledger_qty(perp_ledger(m->perp), a), 1000);
    from = m->nact;
    wake_at(m, 0, t + 2 * SEC);
    for (uint32_t i = from; i < m->nact; i++)
        if (m->act[i].kind == MOCK_SUBMIT) CHECK_EQ(m->act[i].req.side, SIDE_SELL);
    CHECK_GT(mock_count(m, from, MOCK_SUBMIT), 0);
    mock_deliver(m);
    check_venues(m);
    mock_free(m);
}

static void agents_maker_hedges_on_spot(void)
{
    MakerDef d = mdef(VENUE_PERP, 1);
    d.inventory_limit = 0.05; /* 100 k USD = 1,000 lots at 1e6 */
    d.hedge_share = 0.5;
    d.hedge_band = 0.1;       /* 100 lots left unhedged */
    d.hedge_slippage_bps = 20.0;
    Mock *m = mock_with(&d);
    SimTime t = t0();
    AccountId a = maker_agent_account(m->pop, 0), h = maker_agent_hedge_account(m->pop, 0);
    CHECK(h != ACCOUNT_NONE);
    /* 2 M USD: 1 M on the perp (1e10 quote units), 0.5 M cash + 0.5 M of asset (5,000 lots at 1e6) on spot */
    CHECK_EQ(ledger_cash(perp_ledger(m->perp), a), INT64_C(10000000000));
    CHECK_EQ(spot_cash(m->spot, h), INT64_C(5000000000));
    CHECK_EQ(spot_asset(m->spot, h), 5000);
    wake_at(m, 0, t);
    for (uint32_t i = 0; i < m->nact; i++) CHECK_EQ(m->act[i].v, VENUE_PERP); /* flat: nothing to hedge */
    mock_deliver(m);
    VenueResult r;
    CHECK_EQ(spot_submit(m->spot, m->cp_spot, &(VenueReq){ORDER_LIMIT, SIDE_BUY, 999000, 1000, 0, 0, 0}, &r),
             STATUS_OK);
    VenueReq sell = {ORDER_MARKET, SIDE_SELL, 0, 800, 0, 0, STOP_TRIGGER_LAST};
    CHECK_EQ(perp_submit(m->perp, m->env.now, m->cp_perp, &sell, &r), STATUS_OK);
    CHECK_EQ(ledger_qty(perp_ledger(m->perp), a), 800);
    /* long 800 > band 100: one IOC sells 800 on spot, limited 20 bps under the bid: ceil(999000 x 0.998) = 997002 */
    uint32_t from = m->nact;
    wake_at(m, 0, t + SEC);
    uint32_t hedges = 0;
    for (uint32_t i = from; i < m->nact; i++) {
        const MockAct *x = &m->act[i];
        if (x->v != VENUE_SPOT) continue;
        hedges++;
        CHECK_EQ(x->kind, MOCK_SUBMIT);
        CHECK_EQ(x->a, h);
        CHECK_EQ(x->req.type, ORDER_IOC);
        CHECK_EQ(x->req.side, SIDE_SELL);
        CHECK_EQ(x->req.qty, 800);
        CHECK_EQ(x->req.price_tk, 997002);
    }
    CHECK_EQ(hedges, 1);
    mock_deliver(m);
    CHECK_EQ(spot_asset(m->spot, h), 4200);
    CHECK_EQ(maker_stats(m->pop).hedge_orders, 1);
    CHECK_EQ(maker_stats(m->pop).hedge_volume, 800);
    CHECK_EQ(maker_agent_inventory(m->pop, 0), 800); /* the perp inventory: hedge fills are not quote fills */
    /* hedged: the next wakes send nothing to spot */
    from = m->nact;
    wake_at(m, 0, t + 2 * SEC);
    for (uint32_t i = from; i < m->nact; i++) CHECK_EQ(m->act[i].v, VENUE_PERP);
    mock_deliver(m);
    check_venues(m);
    mock_free(m);

    /* without hedge_share there is no spot account */
    MakerDef plain = mdef(VENUE_PERP, 1);
    m = mock_with(&plain);
    CHECK_EQ(maker_agent_hedge_account(m->pop, 0), ACCOUNT_NONE);
    mock_free(m);
}

static void agents_maker_margin_sizes_down(void)
{
    MakerDef d = mdef(VENUE_PERP, 1);
    /* 20 k USD of capital: 2e8 quote x 0.8 x 5 = 8e8 of buying power per side; limit 0.5 x 20 k = 10 k USD */
    d.capital_usd = dist_const(20e3);
    d.inventory_limit = 100;
    Mock *m = mock_with(&d);
    SimTime t = t0();
    wake_at(m, 0, t);
    /* bids: 500 lots (499,900,000), then 300,100,000 / 999400 = 300.28 -> 300 lots (299,820,000); room 280,000 is
     * less than a lot: stop. Asks: 499 (499,099,800), then 300,900,200 / 1000600 -> 300; room 720,200: stop */
    CHECK_EQ(mock_count(m, 0, MOCK_SUBMIT), 4);
    CHECK_EQ(m->act[1].req.qty, 500);
    CHECK_EQ(m->act[2].req.qty, 300);
    mock_deliver(m);
    MakerStats st = maker_stats(m->pop);
    CHECK_EQ(st.rejects, 0); /* the venue took them all */
    CHECK_EQ(st.orders, 4);
    /* a rejection (post-only that would cross) is only counted */
    VenueResult r = {0};
    maker_ops.on_submitted(m->pop, &m->env, 0, VENUE_PERP, 0, STATUS_REJECTED, &r);
    CHECK_EQ(maker_stats(m->pop).rejects, 1);
    check_venues(m);
    mock_free(m);
}

static void agents_maker_liquidated(void)
{
    MakerDef d = mdef(VENUE_PERP, 2);
    Mock *m = mock_with(&d);
    SimTime t = t0();
    wake_at(m, 1, t);
    mock_deliver(m);
    PerpLiqRecord rec = {0};
    rec.account = maker_agent_account(m->pop, 1);
    maker_ops.on_liquidated(m->pop, &m->env, 1, &rec);
    CHECK_EQ(maker_agent_state(m->pop, 1), MAKER_DEAD);
    uint32_t wakes = m->wakes[1], from = m->nact;
    wake_at(m, 1, t + SEC);
    CHECK_EQ(m->wakes[1], wakes); /* no more wake-ups */
    CHECK_EQ(m->nact, from);
    MakerStats st = maker_stats(m->pop);
    CHECK_EQ(st.liquidations, 1);
    CHECK_EQ(st.by_state[MAKER_DEAD], 1);
    CHECK_EQ(st.by_state[MAKER_QUOTING], 1);
    mock_free(m);
}

static void agents_maker_spot(void)
{
    MakerDef d = mdef(VENUE_SPOT, 1);
    d.capital_usd = dist_const(1e6);
    d.half_spread_bps = dist_const(3.0);
    Mock *m = mock_with(&d);
    SimTime t = t0();
    AccountId a = maker_agent_account(m->pop, 0);
    /* half cash (5e9 quote units), half asset at the index: 5e9 / 1e6 = 5000 lots */
    CHECK_EQ(spot_cash(m->spot, a), INT64_C(5000000000));
    CHECK_EQ(spot_asset(m->spot, a), 5000);
    /* an empty book: the reference falls back to the index. half = 3 bps: bid0 = 999700, ask0 = 1000300 */
    wake_at(m, 0, t);
    CHECK_EQ(m->act[1].req.price_tk, 999700);
    CHECK_EQ(m->act[1].req.side, SIDE_BUY);
    mock_deliver(m);
    check_venues(m);
    CHECK_EQ(spot_order_count(m->spot, a), 10);
    /* the micro-price: the counterparty's bid 999,000 x 100 and ask 1,001,000 x 300 alone in the book ->
     * (999000 x 300 + 1001000 x 100) / 400 = 999,500; bid0 = floor(999500 x 0.9997) = floor(999200.15) = 999200,
     * ask0 = ceil(999500 x 1.0003) = ceil(999799.85) = 999800 */
    CHECK_EQ(spot_cancel_all(m->spot, a), 10);
    VenueResult r;
    CHECK_EQ(spot_submit(m->spot, m->cp_spot, &(VenueReq){ORDER_LIMIT, SIDE_BUY, 999000, 100, 0, 0, 0}, &r),
             STATUS_OK);
    CHECK_EQ(spot_submit(m->spot, m->cp_spot, &(VenueReq){ORDER_LIMIT, SIDE_SELL, 1001000, 300, 0, 0, 0}, &r),
             STATUS_OK);
    uint32_t from = m->nact;
    m->feed.halted = true; /* a perp halt does not concern spot makers */
    wake_at(m, 0, t + SEC);
    CHECK_EQ(m->act[from + 1].req.side, SIDE_BUY);
    CHECK_EQ(m->act[from + 1].req.price_tk, 999200);
    CHECK_EQ(m->act[from + 6].req.side, SIDE_SELL);
    CHECK_EQ(m->act[from + 6].req.price_tk, 999800);
    mock_deliver(m);
    CHECK_EQ(spot_order_count(m->spot, a), 10);
    /* buy 600 lots at market from it: inventory +... the maker sold, so it is short 600 against its start */
    CHECK_EQ(spot_submit(m->spot, m->cp_spot, &(VenueReq){ORDER_MARKET, SIDE_BUY, 0, 600, 0, 0, 0}, &r), STATUS_OK);
    CHECK_EQ(spot_asset(m->spot, a), 4400);
    CHECK_EQ(maker_agent_inventory(m->pop, 0), -600);
    check_venues(m);
    mock_free(m);
}

/* ---- (c) a small world ---------------------------------------------------------------------------------------- */

typedef struct WorldWatch {
    uint32_t seconds;
    uint32_t perp_quoting[900];   /* perp maker accounts with orders, per second */
    Ticks bid[900], ask[900];     /* perp book */
    Ticks spot_bid[900], spot_ask[900];
    double vol[900];
} WorldWatch;

static uint32_t perp_makers_quoting(const World *w)
{
    const PerpVenue *p = world_perp(w);
    uint32_t n = 0, count = ledger_account_count(perp_ledger(p));
    for (AccountId a = 0; a < count; a++) {
        uint32_t agent;
        if (world_perp_owner(w, a, &agent) == POP_MAKERS && perp_order_count(p, a) > 0) n++;
    }
    return n;
}

static void watch_second(void *ctx, const World *w)
{
    WorldWatch *o = ctx;
    if (o->seconds >= 900) return;
    uint32_t i = o->seconds++;
    o->perp_quoting[i] = perp_makers_quoting(w);
    o->bid[i] = book_best_bid(perp_book(world_perp(w)));
    o->ask[i] = book_best_ask(perp_book(world_perp(w)));
    o->spot_bid[i] = book_best_bid(spot_book(world_spot(w)));
    o->spot_ask[i] = book_best_ask(spot_book(world_spot(w)));
    o->vol[i] = world_feed(w)->vol_1m;
}

/* Makers only (plus a few noise traders when that population exists), short run. */
static WorldDef small_world(SimDuration duration)
{
    WorldDef d = world_default_def();
    d.run.duration = duration;
    d.run.progress = false;
    d.retail.count = 0;
    d.arbitrageurs.count = 0;
    d.liquidation_bots.count = 0;
    d.value.count = 0;
    d.makers = maker_default_def();
    d.spot_makers = maker_default_spot_def();
    d.noise.count = d.noise.count > 5 ? 5 : d.noise.count;
    d.spot_noise.count = d.spot_noise.count > 5 ? 5 : d.spot_noise.count;
    d.fundamental.jumps_per_day = 0;
    return d;
}

static World *run_world(const WorldDef *d, WorldWatch *watch)
{
    World *w = NULL;
    char why[256] = "";
    Status s = world_create(d, &w, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nworld_create: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    if (!w) return NULL;
    world_set_observer(w, &(WorldObserver){watch, NULL, NULL, NULL, watch_second});
    CHECK_EQ(world_run(w), STATUS_OK);
    s = world_check(w, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nworld_check: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    return w;
}

static void agents_maker_world_quotes(void)
{
    WorldDef d = small_world(3 * SIMTIME_NS_PER_MIN);
    WorldWatch *o = mem_calloc(1, sizeof *o);
    World *w = run_world(&d, o);
    if (!w) {
        mem_free(o);
        return;
    }
    /* from the 5th second on, all 8 perp makers quote and both books are two-sided; the perp spread is twice the
     * tightest maker's half-spread (1.5..4 bps), rounded out, give or take the makers' inventory skews: at 600,000
     * ticks 3 bps = 180 ticks, 8 bps = 480. Spot: 4 makers at 2..5 bps. */
    CHECK_GE(o->seconds, 170);
    double sum = 0, ssum = 0;
    uint32_t n = 0;
    for (uint32_t i = 5; i < o->seconds; i++, n++) {
        CHECK_EQ(o->perp_quoting[i], 8);
        CHECK(o->bid[i] > 0 && o->ask[i] > o->bid[i]);
        CHECK(o->spot_bid[i] > 0 && o->spot_ask[i] > o->spot_bid[i]);
        double mid = 0.5 * (double)(o->bid[i] + o->ask[i]);
        double spread_bps = (double)(o->ask[i] - o->bid[i]) / mid * 1e4;
        double sspread = (double)(o->spot_ask[i] - o->spot_bid[i]) / mid * 1e4;
        CHECK(spread_bps <= 12 && sspread <= 15);
        sum += spread_bps;
        ssum += sspread;
    }
    CHECK(n > 0);
    if (n > 0) {
        CHECK(sum / n >= 2.5 && sum / n <= 8.5);
        CHECK(ssum / n >= 3.5 && ssum / n <= 10.5);
    }
    /* depth within +-1 % of mid: 8 makers x sum of 1.5^i (13.19) x 30-70 k USD: at least 3 M USD a side
     * (quote units: 3e6 x 1e4) */
    const Book *b = perp_book(world_perp(w));
    Ticks mid = (book_best_bid(b) + book_best_ask(b)) / 2;
    BookDepth db = book_depth(b, SIDE_BUY, mid, 100), da = book_depth(b, SIDE_SELL, mid, 100);
    CHECK_GE(db.notional, INT64_C(30000000000));
    CHECK_GE(da.notional, INT64_C(30000000000));
    CHECK_GE(db.levels, 20); /* 8 x 5 maker levels (some shared) plus the noise traders' orders */
    /* the price did not wander: within 0.5 % of the start (600,000 ticks) */
    CHECK(llabs(mid - 600000) < 3000);
    world_destroy(w);
    mem_free(o);
}

static void agents_maker_world_vol_withdrawal(void)
{
    /* a volatility burst: the index reads 2 % low for 5 s (an oracle glitch), the mark drops 2 % and comes back,
     * vol_1m jumps to ~37 bps, above every maker's threshold (6-15 bps): every perp maker pulls its quotes. They come
     * back when the 30-s cooldown has run, with their withdrawal gate raised above the volatility they find. */
    WorldDef d = small_world(5 * SIMTIME_NS_PER_MIN);
    d.shock_count = 1;
    d.shocks[0] = (ShockDef){SHOCK_INDEX_GLITCH, 60 * SEC, VENUE_PERP, 0, 5 * SEC, 0, -2.0, 0};
    WorldWatch *o = mem_calloc(1, sizeof *o);
    World *w = run_world(&d, o);
    if (!w) {
        mem_free(o);
        return;
    }
    CHECK_EQ(o->perp_quoting[59], 8);
    double peak = 0;
    uint32_t out_at = 0, back_at = 0, calm_at = 0;
    for (uint32_t i = 60; i < o->seconds; i++) {
        if (o->vol[i] > peak) peak = o->vol[i];
        if (!out_at && o->perp_quoting[i] == 0) out_at = i;
        if (out_at && !calm_at && o->vol[i] < 6e-4) calm_at = i;
        if (out_at && !back_at && o->perp_quoting[i] == 8) back_at = i;
    }
    CHECK(peak > 15e-4);
    CHECK_GT(out_at, 0);
    CHECK_LE(out_at, 64);
    CHECK_GT(calm_at, 0);
    /* back when the 30-s cooldown has run, give or take a refresh, although volatility is still above their
     * thresholds (calm_at comes later): each returns with its gate raised to 1.5 x the volatility it found, so
     * the decaying volatility does not push it out again */
    CHECK_GE(back_at, out_at + 28);
    CHECK_LE(back_at, out_at + 40);
    CHECK_GT(calm_at, back_at);
    for (uint32_t i = back_at; i < o->seconds; i++) CHECK_EQ(o->perp_quoting[i], 8);
    /* once back, the book is two-sided again */
    CHECK(o->bid[o->seconds - 1] > 0 && o->ask[o->seconds - 1] > o->bid[o->seconds - 1]);
    world_destroy(w);
    mem_free(o);
}

static void agents_maker_world_adverse_sweep(void)
{
    /* a perp sale of 8 M USD in one go sweeps the makers' bids: the makers it hits withdraw on adverse fills and
     * return after the cooldown */
    WorldDef d = small_world(3 * SIMTIME_NS_PER_MIN);
    d.shock_count = 1;
    d.shocks[0] = (ShockDef){SHOCK_SELL, 30 * SEC, VENUE_PERP, 8e6, 0, 1, 0, 0};
    d.makers.adverse_inventory = 0.3; /* >= 300 k USD of the 2 M+ capital; every maker's bid side is larger */
    WorldWatch *o = mem_calloc(1, sizeof *o);
    World *w = run_world(&d, o);
    if (!w) {
        mem_free(o);
        return;
    }
    CHECK_EQ(o->perp_quoting[29], 8);
    uint32_t low = 8;
    for (uint32_t i = 31; i < 40; i++) low = o->perp_quoting[i] < low ? o->perp_quoting[i] : low;
    CHECK_LE(low, 4);
    CHECK_EQ(o->perp_quoting[o->seconds - 1], 8);
    world_destroy(w);
    mem_free(o);
}

void suite_agents_maker(void)
{
    static const TestCase cases[] = {
        TEST_CASE(agents_maker_config_defaults),
        TEST_CASE(agents_maker_quotes_calm),
        TEST_CASE(agents_maker_quotes_skew),
        TEST_CASE(agents_maker_quotes_skew_cap_and_limit),
        TEST_CASE(agents_maker_quotes_ticks_and_book),
        TEST_CASE(agents_maker_quotes_budget),
        TEST_CASE(agents_maker_create_and_refresh),
        TEST_CASE(agents_maker_withdraw_vol_and_cooldown),
        TEST_CASE(agents_maker_outage_and_halt),
        TEST_CASE(agents_maker_adverse_inventory),
        TEST_CASE(agents_maker_adverse_loss),
        TEST_CASE(agents_maker_inventory_limit),
        TEST_CASE(agents_maker_hedges_on_spot),
        TEST_CASE(agents_maker_margin_sizes_down),
        TEST_CASE(agents_maker_liquidated),
        TEST_CASE(agents_maker_spot),
        TEST_CASE(agents_maker_world_quotes),
        TEST_CASE(agents_maker_world_vol_withdrawal),
        TEST_CASE(agents_maker_world_adverse_sweep),
    };
    test_add_suite("agents_maker", cases, TEST_COUNT(cases));
}
