/* Index price of a perpetual venue: the median or weighted mean of several spot prices (MODEL.md 3.2, 3.4;
 * LITERATURE.md C3). Formulas, rounding and sources: docs/prices.md.
 *
 * The index is venue state, so it is exact integer arithmetic: prices are Ticks (> 0; 0 = source unavailable),
 * weights are non-negative integers, every division rounds half to even. No state is kept here: the venue calls
 * index_compute on its schedule and keeps the previous index when the result is 0 (no source available).
 *
 *   INDEX_MEDIAN         median of the available sources (weights ignored); an even count takes the mean of the
 *                        two middle values, rounded half to even.
 *   INDEX_WEIGHTED_MEAN  sum(w_i p_i) / sum(w_i) over the available sources, rounded half to even. With the guard
 *                        on (guard_bps > 0), Binance's rule: a source deviating more than guard_bps from the median
 *                        gets weight 0; if more than one deviates, the index is the median.
 *
 * Staleness (optional): a source whose last update is older than stale_after is treated as unavailable. */
#ifndef CASCADE_INDEX_PRICE_H
#define CASCADE_INDEX_PRICE_H

#include "book.h"
#include "money.h"
#include "simtime.h"
#include "status.h"

#include <stdint.h>

#define INDEX_MAX_SOURCES 16

typedef enum IndexMethod {
    INDEX_MEDIAN = 0,
    INDEX_WEIGHTED_MEAN,
    INDEX_METHOD_COUNT_
} IndexMethod;

/* Which price of a spot book a source contributes. */
typedef enum IndexSource {
    INDEX_SOURCE_MID = 0,  /* (best bid + best ask) / 2, rounded half to even */
    INDEX_SOURCE_LAST,     /* last trade price */
    INDEX_SOURCE_COUNT_
} IndexSource;

typedef struct IndexDef {
    IndexMethod method;
    IndexSource source;        /* what the venue reads from each spot book (index_source_price) */
    uint32_t source_count;     /* 1..INDEX_MAX_SOURCES */
    int64_t weights[INDEX_MAX_SOURCES]; /* >= 0, not all 0; used by INDEX_WEIGHTED_MEAN only */
    int32_t guard_bps;         /* weighted mean: outlier guard in basis points of the median; 0 = off */
    SimDuration stale_after;   /* > 0: sources not updated for longer are unavailable; 0 = never stale */
} IndexDef;

/* INDEX_MEDIAN of one mid-price source, weight 1, guard 500 bps (Binance's 5 %), never stale. */
IndexDef index_default_def(void);
/* STATUS_OK, or STATUS_INVALID (bad method/source, source_count outside 1..16, a negative weight, all weights 0,
 * guard_bps < 0, stale_after < 0). */
Status index_def_validate(const IndexDef *def);

/* The index from def->source_count prices (0 = unavailable). updated_at may be NULL (no staleness check); otherwise
 * source i is unavailable when def->stale_after > 0 and now - updated_at[i] > stale_after. Returns 0 when no source
 * is available (the caller keeps its previous index). */
Ticks index_compute(const IndexDef *def, const Ticks *prices, const SimTime *updated_at, SimTime now);

/* Median of the positive entries of prices[0..count) (zeros skipped), even count: mean of the two middle values
 * rounded half to even; 0 when none is positive. count <= INDEX_MAX_SOURCES. */
Ticks index_median(const Ticks *prices, uint32_t count);

/* The spot price a book contributes. MID: both sides -> (bid + ask) / 2 rounded half to even; one side empty -> the
 * last trade price clamped to the side that exists (max(last, bid) or min(last, ask)), or that side's best price
 * when there was no trade; both sides empty -> the last trade price. LAST: the last trade price, or the MID rule
 * before the first trade. 0 when nothing is known. */
Ticks index_source_price(const Book *book, IndexSource kind);

#endif
