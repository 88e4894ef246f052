/* Config schema of the value population (value_default_def). Behaviour: docs/agent_value.md. */
#include "config_agents.h"
#include "value.h"

#define HOUR_ SIMTIME_NS_PER_HOUR

CFG_DIST_SCHEMA(capital_schema, DIST_LOGNORMAL, 100000.0, 0.5, 10000.0, 1000000.0, 0.0, 1e12, "USD",
                "capital per agent (perp collateral, or spot cash + asset at the start)");
CFG_DIST_SCHEMA(threshold_schema, DIST_UNIFORM, 50.0, 150.0, 0.0, 10000.0, 0.0, 10000.0, "bps",
                "mispricing below which the agent opens nothing");
CFG_DIST_SCHEMA(aggression_schema, DIST_UNIFORM, 5.0, 20.0, 0.0, 1000.0, 0.0, 1e6, "x",
                "target exposure per unit of log mispricing beyond the threshold, in capital units");
CFG_LATENCY_SCHEMA(latency_schema, 100.0, 0.5, 10.0);

static const CfgField fields[] = {
    CFG_FIELD_UINT("count", ValueDef, count, 0, 1000000, 30, "agents", "agents in the block (0 = off)"),
    CFG_FIELD_ENUM("venue", ValueDef, venue, cfg_venue_names, VENUE_SPOT, "venue the block trades on: perp or spot"),
    CFG_FIELD_DOUBLE("wake_per_hour", ValueDef, wake_per_hour, 0, 1e6, 12, "1/h",
                     "decisions per agent per hour at activity factor 1"),
    CFG_FIELD_OBJECT("capital_usd", ValueDef, capital_usd, &capital_schema, "capital per agent"),
    CFG_FIELD_DOUBLE("asset_frac", ValueDef, asset_frac, 0, 1, 0.5, NULL,
                     "spot only: share of capital held in the asset at the start (the neutral holding)"),
    CFG_FIELD_INT("leverage", ValueDef, leverage, 1, 125, 2, "x", "perp only: cross-margin leverage"),
    CFG_FIELD_DOUBLE("estimate_sd", ValueDef, estimate_sd, 0, 1, 0.01, NULL,
                     "sd of the log error of an agent's estimate of the fundamental"),
    CFG_FIELD_DURATION("estimate_tau", ValueDef, estimate_tau, 0, 365 * SIMTIME_NS_PER_DAY, 6 * HOUR_,
                       "correlation time of the estimate error (0 = redrawn at every decision)"),
    CFG_FIELD_OBJECT("threshold_bps", ValueDef, threshold_bps, &threshold_schema, "per-agent threshold"),
    CFG_FIELD_OBJECT("aggression", ValueDef, aggression, &aggression_schema, "per-agent aggression"),
    CFG_FIELD_DOUBLE("max_exposure", ValueDef, max_exposure, 0, 100, 0.5, NULL,
                     "cap of the target exposure, in capital units"),
    CFG_FIELD_DOUBLE_EX("max_trade_frac", ValueDef, max_trade_frac, 0, true, 100, false, 0.1, NULL,
                        "largest single order, in capital units"),
    CFG_FIELD_DOUBLE("unwind_frac", ValueDef, unwind_frac, 0, 1, 0.25, NULL,
                     "inside the threshold: share of the exposure traded back toward neutral per decision"),
    CFG_FIELD_OBJECT("latency", ValueDef, latency, &latency_schema, "order-entry latency"),
    CFG_FIELD_DURATION("news_reaction", ValueDef, news_reaction, 0, HOUR_, 0,
                       "mean reaction time to a fundamental jump (news): every agent decides after an exponential "
                       "delay (0 = off)"),
};
const CfgSchema cfg_value_schema =
    CFG_SCHEMA(ValueDef, "value", fields, NULL, "value traders around a noisy fundamental");
