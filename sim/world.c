/* The world: venues + populations + event loop + feed + shocks. See world.h and docs/world.md.
 *
 * Loop. Three sources of work are merged by time: the per-second step (index from the spot book, the fundamental,
 * the public feed, observers), the perp venue's own schedule (perp_next_due) and the event queue (wake-ups, orders
 * arriving after latency, shocks). At equal times the per-second step runs first, then the venue, then events in
 * push order, so a run is a pure function of its definition.
 *
 * Actions. Populations never touch a venue directly: agent_submit / agent_cancel push an action event that
 * executes when the latency has elapsed; its outcome comes back through PopulationOps.on_submitted. Fills, order
 * endings and liquidations are routed from the venues' listeners to the owning population through the account
 * owner tables. */
#include "world.h"

#include "alloc.h"
#include "cascade_assert.h"
#include "evq.h"
#include "index_price.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Dense-window width of both venues' books (see the perp book below). */
#define BOOK_WINDOW_TICKS 131072u

enum { EV_WAKE = 1, EV_ACTION, EV_SHOCK, EV_SHOCK_END };
enum { ACT_SUBMIT = 0, ACT_CANCEL, ACT_CANCEL_ALL };
enum { MARK_HISTORY = 240 * 60 + 1, VOL_SHORT = 60, VOL_LONG = 900, MAX_BACKSTOPS = 64, LIQ_WINDOW = 4096 };

const char *const world_population_names[WORLD_POPULATIONS] = {
    "retail", "makers", "spot_makers", "arbitrageurs", "liquidation_bots", "noise", "spot_noise", "value"};

typedef struct PendingAction {
    uint8_t kind;
    uint8_t venue;
    uint32_t pop, agent;
    AccountId account;
    OrderRef ref;
    VenueReq req;
} PendingAction;

/* The actions in flight (sent by an agent, not yet at the venue): records in one array that grows by doubling, and a
 * stack of the free indices. An action's event carries its record's index, and each index is named by exactly one
 * pending event, so the records need no generations: core/pool's handle checks on acquire, get and release were ~50
 * instructions per order message. */
typedef struct ActionStore {
    PendingAction *rec;
    uint32_t *free;     /* `free_count` free indices below `used` */
    uint32_t cap, used, free_count;
} ActionStore;

typedef struct Population {
    const PopulationOps *ops;
    void *state;
} Population;

typedef struct Owner {
    uint32_t pop;    /* UINT32_MAX: the world's own account */
    uint32_t agent;
} Owner;

typedef struct OwnerTable {
    Owner *o;
    uint32_t cap;
} OwnerTable;

typedef struct BackstopCtx {
    World *w;
    uint32_t pop, agent;
} BackstopCtx;

typedef struct LiqEvent {
    SimTime time;
    uint8_t side;
    double notional;
} LiqEvent;

struct World {
    WorldDef def;
    SimTime end;
    Evq q;
    SpotVenue *spot;
    PerpVenue *perp;
    Population pops[WORLD_POPULATIONS];
    AgentEnv env;
    MarketFeed feed;
    OwnerTable perp_owner, spot_owner;
    ActionStore actions;
    Rng rng;                      /* the world's own draws: fundamental, Poisson shocks */
    WorldObserver observer;
    WorldCounts counts;
    SimTime next_second;
    SimTime next_fundamental;
    double log_fundamental;
    double log_vol_dev;           /* stochastic-volatility state: log(vol / vol_per_sqrt_hour), an OU process */
    double vol_decay;             /* its decay over one fundamental step, exp(-step / vol_tau) */
    double attention_vol;         /* attention: EMA of vol_1m scaled to a minute (bps per sqrt(minute)) */
    double attention_alpha;       /* its weight per feed update, 1 - exp(-index_period / tau) */
    double index_glitch;          /* multiplier on the index (1 = none) */
    AccountId shock_perp, shock_spot;
    BackstopCtx backstops[MAX_BACKSTOPS];
    uint32_t backstop_count;
    /* feed history */
    double *marks;                /* ring of per-second marks */
    uint32_t mark_head, mark_count;
    double sq_short[VOL_SHORT], sq_long[VOL_LONG];
    double sum_short, sum_long;
    uint32_t sq_count;
    double ema_alpha[FEED_HORIZONS];
    LiqEvent liq[LIQ_WINDOW];
    uint32_t liq_head, liq_count;
};

/* ---- defaults ---- */

