/* Leveraged retail traders (see retail.h for the design and docs/agent_retail.md for the rules and defaults).
 *
 * State per agent: one 32-byte RetailAgent (watch slot, times, traits, flags; two to a cache line) plus one
 * activity byte and one uint32 slot of the watch list. The agents' accounts are consecutive, so agent i's is
 * account0 + i. Everything about the position itself (size, entry, isolated margin, liquidation price) is read from
 * the venue's ledger, never copied: the venue is the truth, and an agent re-synchronises at every wake (a position
 * can end without the agent's own close: stop-loss, take-profit, ADL, liquidation).
 *
 * Orders carry a tag naming their purpose (entry, close, stop-loss, take-profit). At most one entry or close is in
 * flight per agent (flag PENDING, cleared by on_submitted); protective orders are attached once the entry is done
 * and cancelled (cancel_all) when the agent closes or finds itself flat. */
#include "retail.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

enum { TAG_ENTRY = 1, TAG_CLOSE = 2, TAG_SL = 3, TAG_TP = 4 };

enum {
    F_EXITED = 1u << 0,  /* left for good */
    F_PENDING = 1u << 1, /* an entry or close is in flight */
    F_RESTING = 1u << 2, /* a limit entry rests in the book */
    F_HAS_POS = 1u << 3, /* the agent knows it holds a position (protective orders attached) */
    F_REENTER = 1u << 4, /* liquidated, re-enters at its next check */
    F_LIMIT = 1u << 5,   /* enters with limit orders at the touch */
    F_CROSS = 1u << 6,   /* cross-margined account */
};

#define NO_SLOT UINT32_MAX

/* Admission headroom for entry sizes: the venue checks a market buy at mark x (1 + band) plus the taker fee. The
 * agent cannot read the venue's band or fees, so it assumes the default band (5 %) and a 10-bps fee. */
#define ENTRY_BAND_FRAC 0.05
#define ENTRY_FEE_FRAC 0.001

typedef struct RetailAgent {
    uint32_t widx;        /* slot in the watch list, NO_SLOT when not watched */
    uint32_t since_s;     /* seconds since t0: position established, or limit entry placed */
    uint32_t hold_s;      /* planned holding time of the current position */
    float margin_frac;    /* share of the reserve put up per trade */
    float threshold;      /* trend: |score| to open; dip: log drop to buy */
    float herding;        /* weight of sentiment */
    uint16_t sl_bps;      /* stop-loss distance (0 = none) */
    uint16_t tp_bps;      /* take-profit distance (0 = none) */
    uint8_t strategy;     /* RetailStrategy */
    uint8_t leverage;     /* account leverage (<= 125 on every real venue; clipped to 255) */
    uint8_t horizon;      /* trend: fast index | slow index << 4; dip: drop horizon index (feed_horizon_min) */
    uint8_t flags;
} RetailAgent;

/* 32 bytes on a 64-byte-aligned array: a wake's record is one cache line, never two (at 40 bytes, 3 in 8 spanned
 * two), and the million records of a large crowd take 32 MB. */
_Static_assert(sizeof(RetailAgent) == 32, "two retail agents to a cache line");

typedef struct RetailPop {
    RetailDef def;
    uint32_t id;
    Rng rng;
    AgentLatency latency;     /* def.latency with its log-median, ready to draw from */
    FeedReturnMemo ret;        /* the feed's horizon returns, computed once per mark (update_mood, dip buyers) */
    /* Which agent a wake picks comes from a stream of its own, drawn a wake (a base wake) or two (a check) before it
     * is used: at 10^6 agents the pick's record, activity byte and ledger account are cache misses, and knowing the
     * agent early lets their loads start while other events run. base_word and check_word are those early draws
     * (rng_bounded_word turns them into the pick, exactly as rng_bounded would have). */
    Rng pick;
    uint64_t base_word, check_word[2];
    RetailAgent *a;       /* count records, 64-byte aligned inside a_block */
    void *a_block;
    AccountId account0;   /* agent i's account is account0 + i */
    /* Base wake acceptance x 255 (rate_i / rate_max) per agent, apart from `a`: most base wakes are thinned on
     * this byte alone, and at 10^6 agents a 1 MB byte array stays in cache where the 32 MB records do not. */
    uint8_t *activity;
    uint32_t *watch;
    uint32_t nwatch;
    SimTime t0;
    SimTime next_wake;    /* the one live population wake (others in the queue are stale) */
    double sched_rate;    /* events/s (at profile 1) the live wake was drawn for */
    double base_rate;     /* count x rate_max, per second */
    double mon_rate;      /* per watched agent, per second */
    double sentiment, fear;
    SimTime mood_time;    /* last sentiment/fear update */
    int32_t lev_cap;
    RetailStats st;
} RetailPop;

