/* Tiered margin formulas in exact integers (see margin.h for the definitions and sources).
 *
 * Liquidation price. For a long of q lots the liquidation test f(P) = balance(P) - MM(P*q) <= 0 is monotone in P
 * (f rises by q*(1 - mmr) per tick, minus at most one unit of the rounding-up in MM), and MM is continuous
 * across tiers, so the liquidation price is the one crossing point of a monotone function. Per tier the crossing
 * has the closed form (Binance's, LITERATURE.md C2)
 *     long:  P = (C - W - cum) / (q (1 - mmr))        short: P = (C + W + cum) / (q (1 + mmr))
 * which we evaluate in 128-bit, take the tier whose range holds the candidate, and settle the last tick against
 * f itself (the closed form ignores MM's rounding). Should the candidate be off by more than a few ticks
 * (it never is for valid tables), a binary search over f gives the same answer. */
#include "margin.h"
#include "cascade_assert.h"

#include <stdio.h>

static void set_why(char *why, size_t cap, const char *msg, int32_t tier)
{
    if (why && cap) snprintf(why, cap, "tier %d: %s", (int)tier, msg);
}

Status margin_table_validate(const MarginTable *t, char *why, size_t why_cap)
{
    if (t->count < 1 || t->count > MARGIN_MAX_TIERS) {
        set_why(why, why_cap, "tier count must be 1..16", t->count);
        return STATUS_INVALID;
    }
    for (int32_t i = 0; i < t->count; i++) {
        const MarginTier *tier = &t->tiers[i];
        if (tier->notional_cap <= 0) { set_why(why, why_cap, "notional cap must be > 0", i); return STATUS_INVALID; }
        if (tier->mmr_ppm < 0 || tier->mmr_ppm >= MARGIN_PPM) {
            set_why(why, why_cap, "maintenance rate must be in [0, 100%)", i);
            return STATUS_INVALID;
        }
        if (tier->max_leverage < 1) { set_why(why, why_cap, "max leverage must be >= 1", i); return STATUS_INVALID; }
        /* Initial margin at max leverage must exceed maintenance, or a position would open already liquidatable. */
        if ((int64_t)tier->max_leverage * tier->mmr_ppm >= MARGIN_PPM) {
            set_why(why, why_cap, "maintenance rate x max leverage must be < 1", i);
            return STATUS_INVALID;
        }
        if (i == 0) {
            if (tier->maint_amount != 0) {
                set_why(why, why_cap, "first tier's maintenance amount must be 0", i);
                return STATUS_INVALID;
            }
            continue;
        }
        const MarginTier *prev = &t->tiers[i - 1];
        if (tier->notional_cap <= prev->notional_cap) {
            set_why(why, why_cap, "notional caps must increase", i);
            return STATUS_INVALID;
        }
        if (tier->mmr_ppm < prev->mmr_ppm) {
            set_why(why, why_cap, "maintenance rates must not decrease", i);
            return STATUS_INVALID;
        }
        if (tier->max_leverage > prev->max_leverage) {
            set_why(why, why_cap, "max leverage must not increase", i);
            return STATUS_INVALID;
        }
        /* Continuity: amount[i] * 10^6 == amount[i-1] * 10^6 + cap[i-1] * (mmr[i] - mmr[i-1]), exactly. */
        int64_t step = 0;
        if (!money_mul_div(prev->notional_cap, tier->mmr_ppm - prev->mmr_ppm, MARGIN_PPM, ROUND_TRUNC, &step)) {
            set_why(why, why_cap, "maintenance amount overflows", i);
            return STATUS_INVALID;
        }
        int64_t exact = 0;
        bool divisible = money_mul_div(prev->notional_cap, tier->mmr_ppm - prev->mmr_ppm, MARGIN_PPM, ROUND_CEIL,
                                       &exact) && exact == step;
        if (!divisible || tier->maint_amount != prev->maint_amount + step) {
            set_why(why, why_cap, "maintenance amount breaks continuity (want prev + prev_cap x rate step)", i);
            return STATUS_INVALID;
        }
    }
    return STATUS_OK;
}

