/* Zero-intelligence noise traders: see noise.h and docs/agent_noise.md.
 *
 * State: one NoiseAgent per agent (account, initial asset holding) and a flat array of count x max_orders order
 * slots. A slot is free (tag 0), in flight (tag set, ref ORDER_REF_NONE: submitted, not yet at the venue) or resting
 * (ref known). Tags are unique for the block's lifetime (a counter), so a late report about an order whose slot has
 * since been reused finds nothing and is ignored. A limit order's tag also carries its slot index, so a report finds
 * its slot without a scan (the scans were ~1 % of equity_day's loop); other tags never name a slot. */
#include "noise.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <math.h>

enum { TAG_LIMIT = 1, TAG_MARKET = 2, TAG_REBALANCE = 3 };
#define TAG_KIND(tag) ((uint32_t)((tag) & 3u))
#define TAG_SLOT(tag) ((uint32_t)(((tag) >> 2) & 0xffu)) /* a limit order's slot (max_orders <= 256) */

typedef struct NoiseOrder {
    uint64_t tag;              /* 0 = free */
    OrderRef ref;              /* ORDER_REF_NONE while in flight */
    SimTime placed;            /* when the agent sent it */
} NoiseOrder;

typedef struct NoiseAgent {
    AccountId account;
    Lots asset0;               /* spot: the initial asset holding (inventory is measured from it) */
    SimTime expiry_bound;      /* no resting order expires before this (a lower bound; SIMTIME_MAX: none rests) */
} NoiseAgent;

typedef struct NoisePop {
    NoiseDef def;
    uint32_t id;
    Rng rng;
    NoiseAgent *agents;
    NoiseOrder *slots;         /* agent i owns slots[i * max_orders, (i + 1) * max_orders) */
    uint64_t next_seq;
    double rate_per_s;         /* the population's rate at profile factor 1 */
    /* log-medians of the fixed distributions drawn on every event (log(a) once instead of per draw) */
    double log_offset, log_size;
    AgentLatency latency;      /* def.latency with its log-median */
    NoiseStats stats;
} NoisePop;

/* ---- defaults ---- */

NoiseDef noise_default_def(void)
{
    NoiseDef d = {0};
    d.count = 50;
    d.venue = VENUE_PERP;
    d.rate_per_hour = 180.0; /* 50 x 180 / 3600 = 2.5 events/s */
    d.p_limit = 0.60;
    d.p_market = 0.25;
    d.p_cancel = 0.15;
    d.offset_bps = (DistDef){DIST_LOGNORMAL, 10.0, 1.0, 0.5, 300.0};
    d.size_usd = (DistDef){DIST_LOGNORMAL, 1500.0, 0.8, 100.0, 25000.0};
    d.cash_usd = 20000.0;
    d.asset_usd = 0.0;
    d.leverage = 3;
    d.max_position_usd = 15000.0;
    d.rebalance_to = 0.5;
    d.inventory_skew = 0.5;
    d.max_orders = 8;
    d.max_order_age = 10 * SIMTIME_NS_PER_MIN;
    d.latency = (LatencyDef){50.0, 0.5, 5.0};
    return d;
}

NoiseDef noise_default_spot_def(void)
{
    NoiseDef d = noise_default_def();
    d.venue = VENUE_SPOT;
    d.asset_usd = 20000.0;
    d.leverage = 1;
    return d;
}

/* ---- pure rules ---- */

double noise_buy_prob(double inv_usd, double max_usd, double skew)
{
    double x = max_usd > 0 ? inv_usd / max_usd : 0.0;
    if (x > 1.0) x = 1.0;
    if (x < -1.0) x = -1.0;
    double p = 0.5 * (1.0 - skew * x);
    return p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);
}

Ticks noise_limit_price(Ticks ref_tk, Side side, double offset_bps)
{
    double f = offset_bps / 10000.0;
    double p = side == SIDE_BUY ? agent_floor((double)ref_tk * (1.0 - f)) : agent_ceil((double)ref_tk * (1.0 + f));
    if (p < 1.0) p = 1.0;
    if (p > 9e18) p = 9e18;
    return (Ticks)p;
}

