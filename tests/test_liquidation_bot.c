/* agents/liquidation_bot: the pure rules with hand-computed numbers, each bot type against a real perp venue through
 * a scripted environment (orders recorded, then executed by the test; backstop offers come from the venue's own
 * engine), and small worlds in LIQ_MODE_BACKSTOP.
 *
 * Units as in the world's defaults: 0.1 USD ticks, 0.001 BTC lots, 1 quote unit = 0.0001 USD
 * (quote_per_usd = 10,000), 60,000 USD = 600,000 ticks. */
#include "test_suites.h"
#include "test_util.h"
#include "test_config_util.h"

#include "alloc.h"
#include "config_agents.h"
#include "liquidation_bot.h"
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

/* ---- pure rules ---- */

static void agents_liquidation_bot_type_mix(void)
{
    LiqBotDef d = liquidation_bot_default_def();
    uint32_t n[LIQBOT_TYPE_COUNT_];
    /* 6 x (0.4, 0.4, 0.2) = 2.4, 2.4, 1.2 -> 2, 2, 1 and the one left to the first largest remainder (0.4). */
    liqbot_type_counts(&d, n);
    CHECK_EQ(n[LIQBOT_BACKSTOP], 3);
    CHECK_EQ(n[LIQBOT_DISCOUNT], 2);
    CHECK_EQ(n[LIQBOT_HUNTER], 1);
    d.count = 10;
    liqbot_type_counts(&d, n);
    CHECK_EQ(n[0], 4);
    CHECK_EQ(n[1], 4);
    CHECK_EQ(n[2], 2);
    /* Shares are normalised: (1, 1, 2) of 3 -> 0.75, 0.75, 1.5 -> 0, 0, 1 + remainders 0.75, 0.75, 0.5 -> 1, 1, 1. */
    d.count = 3;
    d.share_backstop = 1;
    d.share_discount = 1;
    d.share_hunter = 2;
    liqbot_type_counts(&d, n);
    CHECK_EQ(n[0], 1);
    CHECK_EQ(n[1], 1);
    CHECK_EQ(n[2], 1);
    d.share_backstop = d.share_discount = 0;
    liqbot_type_counts(&d, n);
    CHECK_EQ(n[2], 3);
    CHECK_EQ(n[0] + n[1], 0);
}

static void agents_liquidation_bot_backstop_pricing(void)
{
    /* Taking over a liquidated long of 1,000 lots at mark 600,000 with a 50 bps discount: 600,000 x 0.995 = 597,000.
     * Margin room: free 1e9 / ceil(600,000 / 5) = 120,000 -> 8,333 lots. Exposure room: 800 - position. */
    PerpBackstopOffer o = {0, SIDE_BUY, 1000, 570000, 600000};
    Ticks px = 0;
    CHECK_EQ(liqbot_backstop_bid(&o, 50.0, 0, 800, 1000000000, 5, &px), 800);
    CHECK_EQ(px, 597000);
    CHECK_EQ(liqbot_backstop_bid(&o, 50.0, 300, 800, 1000000000, 5, &px), 500);   /* already long 300 */
    CHECK_EQ(liqbot_backstop_bid(&o, 50.0, -300, 800, 1000000000, 5, &px), 1000); /* a short makes room */
    /* The margin binds: 60,000,000 / 120,000 = 500. */
    CHECK_EQ(liqbot_backstop_bid(&o, 50.0, 0, 800, 60000000, 5, &px), 500);
    CHECK_EQ(liqbot_backstop_bid(&o, 50.0, 0, 800, 0, 5, &px), 0);
    /* Full: nothing. */
    CHECK_EQ(liqbot_backstop_bid(&o, 50.0, 800, 800, 1000000000, 5, &px), 0);
    /* Taking over a short: above the mark, 600,000 x 1.005 = 603,000; room = 800 + position. */
    o.side = SIDE_SELL;
    CHECK_EQ(liqbot_backstop_bid(&o, 50.0, 300, 800, 1000000000, 5, &px), 1000);
    CHECK_EQ(px, 603000);
    CHECK_EQ(liqbot_backstop_bid(&o, 50.0, -300, 800, 1000000000, 5, &px), 500);
}

