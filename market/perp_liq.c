/* The liquidation engine of the perpetual venue (MODEL.md 3.5; LITERATURE.md C5-C7). Mechanics: docs/perp.md.
 *
 * Design. A liquidation is a takeover: when a mark update finds an account at or below maintenance, the venue
 * cancels the account's orders, charges the liquidation fee from its remaining margin to the insurance fund, and
 * moves the position (all of it, or a partial slice) into a fresh internal "engine" account at the bankruptcy
 * price (Binance's insurance-fund takeover; a partial slice at the mark). From then on the victim is flat and free,
 * and the engine account's cash is exactly the engine's result on that position: every later fill, ADL transfer
 * or backstop transfer realises PnL against the bankruptcy price there. Settling that cash with the insurance fund
 * after every step (surplus in, deficit out as far as the fund goes) keeps the accounting exact without a separate
 * PnL computation, and a deficit nobody covers ends as bad debt when the position is closed.
 *
 * The backlog is a FIFO ring of items (one per engine account). An engine tick serves items from the head within
 * its budget (orders and notional at mark); an item that could not finish because the book ran out within the
 * protection band moves to the tail so that others proceed; an item cut by the notional budget stays at the head.
 * An item that could do nothing this tick (item_idle) is moved to the tail without serving it.
 *
 * ADL: before sending a market order the engine estimates, from the visible book, the loss against the bankruptcy
 * price of executing it (liquidity beyond the band counts at the band edge). If that loss plus any unpaid deficit
 * exceeds the fund, the remainder is closed against opposite-side holders in ADL rank order at the bankruptcy
 * price (ledger_adl_queue), and their open orders are cancelled (BitMEX). With ADL off the order goes to the book
 * and the shortfall becomes bad debt.
 *
 * Generation (MODEL.md 3.5): the engine's taker fills enter a per-direction sliding window holding the highest
 * generation seen in the last generation_window (a monotonic deque, O(1) amortised). A liquidation triggered by a
 * falling mark takes 1 + the window's maximum among liquidation sells (0 when none traded in the window) and that
 * liquidation's cascade id; rising marks use the liquidation buys. Off-book transfers (ADL, backstop) move no price
 * and do not enter the window. */
#include "perp_internal.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- storage ---- */

/* item_cap is a power of two (16, doubled), so ring positions wrap with a mask: the engine walks the whole backlog
 * every tick, and a division per step showed in profiles of large backlogs. */
static LiqItem *item_at(PerpVenue *p, uint32_t i) { return &p->items[(p->item_head + i) & (p->item_cap - 1u)]; }
static uint32_t slot_of(const PerpVenue *p, uint32_t i) { return (p->item_head + i) & (p->item_cap - 1u); }

static Status item_push_back(PerpVenue *p, const LiqItem *it)
{
    if (p->item_count == p->item_cap) {
        uint32_t cap = p->item_cap ? p->item_cap * 2u : 16u;
        LiqItem *n = mem_alloc((size_t)cap * sizeof *n);
        if (!n) return STATUS_NOMEM;
        for (uint32_t i = 0; i < p->item_count; i++) n[i] = *item_at(p, i);
        mem_free(p->items);
        p->items = n;
        p->item_cap = cap;
        p->item_head = 0;
    }
    p->items[slot_of(p, p->item_count)] = *it;
    p->item_count++;
    return STATUS_OK;
}

static void item_pop_front(PerpVenue *p)
{
    p->item_head = (p->item_head + 1u) & (p->item_cap - 1u);
    p->item_count--;
}

/* The head item to the tail (pop + push without the growth check: the count does not change). */
static void item_rotate(PerpVenue *p)
{
    uint32_t mask = p->item_cap - 1u;
    p->items[(p->item_head + p->item_count) & mask] = p->items[p->item_head]; /* onto itself when the ring is full */
    p->item_head = (p->item_head + 1u) & mask;
}

static Status record_append(PerpVenue *p, uint32_t *index)
{
    if (p->record_count == p->record_cap) {
        uint32_t cap = p->record_cap ? p->record_cap * 2u : 64u;
        PerpLiqRecord *r = mem_realloc(p->records, (size_t)cap * sizeof *r);
        if (!r) return STATUS_NOMEM;
        p->records = r;
        p->record_cap = cap;
    }
    *index = p->record_count++;
    memset(&p->records[*index], 0, sizeof p->records[*index]);
    return STATUS_OK;
}

