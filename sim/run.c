/* One headless experiment run: world + observer + outputs (see run.h, docs/outputs.md).
 *
 * The observer records while the world runs: a timeseries row every sample step (written straight to its file),
 * the mark at every whole minute (for the 1-minute stylized facts), perp trades (optional file) and the volume and
 * liquidations between rows. liquidations.csv and summary.json are written from the venue's liquidation records
 * and the report at the end. Prices in the files are USD printed exactly from integer ticks. */
#include "run.h"

#include "alloc.h"
#include "cascade_assert.h"
#include "output.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* The last value a "%.2f" column printed and its text: a column that rarely changes skips snprintf. */
typedef struct UsdMemo {
    double v;
    bool valid;
    uint8_t len;
    char txt[62];
} UsdMemo;

typedef struct Recorder {
    const World *w;
    const WorldDef *def;
    RunReport *rep;
    bool files;
    OutFile ts, trades;
    int decimals;                 /* digits after the point of a USD price */
    int64_t tick_scaled;          /* tick_usd x 10^decimals (an integer) */
    double quote_usd;             /* USD per quote unit */
    SimTime next_sample, next_minute;
    double *minute_marks;
    size_t minute_count, minute_cap;
    double peak_mark;
    double oi_usd_sum;            /* open interest at the mark, summed over the per-second steps */
    uint64_t oi_samples;
    Lots volume;                  /* perp lots since the last row */
    uint32_t liq_n[2];
    double liq_usd[2];
    UsdMemo fund_memo;            /* the insurance fund column: it changes only with liquidations */
    bool failed;
} Recorder;

/* ---- exact USD formatting ---- */

/* ---- rows built by hand, one fwrite each ----
 * A timeseries row is written every simulated second; with fprintf its formatting was a fifth of a small run's
 * whole time. Integers as PRId64 would print them, prices as tick x tick_usd with exactly `decimals` digits (exact,
 * from integers); the few doubles still go through snprintf("%.2f"), except 0, the usual value, "0.00" either way. */
typedef struct Row {
    char b[1024]; /* a row's fields are bounded (int64s, prices, USD amounts of int64 quotes): < 600 chars */
    size_t n;
} Row;

static void row_char(Row *w, char c) { w->b[w->n++] = c; }

static void row_u64(Row *w, uint64_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (k) w->b[w->n++] = tmp[--k];
}

static void row_i64(Row *w, int64_t v)
{
    if (v < 0) {
        row_char(w, '-');
        row_u64(w, (uint64_t)0 - (uint64_t)v);
    } else {
        row_u64(w, (uint64_t)v);
    }
}

/* v / 10^decimals with exactly `decimals` digits after the point. */
static void row_fixed(Row *w, int64_t v, int decimals)
{
    if (decimals == 0) {
        row_i64(w, v);
        return;
    }
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t scale = 1;
    for (int i = 0; i < decimals; i++) scale *= 10u;
    if (v < 0) row_char(w, '-');
    row_u64(w, a / scale);
    row_char(w, '.');
    uint64_t frac = a % scale;
    for (uint64_t d = scale / 10u; d > 0; d /= 10u) row_char(w, (char)('0' + frac / d % 10u));
}

static void row_price(Row *w, const Recorder *r, Ticks tk) { row_fixed(w, tk * r->tick_scaled, r->decimals); }

/* A price as a NUL-terminated string (trades.csv, liquidations.csv), the same digits as in the timeseries. */
static void fmt_price(const Recorder *r, char *buf, size_t cap, Ticks tk)
{
    Row w = {.n = 0};
    row_price(&w, r, tk);
    size_t n = w.n < cap - 1 ? w.n : cap - 1;
    memcpy(buf, w.b, n);
    buf[n] = '\0';
}

static void row_usd2(Row *w, double v)
{
    if (v == 0.0 && !signbit(v)) {
        memcpy(w->b + w->n, "0.00", 4);
        w->n += 4;
        return;
    }
    int k = snprintf(w->b + w->n, sizeof w->b - w->n, "%.2f", v);
    CASCADE_ASSERT(k > 0 && (size_t)k < sizeof w->b - w->n);
    w->n += (size_t)k;
}

