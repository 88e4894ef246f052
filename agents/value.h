/* Value traders around a noisy fundamental (MODEL.md section 4, "Background"; LITERATURE.md A1 (Thurner, Farmer
 * & Geanakoplos value funds) and A6 (Chiarella-Iori fundamentalists)). Behaviour rules, formulas and defaults:
 * docs/agent_value.md.
 *
 * The world keeps the fundamental F (MarketFeed.fundamental, ticks). Agent i holds a persistent log error eps_i, an
 * Ornstein-Uhlenbeck process with sd estimate_sd and correlation time estimate_tau, and estimates E_i = F exp(eps_i).
 * One population-level Poisson process (count x wake_per_hour, thinned by the 24/7 profile) wakes an agent chosen
 * uniformly; it reads the price P of its venue (mid, else last trade), forms the log mispricing m = ln(E_i / P) and
 * trades toward a target exposure (value_trade_usd):
 *   m >  theta_i:  target = +min(beta_i (m - theta_i), max_exposure) W_i, buy up to it (never sells here);
 *   m < -theta_i:  target = -min(beta_i (-m - theta_i), max_exposure) W_i, sell down to it (never buys here);
 *   otherwise:     unwind unwind_frac of the exposure (take profit once the price is back near value);
 * each order at most max_trade_frac W_i. Outside the band the order is an IOC limited at E_i exp(-theta_i) for a
 * buy and E_i exp(theta_i) for a sell (the agent never pays more than its value less the threshold); an unwind is an
 * IOC at the touch. Capital limits: spot agents trade only the cash and asset they hold (exposure = asset value
 * above the initial holding asset_frac W_i); perp agents are cross-margined at `leverage` and clipped to their free
 * margin. */
#ifndef CASCADE_VALUE_H
#define CASCADE_VALUE_H

#include "agent.h"

typedef struct ValueDef {
    uint32_t count;            /* agents in this block; 0 = the population is off */
    VenueKind venue;           /* where it trades (default VENUE_SPOT) */
    double wake_per_hour;      /* decisions per agent per hour at profile factor 1 */
    DistDef capital_usd;       /* W_i: perp collateral, or spot cash + asset value at the start */
    double asset_frac;         /* spot: share of W_i held in the asset at the start (the neutral holding) */
    int32_t leverage;          /* perp: cross-margin leverage setting (ignored on spot) */
    double estimate_sd;        /* sd of the log estimate error eps_i */
    SimDuration estimate_tau;  /* correlation time of eps_i (0: redrawn at every decision) */
    DistDef threshold_bps;     /* theta_i: no new position while |m| <= theta_i, basis points of log price */
    DistDef aggression;        /* beta_i: target exposure per unit of log mispricing beyond theta_i, in W_i */
    double max_exposure;       /* |target exposure| <= max_exposure x W_i */
    double max_trade_frac;     /* one order <= max_trade_frac x W_i */
    double unwind_frac;        /* inside the band: share of the exposure traded back toward neutral per decision */
    LatencyDef latency;        /* order-entry latency */
    SimDuration news_reaction; /* mean reaction time to a fundamental jump (news); 0 = jumps wait for routine wakes */
} ValueDef;

typedef struct ValueStats {
    uint64_t wakes;
    uint64_t buys, sells, unwinds;   /* orders sent (buys + sells include unwinds) */
    uint64_t rejects;
    uint64_t fills;
    Lots bought, sold;               /* lots filled */
    uint32_t liquidations;
} ValueStats;

/* Defaults of a realistic baseline block: 30 agents on spot. */
ValueDef value_default_def(void);
/* Creates the population: draws its agents' parameters from rng, opens their accounts and schedules their first
 * wake-ups through env. *out receives the state, to be used with value_ops. */
Status value_create(const ValueDef *def, AgentEnv *env, uint32_t pop_id, Rng rng, void **out);
extern const PopulationOps value_ops;

ValueStats value_stats(const void *pop);
AccountId value_account(const void *pop, uint32_t agent);
/* Agent i's current log estimate error eps_i (as last advanced, at its previous decision). */
double value_estimate_error(const void *pop, uint32_t agent);

/* ---- decision rule (pure; exposed for tests) ---- */

typedef struct ValueRule {
    double threshold;          /* theta, log units (threshold_bps / 1e4) */
    double beta;
    double max_exposure;
    double max_trade_frac;
    double unwind_frac;
} ValueRule;

/* Target exposure (USD, signed) for log mispricing m and capital w_usd; 0 inside the band. */
double value_target_usd(const ValueRule *r, double m, double w_usd);
/* Signed USD to trade now (> 0 buys) for log mispricing m, current exposure x_usd and capital w_usd (see the
 * header comment). */
double value_trade_usd(const ValueRule *r, double m, double x_usd, double w_usd);

#endif