/* A flat internal account for a new item: reused from the free stack, else created (cross, leverage 1). */
static AccountId acquire_engine(PerpVenue *p)
{
    if (p->free_engine_count) return p->free_engines[--p->free_engine_count];
    AccountId e;
    Status s = ledger_add_account(&p->ledger, MARGIN_MODE_CROSS, 1, &e);
    CASCADE_ASSERT(s == STATUS_OK);
    s = perp__reserve_accounts(p, e + 1u);
    CASCADE_ASSERT(s == STATUS_OK);
    p->role[e] = PERP_ROLE_ENGINE;
    /* crossed from its first fill until it is flat, and never liquidated: kept out of the cross index, which every
     * mark update would otherwise walk through the whole backlog */
    ledger_set_unindexed(&p->ledger, e);
    if (p->free_engine_cap < p->free_engine_count + 1u || p->free_engine_cap < e + 1u) {
        /* The stack can never hold more than the number of engine accounts, so size it by account capacity. */
        uint32_t cap = p->acct_cap;
        AccountId *f = mem_realloc(p->free_engines, (size_t)cap * sizeof *f);
        CASCADE_ASSERT(f != NULL);
        p->free_engines = f;
        p->free_engine_cap = cap;
    }
    return e;
}

void perp__liq_fini(PerpVenue *p)
{
    mem_free(p->items);
    mem_free(p->free_engines);
    mem_free(p->records);
    mem_free(p->backstops);
    deque_fini(&p->gen_window[0]);
    deque_fini(&p->gen_window[1]);
}

/* ---- triggering ---- */

/* LIQ_MODE_PARTIAL: the fewest lots to take so that the rest sits in a lower tier and holds its maintenance at
 * mark m (Bybit's tier-lowering; LITERATURE.md C5), or the whole position when no lower tier works. The arithmetic
 * mirrors the ledger's reduction rule: cost share floor(C x d / q) and isolated margin trunc(M x d / q) leave. */
static Lots partial_take(const PerpVenue *p, AccountId a, Ticks m)
{
    const Ledger *L = &p->ledger;
    const MarginTable *t = &L->table;
    Lots q = ledger_qty(L, a), aq = money_abs(q);
    Quote cost = ledger_entry_cost(L, a);
    bool iso = ledger_mode(L, a) == MARGIN_MODE_ISOLATED;
    Quote w = iso ? ledger_isolated_margin(L, a) : ledger_cash(L, a);
    int32_t k = margin_tier_index(t, money_notional(m, aq));
    for (int32_t j = k - 1; j >= 0; j--) {
        Lots keep = t->tiers[j].notional_cap / m;
        if (keep <= 0) break;
        if (keep >= aq) continue;
        Lots d = aq - keep;
        Quote cost_out = 0, w_out = 0;
        CASCADE_ASSERT(money_mul_div(cost, d, aq, ROUND_FLOOR, &cost_out));
        CASCADE_ASSERT(money_mul_div(w, d, aq, ROUND_TRUNC, &w_out));
        Quote mb = iso ? margin_balance(q > 0 ? keep : -keep, cost - cost_out, w - w_out, m)
                       : ledger_margin_balance(L, a, m); /* cross: realising at mark leaves the balance as it is */
        if (mb > margin_maintenance(t, money_notional(m, keep))) return d;
    }
    return aq;
}

static void generation_of(PerpVenue *p, int dir, int32_t *gen, uint32_t *cascade)
{
    Deque *w = &p->gen_window[dir];
    SimTime from = p->now - p->def.liq.generation_window;
    while (w->count && deque_front(w)->time < from) deque_pop_front(w);
    if (w->count) {
        *gen = (int32_t)deque_front(w)->value + 1;
        *cascade = deque_front(w)->cascade;
    } else {
        *gen = 0;
        *cascade = ++p->stats.cascades;
    }
    if (*gen > p->stats.deepest_generation) p->stats.deepest_generation = *gen;
}

