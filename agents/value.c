/* Value traders: see value.h and docs/agent_value.md.
 *
 * State: one ValueAgent per agent (account, capital, threshold, aggression, the estimate error and when it was last
 * advanced, the spot neutral holding). Orders are IOC only, so nothing rests and there is nothing to track between
 * decisions: the exposure is read back from the venue at each decision. */
#include "value.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <math.h>

typedef struct ValueAgent {
    AccountId account;
    double capital_usd;        /* W_i */
    double threshold;          /* theta_i, log units */
    double beta;
    double eps;                /* log estimate error */
    SimTime eps_time;          /* when eps was last advanced */
    Lots asset0;               /* spot: neutral asset holding */
} ValueAgent;

typedef struct ValuePop {
    ValueDef def;
    uint32_t id;
    Rng rng;
    AgentLatency latency;     /* def.latency with its log-median, ready to draw from */
    ValueAgent *agents;
    double rate_per_s;
    ValueStats stats;
} ValuePop;

ValueDef value_default_def(void)
{
    ValueDef d = {0};
    d.count = 30;
    d.venue = VENUE_SPOT;
    d.wake_per_hour = 12.0; /* one decision per agent every 5 min on average; 30 agents: 0.1 decisions/s */
    d.capital_usd = (DistDef){DIST_LOGNORMAL, 100000.0, 0.5, 10000.0, 1000000.0};
    d.asset_frac = 0.5;
    d.leverage = 2;
    d.estimate_sd = 0.01;
    d.estimate_tau = 6 * SIMTIME_NS_PER_HOUR;
    d.threshold_bps = (DistDef){DIST_UNIFORM, 50.0, 150.0, 0.0, 10000.0};
    d.aggression = (DistDef){DIST_UNIFORM, 5.0, 20.0, 0.0, 1000.0};
    d.max_exposure = 0.5;
    d.max_trade_frac = 0.1;
    d.unwind_frac = 0.25;
    d.latency = (LatencyDef){100.0, 0.5, 10.0};
    d.news_reaction = 0;
    return d;
}

/* ---- pure rule ---- */

double value_target_usd(const ValueRule *r, double m, double w_usd)
{
    if (m > r->threshold) return fmin(r->beta * (m - r->threshold), r->max_exposure) * w_usd;
    if (m < -r->threshold) return -fmin(r->beta * (-m - r->threshold), r->max_exposure) * w_usd;
    return 0.0;
}

double value_trade_usd(const ValueRule *r, double m, double x_usd, double w_usd)
{
    double target = value_target_usd(r, m, w_usd), trade;
    if (m > r->threshold) trade = fmax(0.0, target - x_usd);
    else if (m < -r->threshold) trade = fmin(0.0, target - x_usd);
    else trade = -r->unwind_frac * x_usd;
    double cap = r->max_trade_frac * w_usd;
    return trade > cap ? cap : (trade < -cap ? -cap : trade);
}

/* ---- market reads ---- */

static const Book *venue_book(const AgentEnv *env, VenueKind v)
{
    return v == VENUE_PERP ? perp_book(env->perp) : spot_book(env->spot);
}

/* The venue's mid, else its last trade; 0 when it has neither. */
static Ticks venue_price(const AgentEnv *env, VenueKind v)
{
    const Book *b = venue_book(env, v);
    Ticks bid = book_best_bid(b), ask = book_best_ask(b);
    if (bid > 0 && ask > 0) return bid + (ask - bid) / 2;
    return book_last_price(b);
}

static double fundamental(const AgentEnv *env)
{
    if (env->feed && env->feed->fundamental > 0) return env->feed->fundamental;
    if (env->feed && env->feed->index > 0) return (double)env->feed->index;
    return 0.0;
}

/* Advances eps_i to now: eps <- rho eps + sd sqrt(1 - rho^2) z, rho = exp(-dt / tau) (exact OU step). */
static void advance_estimate(ValuePop *p, ValueAgent *a, SimTime now)
{
    const ValueDef *d = &p->def;
    double rho = 0.0;
    if (d->estimate_tau > 0 && now > a->eps_time) rho = exp(-(double)(now - a->eps_time) / (double)d->estimate_tau);
    else if (d->estimate_tau > 0) rho = 1.0;
    double z = rng_normal(&p->rng, 0.0, 1.0);
    a->eps = rho * a->eps + d->estimate_sd * sqrt(fmax(0.0, 1.0 - rho * rho)) * z;
    a->eps_time = now;
}