static inline AccountId account_of(const RetailPop *p, uint32_t i) { return p->account0 + i; }

/* ---- defaults ---- */

static DistDef dist(DistKind k, double a, double b, double min, double max) { return (DistDef){k, a, b, min, max}; }

RetailDef retail_default_def(void)
{
    RetailDef d;
    memset(&d, 0, sizeof d);
    d.count = 2000;
    d.venue = VENUE_PERP;
    d.wealth_usd = dist(DIST_PARETO, 500.0, 1.3, 50.0, 5e6);
    d.leverage = dist(DIST_LOGNORMAL, 10.0, 0.8, 1.0, 125.0);
    d.isolated_share = 1.0;
    d.margin_frac = dist(DIST_UNIFORM, 0.1, 0.5, 0.01, 1.0);
    d.rate_per_hour = dist(DIST_UNIFORM, 1.0, 4.0, 0.0, 60.0);
    d.monitor_per_hour = 6.0;
    d.share_trend = 0.4;
    d.share_dip = 0.2;
    d.long_bias = 0.65;
    d.entry_prob = 0.5;
    d.trend_scale = 0.002;
    d.trend_threshold = dist(DIST_UNIFORM, 0.3, 1.2, 0.0, 10.0);
    d.dip_threshold = dist(DIST_LOGNORMAL, 0.02, 0.5, 0.005, 0.2);
    d.herding = dist(DIST_UNIFORM, 0.2, 1.0, 0.0, 2.0);
    d.limit_share = 0.15;
    d.limit_patience = 10 * SIMTIME_NS_PER_MIN;
    d.sentiment_ret_scale = 0.01;
    d.sentiment_liq_weight = 1.0;
    d.sentiment_tau = 10 * SIMTIME_NS_PER_MIN;
    d.fear_liq_share = 0.002;
    d.fear_tau = 30 * SIMTIME_NS_PER_MIN;
    d.fear_entry_damp = 0.8;
    d.fear_panic = 0.5;
    d.hold_hours = dist(DIST_LOGNORMAL, 6.0, 1.0, 0.05, 240.0);
    d.reversal_threshold = 0.6;
    d.sl_share = 0.3;
    d.sl_pct = dist(DIST_LOGNORMAL, 2.0, 0.5, 0.2, 50.0);
    d.tp_share = 0.3;
    d.tp_pct = dist(DIST_LOGNORMAL, 4.0, 0.5, 0.2, 100.0);
    d.topup_prob = 0.3;
    d.panic_prob = 0.2;
    d.topup_frac = 1.0;
    d.reentry_prob = 0.5;
    d.max_leverage = 125;
    d.latency = (LatencyDef){150.0, 0.5, 20.0};
    return d;
}

/* ---- pure rules ---- */

int32_t retail_clip_leverage(double draw, int32_t cap)
{
    if (cap < 1) cap = 1;
    if (!(draw >= 1.0)) return 1; /* also NaN */
    if (draw >= (double)cap) return cap;
    int32_t l = (int32_t)llround(draw);
    return l < 1 ? 1 : (l > cap ? cap : l);
}

/* The largest notional the table allows at `leverage`: the cap of the last tier that still allows it. */
static Quote tier_notional_cap(const MarginTable *t, int32_t leverage)
{
    if (!t || t->count <= 0) return QUOTE_MAX;
    Quote cap = 0;
    for (int32_t i = 0; i < t->count; i++)
        if (t->tiers[i].max_leverage >= leverage) cap = t->tiers[i].notional_cap;
    return cap;
}

Lots retail_entry_lots(Quote free, double margin_frac, int32_t leverage, Ticks price, const MarginTable *table,
                       double band_frac, double fee_frac)
{
    if (free <= 0 || price <= 0 || leverage < 1 || !(margin_frac > 0)) return 0;
    if (margin_frac > 1) margin_frac = 1;
    double lev = (double)leverage;
    double notional = (double)free * margin_frac * lev;
    double admit = (double)free / ((1.0 + band_frac) / lev + (1.0 + band_frac) * fee_frac); /* at the band price */
    if (notional > admit) notional = admit;
    double cap = (double)tier_notional_cap(table, leverage);
    if (notional > cap) notional = cap;
    double lots = floor(notional / (double)price);
    if (!(lots >= 1)) return 0;
    return lots > 9e15 ? (Lots)9e15 : (Lots)lots;
}

double retail_sentiment_target(const RetailDef *d, double ret_15m, double liq_long, double liq_short,
                               double oi_notional)
{
    double x = d->sentiment_ret_scale > 0 ? ret_15m / d->sentiment_ret_scale : 0;
    if (oi_notional > 0 && d->fear_liq_share > 0)
        x -= d->sentiment_liq_weight * (liq_long - liq_short) / (d->fear_liq_share * oi_notional);
    return tanh(x);
}

