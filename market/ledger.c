/* Accounting of one perpetual venue; the identities and rounding rules are in ledger.h and docs/ledger.md.
 *
 * Why the conservation identity holds. Define per account V = cash + isolated_margin - signed_cost, with
 * signed_cost = +entry_cost for a long and -entry_cost for a short. A trade of x lots at price p:
 *   - the buyer: increasing a long adds p*x to signed_cost; reducing a short by x removes share s from entry_cost
 *     (signed_cost rises by s) and credits cash with s - p*x. Either way V changes by -p*x.
 *   - the seller, symmetrically, gains +p*x. Released isolated margin only moves between cash and margin.
 * So a trade leaves sum V unchanged; fees move cash to the fee account; funding moves payers' amounts to receivers
 * and the rounding difference to the fee account; deficits move fund money to an account or book the rest as bad
 * debt (V rises by d, the fund falls by f, bad debt rises by d - f). Only deposits, withdrawals and fund deposits
 * change the total, hence
 *   sum V + fee_account + insurance_fund - bad_debt == deposits - withdrawals + fund_deposits, exactly. */
#include "ledger.h"
#include "funding.h"
#include "alloc.h"
#include "cascade_assert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEDGER_MAX_RANK_LEVERAGE 1e18

__extension__ typedef __int128 Wide; /* exact sums in ledger_check */

LedgerDef ledger_default_def(void)
{
    LedgerDef d = {0};
    d.table = margin_table_binance_btcusdt(10000);
    d.capacity = 64;
    return d;
}

static Status grow(Ledger *L, uint32_t need)
{
    if (need <= L->cap) return STATUS_OK;
    uint32_t n = L->cap ? L->cap : 16u;
    while (n < need) {
        if (n > UINT32_MAX / 2u) return STATUS_FULL;
        n *= 2u;
    }
    /* Each realloc that succeeds is kept even if a later one fails: only cap is updated at the end. */
#define GROW_FIELD(f)                                                   \
    do {                                                                \
        void *p_ = mem_realloc(L->f, (size_t)n * sizeof *L->f);         \
        if (!p_) return STATUS_NOMEM;                                   \
        L->f = p_;                                                      \
    } while (0)
    GROW_FIELD(cross);
    GROW_FIELD(cross_dirty);
    GROW_FIELD(adl_scratch);
#undef GROW_FIELD
    /* the account records on a cache-line boundary, one line each. Grown with realloc like the other arrays (a new
     * block and a free of the old would raise glibc's mmap threshold and leave later blocks in the heap, where
     * they are copied on every growth: +50 % peak RSS at 10^6 accounts); realloc keeps only 16-byte alignment,
     * so the records move to the new block's boundary when its offset differs. */
    size_t old_off = L->acct ? (size_t)((char *)L->acct - (char *)L->acct_block) : 0;
    char *raw = mem_realloc(L->acct_block, (size_t)n * sizeof(LedgerAccount) + MEM_LINE - 1u);
    if (!raw) return STATUS_NOMEM;
    LedgerAccount *acct = mem_line_align(raw);
    if (L->count && (char *)acct != raw + old_off) memmove(acct, raw + old_off, (size_t)L->count * sizeof *acct);
    mem_advise_dense(acct, (size_t)n * sizeof *acct);
    L->acct_block = raw;
    L->acct = acct;
    Status s = liqindex_reserve(&L->liq, n);
    if (s == STATUS_OK) s = liqindex_reserve(&L->cross_liq, n);
    if (s != STATUS_OK) return s;
    L->cap = n;
    return STATUS_OK;
}

Status ledger_init(Ledger *L, const LedgerDef *def)
{
    *L = (Ledger){0};
    if (margin_table_validate(&def->table, NULL, 0) != STATUS_OK) return STATUS_INVALID;
    L->table = def->table;
    L->fund_min = QUOTE_MAX;
    Status s = liqindex_init(&L->liq, 0);
    if (s != STATUS_OK) return s;
    s = liqindex_init(&L->cross_liq, 0);
    if (s != STATUS_OK) {
        liqindex_fini(&L->liq);
        return s;
    }
    s = grow(L, def->capacity ? def->capacity : 16u);
    if (s != STATUS_OK) ledger_fini(L);
    return s;
}

void ledger_fini(Ledger *L)
{
    mem_free(L->acct_block);
    mem_free(L->cross);
    mem_free(L->cross_dirty);
    mem_free(L->adl_scratch);
    liqindex_fini(&L->liq);
    liqindex_fini(&L->cross_liq);
    *L = (Ledger){0};
}

static bool valid(const Ledger *L, AccountId a) { return a < L->count; }

