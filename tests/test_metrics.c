/* sim_metrics: risk metrics and stylized facts (sim/metrics.h, docs/metrics.md).
 *
 * Hand-computed expectations carry their arithmetic in a comment. Statistical checks draw from seeded streams, so
 * they are deterministic; their tolerances are a few standard errors of the statistic (stated at each check), wide
 * enough for a correct estimator at almost any seed and narrow enough that a wrong formula fails. */
#include "test_suites.h"
#include "test_util.h"

#include "alloc.h"
#include "metrics.h"
#include "rng.h"

#include <math.h>
#include <string.h>

#define TIGHT 1e-12
#define N_BIG 100000

/* ---- helpers ---------------------------------------------------------------------------------------------------- */

static double *big_buffer(size_t n)
{
    double *x = mem_alloc(n * sizeof *x);
    CU_ASSERT_FATAL(x != NULL);
    return x;
}

/* Student-t with 3 degrees of freedom: Z / sqrt(chi2_3 / 3); tail index 3, infinite fourth moment. */
static double draw_t3(Rng *g)
{
    double z = rng_normal(g, 0.0, 1.0);
    double c = 0.0;
    for (int i = 0; i < 3; i++) {
        double u = rng_normal(g, 0.0, 1.0);
        c += u * u;
    }
    return z / sqrt(c / 3.0);
}

/* ---- returns ---------------------------------------------------------------------------------------------------- */

static void metrics_returns_skip_invalid_prices(void)
{
    /* valid: 100, 110, 99, 99, 108.9 (indices 0, 1, 3, 6, 8); 0, -1, NaN and inf are skipped and bridged */
    double p[9] = { 100.0, 110.0, 0.0, 99.0, -1.0, NAN, 99.0, INFINITY, 108.9 };
    double r[8];
    CHECK_EQ(metrics_count_invalid_prices(p, 9), 4);
    CHECK_EQ(metrics_log_returns(p, 9, r), 4);
    CHECK_NEAR(r[0], log(1.1), TIGHT);  /* 110 / 100 */
    CHECK_NEAR(r[1], log(0.9), TIGHT);  /* 99 / 110 across the 0 */
    CHECK_NEAR(r[2], 0.0, TIGHT);       /* 99 / 99 across -1 and NaN */
    CHECK_NEAR(r[3], log(1.1), TIGHT);  /* 108.9 / 99 across inf */
    /* the bridged returns add up to ln(last / first) = ln(1.089) */
    CHECK_NEAR(r[0] + r[1] + r[2] + r[3], log(1.089), TIGHT);
    CHECK_EQ(metrics_simple_returns(p, 9, r), 4);
    CHECK_NEAR(r[0], 0.1, TIGHT);
    CHECK_NEAR(r[1], -0.1, TIGHT);
    CHECK_NEAR(r[2], 0.0, TIGHT);
    CHECK_NEAR(r[3], 0.1, TIGHT);
    /* fewer than two valid prices: no returns */
    double one[3] = { 0.0, 5.0, -2.0 };
    CHECK_EQ(metrics_log_returns(one, 3, r), 0);
    CHECK_EQ(metrics_log_returns(NULL, 0, r), 0);
}

/* ---- drawdown --------------------------------------------------------------------------------------------------- */

static void metrics_drawdown_known_series(void)
{
    /* running max 100, 120, 120, 120, 120, 120, 130, 130; drawdowns at 90: 30/120 = 0.25, at 60: 60/120 = 0.5,
     * at 80: 40/120; the max is 0.5 from peak 1 to trough 4, recovered at index 6 (130 >= 120) */
    double p[8] = { 100, 120, 90, 110, 60, 80, 130, 125 };
    MetricsDrawdown d = metrics_max_drawdown(p, 8);
    CHECK_NEAR(d.max_dd, 0.5, TIGHT);
    CHECK_EQ(d.peak, 1);
    CHECK_EQ(d.trough, 4);
    CHECK_EQ(d.recovery, 6);

    /* equal highs: the peak is the last index at the running max (4, not 1 or 2); 60/120 = 0.5, never recovered */
    double ties[6] = { 100, 120, 120, 90, 120, 60 };
    d = metrics_max_drawdown(ties, 6);
    CHECK_NEAR(d.max_dd, 0.5, TIGHT);
    CHECK_EQ(d.peak, 4);
    CHECK_EQ(d.trough, 5);
    CHECK_EQ(d.recovery, -1);

    /* two equal drawdowns of 0.5: the first trough counts; recovery when the price returns to exactly 100 */
    double twice[4] = { 100, 50, 100, 50 };
    d = metrics_max_drawdown(twice, 4);
    CHECK_NEAR(d.max_dd, 0.5, TIGHT);
    CHECK_EQ(d.peak, 0);
    CHECK_EQ(d.trough, 1);
    CHECK_EQ(d.recovery, 2);

    /* invalid prices are skipped: 100 -> 80 is 0.2; 120 -> 60 is 0.5 (indices 5 and 6) */
    double gaps[7] = { 100, 0, 80, NAN, -5, 120, 60 };
    d = metrics_max_drawdown(gaps, 7);
    CHECK_NEAR(d.max_dd, 0.5, TIGHT);
    CHECK_EQ(d.peak, 5);
    CHECK_EQ(d.trough, 6);
    CHECK_EQ(d.recovery, -1);

    /* no decline: 0 and no indices */
    double up[3] = { 1, 2, 3 };
    d = metrics_max_drawdown(up, 3);
    CHECK_NEAR(d.max_dd, 0.0, 0.0);
    CHECK_EQ(d.peak, -1);
    CHECK_EQ(d.trough, -1);
    CHECK_EQ(d.recovery, -1);
    d = metrics_max_drawdown(NULL, 0);
    CHECK_EQ(d.trough, -1);
}

/* ---- moments ---------------------------------------------------------------------------------------------------- */

