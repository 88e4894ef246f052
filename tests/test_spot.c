/* market/spot: holds, fills, fees, market orders, cancels, STP and conservation against hand-computed integers.
 *
 * Units are plain ticks, lots and quote units (notional = price x qty). Fees default to maker 2 bps, taker 5 bps,
 * so a buy holds hold_per_lot(p) = p + ceil(p x 5 / 10,000) per lot; e.g. 10,001 + ceil(5.0005) = 10,007.
 * spot_check runs after every operation (SCHECK). */
#include "test_suites.h"
#include "test_util.h"

#include "rng.h"
#include "spot.h"

#include <stdio.h>
#include <string.h>

/* ---- helpers ---- */

static void check_spot_(const SpotVenue *S, unsigned line)
{
    char why[256] = "";
    Status s = spot_check(S, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "spot_check failed (test line %u): %s\n", line, why);
    CHECK_EQ(s, STATUS_OK);
}
#define SCHECK(S) check_spot_((S), __LINE__)

/* Records the trades and order endings the venue reports. */
typedef struct Tape {
    SpotTrade t[64];
    int n;
    int done;                  /* on_order_done calls */
    AccountId done_owner;
    OrderRef done_ref;
    uint64_t done_tag;
    Lots done_remaining;
} Tape;

static void tape_trade(void *ctx, const SpotTrade *t)
{
    Tape *tp = ctx;
    if (tp->n < 64) tp->t[tp->n] = *t;
    tp->n++;
}

static void tape_done(void *ctx, AccountId owner, OrderRef ref, uint64_t tag, Lots remaining)
{
    Tape *tp = ctx;
    tp->done++;
    tp->done_owner = owner;
    tp->done_ref = ref;
    tp->done_tag = tag;
    tp->done_remaining = remaining;
}

static SpotVenue *venue(int32_t maker_bps, int32_t taker_bps, Tape *tape)
{
    SpotDef d = spot_default_def();
    d.maker_fee_bps = maker_bps;
    d.taker_fee_bps = taker_bps;
    d.book.order_capacity = 16;
    SpotVenue *S = NULL;
    CHECK_EQ(spot_create(&d, &S), STATUS_OK);
    if (tape) {
        memset(tape, 0, sizeof *tape);
        SpotListener l = {tape, tape_trade, tape_done};
        spot_set_listener(S, &l);
    }
    SCHECK(S);
    return S;
}

static AccountId account(SpotVenue *S, Quote cash, Lots asset)
{
    AccountId a = ACCOUNT_NONE;
    CHECK_EQ(spot_add_account(S, &a), STATUS_OK);
    if (cash > 0) CHECK_EQ(spot_deposit_cash(S, a, cash), STATUS_OK);
    if (asset > 0) CHECK_EQ(spot_deposit_asset(S, a, asset), STATUS_OK);
    SCHECK(S);
    return a;
}

static VenueReq req(OrderType type, Side side, Ticks price, Lots qty, uint64_t tag)
{
    VenueReq r;
    memset(&r, 0, sizeof r);
    r.type = type;
    r.side = side;
    r.price_tk = price;
    r.qty = qty;
    r.tag = tag;
    return r;
}

/* Submits and checks the status; returns the result. */
static VenueResult submit_(SpotVenue *S, AccountId a, VenueReq r, Status want, unsigned line)
{
    VenueResult res;
    Status st = spot_submit(S, a, &r, &res);
    if (st != want) fprintf(stderr, "spot_submit (test line %u): %s\n", line, status_name(st));
    CHECK_EQ(st, want);
    check_spot_(S, line);
    return res;
}
#define SUBMIT(S, a, r, want) submit_((S), (a), (r), (want), __LINE__)

/* ---- settlement ---- */

