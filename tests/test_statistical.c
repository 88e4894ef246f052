/* Claims about the distribution of outcomes over many seeds (issue 4, "what must be shown"): the leverage
 * comparison of experiments/shock.json against experiments/low_leverage.json, the week of stylized facts of the
 * same baseline (experiments/calm_week.json runs it for seven days), and the ablations of the small shock
 * (experiments/examples/small_shock.json without maker withdrawal, without arbitrageurs).
 *
 * A single path of this market is a threshold event -- whether the sale sets off a cascade depends on where the
 * crowd's liquidation prices happen to sit when it comes -- so the claims are about 32 seeds: 64 runs of 13
 * simulated hours, eight weeks and 96 small shocks take about four minutes in a Release build and far longer with
 * the validate checks or the sanitizers. CMake therefore registers this suite (label `statistical`) only in builds
 * without CASCADE_VALIDATE; scripts/test.sh runs it in a Release build of its own. The code it runs is the code
 * every other suite checks under validate and the sanitizers. */
#include "test_suites.h"
#include "test_config_util.h"
#include "test_util.h"

#include "config_world.h"
#include "metrics.h"
#include "perp.h"
#include "run.h"
#include "world.h"

#include <stdio.h>
#include <string.h>

#define STAT_SEEDS 32

typedef struct SaleOutcome {
    double drawdown;    /* largest fall of the mark between 1-minute closes, 11:59 to 12:59 (the sale starts at 12:00) */
    int32_t deepest;    /* deepest liquidation generation of the run */
} SaleOutcome;

/* The world of an experiment file with the given overrides and seed (d receives its definition); NULL after a
 * failed check. */