static void metrics_moments_hand_sample(void)
{
    /* x = 1, 2, 3, 4, 10: mean 4; d = -3, -2, -1, 0, 6
     * sum d^2 = 9 + 4 + 1 + 0 + 36 = 50       -> m2 = 10, sample variance 50 / 4 = 12.5, sd 3.5355339059
     * sum d^3 = -27 - 8 - 1 + 0 + 216 = 180   -> m3 = 36, g1 = 36 / 10^1.5 = 1.1384199577
     * sum d^4 = 81 + 16 + 1 + 0 + 1296 = 1394 -> m4 = 278.8, g2 = 278.8 / 100 - 3 = -0.212
     * G2 = ((n+1) g2 + 6)(n-1) / ((n-2)(n-3)) = (6 (-0.212) + 6) 4 / (3 * 2) = 4.728 * 4 / 6 = 3.152 */
    double x[5] = { 1, 2, 3, 4, 10 };
    MetricsMoments m = metrics_moments(x, 5);
    CHECK(m.defined);
    CHECK_EQ(m.n, 5);
    CHECK_NEAR(m.mean, 4.0, TIGHT);
    CHECK_NEAR(m.variance, 12.5, TIGHT);
    CHECK_NEAR(m.sd, 3.5355339059327378, TIGHT);
    CHECK_NEAR(m.skewness, 1.1384199576606167, TIGHT);
    CHECK_NEAR(m.excess_kurtosis, -0.212, TIGHT);
    CHECK_NEAR(m.excess_kurtosis_adj, 3.152, TIGHT);
    CHECK_NEAR(metrics_mean(x, 5), 4.0, TIGHT);
    CHECK_NEAR(metrics_variance(x, 5), 12.5, TIGHT);
    CHECK_NEAR(metrics_stddev(x, 5), 3.5355339059327378, TIGHT);
    CHECK_NEAR(metrics_skewness(x, 5), 1.1384199576606167, TIGHT);
    CHECK_NEAR(metrics_excess_kurtosis(x, 5), -0.212, TIGHT);

    /* x = 1, 2, 4 (n = 3): mean 7/3, d = -4/3, -1/3, 5/3; m2 = 42/27 = 14/9, m3 = 60/81 = 20/27,
     * m4 = 882/243 = 294/81; g1 = (20/27) / (14/9)^1.5 = 0.7407407 / 1.9401220 = 0.3818017742; g2 = (294/81)/(196/81) - 3 = 1.5 - 3 = -1.5;
     * G2 needs n >= 4: 0 */
    double y[3] = { 1, 2, 4 };
    m = metrics_moments(y, 3);
    CHECK(m.defined);
    CHECK_NEAR(m.variance, 7.0 / 3.0, TIGHT); /* 42/9 / 2 */
    CHECK_NEAR(m.skewness, (20.0 / 27.0) / pow(14.0 / 9.0, 1.5), TIGHT);
    CHECK_NEAR(m.skewness, 0.3818017742, 1e-10);
    CHECK_NEAR(m.excess_kurtosis, -1.5, TIGHT);
    CHECK_NEAR(m.excess_kurtosis_adj, 0.0, 0.0);
}

static void metrics_moments_edge_cases(void)
{
    MetricsMoments m = metrics_moments(NULL, 0);
    CHECK(!m.defined);
    CHECK_NEAR(m.mean, 0.0, 0.0);
    CHECK_NEAR(m.variance, 0.0, 0.0);

    double one[1] = { 3.5 };
    m = metrics_moments(one, 1);
    CHECK(!m.defined);
    CHECK_NEAR(m.mean, 3.5, 0.0);
    CHECK_NEAR(m.variance, 0.0, 0.0);

    /* constant: mean exactly 0.1 (not 0.7 / 7 with its rounding), variance 0, skew and kurtosis 0 and flagged */
    double c[7] = { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 };
    m = metrics_moments(c, 7);
    CHECK(!m.defined);
    CHECK(m.mean == 0.1);
    CHECK_NEAR(m.variance, 0.0, 0.0);
    CHECK_NEAR(m.skewness, 0.0, 0.0);
    CHECK_NEAR(m.excess_kurtosis, 0.0, 0.0);
    CHECK_NEAR(m.excess_kurtosis_adj, 0.0, 0.0);
    CHECK(isfinite(metrics_excess_kurtosis(c, 7)));

    /* two values: defined; m2 = 0.25, m4 = 0.0625, g2 = 1 - 3 = -2 (the minimum possible) */
    double two[2] = { 0.0, 1.0 };
    m = metrics_moments(two, 2);
    CHECK(m.defined);
    CHECK_NEAR(m.variance, 0.5, TIGHT);
    CHECK_NEAR(m.excess_kurtosis, -2.0, TIGHT);
}

static void metrics_realized_vol_and_annualize(void)
{
    /* sqrt(0.0001 + 0.0004 + 0.0004) = sqrt(0.0009) = 0.03 */
    double r[3] = { 0.01, -0.02, 0.02 };
    CHECK_NEAR(metrics_realized_vol(r, 3), 0.03, TIGHT);
    CHECK_NEAR(metrics_realized_vol(NULL, 0), 0.0, 0.0);
    /* 0.001 per minute: 0.001 sqrt(525600) = 0.7249827584; 0.01 per hour: 0.01 sqrt(8760) = 0.9359487166 */
    CHECK_NEAR(metrics_annualize_vol(0.001, 1.0), 0.7249827584156743, TIGHT);
    CHECK_NEAR(metrics_annualize_vol(0.01, 60.0), 0.9359487165438073, TIGHT);
    CHECK_NEAR(metrics_annualize_vol(0.02, 525600.0), 0.02, TIGHT);
}

/* ---- VaR and ES ------------------------------------------------------------------------------------------------- */

/* r = (j - 50) / 1000 for j = 0..99, in the scrambled order j = 37 i mod 100 (37 is prime to 100: a permutation).
 * Sorted: -0.050, -0.049, ..., 0.049. */
static void hundred_returns(double *r)
{
    for (int i = 0; i < 100; i++)
        r[i] = (double)((37 * i) % 100 - 50) / 1000.0;
}

static void metrics_var_es_hundred_values(void)
{
    double r[100], s[100];
    hundred_returns(r);
    memcpy(s, r, sizeof r);
    metrics_sort(s, 100);
    CHECK_NEAR(s[0], -0.050, TIGHT);
    CHECK_NEAR(s[99], 0.049, TIGHT);

    /* 99 %: m = 100 * 0.01 = 1 (1 - 0.99 is 0.010000000000000009 in binary: snapped), k = 1.
     * Long: VaR = ES = 0.050 (the worst return). Short: the best return, 0.049. */
    CHECK_NEAR(metrics_var_sorted(s, 100, 0.99, METRICS_TAIL_LEFT), 0.050, TIGHT);
    CHECK_NEAR(metrics_es_sorted(s, 100, 0.99, METRICS_TAIL_LEFT), 0.050, TIGHT);
    CHECK_NEAR(metrics_var_sorted(s, 100, 0.99, METRICS_TAIL_RIGHT), 0.049, TIGHT);
    CHECK_NEAR(metrics_es_sorted(s, 100, 0.99, METRICS_TAIL_RIGHT), 0.049, TIGHT);

    /* 97.5 %: m = 2.5, k = ceil(2.5) = 3.
     * Long: VaR = 0.048 (3rd worst); ES = (0.050 + 0.049 + 0.5 * 0.048) / 2.5 = 0.123 / 2.5 = 0.0492;
     *       tail mean of the 3 worst = 0.147 / 3 = 0.049.
     * Short: VaR = 0.047; ES = (0.049 + 0.048 + 0.5 * 0.047) / 2.5 = 0.1205 / 2.5 = 0.0482; tail mean 0.048. */
    CHECK_NEAR(metrics_var_sorted(s, 100, 0.975, METRICS_TAIL_LEFT), 0.048, TIGHT);
    CHECK_NEAR(metrics_es_sorted(s, 100, 0.975, METRICS_TAIL_LEFT), 0.0492, TIGHT);
    CHECK_NEAR(metrics_tail_mean_sorted(s, 100, 0.975, METRICS_TAIL_LEFT), 0.049, TIGHT);
    CHECK_NEAR(metrics_var_sorted(s, 100, 0.975, METRICS_TAIL_RIGHT), 0.047, TIGHT);
    CHECK_NEAR(metrics_es_sorted(s, 100, 0.975, METRICS_TAIL_RIGHT), 0.0482, TIGHT);
    CHECK_NEAR(metrics_tail_mean_sorted(s, 100, 0.975, METRICS_TAIL_RIGHT), 0.048, TIGHT);

    /* 95 %: m = 5, k = 5: VaR = 0.046, ES = (0.050 + 0.049 + 0.048 + 0.047 + 0.046) / 5 = 0.048 = tail mean.
     * 90 %: m = 10 (9.999999999999998 snapped), VaR = 0.041 (10th worst). */
    CHECK_NEAR(metrics_var_sorted(s, 100, 0.95, METRICS_TAIL_LEFT), 0.046, TIGHT);
    CHECK_NEAR(metrics_es_sorted(s, 100, 0.95, METRICS_TAIL_LEFT), 0.048, TIGHT);
    CHECK_NEAR(metrics_tail_mean_sorted(s, 100, 0.95, METRICS_TAIL_LEFT), 0.048, TIGHT);
    CHECK_NEAR(metrics_var_sorted(s, 100, 0.90, METRICS_TAIL_LEFT), 0.041, TIGHT);

    /* the unsorted entry point sorts a copy: same numbers, input untouched */
    double var = 0, es = 0;
    CHECK_EQ(metrics_var_es(r, 100, 0.975, METRICS_TAIL_LEFT, &var, &es), STATUS_OK);
    CHECK_NEAR(var, 0.048, TIGHT);
    CHECK_NEAR(es, 0.0492, TIGHT);
    CHECK_NEAR(r[1], -0.013, TIGHT); /* 37 - 50 */
    CHECK_EQ(metrics_var_es(r, 100, 0.99, METRICS_TAIL_RIGHT, NULL, &es), STATUS_OK);
    CHECK_NEAR(es, 0.049, TIGHT);
}

