/* market/perp: the perpetual venue driven by scripted orders (no agents). Every expectation is hand-computed
 * with the arithmetic in a comment, and perp_check (exact conservation, OI, orders vs book, engine state) must
 * hold after every step.
 *
 * Units: a small tier table so that the numbers stay readable (quote = ticks x lots):
 *   tier 0  notional <= 1,000,000    mmr 1.0 %   amount 0         max leverage 50
 *   tier 1  notional <= 10,000,000   mmr 2.5 %   amount 15,000    (= 1,000,000 x 1.5 %)
 *   tier 2  above                    mmr 5.0 %   amount 265,000   (= 15,000 + 10,000,000 x 2.5 %)
 * Fees and the liquidation fee are 0 unless a test sets them; the mark follows the index (perp_set_index) unless a
 * test uses MARK_LAST. */
#include "test_suites.h"
#include "test_util.h"

#include "perp.h"
#include "rng.h"

#include <string.h>

#define SEC SIMTIME_NS_PER_S
#define MS SIMTIME_NS_PER_MS

static SimTime t0(void)
{
    SimTime t = 0;
    CHECK_EQ(simtime_parse_iso("2025-10-10T00:00:00Z", &t), STATUS_OK);
    return t;
}

static MarginTable small_table(void)
{
    MarginTable t = {0};
    t.count = 3;
    t.tiers[0] = (MarginTier){1000000, 10000, 0, 50};
    t.tiers[1] = (MarginTier){10000000, 25000, 15000, 20};
    t.tiers[2] = (MarginTier){QUOTE_MAX, 50000, 265000, 10};
    return t;
}

static PerpDef tdef(void)
{
    PerpDef d = perp_default_def();
    d.ledger.table = small_table();
    d.mark.method = MARK_INDEX;
    d.maker_fee_bps = 0;
    d.taker_fee_bps = 0;
    d.liq.fee_bps = 0;
    d.policy.max_leverage = 50;
    d.start = t0();
    d.funding.impact_notional = 1000;
    return d;
}

