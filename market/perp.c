/* The perpetual venue: accounts, order admission, fills into the ledger, the schedule (mark, funding, engine
 * ticks, halts, margin reviews). The liquidation engine is in perp_liq.c, the policies in perp_policy.c.
 * See perp.h for the contract and docs/perp.md for the mechanics. */
#include "perp_internal.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <stdio.h>
#include <string.h>


PerpDef perp_default_def(void)
{
    PerpDef d;
    memset(&d, 0, sizeof d);
    d.book = book_default_def();
    d.ledger = ledger_default_def();
    d.mark = mark_default_def();
    d.funding = funding_default_def();
    /* Binance's impact margin notional for BTCUSDT is 200 USDT of margin at the max leverage of 125: 25,000 USDT
     * of notional (LITERATURE.md C4); the ledger's default unit is 1e-4 USDT. */
    d.funding.impact_notional = INT64_C(25000) * 10000;
    d.start = 0;
    d.mark_period = SIMTIME_NS_PER_S;
    d.maker_fee_bps = 2;
    d.taker_fee_bps = 5;
    d.market_band_bps = 500;
    d.warn_ratio_ppm = 800000;
    d.insurance_fund = 0;
    d.liq.mode = LIQ_MODE_MARKET;
    d.liq.fee_bps = 50;
    d.liq.tick = 100 * SIMTIME_NS_PER_MS;
    d.liq.ioc_retries = 3;
    d.liq.band_bps = 1000;
    d.liq.adl = true;
    d.liq.backstop_auction = false;
    d.liq.generation_window = 60 * SIMTIME_NS_PER_S;
    d.policy.max_leverage = 125;
    d.policy.cb_window = 300 * SIMTIME_NS_PER_S;
    d.policy.cb_halt = 300 * SIMTIME_NS_PER_S;
    d.policy.dyn_review = 60 * SIMTIME_NS_PER_S;
    d.policy.dyn_vol_window = 300 * SIMTIME_NS_PER_S;
    d.policy.dyn_vol_ref_ppm = 200;
    d.policy.dyn_vol_slope_ppm = 500000;
    d.policy.dyn_crowd_band_bps = 200;
    d.policy.dyn_crowd_ref_ppm = 50000;
    d.policy.dyn_crowd_slope_ppm = 5000000;
    d.policy.dyn_max_factor_ppm = 3000000;
    d.policy.dyn_step_ppm = 50000;
    return d;
}

static Status why_invalid(char *why, size_t cap, const char *msg)
{
    if (why && cap) snprintf(why, cap, "%s", msg);
    return STATUS_INVALID;
}

Status perp_def_validate(const PerpDef *d, char *why, size_t cap)
{
    if (margin_table_validate(&d->ledger.table, why, cap) != STATUS_OK) return STATUS_INVALID;
    if (mark_def_validate(&d->mark) != STATUS_OK) return why_invalid(why, cap, "mark: bad method or ema_tau <= 0");
    if (funding_def_validate(&d->funding) != STATUS_OK)
        return why_invalid(why, cap, "funding: bad interval, sample period, clamp, cap or impact notional");
    if (d->mark_period <= 0) return why_invalid(why, cap, "mark_period must be > 0");
    if (d->taker_fee_bps < 0 || d->taker_fee_bps > 1000 || d->maker_fee_bps < -d->taker_fee_bps ||
        d->maker_fee_bps > 1000)
        return why_invalid(why, cap, "fees: taker in [0, 1000] bps, maker in [-taker, 1000] bps");
    if (d->market_band_bps < 1 || d->market_band_bps > 10000) return why_invalid(why, cap, "market_band_bps in [1, 10000]");
    if (d->warn_ratio_ppm <= 0 || d->warn_ratio_ppm > 1000000) return why_invalid(why, cap, "warn_ratio_ppm in (0, 1e6]");
    if (d->insurance_fund < 0) return why_invalid(why, cap, "insurance_fund must be >= 0");
    const PerpLiqDef *l = &d->liq;
    if ((unsigned)l->mode >= LIQ_MODE_COUNT_) return why_invalid(why, cap, "liquidation mode unknown");
    if (l->fee_bps < 0 || l->fee_bps > 10000) return why_invalid(why, cap, "liquidation fee_bps in [0, 10000]");
    if (l->tick <= 0) return why_invalid(why, cap, "liquidation tick must be > 0");
    if (l->max_notional_per_tick < 0) return why_invalid(why, cap, "max_notional_per_tick must be >= 0");
    if (l->band_bps < 1 || l->band_bps > 10000) return why_invalid(why, cap, "liquidation band_bps in [1, 10000]");
    if (l->generation_window <= 0) return why_invalid(why, cap, "generation_window must be > 0");
    const PerpPolicyDef *q = &d->policy;
    if (q->price_band_bps < 0 || q->price_band_bps > 10000) return why_invalid(why, cap, "price_band_bps in [0, 10000]");
    if (q->max_leverage < 1 || q->max_leverage > d->ledger.table.tiers[0].max_leverage)
        return why_invalid(why, cap, "max_leverage in [1, first tier's max leverage]");
    if (q->cb_move_bps < 0 || q->cb_move_bps > 10000) return why_invalid(why, cap, "cb_move_bps in [0, 10000]");
    if (q->cb_move_bps > 0 && (q->cb_window <= 0 || q->cb_halt <= 0))
        return why_invalid(why, cap, "circuit breaker: window and halt must be > 0");
    if ((unsigned)q->dyn_mmr >= DYN_MMR_COUNT_) return why_invalid(why, cap, "dynamic mmr mode unknown");
    if (q->dyn_mmr != DYN_MMR_OFF) {
        if (q->dyn_review <= 0 || q->dyn_vol_window < d->mark_period || q->dyn_vol_ref_ppm <= 0 ||
            q->dyn_vol_slope_ppm < 0 || q->dyn_crowd_band_bps <= 0 || q->dyn_crowd_ref_ppm < 0 ||
            q->dyn_crowd_slope_ppm < 0 || q->dyn_max_factor_ppm < 1000000 || q->dyn_step_ppm <= 0)
            return why_invalid(why, cap, "dynamic mmr: review > 0, vol window >= mark period, ref > 0, slopes >= 0, "
                                         "max factor >= 1e6, step > 0");
    }
    return STATUS_OK;
}

