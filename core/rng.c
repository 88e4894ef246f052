/* Random streams and distributions.
 *
 * Generator: xoshiro256** 1.0 (D. Blackman, S. Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS
 * 47(4), 2021; preprint 2018). 256 bits of state, period 2^256 - 1, passes BigCrush and PractRand; the ** scrambler
 * (rotl(s1 * 5, 7) * 9) leaves no weak low bits, so integer draws may use every bit. Seeding goes through SplitMix64
 * as the authors recommend, which turns any 64-bit seed (including 0) into a well-mixed nonzero state.
 *
 * Streams: the jump polynomial advances the state by 2^128 steps in 256 generator steps (a GF(2) linear map), so
 * stream k = seed + k * 2^128 steps; distinct ids give disjoint 2^128-long subsequences. Rejected: seeding each
 * stream with SplitMix64(master ^ id) (cheap, but overlap is only improbable, not impossible) and one shared stream
 * (adding a draw to one agent would reshuffle every other agent's randomness).
 *
 * Distributions avoid caching state outside the Rng struct so that the 32-byte state fully determines the future.
 * Normal and exponential draws use the ziggurat method with constant tables (generated once, see below). The Poisson
 * sampler is exact (no normal approximation): Knuth's multiplication method for lambda < 10, and PTRS (W. Hoermann,
 * "The transformed rejection method for generating Poisson random variables", Insurance: Mathematics and Economics
 * 12, 1993) for lambda >= 10, whose expected number of uniforms per variate is bounded in lambda. */
#include "rng.h"
#include "cascade_assert.h"

#include <math.h>

__extension__ typedef unsigned __int128 u128; /* GCC/Clang extension: the 64x64 -> 128 multiply of Lemire's method */

/* ---- generator -------------------------------------------------------------------------------------------------- */

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

void rng_seed(Rng *r, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++) r->s[i] = rng_splitmix64(&sm);
    /* SplitMix64 is a bijection of its counter, so four consecutive outputs are never all zero: the zero state,
     * xoshiro's only fixed point, is unreachable. */
}

uint64_t rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5u, 7) * 9u;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Applies the jump polynomial `poly` (its 256 coefficients, lowest first): the new state is the GF(2) combination
 * of the states visited over the next 256 steps selected by the polynomial's bits. */
static void rng_apply_jump(Rng *r, const uint64_t poly[4])
{
    uint64_t acc[4] = {0, 0, 0, 0};
    for (int w = 0; w < 4; w++) {
        for (int b = 0; b < 64; b++) {
            if (poly[w] & (UINT64_C(1) << b)) {
                for (int i = 0; i < 4; i++) acc[i] ^= r->s[i];
            }
            (void)rng_next(r);
        }
    }
    for (int i = 0; i < 4; i++) r->s[i] = acc[i];
}

void rng_jump(Rng *r)
{
    static const uint64_t JUMP[4] = {UINT64_C(0x180ec6d33cfd0aba), UINT64_C(0xd5a61266f0c9392c),
                                     UINT64_C(0xa9582618e03fc9aa), UINT64_C(0x39abdc4529b1661c)};
    rng_apply_jump(r, JUMP);
}

void rng_long_jump(Rng *r)
{
    static const uint64_t LONG_JUMP[4] = {UINT64_C(0x76e15d3efefdcbbf), UINT64_C(0xc5004e441c522fb3),
                                          UINT64_C(0x77710069854ee241), UINT64_C(0x39109bb02acbe635)};
    rng_apply_jump(r, LONG_JUMP);
}

Rng rng_stream(uint64_t master_seed, uint64_t stream_id)
{
    Rng r;
    rng_seed(&r, master_seed);
    for (uint64_t i = 0; i < stream_id; i++) rng_jump(&r);
    return r;
}

/* ---- uniform draws ---------------------------------------------------------------------------------------------- */

#define TWO_POW_MINUS_53 (1.0 / 9007199254740992.0) /* 2^-53 */

double rng_uniform(Rng *r) { return (double)(rng_next(r) >> 11) * TWO_POW_MINUS_53; }

double rng_uniform_pos(Rng *r) { return (double)((rng_next(r) >> 11) + 1u) * TWO_POW_MINUS_53; }

/* rng_bounded's rare path (low word < n): the rejection loop. Out of line, so the usual draw saves no registers. */
static __attribute__((noinline)) uint64_t bounded_reject(Rng *r, uint64_t n, u128 m)
{
    uint64_t low = (uint64_t)m;
    uint64_t threshold = (0u - n) % n; /* 2^64 mod n */
    while (low < threshold) {
        m = (u128)rng_next(r) * n;
        low = (uint64_t)m;
    }
    return (uint64_t)(m >> 64);
}

