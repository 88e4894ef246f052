/* Config schema of the noise population: the perp block (`noise`, noise_default_def) and the spot block
 * (`spot_noise`, noise_default_spot_def). The two tables differ only in their defaults. Behaviour:
 * docs/agent_noise.md. */
#include "config_agents.h"
#include "noise.h"

#include <stdio.h>

#define MIN_ SIMTIME_NS_PER_MIN

CFG_DIST_SCHEMA(offset_schema, DIST_LOGNORMAL, 10.0, 1.0, 0.5, 300.0, 0.0, 10000.0, "bps",
                "limit price distance from the mid (buy below, sell above)");
CFG_DIST_SCHEMA(size_schema, DIST_LOGNORMAL, 1500.0, 0.8, 100.0, 25000.0, 0.0, 1e9, "USD", "order size (notional)");
CFG_LATENCY_SCHEMA(latency_schema, 50.0, 0.5, 5.0);

static Status noise_validate(const void *obj, char *key, size_t key_cap, char *msg, size_t msg_cap)
{
    const NoiseDef *d = obj;
    if (d->p_limit + d->p_market + d->p_cancel <= 0) {
        snprintf(key, key_cap, "p_limit");
        snprintf(msg, msg_cap, "p_limit + p_market + p_cancel must be > 0");
        return STATUS_RANGE;
    }
    return STATUS_OK;
}

#define NOISE_FIELDS(venue_, asset_usd_, leverage_)                                                                  \
    CFG_FIELD_UINT("count", NoiseDef, count, 0, 1000000, 50, "agents", "agents in the block (0 = off)"),            \
    CFG_FIELD_ENUM("venue", NoiseDef, venue, cfg_venue_names, venue_, "venue the block trades on: perp or spot"),   \
    CFG_FIELD_DOUBLE("rate_per_hour", NoiseDef, rate_per_hour, 0, 1e6, 180, "1/h",                                 \
                     "events per agent per hour at activity factor 1 (population rate = count x this)"),          \
    CFG_FIELD_DOUBLE("p_limit", NoiseDef, p_limit, 0, 1, 0.60, NULL, "relative weight of a limit order"),          \
    CFG_FIELD_DOUBLE("p_market", NoiseDef, p_market, 0, 1, 0.25, NULL, "relative weight of a market order"),       \
    CFG_FIELD_DOUBLE("p_cancel", NoiseDef, p_cancel, 0, 1, 0.15, NULL,                                             \
                     "relative weight of cancelling one resting order"),                                           \
    CFG_FIELD_OBJECT("offset_bps", NoiseDef, offset_bps, &offset_schema, "limit price distance from the mid"),      \
    CFG_FIELD_OBJECT("size_usd", NoiseDef, size_usd, &size_schema, "order size"),                                   \
    CFG_FIELD_DOUBLE("cash_usd", NoiseDef, cash_usd, 0, 1e12, 20000, "USD",                                        \
                     "per agent: perp collateral (cross margin) or spot cash"),                                    \
    CFG_FIELD_DOUBLE("asset_usd", NoiseDef, asset_usd, 0, 1e12, asset_usd_, "USD",                                 \
                     "spot only: asset per agent, valued at the initial price"),                                   \
    CFG_FIELD_INT("leverage", NoiseDef, leverage, 1, 125, leverage_, "x", "perp only: cross-margin leverage"),     \
    CFG_FIELD_DOUBLE_EX("max_position_usd", NoiseDef, max_position_usd, 0, true, 1e12, false, 15000, "USD",       \
                        "inventory bound: beyond it the agent trades back toward flat"),                           \
    CFG_FIELD_DOUBLE("rebalance_to", NoiseDef, rebalance_to, 0, 1, 0.5, NULL,                                      \
                     "fraction of the bound the inventory is brought back to"),                                    \
    CFG_FIELD_DOUBLE("inventory_skew", NoiseDef, inventory_skew, 0, 1, 0.5, NULL,                                  \
                     "P(buy) = 0.5 x (1 - skew x inventory / bound): leans the coin against the inventory"),       \
    CFG_FIELD_UINT("max_orders", NoiseDef, max_orders, 1, 256, 8, "orders",                                        \
                   "order slots per agent; a new limit order on a full ring replaces the oldest"),                \
    CFG_FIELD_DURATION("max_order_age", NoiseDef, max_order_age, 1 * SIMTIME_NS_PER_S, SIMTIME_NS_PER_DAY,          \
                       10 * MIN_, "resting orders older than this are cancelled at the agent's next event"),       \
    CFG_FIELD_OBJECT("latency", NoiseDef, latency, &latency_schema, "order-entry latency")

static const CfgField perp_fields[] = {NOISE_FIELDS(VENUE_PERP, 0, 3)};
static const CfgField spot_fields[] = {NOISE_FIELDS(VENUE_SPOT, 20000, 1)};

const CfgSchema cfg_noise_schema =
    CFG_SCHEMA(NoiseDef, "noise", perp_fields, noise_validate, "zero-intelligence noise traders (perp block)");
const CfgSchema cfg_spot_noise_schema =
    CFG_SCHEMA(NoiseDef, "spot_noise", spot_fields, noise_validate, "zero-intelligence noise traders (spot block)");