/* row_usd2 through a memo: the same double prints the same text, so an unchanged value reuses it. */
static void row_usd2_memo(Row *w, UsdMemo *m, double v)
{
    /* Bit-for-bit equality (memcmp): -0.0 and 0.0 print differently, and NaN never equals itself. */
    if (!m->valid || memcmp(&m->v, &v, sizeof v) != 0) {
        Row tmp = {.n = 0};
        row_usd2(&tmp, v);
        m->valid = tmp.n <= sizeof m->txt;
        if (!m->valid) {
            memcpy(w->b + w->n, tmp.b, tmp.n);
            w->n += tmp.n;
            return;
        }
        m->v = v;
        m->len = (uint8_t)tmp.n;
        memcpy(m->txt, tmp.b, tmp.n);
    }
    memcpy(w->b + w->n, m->txt, m->len);
    w->n += m->len;
}

static double usd_of_ticks(const Recorder *r, Ticks tk) { return (double)tk * r->def->market.tick_usd; }
static double usd_of_quote(const Recorder *r, Quote q) { return (double)q * r->quote_usd; }

static double secs(SimDuration d) { return (double)d / (double)SIMTIME_NS_PER_S; }

/* ---- observer ---- */

static void push_minute(Recorder *r, double mark)
{
    if (r->minute_count == r->minute_cap) {
        size_t cap = r->minute_cap ? r->minute_cap * 2 : 2048;
        double *m = mem_realloc(r->minute_marks, cap * sizeof *m);
        if (!m) { r->failed = true; return; }
        r->minute_marks = m;
        r->minute_cap = cap;
    }
    r->minute_marks[r->minute_count++] = mark;
}

static void write_row(Recorder *r, SimTime t)
{
    const World *w = r->w;
    const MarketFeed *f = world_feed(w);
    const PerpVenue *p = world_perp(w);
    const Book *b = perp_book(p);
    PerpStats st = perp_stats(p);
    Ticks bid = book_best_bid(b), ask = book_best_ask(b);
    Ticks mark = f->perp_mark;
    Ticks mid = bid > 0 && ask > 0 ? (bid + ask) / 2 : 0;
    Ticks center = mid > 0 ? mid : mark;
    /* depth within 1 % and 5 % of the centre, both from one walk per side */
    static const int32_t bands[2] = {100, 500};
    BookDepth db[2], da[2];
    book_depth_bands(b, SIDE_BUY, center, bands, 2, db);
    book_depth_bands(b, SIDE_SELL, center, bands, 2, da);
    BookDepth d1b = db[0], d1a = da[0], d5b = db[1], d5a = da[1];
    Ticks sb = book_best_bid(spot_book(world_spot(w))), sa = book_best_ask(spot_book(world_spot(w)));
    const void *makers = world_population(w, POP_MAKERS);
    uint32_t quoting = makers ? maker_quoting(makers) : 0;
    /* time: sample instants are whole seconds after the start, so milliseconds are exact (the old "%.3f") */
    Row row = {.n = 0};
    row_fixed(&row, (t - r->def->run.start) / SIMTIME_NS_PER_MS, 3);
    const Ticks prices[] = {book_last_price(b), mid, mark, f->index, sb > 0 && sa > 0 ? (sb + sa) / 2 : 0};
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        row_char(&row, ',');
        row_price(&row, r, prices[i]);
    }
    const int64_t counts[] = {bid > 0 && ask > 0 ? ask - bid : 0, d1b.qty, d1a.qty, d5b.qty, d5a.qty, r->volume,
                              ledger_oi_long(perp_ledger(p)), st.last_funding_e8, r->liq_n[0], r->liq_n[1]};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        row_char(&row, ',');
        row_i64(&row, counts[i]);
    }
    const double usd[] = {r->liq_usd[0], r->liq_usd[1]};
    for (size_t i = 0; i < 2; i++) {
        row_char(&row, ',');
        row_usd2(&row, usd[i]);
    }
    row_char(&row, ',');
    row_u64(&row, st.backlog_items);
    row_char(&row, ',');
    row_usd2(&row, usd_of_quote(r, st.backlog_notional));
    row_char(&row, ',');
    row_usd2_memo(&row, &r->fund_memo, usd_of_quote(r, ledger_insurance_fund(perp_ledger(p))));
    row_char(&row, ',');
    row_u64(&row, perp_halted(p) ? 1u : 0u);
    row_char(&row, ',');
    row_u64(&row, quoting);
    row_char(&row, ',');
    row_price(&row, r, (Ticks)llround(f->fundamental));
    row_char(&row, '\n');
    fwrite(row.b, 1, row.n, r->ts.fp);
    r->volume = 0;
    r->liq_n[0] = r->liq_n[1] = 0;
    r->liq_usd[0] = r->liq_usd[1] = 0;
}