double retail_sentiment_step(double s, double target, double dt_s, double tau_s)
{
    if (!(dt_s > 0)) return s;
    double w = tau_s > 0 ? 1.0 - exp(-dt_s / tau_s) : 1.0;
    double v = s + w * (target - s);
    return v > 1 ? 1 : (v < -1 ? -1 : v);
}

double retail_fear_level(const RetailDef *d, double liq_long, double liq_short, double oi_notional)
{
    double l = liq_long + liq_short;
    if (!(l > 0) || !(oi_notional > 0) || !(d->fear_liq_share > 0)) return 0;
    return 1.0 - exp(-l / (d->fear_liq_share * oi_notional));
}

double retail_trend_score(const RetailDef *d, double ema_fast, double ema_slow, double herding, double s)
{
    double sig = ema_slow > 0 && ema_fast > 0 && d->trend_scale > 0 ? (ema_fast / ema_slow - 1.0) / d->trend_scale : 0;
    return sig + herding * s + (d->long_bias - 0.5);
}

double retail_noise_long_prob(const RetailDef *d, double herding, double s)
{
    double p = d->long_bias + 0.5 * herding * s;
    return p < 0.05 ? 0.05 : (p > 0.95 ? 0.95 : p);
}

/* ---- helpers ---- */

static uint32_t secs(const RetailPop *p, SimTime now)
{
    SimTime d = now - p->t0;
    return d > 0 ? (uint32_t)(d / SIMTIME_NS_PER_S) : 0;
}

static const Ledger *ledger(const AgentEnv *env) { return perp_ledger(env->perp); }

static double total_rate(const RetailPop *p) { return p->base_rate + (double)p->nwatch * p->mon_rate; }

static void schedule(RetailPop *p, AgentEnv *env)
{
    double r = total_rate(p);
    p->sched_rate = r;
    p->next_wake = agent_poisson_next_env(&p->rng, env, r);
    if (p->next_wake != SIMTIME_MAX) agent_wake_at(env, p->id, AGENT_NONE, p->next_wake);
}

static void watch_add(RetailPop *p, AgentEnv *env, uint32_t i)
{
    RetailAgent *a = &p->a[i];
    if (a->widx != NO_SLOT) return;
    a->widx = p->nwatch;
    p->watch[p->nwatch++] = i;
    /* Superpose the newcomer's own check process on the pending wake (exact by memorylessness). */
    if (p->mon_rate > 0) {
        SimTime t = agent_poisson_next_env(&p->rng, env, p->mon_rate);
        p->sched_rate += p->mon_rate;
        if (t < p->next_wake) {
            p->next_wake = t;
            agent_wake_at(env, p->id, AGENT_NONE, t);
        }
    }
}

static void watch_remove(RetailPop *p, uint32_t i)
{
    RetailAgent *a = &p->a[i];
    if (a->widx == NO_SLOT) return;
    uint32_t last = p->watch[--p->nwatch];
    p->watch[a->widx] = last;
    p->a[last].widx = a->widx;
    a->widx = NO_SLOT;
}

static void watch_update(RetailPop *p, AgentEnv *env, uint32_t i)
{
    const RetailAgent *a = &p->a[i];
    bool want = !(a->flags & F_EXITED) && (a->flags & (F_PENDING | F_RESTING | F_HAS_POS | F_REENTER));
    if (want) watch_add(p, env, i);
    else watch_remove(p, i);
}

static void update_mood(RetailPop *p, const AgentEnv *env)
{
    SimTime now = env->now;
    if (now <= p->mood_time) return;
    double dt = (double)(now - p->mood_time) / (double)SIMTIME_NS_PER_S;
    p->mood_time = now;
    const MarketFeed *f = env->feed;
    double oi = (double)f->open_interest * (double)f->perp_mark;
    double target = retail_sentiment_target(&p->def, feed_return_memo(&p->ret, f, 2), f->liq_notional_60s[0],
                                            f->liq_notional_60s[1], oi);
    p->sentiment = retail_sentiment_step(p->sentiment, target, dt, (double)p->def.sentiment_tau / SIMTIME_NS_PER_S);
    double tau_f = (double)p->def.fear_tau / (double)SIMTIME_NS_PER_S;
    double decayed = tau_f > 0 ? p->fear * exp(-dt / tau_f) : 0;
    double now_fear = retail_fear_level(&p->def, f->liq_notional_60s[0], f->liq_notional_60s[1], oi);
    p->fear = now_fear > decayed ? now_fear : decayed;
}