static void spot_fill_settles_cash_asset_fees(void)
{
    Tape tp;
    SpotVenue *S = venue(2, 5, &tp);
    AccountId s = account(S, 0, 10);
    AccountId b = account(S, 1000000, 0);

    VenueResult rs = SUBMIT(S, s, req(ORDER_LIMIT, SIDE_SELL, 10001, 3, 7), STATUS_OK);
    CHECK_NE(rs.ref, ORDER_REF_NONE);
    CHECK_EQ(rs.resting, 3);
    CHECK_EQ(spot_free_asset(S, s), 7);
    CHECK_EQ(spot_asset(S, s), 10);

    /* b buys 5 @ 10,010: holds 5 x (10,010 + ceil(5.005) = 10,016) = 50,080; takes 3 @ 10,001 (notional 30,003),
     * rests 2. Taker fee ceil(30,003 x 5 / 10,000 = 15.0015) = 16, maker fee ceil(6.0006) = 7.
     * Release floor(50,080 x 3 / 5) = 30,048; 20,032 = 2 x 10,016 stays held. */
    VenueResult rb = SUBMIT(S, b, req(ORDER_LIMIT, SIDE_BUY, 10010, 5, 9), STATUS_OK);
    CHECK_EQ(rb.accepted, 5);
    CHECK_EQ(rb.filled, 3);
    CHECK_EQ(rb.resting, 2);
    CHECK_NE(rb.ref, ORDER_REF_NONE);
    CHECK_EQ(spot_cash(S, b), 969981);      /* 1,000,000 - 30,003 - 16 */
    CHECK_EQ(spot_free_cash(S, b), 949949); /* 969,981 - 20,032 */
    CHECK_EQ(spot_asset(S, b), 3);
    CHECK_EQ(spot_cash(S, s), 29996);       /* 30,003 - 7 */
    CHECK_EQ(spot_asset(S, s), 7);
    CHECK_EQ(spot_free_asset(S, s), 7);
    CHECK_EQ(spot_fee_account(S), 23);      /* 16 + 7 */
    CHECK_EQ(spot_order_count(S, s), 0);
    CHECK_EQ(spot_order_count(S, b), 1);
    VenueOrder o;
    CHECK(spot_order(S, rb.ref, &o));
    CHECK_EQ(o.remaining, 2);
    CHECK_EQ(o.reserved, 20032);
    CHECK_EQ(o.user_tag, 9);
    CHECK(!spot_order(S, rs.ref, NULL)); /* filled: its record ended */

    CHECK_EQ(tp.n, 1);
    CHECK_EQ(tp.t[0].price_tk, 10001);
    CHECK_EQ(tp.t[0].qty, 3);
    CHECK_EQ(tp.t[0].aggressor, SIDE_BUY);
    CHECK_EQ(tp.t[0].maker, s);
    CHECK_EQ(tp.t[0].taker, b);
    CHECK_EQ(tp.t[0].maker_tag, 7);
    CHECK_EQ(tp.t[0].taker_tag, 9);
    CHECK_EQ(tp.t[0].maker_ref, rs.ref);
    CHECK_EQ(tp.t[0].taker_ref, rb.ref);
    CHECK_EQ(tp.t[0].maker_remaining, 0);
    CHECK_EQ(tp.t[0].taker_remaining, 2);
    CHECK_EQ(tp.t[0].maker_fee, 7);
    CHECK_EQ(tp.t[0].taker_fee, 16);

    /* s sells 2 IOC @ 10,000 into b's bid at 10,010: notional 20,020; s pays taker ceil(10.01) = 11, b pays maker
     * ceil(4.004) = 5; b's order ends, so all 20,032 held is released. */
    VenueResult r2 = SUBMIT(S, s, req(ORDER_IOC, SIDE_SELL, 10000, 2, 8), STATUS_OK);
    CHECK_EQ(r2.filled, 2);
    CHECK_EQ(r2.ref, ORDER_REF_NONE);
    CHECK_EQ(spot_cash(S, b), 949956);      /* 969,981 - 20,020 - 5 */
    CHECK_EQ(spot_free_cash(S, b), 949956);
    CHECK_EQ(spot_asset(S, b), 5);
    CHECK_EQ(spot_cash(S, s), 50005);       /* 29,996 + 20,020 - 11 */
    CHECK_EQ(spot_asset(S, s), 5);
    CHECK_EQ(spot_fee_account(S), 39);      /* 23 + 11 + 5; 949,956 + 50,005 + 39 = 1,000,000 */
    CHECK_EQ(tp.n, 2);
    CHECK_EQ(tp.t[1].aggressor, SIDE_SELL);
    CHECK_EQ(tp.t[1].maker, b);
    CHECK_EQ(tp.t[1].price_tk, 10010);
    CHECK_EQ(book_last_price(spot_book(S)), 10010);
    CHECK(!spot_order(S, rb.ref, NULL));
    spot_destroy(S);
}

static void spot_maker_rebate_settles_exactly(void)
{
    SpotVenue *S = venue(-2, 5, NULL);
    AccountId s = account(S, 0, 10);
    AccountId b = account(S, 100000, 0);
    /* A buy holds at max(-2, 5, 0) = 5 bps: 10,001 + ceil(5.0005) = 10,007 per lot. */
    CHECK_EQ(spot_hold_per_lot(S, 10001), 10007);

    SUBMIT(S, s, req(ORDER_LIMIT, SIDE_SELL, 10001, 3, 0), STATUS_OK);
    /* b takes 3 @ 10,001: notional 30,003, taker fee ceil(15.0015) = 16, maker rebate trunc(-6.0006) = -6. */
    SUBMIT(S, b, req(ORDER_IOC, SIDE_BUY, 10001, 3, 0), STATUS_OK);
    CHECK_EQ(spot_cash(S, b), 69981);  /* 100,000 - 30,003 - 16 */
    CHECK_EQ(spot_cash(S, s), 30009);  /* 30,003 + 6 */
    CHECK_EQ(spot_fee_account(S), 10); /* 16 - 6 */

    /* Now b rests (post-only) and s hits it with a market sell: protection floor(10,000 x 9,500 / 10,000) = 9,500;
     * fills 2 @ 10,000 = 20,000; b's rebate trunc(-4) = -4, s's taker fee ceil(10) = 10. */
    VenueResult rp = SUBMIT(S, b, req(ORDER_POST_ONLY, SIDE_BUY, 10000, 2, 0), STATUS_OK);
    CHECK_EQ(rp.resting, 2);
    CHECK_EQ(spot_protection_price(S, SIDE_SELL), 9500);
    VenueResult rm = SUBMIT(S, s, req(ORDER_MARKET, SIDE_SELL, 0, 2, 0), STATUS_OK);
    CHECK_EQ(rm.filled, 2);
    CHECK_EQ(spot_cash(S, b), 49985);  /* 69,981 - 20,000 + 4 */
    CHECK_EQ(spot_cash(S, s), 49999);  /* 30,009 + 20,000 - 10 */
    CHECK_EQ(spot_fee_account(S), 16); /* 10 + 10 - 4; 49,985 + 49,999 + 16 = 100,000 */
    CHECK_EQ(spot_asset(S, b), 5);
    CHECK_EQ(spot_asset(S, s), 5);
    CHECK_EQ(spot_free_cash(S, b), 49985);
    spot_destroy(S);
}

/* ---- holds ---- */