Status ledger_add_account(Ledger *L, MarginMode mode, int32_t leverage, AccountId *out)
{
    if (mode != MARGIN_MODE_ISOLATED && mode != MARGIN_MODE_CROSS) return STATUS_INVALID;
    if (leverage < 1 || leverage > L->table.tiers[0].max_leverage) return STATUS_INVALID;
    if (L->count == UINT32_MAX - 1u) return STATUS_FULL;
    Status s = grow(L, L->count + 1u);
    if (s != STATUS_OK) return s;
    AccountId a = L->count++;
    L->acct[a] = (LedgerAccount){.leverage = leverage, .mode = (uint8_t)mode};
    if (out) *out = a;
    return STATUS_OK;
}

Status ledger_set_leverage(Ledger *L, AccountId a, int32_t leverage)
{
    if (!valid(L, a) || leverage < 1 || leverage > L->table.tiers[0].max_leverage) return STATUS_INVALID;
    L->acct[a].leverage = leverage;
    return STATUS_OK;
}

uint32_t ledger_account_count(const Ledger *L) { return L->count; }

/* Recomputes the derived state of account a after any change to qty, entry cost or isolated margin (and, for a
 * cross account, its cash): liquidation and bankruptcy prices plus the index for isolated positions, the cross list
 * for cross accounts, whose cross index entry is left to cross_index_sync (it leaves the index at once when the
 * position closes). Never allocates (the indexes and the lists were reserved for L->cap accounts in grow). Inline in
 * ledger_apply_fill (twice per trade, where the call and its register saves were a sixth of the cost); refresh is the
 * out-of-line copy for everything else. */
static inline __attribute__((always_inline)) void refresh_inline(Ledger *L, AccountId a)
{
    Lots q = L->acct[a].qty;
    if (L->acct[a].mode == MARGIN_MODE_ISOLATED) {
        if (q == 0) {
            L->acct[a].liq_price = 0;
            L->acct[a].bankrupt_price = 0;
            liqindex_remove(&L->liq, a);
            return;
        }
        L->acct[a].liq_price = margin_liquidation_price(&L->table, q, L->acct[a].entry_cost, L->acct[a].iso_margin);
        L->acct[a].bankrupt_price = margin_bankruptcy_price(q, L->acct[a].entry_cost, L->acct[a].iso_margin);
        Status s = liqindex_upsert(&L->liq, a, q > 0 ? SIDE_BUY : SIDE_SELL, L->acct[a].liq_price);
        CASCADE_ASSERT(s == STATUS_OK);
        return;
    }
    bool listed = L->acct[a].cross_slot != 0;
    if (q != 0 && !listed) {
        L->cross[L->cross_count++] = a;
        L->acct[a].cross_slot = L->cross_count;
    } else if (q == 0 && listed) {
        uint32_t i = L->acct[a].cross_slot - 1u;
        AccountId last = L->cross[--L->cross_count];
        L->cross[i] = last;
        L->acct[last].cross_slot = i + 1u;
        L->acct[a].cross_slot = 0;
    }
    if (q == 0) {
        liqindex_remove(&L->cross_liq, a);
        return;
    }
    if (!L->acct[a].cross_stale && !L->acct[a].unindexed) {
        L->acct[a].cross_stale = 1;
        L->cross_dirty[L->cross_dirty_count++] = a;
    }
}

static void refresh(Ledger *L, AccountId a) { refresh_inline(L, a); }

/* Recomputes the cross index entries that refresh left stale. Every change to a cross account's qty, entry cost or
 * cash goes through refresh, so the state read here is the state the last refresh saw: the entries are the ones an
 * immediate update would have written, and the index (a total order on price, then account) answers the same. */
static void cross_index_sync(Ledger *L)
{
    for (uint32_t i = 0; i < L->cross_dirty_count; i++) {
        AccountId a = L->cross_dirty[i];
        L->acct[a].cross_stale = 0;
        Lots q = L->acct[a].qty;
        if (q == 0) continue; /* closed since: refresh took it out of the index */
        Ticks lp = margin_liquidation_price(&L->table, q, L->acct[a].entry_cost, L->acct[a].cash);
        Status s = liqindex_upsert(&L->cross_liq, a, q > 0 ? SIDE_BUY : SIDE_SELL, lp);
        CASCADE_ASSERT(s == STATUS_OK);
    }
    L->cross_dirty_count = 0;
}

/* Cash backs a cross account's position, so its liquidation price moves with every cash change. */
static void cash_changed(Ledger *L, AccountId a)
{
    if (L->acct[a].mode == MARGIN_MODE_CROSS && L->acct[a].qty != 0) refresh(L, a);
}

Status ledger_set_table(Ledger *L, const MarginTable *table)
{
    if (margin_table_validate(table, NULL, 0) != STATUS_OK) return STATUS_INVALID;
    L->table = *table;
    for (AccountId a = 0; a < L->count; a++) {
        if (L->acct[a].qty != 0) refresh(L, a);
    }
    return STATUS_OK;
}

