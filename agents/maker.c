/* Market makers: see maker.h for the rules and docs/agent_maker.md for the model description.
 *
 * State: one plain struct per maker in one array. Each maker has exactly one pending wake-up at any time (every
 * wake schedules the next one and nothing else schedules), so the event queue holds `count` maker wakes at most.
 * A refresh whose quotes equal those resting untouched (same hash, no fill, rejection or venue-side ending since)
 * sends nothing. Otherwise it sends agent_cancel_all and the new quotes with one latency draw: they arrive at the
 * same instant and the world delivers equal-time events in push order, so the venue sees the cancel first and the
 * new orders are admitted against the margin the old ones held. A withdrawal's cancel is sent no earlier than the
 * latest refresh still in flight, for the same reason; quotes that arrive while the maker is out are cancelled on
 * arrival. */
#include "maker.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <math.h>

typedef struct Maker {
    AccountId account;
    uint8_t state;             /* MakerState */
    double capital_usd;
    double half_spread;        /* fraction */
    double level_usd;
    double withdraw_vol;       /* fraction per sqrt(s) */
    double vol_gate;           /* the volatility that makes it withdraw now: withdraw_vol, raised after a return */
    Lots asset0;               /* spot: the asset it started with */
    Lots inv;                  /* tracked from fills */
    SimTime cooldown_until;
    SimTime inflight_until;    /* arrival time of the latest refresh sent */
    uint64_t posted;           /* hash of the quote set resting as posted; 0 = none or disturbed since */
    SimTime win_start;         /* adverse-fill window */
    Lots win_flow;             /* signed lots filled in the window */
    double win_equity;         /* equity (quote units) when the window started */
    AccountId hedge_account;   /* perp makers that hedge: their spot account, else ACCOUNT_NONE */
    Lots hedge_asset0;         /* its starting asset: the hedge position is the difference */
    SimTime hedge_inflight_until; /* arrival of the latest hedge sent: no second one before it is known */
} Maker;

/* The tag of spot hedge orders (quote tags are below 2 x MAKER_MAX_LEVELS). */
#define HEDGE_TAG UINT64_C(0x4845444745)

typedef struct MakerPop {
    MakerDef def;
    uint32_t id;
    Rng rng;
    AgentLatency latency;     /* def.latency with its log-median, ready to draw from */
    Maker *m;
    MakerStats st;
} MakerPop;

static const char *const STATE_NAMES[MAKER_STATE_COUNT_] = {"quoting", "cooldown", "out", "dead"};
static const char *const REF_NAMES[MAKER_REF_COUNT_] = {"index", "mid", "micro", "last"};

const char *maker_state_name(MakerState s) { return (unsigned)s < MAKER_STATE_COUNT_ ? STATE_NAMES[s] : "?"; }
const char *maker_ref_name(MakerRef r) { return (unsigned)r < MAKER_REF_COUNT_ ? REF_NAMES[r] : "?"; }

/* ---- definitions ---- */

MakerDef maker_default_def(void)
{
    MakerDef d = {0};
    d.count = 8;
    d.venue = VENUE_PERP;
    /* Pareto(2 M, 1.16) clipped to [2 M, 20 M]: median 3.6 M */
    d.capital_usd = (DistDef){DIST_PARETO, 2e6, 1.16, 2e6, 2e7};
    d.leverage = 5;
    d.margin_use = 0.8;
    d.inventory_limit = 0.5;
    d.reference = MAKER_REF_INDEX;
    d.levels = 5;
    d.half_spread_bps = (DistDef){DIST_UNIFORM, 1.5, 4.0, 0.1, 1000};
    d.vol_spread_mult = 2.0;
    d.level_spacing_bps = 4.0;
    d.level_size_usd = (DistDef){DIST_UNIFORM, 30e3, 70e3, 100, 1e8};
    d.size_growth = 1.5;
    d.post_only = true;
    d.risk_aversion = 500.0;
    d.horizon = 120 * SIMTIME_NS_PER_S;
    d.vol_floor_bps = 1.0;
    d.max_skew_bps = 25.0;
    d.refresh = SIMTIME_NS_PER_S;
    d.refresh_jitter = 0.2;
    d.latency = (LatencyDef){5.0, 0.5, 1.0};
    d.withdraw_vol_bps = (DistDef){DIST_UNIFORM, 6.0, 15.0, 0.1, 1e4};
    d.adverse_window = 10 * SIMTIME_NS_PER_S;
    d.adverse_inventory = 0.6;
    d.adverse_loss_bps = 50.0;
    d.cooldown = 30 * SIMTIME_NS_PER_S;
    d.hedge_share = 0.0;
    d.hedge_band = 0.2;
    d.hedge_slippage_bps = 20.0;
    return d;
}

