/* The limit order book: ladder, matching, orders, queries, validation.
 *
 * Design overview (details and rejected alternatives in docs/book.md):
 *
 *   orders    one pool array of 64-byte Order slots with a LIFO free list; an OrderId is (generation << 32) | slot,
 *             the generation is bumped when a slot is freed, so a stale id is detected in O(1), never dereferenced.
 *             Slots are initialised when first taken; the pool grows by doubling (mem_realloc) when the free list
 *             is empty and every slot has been used: never one malloc per order.
 *   levels    per side a dense window of `window` price levels starting at base_tk (shared by both sides), each an
 *             intrusive FIFO (head/tail slots in the level, prev/next in the order) with its total quantity.
 *   bitmap    per side a two-level bitmap of non-empty window levels: words[window/64] and summary[window/4096];
 *             next/previous non-empty level = two count-trailing/leading-zero steps (plus a summary scan for
 *             windows wider than 4096 ticks).
 *   far       prices outside the window live in a per-side sorted array of levels (binary search, memmove insert).
 *             When the touch drifts out of the middle half of the window, the window is moved (re-bucketed) to
 *             centre it again: O(window + far levels), amortised over at least window/4 ticks of drift.
 *   best      best bid/ask cached per side; refreshed from the bitmap and far store when its level empties.
 *
 * Complexity: add O(1) (window) / O(log F + F) (far), cancel O(1), match O(1) per fill plus O(1) per emptied level,
 * best O(1). No allocation on the hot path except the rare pool or far-store doubling. */
#include "book_internal.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- listener defaults: no-ops, so that the hot path calls without testing for NULL ---- */

static void nop_fill(void *ctx, const BookFill *fill)
{
    (void)ctx;
    (void)fill;
}

static void nop_done(void *ctx, OrderId id, uint32_t owner, uint64_t tag, BookDoneReason reason, Lots remaining)
{
    (void)ctx;
    (void)id;
    (void)owner;
    (void)tag;
    (void)reason;
    (void)remaining;
}

static void nop_trigger(void *ctx, OrderId id, uint32_t owner, uint64_t tag, Ticks price_tk)
{
    (void)ctx;
    (void)id;
    (void)owner;
    (void)tag;
    (void)price_tk;
}

static const Level LEVEL_EMPTY = {BOOK_NIL, BOOK_NIL, 0, 0, 0};

BookDef book_default_def(void)
{
    BookDef d;
    memset(&d, 0, sizeof d);
    d.initial_center_tk = 0;
    d.window_ticks = 4096;
    d.order_capacity = 4096;
    d.stp = STP_CANCEL_RESTING;
    d.band_bps = 500;
    return d;
}

void book_set_listener(Book *book, const BookListener *listener)
{
    CASCADE_ASSERT(book && !book->busy);
    BookListener l;
    memset(&l, 0, sizeof l);
    if (listener) l = *listener;
    if (!l.on_fill) l.on_fill = nop_fill;
    if (!l.on_order_done) l.on_order_done = nop_done;
    if (!l.on_stop_triggered) l.on_stop_triggered = nop_trigger;
    book->lst = l;
}

/* ---- pool ---- */

/* A slot is initialised when it is first taken, not when the pool is allocated: the venues size their pools for
 * a crowd (65,536 orders, 4 MiB a book) and a small market uses a few thousand slots, so the untouched pages are
 * never faulted in (two books' eager initialisation was 80 % of a short run's page faults). Slots come from the free
 * list first, then in index order from `fresh` -- the order an eagerly built free list 0, 1, 2, ... would give, so
 * order ids do not depend on this. */
static void pool_init_slot(Order *o)
{
    memset(o, 0, sizeof *o);
    o->gen = 1;
    o->state = ORDER_STATE_FREE;
    o->u.q.prev = BOOK_NIL;
    o->u.q.next = BOOK_NIL;
}

/* Makes sure a slot can be taken (grows the pool by doubling when needed). */
static Status pool_reserve(Book *b)
{
    if (b->free_head != BOOK_NIL || b->fresh < b->cap) return STATUS_OK;
    if (b->cap >= (UINT32_MAX >> 1)) return STATUS_FULL;
    uint32_t ncap = b->cap * 2u;
    Order *p = mem_realloc(b->orders, (size_t)ncap * sizeof *p);
    if (!p) return STATUS_NOMEM;
    b->orders = p;
    b->cap = ncap;
    return STATUS_OK;
}

static uint32_t pool_take(Book *b)
{
    uint32_t s = b->free_head;
    if (s != BOOK_NIL) {
        b->free_head = b->orders[s].u.q.next;
    } else {
        CASCADE_ASSERT(b->fresh < b->cap);
        s = b->fresh++;
        pool_init_slot(&b->orders[s]);
    }
    b->used++;
    return s;
}

void book__free_slot(Book *b, uint32_t slot)
{
    Order *o = &b->orders[slot];
    CASCADE_ASSERT(o->state != ORDER_STATE_FREE);
    o->state = ORDER_STATE_FREE;
    o->gen = o->gen + 1u == 0 ? 1u : o->gen + 1u;
    o->u.q.prev = BOOK_NIL;
    o->u.q.next = b->free_head;
    b->free_head = slot;
    b->used--;
}

Status book__lookup(const Book *b, OrderId id, uint32_t *slot)
{
    uint32_t s = (uint32_t)(id & 0xffffffffu);
    uint32_t g = (uint32_t)(id >> 32);
    if (g == 0 || s >= b->fresh) return STATUS_NOT_FOUND; /* never issued */
    const Order *o = &b->orders[s];
    if (g > o->gen) return STATUS_NOT_FOUND;
    if (g < o->gen || o->state == ORDER_STATE_FREE) return STATUS_STALE;
    *slot = s;
    return STATUS_OK;
}

/* ---- two-level bitmap ---- */

static inline uint32_t ctz64(uint64_t m)
{
    return (uint32_t)__builtin_ctzll(m);
}

static inline uint32_t msb64(uint64_t m)
{
    return 63u - (uint32_t)__builtin_clzll(m);
}

static inline void bit_set(Ladder *l, uint32_t i)
{
    uint32_t w = i >> 6;
    l->words[w] |= 1ull << (i & 63u);
    l->summary[w >> 6] |= 1ull << (w & 63u);
}

static inline void bit_clear(Ladder *l, uint32_t i)
{
    uint32_t w = i >> 6;
    l->words[w] &= ~(1ull << (i & 63u));
    if (l->words[w] == 0) l->summary[w >> 6] &= ~(1ull << (w & 63u));
}

static inline bool bit_test(const Ladder *l, uint32_t i)
{
    return (l->words[i >> 6] >> (i & 63u)) & 1u;
}