static void spot_hold_covers_a_maker_fee_above_taker(void)
{
    /* maker 10 bps > taker 3 bps: a resting buy may pay the maker fee, so it holds at 10 bps:
     * 10,001 + ceil(10.001) = 10,012 per lot, 30,036 for 3. */
    SpotVenue *S = venue(10, 3, NULL);
    CHECK_EQ(spot_hold_per_lot(S, 10001), 10012);
    AccountId b = account(S, 30035, 0);
    AccountId s = account(S, 0, 3);
    SUBMIT(S, b, req(ORDER_LIMIT, SIDE_BUY, 10001, 3, 0), STATUS_REJECTED);
    CHECK_EQ(spot_deposit_cash(S, b, 1), STATUS_OK);
    SUBMIT(S, b, req(ORDER_LIMIT, SIDE_BUY, 10001, 3, 0), STATUS_OK);
    /* s sells into it: notional 30,003; b pays maker ceil(30.003) = 31, s pays taker ceil(9.0009) = 10 */
    SUBMIT(S, s, req(ORDER_IOC, SIDE_SELL, 10001, 3, 0), STATUS_OK);
    CHECK_EQ(spot_cash(S, b), 2);       /* 30,036 - 30,003 - 31 */
    CHECK_EQ(spot_free_cash(S, b), 2);
    CHECK_EQ(spot_cash(S, s), 29993);   /* 30,003 - 10 */
    CHECK_EQ(spot_fee_account(S), 41);  /* 2 + 29,993 + 41 = 30,036 */
    spot_destroy(S);
}


static void spot_hold_rejects_oversize_and_leaves_balances(void)
{
    SpotVenue *S = venue(2, 5, NULL);
    /* 3 @ 10,001 needs 3 x 10,007 = 30,021; one unit short is refused with nothing changed. */
    AccountId b = account(S, 30020, 0);
    AccountId s = account(S, 0, 5);
    VenueResult r = SUBMIT(S, b, req(ORDER_LIMIT, SIDE_BUY, 10001, 3, 0), STATUS_REJECTED);
    CHECK_EQ(r.ref, ORDER_REF_NONE);
    CHECK_EQ(spot_cash(S, b), 30020);
    CHECK_EQ(spot_free_cash(S, b), 30020);
    CHECK_EQ(spot_order_count(S, b), 0);
    CHECK_EQ(book_best_bid(spot_book(S)), 0);
    /* exactly enough */
    CHECK_EQ(spot_deposit_cash(S, b, 1), STATUS_OK);
    r = SUBMIT(S, b, req(ORDER_LIMIT, SIDE_BUY, 10001, 3, 0), STATUS_OK);
    CHECK_EQ(r.resting, 3);
    CHECK_EQ(spot_free_cash(S, b), 0);
    CHECK_EQ(spot_cash(S, b), 30021);
    /* nothing free left: a 1-lot buy @ 1 needs 1 + ceil(0.0005) = 2; a withdrawal of 1 is refused */
    SUBMIT(S, b, req(ORDER_LIMIT, SIDE_BUY, 1, 1, 0), STATUS_REJECTED);
    CHECK_EQ(spot_withdraw_cash(S, b, 1), STATUS_REJECTED);
    CHECK_EQ(spot_cash(S, b), 30021);

    /* sells hold lots */
    SUBMIT(S, s, req(ORDER_LIMIT, SIDE_SELL, 10002, 6, 0), STATUS_REJECTED);
    CHECK_EQ(spot_free_asset(S, s), 5);
    VenueResult rs = SUBMIT(S, s, req(ORDER_LIMIT, SIDE_SELL, 10002, 5, 0), STATUS_OK);
    CHECK_EQ(spot_free_asset(S, s), 0);
    SUBMIT(S, s, req(ORDER_LIMIT, SIDE_SELL, 10003, 1, 0), STATUS_REJECTED);
    CHECK_EQ(spot_withdraw_asset(S, s, 1), STATUS_REJECTED);
    CHECK_EQ(spot_asset(S, s), 5);
    CHECK_EQ(spot_cancel(S, s, rs.ref), STATUS_OK);
    SCHECK(S);
    CHECK_EQ(spot_withdraw_asset(S, s, 5), STATUS_OK);
    SCHECK(S);
    CHECK_EQ(spot_asset(S, s), 0);
    spot_destroy(S);
}

static void spot_partial_fill_then_cancel_releases_rest(void)
{
    SpotVenue *S = venue(2, 5, NULL);
    AccountId b = account(S, 100000, 0);
    AccountId s = account(S, 0, 10);
    /* buy 7 @ 10,001 holds 7 x 10,007 = 70,049 */
    VenueResult rb = SUBMIT(S, b, req(ORDER_LIMIT, SIDE_BUY, 10001, 7, 0), STATUS_OK);
    CHECK_EQ(spot_free_cash(S, b), 29951); /* 100,000 - 70,049 */

    /* s sells 2: notional 20,002, b's maker fee ceil(4.0004) = 5; release floor(70,049 x 2 / 7) = 20,014 */
    SUBMIT(S, s, req(ORDER_IOC, SIDE_SELL, 10001, 2, 0), STATUS_OK);
    VenueOrder o;
    CHECK(spot_order(S, rb.ref, &o));
    CHECK_EQ(o.remaining, 5);
    CHECK_EQ(o.reserved, 50035);           /* 70,049 - 20,014 = 5 x 10,007 */
    CHECK_EQ(spot_cash(S, b), 79993);      /* 100,000 - 20,002 - 5 */
    CHECK_EQ(spot_free_cash(S, b), 29958); /* 79,993 - 50,035 */

    /* s sells 3 more: notional 30,003, maker fee ceil(6.0006) = 7; release floor(50,035 x 3 / 5) = 30,021 */
    SUBMIT(S, s, req(ORDER_IOC, SIDE_SELL, 10001, 3, 0), STATUS_OK);
    CHECK(spot_order(S, rb.ref, &o));
    CHECK_EQ(o.reserved, 20014);
    CHECK_EQ(spot_cash(S, b), 49983);      /* 79,993 - 30,003 - 7 */
    CHECK_EQ(spot_free_cash(S, b), 29969); /* 49,983 - 20,014 */

    /* the cancel releases exactly the 20,014 left */
    CHECK_EQ(spot_cancel(S, b, rb.ref), STATUS_OK);
    SCHECK(S);
    CHECK_EQ(spot_free_cash(S, b), 49983);
    CHECK_EQ(spot_cash(S, b), 49983);
    CHECK_EQ(spot_asset(S, b), 5);
    /* s paid taker ceil(10.001) = 11 and ceil(15.0015) = 16: 20,002 - 11 + 30,003 - 16 = 49,978;
     * fees 5 + 11 + 7 + 16 = 39; 49,983 + 49,978 + 39 = 100,000. */
    CHECK_EQ(spot_cash(S, s), 49978);
    CHECK_EQ(spot_fee_account(S), 39);
    CHECK_EQ(book_best_bid(spot_book(S)), 0);
    spot_destroy(S);
}

