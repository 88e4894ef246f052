/* Side-ordered index of isolated liquidation prices (MODEL.md 3.3): a mark update touches only the positions it
 * crosses, so its cost grows with the number of liquidations, not with the number of accounts.
 *
 * Structure: two binary heaps of (liquidation price, account) with a per-account back-pointer to the heap slot.
 *   longs   max-heap on LP (liquidate when mark <= LP): the root is the first long a falling mark reaches;
 *   shorts  min-heap on LP (liquidate when mark >= LP): the root is the first short a rising mark reaches.
 * Ties are broken by the smaller AccountId, so the order is total and runs are deterministic.
 * insert / update / remove are O(log n) (sift up or down from the slot the back-pointer names).
 *
 * liqindex_collect_crossed walks each heap best-first with a small frontier heap: pop the best candidate; if the
 * mark crosses it, report it and push its two children; stop at the first candidate that is not crossed. Heap
 * order guarantees that no descendant of an uncrossed entry is crossed, so it examines at most 2k + 1 entries per
 * side for k crossed positions (1 per side when none is crossed) and reports them already sorted.
 * Rejected: a sorted array (O(n) update), a balanced tree (more code and pointers for the same bounds; a heap
 * cannot iterate in order cheaply, which the best-first walk supplies for the crossed prefix only).
 *
 * Memory: arrays grow by doubling through core/alloc in liqindex_reserve / liqindex_upsert; once reserved for
 * n accounts no update allocates. */
#ifndef CASCADE_LIQINDEX_H
#define CASCADE_LIQINDEX_H

#include "book.h"
#include "money.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Dense account index of a venue's ledger (0, 1, 2, ...). */
typedef uint32_t AccountId;
#define ACCOUNT_NONE UINT32_MAX

typedef struct LiqEntry {
    Ticks lp;
    AccountId id;
} LiqEntry;

typedef struct LiqHeap {
    LiqEntry *e;
    uint32_t count, cap;
} LiqHeap;

typedef struct LiqIndex {
    LiqHeap longs;      /* max-heap on lp */
    LiqHeap shorts;     /* min-heap on lp */
    uint32_t *slot;     /* per account: 0 = absent, else heap index + 1, bit 31 set for the short heap */
    uint32_t slot_cap;
    LiqEntry *frontier; /* scratch for collect_crossed, capacity frontier_cap */
    uint32_t frontier_cap;
    uint64_t visits;    /* entries examined by collect_crossed since init (tests assert on it) */
} LiqIndex;

/* Empty index with room for `accounts` accounts (0 allowed). STATUS_NOMEM on failure. */
Status liqindex_init(LiqIndex *x, uint32_t accounts);
/* Releases the arrays. */
void liqindex_fini(LiqIndex *x);
/* Grows so that accounts < n can be inserted without allocating. */
Status liqindex_reserve(LiqIndex *x, uint32_t n);
/* Inserts account a on the given side (SIDE_BUY = long, SIDE_SELL = short) at lp, or moves it there. */
Status liqindex_upsert(LiqIndex *x, AccountId a, Side side, Ticks lp);
/* Removes account a; false when it was not indexed. */
bool liqindex_remove(LiqIndex *x, AccountId a);
/* True when a is indexed; side and lp (each may be NULL) receive its entry. */
bool liqindex_get(const LiqIndex *x, AccountId a, Side *side, Ticks *lp);
/* Number of indexed positions on a side. */
uint32_t liqindex_count(const LiqIndex *x, Side side);
/* The long with the highest LP (ties: smaller id); false when there is none. */
bool liqindex_peek_long(const LiqIndex *x, AccountId *a, Ticks *lp);
/* The short with the lowest LP (ties: smaller id); false when there is none. */
bool liqindex_peek_short(const LiqIndex *x, AccountId *a, Ticks *lp);
/* Accounts whose LP the mark crosses (longs with mark <= LP, then shorts with mark >= LP), each side in the order
 * the moving mark meets them: longs by LP descending, shorts by LP ascending, ties by account id. At most cap are
 * written (the first cap in that order); the return value is the number written. Nothing is removed: the caller
 * (liquidation engine) removes or updates each account as it handles it. Adds to x->visits. */
uint32_t liqindex_collect_crossed(LiqIndex *x, Ticks mark, AccountId *out, uint32_t cap);
/* Heap order and back-pointers, exhaustively; STATUS_INVALID with a reason otherwise. O(n). */
Status liqindex_validate(const LiqIndex *x, char *why, size_t why_cap);

#endif