static void on_second(void *ctx, const World *w)
{
    Recorder *r = ctx;
    SimTime t = world_feed(w)->time;
    double mark = usd_of_ticks(r, world_feed(w)->perp_mark);
    RunReport *rep = r->rep;
    if (rep->start_price_usd == 0) rep->start_price_usd = rep->min_price_usd = rep->max_price_usd = mark;
    if (mark < rep->min_price_usd) rep->min_price_usd = mark;
    if (mark > rep->max_price_usd) rep->max_price_usd = mark;
    if (mark > r->peak_mark) r->peak_mark = mark;
    if (r->peak_mark > 0 && (r->peak_mark - mark) / r->peak_mark > rep->max_drawdown)
        rep->max_drawdown = (r->peak_mark - mark) / r->peak_mark;
    rep->end_price_usd = mark;
    r->oi_usd_sum += usd_of_quote(r, money_notional(world_feed(w)->perp_mark, world_feed(w)->open_interest));
    r->oi_samples++;
    if (t >= r->next_minute) {
        push_minute(r, mark);
        r->next_minute += SIMTIME_NS_PER_MIN;
    }
    if (r->files && t >= r->next_sample) {
        write_row(r, t);
        r->next_sample += r->def->run.sample_step;
    }
}

static void on_trade(void *ctx, const PerpTrade *t)
{
    Recorder *r = ctx;
    r->volume += t->qty;
    if (!r->files || !r->def->run.write_trades) return;
    char px[40];
    fmt_price(r, px, sizeof px, t->price_tk);
    uint32_t ma = 0, ta = 0;
    int mp = world_perp_owner(r->w, t->maker, &ma), tp = world_perp_owner(r->w, t->taker, &ta);
    fprintf(r->trades.fp, "%.6f,perp,%s,%" PRId64 ",%s,%s,%s,%d,%d\n", secs(t->time - r->def->run.start), px, t->qty,
            t->aggressor == SIDE_BUY ? "buy" : "sell", mp >= 0 ? world_population_names[mp] : "venue",
            tp >= 0 ? world_population_names[tp] : "venue", t->taker_is_liquidation ? 1 : 0, t->auction ? 1 : 0);
}

static void on_spot_trade(void *ctx, SimTime now, const SpotTrade *t)
{
    Recorder *r = ctx;
    if (!r->files || !r->def->run.write_trades) return;
    char px[40];
    fmt_price(r, px, sizeof px, t->price_tk);
    int mp = world_spot_owner(r->w, t->maker, NULL), tp = world_spot_owner(r->w, t->taker, NULL);
    fprintf(r->trades.fp, "%.6f,spot,%s,%" PRId64 ",%s,%s,%s,0,0\n", secs(now - r->def->run.start), px, t->qty,
            t->aggressor == SIDE_BUY ? "buy" : "sell", mp >= 0 ? world_population_names[mp] : "venue",
            tp >= 0 ? world_population_names[tp] : "venue");
}