static void submit(RetailPop *p, AgentEnv *env, uint32_t i, OrderType type, Side side, Ticks px, Lots q, uint64_t tag,
                   uint32_t flags, StopTrigger trig)
{
    VenueReq req = {type, side, px, q, tag, flags, trig};
    (void)agent_submit(env, p->id, i, VENUE_PERP, account_of(p, i), &req, agent_latency(&p->rng, &p->latency));
}

static void cancel_all(RetailPop *p, AgentEnv *env, uint32_t i)
{
    (void)agent_cancel_all(env, p->id, i, VENUE_PERP, account_of(p, i), agent_latency(&p->rng, &p->latency));
}

static Ticks mark_of(const AgentEnv *env)
{
    Ticks m = perp_mark(env->perp);
    return m > 0 ? m : env->feed->perp_mark;
}

/* The agent's directional view: trend followers their score, everyone else the sentiment they herd on. */
static double view_of(const RetailPop *p, const RetailAgent *a, const MarketFeed *f)
{
    if (a->strategy == RETAIL_TREND)
        return retail_trend_score(&p->def, f->ema[a->horizon & 15], f->ema[a->horizon >> 4], a->herding, p->sentiment);
    return p->sentiment;
}

/* Stop-loss and take-profit for a position just established. */
static void attach_protection(RetailPop *p, AgentEnv *env, uint32_t i, Lots qty)
{
    const RetailAgent *a = &p->a[i];
    if (!a->sl_bps && !a->tp_bps) return;
    const Ledger *L = ledger(env);
    Lots aq = qty > 0 ? qty : -qty;
    Ticks entry = (Ticks)llround((double)ledger_entry_cost(L, account_of(p, i)) / (double)aq);
    if (entry <= 0) return;
    bool lng = qty > 0;
    Side exit_side = lng ? SIDE_SELL : SIDE_BUY;
    if (a->sl_bps) {
        double d = a->sl_bps / 1e4;
        Ticks trig = agent_price_offset(entry, lng ? -d : d);
        Ticks lp = ledger_liq_price(L, account_of(p, i));
        /* A stop beyond the liquidation price never fires: the venue liquidates first. */
        bool useful = lp <= 0 || lp == MARGIN_NO_LIQ_SHORT || (lng ? trig > lp : trig < lp);
        if (useful) {
            submit(p, env, i, ORDER_STOP_MARKET, exit_side, trig, aq, TAG_SL, ORDER_FLAG_REDUCE_ONLY, STOP_TRIGGER_MARK);
            p->st.stops++;
        }
    }
    if (a->tp_bps) {
        double d = a->tp_bps / 1e4;
        Ticks px = agent_price_offset(entry, lng ? d : -d);
        submit(p, env, i, ORDER_LIMIT, exit_side, px, aq, TAG_TP, ORDER_FLAG_REDUCE_ONLY, STOP_TRIGGER_LAST);
        p->st.take_profits++;
    }
}

/* Brings the agent's flags in line with its account: establishes a position it did not know of, or notices that
 * its position ended. ours: the agent's own close just completed. */
static void sync(RetailPop *p, AgentEnv *env, uint32_t i, bool ours)
{
    RetailAgent *a = &p->a[i];
    if (!(a->flags & F_PENDING)) {
        Lots q = ledger_qty(ledger(env), account_of(p, i));
        if (q != 0 && !(a->flags & (F_HAS_POS | F_RESTING))) {
            a->flags |= F_HAS_POS;
            a->since_s = secs(p, env->now);
            double h = dist_draw(&p->rng, &p->def.hold_hours) * 3600.0;
            a->hold_s = h > 4e9 ? 4000000000u : (h < 1 ? 1u : (uint32_t)h);
            p->st.positions++;
            attach_protection(p, env, i, q);
        } else if (q == 0 && (a->flags & F_HAS_POS)) {
            a->flags &= (uint8_t)~F_HAS_POS;
            if (!ours) p->st.closed_by_stop++;
            cancel_all(p, env, i); /* the other protective order */
        }
    }
    watch_update(p, env, i);
}

static void close_position(RetailPop *p, AgentEnv *env, uint32_t i, Lots q, uint64_t *counter)
{
    cancel_all(p, env, i);
    submit(p, env, i, ORDER_MARKET, q > 0 ? SIDE_SELL : SIDE_BUY, 0, q > 0 ? q : -q, TAG_CLOSE, ORDER_FLAG_REDUCE_ONLY,
           STOP_TRIGGER_LAST);
    p->a[i].flags |= F_PENDING;
    (*counter)++;
}

