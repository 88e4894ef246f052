/* The liquidation-bot population: backstop takers, discount providers and predatory hunters in one block. See
 * liquidation_bot.h and docs/agent_liquidation_bot.md.
 *
 * One plain struct per agent, the type fixed at creation (largest-remainder quotas of the shares, in type order,
 * so a small block still gets every type it asks for). Positions are never mirrored: each wake reads the bot's own
 * ledger entry (quantity and entry cost), so inventory that arrives through a backstop transfer (which sends no
 * fill) is seen the same way as inventory bought in the book. Information used: the MarketFeed, the books' tops,
 * the mark, the bot's own account. Nothing about any other account. */
#include "liquidation_bot.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <math.h>

enum { LB_TAG_LADDER = 1, LB_TAG_UNWIND = 2, LB_TAG_PUSH = 3, LB_TAG_COVER = 4 };
enum { HUNT_IDLE = 0, HUNT_PUSHED = 1 };

#define LB_OI_TAU_S (4.0 * 3600.0) /* time constant of the hunters' open-interest average */

typedef struct LiqBot {
    AccountId acct;
    uint8_t type;             /* LiqBotType */
    uint8_t hunt;             /* HUNT_* */
    int8_t hunt_dir;          /* +1 pushed down (short), -1 pushed up (long) */
    bool quoting;
    Side quote_side;
    uint32_t inflight;        /* submissions still travelling */
    Quote capital;            /* collateral deposited (quote units) */
    double backstop_disc_bps;
    double ladder_disc_bps;
    double crowd_leverage;    /* hunters: the crowd's leverage it assumes */
    SimTime quotes_until;     /* the ladder's cancel time */
    SimTime inv_since;        /* when the current inventory was first seen (0: flat) */
    SimTime hunt_since, cooldown_until;
    double hunt_cluster;      /* ticks */
    double hunt_entry;        /* mark at the push (ticks) */
    Ticks cover_px;           /* price of the resting cover order */
} LiqBot;

typedef struct LiqBotPop {
    LiqBotDef def;
    uint32_t id;
    Rng rng;
    AgentLatency latency;     /* def.latency with its log-median, ready to draw from */
    uint32_t count;
    LiqBot *b;
    double trig_liq, trig_backlog, min_oi; /* quote units */
    double oi_avg;            /* hunters' slow average of open interest (lots) */
    SimTime oi_time;          /* 0 before the first observation */
    uint64_t offers, offered_lots, ladders, pushes, covers, unwinds, liquidations;
} LiqBotPop;

LiqBotDef liquidation_bot_default_def(void)
{
    LiqBotDef d = {0};
    d.count = 6;
    d.venue = VENUE_PERP;
    d.share_backstop = 0.4;
    d.share_discount = 0.4;
    d.share_hunter = 0.2;
    d.capital_usd = (DistDef){DIST_LOGNORMAL, 1e6, 0.7, 5e4, 2e7};
    d.leverage = 5;
    d.max_exposure = 2.0;
    d.interval = SIMTIME_NS_PER_S;
    d.jitter = 0.5;
    d.latency = (LatencyDef){10.0, 0.5, 1.0};
    d.slippage_bps = 10.0;
    d.take_profit_bps = 30.0;
    d.max_hold = 30 * SIMTIME_NS_PER_MIN;
    d.unwind_share = 0.25;
    d.backstop_discount_bps = (DistDef){DIST_UNIFORM, 30.0, 100.0, 0.0, 2000.0};
    d.trigger_liq_usd = 250000.0;
    d.trigger_backlog_usd = 250000.0;
    d.discount_bps = (DistDef){DIST_UNIFORM, 50.0, 150.0, 0.0, 2000.0};
    d.levels = 5;
    d.level_step_bps = 50.0;
    d.quote_share = 0.5;
    d.quote_ttl = 60 * SIMTIME_NS_PER_S;
    d.typical_leverage = (DistDef){DIST_UNIFORM, 10.0, 30.0, 1.0, 125.0};
    d.assumed_mmr = 0.005;
    d.cluster_band_pct = 1.0;
    d.min_density = 0.6;
    d.trigger_distance_pct = 3.0;
    d.oi_ratio = 1.0;
    d.min_oi_usd = 1e6;
    d.push_share = 0.25;
    d.overshoot_bps = 20.0;
    d.stop_bps = 100.0;
    d.hunt_max = 10 * SIMTIME_NS_PER_MIN;
    d.hunt_cooldown = 30 * SIMTIME_NS_PER_MIN;
    return d;
}