Status ledger_deposit(Ledger *L, AccountId a, Quote amount)
{
    if (!valid(L, a) || amount <= 0) return STATUS_INVALID;
    Quote c = 0, d = 0;
    if (!money_add(L->acct[a].cash, amount, &c) || !money_add(L->deposits, amount, &d)) return STATUS_OVERFLOW;
    L->acct[a].cash = c;
    L->deposits = d;
    cash_changed(L, a);
    return STATUS_OK;
}

Status ledger_withdraw(Ledger *L, AccountId a, Quote amount, Ticks mark)
{
    if (!valid(L, a) || amount <= 0) return STATUS_INVALID;
    if (amount > ledger_available(L, a, mark)) return STATUS_REJECTED;
    L->acct[a].cash -= amount;
    L->withdrawals += amount;
    cash_changed(L, a);
    return STATUS_OK;
}

static Status move_to_margin(Ledger *L, AccountId a, Quote amount)
{
    if (!valid(L, a) || amount < 0 || L->acct[a].mode != MARGIN_MODE_ISOLATED) return STATUS_INVALID;
    if (amount > L->acct[a].cash) return STATUS_REJECTED;
    L->acct[a].cash -= amount;
    L->acct[a].iso_margin += amount;
    refresh(L, a);
    return STATUS_OK;
}

Status ledger_assign_margin(Ledger *L, AccountId a, Quote amount) { return move_to_margin(L, a, amount); }

Status ledger_add_margin(Ledger *L, AccountId a, Quote amount)
{
    if (valid(L, a) && L->acct[a].qty == 0) return STATUS_REJECTED; /* top-ups need an open position */
    return move_to_margin(L, a, amount);
}

Status ledger_remove_margin(Ledger *L, AccountId a, Quote amount, Ticks mark)
{
    if (!valid(L, a) || amount <= 0 || L->acct[a].mode != MARGIN_MODE_ISOLATED) return STATUS_INVALID;
    if (amount > L->acct[a].iso_margin) return STATUS_REJECTED;
    Quote rest = L->acct[a].iso_margin - amount;
    if (L->acct[a].qty != 0) {
        Quote upnl = ledger_unrealized_pnl(L, a, mark);
        Quote im = margin_initial(money_notional(mark, L->acct[a].qty), L->acct[a].leverage);
        if (rest + (upnl < 0 ? upnl : 0) < im) return STATUS_REJECTED;
    }
    L->acct[a].iso_margin = rest;
    L->acct[a].cash += amount;
    refresh(L, a);
    return STATUS_OK;
}

/* The fill without the refresh, shared by apply_fill and transfer_position. Checks every product first so that a
 * refusal leaves the account untouched. Inline: every fill of the loop comes through here twice (one per side). */
static inline __attribute__((always_inline)) Status fill_raw(Ledger *L, AccountId a, Side side, Ticks price, Lots qty,
                                                             Quote fee, LedgerFillResult *r)
{
    *r = (LedgerFillResult){0};
    Lots q0 = L->acct[a].qty;
    Lots aq = q0 < 0 ? -q0 : q0;
    bool buy = side == SIDE_BUY;
    Lots closed = (q0 > 0 && !buy) || (q0 < 0 && buy) ? (qty < aq ? qty : aq) : 0;
    Lots opened = qty - closed;
    Quote proceeds = 0, open_cost = 0, share = L->acct[a].entry_cost, rel = L->acct[a].iso_margin;
    if (!money_mul(price, closed, &proceeds) || !money_mul(price, opened, &open_cost)) return STATUS_OVERFLOW;
    if (closed > 0 && closed < aq) {
        /* Floor on the removed share: the sub-unit remainder stays with the lots still open. */
        if (!money_mul_div(L->acct[a].entry_cost, closed, aq, ROUND_FLOOR, &share)) return STATUS_OVERFLOW;
        if (!money_mul_div(L->acct[a].iso_margin, closed, aq, ROUND_TRUNC, &rel)) return STATUS_OVERFLOW;
    }
    Quote new_cost = 0;
    if (closed > 0) {
        r->realized_pnl = q0 > 0 ? proceeds - share : share - proceeds;
        r->cost_removed = share;
        r->margin_released = L->acct[a].iso_margin == 0 ? 0 : rel;
        if (!money_add(L->acct[a].entry_cost - share, open_cost, &new_cost)) return STATUS_OVERFLOW;
    } else if (!money_add(L->acct[a].entry_cost, open_cost, &new_cost)) {
        return STATUS_OVERFLOW;
    }
    Quote new_cash = 0;
    if (!money_add(L->acct[a].cash, r->realized_pnl + r->margin_released, &new_cash) ||
        !money_add(new_cash, -fee, &new_cash))
        return STATUS_OVERFLOW;

    if (closed > 0) {
        if (q0 > 0) L->oi_long -= closed;
        else L->oi_short -= closed;
        q0 += q0 > 0 ? -closed : closed;
        L->acct[a].iso_margin -= r->margin_released;
    }
    if (opened > 0) {
        q0 += buy ? opened : -opened;
        if (buy) L->oi_long += opened;
        else L->oi_short += opened;
    }
    L->acct[a].qty = q0;
    L->acct[a].entry_cost = new_cost;
    L->acct[a].cash = new_cash;
    L->fee_account += fee;
    r->closed = closed;
    r->opened = opened;
    r->fee = fee;
    r->qty_after = q0;
    return STATUS_OK;
}

