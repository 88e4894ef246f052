/* The arbitrageur population: perp-vs-spot basis trades, funding capture, leg repair. See arbitrageur.h and
 * docs/agent_arbitrageur.md.
 *
 * State is one plain struct per agent; balances and positions are never mirrored: every wake reads the agent's own
 * perp position (ledger_qty) and spot balances from the venues, so fills, funding, liquidations and legs lost to
 * latency are all seen the same way. The spot leg is spot_asset - base_asset (the inventory above or below what
 * the agent started with); a hedged book has perp_qty + spot_leg == 0. */
#include "arbitrageur.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <math.h>

enum { ARB_TAG_OPEN = 1, ARB_TAG_UNWIND = 2, ARB_TAG_REPAIR = 3 };

typedef struct Arb {
    AccountId perp, spot;
    Lots base_asset;          /* inventory at the start */
    Quote perp_collateral;    /* deposited at the start */
    Quote clip;               /* most notional per wake (quote units) */
    double entry_bps;
    uint32_t inflight;        /* submissions still travelling to a venue */
    bool repair_spot;         /* repair the next mismatch on the spot leg (perp refused or liquidated) */
    uint32_t repair_tries;    /* repairs in a row without reaching net = 0 */
} Arb;

typedef struct ArbitrageurPop {
    ArbitrageurDef def;
    uint32_t id;
    Rng rng;
    AgentLatency latency;     /* def.latency with its log-median, ready to draw from */
    uint32_t count;
    Arb *a;
    Quote min_trade;          /* quote units */
    uint64_t opens, unwinds, repairs, liquidations;
} ArbitrageurPop;

ArbitrageurDef arbitrageur_default_def(void)
{
    ArbitrageurDef d = {0};
    d.count = 8;
    d.venue = VENUE_PERP;
    d.capital_usd = (DistDef){DIST_LOGNORMAL, 2e6, 0.7, 2e5, 2e7};
    d.perp_share = 0.4;
    d.inventory_share = 0.5;
    d.leverage = 5;
    d.margin_use = 0.6;
    d.clip_share = 0.05;
    d.entry_bps = (DistDef){DIST_UNIFORM, 3.0, 10.0, 0.0, 100.0};
    d.exit_bps = 2.0;
    d.perp_fee_bps = 5.0;
    d.spot_fee_bps = 2.0;
    d.slippage_bps = 5.0;
    d.funding_horizon = 3.0;
    d.funding_hold_bps = 2.0;
    d.min_trade_usd = 1000.0;
    d.interval = 2 * SIMTIME_NS_PER_S;
    d.jitter = 0.5;
    d.latency = (LatencyDef){15.0, 0.5, 2.0};
    return d;
}

/* ---- pure rules ---- */

static double bps_of(Ticks num, Ticks den) { return 1e4 * (double)num / (double)den; }

ArbBasis arb_basis(const ArbQuotes *q)
{
    ArbBasis b = {0, 0, 0, 0};
    if (q->perp_bid <= 0 || q->perp_ask <= 0 || q->spot_bid <= 0 || q->spot_ask <= 0) return b;
    b.open_rich = bps_of(q->perp_bid - q->spot_ask, q->spot_ask);
    b.open_cheap = bps_of(q->spot_bid - q->perp_ask, q->perp_ask);
    b.close_rich = bps_of(q->perp_ask - q->spot_bid, q->spot_bid);
    b.close_cheap = bps_of(q->spot_ask - q->perp_bid, q->perp_bid);
    return b;
}

ArbAction arb_decide(const ArbRule *r, const ArbQuotes *q, int dir)
{
    if (q->perp_bid <= 0 || q->perp_ask <= 0 || q->spot_bid <= 0 || q->spot_ask <= 0) return ARB_HOLD;
    ArbBasis b = arb_basis(q);
    double f = (double)q->funding_e8 / 1e4; /* bps per interval */
    double edge_rich = b.open_rich + r->funding_horizon * f - r->cost_bps;
    double edge_cheap = b.open_cheap - r->funding_horizon * f - r->cost_bps;
    if (dir > 0) {
        if (edge_cheap > r->entry_bps) return ARB_UNWIND;
        if (b.close_rich <= r->exit_bps && f < r->funding_hold_bps) return ARB_UNWIND;
        return edge_rich > r->entry_bps ? ARB_OPEN_RICH : ARB_HOLD;
    }
    if (dir < 0) {
        if (edge_rich > r->entry_bps) return ARB_UNWIND;
        if (b.close_cheap <= r->exit_bps && -f < r->funding_hold_bps) return ARB_UNWIND;
        return edge_cheap > r->entry_bps ? ARB_OPEN_CHEAP : ARB_HOLD;
    }
    if (edge_rich > r->entry_bps && edge_rich >= edge_cheap) return ARB_OPEN_RICH;
    if (edge_cheap > r->entry_bps) return ARB_OPEN_CHEAP;
    return ARB_HOLD;
}

