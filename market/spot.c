/* The spot venue; the rules and identities are in spot.h and docs/spot.md.
 *
 * Structure: the venue owns a Book and an OrderTable. An order's record is created before it reaches the book (the
 * book reports the taker's fills while book_submit runs, so the record must already exist) and goes to the book with
 * tag = its OrderRef; every fill and ending finds its record in O(1). A record is removed exactly when its book
 * order ends: on_fill with remaining 0, on_order_done (IOC remainder, STP), or the venue's own book_cancel (which
 * the book does not report). So the live records are exactly the resting orders, which spot_check verifies.
 *
 * Why a buy holds remaining x hold_per_lot(p) rather than notional + money_fee(notional): fees are charged per fill
 * and each rounds up, so k partial fills can cost up to k - 1 quote units more than one fee on the whole order; a
 * hold sized for the whole could then fall short of the last fills and a balance could go negative. Per lot,
 * ceil(p*f*b) <= f*ceil(p*b) for any fill of f lots, so the share released by a fill covers its cost, and because
 * the hold stays an exact multiple of the remaining lots, the pro-rata release floor(held*f/remaining) has no
 * remainder: holds sum exactly, never leak, and a fill can only raise the buyer's free cash. The cost is at most
 * one quote unit per lot of over-hold. A sell holds exactly its remaining lots. */
#include "spot.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <stdio.h>
#include <string.h>

__extension__ typedef __int128 Wide; /* exact sums in spot_check */

#define SPOT_FEE_MAX_BPS 1000
#define SPOT_BAND_MAX_BPS 10000

static bool valid_account(const SpotVenue *S, AccountId a) { return S && a < S->count; }

static const VenueOrder *peek(const SpotVenue *S, OrderRef ref) { return otab_peek(&S->orders, ref); }

/* Under CASCADE_VALIDATE every mutating call ends here: the venue must satisfy spot_check. */
static Status finish(SpotVenue *S, Status st)
{
#if CASCADE_VALIDATE_ON
    char why[256];
    if (!cascade_validate_due(&S->validate_calls, (unsigned long long)S->count + otab_total(&S->orders) + S->book_window))
        return st;
    if (spot_check(S, why, sizeof why) != STATUS_OK) cascade_assert_fail(why, __FILE__, __LINE__);
#else
    (void)S;
#endif
    return st;
}

/* ---- holds ---- */

/* Cash held per lot of a buy at p: p plus the worst fee on one lot, rounded up (money_fee); false on overflow. */
static bool hold_per_lot(const SpotVenue *S, Ticks p, Quote *out)
{
    return money_add(p, money_fee(p, S->hold_fee_bps), out);
}

/* What an order of qty lots at p must hold: cash for a buy, lots for a sell. */
static Status hold_for(const SpotVenue *S, Side side, Ticks p, Lots qty, Quote *out)
{
    Quote unit = 0, n = 0;
    if (!money_mul(p, qty, &n)) return STATUS_OVERFLOW; /* every order's notional fits, so every fill's does */
    if (side == SIDE_SELL) {
        *out = qty;
        return STATUS_OK;
    }
    if (!hold_per_lot(S, p, &unit) || !money_mul(unit, qty, out)) return STATUS_OVERFLOW;
    return STATUS_OK;
}

static void hold_add(SpotVenue *S, const VenueOrder *o, Quote amount)
{
    SpotAccount *A = &S->acct[o->owner];
    if (o->side == SIDE_BUY) A->cash_held += amount;
    else A->asset_held += amount;
}

/* Removes an ended order's record and releases everything it still held. */
static void end_order(SpotVenue *S, OrderRef ref)
{
    VenueOrder *o = otab_get(&S->orders, ref);
    hold_add(S, o, -o->reserved);
    bool removed = otab_remove(&S->orders, ref);
    CASCADE_ASSERT(removed);
}

/* A fill of qty lots leaving `after`: releases the filled share of the hold (all of it when the order is done) and
 * returns the amount released. */