/* ---- pure rules ---- */

void liqbot_type_counts(const LiqBotDef *def, uint32_t out[LIQBOT_TYPE_COUNT_])
{
    double share[LIQBOT_TYPE_COUNT_] = {def->share_backstop, def->share_discount, def->share_hunter};
    double sum = 0;
    for (int t = 0; t < LIQBOT_TYPE_COUNT_; t++) sum += share[t] > 0 ? share[t] : 0;
    uint32_t given = 0;
    double rem[LIQBOT_TYPE_COUNT_];
    for (int t = 0; t < LIQBOT_TYPE_COUNT_; t++) {
        double exact = sum > 0 && share[t] > 0 ? (double)def->count * share[t] / sum : 0;
        out[t] = (uint32_t)floor(exact);
        rem[t] = exact - floor(exact);
        given += out[t];
    }
    if (sum <= 0) { /* no mix given: all backstop takers */
        out[LIQBOT_BACKSTOP] = def->count;
        return;
    }
    while (given < def->count) {
        int best = 0;
        for (int t = 1; t < LIQBOT_TYPE_COUNT_; t++)
            if (rem[t] > rem[best]) best = t;
        out[best]++;
        rem[best] = -1.0;
        given++;
    }
}

Lots liqbot_backstop_bid(const PerpBackstopOffer *o, double discount_bps, Lots position, Lots max_position,
                         Quote free_margin, int32_t leverage, Ticks *price)
{
    Ticks m = o->mark_tk > 0 ? o->mark_tk : o->bankruptcy_tk;
    if (m <= 0 || leverage < 1) return 0;
    bool buy = o->side == SIDE_BUY;
    *price = agent_price_offset(m, (buy ? -1.0 : 1.0) * discount_bps / 1e4);
    Lots room = buy ? max_position - position : max_position + position;
    Quote per_lot = margin_initial(m, leverage);
    Lots margin_room = free_margin > 0 && per_lot > 0 ? free_margin / per_lot : 0;
    Lots n = o->qty;
    if (room < n) n = room;
    if (margin_room < n) n = margin_room;
    return n > 0 ? n : 0;
}

int liqbot_discount_trigger(const MarketFeed *f, double trigger_liq, double trigger_backlog)
{
    double longs = f->liq_notional_60s[0], shorts = f->liq_notional_60s[1];
    double top = longs >= shorts ? longs : shorts;
    if (trigger_liq > 0 && top >= trigger_liq) return longs >= shorts ? SIDE_BUY : SIDE_SELL;
    if (trigger_backlog > 0 && (double)f->backlog_notional >= trigger_backlog) {
        double r1 = feed_return(f, 0);
        if (r1 < 0) return SIDE_BUY;
        if (r1 > 0) return SIDE_SELL;
        return longs >= shorts ? SIDE_BUY : SIDE_SELL;
    }
    return -1;
}

bool liqbot_cluster(const double ema[FEED_HORIZONS], double mark, double leverage, double mmr, double band_pct,
                    Side side, LiqCluster *out)
{
    if (!(leverage > 0) || !(mark > 0)) return false;
    bool longs = side == SIDE_BUY;
    double factor = longs ? 1.0 - 1.0 / leverage + mmr : 1.0 + 1.0 / leverage - mmr;
    double est[FEED_HORIZONS];
    int nearest = -1;
    for (int h = 0; h < FEED_HORIZONS; h++) {
        est[h] = ema[h] * factor;
        bool on_side = longs ? est[h] < mark : est[h] > mark;
        if (!on_side || !(est[h] > 0)) continue;
        if (nearest < 0 || (longs ? est[h] > est[nearest] : est[h] < est[nearest])) nearest = h;
    }
    if (nearest < 0) return false;
    double lo = longs ? est[nearest] * (1.0 - band_pct / 100.0) : est[nearest];
    double hi = longs ? est[nearest] : est[nearest] * (1.0 + band_pct / 100.0);
    double sum = 0;
    uint32_t n = 0;
    for (int h = 0; h < FEED_HORIZONS; h++) {
        if (est[h] >= lo && est[h] <= hi) {
            sum += est[h];
            n++;
        }
    }
    out->price = sum / (double)n;
    out->members = n;
    out->density = (double)n / (double)FEED_HORIZONS;
    return true;
}