/* ---- book listener: fills go to the ledger as they happen ---- */

static Quote fee_for(const PerpVenue *p, const VenueOrder *o, Quote notional, bool maker)
{
    if (o->kind == ORDER_KIND_LIQUIDATION) return 0; /* the liquidation fee was charged at takeover */
    return money_fee(notional, maker ? p->def.maker_fee_bps : p->def.taker_fee_bps);
}

/* Applies one side of a fill to its account; returns the fee charged. */
static Quote settle_side(PerpVenue *p, VenueOrder *o, Side side, Ticks price, Lots qty, bool maker)
{
    Quote notional = money_notional(price, qty);
    Quote fee = fee_for(p, o, notional, maker);
    LedgerFillResult r;
    Status s = ledger_apply_fill(&p->ledger, o->owner, side, price, qty, fee, &r);
    CASCADE_ASSERT(s == STATUS_OK);
    if (r.opened > 0 && ledger_mode(&p->ledger, o->owner) == MARGIN_MODE_ISOLATED) {
        /* Initial margin for the opened lots at the fill price; admission reserved it, but other fills may have
         * spent cash since, so never move more than there is. */
        Quote im = margin_initial(money_notional(price, r.opened), ledger_leverage(&p->ledger, o->owner));
        Quote cash = ledger_cash(&p->ledger, o->owner);
        if (im > cash) im = cash > 0 ? cash : 0;
        if (im > 0) CASCADE_ASSERT(ledger_assign_margin(&p->ledger, o->owner, im) == STATUS_OK);
    }
    if (!o->reduce_only) p->open_notional[2 * o->owner + o->side] -= money_notional(o->price_tk, qty);
    o->remaining -= qty;
    return fee;
}

static void order_gone(PerpVenue *p, OrderRef ref, VenueOrder *o)
{
    if (!o->reduce_only) p->open_notional[2 * o->owner + o->side] -= money_notional(o->price_tk, o->remaining);
    otab_remove(&p->orders, ref);
}

