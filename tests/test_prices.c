/* Index, mark and funding against hand-computed integer values (docs/prices.md).
 *
 * Rounding conventions checked here: medians and means half to even; EMA steps half to even in 1e-6 tick fixed
 * point; impact bid floor, impact ask ceil; premium half to even; payments: payer ceil, receiver floor. */
#include "test_suites.h"
#include "test_util.h"

#include "book.h"
#include "funding.h"
#include "index_price.h"
#include "mark.h"

#define S SIMTIME_NS_PER_S
#define H SIMTIME_NS_PER_HOUR

/* ---- helpers ---------------------------------------------------------------------------------------------------- */

static Book *new_book(void)
{
    BookDef def = book_default_def();
    Book *b = NULL;
    CHECK_EQ(book_create(&def, &b), STATUS_OK);
    return b;
}

static void limit(Book *b, Side side, Ticks px, Lots qty, uint32_t owner)
{
    OrderReq r = {0};
    r.type = ORDER_LIMIT;
    r.side = side;
    r.price_tk = px;
    r.qty = qty;
    r.owner = owner;
    CHECK_EQ(book_submit(b, &r, NULL), STATUS_OK);
}

/* ---- index ------------------------------------------------------------------------------------------------------ */

static void index_median_odd_even(void)
{
    Ticks odd[3] = {100, 300, 200};
    CHECK_EQ(index_median(odd, 3), 200);
    Ticks with_zero[4] = {100, 0, 300, 200}; /* the 0 is unavailable: median of 3 */
    CHECK_EQ(index_median(with_zero, 4), 200);
    Ticks even4[4] = {400, 100, 300, 200};   /* (200 + 300) / 2 = 250 */
    CHECK_EQ(index_median(even4, 4), 250);
    Ticks tie_down[2] = {100, 201};          /* 301 / 2 = 150.5 -> 150 (even) */
    CHECK_EQ(index_median(tie_down, 2), 150);
    Ticks tie_up[2] = {101, 202};            /* 303 / 2 = 151.5 -> 152 (even) */
    CHECK_EQ(index_median(tie_up, 2), 152);
    Ticks none[2] = {0, 0};
    CHECK_EQ(index_median(none, 2), 0);

    IndexDef d = index_default_def();
    d.source_count = 3;
    d.weights[1] = d.weights[2] = 1;
    CHECK_EQ(index_def_validate(&d), STATUS_OK);
    CHECK_EQ(index_compute(&d, odd, NULL, 0), 200);
}

static void index_weighted_mean_rounding(void)
{
    IndexDef d = index_default_def();
    d.method = INDEX_WEIGHTED_MEAN;
    d.guard_bps = 0;
    d.source_count = 3;
    d.weights[0] = 1; d.weights[1] = 1; d.weights[2] = 1;
    Ticks p[3] = {1000, 1001, 1003};
    CHECK_EQ(index_compute(&d, p, NULL, 0), 1001);  /* 3004 / 3 = 1001.33 -> 1001 */
    d.weights[1] = 2;
    CHECK_EQ(index_compute(&d, p, NULL, 0), 1001);  /* (1000 + 2002 + 1003) / 4 = 1001.25 -> 1001 */
    d.weights[0] = 1; d.weights[1] = 0; d.weights[2] = 3;
    CHECK_EQ(index_compute(&d, p, NULL, 0), 1002);  /* (1000 + 3 * 1003) / 4 = 4009 / 4 = 1002.25 -> 1002 */
    d.source_count = 2;
    d.weights[0] = 1; d.weights[1] = 1;
    Ticks t1[2] = {1000, 1001};                       /* 2001 / 2 = 1000.5 -> 1000 */
    CHECK_EQ(index_compute(&d, t1, NULL, 0), 1000);
    Ticks t2[2] = {1001, 1002};                       /* 2003 / 2 = 1001.5 -> 1002 */
    CHECK_EQ(index_compute(&d, t2, NULL, 0), 1002);
    d.weights[0] = 3;                                 /* (3003 + 1002) / 4 = 1001.25 -> 1001 */
    CHECK_EQ(index_compute(&d, t2, NULL, 0), 1001);
    Ticks one_missing[2] = {0, 1002};                 /* only the second is available */
    CHECK_EQ(index_compute(&d, one_missing, NULL, 0), 1002);
    Ticks both_missing[2] = {0, 0};
    CHECK_EQ(index_compute(&d, both_missing, NULL, 0), 0);
    d.weights[0] = 0;                                 /* the only available source has weight 0: median */
    Ticks zero_w[2] = {1001, 0};
    CHECK_EQ(index_compute(&d, zero_w, NULL, 0), 1001);
}

