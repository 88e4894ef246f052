/* The experiment file's top-level schema: run, market (spot and perpetual rules), activity profile, fundamental,
 * the population blocks and the shocks. The reference generated from it is docs/config.md. */
#include "config_world.h"

#include "config_agents.h"

#include <stdio.h>

#define S_ SIMTIME_NS_PER_S
#define MS_ SIMTIME_NS_PER_MS
#define H_ SIMTIME_NS_PER_HOUR
#define D_ SIMTIME_NS_PER_DAY

static const CfgField run_fields[] = {
    CFG_FIELD_UINT("seed", RunDef, seed, 0, UINT64_MAX, 1, NULL, "master random seed; every stream derives from it"),
    CFG_FIELD_DATETIME("start", RunDef, start, "2025-10-10T00:00:00Z", "simulated start instant (UTC)"),
    CFG_FIELD_DURATION("duration", RunDef, duration, S_, 366 * D_, D_, "simulated span of the run"),
    CFG_FIELD_DURATION("sample_step", RunDef, sample_step, S_, H_, S_,
                       "timeseries.csv row spacing (a whole number of seconds)"),
    CFG_FIELD_BOOL("write_trades", RunDef, write_trades, false, "also write trades.csv (one row per trade, perp and spot)"),
    CFG_FIELD_BOOL("progress", RunDef, progress, true, "progress bar on stderr when it is a terminal"),
};
static const CfgSchema run_schema = CFG_SCHEMA(RunDef, "run", run_fields, NULL, "what to run and record");

static const char *const mark_names[] = {"last", "index", "index+ema_basis", "median3"};
static const char *const liq_names[] = {"market", "bankruptcy_ioc", "partial", "backstop"};
static const char *const dyn_names[] = {"off", "volatility", "crowding", "both"};