Lots noise_rebalance_lots(Lots inv, Lots bound, double rebalance_to)
{
    Lots a = inv < 0 ? -inv : inv;
    if (a <= bound) return 0;
    Lots keep = (Lots)agent_floor(rebalance_to * (double)bound);
    if (keep < 0) keep = 0;
    return a - keep;
}

/* ---- market reads ---- */

static const Book *venue_book(const AgentEnv *env, VenueKind v)
{
    return v == VENUE_PERP ? perp_book(env->perp) : spot_book(env->spot);
}

/* Mid of the venue's book; with a side empty its last trade, else the side that exists, else the index. */
static Ticks reference_price(const AgentEnv *env, VenueKind v)
{
    const Book *b = venue_book(env, v);
    Ticks bid = book_best_bid(b), ask = book_best_ask(b);
    if (bid > 0 && ask > 0) return bid + (ask - bid) / 2;
    Ticks last = book_last_price(b);
    if (last > 0) return last;
    if (bid > 0) return bid;
    if (ask > 0) return ask;
    if (env->feed && env->feed->index > 0) return env->feed->index;
    if (v == VENUE_PERP && perp_mark(env->perp) > 0) return perp_mark(env->perp);
    return 0;
}

/* Signed inventory in lots: the perp position, or the spot asset held above the initial holding. */
static Lots inventory(const NoisePop *p, const AgentEnv *env, const NoiseAgent *a)
{
    if (p->def.venue == VENUE_PERP) return ledger_qty(perp_ledger(env->perp), a->account);
    return spot_asset(env->spot, a->account) - a->asset0;
}

/* The most lots the account can send on `side` at `price` without a venue refusal (approximately on the perp
 * venue: free margin x leverage with a 10 % cushion, plus whatever closes the position). */
static Lots affordable(const NoisePop *p, const AgentEnv *env, const NoiseAgent *a, Side side, Ticks price)
{
    if (price <= 0) return 0;
    if (p->def.venue == VENUE_SPOT) {
        if (side == SIDE_SELL) return spot_free_asset(env->spot, a->account);
        Quote per_lot = spot_hold_per_lot(env->spot, price);
        Quote cash = spot_free_cash(env->spot, a->account);
        return per_lot > 0 && cash > 0 ? cash / per_lot : 0;
    }
    Lots pos = ledger_qty(perp_ledger(env->perp), a->account);
    Lots closable = side == SIDE_BUY ? (pos < 0 ? -pos : 0) : (pos > 0 ? pos : 0);
    Quote free = perp_free_margin(env->perp, a->account);
    double open = free > 0 ? 0.9 * (double)free * (double)p->def.leverage / (double)price : 0.0;
    return closable + (Lots)agent_floor(open);
}

/* ---- order slots ---- */

static NoiseOrder *slots_of(NoisePop *p, uint32_t agent) { return p->slots + (size_t)agent * p->def.max_orders; }

static NoiseOrder *slot_by_tag(NoisePop *p, uint32_t agent, uint64_t tag)
{
    if (agent >= p->def.count || TAG_KIND(tag) != TAG_LIMIT || TAG_SLOT(tag) >= p->def.max_orders) return NULL;
    NoiseOrder *o = &slots_of(p, agent)[TAG_SLOT(tag)];
    return o->tag == tag ? o : NULL;
}

static void slot_free(NoiseOrder *o) { *o = (NoiseOrder){0}; }

/* A fresh tag: a counter (unique for the block's lifetime), the slot of a limit order (else 0), the kind. */
static uint64_t new_tag(NoisePop *p, uint32_t slot, uint32_t kind)
{
    CASCADE_ASSERT(slot <= 0xffu);
    return (++p->next_seq << 10) | ((uint64_t)slot << 2) | kind;
}

static void cancel_slot(NoisePop *p, AgentEnv *env, uint32_t agent, NoiseOrder *o)
{
    CASCADE_ASSERT(o->ref != ORDER_REF_NONE);
    agent_cancel(env, p->id, agent, p->def.venue, p->agents[agent].account, o->ref,
                 agent_latency(&p->rng, &p->latency));
    slot_free(o);
}

