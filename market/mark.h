/* Mark price of a perpetual venue (MODEL.md 3.4; LITERATURE.md C3). Formulas and rounding: docs/prices.md.
 *
 *   MARK_LAST             the perp's last trade price
 *   MARK_INDEX            the index
 *   MARK_INDEX_EMA_BASIS  index + EMA(perp mid - index)   (Hyperliquid's component (1); OKX)
 *   MARK_MEDIAN3          median(P1, P2, last)            (Binance)
 *                         P1 = index * (1 + last funding rate * until_funding / interval)   (BitMEX fair price)
 *                         P2 = index + EMA(perp mid - index)
 *
 * The EMA basis is integer fixed point (MARK_BASIS_SCALE units per tick) updated at every mark_update that has both
 * an index and a perp mid, with the backward-Euler step of de/dt = (x - e) / tau over the actual elapsed time dt:
 *     e' = e + (x - e) * dt / (tau + dt)        rounded half to even, in fixed point
 * (alpha = dt / (tau + dt): exact in integers, 0 < alpha < 1 for any dt > 0, -> dt/tau for small steps; the first
 * sample initialises e = x). Deterministic: the same sequence of calls gives the same bits on every platform.
 *
 * Missing inputs are 0 (no index, no mid, no trade yet). mark_update keeps the previous mark when the method cannot
 * produce a positive price, so once the mark has a value it never returns <= 0. */
#ifndef CASCADE_MARK_H
#define CASCADE_MARK_H

#include "money.h"
#include "simtime.h"
#include "status.h"

#include <stdbool.h>
#include <stdint.h>

/* Fixed-point units of the EMA basis per tick (1e-6 tick resolution). */
#define MARK_BASIS_SCALE INT64_C(1000000)
/* Rates are in units of 1e-8 (rate_e8). */
#define MARK_RATE_ONE_E8 INT64_C(100000000)

typedef enum MarkMethod {
    MARK_LAST = 0,
    MARK_INDEX,
    MARK_INDEX_EMA_BASIS,
    MARK_MEDIAN3,
    MARK_METHOD_COUNT_
} MarkMethod;

typedef struct MarkDef {
    MarkMethod method;
    SimDuration ema_tau;   /* EMA time constant of the basis (> 0); Hyperliquid 150 s */
} MarkDef;

typedef struct MarkState {
    MarkDef def;
    Ticks mark_tk;         /* current mark; 0 before the first successful update */
    int64_t basis_fp;      /* EMA of (perp mid - index), MARK_BASIS_SCALE units per tick */
    bool has_basis;        /* basis_fp holds at least one sample */
    SimTime basis_time;    /* time of the last basis sample */
    SimTime last_update;   /* time of the last mark_update call */
    Ticks p1_tk;           /* MEDIAN3 components of the last update (0 = unavailable); for reports and tests */
    Ticks p2_tk;
} MarkState;

/* MARK_MEDIAN3 (Binance), tau 150 s. */
MarkDef mark_default_def(void);
/* STATUS_OK, or STATUS_INVALID for an unknown method or ema_tau <= 0. */
Status mark_def_validate(const MarkDef *def);
/* An empty state (no mark, no basis) for a valid def (asserted). */
void mark_init(MarkState *st, const MarkDef *def);

/* Updates the EMA basis (when index > 0 and perp_mid > 0) and returns the new mark, or the previous one when the
 * method's inputs are missing (0 before any mark). now must not go backwards (asserted). until_funding is clamped
 * to [0, interval]; interval > 0 is needed by MARK_MEDIAN3 only. See the file comment for each method's fallbacks. */
Ticks mark_update(MarkState *st, SimTime now, Ticks index, Ticks perp_mid, Ticks last, int64_t last_funding_rate_e8,
                  SimDuration until_funding, SimDuration interval);

/* The current mark (0 before the first). */
Ticks mark_price(const MarkState *st);
/* The EMA basis rounded half to even to whole ticks (0 before the first sample). */
Ticks mark_basis_ticks(const MarkState *st);
/* One EMA step in fixed point: e + (x - e) * dt / (tau + dt) rounded half to even; dt <= 0 returns e. */
int64_t mark_ema_step(int64_t e_fp, int64_t x_fp, SimDuration dt, SimDuration tau);
/* P1 = index + index * fb / 1e8 with fb = round(rate_e8 * until / interval), both roundings half to even (the
 * funding basis is kept at the 1e-8 resolution venues display). interval > 0, 0 <= until <= interval. */
Ticks mark_funding_basis_price(Ticks index, int64_t rate_e8, SimDuration until, SimDuration interval);

#endif