static const CfgField perp_fields[] = {
    CFG_FIELD_DOUBLE("maker_fee_bps", PerpRulesDef, maker_fee_bps, -10, 100, 2, "bps", "maker fee (negative = rebate)"),
    CFG_FIELD_DOUBLE("taker_fee_bps", PerpRulesDef, taker_fee_bps, 0, 100, 5, "bps", "taker fee"),
    CFG_FIELD_DOUBLE("market_band_bps", PerpRulesDef, market_band_bps, 1, 10000, 500, "bps",
                     "protection band of market orders around the mark"),
    CFG_FIELD_ENUM("mark_method", PerpRulesDef, mark_method, mark_names, MARK_MEDIAN3,
                   "mark price: last, index, index+ema_basis, median3 (Binance)"),
    CFG_FIELD_DURATION("mark_period", PerpRulesDef, mark_period, 100 * MS_, 60 * S_, S_,
                       "mark update (and liquidation check) period"),
    CFG_FIELD_DURATION("funding_interval", PerpRulesDef, funding_interval, H_, 8 * H_, 8 * H_,
                       "funding settlement interval (must divide 24 h)"),
    CFG_FIELD_DOUBLE("funding_interest_bps", PerpRulesDef, funding_interest_bps, -100, 100, 1, "bps",
                     "interest component per 8 h"),
    CFG_FIELD_DOUBLE("funding_clamp_bps", PerpRulesDef, funding_clamp_bps, 0, 1000, 5, "bps",
                     "clamp of (interest - premium)"),
    CFG_FIELD_DOUBLE("funding_cap_bps", PerpRulesDef, funding_cap_bps, 0, 10000, 75, "bps", "cap of the funding rate"),
    CFG_FIELD_DOUBLE_EX("impact_notional_usd", PerpRulesDef, impact_notional_usd, 0, true, 1e9, false, 25000, "USD",
                        "impact notional for the premium index"),
    CFG_FIELD_DOUBLE("insurance_fund_usd", PerpRulesDef, insurance_fund_usd, 0, 1e12, 1e6, "USD",
                     "initial insurance fund"),
    CFG_FIELD_INT("max_leverage", PerpRulesDef, max_leverage, 1, 125, 125, "x", "venue maximum leverage"),
    CFG_FIELD_ENUM("liq_mode", PerpRulesDef, liq_mode, liq_names, LIQ_MODE_MARKET,
                   "liquidation execution: market, bankruptcy_ioc, partial, backstop"),
    CFG_FIELD_DOUBLE("liq_fee_bps", PerpRulesDef, liq_fee_bps, 0, 1000, 50, "bps",
                     "liquidation fee on the notional, to the insurance fund"),
    CFG_FIELD_DURATION("liq_tick", PerpRulesDef, liq_tick, MS_, 60 * S_, 100 * MS_, "liquidation engine tick"),
    CFG_FIELD_INT("liq_max_orders_per_tick", PerpRulesDef, liq_max_orders_per_tick, 0, 1000000, 0, "orders",
                  "throughput limit: liquidation orders per tick (0 = unlimited)"),
    CFG_FIELD_DOUBLE("liq_max_notional_usd_per_tick", PerpRulesDef, liq_max_notional_usd_per_tick, 0, 1e12, 0, "USD",
                     "throughput limit: notional per tick (0 = unlimited)"),
    CFG_FIELD_INT("liq_ioc_retries", PerpRulesDef, liq_ioc_retries, 0, 1000, 3, "ticks",
                  "bankruptcy_ioc: failed ticks before market orders"),
    CFG_FIELD_DOUBLE("liq_band_bps", PerpRulesDef, liq_band_bps, 1, 10000, 1000, "bps",
                     "protection band of liquidation market orders"),
    CFG_FIELD_BOOL("adl", PerpRulesDef, adl, true, "auto-deleveraging when the fund cannot cover (off: bad debt)"),
    CFG_FIELD_BOOL("backstop_auction", PerpRulesDef, backstop_auction, false,
                   "backstop mode: best offered price first instead of all at bankruptcy"),
    CFG_FIELD_DURATION("generation_window", PerpRulesDef, generation_window, S_, H_, 60 * S_,
                       "lookback that links a liquidation to the liquidation sales before it"),
    CFG_FIELD_DOUBLE("price_band_bps", PerpRulesDef, price_band_bps, 0, 10000, 0, "bps",
                     "reject limit prices beyond mark +/- band (0 = off)"),
    CFG_FIELD_DOUBLE("cb_move_pct", PerpRulesDef, cb_move_pct, 0, 100, 0, "%",
                     "circuit breaker: halt when trades move more than this within cb_window (0 = off)"),
    CFG_FIELD_DURATION("cb_window", PerpRulesDef, cb_window, S_, D_, 300 * S_, "circuit breaker window"),
    CFG_FIELD_DURATION("cb_halt", PerpRulesDef, cb_halt, S_, D_, 300 * S_, "halt length before the reopening auction"),
    CFG_FIELD_ENUM("dyn_mmr", PerpRulesDef, dyn_mmr, dyn_names, DYN_MMR_OFF,
                   "dynamic maintenance margin: off, volatility, crowding, both"),
    CFG_FIELD_DOUBLE("dyn_max_factor", PerpRulesDef, dyn_max_factor, 1, 10, 3, "x",
                     "cap of the dynamic maintenance factor"),
};
static const CfgSchema perp_schema = CFG_SCHEMA(PerpRulesDef, "perp", perp_fields, NULL, "perpetual venue rules");

static const CfgField market_fields[] = {
    CFG_FIELD_DOUBLE_EX("initial_price_usd", MarketDef, initial_price_usd, 0, true, 1e9, false, 60000, "USD",
                        "starting price of spot, perp and fundamental"),
    CFG_FIELD_DOUBLE_EX("tick_usd", MarketDef, tick_usd, 0, true, 1000, false, 0.1, "USD", "price tick"),
    CFG_FIELD_DOUBLE_EX("lot_units", MarketDef, lot_units, 0, true, 1000, false, 0.001, "BTC", "size of one lot"),
    CFG_FIELD_DOUBLE("spot_maker_fee_bps", MarketDef, spot_maker_fee_bps, -10, 100, 1, "bps", "spot maker fee"),
    CFG_FIELD_DOUBLE("spot_taker_fee_bps", MarketDef, spot_taker_fee_bps, 0, 100, 2, "bps", "spot taker fee"),
    CFG_FIELD_DURATION("index_period", MarketDef, index_period, 100 * MS_, 60 * S_, S_,
                       "index (spot mid) and public feed update period"),
    CFG_FIELD_OBJECT("perp", MarketDef, perp, &perp_schema, "perpetual venue rules"),
};
static const CfgSchema market_schema = CFG_SCHEMA(MarketDef, "market", market_fields, NULL, "venues");