/* A free slot for a new limit order: a free one, else the oldest resting order is cancelled to make room; NULL
 * when every slot is in flight. */
static NoiseOrder *slot_for_new(NoisePop *p, AgentEnv *env, uint32_t agent)
{
    NoiseOrder *s = slots_of(p, agent), *oldest = NULL;
    for (uint32_t k = 0; k < p->def.max_orders; k++) {
        if (s[k].tag == 0) return &s[k];
        if (s[k].ref != ORDER_REF_NONE && (!oldest || s[k].placed < oldest->placed)) oldest = &s[k];
    }
    if (!oldest) return NULL;
    cancel_slot(p, env, agent, oldest);
    p->stats.cancels++;
    return oldest;
}

/* When an order placed at `placed` reaches max_order_age (saturating). */
static SimTime expiry_of(const NoisePop *p, SimTime placed)
{
    SimTime t;
    return __builtin_add_overflow(placed, p->def.max_order_age, &t) ? SIMTIME_MAX : t;
}

/* Cancels the agent's resting orders that reached max_order_age. Most events find none: the agent's expiry bound
 * answers that without scanning its slots (the scan was 1.4 % of equity_day's loop). The scan, when it runs, cancels
 * in slot order as before and tightens the bound to the earliest expiry still resting. */
static void expire(NoisePop *p, AgentEnv *env, uint32_t agent)
{
    NoiseAgent *a = &p->agents[agent];
    if (env->now < a->expiry_bound) return;
    NoiseOrder *s = slots_of(p, agent);
    SimTime bound = SIMTIME_MAX;
    for (uint32_t k = 0; k < p->def.max_orders; k++) {
        if (s[k].ref == ORDER_REF_NONE) continue;
        if (env->now - s[k].placed < p->def.max_order_age) {
            SimTime t = expiry_of(p, s[k].placed);
            if (t < bound) bound = t;
            continue;
        }
        cancel_slot(p, env, agent, &s[k]);
        p->stats.expiries++;
    }
    a->expiry_bound = bound;
}

/* ---- actions ---- */

static Status submit(NoisePop *p, AgentEnv *env, uint32_t agent, const VenueReq *req)
{
    Status s = agent_submit(env, p->id, agent, p->def.venue, p->agents[agent].account, req,
                            agent_latency(&p->rng, &p->latency));
    if (s != STATUS_OK) {
        p->stats.rejects++;
        return s;
    }
    if (req->side == SIDE_BUY) p->stats.buy_orders++;
    else p->stats.sell_orders++;
    return STATUS_OK;
}

static Lots size_lots(NoisePop *p, const AgentEnv *env, Ticks price)
{
    Lots q = agent_lots_for(agent_usd_to_quote(env, dist_draw_log_a(&p->rng, &p->def.size_usd, p->log_size)), price);
    return q < 1 ? 1 : q;
}

static void send_market(NoisePop *p, AgentEnv *env, uint32_t agent, Side side, Lots qty, uint32_t kind,
                        Ticks ref)
{
    const NoiseAgent *a = &p->agents[agent];
    /* what the order could cost at worst: the spot venue's protection price, ~5 % through the touch on the perp */
    Ticks worst = p->def.venue == VENUE_SPOT ? spot_protection_price(env->spot, side)
                                             : agent_price_offset(ref, side == SIDE_BUY ? 0.05 : 0.0);
    Lots cap = affordable(p, env, a, side, worst);
    if (qty > cap) qty = cap;
    if (qty <= 0) return;
    VenueReq req = {.type = ORDER_MARKET, .side = side, .qty = qty, .tag = new_tag(p, 0, kind)};
    if (kind == TAG_REBALANCE && p->def.venue == VENUE_PERP) req.flags = ORDER_FLAG_REDUCE_ONLY;
    (void)submit(p, env, agent, &req);
}