static void index_guard_excludes_outlier(void)
{
    IndexDef d = index_default_def();
    d.method = INDEX_WEIGHTED_MEAN;
    d.guard_bps = 500;
    d.source_count = 3;
    d.weights[0] = 1; d.weights[1] = 1; d.weights[2] = 1;
    /* median 10100; 11000 deviates 900 * 10000 = 9,000,000 > 500 * 10100 = 5,050,000: weight 0;
     * 10000 deviates 100 * 10000 = 1,000,000 <= 5,050,000: kept. (10000 + 10100) / 2 = 10050. */
    Ticks p[3] = {10000, 10100, 11000};
    CHECK_EQ(index_compute(&d, p, NULL, 0), 10050);
    d.guard_bps = 0; /* off: 31100 / 3 = 10366.67 -> 10367 */
    CHECK_EQ(index_compute(&d, p, NULL, 0), 10367);
    d.guard_bps = 500;
    /* two deviate (9000: 1100 * 10000 > 5,050,000; 11000): the median 10100 */
    Ticks two[3] = {9000, 10100, 11000};
    CHECK_EQ(index_compute(&d, two, NULL, 0), 10100);
    /* exactly 5 %: 500 * 10000 = 5,000,000 is not > 500 * 10000: kept; 30500 / 3 = 10166.67 -> 10167 */
    Ticks edge[3] = {10000, 10500, 10000};
    CHECK_EQ(index_compute(&d, edge, NULL, 0), 10167);
}

static void index_stale_sources(void)
{
    IndexDef d = index_default_def();
    d.source_count = 3;
    d.weights[1] = d.weights[2] = 1;
    d.stale_after = 10 * S;
    Ticks p[3] = {100, 200, 300};
    SimTime now = 1000 * S;
    SimTime upd[3] = {now - 11 * S, now - 10 * S, now}; /* 11 s > 10 s stale; exactly 10 s is fresh */
    CHECK_EQ(index_compute(&d, p, upd, now), 250);      /* median of 200, 300 */
    CHECK_EQ(index_compute(&d, p, NULL, now), 200);     /* no staleness information */
    SimTime old[3] = {0, 0, 0};
    CHECK_EQ(index_compute(&d, p, old, now), 0);        /* all stale: caller keeps its index */
    d.stale_after = 0;                                  /* never stale */
    CHECK_EQ(index_compute(&d, p, old, now), 200);
}

static void index_def_validation(void)
{
    IndexDef d = index_default_def();
    CHECK_EQ(index_def_validate(&d), STATUS_OK);
    d.weights[0] = 0;
    CHECK_EQ(index_def_validate(&d), STATUS_INVALID);
    d = index_default_def();
    d.source_count = 0;
    CHECK_EQ(index_def_validate(&d), STATUS_INVALID);
    d.source_count = INDEX_MAX_SOURCES + 1;
    CHECK_EQ(index_def_validate(&d), STATUS_INVALID);
    d = index_default_def();
    d.guard_bps = -1;
    CHECK_EQ(index_def_validate(&d), STATUS_INVALID);
    d = index_default_def();
    d.weights[0] = -1;
    CHECK_EQ(index_def_validate(&d), STATUS_INVALID);
    CHECK_EQ(index_def_validate(NULL), STATUS_INVALID);
}

