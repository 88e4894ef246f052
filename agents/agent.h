/* The interface every agent population shares (MODEL.md 2 and 4). Design notes: docs/agents.md.
 *
 * A population is one module (retail.c, maker.c, ...) holding its agents as arrays of plain data. The world (sim/)
 * owns the venues and the event queue; a population acts only through the AgentEnv the world hands it:
 *   - reads: the venues' public API (const pointers) and the MarketFeed, public information the world derives once
 *     per second (moving averages, returns, realized volatility, the liquidation feed);
 *   - actions: submit / cancel orders, which reach the venue after the latency the agent draws (the world delivers
 *     them as events), margin top-ups, and wake-up requests.
 * The world calls back through PopulationOps: wake-ups, the outcome of each submission when it reaches the venue,
 * fills, orders ended by the venue, liquidations of the population's accounts.
 *
 * Populations never see each other and never call the venues' mutating functions directly; that keeps latency
 * honest and lets the world log every action (replay, live view). Every random draw comes from the population's
 * own stream (rng_stream(seed, population id)), so adding a population does not change the others' draws.
 *
 * Money crosses this interface in venue units (Ticks, Lots, Quote). Definitions (configs) are in human units:
 * USD and fractions; AgentEnv.quote_per_usd and .tick_usd convert, through agent_usd_to_quote (rounding down). */
#ifndef CASCADE_AGENT_H
#define CASCADE_AGENT_H

#include "perp.h"
#include "rng.h"
#include "simtime.h"
#include "spot.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum VenueKind { VENUE_PERP = 0, VENUE_SPOT = 1, VENUE_KIND_COUNT_ } VenueKind;

#define AGENT_NONE UINT32_MAX

/* ---- distributions of agent parameters (each population block draws its agents' parameters from these) ---- */

typedef enum DistKind {
    DIST_CONST = 0,    /* a */
    DIST_UNIFORM,      /* uniform on [a, b] */
    DIST_NORMAL,       /* mean a, sd b */
    DIST_LOGNORMAL,    /* median a, log-sd b */
    DIST_PARETO,       /* scale (minimum) a, tail index b */
    DIST_KIND_COUNT_
} DistKind;

typedef struct DistDef {
    DistKind kind;
    double a, b;
    double min, max;   /* every draw is clipped to [min, max] */
} DistDef;

/* A constant distribution. */
DistDef dist_const(double v);
/* One draw, clipped to [min, max]. */
double dist_draw(Rng *r, const DistDef *d);
/* The same draw with log(d->a) supplied by the caller (a population that draws from a fixed DistDef on every event
 * computes it once): log_a must be dist_log_a(d). Same stream, same value as dist_draw. */
double dist_draw_log_a(Rng *r, const DistDef *d, double log_a);
/* log(d->a) for a lognormal DistDef (its log-median), 0 for the other kinds. */
double dist_log_a(const DistDef *d);
/* The distribution's median before clipping (for docs and sanity checks). */
double dist_median(const DistDef *d);

/* Order-entry latency: lognormal with the given median (ms) and log-sd, plus a floor. */
typedef struct LatencyDef {
    double median_ms;
    double sigma;
    double min_ms;
} LatencyDef;

/* A latency ready to draw from: the definition and its log-median, computed once (a libm log on every draw was ~2 %
 * of a 10^5-trader run). Populations keep one, made by agent_latency_model from their definition. */
typedef struct AgentLatency {
    LatencyDef def;
    double log_median; /* log(def.median_ms) when the latency is random (sigma > 0, median > 0), else 0 */
} AgentLatency;

AgentLatency agent_latency_model(const LatencyDef *l);
/* One latency draw (ns): the lognormal, floored at min_ms, rounded to the nanosecond. */
SimDuration agent_latency(Rng *r, const AgentLatency *m);

/* 24/7 activity profile: multipliers by UTC hour of day and on Saturdays and Sundays (MODEL.md 2). */
typedef struct IntensityProfile {
    double hour[24];
    double weekend;
} IntensityProfile;

/* Flat profile (every multiplier 1). */
IntensityProfile profile_flat(void);
double profile_factor(const IntensityProfile *p, SimTime t);
/* The largest factor the profile reaches (the world computes it once per run: AgentEnv.profile_peak). */
double profile_max(const IntensityProfile *p);

/* ---- public market information ---- */

enum { FEED_HORIZONS = 5 };
/* Horizons of the feed's moving averages and returns: 1, 5, 15, 60, 240 minutes. */
extern const int32_t feed_horizon_min[FEED_HORIZONS];