/* First non-empty window index >= i, or b->window. */
static uint32_t bit_next(const Book *b, const Ladder *l, uint32_t i)
{
    if (i >= b->window) return b->window;
    uint32_t w = i >> 6;
    uint64_t m = l->words[w] & (~0ull << (i & 63u));
    if (m) return (w << 6) | ctz64(m);
    w++;
    if (w >= b->nwords) return b->window;
    uint32_t sw = w >> 6;
    uint64_t sm = l->summary[sw] & (~0ull << (w & 63u));
    while (!sm) {
        if (++sw >= b->nsummary) return b->window;
        sm = l->summary[sw];
    }
    w = (sw << 6) | ctz64(sm);
    return (w << 6) | ctz64(l->words[w]);
}

/* Last non-empty window index <= i (i < window), or BOOK_NIL. */
static uint32_t bit_prev(const Ladder *l, uint32_t i)
{
    uint32_t w = i >> 6;
    uint64_t m = l->words[w] & (~0ull >> (63u - (i & 63u)));
    if (m) return (w << 6) | msb64(m);
    if (w == 0) return BOOK_NIL;
    w--;
    uint32_t sw = w >> 6;
    uint64_t sm = l->summary[sw] & (~0ull >> (63u - (w & 63u)));
    while (!sm) {
        if (sw == 0) return BOOK_NIL;
        sm = l->summary[--sw];
    }
    w = (sw << 6) | msb64(sm);
    return (w << 6) | msb64(l->words[w]);
}

static inline bool win_idx(const Book *b, Ticks p, uint32_t *i)
{
    uint64_t d = (uint64_t)(p - b->base_tk);
    if (d >= b->window) return false;
    *i = (uint32_t)d;
    return true;
}

/* ---- far store ---- */

/* Index of the first far level with price >= p. */
static uint32_t far_lower(const Ladder *l, Ticks p)
{
    uint32_t lo = 0, hi = l->far_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;
        if (l->far[mid].price_tk < p) lo = mid + 1u;
        else hi = mid;
    }
    return lo;
}

static Status far_reserve(Ladder *l, uint32_t extra)
{
    if ((uint64_t)l->far_count + extra <= l->far_cap) return STATUS_OK;
    uint64_t ncap = l->far_cap ? (uint64_t)l->far_cap * 2u : 16u;
    while (ncap < (uint64_t)l->far_count + extra) ncap *= 2u;
    if (ncap > UINT32_MAX) return STATUS_FULL;
    FarLevel *p = mem_realloc(l->far, (size_t)ncap * sizeof *p);
    if (!p) return STATUS_NOMEM;
    l->far = p;
    l->far_cap = (uint32_t)ncap;
    return STATUS_OK;
}

/* New far level at p (not present; room reserved). */
static Level *far_insert(Ladder *l, Ticks p)
{
    CASCADE_ASSERT(l->far_count < l->far_cap);
    uint32_t i = far_lower(l, p);
    CASCADE_ASSERT(i == l->far_count || l->far[i].price_tk != p);
    memmove(&l->far[i + 1], &l->far[i], (size_t)(l->far_count - i) * sizeof l->far[0]);
    l->far[i].price_tk = p;
    l->far[i].lv = LEVEL_EMPTY;
    l->far_count++;
    return &l->far[i].lv;
}

static void far_remove(Ladder *l, Ticks p)
{
    uint32_t i = far_lower(l, p);
    CASCADE_ASSERT(i < l->far_count && l->far[i].price_tk == p);
    memmove(&l->far[i], &l->far[i + 1], (size_t)(l->far_count - i - 1u) * sizeof l->far[0]);
    l->far_count--;
}

/* ---- levels ---- */

Level *book__level(Book *b, Side side, Ticks p)
{
    Ladder *l = &b->side[side];
    uint32_t i;
    if (win_idx(b, p, &i)) return bit_test(l, i) ? &l->levels[i] : NULL;
    uint32_t j = far_lower(l, p);
    if (j < l->far_count && l->far[j].price_tk == p) return &l->far[j].lv;
    return NULL;
}

/* The level of a price that holds a resting order (so a window level is valid without testing its bit). */
static inline Level *resting_level(Book *b, Side side, Ticks p)
{
    uint32_t i;
    if (win_idx(b, p, &i)) return &b->side[side].levels[i];
    return book__level(b, side, p);
}

static const Level *level_const(const Book *b, Side side, Ticks p)
{
    return book__level((Book *)b, side, p);
}

Ticks book__next_price(const Book *b, Side side, Ticks p)
{
    const Ladder *l = &b->side[side];
    Ticks wc = 0, fc = 0;
    Ticks W = (Ticks)b->window;
    if (side == SIDE_SELL) {
        uint32_t start;
        bool any = true;
        if (p == 0 || p < b->base_tk) start = 0;
        else if (p - b->base_tk >= W - 1) any = false, start = 0;
        else start = (uint32_t)(p - b->base_tk + 1);
        if (any) {
            uint32_t i = bit_next(b, l, start);
            if (i < b->window) wc = b->base_tk + (Ticks)i;
        }
        if (l->far_count) {
            uint32_t j = far_lower(l, p + 1);
            if (j < l->far_count) fc = l->far[j].price_tk;
        }
        if (wc == 0) return fc;
        if (fc == 0) return wc;
        return wc < fc ? wc : fc;
    }
    {
        uint32_t start;
        bool any = true;
        if (p == 0 || p - b->base_tk > W) start = b->window - 1u;
        else if (p <= b->base_tk) any = false, start = 0;
        else start = (uint32_t)(p - b->base_tk - 1);
        if (any) {
            uint32_t i = bit_prev(l, start);
            if (i != BOOK_NIL) wc = b->base_tk + (Ticks)i;
        }
        if (l->far_count) {
            uint32_t j = p == 0 ? l->far_count : far_lower(l, p);
            if (j > 0) fc = l->far[j - 1].price_tk;
        }
        return wc > fc ? wc : fc;
    }
}

/* The level at p on `side` has just become empty: drop it from the bitmap or far store, refresh best. */
static void level_emptied(Book *b, Side side, Ticks p)
{
    Ladder *l = &b->side[side];
    uint32_t i;
    if (win_idx(b, p, &i)) {
        bit_clear(l, i); /* the level is invalid from here on; rest() initialises it again */
    } else {
        far_remove(l, p);
    }
    l->level_count--;
    if (p == l->best_tk) l->best_tk = book__next_price(b, side, p);
}

/* When the book holds no resting order, the window may jump to `p` for free. */
static void rebase_if_empty(Book *b, Ticks p)
{
    uint32_t i;
    if (b->side[0].order_count || b->side[1].order_count) return;
    if (win_idx(b, p, &i)) return;
    Ticks nb = p - (Ticks)(b->window / 2u);
    b->base_tk = nb < 0 ? 0 : nb;
}

/* Room so that an order at p on `side` can rest. */
static Status prepare_rest(Book *b, Side side, Ticks p)
{
    uint32_t i;
    rebase_if_empty(b, p);
    if (win_idx(b, p, &i)) return STATUS_OK;
    return far_reserve(&b->side[side], 1);
}

