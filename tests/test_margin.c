/* Margin formulas against hand-computed values.
 *
 * Units used throughout (BTCUSDT-like): 1 tick = 0.1 USDT, 1 lot = 0.001 BTC, so 1 quote unit = 0.0001 USDT and
 * QPU = 10,000 quote units per USDT. 1 BTC = 1,000 lots; 100,000 USDT = 1,000,000 ticks. */
#include "test_suites.h"
#include "test_util.h"

#include "margin.h"

#include <string.h>

#define QPU 10000 /* quote units per USDT */

static MarginTable binance(void) { return margin_table_binance_btcusdt(QPU); }

static void margin_binance_table_is_valid(void)
{
    MarginTable t = binance();
    char why[128] = "";
    CHECK_EQ(margin_table_validate(&t, why, sizeof why), STATUS_OK);
    CHECK_STR(why, "");
}

static void margin_table_rejects_discontinuous_amounts(void)
{
    MarginTable t = binance();
    char why[128];
    t.tiers[2].maint_amount += 1; /* 1,300 USDT + 1 quote unit: MM jumps at the 250,000 cap */
    CHECK_EQ(margin_table_validate(&t, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "tier 2") != NULL);
    t = binance();
    t.tiers[3].notional_cap = t.tiers[2].notional_cap; /* caps must increase */
    CHECK_EQ(margin_table_validate(&t, why, sizeof why), STATUS_INVALID);
    t = binance();
    t.tiers[0].max_leverage = 300; /* 300 x 0.4 % = 120 % >= 1: opens liquidatable */
    CHECK_EQ(margin_table_validate(&t, why, sizeof why), STATUS_INVALID);
    t = binance();
    t.count = 0;
    CHECK_EQ(margin_table_validate(&t, why, sizeof why), STATUS_INVALID);
}

static void margin_tier_boundaries(void)
{
    MarginTable t = binance();
    /* 50,000 USDT = 500,000,000 quote: still tier 0; one quote unit more is tier 1. */
    CHECK_EQ(margin_tier_index(&t, 500000000), 0);
    CHECK_EQ(margin_tier_index(&t, 500000001), 1);
    CHECK_EQ(margin_tier_index(&t, -500000001), 1); /* sign ignored */
    CHECK_EQ(margin_tier_index(&t, (Quote)5000000000000), 9); /* 500m USDT: last tier */
    /* MM at the cap from both sides: tier 0: 5e8 x 0.4 % = 2,000,000; tier 1: 5e8 x 0.5 % - 500,000 = 2,000,000. */
    CHECK_EQ(margin_maintenance(&t, 500000000), 2000000);
    /* 500,000,001 x 0.005 = 2,500,000.005 -> ceil 2,500,001 - 500,000 = 2,000,001 */
    CHECK_EQ(margin_maintenance(&t, 500000001), 2000001);
    /* 250,000 USDT = 2.5e9: tier 1: 12,500,000 - 500,000 = 12,000,000; tier 2: 25,000,000 - 13,000,000 = same */
    CHECK_EQ(margin_maintenance(&t, 2500000000), 12000000);
    CHECK_EQ(margin_maintenance(&t, 2500000100), 12000001); /* 25,000,001 - 13,000,000 */
    /* Every cap is continuous: evaluating the next tier's formula at the cap equals this tier's MM. */
    for (int32_t i = 0; i + 1 < t.count; i++) {
        Quote cap = t.tiers[i].notional_cap;
        int64_t next = 0;
        CHECK(money_mul_div(cap, t.tiers[i + 1].mmr_ppm, MARGIN_PPM, ROUND_CEIL, &next));
        CHECK_EQ(next - t.tiers[i + 1].maint_amount, margin_maintenance(&t, cap));
    }
    CHECK_EQ(margin_max_leverage(&t, 500000000), 125);
    CHECK_EQ(margin_max_leverage(&t, 500000001), 100);
}

static void margin_initial_rounds_up(void)
{
    CHECK_EQ(margin_initial(1000000000, 20), 50000000);  /* 100,000 USDT / 20 = 5,000 USDT */
    CHECK_EQ(margin_initial(1000000001, 20), 50000001);  /* 50,000,000.05 rounds up */
    CHECK_EQ(margin_initial(-1000000000, 10), 100000000); /* sign ignored */
    CHECK_EQ(margin_initial(7, 1), 7);
}

/* LITERATURE.md C2 worked example: long 1 BTC @ 100,000 at 20x (WB = 5,000 USDT), tier (0.5 %, cum 50):
 * LP = (100,000 - 5,000 - 50) / 0.995 = 95,427.13 USDT -> 954,271 ticks; bankruptcy 95,000 USDT. */
static void margin_long_liquidation_price_binance_example(void)
{
    MarginTable t = binance();
    Lots q = 1000;
    Quote cost = 1000000LL * 1000;   /* 1,000,000 ticks x 1,000 lots = 1e9 quote = 100,000 USDT */
    Quote w = 5000LL * QPU;          /* 5e7 */
    Ticks lp = margin_liquidation_price(&t, q, cost, w);
    CHECK_EQ(lp, 954271);
    /* At 954,271: balance 5e7 + 954,271,000 - 1e9 = 4,271,000; MM ceil(4,771,355) - 500,000 = 4,271,355 -> liq. */
    CHECK_EQ(margin_balance(q, cost, w, 954271), 4271000);
    CHECK_EQ(margin_maintenance(&t, money_notional(954271, q)), 4271355);
    CHECK(margin_is_liquidatable(&t, q, cost, w, 954271));
    /* At 954,272: balance 4,272,000 > MM 4,271,360 -> safe. */
    CHECK(!margin_is_liquidatable(&t, q, cost, w, 954272));
    CHECK_EQ(margin_bankruptcy_price(q, cost, w), 950000); /* (1e9 - 5e7) / 1000 */
}