static Quote release_filled(SpotVenue *S, VenueOrder *o, Lots qty, Lots after)
{
    Lots before = o->remaining;
    CASCADE_ASSERT(qty > 0 && before - qty == after && after >= 0);
    Quote rel = o->reserved;
    if (after > 0) CASCADE_ASSERT(money_mul_div(o->reserved, qty, before, ROUND_FLOOR, &rel));
    o->reserved -= rel;
    o->remaining = after;
    hold_add(S, o, -rel);
    return rel;
}

/* ---- book listener ---- */

static void on_fill(void *ctx, const BookFill *f)
{
    SpotVenue *S = ctx;
    CASCADE_ASSERT(!f->auction); /* the venue never puts its book in auction mode */
    VenueOrder *m = otab_get(&S->orders, f->maker_tag);
    VenueOrder *t = otab_get(&S->orders, f->taker_tag);
    CASCADE_ASSERT(m->owner == f->maker_owner && t->owner == f->taker_owner && t->side == f->aggressor);

    Quote n = money_notional(f->price_tk, f->qty);
    Quote maker_fee = money_fee(n, S->maker_fee_bps);
    Quote taker_fee = money_fee(n, S->taker_fee_bps);
    Quote rel_m = release_filled(S, m, f->qty, f->maker_remaining);
    Quote rel_t = release_filled(S, t, f->qty, f->taker_remaining);

    bool taker_buys = f->aggressor == SIDE_BUY;
    SpotAccount *B = &S->acct[taker_buys ? t->owner : m->owner];
    SpotAccount *L = &S->acct[taker_buys ? m->owner : t->owner];
    Quote buyer_fee = taker_buys ? taker_fee : maker_fee;
    Quote seller_fee = taker_buys ? maker_fee : taker_fee;
    /* The buyer's released share covers what this fill costs it (see the top of the file). */
    CASCADE_ASSERT((taker_buys ? rel_t : rel_m) >= n + buyer_fee);
    B->cash -= n + buyer_fee;
    B->asset += f->qty;
    L->asset -= f->qty;
    L->cash += n - seller_fee; /* fee <= 10 % of notional: never negative */
    S->fee_account += maker_fee + taker_fee;
    CASCADE_ASSERT(B->cash >= B->cash_held && L->asset >= L->asset_held);

    SpotTrade tr = {
        .price_tk = f->price_tk, .qty = f->qty, .aggressor = f->aggressor,
        .maker = m->owner, .taker = t->owner, .maker_tag = m->user_tag, .taker_tag = t->user_tag,
        .maker_ref = f->maker_tag, .taker_ref = f->taker_tag,
        .maker_remaining = f->maker_remaining, .taker_remaining = f->taker_remaining,
        .maker_fee = maker_fee, .taker_fee = taker_fee,
    };
    /* A completely filled order is not reported again (book.h reporting rule): its record ends here. */
    if (f->maker_remaining == 0) end_order(S, f->maker_tag);
    if (f->taker_remaining == 0) end_order(S, f->taker_tag);
    if (S->listener.on_trade) S->listener.on_trade(S->listener.ctx, &tr);
}

static void on_order_done(void *ctx, OrderId id, uint32_t owner, uint64_t tag, BookDoneReason reason,
                          Lots remaining)
{
    (void)id;
    (void)reason; /* IOC remainder (also a market order's, turned into an IOC) or self-trade prevention */
    SpotVenue *S = ctx;
    const VenueOrder *o = otab_get(&S->orders, tag);
    CASCADE_ASSERT(o->owner == owner && o->remaining == remaining);
    uint64_t user_tag = o->user_tag;
    end_order(S, tag);
    if (S->listener.on_order_done) S->listener.on_order_done(S->listener.ctx, owner, tag, user_tag, remaining);
}

/* ---- lifecycle ---- */

SpotDef spot_default_def(void)
{
    SpotDef d;
    memset(&d, 0, sizeof d);
    d.book = book_default_def();
    d.maker_fee_bps = 2;
    d.taker_fee_bps = 5;
    d.market_band_bps = 500;
    d.account_capacity = 64;
    return d;
}

