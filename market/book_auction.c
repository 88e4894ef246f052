/* Call auction (docs/book.md, "Auction"): used by circuit breakers to reopen a halted market.
 *
 * While the auction is on, orders rest without matching and the book may be crossed. book_uncross picks the single
 * price P maximising executed volume min(B(P), S(P)), where B(P) is the bid quantity at prices >= P and S(P) the ask
 * quantity at prices <= P; ties go to the least imbalance |B - S|, then to the price closest to the reference, then
 * to the lower price. Every integer price counts, not only level prices: between two consecutive level prices the
 * volumes are constant, so such an open interval is evaluated once at its point nearest the reference. All crossing
 * orders then execute at P in price-time priority (best bid level FIFO against best ask level FIFO). The earlier
 * order of each pair is reported as maker. Self-trade prevention applies with the later order's mode ("resting" =
 * the earlier order). If STP cancellations leave the book crossed, the procedure repeats on what is left. */
#include "book_internal.h"

#include "alloc.h"

#include <string.h>

typedef struct PxQty {
    Ticks price_tk;
    Lots qty;
} PxQty;

typedef struct Choice {
    Lots matched;
    Lots imbalance;
    Ticks dist;
    Ticks price_tk;
} Choice;

static bool choice_better(const Choice *a, const Choice *c)
{
    if (a->matched != c->matched) return a->matched > c->matched;
    if (a->imbalance != c->imbalance) return a->imbalance < c->imbalance;
    if (a->dist != c->dist) return a->dist < c->dist;
    return a->price_tk < c->price_tk;
}

static void consider(Choice *best, Lots bq, Lots sq, Ticks p, Ticks ref)
{
    Choice c;
    c.matched = bq < sq ? bq : sq;
    c.imbalance = bq > sq ? bq - sq : sq - bq;
    c.dist = ref > 0 ? (p > ref ? p - ref : ref - p) : 0;
    c.price_tk = p;
    if (c.matched > 0 && (best->matched == 0 || choice_better(&c, best))) *best = c;
}

/* The uncross price of a crossed book (0 when not crossed); STATUS_NOMEM for the scratch arrays. */
static Status uncross_price(Book *b, Ticks ref, Ticks *price_out)
{
    *price_out = 0;
    Ticks bb = b->side[SIDE_BUY].best_tk, ba = b->side[SIDE_SELL].best_tk;
    if (bb == 0 || ba == 0 || bb < ba) return STATUS_OK;
    uint32_t nb = 0, na = 0;
    for (Ticks p = bb; p != 0 && p >= ba; p = book__next_price(b, SIDE_BUY, p)) nb++;
    for (Ticks p = ba; p != 0 && p <= bb; p = book__next_price(b, SIDE_SELL, p)) na++;
    PxQty *bids = mem_alloc((size_t)(nb + na) * sizeof(PxQty));
    if (!bids) return STATUS_NOMEM;
    PxQty *asks = bids + nb;
    Lots btot = 0;
    uint32_t k = nb;
    for (Ticks p = bb; p != 0 && p >= ba; p = book__next_price(b, SIDE_BUY, p)) {
        Lots q = book__level(b, SIDE_BUY, p)->qty;
        bids[--k] = (PxQty){p, q}; /* ascending */
        btot += q;
    }
    k = 0;
    for (Ticks p = ba; p != 0 && p <= bb; p = book__next_price(b, SIDE_SELL, p))
        asks[k++] = (PxQty){p, book__level(b, SIDE_SELL, p)->qty};

    Choice best;
    memset(&best, 0, sizeof best);
    Lots b_ge = btot, s_le = 0;
    uint32_t bi = 0, aj = 0, bi_next = 0, aj_next = 0;
    for (;;) {
        /* next candidate price: the smallest level price not yet visited */
        Ticks c = 0;
        if (bi_next < nb) c = bids[bi_next].price_tk;
        if (aj_next < na && (c == 0 || asks[aj_next].price_tk < c)) c = asks[aj_next].price_tk;
        if (c == 0) break;
        while (bi_next < nb && bids[bi_next].price_tk <= c) bi_next++;
        while (aj_next < na && asks[aj_next].price_tk <= c) aj_next++;
        while (bi < nb && bids[bi].price_tk < c) b_ge -= bids[bi++].qty;
        while (aj < na && asks[aj].price_tk <= c) s_le += asks[aj++].qty;
        consider(&best, b_ge, s_le, c, ref);
        /* the open interval up to the next candidate */
        Ticks c2 = 0;
        if (bi_next < nb) c2 = bids[bi_next].price_tk;
        if (aj_next < na && (c2 == 0 || asks[aj_next].price_tk < c2)) c2 = asks[aj_next].price_tk;
        if (c2 > c + 1) {
            Lots b_in = b_ge - (bi < nb && bids[bi].price_tk == c ? bids[bi].qty : 0);
            Ticks p = ref > c + 1 ? (ref < c2 - 1 ? ref : c2 - 1) : c + 1;
            consider(&best, b_in, s_le, p, ref);
        }
    }
    mem_free(bids);
    *price_out = best.price_tk;
    return STATUS_OK;
}

