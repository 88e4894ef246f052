/* Accounting of one perpetual venue (one contract): wallets, positions, isolated margin, fees, insurance fund,
 * bad debt, funding, and the liquidation-price index (MODEL.md 3.3-3.5; LITERATURE.md C1, C2, C4, C6).
 * Design notes and the identities it keeps: docs/ledger.md.
 *
 * Accounts are dense indices (AccountId 0, 1, ...) into an array of one-cache-line records (LedgerAccount). The
 * arrays grow by doubling in ledger_add_account; nothing else allocates (fills, funding, margin moves never do).
 *
 * Position: signed qty (long > 0) and entry_cost = exact sum of price x qty over the open lots (>= 0), so the
 * average entry price is entry_cost / |qty| and no rounding happens on opening. Reducing removes the share
 * floor(entry_cost x closed / |qty|) (the sub-unit remainder stays with the remaining lots; a full close removes
 * everything), and an isolated position releases floor-toward-zero(margin x closed / |qty|) of its margin.
 *
 * Conservation (ledger_check, exact, between complete trades):
 *   sum_a (cash + isolated_margin - signed_cost) + fee_account + insurance_fund - bad_debt
 *       == deposits - withdrawals + fund_deposits,      signed_cost = +entry_cost (long), -entry_cost (short).
 *
 * Errors: user-level refusals (not enough cash, margin below requirement) are STATUS_REJECTED; bad arguments are
 * STATUS_INVALID; products that do not fit in int64 STATUS_OVERFLOW. Nothing prints. */
#ifndef CASCADE_LEDGER_H
#define CASCADE_LEDGER_H

#include "alloc.h"
#include "book.h"
#include "liqindex.h"
#include "margin.h"
#include "money.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum MarginMode { MARGIN_MODE_ISOLATED = 0, MARGIN_MODE_CROSS = 1 } MarginMode;

/* Where an amount taken for the insurance fund comes from. */
typedef enum LedgerSource { LEDGER_FROM_CASH = 0, LEDGER_FROM_MARGIN = 1 } LedgerSource;


typedef struct LedgerDef {
    MarginTable table;     /* tier table for maintenance margin and liquidation prices */
    uint32_t capacity;     /* initial account capacity (grows by doubling) */
} LedgerDef;

typedef struct LedgerFillResult {
    Lots closed;          /* lots that reduced the existing position */
    Lots opened;          /* lots that opened or increased a position (after a flip: the new side) */
    Quote realized_pnl;   /* to cash: long price*closed - cost share; short cost share - price*closed */
    Quote cost_removed;   /* entry-cost share removed by the closed lots */
    Quote margin_released;/* isolated margin moved back to cash by the closed lots */
    Quote fee;            /* moved from cash to the fee account (negative: rebate) */
    Lots qty_after;       /* signed position after the fill */
} LedgerFillResult;

typedef struct LedgerFundingResult {
    Quote paid;           /* sum of payers' amounts (each rounded up) */
    Quote received;       /* sum of receivers' amounts (each rounded down) */
    Quote to_fee;         /* paid - received, credited to the fee account */
    uint32_t payers, receivers;
} LedgerFundingResult;

typedef struct LedgerDeficitResult {
    Quote deficit;        /* the negative balance found (as a positive amount), 0 if none */
    Quote from_fund;      /* covered by the insurance fund */
    Quote bad_debt;       /* recorded as bad debt */
} LedgerDeficitResult;

typedef struct LedgerAdlItem {
    double rank;
    AccountId id;
} LedgerAdlItem;

/* How many holders ledger_adl_rank_begin puts in order at once: a deleveraging tick rarely draws more (in a literal
 * 10^6-trader crash ~30 of ~17,000 ranked), so the rest wait unsorted until a walk goes past these. */
#define LEDGER_ADL_TOP 64u

/* One account, one 64-byte line (the array starts on a line boundary). A fill, an order check or a free-margin read
 * takes most of these fields of one account together; as parallel arrays they were up to ten cache misses per
 * access once a million accounts no longer fit in cache, as one record they are one. */
