/* core_rng: xoshiro256** streams and distributions (core/rng.h).
 *
 * Statistical checks are seeded, so they are deterministic (never flaky); their tolerances are still principled, at
 * 6 standard errors of the statistic, so that a correct sampler would pass for almost any seed while a wrong mean,
 * variance or shape fails by a wide margin. */
#include "test_suites.h"
#include "test_util.h"

#include "rng.h"

#include <math.h>
#include <string.h>

#define N_DRAWS 1000000
#define Z_TOL 6.0

/* Welford's running mean and variance. */
typedef struct Moments {
    double n, mean, m2;
} Moments;

static void mom_add(Moments *m, double x)
{
    m->n += 1.0;
    double d = x - m->mean;
    m->mean += d / m->n;
    m->m2 += d * (x - m->mean);
}

static double mom_var(const Moments *m) { return m->m2 / (m->n - 1.0); }

/* Checks sample mean and variance against the true mean, variance and fourth central moment mu4 (for the standard
 * error of the sample variance, sqrt((mu4 - var^2) / n)). */
#define CHECK_MOMENTS(m, mean_, var_, mu4_)                                                        \
    do {                                                                                           \
        double se_mean_ = sqrt((var_) / (m).n);                                                    \
        double se_var_ = sqrt(((mu4_) - (var_) * (var_)) / (m).n);                                 \
        CHECK_NEAR((m).mean, (mean_), Z_TOL * se_mean_);                                           \
        CHECK_NEAR(mom_var(&(m)), (var_), Z_TOL * se_var_);                                        \
    } while (0)

/* A frequency p_hat over n trials against the true probability p. */
#define CHECK_FREQ(count, n, p) \
    CHECK_NEAR((double)(count) / (double)(n), (p), Z_TOL * sqrt((p) * (1.0 - (p)) / (double)(n)))

/* ---- reference vectors ------------------------------------------------------------------------------------------ */

static void rng_xoshiro_reference_vector(void)
{
    /* rand_xoshiro's `reference` test for Xoshiro256StarStar (values produced by Vigna's xoshiro256starstar.c). */
    static const uint64_t expected[10] = {
        UINT64_C(11520),
        UINT64_C(0),
        UINT64_C(1509978240),
        UINT64_C(1215971899390074240),
        UINT64_C(1216172134540287360),
        UINT64_C(607988272756665600),
        UINT64_C(16172922978634559625),
        UINT64_C(8476171486693032832),
        UINT64_C(10595114339597558777),
        UINT64_C(2904607092377533576),
    };
    Rng r = {{1, 2, 3, 4}};
    for (int i = 0; i < 10; i++) CHECK_EQ(rng_next(&r), expected[i]);
}

static void rng_splitmix64_reference_vector(void)
{
    /* rand_xoshiro's SplitMix64 `reference` test (values produced by Vigna's splitmix64.c). */
    static const uint64_t expected[12] = {
        UINT64_C(1985237415132408290),  UINT64_C(2979275885539914483),  UINT64_C(13511426838097143398),
        UINT64_C(8488337342461049707),  UINT64_C(15141737807933549159), UINT64_C(17093170987380407015),
        UINT64_C(16389528042912955399), UINT64_C(13177319091862933652), UINT64_C(10841969400225389492),
        UINT64_C(17094824097954834098), UINT64_C(3336622647361835228),  UINT64_C(9678412372263018368),
    };
    uint64_t state = UINT64_C(1477776061723855037);
    for (int i = 0; i < 12; i++) CHECK_EQ(rng_splitmix64(&state), expected[i]);
    /* rng_seed takes the first four outputs as the state. */
    Rng r;
    rng_seed(&r, UINT64_C(1477776061723855037));
    for (int i = 0; i < 4; i++) CHECK_EQ(r.s[i], expected[i]);
}

static void rng_seed_jump_long_jump_reference(void)
{
    /* PHP's ext/random test xoshiro256starstar_value.phpt: SplitMix64 seeding of 1234 (the same four outputs as
     * rng_seed), 10000 outputs, jump(), jumpLong(), then bin2hex of the next output is "1f197e9ca7969123". PHP
     * returns the output as little-endian bytes, so the integer is 0x239196a79c7e191f. */
    Rng r;
    rng_seed(&r, 1234);
    for (int i = 0; i < 10000; i++) (void)rng_next(&r);
    rng_jump(&r);
    rng_long_jump(&r);
    CHECK_EQ(rng_next(&r), UINT64_C(0x239196a79c7e191f));
}

