/* Risk metrics and stylized facts of a price series. Formulas and estimator choices: docs/metrics.md.
 *
 * Everything is a loop over plain arrays in index order; the only allocation is a sorted copy for the order
 * statistics (VaR, ES, Hill), freed before return. Undefined statistics are 0 (flagged), never NaN. */
#include "metrics.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------------------------------------------------- */

static bool price_valid(double p) { return isfinite(p) && p > 0.0; }

/* Returns must be finite: a NaN would poison every sum and break the sort's total order. Checked in validate builds
 * (the check is O(n), as cheap as the statistic itself, but the run loop's inputs come from metrics_log_returns). */
static void check_finite(const double *x, size_t n)
{
    if (!CASCADE_VALIDATE_ON)
        return;
    for (size_t i = 0; i < n; i++)
        CASCADE_ASSERT(isfinite(x[i]));
}

static void check_sorted(const double *x, size_t n)
{
    if (!CASCADE_VALIDATE_ON)
        return;
    check_finite(x, n);
    for (size_t i = 1; i < n; i++)
        CASCADE_ASSERT(x[i - 1] <= x[i]);
}

/* Total order on finite doubles: by value, then -0.0 before +0.0. Elements comparing equal are identical bits, so
 * qsort's instability cannot change the result. */
static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    if (a < b)
        return -1;
    if (a > b)
        return 1;
    return (signbit(b) != 0) - (signbit(a) != 0);
}

/* ---- returns ---------------------------------------------------------------------------------------------------- */

static size_t returns_impl(const double *prices, size_t n, double *out, bool log_returns)
{
    size_t m = 0;
    bool have = false;
    double prev = 0.0;
    for (size_t i = 0; i < n; i++) {
        double p = prices[i];
        if (!price_valid(p))
            continue;
        if (have)
            out[m++] = log_returns ? log(p / prev) : p / prev - 1.0;
        prev = p;
        have = true;
    }
    return m;
}

size_t metrics_log_returns(const double *prices, size_t n, double *out) { return returns_impl(prices, n, out, true); }

size_t metrics_simple_returns(const double *prices, size_t n, double *out)
{
    return returns_impl(prices, n, out, false);
}

size_t metrics_count_invalid_prices(const double *prices, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += !price_valid(prices[i]);
    return bad;
}

/* ---- drawdown --------------------------------------------------------------------------------------------------- */

MetricsDrawdown metrics_max_drawdown(const double *prices, size_t n)
{
    MetricsDrawdown d = { 0.0, -1, -1, -1 };
    bool have = false;
    double peak = 0.0;
    size_t peak_i = 0;
    for (size_t i = 0; i < n; i++) {
        double p = prices[i];
        if (!price_valid(p))
            continue;
        if (!have || p >= peak) { /* >=: the peak is the last time at the running maximum */
            peak = p;
            peak_i = i;
            have = true;
            continue;
        }
        double dd = (peak - p) / peak;
        if (dd > d.max_dd) { /* strict: the first trough of the deepest drawdown */
            d.max_dd = dd;
            d.peak = (int64_t)peak_i;
            d.trough = (int64_t)i;
        }
    }
    if (d.trough >= 0) {
        double level = prices[d.peak];
        for (size_t i = (size_t)d.trough + 1; i < n; i++) {
            if (price_valid(prices[i]) && prices[i] >= level) {
                d.recovery = (int64_t)i;
                break;
            }
        }
    }
    return d;
}

/* ---- moments and volatility ------------------------------------------------------------------------------------- */