static void index_source_mid_and_last(void)
{
    Book *b = new_book();
    CHECK_EQ(index_source_price(b, INDEX_SOURCE_MID), 0);   /* nothing known */
    CHECK_EQ(index_source_price(b, INDEX_SOURCE_LAST), 0);
    limit(b, SIDE_BUY, 1000, 5, 1);
    CHECK_EQ(index_source_price(b, INDEX_SOURCE_MID), 1000); /* bid only, no trade: the bid */
    limit(b, SIDE_SELL, 1003, 5, 2);
    CHECK_EQ(index_source_price(b, INDEX_SOURCE_MID), 1002); /* 2003 / 2 = 1001.5 -> 1002 */
    CHECK_EQ(index_source_price(b, INDEX_SOURCE_LAST), 1002); /* no trade yet: the mid rule */
    limit(b, SIDE_SELL, 1001, 1, 2);
    CHECK_EQ(index_source_price(b, INDEX_SOURCE_MID), 1000); /* 2001 / 2 = 1000.5 -> 1000 */
    /* A buy takes 1001 (1 lot) and 1003 (5 lots): the ask side empties, last = 1003. */
    limit(b, SIDE_BUY, 1003, 6, 3);
    CHECK_EQ(book_best_ask(b), 0);
    CHECK_EQ(book_last_price(b), 1003);
    CHECK_EQ(index_source_price(b, INDEX_SOURCE_MID), 1003);  /* bid only: max(last 1003, bid 1000) */
    CHECK_EQ(index_source_price(b, INDEX_SOURCE_LAST), 1003);
    limit(b, SIDE_SELL, 1005, 1, 2);
    CHECK_EQ(index_source_price(b, INDEX_SOURCE_MID), 1002);  /* (1000 + 1005) / 2 = 1002.5 -> 1002 */
    CHECK_EQ(index_source_price(b, INDEX_SOURCE_LAST), 1003);
    /* A sell takes the 5 bid lots at 1000: bids empty, last 1000 < ask 1005 -> 1000. */
    limit(b, SIDE_SELL, 1000, 5, 4);
    CHECK_EQ(book_best_bid(b), 0);
    CHECK_EQ(index_source_price(b, INDEX_SOURCE_MID), 1000);
    book_destroy(b);
}

/* ---- mark ------------------------------------------------------------------------------------------------------- */

static MarkState mark_with(MarkMethod m)
{
    MarkDef d = mark_default_def();
    d.method = m;
    MarkState st;
    mark_init(&st, &d);
    return st;
}

static void mark_last_method(void)
{
    MarkState st = mark_with(MARK_LAST);
    CHECK_EQ(mark_update(&st, 0, 0, 0, 0, 0, 0, 8 * H), 0);          /* nothing known */
    CHECK_EQ(mark_update(&st, 1 * S, 1000, 0, 0, 0, 0, 8 * H), 1000); /* bootstrap from the index */
    CHECK_EQ(mark_update(&st, 2 * S, 1000, 0, 1005, 0, 0, 8 * H), 1005);
    CHECK_EQ(mark_update(&st, 3 * S, 1000, 1001, 0, 0, 0, 8 * H), 1005); /* no trade: keep */
    CHECK_EQ(mark_price(&st), 1005);
    CHECK_EQ(mark_update(&st, 3 * S, 0, 0, 990, 0, 0, 8 * H), 990);  /* same time is allowed */
}

static void mark_index_method(void)
{
    MarkState st = mark_with(MARK_INDEX);
    CHECK_EQ(mark_update(&st, 0, 0, 0, 1234, 0, 0, 8 * H), 1234);   /* bootstrap: no index, no mid -> last */
    CHECK_EQ(mark_update(&st, 1 * S, 1000, 1010, 1020, 0, 0, 8 * H), 1000);
    CHECK_EQ(mark_update(&st, 2 * S, 0, 1010, 1020, 0, 0, 8 * H), 1000);  /* index missing: keep */
    CHECK_EQ(mark_update(&st, 3 * S, 990, 0, 0, 0, 0, 8 * H), 990);
}

static void mark_ema_step_rounding(void)
{
    /* alpha = dt / (tau + dt) = 1/2 when dt = tau */
    CHECK_EQ(mark_ema_step(0, 1000000, 150 * S, 150 * S), 500000);
    CHECK_EQ(mark_ema_step(0, 1, 150 * S, 150 * S), 0);  /* 0.5 -> 0 (even) */
    CHECK_EQ(mark_ema_step(0, 3, 150 * S, 150 * S), 2);  /* 1.5 -> 2 (even) */
    CHECK_EQ(mark_ema_step(0, -3, 150 * S, 150 * S), -2);
    CHECK_EQ(mark_ema_step(7, 100, 0, 150 * S), 7);       /* no time, no change */
    CHECK_EQ(mark_ema_step(7, 100, INT64_MAX, 150 * S), 100); /* a huge gap forgets the past */
    /* dt = 5 s, tau = 150 s: alpha = 5/155; 0 + (1e6 - 0) * 5 / 155 = 32258.06 -> 32258 */
    CHECK_EQ(mark_ema_step(0, 1000000, 5 * S, 150 * S), 32258);
}