/* Entry decision of a flat agent; forced: a re-entry after liquidation (no entry gate, side from its view). */
static bool try_entry(RetailPop *p, AgentEnv *env, uint32_t i, bool forced)
{
    RetailAgent *a = &p->a[i];
    const MarketFeed *f = env->feed;
    const RetailDef *d = &p->def;
    double gate = d->entry_prob * (1.0 - d->fear_entry_damp * p->fear);
    Side side;
    switch ((RetailStrategy)a->strategy) {
    case RETAIL_TREND: {
        if (!forced && !(rng_uniform(&p->rng) < gate)) return false;
        double s = view_of(p, a, f);
        if (!forced && fabs(s) < a->threshold) return false;
        side = s >= 0 ? SIDE_BUY : SIDE_SELL;
        break;
    }
    case RETAIL_DIP:
        if (!forced && !(-feed_return_memo(&p->ret, f, a->horizon) > a->threshold)) return false;
        side = SIDE_BUY;
        break;
    default:
        if (!forced && !(rng_uniform(&p->rng) < gate)) return false;
        side = rng_uniform(&p->rng) < retail_noise_long_prob(d, a->herding, p->sentiment) ? SIDE_BUY : SIDE_SELL;
        break;
    }
    const Book *b = perp_book(env->perp);
    Ticks mark = mark_of(env);
    bool limit = (a->flags & F_LIMIT) != 0;
    Ticks touch = side == SIDE_BUY ? book_best_bid(b) : book_best_ask(b);   /* where a limit joins */
    Ticks far = side == SIDE_BUY ? book_best_ask(b) : book_best_bid(b);     /* what a market order takes */
    if (limit && touch <= 0) limit = false;
    Ticks px = limit ? touch : (far > 0 ? far : mark);
    if (px <= 0 || mark <= 0) return false;
    Quote free = perp_free_margin(env->perp, account_of(p, i));
    Lots q = retail_entry_lots(free, a->margin_frac, a->leverage, px > mark ? px : mark, perp_table(env->perp),
                               limit ? 0.0 : ENTRY_BAND_FRAC, ENTRY_FEE_FRAC);
    if (q <= 0) {
        p->st.too_small++;
        return false;
    }
    if (limit) {
        submit(p, env, i, ORDER_LIMIT, side, px, q, TAG_ENTRY, 0, STOP_TRIGGER_LAST);
        p->st.limit_entries++;
    } else {
        submit(p, env, i, ORDER_MARKET, side, 0, q, TAG_ENTRY, 0, STOP_TRIGGER_LAST);
    }
    a->flags |= F_PENDING;
    a->since_s = secs(p, env->now);
    p->st.opens++;
    if (side == SIDE_BUY) p->st.opens_long++;
    return true;
}

/* A margin call: top up with probability p (isolated, from free cash), else panic-close with probability q'. */
static bool margin_call(RetailPop *p, AgentEnv *env, uint32_t i, Lots q)
{
    RetailAgent *a = &p->a[i];
    const RetailDef *d = &p->def;
    p->st.margin_calls++;
    if (!(a->flags & F_CROSS) && rng_uniform(&p->rng) < d->topup_prob) {
        Quote free = perp_free_margin(env->perp, account_of(p, i));
        double want = d->topup_frac * (double)ledger_isolated_margin(ledger(env), account_of(p, i));
        Quote amt = want >= (double)free ? free : (Quote)want;
        if (amt > 0 && env->ops.add_margin(env->world, account_of(p, i), amt) == STATUS_OK) {
            p->st.topups++;
            return true;
        }
    }
    double qp = d->panic_prob + (1.0 - d->panic_prob) * d->fear_panic * p->fear;
    if (rng_uniform(&p->rng) < qp) {
        close_position(p, env, i, q, &p->st.close_panic);
        return true;
    }
    return false;
}

static void manage(RetailPop *p, AgentEnv *env, uint32_t i)
{
    RetailAgent *a = &p->a[i];
    Lots q = ledger_qty(ledger(env), account_of(p, i));
    if (q == 0) return;
    if (perp_margin_call(env->perp, account_of(p, i)) && margin_call(p, env, i, q)) return;
    if (secs(p, env->now) - a->since_s >= a->hold_s) {
        close_position(p, env, i, q, &p->st.close_hold);
        return;
    }
    if (a->strategy == RETAIL_DIP) return; /* contrarians bought the fear: they leave on time, TP, SL or margin */
    double v = view_of(p, a, env->feed);
    if ((q > 0 ? v : -v) < -p->def.reversal_threshold) close_position(p, env, i, q, &p->st.close_reversal);
}

