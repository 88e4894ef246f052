/* Emergence and determinism of whole runs (issue 4, "what must be shown"), on the small example experiments so
 * that they run in seconds in the validate build:
 *   - a large spot sale into a leveraged crowd produces liquidations in several generations (each triggered by the
 *     price moves of the previous ones' forced sales), and the same sale with retail leverage capped at 2x
 *     produces no liquidation of generation >= 2;
 *   - taking a mechanism away changes the crash in the direction that mechanism predicts, where the mark is the
 *     perp's last price (so that the mechanisms reach the liquidation trigger): without market-maker withdrawal
 *     the perp book keeps its depth and the crash is shallower; without arbitrageurs the perp (where the leveraged
 *     crowd sits) no longer follows the spot venue where the sale happens, so the mark falls less;
 *   - the same definition and seed give byte-identical outputs, and a golden hash pins them down. */
#include "test_suites.h"
#include "test_config_util.h"
#include "test_util.h"

#include "config_world.h"
#include "run.h"

#include <stdlib.h>
#include <string.h>


static void run(const WorldDef *d, RunReport *rep)
{
    RunOptions opt = {NULL, NULL, 0, "test", NULL, NULL};
    char why[256] = "";
    Status s = run_experiment(d, &opt, rep, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nrun: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
    CHECK(rep->conserved);
}

/* The small shock over seeds 1..SHOCK_SEEDS. Single paths of this market go either way (the spot book empties for
 * seconds during the sale, makers withdraw or not): a claim about a mechanism has to hold for the typical seed, so
 * the tests below compare medians over eight seeds and count the seeds that agree, instead of one seed or a mean
 * that one wild path can carry. */
#define SHOCK_SEEDS 8

typedef struct ShockRuns {
    double drawdown[SHOCK_SEEDS];
    uint32_t deepest[SHOCK_SEEDS];
    uint64_t long_liqs[SHOCK_SEEDS];
    uint64_t cascades[SHOCK_SEEDS];
} ShockRuns;

static bool shock_runs(const char *const *sets, size_t nsets, ShockRuns *out)
{
    for (uint64_t seed = 1; seed <= SHOCK_SEEDS; seed++) {
        WorldDef d;
        if (!test_load_experiment("experiments/examples/small_shock.json", sets, nsets, &d)) return false;
        d.run.seed = seed;
        RunReport rep;
        run(&d, &rep);
        out->drawdown[seed - 1] = rep.max_drawdown;
        out->deepest[seed - 1] = rep.cascades.deepest_generation;
        out->long_liqs[seed - 1] = rep.liquidations_by_side[0];
        out->cascades[seed - 1] = rep.cascades.cascades;
    }
    return true;
}

/* The unablated runs serve two tests; computed once. */
static const ShockRuns *base_runs(void)
{
    static ShockRuns base;
    static int state; /* 0 not run, 1 ok, -1 failed */
    if (state == 0) state = shock_runs(NULL, 0, &base) ? 1 : -1;
    return state == 1 ? &base : NULL;
}

/* Median of eight values, the caller's array left as it was. */
static double median8(const double *v)
{
    double s[SHOCK_SEEDS];
    memcpy(s, v, sizeof s);
    return test_median(s, SHOCK_SEEDS);
}

static void emergence_spot_sale_cascades_through_generations(void)
{
    /* Measured (seeds 1-8): deepest generation 3, 8, 12, 5, 2, 0, 6, 5; long liquidations 14, 29, 28, 11, 4, 8, 9,
     * 27. In seed 6 the sale liquidates 8 longs that trigger nothing further; the typical seed cascades. */
    const ShockRuns *b = base_runs();
    CHECK(b != NULL);
    if (!b) return;
    double gen[SHOCK_SEEDS];
    uint64_t longs = 0;
    int with_cascade = 0;
    for (int k = 0; k < SHOCK_SEEDS; k++) {
        gen[k] = b->deepest[k];
        longs += b->long_liqs[k];
        with_cascade += b->cascades[k] >= 1;
    }
    CHECK_GE_F64(median8(gen), 3.0);
    CHECK_GT(longs, 80);
    CHECK_GE(with_cascade, 6);
}

static void emergence_low_leverage_has_no_second_generation(void)
{
    WorldDef d;
    const char *sets[] = {"retail.max_leverage=2"};
    if (!test_load_experiment("experiments/examples/small_shock.json", sets, 1, &d)) return;
    RunReport rep;
    run(&d, &rep);
    CHECK_LT(rep.cascades.deepest_generation, 2);
}

static void emergence_no_shock_no_deep_cascade(void)
{
    /* The same market without the sale: the crowd is not pushed into its liquidation prices. */
    WorldDef d;
    if (!test_load_experiment("experiments/examples/small_shock.json", NULL, 0, &d)) return;
    d.shock_count = 0;
    RunReport rep;
    run(&d, &rep);
    CHECK_LT(rep.cascades.deepest_generation, 3);
}

/* ---- ablations: one mechanism removed ---- */

static void emergence_ablations_move_the_crash_as_predicted(void)
{
    /* Run where the two mechanisms act on the liquidation trigger directly: the small shock with the mark at the
     * perp's last price. With the baseline's mark (median of the perp's price and two index-based ones) the mark
     * follows the spot index through the sale whatever the perp book does, and both effects fade into the noise:
     * over 32 seeds makers that never withdraw change the median drawdown by 1.03x (shallower in 18, the same 505
     * long liquidations), over 16 seeds no arbitrageurs by 1.18x -- the index-anchored mark is itself a mitigation
     * (docs/ODD.md). Measured here (seeds 1-8, max drawdown of the mark, %; long liquidations):
     *   base            14.68 14.49 10.03 5.24 10.18 5.04 5.57 5.64   median 7.80   longs 218
     *   makers stay      3.60  4.44  6.62 4.21  6.33 4.20 4.73 3.23   median 4.33   longs  99  (shallower in 8 of 8)
     *   no arbitrageurs  1.54  2.68  2.03 0.86  0.84 2.81 0.68 0.52   median 1.29   longs  15  (shallower in 8 of 8)
     * Makers that stay keep bids under the forced selling (the perp's bid depth within 1 % during the five minutes
     * from the sale's start: median 1.31x the withdrawing makers', 16 seeds); without arbitrageurs nothing carries the spot sale to the perp, where the
     * leveraged crowd sits. Seeds 9-16 agree (1.79x and 7.3x on the medians of 16). */
    const char *base_sets[] = {"market.perp.mark_method=last"};
    const char *stay[] = {"market.perp.mark_method=last", "makers.withdraw_vol_bps.a=100000",
                          "makers.withdraw_vol_bps.b=100000", "makers.adverse_inventory=0",
                          "makers.adverse_loss_bps=0"};
    const char *no_arb[] = {"market.perp.mark_method=last", "arbitrageurs.count=0"};
    static ShockRuns base, stayed, none;
    if (!shock_runs(base_sets, 1, &base) || !shock_runs(stay, 5, &stayed) || !shock_runs(no_arb, 2, &none)) {
        CHECK(false);
        return;
    }
    double median_base = median8(base.drawdown);
    CHECK_GT_F64(median_base, 1.2 * median8(stayed.drawdown));
    CHECK_GT_F64(median_base, 1.5 * median8(none.drawdown));
    int shallower_stay = 0, shallower_none = 0;
    uint64_t longs_base = 0, longs_stay = 0, longs_none = 0;
    for (int k = 0; k < SHOCK_SEEDS; k++) {
        shallower_stay += stayed.drawdown[k] < base.drawdown[k];
        shallower_none += none.drawdown[k] < base.drawdown[k];
        longs_base += base.long_liqs[k];
        longs_stay += stayed.long_liqs[k];
        longs_none += none.long_liqs[k];
    }
    CHECK_GE(shallower_stay, 6);
    CHECK_GE(shallower_none, 6);
    CHECK_GT(longs_base, 40);
    CHECK_LT(4 * longs_stay, 3 * longs_base); /* at least a quarter fewer long liquidations */
    CHECK_LT(2 * longs_none, longs_base);
}

/* ---- determinism ---- */

/* The golden hash of the small run's outputs. It changes whenever any behaviour changes (that is its job): after an
 * intended change, run this test, check the new outputs make sense, and paste the printed value here. */
#define GOLDEN_OUTPUT_HASH UINT64_C(0xda02e88dd131d045)

/* Mean over timeseries.csv's rows of open_interest_lots x lot x mark_usd: what summary.json's mean open interest
 * must equal when the sample step is the per-second step. */
static double timeseries_mean_oi_usd(const char *csv, double lot_units)
{
    const char *line = strchr(csv, '\n');
    double sum = 0;
    size_t rows = 0;
    while (line && line[1]) {
        line++;
        double col[13];
        const char *c = line;
        for (int i = 0; i < 13; i++) {
            col[i] = strtod(c, NULL);
            c = strchr(c, ',');
            if (!c) return -1;
            c++;
        }
        sum += col[12] * lot_units * col[3]; /* open_interest_lots, mark_usd */
        rows++;
        line = strchr(line, '\n');
    }
    return rows ? sum / (double)rows : -1;
}

static void determinism_same_seed_same_bytes(void)
{
    /* From the code's defaults, not an experiment file, so that recalibrating experiments/ leaves it alone. */
    WorldDef d = world_default_def();
    d.run.duration = 20 * SIMTIME_NS_PER_MIN;
    d.run.write_trades = true;
    d.retail.count = 200;
    d.shock_count = 1;
    d.shocks[0] = (ShockDef){SHOCK_SELL, 10 * SIMTIME_NS_PER_MIN, VENUE_SPOT, 3e6, 2 * SIMTIME_NS_PER_MIN, 24, 0, 0};
    char dirs[2][64];
    uint64_t hash[2] = {0, 0};
    size_t len[2][4];
    char *text[2][4];
    static const char *files[4] = {"summary.json", "timeseries.csv", "liquidations.csv", "trades.csv"};
    for (int k = 0; k < 2; k++) {
        test_make_temp_dir(dirs[k], sizeof dirs[k]);
        RunOptions opt = {dirs[k], "{}", 0, "test", NULL, NULL};
        RunReport rep;
        char why[256] = "";
        CHECK_EQ(run_experiment(&d, &opt, &rep, why, sizeof why), STATUS_OK);
        hash[k] = UINT64_C(0xcbf29ce484222325);
        for (int f = 0; f < 4; f++) {
            text[k][f] = test_slurp(dirs[k], files[f], &len[k][f]);
            CHECK(text[k][f] != NULL);
            if (text[k][f]) hash[k] ^= cfg_hash_text(text[k][f]) + (uint64_t)f; /* FNV-1a 64 of the text */
        }
        /* The calm-liquidation-rate figures: the mean open interest is the timeseries' (1-s rows = the per-second
         * steps), the rate is liquidated notional / that mean / days (20 min = 1/72 day). */
        if (k == 0 && text[0][1]) {
            double oi = timeseries_mean_oi_usd(text[0][1], d.market.lot_units);
            CHECK_GT_F64(oi, 0);
            CHECK_NEAR(rep.mean_open_interest_usd, oi, 1e-9 * oi);
            double liq = rep.liq_notional_usd_by_side[0] + rep.liq_notional_usd_by_side[1];
            CHECK_GT(rep.liquidations, 0);
            CHECK_NEAR(rep.liq_per_day_of_oi, liq / rep.mean_open_interest_usd * 72.0, 1e-12 * rep.liq_per_day_of_oi);
        }
    }
    for (int f = 0; f < 4; f++) {
        bool same = text[0][f] && text[1][f] && len[0][f] == len[1][f] && memcmp(text[0][f], text[1][f], len[0][f]) == 0;
        if (!same) fprintf(stderr, "\n%s differs between two runs of the same definition\n", files[f]);
        CHECK(same);
        free(text[0][f]);
        free(text[1][f]);
    }
    CHECK_EQ(hash[0], hash[1]);
    if (hash[0] != GOLDEN_OUTPUT_HASH) fprintf(stderr, "\ngolden output hash: 0x%016llx\n", (unsigned long long)hash[0]);
    CHECK_EQ(hash[0], GOLDEN_OUTPUT_HASH);
    for (int k = 0; k < 2; k++) test_rm_tree(dirs[k]);
}

static void determinism_other_seed_other_path(void)
{
    WorldDef d;
    const char *sets[] = {"run.duration=10m", "retail.count=100"};
    if (!test_load_experiment("experiments/examples/small_shock.json", sets, 2, &d)) return;
    RunReport a, b;
    run(&d, &a);
    d.run.seed = 2;
    run(&d, &b);
    CHECK(a.end_price_usd != b.end_price_usd || a.perp_fills != b.perp_fills);
}

void suite_sim_emergence(void)
{
    static const TestCase cases[] = {
        TEST_CASE(emergence_spot_sale_cascades_through_generations),
        TEST_CASE(emergence_low_leverage_has_no_second_generation),
        TEST_CASE(emergence_no_shock_no_deep_cascade),
        TEST_CASE(emergence_ablations_move_the_crash_as_predicted),
        TEST_CASE(determinism_same_seed_same_bytes),
        TEST_CASE(determinism_other_seed_other_path),
    };
    test_add_suite("sim_emergence", cases, TEST_COUNT(cases));
}