MetricsMoments metrics_moments(const double *x, size_t n)
{
    MetricsMoments m;
    memset(&m, 0, sizeof m);
    m.n = n;
    if (n == 0)
        return m;
    check_finite(x, n);

    double sum = 0.0;
    bool constant = true;
    for (size_t i = 0; i < n; i++) {
        sum += x[i];
        constant = constant && x[i] == x[0];
    }
    if (constant) { /* exactly x[0]: sum / n could be off by an ulp and fake a tiny variance */
        m.mean = x[0];
        return m;
    }
    double dn = (double)n;
    m.mean = sum / dn;

    double s2 = 0.0, s3 = 0.0, s4 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - m.mean;
        double d2 = d * d;
        s2 += d2;
        s3 += d2 * d;
        s4 += d2 * d2;
    }
    m.variance = s2 / (dn - 1.0);
    m.sd = sqrt(m.variance);
    double m2 = s2 / dn, m3 = s3 / dn, m4 = s4 / dn;
    if (!(m2 > 0.0)) /* deviations so small their squares underflow */
        return m;
    m.skewness = m3 / (m2 * sqrt(m2));
    m.excess_kurtosis = m4 / (m2 * m2) - 3.0;
    if (n >= 4)
        m.excess_kurtosis_adj = ((dn + 1.0) * m.excess_kurtosis + 6.0) * (dn - 1.0) / ((dn - 2.0) * (dn - 3.0));
    m.defined = true;
    return m;
}

double metrics_mean(const double *x, size_t n) { return metrics_moments(x, n).mean; }
double metrics_variance(const double *x, size_t n) { return metrics_moments(x, n).variance; }
double metrics_stddev(const double *x, size_t n) { return metrics_moments(x, n).sd; }
double metrics_skewness(const double *x, size_t n) { return metrics_moments(x, n).skewness; }
double metrics_excess_kurtosis(const double *x, size_t n) { return metrics_moments(x, n).excess_kurtosis; }

double metrics_realized_vol(const double *r, size_t n)
{
    check_finite(r, n);
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += r[i] * r[i];
    return sqrt(ss);
}

double metrics_annualize_vol(double sd_per_period, double minutes_per_period)
{
    CASCADE_ASSERT(minutes_per_period > 0.0);
    return sd_per_period * sqrt(METRICS_MINUTES_PER_YEAR / minutes_per_period);
}

/* ---- quantile risk ---------------------------------------------------------------------------------------------- */

void metrics_sort(double *x, size_t n)
{
    check_finite(x, n);
    if (n > 1)
        qsort(x, n, sizeof *x, cmp_double);
}

/* m = n (1 - level), snapped to an integer within 1e-9 relative: 1 - 0.99 is 0.010000000000000009 in binary, and
 * 100 (1 - 0.99) must give k = 1, not 2. */
static double tail_count(size_t n, double level)
{
    CASCADE_ASSERT(level > 0.0 && level < 1.0);
    double m = (double)n * (1.0 - level);
    double r = floor(m + 0.5);
    if (r >= 1.0 && fabs(m - r) <= 1e-9 * m)
        m = r;
    return m;
}

/* The i-th largest loss (1-based) of a side from ascending returns; 0.0 - x so that a zero return is a +0 loss. */
static double loss_at(const double *sorted, size_t n, size_t i, MetricsTail tail)
{
    return tail == METRICS_TAIL_LEFT ? 0.0 - sorted[i - 1] : sorted[n - i];
}

static void check_side(MetricsTail tail) { CASCADE_ASSERT(tail == METRICS_TAIL_LEFT || tail == METRICS_TAIL_RIGHT); }

double metrics_var_sorted(const double *sorted, size_t n, double level, MetricsTail tail)
{
    check_side(tail);
    double m = tail_count(n, level);
    if (n == 0)
        return 0.0;
    check_sorted(sorted, n);
    size_t k = (size_t)ceil(m); /* 1 <= k <= n since 0 < m <= n */
    return loss_at(sorted, n, k, tail);
}

double metrics_es_sorted(const double *sorted, size_t n, double level, MetricsTail tail)
{
    check_side(tail);
    double m = tail_count(n, level);
    if (n == 0)
        return 0.0;
    check_sorted(sorted, n);
    double fm = floor(m);
    size_t whole = (size_t)fm;
    double sum = 0.0;
    for (size_t i = 1; i <= whole; i++)
        sum += loss_at(sorted, n, i, tail);
    double frac = m - fm;
    if (frac > 0.0)
        sum += frac * loss_at(sorted, n, whole + 1, tail);
    return sum / m;
}