static bool rng_equal(const Rng *a, const Rng *b) { return memcmp(a->s, b->s, sizeof a->s) == 0; }

static void rng_jumps_commute_with_steps(void)
{
    /* A jump is a polynomial in the (linear) transition map, so jumping then stepping k times equals stepping then
     * jumping. A wrong polynomial bit or loop order would still commute, but a wrong state update would not. */
    for (int k = 0; k < 5; k++) {
        Rng a, b;
        rng_seed(&a, 99);
        b = a;
        rng_jump(&a);
        for (int i = 0; i < k * 37; i++) (void)rng_next(&a);
        for (int i = 0; i < k * 37; i++) (void)rng_next(&b);
        rng_jump(&b);
        CHECK(rng_equal(&a, &b));
        rng_long_jump(&a);
        (void)rng_next(&a);
        (void)rng_next(&b);
        rng_long_jump(&b);
        CHECK(rng_equal(&a, &b));
    }
    /* Jump and long jump are different maps. */
    Rng j, l;
    rng_seed(&j, 5);
    l = j;
    rng_jump(&j);
    rng_long_jump(&l);
    CHECK(!rng_equal(&j, &l));
}

/* ---- determinism and streams ------------------------------------------------------------------------------------ */

static void rng_same_seed_same_sequence(void)
{
    Rng a, b, c;
    rng_seed(&a, 42);
    rng_seed(&b, 42);
    rng_seed(&c, 43);
    int same = 0, differ_c = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a);
        same += x == rng_next(&b);
        differ_c += x != rng_next(&c);
    }
    CHECK_EQ(same, 1000);
    CHECK_EQ(differ_c, 1000);
    /* Seed 0 is fine: SplitMix64 never yields the all-zero state. */
    Rng z;
    rng_seed(&z, 0);
    CHECK((z.s[0] | z.s[1] | z.s[2] | z.s[3]) != 0);
    /* Copying forks; the state alone determines the future, including the derived draws. */
    Rng f = a;
    for (int i = 0; i < 100; i++) {
        CHECK_EQ(rng_next(&f), rng_next(&a));
        double na = rng_normal(&a, 0, 1), nf = rng_normal(&f, 0, 1);
        CHECK(na == nf);
    }
}

static void rng_streams(void)
{
    Rng s0 = rng_stream(7, 0), manual;
    rng_seed(&manual, 7);
    CHECK(rng_equal(&s0, &manual));
    for (int i = 0; i < 3; i++) rng_jump(&manual);
    Rng s3 = rng_stream(7, 3);
    CHECK(rng_equal(&s3, &manual));
    /* Different ids give different sequences; the same id twice gives the same one. */
    uint64_t first[16];
    for (uint64_t id = 0; id < 16; id++) {
        Rng s = rng_stream(7, id);
        first[id] = rng_next(&s);
    }
    int collisions = 0;
    for (int i = 0; i < 16; i++)
        for (int j = i + 1; j < 16; j++) collisions += first[i] == first[j];
    CHECK_EQ(collisions, 0);
    Rng again = rng_stream(7, 5);
    CHECK_EQ(rng_next(&again), first[5]);
    Rng other_master = rng_stream(8, 5);
    CHECK_NE(rng_next(&other_master), first[5]);
}

/* ---- uniform draws ---------------------------------------------------------------------------------------------- */

static void rng_uniform_edges(void)
{
    /* From state {1,2,3,4} the outputs are 11520 = 5 * 2^11 + 1280 and then 0 (reference vector above). */
    Rng r = {{1, 2, 3, 4}};
    CHECK(rng_uniform(&r) == 5.0 / 9007199254740992.0);
    CHECK(rng_uniform(&r) == 0.0); /* [0, 1): zero is reachable */
    Rng p = {{1, 2, 3, 4}};
    (void)rng_next(&p);
    CHECK(rng_uniform_pos(&p) == 1.0 / 9007199254740992.0); /* (0, 1]: the zero output maps to 2^-53 */
}