/* Appends `slot` (price, side, qty set) to the tail of its level. */
static void rest(Book *b, uint32_t slot)
{
    Order *o = &b->orders[slot];
    Side side = (Side)o->side;
    Ladder *l = &b->side[side];
    Ticks p = o->price_tk;
    Level *lv;
    uint32_t i;
    if (win_idx(b, p, &i)) {
        lv = &l->levels[i];
        if (!bit_test(l, i)) { /* a window level is initialised when it first holds an order (see book_create) */
            *lv = LEVEL_EMPTY;
            bit_set(l, i);
            l->level_count++;
        }
    } else {
        uint32_t j = far_lower(l, p);
        if (j < l->far_count && l->far[j].price_tk == p) {
            lv = &l->far[j].lv;
        } else {
            lv = far_insert(l, p);
            l->level_count++;
        }
    }
    o->u.q.prev = lv->tail;
    o->u.q.next = BOOK_NIL;
    if (lv->tail != BOOK_NIL) b->orders[lv->tail].u.q.next = slot;
    else lv->head = slot;
    lv->tail = slot;
    lv->count++;
    lv->qty += o->qty;
    l->order_count++;
    o->state = ORDER_STATE_RESTING;
    if (l->best_tk == 0 || (side == SIDE_BUY ? p > l->best_tk : p < l->best_tk)) l->best_tk = p;
}

void book__unlink(Book *b, uint32_t slot)
{
    Order *o = &b->orders[slot];
    CASCADE_ASSERT(o->state == ORDER_STATE_RESTING);
    Side side = (Side)o->side;
    Ladder *l = &b->side[side];
    Level *lv = resting_level(b, side, o->price_tk);
    CASCADE_ASSERT(lv && lv->count > 0);
    uint32_t pv = o->u.q.prev, nx = o->u.q.next;
    if (pv != BOOK_NIL) b->orders[pv].u.q.next = nx;
    else lv->head = nx;
    if (nx != BOOK_NIL) b->orders[nx].u.q.prev = pv;
    else lv->tail = pv;
    lv->count--;
    lv->qty -= o->qty;
    l->order_count--;
    o->u.q.prev = o->u.q.next = BOOK_NIL;
    o->state = ORDER_STATE_ACTIVE;
    if (lv->count == 0) level_emptied(b, side, o->price_tk);
}

/* ---- recentring ---- */

/* Moves bit i of the window bitmap to i - k (k > 0: the window moves up) or i + |k| (k < 0); bits pushed past either
 * end vanish (their levels went to the far store). O(window / 64) word operations. */
static void words_shift(uint64_t *w, uint32_t nwords, Ticks k)
{
    uint64_t n = (uint64_t)(k < 0 ? -k : k);
    if (n >= (uint64_t)nwords * 64u) {
        memset(w, 0, (size_t)nwords * sizeof *w);
        return;
    }
    uint32_t ws = (uint32_t)(n >> 6), bs = (uint32_t)(n & 63u);
    if (k > 0) {
        for (uint32_t i = 0; i < nwords; i++) {
            uint64_t lo = i + ws < nwords ? w[i + ws] : 0, hi = i + ws + 1u < nwords ? w[i + ws + 1u] : 0;
            w[i] = bs ? (lo >> bs) | (hi << (64u - bs)) : lo;
        }
    } else {
        for (uint32_t i = nwords; i-- > 0;) {
            uint64_t hi = i >= ws ? w[i - ws] : 0, lo = i >= ws + 1u ? w[i - ws - 1u] : 0;
            w[i] = bs ? (hi << bs) | (lo >> (64u - bs)) : hi;
        }
    }
}

/* Moves each occupied window level from i to i - shift (levels shifted out of the window were copied to the far
 * store already). Only occupied levels are touched -- a window level is valid only while its bit is set, so the old
 * places need no clearing -- and a sparse window moves in O(levels + window / 64), not O(window). Run before
 * words_shift: the bits still name the old places. Moving up (shift > 0) the destinations lie below their sources,
 * so the walk goes upwards and never overwrites a level it has yet to move; moving down it walks downwards. */
static void levels_shift(const Book *b, Ladder *l, Ticks shift)
{
    Ticks W = (Ticks)b->window;
    if (shift > 0) {
        for (uint32_t i = bit_next(b, l, 0); i < b->window; i = bit_next(b, l, i + 1u))
            if ((Ticks)i >= shift) l->levels[(Ticks)i - shift] = l->levels[i];
    } else {
        for (uint32_t i = bit_prev(l, b->window - 1u); i != BOOK_NIL; i = i ? bit_prev(l, i - 1u) : BOOK_NIL)
            if ((Ticks)i - shift < W) l->levels[(Ticks)i - shift] = l->levels[i];
    }
}

/* Cost: O(occupied levels + window / 64) for the window plus O(far + moved levels) for the far store. The levels
 * leaving the window lie between the far store's lower and upper parts (both sides of the old window), so they enter it as one
 * contiguous block (one memmove, not one per level), and the bitmap is shifted word-wise instead of rebuilt from
 * every level: a book whose touch keeps moving far (a crash, a spread wider than the window) recentres often. */
static void recentre(Book *b, Ticks nb)
{
    Ticks W = (Ticks)b->window;
    uint32_t out[2] = {0, 0};
    /* Reserve first so that a failed allocation leaves everything as it was (recentring is only an optimisation). */
    for (int s = 0; s < 2; s++) {
        Ladder *l = &b->side[s];
        for (uint32_t i = bit_next(b, l, 0); i < b->window; i = bit_next(b, l, i + 1u)) {
            Ticks p = b->base_tk + (Ticks)i;
            if (p < nb || p >= nb + W) out[s]++;
        }
        if (far_reserve(l, out[s]) != STATUS_OK) return;
    }
    Ticks shift = nb - b->base_tk;
    for (int s = 0; s < 2; s++) {
        Ladder *l = &b->side[s];
        if (out[s]) {
            uint32_t at = far_lower(l, b->base_tk), k = 0;
            memmove(&l->far[at + out[s]], &l->far[at], (size_t)(l->far_count - at) * sizeof l->far[0]);
            for (uint32_t i = bit_next(b, l, 0); i < b->window && k < out[s]; i = bit_next(b, l, i + 1u)) {
                Ticks p = b->base_tk + (Ticks)i;
                if (p < nb || p >= nb + W) {
                    l->far[at + k].price_tk = p;
                    l->far[at + k].lv = l->levels[i];
                    k++;
                }
            }
            l->far_count += out[s];
        }
        levels_shift(b, l, shift);
        words_shift(l->words, b->nwords, shift);
        memset(l->summary, 0, (size_t)b->nsummary * sizeof(uint64_t));
        for (uint32_t w = 0; w < b->nwords; w++)
            if (l->words[w]) l->summary[w >> 6] |= 1ull << (w & 63u);
        uint32_t j0 = far_lower(l, nb), j1 = far_lower(l, nb + W);
        for (uint32_t j = j0; j < j1; j++) {
            uint32_t i = (uint32_t)(l->far[j].price_tk - nb);
            l->levels[i] = l->far[j].lv;
            bit_set(l, i);
        }
        if (j1 > j0) {
            memmove(&l->far[j0], &l->far[j1], (size_t)(l->far_count - j1) * sizeof(FarLevel));
            l->far_count -= j1 - j0;
        }
    }
    b->base_tk = nb;
    b->recentres++;
}