WorldDef world_default_def(void)
{
    WorldDef d;
    memset(&d, 0, sizeof d);
    d.run.seed = 1;
    CASCADE_ASSERT(simtime_parse_iso("2025-10-10T00:00:00Z", &d.run.start) == STATUS_OK);
    d.run.duration = SIMTIME_NS_PER_DAY;
    d.run.sample_step = SIMTIME_NS_PER_S;
    d.run.write_trades = false;
    d.run.progress = true;
    MarketDef *m = &d.market;
    m->initial_price_usd = 60000.0;
    m->tick_usd = 0.1;
    m->lot_units = 0.001;
    m->spot_maker_fee_bps = 1.0;
    m->spot_taker_fee_bps = 2.0;
    m->index_period = SIMTIME_NS_PER_S;
    PerpRulesDef *r = &m->perp;
    r->maker_fee_bps = 2.0;
    r->taker_fee_bps = 5.0;
    r->market_band_bps = 500.0;
    r->mark_method = MARK_MEDIAN3;
    r->mark_period = SIMTIME_NS_PER_S;
    r->funding_interval = 8 * SIMTIME_NS_PER_HOUR;
    r->funding_interest_bps = 1.0;
    r->funding_clamp_bps = 5.0;
    r->funding_cap_bps = 75.0;
    r->impact_notional_usd = 25000.0;
    r->insurance_fund_usd = 1000000.0;
    r->max_leverage = 125;
    r->liq_mode = LIQ_MODE_MARKET;
    r->liq_fee_bps = 50.0;
    r->liq_tick = 100 * SIMTIME_NS_PER_MS;
    r->liq_max_orders_per_tick = 0;
    r->liq_max_notional_usd_per_tick = 0;
    r->liq_ioc_retries = 3;
    r->liq_band_bps = 1000.0;
    r->adl = true;
    r->backstop_auction = false;
    r->generation_window = 60 * SIMTIME_NS_PER_S;
    r->price_band_bps = 0;
    r->cb_move_pct = 0;
    r->cb_window = 300 * SIMTIME_NS_PER_S;
    r->cb_halt = 300 * SIMTIME_NS_PER_S;
    r->dyn_mmr = DYN_MMR_OFF;
    r->dyn_max_factor = 3.0;
    /* Activity by UTC hour: quiet late Asia night, Europe from 07, US overlap 13-20 busiest; weekends quieter. */
    static const double hours[24] = {0.9, 0.8, 0.8, 0.75, 0.7, 0.7, 0.75, 0.85, 0.95, 1.0, 1.0, 1.0,
                                     1.05, 1.2, 1.35, 1.4, 1.35, 1.25, 1.15, 1.05, 1.0, 0.95, 0.95, 0.9};
    memcpy(d.profile.hour, hours, sizeof hours);
    d.profile.weekend = 0.7;
    d.fundamental.vol_per_sqrt_hour = 0.006;
    d.fundamental.jumps_per_day = 1.0;
    d.fundamental.jump_sd = 0.01;
    d.fundamental.vol_of_vol = 0.0;
    d.fundamental.vol_tau = 6 * SIMTIME_NS_PER_HOUR;
    d.fundamental.step = SIMTIME_NS_PER_S;
    d.attention = (AttentionDef){0.0, SIMTIME_NS_PER_HOUR, 3.0, 0.25, 4.0};
    d.retail = retail_default_def();
    d.makers = maker_default_def();
    d.spot_makers = maker_default_spot_def();
    d.arbitrageurs = arbitrageur_default_def();
    d.liquidation_bots = liquidation_bot_default_def();
    d.noise = noise_default_def();
    d.spot_noise = noise_default_spot_def();
    d.value = value_default_def();
    return d;
}

const char *shock_kind_name(ShockKind k)
{
    static const char *names[] = {"sell", "buy", "fundamental_jump", "index_glitch", "maker_outage"};
    return (unsigned)k < SHOCK_KIND_COUNT_ ? names[k] : "?";
}

/* ---- owners ---- */

static Status owner_set(OwnerTable *t, AccountId a, uint32_t pop, uint32_t agent)
{
    if (a >= t->cap) {
        uint32_t cap = t->cap ? t->cap : 256u;
        while (cap <= a) cap *= 2u;
        Owner *o = mem_realloc(t->o, (size_t)cap * sizeof *o);
        if (!o) return STATUS_NOMEM;
        for (uint32_t i = t->cap; i < cap; i++) o[i] = (Owner){UINT32_MAX, 0};
        t->o = o;
        t->cap = cap;
    }
    t->o[a] = (Owner){pop, agent};
    return STATUS_OK;
}

static const Owner *owner_get(const OwnerTable *t, AccountId a)
{
    if (a >= t->cap || t->o[a].pop == UINT32_MAX) return NULL;
    return &t->o[a];
}

/* ---- the environment populations act through ---- */

static Status actions_grow(ActionStore *s, uint32_t cap)
{
    PendingAction *rec = mem_realloc(s->rec, (size_t)cap * sizeof *rec);
    if (!rec) return STATUS_NOMEM;
    s->rec = rec;
    uint32_t *fr = mem_realloc(s->free, (size_t)cap * sizeof *fr);
    if (!fr) return STATUS_NOMEM;
    s->free = fr;
    s->cap = cap;
    return STATUS_OK;
}

/* A free record's index; UINT32_MAX when the store cannot grow. */
static uint32_t actions_take(ActionStore *s)
{
    if (s->free_count > 0) return s->free[--s->free_count];
    if (s->used == s->cap && (s->cap > UINT32_MAX / 2u || actions_grow(s, s->cap * 2u) != STATUS_OK)) return UINT32_MAX;
    return s->used++;
}

static void actions_put(ActionStore *s, uint32_t i) { s->free[s->free_count++] = i; }

/* Queues an action to reach its venue after `latency`. The record is written straight into its slot (every field):
 * a stack copy and a memset per order message were measurable in the event loop. req NULL: no order (cancels). */
static Status push_action(World *w, uint8_t kind, VenueKind v, uint32_t pop, uint32_t agent, AccountId a, OrderRef ref,
                          const VenueReq *req, SimDuration latency)
{
    uint32_t i = actions_take(&w->actions);
    if (i == UINT32_MAX) return STATUS_NOMEM;
    w->actions.rec[i] = (PendingAction){kind, (uint8_t)v, pop, agent, a, ref, req ? *req : (VenueReq){0}};
    if (latency < 0) latency = 0;
    EvqHandle e = evq_push(&w->q, w->env.now + latency, EV_ACTION, pop, i);
    if (evq_handle_is_null(e)) {
        actions_put(&w->actions, i);
        return STATUS_NOMEM;
    }
    return STATUS_OK;
}

