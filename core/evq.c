/* Event queue: a sorted array while small, an indexed 4-ary min-heap when large, over pooled event slots.
 *
 * Design
 *   slots[]  Event payloads in a pool: a free list threads through `link`, and a per-slot generation is bumped every
 *            time a slot is released (pop or cancel), so an EvqHandle {slot, gen} goes stale exactly when its event
 *            leaves the queue. Slots never move, so handles survive growth.
 *   heap[]   nodes {time, seq, slot}. The key is copied into the node so that the loops compare contiguous memory
 *            instead of chasing slot indices; each pending slot's `link` is the back-pointer to its node, which is what
 *            makes cancel cheap (remove at a known position). Two layouts:
 *              sorted   (up to EVQ_SORTED_MAX nodes) in descending (time, seq) order, the earliest last: pop takes the
 *                       last node, push shifts up the nodes that precede it (usually the one or two latency events in
 *                       flight) and cancel closes the gap. A simulation keeps a handful of events pending (equity_day:
 *                       ~5, at most 19), where the heap's sifts cost three times as much (11 % of its loop).
 *              heap     an implicit 4-ary min-heap. A push that would make the sorted array longer than
 *                       EVQ_SORTED_MAX reverses it (ascending order is a valid heap); a heap that shrinks to
 *                       EVQ_SORTED_MIN nodes is sorted again. The gap between the two bounds keeps a queue hovering
 *                       around one of them from converting back and forth.
 *   seq      a 64-bit counter taken at push; (time, seq) is a strict total order, so ties in time are FIFO and the
 *            pop order is independent of heap shape, growth history and cancellations.
 *
 * Why 4-ary: half the depth of a binary heap for the same n, and the four children of a node are adjacent (96 bytes),
 * so sift-down costs fewer cache misses; sift-up, the common case for near-future pushes, is cheaper too.
 * Rejected: a calendar queue / timing wheel (faster for dense uniform horizons, but its bucket width must be tuned and
 * far-future events such as funding or scheduled shocks degrade it); a binary heap of pointers (one cache miss per
 * compare); lazy cancellation with tombstones (the queue would grow with cancelled latency events, and evq_size
 * would lie).
 *
 * Complexity: push, pop, cancel O(log_4 n) (O(EVQ_SORTED_MAX) = O(1) while sorted); peek O(1); memory 40 bytes per
 * slot + 24 per node. */
#include "evq.h"
#include "alloc.h"
#include "cascade_assert.h"

#include <string.h>

#define EVQ_ARITY 4u
#define EVQ_MIN_CAP 64u
#define EVQ_NONE UINT32_MAX           /* end of the free list */
#define EVQ_MAX_CAP (UINT32_MAX - 1u) /* slot indices must stay distinct from EVQ_NONE */
#define EVQ_SORTED_MAX 32u            /* most nodes the sorted layout holds */
#define EVQ_SORTED_MIN 8u             /* a heap this small is sorted again */