/* The window follows the touch: it stays put while either best price lies in its middle half
 * (book__window_holds_touch), so a spread wider than half the window (a withdrawn market: one touch jumping by
 * thousands of ticks per order) does not drag it back and forth with the mid at O(window) per move. When it moves, it
 * centres on the mid if both touches fit, else on the touch nearer its current centre. Placement never changes the
 * book's behaviour, only its speed. */
void book__recentre_to_touch(Book *b)
{
    Ticks bb = b->side[SIDE_BUY].best_tk, ba = b->side[SIDE_SELL].best_tk, c;
    Ticks q = (Ticks)(b->window / 4u), mid0 = b->base_tk + 2 * q;
    if (bb && ba && ba - bb <= 2 * q) c = (bb + ba) / 2;
    else if (bb && ba) c = mid0 - bb <= ba - mid0 ? bb : ba; /* the nearer touch */
    else if (bb) c = bb;
    else if (ba) c = ba;
    else return;
    Ticks nb = c - 2 * q;
    if (nb < 0) nb = 0;
    if (nb == b->base_tk) return;
    recentre(b, nb);
}

/* ---- lifecycle ---- */

static void ladder_free(Ladder *l)
{
    mem_free(l->levels);
    mem_free(l->words);
    mem_free(l->summary);
    mem_free(l->far);
}

Status book_create(const BookDef *def, Book **out)
{
    if (!out) return STATUS_INVALID;
    *out = NULL;
    if (!def) return STATUS_INVALID;
    uint32_t W = def->window_ticks;
    if (W < 64u || W > (1u << 24) || (W & (W - 1u))) return STATUS_INVALID;
    if ((unsigned)def->stp >= (unsigned)STP_MODE_COUNT_) return STATUS_INVALID;
    if (def->band_bps < 0 || def->band_bps > 1000000) return STATUS_INVALID;
    if (def->initial_center_tk < 0 || def->initial_center_tk > BOOK_PRICE_MAX_TK) return STATUS_INVALID;
    uint32_t cap = def->order_capacity < 16u ? 16u : def->order_capacity;
    if (cap > (UINT32_MAX >> 1)) return STATUS_INVALID;

    Book *b = mem_calloc(1, sizeof *b);
    if (!b) return STATUS_NOMEM;
    b->window = W;
    b->nwords = W / 64u;
    b->nsummary = (b->nwords + 63u) / 64u;
    b->free_head = BOOK_NIL;
    b->stp = def->stp == STP_DEFAULT ? STP_CANCEL_RESTING : def->stp;
    b->band_bps = def->band_bps;
    if (def->initial_center_tk > 0) {
        Ticks nb = def->initial_center_tk - (Ticks)(W / 2u);
        b->base_tk = nb < 0 ? 0 : nb;
    }
    book_set_listener(b, &def->listener);
    for (int s = 0; s < 2; s++) {
        Ladder *l = &b->side[s];
        l->levels = mem_alloc((size_t)W * sizeof(Level));
        l->words = mem_calloc(b->nwords, sizeof(uint64_t));
        l->summary = mem_calloc(b->nsummary, sizeof(uint64_t));
        if (!l->levels || !l->words || !l->summary) goto fail;
        /* The levels are not initialised here: a window level is valid only while its bit is set (rest()
         * initialises it on its first order), so a wide window costs memory only where orders rest -- the pages
         * of an untouched level array are never faulted in. */
    }
    b->orders = mem_alloc((size_t)cap * sizeof(Order));
    if (!b->orders) goto fail;
    b->cap = cap; /* b->fresh = 0: no slot initialised yet (pool_take) */
    *out = b;
    return STATUS_OK;
fail:
    book_destroy(b);
    return STATUS_NOMEM;
}

void book_destroy(Book *book)
{
    if (!book) return;
    ladder_free(&book->side[0]);
    ladder_free(&book->side[1]);
    book__stops_free(book);
    mem_free(book->orders);
    mem_free(book);
}

/* ---- events ---- */

void book__report_fill(Book *b, uint32_t maker, uint32_t taker, Ticks price_tk, Lots qty, Side aggressor,
                       bool auction)
{
    const Order *m = &b->orders[maker];
    const Order *t = &b->orders[taker];
    BookFill f;
    f.maker_id = book__make_id(maker, m->gen);
    f.taker_id = book__make_id(taker, t->gen);
    f.maker_tag = m->tag;
    f.taker_tag = t->tag;
    f.maker_owner = m->owner;
    f.taker_owner = t->owner;
    f.aggressor = aggressor;
    f.auction = auction;
    f.price_tk = price_tk;
    f.qty = qty;
    f.maker_remaining = m->qty;
    f.taker_remaining = t->qty;
    b->fills++;
    b->volume += qty;
    if (b->last_tk != 0 && price_tk != b->last_tk) b->last_dir = price_tk > b->last_tk ? 1 : -1;
    b->last_tk = price_tk;
    b->last_qty = qty;
    b->lst.on_fill(b->lst.ctx, &f);
}

void book__report_done(Book *b, uint32_t slot, BookDoneReason reason)
{
    const Order *o = &b->orders[slot];
    b->lst.on_order_done(b->lst.ctx, book__make_id(slot, o->gen), o->owner, o->tag, reason, o->qty);
}

/* ---- matching ---- */

bool book__match(Book *b, uint32_t ts, Ticks limit_tk)
{
    Order *t = &b->orders[ts];
    Side side = (Side)t->side;
    Side os = book__opp(side);
    Ladder *l = &b->side[os];
    Ticks px;
    while (t->qty > 0 && (px = l->best_tk) != 0 && (side == SIDE_BUY ? px <= limit_tk : px >= limit_tk)) {
        Level *lv;
        uint32_t wi;
        if (win_idx(b, px, &wi)) lv = &l->levels[wi];
        else lv = book__level(b, os, px);
        uint32_t ms = lv->head;
        Order *m = &b->orders[ms];
        if (m->owner == t->owner && t->stp != STP_NONE) {
            if (t->stp == STP_CANCEL_RESTING || t->stp == STP_CANCEL_BOTH) {
                book__unlink(b, ms);
                book__report_done(b, ms, BOOK_DONE_STP);
                book__free_slot(b, ms);
            }
            if (t->stp == STP_CANCEL_TAKER || t->stp == STP_CANCEL_BOTH) {
                book__report_done(b, ts, BOOK_DONE_STP);
                return false;
            }
            continue;
        }
        Lots q = t->qty < m->qty ? t->qty : m->qty;
        m->qty -= q;
        t->qty -= q;
        lv->qty -= q;
        book__report_fill(b, ms, ts, px, q, side, false);
        if (m->qty == 0) {
            uint32_t nx = m->u.q.next;
            lv->head = nx;
            if (nx != BOOK_NIL) b->orders[nx].u.q.prev = BOOK_NIL;
            else lv->tail = BOOK_NIL;
            lv->count--;
            l->order_count--;
            m->state = ORDER_STATE_ACTIVE;
            book__free_slot(b, ms);
            if (lv->count == 0) level_emptied(b, os, px);
        }
    }
    return true;
}