static void on_fill(void *ctx, const BookFill *f)
{
    PerpVenue *p = ctx;
    VenueOrder *mk = otab_get(&p->orders, f->maker_tag);
    VenueOrder *tk = otab_get(&p->orders, f->taker_tag);
    PerpTrade t = {0};
    t.time = p->now;
    t.price_tk = f->price_tk;
    t.qty = f->qty;
    t.aggressor = f->aggressor;
    t.auction = f->auction;
    t.maker = mk->owner;
    t.taker = tk->owner;
    t.maker_tag = mk->user_tag;
    t.taker_tag = tk->user_tag;
    t.maker_ref = f->maker_tag;
    t.taker_ref = f->taker_tag;
    t.taker_is_liquidation = tk->kind == ORDER_KIND_LIQUIDATION;
    Side maker_side = f->aggressor == SIDE_BUY ? SIDE_SELL : SIDE_BUY;
    t.maker_fee = settle_side(p, mk, maker_side, f->price_tk, f->qty, true);
    t.taker_fee = settle_side(p, tk, f->aggressor, f->price_tk, f->qty, false);
    t.maker_remaining = f->maker_remaining;
    t.taker_remaining = f->taker_remaining;
    if (mk->kind == ORDER_KIND_LIQUIDATION) perp__on_liq_fill(p, mk->aux, f->price_tk, f->qty);
    if (tk->kind == ORDER_KIND_LIQUIDATION) perp__on_liq_fill(p, tk->aux, f->price_tk, f->qty);
    /* The book may clamp a reduce-only order (at entry or when a stop triggers); its count is the truth. */
    if (mk->reduce_only) mk->remaining = f->maker_remaining;
    if (tk->reduce_only) tk->remaining = f->taker_remaining;
    CASCADE_ASSERT(mk->remaining == f->maker_remaining && tk->remaining == f->taker_remaining);
    if (f->maker_remaining == 0) { order_gone(p, f->maker_tag, mk); t.maker_ref = ORDER_REF_NONE; }
    if (f->taker_remaining == 0) { order_gone(p, f->taker_tag, tk); t.taker_ref = ORDER_REF_NONE; }
    p->stats.fills++;
    p->stats.volume += f->qty;
    perp__cb_on_trade(p, f->price_tk);
    if (p->listener.on_trade) p->listener.on_trade(p->listener.ctx, &t);
}

static void on_order_done(void *ctx, OrderId id, uint32_t owner, uint64_t tag, BookDoneReason reason, Lots remaining)
{
    (void)id;
    (void)reason;
    PerpVenue *p = ctx;
    VenueOrder *o = otab_get(&p->orders, tag);
    if (o->reduce_only) o->remaining = remaining; /* clamped by the book */
    CASCADE_ASSERT(o->owner == owner && o->remaining == remaining);
    uint64_t user_tag = o->user_tag;
    bool user = o->kind == ORDER_KIND_USER;
    order_gone(p, tag, o);
    if (user && p->listener.on_order_done) p->listener.on_order_done(p->listener.ctx, owner, tag, user_tag, remaining);
}

static Lots reduce_only_max(void *ctx, uint32_t owner, Side side)
{
    const PerpVenue *p = ctx;
    Lots q = ledger_qty(&p->ledger, owner);
    if (side == SIDE_SELL) return q > 0 ? q : 0;
    return q < 0 ? -q : 0;
}

/* ---- lifecycle ---- */

Status perp__reserve_accounts(PerpVenue *p, uint32_t n)
{
    if (n <= p->acct_cap) return STATUS_OK;
    uint32_t cap = p->acct_cap ? p->acct_cap : 64u;
    while (cap < n) cap *= 2u;
    uint8_t *role = mem_realloc(p->role, cap);
    if (role) p->role = role;
    Quote *on = mem_realloc(p->open_notional, (size_t)cap * 2u * sizeof *on);
    if (on) p->open_notional = on;
    uint32_t *st = mem_realloc(p->stamp, (size_t)cap * sizeof *st);
    if (st) p->stamp = st;
    AccountId *sc = mem_realloc(p->scratch, (size_t)cap * sizeof *sc);
    if (sc) p->scratch = sc;
    if (!role || !on || !st || !sc) return STATUS_NOMEM;
    for (uint32_t i = p->acct_cap; i < cap; i++) {
        p->role[i] = PERP_ROLE_USER;
        p->open_notional[2 * i] = p->open_notional[2 * i + 1] = 0;
        p->stamp[i] = 0;
    }
    p->acct_cap = cap;
    return otab_reserve_accounts(&p->orders, cap);
}