static void agents_liquidation_bot_discount_trigger(void)
{
    MarketFeed f;
    memset(&f, 0, sizeof f);
    double trig = 2.5e9, backlog = 2.5e9; /* 250,000 USD in quote units */
    CHECK_EQ(liqbot_discount_trigger(&f, trig, backlog), -1);
    f.liq_notional_60s[0] = 2.4e9;
    CHECK_EQ(liqbot_discount_trigger(&f, trig, backlog), -1);
    f.liq_notional_60s[0] = 2.5e9; /* longs liquidated: bid for them */
    CHECK_EQ(liqbot_discount_trigger(&f, trig, backlog), SIDE_BUY);
    f.liq_notional_60s[1] = 3e9;   /* more shorts than longs: offer to them */
    CHECK_EQ(liqbot_discount_trigger(&f, trig, backlog), SIDE_SELL);
    /* Below the feed trigger but a backlog: the 1-minute return picks the side. */
    f.liq_notional_60s[0] = 1e9;
    f.liq_notional_60s[1] = 0;
    f.backlog_notional = 3000000000;
    f.perp_mark = 600000;
    f.mark_then[0] = 600600; /* -0.1 % over the minute */
    CHECK_EQ(liqbot_discount_trigger(&f, trig, backlog), SIDE_BUY);
    f.mark_then[0] = 599400;
    CHECK_EQ(liqbot_discount_trigger(&f, trig, backlog), SIDE_SELL);
    f.backlog_notional = 2000000000;
    CHECK_EQ(liqbot_discount_trigger(&f, trig, backlog), -1);
    /* Triggers set to 0 are off. */
    f.liq_notional_60s[0] = 1e12;
    CHECK_EQ(liqbot_discount_trigger(&f, 0, 0), -1);
}

static void agents_liquidation_bot_cluster_estimate(void)
{
    /* Crowd leverage 20, mmr 0.5 %: long liquidation = entry x 0.955, short = entry x 1.045.
     * EMAs 600,000 602,000 605,000 610,000 650,000, mark 598,000:
     *   longs  573,000 574,910 577,775 582,550 (620,750 is above the mark: not a long liquidation level)
     *   nearest below the mark 582,550; band 1 % -> [576,724.5, 582,550]: 582,550 and 577,775,
     *   cluster (582,550 + 577,775) / 2 = 580,162.5, density 2/5. */
    double ema[FEED_HORIZONS] = {600000, 602000, 605000, 610000, 650000};
    LiqCluster c;
    CHECK(liqbot_cluster(ema, 598000, 20, 0.005, 1.0, SIDE_BUY, &c));
    CHECK_EQ(c.members, 2);
    CHECK_NEAR(c.price, 580162.5, 1e-6);
    CHECK_NEAR(c.density, 0.4, 1e-12);
    /* Band 2 % -> [570,899, 582,550]: all four, (573,000 + 574,910 + 577,775 + 582,550) / 4 = 577,058.75. */
    CHECK(liqbot_cluster(ema, 598000, 20, 0.005, 2.0, SIDE_BUY, &c));
    CHECK_EQ(c.members, 4);
    CHECK_NEAR(c.price, 577058.75, 1e-6);
    CHECK_NEAR(c.density, 0.8, 1e-12);
    /* Shorts: 627,000 629,090 632,225 637,450 679,250; nearest above 627,000; band 1 % -> [627,000, 633,270]:
     * three members, 1,888,315 / 3 = 629,438.33. */
    CHECK(liqbot_cluster(ema, 598000, 20, 0.005, 1.0, SIDE_SELL, &c));
    CHECK_EQ(c.members, 3);
    CHECK_NEAR(c.price, 1888315.0 / 3.0, 1e-6);
    /* Nothing below a mark under every estimate. */
    CHECK(!liqbot_cluster(ema, 500000, 20, 0.005, 1.0, SIDE_BUY, &c));
}

static void agents_liquidation_bot_hunt_rule(void)
{
    /* After a drop to 590,000 from ~600,000: longs 565,360 571,090 573,000 573,955 573,000; nearest 573,955, band
     * 1 % -> [568,215.45, 573,955]: four members (density 0.8), cluster 2,291,045 / 4 = 572,761.25, distance
     * (590,000 - 572,761.25) / 590,000 = 2.92 % <= 3 %. Shorts: nearest 618,640 alone (density 0.2): no.
     * Open interest 1,000 lots >= 1.0 x its average 900, notional 1e10 >= 1e9. */
    LiqHuntRule r = {20.0, 0.005, 1.0, 0.6, 3.0, 1.0, 1e9};
    double ema[FEED_HORIZONS] = {592000, 598000, 600000, 601000, 600000};
    LiqCluster c;
    CHECK_EQ(liqbot_hunt(&r, ema, 590000, 1000, 900, 1e10, &c), 1);
    CHECK_NEAR(c.price, 572761.25, 1e-6);
    CHECK_EQ(c.members, 4);
    /* Open interest below its average, or too small: no hunt. */
    CHECK_EQ(liqbot_hunt(&r, ema, 590000, 800, 900, 1e10, &c), 0);
    CHECK_EQ(liqbot_hunt(&r, ema, 590000, 1000, 900, 1e8, &c), 0);
    /* Mark back at 600,000: the cluster is (600,000 - 572,761.25) / 600,000 = 4.54 % away: no hunt. */
    CHECK_EQ(liqbot_hunt(&r, ema, 600000, 1000, 900, 1e10, &c), 0);
    /* A hunter assuming 10x sees the longs at entry x 0.905 = 535,760 ... 543,905: 7.8 % away, no hunt. */
    r.leverage = 10.0;
    CHECK_EQ(liqbot_hunt(&r, ema, 590000, 1000, 900, 1e10, &c), 0);
    /* Density required 0.9: the four-member cluster (0.8) is not dense enough. */
    r.leverage = 20.0;
    r.min_density = 0.9;
    CHECK_EQ(liqbot_hunt(&r, ema, 590000, 1000, 900, 1e10, &c), 0);
    /* Mirror image after a rise: shorts of entries at 600,000 liquidate near 627,000; the mark at 610,000 is
     * (627,000 - 610,000) / 610,000 = 2.79 % below that cluster (every estimate is 627,000: density 1). */
    r.min_density = 0.6;
    double flat[FEED_HORIZONS] = {600000, 600000, 600000, 600000, 600000};
    CHECK_EQ(liqbot_hunt(&r, flat, 610000, 1000, 900, 1e10, &c), -1);
    CHECK_NEAR(c.price, 627000.0, 1e-6);
    CHECK_NEAR(c.density, 1.0, 1e-12);
}

