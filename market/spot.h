/* A spot venue: one limit order book plus per-account cash (Quote) and asset (Lots) balances, exact integer
 * accounting (MODEL.md 3.1, 3.2). Its book's mid or last price feeds the index of perpetual venues
 * (index_source_price(spot_book(S), ...)). Design notes, rounding and identities: docs/spot.md.
 *
 * Accounts are dense AccountIds (0, 1, 2, ...) local to the venue. Every order is checked against the account's
 * free balance and holds what it could cost at worst, so that no balance can ever go negative:
 *   buy   remaining x hold_per_lot(price),   hold_per_lot(p) = p + money_fee(p, max(maker, taker, 0) bps)
 *   sell  remaining lots of the asset
 * where price is the limit price, or for a MARKET order the protection price (the venue turns a market order into
 * an IOC at best ask x (1 + band), rounded up, or best bid x (1 - band), rounded down, at least 1). Each fill
 * releases the filled share of the hold (all that is left when the order ends), then settles:
 *   buyer  cash -= notional + buyer fee,  asset += qty;    seller  asset -= qty,  cash += notional - seller fee;
 * fees = money_fee(notional, bps): maker bps for the resting order, taker bps for the aggressor; a negative fee is
 * a rebate paid from the venue's fee account. Self-trade prevention is the book's (default: cancel resting).
 *
 * Conservation (spot_check, exact): sum(cash) + fee_account == cash deposits - cash withdrawals, and
 * sum(asset) == asset deposits - asset withdrawals; every hold equals the sum over the account's live orders.
 *
 * Errors: bad arguments STATUS_INVALID; not enough free balance, a post-only that would cross, a market order
 * into an empty side STATUS_REJECTED; products beyond int64 STATUS_OVERFLOW; STATUS_NOMEM. A refused call changes
 * nothing. Nothing prints. Listeners run inside the call that caused them and must not call back into the venue. */
#ifndef CASCADE_SPOT_H
#define CASCADE_SPOT_H

#include "book.h"
#include "liqindex.h"
#include "money.h"
#include "order_table.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SpotVenue SpotVenue;

typedef struct SpotDef {
    BookDef book;              /* the venue's book; its listener is ignored (the venue installs its own) */
    int32_t maker_fee_bps;     /* resting side; negative = rebate, >= -taker_fee_bps, <= 1000 */
    int32_t taker_fee_bps;     /* aggressor; 0..1000 */
    int32_t market_band_bps;   /* market-order protection band, 1..10000 */
    uint32_t account_capacity; /* initial account capacity (grows by doubling) */
} SpotDef;

/* One execution, as the venue settled it. */
typedef struct SpotTrade {
    Ticks price_tk;            /* the maker's price */
    Lots qty;
    Side aggressor;            /* the taker's side */
    AccountId maker, taker;
    uint64_t maker_tag, taker_tag;   /* the accounts' own tags (VenueReq.tag) */
    OrderRef maker_ref, taker_ref;   /* the venue's references (the taker's is the one spot_submit is returning) */
    Lots maker_remaining, taker_remaining; /* after this fill; 0 = that order ended */
    Quote maker_fee, taker_fee;      /* to the fee account; negative = rebate */
} SpotTrade;

typedef struct SpotListener {
    void *ctx;
    void (*on_trade)(void *ctx, const SpotTrade *t);  /* every execution, in order; may be NULL */
    /* An order ended without a fill completing it and without the owner's own cancel (an IOC or market remainder,
     * self-trade prevention); its hold has been released. May be NULL. */
    void (*on_order_done)(void *ctx, AccountId owner, OrderRef ref, uint64_t tag, Lots remaining);
} SpotListener;

/* Balances of one account; held amounts are what its live orders reserve (0 <= held <= balance). */
typedef struct SpotAccount {
    Quote cash;
    Quote cash_held;
    Lots asset;
    Lots asset_held;
} SpotAccount;

/* The venue's state. Public so that tests can inspect (and deliberately corrupt) it, as Ledger's; everything else
 * reads it through the functions below and never writes it. */