/* Takes over all or part of a's position (the account is at or below maintenance at the mark). */
static void take_over(PerpVenue *p, AccountId a)
{
    Ledger *L = &p->ledger;
    Ticks m = mark_price(&p->mark);
    Lots q = ledger_qty(L, a), aq = money_abs(q);
    bool iso = ledger_mode(L, a) == MARGIN_MODE_ISOLATED;
    Quote mb = ledger_margin_balance(L, a, m);
    double eff = ledger_effective_leverage(L, a, m);
    Ticks lp = iso ? ledger_liq_price(L, a) : 0;
    Lots take = p->def.liq.mode == LIQ_MODE_PARTIAL ? partial_take(p, a, m) : aq;
    bool partial = take < aq;

    /* Liquidation fee on the notional taken, never more than the equity it leaves (Binance's clearance fee). */
    Quote fee = money_fee(money_notional(m, take), p->def.liq.fee_bps);
    Quote equity = 0;
    if (mb > 0) CASCADE_ASSERT(money_mul_div(mb, take, aq, ROUND_FLOOR, &equity));
    Quote src = iso ? ledger_isolated_margin(L, a) : ledger_cash(L, a);
    if (fee > equity) fee = equity;
    if (fee > src) fee = src > 0 ? src : 0;
    if (fee > 0) CASCADE_ASSERT(ledger_to_fund(L, a, iso ? LEDGER_FROM_MARGIN : LEDGER_FROM_CASH, fee) == STATUS_OK);

    Ticks price = m;
    if (!partial) {
        price = iso ? ledger_bankruptcy_price(L, a) : margin_bankruptcy_price(q, ledger_entry_cost(L, a), ledger_cash(L, a));
        if (price < 1) price = 1;
    }
    AccountId e = acquire_engine(p);
    Status s = ledger_transfer_position(L, a, e, take, price, NULL, NULL);
    CASCADE_ASSERT(s == STATUS_OK);

    uint32_t ri;
    s = record_append(p, &ri);
    CASCADE_ASSERT(s == STATUS_OK);
    PerpLiqRecord *rec = &p->records[ri];
    rec->time = p->now;
    rec->account = a;
    rec->side = q > 0 ? SIDE_BUY : SIDE_SELL;
    rec->qty = take;
    rec->partial = partial;
    rec->cross = !iso;
    rec->leverage = ledger_leverage(L, a);
    rec->eff_leverage = eff;
    rec->mark_tk = m;
    rec->liq_price_tk = lp;
    rec->bankruptcy_tk = price;
    rec->fee = fee;
    generation_of(p, q > 0 ? 0 : 1, &rec->generation, &rec->cascade_id);

    LiqItem it = {0};
    it.engine = e;
    it.record = ri;
    it.bankrupt_tk = price;
    it.enqueued = p->now;
    s = item_push_back(p, &it);
    CASCADE_ASSERT(s == STATUS_OK);

    p->stats.liquidations++;
    if (partial) p->stats.partial_liquidations++;
    p->stats.liq_notional[rec->side] += money_notional(m, take);
    if (p->listener.on_liquidation) p->listener.on_liquidation(p->listener.ctx, rec);
}

static void trigger(PerpVenue *p, AccountId a)
{
    p->stamp[a] = p->round;
    perp__cancel_all(p, a, true);
    /* A partial slice can leave the rest liquidatable after the fee; each pass takes strictly more lots. */
    while (ledger_qty(&p->ledger, a) != 0 && ledger_is_liquidatable(&p->ledger, a, mark_price(&p->mark)))
        take_over(p, a);
}

static int cmp_account(const void *x, const void *y)
{
    AccountId a = *(const AccountId *)x, b = *(const AccountId *)y;
    return (a > b) - (a < b);
}

void perp__check_liquidations(PerpVenue *p)
{
    Ticks m = mark_price(&p->mark);
    if (m <= 0) return;
    p->round++;
    AccountId batch[64];
    for (;;) {
        /* Isolated positions the mark crosses, in the order a moving mark meets them (liqindex.h). */
        uint32_t n = liqindex_collect_crossed(ledger_liqindex(&p->ledger), m, batch, 64);
        uint32_t handled = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (p->stamp[batch[i]] == p->round) continue;
            trigger(p, batch[i]);
            handled++;
        }
        if (handled == 0) break;
    }
    /* Cross accounts the mark makes liquidatable, from their own index (the others are not visited), triggered in
     * id order as a full scan would meet them. Engine accounts are not in the index (ledger_set_unindexed). */
    uint32_t n = liqindex_collect_crossed(ledger_cross_liqindex(&p->ledger), m, p->scratch, p->acct_cap);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        AccountId a = p->scratch[i];
        if (p->stamp[a] != p->round) p->scratch[k++] = a;
    }
    if (k > 1) qsort(p->scratch, k, sizeof *p->scratch, cmp_account); /* usually k == 0: no libc call */
    for (uint32_t i = 0; i < k; i++) {
        AccountId a = p->scratch[i]; /* re-read: a new engine account may have moved the array */
        if (p->stamp[a] != p->round && ledger_is_liquidatable(&p->ledger, a, m)) trigger(p, a);
    }
    if (p->item_count && p->next_engine == SIMTIME_MAX) {
        p->next_engine = p->halted ? p->halt_until : p->now;
        perp__due_changed(p);
    }
}

