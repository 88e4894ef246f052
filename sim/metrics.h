/* Risk metrics and stylized facts of a price series (MODEL.md 5; LITERATURE.md B and E). Formulas, estimator
 * choices and sources: docs/metrics.md.
 *
 * Pure functions over plain double arrays in the caller's memory: no globals, no printing, no state. Scratch
 * (a sorted copy for quantiles and order statistics) goes through core/alloc and is freed before return; the
 * `_sorted` variants take an ascending array the caller sorted once with metrics_sort and allocate nothing.
 *
 * Determinism: every sum runs in index order (of the input, or of the sorted copy); sorting is qsort with a total
 * order (by value, -0.0 before +0.0), so equal keys are identical bits and the result does not depend on qsort's
 * instability. With -ffp-contract=off the same input gives the same bits.
 *
 * Finite output: for finite input every function returns finite values. A statistic that is undefined (too few
 * observations, zero variance, no positive tail values) is returned as 0 and, where a struct is returned, flagged
 * (`defined` false). Inputs are returns (finite; CASCADE_VALIDATE builds assert it) or prices (where non-positive
 * and non-finite values are skipped, see metrics_log_returns).
 *
 * Returns are r_t = ln(P_t / P_{t-1}); losses of a long position are -r, of a short position +r. */
#ifndef CASCADE_METRICS_H
#define CASCADE_METRICS_H

#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Minutes in a 24/7 year of 365 days (the clock never closes; leap days ignored). */
#define METRICS_MINUTES_PER_YEAR 525600.0
/* Two-sided 95 % normal quantile for the ACF significance band 1.96 / sqrt(n). */
#define METRICS_ACF_Z95 1.96
/* metrics_summarize: the reported ACF / Ljung-Box lags (minutes), and the longest lag it computes. */
#define METRICS_SUMMARY_NLAGS 5
#define METRICS_SUMMARY_LAGS { 1, 5, 10, 30, 60 }
#define METRICS_SUMMARY_MAX_LAG 60

/* Which tail: losses of a long (-r, the left tail of returns), of a short (+r, the right tail), or |r|. */
typedef enum MetricsTail {
    METRICS_TAIL_LEFT = 0,
    METRICS_TAIL_RIGHT,
    METRICS_TAIL_ABS,      /* Hill only; VaR/ES are per side */
    METRICS_TAIL_COUNT_
} MetricsTail;

/* Maximum drawdown MDD = max_t (M_t - P_t) / M_t with M_t = max_{s<=t} P_s (LITERATURE.md E). Indices refer to the
 * input price array. With no decline at all (or fewer than 2 valid prices): max_dd 0 and all indices -1. */
typedef struct MetricsDrawdown {
    double max_dd;         /* fraction in [0, 1) */
    int64_t peak;          /* last index at the running maximum before the trough */
    int64_t trough;        /* first index where the maximum drawdown is reached */
    int64_t recovery;      /* first index after the trough with P >= P[peak]; -1 if never */
} MetricsDrawdown;

/* Sample moments. skewness g1 = m3 / m2^1.5 and excess_kurtosis g2 = m4 / m2^2 - 3 are the plain moment estimators
 * (m_j = (1/n) sum (x - mean)^j); excess_kurtosis_adj is the bias-corrected G2 = ((n+1) g2 + 6)(n-1)/((n-2)(n-3))
 * (Joanes & Gill 1998), defined for n >= 4. */
typedef struct MetricsMoments {
    size_t n;
    double mean;               /* 0 for n = 0 */
    double variance;           /* sample variance, divisor n - 1; 0 for n < 2 */
    double sd;                 /* sqrt(variance) */
    double skewness;           /* g1; 0 when !defined */
    double excess_kurtosis;    /* g2; 0 when !defined */
    double excess_kurtosis_adj;/* G2; 0 when !defined or n < 4 */
    bool defined;              /* n >= 2 and the values are not all equal */
} MetricsMoments;

/* Hill (1975) tail index from the k largest tail values X_(1) >= ... >= X_(k+1):
 * alpha = [ (1/k) sum_{i<=k} ln(X_(i) / X_(k+1)) ]^-1, standard error alpha / sqrt(k). */