static void agents_liquidation_bot_defaults_match_schema(void)
{
    LiqBotDef b = liquidation_bot_default_def();
    test_check_schema_defaults(&cfg_liquidation_bot_schema, &b);
    CfgError err;
    b.share_backstop = b.share_discount = b.share_hunter = 0;
    CHECK_EQ(cfg_validate(&cfg_liquidation_bot_schema, &b, &err), STATUS_RANGE);
}

/* ---- a scripted environment: a real perp venue, orders recorded and executed by the test ---- */

typedef struct Sub {
    uint32_t agent;
    AccountId a;
    VenueReq req;
} Sub;

typedef struct Mini Mini;
typedef struct BackstopCtx {
    Mini *m;
    uint32_t agent;
} BackstopCtx;

struct Mini {
    PerpVenue *perp;
    MarketFeed feed;
    AgentEnv env;
    Sub sub[64];
    uint32_t nsub;
    uint32_t cancel_alls;
    BackstopCtx bs[8];
    uint32_t nbs;
    void *pop;
    AccountId mm;
};

static Status mini_submit(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, const VenueReq *req,
                          SimDuration latency)
{
    (void)pop;
    (void)latency;
    Mini *m = world;
    CHECK_EQ(v, VENUE_PERP);
    CHECK(m->nsub < 64);
    if (m->nsub >= 64) return STATUS_FULL;
    m->sub[m->nsub++] = (Sub){agent, a, *req};
    return STATUS_OK;
}
static Status mini_cancel(void *w, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, OrderRef r, SimDuration l)
{
    (void)w, (void)pop, (void)agent, (void)v, (void)a, (void)r, (void)l;
    return STATUS_OK;
}
static Status mini_cancel_all(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, SimDuration l)
{
    (void)pop, (void)agent, (void)v, (void)l;
    Mini *m = world;
    m->cancel_alls++;
    (void)perp_cancel_all(m->perp, m->env.now, a);
    return STATUS_OK;
}
static Status mini_add_margin(void *world, AccountId a, Quote amount)
{
    Mini *m = world;
    return perp_add_margin(m->perp, m->env.now, a, amount);
}
static void mini_wake_at(void *world, uint32_t pop, uint32_t agent, SimTime t)
{
    (void)world, (void)pop, (void)agent, (void)t;
}
static Status mini_open_account(void *world, uint32_t pop, uint32_t agent, VenueKind v, MarginMode mode,
                                int32_t leverage, Quote cash, Lots asset, AccountId *out)
{
    (void)pop, (void)agent;
    Mini *m = world;
    CHECK_EQ(v, VENUE_PERP);
    return world_venue_open_account(m->perp, NULL, v, mode, leverage, cash, asset, out);
}
static Lots mini_offer(void *ctx, const PerpBackstopOffer *o, Ticks *price)
{
    BackstopCtx *b = ctx;
    return liquidation_bot_ops.backstop_offer(b->m->pop, &b->m->env, b->agent, o, price);
}
static Status mini_add_backstop(void *world, uint32_t pop, uint32_t agent, AccountId a)
{
    (void)pop;
    Mini *m = world;
    CHECK(m->nbs < 8);
    if (m->nbs >= 8) return STATUS_FULL;
    m->bs[m->nbs] = (BackstopCtx){m, agent};
    Status s = perp_add_backstop(m->perp, a, &(PerpBackstop){&m->bs[m->nbs], mini_offer});
    if (s == STATUS_OK) m->nbs++;
    return s;
}