/* ---- market orders ---- */

static void spot_market_buy_at_band_price_stops_at_band(void)
{
    Tape tp;
    SpotVenue *S = venue(2, 5, &tp);
    AccountId m = account(S, 0, 10);
    AccountId b = account(S, 100000, 0);
    SUBMIT(S, m, req(ORDER_LIMIT, SIDE_SELL, 10001, 2, 0), STATUS_OK);
    SUBMIT(S, m, req(ORDER_LIMIT, SIDE_SELL, 10400, 2, 0), STATUS_OK);
    SUBMIT(S, m, req(ORDER_LIMIT, SIDE_SELL, 10600, 2, 0), STATUS_OK);
    /* protection = ceil(10,001 x 10,500 / 10,000) = ceil(10,501.05) = 10,502 */
    CHECK_EQ(spot_protection_price(S, SIDE_BUY), 10502);
    /* market buy 6 holds 6 x (10,502 + ceil(5.251) = 10,508) = 63,048 <= 100,000; takes 2 @ 10,001 and 2 @ 10,400,
     * stops before 10,600. Taker fees ceil(20,002 x 5e-4 = 10.001) = 11 and ceil(10.4) = 11; maker fees
     * ceil(4.0004) = 5 and ceil(4.16) = 5. */
    VenueResult r = SUBMIT(S, b, req(ORDER_MARKET, SIDE_BUY, 0, 6, 0), STATUS_OK);
    CHECK_EQ(r.accepted, 6);
    CHECK_EQ(r.filled, 4);
    CHECK_EQ(r.resting, 0);
    CHECK_EQ(r.ref, ORDER_REF_NONE);
    CHECK_EQ(tp.n, 2);
    CHECK_EQ(tp.t[1].price_tk, 10400);
    CHECK_EQ(spot_cash(S, b), 59176);      /* 100,000 - 20,002 - 11 - 20,800 - 11 */
    CHECK_EQ(spot_free_cash(S, b), 59176); /* the unfilled 2 lots' hold is released */
    CHECK_EQ(spot_asset(S, b), 4);
    CHECK_EQ(spot_cash(S, m), 40792);      /* 20,002 - 5 + 20,800 - 5 */
    CHECK_EQ(spot_fee_account(S), 32);     /* 59,176 + 40,792 + 32 = 100,000 */
    CHECK_EQ(book_best_ask(spot_book(S)), 10600);
    CHECK_EQ(spot_order_count(S, b), 0);

    /* a market buy is held at its protection price: 10 lots at ceil(10,600 x 1.05) = 11,130 hold
     * 10 x (11,130 + ceil(5.565) = 11,136) = 111,360 > 59,176 -> refused, nothing done */
    SUBMIT(S, b, req(ORDER_MARKET, SIDE_BUY, 0, 10, 0), STATUS_REJECTED);
    CHECK_EQ(tp.n, 2);
    CHECK_EQ(spot_cash(S, b), 59176);

    /* market sell: protection floor(9,999 x 9,500 / 10,000) = floor(9,499.05) = 9,499 */
    SUBMIT(S, b, req(ORDER_LIMIT, SIDE_BUY, 9999, 1, 0), STATUS_OK);
    CHECK_EQ(spot_protection_price(S, SIDE_SELL), 9499);
    r = SUBMIT(S, m, req(ORDER_MARKET, SIDE_SELL, 0, 3, 0), STATUS_OK);
    CHECK_EQ(r.filled, 1);
    CHECK_EQ(spot_free_asset(S, m), 3); /* 10 - 4 sold - 1 sold - 2 resting @ 10,600 */
    spot_destroy(S);
}

static void spot_market_into_empty_side_rejected(void)
{
    SpotVenue *S = venue(2, 5, NULL);
    AccountId a = account(S, 100000, 10);
    CHECK_EQ(spot_protection_price(S, SIDE_BUY), 0);
    CHECK_EQ(spot_protection_price(S, SIDE_SELL), 0);
    SUBMIT(S, a, req(ORDER_MARKET, SIDE_BUY, 0, 1, 0), STATUS_REJECTED);
    SUBMIT(S, a, req(ORDER_MARKET, SIDE_SELL, 0, 1, 0), STATUS_REJECTED);
    /* a bid on the book does not help a market buy: it needs asks */
    SUBMIT(S, a, req(ORDER_LIMIT, SIDE_BUY, 9000, 1, 0), STATUS_OK);
    SUBMIT(S, a, req(ORDER_MARKET, SIDE_BUY, 0, 1, 0), STATUS_REJECTED);
    CHECK_EQ(spot_free_cash(S, a), 100000 - 9005); /* only the resting bid: 9,000 + ceil(4.5) */
    CHECK_EQ(spot_free_asset(S, a), 10);
    CHECK_EQ(spot_order_count(S, a), 1);
    CHECK_EQ(spot_fee_account(S), 0);
    spot_destroy(S);
}

