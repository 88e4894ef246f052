/* Event queue: a sorted array while small, a 4-ary min-heap when large, of the events themselves.
 *
 * Design
 *   heap[]   the pending events {time, seq, kind, target, data} (32 bytes each), in one of two layouts:
 *              sorted   (up to EVQ_SORTED_MAX events) in descending (time, seq) order, the earliest last: pop takes the
 *                       last event, push shifts up the events that precede it (usually the one or two latency events
 *                       in flight) and cancel closes the gap. A simulation keeps a handful of events pending
 *                       (equity_day: ~5, at most 19), where the heap's sifts cost three times as much (11 % of its
 *                       loop).
 *              heap     an implicit 4-ary min-heap. A push that would make the sorted array longer than
 *                       EVQ_SORTED_MAX reverses it (ascending order is a valid heap); a heap that shrinks to
 *                       EVQ_SORTED_MIN events is sorted again. The gap between the two bounds keeps a queue hovering
 *                       around one of them from converting back and forth. A pop leaves the root's slot empty (the
 *                       `hole`): an event's handler usually schedules the next one at once (a population's next
 *                       wake), and that push goes into the root and sifts down -- one sift where refilling the root
 *                       from the last slot and then appending and sifting up the push took two. Any other operation
 *                       refills the hole first, as the pop would have; peek reads the root's children.
 *   seq      a 64-bit counter taken at push; (time, seq) is a strict total order, so ties in time are FIFO and the
 *            pop order is independent of heap shape, growth history and cancellations.
 *   handles  an event's handle is its seq + 1: unique for the queue's lifetime, so it goes stale exactly when its
 *            event leaves the queue and never names a later one. Cancel finds the event by its seq, a scan: O(n).
 *            Nothing in the simulation cancels (a stale wake or order is recognised by whoever receives it), and
 *            the scan is what keeps push and pop cheap. The queue used to keep each payload in a pooled slot with a
 *            generation and a back-pointer to its node (cancel in O(log n)); every event then paid for a slot taken
 *            and returned, a payload copy and a back-pointer write per moved node: 7.3 M of the 205.5 M
 *            instructions of equity_day's loop (bench/HISTORY.md).
 *
 * Why 4-ary: half the depth of a binary heap for the same n, and the four children of a node are adjacent (128
 * bytes), so sift-down costs fewer cache misses; sift-up, the common case for near-future pushes, is cheaper too.
 * Rejected: a calendar queue / timing wheel (faster for dense uniform horizons, but its bucket width must be tuned and
 * far-future events such as funding or scheduled shocks degrade it); a binary heap of pointers (one cache miss per
 * compare); lazy cancellation with tombstones (the queue would grow with cancelled latency events, and evq_size
 * would lie).
 *
 * Complexity: push and pop O(log_4 n) (O(EVQ_SORTED_MAX) = O(1) while sorted), cancel O(n); peek O(1); memory 32
 * bytes per allocated event. */
#include "evq.h"
#include "alloc.h"
#include "cascade_assert.h"

#include <string.h>

#define EVQ_ARITY 4u
#define EVQ_MIN_CAP 64u
#define EVQ_MAX_CAP (UINT32_MAX - 1u) /* counts and indices stay 32-bit */
#define EVQ_SORTED_MAX 32u            /* most events the sorted layout holds */
#define EVQ_SORTED_MIN 8u             /* a heap this small is sorted again */

