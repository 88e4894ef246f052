/* Config schema of the liquidation-bot population (`liquidation_bots`). Defaults equal
 * liquidation_bot_default_def() (tests/test_liquidation_bot.c checks it). Rules and sources:
 * docs/agent_liquidation_bot.md. */
#include "config_agents.h"
#include "liquidation_bot.h"

#include <stdio.h>

#define SEC_ SIMTIME_NS_PER_S
#define MIN_ SIMTIME_NS_PER_MIN
#define DAY SIMTIME_NS_PER_DAY

CFG_DIST_SCHEMA(lb_capital, DIST_LOGNORMAL, 1e6, 0.7, 5e4, 2e7, 1e3, 1e11, "USD",
                "capital per bot (collateral of its cross-margined perp account)");
CFG_DIST_SCHEMA(lb_backstop_disc, DIST_UNIFORM, 30.0, 100.0, 0.0, 2000.0, 0.0, 10000.0, "bps",
                "per backstop taker: its offer is this far below (above) the mark");
CFG_DIST_SCHEMA(lb_ladder_disc, DIST_UNIFORM, 50.0, 150.0, 0.0, 2000.0, 0.0, 10000.0, "bps",
                "per discount provider: first ladder level this far below (above) the mark");
CFG_DIST_SCHEMA(lb_crowd_leverage, DIST_UNIFORM, 10.0, 30.0, 1.0, 125.0, 1.0, 1000.0, "x",
                "per hunter: the crowd's leverage it assumes (MODEL.md 4: retail median ~10x, tail to the venue max)");
CFG_LATENCY_SCHEMA(lb_latency, 10.0, 0.5, 1.0);

static Status validate(const void *obj, char *key, size_t key_cap, char *msg, size_t msg_cap)
{
    const LiqBotDef *d = obj;
    if (!(d->share_backstop + d->share_discount + d->share_hunter > 0)) {
        snprintf(key, key_cap, "%s", "share_backstop");
        snprintf(msg, msg_cap, "%s", "the type shares must not all be 0");
        return STATUS_RANGE;
    }
    return STATUS_OK;
}