struct SpotVenue {
    Book *book;                /* owned; every order's tag is its OrderRef */
    OrderTable orders;         /* live orders (VenueOrder.reserved = cash held for a buy, lots for a sell) */
    SpotAccount *acct;         /* [cap], accounts < count in use */
    uint32_t count, cap;
    int32_t maker_fee_bps, taker_fee_bps;
    int32_t hold_fee_bps;      /* max(maker, taker, 0): the worst fee a buy can pay, used for its hold */
    int32_t band_bps;
    Quote fee_account;         /* fees collected minus rebates paid (never negative: |maker| <= taker) */
    Quote cash_deposits, cash_withdrawals;   /* running totals (withdrawals <= deposits) */
    Lots asset_deposits, asset_withdrawals;
    SpotListener listener;
    bool busy;                 /* inside book_submit: listeners must not re-enter */
    uint32_t book_window;      /* the book's dense window: book_validate costs O(window + orders) */
    unsigned long long validate_calls; /* CASCADE_VALIDATE: calls since creation (cascade_validate_due) */
};

/* ---- lifecycle ---- */

/* book_default_def(), maker 2 bps, taker 5 bps, market band 500 bps, 64 accounts. */
SpotDef spot_default_def(void);
/* A new venue with no accounts; STATUS_INVALID for a bad def (fees, band, or a book def book_create refuses). */
Status spot_create(const SpotDef *def, SpotVenue **out);
/* Frees everything; NULL is allowed. */
void spot_destroy(SpotVenue *S);
/* Replaces the outward trade listener (NULL: none). */
void spot_set_listener(SpotVenue *S, const SpotListener *listener);

/* ---- accounts ---- */

/* A new account with zero balances; *out gets its id (the previous count). */
Status spot_add_account(SpotVenue *S, AccountId *out);
uint32_t spot_account_count(const SpotVenue *S);
/* Adds amount > 0 to the account's cash / asset; STATUS_OVERFLOW if the venue's totals would not fit. */
Status spot_deposit_cash(SpotVenue *S, AccountId a, Quote amount);
Status spot_deposit_asset(SpotVenue *S, AccountId a, Lots amount);
/* Removes 0 < amount <= free balance; STATUS_REJECTED when more than the free balance. */
Status spot_withdraw_cash(SpotVenue *S, AccountId a, Quote amount);
Status spot_withdraw_asset(SpotVenue *S, AccountId a, Lots amount);
/* Balances (the account must exist, asserted): total, and free = total - held by live orders. */
Quote spot_cash(const SpotVenue *S, AccountId a);
Lots spot_asset(const SpotVenue *S, AccountId a);
Quote spot_free_cash(const SpotVenue *S, AccountId a);
Lots spot_free_asset(const SpotVenue *S, AccountId a);
/* The venue's fee account: fees collected minus rebates paid. */
Quote spot_fee_account(const SpotVenue *S);

/* ---- orders ---- */

/* Submits LIMIT, IOC, POST_ONLY or MARKET for account a (STOP_MARKET and flags: STATUS_INVALID). Holds what the
 * order needs or refuses with STATUS_REJECTED; fills settle (and reach the listener) before it returns.
 * out->ref is the order's reference while it rests, ORDER_REF_NONE otherwise. `out` may be NULL. */
Status spot_submit(SpotVenue *S, AccountId a, const VenueReq *req, VenueResult *out);
/* Cancels a resting order of account a and releases its hold. STATUS_STALE once the order has ended (or for a
 * reference never issued), STATUS_INVALID if it belongs to another account. */
Status spot_cancel(SpotVenue *S, AccountId a, OrderRef ref);
/* Cancels every resting order of account a (oldest first); returns how many (0 for an unknown account). */
uint32_t spot_cancel_all(SpotVenue *S, AccountId a);
/* Resting orders of account a (0 for an unknown account). */
uint32_t spot_order_count(const SpotVenue *S, AccountId a);
/* Copies the record of a live order into *out (may be NULL); false once it has ended. */
bool spot_order(const SpotVenue *S, OrderRef ref, VenueOrder *out);
/* Cash a buy holds per lot at price_tk (> 0): price + the worst fee on one lot, rounded up. */
Quote spot_hold_per_lot(const SpotVenue *S, Ticks price_tk);
/* The limit a MARKET order on `side` would get now (the protection price); 0 when the opposite side is empty. */
Ticks spot_protection_price(const SpotVenue *S, Side side);

/* ---- queries and checks ---- */

/* The venue's book, for prices and depth (index_source_price, book_best_bid, book_top, ...). */
const Book *spot_book(const SpotVenue *S);
/* Every identity above, each live order against the book, otab_validate and book_validate
 * (O(accounts + orders + book window)). STATUS_OK, or STATUS_INVALID with a reason in `why` (may be NULL).
 * Built with CASCADE_VALIDATE, every mutating function runs it before returning and asserts it holds. */
Status spot_check(const SpotVenue *S, char *why, size_t why_cap);

#endif