static void metrics_var_es_small_and_signs(void)
{
    /* n = 10 at 99 %: m = 0.1 < 1, k = 1: VaR = ES = the single worst loss (ES = 0.1 * L_(1) / 0.1) */
    double s[10] = { -0.03, -0.01, 0, 0, 0.01, 0.02, 0.02, 0.03, 0.04, 0.05 };
    CHECK_NEAR(metrics_var_sorted(s, 10, 0.99, METRICS_TAIL_LEFT), 0.03, TIGHT);
    CHECK_NEAR(metrics_es_sorted(s, 10, 0.99, METRICS_TAIL_LEFT), 0.03, TIGHT);
    /* 75 %: m = 2.5, k = 3: long VaR = -0 = 0; ES = (0.03 + 0.01 + 0.5 * 0) / 2.5 = 0.016 */
    CHECK_NEAR(metrics_var_sorted(s, 10, 0.75, METRICS_TAIL_LEFT), 0.0, 0.0);
    CHECK(!signbit(metrics_var_sorted(s, 10, 0.75, METRICS_TAIL_LEFT))); /* +0, not -0 */
    CHECK_NEAR(metrics_es_sorted(s, 10, 0.75, METRICS_TAIL_LEFT), 0.016, TIGHT);
    /* all returns positive: the long "loss" at the quantile is a gain, VaR is negative */
    double up[4] = { 0.01, 0.02, 0.03, 0.04 };
    CHECK_NEAR(metrics_var_sorted(up, 4, 0.5, METRICS_TAIL_LEFT), -0.02, TIGHT); /* m = 2, k = 2 */
    CHECK_NEAR(metrics_es_sorted(up, 4, 0.5, METRICS_TAIL_LEFT), -0.015, TIGHT); /* (-0.01 - 0.02) / 2 */
    /* empty */
    CHECK_NEAR(metrics_var_sorted(NULL, 0, 0.99, METRICS_TAIL_LEFT), 0.0, 0.0);
    CHECK_NEAR(metrics_es_sorted(NULL, 0, 0.99, METRICS_TAIL_RIGHT), 0.0, 0.0);
    double var = 1, es = 1;
    CHECK_EQ(metrics_var_es(NULL, 0, 0.99, METRICS_TAIL_LEFT, &var, &es), STATUS_OK);
    CHECK_NEAR(var, 0.0, 0.0);
    CHECK_NEAR(es, 0.0, 0.0);
}

static void metrics_sort_total_order(void)
{
    double x[6] = { 0.0, -1.0, -0.0, 2.0, -0.0, 0.0 };
    metrics_sort(x, 6);
    CHECK_NEAR(x[0], -1.0, 0.0);
    CHECK(signbit(x[1]) && signbit(x[2])); /* -0.0 before +0.0 */
    CHECK(!signbit(x[3]) && !signbit(x[4]));
    CHECK_NEAR(x[5], 2.0, 0.0);
}

/* ---- Hill ------------------------------------------------------------------------------------------------------- */

/* Exact Pareto quantiles x_i = (n / i)^(1/alpha), i = 1..n, are the order statistics X_(i) of a Pareto(alpha) sample
 * "without noise". ln(X_(i) / X_(k+1)) = ln((k+1)/i) / alpha, so
 *     1 / alpha_hat = (1/alpha) (ln(k+1) - ln(k!)/k).
 * For n = 10000, alpha = 3, k = 500: ln 501 = 6.2166061, ln(500!) = 2611.3304 -> /500 = 5.2226608,
 * difference 0.9939453 -> alpha_hat = 3 / 0.9939453 = 3.0182751 (the O(ln k / k) bias of this grid). */
#define PARETO_N 10000
#define PARETO_ALPHA 3.0
#define PARETO_HILL_500 3.0182750998704333

static void metrics_hill_exact_pareto(void)
{
    double *r = big_buffer(2 * PARETO_N);
    /* both signs: r = +x_i, -x_i interleaved, so each tail is the exact quantile grid */
    for (size_t i = 1; i <= PARETO_N; i++) {
        double x = pow((double)PARETO_N / (double)i, 1.0 / PARETO_ALPHA);
        r[2 * (i - 1)] = (i % 2) ? x : -x;
        r[2 * (i - 1) + 1] = (i % 2) ? -x : x;
    }
    MetricsHill h;
    CHECK_EQ(metrics_hill(r, 2 * PARETO_N, 500, METRICS_TAIL_LEFT, &h), STATUS_OK);
    CHECK(h.defined);
    CHECK_EQ(h.k, 500);
    CHECK_NEAR(h.alpha, PARETO_HILL_500, 1e-9);
    CHECK_NEAR(h.alpha, PARETO_ALPHA, 0.03 * PARETO_ALPHA); /* within a few % of the true index */
    CHECK_NEAR(h.se, PARETO_HILL_500 / sqrt(500.0), 1e-9);
    CHECK_EQ(metrics_hill(r, 2 * PARETO_N, 500, METRICS_TAIL_RIGHT, &h), STATUS_OK);
    CHECK_NEAR(h.alpha, PARETO_HILL_500, 1e-9);
    /* |r| holds every x_i twice: with k = 1000 the sum is twice the k = 500 sum over 1000 terms: same estimate */
    CHECK_EQ(metrics_hill(r, 2 * PARETO_N, 1000, METRICS_TAIL_ABS, &h), STATUS_OK);
    CHECK_NEAR(h.alpha, PARETO_HILL_500, 1e-9);
    /* larger k on the exact grid converges: k = 5000 -> 1/(ln 5001 - ln(5000!)/5000) within 0.1 % of 3 */
    CHECK_EQ(metrics_hill(r, 2 * PARETO_N, 10000, METRICS_TAIL_ABS, &h), STATUS_OK);
    CHECK_NEAR(h.alpha, PARETO_ALPHA, 0.003 * PARETO_ALPHA);

    /* a one-sided sample of the same grid through the sorted entry point; alpha = 2 */
    for (size_t i = 1; i <= PARETO_N; i++)
        r[i - 1] = pow((double)PARETO_N / (double)i, 0.5);
    metrics_sort(r, PARETO_N);
    h = metrics_hill_sorted(r, PARETO_N, 500, METRICS_TAIL_RIGHT);
    CHECK_NEAR(h.alpha, PARETO_HILL_500 * 2.0 / 3.0, 1e-9);
    /* the left tail of all-positive values has no positive losses: undefined, 0 */
    h = metrics_hill_sorted(r, PARETO_N, 500, METRICS_TAIL_LEFT);
    CHECK(!h.defined);
    CHECK_NEAR(h.alpha, 0.0, 0.0);
    mem_free(r);
}

