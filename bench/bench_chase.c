/* Scenario `chase`: the memory-latency floor. A single random cycle (Sattolo's algorithm) over N 64-byte lines is
 * followed with dependent loads, so every step is one cache or DRAM latency; reported in ns per load for working
 * sets from L1 to well past L3. The book's own hot set (order slots, two level windows, bitmaps) is a few hundred
 * KB, so its random accesses cost about the L2 figure. --ops sets the loads per working set (default 2*10^7). */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct Line {
    struct Line *next;
    char pad[56];
} Line;

struct BenchChase {
    Line *lines;
    size_t n;
    Line *at; /* where the walk stands: each walk continues the last, so the lines stay in whatever cache holds them */
};

double bench_chase_ns(BenchChase *c, int64_t steps)
{
    Line *p = c->at;
    double t0 = bench_now();
    for (int64_t i = 0; i < steps; i++) p = p->next;
    double ns = 1e9 * (bench_now() - t0) / (double)(steps > 0 ? steps : 1);
    c->at = p; /* a data dependence on the walk, so the compiler keeps it */
    return ns;
}

BenchChase *bench_chase_new(size_t bytes, uint64_t seed)
{
    size_t n = bytes / sizeof(Line);
    if (n < 2) n = 2;
    BenchChase *c = malloc(sizeof *c);
    Line *lines = malloc(n * sizeof *lines);
    size_t *perm = malloc(n * sizeof *perm);
    if (!c || !lines || !perm) {
        free(c);
        free(lines);
        free(perm);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) perm[i] = i;
    for (size_t i = n - 1; i > 0; i--) { /* Sattolo: one cycle through all lines */
        size_t j = (size_t)(bench_rand(&seed) % i);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t i = 0; i < n; i++) lines[perm[i]].next = &lines[perm[(i + 1) % n]];
    free(perm);
    c->lines = lines;
    c->n = n;
    c->at = &lines[0];
    bench_chase_ns(c, (int64_t)n); /* warm */
    return c;
}

double bench_host_probe_ns(BenchChase *c)
{
    bench_chase_ns(c, (int64_t)c->n); /* back into whatever cache will hold it after other work evicted it */
    return bench_chase_ns(c, BENCH_PROBE_STEPS);
}

void bench_chase_free(BenchChase *c)
{
    if (!c) return;
    free(c->lines);
    free(c);
}

int bench_chase(const BenchArgs *args)
{
    static const size_t SIZES_KB[] = {16, 256, 1024, 4096, 32768, 262144};
    int64_t steps = args->ops > 0 ? args->ops : 20000000;
    printf("chase: %lld dependent loads per working set, median and min over %d repeats\n", (long long)steps,
           args->repeats);
    for (size_t k = 0; k < sizeof SIZES_KB / sizeof SIZES_KB[0]; k++) {
        BenchChase *c = bench_chase_new(SIZES_KB[k] * 1024u, args->seed);
        double *ns = malloc((size_t)args->repeats * sizeof *ns);
        if (!c || !ns) {
            bench_chase_free(c);
            free(ns);
            return 1;
        }
        for (int r = 0; r < args->repeats; r++) ns[r] = bench_chase_ns(c, steps);
        double med, mn;
        bench_median_min(ns, args->repeats, &med, &mn);
        printf("chase: %8zu KB  median %6.2f ns/load  min %6.2f ns/load  (%p)\n", SIZES_KB[k], med, mn, (void *)c->at);
        bench_chase_free(c);
        free(ns);
    }
    return 0;
}
