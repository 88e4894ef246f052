/* sim/world, sim/run and the experiment schema: an empty world, conservation, determinism of the outputs, and a
 * table of malformed experiment files with the message each must produce. */
#include "test_suites.h"
#include "test_util.h"
#include "test_config_util.h"

#include "alloc.h"
#include "config_world.h"
#include "run.h"
#include "world.h"

#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

static WorldDef empty_def(SimDuration duration)
{
    WorldDef d = world_default_def();
    d.run.duration = duration;
    d.retail.count = 0;
    d.makers.count = 0;
    d.spot_makers.count = 0;
    d.arbitrageurs.count = 0;
    d.liquidation_bots.count = 0;
    d.noise.count = 0;
    d.spot_noise.count = 0;
    d.value.count = 0;
    return d;
}

static void world_empty_market_is_quiet(void)
{
    WorldDef d = empty_def(10 * SIMTIME_NS_PER_MIN);
    World *w = NULL;
    char why[200] = "";
    CHECK_EQ(world_create(&d, &w, why, sizeof why), STATUS_OK);
    CHECK_EQ(world_run(w), STATUS_OK);
    CHECK_EQ(world_now(w), d.run.start + d.run.duration);
    /* No agents: the index stays at the initial price (60,000 USD = 600,000 ticks), and so does the mark. */
    CHECK_EQ(world_feed(w)->index, 600000);
    CHECK_EQ(perp_mark(world_perp(w)), 600000);
    CHECK_EQ(world_counts(w).events, 0);
    CHECK_EQ(world_check(w, why, sizeof why), STATUS_OK);
    world_destroy(w);
}

static void world_rejects_bad_units(void)
{
    WorldDef d = empty_def(SIMTIME_NS_PER_MIN);
    d.market.lot_units = 0.003; /* 1 / (0.1 x 0.003) = 3333.3 quote units per USD: not whole */
    World *w = NULL;
    char why[200] = "";
    CHECK_EQ(world_create(&d, &w, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "whole number") != NULL);
    CHECK(w == NULL);
}

static void world_shock_moves_spot(void)
{
    /* Only the shock actor trades: a market buy into an empty spot book is refused, so nothing happens; this checks
     * the schedule runs and the accounts stay conserved. */
    WorldDef d = empty_def(5 * SIMTIME_NS_PER_MIN);
    d.shock_count = 2;
    d.shocks[0] = (ShockDef){SHOCK_SELL, SIMTIME_NS_PER_MIN, VENUE_SPOT, 1e6, 30 * SIMTIME_NS_PER_S, 3, 0, 0};
    d.shocks[1] = (ShockDef){SHOCK_FUNDAMENTAL_JUMP, 2 * SIMTIME_NS_PER_MIN, VENUE_SPOT, 0, 0, 1, -10, 0};
    World *w = NULL;
    char why[200] = "";
    CHECK_EQ(world_create(&d, &w, why, sizeof why), STATUS_OK);
    double f0 = world_feed(w)->fundamental;
    CHECK_EQ(world_run(w), STATUS_OK);
    CHECK_EQ(world_counts(w).events, 3 + 1); /* three slices and the jump */
    /* The fundamental fell by about 10 % (plus its own small diffusion over 5 minutes). */
    CHECK_NEAR(world_feed(w)->fundamental / f0, 0.9, 0.01);
    CHECK_EQ(world_check(w, why, sizeof why), STATUS_OK);
    world_destroy(w);
}

/* Volatility of the fundamental's 1-minute log returns in each 6-hour block of a 4-day path: the ratio of the
 * busiest block to the calmest. */
static double fundamental_block_vol_ratio(double vol_of_vol)
{
    WorldDef d = empty_def(4 * SIMTIME_NS_PER_DAY);
    d.fundamental.jumps_per_day = 0;
    d.fundamental.vol_of_vol = vol_of_vol;
    d.fundamental.vol_tau = 3 * SIMTIME_NS_PER_HOUR;
    World *w = NULL;
    char why[200] = "";
    CHECK_EQ(world_create(&d, &w, why, sizeof why), STATUS_OK);
    if (!w) return 0;
    double lo = 1e300, hi = 0, prev = log(world_feed(w)->fundamental), ss = 0;
    SimTime t = d.run.start;
    for (int m = 1; m <= 4 * 24 * 60; m++) {
        t += SIMTIME_NS_PER_MIN;
        CHECK_EQ(world_run_until(w, t), STATUS_OK);
        double x = log(world_feed(w)->fundamental);
        ss += (x - prev) * (x - prev);
        prev = x;
        if (m % 360 == 0) {
            double v = sqrt(ss / 360.0);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            ss = 0;
        }
    }
    world_destroy(w);
    return hi / lo;
}