static void spot_ioc_remainder_releases_hold(void)
{
    SpotVenue *S = venue(2, 5, NULL);
    AccountId m = account(S, 0, 10);
    AccountId b = account(S, 100000, 0);
    SUBMIT(S, m, req(ORDER_LIMIT, SIDE_SELL, 10001, 2, 0), STATUS_OK);
    /* IOC buy 5 @ 10,001 holds 50,035, takes 2 (20,002 + taker fee 11), the remaining 3 end */
    VenueResult r = SUBMIT(S, b, req(ORDER_IOC, SIDE_BUY, 10001, 5, 0), STATUS_OK);
    CHECK_EQ(r.filled, 2);
    CHECK_EQ(r.resting, 0);
    CHECK_EQ(r.ref, ORDER_REF_NONE);
    CHECK_EQ(spot_cash(S, b), 79987); /* 100,000 - 20,002 - 11 */
    CHECK_EQ(spot_free_cash(S, b), 79987);
    CHECK_EQ(spot_order_count(S, b), 0);
    /* an IOC that meets nothing ends at once, holding nothing afterwards */
    r = SUBMIT(S, m, req(ORDER_IOC, SIDE_SELL, 10005, 4, 0), STATUS_OK);
    CHECK_EQ(r.filled, 0);
    CHECK_EQ(spot_free_asset(S, m), 8);
    /* a post-only that would cross is refused and holds nothing */
    SUBMIT(S, m, req(ORDER_LIMIT, SIDE_SELL, 10010, 1, 0), STATUS_OK);
    SUBMIT(S, b, req(ORDER_POST_ONLY, SIDE_BUY, 10010, 1, 0), STATUS_REJECTED);
    CHECK_EQ(spot_free_cash(S, b), 79987);
    CHECK_EQ(spot_order_count(S, b), 0);
    spot_destroy(S);
}

/* ---- self-trade prevention, cancels ---- */

static void spot_stp_cancels_resting_order_of_same_account(void)
{
    Tape tp;
    SpotVenue *S = venue(2, 5, &tp);
    AccountId a = account(S, 100000, 5);
    AccountId c = account(S, 0, 5);
    VenueResult ra = SUBMIT(S, a, req(ORDER_LIMIT, SIDE_SELL, 10001, 2, 1), STATUS_OK);
    SUBMIT(S, c, req(ORDER_LIMIT, SIDE_SELL, 10001, 1, 2), STATUS_OK);
    CHECK_EQ(spot_free_asset(S, a), 3);
    /* a buys 3 @ 10,001: its own sell at the head ends (STP), c's 1 lot trades, 2 rest */
    VenueResult rb = SUBMIT(S, a, req(ORDER_LIMIT, SIDE_BUY, 10001, 3, 3), STATUS_OK);
    CHECK_EQ(rb.filled, 1);
    CHECK_EQ(rb.resting, 2);
    CHECK_EQ(tp.n, 1);
    CHECK_EQ(tp.t[0].maker, c);
    CHECK_EQ(tp.t[0].taker, a);
    CHECK(!spot_order(S, ra.ref, NULL));
    /* the owner hears that its resting sell ended: 2 lots left, its own tag 1 */
    CHECK_EQ(tp.done, 1);
    CHECK_EQ(tp.done_owner, a);
    CHECK_EQ(tp.done_ref, ra.ref);
    CHECK_EQ(tp.done_tag, 1);
    CHECK_EQ(tp.done_remaining, 2);
    CHECK_EQ(spot_cancel(S, a, ra.ref), STATUS_STALE);
    CHECK_EQ(spot_order_count(S, a), 1);
    CHECK_EQ(spot_free_asset(S, a), 6); /* 5 + 1 bought, nothing held */
    /* a: 100,000 - 10,001 - taker ceil(5.0005) = 6, minus the hold 2 x 10,007 */
    CHECK_EQ(spot_cash(S, a), 89993);
    CHECK_EQ(spot_free_cash(S, a), 69979);
    spot_destroy(S);
}

static void spot_cancel_stale_foreign_and_all(void)
{
    SpotVenue *S = venue(2, 5, NULL);
    AccountId a = account(S, 1000000, 10);
    AccountId b = account(S, 1000000, 10);
    VenueResult r1 = SUBMIT(S, a, req(ORDER_LIMIT, SIDE_BUY, 9990, 2, 0), STATUS_OK);
    CHECK_EQ(spot_cancel(S, b, r1.ref), STATUS_INVALID); /* not b's order: untouched */
    CHECK(spot_order(S, r1.ref, NULL));
    CHECK_EQ(spot_cancel(S, 7, r1.ref), STATUS_INVALID); /* no such account */
    CHECK_EQ(spot_cancel(S, a, ORDER_REF_NONE), STATUS_STALE);
    CHECK_EQ(spot_cancel(S, a, ((OrderRef)1 << 32) | 999u), STATUS_STALE); /* never issued: slot 999 unused */
    CHECK_EQ(spot_cancel(S, a, r1.ref), STATUS_OK);
    SCHECK(S);
    CHECK_EQ(spot_cancel(S, a, r1.ref), STATUS_STALE);
    CHECK_EQ(spot_free_cash(S, a), 1000000);

    /* cancel_all: a's 3 bids and 2 asks go, b's order stays */
    SUBMIT(S, a, req(ORDER_LIMIT, SIDE_BUY, 9990, 1, 0), STATUS_OK);
    SUBMIT(S, a, req(ORDER_LIMIT, SIDE_BUY, 9991, 2, 0), STATUS_OK);
    SUBMIT(S, a, req(ORDER_LIMIT, SIDE_BUY, 9992, 3, 0), STATUS_OK);
    SUBMIT(S, a, req(ORDER_LIMIT, SIDE_SELL, 10010, 4, 0), STATUS_OK);
    SUBMIT(S, a, req(ORDER_LIMIT, SIDE_SELL, 10011, 5, 0), STATUS_OK);
    VenueResult rb = SUBMIT(S, b, req(ORDER_LIMIT, SIDE_SELL, 10012, 1, 0), STATUS_OK);
    CHECK_EQ(spot_order_count(S, a), 5);
    CHECK_EQ(spot_free_asset(S, a), 1);
    CHECK_EQ(spot_cancel_all(S, a), 5);
    SCHECK(S);
    CHECK_EQ(spot_order_count(S, a), 0);
    CHECK_EQ(spot_free_cash(S, a), 1000000);
    CHECK_EQ(spot_free_asset(S, a), 10);
    CHECK_EQ(spot_cancel_all(S, a), 0);
    CHECK_EQ(spot_cancel_all(S, 99), 0);
    CHECK(spot_order(S, rb.ref, NULL));
    CHECK_EQ(book_best_bid(spot_book(S)), 0);
    CHECK_EQ(book_best_ask(spot_book(S)), 10012);
    spot_destroy(S);
}