double metrics_tail_mean_sorted(const double *sorted, size_t n, double level, MetricsTail tail)
{
    check_side(tail);
    double m = tail_count(n, level);
    if (n == 0)
        return 0.0;
    check_sorted(sorted, n);
    size_t k = (size_t)ceil(m);
    double sum = 0.0;
    for (size_t i = 1; i <= k; i++)
        sum += loss_at(sorted, n, i, tail);
    return sum / (double)k;
}

Status metrics_var_es(const double *r, size_t n, double level, MetricsTail tail, double *var, double *es)
{
    check_side(tail);
    (void)tail_count(n, level); /* asserts the level */
    if (var)
        *var = 0.0;
    if (es)
        *es = 0.0;
    if (n == 0)
        return STATUS_OK;
    double *s = mem_alloc(n * sizeof *s);
    if (!s)
        return STATUS_NOMEM;
    memcpy(s, r, n * sizeof *s);
    metrics_sort(s, n);
    if (var)
        *var = metrics_var_sorted(s, n, level, tail);
    if (es)
        *es = metrics_es_sorted(s, n, level, tail);
    mem_free(s);
    return STATUS_OK;
}

/* ---- tail index ------------------------------------------------------------------------------------------------- */

size_t metrics_hill_default_k(size_t n) { return n / 20; }

MetricsHill metrics_hill_sorted(const double *sorted, size_t n, size_t k, MetricsTail tail)
{
    CASCADE_ASSERT(tail >= METRICS_TAIL_LEFT && tail < METRICS_TAIL_COUNT_);
    MetricsHill h = { 0.0, 0.0, k, false };
    if (k == 0 || k >= n)
        return h;
    check_sorted(sorted, n);
    MetricsTail side = tail == METRICS_TAIL_LEFT ? METRICS_TAIL_LEFT : METRICS_TAIL_RIGHT;
    double threshold = loss_at(sorted, n, k + 1, side);
    if (!(threshold > 0.0))
        return h;
    double sum = 0.0;
    for (size_t i = 1; i <= k; i++)
        sum += log(loss_at(sorted, n, i, side) / threshold);
    if (!(sum > 0.0)) /* the k + 1 largest are equal: an infinite index */
        return h;
    h.alpha = (double)k / sum;
    h.se = h.alpha / sqrt((double)k);
    h.defined = true;
    return h;
}

Status metrics_hill(const double *r, size_t n, size_t k, MetricsTail tail, MetricsHill *out)
{
    CASCADE_ASSERT(tail >= METRICS_TAIL_LEFT && tail < METRICS_TAIL_COUNT_);
    MetricsHill none = { 0.0, 0.0, k, false };
    *out = none;
    if (k == 0 || k >= n)
        return STATUS_OK;
    double *s = mem_alloc(n * sizeof *s);
    if (!s)
        return STATUS_NOMEM;
    for (size_t i = 0; i < n; i++)
        s[i] = tail == METRICS_TAIL_ABS ? fabs(r[i]) : r[i];
    metrics_sort(s, n);
    *out = metrics_hill_sorted(s, n, k, tail);
    mem_free(s);
    return STATUS_OK;
}

/* ---- autocorrelation -------------------------------------------------------------------------------------------- */

static double acf_value(const double *x, size_t i, bool absolute) { return absolute ? fabs(x[i]) : x[i]; }

