/* cascade-bench: a registry of named scenarios (Box2D benchmark/ habit). Each scenario pre-generates its input,
 * times only the code under test, repeats, reports median and minimum, and checks its own result counts (a
 * scenario returns non-zero when a repeat disagrees with the others or with a recount). */
#ifndef CASCADE_BENCH_H
#define CASCADE_BENCH_H

#include <stdint.h>

typedef struct BenchArgs {
    int64_t ops;      /* --ops N: operations per repeat (0 = the scenario's default) */
    int repeats;      /* --repeats R */
    uint64_t seed;    /* --seed S */
    int quick;        /* --quick: the smallest size, for CI's does-it-work run (counts still checked) */
    const char *out_dir; /* --out DIR: where a scenario writes data files and plots (NULL: the current folder) */
} BenchArgs;

typedef struct BenchScenario {
    const char *name;
    const char *summary;
    int (*run)(const BenchArgs *args); /* 0 = results consistent */
} BenchScenario;

/* Monotonic wall-clock seconds. */
double bench_now(void);
/* Median and minimum of n values (sorts v in place). */
void bench_median_min(double *v, int n, double *median, double *min);
/* SplitMix64 step: the benchmark's private generator (no dependency on core/rng). */
uint64_t bench_rand(uint64_t *state);

int bench_book(const BenchArgs *args);
int bench_chase(const BenchArgs *args);
int bench_alu(const BenchArgs *args);
/* Whole simulated runs (bench_run.c): an event-loop clock in process and `cascade run` as a child process. */
int bench_equity_day(const BenchArgs *args);
int bench_equity_day_x5(const BenchArgs *args);
int bench_baseline_day(const BenchArgs *args);
int bench_scale(const BenchArgs *args);
int bench_mark(const BenchArgs *args);

#endif