/* ---- definitions, arguments, accounts ---- */

static void spot_rejects_bad_defs_and_requests(void)
{
    SpotDef d = spot_default_def();
    CHECK_EQ(d.maker_fee_bps, 2);
    CHECK_EQ(d.taker_fee_bps, 5);
    CHECK_EQ(d.market_band_bps, 500);
    CHECK_EQ(d.account_capacity, 64);
    SpotVenue *S = NULL;
    SpotDef e = d;
    e.taker_fee_bps = -1;
    CHECK_EQ(spot_create(&e, &S), STATUS_INVALID);
    CHECK(S == NULL);
    e = d;
    e.maker_fee_bps = -6; /* rebate above the taker fee: the fee account could go negative */
    CHECK_EQ(spot_create(&e, &S), STATUS_INVALID);
    e = d;
    e.taker_fee_bps = 1001;
    CHECK_EQ(spot_create(&e, &S), STATUS_INVALID);
    e = d;
    e.maker_fee_bps = 1001;
    CHECK_EQ(spot_create(&e, &S), STATUS_INVALID);
    e = d;
    e.market_band_bps = 0;
    CHECK_EQ(spot_create(&e, &S), STATUS_INVALID);
    e.market_band_bps = 10001;
    CHECK_EQ(spot_create(&e, &S), STATUS_INVALID);
    e = d;
    e.book.window_ticks = 100; /* not a power of two: the book refuses */
    CHECK_EQ(spot_create(&e, &S), STATUS_INVALID);
    CHECK_EQ(spot_create(NULL, &S), STATUS_INVALID);
    e = d;
    e.maker_fee_bps = -5; /* the limits themselves are allowed */
    e.market_band_bps = 10000;
    CHECK_EQ(spot_create(&e, &S), STATUS_OK);
    spot_destroy(S);

    S = venue(0, 0, NULL);
    CHECK_EQ(spot_hold_per_lot(S, 10001), 10001); /* no fee, no fee hold */
    AccountId a = account(S, 100000, 10);
    SUBMIT(S, a, req(ORDER_STOP_MARKET, SIDE_SELL, 9000, 1, 0), STATUS_INVALID);
    VenueReq r = req(ORDER_LIMIT, SIDE_SELL, 10000, 1, 0);
    r.flags = ORDER_FLAG_REDUCE_ONLY;
    SUBMIT(S, a, r, STATUS_INVALID);
    SUBMIT(S, a, req(ORDER_LIMIT, SIDE_SELL, 10000, 0, 0), STATUS_INVALID);
    SUBMIT(S, a, req(ORDER_LIMIT, SIDE_SELL, 0, 1, 0), STATUS_INVALID);
    SUBMIT(S, a, req((OrderType)ORDER_TYPE_COUNT_, SIDE_SELL, 10000, 1, 0), STATUS_INVALID);
    SUBMIT(S, a, req(ORDER_LIMIT, (Side)2, 10000, 1, 0), STATUS_INVALID);
    SUBMIT(S, 5, req(ORDER_LIMIT, SIDE_SELL, 10000, 1, 0), STATUS_INVALID);
    /* a notional beyond int64: 2^40 x 2^30 lots */
    SUBMIT(S, a, req(ORDER_LIMIT, SIDE_BUY, (Ticks)1 << 40, (Lots)1 << 30, 0), STATUS_OVERFLOW);
    CHECK_EQ(spot_deposit_cash(S, a, 0), STATUS_INVALID);
    CHECK_EQ(spot_deposit_asset(S, a, -1), STATUS_INVALID);
    CHECK_EQ(spot_withdraw_cash(S, a, 0), STATUS_INVALID);
    CHECK_EQ(spot_deposit_cash(S, 9, 1), STATUS_INVALID);
    CHECK_EQ(spot_deposit_cash(S, a, INT64_MAX), STATUS_OVERFLOW);
    CHECK_EQ(spot_cash(S, a), 100000);
    CHECK_EQ(spot_order_count(S, a), 0);
    SCHECK(S);
    spot_destroy(S);
}

static void spot_accounts_grow_past_capacity(void)
{
    SpotDef d = spot_default_def();
    d.account_capacity = 2;
    SpotVenue *S = NULL;
    CHECK_EQ(spot_create(&d, &S), STATUS_OK);
    for (int i = 0; i < 40; i++) {
        AccountId a = account(S, 1000 + i, i + 1);
        CHECK_EQ(a, i);
        SUBMIT(S, a, req(ORDER_LIMIT, SIDE_SELL, 20000 + i, 1, 0), STATUS_OK);
    }
    CHECK_EQ(spot_account_count(S), 40);
    CHECK_EQ(spot_cash(S, 0), 1000);
    CHECK_EQ(spot_cash(S, 39), 1039);
    CHECK_EQ(spot_free_asset(S, 39), 39);
    CHECK_EQ(spot_order_count(S, 17), 1);
    CHECK_EQ(spot_withdraw_cash(S, 17, 1017), STATUS_OK);
    SCHECK(S);
    spot_destroy(S);
}