/* Mean and denominator sum (x - mean)^2 of x or |x|; false when undefined (n = 0 or all values equal). */
static bool acf_stats(const double *x, size_t n, bool absolute, double *mean, double *denom)
{
    *mean = 0.0;
    *denom = 0.0;
    if (n == 0)
        return false;
    check_finite(x, n);
    double first = acf_value(x, 0, absolute), sum = 0.0;
    bool constant = true;
    for (size_t i = 0; i < n; i++) {
        double v = acf_value(x, i, absolute);
        sum += v;
        constant = constant && v == first;
    }
    if (constant)
        return false;
    *mean = sum / (double)n;
    double s2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = acf_value(x, i, absolute) - *mean;
        s2 += d * d;
    }
    *denom = s2;
    return s2 > 0.0;
}

static double acf_at(const double *x, size_t n, size_t lag, bool absolute, double mean, double denom)
{
    if (lag == 0)
        return 1.0;
    if (lag >= n)
        return 0.0;
    double num = 0.0;
    for (size_t t = 0; t + lag < n; t++)
        num += (acf_value(x, t, absolute) - mean) * (acf_value(x, t + lag, absolute) - mean);
    return num / denom;
}

static double acf_one(const double *x, size_t n, size_t lag, bool absolute)
{
    double mean, denom;
    if (!acf_stats(x, n, absolute, &mean, &denom))
        return 0.0;
    return acf_at(x, n, lag, absolute, mean, denom);
}

double metrics_acf(const double *x, size_t n, size_t lag) { return acf_one(x, n, lag, false); }
double metrics_acf_abs(const double *x, size_t n, size_t lag) { return acf_one(x, n, lag, true); }

void metrics_acf_range(const double *x, size_t n, size_t max_lag, bool absolute, double *out)
{
    double mean, denom;
    bool ok = acf_stats(x, n, absolute, &mean, &denom);
    for (size_t k = 0; k <= max_lag; k++)
        out[k] = ok ? acf_at(x, n, k, absolute, mean, denom) : 0.0;
}

double metrics_acf_band(size_t n) { return n == 0 ? 0.0 : METRICS_ACF_Z95 / sqrt((double)n); }

static double acf_robust_t_at(const double *x, size_t n, size_t lag, double mean)
{
    if (lag == 0 || lag >= n)
        return 0.0;
    double num = 0.0, var = 0.0;
    for (size_t t = 0; t + lag < n; t++) {
        double p = (x[t] - mean) * (x[t + lag] - mean);
        num += p;
        var += p * p;
    }
    return var > 0.0 ? num / sqrt(var) : 0.0;
}

void metrics_acf_robust_t_range(const double *x, size_t n, size_t max_lag, double *out)
{
    double mean, denom;
    bool ok = acf_stats(x, n, false, &mean, &denom);
    for (size_t k = 0; k <= max_lag; k++)
        out[k] = ok ? acf_robust_t_at(x, n, k, mean) : 0.0;
}

double metrics_acf_robust_t(const double *x, size_t n, size_t lag)
{
    double mean, denom;
    return acf_stats(x, n, false, &mean, &denom) ? acf_robust_t_at(x, n, lag, mean) : 0.0;
}

double metrics_ljung_box_acf(const double *acf, size_t n, size_t m)
{
    double sum = 0.0;
    for (size_t k = 1; k <= m && k < n; k++)
        sum += acf[k] * acf[k] / (double)(n - k);
    double dn = (double)n;
    return dn * (dn + 2.0) * sum;
}

double metrics_ljung_box(const double *x, size_t n, size_t m)
{
    double mean, denom;
    if (!acf_stats(x, n, false, &mean, &denom))
        return 0.0;
    double sum = 0.0;
    for (size_t k = 1; k <= m && k < n; k++) {
        double rho = acf_at(x, n, k, false, mean, denom);
        sum += rho * rho / (double)(n - k);
    }
    double dn = (double)n;
    return dn * (dn + 2.0) * sum;
}

/* ln Gamma(dof / 2) by the recurrence Gamma(a + 1) = a Gamma(a) from Gamma(1) = 1 or Gamma(1/2) = sqrt(pi): exact
 * enough, deterministic, and free of lgamma's global signgam (runs may share a process on threads). */