MakerDef maker_default_spot_def(void)
{
    MakerDef d = maker_default_def();
    d.count = 4;
    d.venue = VENUE_SPOT;
    d.capital_usd = (DistDef){DIST_PARETO, 1e6, 1.16, 1e6, 1e7};
    d.leverage = 1;
    d.margin_use = 0.9;
    d.inventory_limit = 0.4;
    d.reference = MAKER_REF_MICRO;
    d.half_spread_bps = (DistDef){DIST_UNIFORM, 2.0, 5.0, 0.1, 1000};
    d.level_spacing_bps = 5.0;
    d.level_size_usd = (DistDef){DIST_UNIFORM, 15e3, 35e3, 100, 1e8};
    return d;
}

/* ---- the quote computation ---- */

/* Rounding of a price that is meant to be an exact tick but carries float error (1e-6 tick). */
#define MAKER_PRICE_EPS 1e-6

void maker_quotes(const MakerDef *d, const MakerQuoteIn *in, MakerQuotes *out)
{
    CASCADE_ASSERT(in->ref_tk > 0 && d->levels <= MAKER_MAX_LEVELS);
    *out = (MakerQuotes){0};
    double sigma = in->vol > d->vol_floor_bps * 1e-4 ? in->vol : d->vol_floor_bps * 1e-4;
    double half = d->vol_spread_mult * sigma > in->half_spread ? d->vol_spread_mult * sigma : in->half_spread;
    double q = 0;
    if (in->inv_limit > 0) q = (double)in->inventory / (double)in->inv_limit;
    else if (in->inventory != 0) q = in->inventory > 0 ? 1.0 : -1.0;
    q = q > 1 ? 1 : (q < -1 ? -1 : q);
    double tau = (double)d->horizon / (double)SIMTIME_NS_PER_S;
    double skew = -q * d->risk_aversion * sigma * sigma * tau;
    double cap = d->max_skew_bps * 1e-4;
    skew = skew > cap ? cap : (skew < -cap ? -cap : skew);
    double r = (double)in->ref_tk * (1.0 + skew);
    out->sigma = sigma;
    out->half = half;
    out->skew = skew;
    out->reservation = r;

    double spacing = d->level_spacing_bps * 1e-4;
    Lots cap_lots[2] = {in->inv_limit - in->inventory, in->inv_limit + in->inventory};
    for (int side = 0; side < 2; side++) {
        Quote used = 0;
        Lots used_lots = 0;
        double size = (double)in->level0_notional;
        for (uint32_t i = 0; i < d->levels; i++, size *= d->size_growth) {
            double off = half + (double)i * spacing;
            Ticks px;
            if (side == SIDE_BUY) {
                px = (Ticks)agent_floor(r * (1.0 - off) + MAKER_PRICE_EPS);
                if (in->best_ask > 0 && px >= in->best_ask) px = in->best_ask - 1;
                if (i > 0 && px >= out->price[side][i - 1]) px = out->price[side][i - 1] - 1;
                if (px < 1) break;
            } else {
                px = (Ticks)agent_ceil(r * (1.0 + off) - MAKER_PRICE_EPS);
                if (in->best_bid > 0 && px <= in->best_bid) px = in->best_bid + 1;
                if (i > 0 && px <= out->price[side][i - 1]) px = out->price[side][i - 1] + 1;
            }
            double room = (double)(in->max_notional[side] - used);
            double want = size < room ? size : room;
            if (want < 1) break;
            Lots lots = agent_lots_for((Quote)want, px);
            if (lots > cap_lots[side] - used_lots) lots = cap_lots[side] - used_lots;
            if (lots <= 0) break;
            uint32_t k = out->n[side]++;
            out->price[side][k] = px;
            out->qty[side][k] = lots;
            used += money_notional(px, lots);
            used_lots += lots;
        }
    }
}