static void on_liquidation(void *ctx, const PerpLiqRecord *rec)
{
    Recorder *r = ctx;
    r->liq_n[rec->side]++;
    r->liq_usd[rec->side] += usd_of_quote(r, money_notional(rec->mark_tk, rec->qty));
}

/* ---- end-of-run products ---- */

static void cascade_stats(const PerpLiqRecord *recs, uint32_t n, const Recorder *r, CascadeStats *cs)
{
    memset(cs, 0, sizeof *cs);
    uint32_t ids = 0;
    for (uint32_t i = 0; i < n; i++) ids = recs[i].cascade_id > ids ? recs[i].cascade_id : ids;
    cs->cascade_ids = ids;
    if (ids == 0) return;
    double *notional = mem_calloc(ids + 1u, sizeof *notional);
    int32_t *deep = mem_calloc(ids + 1u, sizeof *deep);
    SimTime *first = mem_calloc(ids + 1u, sizeof *first), *last = mem_calloc(ids + 1u, sizeof *last);
    CASCADE_ASSERT(notional && deep && first && last);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = recs[i].cascade_id;
        notional[c] += usd_of_quote(r, money_notional(recs[i].mark_tk, recs[i].qty));
        if (recs[i].generation > deep[c]) deep[c] = recs[i].generation;
        if (first[c] == 0) first[c] = recs[i].time;
        last[c] = recs[i].time;
    }
    for (uint32_t c = 1; c <= ids; c++) {
        if (deep[c] >= 1) cs->cascades++;
        if (notional[c] > cs->largest_notional_usd) cs->largest_notional_usd = notional[c];
        if (deep[c] > cs->deepest_generation) cs->deepest_generation = deep[c];
        double dur = secs(last[c] - first[c]);
        if (dur > cs->longest_duration_s) cs->longest_duration_s = dur;
    }
    mem_free(notional);
    mem_free(deep);
    mem_free(first);
    mem_free(last);
}

static Status write_liquidations(const Recorder *r, const char *dir, const PerpLiqRecord *recs, uint32_t n)
{
    OutFile f;
    Status s = output_open(&f, dir, "liquidations.csv");
    if (s != STATUS_OK) return s;
    fprintf(f.fp, "time_s,account,agent_type,agent,side,qty_lots,notional_usd,leverage,eff_leverage,mark_usd,"
                  "liq_price_usd,bankruptcy_usd,fee_usd,fill_vwap_usd,book_lots,backstop_lots,adl_lots,pnl_usd,"
                  "fund_paid_usd,bad_debt_usd,adl,partial,cross,generation,cascade_id,done_s\n");
    for (uint32_t i = 0; i < n; i++) {
        const PerpLiqRecord *x = &recs[i];
        uint32_t agent = 0;
        int pop = world_perp_owner(r->w, x->account, &agent);
        char mark[40], lp[40], bp[40], vwap[40];
        fmt_price(r, mark, sizeof mark, x->mark_tk);
        fmt_price(r, lp, sizeof lp, x->liq_price_tk);
        fmt_price(r, bp, sizeof bp, x->bankruptcy_tk);
        double vw = x->book_qty > 0 ? (double)x->book_notional / (double)x->book_qty * r->def->market.tick_usd : 0;
        snprintf(vwap, sizeof vwap, "%.*f", r->decimals + 2, vw);
        fprintf(f.fp,
                "%.3f,%u,%s,%u,%s,%" PRId64 ",%.2f,%d,%.4f,%s,%s,%s,%.4f,%s,%" PRId64 ",%" PRId64 ",%" PRId64
                ",%.4f,%.4f,%.4f,%d,%d,%d,%d,%u,%.3f\n",
                secs(x->time - r->def->run.start), x->account, pop >= 0 ? world_population_names[pop] : "venue", agent,
                x->side == SIDE_BUY ? "long" : "short", x->qty, usd_of_quote(r, money_notional(x->mark_tk, x->qty)),
                x->leverage, x->eff_leverage > 1e6 ? 1e6 : x->eff_leverage, mark, lp, bp, usd_of_quote(r, x->fee), vwap,
                x->book_qty, x->backstop_qty, x->adl_qty, usd_of_quote(r, x->pnl), usd_of_quote(r, x->fund_paid),
                usd_of_quote(r, x->bad_debt), x->adl_qty > 0, x->partial, x->cross, x->generation, x->cascade_id,
                x->done_time ? secs(x->done_time - r->def->run.start) : -1.0);
    }
    return output_commit(&f);
}