int liqbot_hunt(const LiqHuntRule *r, const double ema[FEED_HORIZONS], double mark, double oi, double oi_avg,
                double oi_notional, LiqCluster *out)
{
    if (!(mark > 0) || oi <= 0 || oi < r->oi_ratio * oi_avg || oi_notional < r->min_oi) return 0;
    LiqCluster c[2];
    double dist[2] = {INFINITY, INFINITY};
    for (int s = 0; s < 2; s++) {
        if (!liqbot_cluster(ema, mark, r->leverage, r->mmr, r->band_pct, s == 0 ? SIDE_BUY : SIDE_SELL, &c[s]))
            continue;
        double d = (s == 0 ? mark - c[s].price : c[s].price - mark) / mark * 100.0;
        if (c[s].density >= r->min_density && d <= r->trigger_distance_pct) dist[s] = d;
    }
    if (dist[0] == INFINITY && dist[1] == INFINITY) return 0;
    int s = dist[0] <= dist[1] ? 0 : 1;
    *out = c[s];
    return s == 0 ? 1 : -1;
}

/* ---- population ---- */

static void schedule(LiqBotPop *p, AgentEnv *env, uint32_t i)
{
    const LiqBotDef *d = &p->def;
    double f = 1.0 - d->jitter + 2.0 * d->jitter * rng_uniform(&p->rng);
    SimDuration gap = (SimDuration)((double)d->interval * f);
    agent_wake_at(env, p->id, i, env->now + (gap > 0 ? gap : 1));
}

Status liquidation_bot_create(const LiqBotDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out)
{
    *out = NULL;
    if (def->leverage < 1 || !(def->interval > 0)) return STATUS_INVALID;
    LiqBotPop *p = mem_calloc(1, sizeof *p);
    if (!p) return STATUS_NOMEM;
    p->def = *def;
    p->id = pop_id;
    p->rng = rng;
    p->latency = agent_latency_model(&p->def.latency);
    p->count = def->count;
    p->trig_liq = (double)agent_usd_to_quote(env, def->trigger_liq_usd);
    p->trig_backlog = (double)agent_usd_to_quote(env, def->trigger_backlog_usd);
    p->min_oi = (double)agent_usd_to_quote(env, def->min_oi_usd);
    Status s = STATUS_OK;
    if (p->count > 0) {
        p->b = mem_calloc(p->count, sizeof *p->b);
        if (!p->b) s = STATUS_NOMEM;
    }
    uint32_t types[LIQBOT_TYPE_COUNT_];
    liqbot_type_counts(def, types);
    uint32_t t = 0, left = types[0];
    for (uint32_t i = 0; s == STATUS_OK && i < p->count; i++) {
        while (left == 0 && t + 1 < LIQBOT_TYPE_COUNT_) left = types[++t];
        left--;
        LiqBot *b = &p->b[i];
        b->type = (uint8_t)t;
        b->capital = agent_usd_to_quote(env, dist_draw(&p->rng, &def->capital_usd));
        b->backstop_disc_bps = dist_draw(&p->rng, &def->backstop_discount_bps);
        b->ladder_disc_bps = dist_draw(&p->rng, &def->discount_bps);
        b->crowd_leverage = dist_draw(&p->rng, &def->typical_leverage);
        s = env->ops.open_account(env->world, pop_id, i, VENUE_PERP, MARGIN_MODE_CROSS, def->leverage, b->capital, 0,
                                  &b->acct);
        if (s == STATUS_OK && b->type == LIQBOT_BACKSTOP) {
            s = env->ops.add_backstop(env->world, pop_id, i, b->acct);
            if (s == STATUS_FULL) s = STATUS_OK; /* the world's table is full: this one only trades in the book */
        }
        if (s == STATUS_OK) {
            SimDuration first = (SimDuration)((double)def->interval * rng_uniform(&p->rng));
            agent_wake_at(env, pop_id, i, env->now + first + 1);
        }
    }
    if (s != STATUS_OK) {
        mem_free(p->b);
        mem_free(p);
        return s;
    }
    *out = p;
    return STATUS_OK;
}