static World *stat_world(const char *file, const char *const *sets, size_t nsets, uint64_t seed, WorldDef *d)
{
    if (!test_load_experiment(file, sets, nsets, d)) return NULL;
    d->run.seed = seed;
    World *w = NULL;
    char why[256] = "";
    Status s = world_create(d, &w, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nworld_create: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    return w;
}

static bool run_sale(const char *file, uint64_t seed, SaleOutcome *out)
{
    const char *sets[] = {"run.duration=13h"};
    WorldDef d;
    World *w = stat_world(file, sets, 1, seed, &d);
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
    /* Measured (seeds 1-32, 2026-12-03, the baseline since its third session: 20 M USD sale; since the ziggurat
     * normal and exponential draws): 3.18 % with leverage against 1.49 % at <= 2x (ratio of the means 2.13),
     * leverage deeper in 26 of 32 seeds (on the two realisations before: 2.24 % / 1.34 %, 1.67, 28 of 32, and
     * 2.75 % / 1.72 %, 1.60, 27 of 32); the <= 2x runs liquidate nobody, the leveraged ones cascade to a median
     * deepest generation of 2.5 (3 and 4 on the realisations before; the check asks for 2: on the typical seed a
     * liquidation sets off one that sets off another). The ratio is the claim; the count only asks for a majority
     * (without any effect 19 or more of 32 would still happen one time in five). The baseline before (2,000 retail,
     * six arbitrageurs, 3 M USD sale: 1.53, 22 of 32) passed too; the
     * calibration before that (unhedged perp makers, spot makers on their own micro-price, retail leverage
     * lognormal(10, 0.8), value thresholds 50-150 bps) gave 3.82 % against 5.33 %, deeper in 8 of 32: this test
     * fails there. */
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
    CHECK_GE_F64(test_median(gens, STAT_SEEDS), 2.0);
}

/* Seven calm days of the baseline (experiments/calm_week.json: baseline.json for 7 days), read at 1-minute closes of
 * the index (the spot price: the real series it is compared with, data/real/binanceus_btcusd_spot_1m_*, is spot):
 * fat tails, volatility clustering over an hour, and raw returns uncorrelated beyond a few minutes, judged with
 * robust t statistics (docs/metrics.md; the i.i.d. band is wrong for returns whose volatility moves, and real weeks
 * leave it at 11-13 of 55 lags). The bar is the real series': its three 7-day windows have 4, 2 and 8 lags of 6-60
 * with |t| > 1.96 and Q* p-values 0.64, 0.80 and 0.003; 9 or more such lags has probability 0.15 % without
 * autocorrelation. A week is one path of a market that has its own episodes, so the claim is over eight seeds and
 * asks for six. Measured (2026-12-03, since the ziggurat normal and exponential draws): seeds 1-8 excess kurtosis
 * 22 / 157 / 1,908 / 338 / 158 / 39 / 587 / 280, robust significant lags 2 / 9 / 2 / 1 / 2 / 2 / 3 / 3, Q* p
 * 0.70 / 0.0041 / 0.54 / 0.39 / 0.89 / 0.93 / 0.12 / 0.11, |r| ACF positive at all 60 lags: 7 of 8 pass. Out of
 * sample seeds 9-16 pass 6 of 8 (on the two realisations before, 3 and 6 of 8), so a week passes about 75 % of the
 * time and this test, on seeds 1-8, states "most weeks" (docs/ODD.md section 8). Lags 1-5 keep some structure
 * (lag 1 -0.41 to -0.003). With the value traders of the baseline before (thresholds 30-100 bps, estimates 1 %
 * apart) the price trails the fundamental by up to the threshold and then moves with it, a momentum the robust
 * test finds (docs/ODD.md section 8). */
static void stat_baseline_week_has_the_stylized_facts(void)
{
    enum { MINUTES = 7 * 24 * 60, SEEDS = 8 };
    static double index_close[MINUTES + 1];
    int pass = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        WorldDef d;
        World *w = stat_world("experiments/calm_week.json", NULL, 0, seed, &d);
        if (!w) return;
        for (int minute = 0; minute <= MINUTES; minute++) {
            CHECK_EQ(world_run_until(w, d.run.start + minute * SIMTIME_NS_PER_MIN), STATUS_OK);
            index_close[minute] = (double)perp_index(world_perp(w));
        }
        world_destroy(w);
        MetricsSummary m;
        CHECK_EQ(metrics_summarize(index_close, MINUTES + 1, &m), STATUS_OK);
        bool ok = m.moments.excess_kurtosis > 3.0 && m.acf_abs_positive == METRICS_SUMMARY_MAX_LAG &&
                  m.acf_r_beyond_robust_significant <= 8 && m.acf_r_beyond_robust_q_p > 0.001;
        pass += ok;
        fprintf(stderr, "\nbaseline week, seed %d: excess kurtosis %.1f, |r| ACF positive at %zu of 60 lags, raw ACF at "
                "lags 6-60: %zu robust significant, Q* %.1f (p %.4f)%s", (int)seed, m.moments.excess_kurtosis,
                m.acf_abs_positive, m.acf_r_beyond_robust_significant, m.acf_r_beyond_robust_q,
                m.acf_r_beyond_robust_q_p, ok ? "" : "  (fails)");
    }
    CHECK_GE(pass, SEEDS - 2);
}

/* ---- ablations: one mechanism taken away ---- */

typedef struct AblationRuns {
    double drawdown[STAT_SEEDS]; /* max drawdown of the mark over the run (summary.json's price.max_drawdown) */
    uint64_t long_liqs;          /* long liquidations, summed over the seeds */
} AblationRuns;

/* experiments/examples/small_shock.json with `sets`, seeds 1..STAT_SEEDS, no outputs. */
static bool ablation_runs(const char *const *sets, size_t nsets, AblationRuns *out)
{
    out->long_liqs = 0;
    for (uint64_t seed = 1; seed <= STAT_SEEDS; seed++) {
        WorldDef d;
        if (!test_load_experiment("experiments/examples/small_shock.json", sets, nsets, &d)) return false;
        d.run.seed = seed;
        RunOptions opt = {NULL, NULL, 0, "test", NULL, NULL};
        RunReport rep;
        char why[256] = "";
        Status s = run_experiment(&d, &opt, &rep, why, sizeof why);
        if (s != STATUS_OK) fprintf(stderr, "\nrun: %s\n", why);
        CHECK_EQ(s, STATUS_OK);
        if (s != STATUS_OK) return false;
        CHECK(rep.conserved);
        out->drawdown[seed - 1] = rep.max_drawdown;
        out->long_liqs += rep.liquidations_by_side[0];
    }
    return true;
}