static void json_str(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(fp, "\\%c", c);
        else if (c < 0x20) fprintf(fp, "\\u%04x", c);
        else fputc(c, fp);
    }
    fputc('"', fp);
}

/* A finite double for JSON (non-finite values cannot occur by construction; write 0 defensively). */
static void json_num(FILE *fp, double v) { fprintf(fp, "%.10g", isfinite(v) ? v : 0.0); }

/* The text before a number (separator and key), then the number. */
static void json_field(FILE *fp, const char *before, double v)
{
    fputs(before, fp);
    json_num(fp, v);
}

/* The text before, then {"lag": acf[lag]} for the summary's reported lags (without the closing brace). */
static void json_acf(FILE *fp, const char *before, const MetricsSummary *m, const double *acf)
{
    fputs(before, fp);
    for (int i = 0; i < METRICS_SUMMARY_NLAGS; i++) {
        fprintf(fp, "%s\"%zu\": ", i ? ", " : "", m->lags[i]);
        json_num(fp, acf[m->lags[i]]);
    }
}

static Status write_summary(const Recorder *r, const char *dir, const RunOptions *o)
{
    const RunReport *x = r->rep;
    const WorldDef *d = r->def;
    OutFile f;
    Status s = output_open(&f, dir, "summary.json");
    if (s != STATUS_OK) return s;
    FILE *fp = f.fp;
    char start[40];
    simtime_format_iso(d->run.start, start, sizeof start);
    fprintf(fp, "{\n  \"version\": ");
    json_str(fp, o->version ? o->version : "");
    fprintf(fp, ",\n  \"seed\": %" PRIu64 ",\n  \"config_hash\": \"%016" PRIx64 "\",\n  \"start\": \"%s\",\n", d->run.seed,
            o->config_hash, start);
    fprintf(fp, "  \"duration_s\": %.3f,\n  \"events\": %" PRIu64 ",\n", secs(d->run.duration), x->events);
    fprintf(fp, "  \"invariants\": {\"conserved\": %s, \"message\": ", x->conserved ? "true" : "false");
    json_str(fp, x->invariant_message);
    fprintf(fp, "},\n  \"counts\": {\"submissions\": %" PRIu64 ", \"cancels\": %" PRIu64 ", \"perp_fills\": %" PRIu64
                ", \"spot_fills\": %" PRIu64 "},\n",
            x->submissions, x->cancels, x->perp_fills, x->spot_fills);
    json_field(fp, "  \"price\": {\"start_usd\": ", x->start_price_usd);
    json_field(fp, ", \"end_usd\": ", x->end_price_usd);
    json_field(fp, ", \"min_usd\": ", x->min_price_usd);
    json_field(fp, ", \"max_usd\": ", x->max_price_usd);
    json_field(fp, ", \"max_drawdown\": ", x->max_drawdown);
    fprintf(fp, "},\n  \"liquidations\": {\"count\": %" PRIu64 ", \"long\": {\"count\": %" PRIu64 ", \"notional_usd\": ",
            x->liquidations, x->liquidations_by_side[0]);
    json_num(fp, x->liq_notional_usd_by_side[0]);
    fprintf(fp, "}, \"short\": {\"count\": %" PRIu64 ", \"notional_usd\": ", x->liquidations_by_side[1]);
    json_num(fp, x->liq_notional_usd_by_side[1]);
    fprintf(fp, "}, \"by_agent_type\": {");
    for (int i = 0; i < WORLD_POPULATIONS; i++) {
        fprintf(fp, "%s\"%s\": {\"count\": %" PRIu64 ", \"notional_usd\": ", i ? ", " : "", world_population_names[i],
                x->liquidations_by_pop[i]);
        json_num(fp, x->liq_notional_usd_by_pop[i]);
        fputc('}', fp);
    }
    fputc('}', fp);
    json_field(fp, ", \"mean_open_interest_usd\": ", x->mean_open_interest_usd);
    json_field(fp, ", \"per_day_of_open_interest\": ", x->liq_per_day_of_oi);
    json_field(fp, "},\n  \"insurance_fund_usd\": {\"start\": ", x->fund_start_usd);
    json_field(fp, ", \"min\": ", x->fund_min_usd);
    json_field(fp, ", \"end\": ", x->fund_end_usd);
    fprintf(fp, "},\n  \"adl\": {\"events\": %" PRIu64 ", \"notional_usd\": ", x->adl_events);
    json_num(fp, x->adl_notional_usd);
    json_field(fp, "},\n  \"bad_debt_usd\": ", x->bad_debt_usd);
    fprintf(fp, ",\n  \"backlog\": {\"peak_items\": %u, \"peak_notional_usd\": ", x->backlog_peak_items);
    json_num(fp, x->backlog_peak_notional_usd);
    fprintf(fp, "},\n  \"halts\": %" PRIu64 ",\n", x->halts);
    const CascadeStats *c = &x->cascades;
    fprintf(fp, "  \"cascades\": {\"count\": %u, \"ids\": %u, \"largest_notional_usd\": ", c->cascades, c->cascade_ids);
    json_num(fp, c->largest_notional_usd);
    fprintf(fp, ", \"deepest_generation\": %d, \"longest_duration_s\": ", c->deepest_generation);
    json_num(fp, c->longest_duration_s);
    const MetricsSummary *m = &x->minute;
    json_field(fp, "},\n  \"risk_1m\": {\"var_975\": ", m->long_side.var_975);
    json_field(fp, ", \"es_975\": ", m->long_side.es_975);
    json_field(fp, ", \"var_99\": ", m->long_side.var_99);
    json_field(fp, ", \"es_99\": ", m->long_side.es_99);
    json_field(fp, ", \"short_var_99\": ", m->short_side.var_99);
    json_field(fp, ", \"short_es_99\": ", m->short_side.es_99);
    fprintf(fp, "},\n  \"stylized_facts_1m\": {\"returns\": %zu, \"sd\": ", m->n_returns);
    json_num(fp, m->moments.sd);
    json_field(fp, ", \"excess_kurtosis\": ", m->moments.excess_kurtosis);
    json_field(fp, ", \"hill_left\": ", m->hill_left.alpha);
    json_field(fp, ", \"hill_right\": ", m->hill_right.alpha);
    json_field(fp, ", \"hill_abs\": ", m->hill_abs.alpha);
    json_field(fp, ", \"acf_band\": ", m->acf_band);
    json_acf(fp, ",\n    \"acf_returns\": {", m, m->acf_r);
    json_acf(fp, "},\n    \"acf_abs_returns\": {", m, m->acf_abs);
    fprintf(fp, "},\n    \"acf_returns_outside_band_1_60\": %zu, \"acf_abs_positive_1_60\": %zu},\n",
            m->acf_r_outside_band, m->acf_abs_above_band);
    fprintf(fp, "  \"config\": %s\n}\n", o->config_json && o->config_json[0] ? o->config_json : "null");
    return output_commit(&f);
}