Status ledger_apply_fill(Ledger *L, AccountId a, Side side, Ticks price, Lots qty, Quote fee, LedgerFillResult *out)
{
    if (!valid(L, a) || price <= 0 || qty <= 0 || (side != SIDE_BUY && side != SIDE_SELL)) return STATUS_INVALID;
    LedgerFillResult r;
    Status s = fill_raw(L, a, side, price, qty, fee, &r);
    if (s != STATUS_OK) return s;
    refresh_inline(L, a);
    if (out) *out = r;
    return STATUS_OK;
}

Status ledger_transfer_position(Ledger *L, AccountId from, AccountId to, Lots qty, Ticks price,
                                LedgerFillResult *out_from, LedgerFillResult *out_to)
{
    if (!valid(L, from) || !valid(L, to) || from == to || qty <= 0 || price <= 0) return STATUS_INVALID;
    Lots q = L->acct[from].qty;
    if (q == 0 || qty > money_abs(q)) return STATUS_INVALID;
    Side from_side = q > 0 ? SIDE_SELL : SIDE_BUY;
    Side to_side = q > 0 ? SIDE_BUY : SIDE_SELL;
    /* Check the receiving side's products before touching anything (the giving side only reduces). */
    Quote notional = 0;
    if (!money_mul(price, qty, &notional) || !money_add(L->acct[to].entry_cost, notional, &notional))
        return STATUS_OVERFLOW;
    LedgerFillResult rf, rt;
    Status s = fill_raw(L, from, from_side, price, qty, 0, &rf);
    if (s != STATUS_OK) return s;
    s = fill_raw(L, to, to_side, price, qty, 0, &rt);
    CASCADE_ASSERT(s == STATUS_OK);
    refresh(L, from);
    refresh(L, to);
    if (out_from) *out_from = rf;
    if (out_to) *out_to = rt;
    return STATUS_OK;
}

Status ledger_apply_funding(Ledger *L, int64_t rate_e8, Ticks mark, LedgerFundingResult *out)
{
    if (mark <= 0 || rate_e8 <= -FUNDING_RATE_ONE_E8 || rate_e8 >= FUNDING_RATE_ONE_E8) return STATUS_INVALID;
    LedgerFundingResult r = {0};
    if (rate_e8 != 0) {
        bool longs_pay = rate_e8 > 0;
        /* First pass: every notional must fit, so that an overflow leaves the ledger untouched. The payment itself
         * cannot overflow: |rate| < 1, so it is at most the notional. */
        for (AccountId a = 0; a < L->count; a++) {
            Quote n = 0;
            if (L->acct[a].qty != 0 && !money_mul(mark, money_abs(L->acct[a].qty), &n)) return STATUS_OVERFLOW;
        }
        for (AccountId a = 0; a < L->count; a++) {
            Lots q = L->acct[a].qty;
            if (q == 0) continue;
            bool pays = (q > 0) == longs_pay;
            Quote amt = funding_payment(money_notional(mark, money_abs(q)), rate_e8, pays); /* payers up, receivers down */
            Quote delta = pays ? -amt : amt;
            if (L->acct[a].mode == MARGIN_MODE_ISOLATED) {
                L->acct[a].iso_margin += delta; /* may go below 0: the index then shows the position as crossed */
                refresh(L, a);
            } else {
                L->acct[a].cash += delta;
                refresh(L, a);
            }
            if (pays) { r.paid += amt; r.payers++; }
            else { r.received += amt; r.receivers++; }
        }
        r.to_fee = r.paid - r.received;
        L->fee_account += r.to_fee;
    }
    if (out) *out = r;
    return STATUS_OK;
}

/* Tracks the lowest balance the fund has had after any change (QUOTE_MAX until the first change). */
static void fund_changed(Ledger *L)
{
    if (L->insurance_fund < L->fund_min) L->fund_min = L->insurance_fund;
}

Status ledger_fund_deposit(Ledger *L, Quote amount)
{
    if (amount <= 0) return STATUS_INVALID;
    Quote f = 0, d = 0;
    if (!money_add(L->insurance_fund, amount, &f) || !money_add(L->fund_deposits, amount, &d)) return STATUS_OVERFLOW;
    L->insurance_fund = f;
    L->fund_deposits = d;
    fund_changed(L);
    return STATUS_OK;
}