Status perp_create(const PerpDef *def, PerpVenue **out)
{
    *out = NULL;
    if (perp_def_validate(def, NULL, 0) != STATUS_OK) return STATUS_INVALID;
    PerpVenue *p = mem_calloc(1, sizeof *p);
    if (!p) return STATUS_NOMEM;
    p->def = *def;
    p->base_table = def->ledger.table;
    BookDef bd = def->book;
    bd.listener = (BookListener){p, on_fill, on_order_done, NULL, reduce_only_max};
    Status s = book_create(&bd, &p->book);
    if (s == STATUS_OK) s = ledger_init(&p->ledger, &def->ledger);
    if (s == STATUS_OK) s = otab_init(&p->orders, def->ledger.capacity, def->book.order_capacity);
    if (s == STATUS_OK) s = perp__reserve_accounts(p, def->ledger.capacity);
    if (s == STATUS_OK && def->insurance_fund > 0) s = ledger_fund_deposit(&p->ledger, def->insurance_fund);
    if (s != STATUS_OK) goto fail;
    mark_init(&p->mark, &def->mark);
    funding_init(&p->funding);
    p->now = def->start;
    p->next_mark = def->start;
    p->next_sample = def->start + def->funding.sample_period;
    p->next_funding = simtime_next_funding(def->start, def->funding.interval);
    p->next_engine = SIMTIME_MAX;
    p->next_review = def->policy.dyn_mmr != DYN_MMR_OFF ? def->start + def->policy.dyn_review : SIMTIME_MAX;
    p->halt_until = SIMTIME_MAX;
    perp__due_changed(p);
    p->stats.dyn_factor_ppm = 1000000;
    *out = p;
    return STATUS_OK;
fail:
    perp_destroy(p);
    return s;
}

void perp_destroy(PerpVenue *p)
{
    if (!p) return;
    book_destroy(p->book);
    ledger_fini(&p->ledger);
    otab_fini(&p->orders);
    perp__liq_fini(p);
    perp__policy_fini(p);
    mem_free(p->role);
    mem_free(p->open_notional);
    mem_free(p->stamp);
    mem_free(p->scratch);
    mem_free(p);
}

void perp_set_listener(PerpVenue *p, const PerpListener *l) { p->listener = *l; }

/* ---- accounts ---- */

static bool user_account(const PerpVenue *p, AccountId a)
{
    return a < ledger_account_count(&p->ledger) && p->role[a] != PERP_ROLE_ENGINE;
}

Status perp_add_account(PerpVenue *p, MarginMode mode, int32_t leverage, AccountId *out)
{
    if (leverage < 1 || leverage > p->def.policy.max_leverage) return STATUS_INVALID;
    AccountId a;
    Status s = ledger_add_account(&p->ledger, mode, leverage, &a);
    if (s != STATUS_OK) return s;
    s = perp__reserve_accounts(p, a + 1u);
    if (s != STATUS_OK) return s;
    *out = a;
    return STATUS_OK;
}

Status perp_add_backstop(PerpVenue *p, AccountId a, const PerpBackstop *taker)
{
    if (!user_account(p, a) || ledger_mode(&p->ledger, a) != MARGIN_MODE_CROSS || p->role[a] == PERP_ROLE_BACKSTOP)
        return STATUS_INVALID;
    if (p->backstop_count == p->backstop_cap) {
        uint32_t cap = p->backstop_cap ? p->backstop_cap * 2u : 4u;
        BackstopReg *b = mem_realloc(p->backstops, (size_t)cap * sizeof *b);
        if (!b) return STATUS_NOMEM;
        p->backstops = b;
        p->backstop_cap = cap;
    }
    p->backstops[p->backstop_count++] = (BackstopReg){a, *taker, 0, 0};
    p->role[a] = PERP_ROLE_BACKSTOP;
    return STATUS_OK;
}

Status perp_deposit(PerpVenue *p, AccountId a, Quote amount)
{
    if (!user_account(p, a)) return STATUS_INVALID;
    return ledger_deposit(&p->ledger, a, amount);
}

/* Notional that the open orders on `side` (plus extra_notional) could open: what closes the position opens nothing.
 * At or below 0 it needs no margin. */
static Quote order_want(const PerpVenue *p, AccountId a, Side side, Quote extra_notional, Ticks price)
{
    Quote want = p->open_notional[2 * a + side] + extra_notional;
    Lots q = ledger_qty(&p->ledger, a);
    bool closes = (side == SIDE_SELL && q > 0) || (side == SIDE_BUY && q < 0);
    if (closes) want -= money_notional(price, money_abs(q));
    return want;
}

/* Margin that open orders would need: the larger side's initial margin on what it could open (MODEL.md 3.3;
 * Binance charges the larger of the two sides' order margins). The initial margin does not decrease with the
 * notional (0 up to 0, then ceil(want / leverage) >= 1), so the margin of the larger want is the larger margin:
 * one division instead of two, on every submission and free-margin read. */
static Quote order_margin(const PerpVenue *p, AccountId a, Quote want_buy, Quote want_sell)
{
    Quote want = want_buy > want_sell ? want_buy : want_sell;
    if (want <= 0) return 0;
    return margin_initial(want, ledger_leverage(&p->ledger, a));
}