MarginTable margin_table_binance_btcusdt(int64_t quote_per_usdt)
{
    /* cap (USDT), mmr (ppm), cum (USDT), max leverage: LITERATURE.md C1. */
    static const int64_t rows[][4] = {
        {50000, 4000, 0, 125},          {250000, 5000, 50, 100},
        {1000000, 10000, 1300, 50},     {10000000, 25000, 16300, 20},
        {20000000, 50000, 266300, 10},  {50000000, 100000, 1266300, 5},
        {100000000, 125000, 2516300, 4}, {200000000, 150000, 5016300, 3},
        {300000000, 250000, 25016300, 2}, {500000000, 500000, 100016300, 1},
    };
    MarginTable t = {0};
    t.count = (int32_t)(sizeof rows / sizeof rows[0]);
    for (int32_t i = 0; i < t.count; i++) {
        t.tiers[i].notional_cap = i == t.count - 1 ? QUOTE_MAX : rows[i][0] * quote_per_usdt;
        t.tiers[i].mmr_ppm = rows[i][1];
        t.tiers[i].maint_amount = rows[i][2] * quote_per_usdt;
        t.tiers[i].max_leverage = (int32_t)rows[i][3];
    }
    return t;
}

int32_t margin_tier_index(const MarginTable *t, Quote notional)
{
    Quote n = money_abs(notional);
    for (int32_t i = 0; i < t->count - 1; i++) {
        if (n <= t->tiers[i].notional_cap) return i;
    }
    return t->count - 1;
}

/* margin_maintenance, inline for liq_test below. */
static inline __attribute__((always_inline)) Quote maintenance(const MarginTable *t, Quote notional)
{
    const MarginTier *tier = &t->tiers[margin_tier_index(t, notional)];
    Quote mm = 0;
    CASCADE_ASSERT(money_mul_div(money_abs(notional), tier->mmr_ppm, MARGIN_PPM, ROUND_CEIL, &mm));
    mm -= tier->maint_amount;
    return mm > 0 ? mm : 0;
}

Quote margin_maintenance(const MarginTable *t, Quote notional) { return maintenance(t, notional); }

int32_t margin_max_leverage(const MarginTable *t, Quote notional)
{
    return t->tiers[margin_tier_index(t, notional)].max_leverage;
}

Quote margin_balance(Lots qty, Quote entry_cost, Quote collateral, Ticks mark)
{
    /* long: W + P*q - C; short (q < 0): W + C - P*|q| = W + P*q + C. The position's P&L first: its two terms have
     * opposite signs, so it cannot overflow, even at the extreme prices the liquidation-price search tries. The
     * collateral can be negative (a cross account's cash after losses): a sum beyond int64 saturates, which keeps
     * every comparison with the (non-negative) maintenance margin right. */
    Quote value = money_notional(mark, qty);
    Quote pnl = qty >= 0 ? value - entry_cost : value + entry_cost;
    Quote b;
    if (!money_add(collateral, pnl, &b)) b = pnl < 0 ? INT64_MIN : QUOTE_MAX;
    return b;
}

/* margin_is_liquidatable for qty != 0, inline: the liquidation price takes three to four of these tests on every fill
 * of a cross account, where the call cost as much as the test. */
static inline __attribute__((always_inline)) bool liq_test(const MarginTable *t, Lots qty, Quote entry_cost,
                                                           Quote collateral, Ticks mark)
{
    /* The maintenance margin is never negative, so a balance at or below zero decides without it (this skips the
     * 128-bit maintenance of the enormous notionals that the liquidation-price search tries at its bounds). */
    Quote balance = margin_balance(qty, entry_cost, collateral, mark);
    return balance <= 0 || balance <= maintenance(t, money_notional(mark, qty));
}

bool margin_is_liquidatable(const MarginTable *t, Lots qty, Quote entry_cost, Quote collateral, Ticks mark)
{
    return qty != 0 && liq_test(t, qty, entry_cost, collateral, mark);
}

/* Highest price whose notional for |qty| fits in int64. */
static Ticks max_price_for(Lots abs_qty) { return INT64_MAX / abs_qty; }