static const double default_hours[24] = {0.9, 0.8, 0.8, 0.75, 0.7, 0.7, 0.75, 0.85, 0.95, 1.0, 1.0, 1.0,
                                         1.05, 1.2, 1.35, 1.4, 1.35, 1.25, 1.15, 1.05, 1.0, 0.95, 0.95, 0.9};
static const CfgField profile_fields[] = {
    CFG_FIELD_DOUBLE_ARRAY("hour", IntensityProfile, hour, 0, 100, default_hours, 1, "x",
                           "activity multiplier for each UTC hour 0..23"),
    CFG_FIELD_DOUBLE("weekend", IntensityProfile, weekend, 0, 100, 0.7, "x", "extra multiplier on Saturday and Sunday"),
};
static const CfgSchema profile_schema =
    CFG_SCHEMA(IntensityProfile, "profile", profile_fields, NULL, "24/7 activity profile (MODEL.md 2)");

static const CfgField fundamental_fields[] = {
    CFG_FIELD_DOUBLE("vol_per_sqrt_hour", FundamentalDef, vol_per_sqrt_hour, 0, 1, 0.006, "log/sqrt(h)",
                     "diffusion of the log fundamental"),
    CFG_FIELD_DOUBLE("jumps_per_day", FundamentalDef, jumps_per_day, 0, 1000, 1, "1/day", "jump intensity"),
    CFG_FIELD_DOUBLE("jump_sd", FundamentalDef, jump_sd, 0, 1, 0.01, "log", "sd of a jump in log price"),
    CFG_FIELD_DOUBLE("vol_of_vol", FundamentalDef, vol_of_vol, 0, 3, 0, "log",
                     "stochastic volatility: stationary sd of log(vol / vol_per_sqrt_hour) (0 = constant)"),
    CFG_FIELD_DURATION("vol_tau", FundamentalDef, vol_tau, 60 * S_, 30 * D_, 6 * H_,
                       "correlation time of the volatility (news spells)"),
    CFG_FIELD_DURATION("step", FundamentalDef, step, S_, H_, S_, "update step"),
};
static const CfgSchema fundamental_schema =
    CFG_SCHEMA(FundamentalDef, "fundamental", fundamental_fields, NULL, "the value traders' fundamental");

static const CfgField attention_fields[] = {
    CFG_FIELD_DOUBLE("elasticity", AttentionDef, elasticity, 0, 5, 0, "",
                     "activity x (v / ref_vol_bps)^elasticity, v the smoothed 1-minute realized volatility (0 = off)"),
    CFG_FIELD_DURATION("tau", AttentionDef, tau, S_, 30 * D_, H_, "time constant of the volatility EMA (memory)"),
    CFG_FIELD_DOUBLE_EX("ref_vol_bps", AttentionDef, ref_vol_bps, 0, true, 10000, false, 3.0, "bps/sqrt(min)",
                        "volatility (RMS of 1-s mark returns over a minute, scaled to a minute) at which the factor is 1"),
    CFG_FIELD_DOUBLE_EX("min", AttentionDef, min, 0, true, 100, false, 0.25, "x", "lower bound of the factor"),
    CFG_FIELD_DOUBLE_EX("max", AttentionDef, max, 0, true, 100, false, 4.0, "x",
                        "upper bound of the factor (wakes are drawn at this rate and thinned)"),
};
static Status attention_validate(const void *obj, char *key, size_t key_cap, char *msg, size_t msg_cap)
{
    const AttentionDef *a = obj;
    if (a->min > a->max) {
        snprintf(key, key_cap, "min");
        snprintf(msg, msg_cap, "%g is above max %g: the factor's bounds need min <= max", a->min, a->max);
        return STATUS_RANGE;
    }
    return STATUS_OK;
}

static const CfgSchema attention_schema = CFG_SCHEMA(
    AttentionDef, "attention", attention_fields, attention_validate,
    "attention-driven activity of retail base decisions and noise traders (docs/world.md)");