typedef struct MetricsHill {
    double alpha;          /* 0 when !defined */
    double se;             /* alpha / sqrt(k) */
    size_t k;
    bool defined;          /* 1 <= k < n, X_(k+1) > 0 and not all k+1 values equal */
} MetricsHill;

/* VaR and ES at 97.5 % and 99 % for one side, as positive losses (fractions of log return). */
typedef struct MetricsRisk {
    double var_975, es_975, var_99, es_99;
} MetricsRisk;

/* metrics_summarize: flags for the cases where some output is undefined (and reported as 0). */
enum {
    METRICS_FLAG_SKIPPED_PRICES = 1u << 0, /* some prices were non-positive or non-finite and were skipped */
    METRICS_FLAG_TOO_SHORT = 1u << 1,      /* fewer than 2 returns: moments, VaR, Hill, ACF are 0 */
    METRICS_FLAG_CONSTANT = 1u << 2,       /* all returns equal: skewness, kurtosis and ACF are 0 */
    METRICS_FLAG_HILL_UNDEFINED = 1u << 3, /* at least one of the three Hill estimates is undefined */
    METRICS_FLAG_SHORT_LAGS = 1u << 4      /* n_returns <= METRICS_SUMMARY_MAX_LAG: the longer lags are 0 */
};

/* Lags 1..METRICS_FEW_MINUTES are the "few minutes" within which raw returns may still be autocorrelated. */
#define METRICS_FEW_MINUTES 5

/* Everything a run reports about its 1-minute price series (MODEL.md 5), filled by metrics_summarize. */
typedef struct MetricsSummary {
    size_t n_prices;               /* input length */
    size_t n_skipped;              /* prices skipped (non-positive or non-finite) */
    size_t n_returns;              /* log returns between consecutive valid prices */
    unsigned flags;                /* METRICS_FLAG_* */
    double total_log_return;       /* ln(last valid / first valid) = sum of returns */
    MetricsDrawdown drawdown;      /* of the prices */
    MetricsMoments moments;        /* of the log returns */
    double realized_vol;           /* sqrt(sum r^2) over the whole series */
    double vol_annualized;         /* sqrt(METRICS_MINUTES_PER_YEAR * sum r^2 / n_returns) */
    MetricsRisk long_side;         /* losses -r (historical VaR / Acerbi-Tasche ES) */
    MetricsRisk short_side;        /* losses +r */
    MetricsHill hill_left;         /* k = metrics_hill_default_k(n_returns) for all three */
    MetricsHill hill_right;
    MetricsHill hill_abs;
    double acf_band;               /* 1.96 / sqrt(n_returns) */
    double acf_r[METRICS_SUMMARY_MAX_LAG + 1];   /* acf_r[k]: ACF of r at lag k (acf_r[0] = 1 when defined) */
    double acf_abs[METRICS_SUMMARY_MAX_LAG + 1]; /* acf_abs[k]: ACF of |r| at lag k */
    size_t lags[METRICS_SUMMARY_NLAGS];          /* METRICS_SUMMARY_LAGS: the lags to report */
    double lb_r[METRICS_SUMMARY_NLAGS];          /* Ljung-Box Q(lags[i]) of r */
    double lb_r_p[METRICS_SUMMARY_NLAGS];        /* its p-value, chi-squared with lags[i] degrees of freedom */
    double lb_abs[METRICS_SUMMARY_NLAGS];        /* the same for |r| */
    double lb_abs_p[METRICS_SUMMARY_NLAGS];
    size_t acf_r_outside_band;     /* lags 1..60 with |acf_r| > acf_band */
    size_t acf_abs_above_band;     /* lags 1..60 with acf_abs > acf_band (significantly positive) */
    size_t acf_abs_positive;       /* lags 1..60 with acf_abs > 0 (the "positive over 60 lags") */
    /* Raw returns beyond "a few minutes" (lags METRICS_FEW_MINUTES + 1 .. 60): the largest |acf_r| and its lag, and how
     * many lags leave the band. Read against real weeks, not against zero: 7-day windows of real BTC 1-minute
     * returns leave the i.i.d. band at 11-13 of these 55 lags (heteroskedastic returns widen the ACF's sampling
     * spread), with the largest |acf_r| 0.034-0.051 (docs/metrics.md). */
    double acf_r_beyond_max;
    size_t acf_r_beyond_max_lag;
    size_t acf_r_beyond_outside_band;
    /* The significance test that volatility clustering does not fool: robust t statistics of the raw ACF
     * (metrics_acf_robust_t), how many of lags 6..60 have |t| > 1.96 (5 % each; 8 or fewer in every real week, while
     * 9 or more has probability 0.15 % without autocorrelation), and their joint portmanteau Q* = sum t^2 with its
     * chi-squared (55) p-value. */
    double acf_r_robust_t[METRICS_SUMMARY_MAX_LAG + 1];
    size_t acf_r_beyond_robust_significant;
    double acf_r_beyond_robust_q;
    double acf_r_beyond_robust_q_p;
} MetricsSummary;

