#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* The header keeps max_align_t alignment for the payload that follows it. */
typedef union BlockHeader {
    size_t size;
    max_align_t align_;
} BlockHeader;

static _Atomic int64_t g_live_bytes;
static _Atomic int64_t g_live_blocks;
static _Atomic int64_t g_peak_bytes;

static void count_alloc(size_t size)
{
    int64_t now = atomic_fetch_add(&g_live_bytes, (int64_t)size) + (int64_t)size;
    atomic_fetch_add(&g_live_blocks, 1);
    int64_t peak = atomic_load(&g_peak_bytes);
    while (now > peak && !atomic_compare_exchange_weak(&g_peak_bytes, &peak, now)) {
    }
}

void mem_advise_dense(void *payload, size_t size)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (size < MEM_HUGE_PAGE_MIN) return;
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)payload + huge - 1u) & ~(huge - 1u);
    uintptr_t hi = ((uintptr_t)payload + size) & ~(huge - 1u);
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* advice only: a refusal changes nothing */
#else
    (void)payload;
    (void)size;
#endif
}

void *mem_alloc(size_t size)
{
    if (size == 0 || size > SIZE_MAX - sizeof(BlockHeader)) return NULL;
    BlockHeader *h = malloc(sizeof(BlockHeader) + size);
    if (!h) return NULL;
    h->size = size;
    count_alloc(size);
    return h + 1;
}

void *mem_calloc(size_t count, size_t size)
{
    if (count == 0 || size == 0 || count > (SIZE_MAX - sizeof(BlockHeader)) / size) return NULL;
    size_t total = count * size;
    BlockHeader *h = calloc(1, sizeof(BlockHeader) + total);
    if (!h) return NULL;
    h->size = total;
    count_alloc(total);
    return h + 1;
}

void *mem_calloc_dense(size_t count, size_t size)
{
    if (count == 0 || size == 0 || count > SIZE_MAX / size) return NULL;
    size_t total = count * size;
    void *p = mem_alloc(total);
    if (!p) return NULL;
    mem_advise_dense(p, total); /* before the zeroing below touches the pages: a touched 4 KiB page stays one */
    memset(p, 0, total);
    return p;
}

void *mem_realloc(void *ptr, size_t size)
{
    if (!ptr) return mem_alloc(size);
    if (size == 0 || size > SIZE_MAX - sizeof(BlockHeader)) return NULL;
    BlockHeader *old = (BlockHeader *)ptr - 1;
    size_t old_size = old->size;
    BlockHeader *h = realloc(old, sizeof(BlockHeader) + size);
    if (!h) return NULL;
    h->size = size;
    atomic_fetch_sub(&g_live_bytes, (int64_t)old_size);
    atomic_fetch_sub(&g_live_blocks, 1);
    count_alloc(size);
    return h + 1;
}

void mem_free(void *ptr)
{
    if (!ptr) return;
    BlockHeader *h = (BlockHeader *)ptr - 1;
    atomic_fetch_sub(&g_live_bytes, (int64_t)h->size);
    atomic_fetch_sub(&g_live_blocks, 1);
    free(h);
}

int64_t mem_live_bytes(void) { return atomic_load(&g_live_bytes); }
int64_t mem_live_blocks(void) { return atomic_load(&g_live_blocks); }
int64_t mem_peak_bytes(void) { return atomic_load(&g_peak_bytes); }
