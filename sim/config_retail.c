/* Config schema of the retail population (RetailDef, agents/retail.h). Defaults equal retail_default_def() (tested);
 * the rules behind each key: docs/agent_retail.md. */
#include "config_agents.h"
#include "retail.h"

#include <stdio.h>

#define H SIMTIME_NS_PER_HOUR
#define MIN SIMTIME_NS_PER_MIN

CFG_DIST_SCHEMA(wealth_schema, DIST_PARETO, 500.0, 1.3, 50.0, 5e6, 0.0, 1e12, "USD",
                "initial cash of an agent (Pareto: scale a, tail index b)");
CFG_DIST_SCHEMA(leverage_schema, DIST_LOGNORMAL, 10.0, 0.8, 1.0, 125.0, 1.0, 1000.0, "x",
                "account leverage (lognormal: median a, log-sd b), then clipped to the venue's maximum");
CFG_DIST_SCHEMA(margin_frac_schema, DIST_UNIFORM, 0.1, 0.5, 0.01, 1.0, 0.0, 1.0, "fraction",
                "share of the reserve (free margin) put up as margin per trade");
CFG_DIST_SCHEMA(rate_schema, DIST_UNIFORM, 1.0, 4.0, 0.0, 60.0, 0.0, 3600.0, "1/h",
                "base wakes per agent-hour at profile factor 1");
CFG_DIST_SCHEMA(trend_threshold_schema, DIST_UNIFORM, 0.3, 1.2, 0.0, 10.0, 0.0, 100.0, "score",
                "|trend score| a trend follower needs to open");
CFG_DIST_SCHEMA(dip_threshold_schema, DIST_LOGNORMAL, 0.02, 0.5, 0.005, 0.2, 0.0, 5.0, "log return",
                "drop (minus the log return over the agent's horizon) a dip buyer needs to buy");
CFG_DIST_SCHEMA(herding_schema, DIST_UNIFORM, 0.2, 1.0, 0.0, 2.0, 0.0, 10.0, NULL,
                "weight of the population sentiment in an agent's score / long probability");
CFG_DIST_SCHEMA(hold_schema, DIST_LOGNORMAL, 6.0, 1.0, 0.05, 240.0, 0.001, 10000.0, "h",
                "planned holding time, drawn at each entry");
CFG_DIST_SCHEMA(sl_schema, DIST_LOGNORMAL, 2.0, 0.5, 0.2, 50.0, 0.01, 100.0, "%",
                "stop-loss distance from the entry price");
CFG_DIST_SCHEMA(tp_schema, DIST_LOGNORMAL, 4.0, 0.5, 0.2, 100.0, 0.01, 600.0, "%",
                "take-profit distance from the entry price");
CFG_LATENCY_SCHEMA(latency_schema, 150.0, 0.5, 20.0);

static Status validate(const void *obj, char *key, size_t key_cap, char *msg, size_t msg_cap)
{
    const RetailDef *d = obj;
    if (d->venue != VENUE_PERP) {
        snprintf(key, key_cap, "venue");
        snprintf(msg, msg_cap, "retail traders trade the perpetual venue only");
        return STATUS_INVALID;
    }
    if (d->share_trend + d->share_dip > 1.0 + 1e-12) {
        snprintf(key, key_cap, "share_dip");
        snprintf(msg, msg_cap, "share_trend + share_dip must be <= 1 (the rest are noise traders)");
        return STATUS_RANGE;
    }
    return STATUS_OK;
}

