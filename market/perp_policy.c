/* Policy switches of the perpetual venue (MODEL.md 3.6; LITERATURE.md C8): circuit breaker with a reopening call
 * auction, price bands on order entry, dynamic maintenance margin. Mechanics: docs/perp.md.
 *
 * Circuit breaker: the highest and lowest trade price within cb_window are kept in two monotonic deques (O(1)
 * amortised per trade). A trade more than cb_move_bps away from either trips the breaker; the venue halts after the
 * book call that produced the trade returns (a sweep in progress is not cut), keeps the book in call-auction mode
 * for cb_halt, then uncrosses at the single price that maximises matched volume (book_uncross, reference = mark).
 * While halted, the liquidation engine waits (its backlog grows) and IOC/market orders are rejected by the book.
 *
 * Dynamic maintenance margin: every dyn_review the venue forms a factor f >= 1 from the realized volatility of
 * mark returns (per update, ppm) and/or from crowding (the share of open interest whose isolated liquidation
 * price lies within dyn_crowd_band_bps of the mark), quantises it to dyn_step_ppm, and when it changes rebuilds the
 * tier table with every rate scaled by f and the maintenance amounts recomputed for continuity (the maximum
 * leverage of a tier drops where rate x leverage would reach 1). The ledger then recomputes every isolated
 * liquidation price (O(n log n), only when the quantised factor changes) and the mark is checked at once. */
#include "perp_internal.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <math.h>
#include <string.h>

/* ---- growable ring deque ---- */

Status deque_push_back(Deque *d, WindowEntry e)
{
    if (d->count == d->cap) {
        uint32_t cap = d->cap ? d->cap * 2u : 32u;
        WindowEntry *n = mem_alloc((size_t)cap * sizeof *n);
        if (!n) return STATUS_NOMEM;
        for (uint32_t i = 0; i < d->count; i++) n[i] = d->e[(d->head + i) % d->cap];
        mem_free(d->e);
        d->e = n;
        d->cap = cap;
        d->head = 0;
    }
    d->e[(d->head + d->count) % d->cap] = e;
    d->count++;
    return STATUS_OK;
}

void deque_fini(Deque *d)
{
    mem_free(d->e);
    memset(d, 0, sizeof *d);
}

WindowEntry *deque_front(Deque *d) { return &d->e[d->head]; }
WindowEntry *deque_back(Deque *d) { return &d->e[(d->head + d->count - 1u) % d->cap]; }

void deque_pop_front(Deque *d)
{
    d->head = (d->head + 1u) % d->cap;
    d->count--;
}

void deque_pop_back(Deque *d) { d->count--; }

/* ---- circuit breaker ---- */

void perp__cb_on_trade(PerpVenue *p, Ticks price)
{
    const PerpPolicyDef *q = &p->def.policy;
    if (q->cb_move_bps == 0 || p->halted) return;
    SimTime from = p->now - q->cb_window;
    while (p->cb_max.count && deque_front(&p->cb_max)->time < from) deque_pop_front(&p->cb_max);
    while (p->cb_min.count && deque_front(&p->cb_min)->time < from) deque_pop_front(&p->cb_min);
    while (p->cb_max.count && deque_back(&p->cb_max)->value <= price) deque_pop_back(&p->cb_max);
    while (p->cb_min.count && deque_back(&p->cb_min)->value >= price) deque_pop_back(&p->cb_min);
    WindowEntry e = {p->now, price, 0};
    CASCADE_ASSERT(deque_push_back(&p->cb_max, e) == STATUS_OK);
    CASCADE_ASSERT(deque_push_back(&p->cb_min, e) == STATUS_OK);
    Ticks hi = deque_front(&p->cb_max)->value, lo = deque_front(&p->cb_min)->value;
    /* (hi - price) / hi > X  <=>  (hi - price) x 10^4 > X_bps x hi; prices < 2^40 keep this in int64. */
    if ((hi - price) * 10000 > (Quote)q->cb_move_bps * hi || (price - lo) * 10000 > (Quote)q->cb_move_bps * lo)
        p->cb_tripped = true;
}