static Lots min_lots(Lots a, Lots b) { return a < b ? a : b; }

Lots arb_open_size(const ArbCapacity *c, ArbAction a, Ticks px)
{
    if (px <= 0 || (a != ARB_OPEN_RICH && a != ARB_OPEN_CHEAP) || c->leverage <= 0) return 0;
    Quote room = c->perp_free - c->perp_reserve;
    if (room <= 0) return 0;
    double per_lot = (double)px / (double)c->leverage + (double)px * c->perp_fee_bps / 1e4;
    double perp_d = floor((double)room / per_lot);
    Lots n = perp_d > 9e18 ? LOTS_MAX : (Lots)perp_d;
    if (a == ARB_OPEN_RICH) n = min_lots(n, c->spot_hold_per_lot > 0 ? c->spot_free_cash / c->spot_hold_per_lot : 0);
    else n = min_lots(n, c->spot_free_asset);
    n = min_lots(n, c->clip / px);
    return n > 0 ? n : 0;
}

/* ---- population ---- */

static void schedule(ArbitrageurPop *p, AgentEnv *env, uint32_t i)
{
    const ArbitrageurDef *d = &p->def;
    double f = 1.0 - d->jitter + 2.0 * d->jitter * rng_uniform(&p->rng);
    SimDuration gap = (SimDuration)((double)d->interval * f);
    agent_wake_at(env, p->id, i, env->now + (gap > 0 ? gap : 1));
}

Status arbitrageur_create(const ArbitrageurDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out)
{
    *out = NULL;
    if (def->leverage < 1 || !(def->interval > 0)) return STATUS_INVALID;
    ArbitrageurPop *p = mem_calloc(1, sizeof *p);
    if (!p) return STATUS_NOMEM;
    p->def = *def;
    p->id = pop_id;
    p->rng = rng;
    p->latency = agent_latency_model(&p->def.latency);
    p->count = def->count;
    p->min_trade = agent_usd_to_quote(env, def->min_trade_usd);
    Status s = STATUS_OK;
    if (p->count > 0) {
        p->a = mem_calloc(p->count, sizeof *p->a);
        if (!p->a) s = STATUS_NOMEM;
    }
    Ticks px = env->feed->index > 0 ? env->feed->index : perp_mark(env->perp);
    if (s == STATUS_OK && px <= 0) s = STATUS_INVALID;
    for (uint32_t i = 0; s == STATUS_OK && i < p->count; i++) {
        Arb *a = &p->a[i];
        double cap = dist_draw(&p->rng, &def->capital_usd);
        a->entry_bps = dist_draw(&p->rng, &def->entry_bps);
        double spot_usd = cap * (1.0 - def->perp_share);
        a->perp_collateral = agent_usd_to_quote(env, cap * def->perp_share);
        a->base_asset = agent_lots_for(agent_usd_to_quote(env, spot_usd * def->inventory_share), px);
        Quote cash = agent_usd_to_quote(env, spot_usd * (1.0 - def->inventory_share));
        a->clip = agent_usd_to_quote(env, cap * def->clip_share);
        s = env->ops.open_account(env->world, pop_id, i, VENUE_PERP, MARGIN_MODE_CROSS, def->leverage,
                                  a->perp_collateral, 0, &a->perp);
        if (s == STATUS_OK)
            s = env->ops.open_account(env->world, pop_id, i, VENUE_SPOT, MARGIN_MODE_CROSS, 1, cash, a->base_asset,
                                      &a->spot);
        if (s == STATUS_OK) {
            /* first wake spread over one interval so that the agents do not act in lockstep */
            SimDuration first = (SimDuration)((double)def->interval * rng_uniform(&p->rng));
            agent_wake_at(env, pop_id, i, env->now + first + 1);
        }
    }
    if (s != STATUS_OK) {
        mem_free(p->a);
        mem_free(p);
        return s;
    }
    *out = p;
    return STATUS_OK;
}

static void destroy(void *pop)
{
    ArbitrageurPop *p = pop;
    if (!p) return;
    mem_free(p->a);
    mem_free(p);
}

