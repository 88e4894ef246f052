/* Claims about the distribution of outcomes over many seeds (issue 4, "what must be shown"): the leverage
 * comparison of experiments/shock.json against experiments/low_leverage.json.
 *
 * A single path of this market is a threshold event -- whether the sale sets off a cascade depends on where the
 * crowd's liquidation prices happen to sit when it comes -- so the claim is about 32 seeds, which takes 64 runs of
 * 13 simulated hours: under a minute in a Release build and far longer with the validate checks or the
 * sanitizers. CMake therefore registers this suite (label `statistical`) only in builds without CASCADE_VALIDATE;
 * scripts/test.sh runs it in a Release build of its own. The code it runs is the code every other suite checks
 * under validate and the sanitizers. */
#include "test_suites.h"
#include "test_config_util.h"
#include "test_util.h"

#include "config_world.h"
#include "perp.h"
#include "world.h"

#include <stdio.h>

#define STAT_SEEDS 32

typedef struct SaleOutcome {
    double drawdown;    /* largest fall of the mark between 1-minute closes, 11:59 to 12:59 (the sale starts at 12:00) */
    int32_t deepest;    /* deepest liquidation generation of the run */
} SaleOutcome;

static bool run_sale(const char *file, uint64_t seed, SaleOutcome *out)
{
    const char *sets[] = {"run.duration=13h"};
    WorldDef d;
    if (!test_load_experiment(file, sets, 1, &d)) return false;
    d.run.seed = seed;
    World *w = NULL;
    char why[256] = "";
    Status s = world_create(&d, &w, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nworld_create: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    if (!w) return false;
    SimTime sale = d.run.start + 12 * SIMTIME_NS_PER_HOUR;
    double peak = 0, dd = 0;
    for (int minute = 0; minute <= 60; minute++) {
        /* 1-minute closes as timeseries.csv has them (the row of second 59); the first is the last second before
         * the sale, the level it falls from */
        SimTime t = sale + minute * SIMTIME_NS_PER_MIN - SIMTIME_NS_PER_S;
        CHECK_EQ(world_run_until(w, t), STATUS_OK);
        double m = (double)perp_mark(world_perp(w));
        if (m > peak) peak = m;
        if (peak > 0 && 1.0 - m / peak > dd) dd = 1.0 - m / peak;
    }
    uint32_t n = 0;
    const PerpLiqRecord *rec = perp_liq_records(world_perp(w), &n);
    out->deepest = n ? 0 : -1;
    for (uint32_t i = 0; i < n; i++)
        if (rec[i].generation > out->deepest) out->deepest = rec[i].generation;
    out->drawdown = dd;
    world_destroy(w);
    return true;
}

static void stat_leverage_deepens_the_sale(void)
{
    /* Measured (seeds 1-32, 2026-12-03): 5.67 % with leverage against 3.72 % at <= 2x (ratio of the means 1.53),
     * leverage deeper in 22 of 32 seeds; the <= 2x runs liquidate nobody, the leveraged ones cascade to a median
     * deepest generation of 8. The ratio is the claim; the count only asks for a majority (without any effect 19
     * or more of 32 would still happen one time in five). With the calibration before (unhedged perp makers, spot makers on their own
     * micro-price, retail leverage lognormal(10, 0.8), value thresholds 50-150 bps) it was 3.82 % against 5.33 %,
     * deeper in 8 of 32: this test fails there. */
    double lev = 0, low = 0, gens[STAT_SEEDS];
    int deeper = 0;
    for (uint64_t seed = 1; seed <= STAT_SEEDS; seed++) {
        SaleOutcome a, b;
        if (!run_sale("experiments/shock.json", seed, &a) || !run_sale("experiments/low_leverage.json", seed, &b))
            return;
        lev += a.drawdown;
        low += b.drawdown;
        deeper += a.drawdown > b.drawdown;
        gens[seed - 1] = a.deepest;
        CHECK_LT(b.deepest, 2); /* no liquidation of generation >= 2 without leverage */
    }
    lev /= STAT_SEEDS;
    low /= STAT_SEEDS;
    fprintf(stderr, "\nleverage comparison, %d seeds: %.2f %% against %.2f %% (ratio %.2f), deeper in %d\n", STAT_SEEDS,
            100 * lev, 100 * low, low > 0 ? lev / low : 0, deeper);
    CHECK_GT_F64(lev, 1.3 * low);
    CHECK_GE(deeper, 19);
    CHECK_GE_F64(test_median(gens, STAT_SEEDS), 3.0);
}

void suite_stat_leverage(void)
{
    static const TestCase cases[] = {
        TEST_CASE(stat_leverage_deepens_the_sale),
    };
    test_add_suite("stat_leverage", cases, TEST_COUNT(cases));
}