static void metrics_hill_edge_cases(void)
{
    double s[5] = { -2, -1, 1, 2, 4 };
    /* k = 0 and k >= n are undefined */
    CHECK(!metrics_hill_sorted(s, 5, 0, METRICS_TAIL_RIGHT).defined);
    CHECK(!metrics_hill_sorted(s, 5, 5, METRICS_TAIL_RIGHT).defined);
    /* right, k = 2: X = 4, 2 over X_(3) = 1: (ln 4 + ln 2) / 2 = 1.5 ln 2 -> alpha = 1 / (1.5 ln 2) = 0.9617966939 */
    MetricsHill h = metrics_hill_sorted(s, 5, 2, METRICS_TAIL_RIGHT);
    CHECK(h.defined);
    CHECK_NEAR(h.alpha, 1.0 / (1.5 * log(2.0)), TIGHT);
    /* left, k = 1: X = 2 over X_(2) = 1: ln 2 -> alpha = 1 / ln 2 */
    CHECK_NEAR(metrics_hill_sorted(s, 5, 1, METRICS_TAIL_LEFT).alpha, 1.0 / log(2.0), TIGHT);
    /* left, k = 2: X_(3) = -1 is not a loss: undefined */
    CHECK(!metrics_hill_sorted(s, 5, 2, METRICS_TAIL_LEFT).defined);
    /* the top k + 1 equal: infinite index, reported undefined */
    double flat[4] = { 1, 3, 3, 3 };
    CHECK(!metrics_hill_sorted(flat, 4, 2, METRICS_TAIL_RIGHT).defined);
    CHECK_EQ(metrics_hill_default_k(1440), 72); /* 5 % of a day of minutes */
    CHECK_EQ(metrics_hill_default_k(19), 0);
    MetricsHill u;
    CHECK_EQ(metrics_hill(s, 5, 9, METRICS_TAIL_ABS, &u), STATUS_OK);
    CHECK(!u.defined);
}

/* ---- ACF and Ljung-Box ------------------------------------------------------------------------------------------ */

static void metrics_acf_alternating(void)
{
    /* 1, -1, ... (n = 10): mean 0, denominator 10; lag 1: 9 products of -1 -> -0.9; lag 2: 8 of +1 -> 0.8;
     * lag 9: -1/10; lag >= n: 0. |x| is constant: its ACF is undefined, 0. */
    double x[10];
    for (int i = 0; i < 10; i++)
        x[i] = (i % 2) ? -1.0 : 1.0;
    CHECK_NEAR(metrics_acf(x, 10, 0), 1.0, 0.0);
    CHECK_NEAR(metrics_acf(x, 10, 1), -0.9, TIGHT);
    CHECK_NEAR(metrics_acf(x, 10, 2), 0.8, TIGHT);
    CHECK_NEAR(metrics_acf(x, 10, 9), -0.1, TIGHT);
    CHECK_NEAR(metrics_acf(x, 10, 10), 0.0, 0.0);
    CHECK_NEAR(metrics_acf_abs(x, 10, 1), 0.0, 0.0);
    CHECK_NEAR(metrics_acf_band(10), 1.96 / sqrt(10.0), TIGHT); /* 0.6198064 */
    CHECK_NEAR(metrics_acf_band(0), 0.0, 0.0);

    double range[12];
    metrics_acf_range(x, 10, 11, false, range);
    for (size_t k = 0; k <= 11; k++)
        CHECK(range[k] == metrics_acf(x, 10, k)); /* same arithmetic, same bits */
    metrics_acf_range(x, 10, 3, true, range);
    CHECK_NEAR(range[0], 0.0, 0.0);
    CHECK_NEAR(range[1], 0.0, 0.0);

    double c[3] = { 2, 2, 2 };
    CHECK_NEAR(metrics_acf(c, 3, 1), 0.0, 0.0);
    CHECK_NEAR(metrics_acf(c, 3, 0), 0.0, 0.0);
    CHECK_NEAR(metrics_acf(NULL, 0, 1), 0.0, 0.0);
}

static void metrics_acf_geometric_and_ljung_box(void)
{
    /* x = 8, 4, 2, 1 (x_t = 0.5 x_{t-1}): mean 3.75, d = 4.25, 0.25, -1.75, -2.75,
     * denominator 18.0625 + 0.0625 + 3.0625 + 7.5625 = 28.75
     * lag 1: 4.25*0.25 + 0.25*(-1.75) + (-1.75)(-2.75) = 1.0625 - 0.4375 + 4.8125 = 5.4375 -> 0.1891304348
     * lag 2: 4.25*(-1.75) + 0.25*(-2.75) = -7.4375 - 0.6875 = -8.125                   -> -0.2826086957
     * lag 3: 4.25*(-2.75) = -11.6875                                                   -> -0.4065217391
     * Ljung-Box Q(2) = n(n+2)[rho1^2/(n-1) + rho2^2/(n-2)] = 24 (0.0357703214/3 + 0.0798676749/2) = 1.2445746692
     * Q(3) adds 24 * 0.1652599244 / 1 = 3.9662381853: 5.2108128544; Q(5) = Q(3) (lags >= n add nothing) */
    double x[4] = { 8, 4, 2, 1 };
    CHECK_NEAR(metrics_acf(x, 4, 1), 5.4375 / 28.75, TIGHT);
    CHECK_NEAR(metrics_acf(x, 4, 2), -8.125 / 28.75, TIGHT);
    CHECK_NEAR(metrics_acf(x, 4, 3), -11.6875 / 28.75, TIGHT);
    CHECK_NEAR(metrics_ljung_box(x, 4, 2), 1.2445746691871453, TIGHT);
    CHECK_NEAR(metrics_ljung_box(x, 4, 3), 5.210812854442343, TIGHT);
    CHECK_NEAR(metrics_ljung_box(x, 4, 5), 5.210812854442343, TIGHT);
    double acf[6];
    metrics_acf_range(x, 4, 5, false, acf);
    CHECK(metrics_ljung_box_acf(acf, 4, 2) == metrics_ljung_box(x, 4, 2));
    CHECK_NEAR(metrics_ljung_box_acf(acf, 4, 0), 0.0, 0.0);
    /* |x| = x here: same ACF */
    CHECK(metrics_acf_abs(x, 4, 1) == metrics_acf(x, 4, 1));
}

