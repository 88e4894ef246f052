/* core_evq: the (time, seq) event queue (core/evq.h). */

#include "test_suites.h"
#include "test_util.h"

#include "alloc.h"
#include "evq.h"
#include "rng.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


static EvqHandle push(Evq *q, SimTime t, uint64_t data)
{
    EvqHandle h = evq_push(q, t, 7u, 9u, data);
    CHECK(!evq_handle_is_null(h));
    return h;
}

/* Pops one event and returns its data; -1 if the queue was empty. */
static int64_t pop_data(Evq *q)
{
    Event e;
    if (!evq_pop(q, &e)) return -1;
    return (int64_t)e.data;
}

static void evq_empty_queue(void)
{
    Evq q;
    evq_init(&q);
    Event e;
    SimTime t = 5;
    CHECK(!evq_pop(&q, &e));
    CHECK(!evq_peek(&q, &e));
    CHECK(!evq_peek_time(&q, &t));
    CHECK_EQ(t, 5);
    CHECK_EQ(evq_size(&q), 0);
    CHECK_EQ(evq_now(&q), SIMTIME_MIN);
    CHECK(!evq_cancel(&q, (EvqHandle){0}));
    CHECK(!evq_cancel(&q, (EvqHandle){3}));
    CHECK(evq_validate(&q));
    evq_fini(&q);
}

static void evq_orders_by_time(void)
{
    Evq q;
    evq_init(&q);
    push(&q, 30, 3);
    push(&q, 10, 1);
    push(&q, 20, 2);
    SimTime t = 0;
    CHECK(evq_peek_time(&q, &t));
    CHECK_EQ(t, 10);
    Event e;
    CHECK(evq_pop(&q, &e));
    CHECK_EQ(e.time, 10);
    CHECK_EQ(e.data, 1);
    CHECK_EQ(e.kind, 7);
    CHECK_EQ(e.target, 9);
    CHECK_EQ(e.seq, 1); /* second push */
    CHECK_EQ(evq_now(&q), 10);
    CHECK_EQ(pop_data(&q), 2);
    CHECK_EQ(pop_data(&q), 3);
    CHECK_EQ(pop_data(&q), -1);
    CHECK_EQ(evq_now(&q), 30);
    evq_fini(&q);
}

static void evq_equal_times_are_fifo(void)
{
    /* The same three payloads pushed in both orders come out in push order each time. */
    Evq q;
    evq_init(&q);
    for (uint64_t d = 1; d <= 3; d++) push(&q, 100, d);
    CHECK_EQ(pop_data(&q), 1);
    CHECK_EQ(pop_data(&q), 2);
    CHECK_EQ(pop_data(&q), 3);
    for (uint64_t d = 3; d >= 1; d--) push(&q, 200, d);
    CHECK_EQ(pop_data(&q), 3);
    CHECK_EQ(pop_data(&q), 2);
    CHECK_EQ(pop_data(&q), 1);
    /* Many equal times interleaved with other times: still FIFO within each time. */
    for (uint64_t i = 0; i < 1000; i++) push(&q, 300 + (SimTime)(i % 3), i);
    for (SimTime t = 300; t < 303; t++) {
        for (uint64_t i = (uint64_t)(t - 300); i < 1000; i += 3) {
            Event e;
            CHECK(evq_pop(&q, &e));
            CHECK_EQ(e.time, t);
            CHECK_EQ(e.data, i);
        }
    }
    CHECK_EQ(evq_size(&q), 0);
    evq_fini(&q);
}

static void evq_zero_delay_push_while_popping(void)
{
    /* An event scheduled "now" by a handler runs after the events already queued for now, before later ones. */
    Evq q;
    evq_init(&q);
    push(&q, 50, 1);
    push(&q, 50, 2);
    push(&q, 60, 9);
    CHECK_EQ(pop_data(&q), 1);
    push(&q, evq_now(&q), 3); /* zero delay */
    CHECK_EQ(pop_data(&q), 2);
    CHECK_EQ(pop_data(&q), 3);
    push(&q, evq_now(&q), 4);
    CHECK_EQ(pop_data(&q), 4);
    CHECK_EQ(pop_data(&q), 9);
    evq_fini(&q);
}