uint64_t rng_bounded_word(Rng *r, uint64_t word, uint64_t n)
{
    CASCADE_ASSERT(n > 0);
    /* x * n / 2^64 maps [0, 2^64) onto [0, n); each result has floor or ceil of 2^64 / n preimages. Rejecting the
     * low words below 2^64 mod n leaves exactly floor(2^64 / n) preimages each, so the result is exactly uniform.
     * The modulo is only computed when a rejection is possible at all (low word < n). */
    u128 m = (u128)word * n;
    if ((uint64_t)m < n) return bounded_reject(r, n, m);
    return (uint64_t)(m >> 64);
}

uint64_t rng_bounded(Rng *r, uint64_t n) { return rng_bounded_word(r, rng_next(r), n); }

uint64_t rng_bounded_likely(uint64_t word, uint64_t n) { return (uint64_t)(((u128)word * n) >> 64); }

/* Two's-complement reinterpretation without implementation-defined conversion. */
static int64_t u64_to_i64(uint64_t u)
{
    if (u <= (uint64_t)INT64_MAX) return (int64_t)u;
    return -(int64_t)(UINT64_MAX - u) - 1;
}

int64_t rng_range_i64(Rng *r, int64_t lo, int64_t hi)
{
    CASCADE_ASSERT(lo <= hi);
    uint64_t span = (uint64_t)hi - (uint64_t)lo; /* hi - lo, exact modulo 2^64 */
    if (span == UINT64_MAX) return u64_to_i64(rng_next(r));
    return u64_to_i64((uint64_t)lo + rng_bounded(r, span + 1u));
}

bool rng_bernoulli(Rng *r, double p)
{
    CASCADE_ASSERT(p >= 0.0 && p <= 1.0);
    return rng_uniform(r) < p;
}

/* ---- continuous distributions ----------------------------------------------------------------------------------- */

/* The ziggurat (Marsaglia & Tsang 2000): the area under the density's shape is cut into 256 horizontal layers of
 * equal area (tables from core/rng_ziggurat.py). One 64-bit word picks a layer (bits 0-7), a sign (bit 8) and a
 * uniform position across the layer's width (bits 11-63), so the three are independent (Doornik 2005 showed the
 * original's reuse of one word for layer and position biases the result). A point inside the layer's part that lies
 * wholly under the curve, 98.5 % (normal) and 97.8 % (exponential) of draws, is returned at once: a multiply and a
 * compare instead of the log, sqrt and division of the polar method or of inversion (~13 % of the instructions of a
 * busy market's event loop, bench/HISTORY.md, item 18). Otherwise the point is in a wedge (accepted against the density
 * itself) or in the base layer's tail beyond R. */
#include "rng_ziggurat.inc"

#define ZIG_LAYER_MASK 0xffu
#define ZIG_SIGN_BIT 0x100u

/* Word w's point in its layer: the position across the layer's width x[layer]. */
static inline double zig_point(uint64_t w, const double *x)
{
    return (double)(w >> 11) * TWO_POW_MINUS_53 * x[w & ZIG_LAYER_MASK];
}

/* True when the point lies in the layer's inner rectangle (below the next layer's width), wholly under the curve. */
static inline bool zig_inside(uint64_t w, double point, const double *x)
{
    return point < x[(w & ZIG_LAYER_MASK) + 1u];
}

static inline double zig_signed(uint64_t w, double v) { return (w & ZIG_SIGN_BIT) ? -v : v; }

/* The normal's tail beyond R (Marsaglia 1964): R + a, a ~ Exp(R) accepted with probability exp(-a^2 / 2). */
static __attribute__((noinline)) double normal_tail(Rng *r)
{
    double a, b;
    do {
        a = (0.0 - log(rng_uniform_pos(r))) / ZIG_NORMAL_R;
        b = 0.0 - log(rng_uniform_pos(r));
    } while (b + b < a * a);
    return ZIG_NORMAL_R + a;
}

/* A standard normal past the ziggurat's fast test: the wedge test, the tail, or a new try. Out of line so the fast
 * path saves no registers. */
static __attribute__((noinline)) double normal_slow(Rng *r, uint64_t w)
{
    for (;;) {
        double x = zig_point(w, zig_normal_x);
        if (zig_inside(w, x, zig_normal_x)) return zig_signed(w, x);
        unsigned i = (unsigned)(w & ZIG_LAYER_MASK);
        if (i == 0) return zig_signed(w, normal_tail(r));
        double y = zig_normal_f[i] + rng_uniform(r) * (zig_normal_f[i + 1] - zig_normal_f[i]);
        if (y < exp(-0.5 * x * x)) return zig_signed(w, x);
        w = rng_next(r);
    }
}

double rng_std_normal(Rng *r)
{
    uint64_t w = rng_next(r);
    double x = zig_point(w, zig_normal_x);
    if (__builtin_expect(zig_inside(w, x, zig_normal_x), 1)) return zig_signed(w, x);
    return normal_slow(r, w);
}

