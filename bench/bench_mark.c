/* Scenario `mark_update`: the cost of one mark update of the perp venue as a function of the number N of open
 * isolated positions, none of which the mark crosses (results: bench/README.md). MODEL.md 3.3 promises
 * that a mark update touches only the positions it crosses, so the cost should be flat in N.
 *
 * Setup (untimed), through the public API only: N isolated accounts (leverage 2..50, uniform), deposited, paired
 * long/short; each pair trades once (the short rests a limit sell, the long takes it with a limit buy), so every
 * position comes from a real fill and the venue's open interest is balanced. Entry prices are spread over +/-1000
 * ticks around 600,000 (60,000 USDT at 0.1), sizes 1..20 lots, so liquidation prices spread over roughly
 * 1.5%..50% from entry. The book is empty afterwards.
 *
 * Timed loop: the index steps through a fixed triangle wave of +/-300 ticks (+/-0.05%) around the centre and the
 * venue is advanced by one mark period per step (1 ms, so that all repeats together stay short of the first
 * funding settlement at 8 h: funding moves every isolated margin, an O(N) task that is not a mark update; checked).
 * The default median3 mark follows the index here (no book mid, no funding rate), so every step is a mark update
 * with a new price.
 *
 * Run twice: with isolated positions (the case) and with cross-margined accounts holding one position each
 * (their deposit is the initial margin + 5 %, so they too have liquidation prices about 1 / leverage away): since
 * 2026-12-02 cross accounts sit in their own liquidation-price index; before, every mark update sorted and tested
 * all of them.
 *
 * Self-check: no liquidation at any point, the mark-update counter advances by exactly the step count in every
 * repeat, the mark after each repeat is the same, perp_check passes at the end. */
#include "bench.h"

#include "alloc.h"
#include "perp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CENTRE_TK 600000
#define SPREAD_TK 1000
#define WAVE_TK 300
#define PERIOD_NS SIMTIME_NS_PER_MS

/* Index of step k: a triangle wave 0, +1, ..., +WAVE, ..., -WAVE, ... in steps of one tick per update, so the
 * mark moves by a small amount every time and never strays far. */
static Ticks wave(int64_t k)
{
    int64_t ph = k % (4 * WAVE_TK);
    int64_t v = ph < WAVE_TK ? ph : ph < 3 * WAVE_TK ? 2 * WAVE_TK - ph : ph - 4 * WAVE_TK;
    return CENTRE_TK + v;
}

/* The account's deposit: the order's initial margin at its leverage plus 5 % (enough to be admitted, and its
 * liquidation price then lies about 1 / leverage from entry, as for the isolated positions). Isolated accounts get
 * a flat 10,000 USDT and assign margin from it when they trade. */
static Quote deposit_for(MarginMode mode, Ticks px, Lots qty, int32_t lev)
{
    if (mode == MARGIN_MODE_ISOLATED) return INT64_C(100000000);
    Quote im = margin_initial(money_notional(px, qty), lev);
    return im + im / 20 + 1000;
}

static PerpVenue *setup(uint32_t n, uint64_t seed, MarginMode mode)
{
    PerpDef d = perp_default_def();
    d.ledger.capacity = n + 64u;
    d.book.initial_center_tk = CENTRE_TK;
    d.mark_period = PERIOD_NS;
    PerpVenue *p = NULL;
    if (perp_create(&d, &p) != STATUS_OK) return NULL;
    perp_set_index(p, CENTRE_TK);
    uint64_t s = seed;
    for (uint32_t i = 0; i + 1u < n; i += 2u) {
        AccountId a[2];
        int32_t lev[2];
        for (int j = 0; j < 2; j++) lev[j] = 2 + (int32_t)(bench_rand(&s) % 49u);
        VenueReq q = {0};
        q.type = ORDER_LIMIT;
        q.price_tk = CENTRE_TK - SPREAD_TK + (Ticks)(bench_rand(&s) % (2u * SPREAD_TK + 1u));
        q.qty = 1 + (Lots)(bench_rand(&s) % 20u);
        for (int j = 0; j < 2; j++) {
            if (perp_add_account(p, mode, lev[j], &a[j]) != STATUS_OK ||
                perp_deposit(p, a[j], deposit_for(mode, q.price_tk, q.qty, lev[j])) != STATUS_OK)
                goto fail;
        }
        q.side = SIDE_SELL;
        VenueResult r;
        if (perp_submit(p, 0, a[1], &q, &r) != STATUS_OK || r.resting != q.qty) goto fail;
        q.side = SIDE_BUY;
        if (perp_submit(p, 0, a[0], &q, &r) != STATUS_OK || r.filled != q.qty) goto fail;
    }
    return p;
fail:
    perp_destroy(p);
    return NULL;
}

