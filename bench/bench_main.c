/* cascade-bench: micro-benchmarks as named scenarios.
 *
 *   cascade-bench list                                   the scenarios
 *   cascade-bench NAME [--ops N] [--repeats R] [--seed S] [--quick] [--out DIR]
 *
 * Exit status: 0 when every repeat produced the same, rechecked results; 1 on a mismatch; 2 on bad arguments.
 * Add a scenario: write int bench_x(const BenchArgs *) in its own file and add a row to SCENARIOS. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const BenchScenario SCENARIOS[] = {
    {"book", "limit order book: adds near the touch, cancels, sweeps of 1-5 levels (default 10^7 ops)", bench_book},
    {"chase", "dependent random pointer chase over 64-byte lines: the memory-latency floor", bench_chase},
    {"alu", "a multiply-add chain and eight xorshift streams in registers: the core's speed without memory", bench_alu},
    {"equity_day", "ABIDES rmsc04-like 6.5 h session (experiments/bench/equity_day.json): msgs/s, process time, RSS",
     bench_equity_day},
    {"equity_day_x5", "equity_day with five times every population", bench_equity_day_x5},
    {"baseline_day", "experiments/baseline.json for 24 simulated hours: events/s, msgs/s, process time, RSS",
     bench_baseline_day},
    {"scale", "baseline with 10^3..10^6 retail agents (2 h each): s per sim hour, events/s, RSS, bytes/agent; "
              "scale.dat + scale.png in --out DIR", bench_scale},
    {"mark_update", "one perp mark update with N = 10^3..10^6 isolated positions, none crossed (flat in N?)",
     bench_mark},
};
#define SCENARIO_COUNT (sizeof SCENARIOS / sizeof SCENARIOS[0])

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_median_min(double *v, int n, double *median, double *min)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    *min = v[0];
    *median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

uint64_t bench_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: cascade-bench list | cascade-bench NAME [--ops N] [--repeats R] [--seed S] [--quick] "
               "[--out DIR]\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "list") == 0) {
        for (size_t i = 0; i < SCENARIO_COUNT; i++) printf("%-14s %s\n", SCENARIOS[i].name, SCENARIOS[i].summary);
        return 0;
    }
    const BenchScenario *sc = NULL;
    for (size_t i = 0; i < SCENARIO_COUNT; i++)
        if (strcmp(argv[1], SCENARIOS[i].name) == 0) sc = &SCENARIOS[i];
    if (!sc) {
        fprintf(stderr, "cascade-bench: unknown scenario '%s' (try: cascade-bench list)\n", argv[1]);
        return 2;
    }
    BenchArgs a = {0, 5, 42, 0, NULL};
    for (int i = 2; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--quick") == 0) {
            a.quick = 1;
            continue;
        }
        if (i + 1 >= argc) {
            usage(stderr);
            return 2;
        }
        if (strcmp(argv[i], "--out") == 0) {
            a.out_dir = argv[++i];
            continue;
        }
        long long v = strtoll(argv[i + 1], &end, 10);
        if (!end || *end || v <= 0) {
            fprintf(stderr, "cascade-bench: %s needs a positive integer, got '%s'\n", argv[i], argv[i + 1]);
            return 2;
        }
        if (strcmp(argv[i], "--ops") == 0) a.ops = v;
        else if (strcmp(argv[i], "--repeats") == 0 && v <= 1000) a.repeats = (int)v;
        else if (strcmp(argv[i], "--seed") == 0) a.seed = (uint64_t)v;
        else {
            usage(stderr);
            return 2;
        }
        i++;
    }
    return sc->run(&a);
}
