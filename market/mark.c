/* Mark price methods and the fixed-point EMA basis. See mark.h and docs/prices.md. */
#include "mark.h"

#include "cascade_assert.h"

MarkDef mark_default_def(void)
{
    MarkDef d;
    d.method = MARK_MEDIAN3;
    d.ema_tau = 150 * SIMTIME_NS_PER_S;
    return d;
}

Status mark_def_validate(const MarkDef *def)
{
    if (def == NULL) return STATUS_INVALID;
    if ((int)def->method < 0 || def->method >= MARK_METHOD_COUNT_) return STATUS_INVALID;
    if (def->ema_tau <= 0) return STATUS_INVALID;
    return STATUS_OK;
}

void mark_init(MarkState *st, const MarkDef *def)
{
    CASCADE_ASSERT(st != NULL && mark_def_validate(def) == STATUS_OK);
    MarkState z = {0};
    z.def = *def;
    z.basis_time = SIMTIME_MIN;
    z.last_update = SIMTIME_MIN;
    *st = z;
}

int64_t mark_ema_step(int64_t e_fp, int64_t x_fp, SimDuration dt, SimDuration tau)
{
    CASCADE_ASSERT(tau > 0);
    if (dt <= 0) return e_fp;
    if (dt > INT64_MAX - tau) return x_fp; /* alpha = 1 - tau/(tau+dt) rounds to 1 at any useful resolution */
    int64_t diff = 0, delta = 0, out = 0;
    CASCADE_ASSERT(money_add(x_fp, -e_fp, &diff));
    CASCADE_ASSERT(money_mul_div(diff, dt, tau + dt, ROUND_HALF_EVEN, &delta));
    CASCADE_ASSERT(money_add(e_fp, delta, &out));
    return out;
}

Ticks mark_funding_basis_price(Ticks index, int64_t rate_e8, SimDuration until, SimDuration interval)
{
    CASCADE_ASSERT(interval > 0 && until >= 0 && until <= interval);
    int64_t fb_e8 = 0, adj = 0, out = 0;
    CASCADE_ASSERT(money_mul_div(rate_e8, until, interval, ROUND_HALF_EVEN, &fb_e8));
    CASCADE_ASSERT(money_mul_div(index, fb_e8, MARK_RATE_ONE_E8, ROUND_HALF_EVEN, &adj));
    CASCADE_ASSERT(money_add(index, adj, &out));
    return out;
}

Ticks mark_basis_ticks(const MarkState *st)
{
    return st->has_basis ? money_div(st->basis_fp, MARK_BASIS_SCALE, ROUND_HALF_EVEN) : 0;
}

Ticks mark_price(const MarkState *st) { return st->mark_tk; }

static Ticks mark__median3(Ticks a, Ticks b, Ticks c)
{
    if (a > b) { Ticks t = a; a = b; b = t; }
    if (b > c) { Ticks t = b; b = c; c = t; }
    if (a > b) { Ticks t = a; a = b; b = t; }
    return b;
}

/* index + basis, or 0 when it cannot be formed or is not positive. No basis sample yet: the index alone. */
static Ticks mark__index_plus_basis(const MarkState *st, Ticks index)
{
    if (index <= 0) return 0;
    int64_t out = 0;
    if (!money_add(index, mark_basis_ticks(st), &out)) return 0;
    return out > 0 ? out : 0;
}

Ticks mark_update(MarkState *st, SimTime now, Ticks index, Ticks perp_mid, Ticks last, int64_t last_funding_rate_e8,
                  SimDuration until_funding, SimDuration interval)
{
    CASCADE_ASSERT(st != NULL);
    CASCADE_ASSERT(st->last_update == SIMTIME_MIN || now >= st->last_update);
    st->last_update = now;
    if (index < 0) index = 0;
    if (perp_mid < 0) perp_mid = 0;
    if (last < 0) last = 0;

    /* 1. The EMA basis, sampled whenever both the index and the perp mid exist. */
    if (index > 0 && perp_mid > 0) {
        int64_t x_fp = 0;
        CASCADE_ASSERT(money_mul(perp_mid - index, MARK_BASIS_SCALE, &x_fp));
        if (!st->has_basis) {
            st->basis_fp = x_fp;
            st->has_basis = true;
        } else {
            st->basis_fp = mark_ema_step(st->basis_fp, x_fp, now - st->basis_time, st->def.ema_tau);
        }
        st->basis_time = now;
    }

    /* 2. The method's candidate; 0 = cannot be formed now. */
    Ticks cand = 0;
    st->p1_tk = 0;
    st->p2_tk = 0;
    switch (st->def.method) {
    case MARK_LAST:
        cand = last;
        break;
    case MARK_INDEX:
        cand = index;
        break;
    case MARK_INDEX_EMA_BASIS:
        cand = mark__index_plus_basis(st, index);
        break;
    case MARK_MEDIAN3: {
        if (index <= 0) break;
        CASCADE_ASSERT(interval > 0);
        SimDuration until = until_funding < 0 ? 0 : (until_funding > interval ? interval : until_funding);
        Ticks p1 = mark_funding_basis_price(index, last_funding_rate_e8, until, interval);
        Ticks p2 = mark__index_plus_basis(st, index);
        st->p1_tk = p1 > 0 ? p1 : 0;
        st->p2_tk = p2;
        /* The third component: last trade, else the perp mid (Hyperliquid uses median(bid, ask, last)). */
        Ticks third = last > 0 ? last : perp_mid;
        Ticks v[3];
        int n = 0;
        if (st->p1_tk > 0) v[n++] = st->p1_tk;
        if (st->p2_tk > 0) v[n++] = st->p2_tk;
        if (third > 0) v[n++] = third;
        if (n == 3) {
            cand = mark__median3(v[0], v[1], v[2]);
        } else if (n == 2) {
            int64_t sum = 0;
            CASCADE_ASSERT(money_add(v[0], v[1], &sum));
            cand = money_div(sum, 2, ROUND_HALF_EVEN);
        } else if (n == 1) {
            cand = v[0];
        }
        break;
    }
    default:
        CASCADE_ASSERT(0 && "unknown mark method");
    }

    /* 3. Keep the previous mark when nothing positive came out; before the first mark, bootstrap from whatever is
     *    known (index, then perp mid, then last) so that a venue has a mark before its first trade. */
    if (cand <= 0) {
        if (st->mark_tk > 0) return st->mark_tk;
        cand = index > 0 ? index : (perp_mid > 0 ? perp_mid : last);
        if (cand <= 0) return 0;
    }
    st->mark_tk = cand;
    return cand;
}
