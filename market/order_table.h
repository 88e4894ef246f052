/* A venue's record of its live orders: which account owns each, what the account asked for (its own tag), and what
 * the venue holds against it (reserved cash or asset on a spot venue, order margin on a perpetual venue).
 *
 * The venue submits every order to its Book with tag = the record's reference (pool handle packed into 64 bits),
 * so a fill or an ending finds its record in O(1) and the account's own tag is echoed back from here. Each account's
 * live orders form an intrusive doubly linked list (oldest first), so "cancel every order of this account" (a
 * liquidation, a market maker pulling quotes) costs O(its orders), not O(all orders).
 *
 * Storage: one core/pool of records plus a per-account head/tail/count array that grows by doubling in
 * otab_reserve_accounts. No allocation per order once the pool has reached its working size. */
#ifndef CASCADE_ORDER_TABLE_H
#define CASCADE_ORDER_TABLE_H

#include "book.h"
#include "liqindex.h"
#include "money.h"
#include "pool.h"
#include "status.h"

#include <stdbool.h>
#include <stdint.h>

/* (generation << 32) | index of the record's pool slot; 0 is never a live reference. */
typedef uint64_t OrderRef;
#define ORDER_REF_NONE ((OrderRef)0)

/* What the venue does with the order's fills (perpetual venue). */
typedef enum OrderKind {
    ORDER_KIND_USER = 0,         /* an account's own order */
    ORDER_KIND_LIQUIDATION = 1,  /* the liquidation engine's order for a taken-over position */
} OrderKind;

typedef struct VenueOrder {
    OrderId book_id;       /* the book's id (ORDER_ID_NONE until the book accepted it) */
    uint64_t user_tag;     /* the account's tag, echoed to it */
    AccountId owner;
    uint32_t prev, next;   /* the owner's list: pool indices, POOL_NONE at the ends */
    Side side;
    uint8_t kind;          /* OrderKind */
    uint8_t reduce_only;
    Ticks price_tk;        /* limit (or trigger) price the reservation was computed at; 0 for market */
    Lots remaining;        /* as the venue last saw it */
    Quote reserved;        /* what the venue holds against the remaining quantity (venue-defined unit) */
    uint32_t aux;          /* venue-defined (the liquidation engine stores its backlog item here) */
} VenueOrder;

/* An account's order as a venue takes it (spot and perpetual venues share it). */
typedef struct VenueReq {
    OrderType type;        /* LIMIT, IOC, POST_ONLY, MARKET; STOP_MARKET where the venue supports it */
    Side side;
    Ticks price_tk;        /* limit price, or trigger price of a stop; unused for MARKET */
    Lots qty;
    uint64_t tag;          /* the account's own value, echoed in its fills */
    uint32_t flags;        /* ORDER_FLAG_* (reduce-only on perpetual venues) */
    StopTrigger trigger;   /* stops only */
} VenueReq;

typedef struct VenueResult {
    OrderRef ref;          /* ORDER_REF_NONE when nothing rests (fully filled, IOC/market remainder ended) */
    Lots accepted;         /* after any reduce-only clamp */
    Lots filled;           /* executed during the call */
    Lots resting;          /* left in the book or the stop store */
} VenueResult;

typedef struct OrderTableAccount {
    uint32_t head, tail;   /* pool indices, POOL_NONE when empty */
    uint32_t count;
} OrderTableAccount;

typedef struct OrderTable {
    Pool pool;
    OrderTableAccount *acct;
    uint32_t acct_cap;
} OrderTable;

/* Empty table with room for `accounts` accounts and `orders` records. STATUS_NOMEM on failure. */
Status otab_init(OrderTable *t, uint32_t accounts, uint32_t orders);
void otab_fini(OrderTable *t);
/* Makes accounts < n usable. */
Status otab_reserve_accounts(OrderTable *t, uint32_t n);
/* New zeroed record owned by `owner` (< reserved accounts), appended to its list; *ref and *out (may be NULL)
 * receive its reference and a pointer valid until the next otab_add. */
Status otab_add(OrderTable *t, AccountId owner, OrderRef *ref, VenueOrder **out);
/* The record of a live reference (asserted), or NULL for otab_try_get when stale or none. Pointers are invalidated
 * by the next otab_add. */
VenueOrder *otab_get(OrderTable *t, OrderRef ref);
VenueOrder *otab_try_get(OrderTable *t, OrderRef ref);
/* Read-only otab_try_get for checks and queries. */
const VenueOrder *otab_peek(const OrderTable *t, OrderRef ref);
/* Unlinks and frees a live record; false for a stale reference. */
bool otab_remove(OrderTable *t, OrderRef ref);
/* The owner's oldest live order, or ORDER_REF_NONE. */
OrderRef otab_first(const OrderTable *t, AccountId owner);
/* The owner's next order after ref, or ORDER_REF_NONE. */
OrderRef otab_next(const OrderTable *t, OrderRef ref);
/* Live orders of an account / of the venue. */
uint32_t otab_count(const OrderTable *t, AccountId owner);
uint32_t otab_total(const OrderTable *t);
/* Every list against the pool (links, counts, owners); STATUS_INVALID with a reason. O(records + accounts). */
Status otab_validate(const OrderTable *t, char *why, size_t why_cap);

#endif