static Status grow_accounts(SpotVenue *S, uint32_t need)
{
    Status st = otab_reserve_accounts(&S->orders, need);
    if (st != STATUS_OK || need <= S->cap) return st;
    uint32_t n = S->cap ? S->cap : 16u;
    while (n < need) {
        if (n > UINT32_MAX / 2u) return STATUS_FULL;
        n *= 2u;
    }
    SpotAccount *p = mem_realloc(S->acct, (size_t)n * sizeof *p);
    if (!p) return STATUS_NOMEM;
    S->acct = p;
    S->cap = n;
    return STATUS_OK;
}

Status spot_create(const SpotDef *def, SpotVenue **out)
{
    if (!out) return STATUS_INVALID;
    *out = NULL;
    if (!def) return STATUS_INVALID;
    int32_t mk = def->maker_fee_bps, tk = def->taker_fee_bps;
    if (tk < 0 || tk > SPOT_FEE_MAX_BPS || mk < -tk || mk > SPOT_FEE_MAX_BPS) return STATUS_INVALID;
    if (def->market_band_bps < 1 || def->market_band_bps > SPOT_BAND_MAX_BPS) return STATUS_INVALID;

    SpotVenue *S = mem_calloc(1, sizeof *S);
    if (!S) return STATUS_NOMEM;
    S->maker_fee_bps = mk;
    S->taker_fee_bps = tk;
    S->hold_fee_bps = mk > tk ? mk : tk; /* tk >= 0 */
    S->band_bps = def->market_band_bps;
    S->book_window = def->book.window_ticks;
    BookDef bd = def->book;
    memset(&bd.listener, 0, sizeof bd.listener);
    bd.listener.ctx = S;
    bd.listener.on_fill = on_fill;
    bd.listener.on_order_done = on_order_done;
    Status st = book_create(&bd, &S->book);
    if (st != STATUS_OK) goto fail;
    st = otab_init(&S->orders, def->account_capacity, bd.order_capacity);
    if (st != STATUS_OK) goto fail;
    st = grow_accounts(S, def->account_capacity);
    if (st != STATUS_OK) goto fail;
    *out = S;
    return finish(S, STATUS_OK);
fail:
    spot_destroy(S);
    return st;
}

void spot_destroy(SpotVenue *S)
{
    if (!S) return;
    book_destroy(S->book);
    otab_fini(&S->orders);
    mem_free(S->acct);
    mem_free(S);
}

void spot_set_listener(SpotVenue *S, const SpotListener *listener)
{
    CASCADE_ASSERT(S && !S->busy);
    memset(&S->listener, 0, sizeof S->listener);
    if (listener) S->listener = *listener;
}

/* ---- accounts ---- */

Status spot_add_account(SpotVenue *S, AccountId *out)
{
    if (!S || !out) return STATUS_INVALID;
    CASCADE_ASSERT(!S->busy);
    if (S->count == ACCOUNT_NONE) return STATUS_FULL;
    Status st = grow_accounts(S, S->count + 1u);
    if (st != STATUS_OK) return st;
    memset(&S->acct[S->count], 0, sizeof S->acct[S->count]);
    *out = S->count++;
    return finish(S, STATUS_OK);
}

uint32_t spot_account_count(const SpotVenue *S) { return S->count; }

/* Deposits: both the balance and the venue's running total must fit (the total bounds every balance). */
static Status deposit(SpotVenue *S, AccountId a, int64_t amount, bool cash)
{
    if (!valid_account(S, a) || amount <= 0) return STATUS_INVALID;
    CASCADE_ASSERT(!S->busy);
    int64_t *bal = cash ? &S->acct[a].cash : &S->acct[a].asset;
    int64_t *total = cash ? &S->cash_deposits : &S->asset_deposits;
    int64_t b = 0, t = 0;
    if (!money_add(*bal, amount, &b) || !money_add(*total, amount, &t)) return STATUS_OVERFLOW;
    *bal = b;
    *total = t;
    return finish(S, STATUS_OK);
}

static Status withdraw(SpotVenue *S, AccountId a, int64_t amount, bool cash)
{
    if (!valid_account(S, a) || amount <= 0) return STATUS_INVALID;
    CASCADE_ASSERT(!S->busy);
    SpotAccount *A = &S->acct[a];
    int64_t free_ = cash ? A->cash - A->cash_held : A->asset - A->asset_held;
    if (amount > free_) return STATUS_REJECTED;
    if (cash) {
        A->cash -= amount;
        S->cash_withdrawals += amount;
    } else {
        A->asset -= amount;
        S->asset_withdrawals += amount;
    }
    return finish(S, STATUS_OK);
}

