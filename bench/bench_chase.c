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

int bench_chase(const BenchArgs *args)
{
    static const size_t SIZES_KB[] = {16, 256, 1024, 4096, 32768, 262144};
    int64_t steps = args->ops > 0 ? args->ops : 20000000;
    uint64_t s = args->seed;
    printf("chase: %lld dependent loads per working set, median and min over %d repeats\n", (long long)steps,
           args->repeats);
    for (size_t k = 0; k < sizeof SIZES_KB / sizeof SIZES_KB[0]; k++) {
        size_t n = SIZES_KB[k] * 1024u / sizeof(Line);
        Line *lines = malloc(n * sizeof *lines);
        size_t *perm = malloc(n * sizeof *perm);
        double *ns = malloc((size_t)args->repeats * sizeof *ns);
        if (!lines || !perm || !ns) {
            free(lines);
            free(perm);
            free(ns);
            return 1;
        }
        for (size_t i = 0; i < n; i++) perm[i] = i;
        for (size_t i = n - 1; i > 0; i--) { /* Sattolo: one cycle through all lines */
            size_t j = (size_t)(bench_rand(&s) % i);
            size_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (size_t i = 0; i < n; i++) lines[perm[i]].next = &lines[perm[(i + 1) % n]];
        Line *p = &lines[0];
        for (size_t i = 0; i < n; i++) p = p->next; /* warm */
        for (int r = 0; r < args->repeats; r++) {
            double t0 = bench_now();
            for (int64_t i = 0; i < steps; i++) p = p->next;
            ns[r] = 1e9 * (bench_now() - t0) / (double)steps;
        }
        double med, mn;
        bench_median_min(ns, args->repeats, &med, &mn);
        printf("chase: %8zu KB  median %6.2f ns/load  min %6.2f ns/load  (%p)\n", SIZES_KB[k], med, mn, (void *)p);
        free(lines);
        free(perm);
        free(ns);
    }
    return 0;
}