static void destroy(void *pop)
{
    LiqBotPop *p = pop;
    if (!p) return;
    mem_free(p->b);
    mem_free(p);
}

static Lots max_position(const LiqBotPop *p, const LiqBot *b, Ticks mark)
{
    double lots = floor((double)b->capital * p->def.max_exposure / (double)mark);
    return lots > 0 ? (lots < 9e18 ? (Lots)lots : LOTS_MAX) : 0;
}

/* Lots the bot may still add on `side` (exposure and free margin). */
static Lots room(const LiqBotPop *p, const LiqBot *b, AgentEnv *env, Side side, Ticks mark)
{
    Lots pos = ledger_qty(perp_ledger(env->perp), b->acct);
    Lots maxp = max_position(p, b, mark);
    Lots r = side == SIDE_BUY ? maxp - pos : maxp + pos;
    Quote per_lot = margin_initial(mark, p->def.leverage);
    Quote free = perp_free_margin(env->perp, b->acct);
    Lots mr = free > 0 && per_lot > 0 ? free / per_lot : 0;
    if (mr < r) r = mr;
    return r > 0 ? r : 0;
}

static void send(LiqBotPop *p, AgentEnv *env, uint32_t i, OrderType type, Side side, Ticks px, Lots qty, uint64_t tag,
                 bool reduce_only, SimDuration latency)
{
    if (qty <= 0 || px <= 0) return;
    LiqBot *b = &p->b[i];
    VenueReq req = {type, side, px, qty, tag, reduce_only ? ORDER_FLAG_REDUCE_ONLY : 0u, STOP_TRIGGER_LAST};
    if (agent_submit(env, p->id, i, VENUE_PERP, b->acct, &req, latency) == STATUS_OK) b->inflight++;
}

static Ticks through(Ticks touch, Side side, double slip_bps)
{
    return agent_price_offset(touch, (side == SIDE_BUY ? 1.0 : -1.0) * slip_bps / 1e4);
}

/* Close `n` lots of the position with a reduce-only IOC through the touch. */
static void close_some(LiqBotPop *p, AgentEnv *env, uint32_t i, Lots pos, Lots n, uint64_t tag)
{
    Side side = pos > 0 ? SIDE_SELL : SIDE_BUY;
    const Book *bk = perp_book(env->perp);
    Ticks touch = side == SIDE_SELL ? book_best_bid(bk) : book_best_ask(bk);
    if (touch <= 0) return;
    send(p, env, i, ORDER_IOC, side, through(touch, side, p->def.slippage_bps), n, tag, true,
         agent_latency(&p->rng, &p->latency));
}

/* Backstop takers and discount providers: sell (buy back) inventory once it shows a profit, is too old, or the
 * account is on a margin call. */
static void manage_inventory(LiqBotPop *p, AgentEnv *env, uint32_t i, Lots pos, Ticks mark)
{
    LiqBot *b = &p->b[i];
    if (pos == 0) {
        b->inv_since = 0;
        return;
    }
    if (b->inv_since == 0) b->inv_since = env->now;
    if (b->inflight > 0) return;
    Lots n_abs = pos > 0 ? pos : -pos;
    double entry = (double)ledger_entry_cost(perp_ledger(env->perp), b->acct) / (double)n_abs;
    double gain_bps = (pos > 0 ? (double)mark - entry : entry - (double)mark) / entry * 1e4;
    bool go = gain_bps >= p->def.take_profit_bps || env->now - b->inv_since >= p->def.max_hold ||
              perp_margin_call(env->perp, b->acct);
    if (!go) return;
    Lots n = (Lots)ceil((double)n_abs * p->def.unwind_share);
    if (n < 1) n = 1;
    if (n > n_abs) n = n_abs;
    p->unwinds++;
    close_some(p, env, i, pos, n, LB_TAG_UNWIND);
}