/* Perp venue with fees 0 (liquidation fee too) and mark = index, in LIQ_MODE_BACKSTOP; a deep market maker. */
static void mini_init(Mini *m)
{
    memset(m, 0, sizeof *m);
    SimTime t = t0();
    PerpDef pd = perp_default_def();
    pd.book.initial_center_tk = 600000;
    pd.mark.method = MARK_INDEX;
    pd.start = t;
    pd.maker_fee_bps = 0;
    pd.taker_fee_bps = 0;
    pd.liq.fee_bps = 0;
    pd.liq.mode = LIQ_MODE_BACKSTOP;
    CHECK_EQ(perp_create(&pd, &m->perp), STATUS_OK);
    perp_set_index(m->perp, 600000);
    perp_advance(m->perp, t);
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
                        NULL,
                        NULL,
                        10000.0,
                        0.1,
                        0.001,
                        0.0,
                        0.0,
                        0, 0, 0.0}; /* no hour cache: profile_factor per wake */
    CHECK_EQ(mini_open_account(m, 0, 0, VENUE_PERP, MARGIN_MODE_CROSS, 10, INT64_C(10000000000000), 0, &m->mm),
             STATUS_OK);
}

static void mini_fini(Mini *m)
{
    char why[200] = "";
    Status s = perp_check(m->perp, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nperp_check: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    if (m->pop) liquidation_bot_ops.destroy(m->pop);
    perp_destroy(m->perp);
}

/* Moves the index (and with it the mark) and the clock. */
static void mini_move(Mini *m, Ticks index, SimDuration dt)
{
    m->env.now += dt;
    perp_set_index(m->perp, index);
    perp_advance(m->perp, m->env.now);
    m->feed.time = m->env.now;
    m->feed.index = index;
    m->feed.perp_mark = perp_mark(m->perp);
}

static void mini_limit(Mini *m, AccountId a, Side side, Ticks px, Lots q)
{
    VenueReq r = {ORDER_LIMIT, side, px, q, 0, 0, STOP_TRIGGER_LAST};
    CHECK_EQ(perp_submit(m->perp, m->env.now, a, &r, NULL), STATUS_OK);
}

static Lots mini_run(Mini *m, uint32_t k)
{
    Sub *s = &m->sub[k];
    VenueResult r = {0};
    Status st = perp_submit(m->perp, m->env.now, s->a, &s->req, &r);
    liquidation_bot_ops.on_submitted(m->pop, &m->env, s->agent, VENUE_PERP, s->req.tag, st, &r);
    return r.filled;
}

static LiqBotDef one_bot(LiqBotType type)
{
    LiqBotDef d = liquidation_bot_default_def();
    d.count = 1;
    d.share_backstop = type == LIQBOT_BACKSTOP;
    d.share_discount = type == LIQBOT_DISCOUNT;
    d.share_hunter = type == LIQBOT_HUNTER;
    d.capital_usd = dist_const(1e6);
    d.backstop_discount_bps = dist_const(50.0);
    d.discount_bps = dist_const(100.0);
    d.typical_leverage = dist_const(20.0);
    return d;
}

static void agents_liquidation_bot_backstop_takes_and_unwinds(void)
{
    Mini m;
    mini_init(&m);
    LiqBotDef d = one_bot(LIQBOT_BACKSTOP);
    CHECK_EQ(liquidation_bot_create(&d, &m.env, POP_LIQUIDATION_BOTS, rng_stream(1, 5), &m.pop), STATUS_OK);
    CHECK_EQ(m.nbs, 1); /* registered as a backstop taker */
    AccountId bot = 1;
    CHECK_EQ(ledger_cash(perp_ledger(m.perp), bot), INT64_C(10000000000)); /* 1e6 USD */
    /* A 20x isolated long of 100 lots at 600,000 with 3,000,000 of margin: bankruptcy price
     * (60,000,000 - 3,000,000) / 100 = 570,000; the liquidation price is above it (maintenance). */
    AccountId victim;
    CHECK_EQ(perp_add_account(m.perp, MARGIN_MODE_ISOLATED, 20, &victim), STATUS_OK);
    CHECK_EQ(perp_deposit(m.perp, victim, 3000000), STATUS_OK);
    mini_limit(&m, m.mm, SIDE_SELL, 600000, 100);
    mini_limit(&m, victim, SIDE_BUY, 600000, 100);
    CHECK_EQ(ledger_qty(perp_ledger(m.perp), victim), 100);
    CHECK_EQ(ledger_bankruptcy_price(perp_ledger(m.perp), victim), 570000);
    /* The mark falls to 571,000: liquidated; the engine offers the 100 lots to the bot, whose room is
     * min(2 x 1e10 / 571,000 = 35,026, 1e10 / 114,200 = 87,565) lots: it takes all 100 at the bankruptcy price. */
    mini_move(&m, 571000, 2 * SEC);
    uint32_t n = 0;
    const PerpLiqRecord *rec = perp_liq_records(m.perp, &n);
    CHECK_EQ(n, 1);
    if (n == 1) {
        CHECK_EQ(rec[0].backstop_qty, 100);
        CHECK_EQ(rec[0].book_qty, 0);
    }
    CHECK_EQ(ledger_qty(perp_ledger(m.perp), bot), 100);
    CHECK_EQ(ledger_entry_cost(perp_ledger(m.perp), bot), INT64_C(57000000));
    /* Mark 571,000: (571,000 - 570,000) / 570,000 = 17.5 bps < take-profit 30: keep. */
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 0);
    /* Mark 572,000: 35.1 bps >= 30: sell ceil(100 x 0.25) = 25 lots reduce-only, limit 571,900 x 0.999 =
     * 571,328.1 -> 571,328 through the best bid. */
    mini_limit(&m, m.mm, SIDE_BUY, 571900, 1000);
    mini_move(&m, 572000, SEC);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 1);
    CHECK_EQ(m.sub[0].req.side, SIDE_SELL);
    CHECK_EQ(m.sub[0].req.type, ORDER_IOC);
    CHECK_EQ(m.sub[0].req.qty, 25);
    CHECK_EQ(m.sub[0].req.price_tk, 571328);
    CHECK(m.sub[0].req.flags & ORDER_FLAG_REDUCE_ONLY);
    CHECK_EQ(mini_run(&m, 0), 25);
    CHECK_EQ(ledger_qty(perp_ledger(m.perp), bot), 75);
    /* Back at 571,000 the profit is gone, but after max_hold (30 min) the rest goes anyway: ceil(75 / 4) = 19. */
    mini_move(&m, 571000, SEC);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 1);
    mini_move(&m, 571000, 30 * MIN);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    CHECK_EQ(m.sub[1].req.qty, 19);
    mini_fini(&m);
}