static double median_of(const double *v)
{
    double s[STAT_SEEDS];
    memcpy(s, v, sizeof s);
    return test_median(s, STAT_SEEDS);
}

static int shallower(const AblationRuns *a, const AblationRuns *base)
{
    int n = 0;
    for (int k = 0; k < STAT_SEEDS; k++) n += a->drawdown[k] < base->drawdown[k];
    return n;
}

static void stat_ablations_move_the_crash_as_predicted(void)
{
    /* Taking a mechanism away changes the crash in the direction the mechanism predicts: with perp makers that never
     * withdraw, the perp book keeps its bids under the forced selling and the crash is shallower; without
     * arbitrageurs nothing carries the spot sale to the perp, where the leveraged crowd sits. Run where the two
     * mechanisms act on the liquidation trigger directly: the small shock with the mark at the perp's last price.
     * With the baseline's mark (median of the perp's price and two index-based ones) the mark follows the spot
     * index through the sale whatever the perp book does: on an earlier realisation, over 32 seeds, makers that
     * never withdraw changed the median drawdown by 1.03x -- the index-anchored mark is itself a mitigation
     * (docs/ODD.md section 8).
     * Measured (seeds 1-32, 2026-12-03, since the ziggurat normal and exponential draws): median max drawdown
     * 7.93 % -> 4.81 % with makers that stay (1.65x, shallower in 25 of 32, long liquidations 675 -> 362) and
     * -> 1.50 % without arbitrageurs (5.3x, 29 of 32, 198). Eight seeds are not enough for this claim: seeds 1-8
     * alone give 1.11x and 4 of 8 for the makers (their base crash is the mildest, 5.0 %), seeds 9-32 1.5-1.9x
     * and 7 of 8 in every block of eight. Without any effect 20 or more of 32 would happen one time in ten, so the
     * counts back the ratios rather than carry the claim. */
    const char *base_sets[] = {"market.perp.mark_method=last"};
    const char *stay[] = {"market.perp.mark_method=last", "makers.withdraw_vol_bps.a=100000",
                          "makers.withdraw_vol_bps.b=100000", "makers.adverse_inventory=0",
                          "makers.adverse_loss_bps=0"};
    const char *no_arb[] = {"market.perp.mark_method=last", "arbitrageurs.count=0"};
    static AblationRuns base, stayed, none;
    if (!ablation_runs(base_sets, 1, &base) || !ablation_runs(stay, 5, &stayed) || !ablation_runs(no_arb, 2, &none))
        return;
    double mb = median_of(base.drawdown), ms = median_of(stayed.drawdown), mn = median_of(none.drawdown);
    int sh_stay = shallower(&stayed, &base), sh_none = shallower(&none, &base);
    fprintf(stderr, "\nablations, %d seeds: median drawdown %.2f %%, makers stay %.2f %% (shallower in %d), no "
            "arbitrageurs %.2f %% (%d); long liquidations %llu, %llu, %llu\n", STAT_SEEDS, 100 * mb, 100 * ms, sh_stay,
            100 * mn, sh_none, (unsigned long long)base.long_liqs, (unsigned long long)stayed.long_liqs,
            (unsigned long long)none.long_liqs);
    CHECK_GT_F64(mb, 1.3 * ms);
    CHECK_GT_F64(mb, 2.0 * mn);
    CHECK_GE(sh_stay, 20);
    CHECK_GE(sh_none, 24);
    CHECK_GT(base.long_liqs, 200);
    CHECK_LT(4 * stayed.long_liqs, 3 * base.long_liqs); /* at least a quarter fewer long liquidations */
    CHECK_LT(2 * none.long_liqs, base.long_liqs);
}

void suite_stat_seeds(void)
{
    static const TestCase cases[] = {
        TEST_CASE(stat_leverage_deepens_the_sale),
        TEST_CASE(stat_baseline_week_has_the_stylized_facts),
        TEST_CASE(stat_ablations_move_the_crash_as_predicted),
    };
    test_add_suite("stat_seeds", cases, TEST_COUNT(cases));
}
