/* The one counting allocator: every heap byte of the simulator goes through here (Box2D b2GetByteCount habit).
 *
 * Each block carries a small header with its size so that frees are counted exactly; tests assert that a module
 * torn down leaves mem_live_bytes() where it found it. Counters are atomic so that sweeps may run several
 * simulations on threads of one process. Nothing here is called in the event loop's hot path: pools and arenas
 * are sized up front and grow rarely. */
#ifndef CASCADE_ALLOC_H
#define CASCADE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* malloc with counting; NULL on failure or size 0. */
void *mem_alloc(size_t size);
/* calloc with counting and multiplication overflow check; NULL on failure. */
void *mem_calloc(size_t count, size_t size);
/* realloc with counting; mem_realloc(NULL, n) allocates; returns NULL (old block intact) on failure. */
void *mem_realloc(void *ptr, size_t size);
/* free with counting; NULL is allowed. */
void mem_free(void *ptr);

/* The caller will touch all of block[0, size) at random (a per-agent array of a large population): back it with
 * 2 MiB pages where the kernel gives them on request (Linux transparent huge pages, "madvise" mode; elsewhere
 * nothing happens). With 4 KiB pages every access past the TLB's reach (a few MiB) also walks the page table, one
 * more cache miss: at 10^6 agents, advising every large block sped runs up by 4-24 % (bench/HISTORY.md, item 13).
 * Only blocks of MEM_HUGE_PAGE_MIN bytes and more are advised, and only the 2 MiB-aligned interior. Not for sparse
 * blocks: each touched 2 MiB page counts whole in the resident size. Contents are unaffected; call it before the
 * block is first written for the full effect. */
#define MEM_HUGE_PAGE_MIN ((size_t)8 << 20)
void mem_advise_dense(void *block, size_t size);
/* mem_calloc for such a block: advised before it is zeroed (glibc's calloc may zero a recycled block first, and a
 * page touched while small stays small). */
void *mem_calloc_dense(size_t count, size_t size);

/* A cache line. Blocks come 16-byte aligned; a record array meant to sit on line boundaries is allocated
 * MEM_LINE - 1 bytes larger and used from mem_line_align(block) (the block itself is what mem_free takes). */
#define MEM_LINE ((size_t)64)
static inline void *mem_line_align(void *block)
{
    return block ? (void *)(((uintptr_t)block + MEM_LINE - 1u) & ~(uintptr_t)(MEM_LINE - 1u)) : NULL;
}

/* Bytes currently allocated (payload, not headers). */
int64_t mem_live_bytes(void);
/* Blocks currently allocated. */
int64_t mem_live_blocks(void);
/* Highest mem_live_bytes() seen since start (process-wide). */
int64_t mem_peak_bytes(void);

#endif