static void agents_liquidation_bot_backstop_capacity_binds(void)
{
    Mini m;
    mini_init(&m);
    LiqBotDef d = one_bot(LIQBOT_BACKSTOP);
    d.capital_usd = dist_const(3000.0); /* 3e7 quote: room min(2 x 3e7 / 571,000 = 105, 3e7 / 114,200 = 262) */
    CHECK_EQ(liquidation_bot_create(&d, &m.env, POP_LIQUIDATION_BOTS, rng_stream(1, 5), &m.pop), STATUS_OK);
    AccountId victim;
    CHECK_EQ(perp_add_account(m.perp, MARGIN_MODE_ISOLATED, 20, &victim), STATUS_OK);
    CHECK_EQ(perp_deposit(m.perp, victim, 6000000), STATUS_OK);
    mini_limit(&m, m.mm, SIDE_SELL, 600000, 200);
    mini_limit(&m, victim, SIDE_BUY, 600000, 200);
    /* The bot answers 105 of the 200 lots; the engine sends the other 95 to the book (the maker's bid). */
    mini_limit(&m, m.mm, SIDE_BUY, 570500, 1000);
    mini_move(&m, 571000, 2 * SEC);
    uint32_t n = 0;
    const PerpLiqRecord *rec = perp_liq_records(m.perp, &n);
    CHECK_EQ(n, 1);
    if (n == 1) {
        CHECK_EQ(rec[0].backstop_qty, 105);
        CHECK_EQ(rec[0].book_qty, 95);
    }
    CHECK_EQ(ledger_qty(perp_ledger(m.perp), 1), 105);
    mini_fini(&m);
}