/* ---- returns ---------------------------------------------------------------------------------------------------- */

/* Log returns of a price series into out (room for n - 1 values); returns how many were written. A price that is
 * <= 0 or not finite is skipped: the next valid price's return is taken against the last valid one (so the sum of
 * the returns is ln(last valid / first valid)). */
size_t metrics_log_returns(const double *prices, size_t n, double *out);
/* Simple returns P_t / P_{t-1} - 1 with the same skipping rule. */
size_t metrics_simple_returns(const double *prices, size_t n, double *out);
/* Number of prices metrics_log_returns would skip. */
size_t metrics_count_invalid_prices(const double *prices, size_t n);

/* ---- drawdown --------------------------------------------------------------------------------------------------- */

/* Maximum drawdown of a price series (invalid prices skipped as above). */
MetricsDrawdown metrics_max_drawdown(const double *prices, size_t n);

/* ---- moments and volatility ------------------------------------------------------------------------------------- */

/* All moments in two passes (mean, then central sums in index order). */
MetricsMoments metrics_moments(const double *x, size_t n);
/* Arithmetic mean; 0 for n = 0. */
double metrics_mean(const double *x, size_t n);
/* Sample variance (divisor n - 1); 0 for n < 2. */
double metrics_variance(const double *x, size_t n);
/* Sample standard deviation, sqrt(metrics_variance). */
double metrics_stddev(const double *x, size_t n);
/* Skewness g1 = m3 / m2^1.5; 0 when undefined. */
double metrics_skewness(const double *x, size_t n);
/* Excess kurtosis g2 = m4 / m2^2 - 3 (moment estimator); 0 when undefined. */
double metrics_excess_kurtosis(const double *x, size_t n);
/* Realized volatility sqrt(sum r^2) (no demeaning). */
double metrics_realized_vol(const double *r, size_t n);
/* Annualises a standard deviation per period of `minutes_per_period` (> 0) minutes: sd * sqrt(525600 / minutes). */
double metrics_annualize_vol(double sd_per_period, double minutes_per_period);

/* ---- quantile risk ---------------------------------------------------------------------------------------------- */

/* Sorts x ascending in place (total order, -0.0 before +0.0). */
void metrics_sort(double *x, size_t n);
/* Historical VaR at level in (0, 1) (asserted) of a side (LEFT or RIGHT) from ascending returns: with
 * m = n (1 - level) and k = ceil(m), the k-th worst return; VaR = -r_(k) (LEFT) or r_(n+1-k) (RIGHT). 0 for n = 0. */
double metrics_var_sorted(const double *sorted, size_t n, double level, MetricsTail tail);
/* Expected shortfall, Acerbi & Tasche (2002): ES = (1/m) [sum_{i<=floor(m)} L_(i) + (m - floor(m)) L_(floor(m)+1)]
 * over the losses L_(1) >= L_(2) >= ...; the mean of the k worst when m is an integer. 0 for n = 0. */