double rng_normal(Rng *r, double mu, double sigma)
{
    CASCADE_ASSERT(sigma >= 0.0);
    return mu + sigma * rng_std_normal(r);
}

/* A standard exponential past the fast test. The tail beyond R is R plus a fresh standard exponential (the
 * distribution is memoryless), so it loops with R added rather than needing a tail sampler. */
static __attribute__((noinline)) double exp_slow(Rng *r, uint64_t w)
{
    double base = 0.0;
    for (;;) {
        double x = zig_point(w, zig_exp_x);
        if (zig_inside(w, x, zig_exp_x)) return base + x;
        unsigned i = (unsigned)(w & ZIG_LAYER_MASK);
        if (i == 0) {
            base += ZIG_EXP_R;
        } else {
            double y = zig_exp_f[i] + rng_uniform(r) * (zig_exp_f[i + 1] - zig_exp_f[i]);
            if (y < exp(-x)) return base + x;
        }
        w = rng_next(r);
    }
}

double rng_std_exponential(Rng *r)
{
    uint64_t w = rng_next(r);
    double x = zig_point(w, zig_exp_x);
    if (__builtin_expect(zig_inside(w, x, zig_exp_x), 1)) return x;
    return exp_slow(r, w);
}

double rng_exponential(Rng *r, double rate)
{
    CASCADE_ASSERT(rate > 0.0);
    return rng_std_exponential(r) / rate;
}

double rng_lognormal(Rng *r, double mu, double sigma) { return exp(rng_normal(r, mu, sigma)); }

double rng_pareto(Rng *r, double xm, double alpha)
{
    CASCADE_ASSERT(xm > 0.0 && alpha > 0.0);
    /* P(X > x) = (xm / x)^alpha, so X = xm * U^(-1/alpha) for U uniform on (0, 1]. */
    return xm * pow(rng_uniform_pos(r), -1.0 / alpha);
}

/* ---- Poisson ---------------------------------------------------------------------------------------------------- */

/* ln(k!) for k >= 0: a correctly rounded table for small k, the Stirling series for ln Gamma(k + 1) beyond, whose
 * first omitted term is below 1e-14 for k >= 16. libm's lgamma is avoided because it writes the global signgam. */
static double log_factorial(double k)
{
    static const double TABLE[16] = {
        0.0,
        0.0,
        0.6931471805599453,
        1.791759469228055,
        3.1780538303479458,
        4.787491742782046,
        6.579251212010101,
        8.525161361065415,
        10.60460290274525,
        12.801827480081469,
        15.104412573075516,
        17.502307845873887,
        19.987214495661885,
        22.552163853123425,
        25.19122118273868,
        27.89927138384089,
    };
    if (k < 16.0) return TABLE[(int)k];
    double x = k + 1.0;
    double x2 = x * x;
    double series = (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / (1680.0 * x2)) / x2) / x2) / x;
    return (x - 0.5) * log(x) - x + 0.91893853320467274178 /* ln sqrt(2 pi) */ + series;
}

/* Knuth's multiplication method: the number of uniforms whose running product stays above e^-lambda, i.e. the number
 * of unit-rate exponential arrivals before time lambda. Expected lambda + 1 uniforms, so only for small lambda. */
static int64_t poisson_multiplication(Rng *r, double lambda)
{
    double limit = exp(-lambda);
    int64_t k = 0;
    double prod = rng_uniform(r);
    while (prod > limit) {
        k++;
        prod *= rng_uniform(r);
    }
    return k;
}

/* PTRS, transformed rejection with squeeze (Hoermann 1993, algorithm PTRS, constants from the paper). */
static int64_t poisson_ptrs(Rng *r, double lambda)
{
    double slam = sqrt(lambda);
    double loglam = log(lambda);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    double v_r = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = rng_uniform(r) - 0.5;
        double v = rng_uniform(r);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + lambda + 0.43);
        if (k < 0.0) continue;
        if (us >= 0.07 && v <= v_r) return (int64_t)k; /* squeeze: inside the hat for sure */
        if (us < 0.013 && v > us) continue;
        double lhs = log(v) + log(inv_alpha) - log(a / (us * us) + b);
        double rhs = -lambda + k * loglam - log_factorial(k);
        if (lhs <= rhs) {
            CASCADE_ASSERT(k < 9.0e18);
            return (int64_t)k;
        }
    }
}

int64_t rng_poisson(Rng *r, double lambda)
{
    CASCADE_ASSERT(lambda >= 0.0 && lambda <= 1e15);
    if (lambda == 0.0) return 0;
    if (lambda < 10.0) return poisson_multiplication(r, lambda);
    return poisson_ptrs(r, lambda);
}