typedef struct LedgerAccount {
    Lots qty;               /* signed position, long > 0 */
    Quote entry_cost;
    Quote iso_margin;
    Ticks liq_price;        /* isolated open positions only; 0 otherwise */
    Quote cash;
    Ticks bankrupt_price;   /* isolated open positions only; 0 otherwise */
    int32_t leverage;
    uint32_t cross_slot;    /* index + 1 into cross[], 0 when not listed */
    uint8_t mode;           /* MarginMode */
    uint8_t cross_stale;    /* listed in cross_dirty */
    uint8_t unindexed;      /* never in cross_liq (ledger_set_unindexed) */
} LedgerAccount;

_Static_assert(sizeof(LedgerAccount) == MEM_LINE, "a ledger account is one cache line");

typedef struct Ledger {
    MarginTable table;
    uint32_t count, cap;
    LedgerAccount *acct;    /* cap records, 64-byte aligned inside acct_block */
    void *acct_block;
    /* cross accounts with an open position, unordered (swap-remove) */
    AccountId *cross;
    uint32_t cross_count;
    LiqIndex liq;
    /* Cross accounts with a position by the mark at which their whole wallet (cash) stops covering maintenance:
     * one symbol per venue, so a cross account has a liquidation price like an isolated one, with its cash as the
     * collateral. Kept apart from `liq` (which holds isolated positions only, as ADL ranking relies on). */
    LiqIndex cross_liq;
    /* Cross accounts whose entry in cross_liq is out of date: a cross account's price moves with every fill and fee,
     * often several times between two mark updates (a maker hit by one sweep), and only a mark update reads it, so
     * ledger_cross_liqindex recomputes each listed account once instead. An account's cross_stale flags it as listed. */
    AccountId *cross_dirty;
    uint32_t cross_dirty_count;
    LedgerAdlItem *adl_scratch; /* capacity cap: the holders ranked by ledger_adl_rank_begin (a heap once the walk
                                 * has passed adl_top) */
    LedgerAdlItem adl_top[LEDGER_ADL_TOP]; /* the best adl_top_count of them, in ADL order */
    uint32_t adl_top_count, adl_top_next;  /* ... and how many of those the walk has yielded */
    uint32_t adl_ranked;        /* holders ranked by the last ledger_adl_rank_begin */
    uint32_t adl_left;          /* holders still in the heap (0 until the walk passes adl_top) */
    bool adl_heaped;            /* the holders after adl_top are in the heap */
    /* venue pools and running totals */
    Quote fee_account;
    Quote insurance_fund;
    Quote fund_min;         /* lowest insurance fund balance seen after a change; QUOTE_MAX before */
    Quote bad_debt;
    Quote deposits, withdrawals, fund_deposits;
    Lots oi_long, oi_short; /* open interest: total long lots, total short lots */
} Ledger;

/* A hint that account a will be read soon: starts loading its record (no effect on any value). */
static inline void ledger_prefetch(const Ledger *L, AccountId a)
{
    if (a < L->count) __builtin_prefetch(&L->acct[a]);
}

/* Binance BTCUSDT tier table in BTCUSDT test units (1 quote = 0.0001 USDT), capacity 64. */
LedgerDef ledger_default_def(void);
/* Empty ledger; STATUS_INVALID if the table fails margin_table_validate, STATUS_NOMEM on allocation failure. */
Status ledger_init(Ledger *L, const LedgerDef *def);
/* Releases every array. */
void ledger_fini(Ledger *L);

/* New account with zero cash and no position; leverage in [1, max leverage of the first tier]. */
Status ledger_add_account(Ledger *L, MarginMode mode, int32_t leverage, AccountId *out);
/* Replaces the tier table (dynamic maintenance margin) and recomputes every isolated liquidation and bankruptcy
 * price and the index: O(n log n). STATUS_INVALID (nothing changed) if the table fails margin_table_validate. */
Status ledger_set_table(Ledger *L, const MarginTable *table);
/* Changes the leverage used for initial margin (existing margin is not moved). */
Status ledger_set_leverage(Ledger *L, AccountId a, int32_t leverage);
uint32_t ledger_account_count(const Ledger *L);