/* ---- the check itself ---- */

static void spot_check_detects_corruption(void)
{
    SpotVenue *S = venue(2, 5, NULL);
    AccountId b = account(S, 100000, 0);
    AccountId s = account(S, 0, 10);
    VenueResult rb = SUBMIT(S, b, req(ORDER_LIMIT, SIDE_BUY, 10001, 5, 0), STATUS_OK);
    SUBMIT(S, s, req(ORDER_IOC, SIDE_SELL, 10001, 2, 0), STATUS_OK);
    char why[256];

    S->acct[s].cash += 1; /* one quote unit from nothing */
    CHECK_EQ(spot_check(S, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "cash conservation") != NULL);
    S->acct[s].cash -= 1;
    SCHECK(S);

    S->acct[b].asset += 1;
    CHECK_EQ(spot_check(S, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "asset conservation") != NULL);
    S->acct[b].asset -= 1;

    S->acct[b].cash_held -= 1; /* a hold that no longer matches its orders */
    CHECK_EQ(spot_check(S, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "cash held") != NULL);
    S->acct[b].cash_held += 1;

    VenueOrder *o = otab_get(&S->orders, rb.ref);
    o->remaining -= 1; /* the record disagrees with the book (and with its own hold) */
    CHECK_EQ(spot_check(S, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "spot:") != NULL);
    o->remaining += 1;
    o->reserved += 1;
    S->acct[b].cash_held += 1; /* sums agree, but the hold is not remaining x per-lot */
    CHECK_EQ(spot_check(S, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "per-lot") != NULL);
    o->reserved -= 1;
    S->acct[b].cash_held -= 1;

    S->acct[s].asset_held = S->acct[s].asset + 1;
    CHECK_EQ(spot_check(S, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "asset held") != NULL);
    S->acct[s].asset_held = 0;

    S->orders.acct[b].count += 1;
    CHECK_EQ(spot_check(S, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "order table") != NULL);
    S->orders.acct[b].count -= 1;
    SCHECK(S);
    spot_destroy(S);
}

/* A listener that calls back into the venue trips the re-entry assert (in a forked child). */
static SpotVenue *reentry_venue;
static void reenter(void *ctx, const SpotTrade *t)
{
    (void)ctx;
    (void)t;
    (void)spot_cancel_all(reentry_venue, 0);
}
static void reentry(void)
{
    SpotVenue *S = venue(2, 5, NULL);
    reentry_venue = S;
    SpotListener l = {NULL, reenter, NULL};
    spot_set_listener(S, &l);
    AccountId a = account(S, 100000, 10);
    AccountId b = account(S, 100000, 10);
    SUBMIT(S, a, req(ORDER_LIMIT, SIDE_SELL, 10000, 1, 0), STATUS_OK);
    SUBMIT(S, b, req(ORDER_LIMIT, SIDE_BUY, 10000, 1, 0), STATUS_OK);
}
static void spot_listener_reentry_asserts(void) { CHECK(test_dies_by_assert(reentry)); }

/* ---- randomized ---- */

typedef struct RandTape {
    uint64_t trades;
    Quote fees;
    Lots volume;
    uint64_t self_trades;
} RandTape;

static void rand_trade(void *ctx, const SpotTrade *t)
{
    RandTape *r = ctx;
    r->trades++;
    r->fees += t->maker_fee + t->taker_fee;
    r->volume += t->qty;
    if (t->maker == t->taker) r->self_trades++;
}

/* 20,000 random operations by 10 accounts (maker rebate 1 bp, taker 4 bps): every outcome predicted from the
 * public state before the call (holds, crossing, stale/foreign references), spot_check after each operation, and the
 * venue's totals against the test's own count of deposits, withdrawals and reported fees. */