static void mark_ema_basis_sequence(void)
{
    MarkState st = mark_with(MARK_INDEX_EMA_BASIS);
    /* t = 0: first sample initialises the basis to 1010 - 1000 = 10 ticks = 10,000,000 fixed point. */
    CHECK_EQ(mark_update(&st, 0, 1000, 1010, 0, 0, 0, 8 * H), 1010);
    CHECK_EQ(st.basis_fp, 10000000);
    /* t = 5 s, x = 0: delta = -10,000,000 * 5 / 155 = -322,580.645 -> -322,581; e = 9,677,419 (9.68 -> 10 ticks) */
    CHECK_EQ(mark_update(&st, 5 * S, 1000, 1000, 0, 0, 0, 8 * H), 1010);
    CHECK_EQ(st.basis_fp, 9677419);
    /* t = 10 s, x = 0: delta = -9,677,419 * 5 / 155 = -312,174.81 -> -312,175; e = 9,365,244 */
    CHECK_EQ(mark_update(&st, 10 * S, 1000, 1000, 0, 0, 0, 8 * H), 1009); /* 1000 + round(9.365244) */
    CHECK_EQ(st.basis_fp, 9365244);
    /* no mid at t = 100 s: the basis is not sampled; mark = index 1000 + round(9.365244) = 1009 */
    CHECK_EQ(mark_update(&st, 100 * S, 1000, 0, 0, 0, 0, 8 * H), 1009);
    CHECK_EQ(st.basis_fp, 9365244);
    CHECK_EQ(st.basis_time, 10 * S);
    /* t = 160 s: dt from the last sample is 150 s = tau, alpha = 1/2, x = 0: e = 9,365,244 - 4,682,622 = 4,682,622;
     * 4.682622 ticks -> 5; mark = 2000 + 5 */
    CHECK_EQ(mark_update(&st, 160 * S, 2000, 2000, 0, 0, 0, 8 * H), 2005);
    CHECK_EQ(st.basis_fp, 4682622);
    CHECK_EQ(mark_basis_ticks(&st), 5);
    /* index missing: keep */
    CHECK_EQ(mark_update(&st, 161 * S, 0, 2000, 0, 0, 0, 8 * H), 2005);
}

static void mark_never_nonpositive(void)
{
    MarkState st = mark_with(MARK_INDEX_EMA_BASIS);
    /* basis = 1 - 100 = -99; mark = 100 - 99 = 1 */
    CHECK_EQ(mark_update(&st, 0, 100, 1, 0, 0, 0, 8 * H), 1);
    /* index 10, no mid: 10 - 99 < 0 -> keep 1 */
    CHECK_EQ(mark_update(&st, 1, 10, 0, 0, 0, 0, 8 * H), 1);
    CHECK_GT(mark_price(&st), 0);
}

static void mark_median3_method(void)
{
    MarkState st = mark_with(MARK_MEDIAN3);
    /* index 100,000; rate 10,000 e8 (0.01 %); 4 h of 8 h left: fb = 10,000 * 4/8 = 5,000 e8;
     * P1 = 100,000 + 100,000 * 5,000 / 1e8 = 100,005. First basis sample 100,020 - 100,000 = 20: P2 = 100,020.
     * median(100,005, 100,020, last 100,010) = 100,010. */
    CHECK_EQ(mark_update(&st, 0, 100000, 100020, 100010, 10000, 4 * H, 8 * H), 100010);
    CHECK_EQ(st.p1_tk, 100005);
    CHECK_EQ(st.p2_tk, 100020);
    /* last jumps to 100,100: median(100,005, 100,020, 100,100) = 100,020 (basis unchanged: x = e) */
    CHECK_EQ(mark_update(&st, 1 * S, 100000, 100020, 100100, 10000, 4 * H, 8 * H), 100020);
    /* last trade price below both: median(100,005, 100,020, 99,000) = 100,005 */
    CHECK_EQ(mark_update(&st, 2 * S, 100000, 100020, 99000, 10000, 4 * H, 8 * H), 100005);
    /* no last: the mid 100,020 stands in -> median(100,005, 100,020, 100,020) = 100,020 */
    CHECK_EQ(mark_update(&st, 3 * S, 100000, 100020, 0, 10000, 4 * H, 8 * H), 100020);
    /* neither last nor mid: mean of P1 and P2, (100,005 + 100,020) / 2 = 100,012.5 -> 100,012 */
    CHECK_EQ(mark_update(&st, 4 * S, 100000, 0, 0, 10000, 4 * H, 8 * H), 100012);
    /* no index: keep */
    CHECK_EQ(mark_update(&st, 5 * S, 0, 100500, 100500, 10000, 4 * H, 8 * H), 100012);
    /* until_funding beyond the interval is clamped to it: fb = 10,000 -> P1 = 100,000 + 10 = 100,010 */
    CHECK_EQ(mark_update(&st, 6 * S, 100000, 100020, 100015, 10000, 9 * H, 8 * H), 100015);
    CHECK_EQ(st.p1_tk, 100010);
}