void perp__cb_reset(PerpVenue *p)
{
    p->cb_max.count = p->cb_max.head = 0;
    p->cb_min.count = p->cb_min.head = 0;
}

void perp__halt_end(PerpVenue *p)
{
    Ticks ref = mark_price(&p->mark) > 0 ? mark_price(&p->mark) : book_last_price(p->book);
    Status s = book_uncross(p->book, ref, NULL);
    CASCADE_ASSERT(s == STATUS_OK);
    p->halted = false;
    p->halt_until = SIMTIME_MAX;
    perp__due_changed(p);
    p->cb_tripped = false;
    perp__cb_reset(p); /* the reopening price is the new reference */
    if (p->item_count) {
        p->next_engine = p->now;
        perp__due_changed(p);
    }
}

/* ---- price bands ---- */

bool perp__band_rejects(const PerpVenue *p, const VenueReq *req)
{
    int32_t band = p->def.policy.price_band_bps;
    Ticks m = mark_price(&p->mark);
    if (band == 0 || m <= 0) return false;
    if (req->type != ORDER_LIMIT && req->type != ORDER_IOC && req->type != ORDER_POST_ONLY) return false;
    Ticks w = money_bps(m, band, ROUND_FLOOR);
    return req->price_tk < m - w || req->price_tk > m + w;
}

/* ---- dynamic maintenance margin ---- */

void perp__vol_on_mark(PerpVenue *p, Ticks m)
{
    DynMmrMode mode = p->def.policy.dyn_mmr;
    if (mode != DYN_MMR_VOLATILITY && mode != DYN_MMR_BOTH) return;
    if (!p->vol_ring) {
        int64_t n = p->def.policy.dyn_vol_window / p->def.mark_period;
        p->vol_cap = (uint32_t)(n < 1 ? 1 : n > 1000000 ? 1000000 : n);
        p->vol_ring = mem_calloc(p->vol_cap, sizeof *p->vol_ring);
        CASCADE_ASSERT(p->vol_ring != NULL);
    }
    if (p->vol_last_mark > 0) {
        int64_t r = 0;
        CASCADE_ASSERT(money_mul_div(m - p->vol_last_mark, 1000000, p->vol_last_mark, ROUND_HALF_EVEN, &r));
        if (r > 1000000) r = 1000000; /* a > 100 % jump in one update counts as 100 % */
        int64_t sq = r * r;
        if (p->vol_count == p->vol_cap) {
            p->vol_sum -= p->vol_ring[p->vol_head];
            p->vol_ring[p->vol_head] = sq;
            p->vol_head = (p->vol_head + 1u) % p->vol_cap;
        } else {
            p->vol_ring[(p->vol_head + p->vol_count) % p->vol_cap] = sq;
            p->vol_count++;
        }
        p->vol_sum += sq;
    }
    p->vol_last_mark = m;
}

/* Lots of isolated positions on one side whose liquidation price a mark at `probe` would cross. */
static Lots crowded_lots(PerpVenue *p, Ticks probe, Side side)
{
    uint32_t n = liqindex_collect_crossed(ledger_liqindex(&p->ledger), probe, p->scratch, p->acct_cap);
    Lots sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        Lots q = ledger_qty(&p->ledger, p->scratch[i]);
        if ((side == SIDE_BUY) == (q > 0)) sum += q > 0 ? q : -q;
    }
    return sum;
}

static int64_t volatility_factor(const PerpVenue *p)
{
    const PerpPolicyDef *q = &p->def.policy;
    if (p->vol_count == 0) return 1000000;
    double vol = sqrt((double)p->vol_sum / (double)p->vol_count); /* ppm per mark update */
    double excess = vol / (double)q->dyn_vol_ref_ppm - 1.0;
    if (excess <= 0) return 1000000;
    return 1000000 + (int64_t)floor((double)q->dyn_vol_slope_ppm * excess);
}