/* ---- decision ---- */

static void decide(ValuePop *p, AgentEnv *env, uint32_t agent)
{
    const ValueDef *d = &p->def;
    ValueAgent *a = &p->agents[agent];
    p->stats.wakes++;
    advance_estimate(p, a, env->now);
    double f = fundamental(env);
    Ticks price = venue_price(env, d->venue);
    if (f <= 0 || price <= 0) return;
    if (d->venue == VENUE_PERP && perp_halted(env->perp)) return;
    double est = f * exp(a->eps);
    double m = log(est / (double)price);

    Lots pos = d->venue == VENUE_PERP ? ledger_qty(perp_ledger(env->perp), a->account)
                                      : spot_asset(env->spot, a->account) - a->asset0;
    double x_usd = (double)pos * (double)price / env->quote_per_usd;
    ValueRule rule = {a->threshold, a->beta, d->max_exposure, d->max_trade_frac, d->unwind_frac};
    double usd = value_trade_usd(&rule, m, x_usd, a->capital_usd);
    if (usd == 0.0) return;
    Side side = usd > 0 ? SIDE_BUY : SIDE_SELL;
    bool unwind = m >= -a->threshold && m <= a->threshold;

    /* limit: value less/plus the threshold outside the band, the touch when unwinding */
    const Book *b = venue_book(env, d->venue);
    Ticks limit;
    if (unwind) limit = side == SIDE_BUY ? book_best_ask(b) : book_best_bid(b);
    else if (side == SIDE_BUY) limit = (Ticks)agent_floor(est * exp(-a->threshold));
    else limit = (Ticks)agent_ceil(est * exp(a->threshold));
    if (limit <= 0) return;

    Lots qty = agent_lots_for(agent_usd_to_quote(env, fabs(usd)), limit);
    /* capital limits */
    if (d->venue == VENUE_SPOT) {
        Lots cap;
        if (side == SIDE_SELL) {
            cap = spot_free_asset(env->spot, a->account);
        } else {
            Quote per_lot = spot_hold_per_lot(env->spot, limit), cash = spot_free_cash(env->spot, a->account);
            cap = per_lot > 0 && cash > 0 ? cash / per_lot : 0;
        }
        if (qty > cap) qty = cap;
    } else {
        Lots closable = side == SIDE_BUY ? (pos < 0 ? -pos : 0) : (pos > 0 ? pos : 0);
        Quote free = perp_free_margin(env->perp, a->account);
        double open = free > 0 ? 0.9 * (double)free * (double)d->leverage / (double)limit : 0.0;
        Lots cap = closable + (Lots)agent_floor(open);
        if (qty > cap) qty = cap;
    }
    if (qty <= 0) return;

    VenueReq req = {.type = ORDER_IOC, .side = side, .price_tk = limit, .qty = qty, .tag = unwind ? 2u : 1u};
    Status s = agent_submit(env, p->id, agent, d->venue, a->account, &req, agent_latency(&p->rng, &p->latency));
    if (s != STATUS_OK) {
        p->stats.rejects++;
        return;
    }
    if (side == SIDE_BUY) p->stats.buys++;
    else p->stats.sells++;
    if (unwind) p->stats.unwinds++;
}

/* ---- population callbacks ---- */

static void schedule(ValuePop *p, AgentEnv *env)
{
    SimTime t = agent_poisson_next_env(&p->rng, env, p->rate_per_s);
    if (t != SIMTIME_MAX) agent_wake_at(env, p->id, AGENT_NONE, t);
}

static void wake(void *pop, AgentEnv *env, uint32_t agent)
{
    ValuePop *p = pop;
    if (agent == AGENT_NONE) {
        schedule(p, env);
        if (p->def.count == 0) return;
        agent = (uint32_t)rng_bounded(&p->rng, p->def.count);
    }
    if (agent < p->def.count) decide(p, env, agent);
}

static void on_submitted(void *pop, AgentEnv *env, uint32_t agent, VenueKind v, uint64_t tag, Status s,
                         const VenueResult *r)
{
    (void)env, (void)agent, (void)v, (void)tag, (void)r;
    if (s != STATUS_OK) ((ValuePop *)pop)->stats.rejects++;
}

static void on_fill(void *pop, AgentEnv *env, uint32_t agent, const AgentFill *f)
{
    (void)env, (void)agent;
    ValuePop *p = pop;
    p->stats.fills++;
    if (f->side == SIDE_BUY) p->stats.bought += f->qty;
    else p->stats.sold += f->qty;
}

