/* Shared agent helpers: parameter distributions, latency, the 24/7 intensity profile, unit conversions. */
#include "agent.h"

#include "cascade_assert.h"

#include <math.h>

const int32_t feed_horizon_min[FEED_HORIZONS] = {1, 5, 15, 60, 240};

DistDef dist_const(double v) { return (DistDef){DIST_CONST, v, 0, v, v}; }

double dist_log_a(const DistDef *d) { return d->kind == DIST_LOGNORMAL ? log(d->a) : 0.0; }

double dist_draw(Rng *r, const DistDef *d) { return dist_draw_log_a(r, d, dist_log_a(d)); }

double dist_draw_log_a(Rng *r, const DistDef *d, double log_a)
{
    double x = d->a;
    switch (d->kind) {
    case DIST_CONST: x = d->a; break;
    case DIST_UNIFORM: x = d->a + (d->b - d->a) * rng_uniform(r); break;
    case DIST_NORMAL: x = rng_normal(r, d->a, d->b); break;
    case DIST_LOGNORMAL: x = rng_lognormal(r, log_a, d->b); break;
    case DIST_PARETO: x = rng_pareto(r, d->a, d->b); break;
    default: CASCADE_ASSERT(!"unknown distribution");
    }
    if (x < d->min) x = d->min;
    if (x > d->max) x = d->max;
    return x;
}

double dist_median(const DistDef *d)
{
    switch (d->kind) {
    case DIST_UNIFORM: return 0.5 * (d->a + d->b);
    case DIST_PARETO: return d->a * pow(2.0, 1.0 / d->b);
    default: return d->a; /* const, normal mean, lognormal median */
    }
}

AgentLatency agent_latency_model(const LatencyDef *l)
{
    return (AgentLatency){*l, l->sigma > 0 && l->median_ms > 0 ? log(l->median_ms) : 0.0};
}

SimDuration agent_latency(Rng *r, const AgentLatency *m)
{
    const LatencyDef *l = &m->def;
    double ms = l->median_ms;
    if (l->sigma > 0 && l->median_ms > 0) ms = rng_lognormal(r, m->log_median, l->sigma);
    if (ms < l->min_ms) ms = l->min_ms;
    return (SimDuration)agent_llround(ms * (double)SIMTIME_NS_PER_MS);
}

IntensityProfile profile_flat(void)
{
    IntensityProfile p;
    for (int h = 0; h < 24; h++) p.hour[h] = 1.0;
    p.weekend = 1.0;
    return p;
}

double profile_factor(const IntensityProfile *p, SimTime t)
{
    double f = p->hour[simtime_hour_of_day(t)];
    return simtime_is_weekend(t) ? f * p->weekend : f;
}

double profile_max(const IntensityProfile *p)
{
    double m = 0;
    for (int h = 0; h < 24; h++) m = p->hour[h] > m ? p->hour[h] : m;
    return p->weekend > 1.0 ? m * p->weekend : m;
}

SimTime agent_poisson_next_env(Rng *r, const AgentEnv *e, double rate_per_s)
{
    /* the world computes the peak once (profile_peak); an environment built by hand leaves it 0 */
    double peak = e->profile_peak > 0 ? e->profile_peak : profile_max(e->profile);
    if (rate_per_s <= 0 || peak <= 0) return SIMTIME_MAX;
    const IntensityProfile *p = e->profile;
    double lambda = rate_per_s * peak;
    SimTime t = e->now;
    for (;;) {
        double gap_s = rng_exponential(r, lambda);
        double gap_ns = gap_s * (double)SIMTIME_NS_PER_S;
        if (gap_ns > (double)(SIMTIME_MAX - t) / 2) return SIMTIME_MAX;
        t += gap_ns < 1.0 ? 1 : (SimDuration)gap_ns;
        double f = t >= e->hour_from && t < e->hour_until ? e->hour_factor : profile_factor(p, t);
        if (rng_uniform(r) * peak < f) return t;
    }
}

double agent_attention_bound(const AgentEnv *e) { return e->attention_max > 0 ? e->attention_max : 1.0; }

bool agent_attention_pass(const AgentEnv *e, Rng *r)
{
    if (!(e->attention_max > 0)) return true;
    return rng_uniform(r) * e->attention_max < e->feed->attention;
}

Quote agent_usd_to_quote(const AgentEnv *e, double usd)
{
    /* floor(x), clamped to [0, QUOTE_MAX], without forming floor(x): below 1 (or NaN) it is 0; from 9e18 (an
     * integer, so floor(x) < 9e18 exactly when x < 9e18) the cap; in between the conversion truncates, which for a
     * positive x is the floor */
    double x = usd * e->quote_per_usd;
    if (!(x >= 1.0)) return 0;
    return x < 9e18 ? (Quote)x : QUOTE_MAX;
}

Ticks agent_usd_to_ticks(const AgentEnv *e, double usd)
{
    double t = llround(usd / e->tick_usd);
    return t >= 1 ? (Ticks)t : 1;
}

Lots agent_lots_for(Quote notional, Ticks price)
{
    if (price <= 0 || notional <= 0) return 0;
    return notional / price;
}

Ticks agent_price_offset(Ticks price, double frac)
{
    double p = (double)agent_llround((double)price * (1.0 + frac));
    return p >= 1 ? (Ticks)p : 1;
}