static void world_fundamental_stochastic_volatility(void)
{
    /* Constant volatility: 16 blocks of 360 returns each agree within sampling noise (sd ~4 % each). With a
     * log-volatility of sd 0.8 and a 3-hour memory the busiest spell is several times the calmest. */
    double flat = fundamental_block_vol_ratio(0.0), sv = fundamental_block_vol_ratio(0.8);
    CHECK_LT_F64(flat, 1.4);
    CHECK_GT_F64(sv, 2.5);
}

/* ---- outputs ---- */

static void run_writes_complete_outputs(void)
{
    WorldDef d = empty_def(3 * SIMTIME_NS_PER_MIN);
    char dir[64];
    test_make_temp_dir(dir, sizeof dir);
    RunOptions opt = {dir, "{\"x\": 1}", 0x1234, "test", NULL, NULL};
    RunReport rep;
    char why[200] = "";
    CHECK_EQ(run_experiment(&d, &opt, &rep, why, sizeof why), STATUS_OK);
    CHECK(rep.conserved);
    size_t n = 0;
    char *ts = test_slurp(dir, "timeseries.csv", &n);
    CHECK(ts != NULL);
    size_t rows = 0;
    for (size_t i = 0; ts && i < n; i++) rows += ts[i] == '\n';
    CHECK_EQ(rows, 1 + 181); /* t = 0 .. 180 s: both ends are sampled */
    free(ts);
    char *sum = test_slurp(dir, "summary.json", &n);
    CHECK(sum && strstr(sum, "\"conserved\": true") != NULL);
    CHECK(sum && strstr(sum, "\"config_hash\": \"0000000000001234\"") != NULL);
    CHECK(sum && strstr(sum, "\"config\": {\"x\": 1}") != NULL);
    free(sum);
    char *liq = test_slurp(dir, "liquidations.csv", &n);
    CHECK(liq && strncmp(liq, "time_s,account,agent_type", 25) == 0);
    free(liq);
    test_rm_tree(dir);
}

static void run_refuses_unwritable_folder(void)
{
    WorldDef d = empty_def(SIMTIME_NS_PER_MIN);
    RunOptions opt = {"/proc/cascade-cannot-write-here", NULL, 0, "test", NULL, NULL};
    RunReport rep;
    char why[200] = "";
    CHECK_NE(run_experiment(&d, &opt, &rep, why, sizeof why), STATUS_OK);
    CHECK(strstr(why, "/proc/cascade-cannot-write-here") != NULL);
}

/* ---- the experiment schema ---- */

static void world_schema_defaults_match_code(void)
{
    WorldDef b = world_default_def(); /* the schema's defaults are world_default_def() */
    test_check_schema_defaults(&cfg_world_schema, &b);
}

typedef struct BadConfig {
    const char *json;
    const char *set;        /* one --set, or NULL */
    Status status;
    const char *path;       /* expected JSON path */
    const char *message;    /* expected substring of the message */
} BadConfig;