static Ticks ref_price(const PerpVenue *p)
{
    Ticks m = mark_price(&p->mark);
    if (m > 0) return m;
    if (p->index_tk > 0) return p->index_tk;
    return book_last_price(p->book);
}

static Quote margin_base(const PerpVenue *p, AccountId a, Ticks mark)
{
    if (ledger_mode(&p->ledger, a) == MARGIN_MODE_ISOLATED) return ledger_cash(&p->ledger, a);
    return mark > 0 ? ledger_available(&p->ledger, a, mark) : ledger_cash(&p->ledger, a);
}

Quote perp_free_margin(const PerpVenue *p, AccountId a)
{
    Ticks m = ref_price(p);
    Ticks px = m > 0 ? m : 1;
    Quote need = order_margin(p, a, order_want(p, a, SIDE_BUY, 0, px), order_want(p, a, SIDE_SELL, 0, px));
    return margin_base(p, a, m) - need;
}

/* perp_advance for the calls that take `now`: the world has already run every task due by now before it hands the
 * venue an order, so usually only the clock moves, without a call. */
static inline void catch_up(PerpVenue *p, SimTime now)
{
    if (p->next_due > now) {
        CASCADE_ASSERT(now >= p->now);
        p->now = now;
        return;
    }
    perp_advance(p, now);
}

Status perp_withdraw(PerpVenue *p, SimTime now, AccountId a, Quote amount)
{
    catch_up(p, now);
    if (!user_account(p, a) || amount <= 0) return STATUS_INVALID;
    if (amount > perp_free_margin(p, a)) return STATUS_REJECTED;
    Status s = ledger_withdraw(&p->ledger, a, amount, ref_price(p) > 0 ? ref_price(p) : 1);
    perp__validate(p);
    return s;
}

Status perp_set_leverage(PerpVenue *p, AccountId a, int32_t leverage)
{
    if (!user_account(p, a) || leverage < 1 || leverage > p->def.policy.max_leverage) return STATUS_INVALID;
    Ticks m = ref_price(p);
    Quote n = money_notional(m > 0 ? m : 1, money_abs(ledger_qty(&p->ledger, a)));
    if (leverage > margin_max_leverage(&p->ledger.table, n)) return STATUS_REJECTED;
    return ledger_set_leverage(&p->ledger, a, leverage);
}

Status perp_add_margin(PerpVenue *p, SimTime now, AccountId a, Quote amount)
{
    catch_up(p, now);
    if (!user_account(p, a)) return STATUS_INVALID;
    if (amount > perp_free_margin(p, a)) return STATUS_REJECTED;
    Status s = ledger_add_margin(&p->ledger, a, amount);
    perp__validate(p);
    return s;
}

/* ---- orders ---- */

void perp__on_trip(PerpVenue *p)
{
    if (!p->halted) {
        Status s = book_set_auction(p->book, true);
        CASCADE_ASSERT(s == STATUS_OK);
        p->halted = true;
        p->halt_until = p->now + p->def.policy.cb_halt;
        perp__due_changed(p);
        p->stats.halts++;
    }
    p->cb_tripped = false;
}