/* Band limit of a market order on `side` around reference ref_tk (> 0): ref +/- floor(ref * band / 10000). */
static Ticks band_limit(Side side, Ticks ref_tk, int32_t band_bps)
{
    Ticks off = ref_tk * (Ticks)band_bps / 10000; /* ref <= 2^40, band <= 10^6: no overflow */
    if (side == SIDE_BUY) return ref_tk + off;
    Ticks lim = ref_tk - off;
    return lim < 1 ? 1 : lim;
}

static Lots execute_market(Book *b, uint32_t slot, Ticks ref_tk, int32_t band_bps)
{
    Order *o = &b->orders[slot];
    Side side = (Side)o->side;
    const Ladder *ol = &b->side[book__opp(side)];
    Lots q0 = o->qty;
    Ticks ref = ref_tk > 0 ? ref_tk : ol->best_tk;
    o->state = ORDER_STATE_ACTIVE;
    if (ref == 0) {
        book__report_done(b, slot, BOOK_DONE_NO_LIQUIDITY);
        book__free_slot(b, slot);
        return 0;
    }
    bool alive = book__match(b, slot, band_limit(side, ref, band_bps > 0 ? band_bps : b->band_bps));
    o = &b->orders[slot];
    Lots filled = q0 - o->qty;
    if (alive && o->qty > 0)
        book__report_done(b, slot, ol->best_tk == 0 ? BOOK_DONE_NO_LIQUIDITY : BOOK_DONE_BAND);
    book__free_slot(b, slot);
    return filled;
}

void book__execute_market(Book *b, uint32_t slot, Ticks ref_tk, int32_t band_bps)
{
    (void)execute_market(b, slot, ref_tk, band_bps);
}

/* ---- orders ---- */

static Status clamp_reduce_only(Book *b, uint32_t owner, Side side, Lots *qty)
{
    if (!b->lst.reduce_only_max) return STATUS_INVALID;
    Lots mx = b->lst.reduce_only_max(b->lst.ctx, owner, side);
    if (mx <= 0) return STATUS_REJECTED;
    if (mx < *qty) *qty = mx;
    return STATUS_OK;
}

/* Lets a priced order take what crosses it (not in an auction, never a post-only), then rests the remainder; an
 * IOC's remainder ends instead. Sets res->filled and res->resting. */
static void take_then_rest(Book *b, uint32_t slot, Ticks limit_tk, BookResult *res)
{
    Lots before = b->orders[slot].qty;
    bool alive = true;
    /* Most limit orders rest without crossing: the opposite touch decides that here, without the matching call. */
    Side side = (Side)b->orders[slot].side;
    if (!b->auction && b->orders[slot].type != ORDER_POST_ONLY &&
        book__crosses(side, limit_tk, b->side[book__opp(side)].best_tk))
        alive = book__match(b, slot, limit_tk);
    Order *o = &b->orders[slot];
    res->filled = before - o->qty;
    if (!alive || o->qty == 0) {
        book__free_slot(b, slot);
    } else if (o->type == ORDER_IOC) {
        book__report_done(b, slot, BOOK_DONE_IOC);
        book__free_slot(b, slot);
    } else {
        rest(b, slot);
        res->resting = o->qty;
    }
}

/* Ends a mutating call: stops triggered by its trades run, the window follows the touch, the result is handed out. */
static Status end_call(Book *b, uint64_t fills0, const BookResult *res, BookResult *out)
{
    if (b->fills != fills0) book__run_stops(b);
    book__maybe_recentre(b);
    b->busy = false;
    if (out) *out = *res;
    return STATUS_OK;
}

Status book_submit(Book *b, const OrderReq *r, BookResult *out)
{
    BookResult res;
    memset(&res, 0, sizeof res);
    if (out) *out = res;
    if (!b || !r) return STATUS_INVALID;
    CASCADE_ASSERT(!b->busy);
    if ((unsigned)r->type >= (unsigned)ORDER_TYPE_COUNT_ || (unsigned)r->side > 1u ||
        (unsigned)r->stp >= (unsigned)STP_MODE_COUNT_ || (unsigned)r->trigger >= (unsigned)STOP_TRIGGER_COUNT_ ||
        (r->flags & ~ORDER_FLAG_REDUCE_ONLY) != 0)
        return STATUS_INVALID;
    if (r->qty <= 0) return STATUS_INVALID;
    if (r->qty > BOOK_QTY_MAX) return STATUS_RANGE;
    if (r->type != ORDER_MARKET) {
        if (r->price_tk <= 0) return STATUS_INVALID;
        if (r->price_tk > BOOK_PRICE_MAX_TK) return STATUS_RANGE;
    }
    if (r->ref_tk < 0 || r->band_bps < 0) return STATUS_INVALID;
    if (r->ref_tk > BOOK_PRICE_MAX_TK || r->band_bps > 1000000) return STATUS_RANGE;

    Side side = r->side;
    OrderType type = r->type;
    Lots qty = r->qty;
    Status st;
    if (r->flags & ORDER_FLAG_REDUCE_ONLY) {
        st = clamp_reduce_only(b, r->owner, side, &qty);
        if (st != STATUS_OK) return st;
    }
    switch (type) {
    case ORDER_IOC:
    case ORDER_MARKET:
        if (b->auction) return STATUS_REJECTED;
        break;
    case ORDER_POST_ONLY:
        if (!b->auction && book__crosses(side, r->price_tk, b->side[book__opp(side)].best_tk))
            return STATUS_REJECTED;
        st = prepare_rest(b, side, r->price_tk);
        if (st != STATUS_OK) return st;
        break;
    case ORDER_LIMIT:
        st = prepare_rest(b, side, r->price_tk);
        if (st != STATUS_OK) return st;
        break;
    case ORDER_STOP_MARKET: {
        Ticks px = r->trigger == STOP_TRIGGER_LAST ? b->last_tk : b->mark_tk;
        if (px != 0 && book__stop_hit(side, r->price_tk, px)) return STATUS_REJECTED;
        st = book__stops_reserve(b, r->trigger, side);
        if (st != STATUS_OK) return st;
        break;
    }
    default:
        return STATUS_INVALID;
    }
    st = pool_reserve(b);
    if (st != STATUS_OK) return st;

    uint32_t slot = pool_take(b);
    Order *o = &b->orders[slot];
    o->u.q.prev = o->u.q.next = BOOK_NIL;
    o->qty = qty;
    o->price_tk = type == ORDER_MARKET ? 0 : r->price_tk;
    o->tag = r->tag;
    o->seq = ++b->seq;
    o->owner = r->owner;
    o->band_bps = r->band_bps;
    o->side = (uint8_t)side;
    o->type = (uint8_t)type;
    o->state = ORDER_STATE_ACTIVE;
    o->flags = (uint8_t)r->flags;
    o->stp = (uint8_t)(r->stp == STP_DEFAULT ? b->stp : r->stp);
    o->trigger = (uint8_t)r->trigger;
    res.id = book__make_id(slot, o->gen);
    res.accepted = qty;

    b->busy = true;
    uint64_t fills0 = b->fills;
    if (type == ORDER_STOP_MARKET) {
        o->u.stop_ref_tk = r->ref_tk;
        book__stops_insert(b, slot);
        res.resting = qty;
    } else if (type == ORDER_MARKET) {
        res.filled = execute_market(b, slot, r->ref_tk, r->band_bps);
    } else {
        take_then_rest(b, slot, r->price_tk, &res);
    }
    return end_call(b, fills0, &res, out);
}

