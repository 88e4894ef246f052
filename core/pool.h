/* Object pool with generation-checked handles (Box2D ids, flecs entities).
 *
 * Fixed-size elements live in one growable array; a handle {index, gen} names an element across modules and events.
 * Releasing an element bumps its slot's generation, so every old handle to it goes stale and is detected by
 * pool_try_get / pool_is_live, even after the slot is reused. gen 0 is never issued: a zeroed PoolHandle is null.
 *
 * Storage grows by doubling through mem_realloc, which moves the elements: pointers returned by pool_get are valid
 * only until the next pool_acquire; keep handles, not pointers, across calls. Released slots are reused LIFO (the
 * most recently released first), which is deterministic and cache-warm. A slot's generation wraps after 2^32 - 1
 * releases, after which a very old handle could alias a new element (far beyond any run's reuse of one slot). */
#ifndef CASCADE_POOL_H
#define CASCADE_POOL_H

#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct PoolHandle {
    uint32_t index;
    uint32_t gen;
} PoolHandle;

/* Per-slot bookkeeping. Internal. */
typedef struct PoolSlot {
    uint32_t gen;       /* generation of the current (or next, when free) occupant */
    uint32_t next_free; /* POOL_NONE-linked free list; POOL_LIVE while the slot is occupied */
} PoolSlot;

typedef struct Pool {
    unsigned char *items; /* cap * elem_size bytes */
    PoolSlot *slots;      /* cap entries */
    size_t elem_size;
    uint32_t cap;
    uint32_t used;      /* slots ever handed out; indices >= used are fresh */
    uint32_t count;     /* live elements */
    uint32_t free_head; /* most recently released slot, or POOL_NONE */
} Pool;

#define POOL_NONE UINT32_MAX        /* "no index": end of iteration, empty free list */
#define POOL_LIVE (UINT32_MAX - 1u) /* next_free marker of an occupied slot */

/* Initialises an empty pool of elem_size-byte elements (> 0), allocating initial_cap slots up front (0 = lazily);
 * STATUS_NOMEM if that allocation fails (the pool is then empty but valid and must still be finalised). */
Status pool_init(Pool *p, size_t elem_size, uint32_t initial_cap);
/* Frees all storage; every handle becomes stale (and every pointer dangling). */
void pool_fini(Pool *p);
/* Takes a slot (reusing released ones first, else growing by doubling) and zeroes its element; *out gets its handle.
 * STATUS_NOMEM (pool unchanged, *out untouched) when storage cannot grow. */
Status pool_acquire(Pool *p, PoolHandle *out);
/* pool_acquire without the zeroing, for a caller that writes the whole element right away (the world's pending
 * actions: a libc memset per order message, overwritten at once). */
Status pool_acquire_uninit(Pool *p, PoolHandle *out);
/* The lookups and the release are inline: every order, fill and pending action goes through them. */

/* True if h names a live element. */
static inline bool pool_is_live(const Pool *p, PoolHandle h)
{
    if (h.gen == 0u || h.index >= p->used) return false;
    const PoolSlot *s = &p->slots[h.index];
    return s->next_free == POOL_LIVE && s->gen == h.gen;
}

/* Releases a live element; false (and no effect) for a null or stale handle, so a double release is detected. */
static inline bool pool_release(Pool *p, PoolHandle h)
{
    if (!pool_is_live(p, h)) return false;
    PoolSlot *s = &p->slots[h.index];
    s->gen = s->gen == UINT32_MAX ? 1u : s->gen + 1u; /* stale from now on; 0 stays reserved for null */
    s->next_free = p->free_head;
    p->free_head = h.index;
    p->count--;
    return true;
}

/* The element of h, or NULL if h is null or stale. */
static inline void *pool_try_get(Pool *p, PoolHandle h)
{
    if (!pool_is_live(p, h)) return NULL;
    return p->items + (size_t)h.index * p->elem_size;
}

/* Out-of-line part of pool_get: reports a stale handle (a use-after-release in the caller). */
_Noreturn void pool__stale(void);

/* The element of a live handle; asserts that it is live. Invalidated by the next pool_acquire. */
static inline void *pool_get(Pool *p, PoolHandle h)
{
    void *item = pool_try_get(p, h);
    if (!item) pool__stale();
    return item;
}
/* Number of live elements. */
uint32_t pool_count(const Pool *p);
/* Number of slots currently allocated. */
uint32_t pool_capacity(const Pool *p);
/* Smallest live index >= start, or POOL_NONE: `for (i = pool_next_live(p, 0); i != POOL_NONE;
 * i = pool_next_live(p, i + 1))` visits live elements in index order. O(slots scanned). */
uint32_t pool_next_live(const Pool *p, uint32_t start);
/* The handle of the live element at index (asserted live); pairs with pool_next_live. */
PoolHandle pool_handle_at(const Pool *p, uint32_t index);
/* True for the null handle (gen 0). */
bool pool_handle_is_null(PoolHandle h);
/* Checks counts, the free list and live markers in O(capacity); for tests and validation. */
bool pool_validate(const Pool *p);

#endif