/* One agent acts (a base wake or a check). */
static void act(RetailPop *p, AgentEnv *env, uint32_t i)
{
    RetailAgent *a = &p->a[i];
    if (a->flags & F_EXITED) return;
    /* An agent with no order in flight, none resting and no known position is flat: it reaches a position only
     * through an entry, whose submission report syncs once the order is in. So the ledger is not read for it here
     * (at 10^6 agents, a cache miss on most wakes); validate builds check the claim. */
    if (a->flags & (F_PENDING | F_RESTING | F_HAS_POS)) sync(p, env, i, false);
    else if (CASCADE_VALIDATE_ON) CASCADE_ASSERT(ledger_qty(ledger(env), account_of(p, i)) == 0);
    if (a->flags & F_PENDING) return;
    if (a->flags & F_RESTING) {
        if ((SimDuration)(secs(p, env->now) - a->since_s) * SIMTIME_NS_PER_S < p->def.limit_patience) return;
        cancel_all(p, env, i);
        a->flags &= (uint8_t)~F_RESTING;
        sync(p, env, i, false);
        return;
    }
    if (a->flags & F_HAS_POS) {
        manage(p, env, i);
    } else if (a->flags & F_REENTER) {
        a->flags &= (uint8_t)~F_REENTER;
        if (try_entry(p, env, i, true)) {
            p->st.reentries++;
        } else {
            a->flags |= F_EXITED;
            p->st.exits++;
        }
    } else {
        try_entry(p, env, i, false);
    }
    watch_update(p, env, i);
}

/* ---- picking ahead ---- */

static void prefetch_agent(RetailPop *p, AgentEnv *env, uint32_t i)
{
    __builtin_prefetch(&p->a[i]);
    ledger_prefetch(ledger(env), account_of(p, i));
}

/* Starts loading what the next base wake reads: its agent's activity byte, record and account. */
static void prefetch_base(RetailPop *p, AgentEnv *env)
{
    uint32_t i = (uint32_t)rng_bounded_likely(p->base_word, p->def.count);
    __builtin_prefetch(&p->activity[i]);
    prefetch_agent(p, env, i);
}

/* A check's agent is behind an entry of the watch list, a second load: the entry for the check after next is
 * started now, and the entry for the next one (started a check ago) is read to start its agent's loads. The list may
 * change in between; then a prefetch is wasted, never wrong. */
static void prefetch_check(RetailPop *p, AgentEnv *env)
{
    if (p->nwatch == 0) return;
    __builtin_prefetch(&p->watch[rng_bounded_likely(p->check_word[1], p->nwatch)]);
    prefetch_agent(p, env, p->watch[rng_bounded_likely(p->check_word[0], p->nwatch)]);
}

/* ---- population callbacks ---- */

static void wake(void *pop, AgentEnv *env, uint32_t agent)
{
    (void)agent;
    RetailPop *p = pop;
    if (env->now != p->next_wake) return; /* superseded by an earlier draw */
    double r = total_rate(p);
    bool keep = p->sched_rate <= r || rng_uniform(&p->rng) * p->sched_rate < r;
    schedule(p, env);
    if (!keep || r <= 0) return;
    update_mood(p, env);
    if (rng_uniform(&p->rng) * r < p->base_rate) {
        uint32_t i = (uint32_t)rng_bounded_word(&p->pick, p->base_word, p->def.count);
        p->base_word = rng_next(&p->pick);
        prefetch_base(p, env);
        if (!(rng_uniform(&p->rng) * 255.0 < (double)p->activity[i])) return;
        if (!agent_attention_pass(env, &p->rng)) return;
        p->st.base_wakes++;
        act(p, env, i);
    } else if (p->nwatch > 0) {
        uint32_t i = p->watch[rng_bounded_word(&p->pick, p->check_word[0], p->nwatch)];
        p->check_word[0] = p->check_word[1];
        p->check_word[1] = rng_next(&p->pick);
        prefetch_check(p, env);
        p->st.checks++;
        act(p, env, i);
    }
}

static void on_submitted(void *pop, AgentEnv *env, uint32_t agent, VenueKind v, uint64_t tag, Status s,
                         const VenueResult *r)
{
    (void)v;
    RetailPop *p = pop;
    RetailAgent *a = &p->a[agent];
    if (s != STATUS_OK) p->st.rejects++;
    switch (tag & 0xffu) {
    case TAG_ENTRY:
        a->flags &= (uint8_t)~F_PENDING;
        if (s == STATUS_OK && r->resting > 0) {
            a->flags |= F_RESTING;
            a->since_s = secs(p, env->now);
        }
        sync(p, env, agent, false);
        break;
    case TAG_CLOSE:
        a->flags &= (uint8_t)~F_PENDING;
        sync(p, env, agent, true);
        break;
    default: break;
    }
}

static void on_fill(void *pop, AgentEnv *env, uint32_t agent, const AgentFill *f)
{
    RetailPop *p = pop;
    RetailAgent *a = &p->a[agent];
    uint64_t kind = f->tag & 0xffu;
    if (kind == TAG_ENTRY && f->remaining == 0) a->flags &= (uint8_t)~F_RESTING;
    if (kind == TAG_CLOSE) return; /* on_submitted follows */
    sync(p, env, agent, false);
}

