/* Premium index, funding rate and payment rounding. See funding.h and docs/prices.md. */
#include "funding.h"

#include "cascade_assert.h"

FundingDef funding_default_def(void)
{
    FundingDef d;
    d.interval = FUNDING_BASE_INTERVAL;
    d.sample_period = 5 * SIMTIME_NS_PER_S;
    d.interest_e8 = 10000;
    d.clamp_e8 = 50000;
    d.cap_e8 = 750000;
    d.impact_notional = 0;
    d.averaging = FUNDING_AVG_EQUAL;
    d.convention = FUNDING_CONV_INTEREST_SCALED;
    return d;
}

Status funding_def_validate(const FundingDef *def)
{
    if (def == NULL) return STATUS_INVALID;
    if (def->interval <= 0 || SIMTIME_NS_PER_DAY % def->interval != 0) return STATUS_INVALID;
    if (def->sample_period <= 0) return STATUS_INVALID;
    if (def->interest_e8 > FUNDING_RATE_ONE_E8 || def->interest_e8 < -FUNDING_RATE_ONE_E8) return STATUS_INVALID;
    if (def->clamp_e8 < 0 || def->cap_e8 < 0) return STATUS_INVALID;
    if (def->clamp_e8 > FUNDING_RATE_ONE_E8 || def->cap_e8 > FUNDING_RATE_ONE_E8) return STATUS_INVALID;
    if (def->impact_notional <= 0) return STATUS_INVALID;
    if ((int)def->averaging < 0 || def->averaging >= FUNDING_AVG_COUNT_) return STATUS_INVALID;
    if ((int)def->convention < 0 || def->convention >= FUNDING_CONV_COUNT_) return STATUS_INVALID;
    return STATUS_OK;
}

Status funding_impact_price(const Book *book, Side side, Quote impact_notional, Ticks *out)
{
    CASCADE_ASSERT(book != NULL && out != NULL);
    *out = 0;
    if (impact_notional <= 0) return STATUS_INVALID;
    /* A market sell meets the bids, a market buy the asks. */
    Side book_side = side == SIDE_SELL ? SIDE_BUY : SIDE_SELL;
    Quote acc = 0;   /* notional of the whole levels taken */
    Lots q_full = 0; /* lots of the whole levels taken */
    Ticks p = 0;     /* price of the level where IMN is reached (or the worst level) */
    BookLevelView lv;
    uint32_t i = 0;
    for (Ticks px = book_level_after(book, book_side, 0, &lv); px != 0 && i < FUNDING_IMPACT_MAX_LEVELS;
         px = book_level_after(book, book_side, px, &lv), i++) {
        p = px;
        Quote level = money_notional(p, lv.qty);
        if (level >= impact_notional - acc) break; /* the last level, taken partly (or exactly) */
        CASCADE_ASSERT(money_add(acc, level, &acc));
        CASCADE_ASSERT(money_add(q_full, lv.qty, &q_full));
    }
    if (p == 0) return STATUS_NOT_FOUND;
    /* IMN buys q_full + R/p lots with R = IMN - acc at price p, so avg = IMN * p / (q_full * p + R). When the book
     * is too thin, the loop ran out and the remainder R is filled at the worst price reached, the same formula. */
    Quote rem = impact_notional - acc;
    int64_t den = 0;
    CASCADE_ASSERT(money_mul(q_full, p, &den));
    CASCADE_ASSERT(money_add(den, rem, &den));
    Rounding r = side == SIDE_SELL ? ROUND_FLOOR : ROUND_CEIL;
    CASCADE_ASSERT(money_mul_div(impact_notional, p, den, r, out));
    return STATUS_OK;
}

int64_t funding_premium_e8(Ticks index, Ticks impact_bid, Ticks impact_ask)
{
    CASCADE_ASSERT(index > 0);
    int64_t up = (impact_bid > 0 && impact_bid > index) ? impact_bid - index : 0;
    int64_t down = (impact_ask > 0 && impact_ask < index) ? index - impact_ask : 0;
    int64_t p = 0;
    CASCADE_ASSERT(money_mul_div(up - down, FUNDING_RATE_ONE_E8, index, ROUND_HALF_EVEN, &p));
    return p;
}

void funding_init(FundingState *st)
{
    CASCADE_ASSERT(st != NULL);
    FundingState z = {0};
    *st = z;
}

void funding_reset(FundingState *st) { funding_init(st); }