static void evq_extreme_times(void)
{
    Evq q;
    evq_init(&q);
    push(&q, SIMTIME_MAX, 4);
    push(&q, SIMTIME_MAX - 1, 3);
    push(&q, SIMTIME_MAX, 5);
    push(&q, 0, 2);
    push(&q, SIMTIME_MIN, 1); /* allowed before the first pop */
    for (int64_t d = 1; d <= 5; d++) CHECK_EQ(pop_data(&q), d);
    CHECK_EQ(evq_now(&q), SIMTIME_MAX);
    push(&q, SIMTIME_MAX, 6); /* zero delay at the end of time */
    CHECK_EQ(pop_data(&q), 6);
    evq_fini(&q);
}

static void evq_cancel_head_middle_last(void)
{
    Evq q;
    evq_init(&q);
    EvqHandle h[10];
    for (uint64_t i = 0; i < 10; i++) h[i] = push(&q, (SimTime)(i * 10), i);
    CHECK(evq_cancel(&q, h[0])); /* head */
    CHECK(evq_cancel(&q, h[5])); /* middle */
    CHECK(evq_cancel(&q, h[9])); /* last in time */
    CHECK(evq_validate(&q));
    CHECK(!evq_cancel(&q, h[5])); /* double cancel */
    CHECK(!evq_is_pending(&q, h[5]));
    CHECK(evq_is_pending(&q, h[4]));
    CHECK_EQ(evq_size(&q), 7);
    SimTime t = 0;
    CHECK(evq_peek_time(&q, &t));
    CHECK_EQ(t, 10);
    static const int64_t expect[] = {1, 2, 3, 4, 6, 7, 8};
    for (size_t i = 0; i < 7; i++) CHECK_EQ(pop_data(&q), expect[i]);
    CHECK(!evq_cancel(&q, h[1])); /* already popped */
    CHECK(!evq_cancel(&q, (EvqHandle){0}));
    CHECK(!evq_cancel(&q, (EvqHandle){h[9].id + 1000u})); /* never issued */
    CHECK(evq_validate(&q));
    evq_fini(&q);
}

static void evq_stale_handle_after_reuse(void)
{
    /* A handle is never issued twice: after its event left the queue (popped or cancelled), it names nothing, even
     * once the storage the event used holds another event. */
    Evq q;
    evq_init(&q);
    EvqHandle old = push(&q, 10, 1);
    CHECK_EQ(pop_data(&q), 1);
    EvqHandle fresh = push(&q, 20, 2); /* the same array position */
    CHECK_NE(fresh.id, old.id);
    CHECK(!evq_cancel(&q, old));
    CHECK(!evq_is_pending(&q, old));
    CHECK(evq_is_pending(&q, fresh));
    CHECK_EQ(evq_size(&q), 1);
    CHECK(evq_cancel(&q, fresh));
    EvqHandle third = push(&q, 30, 3); /* reuse after a cancel, too */
    CHECK_NE(third.id, fresh.id);
    CHECK(!evq_cancel(&q, fresh));
    CHECK(!evq_cancel(&q, old));
    CHECK_EQ(pop_data(&q), 3);
    evq_fini(&q);
}

static void push_into_past(void)
{
    Evq q;
    evq_init(&q);
    (void)evq_push(&q, 100, 0, 0, 0);
    Event e;
    (void)evq_pop(&q, &e);
    (void)evq_push(&q, 99, 0, 0, 0); /* causality violation: must assert */
    evq_fini(&q);
}

static void evq_push_into_past_asserts(void) { CHECK(test_dies_by_assert(push_into_past)); }