Status spot_deposit_cash(SpotVenue *S, AccountId a, Quote amount) { return deposit(S, a, amount, true); }
Status spot_deposit_asset(SpotVenue *S, AccountId a, Lots amount) { return deposit(S, a, amount, false); }
Status spot_withdraw_cash(SpotVenue *S, AccountId a, Quote amount) { return withdraw(S, a, amount, true); }
Status spot_withdraw_asset(SpotVenue *S, AccountId a, Lots amount) { return withdraw(S, a, amount, false); }

Quote spot_cash(const SpotVenue *S, AccountId a)
{
    CASCADE_ASSERT(valid_account(S, a));
    return S->acct[a].cash;
}

Lots spot_asset(const SpotVenue *S, AccountId a)
{
    CASCADE_ASSERT(valid_account(S, a));
    return S->acct[a].asset;
}

Quote spot_free_cash(const SpotVenue *S, AccountId a)
{
    CASCADE_ASSERT(valid_account(S, a));
    return S->acct[a].cash - S->acct[a].cash_held;
}

Lots spot_free_asset(const SpotVenue *S, AccountId a)
{
    CASCADE_ASSERT(valid_account(S, a));
    return S->acct[a].asset - S->acct[a].asset_held;
}

Quote spot_fee_account(const SpotVenue *S) { return S->fee_account; }

/* ---- orders ---- */

Ticks spot_protection_price(const SpotVenue *S, Side side)
{
    Ticks best = side == SIDE_BUY ? book_best_ask(S->book) : book_best_bid(S->book);
    if (best == 0) return 0;
    Ticks p = 0;
    /* best <= 2^40 and the factor <= 20000: the quotient fits */
    if (side == SIDE_BUY) {
        CASCADE_ASSERT(money_mul_div(best, 10000 + S->band_bps, 10000, ROUND_CEIL, &p));
        return p;
    }
    CASCADE_ASSERT(money_mul_div(best, 10000 - S->band_bps, 10000, ROUND_FLOOR, &p));
    return p < 1 ? 1 : p;
}

Quote spot_hold_per_lot(const SpotVenue *S, Ticks price_tk)
{
    CASCADE_ASSERT(price_tk > 0);
    Quote u = 0;
    CASCADE_ASSERT(hold_per_lot(S, price_tk, &u));
    return u;
}

Status spot_submit(SpotVenue *S, AccountId a, const VenueReq *req, VenueResult *out)
{
    VenueResult res = {ORDER_REF_NONE, 0, 0, 0};
    if (out) *out = res;
    if (!S || !req || !valid_account(S, a)) return STATUS_INVALID;
    CASCADE_ASSERT(!S->busy);
    if ((unsigned)req->side > 1u || req->flags != 0 || req->qty <= 0) return STATUS_INVALID;
    Side side = req->side;
    OrderType type = req->type;
    Ticks price = req->price_tk;
    switch (type) {
    case ORDER_LIMIT:
    case ORDER_IOC:
    case ORDER_POST_ONLY:
        if (price <= 0) return STATUS_INVALID;
        break;
    case ORDER_MARKET:
        /* An IOC at the protection price: the hold is then bounded like any priced order's. */
        price = spot_protection_price(S, side);
        if (price == 0) return STATUS_REJECTED;
        type = ORDER_IOC;
        break;
    default:
        return STATUS_INVALID; /* stops are a perpetual-venue feature */
    }

    Quote need = 0;
    Status st = hold_for(S, side, price, req->qty, &need);
    if (st != STATUS_OK) return st;
    const SpotAccount *A = &S->acct[a];
    if (need > (side == SIDE_BUY ? A->cash - A->cash_held : A->asset - A->asset_held)) return STATUS_REJECTED;

    OrderRef ref = ORDER_REF_NONE;
    VenueOrder *o = NULL;
    st = otab_add(&S->orders, a, &ref, &o);
    if (st != STATUS_OK) return st;
    o->book_id = ORDER_ID_NONE;
    o->user_tag = req->tag;
    o->side = side;
    o->kind = (uint8_t)ORDER_KIND_USER;
    o->price_tk = price;
    o->remaining = req->qty;
    o->reserved = need;
    hold_add(S, o, need);

    OrderReq br = {0};
    br.type = type;
    br.side = side;
    br.price_tk = price;
    br.qty = req->qty;
    br.owner = a;
    br.tag = ref;
    br.stp = STP_DEFAULT;
    BookResult bres;
    S->busy = true;
    st = book_submit(S->book, &br, &bres);
    S->busy = false;
    if (st != STATUS_OK) {
        /* The book refuses before anything executes (post-only crossing, range, NOMEM): undo the hold. */
        const VenueOrder *still = peek(S, ref);
        CASCADE_ASSERT(still && still->remaining == req->qty);
        end_order(S, ref);
        return finish(S, st);
    }
    VenueOrder *live = otab_try_get(&S->orders, ref);
    if (live) {
        CASCADE_ASSERT(bres.resting > 0 && bres.resting == live->remaining);
        live->book_id = bres.id;
    } else {
        CASCADE_ASSERT(bres.resting == 0);
    }
    res.ref = live ? ref : ORDER_REF_NONE;
    res.accepted = bres.accepted;
    res.filled = bres.filled;
    res.resting = bres.resting;
    if (out) *out = res;
    return finish(S, STATUS_OK);
}