Status perp_submit(PerpVenue *p, SimTime now, AccountId a, const VenueReq *req, VenueResult *out)
{
    catch_up(p, now);
    VenueResult res = {0};
    if (out) *out = res;
    if (!user_account(p, a) || req->qty <= 0 || (unsigned)req->side > SIDE_SELL || (unsigned)req->type >= ORDER_TYPE_COUNT_ ||
        (req->type != ORDER_MARKET && req->price_tk <= 0))
        return STATUS_INVALID;
    p->stats.submits++;
    if (perp__band_rejects(p, req)) {
        p->stats.rejects++;
        p->stats.band_rejects++;
        return STATUS_REJECTED;
    }
    bool reduce_only = (req->flags & ORDER_FLAG_REDUCE_ONLY) != 0;
    Ticks m = ref_price(p);
    int32_t band = p->def.policy.price_band_bps > 0 ? p->def.policy.price_band_bps : p->def.market_band_bps;
    /* The price the margin check assumes: the limit (or trigger) price, or for a market order the worst price
     * its band allows (buy) / the reference (sell). */
    Ticks px = req->price_tk;
    if (req->type == ORDER_MARKET) {
        Ticks r = m > 0 ? m : (req->side == SIDE_BUY ? book_best_ask(p->book) : book_best_bid(p->book));
        if (r <= 0) { p->stats.rejects++; return STATUS_REJECTED; }
        px = req->side == SIDE_BUY ? r + money_bps(r, band, ROUND_CEIL) : r;
    }
    Quote notional = 0;
    if (!money_mul(px, req->qty, &notional)) return STATUS_INVALID;
    if (!reduce_only) {
        Ticks mp = m > 0 ? m : px;
        Quote buy = order_want(p, a, SIDE_BUY, req->side == SIDE_BUY ? notional : 0, mp);
        Quote sell = order_want(p, a, SIDE_SELL, req->side == SIDE_SELL ? notional : 0, mp);
        Quote need = order_margin(p, a, buy, sell) + money_fee(notional, p->def.taker_fee_bps);
        if (need > margin_base(p, a, mp)) {
            p->stats.rejects++;
            p->stats.margin_rejects++;
            return STATUS_REJECTED;
        }
    }
    OrderRef ref;
    VenueOrder *o;
    Status s = otab_add(&p->orders, a, &ref, &o);
    if (s != STATUS_OK) return s;
    o->user_tag = req->tag;
    o->side = req->side;
    o->kind = ORDER_KIND_USER;
    o->reduce_only = reduce_only;
    o->price_tk = px;
    o->remaining = req->qty;
    if (!reduce_only) p->open_notional[2 * a + req->side] += notional;
    OrderReq br = {0};
    br.type = req->type;
    br.side = req->side;
    br.price_tk = req->price_tk;
    br.qty = req->qty;
    br.owner = a;
    br.tag = ref;
    br.flags = req->flags;
    br.trigger = req->trigger;
    br.ref_tk = m;
    br.band_bps = band;
    BookResult r;
    s = book_submit(p->book, &br, &r);
    if (s != STATUS_OK) {
        /* Rejected before anything happened: drop the record (it never traded). */
        VenueOrder *gone = otab_try_get(&p->orders, ref);
        if (gone) order_gone(p, ref, gone);
        p->stats.rejects++;
        perp__after_book_call(p);
        perp__validate(p);
        return s;
    }
    VenueOrder *live = otab_try_get(&p->orders, ref);
    if (live) {
        if (r.accepted < req->qty) {
            /* Reduce-only clamp: the record holds what the book holds. */
            live->remaining -= req->qty - r.accepted;
        }
        live->book_id = r.id;
    }
    res.ref = live ? ref : ORDER_REF_NONE;
    res.accepted = r.accepted;
    res.filled = r.filled;
    res.resting = r.resting;
    if (out) *out = res;
    perp__after_book_call(p);
    perp__validate(p);
    return STATUS_OK;
}

Lots perp__engine_order(PerpVenue *p, uint32_t item_slot, OrderType type, Side side, Ticks price, Lots qty)
{
    const LiqItem *it = &p->items[item_slot];
    /* An order that cannot trade now (the book is in its auction, or the opposite touch lies beyond the band or the
     * limit) would only take an order slot, report its own ending to the venue and return it: nothing the ledger,
     * the records or the world see. Skip it. In a crash the engine retries every stuck item at every tick, and
     * these futile orders were most of a large run's time. */
    Ticks opp = side == SIDE_BUY ? book_best_ask(p->book) : book_best_bid(p->book);
    Ticks mark = mark_price(&p->mark);
    if (book_in_auction(p->book) || opp == 0) return 0;
    if (type == ORDER_MARKET && mark > 0) {
        if (perp__beyond(side, opp, perp__engine_edge(p, side))) return 0;
    } else if (type == ORDER_IOC) {
        if (perp__beyond(side, opp, price)) return 0;
    }
    OrderRef ref;
    VenueOrder *o;
    if (otab_add(&p->orders, it->engine, &ref, &o) != STATUS_OK) return 0;
    o->side = side;
    o->kind = ORDER_KIND_LIQUIDATION;
    o->reduce_only = 1; /* engine orders hold no order margin */
    o->price_tk = price;
    o->remaining = qty;
    o->aux = item_slot;
    OrderReq br = {0};
    br.type = type;
    br.side = side;
    br.price_tk = price;
    br.qty = qty;
    br.owner = it->engine;
    br.tag = ref;
    br.stp = STP_NONE;
    br.ref_tk = mark_price(&p->mark);
    br.band_bps = p->def.liq.band_bps;
    BookResult r = {0};
    Status s = book_submit(p->book, &br, &r);
    VenueOrder *left = otab_try_get(&p->orders, ref);
    if (left) order_gone(p, ref, left); /* IOC and market orders never rest; a rejected one never traded */
    (void)s;
    perp__after_book_call(p);
    return r.filled;
}

