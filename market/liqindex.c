/* Two binary heaps with back-pointers; design notes in liqindex.h and docs/ledger.md. */
#include "liqindex.h"
#include "alloc.h"
#include "cascade_assert.h"

#include <stdio.h>

#define SLOT_SHORT 0x80000000u

/* True when a must be nearer the root than b. Longs: higher lp first; shorts: lower lp first; ties smaller id. */
static bool before(bool is_short, LiqEntry a, LiqEntry b)
{
    if (a.lp != b.lp) return is_short ? a.lp < b.lp : a.lp > b.lp;
    return a.id < b.id;
}

static void place(LiqIndex *x, LiqHeap *h, bool is_short, uint32_t i, LiqEntry e)
{
    h->e[i] = e;
    x->slot[e.id] = (i + 1u) | (is_short ? SLOT_SHORT : 0u);
}

static void sift_up(LiqIndex *x, LiqHeap *h, bool is_short, uint32_t i)
{
    LiqEntry e = h->e[i];
    while (i > 0) {
        uint32_t parent = (i - 1u) / 2u;
        if (!before(is_short, e, h->e[parent])) break;
        place(x, h, is_short, i, h->e[parent]);
        i = parent;
    }
    place(x, h, is_short, i, e);
}

static void sift_down(LiqIndex *x, LiqHeap *h, bool is_short, uint32_t i)
{
    LiqEntry e = h->e[i];
    for (;;) {
        uint32_t l = 2u * i + 1u;
        if (l >= h->count) break;
        uint32_t best = l;
        if (l + 1u < h->count && before(is_short, h->e[l + 1u], h->e[l])) best = l + 1u;
        if (!before(is_short, h->e[best], e)) break;
        place(x, h, is_short, i, h->e[best]);
        i = best;
    }
    place(x, h, is_short, i, e);
}

static bool grow_array(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap) return true;
    uint32_t n = *cap ? *cap : 16u;
    while (n < need) n = n > UINT32_MAX / 2u ? need : n * 2u;
    void *q = mem_realloc(*p, (size_t)n * elem);
    if (!q) return false;
    *p = q;
    *cap = n;
    return true;
}

Status liqindex_reserve(LiqIndex *x, uint32_t n)
{
    uint32_t old = x->slot_cap;
    if (!grow_array((void **)&x->slot, &x->slot_cap, n, sizeof *x->slot)) return STATUS_NOMEM;
    for (uint32_t i = old; i < x->slot_cap; i++) x->slot[i] = 0;
    if (!grow_array((void **)&x->longs.e, &x->longs.cap, n, sizeof(LiqEntry))) return STATUS_NOMEM;
    if (!grow_array((void **)&x->shorts.e, &x->shorts.cap, n, sizeof(LiqEntry))) return STATUS_NOMEM;
    /* The frontier of a best-first walk holds at most (entries popped) + 2 <= heap size + 1 entries. */
    if (n > 0 && !grow_array((void **)&x->frontier, &x->frontier_cap, n + 1u, sizeof(LiqEntry))) return STATUS_NOMEM;
    return STATUS_OK;
}

Status liqindex_init(LiqIndex *x, uint32_t accounts)
{
    *x = (LiqIndex){0};
    Status s = liqindex_reserve(x, accounts);
    if (s != STATUS_OK) liqindex_fini(x);
    return s;
}

void liqindex_fini(LiqIndex *x)
{
    mem_free(x->longs.e);
    mem_free(x->shorts.e);
    mem_free(x->slot);
    mem_free(x->frontier);
    *x = (LiqIndex){0};
}

static void heap_remove_at(LiqIndex *x, LiqHeap *h, bool is_short, uint32_t i)
{
    x->slot[h->e[i].id] = 0;
    h->count--;
    if (i == h->count) return;
    LiqEntry last = h->e[h->count];
    place(x, h, is_short, i, last);
    sift_up(x, h, is_short, i);
    uint32_t j = x->slot[last.id] & ~SLOT_SHORT;
    sift_down(x, h, is_short, j - 1u);
}