static Status env_submit(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, const VenueReq *req,
                         SimDuration latency)
{
    return push_action(world, ACT_SUBMIT, v, pop, agent, a, ORDER_REF_NONE, req, latency);
}

static Status env_cancel(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, OrderRef ref,
                         SimDuration latency)
{
    return push_action(world, ACT_CANCEL, v, pop, agent, a, ref, NULL, latency);
}

static Status env_cancel_all(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, SimDuration latency)
{
    return push_action(world, ACT_CANCEL_ALL, v, pop, agent, a, ORDER_REF_NONE, NULL, latency);
}

static Status env_add_margin(void *world, AccountId a, Quote amount)
{
    World *w = world;
    return perp_add_margin(w->perp, w->env.now, a, amount);
}

static void env_wake_at(void *world, uint32_t pop, uint32_t agent, SimTime t)
{
    World *w = world;
    if (t == SIMTIME_MAX || t > w->end) return;
    if (t < w->env.now) t = w->env.now;
    EvqHandle e = evq_push(&w->q, t, EV_WAKE, pop, agent);
    CASCADE_ASSERT(!evq_handle_is_null(e));
}

Status world_venue_open_account(PerpVenue *perp, SpotVenue *spot, VenueKind v, MarginMode mode, int32_t leverage,
                                Quote cash, Lots asset, AccountId *out)
{
    AccountId a;
    Status s;
    if (v == VENUE_PERP) {
        s = perp_add_account(perp, mode, leverage, &a);
        if (s == STATUS_OK && cash > 0) s = perp_deposit(perp, a, cash);
    } else {
        s = spot_add_account(spot, &a);
        if (s == STATUS_OK && cash > 0) s = spot_deposit_cash(spot, a, cash);
        if (s == STATUS_OK && asset > 0) s = spot_deposit_asset(spot, a, asset);
    }
    if (s == STATUS_OK) *out = a;
    return s;
}

static Status env_open_account(void *world, uint32_t pop, uint32_t agent, VenueKind v, MarginMode mode,
                               int32_t leverage, Quote cash, Lots asset, AccountId *out)
{
    World *w = world;
    AccountId a;
    Status s = world_venue_open_account(w->perp, w->spot, v, mode, leverage, cash, asset, &a);
    if (s == STATUS_OK) s = owner_set(v == VENUE_PERP ? &w->perp_owner : &w->spot_owner, a, pop, agent);
    if (s == STATUS_OK) *out = a;
    return s;
}

static Lots backstop_trampoline(void *ctx, const PerpBackstopOffer *o, Ticks *price)
{
    BackstopCtx *b = ctx;
    Population *p = &b->w->pops[b->pop];
    if (!p->ops->backstop_offer) return o->qty;
    return p->ops->backstop_offer(p->state, &b->w->env, b->agent, o, price);
}

static Status env_add_backstop(void *world, uint32_t pop, uint32_t agent, AccountId a)
{
    World *w = world;
    if (w->backstop_count == MAX_BACKSTOPS) return STATUS_FULL;
    BackstopCtx *b = &w->backstops[w->backstop_count];
    *b = (BackstopCtx){w, pop, agent};
    Status s = perp_add_backstop(w->perp, a, &(PerpBackstop){b, backstop_trampoline});
    if (s == STATUS_OK) w->backstop_count++;
    return s;
}

/* ---- venue listeners: route to the owners ---- */

static const OwnerTable *owners(const World *w, VenueKind v) { return v == VENUE_PERP ? &w->perp_owner : &w->spot_owner; }

/* Hands one side of an execution to the population owning the account (the world's own accounts have none). */
static void route_fill(World *w, const AgentFill *f)
{
    const Owner *o = owner_get(owners(w, f->venue), f->account);
    if (!o) return;
    Population *p = &w->pops[o->pop];
    if (p->ops->on_fill) p->ops->on_fill(p->state, &w->env, o->agent, f);
}

/* Both sides of one execution on venue v. */
static void route_trade(World *w, VenueKind v, Side aggressor, Ticks price, Lots qty, AccountId maker, AccountId taker,
                        OrderRef maker_ref, OrderRef taker_ref, Lots maker_rem, Lots taker_rem, uint64_t maker_tag,
                        uint64_t taker_tag)
{
    Side maker_side = aggressor == SIDE_BUY ? SIDE_SELL : SIDE_BUY;
    route_fill(w, &(AgentFill){v, maker, maker_side, price, qty, true, maker_ref, maker_rem, maker_tag, false});
    route_fill(w, &(AgentFill){v, taker, aggressor, price, qty, false, taker_ref, taker_rem, taker_tag, false});
}

static void route_order_done(World *w, VenueKind v, AccountId a, OrderRef ref, uint64_t tag, Lots remaining)
{
    const Owner *o = owner_get(owners(w, v), a);
    if (!o) return;
    Population *p = &w->pops[o->pop];
    if (p->ops->on_order_done) p->ops->on_order_done(p->state, &w->env, o->agent, v, ref, tag, remaining);
}

static void on_perp_trade(void *ctx, const PerpTrade *t)
{
    World *w = ctx;
    w->counts.perp_fills++;
    route_trade(w, VENUE_PERP, t->aggressor, t->price_tk, t->qty, t->maker, t->taker, t->maker_ref, t->taker_ref,
                t->maker_remaining, t->taker_remaining, t->maker_tag, t->taker_tag);
    if (w->observer.on_perp_trade) w->observer.on_perp_trade(w->observer.ctx, t);
}