static void discount_step(LiqBotPop *p, AgentEnv *env, uint32_t i, Lots pos, Ticks mark)
{
    LiqBot *b = &p->b[i];
    const LiqBotDef *d = &p->def;
    int trig = liqbot_discount_trigger(env->feed, p->trig_liq, p->trig_backlog);
    SimDuration lat = agent_latency(&p->rng, &p->latency);
    if (b->quoting) {
        if (env->now < b->quotes_until && trig == (int)b->quote_side) return;
        /* the cancel and any new ladder share one latency, so they reach the venue in this order */
        (void)agent_cancel_all(env, p->id, i, VENUE_PERP, b->acct, lat);
        b->quoting = false;
    }
    if (trig < 0) {
        manage_inventory(p, env, i, pos, mark);
        return;
    }
    Side side = (Side)trig;
    Lots cap = (Lots)floor((double)room(p, b, env, side, mark) * d->quote_share);
    uint32_t levels = d->levels > 0 ? d->levels : 1;
    Lots per = cap / (Lots)levels;
    if (per <= 0) {
        manage_inventory(p, env, i, pos, mark);
        return;
    }
    double sign = side == SIDE_BUY ? -1.0 : 1.0;
    for (uint32_t k = 0; k < levels; k++) {
        double off = (b->ladder_disc_bps + (double)k * d->level_step_bps) / 1e4;
        send(p, env, i, ORDER_LIMIT, side, agent_price_offset(mark, sign * off), per, LB_TAG_LADDER, false, lat);
    }
    b->quoting = true;
    b->quote_side = side;
    b->quotes_until = env->now + d->quote_ttl;
    p->ladders++;
}

static void hunter_step(LiqBotPop *p, AgentEnv *env, uint32_t i, Lots pos, Ticks mark)
{
    LiqBot *b = &p->b[i];
    const LiqBotDef *d = &p->def;
    const MarketFeed *f = env->feed;
    /* the hunters' shared view of open interest: a slow EMA of the public figure */
    double oi = (double)f->open_interest;
    if (p->oi_time == 0) {
        p->oi_avg = oi;
    } else if (env->now > p->oi_time) {
        double dt = (double)(env->now - p->oi_time) / (double)SIMTIME_NS_PER_S;
        p->oi_avg += (oi - p->oi_avg) * (1.0 - exp(-dt / LB_OI_TAU_S));
    }
    p->oi_time = env->now;
    if (b->inflight > 0) return;

    if (b->hunt == HUNT_IDLE) {
        if (pos != 0) { /* leftovers of a hunt: close them */
            close_some(p, env, i, pos, pos > 0 ? pos : -pos, LB_TAG_COVER);
            return;
        }
        if (env->now < b->cooldown_until) return;
        LiqCluster c;
        LiqHuntRule rule = {b->crowd_leverage, d->assumed_mmr,      d->cluster_band_pct, d->min_density,
                            d->trigger_distance_pct, d->oi_ratio, p->min_oi};
        int dir = liqbot_hunt(&rule, f->ema, (double)mark, oi, p->oi_avg, oi * (double)mark, &c);
        if (dir == 0) return;
        Side side = dir > 0 ? SIDE_SELL : SIDE_BUY;
        Lots n = (Lots)floor((double)room(p, b, env, side, mark) * d->push_share);
        if (n <= 0) return;
        /* sweep the book down (up) to just through the cluster, no farther */
        Ticks limit = agent_price_offset((Ticks)llround(c.price), (dir > 0 ? -1.0 : 1.0) * d->overshoot_bps / 1e4);
        send(p, env, i, ORDER_IOC, side, limit, n, LB_TAG_PUSH, false, agent_latency(&p->rng, &p->latency));
        b->hunt = HUNT_PUSHED;
        b->hunt_dir = (int8_t)dir;
        b->hunt_cluster = c.price;
        b->hunt_entry = (double)mark;
        b->hunt_since = env->now;
        p->pushes++;
        return;
    }
    /* pushed: cover passively into the liquidation flow once it runs (or the mark is through the cluster), at once
     * on a stop or after hunt_max */
    bool resting = perp_order_count(env->perp, b->acct) > 0;
    SimDuration lat = agent_latency(&p->rng, &p->latency);
    if (pos == 0) {
        if (resting) (void)agent_cancel_all(env, p->id, i, VENUE_PERP, b->acct, lat);
        b->hunt = HUNT_IDLE;
        b->cooldown_until = env->now + d->hunt_cooldown;
        return;
    }
    double m = (double)mark;
    bool down = b->hunt_dir > 0;
    bool through_c = down ? m <= b->hunt_cluster * (1.0 - d->overshoot_bps / 1e4)
                          : m >= b->hunt_cluster * (1.0 + d->overshoot_bps / 1e4);
    bool flow = f->liq_notional_60s[down ? 0 : 1] >= p->trig_liq;
    bool stop = down ? m >= b->hunt_entry * (1.0 + d->stop_bps / 1e4) : m <= b->hunt_entry * (1.0 - d->stop_bps / 1e4);
    bool timeout = env->now - b->hunt_since >= d->hunt_max;
    Lots n = pos > 0 ? pos : -pos;
    if (stop || timeout) {
        if (resting) (void)agent_cancel_all(env, p->id, i, VENUE_PERP, b->acct, lat);
        p->covers++;
        close_some(p, env, i, pos, n, LB_TAG_COVER);
        return;
    }
    if (!through_c && !flow) return;
    /* join the touch on the covering side: the engine's liquidation orders (market sells for longs) fill it */
    Side side = pos < 0 ? SIDE_BUY : SIDE_SELL;
    const Book *bk = perp_book(env->perp);
    Ticks touch = side == SIDE_BUY ? book_best_bid(bk) : book_best_ask(bk);
    if (touch <= 0 || (resting && touch == b->cover_px)) return;
    if (resting) (void)agent_cancel_all(env, p->id, i, VENUE_PERP, b->acct, lat);
    b->cover_px = touch;
    p->covers++;
    send(p, env, i, ORDER_LIMIT, side, touch, n, LB_TAG_COVER, true, lat);
}