/* Short 1 BTC @ 100,000, WB 5,000, tier (0.5 %, cum 50): LP = (100,000 + 5,000 + 50)/1.005 = 104,527.36 USDT.
 * In ticks: (1e9 + 5e7 + 5e5) x 1e6 / (1000 x 1,005,000) = 1,045,273.63 -> the lowest liquidatable tick. */
static void margin_short_liquidation_price(void)
{
    MarginTable t = binance();
    Lots q = -1000;
    Quote cost = 1000000000;
    Quote w = 50000000;
    Ticks lp = margin_liquidation_price(&t, q, cost, w);
    /* At 1,045,273: balance 5e7 + 1e9 - 1,045,273,000 = 4,727,000; MM ceil(5,226,365) - 500,000 = 4,726,365: safe.
     * At 1,045,274: balance 4,726,000; MM ceil(5,226,370) - 500,000 = 4,726,370: liquidatable. */
    CHECK_EQ(lp, 1045274);
    CHECK(!margin_is_liquidatable(&t, q, cost, w, 1045273));
    CHECK(margin_is_liquidatable(&t, q, cost, w, 1045274));
    CHECK_EQ(margin_bankruptcy_price(q, cost, w), 1050000); /* (1e9 + 5e7) / 1000 */
}

static void margin_fully_backed_long_has_no_liquidation_price(void)
{
    MarginTable t = binance();
    /* 1x long: collateral = cost; balance = P*q >= MM for every P >= 1 (MM rate < 1). */
    CHECK_EQ(margin_liquidation_price(&t, 1000, 1000000000, 1000000000), MARGIN_NO_LIQ_LONG);
    CHECK_EQ(margin_bankruptcy_price(1000, 1000000000, 1000000000), 1); /* floor at one tick */
}

static void margin_liquidation_price_in_higher_tier(void)
{
    MarginTable t = binance();
    /* Long 50 BTC @ 100,000 (5m USDT, tier 3: 2.5 %, cum 16,300) at 10x: W = 500,000 USDT.
     * LP = (5,000,000 - 500,000 - 16,300) / (50 x 0.975) = 91,973.33 USDT, notional 4.6m: still tier 3.
     * ticks: (5e10 - 5e9 - 1.63e8) x 1e6 / (50,000 x 975,000) = 919,733.33 -> 919,733. */
    Lots q = 50000;
    Quote cost = 1000000LL * q;
    Quote w = 500000LL * QPU;
    Ticks lp = margin_liquidation_price(&t, q, cost, w);
    CHECK_EQ(lp, 919733);
    CHECK(margin_is_liquidatable(&t, q, cost, w, lp));
    CHECK(!margin_is_liquidatable(&t, q, cost, w, lp + 1));
    CHECK_EQ(margin_tier_index(&t, money_notional(lp, q)), 3);
}

static void margin_liquidation_price_matches_exhaustive_scan(void)
{
    /* For many small positions the closed form must agree with the definition checked tick by tick. */
    MarginTable t = binance();
    for (Lots q = 1; q <= 2000; q += 37) {
        for (int lev = 2; lev <= 100; lev += 7) {
            Ticks entry = 1000000;
            Quote cost = money_notional(entry, q);
            Quote w = margin_initial(cost, lev);
            Ticks lp = margin_liquidation_price(&t, q, cost, w);
            CHECK(margin_is_liquidatable(&t, q, cost, w, lp));
            CHECK(!margin_is_liquidatable(&t, q, cost, w, lp + 1));
            Ticks sp = margin_liquidation_price(&t, -q, cost, w);
            CHECK(margin_is_liquidatable(&t, -q, cost, w, sp));
            CHECK(!margin_is_liquidatable(&t, -q, cost, w, sp - 1));
        }
    }
}

/* A cross account's cash backs its position and can be negative after losses; the liquidation-price search then
 * evaluates the balance at extreme prices, where collateral + P&L leaves int64: it must saturate, not overflow. */
static void margin_negative_collateral_at_extreme_prices(void)
{
    const MarginTable t = margin_table_binance_btcusdt(QPU);
    Ticks pmax = INT64_MAX / 1000;
    CHECK_EQ(margin_balance(-1000, 1000000000, -42, pmax), 1000000000 - 1000 * pmax - 42);
    CHECK_EQ(margin_balance(-1000, 1000, -INT64_C(9000000000000000000), pmax), INT64_MIN); /* saturated */
    CHECK(margin_is_liquidatable(&t, -1000, 1000, -INT64_C(9000000000000000000), pmax));
    /* a short with negative collateral is liquidatable already at its entry: LP at or below it */
    Ticks lp = margin_liquidation_price(&t, -1000, 1000000000, -42);
    CHECK(lp <= 1000000);
    CHECK(margin_is_liquidatable(&t, -1000, 1000000000, -42, lp));
}

void suite_market_margin(void)
{
    static const TestCase cases[] = {
        TEST_CASE(margin_binance_table_is_valid),
        TEST_CASE(margin_table_rejects_discontinuous_amounts),
        TEST_CASE(margin_tier_boundaries),
        TEST_CASE(margin_initial_rounds_up),
        TEST_CASE(margin_long_liquidation_price_binance_example),
        TEST_CASE(margin_short_liquidation_price),
        TEST_CASE(margin_fully_backed_long_has_no_liquidation_price),
        TEST_CASE(margin_liquidation_price_in_higher_tier),
        TEST_CASE(margin_liquidation_price_matches_exhaustive_scan),
        TEST_CASE(margin_negative_collateral_at_extreme_prices),
    };
    test_add_suite("market_margin", cases, TEST_COUNT(cases));
}