static void rng_uniform_moments(void)
{
    Rng r;
    rng_seed(&r, 1);
    Moments m = {0}, mp = {0};
    double lo = 1.0, hi = 0.0, lo_pos = 1.0, hi_pos = 0.0;
    for (int i = 0; i < N_DRAWS; i++) {
        double u = rng_uniform(&r), v = rng_uniform_pos(&r);
        mom_add(&m, u);
        mom_add(&mp, v);
        lo = fmin(lo, u);
        hi = fmax(hi, u);
        lo_pos = fmin(lo_pos, v);
        hi_pos = fmax(hi_pos, v);
    }
    CHECK(lo >= 0.0 && hi < 1.0);
    CHECK(lo_pos > 0.0 && hi_pos <= 1.0);
    /* U(0,1): mean 1/2, variance 1/12, fourth central moment 1/80. */
    CHECK_MOMENTS(m, 0.5, 1.0 / 12.0, 1.0 / 80.0);
    CHECK_MOMENTS(mp, 0.5, 1.0 / 12.0, 1.0 / 80.0);
}

/* Pearson chi-square of rng_bounded(n) over `draws` draws. */
static double bounded_chi2(Rng *r, uint64_t n, int draws)
{
    int counts[16] = {0};
    for (int i = 0; i < draws; i++) {
        uint64_t x = rng_bounded(r, n);
        if (x >= n) return 1e300;
        counts[x]++;
    }
    double expect = (double)draws / (double)n, chi2 = 0.0;
    for (uint64_t k = 0; k < n; k++) chi2 += (counts[k] - expect) * (counts[k] - expect) / expect;
    return chi2;
}

static void rng_bounded_uniformity(void)
{
    Rng r;
    rng_seed(&r, 2);
    /* Chi-square with n - 1 degrees of freedom has mean n - 1 and sd sqrt(2(n - 1)); 6 sd above the mean is far
     * beyond any plausible fluctuation (p < 1e-6) yet tiny next to a real bias over 10^6 draws. */
    CHECK_LT_F64(bounded_chi2(&r, 3, N_DRAWS), 2.0 + 6.0 * sqrt(4.0));
    CHECK_LT_F64(bounded_chi2(&r, 7, N_DRAWS), 6.0 + 6.0 * sqrt(12.0));
    for (int i = 0; i < 1000; i++) CHECK_EQ(rng_bounded(&r, 1), 0);
}

static void rng_bounded_has_no_modulo_bias(void)
{
    /* n = 3 * 2^62, where each biased method fails its own way (exact answer: 1/3 for both checks):
     *   x % n lands below 2^62 with probability 1/2 (every x >= n folds onto [0, 2^62));
     *   floor(x * n / 2^64) = floor(3x / 4) without rejection gives y % 3 == 0 for x % 4 in {0, 1}: probability 1/2. */
    Rng r;
    rng_seed(&r, 3);
    uint64_t n = UINT64_C(3) << 62;
    int below = 0, residue0 = 0, out_of_range = 0;
    for (int i = 0; i < N_DRAWS; i++) {
        uint64_t x = rng_bounded(&r, n);
        below += x < (UINT64_C(1) << 62);
        residue0 += x % 3 == 0;
        out_of_range += x >= n;
    }
    CHECK_EQ(out_of_range, 0);
    CHECK_FREQ(below, N_DRAWS, 1.0 / 3.0);
    CHECK_FREQ(residue0, N_DRAWS, 1.0 / 3.0);
    /* The largest n: n = 2^64 - 1 rejects only one of 2^64 words; results stay below n. */
    for (int i = 0; i < 1000; i++) CHECK(rng_bounded(&r, UINT64_MAX) < UINT64_MAX);
}