double metrics_es_sorted(const double *sorted, size_t n, double level, MetricsTail tail);
/* Mean loss of the k = ceil(m) worst returns, i.e. of the returns at or beyond VaR; >= ES. 0 for n = 0. */
double metrics_tail_mean_sorted(const double *sorted, size_t n, double level, MetricsTail tail);
/* VaR and ES of unsorted returns (one sorted scratch copy); either output may be NULL. STATUS_NOMEM. */
Status metrics_var_es(const double *r, size_t n, double level, MetricsTail tail, double *var, double *es);

/* ---- tail index ------------------------------------------------------------------------------------------------- */

/* The summary's k: floor(n / 20), the top 5 % (upper end of LITERATURE.md B's 1-5 %); see docs/metrics.md. */
size_t metrics_hill_default_k(size_t n);
/* Hill estimate from ascending values: LEFT uses X = -x from the low end, RIGHT (or ABS, for an ascending array of
 * |x|) X = x from the high end. */
MetricsHill metrics_hill_sorted(const double *sorted, size_t n, size_t k, MetricsTail tail);
/* Hill estimate of unsorted returns for any tail (one scratch copy). STATUS_NOMEM. */
Status metrics_hill(const double *r, size_t n, size_t k, MetricsTail tail, MetricsHill *out);

/* ---- autocorrelation -------------------------------------------------------------------------------------------- */

/* Sample ACF rho(k) = sum_{t<n-k} (x_t - mean)(x_{t+k} - mean) / sum_t (x_t - mean)^2 (Box-Jenkins; denominator
 * n * population variance). 0 when lag >= n or the values are all equal (or n = 0); rho(0) = 1 otherwise. */
double metrics_acf(const double *x, size_t n, size_t lag);
/* The same for |x| (no scratch). */
double metrics_acf_abs(const double *x, size_t n, size_t lag);
/* rho(0..max_lag) into out[0..max_lag] of x, or of |x| when `absolute`; one mean and denominator for all lags. */
void metrics_acf_range(const double *x, size_t n, size_t max_lag, bool absolute, double *out);
/* 95 % band of an i.i.d. series' sample ACF: 1.96 / sqrt(n); 0 for n = 0. */
double metrics_acf_band(size_t n);
/* Heteroskedasticity-robust t statistic of the lag-k sample ACF (Taylor 1986; Lobato, Nankervis & Savin 2001):
 * t_k = sum_t d_t d_{t+k} / sqrt(sum_t d_t^2 d_{t+k}^2) with d = x - mean. Approximately N(0, 1) when x is
 * uncorrelated but its variance moves (volatility clustering), where rho_k / (1.96 / sqrt(n)) is not. 0 when lag = 0,
 * lag >= n or x is constant. */
double metrics_acf_robust_t(const double *x, size_t n, size_t lag);
/* t_0..t_max_lag into out[0..max_lag] with one mean (the same bits as the single-lag calls). */
void metrics_acf_robust_t_range(const double *x, size_t n, size_t max_lag, double *out);
/* Ljung-Box Q(m) = n (n + 2) sum_{k=1}^{m} rho_k^2 / (n - k) from acf[0..m]; lags k >= n contribute nothing. */
double metrics_ljung_box_acf(const double *acf, size_t n, size_t m);
/* Ljung-Box Q(m) of x (computes rho_1..rho_m, no scratch). */
double metrics_ljung_box(const double *x, size_t n, size_t m);
/* P(X > x) for X chi-squared with dof >= 1 (asserted) degrees of freedom: the Ljung-Box p-value for dof = m. */
double metrics_chi2_sf(double x, size_t dof);

/* ---- the run summary -------------------------------------------------------------------------------------------- */

/* Fills *out for a 1-minute price series: returns, drawdown, moments, volatility, VaR/ES (97.5 %, 99 %, both sides),
 * Hill (left, right, |r|), ACF of r and |r| at lags 0..60, Ljung-Box at METRICS_SUMMARY_LAGS. Undefined parts are 0
 * and flagged. STATUS_NOMEM (out zeroed) if scratch cannot be allocated. */
Status metrics_summarize(const double *prices, size_t n, MetricsSummary *out);

#endif