/* ---- execution ---- */

void perp__on_liq_fill(PerpVenue *p, uint32_t item_slot, Ticks price, Lots qty)
{
    const LiqItem *it = &p->items[item_slot];
    PerpLiqRecord *rec = &p->records[it->record];
    rec->book_qty += qty;
    rec->book_notional += money_notional(price, qty);
    Deque *w = &p->gen_window[rec->side == SIDE_BUY ? 0 : 1];
    while (w->count && deque_back(w)->value <= rec->generation) deque_pop_back(w);
    Status s = deque_push_back(w, (WindowEntry){p->now, rec->generation, rec->cascade_id});
    CASCADE_ASSERT(s == STATUS_OK);
}

/* Moves the engine account's cash to or from the insurance fund (see the file comment). */
static void settle(PerpVenue *p, LiqItem *it)
{
    Ledger *L = &p->ledger;
    PerpLiqRecord *rec = &p->records[it->record];
    Quote c = ledger_cash(L, it->engine);
    rec->pnl += c - it->carried;
    it->carried = 0;
    if (c > 0) {
        CASCADE_ASSERT(ledger_to_fund(L, it->engine, LEDGER_FROM_CASH, c) == STATUS_OK);
    } else if (c < 0) {
        Quote fund = ledger_insurance_fund(L);
        Quote pay = -c < fund ? -c : fund;
        if (pay > 0) CASCADE_ASSERT(ledger_fund_pay(L, it->engine, pay) == STATUS_OK);
        rec->fund_paid += pay;
        it->carried = c + pay;
    }
}

static void finish(PerpVenue *p, LiqItem *it)
{
    LedgerDeficitResult d;
    Status s = ledger_cover_deficit(&p->ledger, it->engine, true, &d);
    CASCADE_ASSERT(s == STATUS_OK);
    PerpLiqRecord *rec = &p->records[it->record];
    rec->fund_paid += d.from_fund;
    rec->bad_debt += d.bad_debt;
    rec->done_time = p->now;
    p->free_engines[p->free_engine_count++] = it->engine;
}

/* The loss against the bankruptcy price of `left` lots (>= 0) executed at the band edge (0 when the edge is no
 * worse). */
static Quote loss_at_edge(Side side, Ticks bankrupt, Ticks edge, Lots left)
{
    Ticks gap = side == SIDE_SELL ? bankrupt - edge : edge - bankrupt;
    return gap > 0 ? money_notional(gap, left) : 0;
}

/* Loss against the bankruptcy price of executing `qty` at market now, from the visible book (MODEL.md 3.5: the
 * fund must be able to pay it, or ADL takes over). Lots beyond the band or the visible levels count at the band
 * edge. */
static Quote estimated_loss(const PerpVenue *p, Side side, Ticks bankrupt, Lots qty)
{
    Ticks edge = perp__engine_edge(p, side);
    Side opp = side == SIDE_SELL ? SIDE_BUY : SIDE_SELL;
    BookLevelView lv;
    Quote loss = 0;
    Lots left = qty;
    uint32_t i = 0;
    /* The first 64 visible levels, walked only as far as needed (a crashed book's touch is often beyond the band). */
    for (Ticks px = book_level_after(p->book, opp, 0, &lv); px != 0 && i < 64 && left > 0;
         px = book_level_after(p->book, opp, px, &lv), i++) {
        if (perp__beyond(side, px, edge)) break;
        Lots take = lv.qty < left ? lv.qty : left;
        Ticks gap = side == SIDE_SELL ? bankrupt - px : px - bankrupt;
        if (gap > 0) loss += money_notional(gap, take);
        left -= take;
    }
    return loss + loss_at_edge(side, bankrupt, edge, left);
}