static void rng_bounded_word_is_rng_bounded_drawn_early(void)
{
    /* A word drawn ahead and turned into the pick later gives what rng_bounded gives from the same position, and
     * leaves the stream where rng_bounded leaves it, rejections included: n = 3 * 2^62 rejects a quarter of the
     * words, so its 500 pairs go through the rejection path about 125 times. rng_bounded_likely is the result
     * whenever the word was not rejected. */
    uint64_t ns[] = {1, 3, 1000000, UINT64_C(3) << 62};
    int rejected = 0, likely_ok = 0, compared = 0;
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        Rng a, b;
        rng_seed(&a, 17 + k);
        b = a;
        for (int i = 0; i < 500; i++) {
            uint64_t expect = rng_bounded(&a, ns[k]);
            uint64_t word = rng_next(&b);
            uint64_t guess = rng_bounded_likely(word, ns[k]);
            Rng before = b;
            uint64_t got = rng_bounded_word(&b, word, ns[k]);
            CHECK_EQ(got, expect);
            bool drew = memcmp(&before, &b, sizeof b) != 0; /* the rejection loop drew more */
            rejected += drew;
            if (!drew) likely_ok += guess == got;
            compared += !drew;
            CHECK(memcmp(&a, &b, sizeof a) == 0);
        }
    }
    CHECK_GT(rejected, 60);
    CHECK_EQ(likely_ok, compared);
}

static void rng_range_i64_bounds(void)
{
    Rng r;
    rng_seed(&r, 4);
    int seen[7] = {0}, outside = 0;
    for (int i = 0; i < 70000; i++) {
        int64_t x = rng_range_i64(&r, -3, 3);
        if (x >= -3 && x <= 3) seen[x + 3]++;
        else outside++;
    }
    CHECK_EQ(outside, 0);
    for (int k = 0; k < 7; k++) CHECK_FREQ(seen[k], 70000, 1.0 / 7.0);
    CHECK_EQ(rng_range_i64(&r, 5, 5), 5);
    CHECK_EQ(rng_range_i64(&r, INT64_MIN, INT64_MIN), INT64_MIN);
    int negatives = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t x = rng_range_i64(&r, INT64_MAX - 1, INT64_MAX);
        CHECK(x >= INT64_MAX - 1);
        negatives += rng_range_i64(&r, INT64_MIN, INT64_MAX) < 0; /* full range: about half negative */
    }
    CHECK_FREQ(negatives, 1000, 0.5);
    for (int i = 0; i < 1000; i++) CHECK(rng_range_i64(&r, INT64_MIN, INT64_MIN + 2) <= INT64_MIN + 2);
}

static void rng_bernoulli_frequencies(void)
{
    Rng r;
    rng_seed(&r, 5);
    int hits = 0, never = 0, always = 0;
    for (int i = 0; i < N_DRAWS; i++) {
        hits += rng_bernoulli(&r, 0.3);
        never += rng_bernoulli(&r, 0.0);
        always += rng_bernoulli(&r, 1.0);
    }
    CHECK_FREQ(hits, N_DRAWS, 0.3);
    CHECK_EQ(never, 0);
    CHECK_EQ(always, N_DRAWS);
}

/* ---- continuous distributions ----------------------------------------------------------------------------------- */

static void rng_normal_moments(void)
{
    Rng r;
    rng_seed(&r, 6);
    Moments m = {0};
    double sum3 = 0, sum4 = 0;
    int within1 = 0;
    for (int i = 0; i < N_DRAWS; i++) {
        double z = rng_normal(&r, 0.0, 1.0);
        mom_add(&m, z);
        sum3 += z * z * z;
        sum4 += z * z * z * z;
        within1 += fabs(z) < 1.0;
    }
    CHECK_MOMENTS(m, 0.0, 1.0, 3.0); /* N(0,1): mu4 = 3 */
    /* Skewness 0 (sd of z^3 is sqrt(15)) and kurtosis 3 (sd of z^4 is sqrt(105 - 9) = sqrt(96)). */
    CHECK_NEAR(sum3 / N_DRAWS, 0.0, Z_TOL * sqrt(15.0 / N_DRAWS));
    CHECK_NEAR(sum4 / N_DRAWS, 3.0, Z_TOL * sqrt(96.0 / N_DRAWS));
    CHECK_FREQ(within1, N_DRAWS, 0.6826894921370859); /* erf(1 / sqrt 2) */
    Moments s = {0};
    for (int i = 0; i < N_DRAWS; i++) mom_add(&s, rng_normal(&r, 5.0, 2.0));
    CHECK_MOMENTS(s, 5.0, 4.0, 3.0 * 16.0);
    CHECK(rng_normal(&r, 1.5, 0.0) == 1.5);
}