Status book_cancel(Book *b, OrderId id)
{
    if (!b) return STATUS_INVALID;
    CASCADE_ASSERT(!b->busy);
    uint32_t slot;
    Status st = book__lookup(b, id, &slot);
    if (st != STATUS_OK) return st;
    Order *o = &b->orders[slot];
    if (o->state == ORDER_STATE_RESTING) {
        book__unlink(b, slot);
    } else {
        CASCADE_ASSERT(o->state == ORDER_STATE_STOP);
        book__stops_remove(b, slot);
    }
    book__free_slot(b, slot);
    book__maybe_recentre(b);
    return STATUS_OK;
}

Status book_reduce(Book *b, OrderId id, Lots new_qty)
{
    if (!b) return STATUS_INVALID;
    CASCADE_ASSERT(!b->busy);
    uint32_t slot;
    Status st = book__lookup(b, id, &slot);
    if (st != STATUS_OK) return st;
    Order *o = &b->orders[slot];
    if (new_qty <= 0 || new_qty > o->qty) return STATUS_INVALID;
    if (o->state == ORDER_STATE_RESTING) {
        Level *lv = resting_level(b, (Side)o->side, o->price_tk);
        CASCADE_ASSERT(lv);
        lv->qty -= o->qty - new_qty;
    }
    o->qty = new_qty;
    return STATUS_OK;
}

Status book_replace(Book *b, OrderId id, Ticks np, Lots nq, BookResult *out)
{
    BookResult res;
    memset(&res, 0, sizeof res);
    if (out) *out = res;
    if (!b) return STATUS_INVALID;
    CASCADE_ASSERT(!b->busy);
    if (np <= 0 || nq <= 0) return STATUS_INVALID;
    if (np > BOOK_PRICE_MAX_TK || nq > BOOK_QTY_MAX) return STATUS_RANGE;
    uint32_t slot;
    Status st = book__lookup(b, id, &slot);
    if (st != STATUS_OK) return st;
    Order *o = &b->orders[slot];
    Side side = (Side)o->side;
    if ((o->flags & ORDER_FLAG_REDUCE_ONLY) && nq > o->qty) {
        st = clamp_reduce_only(b, o->owner, side, &nq);
        if (st != STATUS_OK) return st;
    }
    bool keep = np == o->price_tk && nq <= o->qty;
    res.id = id;
    res.accepted = nq;

    if (o->state == ORDER_STATE_STOP) {
        if (keep) {
            o->qty = nq;
        } else {
            Ticks px = o->trigger == STOP_TRIGGER_LAST ? b->last_tk : b->mark_tk;
            if (px != 0 && book__stop_hit(side, np, px)) return STATUS_REJECTED;
            book__stops_remove(b, slot);
            o->price_tk = np;
            o->qty = nq;
            o->seq = ++b->seq;
            book__stops_insert(b, slot); /* room: it was just removed */
        }
        res.resting = nq;
        if (out) *out = res;
        return STATUS_OK;
    }
    CASCADE_ASSERT(o->state == ORDER_STATE_RESTING);
    if (keep) {
        Level *lv = resting_level(b, side, o->price_tk);
        CASCADE_ASSERT(lv);
        lv->qty -= o->qty - nq;
        o->qty = nq;
        res.resting = nq;
        if (out) *out = res;
        return STATUS_OK;
    }
    if (o->type == ORDER_POST_ONLY && !b->auction && book__crosses(side, np, b->side[book__opp(side)].best_tk))
        return STATUS_REJECTED;
    st = prepare_rest(b, side, np);
    if (st != STATUS_OK) return st;

    b->busy = true;
    uint64_t fills0 = b->fills;
    book__unlink(b, slot);
    o = &b->orders[slot];
    o->price_tk = np;
    o->qty = nq;
    o->seq = ++b->seq;
    take_then_rest(b, slot, np, &res);
    return end_call(b, fills0, &res, out);
}

Status book_order_info(const Book *b, OrderId id, BookOrderInfo *out)
{
    if (!b || !out) return STATUS_INVALID;
    uint32_t slot;
    Status st = book__lookup(b, id, &slot);
    if (st != STATUS_OK) return st;
    const Order *o = &b->orders[slot];
    out->type = (OrderType)o->type;
    out->side = (Side)o->side;
    out->price_tk = o->price_tk;
    out->remaining = o->qty;
    out->owner = o->owner;
    out->tag = o->tag;
    out->flags = o->flags;
    out->is_stop = o->state == ORDER_STATE_STOP;
    return STATUS_OK;
}

Status book_on_mark(Book *b, Ticks mark_tk)
{
    if (!b) return STATUS_INVALID;
    CASCADE_ASSERT(!b->busy);
    if (mark_tk <= 0) return STATUS_INVALID;
    if (mark_tk > BOOK_PRICE_MAX_TK) return STATUS_RANGE;
    if (b->mark_tk != 0 && mark_tk != b->mark_tk) b->last_dir = mark_tk > b->mark_tk ? 1 : -1;
    b->mark_tk = mark_tk;
    b->busy = true;
    book__run_stops(b);
    book__maybe_recentre(b);
    b->busy = false;
    return STATUS_OK;
}

/* ---- queries ---- */

Ticks book_best_bid(const Book *b)
{
    return b->side[SIDE_BUY].best_tk;
}

Ticks book_best_ask(const Book *b)
{
    return b->side[SIDE_SELL].best_tk;
}