static void mark_funding_basis_rounding(void)
{
    /* rate -750,000 over the whole interval: P1 = 100,000 - 100,000 * 750,000 / 1e8 = 100,000 - 750 = 99,250 */
    CHECK_EQ(mark_funding_basis_price(100000, -750000, 8 * H, 8 * H), 99250);
    /* 10,000 * 4/8 = 5,000; 10,000 * 5,000 / 1e8 = 0.5 -> 0 (even): P1 = 10,000 */
    CHECK_EQ(mark_funding_basis_price(10000, 10000, 4 * H, 8 * H), 10000);
    /* 30,000 * 5,000 / 1e8 = 1.5 -> 2 */
    CHECK_EQ(mark_funding_basis_price(30000, 10000, 4 * H, 8 * H), 30002);
    /* fb = 10,001 * 1 h / 8 h = 1,250.125 -> 1,250; 1,000,000 * 1,250 / 1e8 = 12.5 -> 12 */
    CHECK_EQ(mark_funding_basis_price(1000000, 10001, 1 * H, 8 * H), 1000012);
    CHECK_EQ(mark_funding_basis_price(1000000, 10001, 0, 8 * H), 1000000);
}

static void mark_def_checks(void)
{
    MarkDef d = mark_default_def();
    CHECK_EQ(d.method, MARK_MEDIAN3);
    CHECK_EQ(d.ema_tau, 150 * S);
    CHECK_EQ(mark_def_validate(&d), STATUS_OK);
    d.ema_tau = 0;
    CHECK_EQ(mark_def_validate(&d), STATUS_INVALID);
    d = mark_default_def();
    d.method = MARK_METHOD_COUNT_;
    CHECK_EQ(mark_def_validate(&d), STATUS_INVALID);
}

/* ---- funding ---------------------------------------------------------------------------------------------------- */

/* asks 1000 x 5, 1002 x 10, 1005 x 100; bids 999 x 5, 997 x 10 */
static Book *impact_book(void)
{
    Book *b = new_book();
    limit(b, SIDE_SELL, 1000, 5, 1);
    limit(b, SIDE_SELL, 1002, 10, 1);
    limit(b, SIDE_SELL, 1005, 100, 1);
    limit(b, SIDE_BUY, 999, 5, 2);
    limit(b, SIDE_BUY, 997, 10, 2);
    return b;
}

