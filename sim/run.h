/* One experiment run, headless: build the world from a definition, run it, record the outputs of MODEL.md
 * section 5 and check conservation. Used by `cascade run`, by sweeps later, and by the tests. File formats:
 * docs/outputs.md.
 *
 * Outputs (one folder, every file written under a temporary name and renamed when complete):
 *   summary.json      resolved config and its hash, seed, version, events, invariants verdict, drawdown,
 *                     liquidations by side and agent type, insurance fund, ADL, bad debt, backlog, halts,
 *                     cascades, risk metrics and stylized facts of 1-minute returns
 *   timeseries.csv    one row per sample step (default 1 s)
 *   liquidations.csv  one row per liquidation
 *   trades.csv        one row per trade on either venue (optional)
 *   timing.json       wall time and rates: the only output that differs between two runs of the same definition */
#ifndef CASCADE_RUN_H
#define CASCADE_RUN_H

#include "metrics.h"
#include "world.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct RunOptions {
    const char *out_dir;          /* NULL: run without writing files (tests, benchmarks) */
    const char *config_json;      /* the resolved config (canonical JSON) embedded in summary.json; may be NULL */
    uint64_t config_hash;
    const char *version;
    /* Called about every simulated minute with the fraction done (progress bars); may be NULL. */
    void (*progress)(void *ctx, SimTime now, double fraction, uint64_t events);
    void *progress_ctx;
} RunOptions;

typedef struct CascadeStats {
    uint32_t cascades;            /* cascade ids with at least one liquidation of generation >= 1 */
    uint32_t cascade_ids;         /* all cascade ids (every generation-0 liquidation opens one) */
    double largest_notional_usd;  /* of one cascade (sum over its liquidations, at trigger mark) */
    int32_t deepest_generation;
    double longest_duration_s;    /* first to last trigger of one cascade */
} CascadeStats;

typedef struct RunReport {
    bool conserved;               /* world_check at the end */
    char invariant_message[256];
    uint64_t events;
    double wall_s;
    double start_price_usd, end_price_usd, min_price_usd, max_price_usd;
    double max_drawdown;          /* of the per-second mark */
    uint64_t liquidations;
    uint64_t liquidations_by_side[2];
    double liq_notional_usd_by_side[2];
    uint64_t liquidations_by_pop[WORLD_POPULATIONS];
    double liq_notional_usd_by_pop[WORLD_POPULATIONS];
    uint64_t adl_events;
    double adl_notional_usd;
    double bad_debt_usd;
    double fund_start_usd, fund_min_usd, fund_end_usd;
    uint32_t backlog_peak_items;
    double backlog_peak_notional_usd;
    uint64_t halts;
    double mean_open_interest_usd;  /* open interest (one side) at the mark, averaged over the per-second steps */
    double liq_per_day_of_oi;       /* liquidated notional / mean open interest / run length in days (0 without OI) */
    CascadeStats cascades;
    MetricsSummary minute;        /* 1-minute mark returns */
    uint64_t perp_fills, spot_fills, submissions, cancels;
} RunReport;

/* Runs def to its end. STATUS_INVALID (why filled) for a definition the world refuses, STATUS_IO when an output
 * cannot be written (nothing is left half-written). A failed conservation check is reported in rep->conserved and
 * in summary.json, and returns STATUS_INVALID after the outputs are written. */
Status run_experiment(const WorldDef *def, const RunOptions *opt, RunReport *rep, char *why, size_t why_cap);

#endif