static const CfgField fields[] = {
    CFG_FIELD_INT("count", LiqBotDef, count, 0, 1000, 6, "agents",
                  "bots in the block (MODEL.md 4: 3-20; the world registers at most 64 backstop takers)"),
    CFG_FIELD_ENUM("venue", LiqBotDef, venue, cfg_venue_names, VENUE_PERP, "unused: the bots trade the perp"),
    CFG_FIELD_DOUBLE("share_backstop", LiqBotDef, share_backstop, 0, 1, 0.4, "fraction",
                     "share of backstop takers (answer LIQ_MODE_BACKSTOP offers); shares are normalised"),
    CFG_FIELD_DOUBLE("share_discount", LiqBotDef, share_discount, 0, 1, 0.4, "fraction",
                     "share of discount providers (ladder of bids/offers when liquidations run)"),
    CFG_FIELD_DOUBLE("share_hunter", LiqBotDef, share_hunter, 0, 1, 0.2, "fraction",
                     "share of predatory hunters (push price through estimated liquidation clusters)"),
    CFG_FIELD_OBJECT("capital_usd", LiqBotDef, capital_usd, &lb_capital, "capital per bot"),
    CFG_FIELD_INT("leverage", LiqBotDef, leverage, 1, 125, 5, "x", "perp account leverage setting (cross margin)"),
    CFG_FIELD_DOUBLE("max_exposure", LiqBotDef, max_exposure, 0, 100, 2.0, "x capital",
                     "most position notional a bot holds"),
    CFG_FIELD_DURATION("interval", LiqBotDef, interval, SIMTIME_NS_PER_MS, SIMTIME_NS_PER_HOUR, SEC_,
                       "mean time between a bot's wakes"),
    CFG_FIELD_DOUBLE("jitter", LiqBotDef, jitter, 0, 1, 0.5, "fraction", "each gap is interval x U(1 - jitter, 1 + jitter)"),
    CFG_FIELD_OBJECT("latency", LiqBotDef, latency, &lb_latency, "order-entry latency"),
    CFG_FIELD_DOUBLE("slippage_bps", LiqBotDef, slippage_bps, 0, 1000, 10.0, "bps",
                     "IOC unwinds and covers are limited this far beyond the touch"),
    CFG_FIELD_DOUBLE("take_profit_bps", LiqBotDef, take_profit_bps, -10000, 10000, 30.0, "bps",
                     "unwind inventory once the mark is this far beyond its average entry in the bot's favour"),
    CFG_FIELD_DURATION("max_hold", LiqBotDef, max_hold, 0, DAY, 30 * MIN_, "unwind inventory older than this"),
    CFG_FIELD_DOUBLE_EX("unwind_share", LiqBotDef, unwind_share, 0, true, 1, false, 0.25, "fraction",
                        "share of the inventory sent per wake while unwinding"),
    CFG_FIELD_OBJECT("backstop_discount_bps", LiqBotDef, backstop_discount_bps, &lb_backstop_disc,
                     "backstop takers' discount to the mark"),
    CFG_FIELD_DOUBLE("trigger_liq_usd", LiqBotDef, trigger_liq_usd, 0, 1e12, 250000.0, "USD",
                     "notional liquidated on one side in the last 60 s that triggers the discount ladder (0 = off)"),
    CFG_FIELD_DOUBLE("trigger_backlog_usd", LiqBotDef, trigger_backlog_usd, 0, 1e12, 250000.0, "USD",
                     "liquidation-engine backlog that triggers the discount ladder (0 = off)"),
    CFG_FIELD_OBJECT("discount_bps", LiqBotDef, discount_bps, &lb_ladder_disc, "discount providers' first level"),
    CFG_FIELD_INT("levels", LiqBotDef, levels, 1, 100, 5, "levels", "ladder levels"),
    CFG_FIELD_DOUBLE("level_step_bps", LiqBotDef, level_step_bps, 0, 5000, 50.0, "bps", "spacing of the ladder levels"),
    CFG_FIELD_DOUBLE_EX("quote_share", LiqBotDef, quote_share, 0, true, 1, false, 0.5, "fraction",
                        "share of the bot's remaining capacity (exposure and free margin) posted in the ladder"),
    CFG_FIELD_DURATION("quote_ttl", LiqBotDef, quote_ttl, SIMTIME_NS_PER_MS, DAY, 60 * SEC_,
                       "the ladder is cancelled after this (and re-posted if the trigger still holds)"),
    CFG_FIELD_OBJECT("typical_leverage", LiqBotDef, typical_leverage, &lb_crowd_leverage,
                     "hunters' assumed crowd leverage"),
    CFG_FIELD_DOUBLE("assumed_mmr", LiqBotDef, assumed_mmr, 0, 0.5, 0.005, "fraction",
                     "maintenance rate in the hunters' estimate liq = entry x (1 -/+ 1/leverage +/- mmr)"),
    CFG_FIELD_DOUBLE("cluster_band_pct", LiqBotDef, cluster_band_pct, 0, 50, 1.0, "%",
                     "estimates within this of the nearest one belong to its cluster"),
    CFG_FIELD_DOUBLE("min_density", LiqBotDef, min_density, 0, 1, 0.6, "fraction",
                     "least share of the 5 feed horizons in the cluster"),
    CFG_FIELD_DOUBLE("trigger_distance_pct", LiqBotDef, trigger_distance_pct, 0, 50, 3.0, "%",
                     "hunters push when the mark is within this of the cluster"),
    CFG_FIELD_DOUBLE("oi_ratio", LiqBotDef, oi_ratio, 0, 100, 1.0, "x",
                     "and open interest is at least this times its 4-hour average"),
    CFG_FIELD_DOUBLE("min_oi_usd", LiqBotDef, min_oi_usd, 0, 1e13, 1e6, "USD", "and open interest is at least this"),
    CFG_FIELD_DOUBLE_EX("push_share", LiqBotDef, push_share, 0, true, 1, false, 0.25, "fraction",
                        "share of the hunter's capacity sold (bought) in the push"),
    CFG_FIELD_DOUBLE("overshoot_bps", LiqBotDef, overshoot_bps, 0, 5000, 20.0, "bps",
                     "the push goes no farther than this through the cluster; once the mark is there, cover passively"),
    CFG_FIELD_DOUBLE("stop_bps", LiqBotDef, stop_bps, 0, 10000, 100.0, "bps",
                     "cover at once (IOC) when the mark moves this far against the push"),
    CFG_FIELD_DURATION("hunt_max", LiqBotDef, hunt_max, SIMTIME_NS_PER_S, DAY, 10 * MIN_, "cover at once (IOC) after this"),
    CFG_FIELD_DURATION("hunt_cooldown", LiqBotDef, hunt_cooldown, 0, DAY, 30 * MIN_, "pause after a hunt"),
};

const CfgSchema cfg_liquidation_bot_schema =
    CFG_SCHEMA(LiqBotDef, "liquidation_bot", fields, validate, "liquidation bots: backstop takers, discount providers, "
                                                                "predatory hunters (MODEL.md 4)");