static void funding_impact_price_walks_levels(void)
{
    Book *b = impact_book();
    Ticks px = -1;
    /* buy 10,000: level 1000 x 5 = 5,000 whole; R = 5,000 at 1002: lots 5 + 5000/1002;
     * avg = 10,000 * 1002 / (5 * 1002 + 5,000) = 10,020,000 / 10,010 = 1000.999 -> ceil 1001 */
    CHECK_EQ(funding_impact_price(b, SIDE_BUY, 10000, &px), STATUS_OK);
    CHECK_EQ(px, 1001);
    /* exactly the first level: 5,000 * 1000 / 5,000 = 1000 */
    CHECK_EQ(funding_impact_price(b, SIDE_BUY, 5000, &px), STATUS_OK);
    CHECK_EQ(px, 1000);
    /* exactly two levels (5,000 + 10,020): 15,020 * 1002 / (5 * 1002 + 10,020) = 15,050,040 / 15,030 = 1001.33
     * -> ceil 1002 */
    CHECK_EQ(funding_impact_price(b, SIDE_BUY, 15020, &px), STATUS_OK);
    CHECK_EQ(px, 1002);
    /* too thin: all 115,520 of notional (115 lots), remainder 84,480 at the worst price 1005:
     * 200,000 * 1005 / (115 * 1005 + 84,480) = 201,000,000 / 200,055 = 1004.72 -> ceil 1005 */
    CHECK_EQ(funding_impact_price(b, SIDE_BUY, 200000, &px), STATUS_OK);
    CHECK_EQ(px, 1005);
    /* sell 10,000: 999 x 5 = 4,995 whole; R = 5,005 at 997: 10,000 * 997 / (5 * 997 + 5,005) = 9,970,000 / 9,990
     * = 997.998 -> floor 997 */
    CHECK_EQ(funding_impact_price(b, SIDE_SELL, 10000, &px), STATUS_OK);
    CHECK_EQ(px, 997);
    /* small sell inside the first level: 999 */
    CHECK_EQ(funding_impact_price(b, SIDE_SELL, 999, &px), STATUS_OK);
    CHECK_EQ(px, 999);
    CHECK_EQ(funding_impact_price(b, SIDE_SELL, 0, &px), STATUS_INVALID);
    book_destroy(b);

    Book *empty = new_book();
    px = -1;
    CHECK_EQ(funding_impact_price(empty, SIDE_BUY, 1000, &px), STATUS_NOT_FOUND);
    CHECK_EQ(px, 0);
    book_destroy(empty);
}

static void funding_premium_signs(void)
{
    /* index 1000: impact bid 1001 above -> (1 - 0) * 1e8 / 1000 = 100,000 e8 (0.1 %) */
    CHECK_EQ(funding_premium_e8(1000, 1001, 1003), 100000);
    /* impact ask 997 below -> -(3) * 1e8 / 1000 = -300,000 */
    CHECK_EQ(funding_premium_e8(1000, 995, 997), -300000);
    /* index inside the impact spread: 0 */
    CHECK_EQ(funding_premium_e8(1000, 999, 1001), 0);
    CHECK_EQ(funding_premium_e8(1000, 1000, 1000), 0);
    /* missing sides contribute 0 */
    CHECK_EQ(funding_premium_e8(1000, 0, 1001), 0);
    CHECK_EQ(funding_premium_e8(1000, 0, 999), -100000);
    /* rounding: 1e8 / 3000 = 33,333.33 -> 33,333; 1e8 / 512 = 195,312.5 -> 195,312 (even);
     * 3e8 / 512 = 585,937.5 -> 585,938; -1e8 / 512 -> -195,312 */
    CHECK_EQ(funding_premium_e8(3000, 3001, 3005), 33333);
    CHECK_EQ(funding_premium_e8(512, 513, 520), 195312);
    CHECK_EQ(funding_premium_e8(512, 515, 520), 585938);
    CHECK_EQ(funding_premium_e8(512, 500, 511), -195312);
}

static void funding_sample_from_book(void)
{
    Book *b = impact_book();
    FundingDef def = funding_default_def();
    def.impact_notional = 10000; /* impact bid 997, impact ask 1001 (above) */
    CHECK_EQ(funding_def_validate(&def), STATUS_OK);
    FundingState st;
    funding_init(&st);
    int64_t p = -1;
    CHECK_EQ(funding_sample_book(&st, &def, b, 1000, &p), STATUS_OK);
    CHECK_EQ(p, 0);          /* 997 <= 1000 <= 1001 */
    /* index 1002 above the impact ask 1001: -1 * 1e8 / 1002 = -99,800.4 -> -99,800 */
    CHECK_EQ(funding_sample_book(&st, &def, b, 1002, &p), STATUS_OK);
    CHECK_EQ(p, -99800);
    /* index 995 below the impact bid 997: 2 * 1e8 / 995 = 201,005.03 -> 201,005 */
    CHECK_EQ(funding_sample_book(&st, &def, b, 995, &p), STATUS_OK);
    CHECK_EQ(p, 201005);
    CHECK_EQ(st.samples, 3);
    CHECK_EQ(funding_sample_book(&st, &def, b, 0, &p), STATUS_NOT_FOUND);
    CHECK_EQ(st.samples, 3);
    /* average (0 - 99,800 + 201,005) / 3 = 101,205 / 3 = 33,735 */
    CHECK_EQ(funding_average_premium(&st, &def), 33735);
    book_destroy(b);

    Book *empty = new_book();
    CHECK_EQ(funding_sample_book(&st, &def, empty, 1000, NULL), STATUS_NOT_FOUND);
    book_destroy(empty);
}

