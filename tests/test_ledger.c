/* Ledger and liquidation-price index against hand-computed integers.
 *
 * Units (BTCUSDT-like, as test_margin.c): 1 tick = 0.1 USDT, 1 lot = 0.001 BTC, 1 quote unit = 0.0001 USDT,
 * QPU = 10,000 quote units per USDT. 100,000 USDT = 1,000,000 ticks; 1 BTC = 1,000 lots.
 * Every test runs ledger_check after every complete operation (both sides of a trade). */
#include "test_suites.h"
#include "test_util.h"

#include "ledger.h"
#include "liqindex.h"
#include "funding.h"

#include <stdio.h>
#include <string.h>

#define QPU 10000

static void check_ledger_(const Ledger *L, unsigned line)
{
    char why[256] = "";
    Status s = ledger_check(L, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "ledger_check failed (test line %u): %s\n", line, why);
    CHECK_EQ(s, STATUS_OK);
}
#define LCHECK(L) check_ledger_((L), __LINE__)

static void init_ledger(Ledger *L, uint32_t capacity)
{
    LedgerDef d = ledger_default_def();
    d.capacity = capacity;
    CHECK_EQ(ledger_init(L, &d), STATUS_OK);
    LCHECK(L);
}

static AccountId account(Ledger *L, MarginMode mode, int32_t lev, Quote deposit)
{
    AccountId a = ACCOUNT_NONE;
    CHECK_EQ(ledger_add_account(L, mode, lev, &a), STATUS_OK);
    if (deposit > 0) CHECK_EQ(ledger_deposit(L, a, deposit), STATUS_OK);
    LCHECK(L);
    return a;
}

/* buyer buys qty at price from seller; both fills, then the check. */
static void trade(Ledger *L, AccountId buyer, AccountId seller, Ticks price, Lots qty, Quote fee_b, Quote fee_s)
{
    CHECK_EQ(ledger_apply_fill(L, buyer, SIDE_BUY, price, qty, fee_b, NULL), STATUS_OK);
    CHECK_EQ(ledger_apply_fill(L, seller, SIDE_SELL, price, qty, fee_s, NULL), STATUS_OK);
    LCHECK(L);
}

/* ---------------------------------------------------------------------------------------------------------------- */