static void on_perp_liquidation(void *ctx, const PerpLiqRecord *r)
{
    World *w = ctx;
    LiqEvent *e = &w->liq[(w->liq_head + w->liq_count) % LIQ_WINDOW];
    if (w->liq_count == LIQ_WINDOW) w->liq_head = (w->liq_head + 1u) % LIQ_WINDOW;
    else w->liq_count++;
    *e = (LiqEvent){r->time, (uint8_t)r->side, (double)money_notional(r->mark_tk, r->qty)};
    const Owner *o = owner_get(&w->perp_owner, r->account);
    if (o) {
        Population *p = &w->pops[o->pop];
        if (p->ops->on_liquidated) p->ops->on_liquidated(p->state, &w->env, o->agent, r);
    }
    if (w->observer.on_liquidation) w->observer.on_liquidation(w->observer.ctx, r);
}

static void on_perp_order_done(void *ctx, AccountId a, OrderRef ref, uint64_t tag, Lots remaining)
{
    route_order_done(ctx, VENUE_PERP, a, ref, tag, remaining);
}

static void on_spot_order_done(void *ctx, AccountId a, OrderRef ref, uint64_t tag, Lots remaining)
{
    route_order_done(ctx, VENUE_SPOT, a, ref, tag, remaining);
}

static void on_spot_trade(void *ctx, const SpotTrade *t)
{
    World *w = ctx;
    w->counts.spot_fills++;
    route_trade(w, VENUE_SPOT, t->aggressor, t->price_tk, t->qty, t->maker, t->taker, t->maker_ref, t->taker_ref,
                t->maker_remaining, t->taker_remaining, t->maker_tag, t->taker_tag);
    if (w->observer.on_spot_trade) w->observer.on_spot_trade(w->observer.ctx, w->env.now, t);
}

/* ---- building ---- */

static int32_t bps_i32(double bps) { return (int32_t)llround(bps); }

static Status fail(char *why, size_t cap, Status s, const char *msg)
{
    if (why && cap) snprintf(why, cap, "%s", msg);
    return s;
}

static Status perp_def_from(const WorldDef *d, int64_t quote_per_usd, Ticks p0, PerpDef *out)
{
    const PerpRulesDef *r = &d->market.perp;
    PerpDef p = perp_default_def();
    p.book.initial_center_tk = p0;
    /* 2^17 ticks: +-11 % at 60 k USD and a 0.1 USD tick, so that retail take-profit orders (median 4 % away) rest in
     * the dense window rather than the far store's sorted array; the window's memory is touched only where orders
     * rest (market/book.c, book_create) */
    p.book.window_ticks = BOOK_WINDOW_TICKS;
    p.book.order_capacity = 65536;
    p.ledger.table = margin_table_binance_btcusdt(quote_per_usd);
    p.mark.method = r->mark_method;
    p.funding.interval = r->funding_interval;
    p.funding.interest_e8 = llround(r->funding_interest_bps * 10000.0);
    p.funding.clamp_e8 = llround(r->funding_clamp_bps * 10000.0);
    p.funding.cap_e8 = llround(r->funding_cap_bps * 10000.0);
    p.funding.impact_notional = (Quote)llround(r->impact_notional_usd * (double)quote_per_usd);
    p.start = d->run.start;
    p.mark_period = r->mark_period;
    p.maker_fee_bps = bps_i32(r->maker_fee_bps);
    p.taker_fee_bps = bps_i32(r->taker_fee_bps);
    p.market_band_bps = bps_i32(r->market_band_bps);
    p.insurance_fund = (Quote)llround(r->insurance_fund_usd * (double)quote_per_usd);
    p.liq.mode = r->liq_mode;
    p.liq.fee_bps = bps_i32(r->liq_fee_bps);
    p.liq.tick = r->liq_tick;
    p.liq.max_orders_per_tick = r->liq_max_orders_per_tick;
    p.liq.max_notional_per_tick = (Quote)llround(r->liq_max_notional_usd_per_tick * (double)quote_per_usd);
    p.liq.ioc_retries = r->liq_ioc_retries;
    p.liq.band_bps = bps_i32(r->liq_band_bps);
    p.liq.adl = r->adl;
    p.liq.backstop_auction = r->backstop_auction;
    p.liq.generation_window = r->generation_window;
    p.policy.price_band_bps = bps_i32(r->price_band_bps);
    p.policy.max_leverage = r->max_leverage;
    p.policy.cb_move_bps = bps_i32(r->cb_move_pct * 100.0);
    p.policy.cb_window = r->cb_window;
    p.policy.cb_halt = r->cb_halt;
    p.policy.dyn_mmr = r->dyn_mmr;
    p.policy.dyn_max_factor_ppm = llround(r->dyn_max_factor * 1e6);
    *out = p;
    return STATUS_OK;
}

static Status make_populations(World *w)
{
    const WorldDef *d = &w->def;
    uint64_t seed = d->run.seed;
    Status s = STATUS_OK;
#define MAKE(idx, fn, def, ops_)                                                              \
    if (s == STATUS_OK && (def).count > 0) {                                                    \
        w->pops[idx].ops = &(ops_);                                                             \
        s = fn(&(def), &w->env, (idx), rng_stream(seed, (uint64_t)(idx) + 1u), &w->pops[idx].state); \
        if (s != STATUS_OK) w->pops[idx].ops = NULL;                                            \
    }
    MAKE(POP_MAKERS, maker_create, d->makers, maker_ops)
    MAKE(POP_SPOT_MAKERS, maker_create, d->spot_makers, maker_ops)
    MAKE(POP_NOISE, noise_create, d->noise, noise_ops)
    MAKE(POP_SPOT_NOISE, noise_create, d->spot_noise, noise_ops)
    MAKE(POP_VALUE, value_create, d->value, value_ops)
    MAKE(POP_ARBITRAGEURS, arbitrageur_create, d->arbitrageurs, arbitrageur_ops)
    MAKE(POP_LIQUIDATION_BOTS, liquidation_bot_create, d->liquidation_bots, liquidation_bot_ops)
    MAKE(POP_RETAIL, retail_create, d->retail, retail_ops)
#undef MAKE
    return s;
}

