/* Stop-market orders: held outside the book until triggered (docs/book.md, "Stops").
 *
 * Four binary heaps, one per (trigger source, side), whose root is the next stop to trigger: buy stops by (trigger
 * price ascending, arrival), sell stops by (trigger price descending, arrival) -- a total order, so the heap pops
 * exactly the sequence a sorted list would. Each entry carries its key (no order is touched while sifting) and each
 * stop its heap index (cancel finds it in O(1)): insert, cancel and trigger are O(log n). A sorted array with
 * memmove did the same in O(n), which a crowd of 10^6 retail traders with stop-losses turned into a visible cost.
 * Triggering one stop at a time and re-evaluating after its fills gives cascades for free and a deterministic
 * order: within a side, by trigger price in the direction of travel then arrival (last and mark lists merged by
 * that key); when both sides have a triggered stop, the side of the latest price move goes first. */
#include "book_internal.h"

#include "alloc.h"

#include <stdio.h>
#include <string.h>

bool book__stop_hit(Side side, Ticks stop_tk, Ticks px)
{
    return side == SIDE_BUY ? px >= stop_tk : px <= stop_tk;
}

/* True when stop entry x triggers before stop entry y (same side): the heaps' order, and the merge of the last and
 * mark heaps' roots. */
static inline bool entry_before(Side side, const StopEntry *x, const StopEntry *y)
{
    if (x->price_tk != y->price_tk) return side == SIDE_BUY ? x->price_tk < y->price_tk : x->price_tk > y->price_tk;
    return x->seq < y->seq;
}

static inline void heap_put(Book *b, StopList *sl, uint32_t i, StopEntry e)
{
    sl->e[i] = e;
    b->orders[e.slot].stop_pos = i;
}

static void sift_up(Book *b, StopList *sl, Side side, uint32_t i, StopEntry e)
{
    while (i > 0) {
        uint32_t parent = (i - 1u) / 2u;
        if (!entry_before(side, &e, &sl->e[parent])) break;
        heap_put(b, sl, i, sl->e[parent]);
        i = parent;
    }
    heap_put(b, sl, i, e);
}

static void sift_down(Book *b, StopList *sl, Side side, uint32_t i, StopEntry e)
{
    for (;;) {
        uint32_t c = 2u * i + 1u;
        if (c >= sl->count) break;
        if (c + 1u < sl->count && entry_before(side, &sl->e[c + 1u], &sl->e[c])) c++;
        if (!entry_before(side, &sl->e[c], &e)) break;
        heap_put(b, sl, i, sl->e[c]);
        i = c;
    }
    heap_put(b, sl, i, e);
}

/* Takes the entry at index i out of its heap. */
static void heap_remove_at(Book *b, StopList *sl, Side side, uint32_t i)
{
    CASCADE_ASSERT(i < sl->count);
    StopEntry last = sl->e[--sl->count];
    if (i == sl->count) return;
    if (i > 0 && entry_before(side, &last, &sl->e[(i - 1u) / 2u])) sift_up(b, sl, side, i, last);
    else sift_down(b, sl, side, i, last);
}

Status book__stops_reserve(Book *b, StopTrigger trigger, Side side)
{
    StopList *sl = &b->stops[trigger][side];
    if (sl->count < sl->cap) return STATUS_OK;
    uint64_t ncap = sl->cap ? (uint64_t)sl->cap * 2u : 16u;
    if (ncap > UINT32_MAX) return STATUS_FULL;
    StopEntry *p = mem_realloc(sl->e, (size_t)ncap * sizeof *p);
    if (!p) return STATUS_NOMEM;
    sl->e = p;
    sl->cap = (uint32_t)ncap;
    return STATUS_OK;
}

void book__stops_insert(Book *b, uint32_t slot)
{
    Order *o = &b->orders[slot];
    StopList *sl = &b->stops[o->trigger][o->side];
    CASCADE_ASSERT(sl->count < sl->cap);
    StopEntry e = {o->price_tk, o->seq, slot, 0};
    sl->count++;
    sift_up(b, sl, (Side)o->side, sl->count - 1u, e);
    b->stop_count++;
    o->state = ORDER_STATE_STOP;
}

void book__stops_remove(Book *b, uint32_t slot)
{
    Order *o = &b->orders[slot];
    CASCADE_ASSERT(o->state == ORDER_STATE_STOP);
    StopList *sl = &b->stops[o->trigger][o->side];
    CASCADE_ASSERT(o->stop_pos < sl->count && sl->e[o->stop_pos].slot == slot);
    heap_remove_at(b, sl, (Side)o->side, o->stop_pos);
    b->stop_count--;
    o->state = ORDER_STATE_ACTIVE;
}

/* The triggered stop of `side` that goes first, or BOOK_NIL; its list and trigger price in *trig_out, *px_out. */
static uint32_t side_candidate(const Book *b, Side side, int *trig_out, Ticks *px_out)
{
    const StopEntry *best = NULL;
    for (int t = 0; t < STOP_TRIGGER_COUNT_; t++) {
        const StopList *sl = &b->stops[t][side];
        if (sl->count == 0) continue;
        const StopEntry *root = &sl->e[0];
        Ticks px = t == STOP_TRIGGER_LAST ? b->last_tk : b->mark_tk;
        if (px == 0 || !book__stop_hit(side, root->price_tk, px)) continue;
        if (!best || entry_before(side, root, best)) {
            best = root;
            *trig_out = t;
            *px_out = px;
        }
    }
    return best ? best->slot : BOOK_NIL;
}

void book__trigger_stops(Book *b)
{
    CASCADE_ASSERT(!b->auction && b->stop_count != 0);
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
        CASCADE_ASSERT(sl->count > 0 && sl->e[0].slot == slot);
        heap_remove_at(b, sl, side, 0);
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
                uint32_t slot = sl->e[i].slot;
                if (slot >= b->fresh) return stop_fail(why, cap, "slot out of range", slot);
                const Order *o = &b->orders[slot];
                if (o->state != ORDER_STATE_STOP) return stop_fail(why, cap, "listed order not a stop", slot);
                if (o->side != s || o->trigger != t) return stop_fail(why, cap, "stop in the wrong heap", slot);
                if (o->type != ORDER_STOP_MARKET || o->qty <= 0) return stop_fail(why, cap, "bad stop order", slot);
                if (o->stop_pos != i) return stop_fail(why, cap, "stop's heap index is stale", slot);
                if (sl->e[i].price_tk != o->price_tk || sl->e[i].seq != o->seq)
                    return stop_fail(why, cap, "heap entry's key differs from its order", slot);
                if (i > 0 && entry_before((Side)s, &sl->e[i], &sl->e[(i - 1u) / 2u]))
                    return stop_fail(why, cap, "stop heap out of trigger order", slot);
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
            mem_free(b->stops[t][s].e);
            b->stops[t][s].e = NULL;
            b->stops[t][s].count = b->stops[t][s].cap = 0;
        }
}