static void evq_no_allocation_once_warm(void)
{
    Evq q;
    evq_init(&q);
    int64_t empty_bytes = mem_live_bytes();
    for (uint64_t i = 0; i < 5000; i++) push(&q, (SimTime)(i % 97), i);
    while (evq_size(&q) > 0) (void)pop_data(&q);
    int64_t warm_bytes = mem_live_bytes();
    int64_t warm_blocks = mem_live_blocks();
    CHECK_GT(warm_bytes, empty_bytes);
    SimTime base = evq_now(&q);
    for (int round = 0; round < 3; round++) {
        for (uint64_t i = 0; i < 5000; i++) push(&q, base + (SimTime)(i % 89), i);
        CHECK_EQ(mem_live_bytes(), warm_bytes);
        while (evq_size(&q) > 0) (void)pop_data(&q);
        base = evq_now(&q);
    }
    CHECK_EQ(mem_live_blocks(), warm_blocks);
    evq_fini(&q);
    CHECK_EQ(mem_live_bytes(), empty_bytes);
    /* evq_reserve pre-sizes, and a queue is reusable after fini. */
    CHECK_EQ(evq_reserve(&q, 1000), STATUS_OK);
    int64_t reserved = mem_live_bytes();
    for (uint64_t i = 0; i < 1000; i++) push(&q, (SimTime)i, i);
    CHECK_EQ(mem_live_bytes(), reserved);
    CHECK_EQ(evq_reserve(&q, UINT32_MAX), STATUS_NOMEM); /* beyond the 32-bit index space */
    evq_fini(&q); /* with 1000 pending: frees everything (checked by the suite's leak teardown) */
}

/* ---- randomized differential test against a sorted array --------------------------------------------------------- */

typedef struct RefEvent {
    SimTime time;
    uint64_t seq;
    uint64_t data;
    EvqHandle h;
} RefEvent;

typedef struct Ref {
    RefEvent *v;
    size_t n;
} Ref;

static bool ref_before(const RefEvent *a, SimTime t, uint64_t seq)
{
    return a->time < t || (a->time == t && a->seq < seq);
}

/* Inserts keeping (time, seq) order; the earliest event is v[0]. */
static void ref_insert(Ref *r, RefEvent e)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ref_before(&r->v[mid], e.time, e.seq)) lo = mid + 1;
        else hi = mid;
    }
    memmove(&r->v[lo + 1], &r->v[lo], (r->n - lo) * sizeof r->v[0]);
    r->v[lo] = e;
    r->n++;
}

static void ref_remove(Ref *r, size_t i)
{
    memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof r->v[0]);
    r->n--;
}

/* ops random operations against the reference, at most max_pending pending. With `phases`, pushes alternate every
 * 1,000 operations between a growing and a shrinking share, so the queue keeps crossing the sorted / heap bounds
 * (32 and 8, evq.c) in both directions; validate_every 1 checks the layout after every operation. */
