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

/* Bytes currently allocated (payload, not headers). */
int64_t mem_live_bytes(void);
/* Blocks currently allocated. */
int64_t mem_live_blocks(void);
/* Highest mem_live_bytes() seen since start (process-wide). */
int64_t mem_peak_bytes(void);

#endif