static const BadConfig bad_configs[] = {
    {"{\"rn\": {}}", NULL, STATUS_INVALID, "rn", "unknown key"},
    {"{\"run\": {\"seeed\": 1}}", NULL, STATUS_INVALID, "run.seeed", "did you mean \"seed\""},
    {"{\"run\": {\"seed\": -1}}", NULL, STATUS_RANGE, "run.seed", "out of range"},
    {"{\"run\": {\"seed\": \"one\"}}", NULL, STATUS_INVALID, "run.seed", "integer"},
    {"{\"run\": {\"duration\": \"0s\"}}", NULL, STATUS_RANGE, "run.duration", "out of range"},
    {"{\"run\": {\"duration\": \"400d\"}}", NULL, STATUS_RANGE, "run.duration", "out of range"},
    {"{\"run\": {\"duration\": \"ten hours\"}}", NULL, STATUS_INVALID, "run.duration", "duration"},
    {"{\"run\": {\"duration\": 3600}}", NULL, STATUS_INVALID, "run.duration", "string"},
    {"{\"run\": {\"start\": \"2025-13-01T00:00:00Z\"}}", NULL, STATUS_INVALID, "run.start", "ISO-8601"},
    {"{\"run\": {\"sample_step\": \"1500ms\"}}", NULL, STATUS_RANGE, "run.sample_step", "whole number of seconds"},
    {"{\"run\": {\"write_trades\": \"yes\"}}", NULL, STATUS_INVALID, "run.write_trades", "true or false"},
    {"{\"market\": {\"tick_usd\": 0}}", NULL, STATUS_RANGE, "market.tick_usd", "out of range"},
    {"{\"market\": {\"lot_units\": 0.003}}", NULL, STATUS_RANGE, "market.lot_units", "whole number"},
    {"{\"market\": {\"initial_price_usd\": -5}}", NULL, STATUS_RANGE, "market.initial_price_usd", "out of range"},
    {"{\"market\": {\"index_period\": \"10ms\"}}", NULL, STATUS_RANGE, "market.index_period", "out of range"},
    {"{\"market\": {\"perp\": {\"max_leverage\": 250}}}", NULL, STATUS_RANGE, "market.perp.max_leverage", "[1, 125]"},
    {"{\"market\": {\"perp\": {\"mark_method\": \"vwap\"}}}", NULL, STATUS_INVALID, "market.perp.mark_method", "median3"},
    {"{\"market\": {\"perp\": {\"liq_mode\": \"auction\"}}}", NULL, STATUS_INVALID, "market.perp.liq_mode", "backstop"},
    {"{\"market\": {\"perp\": {\"taker_fee_bps\": -1}}}", NULL, STATUS_RANGE, "market.perp.taker_fee_bps", "out of range"},
    {"{\"market\": {\"perp\": {\"funding_interval\": \"5h\"}}}", NULL, STATUS_RANGE, "market.perp.funding_interval",
     "divide 24 h"},
    {"{\"market\": {\"perp\": {\"funding_interval\": \"16h\"}}}", NULL, STATUS_RANGE, "market.perp.funding_interval",
     "out of range"},
    {"{\"market\": {\"perp\": {\"cb_move_pct\": 150}}}", NULL, STATUS_RANGE, "market.perp.cb_move_pct", "out of range"},
    {"{\"market\": {\"perp\": {\"dyn_mmr\": \"on\"}}}", NULL, STATUS_INVALID, "market.perp.dyn_mmr", "volatility"},
    {"{\"market\": {\"perp\": {\"adl\": 1}}}", NULL, STATUS_INVALID, "market.perp.adl", "true or false"},
    {"{\"market\": {\"perp\": {\"insurance_fund_usd\": 1e300}}}", NULL, STATUS_RANGE, "market.perp.insurance_fund_usd",
     "out of range"},
    {"{\"market\": {\"perp\": {\"liq_tick\": \"0s\"}}}", NULL, STATUS_RANGE, "market.perp.liq_tick", "out of range"},
    {"{\"profile\": {\"hour\": [1, 1, 1]}}", NULL, STATUS_INVALID, "profile.hour", "exactly 24 numbers"},
    {"{\"profile\": {\"weekend\": -1}}", NULL, STATUS_RANGE, "profile.weekend", "out of range"},
    {"{\"fundamental\": {\"vol_per_sqrt_hour\": 2}}", NULL, STATUS_RANGE, "fundamental.vol_per_sqrt_hour",
     "out of range"},
    {"{\"fundamental\": {\"vol_of_vol\": -0.5}}", NULL, STATUS_RANGE, "fundamental.vol_of_vol", "[0, 3]"},
    {"{\"fundamental\": {\"vol_tau\": \"10s\"}}", NULL, STATUS_RANGE, "fundamental.vol_tau", "out of range"},
    {"{\"makers\": {\"hedge_share\": 1}}", NULL, STATUS_RANGE, "makers.hedge_share", "[0, 1)"},
    {"{}", "makers.hedge_band=-1", STATUS_RANGE, "makers.hedge_band", "out of range"},
    {"{}", "makers.hedge_slippage_bps=20000", STATUS_RANGE, "makers.hedge_slippage_bps", "[0, 10000]"},
    {"{\"attention\": {\"elasticity\": -1}}", NULL, STATUS_RANGE, "attention.elasticity", "[0, 5]"},
    {"{}", "attention.max=0", STATUS_RANGE, "attention.max", "(0, 100]"},
    {"{}", "attention.tau=0s", STATUS_RANGE, "attention.tau", "out of range"},
    {"{}", "attention.ref_vol_bps=0", STATUS_RANGE, "attention.ref_vol_bps", "(0, 10000]"},
    {"{\"attention\": {\"min\": 2, \"max\": 1}}", NULL, STATUS_RANGE, "attention.min", "min <= max"},
    {"{}", "value.news_reaction=2h", STATUS_RANGE, "value.news_reaction", "out of range"},
    {"{\"shocks\": [{\"kind\": \"crash\"}]}", NULL, STATUS_INVALID, "shocks[0].kind", "fundamental_jump"},
    {"{\"shocks\": [{\"venue\": \"dex\"}]}", NULL, STATUS_INVALID, "shocks[0].venue", "perp"},
    {"{\"shocks\": [{\"slices\": 0}]}", NULL, STATUS_RANGE, "shocks[0].slices", "out of range"},
    {"{\"shocks\": [{\"size\": 5}]}", NULL, STATUS_INVALID, "shocks[0].size", "allowed keys: kind, at, venue, size_usd"},
    {"{\"shocks\": {\"kind\": \"sell\"}}", NULL, STATUS_INVALID, "shocks", "array"},
    {"{\"retail\": {\"count\": -3}}", NULL, STATUS_RANGE, "retail.count", "out of range"},
    {"{\"makers\": {\"cout\": 3}}", NULL, STATUS_INVALID, "makers.cout", "did you mean \"count\""},
    {"{\"run\": {\"duration\": \"1h\",}}", NULL, STATUS_PARSE, "", "line 1"},
    {"[1, 2]", NULL, STATUS_INVALID, "", "object"},
    {"{}", "run.duration=forever", STATUS_INVALID, "run.duration", "duration"},
    {"{}", "run.nope=1", STATUS_INVALID, "run.nope", "unknown key"},
    {"{}", "market.perp.max_leverage=500", STATUS_RANGE, "market.perp.max_leverage", "out of range"},
    {"{}", "retail.count", STATUS_PARSE, "", "no '='"},
};

