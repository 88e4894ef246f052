/* Scenario `alu`: the core's own speed, without memory. Two loops on registers only: a dependent multiply-add chain
 * (one 64-bit multiply's latency per step) and eight independent xorshift streams (the core's integer throughput).
 * Together with `chase` it tells the host's states apart: the event loop slowed by ~1.5x at times on this VM while
 * both read the same (bench/README.md, "the host's slow state"). --ops sets the steps per loop (default 2*10^7). */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>

int bench_alu(const BenchArgs *args)
{
    int64_t steps = args->quick ? 100000 : args->ops > 0 ? args->ops : 20000000;
    double *chain = malloc((size_t)args->repeats * sizeof *chain);
    double *streams = malloc((size_t)args->repeats * sizeof *streams);
    if (!chain || !streams) {
        free(chain);
        free(streams);
        return 1;
    }
    uint64_t x = args->seed | 1u, s[8];
    for (int k = 0; k < 8; k++) s[k] = bench_rand(&x) | 1u;
    for (int r = 0; r < args->repeats; r++) {
        double t0 = bench_now();
        for (int64_t i = 0; i < steps; i++) x = x * 6364136223846793005ull + 1442695040888963407ull;
        double t1 = bench_now();
        for (int64_t i = 0; i < steps; i++)
            for (int k = 0; k < 8; k++) { /* the compiler keeps the eight in registers: no loads in the loop */
                s[k] ^= s[k] << 13;
                s[k] ^= s[k] >> 7;
                s[k] ^= s[k] << 17;
            }
        double t2 = bench_now();
        chain[r] = 1e9 * (t1 - t0) / (double)steps;
        streams[r] = 1e9 * (t2 - t1) / (double)steps;
    }
    uint64_t sink = x;
    for (int k = 0; k < 8; k++) sink ^= s[k];
    double cm, cmin, sm, smin;
    bench_median_min(chain, args->repeats, &cm, &cmin);
    bench_median_min(streams, args->repeats, &sm, &smin);
    printf("alu: %lld steps, %d repeats (%016llx)\n", (long long)steps, args->repeats, (unsigned long long)sink);
    printf("alu: multiply-add chain  median %6.3f ns/step  min %6.3f\n", cm, cmin);
    printf("alu: 8 xorshift streams  median %6.3f ns/step  min %6.3f\n", sm, smin);
    free(chain);
    free(streams);
    return 0;
}