static double attention_factor(const AttentionDef *a, double vol_bps)
{
    double x = pow(vol_bps / a->ref_vol_bps, a->elasticity);
    return x < a->min ? a->min : (x > a->max ? a->max : x);
}

static void schedule_shock(World *w, uint32_t i, SimTime t)
{
    if (t > w->end) return;
    EvqHandle e = evq_push(&w->q, t, EV_SHOCK, i, 0);
    CASCADE_ASSERT(!evq_handle_is_null(e));
}

Status world_create(const WorldDef *def, World **out, char *why, size_t why_cap)
{
    *out = NULL;
    const MarketDef *m = &def->market;
    if (def->run.duration <= 0) return fail(why, why_cap, STATUS_INVALID, "run.duration must be > 0");
    if (def->fundamental.step <= 0 || (def->fundamental.vol_of_vol > 0 && def->fundamental.vol_tau <= 0))
        return fail(why, why_cap, STATUS_INVALID, "fundamental: step and (with vol_of_vol > 0) vol_tau must be > 0");
    /* config files already meet this (schema ranges, attention_validate); definitions built in code may not */
    const AttentionDef *att = &def->attention;
    if (!(att->elasticity >= 0) || (att->elasticity > 0 && (att->tau <= 0 || !(att->ref_vol_bps > 0) ||
                                                              !(att->min > 0) || !(att->max >= att->min))))
        return fail(why, why_cap, STATUS_INVALID, "attention: tau and ref_vol_bps must be > 0 and 0 < min <= max");
    if (!(m->tick_usd > 0) || !(m->lot_units > 0) || !(m->initial_price_usd > 0))
        return fail(why, why_cap, STATUS_INVALID, "market: tick_usd, lot_units and initial_price_usd must be > 0");
    double qpu = 1.0 / (m->tick_usd * m->lot_units);
    int64_t quote_per_usd = llround(qpu);
    if (quote_per_usd < 1 || fabs(qpu - (double)quote_per_usd) > 1e-6 * qpu)
        return fail(why, why_cap, STATUS_INVALID, "market: 1 / (tick_usd x lot_units) must be a whole number of quote units per USD");
    Ticks p0 = llround(m->initial_price_usd / m->tick_usd);
    if (p0 < 100 || p0 > (INT64_C(1) << 36))
        return fail(why, why_cap, STATUS_INVALID, "market: initial_price_usd / tick_usd must be in [100, 2^36] ticks");
    PerpDef pd;
    perp_def_from(def, quote_per_usd, p0, &pd);
    char pwhy[200] = "";
    if (perp_def_validate(&pd, pwhy, sizeof pwhy) != STATUS_OK) {
        if (why) snprintf(why, why_cap, "market.perp: %s", pwhy);
        return STATUS_INVALID;
    }

    World *w = mem_calloc(1, sizeof *w);
    if (!w) return STATUS_NOMEM;
    w->def = *def;
    w->end = def->run.start + def->run.duration;
    evq_init(&w->q);
    Status s = actions_grow(&w->actions, 1024);
    SpotDef sd = spot_default_def();
    sd.book.initial_center_tk = p0;
    sd.book.window_ticks = BOOK_WINDOW_TICKS;
    sd.book.order_capacity = 65536;
    sd.maker_fee_bps = bps_i32(m->spot_maker_fee_bps);
    sd.taker_fee_bps = bps_i32(m->spot_taker_fee_bps);
    if (s == STATUS_OK) s = spot_create(&sd, &w->spot);
    if (s == STATUS_OK) s = perp_create(&pd, &w->perp);
    w->marks = s == STATUS_OK ? mem_calloc(MARK_HISTORY, sizeof *w->marks) : NULL;
    if (s == STATUS_OK && !w->marks) s = STATUS_NOMEM;
    if (s != STATUS_OK) {
        world_destroy(w);
        return fail(why, why_cap, s, "cannot build the venues");
    }
    perp_set_listener(w->perp, &(PerpListener){w, on_perp_trade, on_perp_liquidation, on_perp_order_done});
    spot_set_listener(w->spot, &(SpotListener){w, on_spot_trade, on_spot_order_done});

    w->rng = rng_stream(def->run.seed, 0);
    w->env.world = w;
    w->env.ops = (AgentEnvOps){env_submit, env_cancel, env_cancel_all, env_add_margin, env_wake_at, env_open_account,
                               env_add_backstop};
    w->env.now = def->run.start;
    w->env.feed = &w->feed;
    w->env.perp = w->perp;
    w->env.spot = w->spot;
    w->env.profile = &w->def.profile;
    w->env.profile_peak = profile_max(&w->def.profile);
    w->env.quote_per_usd = (double)quote_per_usd;
    w->env.tick_usd = m->tick_usd;
    w->env.lot_units = m->lot_units;
    w->feed.attention = 1.0;
    w->env.attention_max = 0.0; /* off */
    if (def->attention.elasticity > 0) {
        w->env.attention_max = def->attention.max;
        w->feed.attention = attention_factor(&def->attention, def->attention.ref_vol_bps);
        w->attention_vol = def->attention.ref_vol_bps;
        w->attention_alpha = 1.0 - exp(-(double)m->index_period / (double)def->attention.tau);
    }
    w->log_fundamental = log((double)p0);
    w->index_glitch = 1.0;
    w->feed.fundamental = (double)p0;
    w->feed.index = p0;
    w->feed.perp_mark = p0;
    for (int h = 0; h < FEED_HORIZONS; h++) {
        w->feed.ema[h] = (double)p0;
        double tau_s = 60.0 * feed_horizon_min[h];
        w->ema_alpha[h] = 1.0 - exp(-(double)m->index_period / (double)SIMTIME_NS_PER_S / tau_s);
    }
    w->next_second = def->run.start;
    w->next_fundamental = def->run.start + def->fundamental.step;
    if (def->fundamental.vol_of_vol > 0)
        w->vol_decay = exp(-(double)def->fundamental.step / (double)def->fundamental.vol_tau);
    perp_set_index(w->perp, p0);

    /* The world's own accounts, for scenario shocks: deep enough never to bind. Leverage 1, which every venue cap
     * allows (10 used to fail a venue capped below 10x); with this deposit the setting never binds. */
    s = perp_add_account(w->perp, MARGIN_MODE_CROSS, 1, &w->shock_perp);
    if (s == STATUS_OK) s = perp_deposit(w->perp, w->shock_perp, (Quote)quote_per_usd * INT64_C(10000000000));
    if (s == STATUS_OK) s = spot_add_account(w->spot, &w->shock_spot);
    if (s == STATUS_OK) s = spot_deposit_asset(w->spot, w->shock_spot, INT64_C(100000000000));
    if (s == STATUS_OK) s = spot_deposit_cash(w->spot, w->shock_spot, (Quote)quote_per_usd * INT64_C(10000000000));
    if (s == STATUS_OK) s = make_populations(w);
    if (s != STATUS_OK) {
        world_destroy(w);
        return fail(why, why_cap, s, "cannot create the populations");
    }
    for (uint32_t i = 0; i < def->shock_count && i < WORLD_MAX_SHOCKS; i++) schedule_shock(w, i, def->run.start + def->shocks[i].at);
    *out = w;
    return STATUS_OK;
}