Lots book_qty_at(const Book *b, Side side, Ticks price_tk)
{
    if ((unsigned)side > 1u || price_tk <= 0 || price_tk > BOOK_PRICE_MAX_TK) return 0;
    const Level *lv = level_const(b, side, price_tk);
    return lv ? lv->qty : 0;
}

static inline void depth_add(BookDepth *d, Ticks p, const Level *lv)
{
    CASCADE_ASSERT(lv->count > 0);
    d->qty += lv->qty;
    Quote n;
    bool ok = money_mul(p, lv->qty, &n) && money_add(d->notional, n, &d->notional);
    CASCADE_ASSERT(ok);
    d->levels++;
}

/* Adds the level at p to the innermost band that holds it (the bands are nested, widest last); book_depth_bands
 * sums the rings outward at the end, so a level costs one addition however many bands hold it. */
static inline void ring_add(BookDepth *ring, const Ticks *lo, const Ticks *hi, uint32_t n, Ticks p, const Level *lv)
{
    uint32_t k = 0;
    while (k + 1u < n && (p < lo[k] || p > hi[k])) k++;
    depth_add(&ring[k], p, lv);
}

void book_depth_bands(const Book *b, Side side, Ticks center_tk, const int32_t *bps, uint32_t n, BookDepth *out)
{
    for (uint32_t k = 0; k < n; k++) out[k] = (BookDepth){0, 0, 0};
    if (n == 0 || n > BOOK_DEPTH_MAX_BANDS || (unsigned)side > 1u || center_tk <= 0 || center_tk > BOOK_PRICE_MAX_TK)
        return;
    Ticks lo[BOOK_DEPTH_MAX_BANDS], hi[BOOK_DEPTH_MAX_BANDS];
    for (uint32_t k = 0; k < n; k++) {
        if (bps[k] < 0 || bps[k] > 1000000 || (k > 0 && bps[k] < bps[k - 1])) {
            for (uint32_t j = 0; j < n; j++) out[j] = (BookDepth){0, 0, 0};
            return;
        }
        Ticks off = center_tk * (Ticks)bps[k] / 10000;
        lo[k] = center_tk - off;
        hi[k] = center_tk + off;
    }
    Ticks wlo = lo[n - 1], whi = hi[n - 1];
    /* Every level with a price in the widest band: the window's part straight from its bitmap words (each set bit
     * taken in turn, lowest first), the far store's part as one index range (the sums do not depend on the order). */
    const Ladder *l = &b->side[side];
    Ticks W = (Ticks)b->window;
    if (whi >= b->base_tk && wlo < b->base_tk + W) {
        uint32_t first = wlo > b->base_tk ? (uint32_t)(wlo - b->base_tk) : 0;
        uint32_t last = whi - b->base_tk < W ? (uint32_t)(whi - b->base_tk) : b->window - 1u; /* inclusive */
        for (uint32_t w = first >> 6; w <= last >> 6; w++) {
            uint64_t m = l->words[w];
            if (w == first >> 6) m &= ~0ull << (first & 63u);
            if (w == last >> 6) m &= ~0ull >> (63u - (last & 63u));
            while (m) {
                uint32_t i = (w << 6) | ctz64(m);
                m &= m - 1u;
                ring_add(out, lo, hi, n, b->base_tk + (Ticks)i, &l->levels[i]);
            }
        }
    }
    for (uint32_t j = far_lower(l, wlo); j < l->far_count && l->far[j].price_tk <= whi; j++)
        ring_add(out, lo, hi, n, l->far[j].price_tk, &l->far[j].lv);
    for (uint32_t k = 1; k < n; k++) {
        out[k].qty += out[k - 1].qty;
        out[k].levels += out[k - 1].levels;
        bool ok = money_add(out[k].notional, out[k - 1].notional, &out[k].notional);
        CASCADE_ASSERT(ok);
    }
}

BookDepth book_depth(const Book *b, Side side, Ticks center_tk, int32_t bps)
{
    BookDepth d;
    book_depth_bands(b, side, center_tk, &bps, 1, &d);
    return d;
}

Ticks book_level_after(const Book *b, Side side, Ticks price_tk, BookLevelView *out)
{
    if ((unsigned)side > 1u || !out) return 0;
    Ticks p = price_tk == 0 ? b->side[side].best_tk : book__next_price(b, side, price_tk);
    if (p == 0) return 0;
    const Level *lv = level_const(b, side, p);
    CASCADE_ASSERT(lv && lv->count > 0);
    out->price_tk = p;
    out->qty = lv->qty;
    out->orders = lv->count;
    return p;
}

uint32_t book_top(const Book *b, Side side, BookLevelView *levels, uint32_t cap)
{
    if ((unsigned)side > 1u || !levels) return 0;
    uint32_t n = 0;
    for (Ticks p = 0; n < cap && (p = book_level_after(b, side, p, &levels[n])) != 0;) n++;
    return n;
}

Ticks book_market_limit(const Book *b, Side side, Ticks ref_tk, int32_t band_bps)
{
    return band_limit(side, ref_tk, band_bps > 0 ? band_bps : b->band_bps);
}

Ticks book_last_price(const Book *b)
{
    return b->last_tk;
}

Lots book_last_qty(const Book *b)
{
    return b->last_qty;
}

Ticks book_mark(const Book *b)
{
    return b->mark_tk;
}

bool book_in_auction(const Book *b)
{
    return b->auction;
}

BookCounts book_counts(const Book *b)
{
    BookCounts c;
    c.resting_orders = b->side[0].order_count + b->side[1].order_count;
    c.stop_orders = b->stop_count;
    c.bid_levels = b->side[SIDE_BUY].level_count;
    c.ask_levels = b->side[SIDE_SELL].level_count;
    c.fills = b->fills;
    c.volume = b->volume;
    c.recentres = b->recentres;
    return c;
}

const char *book_done_reason_name(BookDoneReason reason)
{
    static const char *const NAMES[] = {"ioc", "band", "no_liquidity", "stp", "reduce_only"};
    if ((unsigned)reason >= (unsigned)BOOK_DONE_REASON_COUNT_) return "?";
    return NAMES[reason];
}

/* ---- validation ---- */