typedef struct MarketFeed {
    SimTime time;                  /* when the world last updated it (once per second) */
    Ticks perp_last, perp_mark, perp_bid, perp_ask;
    Ticks spot_last, spot_bid, spot_ask;
    Ticks index;
    double ema[FEED_HORIZONS];     /* EMA of the mark (ticks), time constant = the horizon */
    double mark_then[FEED_HORIZONS]; /* the mark one horizon ago (ticks; 0 until the history is that long) */
    double vol_1m;                 /* RMS of 1-s log returns of the mark over the last 60 s */
    double vol_15m;                /* same over 15 min */
    double liq_notional_60s[2];    /* quote units liquidated in the last 60 s: [0] longs, [1] shorts */
    uint32_t liq_count_60s[2];
    uint32_t backlog_items;
    Quote backlog_notional;
    Lots open_interest;
    int64_t funding_rate_e8;       /* the last settled rate */
    int64_t premium_e8;            /* the latest premium sample estimate: (perp mid - index) / index */
    double fundamental;            /* the value traders' fundamental (ticks); agents see it only with their noise */
    double attention;              /* activity multiplier of retail and noise traders now (1 when attention is off) */
    bool halted;
    bool maker_outage;             /* a scenario shock has switched market makers off */
} MarketFeed;

/* Log return of the mark over horizon h (0 until the history is long enough). Computed when read rather than
 * stored each second: few decisions read it, and five logs a second were 2.5 % of a calm run's event loop. */
static inline double feed_return(const MarketFeed *f, int h)
{
    double then = f->mark_then[h];
    return then > 0 ? log((double)f->perp_mark / then) : 0;
}

/* feed_return remembered with its inputs, for a population whose agents read it at every wake: the mark and the
 * mark one horizon ago change once a second, while a 10^6-trader crowd wakes thousands of times in between (a log
 * per wake was ~2 % of such a run). Zero-initialised, it holds nothing. */
typedef struct FeedReturnMemo {
    Ticks mark[FEED_HORIZONS];
    double then[FEED_HORIZONS];
    double ret[FEED_HORIZONS];
    bool valid[FEED_HORIZONS];
} FeedReturnMemo;

/* feed_return(f, h), bit for bit: computed again only when f's mark or mark_then[h] differs from the last call's. */
static inline double feed_return_memo(FeedReturnMemo *m, const MarketFeed *f, int h)
{
    if (!m->valid[h] || m->mark[h] != f->perp_mark || m->then[h] != f->mark_then[h]) {
        m->mark[h] = f->perp_mark;
        m->then[h] = f->mark_then[h];
        m->ret[h] = feed_return(f, h);
        m->valid[h] = true;
    }
    return m->ret[h];
}

/* ---- what a population receives ---- */

typedef struct AgentFill {
    VenueKind venue;
    AccountId account;
    Side side;                     /* the agent's side */
    Ticks price_tk;
    Lots qty;
    bool maker;
    OrderRef ref;                  /* ORDER_REF_NONE once the order ended */
    Lots remaining;
    uint64_t tag;                  /* the agent's own tag */
    bool liquidation;              /* the agent's position was closed by the venue (ADL/backstop do not report here) */
} AgentFill;

typedef struct AgentEnv AgentEnv;

typedef struct PopulationOps {
    const char *name;
    /* A wake-up the population asked for (agent = the one it named, or AGENT_NONE for a population-level process). */
    void (*wake)(void *pop, AgentEnv *env, uint32_t agent);
    /* A submission reached the venue: status and result (ref to keep for cancels). */
    void (*on_submitted)(void *pop, AgentEnv *env, uint32_t agent, VenueKind v, uint64_t tag, Status s,
                         const VenueResult *r);
    void (*on_fill)(void *pop, AgentEnv *env, uint32_t agent, const AgentFill *f);
    /* A resting order ended without a fill completing it and without the agent's own cancel. */
    void (*on_order_done)(void *pop, AgentEnv *env, uint32_t agent, VenueKind v, OrderRef ref, uint64_t tag,
                          Lots remaining);
    /* One of the agent's perp positions was liquidated (the record is the venue's). */
    void (*on_liquidated)(void *pop, AgentEnv *env, uint32_t agent, const PerpLiqRecord *rec);
    /* Backstop offer (liquidation bots only; may be NULL). */
    Lots (*backstop_offer)(void *pop, AgentEnv *env, uint32_t agent, const PerpBackstopOffer *o, Ticks *price);
    void (*destroy)(void *pop);
    /* The fundamental has just jumped: public news (may be NULL). feed->fundamental already shows it. */
    void (*on_news)(void *pop, AgentEnv *env);
} PopulationOps;

/* Implemented by the world (sim/world.c); populations use the agent_* wrappers below. */
typedef struct AgentEnvOps {
    Status (*submit)(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, const VenueReq *req,
                     SimDuration latency);
    Status (*cancel)(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, OrderRef ref,
                     SimDuration latency);
    Status (*cancel_all)(void *world, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, SimDuration latency);
    Status (*add_margin)(void *world, AccountId a, Quote amount);
    void (*wake_at)(void *world, uint32_t pop, uint32_t agent, SimTime t);
    /* New account owned by (pop, agent): perp (mode, leverage, cash) or spot (cash, asset). */
    Status (*open_account)(void *world, uint32_t pop, uint32_t agent, VenueKind v, MarginMode mode, int32_t leverage,
                           Quote cash, Lots asset, AccountId *out);
    /* Registers a perp account as a backstop taker (liquidation bots). */
    Status (*add_backstop)(void *world, uint32_t pop, uint32_t agent, AccountId a);
} AgentEnvOps;