void funding_sample(FundingState *st, int64_t premium_e8)
{
    CASCADE_ASSERT(st != NULL);
    st->samples++;
    int64_t term = 0;
    CASCADE_ASSERT(money_add(st->sum_e8, premium_e8, &st->sum_e8));
    CASCADE_ASSERT(money_mul(st->samples, premium_e8, &term));
    CASCADE_ASSERT(money_add(st->weighted_sum_e8, term, &st->weighted_sum_e8));
    st->last_premium_e8 = premium_e8;
}

Status funding_sample_book(FundingState *st, const FundingDef *def, const Book *book, Ticks index,
                           int64_t *premium_out)
{
    CASCADE_ASSERT(st != NULL && def != NULL && book != NULL);
    if (index <= 0) return STATUS_NOT_FOUND;
    Ticks bid = 0, ask = 0;
    Status sb = funding_impact_price(book, SIDE_SELL, def->impact_notional, &bid);
    Status sa = funding_impact_price(book, SIDE_BUY, def->impact_notional, &ask);
    if (sb == STATUS_INVALID || sa == STATUS_INVALID) return STATUS_INVALID;
    if (sb != STATUS_OK && sa != STATUS_OK) return STATUS_NOT_FOUND;
    int64_t p = funding_premium_e8(index, bid, ask);
    funding_sample(st, p);
    if (premium_out != NULL) *premium_out = p;
    return STATUS_OK;
}

int64_t funding_average_premium(const FundingState *st, const FundingDef *def)
{
    CASCADE_ASSERT(st != NULL && def != NULL);
    if (st->samples == 0) return 0;
    if (def->averaging == FUNDING_AVG_LINEAR) {
        int64_t n = st->samples, wsum = 0;
        /* sum(k) = n (n + 1) / 2, exact (one of n, n + 1 is even) */
        CASCADE_ASSERT(money_mul(n % 2 == 0 ? n / 2 : n, n % 2 == 0 ? n + 1 : (n + 1) / 2, &wsum));
        return money_div(st->weighted_sum_e8, wsum, ROUND_HALF_EVEN);
    }
    CASCADE_ASSERT(def->averaging == FUNDING_AVG_EQUAL);
    return money_div(st->sum_e8, st->samples, ROUND_HALF_EVEN);
}

int64_t funding_interest_per_interval(const FundingDef *def)
{
    int64_t out = 0;
    CASCADE_ASSERT(def->interval > 0);
    CASCADE_ASSERT(money_mul_div(def->interest_e8, def->interval, FUNDING_BASE_INTERVAL, ROUND_HALF_EVEN, &out));
    return out;
}

static int64_t funding__clamp(int64_t v, int64_t lim)
{
    return v > lim ? lim : (v < -lim ? -lim : v);
}

int64_t funding_rate_from_premium(int64_t avg_premium_e8, const FundingDef *def)
{
    CASCADE_ASSERT(def != NULL && def->clamp_e8 >= 0 && def->cap_e8 >= 0);
    int64_t f = 0;
    if (def->convention == FUNDING_CONV_RATE_SCALED) {
        int64_t f8 = avg_premium_e8 + funding__clamp(def->interest_e8 - avg_premium_e8, def->clamp_e8);
        CASCADE_ASSERT(money_mul_div(f8, def->interval, FUNDING_BASE_INTERVAL, ROUND_HALF_EVEN, &f));
    } else {
        CASCADE_ASSERT(def->convention == FUNDING_CONV_INTEREST_SCALED);
        int64_t interest = funding_interest_per_interval(def);
        f = avg_premium_e8 + funding__clamp(interest - avg_premium_e8, def->clamp_e8);
    }
    return funding__clamp(f, def->cap_e8);
}

int64_t funding_rate(const FundingState *st, const FundingDef *def)
{
    return funding_rate_from_premium(funding_average_premium(st, def), def);
}

Quote funding_payment(Quote notional, int64_t rate_e8, bool payer)
{
    CASCADE_ASSERT(notional != INT64_MIN && rate_e8 != INT64_MIN);
    int64_t n = notional < 0 ? -notional : notional;
    int64_t r = rate_e8 < 0 ? -rate_e8 : rate_e8;
    Quote out = 0;
    CASCADE_ASSERT(money_mul_div(n, r, FUNDING_RATE_ONE_E8, payer ? ROUND_CEIL : ROUND_FLOOR, &out));
    return out;
}