static void on_order_done(void *pop, AgentEnv *env, uint32_t agent, VenueKind v, OrderRef ref, uint64_t tag,
                          Lots remaining)
{
    (void)pop, (void)env, (void)agent, (void)v, (void)ref, (void)tag, (void)remaining;
}

static void on_liquidated(void *pop, AgentEnv *env, uint32_t agent, const PerpLiqRecord *rec)
{
    (void)env, (void)agent, (void)rec;
    ((ValuePop *)pop)->stats.liquidations++;
}

static void destroy(void *pop)
{
    ValuePop *p = pop;
    if (!p) return;
    mem_free(p->agents);
    mem_free(p);
}

Status value_create(const ValueDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out)
{
    if (!def || !env || !out) return STATUS_INVALID;
    if (def->count > 0 && (def->wake_per_hour < 0 || def->leverage < 1 || def->estimate_sd < 0 ||
                           def->asset_frac < 0 || def->asset_frac > 1))
        return STATUS_INVALID;
    ValuePop *p = mem_calloc(1, sizeof *p);
    if (!p) return STATUS_NOMEM;
    p->def = *def;
    p->id = pop_id;
    p->rng = rng;
    p->latency = agent_latency_model(&p->def.latency);
    p->rate_per_s = (double)def->count * def->wake_per_hour / 3600.0;
    if (def->count > 0 && !(p->agents = mem_calloc(def->count, sizeof *p->agents))) {
        destroy(p);
        return STATUS_NOMEM;
    }
    Ticks price = venue_price(env, def->venue);
    if (price <= 0 && env->feed) price = env->feed->index;
    if (price <= 0) price = (Ticks)llround(fundamental(env));
    for (uint32_t i = 0; i < def->count; i++) {
        ValueAgent *a = &p->agents[i];
        a->capital_usd = dist_draw(&p->rng, &def->capital_usd);
        a->threshold = dist_draw(&p->rng, &def->threshold_bps) / 10000.0;
        a->beta = dist_draw(&p->rng, &def->aggression);
        a->eps = rng_normal(&p->rng, 0.0, def->estimate_sd);
        a->eps_time = env->now;
        Status s;
        if (def->venue == VENUE_PERP) {
            s = env->ops.open_account(env->world, pop_id, i, VENUE_PERP, MARGIN_MODE_CROSS, def->leverage,
                                      agent_usd_to_quote(env, a->capital_usd), 0, &a->account);
        } else {
            double in_asset = def->asset_frac * a->capital_usd;
            a->asset0 = price > 0 ? agent_lots_for(agent_usd_to_quote(env, in_asset), price) : 0;
            s = env->ops.open_account(env->world, pop_id, i, VENUE_SPOT, MARGIN_MODE_CROSS, 1,
                                      agent_usd_to_quote(env, a->capital_usd - in_asset), a->asset0, &a->account);
        }
        if (s != STATUS_OK) {
            destroy(p);
            return s;
        }
    }
    if (def->count > 0) schedule(p, env);
    *out = p;
    return STATUS_OK;
}

ValueStats value_stats(const void *pop) { return ((const ValuePop *)pop)->stats; }

AccountId value_account(const void *pop, uint32_t agent)
{
    const ValuePop *p = pop;
    CASCADE_ASSERT(agent < p->def.count);
    return p->agents[agent].account;
}

double value_estimate_error(const void *pop, uint32_t agent)
{
    const ValuePop *p = pop;
    CASCADE_ASSERT(agent < p->def.count);
    return p->agents[agent].eps;
}

/* News: every agent reads it and decides after its own reaction time (exponential, mean news_reaction), on top of its
 * routine wakes. Without it a jump reaches the price only as fast as routine wakes come, minutes, and the slow
 * incorporation shows as return momentum. */
static void on_news(void *pop, AgentEnv *env)
{
    ValuePop *p = pop;
    if (p->def.news_reaction <= 0) return;
    for (uint32_t i = 0; i < p->def.count; i++) {
        /* a unit exponential double stays below 40, so with news_reaction <= 1 h (config) the delay fits */
        SimDuration delay = (SimDuration)(rng_exponential(&p->rng, 1.0) * (double)p->def.news_reaction);
        agent_wake_at(env, p->id, i, env->now + delay);
    }
}

const PopulationOps value_ops = {"value", wake, on_submitted, on_fill, on_order_done, on_liquidated, NULL, destroy,
                                 on_news};