static void cancel_one(PerpVenue *p, OrderRef ref, bool notify)
{
    VenueOrder *o = otab_get(&p->orders, ref);
    Status s = book_cancel(p->book, o->book_id);
    CASCADE_ASSERT(s == STATUS_OK);
    AccountId a = o->owner;
    uint64_t tag = o->user_tag;
    Lots rem = o->remaining;
    order_gone(p, ref, o);
    p->stats.cancels++;
    if (notify && p->listener.on_order_done) p->listener.on_order_done(p->listener.ctx, a, ref, tag, rem);
}

Status perp_cancel(PerpVenue *p, SimTime now, AccountId a, OrderRef ref)
{
    catch_up(p, now);
    VenueOrder *o = otab_try_get(&p->orders, ref);
    if (!o) return STATUS_STALE;
    if (o->owner != a) return STATUS_INVALID;
    cancel_one(p, ref, false);
    perp__validate(p);
    return STATUS_OK;
}

uint32_t perp__cancel_all(PerpVenue *p, AccountId a, bool notify)
{
    uint32_t n = 0;
    for (OrderRef r = otab_first(&p->orders, a); r != ORDER_REF_NONE; r = otab_first(&p->orders, a)) {
        cancel_one(p, r, notify);
        n++;
    }
    return n;
}

uint32_t perp_cancel_all(PerpVenue *p, SimTime now, AccountId a)
{
    catch_up(p, now);
    if (!user_account(p, a)) return 0;
    uint32_t n = perp__cancel_all(p, a, false);
    perp__validate(p);
    return n;
}

uint32_t perp_order_count(const PerpVenue *p, AccountId a) { return otab_count(&p->orders, a); }

/* ---- schedule ---- */

void perp_set_index(PerpVenue *p, Ticks index_tk)
{
    if (index_tk > 0) p->index_tk = index_tk;
}

SimTime perp_next_due(const PerpVenue *p) { return p->next_due; }

static void mark_task(PerpVenue *p)
{
    Ticks bid = book_best_bid(p->book), ask = book_best_ask(p->book);
    Ticks mid = bid > 0 && ask > 0 ? money_div(bid + ask, 2, ROUND_HALF_EVEN) : 0;
    SimDuration until = p->next_funding - p->now;
    Ticks m = mark_update(&p->mark, p->now, p->index_tk, mid, book_last_price(p->book), p->stats.last_funding_e8,
                          until, p->def.funding.interval);
    if (m <= 0) return;
    p->stats.mark_updates++;
    perp__vol_on_mark(p, m);
    Status s = book_on_mark(p->book, m);
    CASCADE_ASSERT(s == STATUS_OK);
    perp__after_book_call(p);
    perp__check_liquidations(p);
    perp__update_backlog_stats(p);
}

static void funding_task(PerpVenue *p)
{
    Ticks m = mark_price(&p->mark);
    int64_t rate = funding_rate(&p->funding, &p->def.funding);
    if (m > 0) {
        Status s = ledger_apply_funding(&p->ledger, rate, m, NULL);
        CASCADE_ASSERT(s == STATUS_OK);
        p->stats.fundings++;
        p->stats.last_funding_e8 = rate;
        perp__check_liquidations(p); /* funding moved isolated margins and so liquidation prices */
    }
    funding_reset(&p->funding);
}

void perp_advance(PerpVenue *p, SimTime now)
{
    CASCADE_ASSERT(now >= p->now);
    for (;;) {
        SimTime t = perp_next_due(p);
        if (t > now) break;
        p->now = t;
        if (p->halt_until == t) perp__halt_end(p);
        if (p->next_mark == t) {
            mark_task(p);
            p->next_mark = t + p->def.mark_period;
            perp__due_changed(p);
        }
        if (p->next_sample == t) {
            if (p->index_tk > 0) funding_sample_book(&p->funding, &p->def.funding, p->book, p->index_tk, NULL);
            p->next_sample = t + p->def.funding.sample_period;
            perp__due_changed(p);
        }
        if (p->next_funding == t) {
            funding_task(p);
            p->next_funding = simtime_next_funding(t, p->def.funding.interval);
            perp__due_changed(p);
        }
        if (p->next_review == t) {
            perp__review_margin(p);
            p->next_review = t + p->def.policy.dyn_review;
            perp__due_changed(p);
        }
        if (p->next_engine == t) perp__engine_tick(p);
        perp__validate(p);
    }
    p->now = now;
}

/* ---- reads ---- */