static void on_order_done(void *pop, AgentEnv *env, uint32_t agent, VenueKind v, OrderRef ref, uint64_t tag,
                          Lots remaining)
{
    (void)v;
    (void)ref;
    (void)remaining;
    RetailPop *p = pop;
    if ((tag & 0xffu) == TAG_ENTRY && !(p->a[agent].flags & F_PENDING)) {
        p->a[agent].flags &= (uint8_t)~F_RESTING;
        sync(p, env, agent, false);
    }
}

static void on_liquidated(void *pop, AgentEnv *env, uint32_t agent, const PerpLiqRecord *rec)
{
    (void)rec;
    RetailPop *p = pop;
    RetailAgent *a = &p->a[agent];
    p->st.liquidations++;
    if (ledger_qty(ledger(env), account_of(p, agent)) != 0) return; /* a partial slice: the agent keeps the rest */
    a->flags &= (uint8_t)~(F_HAS_POS | F_RESTING);
    if (rng_uniform(&p->rng) < p->def.reentry_prob) {
        a->flags |= F_REENTER;
    } else {
        a->flags |= F_EXITED;
        p->st.exits++;
    }
    watch_update(p, env, agent);
}

static void destroy(void *pop)
{
    RetailPop *p = pop;
    if (!p) return;
    mem_free(p->a_block);
    mem_free(p->activity);
    mem_free(p->watch);
    mem_free(p);
}

const PopulationOps retail_ops = {"retail", wake, on_submitted, on_fill, on_order_done, on_liquidated, NULL, destroy, NULL};

/* ---- creation ---- */

static bool unit(double x) { return x >= 0 && x <= 1; }

static Status def_check(const RetailDef *d)
{
    if (d->venue != VENUE_PERP) return STATUS_INVALID;
    if (!unit(d->isolated_share) || !unit(d->share_trend) || !unit(d->share_dip) ||
        !(d->share_trend + d->share_dip <= 1.0 + 1e-12) || !unit(d->long_bias) || !unit(d->entry_prob) ||
        !unit(d->limit_share) || !unit(d->fear_entry_damp) || !unit(d->fear_panic) || !unit(d->sl_share) ||
        !unit(d->tp_share) || !unit(d->topup_prob) || !unit(d->panic_prob) || !unit(d->reentry_prob))
        return STATUS_INVALID;
    if (!(d->monitor_per_hour >= 0) || !(d->topup_frac >= 0) || d->max_leverage < 1) return STATUS_INVALID;
    return STATUS_OK;
}

static uint16_t bps16(double pct)
{
    double b = pct * 100.0;
    return b < 1 ? 1 : (b > 65535 ? 65535 : (uint16_t)llround(b));
}

/* Opens agent i's account; the first leverage above the venue's (unreadable) policy cap lowers the block's cap. */
static Status open_account(RetailPop *p, AgentEnv *env, uint32_t i, MarginMode mode, int32_t *lev, Quote cash)
{
    for (;;) {
        AccountId acc;
        Status s = env->ops.open_account(env->world, p->id, i, VENUE_PERP, mode, *lev, cash, 0, &acc);
        if (s == STATUS_OK) {
            /* The venue numbers accounts in order and this block opens one per agent in a row, so they are
             * consecutive; a venue that numbered otherwise is refused here instead of being misaddressed. */
            if (i == 0) p->account0 = acc;
            return acc == p->account0 + i ? STATUS_OK : STATUS_INVALID;
        }
        if (s != STATUS_INVALID || *lev <= 1) return s;
        *lev -= 1;
        p->lev_cap = *lev;
    }
}