static void rng_exponential_moments(void)
{
    Rng r;
    rng_seed(&r, 7);
    Moments m = {0};
    int above1 = 0, negative = 0;
    for (int i = 0; i < N_DRAWS; i++) {
        double x = rng_exponential(&r, 2.0);
        mom_add(&m, x);
        above1 += x > 1.0;
        negative += x < 0.0 || signbit(x);
    }
    CHECK_MOMENTS(m, 0.5, 0.25, 9.0 / 16.0); /* Exp(rate 2): mean 1/2, var 1/4, mu4 = 9 / rate^4 */
    CHECK_FREQ(above1, N_DRAWS, exp(-2.0));
    CHECK_EQ(negative, 0);
}

/* ---- the ziggurat samplers' shape, tails and cost ---- */

#define ZIG_DRAWS 4000000
#define ZIG_BIN 0.125 /* bin width: the wedges of the layers near the mode are ~0.02-0.1 wide, so a wrong wedge test or
                       * a wrong layer edge moves mass between neighbouring bins and shows up in the chi-square */

/* Chi-square of `count` against expected probabilities `p` (nbins bins) over n draws, checked at 6 sd of its mean. */
static void check_chi2(const uint64_t *count, const double *p, int nbins, double n)
{
    double chi2 = 0;
    for (int b = 0; b < nbins; b++) {
        double e = p[b] * n;
        chi2 += ((double)count[b] - e) * ((double)count[b] - e) / e;
    }
    int dof = nbins - 1;
    CHECK_LT_F64(chi2, dof + Z_TOL * sqrt(2.0 * dof));
}

/* True when the draw took exactly one 64-bit word from the stream: r advanced as one rng_next advances it. */
static bool one_word(const Rng *before, const Rng *after)
{
    Rng one = *before;
    (void)rng_next(&one);
    return memcmp(&one, after, sizeof one) == 0;
}

static void rng_std_normal_matches_the_normal_cdf(void)
{
    /* Bins of 0.125 over [-5, 5] and the two tails beyond; the normal ziggurat's own tail starts at R = 3.654, so
     * the bins past it and the tail counts test its tail sampler, and |z| > 4.5 (expected ~27 draws) its far end. */
    enum { NB = 80 };
    static uint64_t count[NB + 2];
    static double p[NB + 2];
    memset(count, 0, sizeof count);
    double cdf_prev = 0.5 * erfc(5.0 / sqrt(2.0));
    p[0] = cdf_prev;
    for (int b = 1; b <= NB; b++) {
        double hi = -5.0 + b * ZIG_BIN;
        double cdf = 0.5 * erfc(-hi / sqrt(2.0));
        p[b] = cdf - cdf_prev;
        cdf_prev = cdf;
    }
    p[NB + 1] = 0.5 * erfc(5.0 / sqrt(2.0));
    Rng r;
    rng_seed(&r, 21);
    uint64_t beyond_r = 0, beyond_r_negative = 0, far = 0, single = 0;
    for (int i = 0; i < ZIG_DRAWS; i++) {
        Rng before = r;
        double z = rng_std_normal(&r);
        single += one_word(&before, &r);
        int b = z < -5.0 ? 0 : z >= 5.0 ? NB + 1 : 1 + (int)floor((z + 5.0) / ZIG_BIN);
        if (b > NB) b = NB + 1;
        count[b]++;
        if (fabs(z) > 3.6541528853610088) {
            beyond_r++;
            beyond_r_negative += z < 0;
        }
        far += fabs(z) > 4.5;
    }
    check_chi2(count, p, NB + 2, ZIG_DRAWS);
    CHECK_FREQ(beyond_r, ZIG_DRAWS, erfc(3.6541528853610088 / sqrt(2.0)));
    CHECK_FREQ(beyond_r_negative, beyond_r, 0.5);
    CHECK_FREQ(far, ZIG_DRAWS, erfc(4.5 / sqrt(2.0)));
    /* The fast path's share (core/rng.c): the mean over the layers of the inner rectangle's share, 98.51 %. */
    CHECK_NEAR((double)single / ZIG_DRAWS, 0.9851, 0.001);
    Rng a, b;
    rng_seed(&a, 22);
    rng_seed(&b, 22);
    for (int i = 0; i < 1000; i++) CHECK(rng_normal(&a, 3.0, 2.0) == 3.0 + 2.0 * rng_std_normal(&b));
}