/* Closes up to qty lots of the item against opposite holders in ADL rank order at the bankruptcy price. */
static Lots deleverage(PerpVenue *p, LiqItem *it, Lots qty)
{
    Ledger *L = &p->ledger;
    PerpLiqRecord *rec = &p->records[it->record];
    Lots q = ledger_qty(L, it->engine);
    Side holders = q > 0 ? SIDE_SELL : SIDE_BUY;
    /* Rank once per engine tick and side; later items of the same tick use that snapshot, skipping holders already
     * closed -- exchanges likewise publish the queue periodically. The ranked order is drawn from the ledger's heap
     * only as far as it is consumed (an item rarely needs more than a few holders, the side may hold thousands);
     * p->scratch keeps the prefix drawn so far so that later items walk the same sequence. */
    if (p->adl_tick != p->stats.engine_ticks || p->adl_side != (int)holders) {
        ledger_adl_rank_begin(L, holders, mark_price(&p->mark));
        p->adl_count = 0;
        p->adl_tick = p->stats.engine_ticks;
        p->adl_side = (int)holders;
    }
    Lots done = 0;
    for (uint32_t i = 0; done < qty; i++) {
        if (i == p->adl_count) {
            if (!ledger_adl_rank_next(L, &p->scratch[i])) break;
            p->adl_count++;
        }
        AccountId h = p->scratch[i];
        Lots signed_q = ledger_qty(L, h);
        if (p->role[h] == PERP_ROLE_ENGINE || signed_q == 0 || (signed_q > 0) != (holders == SIDE_BUY)) continue;
        Lots hq = money_abs(signed_q);
        Lots take = hq < qty - done ? hq : qty - done;
        Status s = ledger_transfer_position(L, it->engine, h, take, it->bankrupt_tk, NULL, NULL);
        CASCADE_ASSERT(s == STATUS_OK);
        perp__cancel_all(p, h, true);
        done += take;
        p->stats.adl_events++;
        p->stats.adl_qty += take;
        p->stats.adl_notional += money_notional(it->bankrupt_tk, take);
    }
    rec->adl_qty += done;
    return done;
}

/* Largest lots a backstop can add at mark m with its free margin and leverage. */
static Lots backstop_capacity(const PerpVenue *p, AccountId b, Ticks m)
{
    Quote free = perp_free_margin(p, b);
    Quote per_lot = margin_initial(m, ledger_leverage(&p->ledger, b));
    return free > 0 && per_lot > 0 ? free / per_lot : 0;
}

static Lots backstop(PerpVenue *p, LiqItem *it, Lots qty)
{
    Ledger *L = &p->ledger;
    Ticks m = mark_price(&p->mark);
    Lots q = ledger_qty(L, it->engine);
    PerpBackstopOffer offer = {p->now, q > 0 ? SIDE_BUY : SIDE_SELL, qty, it->bankrupt_tk, m};
    /* Gather every taker's bid (lots, price), then serve the best prices first (ties: registration order). */
    for (uint32_t i = 0; i < p->backstop_count; i++) {
        BackstopReg *b = &p->backstops[i];
        Ticks price = it->bankrupt_tk;
        Lots want = b->taker.offer ? b->taker.offer(b->taker.ctx, &offer, &price) : qty;
        if (!p->def.liq.backstop_auction) price = it->bankrupt_tk;
        b->bid_qty = want > 0 && price > 0 ? want : 0;
        b->bid_price = price;
    }
    Lots done = 0;
    for (;;) {
        BackstopReg *best = NULL;
        for (uint32_t i = 0; i < p->backstop_count; i++) {
            BackstopReg *b = &p->backstops[i];
            if (b->bid_qty <= 0) continue;
            bool better = !best || (q > 0 ? b->bid_price > best->bid_price : b->bid_price < best->bid_price);
            if (better) best = b;
        }
        if (!best || done == qty) break;
        Lots take = best->bid_qty < qty - done ? best->bid_qty : qty - done;
        Lots cap = backstop_capacity(p, best->account, m);
        if (take > cap) take = cap;
        best->bid_qty = 0;
        if (take <= 0) continue;
        Status s = ledger_transfer_position(L, it->engine, best->account, take, best->bid_price, NULL, NULL);
        CASCADE_ASSERT(s == STATUS_OK);
        done += take;
    }
    p->records[it->record].backstop_qty += done;
    return done;
}