static void agents_liquidation_bot_discount_ladder(void)
{
    Mini m;
    mini_init(&m);
    LiqBotDef d = one_bot(LIQBOT_DISCOUNT);
    CHECK_EQ(liquidation_bot_create(&d, &m.env, POP_LIQUIDATION_BOTS, rng_stream(1, 5), &m.pop), STATUS_OK);
    CHECK_EQ(m.nbs, 0);
    /* Quiet feed: nothing. */
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 0);
    /* 300,000 USD of longs liquidated in the last minute (>= 250,000): a ladder of bids. Room: min(2 x 1e10 /
     * 600,000 = 33,333, 1e10 / 120,000 = 83,333) x quote share 0.5 = 16,666 -> 3,333 lots on each of 5 levels at
     * 100, 150, 200, 250, 300 bps below the mark: 594,000 591,000 588,000 585,000 582,000. */
    m.feed.liq_notional_60s[0] = 3e9;
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 5);
    static const Ticks px[5] = {594000, 591000, 588000, 585000, 582000};
    for (uint32_t k = 0; k < 5 && k < m.nsub; k++) {
        CHECK_EQ(m.sub[k].req.type, ORDER_LIMIT);
        CHECK_EQ(m.sub[k].req.side, SIDE_BUY);
        CHECK_EQ(m.sub[k].req.price_tk, px[k]);
        CHECK_EQ(m.sub[k].req.qty, 3333);
        CHECK_EQ(mini_run(&m, k), 0);
    }
    CHECK_EQ(perp_order_count(m.perp, 1), 5);
    /* Within the quote lifetime (60 s) the ladder stays. */
    mini_move(&m, 600000, 30 * SEC);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 5);
    CHECK_EQ(m.cancel_alls, 0);
    /* Liquidation selling reaches 594,000: the bot buys 3,333 lots at a 1 % discount. */
    VenueReq sell = {ORDER_IOC, SIDE_SELL, 594000, 3333, 0, 0, STOP_TRIGGER_LAST};
    CHECK_EQ(perp_submit(m.perp, m.env.now, m.mm, &sell, NULL), STATUS_OK);
    CHECK_EQ(ledger_qty(perp_ledger(m.perp), 1), 3333);
    /* After 60 s: cancelled and, the trigger still on, posted again (one cancel-all, then 5 new orders). */
    mini_move(&m, 600000, 31 * SEC);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.cancel_alls, 1);
    CHECK_EQ(m.nsub, 10);
    for (uint32_t k = 5; k < m.nsub; k++) CHECK_EQ(mini_run(&m, k), 0);
    /* The liquidations stop: the ladder goes at its next expiry, then the inventory is sold once it shows
     * (600,000 - 594,000) / 594,000 = 101 bps >= 30 of profit: ceil(3,333 / 4) = 834 lots. */
    m.feed.liq_notional_60s[0] = 0;
    mini_limit(&m, m.mm, SIDE_BUY, 599900, 10000);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.cancel_alls, 2);
    CHECK_EQ(m.nsub, 11);
    CHECK_EQ(m.sub[10].req.side, SIDE_SELL);
    CHECK_EQ(m.sub[10].req.qty, 834);
    CHECK(m.sub[10].req.flags & ORDER_FLAG_REDUCE_ONLY);
    CHECK_EQ(perp_order_count(m.perp, 1), 0);
    CHECK_EQ(mini_run(&m, 10), 834);
    mini_fini(&m);
}

static void agents_liquidation_bot_hunter_push_and_cover(void)
{
    Mini m;
    mini_init(&m);
    LiqBotDef d = one_bot(LIQBOT_HUNTER);
    CHECK_EQ(liquidation_bot_create(&d, &m.env, POP_LIQUIDATION_BOTS, rng_stream(1, 5), &m.pop), STATUS_OK);
    AccountId bot = 1;
    AccountId seller;
    CHECK_EQ(perp_add_account(m.perp, MARGIN_MODE_CROSS, 10, &seller), STATUS_OK);
    CHECK_EQ(perp_deposit(m.perp, seller, INT64_C(1000000000000)), STATUS_OK);
    /* Calm market: the estimated clusters are 4.5 % away. */
    m.feed.open_interest = 20000; /* 20 BTC: 20,000 x 600,000 = 1.2e10 quote >= min 1e6 USD = 1e10 */
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 0);
    /* The same drop as in the hunt-rule test: cluster 572,761.25, 2.92 % below the mark 590,000. Push: sell
     * 0.25 x min(2 x 1e10 / 590,000 = 33,898, 1e10 / 118,000 = 84,745) = 8,474 lots, IOC limited to
     * 572,761 x (1 - 20 bps) = 571,615.5 -> 571,615 (no farther than just through the cluster). */
    double ema[FEED_HORIZONS] = {592000, 598000, 600000, 601000, 600000};
    memcpy(m.feed.ema, ema, sizeof ema);
    mini_move(&m, 590000, SEC);
    mini_limit(&m, m.mm, SIDE_BUY, 589000, 8474);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 1);
    CHECK_EQ(m.sub[0].req.side, SIDE_SELL);
    CHECK_EQ(m.sub[0].req.type, ORDER_IOC);
    CHECK_EQ(m.sub[0].req.qty, 8474);
    CHECK_EQ(m.sub[0].req.price_tk, 571615);
    CHECK_EQ(mini_run(&m, 0), 8474);
    CHECK_EQ(ledger_qty(perp_ledger(m.perp), bot), -8474);
    /* Not through yet, no liquidation flow, no stop: hold. */
    mini_limit(&m, m.mm, SIDE_BUY, 570900, 100);
    mini_limit(&m, m.mm, SIDE_SELL, 572000, 20000);
    mini_move(&m, 585000, SEC);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 1);
    /* The mark goes through 571,615.7: the hunter joins the best bid (570,900) with a reduce-only buy of the whole
     * position, to be filled by the liquidation selling. */
    mini_move(&m, 571000, SEC);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    CHECK_EQ(m.sub[1].req.type, ORDER_LIMIT);
    CHECK_EQ(m.sub[1].req.side, SIDE_BUY);
    CHECK_EQ(m.sub[1].req.qty, 8474);
    CHECK_EQ(m.sub[1].req.price_tk, 570900);
    CHECK(m.sub[1].req.flags & ORDER_FLAG_REDUCE_ONLY);
    CHECK_EQ(mini_run(&m, 1), 0);
    /* Resting at the touch: nothing new while the touch stays. */
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    CHECK_EQ(m.cancel_alls, 0);
    /* A market sale of 8,574 lots (the liquidation flow) fills the maker's 100 first, then the hunter's 8,474. */
    VenueReq sell = {ORDER_MARKET, SIDE_SELL, 0, 8574, 0, 0, STOP_TRIGGER_LAST};
    VenueResult res;
    CHECK_EQ(perp_submit(m.perp, m.env.now, seller, &sell, &res), STATUS_OK);
    CHECK_EQ(res.filled, 8574);
    CHECK_EQ(ledger_qty(perp_ledger(m.perp), bot), 0);
    /* Sold 589,000, bought 570,900: 18,100 x 8,474 = 153,379,400 quote (fees 0). */
    CHECK_EQ(ledger_cash(perp_ledger(m.perp), bot), INT64_C(10000000000) + INT64_C(153379400));
    /* Flat: the hunt ends and a cooldown (30 min) starts: no new push although the setup is still there. */
    mini_move(&m, 590000, SEC);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    mini_move(&m, 590000, 31 * MIN);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 3);
    CHECK_EQ(m.sub[2].req.side, SIDE_SELL);
    mini_fini(&m);
}