/* Sends one IOC leg; counts it in flight when the world accepted it. */
static void send(ArbitrageurPop *p, AgentEnv *env, uint32_t i, VenueKind v, Side side, Ticks px, Lots qty,
                 uint64_t tag, bool reduce_only)
{
    if (qty <= 0 || px <= 0) return;
    Arb *a = &p->a[i];
    VenueReq req = {ORDER_IOC, side, px, qty, tag, reduce_only ? ORDER_FLAG_REDUCE_ONLY : 0u, STOP_TRIGGER_LAST};
    AccountId acct = v == VENUE_PERP ? a->perp : a->spot;
    if (agent_submit(env, p->id, i, v, acct, &req, agent_latency(&p->rng, &p->latency)) == STATUS_OK)
        a->inflight++;
}

/* Buy limit `slip` bps above the touch, sell limit below it. */
static Ticks through(Ticks touch, Side side, double slip_bps)
{
    return agent_price_offset(touch, (side == SIDE_BUY ? 1.0 : -1.0) * slip_bps / 1e4);
}

/* Lots an IOC on `side` can take within slip bps of the touch: the opposite side's resting depth. */
static Lots leg_depth(const Book *b, Side side, Ticks touch, double slip_bps)
{
    int32_t bps = (int32_t)ceil(slip_bps);
    return book_depth(b, side == SIDE_BUY ? SIDE_SELL : SIDE_BUY, touch, bps > 0 ? bps : 0).qty;
}