Status spot_cancel(SpotVenue *S, AccountId a, OrderRef ref)
{
    if (!valid_account(S, a)) return STATUS_INVALID;
    CASCADE_ASSERT(!S->busy);
    const VenueOrder *o = peek(S, ref);
    if (!o) return STATUS_STALE;
    if (o->owner != a) return STATUS_INVALID;
    Status st = book_cancel(S->book, o->book_id);
    CASCADE_ASSERT(st == STATUS_OK); /* a live record is a resting order (spot_check) */
    end_order(S, ref); /* the book does not report its caller's own cancels */
    return finish(S, STATUS_OK);
}

uint32_t spot_cancel_all(SpotVenue *S, AccountId a)
{
    if (!valid_account(S, a)) return 0;
    CASCADE_ASSERT(!S->busy);
    uint32_t n = 0;
    OrderRef r = otab_first(&S->orders, a);
    while (r != ORDER_REF_NONE) {
        OrderRef next = otab_next(&S->orders, r);
        Status st = book_cancel(S->book, otab_get(&S->orders, r)->book_id);
        CASCADE_ASSERT(st == STATUS_OK);
        end_order(S, r);
        n++;
        r = next;
    }
    (void)finish(S, STATUS_OK);
    return n;
}

uint32_t spot_order_count(const SpotVenue *S, AccountId a)
{
    return valid_account(S, a) ? otab_count(&S->orders, a) : 0;
}

bool spot_order(const SpotVenue *S, OrderRef ref, VenueOrder *out)
{
    const VenueOrder *o = peek(S, ref);
    if (o && out) *out = *o;
    return o != NULL;
}

const Book *spot_book(const SpotVenue *S) { return S->book; }

/* ---- check ---- */

static Status bad(char *why, size_t cap, const char *msg, long long a, long long x, long long y)
{
    if (why && cap) snprintf(why, cap, "spot: %s (account %lld: %lld vs %lld)", msg, a, x, y);
    return STATUS_INVALID;
}