Status ledger_to_fund(Ledger *L, AccountId a, LedgerSource from, Quote amount)
{
    if (!valid(L, a) || amount < 0) return STATUS_INVALID;
    if (from == LEDGER_FROM_MARGIN && L->acct[a].mode != MARGIN_MODE_ISOLATED) return STATUS_INVALID;
    Quote *src = from == LEDGER_FROM_MARGIN ? &L->acct[a].iso_margin : &L->acct[a].cash;
    if (amount > *src) return STATUS_REJECTED;
    *src -= amount;
    L->insurance_fund += amount;
    fund_changed(L);
    if (from == LEDGER_FROM_MARGIN) refresh(L, a);
    else cash_changed(L, a);
    return STATUS_OK;
}

Status ledger_fund_pay(Ledger *L, AccountId a, Quote amount)
{
    if (!valid(L, a) || amount < 0) return STATUS_INVALID;
    if (amount > L->insurance_fund) return STATUS_REJECTED;
    L->insurance_fund -= amount;
    L->acct[a].cash += amount;
    fund_changed(L);
    cash_changed(L, a);
    return STATUS_OK;
}

Status ledger_cover_deficit(Ledger *L, AccountId a, bool use_fund, LedgerDeficitResult *out)
{
    if (!valid(L, a)) return STATUS_INVALID;
    if (L->acct[a].qty != 0) return STATUS_REJECTED;
    LedgerDeficitResult r = {0};
    /* Leftover isolated margin of a flat account (assigned before a fill that never came) joins cash first. */
    L->acct[a].cash += L->acct[a].iso_margin;
    L->acct[a].iso_margin = 0;
    if (L->acct[a].cash < 0) {
        r.deficit = -L->acct[a].cash;
        if (use_fund && L->insurance_fund > 0) r.from_fund = r.deficit < L->insurance_fund ? r.deficit : L->insurance_fund;
        r.bad_debt = r.deficit - r.from_fund;
        L->insurance_fund -= r.from_fund;
        L->bad_debt += r.bad_debt;
        L->acct[a].cash = 0;
        fund_changed(L);
    }
    if (out) *out = r;
    return STATUS_OK;
}

Lots ledger_qty(const Ledger *L, AccountId a) { CASCADE_ASSERT(valid(L, a)); return L->acct[a].qty; }
Quote ledger_entry_cost(const Ledger *L, AccountId a) { CASCADE_ASSERT(valid(L, a)); return L->acct[a].entry_cost; }
Quote ledger_cash(const Ledger *L, AccountId a) { CASCADE_ASSERT(valid(L, a)); return L->acct[a].cash; }
Quote ledger_isolated_margin(const Ledger *L, AccountId a) { CASCADE_ASSERT(valid(L, a)); return L->acct[a].iso_margin; }
MarginMode ledger_mode(const Ledger *L, AccountId a) { CASCADE_ASSERT(valid(L, a)); return (MarginMode)L->acct[a].mode; }
int32_t ledger_leverage(const Ledger *L, AccountId a) { CASCADE_ASSERT(valid(L, a)); return L->acct[a].leverage; }
Ticks ledger_liq_price(const Ledger *L, AccountId a) { CASCADE_ASSERT(valid(L, a)); return L->acct[a].liq_price; }
Ticks ledger_bankruptcy_price(const Ledger *L, AccountId a) { CASCADE_ASSERT(valid(L, a)); return L->acct[a].bankrupt_price; }

Quote ledger_unrealized_pnl(const Ledger *L, AccountId a, Ticks mark)
{
    CASCADE_ASSERT(valid(L, a));
    if (L->acct[a].qty == 0) return 0;
    return margin_balance(L->acct[a].qty, L->acct[a].entry_cost, 0, mark);
}

Quote ledger_margin_balance(const Ledger *L, AccountId a, Ticks mark)
{
    Quote base = L->acct[a].mode == MARGIN_MODE_ISOLATED ? L->acct[a].iso_margin : L->acct[a].cash;
    return base + ledger_unrealized_pnl(L, a, mark);
}

Quote ledger_maintenance(const Ledger *L, AccountId a, Ticks mark)
{
    CASCADE_ASSERT(valid(L, a));
    if (L->acct[a].qty == 0) return 0;
    return margin_maintenance(&L->table, money_notional(mark, L->acct[a].qty));
}

bool ledger_is_liquidatable(const Ledger *L, AccountId a, Ticks mark)
{
    if (L->acct[a].qty == 0) return false;
    return ledger_margin_balance(L, a, mark) <= ledger_maintenance(L, a, mark);
}

Quote ledger_available(const Ledger *L, AccountId a, Ticks mark)
{
    CASCADE_ASSERT(valid(L, a));
    if (L->acct[a].mode == MARGIN_MODE_ISOLATED || L->acct[a].qty == 0) return L->acct[a].cash;
    Quote upnl = ledger_unrealized_pnl(L, a, mark);
    Quote im = margin_initial(money_notional(mark, L->acct[a].qty), L->acct[a].leverage);
    return L->acct[a].cash + (upnl < 0 ? upnl : 0) - im;
}

