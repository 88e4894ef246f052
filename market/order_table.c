/* Venue order records: see order_table.h. */
#include "order_table.h"

#include "alloc.h"
#include "cascade_assert.h"

#include <stdio.h>
#include <string.h>

static OrderRef pack(PoolHandle h) { return ((uint64_t)h.gen << 32) | h.index; }
static PoolHandle unpack(OrderRef r) { return (PoolHandle){(uint32_t)(r & 0xffffffffu), (uint32_t)(r >> 32)}; }
static VenueOrder *at(const OrderTable *t, uint32_t index)
{
    return (VenueOrder *)(void *)(t->pool.items + (size_t)index * t->pool.elem_size);
}

Status otab_init(OrderTable *t, uint32_t accounts, uint32_t orders)
{
    memset(t, 0, sizeof *t);
    Status s = pool_init(&t->pool, sizeof(VenueOrder), orders);
    if (s != STATUS_OK) return s;
    return otab_reserve_accounts(t, accounts);
}

void otab_fini(OrderTable *t)
{
    pool_fini(&t->pool);
    mem_free(t->acct);
    memset(t, 0, sizeof *t);
}

Status otab_reserve_accounts(OrderTable *t, uint32_t n)
{
    if (n <= t->acct_cap) return STATUS_OK;
    uint32_t cap = t->acct_cap ? t->acct_cap : 16u;
    while (cap < n) cap = cap > UINT32_MAX / 2u ? UINT32_MAX : cap * 2u;
    OrderTableAccount *a = mem_realloc(t->acct, (size_t)cap * sizeof *a);
    if (!a) return STATUS_NOMEM;
    for (uint32_t i = t->acct_cap; i < cap; i++) a[i] = (OrderTableAccount){POOL_NONE, POOL_NONE, 0};
    t->acct = a;
    t->acct_cap = cap;
    return STATUS_OK;
}

Status otab_add(OrderTable *t, AccountId owner, OrderRef *ref, VenueOrder **out)
{
    CASCADE_ASSERT(owner < t->acct_cap);
    PoolHandle h;
    /* One record per order message: written whole here rather than zeroed by a libc memset first. */
    Status s = pool_acquire_uninit(&t->pool, &h);
    if (s != STATUS_OK) return s;
    VenueOrder *o = at(t, h.index);
    OrderTableAccount *a = &t->acct[owner];
    *o = (VenueOrder){.book_id = ORDER_ID_NONE, .owner = owner, .prev = a->tail, .next = POOL_NONE};
    if (a->tail != POOL_NONE) at(t, a->tail)->next = h.index;
    else a->head = h.index;
    a->tail = h.index;
    a->count++;
    *ref = pack(h);
    if (out) *out = o;
    return STATUS_OK;
}

VenueOrder *otab_try_get(OrderTable *t, OrderRef ref) { return pool_try_get(&t->pool, unpack(ref)); }

const VenueOrder *otab_peek(const OrderTable *t, OrderRef ref)
{
    PoolHandle h = unpack(ref);
    return pool_is_live(&t->pool, h) ? at(t, h.index) : NULL;
}

VenueOrder *otab_get(OrderTable *t, OrderRef ref) { return pool_get(&t->pool, unpack(ref)); }

bool otab_remove(OrderTable *t, OrderRef ref)
{
    PoolHandle h = unpack(ref);
    VenueOrder *o = pool_try_get(&t->pool, h);
    if (!o) return false;
    OrderTableAccount *a = &t->acct[o->owner];
    if (o->prev != POOL_NONE) at(t, o->prev)->next = o->next;
    else a->head = o->next;
    if (o->next != POOL_NONE) at(t, o->next)->prev = o->prev;
    else a->tail = o->prev;
    a->count--;
    return pool_release(&t->pool, h);
}

OrderRef otab_first(const OrderTable *t, AccountId owner)
{
    if (owner >= t->acct_cap || t->acct[owner].head == POOL_NONE) return ORDER_REF_NONE;
    return pack(pool_handle_at(&t->pool, t->acct[owner].head));
}

OrderRef otab_next(const OrderTable *t, OrderRef ref)
{
    PoolHandle h = unpack(ref);
    CASCADE_ASSERT(pool_is_live(&t->pool, h));
    uint32_t n = at(t, h.index)->next;
    return n == POOL_NONE ? ORDER_REF_NONE : pack(pool_handle_at(&t->pool, n));
}

uint32_t otab_count(const OrderTable *t, AccountId owner) { return owner < t->acct_cap ? t->acct[owner].count : 0; }

uint32_t otab_total(const OrderTable *t) { return pool_count(&t->pool); }

Status otab_validate(const OrderTable *t, char *why, size_t why_cap)
{
    uint64_t listed = 0;
    for (uint32_t a = 0; a < t->acct_cap; a++) {
        uint32_t n = 0, prev = POOL_NONE;
        for (uint32_t i = t->acct[a].head; i != POOL_NONE; i = at(t, i)->next) {
            const VenueOrder *o = at(t, i);
            if (!pool_is_live(&t->pool, pool_handle_at(&t->pool, i)) || o->owner != a || o->prev != prev) {
                if (why) snprintf(why, why_cap, "order table: broken list of account %u at record %u", a, i);
                return STATUS_INVALID;
            }
            prev = i;
            if (++n > t->acct[a].count) break;
        }
        if (n != t->acct[a].count || prev != t->acct[a].tail) {
            if (why) snprintf(why, why_cap, "order table: account %u lists %u orders, counts %u", a, n, t->acct[a].count);
            return STATUS_INVALID;
        }
        listed += n;
    }
    if (listed != pool_count(&t->pool)) {
        if (why) snprintf(why, why_cap, "order table: %llu listed, %u live", (unsigned long long)listed,
                          pool_count(&t->pool));
        return STATUS_INVALID;
    }
    return STATUS_OK;
}