/* One action on the item at the head: returns nothing; the engine account's position shows what happened. */
static void execute(PerpVenue *p, uint32_t slot, Lots slice)
{
    LiqItem *it = &p->items[slot];
    Lots q = ledger_qty(&p->ledger, it->engine);
    Side side = q > 0 ? SIDE_SELL : SIDE_BUY;
    const PerpLiqDef *d = &p->def.liq;
    if (d->mode == LIQ_MODE_BACKSTOP && !it->backstop_tried) {
        it->backstop_tried = true;
        slice -= backstop(p, it, slice);
        if (slice == 0) return;
    }
    if (d->mode == LIQ_MODE_BANKRUPTCY_IOC && it->ioc_failures < d->ioc_retries) {
        Lots f = perp__engine_order(p, slot, ORDER_IOC, side, it->bankrupt_tk, slice);
        if (f < slice) p->items[slot].ioc_failures++;
        return;
    }
    if (d->adl) {
        Quote need = estimated_loss(p, side, it->bankrupt_tk, slice) - it->carried;
        if (need > ledger_insurance_fund(&p->ledger) && deleverage(p, it, money_abs(q)) > 0) return;
    }
    perp__engine_order(p, slot, ORDER_MARKET, side, 0, slice);
}

/* Records the backlog (its item count and `lots`, summed by the caller) in the venue's stats and peaks. */
static void backlog_stats_set(PerpVenue *p, Lots lots)
{
    PerpStats *s = &p->stats;
    s->backlog_items = p->item_count;
    s->backlog_lots = lots;
    s->backlog_notional = money_notional(mark_price(&p->mark) > 0 ? mark_price(&p->mark) : 0, lots);
    if (s->backlog_items > s->backlog_peak) s->backlog_peak = s->backlog_items;
    if (s->backlog_notional > s->backlog_notional_peak) s->backlog_notional_peak = s->backlog_notional;
}

/* What a tick knows about the book while no item has done anything: per side of the engine's order, whether a
 * market order can trade at all and the band edge, and the insurance fund. Valid until an item acts. */
typedef struct EngineGate {
    bool valid;
    bool blocked[2];  /* by Side: book in continuous trading, mark known, opposite touch absent or beyond the band */
    Ticks edge[2];
    Quote fund;
} EngineGate;

static void gate_refresh(const PerpVenue *p, EngineGate *g)
{
    Ticks m = mark_price(&p->mark);
    bool continuous = m > 0 && !book_in_auction(p->book);
    for (int s = SIDE_BUY; s <= SIDE_SELL; s++) {
        Side side = (Side)s;
        Ticks opp = side == SIDE_BUY ? book_best_ask(p->book) : book_best_bid(p->book);
        g->edge[s] = perp__engine_edge(p, side);
        g->blocked[s] = continuous && (opp == 0 || perp__beyond(side, opp, g->edge[s]));
    }
    g->fund = ledger_insurance_fund(&p->ledger);
    g->valid = true;
}

/* True when serving the item (q lots, this tick's slice) would change nothing but its place in the queue: it takes
 * the market path of execute(), its side is blocked (perp__engine_order returns at once), the loss estimate -- on a
 * blocked side the whole slice at the band edge, what estimated_loss() computes there -- stays within the fund
 * (no ADL), and settle() has no cash and no carried deficit to move. In a crash most of a large backlog is like
 * this at every tick; serving it item by item was half of a 10^5-agent squeeze's instructions. */
static bool item_idle(const PerpVenue *p, const LiqItem *it, Lots q, Lots slice, const EngineGate *g)
{
    const PerpLiqDef *d = &p->def.liq;
    if (d->mode == LIQ_MODE_BACKSTOP && !it->backstop_tried) return false;
    if (d->mode == LIQ_MODE_BANKRUPTCY_IOC && it->ioc_failures < d->ioc_retries) return false;
    Side side = q > 0 ? SIDE_SELL : SIDE_BUY;
    if (!g->blocked[side] || it->carried != 0 || ledger_cash(&p->ledger, it->engine) != 0) return false;
    return !d->adl || loss_at_edge(side, it->bankrupt_tk, g->edge[side], slice) <= g->fund;
}