static FundingDef fdef(void)
{
    FundingDef d = funding_default_def();
    d.impact_notional = 1;
    return d;
}

static void funding_rate_clamp_inactive_and_active(void)
{
    FundingDef d = fdef();
    FundingState st;
    funding_init(&st);
    CHECK_EQ(funding_rate(&st, &d), 10000); /* no samples: P = 0, F = I */
    funding_sample(&st, 100);
    funding_sample(&st, 200);
    funding_sample(&st, 400);
    /* equal: 700 / 3 = 233.33 -> 233; F = 233 + clamp(10,000 - 233) = 10,000 (clamp inactive: F = I) */
    CHECK_EQ(funding_average_premium(&st, &d), 233);
    CHECK_EQ(funding_rate(&st, &d), 10000);
    /* linear: (1*100 + 2*200 + 3*400) / 6 = 1,700 / 6 = 283.33 -> 283 */
    d.averaging = FUNDING_AVG_LINEAR;
    CHECK_EQ(funding_average_premium(&st, &d), 283);
    d.averaging = FUNDING_AVG_EQUAL;
    /* clamp active: P = 100,000: 100,000 + clamp(-90,000 -> -50,000) = 50,000 */
    CHECK_EQ(funding_rate_from_premium(100000, &d), 50000);
    /* P = -60,000: I - P = 70,000 -> 50,000: F = -10,000 */
    CHECK_EQ(funding_rate_from_premium(-60000, &d), -10000);
    /* at the clamp edge: P = 60,000: I - P = -50,000 exactly: F = 10,000 */
    CHECK_EQ(funding_rate_from_premium(60000, &d), 10000);
    CHECK_EQ(funding_rate_from_premium(60001, &d), 10001);
}

static void funding_rate_cap_binds(void)
{
    FundingDef d = fdef();
    /* P = 1,000,000: 1,000,000 - 50,000 = 950,000 -> cap 750,000 */
    CHECK_EQ(funding_rate_from_premium(1000000, &d), 750000);
    /* P = -2,000,000: -2,000,000 + 50,000 = -1,950,000 -> -750,000 */
    CHECK_EQ(funding_rate_from_premium(-2000000, &d), -750000);
    /* just below the cap: P = 800,000 -> 750,000 exactly */
    CHECK_EQ(funding_rate_from_premium(800000, &d), 750000);
    CHECK_EQ(funding_rate_from_premium(799999, &d), 749999);
}

static void funding_hourly_interval(void)
{
    FundingDef d = fdef();
    d.interval = 1 * H;
    CHECK_EQ(funding_def_validate(&d), STATUS_OK);
    /* interest scaled: 10,000 * 1/8 = 1,250 e8 per hour (Hyperliquid's 0.00125 %/h) */
    CHECK_EQ(funding_interest_per_interval(&d), 1250);
    CHECK_EQ(funding_rate_from_premium(0, &d), 1250);
    /* P = 100,000: 100,000 + clamp(1,250 - 100,000 = -98,750 -> -50,000) = 50,000 */
    CHECK_EQ(funding_rate_from_premium(100000, &d), 50000);
    /* rate scaled (Hyperliquid): (100,000 + clamp(10,000 - 100,000)) / 8 = 50,000 / 8 = 6,250 */
    d.convention = FUNDING_CONV_RATE_SCALED;
    CHECK_EQ(funding_rate_from_premium(100000, &d), 6250);
    CHECK_EQ(funding_rate_from_premium(0, &d), 1250);
    /* (3 + clamp(10,000 - 3)) / 8 = 10,000 / 8 = 1,250; (-60,000 + 50,000) / 8 = -1,250 */
    CHECK_EQ(funding_rate_from_premium(-60000, &d), -1250);
    /* Hyperliquid's cap 4 %/h = 4,000,000 e8 does not bind; a 0.1 % cap does: P = 20,000,000:
     * (20,000,000 - 50,000) / 8 = 2,493,750 -> 100,000 */
    d.cap_e8 = 100000;
    CHECK_EQ(funding_rate_from_premium(20000000, &d), 100000);
    /* 3 h: interest 10,000 * 3 / 8 = 3,750 */
    d = fdef();
    d.interval = 3 * H;
    CHECK_EQ(funding_interest_per_interval(&d), 3750);
    /* 7 h does not divide a day */
    d.interval = 7 * H;
    CHECK_EQ(funding_def_validate(&d), STATUS_INVALID);
}