const PerpDef *perp_def(const PerpVenue *p) { return &p->def; }
const Book *perp_book(const PerpVenue *p) { return p->book; }
const Ledger *perp_ledger(const PerpVenue *p) { return &p->ledger; }
Ticks perp_mark(const PerpVenue *p) { return mark_price(&p->mark); }
Ticks perp_index(const PerpVenue *p) { return p->index_tk; }
bool perp_halted(const PerpVenue *p) { return p->halted; }
bool perp_is_internal(const PerpVenue *p, AccountId a) { return a < p->acct_cap && p->role[a] == PERP_ROLE_ENGINE; }
const MarginTable *perp_table(const PerpVenue *p) { return &p->ledger.table; }

int64_t perp_margin_ratio_ppm(const PerpVenue *p, AccountId a)
{
    Ticks m = mark_price(&p->mark);
    if (ledger_qty(&p->ledger, a) == 0 || m <= 0) return 0;
    Quote mb = ledger_margin_balance(&p->ledger, a, m);
    if (mb <= 0) return INT64_MAX;
    int64_t r = 0;
    if (!money_mul_div(ledger_maintenance(&p->ledger, a, m), 1000000, mb, ROUND_CEIL, &r)) return INT64_MAX;
    return r;
}

bool perp_margin_call(const PerpVenue *p, AccountId a) { return perp_margin_ratio_ppm(p, a) >= p->def.warn_ratio_ppm; }

PerpStats perp_stats(const PerpVenue *p) { return p->stats; }

const PerpLiqRecord *perp_liq_records(const PerpVenue *p, uint32_t *count)
{
    *count = p->record_count;
    return p->records;
}

/* ---- checks ---- */

Status perp_check(const PerpVenue *p, char *why, size_t cap)
{
    SimTime due = p->next_mark;
    const SimTime times[] = {p->next_sample, p->next_funding, p->next_engine, p->next_review, p->halt_until};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) due = times[i] < due ? times[i] : due;
    if (due != p->next_due) {
        if (why) snprintf(why, cap, "perp: cached next due time is stale");
        return STATUS_INVALID;
    }
    Status s = ledger_check(&p->ledger, why, cap);
    if (s != STATUS_OK) return s;
    s = otab_validate(&p->orders, why, cap);
    if (s != STATUS_OK) return s;
    uint32_t n = ledger_account_count(&p->ledger);
    for (AccountId a = 0; a < n; a++) {
        Quote sum[2] = {0, 0};
        for (OrderRef r = otab_first(&p->orders, a); r != ORDER_REF_NONE; r = otab_next(&p->orders, r)) {
            const VenueOrder *o = otab_peek(&p->orders, r);
            BookOrderInfo info;
            if (book_order_info(p->book, o->book_id, &info) != STATUS_OK || info.owner != a ||
                info.remaining != o->remaining || info.tag != r) {
                if (why) snprintf(why, cap, "perp: order of account %u disagrees with the book", a);
                return STATUS_INVALID;
            }
            if (!o->reduce_only) sum[o->side] += money_notional(o->price_tk, o->remaining);
        }
        if (sum[0] != p->open_notional[2 * a] || sum[1] != p->open_notional[2 * a + 1]) {
            if (why) snprintf(why, cap, "perp: account %u open order notional %lld/%lld, orders say %lld/%lld", a,
                              (long long)p->open_notional[2 * a], (long long)p->open_notional[2 * a + 1],
                              (long long)sum[0], (long long)sum[1]);
            return STATUS_INVALID;
        }
    }
    BookCounts bc = book_counts(p->book);
    if (bc.resting_orders + bc.stop_orders != otab_total(&p->orders)) {
        if (why) snprintf(why, cap, "perp: book holds %u orders, venue %u", bc.resting_orders + bc.stop_orders,
                          otab_total(&p->orders));
        return STATUS_INVALID;
    }
    return perp__liq_check(p, why, cap);
}

void perp__validate(PerpVenue *p)
{
#if CASCADE_VALIDATE_ON
    if (!cascade_validate_due(&p->validate_calls, ledger_account_count(&p->ledger) + otab_total(&p->orders))) return;
    char why[256] = "";
    Status s = perp_check(p, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "perp_check: %s\n", why);
    CASCADE_ASSERT(s == STATUS_OK);
#else
    (void)p;
#endif
}

const char *liq_mode_name(LiqMode m)
{
    static const char *names[] = {"market", "bankruptcy_ioc", "partial", "backstop"};
    return (unsigned)m < LIQ_MODE_COUNT_ ? names[m] : "?";
}

const char *dyn_mmr_mode_name(DynMmrMode m)
{
    static const char *names[] = {"off", "volatility", "crowding", "both"};
    return (unsigned)m < DYN_MMR_COUNT_ ? names[m] : "?";
}