struct AgentEnv {
    void *world;
    AgentEnvOps ops;
    SimTime now;
    const MarketFeed *feed;
    const PerpVenue *perp;
    const SpotVenue *spot;
    const IntensityProfile *profile;
    double quote_per_usd;          /* 1 / (tick_usd x lot size): 10,000 for 0.1 USD ticks and 0.001 BTC lots */
    double tick_usd;               /* USD per tick */
    double lot_units;              /* asset units per lot */
    double attention_max;          /* the bound of feed->attention; 0 = attention off */
    double profile_peak;           /* profile_max(profile), set by the world; 0 = unknown (computed per call) */
    /* profile_factor(profile, t) for every t in [hour_from, hour_until): one clock hour, within which the profile is
     * constant. The world sets it as its clock enters each hour, so a wake drawn in the current hour skips the
     * calendar arithmetic; other times (and hour_until = 0, an environment built by hand) compute it. */
    SimTime hour_from, hour_until;
    double hour_factor;
};

/* Next event after e->now of a Poisson process with rate rate_per_s x profile_factor(e->profile, t), by thinning
 * against the profile's peak (e->profile_peak, computed once by the world: profile_max on every wake was 1.2 % of
 * equity_day's loop); SIMTIME_MAX when the rate is 0. */
SimTime agent_poisson_next_env(Rng *r, const AgentEnv *e, double rate_per_s);

static inline Status agent_submit(AgentEnv *e, uint32_t pop, uint32_t agent, VenueKind v, AccountId a,
                                  const VenueReq *req, SimDuration latency)
{
    return e->ops.submit(e->world, pop, agent, v, a, req, latency);
}
static inline Status agent_cancel(AgentEnv *e, uint32_t pop, uint32_t agent, VenueKind v, AccountId a, OrderRef ref,
                                  SimDuration latency)
{
    return e->ops.cancel(e->world, pop, agent, v, a, ref, latency);
}
static inline Status agent_cancel_all(AgentEnv *e, uint32_t pop, uint32_t agent, VenueKind v, AccountId a,
                                      SimDuration latency)
{
    return e->ops.cancel_all(e->world, pop, agent, v, a, latency);
}
static inline void agent_wake_at(AgentEnv *e, uint32_t pop, uint32_t agent, SimTime t)
{
    e->ops.wake_at(e->world, pop, agent, t);
}

/* Attention thinning. A population whose activity follows attention schedules its wakes at agent_attention_bound
 * times its rate, and each wake passes agent_attention_pass with probability feed->attention / attention_max: exact
 * thinning, since the factor is known at the instant of the wake. With attention off the bound is 1 and every wake
 * passes without a draw (streams unchanged). */
double agent_attention_bound(const AgentEnv *e);
bool agent_attention_pass(const AgentEnv *e, Rng *r);

/* floor, ceil and llround bit for bit (signed zeros included) without libm. GCC without SSE4.1 calls floor, ceil
 * and llround or inlines a dozen SSE2 instructions, and the agents and the per-second feed round prices and sizes
 * several times per event. Below 2^63 (2^52 for llround) truncation toward zero and the fraction x - trunc(x) are
 * exact; other x go to libm. */
static inline double agent_floor(double x)
{
    return x > 0.0 && x < 9223372036854775808.0 ? (double)(int64_t)x : floor(x);
}
static inline double agent_ceil(double x)
{
    if (!(x > 0.0 && x < 9223372036854775808.0)) return ceil(x);
    double t = (double)(int64_t)x;
    return t < x ? t + 1.0 : t;
}
/* llround: the nearest integer, halves away from zero. */
static inline long long agent_llround(double x)
{
    if (!(x > -4503599627370496.0 && x < 4503599627370496.0)) return llround(x);
    long long i = (long long)x;
    double frac = x - (double)i;
    return frac >= 0.5 ? i + 1 : (frac <= -0.5 ? i - 1 : i);
}

/* USD amount to quote units (rounded down, >= 0). */
Quote agent_usd_to_quote(const AgentEnv *e, double usd);
/* USD price to ticks (rounded to nearest, >= 1). */
Ticks agent_usd_to_ticks(const AgentEnv *e, double usd);
/* Lots worth `notional` quote units at price (rounded down, >= 0). */
Lots agent_lots_for(Quote notional, Ticks price);
/* A price moved by `frac` (e.g. -0.01 = 1 % lower), rounded to the nearest tick, >= 1. */
Ticks agent_price_offset(Ticks price, double frac);

#endif