static bool fail_(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail_(char *why, size_t cap, const char *fmt, ...)
{
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* Walks one level's FIFO: links, counts, totals, prices, time priority. */
static bool validate_level(const Book *b, Side side, Ticks p, const Level *lv, uint32_t *orders_seen, char *why,
                           size_t cap)
{
    if (lv->count == 0) return fail_(why, cap, "side %d level %lld: empty level present", side, (long long)p);
    uint32_t n = 0, prev = BOOK_NIL;
    Lots sum = 0;
    uint64_t last_seq = 0;
    for (uint32_t s = lv->head; s != BOOK_NIL; s = b->orders[s].u.q.next) {
        if (s >= b->fresh) return fail_(why, cap, "level %lld: slot %u out of range", (long long)p, s);
        if (++n > lv->count) return fail_(why, cap, "level %lld: more orders than count %u", (long long)p, lv->count);
        const Order *o = &b->orders[s];
        if (o->state != ORDER_STATE_RESTING)
            return fail_(why, cap, "level %lld: slot %u state %u", (long long)p, s, o->state);
        if (o->side != side || o->price_tk != p)
            return fail_(why, cap, "level %lld: slot %u has side %u price %lld", (long long)p, s, o->side,
                         (long long)o->price_tk);
        if (o->qty <= 0) return fail_(why, cap, "slot %u: resting qty %lld", s, (long long)o->qty);
        if (o->u.q.prev != prev) return fail_(why, cap, "slot %u: prev link %u, expected %u", s, o->u.q.prev, prev);
        if (o->seq <= last_seq) return fail_(why, cap, "level %lld: time priority broken at slot %u", (long long)p, s);
        if (o->type != ORDER_LIMIT && o->type != ORDER_POST_ONLY)
            return fail_(why, cap, "slot %u: resting order of type %u", s, o->type);
        last_seq = o->seq;
        sum += o->qty;
        prev = s;
    }
    if (n != lv->count) return fail_(why, cap, "level %lld: %u orders, count %u", (long long)p, n, lv->count);
    if (lv->tail != prev) return fail_(why, cap, "level %lld: tail %u, last %u", (long long)p, lv->tail, prev);
    if (sum != lv->qty)
        return fail_(why, cap, "level %lld: qty %lld, orders sum %lld", (long long)p, (long long)lv->qty,
                     (long long)sum);
    *orders_seen += n;
    return true;
}

static bool validate_side(const Book *b, Side side, char *why, size_t cap)
{
    const Ladder *l = &b->side[side];
    uint32_t levels = 0, orders = 0;
    Ticks best = 0;
    for (uint32_t w = 0; w < b->nwords; w++) {
        bool sbit = (l->summary[w >> 6] >> (w & 63u)) & 1u;
        if (sbit != (l->words[w] != 0)) return fail_(why, cap, "side %d: summary bit %u wrong", side, w);
    }
    for (uint32_t w = b->nwords; w < b->nsummary * 64u; w++)
        if ((l->summary[w >> 6] >> (w & 63u)) & 1u) return fail_(why, cap, "side %d: summary bit %u past end", side, w);
    /* only levels whose bit is set are valid (the others are uninitialised memory) */
    for (uint32_t i = bit_next(b, l, 0); i < b->window; i = bit_next(b, l, i + 1u)) {
        const Level *lv = &l->levels[i];
        Ticks p = b->base_tk + (Ticks)i;
        if (lv->count == 0) return fail_(why, cap, "side %d level %lld: bit set on an empty level", side, (long long)p);
        if (!validate_level(b, side, p, lv, &orders, why, cap)) return false;
        levels++;
        if (best == 0 || (side == SIDE_BUY ? p > best : p < best)) best = p;
    }
    for (uint32_t j = 0; j < l->far_count; j++) {
        Ticks p = l->far[j].price_tk;
        uint32_t i;
        if (win_idx(b, p, &i)) return fail_(why, cap, "side %d far level %lld inside window", side, (long long)p);
        if (j > 0 && l->far[j - 1].price_tk >= p) return fail_(why, cap, "side %d far store not sorted", side);
        if (!validate_level(b, side, p, &l->far[j].lv, &orders, why, cap)) return false;
        levels++;
        if (best == 0 || (side == SIDE_BUY ? p > best : p < best)) best = p;
    }
    if (levels != l->level_count)
        return fail_(why, cap, "side %d: %u levels, level_count %u", side, levels, l->level_count);
    if (orders != l->order_count)
        return fail_(why, cap, "side %d: %u orders, order_count %u", side, orders, l->order_count);
    if (best != l->best_tk)
        return fail_(why, cap, "side %d: best %lld, cached %lld", side, (long long)best, (long long)l->best_tk);
    return true;
}

Status book_validate(const Book *b, char *why, size_t cap)
{
    if (why && cap) why[0] = 0;
    if (!b) return fail_(why, cap, "null book"), STATUS_INVALID;
    if (b->busy) return fail_(why, cap, "validate called inside a book call"), STATUS_INVALID;
    for (int s = 0; s < 2; s++)
        if (!validate_side(b, (Side)s, why, cap)) return STATUS_INVALID;
    Ticks bb = b->side[SIDE_BUY].best_tk, ba = b->side[SIDE_SELL].best_tk;
    if (!b->auction && bb && ba && bb >= ba)
        return fail_(why, cap, "crossed outside an auction: bid %lld ask %lld", (long long)bb, (long long)ba),
               STATUS_INVALID;
    /* pool: every slot is FREE, RESTING or STOP (none ACTIVE between calls); counts agree; the free list reaches
     * exactly the FREE slots. Orders are in exactly one level: each reached order has that level's price and side
     * and the per-side totals equal the RESTING population. */
    uint32_t resting = 0, stops = 0, freed = 0;
    for (uint32_t s = 0; s < b->fresh; s++) {
        const Order *o = &b->orders[s];
        if (o->gen == 0) return fail_(why, cap, "slot %u: generation 0", s), STATUS_INVALID;
        switch (o->state) {
        case ORDER_STATE_FREE: freed++; break;
        case ORDER_STATE_RESTING: resting++; break;
        case ORDER_STATE_STOP: stops++; break;
        default: return fail_(why, cap, "slot %u: state %u between calls", s, o->state), STATUS_INVALID;
        }
    }
    if (resting != b->side[0].order_count + b->side[1].order_count)
        return fail_(why, cap, "%u resting slots, ladders hold %u", resting,
                     b->side[0].order_count + b->side[1].order_count),
               STATUS_INVALID;
    if (b->fresh > b->cap || freed + resting + stops != b->fresh || b->used != resting + stops)
        return fail_(why, cap, "pool counts: used %u, resting %u, stops %u", b->used, resting, stops), STATUS_INVALID;
    uint32_t n = 0;
    for (uint32_t s = b->free_head; s != BOOK_NIL; s = b->orders[s].u.q.next) {
        if (s >= b->fresh || b->orders[s].state != ORDER_STATE_FREE || ++n > freed)
            return fail_(why, cap, "free list broken at slot %u", s), STATUS_INVALID;
    }
    if (n != freed) return fail_(why, cap, "free list has %u slots, %u free", n, freed), STATUS_INVALID;
    uint32_t stops_seen = 0;
    if (!book__stops_validate(b, why, cap, &stops_seen)) return STATUS_INVALID;
    if (stops_seen != stops || stops != b->stop_count)
        return fail_(why, cap, "%u stop slots, lists hold %u, count %u", stops, stops_seen, b->stop_count),
               STATUS_INVALID;
    return STATUS_OK;
}