/* One live record against the book and the hold rule; adds its hold to *held_cash / *held_asset. */
static Status check_order(const SpotVenue *S, AccountId a, OrderRef r, Wide *held_cash, Wide *held_asset,
                          char *why, size_t cap)
{
    const VenueOrder *o = peek(S, r);
    if (!o) return bad(why, cap, "listed order not live", a, (long long)r, 0);
    if (o->kind != ORDER_KIND_USER || o->reduce_only || (unsigned)o->side > 1u)
        return bad(why, cap, "order kind, flags or side", a, o->kind, o->side);
    if (o->remaining <= 0 || o->price_tk <= 0) return bad(why, cap, "order remaining or price", a, o->remaining, o->price_tk);
    Quote want = 0;
    if (hold_for(S, o->side, o->price_tk, o->remaining, &want) != STATUS_OK || o->reserved != want)
        return bad(why, cap, "order hold != remaining x per-lot hold", a, o->reserved, want);
    if (o->side == SIDE_BUY) *held_cash += o->reserved;
    else *held_asset += o->reserved;
    BookOrderInfo bi;
    Status st = book_order_info(S->book, o->book_id, &bi);
    if (st != STATUS_OK) return bad(why, cap, "live order missing from the book", a, (long long)o->book_id, st);
    if (bi.is_stop || bi.owner != a || bi.tag != r || bi.side != o->side || bi.price_tk != o->price_tk)
        return bad(why, cap, "book order differs from the record", a, bi.price_tk, o->price_tk);
    if (bi.remaining != o->remaining) return bad(why, cap, "book remaining != record", a, bi.remaining, o->remaining);
    return STATUS_OK;
}

Status spot_check(const SpotVenue *S, char *why, size_t why_cap)
{
    if (!S || !S->book) return bad(why, why_cap, "no venue", -1, 0, 0);
    if (S->count > S->cap || S->count > S->orders.acct_cap) return bad(why, why_cap, "account capacity", -1, S->count, S->cap);
    if (S->hold_fee_bps < 0 || S->hold_fee_bps < S->maker_fee_bps || S->hold_fee_bps < S->taker_fee_bps)
        return bad(why, why_cap, "hold fee below a fee", -1, S->hold_fee_bps, S->taker_fee_bps);
    char sub[200];
    if (otab_validate(&S->orders, sub, sizeof sub) != STATUS_OK) {
        if (why && why_cap) snprintf(why, why_cap, "spot: %s", sub);
        return STATUS_INVALID;
    }
    Wide cash = 0, asset = 0;
    uint32_t records = 0;
    for (AccountId a = 0; a < S->count; a++) {
        const SpotAccount *A = &S->acct[a];
        if (A->cash < 0 || A->asset < 0) return bad(why, why_cap, "negative balance", a, A->cash, A->asset);
        if (A->cash_held < 0 || A->cash_held > A->cash) return bad(why, why_cap, "cash held outside 0..cash", a, A->cash_held, A->cash);
        if (A->asset_held < 0 || A->asset_held > A->asset)
            return bad(why, why_cap, "asset held outside 0..asset", a, A->asset_held, A->asset);
        Wide hc = 0, ha = 0;
        for (OrderRef r = otab_first(&S->orders, a); r != ORDER_REF_NONE; r = otab_next(&S->orders, r)) {
            Status st = check_order(S, a, r, &hc, &ha, why, why_cap);
            if (st != STATUS_OK) return st;
            records++;
        }
        if (hc != A->cash_held) return bad(why, why_cap, "cash held != sum over live buys", a, A->cash_held, (long long)hc);
        if (ha != A->asset_held) return bad(why, why_cap, "asset held != sum over live sells", a, A->asset_held, (long long)ha);
        cash += A->cash;
        asset += A->asset;
    }
    BookCounts bc = book_counts(S->book);
    if (records != otab_total(&S->orders) || bc.resting_orders != records || bc.stop_orders != 0)
        return bad(why, why_cap, "live records vs resting book orders", -1, records, bc.resting_orders);
    if (S->fee_account < 0) return bad(why, why_cap, "negative fee account", -1, S->fee_account, 0);
    Wide want_cash = (Wide)S->cash_deposits - S->cash_withdrawals;
    if (cash + S->fee_account != want_cash)
        return bad(why, why_cap, "cash conservation", -1, (long long)(cash + S->fee_account - want_cash), 0);
    Wide want_asset = (Wide)S->asset_deposits - S->asset_withdrawals;
    if (asset != want_asset) return bad(why, why_cap, "asset conservation", -1, (long long)(asset - want_asset), 0);
    if (book_validate(S->book, sub, sizeof sub) != STATUS_OK) {
        if (why && why_cap) snprintf(why, why_cap, "spot: %s", sub);
        return STATUS_INVALID;
    }
    return STATUS_OK;
}