Status liqindex_upsert(LiqIndex *x, AccountId a, Side side, Ticks lp)
{
    CASCADE_ASSERT(a != ACCOUNT_NONE && a < SLOT_SHORT);
    if (a >= x->slot_cap || x->longs.count >= x->longs.cap || x->shorts.count >= x->shorts.cap) {
        uint32_t need = a + 1u;
        if (x->longs.count + 1u > need) need = x->longs.count + 1u;
        if (x->shorts.count + 1u > need) need = x->shorts.count + 1u;
        Status s = liqindex_reserve(x, need);
        if (s != STATUS_OK) return s;
    }
    bool is_short = side == SIDE_SELL;
    LiqHeap *h = is_short ? &x->shorts : &x->longs;
    uint32_t slot = x->slot[a];
    if (slot != 0 && ((slot & SLOT_SHORT) != 0) != is_short) {
        liqindex_remove(x, a); /* side changed (cannot happen without closing, but stay correct) */
        slot = 0;
    }
    if (slot == 0) {
        uint32_t i = h->count++;
        place(x, h, is_short, i, (LiqEntry){lp, a});
        sift_up(x, h, is_short, i);
        return STATUS_OK;
    }
    /* A moved key can only need one direction: toward the root if it now comes before its old value (its children
     * came after the old value), away from it otherwise. An unchanged key (a long whose cash covers it outright
     * stays at MARGIN_NO_LIQ_LONG fill after fill) needs nothing. */
    uint32_t i = (slot & ~SLOT_SHORT) - 1u;
    LiqEntry old = h->e[i];
    if (old.lp == lp) return STATUS_OK;
    h->e[i].lp = lp;
    if (before(is_short, h->e[i], old)) sift_up(x, h, is_short, i);
    else sift_down(x, h, is_short, i);
    return STATUS_OK;
}

bool liqindex_remove(LiqIndex *x, AccountId a)
{
    if (a >= x->slot_cap || x->slot[a] == 0) return false;
    uint32_t slot = x->slot[a];
    bool is_short = (slot & SLOT_SHORT) != 0;
    heap_remove_at(x, is_short ? &x->shorts : &x->longs, is_short, (slot & ~SLOT_SHORT) - 1u);
    return true;
}

bool liqindex_get(const LiqIndex *x, AccountId a, Side *side, Ticks *lp)
{
    if (a >= x->slot_cap || x->slot[a] == 0) return false;
    uint32_t slot = x->slot[a];
    bool is_short = (slot & SLOT_SHORT) != 0;
    const LiqHeap *h = is_short ? &x->shorts : &x->longs;
    if (side) *side = is_short ? SIDE_SELL : SIDE_BUY;
    if (lp) *lp = h->e[(slot & ~SLOT_SHORT) - 1u].lp;
    return true;
}

uint32_t liqindex_count(const LiqIndex *x, Side side)
{
    return side == SIDE_SELL ? x->shorts.count : x->longs.count;
}

static bool peek(const LiqHeap *h, AccountId *a, Ticks *lp)
{
    if (h->count == 0) return false;
    if (a) *a = h->e[0].id;
    if (lp) *lp = h->e[0].lp;
    return true;
}

bool liqindex_peek_long(const LiqIndex *x, AccountId *a, Ticks *lp) { return peek(&x->longs, a, lp); }
bool liqindex_peek_short(const LiqIndex *x, AccountId *a, Ticks *lp) { return peek(&x->shorts, a, lp); }

/* The frontier stores heap indices in LiqEntry.id (lp copied for ordering): a tiny heap over candidate slots. */
static void frontier_push(LiqEntry *f, uint32_t *n, bool is_short, const LiqHeap *h, uint32_t idx)
{
    LiqEntry e = {h->e[idx].lp, idx};
    uint32_t i = (*n)++;
    while (i > 0) {
        uint32_t p = (i - 1u) / 2u;
        LiqEntry pe = f[p];
        /* compare by (lp, account id) of the underlying heap entries */
        LiqEntry ea = {e.lp, h->e[e.id].id}, eb = {pe.lp, h->e[pe.id].id};
        if (!before(is_short, ea, eb)) break;
        f[i] = pe;
        i = p;
    }
    f[i] = e;
}