static const CfgField fields[] = {
    CFG_FIELD_UINT("count", RetailDef, count, 0, 10000000, 2000, "agents", "agents in the block (0 = off)"),
    CFG_FIELD_ENUM("venue", RetailDef, venue, cfg_venue_names, VENUE_PERP, "where they trade: perp only"),
    CFG_FIELD_OBJECT("wealth_usd", RetailDef, wealth_usd, &wealth_schema, "initial cash (Pareto)"),
    CFG_FIELD_OBJECT("leverage", RetailDef, leverage, &leverage_schema, "account leverage (median 10x, tail to max)"),
    CFG_FIELD_DOUBLE("isolated_share", RetailDef, isolated_share, 0, 1, 1.0, "fraction",
                     "share of agents on isolated margin (the rest cross)"),
    CFG_FIELD_OBJECT("margin_frac", RetailDef, margin_frac, &margin_frac_schema, "margin per trade / reserve"),
    CFG_FIELD_OBJECT("rate_per_hour", RetailDef, rate_per_hour, &rate_schema, "base wakes per agent-hour"),
    CFG_FIELD_DOUBLE("monitor_per_hour", RetailDef, monitor_per_hour, 0, 3600, 6.0, "1/h",
                     "extra checks per hour while holding a position, an order or waiting to re-enter"),
    CFG_FIELD_DOUBLE("share_trend", RetailDef, share_trend, 0, 1, 0.4, "fraction", "share of trend followers"),
    CFG_FIELD_DOUBLE("share_dip", RetailDef, share_dip, 0, 1, 0.2, "fraction",
                     "share of dip buyers (the rest are noise traders)"),
    CFG_FIELD_DOUBLE("long_bias", RetailDef, long_bias, 0, 1, 0.65, "probability",
                     "P(long) of a noise trader at neutral sentiment; long_bias - 0.5 is added to trend scores"),
    CFG_FIELD_DOUBLE("entry_prob", RetailDef, entry_prob, 0, 1, 0.5, "probability",
                     "chance a flat trend/noise agent considers a trade at a base wake"),
    CFG_FIELD_DOUBLE_EX("trend_scale", RetailDef, trend_scale, 0, true, 1, false, 0.002, "fraction",
                        "EMA gap (fast / slow - 1) that counts as a unit trend signal"),
    CFG_FIELD_OBJECT("trend_threshold", RetailDef, trend_threshold, &trend_threshold_schema, "trend entry threshold"),
    CFG_FIELD_OBJECT("dip_threshold", RetailDef, dip_threshold, &dip_threshold_schema, "dip-buy threshold"),
    CFG_FIELD_OBJECT("herding", RetailDef, herding, &herding_schema, "weight of sentiment per agent"),
    CFG_FIELD_DOUBLE("limit_share", RetailDef, limit_share, 0, 1, 0.15, "fraction",
                     "share of agents entering with a limit order at the touch (the rest use market orders)"),
    CFG_FIELD_DURATION("limit_patience", RetailDef, limit_patience, SIMTIME_NS_PER_S, 24 * H, 10 * MIN,
                       "a resting entry older than this is cancelled at the agent's next check"),
    CFG_FIELD_DOUBLE_EX("sentiment_ret_scale", RetailDef, sentiment_ret_scale, 0, true, 1, false, 0.01, "log return",
                        "15-min log return that moves the sentiment target by one tanh unit"),
    CFG_FIELD_DOUBLE("sentiment_liq_weight", RetailDef, sentiment_liq_weight, 0, 100, 1.0, NULL,
                     "weight of net liquidations (longs - shorts, in units of fear_liq_share x OI) in the target"),
    CFG_FIELD_DURATION("sentiment_tau", RetailDef, sentiment_tau, SIMTIME_NS_PER_S, 7 * 24 * H, 10 * MIN,
                       "relaxation time of sentiment toward its target"),
    CFG_FIELD_DOUBLE_EX("fear_liq_share", RetailDef, fear_liq_share, 0, true, 1, false, 0.002, "fraction",
                        "share of open interest liquidated within 60 s that raises fear to 1 - 1/e"),
    CFG_FIELD_DURATION("fear_tau", RetailDef, fear_tau, SIMTIME_NS_PER_S, 7 * 24 * H, 30 * MIN,
                       "decay time of fear after a liquidation wave"),
    CFG_FIELD_DOUBLE("fear_entry_damp", RetailDef, fear_entry_damp, 0, 1, 0.8, "fraction",
                     "entry probability is multiplied by 1 - damp x fear"),
    CFG_FIELD_DOUBLE("fear_panic", RetailDef, fear_panic, 0, 1, 0.5, "fraction",
                     "panic probability on a margin call rises to q + (1 - q) x fear_panic x fear"),
    CFG_FIELD_OBJECT("hold_hours", RetailDef, hold_hours, &hold_schema, "planned holding time"),
    CFG_FIELD_DOUBLE("reversal_threshold", RetailDef, reversal_threshold, 0, 10, 0.6, "score",
                     "trend/noise agents close when their view against the position exceeds this"),
    CFG_FIELD_DOUBLE("sl_share", RetailDef, sl_share, 0, 1, 0.3, "fraction", "share of agents using a stop-loss"),
    CFG_FIELD_OBJECT("sl_pct", RetailDef, sl_pct, &sl_schema, "stop-loss distance"),
    CFG_FIELD_DOUBLE("tp_share", RetailDef, tp_share, 0, 1, 0.3, "fraction", "share of agents using a take-profit"),
    CFG_FIELD_OBJECT("tp_pct", RetailDef, tp_pct, &tp_schema, "take-profit distance"),
    CFG_FIELD_DOUBLE("topup_prob", RetailDef, topup_prob, 0, 1, 0.3, "probability",
                     "p: top up isolated margin from the reserve when a margin call is seen"),
    CFG_FIELD_DOUBLE("panic_prob", RetailDef, panic_prob, 0, 1, 0.2, "probability",
                     "q: otherwise close at market when a margin call is seen"),
    CFG_FIELD_DOUBLE("topup_frac", RetailDef, topup_frac, 0, 100, 1.0, "x margin",
                     "a top-up adds this multiple of the position's isolated margin (at most the free cash)"),
    CFG_FIELD_DOUBLE("reentry_prob", RetailDef, reentry_prob, 0, 1, 0.5, "probability",
                     "r: re-enter after a liquidation with what is left (else leave for good)"),
    CFG_FIELD_INT("max_leverage", RetailDef, max_leverage, 1, 255, 125, "x",
                  "the block's own leverage cap (the venue's cap also applies)"),
    CFG_FIELD_OBJECT("latency", RetailDef, latency, &latency_schema, "order-entry latency"),
};

const CfgSchema cfg_retail_schema =
    CFG_SCHEMA(RetailDef, "retail", fields, validate, "leveraged retail traders on the perpetual venue");