/* ---- market reads ---- */

static const Book *own_book(const MakerPop *p, const AgentEnv *env)
{
    return p->def.venue == VENUE_PERP ? perp_book(env->perp) : spot_book(env->spot);
}

/* The reference price in ticks (0 when nothing is known at all). */
static Ticks reference(const MakerPop *p, const AgentEnv *env)
{
    const Book *b = own_book(p, env);
    Ticks bid = book_best_bid(b), ask = book_best_ask(b);
    Ticks mid = bid > 0 && ask > 0 ? (bid + ask) / 2 : 0;
    Ticks last = book_last_price(b);
    Ticks r = 0;
    switch (p->def.reference) {
    case MAKER_REF_INDEX: r = env->feed->index; break;
    case MAKER_REF_MID: r = mid; break;
    case MAKER_REF_MICRO:
        if (mid > 0) {
            Lots bq = book_qty_at(b, SIDE_BUY, bid), aq = book_qty_at(b, SIDE_SELL, ask);
            double m = ((double)bid * (double)aq + (double)ask * (double)bq) / (double)(aq + bq);
            r = (Ticks)agent_llround(m);
        }
        break;
    case MAKER_REF_LAST: r = last; break;
    default: break;
    }
    if (r <= 0) r = mid;
    if (r <= 0) r = last;
    if (r <= 0) r = env->feed->index;
    if (r <= 0 && env->perp) r = perp_mark(env->perp);
    if (r <= 0 && env->feed->fundamental >= 1) r = (Ticks)llround(env->feed->fundamental);
    return r > 0 ? r : 0;
}

/* Equity in quote units: perp margin balance at the mark, spot cash + asset at ref. */
static double equity(const MakerPop *p, const AgentEnv *env, const Maker *m, Ticks ref)
{
    if (p->def.venue == VENUE_PERP) {
        const PerpVenue *v = env->perp;
        return (double)ledger_margin_balance(perp_ledger(v), m->account, perp_mark(v));
    }
    return (double)spot_cash(env->spot, m->account) + (double)spot_asset(env->spot, m->account) * (double)ref;
}

static Lots inv_limit_lots(const MakerPop *p, const AgentEnv *env, const Maker *m, Ticks ref)
{
    return agent_lots_for(agent_usd_to_quote(env, m->capital_usd * p->def.inventory_limit), ref);
}

/* ---- actions ---- */

static SimDuration next_interval(MakerPop *p)
{
    double j = p->def.refresh_jitter;
    double f = 1.0 + j * (2.0 * rng_uniform(&p->rng) - 1.0);
    SimDuration dt = (SimDuration)agent_llround((double)p->def.refresh * f);
    return dt > 0 ? dt : 1;
}

/* Pulls every quote; the cancel reaches the venue no earlier than a refresh still in flight. */
static void pull(MakerPop *p, AgentEnv *env, uint32_t i)
{
    Maker *m = &p->m[i];
    SimDuration lat = agent_latency(&p->rng, &p->latency);
    if (m->inflight_until > env->now && m->inflight_until - env->now > lat) lat = m->inflight_until - env->now;
    agent_cancel_all(env, p->id, i, p->def.venue, m->account, lat);
    m->posted = 0;
}

static void withdraw(MakerPop *p, AgentEnv *env, uint32_t i, bool adverse)
{
    Maker *m = &p->m[i];
    if (m->state == MAKER_QUOTING) {
        pull(p, env, i);
        if (adverse) p->st.withdrawals_adverse++;
        else p->st.withdrawals_vol++;
    }
    m->state = MAKER_COOLDOWN;
    m->cooldown_until = env->now + p->def.cooldown;
}

/* Restarts the adverse-fill window when it has elapsed. */
static void window_roll(MakerPop *p, AgentEnv *env, Maker *m, Ticks ref)
{
    if (env->now - m->win_start >= p->def.adverse_window) {
        m->win_start = env->now;
        m->win_flow = 0;
        m->win_equity = equity(p, env, m, ref);
    }
}