static LiqEntry frontier_pop(LiqEntry *f, uint32_t *n, bool is_short, const LiqHeap *h)
{
    LiqEntry top = f[0];
    LiqEntry e = f[--(*n)];
    uint32_t i = 0;
    for (;;) {
        uint32_t l = 2u * i + 1u;
        if (l >= *n) break;
        uint32_t best = l;
        LiqEntry el = {f[l].lp, h->e[f[l].id].id};
        if (l + 1u < *n) {
            LiqEntry er = {f[l + 1u].lp, h->e[f[l + 1u].id].id};
            if (before(is_short, er, el)) { best = l + 1u; el = er; }
        }
        LiqEntry ee = {e.lp, h->e[e.id].id};
        if (!before(is_short, el, ee)) break;
        f[i] = f[best];
        i = best;
    }
    if (*n > 0) f[i] = e;
    return top;
}

/* The best-first walk of collect_side once the root is crossed. Out of line, so that the usual "nothing crossed"
 * answer below saves no registers (those saves were a third of its cost, ~70 k calls in equity_day's loop). */
static __attribute__((noinline)) uint32_t collect_walk(LiqIndex *x, bool is_short, const LiqHeap *h, Ticks mark,
                                                       AccountId *out, uint32_t cap)
{
    uint32_t n = 0, written = 0;
    frontier_push(x->frontier, &n, is_short, h, 0);
    while (n > 0 && written < cap) {
        LiqEntry c = frontier_pop(x->frontier, &n, is_short, h);
        x->visits++;
        bool crossed = is_short ? mark >= c.lp : mark <= c.lp;
        if (!crossed) break; /* best remaining candidate not crossed: nothing after it is */
        out[written++] = h->e[c.id].id;
        uint32_t l = 2u * c.id + 1u;
        if (l < h->count) frontier_push(x->frontier, &n, is_short, h, l);
        if (l + 1u < h->count) frontier_push(x->frontier, &n, is_short, h, l + 1u);
    }
    return written;
}

static inline uint32_t collect_side(LiqIndex *x, bool is_short, Ticks mark, AccountId *out, uint32_t cap)
{
    const LiqHeap *h = is_short ? &x->shorts : &x->longs;
    if (h->count == 0 || cap == 0) return 0;
    /* The usual answer at a mark update is "nothing crossed": the root decides it without starting a walk. */
    if (!(is_short ? mark >= h->e[0].lp : mark <= h->e[0].lp)) {
        x->visits++;
        return 0;
    }
    return collect_walk(x, is_short, h, mark, out, cap);
}

uint32_t liqindex_collect_crossed(LiqIndex *x, Ticks mark, AccountId *out, uint32_t cap)
{
    uint32_t n = collect_side(x, false, mark, out, cap);
    return n + collect_side(x, true, mark, out + n, cap - n);
}

static Status fail(char *why, size_t cap, const char *msg, uint32_t i)
{
    if (why && cap) snprintf(why, cap, "liqindex: %s (at %u)", msg, (unsigned)i);
    return STATUS_INVALID;
}

Status liqindex_validate(const LiqIndex *x, char *why, size_t why_cap)
{
    uint32_t indexed = 0;
    for (int side = 0; side < 2; side++) {
        bool is_short = side == 1;
        const LiqHeap *h = is_short ? &x->shorts : &x->longs;
        for (uint32_t i = 0; i < h->count; i++) {
            if (i > 0 && before(is_short, h->e[i], h->e[(i - 1u) / 2u])) return fail(why, why_cap, "heap order", i);
            AccountId a = h->e[i].id;
            if (a >= x->slot_cap || x->slot[a] != ((i + 1u) | (is_short ? SLOT_SHORT : 0u)))
                return fail(why, why_cap, "back-pointer", a);
        }
        indexed += h->count;
    }
    uint32_t slots = 0;
    for (uint32_t a = 0; a < x->slot_cap; a++) slots += x->slot[a] != 0;
    if (slots != indexed) return fail(why, why_cap, "stray back-pointers", slots);
    return STATUS_OK;
}