static double ln_gamma_half(size_t dof)
{
    double s = 0.0;
    if (dof % 2 == 0) {
        for (size_t j = 1; j < dof / 2; j++)
            s += log((double)j);
    } else {
        s = 0.5 * log(3.14159265358979323846);
        for (size_t j = 0; j < (dof - 1) / 2; j++)
            s += log((double)j + 0.5);
    }
    return s;
}

/* Regularized incomplete gamma by its series (x < a + 1) or Lentz's continued fraction (otherwise), as in Numerical
 * Recipes (Press et al., 3rd ed., 6.2): returns Q(a, x) = 1 - P(a, x). */
double metrics_chi2_sf(double x, size_t dof)
{
    CASCADE_ASSERT(dof >= 1);
    if (!(x > 0.0))
        return 1.0;
    const double eps = 1e-16, tiny = 1e-300;
    const int max_iter = 100000;
    double a = 0.5 * (double)dof, y = 0.5 * x;
    double front = exp(-y + a * log(y) - ln_gamma_half(dof));
    double q;
    if (y < a + 1.0) {
        double ap = a, del = 1.0 / a, sum = del;
        for (int i = 0; i < max_iter; i++) {
            ap += 1.0;
            del *= y / ap;
            sum += del;
            if (fabs(del) < fabs(sum) * eps)
                break;
        }
        q = 1.0 - sum * front;
    } else {
        double b = y + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
        for (int i = 1; i < max_iter; i++) {
            double an = -(double)i * ((double)i - a);
            b += 2.0;
            d = an * d + b;
            if (fabs(d) < tiny)
                d = tiny;
            c = b + an / c;
            if (fabs(c) < tiny)
                c = tiny;
            d = 1.0 / d;
            double del = d * c;
            h *= del;
            if (fabs(del - 1.0) < eps)
                break;
        }
        q = front * h;
    }
    return q < 0.0 ? 0.0 : q > 1.0 ? 1.0 : q;
}

/* ---- the run summary -------------------------------------------------------------------------------------------- */

static void risk_side(const double *sorted, size_t n, MetricsTail tail, MetricsRisk *out)
{
    out->var_975 = metrics_var_sorted(sorted, n, 0.975, tail);
    out->es_975 = metrics_es_sorted(sorted, n, 0.975, tail);
    out->var_99 = metrics_var_sorted(sorted, n, 0.99, tail);
    out->es_99 = metrics_es_sorted(sorted, n, 0.99, tail);
}