/* The process's peak resident set so far, in KiB: VmHWM from /proc/self/status where there is one (Linux), else
 * getrusage's ru_maxrss, else 0. VmHWM first because ru_maxrss also counts what a forked child held before its
 * exec -- the parent's resident pages -- so a parent with a large heap (cascade-bench after its in-process runs)
 * would be measured instead of this run. */
static int64_t process_peak_rss_kib(void)
{
    FILE *fp = fopen("/proc/self/status", "r");
    if (fp) {
        char line[256];
        long long kib = -1;
        while (kib < 0 && fgets(line, sizeof line, fp))
            if (sscanf(line, "VmHWM: %lld kB", &kib) != 1) kib = -1;
        fclose(fp);
        if (kib >= 0) return (int64_t)kib;
    }
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) return (int64_t)ru.ru_maxrss; /* KiB on Linux and the BSDs */
    return 0;
}

static Status write_timing(const char *dir, const RunReport *x, double sim_s)
{
    OutFile f;
    Status s = output_open(&f, dir, "timing.json");
    if (s != STATUS_OK) return s;
    fprintf(f.fp,
            "{\"wall_time_s\": %.3f, \"events\": %" PRIu64 ", \"events_per_s\": %.0f, \"sim_s_per_wall_s\": %.1f, "
            "\"process_peak_rss_kib\": %" PRId64 "}\n",
            x->wall_s, x->events, x->wall_s > 0 ? (double)x->events / x->wall_s : 0.0,
            x->wall_s > 0 ? sim_s / x->wall_s : 0.0, process_peak_rss_kib());
    return output_commit(&f);
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int decimals_of(double tick)
{
    for (int d = 0; d <= 9; d++) {
        double scaled = tick * pow(10.0, d);
        if (fabs(scaled - llround(scaled)) < 1e-9 * scaled) return d;
    }
    return 9;
}

static void fill_report(Recorder *r, const World *w)
{
    RunReport *x = r->rep;
    const PerpVenue *p = world_perp(w);
    const Ledger *L = perp_ledger(p);
    PerpStats st = perp_stats(p);
    WorldCounts wc = world_counts(w);
    x->events = wc.events;
    x->submissions = wc.submissions;
    x->cancels = wc.cancels;
    x->perp_fills = wc.perp_fills;
    x->spot_fills = wc.spot_fills;
    uint32_t n = 0;
    const PerpLiqRecord *recs = perp_liq_records(p, &n);
    x->liquidations = n;
    for (uint32_t i = 0; i < n; i++) {
        double usd = usd_of_quote(r, money_notional(recs[i].mark_tk, recs[i].qty));
        x->liquidations_by_side[recs[i].side]++;
        x->liq_notional_usd_by_side[recs[i].side] += usd;
        int pop = world_perp_owner(w, recs[i].account, NULL);
        if (pop >= 0) {
            x->liquidations_by_pop[pop]++;
            x->liq_notional_usd_by_pop[pop] += usd;
        }
    }
    x->adl_events = st.adl_events;
    x->adl_notional_usd = usd_of_quote(r, st.adl_notional);
    x->bad_debt_usd = usd_of_quote(r, ledger_bad_debt(L));
    x->fund_start_usd = r->def->market.perp.insurance_fund_usd;
    x->fund_min_usd = usd_of_quote(r, ledger_fund_min(L));
    x->fund_end_usd = usd_of_quote(r, ledger_insurance_fund(L));
    x->backlog_peak_items = st.backlog_peak;
    x->backlog_peak_notional_usd = usd_of_quote(r, st.backlog_notional_peak);
    x->halts = st.halts;
    /* The calm liquidation rate a risk desk watches (liquidations a day as a share of open interest): the first
     * calibration target of a leveraged crowd, which an unrealistically fragile crowd misses by orders of magnitude
     * (docs/ODD.md 8). */
    x->mean_open_interest_usd = r->oi_samples ? r->oi_usd_sum / (double)r->oi_samples : 0;
    double days = (double)r->def->run.duration / (double)SIMTIME_NS_PER_DAY;
    double liq_usd = x->liq_notional_usd_by_side[0] + x->liq_notional_usd_by_side[1];
    x->liq_per_day_of_oi = x->mean_open_interest_usd > 0 && days > 0 ? liq_usd / x->mean_open_interest_usd / days : 0;
    cascade_stats(recs, n, r, &x->cascades);
    (void)metrics_summarize(r->minute_marks, r->minute_count, &x->minute);
    char why[256] = "";
    x->conserved = world_check(w, why, sizeof why) == STATUS_OK;
    snprintf(x->invariant_message, sizeof x->invariant_message, "%s",
             x->conserved ? "money, open interest and spot asset conserved exactly" : why);
}

Status run_experiment(const WorldDef *def, const RunOptions *opt, RunReport *rep, char *why, size_t why_cap)
{
    memset(rep, 0, sizeof *rep);
    World *w = NULL;
    Status s = world_create(def, &w, why, why_cap);
    if (s != STATUS_OK) return s;
    Recorder r;
    memset(&r, 0, sizeof r);
    r.w = w;
    r.def = world_def(w);
    r.rep = rep;
    r.files = opt->out_dir != NULL;
    r.decimals = decimals_of(def->market.tick_usd);
    r.tick_scaled = llround(def->market.tick_usd * pow(10.0, r.decimals));
    r.quote_usd = def->market.tick_usd * def->market.lot_units;
    r.next_sample = def->run.start;
    r.next_minute = def->run.start;
    if (r.files) {
        s = output_make_dir(opt->out_dir);
        if (s == STATUS_OK) s = output_open(&r.ts, opt->out_dir, "timeseries.csv");
        if (s == STATUS_OK && def->run.write_trades) s = output_open(&r.trades, opt->out_dir, "trades.csv");
        if (s != STATUS_OK) {
            snprintf(why, why_cap, "cannot write into %s", opt->out_dir);
            goto fail;
        }
        fprintf(r.ts.fp, "time_s,last_usd,mid_usd,mark_usd,index_usd,spot_mid_usd,spread_ticks,depth1_bid_lots,"
                         "depth1_ask_lots,depth5_bid_lots,depth5_ask_lots,volume_lots,open_interest_lots,"
                         "funding_rate_e8,liq_long,liq_short,liq_long_usd,liq_short_usd,backlog_items,"
                         "backlog_usd,insurance_fund_usd,halted,makers_quoting,fundamental_usd\n");
        if (def->run.write_trades)
            fprintf(r.trades.fp, "time_s,venue,price_usd,qty_lots,aggressor,maker_type,taker_type,liquidation,auction\n");
    }
    world_set_observer(w, &(WorldObserver){&r, on_trade, on_spot_trade, on_liquidation, on_second});
    double t0 = wall_now();
    SimTime start = def->run.start, end = world_end(w);
    for (SimTime t = start; t < end;) {
        t = t + SIMTIME_NS_PER_MIN < end ? t + SIMTIME_NS_PER_MIN : end;
        world_run_until(w, t);
        if (opt->progress)
            opt->progress(opt->progress_ctx, t, (double)(t - start) / (double)(end - start), world_counts(w).events);
    }
    rep->wall_s = wall_now() - t0;
    if (r.failed) {
        s = STATUS_NOMEM;
        snprintf(why, why_cap, "out of memory while recording");
        goto fail;
    }
    fill_report(&r, w);
    if (r.files) {
        uint32_t n = 0;
        const PerpLiqRecord *recs = perp_liq_records(world_perp(w), &n);
        s = output_commit(&r.ts);
        if (s == STATUS_OK && def->run.write_trades) s = output_commit(&r.trades);
        if (s == STATUS_OK) s = write_liquidations(&r, opt->out_dir, recs, n);
        if (s == STATUS_OK) s = write_summary(&r, opt->out_dir, opt);
        if (s == STATUS_OK) s = write_timing(opt->out_dir, rep, secs(def->run.duration));
        if (s != STATUS_OK) {
            snprintf(why, why_cap, "cannot write the outputs into %s", opt->out_dir);
            goto fail;
        }
    }
    mem_free(r.minute_marks);
    world_destroy(w);
    if (!rep->conserved) {
        snprintf(why, why_cap, "conservation check failed: %s", rep->invariant_message);
        return STATUS_INVALID;
    }
    return STATUS_OK;
fail:
    if (r.files) {
        output_abort(&r.ts);
        if (def->run.write_trades) output_abort(&r.trades);
    }
    mem_free(r.minute_marks);
    world_destroy(w);
    return s;
}