static void rng_std_exponential_matches_the_exponential_cdf(void)
{
    /* Bins of 0.125 over [0, 10] and the tail beyond; the ziggurat's base layer ends at R = 7.697, past which the
     * sampler adds R to a fresh draw: the bins from 7.75 on and the tail test that. */
    enum { NB = 80 };
    static uint64_t count[NB + 1];
    static double p[NB + 1];
    memset(count, 0, sizeof count);
    for (int b = 0; b < NB; b++) p[b] = exp(-b * ZIG_BIN) - exp(-(b + 1) * ZIG_BIN);
    p[NB] = exp(-NB * ZIG_BIN);
    Rng r;
    rng_seed(&r, 23);
    uint64_t beyond_r = 0, single = 0, negative = 0;
    for (int i = 0; i < ZIG_DRAWS; i++) {
        Rng before = r;
        double x = rng_std_exponential(&r);
        single += one_word(&before, &r);
        negative += x < 0.0 || signbit(x) || !isfinite(x);
        int b = x >= NB * ZIG_BIN ? NB : (int)floor(x / ZIG_BIN);
        count[b]++;
        beyond_r += x > 7.697117470131049714;
    }
    CHECK_EQ(negative, 0);
    check_chi2(count, p, NB + 1, ZIG_DRAWS);
    CHECK_FREQ(beyond_r, ZIG_DRAWS, exp(-7.697117470131049714));
    CHECK_NEAR((double)single / ZIG_DRAWS, 0.9778, 0.001);
}

static void rng_lognormal_moments(void)
{
    Rng r;
    rng_seed(&r, 8);
    Moments logs = {0}, raw = {0};
    int nonpositive = 0;
    for (int i = 0; i < N_DRAWS; i++) {
        double x = rng_lognormal(&r, 0.1, 0.5);
        nonpositive += !(x > 0.0);
        mom_add(&logs, log(x));
        mom_add(&raw, x);
    }
    CHECK_EQ(nonpositive, 0);
    CHECK_MOMENTS(logs, 0.1, 0.25, 3.0 * 0.0625); /* log X ~ N(0.1, 0.5^2) */
    /* E X = exp(mu + sigma^2 / 2), Var X = (exp(sigma^2) - 1) exp(2 mu + sigma^2). */
    double mean = exp(0.1 + 0.125), var = (exp(0.25) - 1.0) * exp(0.2 + 0.25);
    CHECK_NEAR(raw.mean, mean, Z_TOL * sqrt(var / N_DRAWS));
}

static void rng_pareto_shape(void)
{
    Rng r;
    rng_seed(&r, 9);
    Moments logs = {0};
    int above4 = 0, below_xm = 0;
    for (int i = 0; i < N_DRAWS; i++) {
        double x = rng_pareto(&r, 2.0, 3.0);
        below_xm += x < 2.0;
        above4 += x > 4.0;
        mom_add(&logs, log(x / 2.0));
    }
    CHECK_EQ(below_xm, 0);
    /* log(X / xm) ~ Exp(alpha): mean 1/3, var 1/9, mu4 = 9 / 81. P(X > 4) = (2/4)^3 = 1/8. */
    CHECK_MOMENTS(logs, 1.0 / 3.0, 1.0 / 9.0, 9.0 / 81.0);
    CHECK_FREQ(above4, N_DRAWS, 0.125);
}

/* ---- Poisson ---------------------------------------------------------------------------------------------------- */

/* Mean and variance of rng_poisson(lambda) over n draws; Poisson: var = lambda, mu4 = lambda (1 + 3 lambda). */
static void check_poisson_moments(uint64_t seed, double lambda, int n)
{
    Rng r;
    rng_seed(&r, seed);
    Moments m = {0};
    int negative = 0;
    for (int i = 0; i < n; i++) {
        int64_t k = rng_poisson(&r, lambda);
        negative += k < 0;
        mom_add(&m, (double)k);
    }
    CHECK_EQ(negative, 0);
    CHECK_MOMENTS(m, lambda, lambda, lambda * (1.0 + 3.0 * lambda));
}