void world_destroy(World *w)
{
    if (!w) return;
    for (int i = 0; i < WORLD_POPULATIONS; i++) {
        if (w->pops[i].ops && w->pops[i].ops->destroy) w->pops[i].ops->destroy(w->pops[i].state);
    }
    perp_destroy(w->perp);
    spot_destroy(w->spot);
    evq_fini(&w->q);
    mem_free(w->actions.rec);
    mem_free(w->actions.free);
    mem_free(w->perp_owner.o);
    mem_free(w->spot_owner.o);
    mem_free(w->marks);
    mem_free(w);
}

void world_set_observer(World *w, const WorldObserver *o) { w->observer = *o; }

/* ---- the per-second step ---- */

static double mark_ago(const World *w, uint32_t seconds)
{
    if (seconds >= w->mark_count) return 0;
    uint32_t i = (w->mark_head + w->mark_count - 1u - seconds) % MARK_HISTORY;
    return w->marks[i];
}

static void update_feed(World *w, SimTime now)
{
    MarketFeed *f = &w->feed;
    const Book *pb = perp_book(w->perp), *sb = spot_book(w->spot);
    f->time = now;
    f->perp_last = book_last_price(pb);
    f->perp_mark = perp_mark(w->perp) > 0 ? perp_mark(w->perp) : f->index;
    f->perp_bid = book_best_bid(pb);
    f->perp_ask = book_best_ask(pb);
    f->spot_last = book_last_price(sb);
    f->spot_bid = book_best_bid(sb);
    f->spot_ask = book_best_ask(sb);
    double m = (double)f->perp_mark;
    double prev = w->mark_count ? mark_ago(w, 0) : m;
    /* history */
    uint32_t slot = (w->mark_head + w->mark_count) % MARK_HISTORY;
    if (w->mark_count == MARK_HISTORY) w->mark_head = (w->mark_head + 1u) % MARK_HISTORY;
    else w->mark_count++;
    w->marks[slot] = m;
    for (int h = 0; h < FEED_HORIZONS; h++) {
        f->ema[h] += (m - f->ema[h]) * w->ema_alpha[h];
        f->mark_then[h] = mark_ago(w, (uint32_t)feed_horizon_min[h] * 60u);
    }
    double r = prev > 0 ? log(m / prev) : 0;
    double sq = r * r;
    uint32_t k = w->sq_count;
    w->sum_short += sq - w->sq_short[k % VOL_SHORT];
    w->sq_short[k % VOL_SHORT] = sq;
    w->sum_long += sq - w->sq_long[k % VOL_LONG];
    w->sq_long[k % VOL_LONG] = sq;
    w->sq_count++;
    uint32_t ns = w->sq_count < VOL_SHORT ? w->sq_count : VOL_SHORT;
    uint32_t nl = w->sq_count < VOL_LONG ? w->sq_count : VOL_LONG;
    f->vol_1m = w->sum_short > 0 ? sqrt(w->sum_short / ns) : 0;
    f->vol_15m = w->sum_long > 0 ? sqrt(w->sum_long / nl) : 0;
    if (w->def.attention.elasticity > 0) {
        /* vol_1m scaled to a minute: it includes the mark's second-scale noise, so it reads above the minute's own
         * volatility. Smoothing the absolute 1-minute return instead made attention chase each crash minute and
         * fed runaway cascades (measured: kurtosis ~2000, clustering at 12-43 of 60 lags over 4 seeds). */
        w->attention_vol += (f->vol_1m * sqrt(60.0) * 1e4 - w->attention_vol) * w->attention_alpha;
        f->attention = attention_factor(&w->def.attention, w->attention_vol);
    }
    /* liquidation feed: the last 60 s */
    while (w->liq_count && w->liq[w->liq_head].time < now - 60 * SIMTIME_NS_PER_S) {
        w->liq_head = (w->liq_head + 1u) % LIQ_WINDOW;
        w->liq_count--;
    }
    f->liq_notional_60s[0] = f->liq_notional_60s[1] = 0;
    f->liq_count_60s[0] = f->liq_count_60s[1] = 0;
    for (uint32_t i = 0; i < w->liq_count; i++) {
        const LiqEvent *e = &w->liq[(w->liq_head + i) % LIQ_WINDOW];
        f->liq_notional_60s[e->side] += e->notional;
        f->liq_count_60s[e->side]++;
    }
    PerpStats ps = perp_stats(w->perp);
    f->backlog_items = ps.backlog_items;
    f->backlog_notional = ps.backlog_notional;
    f->open_interest = ledger_oi_long(perp_ledger(w->perp));
    f->funding_rate_e8 = ps.last_funding_e8;
    Ticks mid = f->perp_bid > 0 && f->perp_ask > 0 ? (f->perp_bid + f->perp_ask) / 2 : f->perp_last;
    f->premium_e8 = f->index > 0 && mid > 0
                        ? (int64_t)agent_llround(((double)mid - (double)f->index) / (double)f->index * 1e8)
                        : 0;
    f->halted = perp_halted(w->perp);
    f->fundamental = exp(w->log_fundamental);
}

