/* Config schema of the arbitrageur population (`arbitrageurs`). Defaults equal arbitrageur_default_def()
 * (tests/test_arbitrageur.c checks it). Rules and sources: docs/agent_arbitrageur.md. */
#include "arbitrageur.h"
#include "config_agents.h"

#define SEC_ SIMTIME_NS_PER_S

CFG_DIST_SCHEMA(arb_capital, DIST_LOGNORMAL, 2e6, 0.7, 2e5, 2e7, 1e3, 1e11, "USD",
                "capital per arbitrageur (perp collateral + spot cash + spot inventory)");
CFG_DIST_SCHEMA(arb_entry, DIST_UNIFORM, 3.0, 10.0, 0.0, 100.0, 0.0, 10000.0, "bps",
                "per arbitrageur: expected edge beyond round-trip costs needed to open or add");
CFG_LATENCY_SCHEMA(arb_latency, 15.0, 0.5, 2.0);

static const CfgField fields[] = {
    CFG_FIELD_INT("count", ArbitrageurDef, count, 0, 10000, 8, "agents", "arbitrageurs in the block (MODEL.md 4: 3-20)"),
    CFG_FIELD_ENUM("venue", ArbitrageurDef, venue, cfg_venue_names, VENUE_PERP,
                   "unused: arbitrageurs always trade both venues"),
    CFG_FIELD_OBJECT("capital_usd", ArbitrageurDef, capital_usd, &arb_capital, "capital per arbitrageur"),
    CFG_FIELD_DOUBLE("perp_share", ArbitrageurDef, perp_share, 0, 1, 0.4, "fraction",
                     "share of capital deposited as perp collateral; the rest goes to the spot account"),
    CFG_FIELD_DOUBLE("inventory_share", ArbitrageurDef, inventory_share, 0, 1, 0.5, "fraction",
                     "share of the spot capital held as asset inventory (what the cheap-perp trade can sell)"),
    CFG_FIELD_INT("leverage", ArbitrageurDef, leverage, 1, 125, 5, "x", "perp account leverage setting (cross margin)"),
    CFG_FIELD_DOUBLE("margin_use", ArbitrageurDef, margin_use, 0, 1, 0.6, "fraction",
                     "most of the perp collateral committed as initial margin; the rest stays free as a buffer"),
    CFG_FIELD_DOUBLE_EX("clip_share", ArbitrageurDef, clip_share, 0, true, 1, false, 0.05, "fraction of capital",
                        "most notional traded per wake"),
    CFG_FIELD_OBJECT("entry_bps", ArbitrageurDef, entry_bps, &arb_entry, "entry threshold per arbitrageur"),
    CFG_FIELD_DOUBLE("exit_bps", ArbitrageurDef, exit_bps, -1000, 1000, 2.0, "bps",
                     "unwind when the closing basis (what is left to gain) is at or below this"),
    CFG_FIELD_DOUBLE("perp_fee_bps", ArbitrageurDef, perp_fee_bps, 0, 1000, 5.0, "bps",
                     "perp taker fee the agent budgets (venue default 5)"),
    CFG_FIELD_DOUBLE("spot_fee_bps", ArbitrageurDef, spot_fee_bps, 0, 1000, 2.0, "bps",
                     "spot taker fee the agent budgets (venue default 2)"),
    CFG_FIELD_DOUBLE("slippage_bps", ArbitrageurDef, slippage_bps, 0, 1000, 5.0, "bps",
                     "IOC legs are limited this far beyond the touch"),
    CFG_FIELD_DOUBLE("funding_horizon", ArbitrageurDef, funding_horizon, 0, 1000, 3.0, "intervals",
                     "funding intervals the agent expects to hold: edge = basis + horizon x funding rate - costs"),
    CFG_FIELD_DOUBLE("funding_hold_bps", ArbitrageurDef, funding_hold_bps, -1000, 1000, 2.0, "bps per interval",
                     "keep a converged position while the settled funding rate pays it at least this"),
    CFG_FIELD_DOUBLE("min_trade_usd", ArbitrageurDef, min_trade_usd, 0, 1e9, 1000.0, "USD",
                     "smallest opening clip worth sending"),
    CFG_FIELD_DURATION("interval", ArbitrageurDef, interval, SIMTIME_NS_PER_MS, SIMTIME_NS_PER_HOUR, 2 * SEC_,
                       "mean time between an arbitrageur's wakes"),
    CFG_FIELD_DOUBLE("jitter", ArbitrageurDef, jitter, 0, 1, 0.5, "fraction",
                     "each gap is interval x U(1 - jitter, 1 + jitter)"),
    CFG_FIELD_OBJECT("latency", ArbitrageurDef, latency, &arb_latency,
                     "order-entry latency; each leg draws its own (legging risk)"),
};

const CfgSchema cfg_arbitrageur_schema =
    CFG_SCHEMA(ArbitrageurDef, "arbitrageur", fields, NULL, "perp-vs-spot basis arbitrageurs (MODEL.md 4)");