/* One margin mode over the sizes: 0 when every repeat agreed and checked out. */
static int bench_mode(const BenchArgs *args, MarginMode mode, const char *mname, int nsizes, int reps, int64_t steps,
                      double *ns)
{
    static const uint32_t sizes[] = {1000u, 10000u, 100000u, 1000000u};
    double med_ns[4] = {0, 0, 0, 0};
    int bad = 0;
    for (int si = 0; si < nsizes && !bad; si++) {
        uint32_t n = sizes[si];
        int64_t live0 = mem_live_bytes();
        double g0 = bench_now();
        PerpVenue *p = setup(n, args->seed, mode);
        if (!p) {
            fprintf(stderr, "mark_update: setup of %u positions failed\n", n);
            bad = 1;
            break;
        }
        /* Recount from the ledger (untimed): every account holds a position and no LP is within the wave. */
        const Ledger *L = perp_ledger(p);
        uint32_t longs = 0, shorts = 0;
        Ticks lp_hi = 0, lp_lo = INT64_MAX;
        for (AccountId a = 0; a < ledger_account_count(L); a++) {
            Lots q = ledger_qty(L, a);
            if (q == 0) continue;
            /* cross: the whole cash is the collateral (the venue's cross index holds the same price) */
            Ticks lp = mode == MARGIN_MODE_ISOLATED
                           ? ledger_liq_price(L, a)
                           : margin_liquidation_price(perp_table(p), q, ledger_entry_cost(L, a), ledger_cash(L, a));
            if (q > 0 && lp > lp_hi) lp_hi = lp;
            if (q < 0 && lp < lp_lo) lp_lo = lp;
            longs += q > 0;
            shorts += q < 0;
        }
        printf("mark_update: %s N=%u: %u longs, %u shorts, nearest LPs %lld / %lld, set up in %.2f s\n", mname, n,
               longs, shorts, (long long)lp_hi, (long long)lp_lo, bench_now() - g0);
        if (longs + shorts != n || lp_hi >= CENTRE_TK - WAVE_TK || lp_lo <= CENTRE_TK + WAVE_TK) {
            fprintf(stderr, "mark_update: %s N=%u: positions or liquidation prices not as designed\n", mname, n);
            bad = 1;
        }
        SimTime t = perp_next_due(p);
        Ticks mark_first = 0;
        for (int r = 0; r < reps && !bad; r++) {
            uint64_t upd0 = perp_stats(p).mark_updates;
            double t0 = bench_now();
            for (int64_t k = 0; k < steps; k++) {
                perp_set_index(p, wave(k));
                perp_advance(p, t);
                t += PERIOD_NS;
            }
            double el = bench_now() - t0;
            PerpStats st = perp_stats(p);
            ns[r] = 1e9 * el / (double)steps;
            printf("mark_update: %s N=%u repeat %d: %.3f s, %.1f ns/update\n", mname, n, r + 1, el, ns[r]);
            if (r == 0) mark_first = perp_mark(p);
            if (st.mark_updates - upd0 != (uint64_t)steps || st.liquidations != 0 || st.fundings != 0 ||
                perp_mark(p) != mark_first) {
                fprintf(stderr, "mark_update: N=%u repeat %d MISMATCH: %llu updates (want %lld), %llu liquidations, "
                                "%llu fundings, mark %lld (first repeat %lld)\n",
                        n, r + 1, (unsigned long long)(st.mark_updates - upd0), (long long)steps,
                        (unsigned long long)st.liquidations, (unsigned long long)st.fundings, (long long)perp_mark(p),
                        (long long)mark_first);
                bad = 1;
            }
        }
        char why[256] = "";
        if (perp_check(p, why, sizeof why) != STATUS_OK) {
            fprintf(stderr, "mark_update: %s N=%u: perp_check: %s\n", mname, n, why);
            bad = 1;
        }
        perp_destroy(p);
        if (mem_live_bytes() != live0) {
            fprintf(stderr, "mark_update: %s N=%u: venue memory not returned\n", mname, n);
            bad = 1;
        }
        if (!bad) {
            double mn;
            bench_median_min(ns, reps, &med_ns[si], &mn);
            printf("mark_update: %s N=%u: median %.1f ns/update, min %.1f\n", mname, n, med_ns[si], mn);
        }
    }
    if (!bad && nsizes == 4)
        printf("mark_update: %s: ratio N=10^6 / N=10^3: %.2f (target <= 1.5)\n", mname, med_ns[3] / med_ns[0]);
    return bad;
}

int bench_mark(const BenchArgs *args)
{
    int nsizes = args->quick ? 2 : 4;
    int reps = args->quick ? 1 : args->repeats;
    int64_t steps = args->ops > 0 ? args->ops : args->quick ? 20000 : 1000000;
    double *ns = malloc((size_t)reps * sizeof *ns);
    if (!ns) return 1;
    printf("mark_update: %lld updates per repeat, %d repeats, mark period 1 ms, index wave +/-%d ticks\n",
           (long long)steps, reps, WAVE_TK);
    /* isolated positions (the case) and cross accounts (each with one position, in the cross index) */
    int bad = bench_mode(args, MARGIN_MODE_ISOLATED, "isolated", nsizes, reps, steps, ns);
    if (!bad) bad = bench_mode(args, MARGIN_MODE_CROSS, "cross", nsizes, reps, steps, ns);
    printf("mark_update: results %s\n", bad ? "MISMATCH" : "consistent");
    free(ns);
    return bad ? 1 : 0;
}
