/* Stop-market orders: held outside the book until triggered (docs/book.md, "Stops").
 *
 * Four lists, one per (trigger source, side), of pool slots sorted in reverse trigger order so the next stop to
 * trigger is the last element: buy stops by (trigger price ascending, arrival), sell stops by (trigger price
 * descending, arrival). A buy stop triggers when its source price >= trigger price, a sell stop when <=.
 * Insert/cancel: binary search + memmove (O(log n + n) with a small constant; stops are few compared with resting
 * orders). Triggering one stop at a time and re-evaluating after its fills gives cascades for free and a
 * deterministic order: within a side, by trigger price in the direction of travel then arrival (last and mark
 * lists merged by that key); when both sides have a triggered stop, the side of the latest price move goes first. */
#include "book_internal.h"

#include "alloc.h"

#include <stdio.h>
#include <string.h>

bool book__stop_hit(Side side, Ticks stop_tk, Ticks px)
{
    return side == SIDE_BUY ? px >= stop_tk : px <= stop_tk;
}

/* True when stop slot a triggers before stop slot c (same side). */
static bool trig_before(const Book *b, uint32_t a, uint32_t c)
{
    const Order *x = &b->orders[a], *y = &b->orders[c];
    if (x->price_tk != y->price_tk) return x->side == SIDE_BUY ? x->price_tk < y->price_tk : x->price_tk > y->price_tk;
    return x->seq < y->seq;
}

/* First index whose element triggers before `slot` (or is `slot` itself when include_self). */
static uint32_t list_search(const Book *b, const StopList *sl, uint32_t slot, bool include_self)
{
    uint32_t lo = 0, hi = sl->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;
        uint32_t e = sl->slots[mid];
        bool right = trig_before(b, e, slot) || (include_self && e == slot);
        if (right) hi = mid;
        else lo = mid + 1u;
    }
    return lo;
}

Status book__stops_reserve(Book *b, StopTrigger trigger, Side side)
{
    StopList *sl = &b->stops[trigger][side];
    if (sl->count < sl->cap) return STATUS_OK;
    uint64_t ncap = sl->cap ? (uint64_t)sl->cap * 2u : 16u;
    if (ncap > UINT32_MAX) return STATUS_FULL;
    uint32_t *p = mem_realloc(sl->slots, (size_t)ncap * sizeof *p);
    if (!p) return STATUS_NOMEM;
    sl->slots = p;
    sl->cap = (uint32_t)ncap;
    return STATUS_OK;
}

void book__stops_insert(Book *b, uint32_t slot)
{
    Order *o = &b->orders[slot];
    StopList *sl = &b->stops[o->trigger][o->side];
    CASCADE_ASSERT(sl->count < sl->cap);
    uint32_t i = list_search(b, sl, slot, false);
    memmove(&sl->slots[i + 1], &sl->slots[i], (size_t)(sl->count - i) * sizeof sl->slots[0]);
    sl->slots[i] = slot;
    sl->count++;
    b->stop_count++;
    o->state = ORDER_STATE_STOP;
}

void book__stops_remove(Book *b, uint32_t slot)
{
    Order *o = &b->orders[slot];
    CASCADE_ASSERT(o->state == ORDER_STATE_STOP);
    StopList *sl = &b->stops[o->trigger][o->side];
    uint32_t i = list_search(b, sl, slot, true);
    CASCADE_ASSERT(i < sl->count && sl->slots[i] == slot);
    memmove(&sl->slots[i], &sl->slots[i + 1], (size_t)(sl->count - i - 1u) * sizeof sl->slots[0]);
    sl->count--;
    b->stop_count--;
    o->state = ORDER_STATE_ACTIVE;
}

/* The triggered stop of `side` that goes first, or BOOK_NIL; its list and trigger price in *trig_out, *px_out. */
static uint32_t side_candidate(const Book *b, Side side, int *trig_out, Ticks *px_out)
{
    uint32_t best = BOOK_NIL;
    for (int t = 0; t < STOP_TRIGGER_COUNT_; t++) {
        const StopList *sl = &b->stops[t][side];
        if (sl->count == 0) continue;
        uint32_t s = sl->slots[sl->count - 1u];
        Ticks px = t == STOP_TRIGGER_LAST ? b->last_tk : b->mark_tk;
        if (px == 0 || !book__stop_hit(side, b->orders[s].price_tk, px)) continue;
        if (best == BOOK_NIL || trig_before(b, s, best)) {
            best = s;
            *trig_out = t;
            *px_out = px;
        }
    }
    return best;
}