static void spot_random_operations_conserve(void)
{
    enum { N = 10, OPS = 20000, MAXREF = 24 };
    SpotDef d = spot_default_def();
    d.maker_fee_bps = -1;
    d.taker_fee_bps = 4;
    d.book.order_capacity = 16; /* grows during the run */
    SpotVenue *S = NULL;
    CHECK_EQ(spot_create(&d, &S), STATUS_OK);
    RandTape tape = {0, 0, 0, 0};
    SpotListener l = {&tape, rand_trade, NULL};
    spot_set_listener(S, &l);
    Rng rng;
    rng_seed(&rng, 0x5907u);
    Quote net_cash = 0;
    Lots net_asset = 0;
    OrderRef refs[N][MAXREF];
    uint32_t nref[N] = {0};
    for (AccountId a = 0; a < N; a++) {
        AccountId got = account(S, 3000000, 300);
        CHECK_EQ(got, a);
        net_cash += 3000000;
        net_asset += 300;
    }
    uint64_t rejected = 0;
    int failures = 0;
    for (int i = 0; i < OPS && failures == 0; i++) {
        AccountId a = (AccountId)rng_bounded(&rng, N);
        uint64_t op = rng_bounded(&rng, 100);
        Status want = STATUS_OK, got = STATUS_OK;
        if (op < 55) {
            Side side = (Side)rng_bounded(&rng, 2);
            uint64_t k = rng_bounded(&rng, 10);
            OrderType type = k < 6 ? ORDER_LIMIT : k < 8 ? ORDER_IOC : k < 9 ? ORDER_POST_ONLY : ORDER_MARKET;
            Ticks price = type == ORDER_MARKET ? 0 : 10000 + rng_range_i64(&rng, -30, 30);
            Lots qty = rng_range_i64(&rng, 1, 40);
            Ticks opp = side == SIDE_BUY ? book_best_ask(spot_book(S)) : book_best_bid(spot_book(S));
            Ticks hold_px = type == ORDER_MARKET ? spot_protection_price(S, side) : price;
            if (hold_px == 0) {
                want = STATUS_REJECTED;
            } else {
                int64_t need = side == SIDE_BUY ? qty * spot_hold_per_lot(S, hold_px) : qty;
                int64_t free_ = side == SIDE_BUY ? spot_free_cash(S, a) : spot_free_asset(S, a);
                bool crosses = opp != 0 && (side == SIDE_BUY ? price >= opp : price <= opp);
                if (need > free_ || (type == ORDER_POST_ONLY && crosses)) want = STATUS_REJECTED;
            }
            VenueReq r = req(type, side, price, qty, (uint64_t)i);
            VenueResult res;
            got = spot_submit(S, a, &r, &res);
            if (got == STATUS_OK) {
                /* a priced order that may rest accounts for all its lots; an IOC or market one never rests */
                if (type == ORDER_LIMIT || type == ORDER_POST_ONLY) CHECK_EQ(res.filled + res.resting, qty);
                else CHECK_EQ(res.resting, 0);
                CHECK_LE(res.filled, qty);
                CHECK_EQ(res.ref != ORDER_REF_NONE, res.resting > 0);
                if (res.ref != ORDER_REF_NONE) {
                    uint32_t slot = nref[a] < MAXREF ? nref[a]++ : (uint32_t)rng_bounded(&rng, MAXREF);
                    refs[a][slot] = res.ref;
                }
            }
            rejected += got == STATUS_REJECTED;
        } else if (op < 80) {
            if (nref[a] == 0) continue;
            OrderRef ref = refs[a][rng_bounded(&rng, nref[a])];
            AccountId who = rng_bounded(&rng, 8) == 0 ? (AccountId)rng_bounded(&rng, N) : a;
            VenueOrder o;
            bool live = spot_order(S, ref, &o);
            want = !live ? STATUS_STALE : o.owner != who ? STATUS_INVALID : STATUS_OK;
            got = spot_cancel(S, who, ref);
        } else if (op < 83) {
            uint32_t n = spot_order_count(S, a);
            if (spot_cancel_all(S, a) != n) failures++;
            nref[a] = 0;
        } else if (op < 90) {
            int64_t amt = rng_range_i64(&rng, 1, 200000);
            if (rng_bounded(&rng, 2)) {
                got = spot_deposit_cash(S, a, amt);
                net_cash += amt;
            } else {
                got = spot_deposit_asset(S, a, amt / 1000 + 1);
                net_asset += amt / 1000 + 1;
            }
        } else {
            bool cash = rng_bounded(&rng, 2) != 0;
            int64_t free_ = cash ? spot_free_cash(S, a) : spot_free_asset(S, a);
            int64_t amt = rng_range_i64(&rng, 1, free_ + free_ / 4 + 1);
            want = amt > free_ ? STATUS_REJECTED : STATUS_OK;
            got = cash ? spot_withdraw_cash(S, a, amt) : spot_withdraw_asset(S, a, amt);
            if (got == STATUS_OK) {
                if (cash) net_cash -= amt;
                else net_asset -= amt;
            }
        }
        if (got != want) {
            fprintf(stderr, "op %d (kind %llu): %s, expected %s\n", i, (unsigned long long)op, status_name(got),
                    status_name(want));
            failures++;
        }
        char why[256] = "";
        if (spot_check(S, why, sizeof why) != STATUS_OK) {
            fprintf(stderr, "op %d: %s\n", i, why);
            failures++;
        }
    }
    CHECK_EQ(failures, 0);
    /* the run exercised what it claims to: many trades and refusals, never a self-trade (STP) */
    CHECK_GT(tape.trades, 1000);
    CHECK_GT(rejected, 100);
    CHECK_EQ(tape.self_trades, 0);
    CHECK_EQ(book_counts(spot_book(S)).volume, tape.volume);
    /* conservation seen from outside the venue */
    Quote cash = 0;
    Lots asset = 0;
    for (AccountId a = 0; a < N; a++) {
        cash += spot_cash(S, a);
        asset += spot_asset(S, a);
    }
    CHECK_EQ(spot_fee_account(S), tape.fees);
    CHECK_EQ(cash + spot_fee_account(S), net_cash);
    CHECK_EQ(asset, net_asset);
    /* cancelling everything frees every hold exactly */
    for (AccountId a = 0; a < N; a++) (void)spot_cancel_all(S, a);
    for (AccountId a = 0; a < N; a++) {
        CHECK_EQ(spot_free_cash(S, a), spot_cash(S, a));
        CHECK_EQ(spot_free_asset(S, a), spot_asset(S, a));
    }
    CHECK_EQ(book_counts(spot_book(S)).resting_orders, 0);
    SCHECK(S);
    spot_destroy(S);
}

void suite_market_spot(void)
{
    static const TestCase cases[] = {
        TEST_CASE(spot_fill_settles_cash_asset_fees),
        TEST_CASE(spot_maker_rebate_settles_exactly),
        TEST_CASE(spot_hold_rejects_oversize_and_leaves_balances),
        TEST_CASE(spot_hold_covers_a_maker_fee_above_taker),
        TEST_CASE(spot_partial_fill_then_cancel_releases_rest),
        TEST_CASE(spot_market_buy_at_band_price_stops_at_band),
        TEST_CASE(spot_market_into_empty_side_rejected),
        TEST_CASE(spot_ioc_remainder_releases_hold),
        TEST_CASE(spot_stp_cancels_resting_order_of_same_account),
        TEST_CASE(spot_cancel_stale_foreign_and_all),
        TEST_CASE(spot_rejects_bad_defs_and_requests),
        TEST_CASE(spot_accounts_grow_past_capacity),
        TEST_CASE(spot_check_detects_corruption),
        TEST_CASE(spot_listener_reentry_asserts),
        TEST_CASE(spot_random_operations_conserve),
    };
    test_add_suite("market_spot", cases, TEST_COUNT(cases));
}