Status retail_create(const RetailDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out)
{
    *out = NULL;
    Status s = def_check(def);
    if (s != STATUS_OK) return s;
    RetailPop *p = mem_calloc(1, sizeof *p);
    if (!p) return STATUS_NOMEM;
    p->def = *def;
    p->id = pop_id;
    p->rng = rng;
    p->latency = agent_latency_model(&p->def.latency);
    /* the pick stream starts 2^192 draws into the population's: beyond every stream rng_stream hands out */
    p->pick = rng;
    rng_long_jump(&p->pick);
    p->base_word = rng_next(&p->pick);
    p->check_word[0] = rng_next(&p->pick);
    p->check_word[1] = rng_next(&p->pick);
    p->t0 = env->now;
    p->mood_time = env->now;
    uint32_t n = def->count;
    float *rate = NULL;
    if (n > 0) {
        /* a wake reads a random agent's record: huge pages, and the array on a line boundary (two spare records
         * cover the shift) */
        p->a_block = mem_calloc_dense((size_t)n + 2u, sizeof *p->a);
        p->a = mem_line_align(p->a_block);
        p->activity = mem_calloc(n, sizeof *p->activity);
        p->watch = mem_calloc(n, sizeof *p->watch);
        rate = mem_alloc((size_t)n * sizeof *rate);
        if (!p->a || !p->activity || !p->watch || !rate) {
            s = STATUS_NOMEM;
            goto fail;
        }
    }
    const MarginTable *table = perp_table(env->perp);
    p->lev_cap = def->max_leverage;
    if (table->count > 0 && table->tiers[0].max_leverage < p->lev_cap) p->lev_cap = table->tiers[0].max_leverage;
    if (p->lev_cap > UINT8_MAX) p->lev_cap = UINT8_MAX;
    double rate_max = 0;
    double share_dip_end = def->share_trend + def->share_dip;
    for (uint32_t i = 0; i < n; i++) {
        RetailAgent *a = &p->a[i];
        a->widx = NO_SLOT;
        Quote cash = agent_usd_to_quote(env, dist_draw(&p->rng, &def->wealth_usd));
        int32_t lev = retail_clip_leverage(dist_draw(&p->rng, &def->leverage), p->lev_cap);
        bool cross = rng_uniform(&p->rng) >= def->isolated_share;
        s = open_account(p, env, i, cross ? MARGIN_MODE_CROSS : MARGIN_MODE_ISOLATED, &lev, cash);
        if (s != STATUS_OK) goto fail;
        a->leverage = (uint8_t)lev;
        a->flags = cross ? F_CROSS : 0;
        double u = rng_uniform(&p->rng);
        a->strategy = u < def->share_trend ? RETAIL_TREND : (u < share_dip_end ? RETAIL_DIP : RETAIL_NOISE);
        if (a->strategy == RETAIL_TREND) {
            static const uint8_t pairs[4][2] = {{0, 2}, {1, 3}, {2, 4}, {1, 4}}; /* 1/15, 5/60, 15/240, 5/240 min */
            uint64_t k = rng_bounded(&p->rng, 4);
            a->horizon = (uint8_t)(pairs[k][0] | pairs[k][1] << 4);
            a->threshold = (float)dist_draw(&p->rng, &def->trend_threshold);
        } else if (a->strategy == RETAIL_DIP) {
            a->horizon = (uint8_t)(1 + rng_bounded(&p->rng, 4)); /* 5, 15, 60 or 240 min */
            a->threshold = (float)dist_draw(&p->rng, &def->dip_threshold);
        }
        a->herding = (float)dist_draw(&p->rng, &def->herding);
        a->margin_frac = (float)dist_draw(&p->rng, &def->margin_frac);
        if (rng_uniform(&p->rng) < def->limit_share) a->flags |= F_LIMIT;
        if (rng_uniform(&p->rng) < def->sl_share) a->sl_bps = bps16(dist_draw(&p->rng, &def->sl_pct));
        if (rng_uniform(&p->rng) < def->tp_share) a->tp_bps = bps16(dist_draw(&p->rng, &def->tp_pct));
        double r = dist_draw(&p->rng, &def->rate_per_hour);
        rate[i] = (float)(r > 0 ? r : 0);
        if (rate[i] > rate_max) rate_max = rate[i];
    }
    for (uint32_t i = 0; i < n; i++) {
        double x = rate_max > 0 ? ceil((double)rate[i] / rate_max * 255.0) : 0;
        p->activity[i] = (uint8_t)(x > 255 ? 255 : x);
    }
    mem_free(rate);
    rate = NULL;
    /* base decisions follow attention: scheduled at its bound, thinned at the wake (agent_attention_pass) */
    p->base_rate = (double)n * rate_max / 3600.0 * agent_attention_bound(env);
    p->mon_rate = def->monitor_per_hour / 3600.0;
    p->next_wake = SIMTIME_MAX;
    if (n > 0) schedule(p, env);
    *out = p;
    return STATUS_OK;
fail:
    mem_free(rate);
    destroy(p);
    return s;
}

/* ---- reads ---- */

RetailStats retail_stats(const void *pop) { return ((const RetailPop *)pop)->st; }
AccountId retail_account(const void *pop, uint32_t agent) { return account_of(pop, agent); }
RetailStrategy retail_strategy(const void *pop, uint32_t agent)
{
    return (RetailStrategy)((const RetailPop *)pop)->a[agent].strategy;
}
int32_t retail_leverage(const void *pop, uint32_t agent) { return ((const RetailPop *)pop)->a[agent].leverage; }
double retail_sentiment(const void *pop) { return ((const RetailPop *)pop)->sentiment; }
double retail_fear(const void *pop) { return ((const RetailPop *)pop)->fear; }
size_t retail_bytes_per_agent(void) { return sizeof(RetailAgent) + sizeof(uint8_t) + sizeof(uint32_t); }
