/* The event queue that drives the simulation (MODEL.md section 2).
 *
 * Events are plain data ordered by (time, seq): seq is taken from a per-queue counter at push, so events at the same
 * time come out in push order (FIFO) and a run is a pure function of its inputs. kind, target and data belong to the
 * caller (sim/ dispatches on kind). A push returns a handle (the event's seq + 1, never reused) that can cancel the
 * event until it is popped; after that the handle is stale and cancelling it is a harmless no-op that returns false.
 *
 * Causality is asserted: an event may be pushed at the time of the last popped event (zero delay) or later, never
 * earlier. Push and pop are O(log n) (a small queue is a sorted array: see evq.c); cancel finds the event by a scan,
 * O(n) (the simulation never cancels). Storage grows by doubling and is reused, so once warmed (or after
 * evq_reserve) the queue never allocates. */
#ifndef CASCADE_EVQ_H
#define CASCADE_EVQ_H

#include "simtime.h"
#include "status.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct Event {
    SimTime time;    /* when it fires */
    uint64_t seq;    /* push order; breaks ties in time */
    uint32_t kind;   /* caller's event type */
    uint32_t target; /* caller's addressee (agent index, venue id, ...) */
    uint64_t data;   /* caller's payload (an order handle, a shock index, ...) */
} Event;

/* Identifies one pushed event: its seq + 1, unique for the queue's lifetime; 0 is never issued, so a zeroed handle
 * is the null handle. */
typedef struct EvqHandle {
    uint64_t id;
} EvqHandle;

typedef struct Evq {
    Event *heap;       /* the `count` slots: pending events sorted by descending (time, seq), or a 4-ary min-heap
                        * when `heaped` */
    uint32_t count;    /* slots in use: the pending events, plus the root's slot while `hole` */
    uint32_t cap;      /* events allocated */
    uint64_t next_seq;
    SimTime now;       /* time of the last popped event (SIMTIME_MIN before the first pop) */
    bool heaped;       /* heap layout (the earliest at 0) rather than sorted (the earliest last) */
    bool hole;         /* heap layout only: slot 0 is empty, the last pop's root not yet refilled; the next push fills
                        * it (one sift down instead of the pop's and the push's sifts), anything else refills it from
                        * the last slot as a pop would have. Pending events: count - hole. */
} Evq;

/* Initialises an empty queue; allocates nothing. */
void evq_init(Evq *q);
/* Frees all storage; pending events are discarded and every handle becomes stale. */
void evq_fini(Evq *q);
/* Ensures room for `n` pending events without further allocation; STATUS_NOMEM on failure (queue unchanged). */
Status evq_reserve(Evq *q, uint32_t n);

/* Schedules an event at `time` (>= evq_now, asserted); returns its handle, or the null handle (id 0) when storage
 * cannot grow (out of memory) -- check with evq_handle_is_null. */
EvqHandle evq_push(Evq *q, SimTime time, uint32_t kind, uint32_t target, uint64_t data);
/* Removes the earliest event (smallest (time, seq)) into *out and advances evq_now; false if the queue is empty. */
bool evq_pop(Evq *q, Event *out);
/* The queue's order: a fires before b (earlier time, or the same time and pushed first). Not for callers. */
static inline bool evq__before(const Event *a, const Event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* The earliest pending event while the root is a hole: the earliest of its (up to four) children, each the root of
 * a valid heap. Not for callers. */
static inline const Event *evq__hole_front(const Evq *q)
{
    uint32_t end = q->count < 5u ? q->count : 5u;
    const Event *best = &q->heap[1];
    for (uint32_t c = 2; c < end; c++) {
        if (evq__before(&q->heap[c], best)) best = &q->heap[c];
    }
    return best;
}

/* Time of the earliest pending event into *out; false if the queue is empty. Inline: the run loop asks before
 * every event. */
static inline bool evq_peek_time(const Evq *q, SimTime *out)
{
    if (q->count == 0) return false;
    if (!q->heaped) *out = q->heap[q->count - 1u].time;
    else *out = q->hole ? evq__hole_front(q)->time : q->heap[0].time;
    return true;
}
/* Copy of the earliest pending event into *out without removing it; false if the queue is empty. */
bool evq_peek(const Evq *q, Event *out);
/* Removes a pending event (a scan for it, then O(log n)); false (and no effect) for a null, stale, popped or
 * cancelled handle. */
bool evq_cancel(Evq *q, EvqHandle h);
/* True while the event of `h` is pending (pushed, not yet popped or cancelled). */
bool evq_is_pending(const Evq *q, EvqHandle h);
/* Number of pending events. */
uint32_t evq_size(const Evq *q);
/* Time of the last popped event: the simulation clock. SIMTIME_MIN before the first pop. */
SimTime evq_now(const Evq *q);
/* True for the null handle (id 0), as returned by a failed push. */
bool evq_handle_is_null(EvqHandle h);
/* Checks every invariant (order of the layout, sequence numbers, times, counts) in O(n); for tests and validation. */
bool evq_validate(const Evq *q);

#endif