/* The adverse-fill rule: inventory moved or equity lost beyond the thresholds within the window. */
static bool adverse(const MakerPop *p, const AgentEnv *env, const Maker *m, Ticks ref)
{
    const MakerDef *d = &p->def;
    if (d->adverse_inventory > 0) {
        Lots lim = inv_limit_lots(p, env, m, ref);
        Lots flow = m->win_flow < 0 ? -m->win_flow : m->win_flow;
        if (lim > 0 && (double)flow >= d->adverse_inventory * (double)lim) return true;
    }
    if (d->adverse_loss_bps > 0) {
        double loss = m->win_equity - equity(p, env, m, ref);
        if (loss >= d->adverse_loss_bps * 1e-4 * (double)agent_usd_to_quote(env, m->capital_usd)) return true;
    }
    return false;
}

/* FNV-1a over the levels' prices and sizes; never 0 (0 means "nothing posted"). */
static uint64_t quotes_hash(const MakerQuotes *q)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (int s = 0; s < 2; s++) {
        h = (h ^ q->n[s]) * UINT64_C(0x100000001b3);
        for (uint32_t k = 0; k < q->n[s]; k++) {
            h = (h ^ (uint64_t)q->price[s][k]) * UINT64_C(0x100000001b3);
            h = (h ^ (uint64_t)q->qty[s][k]) * UINT64_C(0x100000001b3);
        }
    }
    return h ? h : 1;
}

static void refresh_quotes(MakerPop *p, AgentEnv *env, uint32_t i, Ticks ref)
{
    const MakerDef *d = &p->def;
    Maker *m = &p->m[i];
    const Book *b = own_book(p, env);
    MakerQuoteIn in = {0};
    in.ref_tk = ref;
    in.vol = env->feed->vol_1m;
    in.half_spread = m->half_spread;
    in.inv_limit = inv_limit_lots(p, env, m, ref);
    in.level0_notional = agent_usd_to_quote(env, m->level_usd);
    in.best_bid = book_best_bid(b);
    in.best_ask = book_best_ask(b);
    if (d->venue == VENUE_PERP) {
        const PerpVenue *v = env->perp;
        const Ledger *L = perp_ledger(v);
        Lots pos = ledger_qty(L, m->account);
        in.inventory = pos;
        /* the venue admits an order when (side's open notional - what it closes) / leverage + fee fits the
         * available margin; the refresh's cancel frees what the old quotes held */
        double avail = (double)ledger_available(L, m->account, perp_mark(v)) * d->margin_use;
        double per_side = avail > 0 ? avail * (double)ledger_leverage(L, m->account) : 0;
        double closable = (double)(pos < 0 ? -pos : pos) * (double)ref * 0.99;
        bool call = perp_margin_call(v, m->account);
        for (int s = 0; s < 2; s++) {
            bool reduces = (s == SIDE_BUY && pos < 0) || (s == SIDE_SELL && pos > 0);
            double n = per_side + (reduces ? closable : 0);
            if (call && !reduces) n = 0;  /* margin call: only the side that reduces the position */
            in.max_notional[s] = n < 9e18 ? (Quote)n : QUOTE_MAX;
        }
    } else {
        const SpotVenue *S = env->spot;
        in.inventory = spot_asset(S, m->account) - m->asset0;
        double hold = (double)spot_hold_per_lot(S, ref) / (double)ref; /* price + worst fee, per unit of price */
        double cash = (double)spot_cash(S, m->account) * d->margin_use / hold;
        double asset = (double)spot_asset(S, m->account) * d->margin_use * (double)ref;
        in.max_notional[SIDE_BUY] = cash > 0 ? (Quote)cash : 0;
        in.max_notional[SIDE_SELL] = asset > 0 ? (Quote)asset : 0;
    }
    MakerQuotes q;
    maker_quotes(d, &in, &q);
    /* the same quotes as those resting untouched: leave them (saves messages, keeps queue priority) */
    uint64_t h = quotes_hash(&q);
    if (h == m->posted) return;

    SimDuration lat = agent_latency(&p->rng, &p->latency);
    agent_cancel_all(env, p->id, i, d->venue, m->account, lat);
    for (int s = 0; s < 2; s++) {
        for (uint32_t k = 0; k < q.n[s]; k++) {
            VenueReq req = {0};
            req.type = d->post_only ? ORDER_POST_ONLY : ORDER_LIMIT;
            req.side = (Side)s;
            req.price_tk = q.price[s][k];
            req.qty = q.qty[s][k];
            req.tag = (uint64_t)s * MAKER_MAX_LEVELS + k;
            agent_submit(env, p->id, i, d->venue, m->account, &req, lat);
        }
    }
    m->inflight_until = env->now + lat;
    m->posted = h;
    p->st.refreshes++;
}