/* A fundamental jump is public news: populations that read news hear of it once the feed shows the new value (the
 * caller has updated it). */
static void broadcast_news(World *w)
{
    for (int i = 0; i < WORLD_POPULATIONS; i++) {
        Population *p = &w->pops[i];
        if (p->ops && p->ops->on_news) p->ops->on_news(p->state, &w->env);
    }
}

static void second_step(World *w, SimTime t)
{
    w->env.now = t;
    if (t >= w->env.hour_until) { /* entering a new clock hour: the agents' wakes read its profile factor */
        w->env.hour_from = simtime_floor(t, SIMTIME_NS_PER_HOUR);
        w->env.hour_until = w->env.hour_from + SIMTIME_NS_PER_HOUR;
        w->env.hour_factor = profile_factor(w->env.profile, t);
    }
    const FundamentalDef *fd = &w->def.fundamental;
    bool news = false;
    while (w->next_fundamental <= t) {
        double dt_h = (double)fd->step / (double)SIMTIME_NS_PER_HOUR;
        double vol = fd->vol_per_sqrt_hour;
        if (fd->vol_of_vol > 0) {
            /* Exact OU step: the stationary sd stays vol_of_vol whatever the step. Drawn only when on, so runs
             * without stochastic volatility keep their random stream. */
            double decay = w->vol_decay;
            w->log_vol_dev = w->log_vol_dev * decay +
                             rng_normal(&w->rng, 0.0, fd->vol_of_vol * sqrt(1.0 - decay * decay));
            vol *= exp(w->log_vol_dev);
        }
        w->log_fundamental += rng_normal(&w->rng, 0.0, vol * sqrt(dt_h));
        if (fd->jumps_per_day > 0 && rng_bernoulli(&w->rng, fd->jumps_per_day * dt_h / 24.0)) {
            w->log_fundamental += rng_normal(&w->rng, 0.0, fd->jump_sd);
            news = true;
        }
        w->next_fundamental += fd->step;
    }
    Ticks idx = index_source_price(spot_book(w->spot), INDEX_SOURCE_MID);
    if (idx > 0) {
        Ticks shown = w->index_glitch == 1.0 ? idx : agent_price_offset(idx, w->index_glitch - 1.0);
        w->feed.index = shown;
        perp_set_index(w->perp, shown);
    }
    update_feed(w, t);
    if (news) broadcast_news(w);
    w->counts.venue_steps++;
    if (w->observer.on_second) w->observer.on_second(w->observer.ctx, w);
}

/* ---- events ---- */

static void run_action(World *w, PendingAction *a)
{
    Population *p = &w->pops[a->pop];
    if (a->kind == ACT_SUBMIT) {
        VenueResult r = {0};
        Status s = a->venue == VENUE_PERP ? perp_submit(w->perp, w->env.now, a->account, &a->req, &r)
                                          : spot_submit(w->spot, a->account, &a->req, &r);
        w->counts.submissions++;
        if (s != STATUS_OK) w->counts.rejects++;
        if (p->ops && p->ops->on_submitted) p->ops->on_submitted(p->state, &w->env, a->agent, a->venue, a->req.tag, s, &r);
    } else if (a->kind == ACT_CANCEL) {
        w->counts.cancels++;
        if (a->venue == VENUE_PERP) (void)perp_cancel(w->perp, w->env.now, a->account, a->ref);
        else (void)spot_cancel(w->spot, a->account, a->ref);
    } else {
        w->counts.cancels++;
        if (a->venue == VENUE_PERP) (void)perp_cancel_all(w->perp, w->env.now, a->account);
        else (void)spot_cancel_all(w->spot, a->account);
    }
}