/* Binary search for the crossing of the monotone liquidation test over [lo, hi]. */
static Ticks liq_search(const MarginTable *t, Lots qty, Quote cost, Quote w, Ticks lo, Ticks hi)
{
    if (qty > 0) { /* largest P in [lo, hi] with liquidatable(P); caller ensures liquidatable(lo) */
        while (lo < hi) {
            Ticks mid = lo + (hi - lo + 1) / 2;
            if (liq_test(t, qty, cost, w, mid)) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }
    while (lo < hi) { /* smallest P in [lo, hi] with liquidatable(P); caller ensures liquidatable(hi) */
        Ticks mid = lo + (hi - lo) / 2;
        if (liq_test(t, qty, cost, w, mid)) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* Closed-form crossing inside one tier, ignoring MM's rounding; 0 when it cannot be represented. */
static Ticks liq_candidate(const MarginTier *tier, Lots qty, Quote cost, Quote w)
{
    Lots aq = qty > 0 ? qty : -qty;
    int64_t num = 0, den = 0, p = 0;
    bool ok = qty > 0 ? money_add(cost, -w - tier->maint_amount, &num)
                      : money_add(cost, w + tier->maint_amount, &num);
    ok = ok && money_mul(aq, qty > 0 ? MARGIN_PPM - tier->mmr_ppm : MARGIN_PPM + tier->mmr_ppm, &den);
    ok = ok && money_mul_div(num, MARGIN_PPM, den, qty > 0 ? ROUND_FLOOR : ROUND_CEIL, &p);
    return ok ? p : 0;
}

Ticks margin_liquidation_price(const MarginTable *t, Lots qty, Quote entry_cost, Quote collateral)
{
    CASCADE_ASSERT(qty != 0);
    Lots aq = qty > 0 ? qty : -qty;
    Ticks pmax = max_price_for(aq);
    if (qty > 0 && !liq_test(t, qty, entry_cost, collateral, 1)) return MARGIN_NO_LIQ_LONG;
    if (qty < 0 && !liq_test(t, qty, entry_cost, collateral, pmax)) return MARGIN_NO_LIQ_SHORT;

    for (int32_t i = 0; i < t->count; i++) {
        Ticks p = liq_candidate(&t->tiers[i], qty, entry_cost, collateral);
        if (p < 1 || p > pmax) continue;
        Quote lo_cap = i == 0 ? 0 : t->tiers[i - 1].notional_cap;
        Quote n = money_notional(p, aq);
        if (n <= lo_cap || (i < t->count - 1 && n > t->tiers[i].notional_cap)) continue;
        /* Usually the candidate is the crossing itself (MM's rounding moves it by a tick at most): two exact tests
         * confirm it. The test is monotone in the price, so this is the answer the bracket search would give. */
        if (qty > 0 && p < pmax && liq_test(t, qty, entry_cost, collateral, p) &&
            !liq_test(t, qty, entry_cost, collateral, p + 1))
            return p;
        if (qty < 0 && p > 1 && liq_test(t, qty, entry_cost, collateral, p) &&
            !liq_test(t, qty, entry_cost, collateral, p - 1))
            return p;
        /* Otherwise settle the last ticks against the exact test: bracket the crossing within a few ticks. */
        Ticks lo = p - 4 < 1 ? 1 : p - 4;
        Ticks hi = p > pmax - 4 ? pmax : p + 4;
        bool lo_liq = liq_test(t, qty, entry_cost, collateral, lo);
        bool hi_liq = liq_test(t, qty, entry_cost, collateral, hi);
        if (qty > 0 && lo_liq && !hi_liq) return liq_search(t, qty, entry_cost, collateral, lo, hi - 1);
        if (qty < 0 && !lo_liq && hi_liq) return liq_search(t, qty, entry_cost, collateral, lo + 1, hi);
        break;
    }
    return liq_search(t, qty, entry_cost, collateral, 1, pmax);
}

Ticks margin_bankruptcy_price(Lots qty, Quote entry_cost, Quote collateral)
{
    CASCADE_ASSERT(qty != 0);
    if (qty > 0) {
        Ticks p = money_div(entry_cost - collateral, qty, ROUND_CEIL);
        return p < 1 ? 1 : p;
    }
    return money_div(entry_cost + collateral, -qty, ROUND_FLOOR);
}