static void act(NoisePop *p, AgentEnv *env, uint32_t agent)
{
    const NoiseDef *d = &p->def;
    NoiseAgent *a = &p->agents[agent];
    p->stats.events++;
    expire(p, env, agent);
    Ticks ref = reference_price(env, d->venue);
    if (ref <= 0) return;
    bool halted = d->venue == VENUE_PERP && perp_halted(env->perp);
    const Book *book = venue_book(env, d->venue);

    /* inventory bound: trade back toward flat and do nothing else */
    Lots inv = inventory(p, env, a);
    Lots bound = agent_lots_for(agent_usd_to_quote(env, d->max_position_usd), ref);
    Lots back = noise_rebalance_lots(inv, bound, d->rebalance_to);
    if (back > 0) {
        if (halted) return;
        Side side = inv > 0 ? SIDE_SELL : SIDE_BUY;
        if ((side == SIDE_BUY ? book_best_ask(book) : book_best_bid(book)) <= 0) return;
        p->stats.rebalances++;
        send_market(p, env, agent, side, back, TAG_REBALANCE, ref);
        return;
    }

    double inv_usd = (double)inv * (double)ref / env->quote_per_usd;
    Side side = rng_bernoulli(&p->rng, noise_buy_prob(inv_usd, d->max_position_usd, d->inventory_skew)) ? SIDE_BUY
                                                                                                     : SIDE_SELL;
    double total = d->p_limit + d->p_market + d->p_cancel;
    double u = rng_uniform(&p->rng) * total;
    if (u < d->p_limit) {
        Ticks price = noise_limit_price(ref, side, dist_draw_log_a(&p->rng, &d->offset_bps, p->log_offset));
        Lots qty = size_lots(p, env, price);
        Lots cap = affordable(p, env, a, side, price);
        if (qty > cap) qty = cap;
        if (qty <= 0) return;
        NoiseOrder *o = slot_for_new(p, env, agent);
        if (!o) return;
        VenueReq req = {.type = ORDER_LIMIT, .side = side, .price_tk = price, .qty = qty, .tag = new_tag(p, (uint32_t)(o - slots_of(p, agent)), TAG_LIMIT)};
        *o = (NoiseOrder){req.tag, ORDER_REF_NONE, env->now};
        p->stats.limits++;
        if (submit(p, env, agent, &req) != STATUS_OK) slot_free(o);
    } else if (u < d->p_limit + d->p_market) {
        if (halted || (side == SIDE_BUY ? book_best_ask(book) : book_best_bid(book)) <= 0) return;
        p->stats.markets++;
        send_market(p, env, agent, side, size_lots(p, env, ref), TAG_MARKET, ref);
    } else {
        /* cancel one resting order chosen uniformly */
        NoiseOrder *s = slots_of(p, agent);
        uint32_t live = 0;
        for (uint32_t k = 0; k < d->max_orders; k++) live += s[k].ref != ORDER_REF_NONE;
        if (live == 0) return;
        uint32_t pick = (uint32_t)rng_bounded(&p->rng, live);
        for (uint32_t k = 0; k < d->max_orders; k++) {
            if (s[k].ref == ORDER_REF_NONE) continue;
            if (pick-- == 0) {
                cancel_slot(p, env, agent, &s[k]);
                p->stats.cancels++;
                break;
            }
        }
    }
}

/* ---- population callbacks ---- */

static void schedule(NoisePop *p, AgentEnv *env)
{
    SimTime t = agent_poisson_next_env(&p->rng, env, p->rate_per_s * agent_attention_bound(env));
    if (t != SIMTIME_MAX) agent_wake_at(env, p->id, AGENT_NONE, t);
}

static void wake(void *pop, AgentEnv *env, uint32_t agent)
{
    NoisePop *p = pop;
    if (agent == AGENT_NONE) {
        schedule(p, env);
        if (p->def.count == 0 || !agent_attention_pass(env, &p->rng)) return;
        agent = (uint32_t)rng_bounded(&p->rng, p->def.count);
    }
    if (agent < p->def.count) act(p, env, agent);
}

static void on_submitted(void *pop, AgentEnv *env, uint32_t agent, VenueKind v, uint64_t tag, Status s,
                         const VenueResult *r)
{
    (void)env, (void)v;
    NoisePop *p = pop;
    if (s != STATUS_OK) p->stats.rejects++;
    NoiseOrder *o = slot_by_tag(p, agent, tag);
    if (!o) return;
    if (s != STATUS_OK || !r || r->ref == ORDER_REF_NONE) {
        slot_free(o);
        return;
    }
    o->ref = r->ref;
    NoiseAgent *a = &p->agents[agent];
    SimTime t = expiry_of(p, o->placed);
    if (t < a->expiry_bound) a->expiry_bound = t;
}

