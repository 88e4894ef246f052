/* The kernel demo (`cascade demo`): zero-intelligence order flow on one order book, on the 24/7 clock.
 *
 * It exercises the foundation end to end -- event queue, seeded random streams, intensity profile, the book and
 * atomic outputs -- before agents exist. Orders arrive as a Poisson process thinned by an hour-of-day and weekend
 * profile; each is a limit order at a random distance behind the touch, a market order, or a cancel of a random
 * resting order (in the spirit of Smith, Farmer et al. 2003). Outputs: bars.csv (1-minute bars) and summary.json;
 * both are byte-identical for the same arguments. Replaced by `cascade run` with the agent populations. */
#ifndef CASCADE_DEMO_H
#define CASCADE_DEMO_H

#include "money.h"
#include "simtime.h"
#include "status.h"

#include <stdint.h>

typedef struct DemoDef {
    uint64_t seed;
    SimTime start;
    SimDuration duration;
    Ticks initial_price_tk;   /* reference price of an empty book */
    double tick_size;         /* quote currency per tick, for the human-readable columns */
    double limit_rate_hz;     /* limit orders per second at intensity 1 */
    double market_rate_hz;    /* market orders per second at intensity 1 */
    double cancel_rate_hz;    /* cancels per second per resting order, at intensity 1 */
    double mean_offset_ticks; /* mean distance of a limit order behind the opposite best */
    double size_median_lots;  /* order sizes are lognormal with this median ... */
    double size_sigma;        /* ... and this log-sd */
    const char *out_dir;      /* NULL: no files */
} DemoDef;

typedef struct DemoReport {
    uint64_t events;
    uint64_t limits, markets, cancels;
    uint64_t fills;
    Lots volume;
    Ticks last_tk, low_tk, high_tk;
    uint32_t resting_orders;
    double wall_seconds;
} DemoReport;

/* Defaults: seed 1, 2025-10-10T00:00:00Z for 24h, BTC-like price 100,000.0 at tick 0.1. */
DemoDef demo_default_def(void);
/* Runs the demo; checks the book's invariants and lot conservation at the end (STATUS_INVALID if broken, with the
 * reason in why). STATUS_IO when outputs cannot be written (nothing half-written is left). */
Status demo_run(const DemoDef *def, DemoReport *report, char *why, size_t why_cap);

#endif