/* Brings the net exposure (perp position + spot hedge) back inside the band with one IOC on spot, limited by the
 * spot holdings and cash. One hedge in flight at a time: its result is known before the next is sized. */
static void hedge(MakerPop *p, AgentEnv *env, uint32_t i, Ticks ref)
{
    Maker *m = &p->m[i];
    if (m->hedge_account == ACCOUNT_NONE || env->now < m->hedge_inflight_until) return;
    const SpotVenue *S = env->spot;
    Lots spot_pos = spot_asset(S, m->hedge_account) - m->hedge_asset0;
    Lots net = ledger_qty(perp_ledger(env->perp), m->account) + spot_pos;
    Lots band = (Lots)((double)inv_limit_lots(p, env, m, ref) * p->def.hedge_band);
    if (net <= band && net >= -band) return;
    const Book *b = spot_book(S);
    VenueReq req = {0};
    req.type = ORDER_IOC;
    req.tag = HEDGE_TAG;
    double slip = p->def.hedge_slippage_bps * 1e-4;
    if (net > 0) {
        Ticks bid = book_best_bid(b);
        if (bid <= 0) return;
        req.side = SIDE_SELL;
        req.price_tk = (Ticks)agent_ceil((double)bid * (1.0 - slip));
        Lots have = spot_asset(S, m->hedge_account);
        req.qty = net < have ? net : have;
    } else {
        Ticks ask = book_best_ask(b);
        if (ask <= 0) return;
        req.side = SIDE_BUY;
        req.price_tk = (Ticks)agent_floor((double)ask * (1.0 + slip));
        Quote per_lot = spot_hold_per_lot(S, req.price_tk);
        Lots afford = per_lot > 0 ? (Lots)(spot_cash(S, m->hedge_account) / per_lot) : 0;
        req.qty = -net < afford ? -net : afford;
    }
    if (req.qty <= 0 || req.price_tk <= 0) return;
    SimDuration lat = agent_latency(&p->rng, &p->latency);
    agent_submit(env, p->id, i, VENUE_SPOT, m->hedge_account, &req, lat);
    m->hedge_inflight_until = env->now + lat;
    p->st.hedge_orders++;
}

/* ---- PopulationOps ---- */

static void wake(void *pop, AgentEnv *env, uint32_t agent)
{
    MakerPop *p = pop;
    CASCADE_ASSERT(agent < p->def.count);
    Maker *m = &p->m[agent];
    if (m->state == MAKER_DEAD) return;
    agent_wake_at(env, p->id, agent, env->now + next_interval(p));

    const MarketFeed *f = env->feed;
    if (f->maker_outage || (p->def.venue == VENUE_PERP && f->halted)) {
        if (m->state == MAKER_QUOTING) pull(p, env, agent);
        m->state = MAKER_OUT;
        return;
    }
    Ticks ref = reference(p, env);
    /* hedging goes on while the maker is out of the book: the inventory is still there */
    if (ref > 0) hedge(p, env, agent, ref);
    /* Hysteresis: a maker that came back while volatility was still high (quoting wider, as its spread follows
     * volatility) withdraws again only if volatility rises a further 50 %; the gate falls back to the maker's own
     * threshold once volatility has calmed. Without it a storm keeps every maker out for good, because its own
     * absence keeps volatility high. */
    if (f->vol_1m <= m->withdraw_vol) m->vol_gate = m->withdraw_vol;
    if (m->state == MAKER_QUOTING && f->vol_1m > m->vol_gate) {
        withdraw(p, env, agent, false);
        return;
    }
    if (ref <= 0) return;
    if (m->state != MAKER_QUOTING) {
        if (m->state == MAKER_COOLDOWN && env->now < m->cooldown_until) return;
        if (f->vol_1m > m->vol_gate) m->vol_gate = 1.5 * f->vol_1m;
        m->state = MAKER_QUOTING; /* back: the adverse-fill window starts afresh */
        p->st.returns++;
        m->win_start = env->now - p->def.adverse_window;
    }
    window_roll(p, env, m, ref);
    if (adverse(p, env, m, ref)) {
        withdraw(p, env, agent, true);
        return;
    }
    refresh_quotes(p, env, agent, ref);
}