static void funding_reset_clears(void)
{
    FundingDef d = fdef();
    FundingState st;
    funding_init(&st);
    funding_sample(&st, 2000000);
    CHECK_EQ(funding_rate(&st, &d), 750000);
    CHECK_EQ(st.last_premium_e8, 2000000);
    funding_reset(&st);
    CHECK_EQ(st.samples, 0);
    CHECK_EQ(st.sum_e8, 0);
    CHECK_EQ(st.weighted_sum_e8, 0);
    CHECK_EQ(funding_rate(&st, &d), 10000);
}

static void funding_payment_rounding(void)
{
    /* 1,234,567 * 10,000 / 1e8 = 123.4567: payer 124, receiver 123 */
    CHECK_EQ(funding_payment(1234567, 10000, true), 124);
    CHECK_EQ(funding_payment(1234567, 10000, false), 123);
    CHECK_EQ(funding_payment(-1234567, -10000, true), 124); /* magnitudes */
    /* exact: 2,000,000 * 5,000 / 1e8 = 100 */
    CHECK_EQ(funding_payment(2000000, 5000, true), 100);
    CHECK_EQ(funding_payment(2000000, 5000, false), 100);
    CHECK_EQ(funding_payment(0, 5000, true), 0);
    CHECK_EQ(funding_payment(2000000, 0, true), 0);
}

static void funding_def_checks(void)
{
    FundingDef d = funding_default_def();
    CHECK_EQ(d.interval, 8 * H);
    CHECK_EQ(d.interest_e8, 10000);
    CHECK_EQ(d.clamp_e8, 50000);
    CHECK_EQ(d.cap_e8, 750000);
    CHECK_EQ(funding_def_validate(&d), STATUS_INVALID); /* impact_notional must be set */
    d.impact_notional = 1;
    CHECK_EQ(funding_def_validate(&d), STATUS_OK);
    d.cap_e8 = -1;
    CHECK_EQ(funding_def_validate(&d), STATUS_INVALID);
    d = fdef();
    d.sample_period = 0;
    CHECK_EQ(funding_def_validate(&d), STATUS_INVALID);
}

void suite_market_index(void)
{
    static const TestCase cases[] = {
        TEST_CASE(index_median_odd_even),
        TEST_CASE(index_weighted_mean_rounding),
        TEST_CASE(index_guard_excludes_outlier),
        TEST_CASE(index_stale_sources),
        TEST_CASE(index_def_validation),
        TEST_CASE(index_source_mid_and_last),
    };
    test_add_suite("market_index", cases, TEST_COUNT(cases));
}

void suite_market_mark(void)
{
    static const TestCase cases[] = {
        TEST_CASE(mark_last_method),
        TEST_CASE(mark_index_method),
        TEST_CASE(mark_ema_step_rounding),
        TEST_CASE(mark_ema_basis_sequence),
        TEST_CASE(mark_never_nonpositive),
        TEST_CASE(mark_median3_method),
        TEST_CASE(mark_funding_basis_rounding),
        TEST_CASE(mark_def_checks),
    };
    test_add_suite("market_mark", cases, TEST_COUNT(cases));
}

void suite_market_funding(void)
{
    static const TestCase cases[] = {
        TEST_CASE(funding_impact_price_walks_levels),
        TEST_CASE(funding_premium_signs),
        TEST_CASE(funding_sample_from_book),
        TEST_CASE(funding_rate_clamp_inactive_and_active),
        TEST_CASE(funding_rate_cap_binds),
        TEST_CASE(funding_hourly_interval),
        TEST_CASE(funding_reset_clears),
        TEST_CASE(funding_payment_rounding),
        TEST_CASE(funding_def_checks),
    };
    test_add_suite("market_funding", cases, TEST_COUNT(cases));
}
