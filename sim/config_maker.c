/* Config schemas of the market-maker population: one for the perp block (`makers`), one for the spot block
 * (`spot_makers`). Same keys, different defaults; both equal maker_default_def() / maker_default_spot_def()
 * (tests/test_maker.c checks it). Rules and sources: docs/agent_maker.md. */
#include "config_agents.h"
#include "maker.h"

#define SEC_ SIMTIME_NS_PER_S
#define DAY SIMTIME_NS_PER_DAY

static const char *const ref_names[] = {"index", "mid", "micro", "last"};

/* ---- perp block ---- */

CFG_DIST_SCHEMA(perp_capital, DIST_PARETO, 2e6, 1.16, 2e6, 2e7, 1e3, 1e11, "USD",
                "capital per maker (collateral of its cross-margined perp account)");
CFG_DIST_SCHEMA(perp_half_spread, DIST_UNIFORM, 1.5, 4.0, 0.1, 1000, 0.01, 10000, "bps",
                "minimum half-spread per maker (the half-spread at calm volatility)");
CFG_DIST_SCHEMA(perp_level_size, DIST_UNIFORM, 30e3, 70e3, 100, 1e8, 1, 1e10, "USD",
                "size of a maker's innermost quote level");
CFG_DIST_SCHEMA(perp_withdraw_vol, DIST_UNIFORM, 6.0, 15.0, 0.1, 1e4, 0.01, 1e5, "bps",
                "per maker: withdraw when vol_1m (RMS of 1-s mark returns over 60 s) exceeds this");
CFG_LATENCY_SCHEMA(perp_latency, 5.0, 0.5, 1.0);

/* ---- spot block ---- */

CFG_DIST_SCHEMA(spot_capital, DIST_PARETO, 1e6, 1.16, 1e6, 1e7, 1e3, 1e11, "USD",
                "capital per maker (half cash, half asset at the initial price)");
CFG_DIST_SCHEMA(spot_half_spread, DIST_UNIFORM, 2.0, 5.0, 0.1, 1000, 0.01, 10000, "bps",
                "minimum half-spread per maker (the half-spread at calm volatility)");
CFG_DIST_SCHEMA(spot_level_size, DIST_UNIFORM, 15e3, 35e3, 100, 1e8, 1, 1e10, "USD",
                "size of a maker's innermost quote level");
CFG_DIST_SCHEMA(spot_withdraw_vol, DIST_UNIFORM, 6.0, 15.0, 0.1, 1e4, 0.01, 1e5, "bps",
                "per maker: withdraw when vol_1m (RMS of 1-s mark returns over 60 s) exceeds this");
CFG_LATENCY_SCHEMA(spot_latency, 5.0, 0.5, 1.0);