double ledger_effective_leverage(const Ledger *L, AccountId a, Ticks mark)
{
    if (L->acct[a].qty == 0) return 0.0;
    Quote mb = ledger_margin_balance(L, a, mark);
    if (mb <= 0) return LEDGER_MAX_RANK_LEVERAGE;
    return (double)money_abs(money_notional(mark, L->acct[a].qty)) / (double)mb;
}

double ledger_pnl_pct(const Ledger *L, AccountId a, Ticks mark)
{
    if (L->acct[a].qty == 0 || L->acct[a].entry_cost == 0) return 0.0;
    return (double)ledger_unrealized_pnl(L, a, mark) / (double)L->acct[a].entry_cost;
}

/* ADL order: higher rank first, ties by the smaller id -- a total order, so any selection method yields the same
 * sequence (ranks are never NaN: holders have entry_cost > 0 and a finite or capped effective leverage). */
static bool adl_before(LedgerAdlItem x, LedgerAdlItem y)
{
    if (x.rank != y.rank) return x.rank > y.rank;
    return x.id < y.id;
}

static void adl_sift_down(LedgerAdlItem *h, uint32_t n, uint32_t i)
{
    LedgerAdlItem e = h[i];
    for (;;) {
        uint32_t l = 2u * i + 1u;
        if (l >= n) break;
        uint32_t best = l;
        if (l + 1u < n && adl_before(h[l + 1u], h[l])) best = l + 1u;
        if (!adl_before(h[best], e)) break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

/* The ADL rank of a holder (qty != 0) whose collateral is given -- its isolated margin or its cash -- so that the
 * ranking loop needs no mode lookup (a cache miss per holder): P&L % x effective leverage when in profit, P&L % /
 * effective leverage otherwise (ledger_pnl_pct, ledger_effective_leverage). */
static double adl_rank_known(const Ledger *L, AccountId a, Quote collateral, Ticks mark)
{
    Lots q = L->acct[a].qty;
    Quote cost = L->acct[a].entry_cost;
    Quote upnl = margin_balance(q, cost, 0, mark);
    double pct = cost == 0 ? 0.0 : (double)upnl / (double)cost;
    Quote mb = collateral + upnl;
    double lev = mb <= 0 ? LEDGER_MAX_RANK_LEVERAGE : (double)money_abs(money_notional(mark, q)) / (double)mb;
    if (pct > 0.0) return pct * lev;
    return lev > 0.0 ? pct / lev : pct;
}

double ledger_adl_rank(const Ledger *L, AccountId a, Ticks mark)
{
    CASCADE_ASSERT(valid(L, a));
    if (L->acct[a].qty == 0) return 0.0;
    return adl_rank_known(L, a, L->acct[a].mode == MARGIN_MODE_ISOLATED ? L->acct[a].iso_margin : L->acct[a].cash, mark);
}

/* Holders sit at random places in the per-account arrays; fetching a few ahead overlaps those cache misses (a side
 * of a large population holds thousands of positions, and a cascade ranks them at every engine tick). */
#define ADL_PREFETCH 8u

/* Puts x among the best LEDGER_ADL_TOP holders seen so far (adl_top, in order), if it belongs there. */
static void adl_top_offer(Ledger *L, LedgerAdlItem x)
{
    uint32_t j = L->adl_top_count;
    if (j == LEDGER_ADL_TOP) {
        if (!adl_before(x, L->adl_top[j - 1u])) return;
        j--; /* the last one drops out */
    } else {
        L->adl_top_count++;
    }
    while (j > 0 && adl_before(x, L->adl_top[j - 1u])) {
        L->adl_top[j] = L->adl_top[j - 1u];
        j--;
    }
    L->adl_top[j] = x;
}

uint32_t ledger_adl_rank_begin(Ledger *L, Side holders, Ticks mark)
{
    /* Holders are exactly the indexed isolated positions on that side plus the listed cross accounts with a
     * position on it (ledger_check keeps both lists exact), so flat accounts are never visited. */
    uint32_t n = 0;
    const LiqHeap *h = holders == SIDE_BUY ? &L->liq.longs : &L->liq.shorts;
    for (uint32_t i = 0; i < h->count; i++) {
        if (i + ADL_PREFETCH < h->count) {
            AccountId f = h->e[i + ADL_PREFETCH].id;
            __builtin_prefetch(&L->acct[f]);
        }
        AccountId a = h->e[i].id;
        L->adl_scratch[n++] = (LedgerAdlItem){adl_rank_known(L, a, L->acct[a].iso_margin, mark), a};
    }
    for (uint32_t i = 0; i < L->cross_count; i++) {
        AccountId a = L->cross[i];
        if ((L->acct[a].qty > 0) == (holders == SIDE_BUY))
            L->adl_scratch[n++] = (LedgerAdlItem){adl_rank_known(L, a, L->acct[a].cash, mark), a};
    }
    /* Only the head is usually drawn: order the best LEDGER_ADL_TOP in one pass (most holders lose one comparison
     * against the last of them) instead of heapifying all n. The order is total, so the walk is the same. */
    L->adl_top_count = 0;
    for (uint32_t i = 0; i < n; i++) adl_top_offer(L, L->adl_scratch[i]);
    L->adl_top_next = 0;
    L->adl_ranked = n;
    L->adl_left = 0;
    L->adl_heaped = false;
    return n;
}

/* The walk has used adl_top: the holders after its last one (all the others: the order is total) become the heap. */
static void adl_heap_rest(Ledger *L)
{
    uint32_t w = 0;
    if (L->adl_top_count > 0) {
        LedgerAdlItem last = L->adl_top[L->adl_top_count - 1u];
        for (uint32_t i = 0; i < L->adl_ranked; i++)
            if (adl_before(last, L->adl_scratch[i])) L->adl_scratch[w++] = L->adl_scratch[i];
    }
    CASCADE_ASSERT(w + L->adl_top_count == L->adl_ranked);
    for (uint32_t i = w / 2u; i-- > 0;) adl_sift_down(L->adl_scratch, w, i);
    L->adl_left = w;
    L->adl_heaped = true;
}

bool ledger_adl_rank_next(Ledger *L, AccountId *out)
{
    if (L->adl_top_next < L->adl_top_count) {
        *out = L->adl_top[L->adl_top_next++].id;
        return true;
    }
    if (!L->adl_heaped) adl_heap_rest(L);
    if (L->adl_left == 0) return false;
    *out = L->adl_scratch[0].id;
    L->adl_scratch[0] = L->adl_scratch[--L->adl_left];
    if (L->adl_left > 1u) adl_sift_down(L->adl_scratch, L->adl_left, 0);
    return true;
}

uint32_t ledger_adl_queue(Ledger *L, Side holders, Ticks mark, AccountId *out, uint32_t cap, uint32_t *total)
{
    uint32_t n = ledger_adl_rank_begin(L, holders, mark);
    uint32_t w = 0;
    while (w < cap && ledger_adl_rank_next(L, &out[w])) w++;
    if (total) *total = n;
    return w;
}

const AccountId *ledger_cross_accounts(const Ledger *L, uint32_t *count)
{
    *count = L->cross_count;
    return L->cross;
}

LiqIndex *ledger_liqindex(Ledger *L) { return &L->liq; }

void ledger_set_unindexed(Ledger *L, AccountId a)
{
    CASCADE_ASSERT(valid(L, a) && L->acct[a].mode == MARGIN_MODE_CROSS && L->acct[a].qty == 0);
    L->acct[a].unindexed = 1;
}

LiqIndex *ledger_cross_liqindex(Ledger *L)
{
    cross_index_sync(L);
    return &L->cross_liq;
}
Quote ledger_fee_account(const Ledger *L) { return L->fee_account; }
Quote ledger_insurance_fund(const Ledger *L) { return L->insurance_fund; }
Quote ledger_fund_min(const Ledger *L) { return L->fund_min < L->insurance_fund ? L->fund_min : L->insurance_fund; }
Quote ledger_bad_debt(const Ledger *L) { return L->bad_debt; }
Lots ledger_oi_long(const Ledger *L) { return L->oi_long; }
Lots ledger_oi_short(const Ledger *L) { return L->oi_short; }

static Status bad(char *why, size_t cap, const char *msg, long long a, long long x, long long y)
{
    if (why && cap) snprintf(why, cap, "ledger: %s (account %lld: %lld vs %lld)", msg, a, x, y);
    return STATUS_INVALID;
}

Status ledger_check(const Ledger *L, char *why, size_t why_cap)
{
    Wide sum = 0;
    Lots longs = 0, shorts = 0;
    uint32_t iso_open = 0, cross_open = 0, cross_indexed = 0, stale = 0;
    for (AccountId a = 0; a < L->count; a++) {
        Lots q = L->acct[a].qty;
        Quote c = L->acct[a].entry_cost;
        if (c < 0 || (q == 0) != (c == 0)) return bad(why, why_cap, "entry cost vs qty", a, c, q);
        sum += (Wide)L->acct[a].cash + L->acct[a].iso_margin - (q >= 0 ? c : -c);
        if (q > 0) longs += q;
        else shorts -= q;
        if (L->acct[a].mode == MARGIN_MODE_ISOLATED) {
            Side side;
            Ticks lp;
            bool indexed = liqindex_get(&L->liq, a, &side, &lp);
            if (q == 0) {
                if (indexed) return bad(why, why_cap, "flat isolated account indexed", a, 0, 0);
                if (L->acct[a].liq_price != 0 || L->acct[a].bankrupt_price != 0)
                    return bad(why, why_cap, "flat account has prices", a, L->acct[a].liq_price, L->acct[a].bankrupt_price);
                continue;
            }
            iso_open++;
            Ticks want_lp = margin_liquidation_price(&L->table, q, c, L->acct[a].iso_margin);
            Ticks want_bp = margin_bankruptcy_price(q, c, L->acct[a].iso_margin);
            if (L->acct[a].liq_price != want_lp) return bad(why, why_cap, "stale liquidation price", a, L->acct[a].liq_price, want_lp);
            if (L->acct[a].bankrupt_price != want_bp)
                return bad(why, why_cap, "stale bankruptcy price", a, L->acct[a].bankrupt_price, want_bp);
            if (!indexed) return bad(why, why_cap, "isolated position not indexed", a, q, 0);
            if (lp != want_lp || (side == SIDE_BUY) != (q > 0))
                return bad(why, why_cap, "index entry differs", a, lp, want_lp);
        } else {
            if (liqindex_get(&L->liq, a, NULL, NULL)) return bad(why, why_cap, "cross account indexed", a, 0, 0);
            Side side;
            Ticks lp;
            bool indexed = liqindex_get(&L->cross_liq, a, &side, &lp);
            cross_indexed += indexed;
            if (q == 0 && indexed) return bad(why, why_cap, "flat cross account in the cross index", a, 0, 0);
            if (L->acct[a].unindexed) {
                if (indexed || L->acct[a].cross_stale)
                    return bad(why, why_cap, "unindexed account in the cross index", a, 0, 0);
            } else if (L->acct[a].cross_stale) {
                stale++; /* its entry waits for cross_index_sync */
            } else if (q != 0) {
                Ticks want_lp = margin_liquidation_price(&L->table, q, c, L->acct[a].cash);
                if (!indexed || lp != want_lp || (side == SIDE_BUY) != (q > 0))
                    return bad(why, why_cap, "stale cross index entry", a, indexed ? lp : 0, want_lp);
            }
            if (L->acct[a].iso_margin != 0) return bad(why, why_cap, "cross account with isolated margin", a, L->acct[a].iso_margin, 0);
            uint32_t slot = L->acct[a].cross_slot;
            if ((q != 0) != (slot != 0)) return bad(why, why_cap, "cross list membership", a, q, slot);
            if (slot != 0) {
                if (slot > L->cross_count || L->cross[slot - 1u] != a)
                    return bad(why, why_cap, "cross list back-pointer", a, slot, L->cross_count);
                cross_open++;
            }
        }
    }
    if (cross_open != L->cross_count) return bad(why, why_cap, "cross list size", -1, cross_open, L->cross_count);
    uint32_t indexed = liqindex_count(&L->liq, SIDE_BUY) + liqindex_count(&L->liq, SIDE_SELL);
    if (indexed != iso_open) return bad(why, why_cap, "index size", -1, indexed, iso_open);
    if (longs != shorts) return bad(why, why_cap, "long lots != short lots", -1, longs, shorts);
    if (longs != L->oi_long || shorts != L->oi_short) return bad(why, why_cap, "open interest", -1, L->oi_long, longs);
    if (L->fund_min != QUOTE_MAX && L->fund_min > L->insurance_fund)
        return bad(why, why_cap, "fund minimum", -1, L->fund_min, L->insurance_fund);
    if (L->bad_debt < 0) return bad(why, why_cap, "negative bad debt", -1, L->bad_debt, 0);
    sum += (Wide)L->fee_account + L->insurance_fund - L->bad_debt;
    Wide want = (Wide)L->deposits - L->withdrawals + L->fund_deposits;
    if (sum != want) return bad(why, why_cap, "conservation", -1, (long long)(sum - want), 0);
    /* Every entry belongs to a cross account (found above), and every stale account is listed once for the sync. */
    uint32_t cross_entries = liqindex_count(&L->cross_liq, SIDE_BUY) + liqindex_count(&L->cross_liq, SIDE_SELL);
    if (cross_entries != cross_indexed) return bad(why, why_cap, "cross index size", -1, cross_entries, cross_indexed);
    if (stale != L->cross_dirty_count) return bad(why, why_cap, "stale cross accounts", -1, stale, L->cross_dirty_count);
    for (uint32_t i = 0; i < L->cross_dirty_count; i++) {
        AccountId a = L->cross_dirty[i];
        if (a >= L->count || !L->acct[a].cross_stale) return bad(why, why_cap, "stale list entry", a, i, 0);
    }
    char sub[160];
    if (liqindex_validate(&L->cross_liq, sub, sizeof sub) != STATUS_OK ||
        liqindex_validate(&L->liq, sub, sizeof sub) != STATUS_OK) {
        if (why && why_cap) snprintf(why, why_cap, "%s", sub);
        return STATUS_INVALID;
    }
    return STATUS_OK;
}