static void ok(const PerpVenue *p)
{
    char why[256] = "";
    Status s = perp_check(p, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nperp_check: %s\n", why);
    CHECK_EQ(s, STATUS_OK);
}

static PerpVenue *make(const PerpDef *d, Ticks index)
{
    PerpVenue *p = NULL;
    char why[200] = "";
    Status s = perp_def_validate(d, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\nperp_def_validate: %s\n", why);
    CHECK_EQ(perp_create(d, &p), STATUS_OK);
    perp_set_index(p, index);
    perp_advance(p, d->start); /* first mark update: mark = index (or nothing yet for MARK_LAST) */
    return p;
}

static AccountId account(PerpVenue *p, MarginMode mode, int32_t lev, Quote deposit)
{
    AccountId a = ACCOUNT_NONE;
    CHECK_EQ(perp_add_account(p, mode, lev, &a), STATUS_OK);
    if (deposit > 0) CHECK_EQ(perp_deposit(p, a, deposit), STATUS_OK);
    return a;
}

static Status submit(PerpVenue *p, SimTime t, AccountId a, OrderType type, Side side, Ticks px, Lots q, VenueResult *r)
{
    VenueReq req = {0};
    req.type = type;
    req.side = side;
    req.price_tk = px;
    req.qty = q;
    req.tag = 7;
    Status s = perp_submit(p, t, a, &req, r);
    ok(p);
    return s;
}

static void limit(PerpVenue *p, SimTime t, AccountId a, Side side, Ticks px, Lots q)
{
    CHECK_EQ(submit(p, t, a, ORDER_LIMIT, side, px, q, NULL), STATUS_OK);
}

/* buyer and seller trade q lots at px (the seller rests, the buyer takes). */
static void trade(PerpVenue *p, SimTime t, AccountId buyer, AccountId seller, Ticks px, Lots q)
{
    limit(p, t, seller, SIDE_SELL, px, q);
    VenueResult r;
    CHECK_EQ(submit(p, t, buyer, ORDER_LIMIT, SIDE_BUY, px, q, &r), STATUS_OK);
    CHECK_EQ(r.filled, q);
}

static const PerpLiqRecord *record(const PerpVenue *p, uint32_t i)
{
    uint32_t n = 0;
    const PerpLiqRecord *r = perp_liq_records(p, &n);
    CHECK(i < n);
    return i < n ? &r[i] : NULL;
}

/* ---- accounts, admission, fees ---- */

static void perp_open_isolated_long_prices(void)
{
    PerpDef d = tdef();
    PerpVenue *p = make(&d, 1000);
    SimTime t = t0();
    AccountId L = account(p, MARGIN_MODE_ISOLATED, 10, 20000);
    AccountId S = account(p, MARGIN_MODE_CROSS, 10, 1000000);
    trade(p, t, L, S, 1000, 100);
    const Ledger *g = perp_ledger(p);
    /* IM = 100 x 1000 / 10 = 10,000 moved from cash to isolated margin. */
    CHECK_EQ(ledger_qty(g, L), 100);
    CHECK_EQ(ledger_isolated_margin(g, L), 10000);
    CHECK_EQ(ledger_cash(g, L), 10000);
    /* LP: (C - W) / (q (1 - mmr)) = 90,000 / 99 = 909.09 -> 909 (at 909: MB = 10,000 + 90,900 - 100,000 = 900 <=
     * MM = ceil(909.0) = 909; at 910: MB 1,000 > 910). BP = ceil(90,000 / 100) = 900. */
    CHECK_EQ(ledger_liq_price(g, L), 909);
    CHECK_EQ(ledger_bankruptcy_price(g, L), 900);
    CHECK_EQ(ledger_qty(g, S), -100);
    CHECK_EQ(ledger_oi_long(g), 100);
    CHECK_EQ(ledger_oi_short(g), 100);
    /* Margin ratio at mark 1000: MM = 1,000 / MB = 10,000 -> 100,000 ppm; below the 80 % warning. */
    CHECK_EQ(perp_margin_ratio_ppm(p, L), 100000);
    CHECK(!perp_margin_call(p, L));
    perp_destroy(p);
}

static void perp_admission_needs_margin(void)
{
    PerpDef d = tdef();
    d.taker_fee_bps = 5;
    PerpVenue *p = make(&d, 1000);
    SimTime t = t0();
    AccountId A = account(p, MARGIN_MODE_ISOLATED, 10, 10049);
    /* 100 lots at 1000, leverage 10: IM 10,000 + taker fee ceil(100,000 x 5 / 10^4) = 50 -> 10,050 > 10,049. */
    CHECK_EQ(submit(p, t, A, ORDER_LIMIT, SIDE_BUY, 1000, 100, NULL), STATUS_REJECTED);
    CHECK_EQ(perp_stats(p).margin_rejects, 1);
    CHECK_EQ(perp_deposit(p, A, 1), STATUS_OK);
    CHECK_EQ(submit(p, t, A, ORDER_LIMIT, SIDE_BUY, 1000, 100, NULL), STATUS_OK);
    /* A second order on the same side must be covered together with the first: nothing is free now. */
    CHECK_EQ(perp_free_margin(p, A), 50); /* 10,050 - 10,000 order margin */
    CHECK_EQ(submit(p, t, A, ORDER_LIMIT, SIDE_BUY, 999, 1, NULL), STATUS_REJECTED);
    /* A reduce-only order with no position is refused by the book's clamp (nothing to reduce). */
    VenueReq ro = {ORDER_LIMIT, SIDE_SELL, 1001, 5, 1, ORDER_FLAG_REDUCE_ONLY, STOP_TRIGGER_LAST};
    CHECK_EQ(perp_submit(p, t, A, &ro, NULL), STATUS_REJECTED);
    CHECK_EQ(perp_cancel_all(p, t, A), 1);
    CHECK_EQ(perp_free_margin(p, A), 10050);
    ok(p);
    perp_destroy(p);
}

static void perp_fees_and_rebates(void)
{
    PerpDef d = tdef();
    d.maker_fee_bps = -1;
    d.taker_fee_bps = 5;
    PerpVenue *p = make(&d, 1003);
    SimTime t = t0();
    AccountId B = account(p, MARGIN_MODE_CROSS, 10, 100000);
    AccountId S = account(p, MARGIN_MODE_CROSS, 10, 100000);
    trade(p, t, B, S, 1003, 7); /* notional 7,021 */
    const Ledger *g = perp_ledger(p);
    /* Taker B pays ceil(7,021 x 5 / 10^4) = ceil(3.51) = 4; maker S earns trunc(7,021 / 10^4) = 0 (a rebate
     * rounds toward zero). Then 70 lots: notional 70,210, rebate trunc(7.021) = 7, fee ceil(35.105) = 36. */
    CHECK_EQ(ledger_cash(g, B), 100000 - 4);
    CHECK_EQ(ledger_cash(g, S), 100000);
    trade(p, t, B, S, 1003, 70);
    CHECK_EQ(ledger_cash(g, B), 100000 - 4 - 36);
    CHECK_EQ(ledger_cash(g, S), 100000 + 7);
    CHECK_EQ(ledger_fee_account(g), 4 + 36 - 7);
    perp_destroy(p);
}

/* ---- funding ---- */

static void perp_funding_settles_at_0800(void)
{
    PerpDef d = tdef();
    d.start = t0() + 8 * SIMTIME_NS_PER_HOUR - 60 * SEC; /* 07:59:00 */
    PerpVenue *p = make(&d, 1003);
    SimTime t = d.start;
    AccountId L = account(p, MARGIN_MODE_ISOLATED, 10, 20060);
    AccountId S = account(p, MARGIN_MODE_CROSS, 10, 1000000);
    trade(p, t, L, S, 1003, 100);
    const Ledger *g = perp_ledger(p);
    Quote iso = ledger_isolated_margin(g, L); /* ceil(100,300 / 10) = 10,030 */
    CHECK_EQ(iso, 10030);
    /* The book is empty after the trade, so no premium sample is taken: F = 0 + clamp(0.01 % - 0) = 10,000 e8.
     * Payment = 100 x 1003 x 10^-4 = 10.03: the long pays ceil = 11 from isolated margin, the short receives
     * floor = 10, the unit of residue goes to the fee account. */
    perp_advance(p, t0() + 8 * SIMTIME_NS_PER_HOUR);
    ok(p);
    CHECK_EQ(perp_stats(p).fundings, 1);
    CHECK_EQ(perp_stats(p).last_funding_e8, 10000);
    CHECK_EQ(ledger_isolated_margin(g, L), 10030 - 11);
    CHECK_EQ(ledger_cash(g, S), 1000000 + 10);
    CHECK_EQ(ledger_fee_account(g), 1);
    /* Re-indexed: LP from W = 10,019: (100,300 - 10,019) / 99 = 911.93 -> 911 (at 911: MB = 10,019 + 91,100 -
     * 100,300 = 819 <= ceil(911.0) = 911; at 912: 919 > 912). */
    CHECK_EQ(ledger_liq_price(g, L), 911);
    perp_destroy(p);
}

/* ---- liquidation outcomes ---- */

/* L long 100 @ 1000 isolated at 10x (LP 909, BP 900), S short 100 cross, bids from M. The index falls to 909. */
typedef struct LiqFix {
    PerpVenue *p;
    AccountId L, S, M;
    SimTime t;
} LiqFix;

static LiqFix liq_fix(const PerpDef *d, Ticks bid_px, Lots bid_qty)
{
    LiqFix f;
    f.p = make(d, 1000);
    f.t = d->start;
    f.L = account(f.p, MARGIN_MODE_ISOLATED, 10, 20000);
    f.S = account(f.p, MARGIN_MODE_CROSS, 10, 1000000);
    f.M = account(f.p, MARGIN_MODE_CROSS, 10, 10000000);
    trade(f.p, f.t, f.L, f.S, 1000, 100);
    limit(f.p, f.t, f.M, SIDE_BUY, bid_px, bid_qty);
    f.t += SEC;
    perp_set_index(f.p, 909);
    perp_advance(f.p, f.t);
    ok(f.p);
    return f;
}

static void perp_liquidation_with_surplus(void)
{
    PerpDef d = tdef();
    d.liq.fee_bps = 50;
    LiqFix f = liq_fix(&d, 905, 100);
    const Ledger *g = perp_ledger(f.p);
    /* Fee: ceil(90,900 x 0.5 %) = 455 <= MB 900, from isolated margin -> W = 9,545, BP = ceil(90,455 / 100) = 905.
     * The takeover at 905 leaves L: cash 10,000 + 9,545 + (90,500 - 100,000) = 10,045. The engine sells 100 @ 905:
     * no surplus beyond the fee; fund = 455. */
    CHECK_EQ(ledger_qty(g, f.L), 0);
    CHECK_EQ(ledger_cash(g, f.L), 10045);
    const PerpLiqRecord *r = record(f.p, 0);
    CHECK_EQ(r->fee, 455);
    CHECK_EQ(r->bankruptcy_tk, 905);
    CHECK_EQ(r->liq_price_tk, 909);
    CHECK_EQ(r->book_qty, 100);
    CHECK_EQ(r->book_notional, 90500);
    CHECK_EQ(r->pnl, 0);
    CHECK_EQ(r->generation, 0);
    CHECK_EQ(r->cascade_id, 1);
    CHECK_EQ(r->done_time, f.t);
    CHECK_EQ(ledger_insurance_fund(g), 455);
    CHECK_EQ(ledger_qty(g, f.M), 100);
    perp_destroy(f.p);

    /* Without the fee the takeover is at 900 and the sale at 905 earns the fund (905 - 900) x 100 = 500. */
    d.liq.fee_bps = 0;
    f = liq_fix(&d, 905, 100);
    g = perp_ledger(f.p);
    CHECK_EQ(record(f.p, 0)->pnl, 500);
    CHECK_EQ(ledger_insurance_fund(g), 500);
    CHECK_EQ(ledger_cash(g, f.L), 10000); /* lost exactly its 10,000 of isolated margin */
    perp_destroy(f.p);
}

static void perp_liquidation_deficit_covered_by_fund(void)
{
    PerpDef d = tdef();
    d.insurance_fund = 10000;
    LiqFix f = liq_fix(&d, 880, 100);
    const Ledger *g = perp_ledger(f.p);
    /* Estimated loss (900 - 880) x 100 = 2,000 <= fund 10,000: sold in the book; the fund pays 2,000. */
    const PerpLiqRecord *r = record(f.p, 0);
    CHECK_EQ(r->pnl, -2000);
    CHECK_EQ(r->fund_paid, 2000);
    CHECK_EQ(r->bad_debt, 0);
    CHECK_EQ(r->adl_qty, 0);
    CHECK_EQ(ledger_insurance_fund(g), 8000);
    CHECK_EQ(ledger_fund_min(g), 8000);
    perp_destroy(f.p);
}

static void perp_liquidation_adl_when_fund_short(void)
{
    PerpDef d = tdef();
    LiqFix f = liq_fix(&d, 880, 100);
    const Ledger *g = perp_ledger(f.p);
    /* Fund 0 < estimated loss 2,000: the short S (the only opposite holder) is reduced at the bankruptcy price 900:
     * it realises (1000 - 900) x 100 = 10,000. The bids stay untouched. */
    const PerpLiqRecord *r = record(f.p, 0);
    CHECK_EQ(r->adl_qty, 100);
    CHECK_EQ(r->book_qty, 0);
    CHECK_EQ(r->pnl, 0);
    CHECK_EQ(ledger_qty(g, f.S), 0);
    CHECK_EQ(ledger_cash(g, f.S), 1000000 + 10000);
    CHECK_EQ(ledger_qty(g, f.M), 0);
    CHECK_EQ(book_qty_at(perp_book(f.p), SIDE_BUY, 880), 100);
    CHECK_EQ(perp_stats(f.p).adl_events, 1);
    CHECK_EQ(perp_stats(f.p).adl_notional, 90000);
    CHECK_EQ(ledger_bad_debt(g), 0);
    perp_destroy(f.p);
}

static void perp_liquidation_bad_debt_without_adl(void)
{
    PerpDef d = tdef();
    d.liq.adl = false;
    LiqFix f = liq_fix(&d, 880, 100);
    const Ledger *g = perp_ledger(f.p);
    /* Sold at 880 against a takeover at 900: a deficit of 2,000 that nobody covers. */
    const PerpLiqRecord *r = record(f.p, 0);
    CHECK_EQ(r->pnl, -2000);
    CHECK_EQ(r->fund_paid, 0);
    CHECK_EQ(r->bad_debt, 2000);
    CHECK_EQ(ledger_bad_debt(g), 2000);
    CHECK_EQ(ledger_qty(g, f.S), -100);
    CHECK_EQ(ledger_qty(g, f.M), 100);
    perp_destroy(f.p);
}

static void perp_partial_liquidation_lowers_tier(void)
{
    PerpDef d = tdef();
    d.liq.mode = LIQ_MODE_PARTIAL;
    d.insurance_fund = 10000;
    PerpVenue *p = make(&d, 1000);
    SimTime t = d.start;
    AccountId L = account(p, MARGIN_MODE_ISOLATED, 10, 400000);
    AccountId S = account(p, MARGIN_MODE_CROSS, 10, 10000000);
    AccountId M = account(p, MARGIN_MODE_CROSS, 10, 100000000);
    trade(p, t, L, S, 1000, 2000); /* notional 2,000,000: tier 1; W = 200,000 */
    const Ledger *g = perp_ledger(p);
    /* LP: (2,000,000 - 200,000 - 15,000) / (2000 x 0.975) = 915.38 -> 915 (at 915: MB = 30,000 <= MM = 45,750 -
     * 15,000 = 30,750; at 916: MB 32,000 > 30,800). */
    CHECK_EQ(ledger_liq_price(g, L), 915);
    limit(p, t, M, SIDE_BUY, 914, 5000);
    perp_set_index(p, 915);
    perp_advance(p, t + SEC);
    ok(p);
    /* Tier 0 holds floor(1,000,000 / 915) = 1092 lots; keeping them: cost 2,000,000 - 908,000, W 200,000 - 90,800,
     * MB = 109,200 + 999,180 - 1,092,000 = 16,380 > MM ceil(9,991.8) = 9,992: take 2000 - 1092 = 908 lots at the
     * mark. L keeps 1092 lots, LP (982,800 / 1081.08 = 909.09) -> 909. */
    const PerpLiqRecord *r = record(p, 0);
    CHECK(r->partial);
    CHECK_EQ(r->qty, 908);
    CHECK_EQ(r->bankruptcy_tk, 915);
    CHECK_EQ(ledger_qty(g, L), 1092);
    CHECK_EQ(ledger_isolated_margin(g, L), 109200);
    CHECK_EQ(ledger_liq_price(g, L), 909);
    CHECK(!ledger_is_liquidatable(g, L, 915));
    /* The slice is sold at 914: the fund pays (915 - 914) x 908 = 908. */
    CHECK_EQ(r->pnl, -908);
    CHECK_EQ(ledger_insurance_fund(g), 10000 - 908);
    CHECK_EQ(perp_stats(p).partial_liquidations, 1);
    perp_destroy(p);
}

static void perp_cross_liquidation_cancels_orders(void)
{
    PerpDef d = tdef();
    PerpVenue *p = make(&d, 1000);
    SimTime t = d.start;
    AccountId C = account(p, MARGIN_MODE_CROSS, 20, 6000);
    AccountId S = account(p, MARGIN_MODE_CROSS, 10, 1000000);
    AccountId M = account(p, MARGIN_MODE_CROSS, 10, 10000000);
    trade(p, t, C, S, 1000, 100); /* cross long, cash 6,000 */
    limit(p, t, C, SIDE_SELL, 1100, 1); /* a resting quote that the liquidation must cancel */
    limit(p, t, M, SIDE_BUY, 940, 100);
    CHECK_EQ(perp_order_count(p, C), 1);
    /* Cross: MB = 6,000 + 100 x (P - 1000) <= MM = ceil(P) -> at 941: MB 100 <= 941; at 950: 1,000 > 950. At
     * 945: MB 500 <= 945 -> liquidated. BP = ceil((100,000 - 6,000) / 100) = 940. */
    perp_set_index(p, 945);
    perp_advance(p, t + SEC);
    ok(p);
    const PerpLiqRecord *r = record(p, 0);
    CHECK(r->cross);
    CHECK_EQ(r->bankruptcy_tk, 940);
    CHECK_EQ(perp_order_count(p, C), 0);
    CHECK_EQ(ledger_qty(perp_ledger(p), C), 0);
    CHECK_EQ(ledger_cash(perp_ledger(p), C), 0); /* 6,000 + 94,000 - 100,000 */
    CHECK_EQ(r->pnl, 0); /* sold at 940 = BP */
    perp_destroy(p);
}

/* ---- engine modes and throughput ---- */

static void perp_backlog_under_throughput_limit(void)
{
    PerpDef d = tdef();
    d.liq.max_orders_per_tick = 1;
    d.insurance_fund = 1000000;
    PerpVenue *p = make(&d, 1000);
    SimTime t = d.start;
    AccountId S = account(p, MARGIN_MODE_CROSS, 10, 10000000);
    AccountId M = account(p, MARGIN_MODE_CROSS, 10, 100000000);
    AccountId L[3];
    int32_t lev[3] = {10, 15, 20}; /* LP 909, 942, 959 for 10 lots at 1000 (see perp_walk_down_cascade) */
    for (int i = 0; i < 3; i++) {
        L[i] = account(p, MARGIN_MODE_ISOLATED, lev[i], 5000);
        trade(p, t, L[i], S, 1000, 10);
    }
    limit(p, t, M, SIDE_BUY, 850, 1000);
    SimTime crash = t + SEC;
    perp_set_index(p, 900); /* crosses all three at once */
    perp_advance(p, crash);
    ok(p);
    /* One order per tick: the first tick (at the trigger) closes the highest LP; two wait. */
    PerpStats s = perp_stats(p);
    CHECK_EQ(s.liquidations, 3);
    CHECK_EQ(s.backlog_items, 2);
    CHECK_EQ(s.backlog_lots, 20);
    CHECK_EQ(perp_backlog_age(p, crash + 50 * MS), 50 * MS);
    CHECK_EQ(record(p, 0)->account, L[2]); /* LP 959 first, then 942, then 909 */
    CHECK_EQ(record(p, 1)->account, L[1]);
    CHECK_EQ(record(p, 2)->account, L[0]);
    CHECK_EQ(record(p, 0)->done_time, crash);
    CHECK_EQ(record(p, 1)->done_time, 0);
    perp_advance(p, crash + 100 * MS);
    CHECK_EQ(perp_stats(p).backlog_items, 1);
    CHECK_EQ(record(p, 1)->done_time, crash + 100 * MS);
    perp_advance(p, crash + 200 * MS);
    CHECK_EQ(perp_stats(p).backlog_items, 0);
    CHECK_EQ(record(p, 2)->done_time, crash + 200 * MS);
    CHECK_EQ(perp_stats(p).backlog_peak, 3);
    CHECK_EQ(perp_next_due(p), crash + SEC); /* the engine is idle again: only the schedule remains */
    ok(p);
    perp_destroy(p);
}

/* Three longs liquidated at once into a book whose bids lie beyond the band: the items wait, in their order, with
 * the fund able to cover their estimated loss (no ADL), and go as soon as bids come within the band. With an empty
 * fund the same blocked items are deleveraged at once. (The engine serves a waiting item without calling into the
 * book; this pins down that nothing else changes for it.) */
static void perp_blocked_backlog_waits_in_order(void)
{
    for (int fund_empty = 0; fund_empty <= 1; fund_empty++) {
        PerpDef d = tdef();
        d.insurance_fund = fund_empty ? 0 : 1000000;
        PerpVenue *p = make(&d, 1000);
        SimTime t = d.start;
        AccountId S = account(p, MARGIN_MODE_CROSS, 10, 10000000);
        AccountId M = account(p, MARGIN_MODE_CROSS, 10, 100000000);
        AccountId L[3];
        int32_t lev[3] = {10, 15, 20}; /* LP 909, 942, 959 for 10 lots at 1000 */
        for (int i = 0; i < 3; i++) {
            L[i] = account(p, MARGIN_MODE_ISOLATED, lev[i], 5000);
            trade(p, t, L[i], S, 1000, 10);
        }
        limit(p, t, M, SIDE_BUY, 800, 1000); /* the band (10 %) stops sells at 810 */
        SimTime crash = t + SEC;
        perp_set_index(p, 900);
        perp_advance(p, crash);
        ok(p);
        const Ledger *g = perp_ledger(p);
        if (fund_empty) {
            /* Estimated loss at the band edge exceeds the empty fund: S, the only short, takes all three. */
            CHECK_EQ(perp_stats(p).adl_events, 3);
            CHECK_EQ(perp_stats(p).backlog_items, 0);
            CHECK_EQ(ledger_qty(g, S), 0);
            CHECK_EQ(book_qty_at(perp_book(p), SIDE_BUY, 800), 1000);
            perp_destroy(p);
            continue;
        }
        for (int k = 1; k <= 5; k++) perp_advance(p, crash + k * 100 * MS);
        PerpStats s = perp_stats(p);
        CHECK_EQ(s.liquidations, 3);
        CHECK_EQ(s.adl_events, 0);
        CHECK_EQ(s.backlog_items, 3);
        CHECK_EQ(s.backlog_lots, 30);
        CHECK_EQ(s.engine_ticks, 6);
        CHECK_EQ(book_qty_at(perp_book(p), SIDE_BUY, 800), 1000);
        for (int i = 0; i < 3; i++) CHECK_EQ(record(p, (uint32_t)i)->done_time, 0);
        /* Ten lots bid within the band at a time: the next tick sells the head item (LP 959, queued first, then
         * 942), the others find the book empty within the band again and keep their order. */
        for (uint32_t k = 0; k < 2; k++) {
            SimTime tick = crash + (600 + 100 * k) * MS;
            limit(p, tick - 50 * MS, M, SIDE_BUY, 850 - 10 * (Ticks)k, 10);
            perp_advance(p, tick);
            CHECK_EQ(record(p, k)->account, L[2 - k]);
            CHECK_EQ(record(p, k)->done_time, tick);
            CHECK_EQ(record(p, k + 1)->done_time, 0);
            CHECK_EQ(perp_stats(p).backlog_items, 2 - k);
            CHECK_EQ(perp_stats(p).backlog_lots, 20 - 10 * (Lots)k);
        }
        CHECK_EQ(ledger_qty(g, M), 20);
        ok(p);
        perp_destroy(p);
    }
}

static void perp_notional_limit_slices_head(void)
{
    PerpDef d = tdef();
    d.liq.max_notional_per_tick = 40000; /* 44 lots at mark 909 */
    d.insurance_fund = 1000000;
    LiqFix f = liq_fix(&d, 905, 100);
    /* 100 lots at mark 909: 40,000 / 909 = 44 lots per tick -> 44, 44, 12 over three ticks. */
    CHECK_EQ(record(f.p, 0)->book_qty, 44);
    CHECK_EQ(perp_stats(f.p).backlog_lots, 56);
    perp_advance(f.p, f.t + 100 * MS);
    CHECK_EQ(record(f.p, 0)->book_qty, 88);
    perp_advance(f.p, f.t + 200 * MS);
    CHECK_EQ(record(f.p, 0)->book_qty, 100);
    CHECK_EQ(record(f.p, 0)->done_time, f.t + 200 * MS);
    ok(f.p);
    perp_destroy(f.p);
}

static void perp_bankruptcy_ioc_retries_then_market(void)
{
    PerpDef d = tdef();
    d.liq.mode = LIQ_MODE_BANKRUPTCY_IOC;
    d.liq.ioc_retries = 2;
    d.insurance_fund = 1000000;
    LiqFix f = liq_fix(&d, 890, 100); /* bids below BP 900: the IOC at 900 cannot fill */
    CHECK_EQ(record(f.p, 0)->book_qty, 0);
    perp_advance(f.p, f.t + 100 * MS); /* second failure */
    CHECK_EQ(record(f.p, 0)->book_qty, 0);
    perp_advance(f.p, f.t + 200 * MS); /* retries used up: market order sells at 890, the fund pays 1,000 */
    CHECK_EQ(record(f.p, 0)->book_qty, 100);
    CHECK_EQ(record(f.p, 0)->pnl, -1000);
    perp_destroy(f.p);

    f = liq_fix(&d, 901, 100); /* a bid above BP: the first IOC fills at 901 for a surplus of 100 */
    CHECK_EQ(record(f.p, 0)->book_qty, 100);
    CHECK_EQ(record(f.p, 0)->pnl, 100);
    perp_destroy(f.p);
}

static Lots fixed_bid(void *ctx, const PerpBackstopOffer *o, Ticks *price)
{
    const Ticks *px = ctx;
    *price = *px;
    return o->qty / 2;
}

static void perp_backstop_takers(void)
{
    PerpDef d = tdef();
    d.liq.mode = LIQ_MODE_BACKSTOP;
    d.insurance_fund = 1000000;
    PerpVenue *p = make(&d, 1000);
    SimTime t = d.start;
    AccountId L = account(p, MARGIN_MODE_ISOLATED, 10, 20000);
    AccountId S = account(p, MARGIN_MODE_CROSS, 10, 1000000);
    AccountId B = account(p, MARGIN_MODE_CROSS, 10, 1000000);
    CHECK_EQ(perp_add_backstop(p, B, &(PerpBackstop){NULL, NULL}), STATUS_OK);
    CHECK_EQ(perp_add_backstop(p, L, &(PerpBackstop){NULL, NULL}), STATUS_INVALID); /* isolated: not a backstop */
    trade(p, t, L, S, 1000, 100);
    perp_set_index(p, 909);
    perp_advance(p, t + SEC);
    ok(p);
    /* The backstop takes the whole position at the bankruptcy price 900; the book is not touched. */
    CHECK_EQ(ledger_qty(perp_ledger(p), B), 100);
    CHECK_EQ(ledger_entry_cost(perp_ledger(p), B), 90000);
    CHECK_EQ(record(p, 0)->backstop_qty, 100);
    CHECK_EQ(record(p, 0)->pnl, 0);
    perp_destroy(p);

    /* Auction: two takers bid for half each; the higher bid (904) is served first; the rest goes to the other
     * bidder at 902: the fund earns (904 - 900) x 50 + (902 - 900) x 50 = 300. */
    d.liq.backstop_auction = true;
    p = make(&d, 1000);
    L = account(p, MARGIN_MODE_ISOLATED, 10, 20000);
    S = account(p, MARGIN_MODE_CROSS, 10, 1000000);
    AccountId B1 = account(p, MARGIN_MODE_CROSS, 10, 1000000);
    AccountId B2 = account(p, MARGIN_MODE_CROSS, 10, 1000000);
    Ticks px1 = 902, px2 = 904;
    CHECK_EQ(perp_add_backstop(p, B1, &(PerpBackstop){&px1, fixed_bid}), STATUS_OK);
    CHECK_EQ(perp_add_backstop(p, B2, &(PerpBackstop){&px2, fixed_bid}), STATUS_OK);
    trade(p, t, L, S, 1000, 100);
    perp_set_index(p, 909);
    perp_advance(p, t + SEC);
    ok(p);
    CHECK_EQ(ledger_qty(perp_ledger(p), B2), 50);
    CHECK_EQ(ledger_qty(perp_ledger(p), B1), 50);
    CHECK_EQ(record(p, 0)->pnl, 300);
    perp_destroy(p);
}

/* ---- the walk-down: liquidations in LP order, generations, and a cascade that must (not) happen ---- */

/* Longs of 10 lots at 1000, isolated, at leverage 20/15/12/10: W = 500/667/834/1000.
 *   LP = (10,000 - W) / (10 x 0.99) settled on the exact test: 959, 942, 925, 909;  BP = ceil((10,000 - W)/10):
 *   950, 934, 917, 900. The mark follows the last trade (MARK_LAST). */
typedef struct Ladder {
    PerpVenue *p;
    AccountId L[4], S, M, X;
    SimTime t;
} Ladder;

static Ladder ladder(const PerpDef *d)
{
    Ladder f;
    f.p = make(d, 1000);
    f.t = d->start;
    int32_t lev[4] = {20, 15, 12, 10};
    f.S = account(f.p, MARGIN_MODE_CROSS, 10, 10000000);
    f.M = account(f.p, MARGIN_MODE_CROSS, 10, 100000000);
    f.X = account(f.p, MARGIN_MODE_CROSS, 10, 10000000);
    for (int i = 0; i < 4; i++) {
        f.L[i] = account(f.p, MARGIN_MODE_ISOLATED, lev[i], 5000);
        trade(f.p, f.t, f.L[i], f.S, 1000, 10);
    }
    const Ledger *g = perp_ledger(f.p);
    CHECK_EQ(ledger_liq_price(g, f.L[0]), 959);
    CHECK_EQ(ledger_liq_price(g, f.L[1]), 942);
    CHECK_EQ(ledger_liq_price(g, f.L[2]), 925);
    CHECK_EQ(ledger_liq_price(g, f.L[3]), 909);
    CHECK_EQ(ledger_bankruptcy_price(g, f.L[1]), 934);
    CHECK_EQ(ledger_bankruptcy_price(g, f.L[2]), 917);
    return f;
}

static void perp_walk_down_cascade(void)
{
    PerpDef d = tdef();
    d.mark.method = MARK_LAST;
    d.insurance_fund = 1000000;
    Ladder f = ladder(&d);
    /* Thin bids: each liquidation's sale prints just below the next liquidation price. */
    limit(f.p, f.t, f.M, SIDE_BUY, 958, 10);
    limit(f.p, f.t, f.M, SIDE_BUY, 941, 10);
    limit(f.p, f.t, f.M, SIDE_BUY, 924, 10);
    limit(f.p, f.t, f.M, SIDE_BUY, 908, 10);
    limit(f.p, f.t, f.M, SIDE_BUY, 850, 100);
    /* The push: X sells 10 at market and prints 958. One mark update per second does the rest. */
    CHECK_EQ(submit(f.p, f.t, f.X, ORDER_MARKET, SIDE_SELL, 0, 10, NULL), STATUS_OK);
    perp_advance(f.p, f.t + 10 * SEC);
    ok(f.p);
    uint32_t n = 0;
    const PerpLiqRecord *r = perp_liq_records(f.p, &n);
    CHECK_EQ(n, 4);
    for (uint32_t i = 0; i < n && i < 4; i++) {
        CHECK_EQ(r[i].account, f.L[i]);           /* in liquidation-price order */
        CHECK_EQ(r[i].generation, (int32_t)i);    /* each triggered by the previous one's fills */
        CHECK_EQ(r[i].cascade_id, 1);
        CHECK_EQ(r[i].time, f.t + (SimTime)(i + 1) * SEC);
    }
    /* Deficits: sold at 941, 924, 908, 850 against BP 950, 934, 917, 900. */
    CHECK_EQ(r[0].pnl, -90);
    CHECK_EQ(r[1].pnl, -100);
    CHECK_EQ(r[2].pnl, -90);
    CHECK_EQ(r[3].pnl, -500);
    CHECK_EQ(perp_stats(f.p).deepest_generation, 3);
    CHECK_EQ(ledger_insurance_fund(perp_ledger(f.p)), 1000000 - 780);
    perp_destroy(f.p);
}

static void perp_deep_book_stops_cascade(void)
{
    PerpDef d = tdef();
    d.mark.method = MARK_LAST;
    d.insurance_fund = 1000000;
    Ladder f = ladder(&d);
    limit(f.p, f.t, f.M, SIDE_BUY, 958, 10);
    limit(f.p, f.t, f.M, SIDE_BUY, 957, 1000); /* deep liquidity absorbs the forced sale */
    CHECK_EQ(submit(f.p, f.t, f.X, ORDER_MARKET, SIDE_SELL, 0, 10, NULL), STATUS_OK);
    perp_advance(f.p, f.t + 120 * SEC);
    ok(f.p);
    PerpStats s = perp_stats(f.p);
    CHECK_EQ(s.liquidations, 1);
    CHECK_EQ(s.deepest_generation, 0);
    CHECK_EQ(ledger_qty(perp_ledger(f.p), f.L[1]), 10);
    perp_destroy(f.p);
}

static void perp_generation_window_expires(void)
{
    PerpDef d = tdef();
    d.insurance_fund = 1000000;
    d.liq.generation_window = 30 * SEC;
    Ladder f = ladder(&d);
    limit(f.p, f.t, f.M, SIDE_BUY, 900, 1000); /* within every liquidation's 10 % band */
    /* Index walk: 959 at +1 s (L[0], gen 0), 942 at +11 s (L[1]: a liquidation sale 10 s ago -> gen 1), 925 at
     * +61 s (the window holds nothing: gen 0 of a new cascade). */
    perp_set_index(f.p, 959);
    perp_advance(f.p, f.t + SEC);
    perp_advance(f.p, f.t + 10 * SEC);
    perp_set_index(f.p, 942);
    perp_advance(f.p, f.t + 11 * SEC);
    perp_advance(f.p, f.t + 60 * SEC); /* the index applies from the next mark update: advance first */
    perp_set_index(f.p, 925);
    perp_advance(f.p, f.t + 61 * SEC);
    ok(f.p);
    CHECK_EQ(record(f.p, 0)->generation, 0);
    CHECK_EQ(record(f.p, 1)->generation, 1);
    CHECK_EQ(record(f.p, 1)->cascade_id, 1);
    CHECK_EQ(record(f.p, 2)->generation, 0);
    CHECK_EQ(record(f.p, 2)->cascade_id, 2);
    CHECK_EQ(perp_stats(f.p).cascades, 2);
    perp_destroy(f.p);
}

/* ---- policies ---- */

static void perp_price_band_rejects(void)
{
    PerpDef d = tdef();
    d.policy.price_band_bps = 100; /* mark 1000 +/- 10 */
    PerpVenue *p = make(&d, 1000);
    SimTime t = d.start;
    AccountId A = account(p, MARGIN_MODE_CROSS, 10, 1000000);
    CHECK_EQ(submit(p, t, A, ORDER_LIMIT, SIDE_BUY, 1011, 1, NULL), STATUS_REJECTED);
    CHECK_EQ(submit(p, t, A, ORDER_LIMIT, SIDE_BUY, 1010, 1, NULL), STATUS_OK);
    CHECK_EQ(submit(p, t, A, ORDER_LIMIT, SIDE_SELL, 989, 1, NULL), STATUS_REJECTED);
    CHECK_EQ(submit(p, t, A, ORDER_POST_ONLY, SIDE_SELL, 1011, 1, NULL), STATUS_REJECTED); /* post-only too */
    CHECK_EQ(submit(p, t, A, ORDER_POST_ONLY, SIDE_BUY, 990, 1, NULL), STATUS_OK); /* the lower edge */
    CHECK_EQ(perp_stats(p).band_rejects, 3);
    perp_destroy(p);
}

static void perp_circuit_breaker_halts_and_reopens(void)
{
    PerpDef d = tdef();
    d.policy.cb_move_bps = 500;   /* 5 % */
    d.policy.cb_window = 60 * SEC;
    d.policy.cb_halt = 300 * SEC;
    PerpVenue *p = make(&d, 1000);
    SimTime t = d.start;
    AccountId A = account(p, MARGIN_MODE_CROSS, 10, 10000000);
    AccountId B = account(p, MARGIN_MODE_CROSS, 10, 10000000);
    trade(p, t, A, B, 1000, 1);
    limit(p, t, A, SIDE_BUY, 960, 1);
    limit(p, t, A, SIDE_BUY, 940, 1);
    /* B sweeps both bids with an IOC (a market order would stop at its 5 % band, 950): 940 is 6 % below 1000 ->
     * halt after the order completes. */
    CHECK_EQ(submit(p, t + SEC, B, ORDER_IOC, SIDE_SELL, 940, 2, NULL), STATUS_OK);
    CHECK(perp_halted(p));
    CHECK_EQ(perp_stats(p).halts, 1);
    CHECK_EQ(submit(p, t + 2 * SEC, B, ORDER_MARKET, SIDE_SELL, 0, 1, NULL), STATUS_REJECTED);
    /* Call auction: bids 5 @ 950 and 3 @ 945, asks 4 @ 944 and 2 @ 948 rest crossed. */
    limit(p, t + 3 * SEC, A, SIDE_BUY, 950, 5);
    limit(p, t + 3 * SEC, A, SIDE_BUY, 945, 3);
    limit(p, t + 3 * SEC, B, SIDE_SELL, 944, 4);
    limit(p, t + 3 * SEC, B, SIDE_SELL, 948, 2);
    CHECK_EQ(book_counts(perp_book(p)).fills, 3); /* nothing matched during the halt */
    /* Reopening at t+1 s+300 s. Matched volume by price: 944-945: min(8, 4) = 4; 948-950: min(5, 6) = 5 -> the
     * uncross trades 5 lots; among 948..950 the least imbalance (1 at each) and then closest to the reference
     * (mark 1000) gives 950. Self-trade prevention does not apply (A buys, B sells). */
    perp_advance(p, t + SEC + 300 * SEC);
    ok(p);
    CHECK(!perp_halted(p));
    CHECK_EQ(book_last_price(perp_book(p)), 950);
    CHECK_EQ(book_counts(perp_book(p)).fills - 3, 2); /* 4 @ (944 ask) + 1 @ (948 ask), both at the uncross price */
    perp_destroy(p);
}

static void perp_dynamic_mmr_rises_with_volatility(void)
{
    PerpDef d = tdef();
    d.policy.dyn_mmr = DYN_MMR_VOLATILITY;
    d.policy.dyn_review = 10 * SEC;
    d.policy.dyn_vol_window = 10 * SEC;
    d.policy.dyn_vol_ref_ppm = 1000;     /* 0.1 % per second */
    d.policy.dyn_vol_slope_ppm = 1000000;
    d.policy.dyn_max_factor_ppm = 3000000;
    PerpVenue *p = make(&d, 1000);
    SimTime t = d.start;
    AccountId L = account(p, MARGIN_MODE_ISOLATED, 10, 20000);
    AccountId S = account(p, MARGIN_MODE_CROSS, 10, 1000000);
    trade(p, t, L, S, 1000, 100);
    perp_advance(p, t + 10 * SEC); /* calm: the factor stays 1 */
    CHECK_EQ(perp_stats(p).dyn_factor_ppm, 1000000);
    CHECK_EQ(ledger_liq_price(perp_ledger(p), L), 909);
    /* Alternate 1000 / 1005 each second: |r| about 5,000 ppm, vol/ref - 1 = about 4 -> capped at 3x. */
    for (int i = 11; i <= 20; i++) {
        perp_set_index(p, i % 2 ? 1005 : 1000);
        perp_advance(p, t + i * SEC);
    }
    ok(p);
    CHECK_EQ(perp_stats(p).dyn_factor_ppm, 3000000);
    const MarginTable *tb = perp_table(p);
    CHECK_EQ(tb->tiers[0].mmr_ppm, 30000);
    CHECK_EQ(tb->tiers[0].max_leverage, 33);   /* floor(999,999 / 30,000) */
    CHECK_EQ(tb->tiers[1].maint_amount, 45000); /* 1,000,000 x (7.5 % - 3 %) */
    /* LP at mmr 3 %: 90,000 / (100 x 0.97) = 927.8 -> 927 (at 927: MB 2,700 <= ceil(2,781) ; at 928: 2,800 > 2,784). */
    CHECK_EQ(ledger_liq_price(perp_ledger(p), L), 927);
    /* Calm again: the factor returns to 1 once the window holds only flat returns. */
    for (int i = 21; i <= 40; i++) {
        perp_set_index(p, 1000);
        perp_advance(p, t + i * SEC);
    }
    CHECK_EQ(perp_stats(p).dyn_factor_ppm, 1000000);
    CHECK_EQ(ledger_liq_price(perp_ledger(p), L), 909);
    perp_destroy(p);
}

static void perp_def_rejects_bad_values(void)
{
    PerpDef d = tdef();
    char why[200] = "";
    CHECK_EQ(perp_def_validate(&d, why, sizeof why), STATUS_OK);
    d.policy.max_leverage = 51;
    CHECK_EQ(perp_def_validate(&d, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "max_leverage") != NULL);
    d = tdef();
    d.maker_fee_bps = -6;
    d.taker_fee_bps = 5;
    CHECK_EQ(perp_def_validate(&d, why, sizeof why), STATUS_INVALID);
    d = tdef();
    d.liq.tick = 0;
    CHECK_EQ(perp_def_validate(&d, why, sizeof why), STATUS_INVALID);
    d = tdef();
    d.funding.impact_notional = 0;
    CHECK_EQ(perp_def_validate(&d, why, sizeof why), STATUS_INVALID);
    PerpVenue *p = NULL;
    CHECK_EQ(perp_create(&d, &p), STATUS_INVALID);
    CHECK(p == NULL);
}

/* ---- randomized: every mode and policy under random flow; the venue must stay consistent throughout ---- */

static PerpStats random_run(LiqMode mode, bool adl, bool policies, uint64_t seed)
{
    PerpDef d = tdef();
    d.liq.mode = mode;
    d.liq.adl = adl;
    d.liq.max_orders_per_tick = 3;
    d.maker_fee_bps = -1;
    d.taker_fee_bps = 4;
    d.liq.fee_bps = 30;
    d.insurance_fund = 20000;
    if (policies) {
        d.policy.price_band_bps = 800;
        d.policy.cb_move_bps = 600;
        d.policy.cb_window = 30 * SEC;
        d.policy.cb_halt = 20 * SEC;
        d.policy.dyn_mmr = DYN_MMR_BOTH;
        d.policy.dyn_review = 5 * SEC;
        d.policy.dyn_vol_window = 10 * SEC;
        d.mark.method = MARK_MEDIAN3;
    }
    PerpVenue *p = make(&d, 1000);
    Rng r;
    rng_seed(&r, seed);
    enum { N = 24 };
    AccountId a[N];
    for (int i = 0; i < N; i++) {
        bool iso = i % 3 != 0;
        a[i] = account(p, iso ? MARGIN_MODE_ISOLATED : MARGIN_MODE_CROSS, (int32_t)rng_range_i64(&r, 2, 40),
                       rng_range_i64(&r, 2000, 200000));
        if (i == 1 && mode == LIQ_MODE_BACKSTOP) {
            AccountId b = account(p, MARGIN_MODE_CROSS, 5, 5000000);
            CHECK_EQ(perp_add_backstop(p, b, &(PerpBackstop){NULL, NULL}), STATUS_OK);
        }
    }
    SimTime t = d.start;
    Ticks index = 1000;
    OrderRef refs[64] = {0};
    AccountId ref_owner[64] = {0};
    for (int step = 0; step < 4000; step++) {
        t += rng_range_i64(&r, 1, 400) * MS;
        if (rng_bernoulli(&r, 0.02)) {
            index += rng_range_i64(&r, -25, 22); /* a downward drift with jumps */
            if (index < 500) index = 500;
            perp_advance(p, t);
            perp_set_index(p, index);
        }
        int k = (int)rng_bounded(&r, N);
        int op = (int)rng_bounded(&r, 10);
        Ticks m = perp_mark(p) > 0 ? perp_mark(p) : index;
        if (op < 6) {
            VenueReq q = {0};
            q.type = op < 4 ? ORDER_LIMIT : op == 4 ? ORDER_MARKET : ORDER_IOC;
            q.side = rng_bernoulli(&r, 0.5) ? SIDE_BUY : SIDE_SELL;
            q.price_tk = m + rng_range_i64(&r, -30, 30);
            q.qty = rng_range_i64(&r, 1, 60);
            q.flags = rng_bernoulli(&r, 0.1) ? ORDER_FLAG_REDUCE_ONLY : 0;
            VenueResult res;
            if (perp_submit(p, t, a[k], &q, &res) == STATUS_OK && res.ref != ORDER_REF_NONE) {
                int s = (int)rng_bounded(&r, 64);
                refs[s] = res.ref;
                ref_owner[s] = a[k];
            }
        } else if (op < 8) {
            int s = (int)rng_bounded(&r, 64);
            if (refs[s]) {
                Status st = perp_cancel(p, t, ref_owner[s], refs[s]);
                CHECK(st == STATUS_OK || st == STATUS_STALE);
                refs[s] = 0;
            }
        } else if (op == 8) {
            perp_cancel_all(p, t, a[k]);
        } else {
            (void)perp_deposit(p, a[k], rng_range_i64(&r, 1, 5000));
        }
        ok(p);
    }
    perp_advance(p, t + 60 * SEC);
    ok(p);
    PerpStats s = perp_stats(p);
    CHECK_GT(s.fills, 500);
    CHECK_GT(s.liquidations, 0); /* the drift and the leverage make sure the engine is exercised */
    perp_destroy(p);
    return s;
}

static void perp_random_flow_stays_consistent(void)
{
    uint64_t adl = 0, halts = 0;
    for (int mode = 0; mode < LIQ_MODE_COUNT_; mode++) {
        adl += random_run((LiqMode)mode, true, false, 11u + (uint64_t)mode).adl_events;
        halts += random_run((LiqMode)mode, false, true, 101u + (uint64_t)mode).halts;
    }
    CHECK_GT(adl, 0);   /* the runs reach ADL and halts, so those paths are checked too */
    CHECK_GT(halts, 0);
}

void suite_market_perp(void)
{
    static const TestCase cases[] = {
        TEST_CASE(perp_open_isolated_long_prices),
        TEST_CASE(perp_admission_needs_margin),
        TEST_CASE(perp_fees_and_rebates),
        TEST_CASE(perp_funding_settles_at_0800),
        TEST_CASE(perp_price_band_rejects),
        TEST_CASE(perp_circuit_breaker_halts_and_reopens),
        TEST_CASE(perp_dynamic_mmr_rises_with_volatility),
        TEST_CASE(perp_def_rejects_bad_values),
        TEST_CASE(perp_random_flow_stays_consistent),
    };
    test_add_suite("market_perp", cases, TEST_COUNT(cases));
}

void suite_market_perp_liq(void)
{
    static const TestCase cases[] = {
        TEST_CASE(perp_liquidation_with_surplus),
        TEST_CASE(perp_liquidation_deficit_covered_by_fund),
        TEST_CASE(perp_liquidation_adl_when_fund_short),
        TEST_CASE(perp_liquidation_bad_debt_without_adl),
        TEST_CASE(perp_partial_liquidation_lowers_tier),
        TEST_CASE(perp_cross_liquidation_cancels_orders),
        TEST_CASE(perp_backlog_under_throughput_limit),
        TEST_CASE(perp_blocked_backlog_waits_in_order),
        TEST_CASE(perp_notional_limit_slices_head),
        TEST_CASE(perp_bankruptcy_ioc_retries_then_market),
        TEST_CASE(perp_backstop_takers),
        TEST_CASE(perp_walk_down_cascade),
        TEST_CASE(perp_deep_book_stops_cascade),
        TEST_CASE(perp_generation_window_expires),
    };
    test_add_suite("market_perp_liq", cases, TEST_COUNT(cases));
}