/* Adds amount > 0 to cash. */
Status ledger_deposit(Ledger *L, AccountId a, Quote amount);
/* Removes 0 < amount <= ledger_available(a, mark) from cash; STATUS_REJECTED otherwise. */
Status ledger_withdraw(Ledger *L, AccountId a, Quote amount, Ticks mark);

/* Isolated: moves amount >= 0 from cash to the position's isolated margin (the venue on opening/increasing). */
Status ledger_assign_margin(Ledger *L, AccountId a, Quote amount);
/* Isolated: the user's top-up of an open position; same movement as assign. */
Status ledger_add_margin(Ledger *L, AccountId a, Quote amount);
/* Isolated: moves amount > 0 from isolated margin back to cash, only if afterwards
 * margin + min(0, upnl(mark)) >= initial margin of |qty| x mark at the account's leverage; else STATUS_REJECTED. */
Status ledger_remove_margin(Ledger *L, AccountId a, Quote amount, Ticks mark);

/* One execution for account a: side SIDE_BUY adds qty lots, SIDE_SELL removes them; price > 0, qty > 0.
 * Reduce first (realized PnL and released margin to cash), then open the rest; fee from cash to the fee account.
 * out may be NULL. */
Status ledger_apply_fill(Ledger *L, AccountId a, Side side, Ticks price, Lots qty, Quote fee, LedgerFillResult *out);
/* Moves 0 < qty <= |position of from| lots of from's position to `to` at price: from trades against the position
 * direction, to in it; exactly two fills without fees (ADL at the bankruptcy price, backstop takeovers).
 * Either result pointer may be NULL. */
Status ledger_transfer_position(Ledger *L, AccountId from, AccountId to, Lots qty, Ticks price,
                                LedgerFillResult *out_from, LedgerFillResult *out_to);

/* Funding for every open position: payment = ceil/floor(|qty| x mark x |rate_e8| / 1e8); rate > 0: longs pay,
 * shorts receive (rate < 0: the reverse). Payers round up, receivers down, the difference to the fee account.
 * Isolated positions pay/receive through isolated margin (their liquidation price moves), cross through cash. */
Status ledger_apply_funding(Ledger *L, int64_t rate_e8, Ticks mark, LedgerFundingResult *out);

/* Insurance fund: outside money paid in (counted in fund_deposits). */
Status ledger_fund_deposit(Ledger *L, Quote amount);
/* Moves 0 <= amount <= source balance from the account's cash or isolated margin to the insurance fund. */
Status ledger_to_fund(Ledger *L, AccountId a, LedgerSource from, Quote amount);
/* Pays 0 <= amount <= fund balance from the insurance fund to the account's cash. */
Status ledger_fund_pay(Ledger *L, AccountId a, Quote amount);
/* For an account without a position whose cash (plus leftover isolated margin) is negative: covers the deficit
 * from the fund as far as it goes (use_fund) and records the rest as bad debt; the account ends at 0.
 * No-op (zero result) when the balance is >= 0. STATUS_REJECTED when the account still holds a position. */
Status ledger_cover_deficit(Ledger *L, AccountId a, bool use_fund, LedgerDeficitResult *out);

/* Per-account reads. */
Lots ledger_qty(const Ledger *L, AccountId a);
Quote ledger_entry_cost(const Ledger *L, AccountId a);
Quote ledger_cash(const Ledger *L, AccountId a);
Quote ledger_isolated_margin(const Ledger *L, AccountId a);
MarginMode ledger_mode(const Ledger *L, AccountId a);
int32_t ledger_leverage(const Ledger *L, AccountId a);
/* Isolated open position's liquidation price (MARGIN_NO_LIQ_* when none); 0 for cross or flat. */
Ticks ledger_liq_price(const Ledger *L, AccountId a);
/* Isolated open position's bankruptcy price; 0 for cross or flat. */
Ticks ledger_bankruptcy_price(const Ledger *L, AccountId a);

