#include "pool.h"
#include "alloc.h"
#include "cascade_assert.h"

#include <string.h>

#define POOL_MIN_CAP 16u
#define POOL_MAX_CAP (UINT32_MAX - 2u) /* indices must stay below the POOL_LIVE and POOL_NONE markers */

/* Resizes both arrays to new_cap; cap is updated only when both succeeded, so a failure leaves a consistent pool. */
static Status pool_grow(Pool *p, uint32_t new_cap)
{
    if ((size_t)new_cap > SIZE_MAX / p->elem_size) return STATUS_NOMEM;
    unsigned char *items = mem_realloc(p->items, (size_t)new_cap * p->elem_size);
    if (!items) return STATUS_NOMEM;
    p->items = items;
    PoolSlot *slots = mem_realloc(p->slots, (size_t)new_cap * sizeof *slots);
    if (!slots) return STATUS_NOMEM;
    p->slots = slots;
    p->cap = new_cap;
    return STATUS_OK;
}

Status pool_init(Pool *p, size_t elem_size, uint32_t initial_cap)
{
    CASCADE_ASSERT(elem_size > 0);
    memset(p, 0, sizeof *p);
    p->elem_size = elem_size;
    p->free_head = POOL_NONE;
    if (initial_cap == 0) return STATUS_OK;
    return pool_grow(p, initial_cap < POOL_MAX_CAP ? initial_cap : POOL_MAX_CAP);
}

void pool_fini(Pool *p)
{
    mem_free(p->items);
    mem_free(p->slots);
    size_t elem_size = p->elem_size;
    memset(p, 0, sizeof *p);
    p->elem_size = elem_size;
    p->free_head = POOL_NONE;
}

/* A slot for a new element: the free list first, else a fresh one, doubling storage when needed. */
static Status slot_take(Pool *p, uint32_t *index)
{
    if (p->free_head != POOL_NONE) {
        *index = p->free_head;
        p->free_head = p->slots[*index].next_free;
        return STATUS_OK;
    }
    if (p->used == p->cap) {
        if (p->cap == POOL_MAX_CAP) return STATUS_NOMEM;
        uint32_t new_cap = p->cap < POOL_MIN_CAP ? POOL_MIN_CAP : p->cap > POOL_MAX_CAP / 2u ? POOL_MAX_CAP : p->cap * 2u;
        Status st = pool_grow(p, new_cap);
        if (st != STATUS_OK) return st;
    }
    *index = p->used++;
    p->slots[*index].gen = 1u;
    return STATUS_OK;
}

Status pool_acquire_uninit(Pool *p, PoolHandle *out)
{
    uint32_t index;
    Status st = slot_take(p, &index);
    if (st != STATUS_OK) return st;
    p->slots[index].next_free = POOL_LIVE;
    p->count++;
    *out = (PoolHandle){index, p->slots[index].gen};
    return STATUS_OK;
}

Status pool_acquire(Pool *p, PoolHandle *out)
{
    Status st = pool_acquire_uninit(p, out);
    if (st == STATUS_OK) memset(p->items + (size_t)out->index * p->elem_size, 0, p->elem_size);
    return st;
}

void pool__stale(void) { cascade_assert_fail("pool_get: stale handle (use after release)", __FILE__, __LINE__); }

uint32_t pool_count(const Pool *p) { return p->count; }

uint32_t pool_capacity(const Pool *p) { return p->cap; }

uint32_t pool_next_live(const Pool *p, uint32_t start)
{
    for (uint32_t i = start; i < p->used; i++) {
        if (p->slots[i].next_free == POOL_LIVE) return i;
    }
    return POOL_NONE;
}

PoolHandle pool_handle_at(const Pool *p, uint32_t index)
{
    CASCADE_ASSERT(index < p->used && p->slots[index].next_free == POOL_LIVE);
    return (PoolHandle){index, p->slots[index].gen};
}

bool pool_handle_is_null(PoolHandle h) { return h.gen == 0u; }

bool pool_validate(const Pool *p)
{
    if (p->count > p->used || p->used > p->cap) return false;
    uint32_t live = 0;
    for (uint32_t i = 0; i < p->used; i++) {
        if (p->slots[i].gen == 0u) return false;
        if (p->slots[i].next_free == POOL_LIVE) live++;
    }
    if (live != p->count) return false;
    uint32_t free_count = 0;
    for (uint32_t f = p->free_head; f != POOL_NONE; f = p->slots[f].next_free) {
        if (f >= p->used || p->slots[f].next_free == POOL_LIVE || ++free_count > p->used) return false;
    }
    return free_count + live == p->used;
}