static void metrics_acf_ar1(void)
{
    /* x_t = 0.6 x_{t-1} + e_t, e ~ N(0, 1), n = 100000: rho(k) = 0.6^k. Bartlett's standard error of rho(k) for an
     * AR(1) is at most sqrt((1 + phi^2)/(1 - phi^2) / n) = 0.0046; tolerance 0.02 (over 4 s.e.). */
    Rng g;
    rng_seed(&g, 7);
    double *x = big_buffer(N_BIG);
    double prev = 0.0;
    for (size_t t = 0; t < N_BIG; t++) {
        prev = 0.6 * prev + rng_normal(&g, 0.0, 1.0);
        x[t] = prev;
    }
    CHECK_NEAR(metrics_acf(x, N_BIG, 1), 0.6, 0.02);
    CHECK_NEAR(metrics_acf(x, N_BIG, 2), 0.36, 0.02);
    CHECK_NEAR(metrics_acf(x, N_BIG, 5), 0.07776, 0.02);
    CHECK_NEAR(metrics_acf(x, N_BIG, 30), 0.0, 0.02);
    /* Q(10) is dominated by rho1: about n (n+2) 0.36 / n = 36000; p-value 0 */
    double q = metrics_ljung_box(x, N_BIG, 10);
    CHECK(q > 30000.0);
    CHECK(metrics_chi2_sf(q, 10) < 1e-12);
    mem_free(x);
}

static void metrics_chi2_sf_known_values(void)
{
    /* 95 % quantiles of chi-squared: 3.841458820694124 (1), 5.991464547107979 (2), 18.307038053275146 (10),
     * 79.0819 (60, as tabulated) */
    CHECK_NEAR(metrics_chi2_sf(3.841458820694124, 1), 0.05, 1e-12);
    CHECK_NEAR(metrics_chi2_sf(5.991464547107979, 2), 0.05, 1e-12);
    CHECK_NEAR(metrics_chi2_sf(18.307038053275146, 10), 0.05, 1e-12);
    CHECK_NEAR(metrics_chi2_sf(79.0819, 60), 0.05, 1e-6);
    /* even dof 2h: P(X > x) = P(Poisson(x/2) < h) = exp(-x/2) sum_{j<h} (x/2)^j / j!, the Ljung-Box Q(60) case */
    double xs60[3] = { 30.0, 79.0819, 140.0 };
    for (int i = 0; i < 3; i++) {
        double y = xs60[i] / 2.0, term = exp(-y), sum = 0.0;
        for (int j = 0; j < 30; j++) {
            sum += term;
            term *= y / (double)(j + 1);
        }
        CHECK_NEAR(metrics_chi2_sf(xs60[i], 60), sum, 1e-13);
    }
    /* closed forms: dof 1: erfc(sqrt(x/2)); dof 2: exp(-x/2); dof 4: exp(-x/2)(1 + x/2) */
    double xs[5] = { 0.01, 1.0, 2.0, 7.5, 40.0 };
    for (int i = 0; i < 5; i++) {
        double x = xs[i];
        CHECK_NEAR(metrics_chi2_sf(x, 1), erfc(sqrt(x / 2.0)), 1e-13);
        CHECK_NEAR(metrics_chi2_sf(x, 2), exp(-x / 2.0), 1e-13);
        CHECK_NEAR(metrics_chi2_sf(x, 4), exp(-x / 2.0) * (1.0 + x / 2.0), 1e-13);
    }
    CHECK_NEAR(metrics_chi2_sf(0.0, 5), 1.0, 0.0);
    CHECK_NEAR(metrics_chi2_sf(-1.0, 5), 1.0, 0.0);
    double tiny = metrics_chi2_sf(2000.0, 10);
    CHECK(tiny >= 0.0 && tiny < 1e-300);
}

/* ---- statistical behaviour on generated series ------------------------------------------------------------------ */

static void metrics_gaussian_iid(void)
{
    /* r ~ N(0, 0.001^2), n = 100000. Standard errors: skew sqrt(6/n) = 0.0077, excess kurtosis sqrt(24/n) = 0.0155;
     * the brief's |g2| < 0.2 and a 6 s.e. band 0.093 both hold. The sample ACF of an i.i.d. series has s.e.
     * 1/sqrt(n), so each lag leaves the 95 % band 1.96/sqrt(n) with probability 5 %: require every reported lag of r
     * and |r| within twice the band (3.9 s.e.), and at most 8 of the 60 lags outside the band (binomial(60, 0.05):
     * mean 3, P(>= 9) = 0.4 %). A wrong mean or denominator would shift every lag. */
    Rng g;
    rng_seed(&g, 2024);
    double *r = big_buffer(N_BIG);
    for (size_t i = 0; i < N_BIG; i++)
        r[i] = rng_normal(&g, 0.0, 0.001);
    MetricsMoments m = metrics_moments(r, N_BIG);
    CHECK(m.defined);
    CHECK(fabs(m.excess_kurtosis) < 0.2);
    CHECK_NEAR(m.excess_kurtosis, 0.0, 6.0 * sqrt(24.0 / N_BIG));
    CHECK_NEAR(m.excess_kurtosis_adj, m.excess_kurtosis, 1e-3); /* G2 ~ g2 for large n */
    CHECK_NEAR(m.skewness, 0.0, 6.0 * sqrt(6.0 / N_BIG));
    CHECK_NEAR(m.sd, 0.001, 6.0 * 0.001 / sqrt(2.0 * N_BIG));
    double band = metrics_acf_band(N_BIG);
    const size_t lags[5] = METRICS_SUMMARY_LAGS;
    for (int i = 0; i < 5; i++) {
        CHECK(fabs(metrics_acf(r, N_BIG, lags[i])) < 2.0 * band);
        CHECK(fabs(metrics_acf_abs(r, N_BIG, lags[i])) < 2.0 * band);
    }
    double acf[61], acf_abs[61];
    metrics_acf_range(r, N_BIG, 60, false, acf);
    metrics_acf_range(r, N_BIG, 60, true, acf_abs);
    int outside = 0, outside_abs = 0;
    for (int k = 1; k <= 60; k++) {
        outside += fabs(acf[k]) > band;
        outside_abs += fabs(acf_abs[k]) > band;
    }
    CHECK(outside <= 8);
    CHECK(outside_abs <= 8);
    CHECK(metrics_chi2_sf(metrics_ljung_box(r, N_BIG, 60), 60) > 0.001);
    /* Normal quantiles: VaR99 = 2.3263 sd, ES97.5 = phi(1.95996)/0.025 sd = 2.3378 sd; s.e. of a tail quantile at
     * n = 1e5 is about 0.01 sd: tolerance 0.06 sd */
    double var = 0, es = 0;
    CHECK_EQ(metrics_var_es(r, N_BIG, 0.99, METRICS_TAIL_LEFT, &var, NULL), STATUS_OK);
    CHECK_NEAR(var / 0.001, 2.3263, 0.06);
    CHECK_EQ(metrics_var_es(r, N_BIG, 0.975, METRICS_TAIL_RIGHT, NULL, &es), STATUS_OK);
    CHECK_NEAR(es / 0.001, 2.3378, 0.06);
    mem_free(r);
}

