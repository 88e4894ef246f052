/* Random streams: xoshiro256** (Blackman & Vigna 2018) seeded through SplitMix64, and the draws the model needs.
 *
 * One stream per consumer: every agent population, latency model and shock generator owns an Rng obtained from
 * rng_stream(master_seed, its consumer id), so adding draws in one consumer never shifts another's sequence, and the
 * whole run is a function of the master seed. An Rng is 32 bytes of plain data: copying it forks the sequence, and its
 * state alone determines every future output (no hidden caches: rng_normal keeps no spare value).
 *
 * Floating-point draws use only +, *, /, sqrt (exactly rounded by IEEE 754), constant tables, and log/exp/pow from
 * libm; with -ffp-contract=off they are bit-reproducible on one platform and libm (normal and exponential draws touch
 * libm only in their rare slow paths), and integer draws are reproducible everywhere. */
#ifndef CASCADE_RNG_H
#define CASCADE_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct Rng {
    uint64_t s[4];
} Rng;

/* One SplitMix64 step (Steele, Lea & Flood 2014): advances *state by the golden-ratio increment and returns the mix. */
uint64_t rng_splitmix64(uint64_t *state);
/* Seeds r with four consecutive SplitMix64 outputs from `seed` (never the all-zero state). */
void rng_seed(Rng *r, uint64_t seed);
/* Next 64 random bits (xoshiro256**). */
uint64_t rng_next(Rng *r);
/* Advances r by 2^128 steps: 2^128 non-overlapping subsequences of length 2^128. */
void rng_jump(Rng *r);
/* Advances r by 2^192 steps: 2^64 starting points for independent families of jump() streams. */
void rng_long_jump(Rng *r);
/* The stream of consumer `stream_id`: rng_seed(master_seed) then stream_id jumps. Streams of one master seed never
 * overlap (each owns 2^128 outputs); ids are small consumer ids, the cost is O(stream_id) jumps of 256 steps each. */
Rng rng_stream(uint64_t master_seed, uint64_t stream_id);

/* Uniform double in [0, 1) with 53 random bits (multiples of 2^-53). */
double rng_uniform(Rng *r);
/* Uniform double in (0, 1] with 53 random bits: safe to pass to log(). */
double rng_uniform_pos(Rng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias (Lemire 2019 multiply-shift with rejection). */
uint64_t rng_bounded(Rng *r, uint64_t n);
/* rng_bounded whose first draw, `word`, was taken from r earlier (rng_next): the same result rng_bounded would have
 * given had it drawn `word` itself; a rejection (probability < n / 2^64) draws the rest from r now. Lets a caller know
 * (word * n) >> 64, the likely result, ahead of time. */
uint64_t rng_bounded_word(Rng *r, uint64_t word, uint64_t n);
/* (word * n) >> 64: what rng_bounded_word(r, word, n) returns unless it rejects. Draws nothing. */
uint64_t rng_bounded_likely(uint64_t word, uint64_t n);
/* Uniform integer in [lo, hi], inclusive; lo <= hi (asserted); the full int64 range is allowed. */
int64_t rng_range_i64(Rng *r, int64_t lo, int64_t hi);
/* True with probability p in [0, 1] (asserted): p = 0 never, p = 1 always. */
bool rng_bernoulli(Rng *r, double p);
/* Standard normal N(0, 1) by the ziggurat method (256 layers; one 64-bit draw in 98.5 % of calls). */
double rng_std_normal(Rng *r);
/* Normal(mu, sigma^2), sigma >= 0: mu + sigma * rng_std_normal. */
double rng_normal(Rng *r, double mu, double sigma);
/* Standard exponential (mean 1) by the ziggurat method (256 layers; one 64-bit draw in 97.8 % of calls); finite and
 * >= 0. */
double rng_std_exponential(Rng *r);
/* Exponential with rate > 0 (mean 1/rate): rng_std_exponential / rate; always finite and >= 0. */
double rng_exponential(Rng *r, double rate);
/* exp(Normal(mu, sigma^2)): log-normal with log-mean mu and log-sd sigma >= 0. */
double rng_lognormal(Rng *r, double mu, double sigma);
/* Pareto (type I) with scale xm > 0 and shape alpha > 0, support [xm, inf), by inversion; mean alpha*xm/(alpha-1). */
double rng_pareto(Rng *r, double xm, double alpha);
/* Poisson(lambda), 0 <= lambda <= 1e15: exact; multiplication method below 10, Hoermann's PTRS (1993) above. */
int64_t rng_poisson(Rng *r, double lambda);

#endif
