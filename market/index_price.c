/* Index price: median / weighted mean of spot sources with Binance's outlier guard. See index_price.h and
 * docs/prices.md. Sorting is an insertion sort over at most INDEX_MAX_SOURCES values. */
#include "index_price.h"

#include "cascade_assert.h"

IndexDef index_default_def(void)
{
    IndexDef d = {0};
    d.method = INDEX_MEDIAN;
    d.source = INDEX_SOURCE_MID;
    d.source_count = 1;
    d.weights[0] = 1;
    d.guard_bps = 500;
    d.stale_after = 0;
    return d;
}

Status index_def_validate(const IndexDef *def)
{
    if (def == NULL) return STATUS_INVALID;
    if ((int)def->method < 0 || def->method >= INDEX_METHOD_COUNT_) return STATUS_INVALID;
    if ((int)def->source < 0 || def->source >= INDEX_SOURCE_COUNT_) return STATUS_INVALID;
    if (def->source_count < 1 || def->source_count > INDEX_MAX_SOURCES) return STATUS_INVALID;
    int64_t total = 0;
    for (uint32_t i = 0; i < def->source_count; i++) {
        if (def->weights[i] < 0) return STATUS_INVALID;
        if (!money_add(total, def->weights[i], &total)) return STATUS_INVALID;
    }
    if (total == 0) return STATUS_INVALID;
    if (def->guard_bps < 0 || def->stale_after < 0) return STATUS_INVALID;
    return STATUS_OK;
}

/* Mean of two positive prices rounded half to even; the sum cannot overflow for prices below 2^62 (asserted). */
static Ticks index__mean2(Ticks a, Ticks b)
{
    int64_t sum = 0;
    CASCADE_ASSERT(money_add(a, b, &sum));
    return money_div(sum, 2, ROUND_HALF_EVEN);
}

static uint32_t index__sorted_positive(const Ticks *prices, uint32_t count, Ticks *out)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < count; i++) {
        Ticks p = prices[i];
        if (p <= 0) continue;
        uint32_t j = n++;
        while (j > 0 && out[j - 1] > p) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = p;
    }
    return n;
}

Ticks index_median(const Ticks *prices, uint32_t count)
{
    CASCADE_ASSERT(count <= INDEX_MAX_SOURCES);
    Ticks sorted[INDEX_MAX_SOURCES];
    uint32_t n = index__sorted_positive(prices, count, sorted);
    if (n == 0) return 0;
    if (n % 2u == 1u) return sorted[n / 2u];
    return index__mean2(sorted[n / 2u - 1u], sorted[n / 2u]);
}

Ticks index_compute(const IndexDef *def, const Ticks *prices, const SimTime *updated_at, SimTime now)
{
    CASCADE_ASSERT(def != NULL && prices != NULL);
    CASCADE_ASSERT(def->source_count >= 1 && def->source_count <= INDEX_MAX_SOURCES);
    uint32_t n = def->source_count;

    /* Available prices: positive and, when asked, fresh. */
    Ticks p[INDEX_MAX_SOURCES];
    for (uint32_t i = 0; i < n; i++) {
        p[i] = prices[i] > 0 ? prices[i] : 0;
        if (p[i] > 0 && updated_at != NULL && def->stale_after > 0) {
            /* An update stamped in the future counts as fresh. */
            if (updated_at[i] <= now && now - updated_at[i] > def->stale_after) p[i] = 0;
        }
    }

    Ticks median = index_median(p, n);
    if (median == 0 || def->method == INDEX_MEDIAN) return median;
    CASCADE_ASSERT(def->method == INDEX_WEIGHTED_MEAN);

    /* Guard: |p - median| * 10000 > guard_bps * median  <=>  deviation strictly above guard_bps. */
    uint32_t deviating = 0;
    bool excluded[INDEX_MAX_SOURCES] = {false};
    if (def->guard_bps > 0) {
        for (uint32_t i = 0; i < n; i++) {
            if (p[i] == 0) continue;
            int64_t dev = p[i] > median ? p[i] - median : median - p[i];
            int64_t lhs = 0, rhs = 0;
            CASCADE_ASSERT(money_mul(dev, 10000, &lhs));
            CASCADE_ASSERT(money_mul(median, def->guard_bps, &rhs));
            if (lhs > rhs) {
                excluded[i] = true;
                deviating++;
            }
        }
        if (deviating > 1) return median;
    }

    int64_t num = 0, den = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] == 0 || excluded[i]) continue;
        int64_t w = def->weights[i];
        CASCADE_ASSERT(w >= 0);
        int64_t term = 0;
        CASCADE_ASSERT(money_mul(p[i], w, &term));
        CASCADE_ASSERT(money_add(num, term, &num));
        CASCADE_ASSERT(money_add(den, w, &den));
    }
    if (den == 0) return median; /* every available source has weight 0: fall back to the median */
    return money_div(num, den, ROUND_HALF_EVEN);
}

Ticks index_source_price(const Book *book, IndexSource kind)
{
    CASCADE_ASSERT(book != NULL);
    Ticks last = book_last_price(book);
    if (kind == INDEX_SOURCE_LAST && last > 0) return last;
    CASCADE_ASSERT(kind == INDEX_SOURCE_LAST || kind == INDEX_SOURCE_MID);
    Ticks bid = book_best_bid(book);
    Ticks ask = book_best_ask(book);
    if (bid > 0 && ask > 0) return index__mean2(bid, ask);
    if (bid > 0) return last > bid ? last : bid;
    if (ask > 0) return (last > 0 && last < ask) ? last : ask;
    return last;
}