static void on_fill(void *pop, AgentEnv *env, uint32_t agent, const AgentFill *f)
{
    (void)env;
    NoisePop *p = pop;
    p->stats.fills++;
    p->stats.volume += f->qty;
    if (f->remaining > 0 && f->ref != ORDER_REF_NONE) return;
    NoiseOrder *o = slot_by_tag(p, agent, f->tag);
    if (o) slot_free(o);
}

static void on_order_done(void *pop, AgentEnv *env, uint32_t agent, VenueKind v, OrderRef ref, uint64_t tag,
                          Lots remaining)
{
    (void)env, (void)v, (void)ref, (void)remaining;
    NoiseOrder *o = slot_by_tag(pop, agent, tag);
    if (o) slot_free(o);
}

static void on_liquidated(void *pop, AgentEnv *env, uint32_t agent, const PerpLiqRecord *rec)
{
    (void)env, (void)agent, (void)rec;
    ((NoisePop *)pop)->stats.liquidations++;
}

static void destroy(void *pop)
{
    NoisePop *p = pop;
    if (!p) return;
    mem_free(p->agents);
    mem_free(p->slots);
    mem_free(p);
}

Status noise_create(const NoiseDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out)
{
    if (!def || !env || !out) return STATUS_INVALID;
    if (def->count > 0 && (def->max_orders == 0 || def->max_orders > 256 || def->rate_per_hour < 0 ||
                           def->p_limit + def->p_market + def->p_cancel <= 0 || def->leverage < 1))
        return STATUS_INVALID;
    NoisePop *p = mem_calloc(1, sizeof *p);
    if (!p) return STATUS_NOMEM;
    p->def = *def;
    p->id = pop_id;
    p->rng = rng;
    p->rate_per_s = (double)def->count * def->rate_per_hour / 3600.0;
    p->log_offset = dist_log_a(&def->offset_bps);
    p->log_size = dist_log_a(&def->size_usd);
    p->latency = agent_latency_model(&def->latency);
    if (def->count > 0) {
        p->agents = mem_calloc(def->count, sizeof *p->agents);
        p->slots = mem_calloc((size_t)def->count * def->max_orders, sizeof *p->slots);
        if (!p->agents || !p->slots) goto nomem;
    }
    Ticks price = reference_price(env, def->venue);
    Quote cash = agent_usd_to_quote(env, def->cash_usd);
    Lots asset = def->venue == VENUE_SPOT && price > 0 ? agent_lots_for(agent_usd_to_quote(env, def->asset_usd), price)
                                                       : 0;
    for (uint32_t i = 0; i < def->count; i++) {
        NoiseAgent *a = &p->agents[i];
        Status s = def->venue == VENUE_PERP
                       ? env->ops.open_account(env->world, pop_id, i, VENUE_PERP, MARGIN_MODE_CROSS, def->leverage,
                                               cash, 0, &a->account)
                       : env->ops.open_account(env->world, pop_id, i, VENUE_SPOT, MARGIN_MODE_CROSS, 1, cash, asset,
                                               &a->account);
        if (s != STATUS_OK) {
            destroy(p);
            return s;
        }
        a->asset0 = def->venue == VENUE_SPOT ? asset : 0;
        a->expiry_bound = SIMTIME_MAX;
    }
    if (def->count > 0) schedule(p, env);
    *out = p;
    return STATUS_OK;
nomem:
    destroy(p);
    return STATUS_NOMEM;
}

NoiseStats noise_stats(const void *pop) { return ((const NoisePop *)pop)->stats; }

AccountId noise_account(const void *pop, uint32_t agent)
{
    const NoisePop *p = pop;
    CASCADE_ASSERT(agent < p->def.count);
    return p->agents[agent].account;
}

const PopulationOps noise_ops = {"noise", wake, on_submitted, on_fill, on_order_done, on_liquidated, NULL, destroy, NULL};