void perp__engine_tick(PerpVenue *p)
{
    p->stats.engine_ticks++;
    if (p->halted) {
        p->next_engine = p->halt_until;
        perp__due_changed(p);
        return;
    }
    const PerpLiqDef *d = &p->def.liq;
    uint32_t orders_left = d->max_orders_per_tick ? d->max_orders_per_tick : UINT32_MAX;
    Quote notional_left = d->max_notional_per_tick ? d->max_notional_per_tick : QUOTE_MAX;
    Ticks m = mark_price(&p->mark);
    EngineGate gate = {0};
    uint32_t n = p->item_count, idle_count = 0;
    Lots idle_lots = 0; /* the backlog's lots, summed on the way while every item is idle */
    for (uint32_t i = 0; i < n && p->item_count && orders_left && !p->halted; i++) {
        uint32_t slot = p->item_head;
        Lots q = ledger_qty(&p->ledger, p->items[slot].engine);
        Lots before = money_abs(q);
        Lots slice = before;
        if (d->max_notional_per_tick) {
            Lots cap = notional_left / m;
            if (cap == 0) break;
            if (slice > cap) slice = cap;
        }
        if (!gate.valid) gate_refresh(p, &gate);
        bool idle = item_idle(p, &p->items[slot], q, slice, &gate);
        if (!idle) execute(p, slot, slice);
        orders_left--;
        if (d->max_notional_per_tick) {
            Quote used = money_notional(m, slice);
            notional_left = used < notional_left ? notional_left - used : 0;
        }
        LiqItem *it = &p->items[slot];
        if (idle) { /* after == before: to the back, as below */
            item_rotate(p);
            idle_count++;
            idle_lots += before;
            continue;
        }
        gate.valid = false;
        settle(p, it);
        Lots after = money_abs(ledger_qty(&p->ledger, it->engine));
        if (after == 0) {
            finish(p, it);
            item_pop_front(p);
        } else if (after > before - slice) {
            /* The book (within the band) or the bankruptcy limit stopped it: let the others go first. */
            item_rotate(p);
        }
        /* else: cut by the notional budget; it stays at the head and the budget is spent. */
    }
    /* Every item served once and none changed: the sum on the way is the backlog's (no second pass). */
    if (idle_count == n) backlog_stats_set(p, idle_lots);
    else perp__update_backlog_stats(p);
    p->next_engine = p->item_count ? p->now + d->tick : SIMTIME_MAX;
    perp__due_changed(p);
}

void perp__update_backlog_stats(PerpVenue *p)
{
    Lots lots = 0;
    for (uint32_t i = 0; i < p->item_count; i++) lots += money_abs(ledger_qty(&p->ledger, item_at(p, i)->engine));
    backlog_stats_set(p, lots);
}

SimDuration perp_backlog_age(const PerpVenue *p, SimTime now)
{
    if (!p->item_count) return 0;
    return now - p->items[p->item_head].enqueued;
}

Status perp__liq_check(const PerpVenue *p, char *why, size_t cap)
{
    const Ledger *L = &p->ledger;
    uint32_t engines = 0;
    for (AccountId a = 0; a < ledger_account_count(L); a++) engines += p->role[a] == PERP_ROLE_ENGINE;
    if (engines != p->item_count + p->free_engine_count) {
        if (why) snprintf(why, cap, "engine: %u internal accounts, %u items + %u free", engines, p->item_count,
                          p->free_engine_count);
        return STATUS_INVALID;
    }
    for (uint32_t i = 0; i < p->item_count; i++) {
        const LiqItem *it = &p->items[slot_of(p, i)];
        if (ledger_qty(L, it->engine) == 0 || it->record >= p->record_count) {
            if (why) snprintf(why, cap, "engine: backlog item %u holds no position", i);
            return STATUS_INVALID;
        }
    }
    for (uint32_t i = 0; i < p->free_engine_count; i++) {
        AccountId e = p->free_engines[i];
        if (ledger_qty(L, e) != 0 || ledger_cash(L, e) != 0 || ledger_isolated_margin(L, e) != 0 ||
            otab_count(&p->orders, e) != 0) {
            if (why) snprintf(why, cap, "engine: free internal account %u is not empty", e);
            return STATUS_INVALID;
        }
    }
    return STATUS_OK;
}