static void agents_liquidation_bot_hunter_stop(void)
{
    Mini m;
    mini_init(&m);
    LiqBotDef d = one_bot(LIQBOT_HUNTER);
    CHECK_EQ(liquidation_bot_create(&d, &m.env, POP_LIQUIDATION_BOTS, rng_stream(1, 5), &m.pop), STATUS_OK);
    m.feed.open_interest = 20000;
    double ema[FEED_HORIZONS] = {592000, 598000, 600000, 601000, 600000};
    memcpy(m.feed.ema, ema, sizeof ema);
    mini_move(&m, 590000, SEC);
    mini_limit(&m, m.mm, SIDE_BUY, 589000, 20000);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(mini_run(&m, 0), 8474);
    /* The price rises against the push: 590,000 x 1.01 = 595,900 -> stop: cover at once, IOC through the best ask
     * 596,000 x 1.001 = 596,596. */
    mini_limit(&m, m.mm, SIDE_SELL, 596000, 20000);
    mini_move(&m, 595800, SEC);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 1);
    mini_move(&m, 596000, SEC);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    CHECK_EQ(m.sub[1].req.type, ORDER_IOC);
    CHECK_EQ(m.sub[1].req.side, SIDE_BUY);
    CHECK_EQ(m.sub[1].req.price_tk, 596596);
    CHECK_EQ(mini_run(&m, 1), 8474);
    CHECK_EQ(ledger_qty(perp_ledger(m.perp), 1), 0);
    mini_fini(&m);
}

static void agents_liquidation_bot_hunter_timeout(void)
{
    Mini m;
    mini_init(&m);
    LiqBotDef d = one_bot(LIQBOT_HUNTER);
    CHECK_EQ(liquidation_bot_create(&d, &m.env, POP_LIQUIDATION_BOTS, rng_stream(1, 5), &m.pop), STATUS_OK);
    m.feed.open_interest = 20000;
    double ema[FEED_HORIZONS] = {592000, 598000, 600000, 601000, 600000};
    memcpy(m.feed.ema, ema, sizeof ema);
    mini_move(&m, 590000, SEC);
    mini_limit(&m, m.mm, SIDE_BUY, 589000, 20000);
    mini_limit(&m, m.mm, SIDE_SELL, 591000, 20000);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(mini_run(&m, 0), 8474);
    /* Nothing happens for hunt_max (10 min): cover at once. */
    mini_move(&m, 590000, 9 * MIN);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 1);
    mini_move(&m, 590000, MIN);
    liquidation_bot_ops.wake(m.pop, &m.env, 0);
    CHECK_EQ(m.nsub, 2);
    CHECK_EQ(m.sub[1].req.type, ORDER_IOC);
    CHECK_EQ(m.sub[1].req.side, SIDE_BUY);
    CHECK_EQ(mini_run(&m, 1), 8474);
    mini_fini(&m);
}