static void shock_trade(World *w, const ShockDef *sh)
{
    Side side = sh->kind == SHOCK_SELL ? SIDE_SELL : SIDE_BUY;
    uint32_t slices = sh->slices ? sh->slices : 1u;
    double usd = sh->size_usd / (double)slices;
    Ticks px = sh->venue == VENUE_PERP ? perp_mark(w->perp) : w->feed.index;
    if (px <= 0) px = w->feed.index;
    Lots q = agent_lots_for(agent_usd_to_quote(&w->env, usd), px);
    if (q <= 0) return;
    VenueReq req = {ORDER_MARKET, side, 0, q, 0, 0, STOP_TRIGGER_LAST};
    VenueResult r;
    if (sh->venue == VENUE_PERP) (void)perp_submit(w->perp, w->env.now, w->shock_perp, &req, &r);
    else (void)spot_submit(w->spot, w->shock_spot, &req, &r);
}

static void run_shock(World *w, uint32_t i, uint64_t slice)
{
    const ShockDef *sh = &w->def.shocks[i];
    SimTime now = w->env.now;
    switch (sh->kind) {
    case SHOCK_SELL:
    case SHOCK_BUY: {
        shock_trade(w, sh);
        uint32_t slices = sh->slices ? sh->slices : 1u;
        if (slice + 1 < slices) {
            EvqHandle e = evq_push(&w->q, now + sh->span / slices, EV_SHOCK, i, slice + 1);
            CASCADE_ASSERT(!evq_handle_is_null(e));
            return;
        }
        break;
    }
    case SHOCK_FUNDAMENTAL_JUMP:
        w->log_fundamental += log1p(sh->pct / 100.0);
        w->feed.fundamental = exp(w->log_fundamental);
        broadcast_news(w);
        break;
    case SHOCK_INDEX_GLITCH:
        w->index_glitch = 1.0 + sh->pct / 100.0;
        (void)evq_push(&w->q, now + sh->span, EV_SHOCK_END, i, 0);
        break;
    case SHOCK_MAKER_OUTAGE:
        w->feed.maker_outage = true;
        (void)evq_push(&w->q, now + sh->span, EV_SHOCK_END, i, 0);
        break;
    default: break;
    }
    if (sh->poisson_per_day > 0) {
        double gap_days = rng_exponential(&w->rng, sh->poisson_per_day);
        schedule_shock(w, i, now + (SimDuration)(gap_days * (double)SIMTIME_NS_PER_DAY));
    }
}

static void dispatch(World *w, const Event *e)
{
    w->env.now = e->time;
    w->counts.events++;
    switch (e->kind) {
    case EV_WAKE: {
        Population *p = &w->pops[e->target];
        w->counts.wakes++;
        if (p->ops && p->ops->wake) p->ops->wake(p->state, &w->env, (uint32_t)e->data);
        break;
    }
    case EV_ACTION: {
        uint32_t i = (uint32_t)e->data;
        PendingAction a = w->actions.rec[i]; /* a copy: run_action may queue actions, which may move the records */
        actions_put(&w->actions, i);
        run_action(w, &a);
        break;
    }
    case EV_SHOCK: run_shock(w, e->target, e->data); break;
    case EV_SHOCK_END: {
        const ShockDef *sh = &w->def.shocks[e->target];
        if (sh->kind == SHOCK_INDEX_GLITCH) w->index_glitch = 1.0;
        if (sh->kind == SHOCK_MAKER_OUTAGE) w->feed.maker_outage = false;
        break;
    }
    default: CASCADE_ASSERT(!"unknown event kind");
    }
}

Status world_run_until(World *w, SimTime t)
{
    if (t > w->end) t = w->end;
    for (;;) {
        SimTime te = SIMTIME_MAX;
        if (!evq_peek_time(&w->q, &te)) te = SIMTIME_MAX;
        SimTime tp = perp_next_due(w->perp);
        SimTime ts = w->next_second;
        SimTime tmin = te < tp ? te : tp;
        if (ts < tmin) tmin = ts;
        if (tmin > t) break;
        if (ts == tmin) {
            second_step(w, ts);
            w->next_second += w->def.market.index_period;
        } else if (tp == tmin) {
            w->env.now = tp;
            perp_advance(w->perp, tp);
        } else {
            Event e;
            CASCADE_ASSERT(evq_pop(&w->q, &e));
            dispatch(w, &e);
        }
    }
    w->env.now = t;
    return STATUS_OK;
}

Status world_run(World *w) { return world_run_until(w, w->end); }

SimTime world_now(const World *w) { return w->env.now; }
SimTime world_end(const World *w) { return w->end; }
const PerpVenue *world_perp(const World *w) { return w->perp; }
const SpotVenue *world_spot(const World *w) { return w->spot; }
const MarketFeed *world_feed(const World *w) { return &w->feed; }
const WorldDef *world_def(const World *w) { return &w->def; }
WorldCounts world_counts(const World *w) { return w->counts; }

const void *world_population(const World *w, int pop)
{
    return pop >= 0 && pop < WORLD_POPULATIONS && w->pops[pop].ops ? w->pops[pop].state : NULL;
}

static int owner_of(const World *w, VenueKind v, AccountId a, uint32_t *agent)
{
    const Owner *o = owner_get(owners(w, v), a);
    if (!o) return -1;
    if (agent) *agent = o->agent;
    return (int)o->pop;
}

int world_perp_owner(const World *w, AccountId a, uint32_t *agent) { return owner_of(w, VENUE_PERP, a, agent); }
int world_spot_owner(const World *w, AccountId a, uint32_t *agent) { return owner_of(w, VENUE_SPOT, a, agent); }

Status world_check(const World *w, char *why, size_t cap)
{
    Status s = perp_check(w->perp, why, cap);
    if (s != STATUS_OK) return s;
    return spot_check(w->spot, why, cap);
}