static void metrics_fat_tails(void)
{
    Rng g;
    rng_seed(&g, 99);
    double *r = big_buffer(N_BIG);

    /* scale mixture: N(0, 1) w.p. 0.9, N(0, 25) w.p. 0.1. Kurtosis 3 E[s^4] / E[s^2]^2 = 3 (0.9 + 62.5) / 3.4^2
     * = 190.2 / 11.56 = 16.453 -> excess 13.453; its s.e. at n = 1e5 is about 0.55: tolerance 3.5 */
    for (size_t i = 0; i < N_BIG; i++)
        r[i] = rng_normal(&g, 0.0, rng_bernoulli(&g, 0.1) ? 5.0 : 1.0);
    double k = metrics_excess_kurtosis(r, N_BIG);
    CHECK(k > 3.0);
    CHECK_NEAR(k, 13.453, 3.5);

    /* Student-t(3): infinite fourth moment, so the sample excess kurtosis is large; tail index 3 (Hill at the
     * default 5 % has some bias for t: accept 2.4..3.6) */
    for (size_t i = 0; i < N_BIG; i++)
        r[i] = draw_t3(&g);
    CHECK(metrics_excess_kurtosis(r, N_BIG) > 3.0);
    MetricsHill h;
    CHECK_EQ(metrics_hill(r, N_BIG, metrics_hill_default_k(N_BIG), METRICS_TAIL_ABS, &h), STATUS_OK);
    CHECK(h.defined);
    CHECK_NEAR(h.alpha, 3.0, 0.6);

    /* symmetric Pareto(xm = 1, alpha = 3): exact power law above 1, Hill unbiased; s.e. alpha / sqrt(k) = 0.042
     * at k = 5000; tolerance 0.25 (6 s.e.) */
    for (size_t i = 0; i < N_BIG; i++)
        r[i] = rng_pareto(&g, 1.0, 3.0) * (rng_bernoulli(&g, 0.5) ? 1.0 : -1.0);
    CHECK(metrics_excess_kurtosis(r, N_BIG) > 3.0);
    CHECK_EQ(metrics_hill(r, N_BIG, 5000, METRICS_TAIL_ABS, &h), STATUS_OK);
    CHECK_NEAR(h.alpha, 3.0, 0.25);
    CHECK_EQ(metrics_hill(r, N_BIG, 2500, METRICS_TAIL_LEFT, &h), STATUS_OK);
    CHECK_NEAR(h.alpha, 3.0, 6.0 * 3.0 / sqrt(2500.0));
    CHECK_EQ(metrics_hill(r, N_BIG, 2500, METRICS_TAIL_RIGHT, &h), STATUS_OK);
    CHECK_NEAR(h.alpha, 3.0, 6.0 * 3.0 / sqrt(2500.0));
    mem_free(r);
}

/* ---- summary ---------------------------------------------------------------------------------------------------- */

static void metrics_summary_hand_series(void)
{
    /* prices 100, 110, 99, 99, 108.9, 0: the 0 is skipped; returns a = ln 1.1, b = ln 0.9, 0, a (n = 4)
     * mean (2a + b)/4 = 0.0213149610; rho1 = -0.3005473397; band 1.96 / 2 = 0.98;
     * Q(1) = 4 * 6 * rho1^2 / 3 = 0.7226296272, p = erfc(sqrt(Q/2)) = 0.3952826961;
     * Q(5) = Q(10) = ... = Q(3) = 3.5868878136 (lags >= 4 add nothing)
     * drawdown: 110 -> 99 is 0.1 (peak 1, trough 2), 108.9 < 110: not recovered
     * VaR at both levels: m = 4 * 0.025 = 0.1 and 0.04, k = 1: long = -b = 0.1053605157, short = a = 0.0953101798
     * realized vol sqrt(2a^2 + b^2) = 0.1710815566; annualized sqrt(525600 (2a^2 + b^2) / 4) = 62.0155894086
     * Hill: k = 4 / 20 = 0: undefined */
    double p[6] = { 100, 110, 99, 99, 108.9, 0 };
    MetricsSummary s;
    CHECK_EQ(metrics_summarize(p, 6, &s), STATUS_OK);
    CHECK_EQ(s.n_prices, 6);
    CHECK_EQ(s.n_skipped, 1);
    CHECK_EQ(s.n_returns, 4);
    CHECK_EQ(s.flags, METRICS_FLAG_SKIPPED_PRICES | METRICS_FLAG_SHORT_LAGS | METRICS_FLAG_HILL_UNDEFINED);
    CHECK_NEAR(s.total_log_return, log(1.089), TIGHT);
    CHECK_NEAR(s.drawdown.max_dd, 0.1, TIGHT);
    CHECK_EQ(s.drawdown.peak, 1);
    CHECK_EQ(s.drawdown.trough, 2);
    CHECK_EQ(s.drawdown.recovery, -1);
    CHECK(s.moments.defined);
    CHECK_NEAR(s.moments.mean, 0.021314960987705897, TIGHT);
    CHECK_NEAR(s.realized_vol, 0.17108155659903423, TIGHT);
    CHECK_NEAR(s.vol_annualized, 62.015589408607575, 1e-10);
    CHECK_NEAR(s.long_side.var_99, 0.10536051565782628, TIGHT);
    CHECK_NEAR(s.long_side.es_975, 0.10536051565782628, TIGHT);
    CHECK_NEAR(s.short_side.var_975, 0.09531017980432493, TIGHT);
    CHECK_NEAR(s.short_side.es_99, 0.09531017980432493, TIGHT);
    CHECK(!s.hill_left.defined && !s.hill_right.defined && !s.hill_abs.defined);
    CHECK_NEAR(s.acf_band, 0.98, TIGHT);
    CHECK_NEAR(s.acf_r[0], 1.0, 0.0);
    CHECK_NEAR(s.acf_r[1], -0.30054733970246333, TIGHT);
    CHECK_NEAR(s.acf_abs[1], -0.4383354709937297, TIGHT);
    CHECK_NEAR(s.acf_r[4], 0.0, 0.0);
    CHECK_NEAR(s.acf_r[60], 0.0, 0.0);
    const size_t lags[5] = METRICS_SUMMARY_LAGS;
    for (int i = 0; i < 5; i++)
        CHECK_EQ(s.lags[i], lags[i]);
    CHECK_NEAR(s.lb_r[0], 0.7226296272178233, TIGHT);
    CHECK_NEAR(s.lb_r_p[0], 0.3952826960999855, 1e-12);
    CHECK_NEAR(s.lb_r[1], 3.5868878136008684, TIGHT);
    CHECK_NEAR(s.lb_r[4], 3.5868878136008684, TIGHT);
    CHECK_EQ(s.acf_r_outside_band, 0);
    CHECK_EQ(s.acf_abs_above_band, 0);
}