static void world_config_errors_name_path_and_range(void)
{
    for (size_t i = 0; i < TEST_COUNT(bad_configs); i++) {
        const BadConfig *b = &bad_configs[i];
        WorldDef d;
        memset(&d, 0x5a, sizeof d);
        CfgError err;
        memset(&err, 0, sizeof err);
        const char *sets[1] = {b->set};
        Status s = cfg_load_string(&cfg_world_schema, b->json, "exp.json", sets, b->set ? 1 : 0, &d, &err);
        char msg[1400];
        cfg_error_format(&err, msg, sizeof msg);
        bool ok = s == b->status && strcmp(err.path, b->path) == 0 && strstr(err.message, b->message) != NULL;
        if (!ok) fprintf(stderr, "\ncase %zu (%s): status %d, message: %s\n", i, b->json, (int)s, msg);
        CHECK(ok);
        /* Nothing is written on error: the struct keeps its poison pattern. */
        CHECK_EQ(((unsigned char *)&d)[0], 0x5a);
    }
    CHECK_GE(TEST_COUNT(bad_configs), 30);
}

void suite_sim_world(void)
{
    static const TestCase cases[] = {
        TEST_CASE(world_empty_market_is_quiet),
        TEST_CASE(world_rejects_bad_units),
        TEST_CASE(world_shock_moves_spot),
        TEST_CASE(world_fundamental_stochastic_volatility),
        TEST_CASE(run_writes_complete_outputs),
        TEST_CASE(run_refuses_unwritable_folder),
        TEST_CASE(world_schema_defaults_match_code),
        TEST_CASE(world_config_errors_name_path_and_range),
    };
    test_add_suite("sim_world", cases, TEST_COUNT(cases));
}