void book__run_stops(Book *b)
{
    /* Runs after every submission and mark update; without resting stops there is nothing to trigger. */
    if (b->auction || b->stop_count == 0) return;
    for (;;) {
        int tb = 0, ts = 0;
        Ticks pb = 0, ps = 0;
        uint32_t cb = side_candidate(b, SIDE_BUY, &tb, &pb);
        uint32_t cs = side_candidate(b, SIDE_SELL, &ts, &ps);
        if (cb == BOOK_NIL && cs == BOOK_NIL) break;
        bool buy = cs == BOOK_NIL || (cb != BOOK_NIL && b->last_dir >= 0);
        uint32_t slot = buy ? cb : cs;
        int trig = buy ? tb : ts;
        Ticks px = buy ? pb : ps;
        Side side = buy ? SIDE_BUY : SIDE_SELL;

        StopList *sl = &b->stops[trig][side];
        CASCADE_ASSERT(sl->count > 0 && sl->slots[sl->count - 1u] == slot);
        sl->count--;
        b->stop_count--;
        Order *o = &b->orders[slot];
        Ticks ref = o->u.stop_ref_tk;
        int32_t band = o->band_bps;
        o->u.q.prev = o->u.q.next = BOOK_NIL;
        o->state = ORDER_STATE_ACTIVE;
        b->lst.on_stop_triggered(b->lst.ctx, book__make_id(slot, o->gen), o->owner, o->tag, px);
        if (o->flags & ORDER_FLAG_REDUCE_ONLY) {
            Lots mx = b->lst.reduce_only_max ? b->lst.reduce_only_max(b->lst.ctx, o->owner, side) : 0;
            if (mx <= 0) {
                book__report_done(b, slot, BOOK_DONE_REDUCE_ONLY);
                book__free_slot(b, slot);
                continue;
            }
            if (mx < o->qty) o->qty = mx;
        }
        book__execute_market(b, slot, ref, band);
    }
}

static bool stop_fail(char *why, size_t cap, const char *msg, uint32_t slot)
{
    if (why && cap) snprintf(why, cap, "stops: %s (slot %u)", msg, slot);
    return false;
}

bool book__stops_validate(const Book *b, char *why, size_t cap, uint32_t *stops_seen)
{
    for (int t = 0; t < STOP_TRIGGER_COUNT_; t++) {
        for (int s = 0; s < 2; s++) {
            const StopList *sl = &b->stops[t][s];
            if (sl->count > sl->cap) return stop_fail(why, cap, "count > cap", 0);
            for (uint32_t i = 0; i < sl->count; i++) {
                uint32_t slot = sl->slots[i];
                if (slot >= b->cap) return stop_fail(why, cap, "slot out of range", slot);
                const Order *o = &b->orders[slot];
                if (o->state != ORDER_STATE_STOP) return stop_fail(why, cap, "listed order not a stop", slot);
                if (o->side != s || o->trigger != t) return stop_fail(why, cap, "stop in the wrong list", slot);
                if (o->type != ORDER_STOP_MARKET || o->qty <= 0) return stop_fail(why, cap, "bad stop order", slot);
                if (i > 0 && !trig_before(b, slot, sl->slots[i - 1u]))
                    return stop_fail(why, cap, "stop list out of trigger order", slot);
            }
            *stops_seen += sl->count;
        }
    }
    return true;
}

void book__stops_free(Book *b)
{
    for (int t = 0; t < STOP_TRIGGER_COUNT_; t++)
        for (int s = 0; s < 2; s++) {
            mem_free(b->stops[t][s].slots);
            b->stops[t][s].slots = NULL;
            b->stops[t][s].count = b->stops[t][s].cap = 0;
        }
}