static void wake(void *pop, AgentEnv *env, uint32_t i)
{
    ArbitrageurPop *p = pop;
    if (i >= p->count) return;
    const ArbitrageurDef *d = &p->def;
    Arb *a = &p->a[i];
    schedule(p, env, i);
    if (a->inflight > 0 || env->feed->halted || perp_halted(env->perp)) return;

    const Book *pbk = perp_book(env->perp), *sbk = spot_book(env->spot);
    ArbQuotes q = {book_best_bid(pbk), book_best_ask(pbk), book_best_bid(sbk), book_best_ask(sbk),
                   env->feed->funding_rate_e8};
    if (q.perp_bid <= 0 || q.perp_ask <= 0 || q.spot_bid <= 0 || q.spot_ask <= 0) return;

    const Ledger *L = perp_ledger(env->perp);
    Lots perp_qty = ledger_qty(L, a->perp);
    Lots spot_leg = spot_asset(env->spot, a->spot) - a->base_asset;
    Lots net = perp_qty + spot_leg;
    double slip = d->slippage_bps;

    /* 1. legs out of balance (a leg lost to latency, a partial IOC, a liquidation): repair first. The repair
     * always trades toward net = 0 (net > 0: sell, net < 0: buy); it completes the lagging leg -- the spot leg when
     * the perp leg leads, else the perp leg -- and every third try in a row, or after the perp refused or was
     * liquidated, uses the other leg instead (trims the leading one). */
    if (net != 0) {
        Lots n = net > 0 ? net : -net;
        Side side = net > 0 ? SIDE_SELL : SIDE_BUY;
        bool spot_lags = perp_qty != 0 && (perp_qty > 0) == (net > 0);
        bool use_spot = spot_lags;
        if (a->repair_tries % 3 == 2) use_spot = !use_spot;
        if (a->repair_spot) use_spot = true;
        a->repair_spot = false;
        a->repair_tries++;
        p->repairs++;
        Ticks spot_px = through(side == SIDE_SELL ? q.spot_bid : q.spot_ask, side, slip);
        Lots spot_n = side == SIDE_SELL ? spot_free_asset(env->spot, a->spot)
                                        : spot_free_cash(env->spot, a->spot) / spot_hold_per_lot(env->spot, spot_px);
        if (use_spot && spot_n > 0) {
            send(p, env, i, VENUE_SPOT, side, spot_px, min_lots(n, spot_n), ARB_TAG_REPAIR, false);
        } else {
            Ticks touch = side == SIDE_SELL ? q.perp_bid : q.perp_ask;
            send(p, env, i, VENUE_PERP, side, through(touch, side, slip), n, ARB_TAG_REPAIR, false);
        }
        return;
    }
    a->repair_tries = 0;

    int dir = perp_qty < 0 ? 1 : perp_qty > 0 ? -1 : 0;
    ArbRule rule = {2.0 * (d->perp_fee_bps + d->spot_fee_bps), a->entry_bps, d->exit_bps, d->funding_horizon,
                    d->funding_hold_bps};
    ArbAction act = arb_decide(&rule, &q, dir);
    /* a margin call forces the agent out (the loss spiral of Brunnermeier-Pedersen) */
    if (dir != 0 && perp_margin_call(env->perp, a->perp)) act = ARB_UNWIND;

    if (act == ARB_OPEN_RICH || act == ARB_OPEN_CHEAP) {
        bool rich = act == ARB_OPEN_RICH;
        Side perp_side = rich ? SIDE_SELL : SIDE_BUY, spot_side = rich ? SIDE_BUY : SIDE_SELL;
        Ticks perp_px = through(rich ? q.perp_bid : q.perp_ask, perp_side, slip);
        Ticks spot_px = through(rich ? q.spot_ask : q.spot_bid, spot_side, slip);
        Quote perp_free = perp_free_margin(env->perp, a->perp);
        ArbCapacity c = {perp_free,
                         (Quote)((1.0 - d->margin_use) * (double)a->perp_collateral),
                         ledger_leverage(L, a->perp),
                         d->perp_fee_bps,
                         spot_free_cash(env->spot, a->spot),
                         spot_hold_per_lot(env->spot, spot_px),
                         spot_free_asset(env->spot, a->spot),
                         a->clip};
        Lots n = arb_open_size(&c, act, perp_px);
        /* never more than both books show within the IOC limits (the rest would be a lost leg) */
        n = min_lots(n, leg_depth(pbk, perp_side, rich ? q.perp_bid : q.perp_ask, slip));
        n = min_lots(n, leg_depth(sbk, spot_side, rich ? q.spot_ask : q.spot_bid, slip));
        if (n <= 0 || money_notional(perp_px, n) < p->min_trade) return;
        p->opens++;
        send(p, env, i, VENUE_PERP, perp_side, perp_px, n, ARB_TAG_OPEN, false);
        send(p, env, i, VENUE_SPOT, spot_side, spot_px, n, ARB_TAG_OPEN, false);
    } else if (act == ARB_UNWIND) {
        bool rich = dir > 0; /* rich: buy the perp back, sell the spot bought */
        Side perp_side = rich ? SIDE_BUY : SIDE_SELL, spot_side = rich ? SIDE_SELL : SIDE_BUY;
        Ticks perp_px = through(rich ? q.perp_ask : q.perp_bid, perp_side, slip);
        Ticks spot_px = through(rich ? q.spot_bid : q.spot_ask, spot_side, slip);
        Lots n = perp_qty < 0 ? -perp_qty : perp_qty;
        n = min_lots(n, a->clip / perp_px > 0 ? a->clip / perp_px : 1);
        if (rich) {
            n = min_lots(n, spot_free_asset(env->spot, a->spot));
        } else {
            Quote hold = spot_hold_per_lot(env->spot, spot_px);
            n = min_lots(n, hold > 0 ? spot_free_cash(env->spot, a->spot) / hold : 0);
        }
        n = min_lots(n, leg_depth(pbk, perp_side, rich ? q.perp_ask : q.perp_bid, slip));
        n = min_lots(n, leg_depth(sbk, spot_side, rich ? q.spot_bid : q.spot_ask, slip));
        if (n <= 0) return;
        p->unwinds++;
        send(p, env, i, VENUE_PERP, perp_side, perp_px, n, ARB_TAG_UNWIND, true);
        send(p, env, i, VENUE_SPOT, spot_side, spot_px, n, ARB_TAG_UNWIND, false);
    }
}

static void on_submitted(void *pop, AgentEnv *env, uint32_t i, VenueKind v, uint64_t tag, Status s,
                         const VenueResult *r)
{
    (void)env;
    (void)r;
    ArbitrageurPop *p = pop;
    if (i >= p->count) return;
    Arb *a = &p->a[i];
    if (a->inflight > 0) a->inflight--;
    if (v == VENUE_PERP && tag == ARB_TAG_REPAIR && s != STATUS_OK) a->repair_spot = true;
}

static void on_liquidated(void *pop, AgentEnv *env, uint32_t i, const PerpLiqRecord *rec)
{
    (void)env;
    (void)rec;
    ArbitrageurPop *p = pop;
    if (i >= p->count) return;
    p->liquidations++;
    p->a[i].repair_spot = true; /* the perp leg is gone: flatten the spot leg */
}

const PopulationOps arbitrageur_ops = {"arbitrageur", wake, on_submitted, NULL, NULL, on_liquidated, NULL, destroy, NULL};