static void rng_poisson_moments(void)
{
    Rng r;
    rng_seed(&r, 10);
    for (int i = 0; i < 100; i++) CHECK_EQ(rng_poisson(&r, 0.0), 0);
    check_poisson_moments(11, 0.05, N_DRAWS);
    check_poisson_moments(12, 3.0, N_DRAWS);
    check_poisson_moments(13, 9.99, N_DRAWS); /* last multiplication-method lambda */
    check_poisson_moments(14, 10.0, N_DRAWS); /* first PTRS lambda */
    check_poisson_moments(15, 57.3, N_DRAWS);
    check_poisson_moments(16, 1.0e4, N_DRAWS);
    check_poisson_moments(17, 1.0e9, 200000);
}

/* Pearson chi-square of rng_poisson(lambda) against the exact pmf, tails pooled so every bin expects >= 20. Returns
 * the statistic and the degrees of freedom. */
static double poisson_chi2(uint64_t seed, double lambda, int n, int *dof)
{
    enum { KMAX = 200 };
    static int counts[KMAX + 1];
    memset(counts, 0, sizeof counts);
    Rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        int64_t k = rng_poisson(&r, lambda);
        counts[k < KMAX ? k : KMAX]++;
    }
    /* pmf by the recurrence p(k) = p(k - 1) * lambda / k. */
    double pmf[KMAX + 1], p = exp(-lambda), tail = 1.0;
    for (int k = 0; k < KMAX; k++) {
        pmf[k] = p;
        tail -= p;
        p *= lambda / (k + 1);
    }
    pmf[KMAX] = tail;
    /* Greedy pooling from k = 0: close a bin once it expects >= 20 draws, provided the rest still does too. */
    double rest = 1.0, chi2 = 0.0, obs = 0.0, expct = 0.0;
    int bins = 0;
    for (int k = 0; k <= KMAX; k++) {
        obs += counts[k];
        expct += pmf[k] * n;
        rest -= pmf[k];
        if (k == KMAX || (expct >= 20.0 && rest * n >= 20.0)) {
            chi2 += (obs - expct) * (obs - expct) / expct;
            bins++;
            obs = expct = 0.0;
        }
        if (rest * n < 20.0 && k < KMAX) { /* pool the whole remaining tail into one last bin */
            for (int j = k + 1; j <= KMAX; j++) {
                obs += counts[j];
                expct += pmf[j] * n;
            }
            chi2 += (obs - expct) * (obs - expct) / expct;
            bins++;
            break;
        }
    }
    *dof = bins - 1;
    return chi2;
}

static void rng_poisson_matches_pmf(void)
{
    /* Both samplers and the switch point; 6 sd above the chi-square mean (sd = sqrt(2 dof)). */
    static const double LAMBDAS[] = {0.7, 4.5, 9.99, 10.0, 12.5, 40.0, 95.0};
    for (size_t i = 0; i < sizeof LAMBDAS / sizeof LAMBDAS[0]; i++) {
        int dof = 0;
        double chi2 = poisson_chi2(100 + i, LAMBDAS[i], N_DRAWS, &dof);
        CHECK_GT(dof, 1);
        CHECK_LT_F64(chi2, dof + 6.0 * sqrt(2.0 * dof));
    }
}

void suite_core_rng(void)
{
    static const TestCase cases[] = {
        TEST_CASE(rng_xoshiro_reference_vector),
        TEST_CASE(rng_splitmix64_reference_vector),
        TEST_CASE(rng_seed_jump_long_jump_reference),
        TEST_CASE(rng_jumps_commute_with_steps),
        TEST_CASE(rng_same_seed_same_sequence),
        TEST_CASE(rng_streams),
        TEST_CASE(rng_uniform_edges),
        TEST_CASE(rng_uniform_moments),
        TEST_CASE(rng_bounded_uniformity),
        TEST_CASE(rng_bounded_has_no_modulo_bias),
        TEST_CASE(rng_bounded_word_is_rng_bounded_drawn_early),
        TEST_CASE(rng_range_i64_bounds),
        TEST_CASE(rng_bernoulli_frequencies),
        TEST_CASE(rng_normal_moments),
        TEST_CASE(rng_exponential_moments),
        TEST_CASE(rng_std_normal_matches_the_normal_cdf),
        TEST_CASE(rng_std_exponential_matches_the_exponential_cdf),
        TEST_CASE(rng_lognormal_moments),
        TEST_CASE(rng_pareto_shape),
        TEST_CASE(rng_poisson_moments),
        TEST_CASE(rng_poisson_matches_pmf),
    };
    test_add_suite("core_rng", cases, TEST_COUNT(cases));
}