/* ---- small worlds ---- */

typedef struct LiqSummary {
    uint32_t records;
    Lots qty, backstop, book;
} LiqSummary;

/* A short world in LIQ_MODE_BACKSTOP: 200 high-leverage retail traders open positions for a minute, then a sale on
 * both venues drops the price ~2 %. */
static LiqSummary backstop_world(uint32_t bots, uint64_t seed)
{
    LiqSummary out = {0};
    WorldDef d = world_default_def();
    d.run.duration = 120 * SEC;
    d.run.progress = false;
    d.run.seed = seed;
    d.retail.count = 200;
    d.retail.leverage = dist_const(50.0);
    d.retail.rate_per_hour = dist_const(60.0);
    d.retail.entry_prob = 1.0;
    d.arbitrageurs.count = 0;
    d.liquidation_bots.count = bots;
    d.makers.count = 4;
    d.spot_makers.count = 4;
    d.makers.refresh = 2 * SEC;
    d.spot_makers.refresh = 2 * SEC;
    d.noise.count = 5;
    d.spot_noise.count = 5;
    d.value.count = 5;
    d.market.perp.liq_mode = LIQ_MODE_BACKSTOP;
    d.shock_count = 2;
    d.shocks[0] = (ShockDef){SHOCK_SELL, 60 * SEC, VENUE_PERP, 2e7, 20 * SEC, 10, 0, 0};
    d.shocks[1] = (ShockDef){SHOCK_SELL, 60 * SEC, VENUE_SPOT, 2e7, 20 * SEC, 10, 0, 0};
    World *w = NULL;
    char why[256] = "";
    Status s = world_create(&d, &w, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nworld_create: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    if (s != STATUS_OK) return out;
    CHECK_EQ(world_run(w), STATUS_OK);
    s = world_check(w, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nworld_check: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    const PerpLiqRecord *r = perp_liq_records(world_perp(w), &out.records);
    for (uint32_t i = 0; i < out.records; i++) {
        out.qty += r[i].qty;
        out.backstop += r[i].backstop_qty;
        out.book += r[i].book_qty;
    }
    world_destroy(w);
    return out;
}

static void agents_liquidation_bot_world_backstop(void)
{
    /* Two seeds. With bots (3 backstop takers in the default mix of 6) the engine hands the liquidated positions to
     * them (backstop_qty; only the bots are registered takers) ... */
    LiqSummary on = {0}, off = {0};
    for (uint64_t seed = 1; seed <= 2; seed++) {
        LiqSummary a = backstop_world(6, seed), b = backstop_world(0, seed);
        on.records += a.records;
        on.qty += a.qty;
        on.backstop += a.backstop;
        on.book += a.book;
        off.records += b.records;
        off.backstop += b.backstop;
        off.book += b.book;
    }
    if (!(on.backstop > 0))
        fprintf(stderr, "\nbackstop world: %u liquidations, %ld lots, backstop %ld, book %ld\n", on.records,
                (long)on.qty, (long)on.backstop, (long)on.book);
    CHECK_GT(on.records, 0);
    CHECK_GT(on.backstop, 0);
    CHECK_GE(on.backstop, on.book); /* capacity to spare in these small crashes: (nearly) all of it */
    /* ... without them the engine has no taker and sells in the book. */
    CHECK_GT(off.records, 0);
    CHECK_EQ(off.backstop, 0);
    CHECK_GT(off.book, 0);
}

void suite_agents_liquidation_bot(void)
{
    static const TestCase cases[] = {
        TEST_CASE(agents_liquidation_bot_type_mix),
        TEST_CASE(agents_liquidation_bot_backstop_pricing),
        TEST_CASE(agents_liquidation_bot_discount_trigger),
        TEST_CASE(agents_liquidation_bot_cluster_estimate),
        TEST_CASE(agents_liquidation_bot_hunt_rule),
        TEST_CASE(agents_liquidation_bot_defaults_match_schema),
        TEST_CASE(agents_liquidation_bot_backstop_takes_and_unwinds),
        TEST_CASE(agents_liquidation_bot_backstop_capacity_binds),
        TEST_CASE(agents_liquidation_bot_discount_ladder),
        TEST_CASE(agents_liquidation_bot_hunter_push_and_cover),
        TEST_CASE(agents_liquidation_bot_hunter_stop),
        TEST_CASE(agents_liquidation_bot_hunter_timeout),
        TEST_CASE(agents_liquidation_bot_world_backstop),
    };
    test_add_suite("agents_liquidation_bot", cases, TEST_COUNT(cases));
}