static void on_submitted(void *pop, AgentEnv *env, uint32_t agent, VenueKind v, uint64_t tag, Status s,
                         const VenueResult *r)
{
    MakerPop *p = pop;
    Maker *m = &p->m[agent];
    if (tag == HEDGE_TAG) return; /* an IOC: it fills now or ends; what it filled shows in the spot balance */
    if (s != STATUS_OK) {
        p->st.rejects++; /* margin, post-only crossing, band, halt: the next refresh tries again */
        m->posted = 0;
        return;
    }
    p->st.orders++;
    if (m->state != MAKER_QUOTING && r && r->ref != ORDER_REF_NONE) {
        agent_cancel(env, p->id, agent, v, m->account, r->ref, agent_latency(&p->rng, &p->latency));
    }
}

static void on_fill(void *pop, AgentEnv *env, uint32_t agent, const AgentFill *f)
{
    MakerPop *p = pop;
    Maker *m = &p->m[agent];
    if (f->tag == HEDGE_TAG) {
        p->st.hedge_volume += f->qty;
        return;
    }
    Lots signed_qty = f->side == SIDE_BUY ? f->qty : -f->qty;
    m->inv += signed_qty;
    m->posted = 0; /* a level is gone or smaller: re-quote at the next wake */
    if (f->liquidation) return;
    p->st.fills++;
    p->st.volume += f->qty;
    if (m->state != MAKER_QUOTING) return;
    window_roll(p, env, m, f->price_tk);
    m->win_flow += signed_qty;
    if (adverse(p, env, m, f->price_tk)) withdraw(p, env, agent, true);
}

static void on_order_done(void *pop, AgentEnv *env, uint32_t agent, VenueKind v, OrderRef ref, uint64_t tag,
                          Lots remaining)
{
    /* STP, or the venue cancelling a liquidated / deleveraged account's orders: the next refresh re-quotes */
    MakerPop *p = pop;
    (void)env, (void)v, (void)ref, (void)remaining;
    if (tag == HEDGE_TAG) return;
    p->m[agent].posted = 0;
}

static void on_liquidated(void *pop, AgentEnv *env, uint32_t agent, const PerpLiqRecord *rec)
{
    MakerPop *p = pop;
    (void)env, (void)rec;
    Maker *m = &p->m[agent];
    if (m->state != MAKER_DEAD) p->st.liquidations++;
    m->state = MAKER_DEAD; /* the venue cancelled its orders and took the position; what is left is dust */
    m->inv = 0;
}

static void destroy(void *pop)
{
    MakerPop *p = pop;
    if (!p) return;
    mem_free(p->m);
    mem_free(p);
}