static void differential(uint32_t ops, size_t max_pending, bool phases, uint32_t validate_every)
{
    enum { STALE_KEEP = 64 };
    const uint32_t OPS = ops;
    const size_t MAX_PENDING = max_pending;
    Rng rng;
    rng_seed(&rng, 0xC0FFEE);
    Evq q;
    evq_init(&q);
    Ref ref = {mem_alloc(MAX_PENDING * sizeof(RefEvent)), 0};
    EvqHandle stale[STALE_KEEP];
    size_t n_stale = 0;
    uint64_t next_seq = 0;
    SimTime now = 0;
    int mismatches = 0;
    for (uint32_t op = 0; op < OPS; op++) {
        uint64_t dice = rng_bounded(&rng, 100);
        if (phases) dice = (op / 1000u) % 2u == 0 ? dice : (dice < 50 ? dice + 30 : dice); /* shrinking: 20 % push */
        if (dice < 50 && ref.n < MAX_PENDING) {
            /* Delays: many ties (0 and a coarse grid), short latencies and far-future events (up to 2^40 ns, so that
             * 3e5 ops cannot push the clock past INT64_MAX). */
            uint64_t kind = rng_bounded(&rng, 4);
            SimTime delay = kind == 0 ? 0
                            : kind == 1 ? (SimTime)rng_bounded(&rng, 4) * 1000
                            : kind == 2 ? (SimTime)rng_bounded(&rng, 100000)
                                        : (SimTime)rng_bounded(&rng, UINT64_C(1) << 40);
            uint64_t data = rng_next(&rng);
            EvqHandle h = evq_push(&q, now + delay, 1u, 2u, data);
            if (evq_handle_is_null(h)) mismatches++;
            ref_insert(&ref, (RefEvent){now + delay, next_seq++, data, h});
        } else if (dice < 80) {
            Event e;
            bool got = evq_pop(&q, &e);
            if (got != (ref.n > 0)) mismatches++;
            if (got && ref.n > 0) {
                RefEvent x = ref.v[0];
                if (e.time != x.time || e.seq != x.seq || e.data != x.data || e.kind != 1u || e.target != 2u)
                    mismatches++;
                now = e.time;
                stale[n_stale++ % STALE_KEEP] = x.h;
                ref_remove(&ref, 0);
            }
        } else if (dice < 92) {
            if (ref.n == 0) continue;
            size_t i = (size_t)rng_bounded(&rng, ref.n);
            if (!evq_cancel(&q, ref.v[i].h)) mismatches++;
            stale[n_stale++ % STALE_KEEP] = ref.v[i].h;
            ref_remove(&ref, i);
        } else if (dice < 96) {
            if (n_stale == 0) continue;
            size_t k = n_stale < STALE_KEEP ? n_stale : STALE_KEEP;
            if (evq_cancel(&q, stale[rng_bounded(&rng, k)])) mismatches++; /* stale: must be refused */
        } else {
            SimTime t = 0;
            bool got = evq_peek_time(&q, &t);
            if (got != (ref.n > 0) || (got && t != ref.v[0].time)) mismatches++;
            Event e;
            got = evq_peek(&q, &e);
            if (got != (ref.n > 0) || (got && (e.seq != ref.v[0].seq || e.data != ref.v[0].data))) mismatches++;
        }
        if (evq_size(&q) != ref.n) mismatches++;
        if (op % validate_every == 0 && !evq_validate(&q)) mismatches++;
    }
    CHECK(evq_validate(&q));
    /* Drain: the remaining order must match exactly. */
    while (ref.n > 0) {
        Event e;
        if (!evq_pop(&q, &e) || e.seq != ref.v[0].seq || e.time != ref.v[0].time) mismatches++;
        ref_remove(&ref, 0);
    }
    CHECK_EQ(evq_size(&q), 0);
    CHECK_EQ(mismatches, 0);
    CHECK_GT(next_seq, ops / 4u); /* the mix really pushed its share */
    mem_free(ref.v);
    evq_fini(&q);
}

static void evq_differential_against_sorted_array(void) { differential(300000, 4096, false, 4096); }

/* Small queues, as a simulation keeps them: the sorted layout, and conversions both ways at every crossing. */
static void evq_differential_small_queue(void) { differential(100000, 48, true, 1); }

void suite_core_evq(void)
{
    static const TestCase cases[] = {
        TEST_CASE(evq_empty_queue),
        TEST_CASE(evq_orders_by_time),
        TEST_CASE(evq_equal_times_are_fifo),
        TEST_CASE(evq_zero_delay_push_while_popping),
        TEST_CASE(evq_extreme_times),
        TEST_CASE(evq_cancel_head_middle_last),
        TEST_CASE(evq_stale_handle_after_reuse),
        TEST_CASE(evq_push_into_past_asserts),
        TEST_CASE(evq_no_allocation_once_warm),
        TEST_CASE(evq_differential_against_sorted_array),
        TEST_CASE(evq_differential_small_queue),
    };
    test_add_suite("core_evq", cases, TEST_COUNT(cases));
}