/* The same key list for both blocks; only the defaults (and the nested schemas holding them) differ. */
#define MAKER_FIELDS(count_, venue_, capital_, leverage_, margin_use_, inv_limit_, ref_, half_, spacing_, size_,     \
                     withdraw_, latency_)                                                                          \
    CFG_FIELD_INT("count", MakerDef, count, 0, 10000, count_, "agents", "makers in the block (MODEL.md 4: 5-50)"),   \
    CFG_FIELD_ENUM("venue", MakerDef, venue, cfg_venue_names, venue_, "venue the block quotes on"),               \
    CFG_FIELD_OBJECT("capital_usd", MakerDef, capital_usd, &capital_, "capital per maker"),                      \
    CFG_FIELD_INT("leverage", MakerDef, leverage, 1, 125, leverage_, "x",                                          \
                  "perp account leverage setting (cross margin); unused on spot"),                                \
    CFG_FIELD_DOUBLE_EX("margin_use", MakerDef, margin_use, 0, true, 1, false, margin_use_, "fraction",           \
                        "share of available margin (perp) or balances (spot) the quotes may use"),               \
    CFG_FIELD_DOUBLE("inventory_limit", MakerDef, inventory_limit, 0, 100, inv_limit_, "fraction of capital",    \
                     "|inventory notional| limit; the side that would pass it is cut or not quoted"),            \
    CFG_FIELD_ENUM("reference", MakerDef, reference, ref_names, ref_, "price the quotes are centred on"),        \
    CFG_FIELD_INT("levels", MakerDef, levels, 1, MAKER_MAX_LEVELS, 5, "levels", "quote levels per side"),         \
    CFG_FIELD_OBJECT("half_spread_bps", MakerDef, half_spread_bps, &half_, "minimum half-spread per maker"),     \
    CFG_FIELD_DOUBLE("vol_spread_mult", MakerDef, vol_spread_mult, 0, 1000, 2.0, "x sigma",                      \
                     "half-spread is at least this times sigma (per-second volatility)"),                        \
    CFG_FIELD_DOUBLE("level_spacing_bps", MakerDef, level_spacing_bps, 0, 10000, spacing_, "bps",                 \
                     "distance between consecutive levels"),                                                     \
    CFG_FIELD_OBJECT("level_size_usd", MakerDef, level_size_usd, &size_, "innermost level size per maker"),      \
    CFG_FIELD_DOUBLE("size_growth", MakerDef, size_growth, 0.1, 10, 1.5, "x per level",                           \
                     "level i is size_0 x growth^i"),                                                            \
    CFG_FIELD_BOOL("post_only", MakerDef, post_only, true, "post-only (true) or plain limit quotes"),             \
    CFG_FIELD_DOUBLE("risk_aversion", MakerDef, risk_aversion, 0, 1e9, 500.0, "1/q",                              \
                     "Avellaneda-Stoikov gamma: skew = -q gamma sigma^2 tau, q = inventory / limit"),            \
    CFG_FIELD_DURATION("horizon", MakerDef, horizon, 0, DAY, 120 * SEC_, "Avellaneda-Stoikov horizon tau (T - t)"), \
    CFG_FIELD_DOUBLE("vol_floor_bps", MakerDef, vol_floor_bps, 0, 10000, 1.0, "bps",                              \
                     "sigma used in spread and skew is at least this (per sqrt(s))"),                            \
    CFG_FIELD_DOUBLE("max_skew_bps", MakerDef, max_skew_bps, 0, 10000, 25.0, "bps", "cap of the inventory skew"), \
    CFG_FIELD_DURATION("refresh", MakerDef, refresh, SIMTIME_NS_PER_MS, SIMTIME_NS_PER_HOUR, SEC_,                  \
                       "quote refresh interval"),                                                                \
    CFG_FIELD_DOUBLE("refresh_jitter", MakerDef, refresh_jitter, 0, 1, 0.2, "fraction",                           \
                     "each interval is refresh x U(1 - j, 1 + j)"),                                              \
    CFG_FIELD_OBJECT("latency", MakerDef, latency, &latency_, "order-entry latency"),                            \
    CFG_FIELD_OBJECT("withdraw_vol_bps", MakerDef, withdraw_vol_bps, &withdraw_,                                 \
                     "volatility withdrawal threshold per maker"),                                               \
    CFG_FIELD_DURATION("adverse_window", MakerDef, adverse_window, SIMTIME_NS_PER_MS, DAY, 10 * SEC_,                \
                       "window of the adverse-fill checks"),                                                     \
    CFG_FIELD_DOUBLE("adverse_inventory", MakerDef, adverse_inventory, 0, 100, 0.6, "fraction of limit",         \
                     "withdraw when fills in the window move inventory by this share of the limit (0 = off)"),   \
    CFG_FIELD_DOUBLE("adverse_loss_bps", MakerDef, adverse_loss_bps, 0, 10000, 50.0, "bps of capital",            \
                     "withdraw when equity falls this much within the window (0 = off)"),                       \
    CFG_FIELD_DURATION("cooldown", MakerDef, cooldown, 0, DAY, 30 * SEC_,                                            \
                       "time out after the last withdrawal trigger"),                                            \
    CFG_FIELD_DOUBLE_EX("hedge_share", MakerDef, hedge_share, 0, false, 1, true, 0.0, "fraction of capital",        \
                        "capital kept on spot (half cash, half asset) to hedge perp inventory (0 = none; ignored on spot)"), \
    CFG_FIELD_DOUBLE("hedge_band", MakerDef, hedge_band, 0, 100, 0.2, "fraction of limit",                         \
                     "net exposure (perp + spot hedge) left unhedged"),                                          \
    CFG_FIELD_DOUBLE("hedge_slippage_bps", MakerDef, hedge_slippage_bps, 0, 10000, 20.0, "bps",                     \
                     "a hedge is an IOC limited this far beyond the spot touch")

static const CfgField perp_fields[] = {
    MAKER_FIELDS(8, VENUE_PERP, perp_capital, 5, 0.8, 0.5, MAKER_REF_INDEX, perp_half_spread, 4.0, perp_level_size,
                 perp_withdraw_vol, perp_latency),
};
static const CfgField spot_fields[] = {
    MAKER_FIELDS(4, VENUE_SPOT, spot_capital, 1, 0.9, 0.4, MAKER_REF_MICRO, spot_half_spread, 5.0, spot_level_size,
                 spot_withdraw_vol, spot_latency),
};

const CfgSchema cfg_maker_schema =
    CFG_SCHEMA(MakerDef, "maker", perp_fields, NULL, "perp market makers (docs/agent_maker.md)");
const CfgSchema cfg_spot_maker_schema =
    CFG_SCHEMA(MakerDef, "spot_maker", spot_fields, NULL, "spot market makers (docs/agent_maker.md)");