/* Momentum seven minutes late, none before: r_t = z_t + 0.5 z_{t-7} has ACF 0.5 / 1.25 = 0.4 at lag 7 and 0 at every
 * other lag, so the check of raw returns beyond a few minutes finds lag 7, and a lag inside the few minutes does not
 * count: r_t = z_t + 0.5 z_{t-3} leaves the lags beyond 5 clean. */
static void metrics_summary_late_momentum(void)
{
    for (int delay = 3; delay <= 7; delay += 4) {
        Rng g;
        rng_seed(&g, 5);
        size_t n = N_BIG + 1;
        double *p = big_buffer(n);
        double z[8] = { 0 }, logp = log(100.0);
        p[0] = 100.0;
        for (size_t t = 1; t < n; t++) {
            double now = rng_normal(&g, 0.0, 0.001);
            logp += now + 0.5 * z[(t + 8 - (size_t)delay) % 8];
            z[t % 8] = now;
            p[t] = exp(logp);
        }
        MetricsSummary s;
        CHECK_EQ(metrics_summarize(p, n, &s), STATUS_OK);
        if (delay == 7) {
            CHECK_EQ(s.acf_r_beyond_max_lag, 7);
            CHECK_NEAR(s.acf_r_beyond_max, 0.4, 0.01);
            CHECK(s.acf_r_beyond_outside_band >= 1);
            /* with a constant variance the robust t is ~ rho sqrt(n) / sqrt(E[d_t^2 d_{t+7}^2] / sigma^4), far past 1.96 */
            CHECK(s.acf_r_robust_t[7] > 10.0);
            CHECK(s.acf_r_beyond_robust_significant >= 1);
            CHECK(s.acf_r_beyond_robust_q_p < 1e-6);
        } else {
            CHECK_NEAR(s.acf_r[3], 0.4, 0.01);
            CHECK(s.acf_r_beyond_max < 2.0 * s.acf_band);
            CHECK(s.acf_r_robust_t[3] > 10.0);
            CHECK(s.acf_r_beyond_robust_significant < 9);
        }
        mem_free(p);
    }
}

/* x = {1, -1, 2, -2} (mean 0). Lag 1: products -1, -2, -4: t = -7 / sqrt(1 + 4 + 16) = -1.5275252316519468.
 * Lag 2: products 2, 2: t = 4 / sqrt(8) = 1.4142135623730951. Lag 0, lags >= n and a constant series give 0. */
static void metrics_acf_robust_t_hand_values(void)
{
    const double x[4] = { 1, -1, 2, -2 };
    CHECK_NEAR(metrics_acf_robust_t(x, 4, 1), -1.5275252316519468, TIGHT);
    CHECK_NEAR(metrics_acf_robust_t(x, 4, 2), 1.4142135623730951, TIGHT);
    CHECK_NEAR(metrics_acf_robust_t(x, 4, 0), 0.0, 0.0);
    CHECK_NEAR(metrics_acf_robust_t(x, 4, 4), 0.0, 0.0);
    double t[6];
    metrics_acf_robust_t_range(x, 4, 5, t);
    for (size_t k = 0; k <= 5; k++)
        CHECK_NEAR(t[k], metrics_acf_robust_t(x, 4, k), 0.0);
    const double c[3] = { 2, 2, 2 };
    CHECK_NEAR(metrics_acf_robust_t(c, 3, 1), 0.0, 0.0);
}

/* Uncorrelated returns whose volatility moves in spells: r_t = s_t z_t with s_t constant over blocks of 500 and
 * lognormal (log-sd 1.5) between blocks, so E[s^4] / E[s^2]^2 = exp(2 * 1.5^2) = 90. The sample ACF's spread is then
 * about sqrt(90) times the i.i.d. band's, so most lags "leave the band", while the robust t stays N(0, 1): about 5 %
 * of lags 6..60 (2.75 of 55) beyond 1.96, and Q* near its 55 degrees of freedom. */
static void metrics_robust_t_volatility_spells(void)
{
    Rng g;
    rng_seed(&g, 17);
    size_t n = N_BIG + 1;
    double *p = big_buffer(n);
    double logp = log(100.0), sd = 0.001;
    p[0] = 100.0;
    for (size_t t = 1; t < n; t++) {
        if (t % 500 == 1)
            sd = 0.001 * exp(rng_normal(&g, 0.0, 1.5));
        logp += rng_normal(&g, 0.0, sd);
        p[t] = exp(logp);
    }
    MetricsSummary s;
    CHECK_EQ(metrics_summarize(p, n, &s), STATUS_OK);
    CHECK(s.acf_r_beyond_outside_band >= 15);
    CHECK(s.acf_r_beyond_robust_significant <= 8);
    CHECK(s.acf_r_beyond_robust_q_p > 0.001);
    mem_free(p);
}

static void metrics_summary_edge_cases(void)
{
    MetricsSummary s;
    CHECK_EQ(metrics_summarize(NULL, 0, &s), STATUS_OK);
    CHECK_EQ(s.n_returns, 0);
    CHECK(s.flags & METRICS_FLAG_TOO_SHORT);
    CHECK_EQ(s.drawdown.trough, -1);

    /* one return: drawdown and total return only */
    double two[2] = { 100, 90 };
    CHECK_EQ(metrics_summarize(two, 2, &s), STATUS_OK);
    CHECK_EQ(s.n_returns, 1);
    CHECK(s.flags & METRICS_FLAG_TOO_SHORT);
    CHECK_NEAR(s.total_log_return, log(0.9), TIGHT);
    CHECK_NEAR(s.drawdown.max_dd, 0.1, TIGHT);
    CHECK_NEAR(s.long_side.var_99, 0.0, 0.0);

    /* constant prices: 99 zero returns; nothing is NaN, the shape statistics are 0 and flagged */
    double c[100];
    for (int i = 0; i < 100; i++)
        c[i] = 250.0;
    CHECK_EQ(metrics_summarize(c, 100, &s), STATUS_OK);
    CHECK_EQ(s.n_returns, 99);
    CHECK_EQ(s.flags, METRICS_FLAG_CONSTANT | METRICS_FLAG_HILL_UNDEFINED);
    CHECK_NEAR(s.moments.excess_kurtosis, 0.0, 0.0);
    CHECK_NEAR(s.long_side.var_99, 0.0, 0.0);
    CHECK_NEAR(s.acf_r[1], 0.0, 0.0);
    CHECK_NEAR(s.lb_r_p[4], 1.0, 0.0);
    CHECK(isfinite(s.moments.skewness) && isfinite(s.hill_abs.alpha) && isfinite(s.vol_annualized));
    CHECK_EQ(s.drawdown.trough, -1);
}

/* GARCH(1,1) r_t = s_t z_t, s_t^2 = w + a r_{t-1}^2 + b s_{t-1}^2 with a = 0.05, b = 0.94 (persistence 0.99; finite
 * fourth moment since 3a^2 + 2ab + b^2 = 0.9851 < 1): volatility clusters, returns are uncorrelated. Its excess
 * kurtosis is 3 (1 - 0.99^2) / (1 - 0.99^2 - 2 a^2) - 3 = 3 * 0.0199 / 0.0149 - 3 = 1.007. */