static const char *const shock_names[] = {"sell", "buy", "fundamental_jump", "index_glitch", "maker_outage"};
static const CfgField shock_fields[] = {
    CFG_FIELD_ENUM("kind", ShockDef, kind, shock_names, SHOCK_SELL,
                   "sell, buy (market orders), fundamental_jump, index_glitch, maker_outage"),
    CFG_FIELD_DURATION("at", ShockDef, at, 0, 366 * D_, H_, "offset from the start"),
    CFG_FIELD_ENUM("venue", ShockDef, venue, cfg_venue_names, VENUE_SPOT, "sell/buy: perp or spot"),
    CFG_FIELD_DOUBLE("size_usd", ShockDef, size_usd, 0, 1e12, 1e7, "USD", "sell/buy: total notional"),
    CFG_FIELD_DURATION("span", ShockDef, span, 0, D_, 60 * S_, "sell/buy: spread over; glitch/outage: length"),
    CFG_FIELD_INT("slices", ShockDef, slices, 1, 100000, 10, "orders", "sell/buy: market orders the total is cut into"),
    CFG_FIELD_DOUBLE("pct", ShockDef, pct, -99, 1000, -5, "%", "fundamental_jump / index_glitch: size"),
    CFG_FIELD_DOUBLE("poisson_per_day", ShockDef, poisson_per_day, 0, 1000, 0, "1/day",
                     "> 0: recur as a Poisson process after the first"),
};
static const CfgSchema shock_schema = CFG_SCHEMA(ShockDef, "shock", shock_fields, NULL, "a scenario event");

static const CfgField world_fields[] = {
    CFG_FIELD_OBJECT("run", WorldDef, run, &run_schema, "what to run and record"),
    CFG_FIELD_OBJECT("market", WorldDef, market, &market_schema, "venues and exchange rules"),
    CFG_FIELD_OBJECT("profile", WorldDef, profile, &profile_schema, "24/7 activity profile"),
    CFG_FIELD_OBJECT("fundamental", WorldDef, fundamental, &fundamental_schema, "fundamental value process"),
    CFG_FIELD_OBJECT("attention", WorldDef, attention, &attention_schema, "activity that follows volatility"),
    CFG_FIELD_OBJECT("retail", WorldDef, retail, &cfg_retail_schema, "leveraged retail traders (perp)"),
    CFG_FIELD_OBJECT("makers", WorldDef, makers, &cfg_maker_schema, "perp market makers"),
    CFG_FIELD_OBJECT("spot_makers", WorldDef, spot_makers, &cfg_spot_maker_schema, "spot market makers"),
    CFG_FIELD_OBJECT("arbitrageurs", WorldDef, arbitrageurs, &cfg_arbitrageur_schema, "perp-spot arbitrageurs"),
    CFG_FIELD_OBJECT("liquidation_bots", WorldDef, liquidation_bots, &cfg_liquidation_bot_schema,
                     "backstop takers, discount providers and hunters"),
    CFG_FIELD_OBJECT("noise", WorldDef, noise, &cfg_noise_schema, "zero-intelligence traders on the perp"),
    CFG_FIELD_OBJECT("spot_noise", WorldDef, spot_noise, &cfg_spot_noise_schema, "zero-intelligence traders on spot"),
    CFG_FIELD_OBJECT("value", WorldDef, value, &cfg_value_schema, "value traders around the fundamental"),
    CFG_FIELD_OBJECT_ARRAY("shocks", WorldDef, shocks, shock_count, &shock_schema, "scenario events"),
};

static Status world_validate(const void *obj, char *key, size_t key_cap, char *msg, size_t msg_cap)
{
    const WorldDef *d = obj;
    if (d->run.sample_step % SIMTIME_NS_PER_S != 0) {
        snprintf(key, key_cap, "run.sample_step");
        snprintf(msg, msg_cap, "must be a whole number of seconds");
        return STATUS_RANGE;
    }
    double qpu = 1.0 / (d->market.tick_usd * d->market.lot_units);
    if (qpu < 1 || (double)llround(qpu) - qpu > 1e-6 * qpu || qpu - (double)llround(qpu) > 1e-6 * qpu) {
        snprintf(key, key_cap, "market.lot_units");
        snprintf(msg, msg_cap, "1 / (tick_usd x lot_units) must be a whole number >= 1 (quote units per USD)");
        return STATUS_RANGE;
    }
    if ((24 * SIMTIME_NS_PER_HOUR) % d->market.perp.funding_interval != 0) {
        snprintf(key, key_cap, "market.perp.funding_interval");
        snprintf(msg, msg_cap, "must divide 24 h (1h, 2h, 3h, 4h, 6h, 8h)");
        return STATUS_RANGE;
    }
    return STATUS_OK;
}

const CfgSchema cfg_world_schema =
    CFG_SCHEMA(WorldDef, "cascade experiment", world_fields, world_validate,
               "A Cascade experiment: one 24/7 market with spot and perpetual venues and agent populations.");