static void ledger_open_increase_partial_close_exact(void)
{
    Ledger L;
    init_ledger(&L, 4);
    AccountId a = account(&L, MARGIN_MODE_CROSS, 20, 10000 * QPU); /* 100,000,000 quote */
    AccountId b = account(&L, MARGIN_MODE_CROSS, 20, 10000 * QPU);

    /* a buys 3 @ 1,000,000 from b: cost 3,000,000; fees taker 1,200 and maker rebate -300. */
    trade(&L, a, b, 1000000, 3, 1200, -300);
    CHECK_EQ(ledger_qty(&L, a), 3);
    CHECK_EQ(ledger_qty(&L, b), -3);
    CHECK_EQ(ledger_entry_cost(&L, a), 3000000);
    CHECK_EQ(ledger_entry_cost(&L, b), 3000000);
    CHECK_EQ(ledger_fee_account(&L), 900); /* 1,200 - 300 */
    CHECK_EQ(ledger_cash(&L, b), 100000300);
    uint32_t ncross = 0;
    ledger_cross_accounts(&L, &ncross);
    CHECK_EQ(ncross, 2);

    /* increase: 4 @ 1,000,001 -> cost 3,000,000 + 4,000,004 = 7,000,004 on both sides. */
    trade(&L, a, b, 1000001, 4, 0, 0);
    CHECK_EQ(ledger_entry_cost(&L, a), 7000004);
    CHECK_EQ(ledger_oi_long(&L), 7);
    CHECK_EQ(ledger_oi_short(&L), 7);

    /* partial close: a sells 2 @ 1,000,010. share = floor(7,000,004 * 2 / 7) = floor(2,000,001.14) = 2,000,001;
     * the 1/7 remainder stays: remaining cost 5,000,003. a: pnl 2,000,020 - 2,000,001 = 19; b: -19. */
    LedgerFillResult ra, rb;
    CHECK_EQ(ledger_apply_fill(&L, a, SIDE_SELL, 1000010, 2, 0, &ra), STATUS_OK);
    CHECK_EQ(ledger_apply_fill(&L, b, SIDE_BUY, 1000010, 2, 0, &rb), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(ra.closed, 2);
    CHECK_EQ(ra.opened, 0);
    CHECK_EQ(ra.cost_removed, 2000001);
    CHECK_EQ(ra.realized_pnl, 19);
    CHECK_EQ(rb.realized_pnl, -19);
    CHECK_EQ(ra.qty_after, 5);
    CHECK_EQ(ledger_entry_cost(&L, a), 5000003);
    CHECK_EQ(ledger_entry_cost(&L, b), 5000003);

    /* full close 5 @ 1,000,000 removes all 5,000,003: a pnl 5,000,000 - 5,000,003 = -3; b +3.
     * a overall: sold 2,000,020 + 5,000,000 = 7,000,020, bought 7,000,004: +16 exactly, no drift. */
    CHECK_EQ(ledger_apply_fill(&L, a, SIDE_SELL, 1000000, 5, 0, &ra), STATUS_OK);
    CHECK_EQ(ledger_apply_fill(&L, b, SIDE_BUY, 1000000, 5, 0, &rb), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(ra.cost_removed, 5000003);
    CHECK_EQ(ra.realized_pnl, -3);
    CHECK_EQ(rb.realized_pnl, 3);
    CHECK_EQ(ledger_entry_cost(&L, a), 0);
    CHECK_EQ(ledger_entry_cost(&L, b), 0);
    CHECK_EQ(ledger_cash(&L, a), 99998816);  /* 100,000,000 + 16 - 1,200 */
    CHECK_EQ(ledger_cash(&L, b), 100000284); /* 100,000,000 - 16 + 300 */
    CHECK_EQ(ledger_oi_long(&L), 0);
    ledger_cross_accounts(&L, &ncross);
    CHECK_EQ(ncross, 0);
    ledger_fini(&L);
}

static void ledger_flip_through_zero(void)
{
    Ledger L;
    init_ledger(&L, 4);
    AccountId a = account(&L, MARGIN_MODE_CROSS, 10, 1000 * QPU);
    AccountId b = account(&L, MARGIN_MODE_CROSS, 10, 1000 * QPU);
    trade(&L, a, b, 1000000, 5, 0, 0); /* a long 5, cost 5,000,000 */

    /* a sells 8 @ 1,000,100: closes 5 (pnl 5,000,500 - 5,000,000 = 500), opens short 3 with cost 3,000,300.
     * b buys 8: closes its short 5 (pnl -500), opens long 3 with cost 3,000,300. */
    LedgerFillResult ra, rb;
    CHECK_EQ(ledger_apply_fill(&L, a, SIDE_SELL, 1000100, 8, 0, &ra), STATUS_OK);
    CHECK_EQ(ledger_apply_fill(&L, b, SIDE_BUY, 1000100, 8, 0, &rb), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(ra.closed, 5);
    CHECK_EQ(ra.opened, 3);
    CHECK_EQ(ra.realized_pnl, 500);
    CHECK_EQ(rb.realized_pnl, -500);
    CHECK_EQ(ledger_qty(&L, a), -3);
    CHECK_EQ(ledger_qty(&L, b), 3);
    CHECK_EQ(ledger_entry_cost(&L, a), 3000300);
    CHECK_EQ(ledger_entry_cost(&L, b), 3000300);
    CHECK_EQ(ledger_cash(&L, a), 10000500);
    CHECK_EQ(ledger_oi_long(&L), 3);
    CHECK_EQ(ledger_oi_short(&L), 3);
    /* unrealized at mark 1,000,000: a short 3,000,300 - 3,000,000 = +300; b -300. */
    CHECK_EQ(ledger_unrealized_pnl(&L, a, 1000000), 300);
    CHECK_EQ(ledger_unrealized_pnl(&L, b, 1000000), -300);
    CHECK_EQ(ledger_margin_balance(&L, b, 1000000), 9999200); /* 10,000,000 - 500 - 300 */
    ledger_fini(&L);
}

static void ledger_isolated_margin_release_pro_rata(void)
{
    Ledger L;
    init_ledger(&L, 4);
    AccountId a = account(&L, MARGIN_MODE_ISOLATED, 20, 10000 * QPU);
    AccountId b = account(&L, MARGIN_MODE_CROSS, 20, 10000 * QPU);
    /* IM of 7 lots @ 1,000,000 at 20x = ceil(7,000,000 / 20) = 350,000; the venue assigns 350,003 (odd). */
    CHECK_EQ(ledger_assign_margin(&L, a, 350003), STATUS_OK);
    LCHECK(&L); /* flat account with margin assigned ahead of its fill: not indexed yet */
    trade(&L, a, b, 1000000, 7, 0, 0);
    CHECK_EQ(ledger_cash(&L, a), 100000000 - 350003);
    CHECK_EQ(ledger_isolated_margin(&L, a), 350003);
    CHECK_EQ(ledger_available(&L, a, 1000000), 100000000 - 350003);

    /* sell 2: release trunc(350,003 * 2 / 7) = trunc(100,000.86) = 100,000; 250,003 stays. */
    LedgerFillResult r;
    CHECK_EQ(ledger_apply_fill(&L, a, SIDE_SELL, 1000000, 2, 0, &r), STATUS_OK);
    CHECK_EQ(ledger_apply_fill(&L, b, SIDE_BUY, 1000000, 2, 0, NULL), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(r.margin_released, 100000);
    CHECK_EQ(ledger_isolated_margin(&L, a), 250003);
    /* the rest releases everything */
    CHECK_EQ(ledger_apply_fill(&L, a, SIDE_SELL, 1000000, 5, 0, &r), STATUS_OK);
    CHECK_EQ(ledger_apply_fill(&L, b, SIDE_BUY, 1000000, 5, 0, NULL), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(r.margin_released, 250003);
    CHECK_EQ(ledger_isolated_margin(&L, a), 0);
    CHECK_EQ(ledger_cash(&L, a), 100000000);
    CHECK_EQ(ledger_liq_price(&L, a), 0);
    CHECK(!liqindex_get(ledger_liqindex(&L), a, NULL, NULL));
    ledger_fini(&L);
}

static void ledger_liq_price_indexed_and_updated(void)
{
    Ledger L;
    init_ledger(&L, 4);
    AccountId a = account(&L, MARGIN_MODE_ISOLATED, 20, 10000 * QPU);
    AccountId b = account(&L, MARGIN_MODE_CROSS, 20, 100000 * QPU);
    /* docs/margin.md's worked example: long 1 BTC @ 100,000 USDT with 5,000 USDT: LP tick 954,271, BP 950,000. */
    CHECK_EQ(ledger_assign_margin(&L, a, 5000 * QPU), STATUS_OK);
    trade(&L, a, b, 1000000, 1000, 0, 0);
    const MarginTable t = margin_table_binance_btcusdt(QPU);
    CHECK_EQ(ledger_liq_price(&L, a), margin_liquidation_price(&t, 1000, 1000000000, 50000000));
    CHECK_EQ(ledger_liq_price(&L, a), 954271);
    CHECK_EQ(ledger_bankruptcy_price(&L, a), 950000);
    Ticks lp = 0;
    Side side = SIDE_SELL;
    CHECK(liqindex_get(ledger_liqindex(&L), a, &side, &lp));
    CHECK_EQ(lp, 954271);
    CHECK_EQ(side, SIDE_BUY);
    CHECK(ledger_is_liquidatable(&L, a, 954271));
    CHECK(!ledger_is_liquidatable(&L, a, 954272));

    /* top-up 100 USDT: W = 51,000,000. LP = (1e9 - 51,000,000 - 500,000) / (1000 * 0.995) = 953,266.3 -> 953,266.
     * at 953,266: balance 51,000,000 + 953,266,000 - 1e9 = 4,266,000 <= MM ceil(4,766,330) - 500,000 = 4,266,330;
     * at 953,267: balance 4,267,000 > MM 4,266,335. BP = ceil(949,000,000 / 1000) = 949,000. */
    CHECK_EQ(ledger_add_margin(&L, a, 100 * QPU), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(ledger_liq_price(&L, a), 953266);
    CHECK_EQ(ledger_bankruptcy_price(&L, a), 949000);
    CHECK(liqindex_get(ledger_liqindex(&L), a, NULL, &lp));
    CHECK_EQ(lp, 953266);

    /* removal: at mark 1,000,000 IM = ceil(1e9 / 20) = 50,000,000; margin 51,000,000 -> at most 1,000,000 out. */
    CHECK_EQ(ledger_remove_margin(&L, a, 1000001, 1000000), STATUS_REJECTED);
    CHECK_EQ(ledger_remove_margin(&L, a, 1000000, 1000000), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(ledger_liq_price(&L, a), 954271);
    /* an unrealized loss counts against removal: at mark 999,000 upnl = -1,000,000 */
    CHECK_EQ(ledger_remove_margin(&L, a, 1, 999000), STATUS_REJECTED);
    ledger_fini(&L);
}

/* A cross account's whole cash backs its one position, so it has a liquidation price like an isolated one with its
 * cash as collateral; the cross index must follow every cash change (a stale entry would miss a liquidation). */
static void ledger_cross_liq_price_follows_cash(void)
{
    Ledger L;
    init_ledger(&L, 4);
    AccountId c = account(&L, MARGIN_MODE_CROSS, 20, 5000 * QPU);
    AccountId b = account(&L, MARGIN_MODE_CROSS, 20, 100000 * QPU);
    trade(&L, c, b, 1000000, 1000, 0, 0);
    /* The index is brought up to date when asked for (entries of changed accounts wait until then), so every read
     * below asks again. */
    LiqIndex *x = ledger_cross_liqindex(&L);
    Ticks lp = 0;
    Side side = SIDE_SELL;
    /* The isolated worked example above with 5,000 USDT of cash instead of isolated margin: LP 954,271. */
    CHECK(liqindex_get(x, c, &side, &lp));
    CHECK_EQ(lp, 954271);
    CHECK_EQ(side, SIDE_BUY);
    CHECK(ledger_is_liquidatable(&L, c, 954271));
    CHECK(!ledger_is_liquidatable(&L, c, 954272));
    CHECK(liqindex_get(x, b, &side, &lp));
    CHECK_EQ(side, SIDE_SELL);
    const MarginTable t = margin_table_binance_btcusdt(QPU);
    CHECK_EQ(lp, margin_liquidation_price(&t, -1000, 1000000000, 100000 * QPU));
    CHECK(!liqindex_get(ledger_liqindex(&L), c, NULL, NULL)); /* the isolated index stays isolated-only */

    CHECK_EQ(ledger_deposit(&L, c, 100 * QPU), STATUS_OK); /* 5,100 USDT: LP 953,266 as with the isolated top-up */
    LCHECK(&L);
    x = ledger_cross_liqindex(&L);
    CHECK(liqindex_get(x, c, NULL, &lp));
    CHECK_EQ(lp, 953266);
    CHECK_EQ(ledger_to_fund(&L, c, LEDGER_FROM_CASH, 100 * QPU), STATUS_OK);
    LCHECK(&L);
    x = ledger_cross_liqindex(&L);
    CHECK(liqindex_get(x, c, NULL, &lp));
    CHECK_EQ(lp, 954271);
    CHECK_EQ(ledger_fund_pay(&L, c, 100 * QPU), STATUS_OK);
    LCHECK(&L);
    x = ledger_cross_liqindex(&L);
    CHECK(liqindex_get(x, c, NULL, &lp));
    CHECK_EQ(lp, 953266);
    /* A falling mark finds exactly c once it reaches c's price, and nothing above it. */
    AccountId got[4];
    CHECK_EQ(liqindex_collect_crossed(x, 953267, got, 4), 0);
    CHECK_EQ(liqindex_collect_crossed(x, 953266, got, 4), 1);
    CHECK_EQ(got[0], c);

    trade(&L, b, c, 1000000, 1000, 0, 0); /* flat again: out of the index */
    x = ledger_cross_liqindex(&L);
    CHECK(!liqindex_get(x, c, NULL, NULL));
    CHECK(!liqindex_get(x, b, NULL, NULL));
    ledger_fini(&L);
}

/* An unindexed cross account (a venue's engine account) never enters the cross index, however its position and cash
 * move, while an ordinary one beside it does; the ledger's own check knows the difference. */
static void ledger_unindexed_account_stays_out_of_the_cross_index(void)
{
    Ledger L;
    init_ledger(&L, 4);
    AccountId e = account(&L, MARGIN_MODE_CROSS, 1, 5000 * QPU);
    AccountId c = account(&L, MARGIN_MODE_CROSS, 20, 5000 * QPU);
    AccountId b = account(&L, MARGIN_MODE_CROSS, 20, 100000 * QPU);
    ledger_set_unindexed(&L, e);
    trade(&L, e, b, 1000000, 1000, 0, 0);
    trade(&L, c, b, 1000000, 1000, 0, 0);
    CHECK_EQ(ledger_deposit(&L, e, 100 * QPU), STATUS_OK);
    LCHECK(&L);
    LiqIndex *x = ledger_cross_liqindex(&L);
    CHECK(!liqindex_get(x, e, NULL, NULL));
    CHECK(liqindex_get(x, c, NULL, NULL));
    CHECK(ledger_is_liquidatable(&L, e, 900000)); /* crossed, and still not collected */
    AccountId got[4];
    CHECK_EQ(liqindex_collect_crossed(x, 900000, got, 4), 1);
    CHECK_EQ(got[0], c);
    ledger_fini(&L);
}

static void ledger_withdraw_and_margin_rules(void)
{
    Ledger L;
    init_ledger(&L, 2); /* grows by doubling below */
    AccountId a = account(&L, MARGIN_MODE_CROSS, 10, 1000000);
    AccountId b = account(&L, MARGIN_MODE_ISOLATED, 10, 1000000);
    for (int i = 0; i < 100; i++) (void)account(&L, MARGIN_MODE_CROSS, 5, 1);
    CHECK_EQ(ledger_account_count(&L), 102);
    CHECK_EQ(ledger_add_account(&L, MARGIN_MODE_CROSS, 126, NULL), STATUS_INVALID); /* tier 1 max 125x */
    CHECK_EQ(ledger_withdraw(&L, a, 1000001, 1000000), STATUS_REJECTED);
    CHECK_EQ(ledger_add_margin(&L, b, 10), STATUS_REJECTED); /* no open position */
    CHECK_EQ(ledger_assign_margin(&L, b, 1000001), STATUS_REJECTED);
    CHECK_EQ(ledger_assign_margin(&L, a, 1), STATUS_INVALID); /* cross account */
    CHECK_EQ(ledger_assign_margin(&L, b, 500000), STATUS_OK);
    /* a long 5 @ 1,000,000 (cross, 10x): IM = 500,000. at mark 990,000 upnl = -50,000, IM = ceil(4,950,000/10)
     * = 495,000: available = 1,000,000 - 50,000 - 495,000 = 455,000. */
    trade(&L, a, b, 1000000, 5, 0, 0);
    CHECK_EQ(ledger_available(&L, a, 990000), 455000);
    CHECK_EQ(ledger_withdraw(&L, a, 455001, 990000), STATUS_REJECTED);
    CHECK_EQ(ledger_withdraw(&L, a, 455000, 990000), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(ledger_withdraw(&L, b, 500000, 990000), STATUS_OK); /* isolated: available = cash */
    LCHECK(&L);
    CHECK_EQ(L.withdrawals, 955000);
    CHECK_EQ(L.deposits, 2000100);
    ledger_fini(&L);
}

static void ledger_funding_rounding_conserves(void)
{
    Ledger L;
    init_ledger(&L, 8);
    AccountId l1 = account(&L, MARGIN_MODE_CROSS, 20, 1000 * QPU);
    AccountId l2 = account(&L, MARGIN_MODE_CROSS, 20, 1000 * QPU);
    AccountId l3 = account(&L, MARGIN_MODE_ISOLATED, 20, 10000 * QPU);
    AccountId s1 = account(&L, MARGIN_MODE_CROSS, 20, 1000 * QPU);
    AccountId s2 = account(&L, MARGIN_MODE_CROSS, 20, 100000 * QPU);
    CHECK_EQ(ledger_assign_margin(&L, l3, 5000 * QPU), STATUS_OK);
    trade(&L, l1, s1, 1000000, 7, 0, 0);
    trade(&L, l2, s1, 1000000, 4, 0, 0);
    trade(&L, l2, s2, 1000000, 9, 0, 0);
    trade(&L, l3, s2, 1000000, 1000, 0, 0); /* longs 7, 13, 1000; shorts 11, 1009 */
    CHECK_EQ(ledger_liq_price(&L, l3), 954271);

    /* rate 10,000 e8 = 0.01 % at mark 1,000,003; longs pay ceil, shorts receive floor:
     *   l1 7,000,021 * 1e-4 = 700.0021 -> 701      l2 13,000,039 -> 1,300.0039 -> 1,301
     *   l3 1,000,003,000 -> 100,000.3 -> 100,001   paid 102,003
     *   s1 11,000,033 -> 1,100.0033 -> 1,100       s2 1,009,003,027 -> 100,900.3027 -> 100,900   received 102,000 */
    LedgerFundingResult f;
    Quote fee0 = ledger_fee_account(&L);
    CHECK_EQ(ledger_apply_funding(&L, 10000, 1000003, &f), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(f.paid, 102003);
    CHECK_EQ(f.received, 102000);
    CHECK_EQ(f.to_fee, 3);
    CHECK_EQ(f.payers, 3);
    CHECK_EQ(f.receivers, 2);
    CHECK_EQ(ledger_fee_account(&L) - fee0, 3);
    CHECK_EQ(ledger_cash(&L, l1), 10000000 - 701);
    CHECK_EQ(ledger_cash(&L, s2), 1000000000 + 100900);
    /* l3 pays from isolated margin: 50,000,000 - 100,001 = 49,899,999; cash untouched.
     * LP = (1e9 - 49,899,999 - 500,000) / 995 = 954,372.86 closed form, settled against the test:
     * at 954,371 balance 4,270,999 <= MM 4,771,855 - 500,000 = 4,271,855 (liquidatable);
     * at 954,372 balance 4,271,999 >  MM 4,771,860 - 500,000 = 4,271,860 -> LP 954,371 (moved up 100 ticks).
     * BP = ceil(950,100,001 / 1000) = 950,101. */
    CHECK_EQ(ledger_isolated_margin(&L, l3), 49899999);
    CHECK_EQ(ledger_cash(&L, l3), 50000000);
    CHECK_EQ(ledger_liq_price(&L, l3), 954371);
    CHECK_EQ(ledger_bankruptcy_price(&L, l3), 950101);
    Ticks lp = 0;
    CHECK(liqindex_get(ledger_liqindex(&L), l3, NULL, &lp));
    CHECK_EQ(lp, 954371);

    /* rate -10,000: shorts pay ceil 1,101 + 100,901 = 102,002; longs receive floor 700 + 1,300 + 100,000. */
    CHECK_EQ(ledger_apply_funding(&L, -10000, 1000003, &f), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(f.paid, 102002);
    CHECK_EQ(f.received, 102000);
    CHECK_EQ(f.to_fee, 2);
    CHECK_EQ(f.payers, 2);
    CHECK_EQ(ledger_isolated_margin(&L, l3), 49999999);
    CHECK_EQ(ledger_cash(&L, s1), 10000000 + 1100 - 1101);
    CHECK_EQ(ledger_fee_account(&L) - fee0, 5);
    /* zero rate: nothing moves */
    CHECK_EQ(ledger_apply_funding(&L, 0, 1000003, &f), STATUS_OK);
    CHECK_EQ(f.paid, 0);
    LCHECK(&L);
    ledger_fini(&L);
}

/* a (isolated, 100 USDT all assigned) long 10 @ 1,000,000, closed @ 880,000: pnl -1,200,000 + released
 * 1,000,000 -> cash -200,000. */
static AccountId bankrupt_account(Ledger *L, AccountId cp)
{
    AccountId a = account(L, MARGIN_MODE_ISOLATED, 10, 100 * QPU);
    CHECK_EQ(ledger_assign_margin(L, a, 100 * QPU), STATUS_OK);
    trade(L, a, cp, 1000000, 10, 0, 0);
    CHECK_EQ(ledger_cover_deficit(L, a, true, NULL), STATUS_REJECTED); /* position still open */
    trade(L, cp, a, 880000, 10, 0, 0);
    CHECK_EQ(ledger_cash(L, a), -200000);
    return a;
}

static void ledger_deficit_fund_and_bad_debt(void)
{
    Ledger L;
    init_ledger(&L, 4);
    AccountId cp = account(&L, MARGIN_MODE_CROSS, 20, 100000 * QPU);
    LedgerDeficitResult d;

    /* fund 150,000 covers part: 150,000 from fund, 50,000 bad debt. */
    CHECK_EQ(ledger_fund_deposit(&L, 150000), STATUS_OK);
    LCHECK(&L);
    AccountId a = bankrupt_account(&L, cp);
    CHECK_EQ(ledger_cover_deficit(&L, a, true, &d), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(d.deficit, 200000);
    CHECK_EQ(d.from_fund, 150000);
    CHECK_EQ(d.bad_debt, 50000);
    CHECK_EQ(ledger_cash(&L, a), 0);
    CHECK_EQ(ledger_insurance_fund(&L), 0);
    CHECK_EQ(ledger_fund_min(&L), 0);
    CHECK_EQ(ledger_bad_debt(&L), 50000);

    /* fund 1,000,000 covers all: fund 800,000. */
    CHECK_EQ(ledger_fund_deposit(&L, 1000000), STATUS_OK);
    AccountId b = bankrupt_account(&L, cp);
    CHECK_EQ(ledger_cover_deficit(&L, b, true, &d), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(d.from_fund, 200000);
    CHECK_EQ(d.bad_debt, 0);
    CHECK_EQ(ledger_insurance_fund(&L), 800000);
    CHECK_EQ(ledger_bad_debt(&L), 50000);

    /* use_fund = false: all 200,000 to bad debt, fund untouched. */
    AccountId c = bankrupt_account(&L, cp);
    CHECK_EQ(ledger_cover_deficit(&L, c, false, &d), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(d.from_fund, 0);
    CHECK_EQ(d.bad_debt, 200000);
    CHECK_EQ(ledger_insurance_fund(&L), 800000);
    CHECK_EQ(ledger_bad_debt(&L), 250000);
    /* a solvent account: no-op */
    CHECK_EQ(ledger_cover_deficit(&L, cp, true, &d), STATUS_OK);
    CHECK_EQ(d.deficit, 0);

    /* fund moves: liquidation fee from isolated margin, surplus from cash, payment to an account. */
    AccountId e = account(&L, MARGIN_MODE_ISOLATED, 10, 1000000);
    CHECK_EQ(ledger_assign_margin(&L, e, 500000), STATUS_OK);
    trade(&L, e, cp, 1000000, 4, 0, 0);
    CHECK_EQ(ledger_to_fund(&L, e, LEDGER_FROM_MARGIN, 12000), STATUS_OK);
    LCHECK(&L); /* liquidation price moved with the margin */
    CHECK_EQ(ledger_to_fund(&L, e, LEDGER_FROM_CASH, 500001), STATUS_REJECTED);
    CHECK_EQ(ledger_to_fund(&L, e, LEDGER_FROM_CASH, 1000), STATUS_OK);
    CHECK_EQ(ledger_fund_pay(&L, cp, 900000), STATUS_REJECTED); /* fund 813,000 */
    CHECK_EQ(ledger_fund_pay(&L, cp, 13000), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(ledger_insurance_fund(&L), 800000);
    CHECK_EQ(ledger_fund_min(&L), 0);
    ledger_fini(&L);
}

/* The ADL walk orders only its head at once (LEDGER_ADL_TOP) and heapifies the rest when the walk goes past it: a
 * walk over three times that many holders -- isolated and cross, with tied ranks -- must match a plain sort by (rank
 * descending, id ascending), and a second walk must start over. */
static void ledger_adl_walk_past_the_sorted_head_keeps_the_order(void)
{
    enum { N = 3 * LEDGER_ADL_TOP + 5 };
    Ledger L;
    init_ledger(&L, N + 2);
    AccountId s = account(&L, MARGIN_MODE_CROSS, 20, (Quote)1000000000000);
    AccountId ids[N];
    for (uint32_t i = 0; i < N; i++) {
        bool iso = i % 3 == 0;
        ids[i] = account(&L, iso ? MARGIN_MODE_ISOLATED : MARGIN_MODE_CROSS, 20, 3000000 + (Quote)(i % 7) * 500000);
        if (iso) CHECK_EQ(ledger_assign_margin(&L, ids[i], 1000000 + (Quote)(i % 5) * 200000), STATUS_OK);
        /* entry prices repeat every 11 accounts, so some ranks tie exactly */
        trade(&L, ids[i], s, 900000 + (Ticks)(i % 11) * 20000, 1 + (Lots)(i % 4), 0, 0);
    }
    const Ticks m = 1100000;
    LedgerAdlItem want[N];
    for (uint32_t i = 0; i < N; i++) want[i] = (LedgerAdlItem){ledger_adl_rank(&L, ids[i], m), ids[i]};
    for (uint32_t i = 1; i < N; i++) /* insertion sort: rank descending, then id ascending */
        for (uint32_t j = i; j > 0 && (want[j].rank > want[j - 1].rank ||
                                       (want[j].rank == want[j - 1].rank && want[j].id < want[j - 1].id)); j--) {
            LedgerAdlItem t = want[j];
            want[j] = want[j - 1];
            want[j - 1] = t;
        }
    CHECK(want[0].rank > want[N - 1].rank);
    for (int pass = 0; pass < 2; pass++) {
        CHECK_EQ(ledger_adl_rank_begin(&L, SIDE_BUY, m), N);
        uint32_t k = 0;
        AccountId a;
        while (ledger_adl_rank_next(&L, &a)) {
            if (k < N) CHECK_EQ(a, want[k].id);
            k++;
        }
        CHECK_EQ(k, N);
        CHECK(!ledger_adl_rank_next(&L, &a));
    }
    AccountId q[4];
    uint32_t total = 0;
    CHECK_EQ(ledger_adl_queue(&L, SIDE_BUY, m, q, 4, &total), 4);
    CHECK_EQ(total, N);
    CHECK_EQ(q[3], want[3].id);
    ledger_fini(&L);
}

static void ledger_adl_rank_and_transfer(void)
{
    Ledger L;
    init_ledger(&L, 8);
    /* cross longs; mark 1,100,000.
     *   A: cash 1,000,000, 10 @ 1,000,000: upnl 1,000,000, pnl% 0.1, mb 2,000,000, lev 11,000,000/2,000,000 = 5.5
     *      rank 0.55
     *   B: cash 5,000,000, 10 @ 900,000: upnl 2,000,000, pnl% 2/9, mb 7,000,000, lev 11/7, rank 22/63 = 0.349206
     *   C: cash 500,000, 1 @ 1,200,000: upnl -100,000, pnl% -1/12, mb 400,000, lev 2.75, rank -1/33 = -0.030303
     *   D: cash 2,000,000, 10 @ 1,000,000: mb 3,000,000, lev 11/3, rank 0.1 * 11/3 = 0.366667
     *   E: same as A -> tie at 0.55, broken by id (A first). */
    AccountId A = account(&L, MARGIN_MODE_CROSS, 20, 1000000);
    AccountId B = account(&L, MARGIN_MODE_CROSS, 20, 5000000);
    AccountId C = account(&L, MARGIN_MODE_CROSS, 20, 500000);
    AccountId D = account(&L, MARGIN_MODE_CROSS, 20, 2000000);
    AccountId E = account(&L, MARGIN_MODE_CROSS, 20, 1000000);
    AccountId S = account(&L, MARGIN_MODE_CROSS, 20, 100000000);
    trade(&L, A, S, 1000000, 10, 0, 0);
    trade(&L, B, S, 900000, 10, 0, 0);
    trade(&L, C, S, 1200000, 1, 0, 0);
    trade(&L, D, S, 1000000, 10, 0, 0);
    trade(&L, E, S, 1000000, 10, 0, 0);
    const Ticks m = 1100000;
    CHECK_NEAR(ledger_pnl_pct(&L, A, m), 0.1, 1e-12);
    CHECK_NEAR(ledger_effective_leverage(&L, A, m), 5.5, 1e-12);
    CHECK_NEAR(ledger_adl_rank(&L, A, m), 0.55, 1e-12);
    CHECK_NEAR(ledger_adl_rank(&L, B, m), 22.0 / 63.0, 1e-12);
    CHECK_NEAR(ledger_adl_rank(&L, C, m), -1.0 / 33.0, 1e-12);
    CHECK_NEAR(ledger_adl_rank(&L, D, m), 11.0 / 30.0, 1e-12);

    AccountId q[8];
    uint32_t total = 0;
    CHECK_EQ(ledger_adl_queue(&L, SIDE_BUY, m, q, 8, &total), 5);
    CHECK_EQ(total, 5);
    CHECK_EQ(q[0], A);
    CHECK_EQ(q[1], E);
    CHECK_EQ(q[2], D);
    CHECK_EQ(q[3], B);
    CHECK_EQ(q[4], C);
    CHECK_EQ(ledger_adl_queue(&L, SIDE_BUY, m, q, 2, &total), 2);
    CHECK_EQ(total, 5);
    CHECK_EQ(q[1], E);
    CHECK_EQ(ledger_adl_queue(&L, SIDE_SELL, m, q, 8, &total), 1);
    CHECK_EQ(q[0], S);

    /* ADL: S (short 41, cost 40,200,000) is deleveraged against A at 1,100,000: S buys 10, A sells 10.
     * A: pnl 11,000,000 - 10,000,000 = 1,000,000 -> cash 2,000,000, flat.
     * S: share floor(40,200,000 * 10 / 41) = floor(9,804,878.05) = 9,804,878; pnl 9,804,878 - 11,000,000. */
    LedgerFillResult rf, rt;
    CHECK_EQ(ledger_transfer_position(&L, S, A, 10, m, &rf, &rt), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(rf.realized_pnl, -1195122);
    CHECK_EQ(rf.fee, 0);
    CHECK_EQ(rt.realized_pnl, 1000000);
    CHECK_EQ(ledger_qty(&L, A), 0);
    CHECK_EQ(ledger_cash(&L, A), 2000000);
    CHECK_EQ(ledger_qty(&L, S), -31);
    CHECK_EQ(ledger_entry_cost(&L, S), 40200000 - 9804878);
    CHECK_EQ(ledger_oi_long(&L), 31);
    CHECK_EQ(ledger_oi_short(&L), 31);
    /* backstop takeover: a fresh account takes 6 of B's long at 1,000,000 (opens long 6 there). */
    AccountId V = account(&L, MARGIN_MODE_CROSS, 20, 10000000);
    CHECK_EQ(ledger_transfer_position(&L, B, V, 6, 1000000, NULL, NULL), STATUS_OK);
    LCHECK(&L);
    CHECK_EQ(ledger_qty(&L, V), 6);
    CHECK_EQ(ledger_entry_cost(&L, V), 6000000);
    CHECK_EQ(ledger_qty(&L, B), 4);
    CHECK_EQ(ledger_entry_cost(&L, B), 3600000); /* 9,000,000 - 6/10 of it */
    CHECK_EQ(ledger_transfer_position(&L, B, V, 5, 1000000, NULL, NULL), STATUS_INVALID); /* more than held */
    ledger_fini(&L);
}

static void ledger_check_detects_corruption(void)
{
    Ledger L;
    init_ledger(&L, 4);
    AccountId a = account(&L, MARGIN_MODE_ISOLATED, 20, 10000 * QPU);
    AccountId b = account(&L, MARGIN_MODE_CROSS, 20, 10000 * QPU);
    CHECK_EQ(ledger_assign_margin(&L, a, 5000 * QPU), STATUS_OK);
    trade(&L, a, b, 1000000, 1000, 100, -10);
    char why[256];

    L.acct[b].cash += 1; /* one quote unit created from nothing */
    CHECK_EQ(ledger_check(&L, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "conservation") != NULL);
    L.acct[b].cash -= 1;
    LCHECK(&L);

    L.acct[a].liq_price += 1;
    CHECK_EQ(ledger_check(&L, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "liquidation price") != NULL);
    L.acct[a].liq_price -= 1;

    L.oi_long += 1;
    CHECK_EQ(ledger_check(&L, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "open interest") != NULL);
    L.oi_long -= 1;

    L.acct[a].iso_margin += 5; /* margin changed without refresh: stale prices (and conservation) */
    CHECK_EQ(ledger_check(&L, why, sizeof why), STATUS_INVALID);
    L.acct[a].iso_margin -= 5;

    CHECK(liqindex_remove(&L.liq, a));
    CHECK_EQ(ledger_check(&L, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "not indexed") != NULL);
    CHECK_EQ(liqindex_upsert(&L.liq, a, SIDE_BUY, L.acct[a].liq_price), STATUS_OK);
    LCHECK(&L);
    ledger_fini(&L);
}

static void ledger_rejects_bad_arguments(void)
{
    Ledger L;
    init_ledger(&L, 4);
    AccountId a = account(&L, MARGIN_MODE_CROSS, 20, 1000);
    CHECK_EQ(ledger_apply_fill(&L, a, SIDE_BUY, 0, 1, 0, NULL), STATUS_INVALID);
    CHECK_EQ(ledger_apply_fill(&L, a, SIDE_BUY, 1, 0, 0, NULL), STATUS_INVALID);
    CHECK_EQ(ledger_apply_fill(&L, 7, SIDE_BUY, 1, 1, 0, NULL), STATUS_INVALID);
    CHECK_EQ(ledger_apply_fill(&L, a, SIDE_BUY, INT64_MAX / 2, 3, 0, NULL), STATUS_OVERFLOW);
    CHECK_EQ(ledger_qty(&L, a), 0);
    CHECK_EQ(ledger_deposit(&L, a, 0), STATUS_INVALID);
    CHECK_EQ(ledger_apply_funding(&L, FUNDING_RATE_ONE_E8, 1000, NULL), STATUS_INVALID);
    LedgerDef d = ledger_default_def();
    d.table.tiers[1].maint_amount += 1;
    Ledger bad;
    CHECK_EQ(ledger_init(&bad, &d), STATUS_INVALID);
    LCHECK(&L);
    ledger_fini(&L);
}

/* ---------------------------------------------------------------------------------------------------------------- */

static void liqindex_orders_updates_removes(void)
{
    LiqIndex x;
    CHECK_EQ(liqindex_init(&x, 0), STATUS_OK);
    AccountId a;
    Ticks lp;
    CHECK(!liqindex_peek_long(&x, &a, &lp));
    const Ticks longs[5] = {100, 300, 200, 300, 50};
    for (AccountId i = 0; i < 5; i++) CHECK_EQ(liqindex_upsert(&x, i, SIDE_BUY, longs[i]), STATUS_OK);
    CHECK_EQ(liqindex_upsert(&x, 5, SIDE_SELL, 500), STATUS_OK);
    CHECK_EQ(liqindex_upsert(&x, 6, SIDE_SELL, 400), STATUS_OK);
    CHECK_EQ(liqindex_upsert(&x, 7, SIDE_SELL, 400), STATUS_OK);
    CHECK_EQ(liqindex_validate(&x, NULL, 0), STATUS_OK);
    CHECK(liqindex_peek_long(&x, &a, &lp));
    CHECK_EQ(a, 1); /* 300, tie with 3 broken by the smaller id */
    CHECK_EQ(lp, 300);
    CHECK(liqindex_peek_short(&x, &a, &lp));
    CHECK_EQ(a, 6);
    CHECK_EQ(liqindex_count(&x, SIDE_BUY), 5);
    CHECK_EQ(liqindex_count(&x, SIDE_SELL), 3);

    AccountId out[8];
    /* mark 200 crosses longs with LP >= 200 in LP order: 1 (300), 3 (300), 2 (200). */
    CHECK_EQ(liqindex_collect_crossed(&x, 200, out, 8), 3);
    CHECK_EQ(out[0], 1);
    CHECK_EQ(out[1], 3);
    CHECK_EQ(out[2], 2);
    /* mark 450 crosses shorts with LP <= 450: 6, 7 (400). */
    CHECK_EQ(liqindex_collect_crossed(&x, 450, out, 8), 2);
    CHECK_EQ(out[0], 6);
    CHECK_EQ(out[1], 7);
    /* cap: first two of the longs at mark 1 */
    CHECK_EQ(liqindex_collect_crossed(&x, 1, out, 2), 2);
    CHECK_EQ(out[0], 1);
    CHECK_EQ(out[1], 3);
    /* nothing removed by collect */
    CHECK_EQ(liqindex_count(&x, SIDE_BUY), 5);

    CHECK_EQ(liqindex_upsert(&x, 4, SIDE_BUY, 1000), STATUS_OK);
    CHECK(liqindex_peek_long(&x, &a, NULL));
    CHECK_EQ(a, 4);
    CHECK_EQ(liqindex_upsert(&x, 6, SIDE_SELL, 600), STATUS_OK);
    CHECK(liqindex_peek_short(&x, &a, &lp));
    CHECK_EQ(a, 7);
    CHECK(liqindex_remove(&x, 4));
    CHECK(!liqindex_remove(&x, 4));
    CHECK(!liqindex_remove(&x, 1000));
    CHECK(liqindex_peek_long(&x, &a, NULL));
    CHECK_EQ(a, 1);
    CHECK_EQ(liqindex_validate(&x, NULL, 0), STATUS_OK);
    liqindex_fini(&x);
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* Random upserts/removes against a brute-force model; collect must equal the sorted crossed set. */
static void liqindex_matches_brute_force(void)
{
    enum { N = 500 };
    LiqIndex x;
    CHECK_EQ(liqindex_init(&x, 16), STATUS_OK);
    Ticks lp[N];
    int side[N]; /* 0 absent, 1 long, 2 short */
    memset(side, 0, sizeof side);
    uint64_t s = 42;
    static AccountId out[N], want[N];
    for (int step = 0; step < 5000; step++) {
        AccountId a = (AccountId)(lcg(&s) % N);
        if (lcg(&s) % 4 == 0) {
            CHECK_EQ(liqindex_remove(&x, a), side[a] != 0);
            side[a] = 0;
        } else {
            int sd = side[a] ? side[a] : (int)(lcg(&s) % 2) + 1;
            lp[a] = (Ticks)(lcg(&s) % 200);
            side[a] = sd;
            CHECK_EQ(liqindex_upsert(&x, a, sd == 1 ? SIDE_BUY : SIDE_SELL, lp[a]), STATUS_OK);
        }
        if (step % 97 != 0) continue;
        CHECK_EQ(liqindex_validate(&x, NULL, 0), STATUS_OK);
        Ticks mark = (Ticks)(lcg(&s) % 200);
        uint32_t n = 0;
        /* longs LP desc then shorts LP asc, ties by id: selection by repeated scans (N small). */
        for (int sd = 1; sd <= 2; sd++) {
            bool used[N] = {false};
            for (;;) {
                int best = -1;
                for (int i = 0; i < N; i++) {
                    if (side[i] != sd || used[i]) continue;
                    if (sd == 1 ? mark > lp[i] : mark < lp[i]) continue;
                    if (best < 0 || (sd == 1 ? lp[i] > lp[best] : lp[i] < lp[best])) best = i;
                }
                if (best < 0) break;
                used[best] = true;
                want[n++] = (AccountId)best;
            }
        }
        uint32_t got = liqindex_collect_crossed(&x, mark, out, N);
        CHECK_EQ(got, n);
        for (uint32_t i = 0; i < n && i < got; i++) CHECK_EQ(out[i], want[i]);
    }
    liqindex_fini(&x);
}

/* 10^6 idle positions: 500,000 longs with LP 400,000 + (i * 7919 mod 500,000) (a permutation of
 * 400,000..899,999, since 7919 is prime to 500,000) and 500,000 shorts with LP 1,100,000 + the same. */
static void liqindex_million_idle_positions_visits(void)
{
    enum { HALF = 500000 };
    LiqIndex x;
    CHECK_EQ(liqindex_init(&x, 2 * HALF), STATUS_OK);
    const LiqEntry *longs0 = x.longs.e, *shorts0 = x.shorts.e;
    const uint32_t *slot0 = x.slot;
    for (uint32_t i = 0; i < HALF; i++) {
        Ticks off = (Ticks)(((uint64_t)i * 7919u) % HALF);
        CHECK_EQ(liqindex_upsert(&x, i, SIDE_BUY, 400000 + off), STATUS_OK);
        CHECK_EQ(liqindex_upsert(&x, HALF + i, SIDE_SELL, 1100000 + off), STATUS_OK);
    }
    /* reserved up front: no array moved during the 10^6 inserts */
    CHECK(x.longs.e == longs0 && x.shorts.e == shorts0 && x.slot == slot0);
    static AccountId out[64];
    /* a mark between the sides crosses none: one root examined per side. */
    uint64_t v0 = x.visits;
    CHECK_EQ(liqindex_collect_crossed(&x, 1000000, out, 64), 0);
    CHECK_LE(x.visits - v0, 2);
    /* mark 899,990 crosses the 10 longs with LP 899,990..899,999: at most 2k + 1 + 1 examined. */
    v0 = x.visits;
    CHECK_EQ(liqindex_collect_crossed(&x, 899990, out, 64), 10);
    CHECK_LE(x.visits - v0, 2 * 10 + 2);
    Ticks lp0 = 0, lp9 = 0;
    CHECK(liqindex_get(&x, out[0], NULL, &lp0));
    CHECK(liqindex_get(&x, out[9], NULL, &lp9));
    CHECK_EQ(lp0, 899999);
    CHECK_EQ(lp9, 899990);
    /* mark 1,100,004 crosses the 5 shorts with LP 1,100,000..1,100,004. */
    v0 = x.visits;
    CHECK_EQ(liqindex_collect_crossed(&x, 1100004, out, 64), 5);
    CHECK_LE(x.visits - v0, 2 * 5 + 2);
    CHECK(liqindex_get(&x, out[0], NULL, &lp0));
    CHECK_EQ(lp0, 1100000);
    liqindex_fini(&x);
}

void suite_market_ledger(void)
{
    static const TestCase cases[] = {
        TEST_CASE(ledger_open_increase_partial_close_exact),
        TEST_CASE(ledger_flip_through_zero),
        TEST_CASE(ledger_isolated_margin_release_pro_rata),
        TEST_CASE(ledger_liq_price_indexed_and_updated),
        TEST_CASE(ledger_cross_liq_price_follows_cash),
        TEST_CASE(ledger_unindexed_account_stays_out_of_the_cross_index),
        TEST_CASE(ledger_withdraw_and_margin_rules),
        TEST_CASE(ledger_funding_rounding_conserves),
        TEST_CASE(ledger_deficit_fund_and_bad_debt),
        TEST_CASE(ledger_adl_rank_and_transfer),
        TEST_CASE(ledger_adl_walk_past_the_sorted_head_keeps_the_order),
        TEST_CASE(ledger_check_detects_corruption),
        TEST_CASE(ledger_rejects_bad_arguments),
    };
    test_add_suite("market_ledger", cases, TEST_COUNT(cases));
}

void suite_market_liqindex(void)
{
    static const TestCase cases[] = {
        TEST_CASE(liqindex_orders_updates_removes),
        TEST_CASE(liqindex_matches_brute_force),
        TEST_CASE(liqindex_million_idle_positions_visits),
    };
    test_add_suite("market_liqindex", cases, TEST_COUNT(cases));
}