/* Removes a filled or STP-cancelled order of the auction. */
static void auction_remove(Book *b, uint32_t slot, bool stp)
{
    book__unlink(b, slot);
    if (stp) book__report_done(b, slot, BOOK_DONE_STP);
    book__free_slot(b, slot);
}

static void uncross_at(Book *b, Ticks P)
{
    Ladder *bl_side = &b->side[SIDE_BUY], *al_side = &b->side[SIDE_SELL];
    for (;;) {
        Ticks bb = bl_side->best_tk, ba = al_side->best_tk;
        if (bb == 0 || ba == 0 || bb < P || ba > P) break;
        Level *bl = book__level(b, SIDE_BUY, bb), *al = book__level(b, SIDE_SELL, ba);
        uint32_t bs = bl->head, as = al->head;
        Order *bo = &b->orders[bs], *ao = &b->orders[as];
        bool bid_later = bo->seq > ao->seq;
        uint32_t later = bid_later ? bs : as, earlier = bid_later ? as : bs;
        if (bo->owner == ao->owner && b->orders[later].stp != STP_NONE) {
            uint8_t mode = b->orders[later].stp;
            if (mode == STP_CANCEL_RESTING || mode == STP_CANCEL_BOTH) auction_remove(b, earlier, true);
            if (mode == STP_CANCEL_TAKER || mode == STP_CANCEL_BOTH) auction_remove(b, later, true);
            continue;
        }
        Lots q = bo->qty < ao->qty ? bo->qty : ao->qty;
        bo->qty -= q;
        ao->qty -= q;
        bl->qty -= q;
        al->qty -= q;
        book__report_fill(b, earlier, later, P, q, bid_later ? SIDE_BUY : SIDE_SELL, true);
        if (bo->qty == 0) auction_remove(b, bs, false);
        if (ao->qty == 0) auction_remove(b, as, false);
    }
}

Status book_set_auction(Book *b, bool on)
{
    if (!b) return STATUS_INVALID;
    CASCADE_ASSERT(!b->busy);
    if (on || !b->auction) {
        b->auction = on;
        return STATUS_OK;
    }
    Ticks bb = b->side[SIDE_BUY].best_tk, ba = b->side[SIDE_SELL].best_tk;
    if (bb && ba && bb >= ba) return STATUS_INVALID; /* crossed: book_uncross first */
    b->auction = false;
    b->busy = true;
    book__run_stops(b);
    book__maybe_recentre(b);
    b->busy = false;
    return STATUS_OK;
}

Status book_uncross(Book *b, Ticks reference_tk, Ticks *price_out)
{
    if (price_out) *price_out = 0;
    if (!b || reference_tk < 0) return STATUS_INVALID;
    CASCADE_ASSERT(!b->busy);
    Ticks ref = reference_tk > 0 ? reference_tk : b->last_tk;
    b->busy = true;
    Status st = STATUS_OK;
    bool first = true;
    for (;;) {
        Ticks P;
        st = uncross_price(b, ref, &P);
        if (st != STATUS_OK || P == 0) break;
        if (first && price_out) *price_out = P;
        first = false;
        uncross_at(b, P);
    }
    if (st == STATUS_OK) {
        b->auction = false;
        book__run_stops(b);
        book__maybe_recentre(b);
    }
    b->busy = false;
    return st;
}