/* Margin queries at price mark. */
Quote ledger_unrealized_pnl(const Ledger *L, AccountId a, Ticks mark);
/* Cross: cash + upnl; isolated: isolated margin + upnl. */
Quote ledger_margin_balance(const Ledger *L, AccountId a, Ticks mark);
/* margin_maintenance of |qty| x mark under the ledger's table (0 when flat). */
Quote ledger_maintenance(const Ledger *L, AccountId a, Ticks mark);
/* Position open and margin balance <= maintenance. */
bool ledger_is_liquidatable(const Ledger *L, AccountId a, Ticks mark);
/* Cross: cash + min(0, upnl) - initial margin of |qty| x mark; isolated: cash. */
Quote ledger_available(const Ledger *L, AccountId a, Ticks mark);
/* |qty| x mark / margin balance (BitMEX); 0 when flat, 1e18 when the margin balance is <= 0. */
double ledger_effective_leverage(const Ledger *L, AccountId a, Ticks mark);
/* upnl / entry_cost (BitMEX PnL%, as a fraction); 0 when flat. */
double ledger_pnl_pct(const Ledger *L, AccountId a, Ticks mark);
/* BitMEX ADL rank (LITERATURE.md C6): pnl% x eff. leverage if pnl% > 0, pnl% / eff. leverage otherwise. */
double ledger_adl_rank(const Ledger *L, AccountId a, Ticks mark);
/* Accounts holding positions on `holders` (SIDE_BUY = longs, SIDE_SELL = shorts), highest ADL rank first, ties by
 * smaller id; writes min(cap, total) ids, returns that number; *total (may be NULL) receives all holders. */
uint32_t ledger_adl_queue(Ledger *L, Side holders, Ticks mark, AccountId *out, uint32_t cap, uint32_t *total);
/* The same order one holder at a time, for callers that need only its head: ranks every holder on that side and
 * keeps the best LEDGER_ADL_TOP in order (O(h), h = holders; flat accounts cost nothing), returns h.
 * ledger_adl_rank_next then yields the next holder in ADL order: O(1) for the first LEDGER_ADL_TOP, then the rest
 * are heapified once (O(h)) and each costs O(log h); false when none is left. The walk is valid until the next
 * ledger_adl_* call; positions changed meanwhile keep their rank from ledger_adl_rank_begin (a snapshot, as
 * ledger_adl_queue). */
uint32_t ledger_adl_rank_begin(Ledger *L, Side holders, Ticks mark);
bool ledger_adl_rank_next(Ledger *L, AccountId *out);

/* Cross accounts with open positions (unordered); *count receives their number. Valid until the next mutation. */
const AccountId *ledger_cross_accounts(const Ledger *L, uint32_t *count);
/* The liquidation-price index of the isolated open positions (for the liquidation engine's collect/peek). */
LiqIndex *ledger_liqindex(Ledger *L);
/* The cross accounts' index (see Ledger.cross_liq): a mark update finds the cross accounts it makes liquidatable
 * without visiting the others. This call first brings the entries of the accounts changed since the last call up
 * to date, so they are exact (crossed if and only if ledger_is_liquidatable at that mark) until the next mutation:
 * call it again rather than keep the pointer. */
LiqIndex *ledger_cross_liqindex(Ledger *L);
/* Keeps cross account a out of the cross index for good: for a venue's internal accounts, which it never
 * liquidates (an engine account holds a position taken over already, and is crossed while it waits). Call it while
 * the account is flat. */
void ledger_set_unindexed(Ledger *L, AccountId a);

/* Venue totals. */
Quote ledger_fee_account(const Ledger *L);
Quote ledger_insurance_fund(const Ledger *L);
/* Lowest insurance fund balance seen (the current balance if it never changed). */
Quote ledger_fund_min(const Ledger *L);
Quote ledger_bad_debt(const Ledger *L);
Lots ledger_oi_long(const Ledger *L);
Lots ledger_oi_short(const Ledger *L);

/* Conservation identity, open-interest balance, stored liquidation/bankruptcy prices against a fresh computation,
 * and that the index and the cross list hold exactly the positions they should. STATUS_INVALID with a reason.
 * O(n); holds between complete trades (after both sides' fills). */
Status ledger_check(const Ledger *L, char *why, size_t why_cap);

#endif