Status maker_create(const MakerDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out)
{
    *out = NULL;
    if (def->levels < 1 || def->levels > MAKER_MAX_LEVELS || def->refresh <= 0 || def->venue >= VENUE_KIND_COUNT_ ||
        (def->venue == VENUE_PERP && def->leverage < 1) || !(def->hedge_share >= 0 && def->hedge_share < 1) ||
        !(def->hedge_band >= 0) || !(def->hedge_slippage_bps >= 0))
        return STATUS_INVALID;
    MakerPop *p = mem_calloc(1, sizeof *p);
    if (!p) return STATUS_NOMEM;
    p->def = *def;
    p->id = pop_id;
    p->rng = rng;
    p->latency = agent_latency_model(&p->def.latency);
    p->st.agents = def->count;
    Status s = STATUS_OK;
    if (def->count > 0) {
        p->m = mem_calloc(def->count, sizeof *p->m);
        if (!p->m) {
            s = STATUS_NOMEM;
            goto fail;
        }
    }
    Ticks p0 = def->count > 0 ? reference(p, env) : 0;
    if (def->count > 0 && p0 <= 0) {
        s = STATUS_INVALID;
        goto fail;
    }
    for (uint32_t i = 0; i < def->count; i++) {
        Maker *m = &p->m[i];
        m->capital_usd = dist_draw(&p->rng, &def->capital_usd);
        m->half_spread = dist_draw(&p->rng, &def->half_spread_bps) * 1e-4;
        m->level_usd = dist_draw(&p->rng, &def->level_size_usd);
        m->withdraw_vol = dist_draw(&p->rng, &def->withdraw_vol_bps) * 1e-4;
        m->vol_gate = m->withdraw_vol;
        m->state = MAKER_QUOTING;
        m->hedge_account = ACCOUNT_NONE;
        if (def->venue == VENUE_PERP) {
            bool hedges = def->hedge_share > 0 && env->spot;
            double perp_usd = hedges ? m->capital_usd * (1.0 - def->hedge_share) : m->capital_usd;
            Quote cash = agent_usd_to_quote(env, perp_usd);
            s = env->ops.open_account(env->world, pop_id, i, VENUE_PERP, MARGIN_MODE_CROSS, def->leverage, cash, 0,
                                      &m->account);
            if (s == STATUS_OK && hedges) {
                Quote half = agent_usd_to_quote(env, 0.5 * m->capital_usd * def->hedge_share);
                m->hedge_asset0 = agent_lots_for(half, p0);
                s = env->ops.open_account(env->world, pop_id, i, VENUE_SPOT, MARGIN_MODE_CROSS, 1, half,
                                          m->hedge_asset0, &m->hedge_account);
            }
        } else {
            Quote cash = agent_usd_to_quote(env, 0.5 * m->capital_usd);
            m->asset0 = agent_lots_for(cash, p0);
            s = env->ops.open_account(env->world, pop_id, i, VENUE_SPOT, MARGIN_MODE_CROSS, 1, cash, m->asset0,
                                      &m->account);
        }
        if (s != STATUS_OK) goto fail;
        m->win_start = env->now;
        m->win_equity = equity(p, env, m, p0);
        SimDuration first = (SimDuration)(rng_uniform(&p->rng) * (double)def->refresh);
        agent_wake_at(env, pop_id, i, env->now + first);
    }
    *out = p;
    return STATUS_OK;
fail:
    destroy(p);
    return s;
}

/* ---- views ---- */

MakerStats maker_stats(const void *pop)
{
    const MakerPop *p = pop;
    MakerStats st = p->st;
    for (uint32_t i = 0; i < p->def.count; i++) st.by_state[p->m[i].state]++;
    return st;
}

uint32_t maker_quoting(const void *pop)
{
    const MakerPop *p = pop;
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->def.count; i++) n += p->m[i].state == MAKER_QUOTING;
    return n;
}

MakerState maker_agent_state(const void *pop, uint32_t agent)
{
    const MakerPop *p = pop;
    CASCADE_ASSERT(agent < p->def.count);
    return (MakerState)p->m[agent].state;
}

AccountId maker_agent_account(const void *pop, uint32_t agent)
{
    const MakerPop *p = pop;
    CASCADE_ASSERT(agent < p->def.count);
    return p->m[agent].account;
}

AccountId maker_agent_hedge_account(const void *pop, uint32_t agent)
{
    const MakerPop *p = pop;
    CASCADE_ASSERT(agent < p->def.count);
    return p->m[agent].hedge_account;
}

Lots maker_agent_inventory(const void *pop, uint32_t agent)
{
    const MakerPop *p = pop;
    CASCADE_ASSERT(agent < p->def.count);
    return p->m[agent].inv;
}

const PopulationOps maker_ops = {"maker", wake, on_submitted, on_fill, on_order_done, on_liquidated, NULL, destroy, NULL};
