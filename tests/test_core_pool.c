/* core_pool: object pool with generation-checked handles (core/pool.h). */

#include "test_suites.h"
#include "test_util.h"

#include "alloc.h"
#include "pool.h"
#include "rng.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


typedef struct Item {
    int64_t id;
    double weight;
    char tag[13]; /* odd size: elements are not a power of two bytes */
} Item;

static PoolHandle acquire(Pool *p)
{
    PoolHandle h = {0, 0};
    CHECK_EQ(pool_acquire(p, &h), STATUS_OK);
    CHECK(!pool_handle_is_null(h));
    return h;
}

static bool all_zero(const void *mem, size_t n)
{
    const unsigned char *b = mem;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0) return false;
    return true;
}

static void pool_acquire_release_reuse(void)
{
    Pool p;
    CHECK_EQ(pool_init(&p, sizeof(Item), 4), STATUS_OK);
    CHECK_EQ(pool_capacity(&p), 4);
    PoolHandle a = acquire(&p), b = acquire(&p), c = acquire(&p);
    CHECK_EQ(a.index, 0);
    CHECK_EQ(b.index, 1);
    CHECK_EQ(c.index, 2);
    CHECK_EQ(a.gen, 1);
    CHECK_EQ(pool_count(&p), 3);
    Item *ib = pool_get(&p, b);
    ib->id = 77;
    memset(ib->tag, 'x', sizeof ib->tag);
    CHECK(pool_release(&p, b));
    CHECK_EQ(pool_count(&p), 2);
    PoolHandle b2 = acquire(&p); /* reuses slot 1 with a new generation, zeroed */
    CHECK_EQ(b2.index, 1);
    CHECK_EQ(b2.gen, 2);
    CHECK(all_zero(pool_get(&p, b2), sizeof(Item)));
    CHECK(pool_validate(&p));
    pool_fini(&p);
}

static void pool_stale_and_null_handles(void)
{
    Pool p;
    CHECK_EQ(pool_init(&p, sizeof(Item), 0), STATUS_OK);
    PoolHandle h = acquire(&p);
    CHECK(pool_is_live(&p, h));
    CHECK(pool_try_get(&p, h) != NULL);
    CHECK(pool_release(&p, h));
    CHECK(!pool_is_live(&p, h));
    CHECK(pool_try_get(&p, h) == NULL);
    CHECK(!pool_release(&p, h)); /* double release is detected, not corrupting */
    CHECK_EQ(pool_count(&p), 0);
    PoolHandle h2 = acquire(&p);
    CHECK_EQ(h2.index, h.index);
    CHECK(pool_try_get(&p, h) == NULL); /* stale even though the slot is live again */
    CHECK(!pool_release(&p, h));
    CHECK(pool_is_live(&p, h2));
    PoolHandle null = {0, 0};
    CHECK(pool_handle_is_null(null));
    CHECK(pool_try_get(&p, null) == NULL);
    CHECK(!pool_release(&p, null));
    CHECK(pool_try_get(&p, (PoolHandle){500, 1}) == NULL); /* index never handed out */
    CHECK(pool_validate(&p));
    pool_fini(&p);
}

static void get_stale(void)
{
    Pool p;
    (void)pool_init(&p, sizeof(Item), 0);
    PoolHandle h;
    (void)pool_acquire(&p, &h);
    (void)pool_release(&p, h);
    (void)pool_get(&p, h); /* use after release: must assert */
    pool_fini(&p);
}

static void pool_get_stale_asserts(void) { CHECK(test_dies_by_assert(get_stale)); }

static void pool_lifo_reuse(void)
{
    Pool p;
    CHECK_EQ(pool_init(&p, sizeof(int), 0), STATUS_OK);
    PoolHandle h[4];
    for (int i = 0; i < 4; i++) h[i] = acquire(&p);
    CHECK(pool_release(&p, h[1]));
    CHECK(pool_release(&p, h[3]));
    CHECK_EQ(acquire(&p).index, 3); /* most recently released first */
    CHECK_EQ(acquire(&p).index, 1);
    CHECK_EQ(acquire(&p).index, 4); /* then fresh slots */
    pool_fini(&p);
}