static void wake(void *pop, AgentEnv *env, uint32_t i)
{
    LiqBotPop *p = pop;
    if (i >= p->count) return;
    LiqBot *b = &p->b[i];
    schedule(p, env, i);
    if (env->feed->halted || perp_halted(env->perp)) return;
    Ticks mark = perp_mark(env->perp);
    if (mark <= 0) mark = env->feed->perp_mark;
    if (mark <= 0) return;
    Lots pos = ledger_qty(perp_ledger(env->perp), b->acct);
    switch ((LiqBotType)b->type) {
    case LIQBOT_BACKSTOP: manage_inventory(p, env, i, pos, mark); break;
    case LIQBOT_DISCOUNT: discount_step(p, env, i, pos, mark); break;
    case LIQBOT_HUNTER: hunter_step(p, env, i, pos, mark); break;
    default: CASCADE_ASSERT(!"unknown bot type");
    }
}

static void on_submitted(void *pop, AgentEnv *env, uint32_t i, VenueKind v, uint64_t tag, Status s,
                         const VenueResult *r)
{
    (void)env;
    (void)v;
    (void)tag;
    (void)s;
    (void)r;
    LiqBotPop *p = pop;
    if (i >= p->count) return;
    if (p->b[i].inflight > 0) p->b[i].inflight--;
}

static void on_liquidated(void *pop, AgentEnv *env, uint32_t i, const PerpLiqRecord *rec)
{
    (void)rec;
    LiqBotPop *p = pop;
    if (i >= p->count) return;
    LiqBot *b = &p->b[i];
    p->liquidations++;
    b->quoting = false; /* the venue cancelled its orders */
    b->inv_since = 0;
    if (b->hunt == HUNT_PUSHED) {
        b->hunt = HUNT_IDLE;
        b->cooldown_until = env->now + p->def.hunt_cooldown;
    }
}

static Lots backstop_offer(void *pop, AgentEnv *env, uint32_t i, const PerpBackstopOffer *o, Ticks *price)
{
    LiqBotPop *p = pop;
    if (i >= p->count || p->b[i].type != LIQBOT_BACKSTOP) return 0;
    LiqBot *b = &p->b[i];
    Ticks m = o->mark_tk > 0 ? o->mark_tk : perp_mark(env->perp);
    if (m <= 0) return 0;
    Lots pos = ledger_qty(perp_ledger(env->perp), b->acct);
    Lots n = liqbot_backstop_bid(o, b->backstop_disc_bps, pos, max_position(p, b, m),
                                 perp_free_margin(env->perp, b->acct), p->def.leverage, price);
    p->offers++;
    p->offered_lots += (uint64_t)n;
    if (n > 0 && b->inv_since == 0) b->inv_since = env->now;
    return n;
}

const PopulationOps liquidation_bot_ops = {"liquidation_bot", wake,          on_submitted,  NULL, NULL,
                                           on_liquidated,     backstop_offer, destroy,      NULL};