static void metrics_summary_volatility_clustering(void)
{
    Rng g;
    rng_seed(&g, 11);
    size_t n = N_BIG + 1;
    double *p = big_buffer(n);
    const double a = 0.05, b = 0.94, w = 1e-6 * (1.0 - a - b); /* unconditional variance 1e-6 */
    double var = 1e-6, r = 0.0, logp = log(100.0);
    p[0] = 100.0;
    for (size_t t = 1; t < n; t++) {
        var = w + a * r * r + b * var;
        r = sqrt(var) * rng_normal(&g, 0.0, 1.0);
        logp += r;
        p[t] = exp(logp);
    }
    MetricsSummary s;
    CHECK_EQ(metrics_summarize(p, n, &s), STATUS_OK);
    CHECK_EQ(s.n_returns, N_BIG);
    CHECK_EQ(s.flags, 0u);
    /* |r| autocorrelation significantly positive at every lag 1..60 */
    CHECK_EQ(s.acf_abs_above_band, METRICS_SUMMARY_MAX_LAG);
    CHECK_EQ(s.acf_abs_positive, METRICS_SUMMARY_MAX_LAG);
    CHECK(s.lb_abs_p[4] < 1e-12);
    /* raw returns: no significant correlation at the reported lags beyond a few minutes */
    for (int i = 1; i < METRICS_SUMMARY_NLAGS; i++)
        CHECK(fabs(s.acf_r[s.lags[i]]) < s.acf_band);
    CHECK(s.lb_r_p[4] > 0.001);
    CHECK(s.moments.excess_kurtosis > 0.5);
    CHECK(s.hill_abs.defined && s.hill_left.defined && s.hill_right.defined);
    CHECK_EQ(s.hill_abs.k, N_BIG / 20);

    /* the same machinery on an i.i.d. Gaussian walk: |r| shows no memory. Under the null each of the 60 lags
     * exceeds the one-sided band with probability 2.5 % (mean 1.5): 8 or more is a far tail */
    logp = log(100.0);
    for (size_t t = 1; t < n; t++) {
        logp += rng_normal(&g, 0.0, 0.001);
        p[t] = exp(logp);
    }
    CHECK_EQ(metrics_summarize(p, n, &s), STATUS_OK);
    CHECK(s.acf_abs_above_band < 8);
    CHECK(s.acf_r_outside_band < 10);
    CHECK(s.acf_r_beyond_outside_band < 10);
    CHECK(s.acf_r_beyond_max < 2.0 * s.acf_band);
    CHECK(fabs(s.moments.excess_kurtosis) < 0.2);
    CHECK(s.lb_abs_p[4] > 0.001);
    mem_free(p);
}

static void metrics_summary_matches_parts(void)
{
    /* the summary is the composition of the public functions: identical bits */
    Rng g;
    rng_seed(&g, 5);
    double p[500], r[499], srt[499];
    double lp = 0.0;
    for (int i = 0; i < 500; i++) {
        lp += 0.01 * draw_t3(&g);
        p[i] = 1000.0 * exp(lp);
    }
    MetricsSummary s;
    CHECK_EQ(metrics_summarize(p, 500, &s), STATUS_OK);
    CHECK_EQ(metrics_log_returns(p, 500, r), 499);
    MetricsMoments m = metrics_moments(r, 499);
    CHECK(s.moments.excess_kurtosis == m.excess_kurtosis);
    CHECK(s.moments.variance == m.variance);
    memcpy(srt, r, sizeof r);
    metrics_sort(srt, 499);
    CHECK(s.long_side.es_975 == metrics_es_sorted(srt, 499, 0.975, METRICS_TAIL_LEFT));
    CHECK(s.short_side.var_99 == metrics_var_sorted(srt, 499, 0.99, METRICS_TAIL_RIGHT));
    MetricsHill h;
    CHECK_EQ(metrics_hill(r, 499, 24, METRICS_TAIL_ABS, &h), STATUS_OK);
    CHECK(s.hill_abs.alpha == h.alpha);
    CHECK_EQ(s.hill_abs.k, 24); /* 499 / 20 */
    CHECK(s.acf_abs[30] == metrics_acf_abs(r, 499, 30));
    CHECK(s.acf_r_robust_t[7] == metrics_acf_robust_t(r, 499, 7));
    CHECK(s.lb_r[2] == metrics_ljung_box(r, 499, 10));
    CHECK(s.drawdown.max_dd == metrics_max_drawdown(p, 500).max_dd);
    CHECK(s.realized_vol == metrics_realized_vol(r, 499));
}

/* ---- misuse ----------------------------------------------------------------------------------------------------- */

static void level_one(void)
{
    double s[2] = { 0, 1 };
    (void)metrics_var_sorted(s, 2, 1.0, METRICS_TAIL_LEFT);
}
static void level_zero_empty(void) { (void)metrics_es_sorted(NULL, 0, 0.0, METRICS_TAIL_LEFT); }
static void var_abs_tail(void)
{
    double s[2] = { 0, 1 };
    (void)metrics_var_sorted(s, 2, 0.99, METRICS_TAIL_ABS);
}
static void chi2_zero_dof(void) { (void)metrics_chi2_sf(1.0, 0); }
static void annualize_zero_minutes(void) { (void)metrics_annualize_vol(0.01, 0.0); }

static void metrics_misuse_asserts(void)
{
    CHECK(test_dies_by_assert(level_one));
    CHECK(test_dies_by_assert(level_zero_empty));
    CHECK(test_dies_by_assert(var_abs_tail));
    CHECK(test_dies_by_assert(chi2_zero_dof));
    CHECK(test_dies_by_assert(annualize_zero_minutes));
}

void suite_sim_metrics(void)
{
    static const TestCase cases[] = {
        TEST_CASE(metrics_returns_skip_invalid_prices),
        TEST_CASE(metrics_drawdown_known_series),
        TEST_CASE(metrics_moments_hand_sample),
        TEST_CASE(metrics_moments_edge_cases),
        TEST_CASE(metrics_realized_vol_and_annualize),
        TEST_CASE(metrics_var_es_hundred_values),
        TEST_CASE(metrics_var_es_small_and_signs),
        TEST_CASE(metrics_sort_total_order),
        TEST_CASE(metrics_hill_exact_pareto),
        TEST_CASE(metrics_hill_edge_cases),
        TEST_CASE(metrics_acf_alternating),
        TEST_CASE(metrics_acf_geometric_and_ljung_box),
        TEST_CASE(metrics_acf_ar1),
        TEST_CASE(metrics_chi2_sf_known_values),
        TEST_CASE(metrics_gaussian_iid),
        TEST_CASE(metrics_fat_tails),
        TEST_CASE(metrics_summary_hand_series),
        TEST_CASE(metrics_summary_edge_cases),
        TEST_CASE(metrics_summary_volatility_clustering),
        TEST_CASE(metrics_summary_late_momentum),
        TEST_CASE(metrics_acf_robust_t_hand_values),
        TEST_CASE(metrics_robust_t_volatility_spells),
        TEST_CASE(metrics_summary_matches_parts),
        TEST_CASE(metrics_misuse_asserts),
    };
    test_add_suite("sim_metrics", cases, TEST_COUNT(cases));
}