static bool node_before(const EvqNode *a, const EvqNode *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* Places node n at heap index i and refreshes its slot's back-pointer. */
static void heap_set(Evq *q, uint32_t i, EvqNode n)
{
    q->heap[i] = n;
    q->slots[n.slot].link = i;
}

/* Moves the node at i up toward the root while it precedes its parent; the hole technique writes each node once. */
static void sift_up(Evq *q, uint32_t i)
{
    EvqNode n = q->heap[i];
    while (i > 0) {
        uint32_t parent = (i - 1u) / EVQ_ARITY;
        if (!node_before(&n, &q->heap[parent])) break;
        heap_set(q, i, q->heap[parent]);
        i = parent;
    }
    heap_set(q, i, n);
}

/* Index of the earliest of the children [first, end) (at least one). A full family of four, the common case away
 * from the last level, is a fixed tournament of three comparisons. */
static uint32_t min_child(const EvqNode *h, uint32_t first, uint32_t end)
{
    if (end - first == EVQ_ARITY) {
        uint32_t a = node_before(&h[first + 1u], &h[first]) ? first + 1u : first;
        uint32_t b = node_before(&h[first + 3u], &h[first + 2u]) ? first + 3u : first + 2u;
        return node_before(&h[b], &h[a]) ? b : a;
    }
    uint32_t best = first;
    for (uint32_t c = first + 1u; c < end; c++) {
        if (node_before(&h[c], &h[best])) best = c;
    }
    return best;
}

/* Moves the node at i down while some child precedes it. */
static void sift_down(Evq *q, uint32_t i)
{
    EvqNode n = q->heap[i];
    for (;;) {
        uint64_t first = (uint64_t)i * EVQ_ARITY + 1u; /* 64-bit: 4i+1 may exceed UINT32_MAX */
        if (first >= q->count) break;
        uint32_t end = first + EVQ_ARITY < q->count ? (uint32_t)first + EVQ_ARITY : q->count;
        uint32_t best = min_child(q->heap, (uint32_t)first, end);
        if (!node_before(&q->heap[best], &n)) break;
        heap_set(q, i, q->heap[best]);
        i = best;
    }
    heap_set(q, i, n);
}

/* Removes the node at heap index i, filling the hole with the last node and restoring order around it. */
static void heap_remove_at(Evq *q, uint32_t i)
{
    CASCADE_ASSERT(i < q->count);
    q->count--;
    if (i == q->count) return; /* it was the last node */
    EvqNode last = q->heap[q->count];
    heap_set(q, i, last);
    if (i > 0 && node_before(&last, &q->heap[(i - 1u) / EVQ_ARITY])) sift_up(q, i);
    else sift_down(q, i);
}

/* Sorted layout: inserts n, shifting up by one every node that precedes it (they sit at the end). */
static void sorted_insert(Evq *q, EvqNode n)
{
    uint32_t i = q->count++;
    while (i > 0 && node_before(&q->heap[i - 1u], &n)) {
        heap_set(q, i, q->heap[i - 1u]);
        i--;
    }
    heap_set(q, i, n);
}

/* Sorted layout: removes the node at i, shifting the later-indexed (earlier) nodes down into the gap. */
static void sorted_remove_at(Evq *q, uint32_t i)
{
    CASCADE_ASSERT(i < q->count);
    q->count--;
    for (; i < q->count; i++) heap_set(q, i, q->heap[i + 1u]);
}

/* Sorted (descending) to heap: the reversed array is ascending, which satisfies the heap order. */
static void to_heap(Evq *q)
{
    for (uint32_t i = 0, j = q->count; i + 1u < j; i++, j--) {
        EvqNode t = q->heap[i];
        q->heap[i] = q->heap[j - 1u];
        q->heap[j - 1u] = t;
    }
    for (uint32_t i = 0; i < q->count; i++) q->slots[q->heap[i].slot].link = i;
    q->heaped = true;
}

/* Heap to sorted (descending): an insertion sort of at most EVQ_SORTED_MIN nodes. */
static void to_sorted(Evq *q)
{
    uint32_t n = q->count;
    q->count = 0;
    q->heaped = false;
    for (uint32_t k = 0; k < n; k++) sorted_insert(q, q->heap[k]);
}

/* Returns a slot to the free list; the generation bump makes every handle to it stale. */
static void slot_release(Evq *q, uint32_t slot)
{
    EvqSlot *s = &q->slots[slot];
    s->gen = s->gen == UINT32_MAX ? 1u : s->gen + 1u; /* 0 stays reserved for the null handle */
    s->link = q->free_head;
    q->free_head = slot;
}

void evq_init(Evq *q)
{
    memset(q, 0, sizeof *q);
    q->free_head = EVQ_NONE;
    q->now = SIMTIME_MIN;
}

void evq_fini(Evq *q)
{
    mem_free(q->heap);
    mem_free(q->slots);
    evq_init(q);
}

/* Grows both arrays to new_cap. The capacity is updated only once both succeeded, so a failure leaves a consistent
 * (possibly over-allocated) queue. */
static Status evq_grow(Evq *q, uint32_t new_cap)
{
    EvqSlot *slots = mem_realloc(q->slots, (size_t)new_cap * sizeof *slots);
    if (!slots) return STATUS_NOMEM;
    q->slots = slots;
    EvqNode *heap = mem_realloc(q->heap, (size_t)new_cap * sizeof *heap);
    if (!heap) return STATUS_NOMEM;
    q->heap = heap;
    q->cap = new_cap;
    return STATUS_OK;
}

Status evq_reserve(Evq *q, uint32_t n)
{
    if (n <= q->cap) return STATUS_OK;
    if (n > EVQ_MAX_CAP) return STATUS_NOMEM;
    return evq_grow(q, n);
}

/* Takes a slot from the free list, or a fresh one (doubling storage when full); EVQ_NONE when out of memory. */
static uint32_t slot_acquire(Evq *q)
{
    if (q->free_head != EVQ_NONE) {
        uint32_t slot = q->free_head;
        q->free_head = q->slots[slot].link;
        return slot;
    }
    if (q->used == q->cap) {
        if (q->cap == EVQ_MAX_CAP) return EVQ_NONE;
        uint32_t new_cap = q->cap < EVQ_MIN_CAP ? EVQ_MIN_CAP : q->cap > EVQ_MAX_CAP / 2u ? EVQ_MAX_CAP : q->cap * 2u;
        if (evq_grow(q, new_cap) != STATUS_OK) return EVQ_NONE;
    }
    uint32_t slot = q->used++;
    q->slots[slot].gen = 1u;
    return slot;
}

EvqHandle evq_push(Evq *q, SimTime time, uint32_t kind, uint32_t target, uint64_t data)
{
    CASCADE_ASSERT(time >= q->now); /* scheduling into the past would break causality */
    uint32_t slot = slot_acquire(q);
    if (slot == EVQ_NONE) return (EvqHandle){0u, 0u};
    EvqSlot *s = &q->slots[slot];
    s->event = (Event){.time = time, .seq = q->next_seq++, .kind = kind, .target = target, .data = data};
    EvqNode n = {.time = time, .seq = s->event.seq, .slot = slot};
    if (!q->heaped && q->count < EVQ_SORTED_MAX) {
        sorted_insert(q, n);
    } else {
        if (!q->heaped) to_heap(q);
        uint32_t i = q->count++;
        q->heap[i] = n;
        sift_up(q, i);
    }
    return (EvqHandle){slot, s->gen};
}

bool evq_pop(Evq *q, Event *out)
{
    if (q->count == 0) return false;
    uint32_t slot;
    if (!q->heaped) {
        slot = q->heap[--q->count].slot; /* the earliest is last */
    } else {
        slot = q->heap[0].slot;
        /* The root's hole is filled by the last node, which can only move down (heap_remove_at without its sift-up
         * test). */
        if (--q->count > 0) {
            heap_set(q, 0, q->heap[q->count]);
            sift_down(q, 0);
        }
        if (q->count <= EVQ_SORTED_MIN) to_sorted(q);
    }
    *out = q->slots[slot].event;
    q->now = out->time;
    slot_release(q, slot);
    return true;
}

bool evq_peek(const Evq *q, Event *out)
{
    if (q->count == 0) return false;
    *out = q->slots[q->heap[q->heaped ? 0u : q->count - 1u].slot].event;
    return true;
}

bool evq_is_pending(const Evq *q, EvqHandle h)
{
    /* A free slot's generation was bumped on release, so gen equality alone proves the event is still queued. */
    return h.gen != 0u && h.slot < q->used && q->slots[h.slot].gen == h.gen;
}

bool evq_cancel(Evq *q, EvqHandle h)
{
    if (!evq_is_pending(q, h)) return false;
    if (!q->heaped) {
        sorted_remove_at(q, q->slots[h.slot].link);
    } else {
        heap_remove_at(q, q->slots[h.slot].link);
        if (q->count <= EVQ_SORTED_MIN) to_sorted(q);
    }
    slot_release(q, h.slot);
    return true;
}

uint32_t evq_size(const Evq *q) { return q->count; }

SimTime evq_now(const Evq *q) { return q->now; }

bool evq_handle_is_null(EvqHandle h) { return h.gen == 0u; }

bool evq_validate(const Evq *q)
{
    if (q->count > q->used || q->used > q->cap) return false;
    for (uint32_t i = 0; i < q->count; i++) {
        const EvqNode *n = &q->heap[i];
        if (n->slot >= q->used) return false;
        const EvqSlot *s = &q->slots[n->slot];
        if (s->link != i || s->event.time != n->time || s->event.seq != n->seq) return false;
        if (n->seq >= q->next_seq || n->time < q->now) return false;
        if (!q->heaped && i > 0 && !node_before(n, &q->heap[i - 1u])) return false;
        if (q->heaped && i > 0 && node_before(n, &q->heap[(i - 1u) / EVQ_ARITY])) return false;
    }
    /* Every used slot is either pending (counted above) or on the free list exactly once. */
    uint32_t free_count = 0;
    for (uint32_t f = q->free_head; f != EVQ_NONE; f = q->slots[f].link) {
        if (f >= q->used || ++free_count > q->used) return false;
    }
    return free_count + q->count == q->used;
}