static int64_t crowding_factor(PerpVenue *p)
{
    const PerpPolicyDef *q = &p->def.policy;
    Ticks m = mark_price(&p->mark);
    Lots oi = ledger_oi_long(&p->ledger);
    if (m <= 0 || oi == 0) return 1000000;
    Ticks w = money_bps(m, q->dyn_crowd_band_bps, ROUND_FLOOR);
    Lots longs = crowded_lots(p, m - w > 1 ? m - w : 1, SIDE_BUY);
    Lots shorts = crowded_lots(p, m + w, SIDE_SELL);
    Lots near = longs > shorts ? longs : shorts;
    int64_t share = 0;
    CASCADE_ASSERT(money_mul_div(near, 1000000, oi, ROUND_FLOOR, &share));
    if (share <= q->dyn_crowd_ref_ppm) return 1000000;
    int64_t add = 0;
    if (!money_mul_div(share - q->dyn_crowd_ref_ppm, q->dyn_crowd_slope_ppm, 1000000, ROUND_FLOOR, &add)) return INT64_MAX;
    return 1000000 + add;
}

/* The base table with every rate scaled by f (ppm); STATUS_INVALID when the scaled table is not exactly
 * continuous in integers (then the venue keeps the table it has). */
static Status scaled_table(const MarginTable *base, int64_t f, MarginTable *out)
{
    *out = *base;
    for (int32_t i = 0; i < out->count; i++) {
        MarginTier *t = &out->tiers[i];
        int64_t r = 0;
        if (!money_mul_div(base->tiers[i].mmr_ppm, f, 1000000, ROUND_CEIL, &r) || r >= MARGIN_PPM) r = MARGIN_PPM - 1;
        t->mmr_ppm = r;
        int64_t lev_cap = (MARGIN_PPM - 1) / (r > 0 ? r : 1);
        if (t->max_leverage > lev_cap) t->max_leverage = (int32_t)(lev_cap < 1 ? 1 : lev_cap);
        if (i == 0) { t->maint_amount = 0; continue; }
        const MarginTier *prev = &out->tiers[i - 1];
        int64_t step = 0;
        if (!money_mul_div(prev->notional_cap, t->mmr_ppm - prev->mmr_ppm, MARGIN_PPM, ROUND_TRUNC, &step))
            return STATUS_INVALID;
        t->maint_amount = prev->maint_amount + step;
    }
    return margin_table_validate(out, NULL, 0);
}

void perp__review_margin(PerpVenue *p)
{
    const PerpPolicyDef *q = &p->def.policy;
    int64_t f = 1000000;
    if (q->dyn_mmr == DYN_MMR_VOLATILITY || q->dyn_mmr == DYN_MMR_BOTH) f = volatility_factor(p);
    if (q->dyn_mmr == DYN_MMR_CROWDING || q->dyn_mmr == DYN_MMR_BOTH) {
        int64_t c = crowding_factor(p);
        if (c > f) f = c;
    }
    if (f > q->dyn_max_factor_ppm) f = q->dyn_max_factor_ppm;
    f = 1000000 + (f - 1000000) / q->dyn_step_ppm * q->dyn_step_ppm;
    if (f == p->stats.dyn_factor_ppm) return;
    MarginTable t;
    if (scaled_table(&p->base_table, f, &t) != STATUS_OK) return;
    Status s = ledger_set_table(&p->ledger, &t);
    CASCADE_ASSERT(s == STATUS_OK);
    p->stats.dyn_factor_ppm = f;
    perp__check_liquidations(p);
}

void perp__policy_fini(PerpVenue *p)
{
    deque_fini(&p->cb_max);
    deque_fini(&p->cb_min);
    mem_free(p->vol_ring);
}