Status metrics_summarize(const double *prices, size_t n, MetricsSummary *out)
{
    static const size_t lags[METRICS_SUMMARY_NLAGS] = METRICS_SUMMARY_LAGS;
    memset(out, 0, sizeof *out);
    out->n_prices = n;
    memcpy(out->lags, lags, sizeof lags);
    out->n_skipped = metrics_count_invalid_prices(prices, n);
    if (out->n_skipped > 0)
        out->flags |= METRICS_FLAG_SKIPPED_PRICES;
    out->drawdown = metrics_max_drawdown(prices, n);

    size_t valid = n - out->n_skipped;
    size_t nr = valid > 0 ? valid - 1 : 0;
    out->n_returns = nr;
    if (nr >= 1) {
        double first = 0.0, last = 0.0;
        bool have = false;
        for (size_t i = 0; i < n; i++) {
            if (!price_valid(prices[i]))
                continue;
            if (!have)
                first = prices[i];
            last = prices[i];
            have = true;
        }
        out->total_log_return = log(last / first);
    }
    if (nr <= METRICS_SUMMARY_MAX_LAG)
        out->flags |= METRICS_FLAG_SHORT_LAGS;
    if (nr < 2) {
        out->flags |= METRICS_FLAG_TOO_SHORT | METRICS_FLAG_HILL_UNDEFINED;
        return STATUS_OK;
    }

    Status st = STATUS_NOMEM;
    double *r = mem_alloc(nr * sizeof *r);
    double *s = mem_alloc(nr * sizeof *s);
    if (!r || !s)
        goto fail;
    size_t got = metrics_log_returns(prices, n, r);
    CASCADE_ASSERT(got == nr);

    out->moments = metrics_moments(r, nr);
    if (!out->moments.defined)
        out->flags |= METRICS_FLAG_CONSTANT;
    double ss = 0.0;
    for (size_t i = 0; i < nr; i++)
        ss += r[i] * r[i];
    out->realized_vol = sqrt(ss);
    out->vol_annualized = metrics_annualize_vol(sqrt(ss / (double)nr), 1.0);

    /* order statistics of r: VaR / ES both sides, Hill left and right */
    memcpy(s, r, nr * sizeof *s);
    metrics_sort(s, nr);
    risk_side(s, nr, METRICS_TAIL_LEFT, &out->long_side);
    risk_side(s, nr, METRICS_TAIL_RIGHT, &out->short_side);
    size_t k = metrics_hill_default_k(nr);
    out->hill_left = metrics_hill_sorted(s, nr, k, METRICS_TAIL_LEFT);
    out->hill_right = metrics_hill_sorted(s, nr, k, METRICS_TAIL_RIGHT);
    /* order statistics of |r|: Hill of the absolute returns */
    for (size_t i = 0; i < nr; i++)
        s[i] = fabs(r[i]);
    metrics_sort(s, nr);
    out->hill_abs = metrics_hill_sorted(s, nr, k, METRICS_TAIL_ABS);
    if (!out->hill_left.defined || !out->hill_right.defined || !out->hill_abs.defined)
        out->flags |= METRICS_FLAG_HILL_UNDEFINED;

    /* dependence: ACF of r and |r| at 0..60, the band, Ljung-Box at the reported lags */
    metrics_acf_range(r, nr, METRICS_SUMMARY_MAX_LAG, false, out->acf_r);
    metrics_acf_range(r, nr, METRICS_SUMMARY_MAX_LAG, true, out->acf_abs);
    metrics_acf_robust_t_range(r, nr, METRICS_SUMMARY_MAX_LAG, out->acf_r_robust_t);
    out->acf_band = metrics_acf_band(nr);
    for (size_t i = 0; i < METRICS_SUMMARY_NLAGS; i++) {
        out->lb_r[i] = metrics_ljung_box_acf(out->acf_r, nr, lags[i]);
        out->lb_r_p[i] = metrics_chi2_sf(out->lb_r[i], lags[i]);
        out->lb_abs[i] = metrics_ljung_box_acf(out->acf_abs, nr, lags[i]);
        out->lb_abs_p[i] = metrics_chi2_sf(out->lb_abs[i], lags[i]);
    }
    for (size_t lag = 1; lag <= METRICS_SUMMARY_MAX_LAG; lag++) {
        double abs_acf = fabs(out->acf_r[lag]);
        bool outside = abs_acf > out->acf_band;
        out->acf_r_outside_band += outside;
        out->acf_abs_above_band += out->acf_abs[lag] > out->acf_band;
        out->acf_abs_positive += out->acf_abs[lag] > 0.0;
        if (lag <= METRICS_FEW_MINUTES)
            continue;
        out->acf_r_beyond_outside_band += outside;
        if (abs_acf > out->acf_r_beyond_max) {
            out->acf_r_beyond_max = abs_acf;
            out->acf_r_beyond_max_lag = lag;
        }
        double t = out->acf_r_robust_t[lag];
        out->acf_r_beyond_robust_significant += fabs(t) > METRICS_ACF_Z95;
        out->acf_r_beyond_robust_q += t * t;
    }
    out->acf_r_beyond_robust_q_p =
        metrics_chi2_sf(out->acf_r_beyond_robust_q, METRICS_SUMMARY_MAX_LAG - METRICS_FEW_MINUTES);
    st = STATUS_OK;

fail:
    mem_free(r);
    mem_free(s);
    if (st != STATUS_OK)
        memset(out, 0, sizeof *out);
    return st;
}