static void pool_growth_keeps_handles_and_data(void)
{
    Pool p;
    CHECK_EQ(pool_init(&p, sizeof(Item), 0), STATUS_OK);
    CHECK_EQ(pool_capacity(&p), 0);
    enum { N = 1000 };
    static PoolHandle h[N];
    for (int i = 0; i < N; i++) {
        h[i] = acquire(&p);
        Item *it = pool_get(&p, h[i]);
        it->id = i * 3;
        it->weight = i * 0.5;
    }
    CHECK_EQ(pool_capacity(&p), 1024); /* 16, 32, ..., 1024 */
    int bad = 0;
    for (int i = 0; i < N; i++) {
        const Item *it = pool_try_get(&p, h[i]);
        if (!it || it->id != i * 3 || it->weight != i * 0.5) bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(pool_count(&p), N);
    CHECK(pool_validate(&p));
    /* Released slots are reused before the pool grows again. */
    int64_t bytes = mem_live_bytes();
    for (int i = 0; i < N; i += 2) CHECK(pool_release(&p, h[i]));
    for (int i = 0; i < N; i += 2) h[i] = acquire(&p);
    CHECK_EQ(mem_live_bytes(), bytes);
    CHECK_EQ(pool_capacity(&p), 1024);
    pool_fini(&p);
    /* The pool is reusable after fini, with the same element size. */
    PoolHandle again = acquire(&p);
    CHECK_EQ(again.index, 0);
    CHECK(all_zero(pool_get(&p, again), sizeof(Item)));
    pool_fini(&p);
}

static void pool_iteration_in_index_order(void)
{
    Pool p;
    CHECK_EQ(pool_init(&p, sizeof(int), 2), STATUS_OK);
    CHECK_EQ(pool_next_live(&p, 0), POOL_NONE);
    PoolHandle h[10];
    for (int i = 0; i < 10; i++) {
        h[i] = acquire(&p);
        *(int *)pool_get(&p, h[i]) = i * i;
    }
    CHECK(pool_release(&p, h[0]));
    CHECK(pool_release(&p, h[3]));
    CHECK(pool_release(&p, h[9]));
    static const uint32_t expect[] = {1, 2, 4, 5, 6, 7, 8};
    size_t n = 0;
    for (uint32_t i = pool_next_live(&p, 0); i != POOL_NONE; i = pool_next_live(&p, i + 1)) {
        CHECK(n < 7);
        if (n >= 7) break;
        CHECK_EQ(i, expect[n]);
        PoolHandle hi = pool_handle_at(&p, i);
        CHECK_EQ(hi.gen, h[i].gen);
        CHECK_EQ(*(int *)pool_get(&p, hi), (int)(i * i));
        n++;
    }
    CHECK_EQ(n, 7);
    CHECK_EQ(pool_next_live(&p, 9), POOL_NONE);
    CHECK_EQ(pool_next_live(&p, 1000), POOL_NONE);
    pool_fini(&p);
}

static void pool_generation_skips_zero(void)
{
    Pool p;
    CHECK_EQ(pool_init(&p, sizeof(int), 0), STATUS_OK);
    PoolHandle h = acquire(&p);
    p.slots[h.index].gen = UINT32_MAX; /* white-box: pretend the slot was recycled 2^32 - 2 times */
    h.gen = UINT32_MAX;
    CHECK(pool_release(&p, h));
    PoolHandle wrapped = acquire(&p);
    CHECK_EQ(wrapped.gen, 1); /* never 0, which would make it look null */
    pool_fini(&p);
}

/* Random acquire/release against a list of live handles, checking every stored value and the invariants. */
static void pool_randomized_against_model(void)
{
    enum { OPS = 100000, MAXLIVE = 3000 };
    static PoolHandle live[MAXLIVE];
    static int64_t value[MAXLIVE];
    size_t n = 0;
    Pool p;
    CHECK_EQ(pool_init(&p, sizeof(int64_t), 0), STATUS_OK);
    Rng r;
    rng_seed(&r, 31337);
    int bad = 0;
    PoolHandle dead = {0, 0};
    for (int op = 0; op < OPS; op++) {
        if (n < MAXLIVE && (n == 0 || rng_bounded(&r, 100) < 55)) {
            PoolHandle h;
            if (pool_acquire(&p, &h) != STATUS_OK || *(int64_t *)pool_get(&p, h) != 0) bad++;
            value[n] = (int64_t)rng_next(&r);
            *(int64_t *)pool_get(&p, h) = value[n];
            live[n++] = h;
        } else {
            size_t i = (size_t)rng_bounded(&r, n);
            const int64_t *v = pool_try_get(&p, live[i]);
            if (!v || *v != value[i] || !pool_release(&p, live[i])) bad++;
            dead = live[i];
            live[i] = live[--n];
            value[i] = value[n];
        }
        if (!pool_handle_is_null(dead) && pool_try_get(&p, dead) != NULL) bad++;
        if (pool_count(&p) != n) bad++;
        if (op % 5000 == 0 && !pool_validate(&p)) bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK(pool_validate(&p));
    pool_fini(&p);
}

void suite_core_pool(void)
{
    static const TestCase cases[] = {
        TEST_CASE(pool_acquire_release_reuse),
        TEST_CASE(pool_stale_and_null_handles),
        TEST_CASE(pool_get_stale_asserts),
        TEST_CASE(pool_lifo_reuse),
        TEST_CASE(pool_growth_keeps_handles_and_data),
        TEST_CASE(pool_iteration_in_index_order),
        TEST_CASE(pool_generation_skips_zero),
        TEST_CASE(pool_randomized_against_model),
    };
    test_add_suite("core_pool", cases, TEST_COUNT(cases));
}