/* Moves the event at i up toward the root while it precedes its parent; the hole technique writes each event once. */
static void sift_up(Evq *q, uint32_t i)
{
    Event n = q->heap[i];
    while (i > 0) {
        uint32_t parent = (i - 1u) / EVQ_ARITY;
        if (!evq__before(&n, &q->heap[parent])) break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = n;
}

/* Index of the earliest of the children [first, end) (at least one). A full family of four, the common case away
 * from the last level, is a fixed tournament of three comparisons. */
static uint32_t min_child(const Event *h, uint32_t first, uint32_t end)
{
    if (end - first == EVQ_ARITY) {
        uint32_t a = evq__before(&h[first + 1u], &h[first]) ? first + 1u : first;
        uint32_t b = evq__before(&h[first + 3u], &h[first + 2u]) ? first + 3u : first + 2u;
        return evq__before(&h[b], &h[a]) ? b : a;
    }
    uint32_t best = first;
    for (uint32_t c = first + 1u; c < end; c++) {
        if (evq__before(&h[c], &h[best])) best = c;
    }
    return best;
}

/* Moves the event at i down while some child precedes it. */
static void sift_down(Evq *q, uint32_t i)
{
    Event n = q->heap[i];
    for (;;) {
        uint64_t first = (uint64_t)i * EVQ_ARITY + 1u; /* 64-bit: 4i+1 may exceed UINT32_MAX */
        if (first >= q->count) break;
        uint32_t end = first + EVQ_ARITY < q->count ? (uint32_t)first + EVQ_ARITY : q->count;
        uint32_t best = min_child(q->heap, (uint32_t)first, end);
        if (!evq__before(&q->heap[best], &n)) break;
        q->heap[i] = q->heap[best];
        i = best;
    }
    q->heap[i] = n;
}

/* Removes the event at heap index i, filling the hole with the last event and restoring order around it. */
static void heap_remove_at(Evq *q, uint32_t i)
{
    CASCADE_ASSERT(i < q->count);
    q->count--;
    if (i == q->count) return; /* it was the last event */
    q->heap[i] = q->heap[q->count];
    if (i > 0 && evq__before(&q->heap[i], &q->heap[(i - 1u) / EVQ_ARITY])) sift_up(q, i);
    else sift_down(q, i);
}

/* Refills the root's hole as a pop would have: the last event moves into it and sifts down. */
static void fill_hole(Evq *q)
{
    CASCADE_ASSERT(q->heaped && q->hole && q->count >= 2u);
    q->hole = false;
    q->count--;
    q->heap[0] = q->heap[q->count];
    sift_down(q, 0);
}

/* Sorted layout: inserts e, shifting up by one every event that precedes it (they sit at the end). */
static void sorted_insert(Evq *q, const Event *e)
{
    uint32_t i = q->count++;
    while (i > 0 && evq__before(&q->heap[i - 1u], e)) {
        q->heap[i] = q->heap[i - 1u];
        i--;
    }
    q->heap[i] = *e;
}

/* Sorted layout: removes the event at i, shifting the later-indexed (earlier) events down into the gap. */
static void sorted_remove_at(Evq *q, uint32_t i)
{
    CASCADE_ASSERT(i < q->count);
    q->count--;
    memmove(&q->heap[i], &q->heap[i + 1u], (size_t)(q->count - i) * sizeof q->heap[0]);
}

/* Sorted (descending) to heap: the reversed array is ascending, which satisfies the heap order. */
static void to_heap(Evq *q)
{
    for (uint32_t i = 0, j = q->count; i + 1u < j; i++, j--) {
        Event t = q->heap[i];
        q->heap[i] = q->heap[j - 1u];
        q->heap[j - 1u] = t;
    }
    q->heaped = true;
}

/* Heap to sorted (descending): an insertion sort of at most EVQ_SORTED_MIN events, in place. */
static void to_sorted(Evq *q)
{
    CASCADE_ASSERT(!q->hole);
    uint32_t n = q->count;
    q->count = 0;
    q->heaped = false;
    for (uint32_t k = 0; k < n; k++) {
        Event e = q->heap[k];
        sorted_insert(q, &e);
    }
}

void evq_init(Evq *q)
{
    memset(q, 0, sizeof *q);
    q->now = SIMTIME_MIN;
}

void evq_fini(Evq *q)
{
    mem_free(q->heap);
    evq_init(q);
}

/* Grows the array to new_cap; a failure leaves the queue as it was. */
static Status evq_grow(Evq *q, uint32_t new_cap)
{
    Event *heap = mem_realloc(q->heap, (size_t)new_cap * sizeof *heap);
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

/* Heap layout (converting to it when the sorted array is full): appends e and sifts it up. Out of line, as is
 * grow_full: the sorted push that a simulation makes then needs no register saves. */
static __attribute__((noinline)) void heap_push(Evq *q, const Event *e)
{
    if (!q->heaped) to_heap(q);
    if (q->hole) {
        q->hole = false;
        q->heap[0] = *e;
        sift_down(q, 0);
        return;
    }
    uint32_t i = q->count++;
    q->heap[i] = *e;
    sift_up(q, i);
}

/* Doubles the storage of a full queue; false when it cannot grow. */
static __attribute__((noinline, cold)) bool grow_full(Evq *q)
{
    if (q->cap == EVQ_MAX_CAP) return false;
    uint32_t new_cap = q->cap < EVQ_MIN_CAP ? EVQ_MIN_CAP : q->cap > EVQ_MAX_CAP / 2u ? EVQ_MAX_CAP : q->cap * 2u;
    return evq_grow(q, new_cap) == STATUS_OK;
}

EvqHandle evq_push(Evq *q, SimTime time, uint32_t kind, uint32_t target, uint64_t data)
{
    CASCADE_ASSERT(time >= q->now); /* scheduling into the past would break causality */
    if (q->count == q->cap && !grow_full(q)) return (EvqHandle){0u};
    Event e = {.time = time, .seq = q->next_seq++, .kind = kind, .target = target, .data = data};
    if (!q->heaped && q->count < EVQ_SORTED_MAX) sorted_insert(q, &e);
    else heap_push(q, &e);
    return (EvqHandle){e.seq + 1u};
}

bool evq_pop(Evq *q, Event *out)
{
    if (q->count == 0) return false;
    if (!q->heaped) {
        *out = q->heap[--q->count]; /* the earliest is last */
    } else {
        if (q->hole) fill_hole(q);
        *out = q->heap[0];
        q->hole = true; /* refilled by the next push, or by whatever comes first */
        if (q->count - 1u <= EVQ_SORTED_MIN) {
            fill_hole(q); /* small enough to be sorted again (a heap always holds more than EVQ_SORTED_MIN) */
            to_sorted(q);
        }
    }
    q->now = out->time;
    return true;
}

bool evq_peek(const Evq *q, Event *out)
{
    if (q->count == 0) return false;
    if (!q->heaped) *out = q->heap[q->count - 1u];
    else *out = q->hole ? *evq__hole_front(q) : q->heap[0];
    return true;
}

/* Index of the pending event with handle h, or q->count when there is none. */
static uint32_t find(const Evq *q, EvqHandle h)
{
    if (h.id == 0u || h.id > q->next_seq) return q->count;
    uint64_t seq = h.id - 1u;
    for (uint32_t i = q->hole ? 1u : 0u; i < q->count; i++) {
        if (q->heap[i].seq == seq) return i;
    }
    return q->count;
}

bool evq_is_pending(const Evq *q, EvqHandle h) { return find(q, h) < q->count; }

bool evq_cancel(Evq *q, EvqHandle h)
{
    if (q->hole) fill_hole(q);
    uint32_t i = find(q, h);
    if (i == q->count) return false;
    if (!q->heaped) {
        sorted_remove_at(q, i);
    } else {
        heap_remove_at(q, i);
        if (q->count <= EVQ_SORTED_MIN) to_sorted(q);
    }
    return true;
}

uint32_t evq_size(const Evq *q) { return q->count - (q->hole ? 1u : 0u); }

SimTime evq_now(const Evq *q) { return q->now; }

bool evq_handle_is_null(EvqHandle h) { return h.id == 0u; }

bool evq_validate(const Evq *q)
{
    if (q->count > q->cap || (q->cap > 0 && !q->heap)) return false;
    if (!q->heaped && q->count > EVQ_SORTED_MAX) return false;
    if (q->hole && (!q->heaped || q->count - 1u <= EVQ_SORTED_MIN)) return false;
    for (uint32_t i = q->hole ? 1u : 0u; i < q->count; i++) {
        const Event *e = &q->heap[i];
        uint32_t parent = i > 0 ? (i - 1u) / EVQ_ARITY : 0u;
        if (e->seq >= q->next_seq || e->time < q->now) return false;
        if (!q->heaped && i > 0 && !evq__before(e, &q->heap[i - 1u])) return false;
        if (q->heaped && i > 0 && !(q->hole && parent == 0u) && evq__before(e, &q->heap[parent])) return false;
    }
    return true;
}
