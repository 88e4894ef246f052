/* Scenarios of whole simulated runs (issue 5): equity_day, equity_day_x5, baseline_day, scale.
 * Definitions and results: experiments/bench/README.md (the configs) and bench/README.md (the figures).
 *
 * Two clocks per repeat, because they answer different questions:
 *   - the event loop: the world is built untimed from the same config (cfg_load_file with --set overrides, the API
 *     `cascade run` uses), then only world_run_until over the whole span is timed. No observers and no outputs,
 *     so this is the engine's own rate (messages or events per wall second);
 *   - the whole process: the real `cascade run CONFIG --quiet --out TMP` binary as a child (fork + exec), wall time
 *     from fork to reap with clock_gettime, peak RSS as the child reports it (timing.json). It includes loading,
 *     building the world, the metrics observers and writing every output, i.e. what a user waits for. A child per
 *     run also gives each run its own peak RSS, which one long-lived process cannot report.
 *
 * Self-checks: every repeat must produce identical counts (the runs are deterministic), the child's summary.json
 * must report the same counts as the in-process loop (same config, same engine), the loop must conserve money and
 * tear down to the allocator's starting byte count, and equity_day's message count must lie in its target range. */

#include "bench.h"

#include "alloc.h"
#include "config_world.h"
#include "world.h"

#include <cjson/cJSON.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CASCADE_BENCH_CASCADE_EXE
#error "CASCADE_BENCH_CASCADE_EXE (path of the cascade executable) is set by bench/CMakeLists.txt"
#endif
#ifndef CASCADE_SOURCE_DIR
#error "CASCADE_SOURCE_DIR is set by bench/CMakeLists.txt"
#endif

enum { MAX_SETS = 8, PATH_CAP = 1024 };

#define MIB (1024.0 * 1024.0)

/* The counts a run is checked by; messages = submissions + cancels + fills (there is no modify message). */
typedef struct RunCounts {
    uint64_t events, submissions, cancels, rejects, perp_fills, spot_fills;
} RunCounts;

static uint64_t messages(const RunCounts *c) { return c->submissions + c->cancels + c->perp_fills + c->spot_fills; }

static int counts_equal(const RunCounts *a, const RunCounts *b)
{
    return a->events == b->events && a->submissions == b->submissions && a->cancels == b->cancels &&
           a->rejects == b->rejects && a->perp_fills == b->perp_fills && a->spot_fills == b->spot_fills;
}

/* What one child `cascade run` reported. */
typedef struct ChildResult {
    double wall_s;       /* fork to reap */
    double loop_s;       /* the child's own timing.json wall_time_s (its event loop with observers) */
    int64_t maxrss_kib;  /* the child's own peak RSS (timing.json's process_peak_rss_kib), KiB */
    RunCounts c;         /* from summary.json; events from timing.json; rejects are not written there */
} ChildResult;

static void config_path(const char *rel, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", CASCADE_SOURCE_DIR, rel);
}

/* The same loading path as `cascade run` (file, extends chain, --set overrides, validation): 0 or 1. */
static int load_def(const char *tag, const char *path, const char *const *sets, size_t nsets, WorldDef *def)
{
    CfgError err;
    if (cfg_load_file(&cfg_world_schema, path, sets, nsets, def, &err) != STATUS_OK) {
        char msg[1400];
        cfg_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s: %s\n", tag, msg);
        return 1;
    }
    return 0;
}

/* Builds the world (untimed), times world_run_until over the whole span, checks conservation and teardown. */
static int loop_run(const char *tag, const WorldDef *def, RunCounts *c, double *secs)
{
    int64_t live0 = mem_live_bytes();
    World *w = NULL;
    char why[512] = "";
    Status s = world_create(def, &w, why, sizeof why);
    if (s != STATUS_OK) {
        fprintf(stderr, "%s: world_create: %s%s%s\n", tag, status_message(s), why[0] ? ": " : "", why);
        return 1;
    }
    double t0 = bench_now();
    s = world_run_until(w, world_end(w));
    *secs = bench_now() - t0;
    WorldCounts wc = world_counts(w);
    int bad = s != STATUS_OK;
    if (bad) fprintf(stderr, "%s: world_run_until: %s\n", tag, status_message(s));
    if (world_check(w, why, sizeof why) != STATUS_OK) {
        fprintf(stderr, "%s: conservation check failed: %s\n", tag, why);
        bad = 1;
    }
    world_destroy(w);
    if (mem_live_bytes() != live0) {
        fprintf(stderr, "%s: %" PRId64 " bytes still allocated after world_destroy\n", tag, mem_live_bytes() - live0);
        bad = 1;
    }
    *c = (RunCounts){wc.events, wc.submissions, wc.cancels, wc.rejects, wc.perp_fills, wc.spot_fills};
    return bad;
}

/* ---- the child process ---- */

/* Reads a whole small file into a NUL-terminated heap buffer (free it); NULL on error. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1u)) != NULL) {
            size_t got = fread(buf, 1, (size_t)n, f);
            buf[got] = '\0';
        }
    }
    fclose(f);
    return buf;
}

/* A number member of a JSON object (cJSON); false when absent or not a number. */
static bool json_number(const cJSON *obj, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v)) return false;
    *out = v->valuedouble;
    return true;
}

/* The child's counts from summary.json ("counts") and its event count, loop time and peak RSS from timing.json. */
static int read_child_outputs(const char *out_dir, ChildResult *r)
{
    char path[PATH_CAP];
    snprintf(path, sizeof path, "%s/summary.json", out_dir);
    char *text = read_text(path);
    cJSON *sum = text ? cJSON_Parse(text) : NULL;
    free(text);
    snprintf(path, sizeof path, "%s/timing.json", out_dir);
    text = read_text(path);
    cJSON *tim = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(sum, "counts");
    double sub = 0, can = 0, pf = 0, sf = 0, ev = 0, wall = 0, rss = 0;
    bool ok = json_number(counts, "submissions", &sub) && json_number(counts, "cancels", &can) &&
              json_number(counts, "perp_fills", &pf) && json_number(counts, "spot_fills", &sf) &&
              json_number(tim, "events", &ev) && json_number(tim, "wall_time_s", &wall) &&
              json_number(tim, "process_peak_rss_kib", &rss);
    cJSON_Delete(sum);
    cJSON_Delete(tim);
    if (!ok) return 1;
    r->c.submissions = (uint64_t)sub;
    r->c.cancels = (uint64_t)can;
    r->c.perp_fills = (uint64_t)pf;
    r->c.spot_fills = (uint64_t)sf;
    r->c.events = (uint64_t)ev;
    r->loop_s = wall;
    r->maxrss_kib = (int64_t)rss;
    return 0;
}

/* Runs argv[0] with argv as a child; wall time fork..reap. 0 when it exited with status 0. */
static int spawn(const char *tag, char *const *argv, double *wall_s)
{
    fflush(stdout);
    fflush(stderr);
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "%s: fork: %s\n", tag, strerror(errno));
        return 1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127); /* not found: the parent reports it */
    }
    int status = 0;
    pid_t got;
    do got = waitpid(pid, &status, 0);
    while (got < 0 && errno == EINTR);
    *wall_s = bench_now() - t0;
    if (got != pid) {
        fprintf(stderr, "%s: waitpid: %s\n", tag, strerror(errno));
        return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return 0;
}

/* `cascade run CONFIG --quiet --out DIR [--set S]...` as a child. */
static int child_run(const char *tag, const char *config, const char *const *sets, size_t nsets, const char *out_dir,
                     ChildResult *r)
{
    memset(r, 0, sizeof *r);
    char *argv[6 + 2 * MAX_SETS + 1];
    size_t k = 0;
    /* exec's argv is char *const[] for historical reasons; the strings are not modified */
    argv[k++] = (char *)CASCADE_BENCH_CASCADE_EXE;
    argv[k++] = (char *)"run";
    argv[k++] = (char *)config;
    argv[k++] = (char *)"--quiet";
    argv[k++] = (char *)"--out";
    argv[k++] = (char *)out_dir;
    for (size_t i = 0; i < nsets && i < MAX_SETS; i++) {
        argv[k++] = (char *)"--set";
        argv[k++] = (char *)sets[i];
    }
    argv[k] = NULL;
    int rc = spawn(tag, argv, &r->wall_s);
    if (rc != 0) {
        fprintf(stderr, "%s: `%s run %s` failed (exit %d)\n", tag, CASCADE_BENCH_CASCADE_EXE, config, rc);
        return 1;
    }
    /* Not ru.ru_maxrss: a forked child counts the parent's resident pages until its exec, and this process holds
     * whatever heap its in-process runs left (glibc keeps freed blocks), so wait4 reported the larger of the two.
     * The child reads its own high-water mark (sim/run.c). */
    if (read_child_outputs(out_dir, r)) {
        fprintf(stderr, "%s: cannot read the counts from %s/summary.json and timing.json\n", tag, out_dir);
        return 1;
    }
    return 0;
}

/* A private scratch folder for the children's outputs ($TMPDIR or /tmp). */
static int make_tmpdir(const char *tag, char *buf, size_t cap)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, cap, "%s/cascade-bench-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(buf)) {
        fprintf(stderr, "%s: mkdtemp %s: %s\n", tag, buf, strerror(errno));
        return 1;
    }
    return 0;
}

/* Removes the folder's files (the run's outputs; no subfolders) and the folder. */
static void remove_tmpdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[PATH_CAP];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            (void)unlink(path);
        }
        closedir(d);
    }
    (void)rmdir(dir);
}

/* ---- a day: event loop + child, repeated ---- */

typedef struct DaySpec {
    const char *name;
    const char *config;          /* relative to the source tree */
    const char *sets[MAX_SETS];  /* --set overrides for both clocks */
    size_t nsets;
    int reps;
    uint64_t msg_lo, msg_hi;     /* required message count range; 0, 0 = no check */
} DaySpec;

/* A rate with 3 significant digits and a k or M suffix ("56.0 k", "2.12 M"): the scenarios span 10^4..10^7 / s. */
static const char *rate_str(double r, char *buf, size_t cap)
{
    if (r >= 1e6) snprintf(buf, cap, "%.2f M", r * 1e-6);
    else snprintf(buf, cap, "%.1f k", r * 1e-3);
    return buf;
}

static void print_counts(const char *name, const RunCounts *c, double span_h)
{
    printf("%s: %.2f h simulated: %" PRIu64 " events; submissions %" PRIu64 " (%" PRIu64 " rejected), cancels %" PRIu64
           ", modifications 0 (no modify message exists), fills %" PRIu64 " (perp %" PRIu64 ", spot %" PRIu64
           "); messages %" PRIu64 "\n",
           name, span_h, c->events, c->submissions, c->rejects, c->cancels, c->perp_fills + c->spot_fills,
           c->perp_fills, c->spot_fills, messages(c));
}

static int run_day(const DaySpec *sp)
{
    char path[PATH_CAP], tmp[PATH_CAP];
    config_path(sp->config, path, sizeof path);
    WorldDef def;
    if (load_def(sp->name, path, sp->sets, sp->nsets, &def)) return 1;
    if (make_tmpdir(sp->name, tmp, sizeof tmp)) return 1;
    double span_h = (double)def.run.duration / (double)SIMTIME_NS_PER_HOUR;
    int reps = sp->reps;
    double *v = calloc((size_t)reps * 5u, sizeof *v);
    if (!v) {
        remove_tmpdir(tmp);
        return 1;
    }
    double *msg_rate = v, *ev_rate = v + reps, *loop_s = v + 2 * reps, *proc_s = v + 3 * reps, *rss = v + 4 * reps;
    printf("%s: %s%s%s, %d repeat(s); cascade = %s\n", sp->name, sp->config, sp->nsets ? " --set " : "",
           sp->nsets ? sp->sets[0] : "", reps, CASCADE_BENCH_CASCADE_EXE);
    RunCounts first;
    memset(&first, 0, sizeof first);
    int bad = 0;
    for (int r = 0; r < reps && !bad; r++) {
        RunCounts c;
        double el = 0;
        bad |= loop_run(sp->name, &def, &c, &el);
        ChildResult ch;
        bad |= child_run(sp->name, path, sp->sets, sp->nsets, tmp, &ch);
        if (bad) break;
        if (r == 0) {
            first = c;
            print_counts(sp->name, &c, span_h);
        }
        RunCounts cc = ch.c;
        cc.rejects = c.rejects; /* not in summary.json */
        if (!counts_equal(&c, &first) || !counts_equal(&cc, &first)) {
            fprintf(stderr, "%s: repeat %d MISMATCH: loop events %" PRIu64 " messages %" PRIu64
                            "; child events %" PRIu64 " messages %" PRIu64 "; first events %" PRIu64
                            " messages %" PRIu64 "\n",
                    sp->name, r + 1, c.events, messages(&c), cc.events, messages(&cc), first.events, messages(&first));
            bad = 1;
        }
        loop_s[r] = el;
        msg_rate[r] = el > 0 ? (double)messages(&c) / el : 0;
        ev_rate[r] = el > 0 ? (double)c.events / el : 0;
        proc_s[r] = ch.wall_s;
        rss[r] = (double)ch.maxrss_kib * 1024.0 / MIB;
        char b1[32], b2[32];
        printf("%s: repeat %d: event loop %.3f s (%s msgs/s, %s events/s); whole process %.3f s (its loop %.3f s), "
               "peak RSS %.1f MiB\n",
               sp->name, r + 1, el, rate_str(msg_rate[r], b1, sizeof b1), rate_str(ev_rate[r], b2, sizeof b2),
               ch.wall_s, ch.loop_s, rss[r]);
    }
    if (!bad && sp->msg_hi > 0 && (messages(&first) < sp->msg_lo || messages(&first) > sp->msg_hi)) {
        fprintf(stderr, "%s: %" PRIu64 " messages, outside the required range %" PRIu64 "..%" PRIu64 "\n", sp->name,
                messages(&first), sp->msg_lo, sp->msg_hi);
        bad = 1;
    }
    if (!bad) {
        double m[5][2];
        for (int i = 0; i < 5; i++) bench_median_min(v + i * reps, reps, &m[i][0], &m[i][1]);
        char b[5][32];
        /* min of a time is the fastest repeat, min of a rate the slowest: "min" is the smaller number either way */
        printf("%s: event loop: median %.3f s (min %.3f), %s msgs/s (min %s), %s events/s (min %s)\n", sp->name,
               m[2][0], m[2][1], rate_str(m[0][0], b[0], 32), rate_str(m[0][1], b[1], 32), rate_str(m[1][0], b[2], 32),
               rate_str(m[1][1], b[3], 32));
        printf("%s: whole process: median %.3f s (min %.3f), peak RSS median %.1f MiB (min %.1f); %s msgs per process "
               "second; counts identical over %d repeat(s) and equal to the child's\n",
               sp->name, m[3][0], m[3][1], m[4][0], m[4][1], rate_str((double)messages(&first) / m[3][0], b[4], 32),
               reps);
    }
    free(v);
    remove_tmpdir(tmp);
    return bad;
}

/* equity_day's quick (CI) span; the message range is scaled by span / 6.5 h (the flow is stationary: flat profile). */
#define EQUITY_QUICK_SPAN "run.duration=15m"
#define EQUITY_QUICK_FRACTION (15.0 / 390.0)

static int equity(const BenchArgs *args, const char *name, const char *config, uint64_t scale)
{
    DaySpec sp = {name, config, {NULL}, 0, args->quick ? 1 : args->repeats, 50000u * scale, 110000u * scale};
    if (args->quick) {
        sp.sets[sp.nsets++] = EQUITY_QUICK_SPAN;
        sp.msg_lo = (uint64_t)((double)sp.msg_lo * EQUITY_QUICK_FRACTION);
        sp.msg_hi = (uint64_t)((double)sp.msg_hi * EQUITY_QUICK_FRACTION);
    }
    return run_day(&sp);
}

int bench_equity_day(const BenchArgs *args)
{
    return equity(args, "equity_day", "experiments/bench/equity_day.json", 1);
}

/* Five times every population: the range is five times equity_day's (the makers are five times as many too). */
int bench_equity_day_x5(const BenchArgs *args)
{
    return equity(args, "equity_day_x5", "experiments/bench/equity_day_x5.json", 5);
}

int bench_baseline_day(const BenchArgs *args)
{
    /* quick: 15 simulated minutes (~1 s in a validate build) */
    const char *span = args->quick ? "run.duration=15m" : "run.duration=24h";
    DaySpec sp = {"baseline_day", "experiments/baseline.json", {span}, 1, args->quick ? 1 : args->repeats, 0, 0};
    return run_day(&sp);
}

/* ---- scale: retail population 10^3..10^6, one child per point ---- */

typedef struct ScalePoint {
    uint32_t retail;
    uint64_t events;
    double proc_s, loop_s, rss_mib;
} ScalePoint;

/* The populations besides retail of the configuration (experiments/baseline.json: 8 + 4 + 24 + 6 + 50 + 50 + 120). */
static uint32_t other_agents(const WorldDef *d)
{
    return d->makers.count + d->spot_makers.count + d->arbitrageurs.count + d->liquidation_bots.count + d->noise.count +
           d->spot_noise.count + d->value.count;
}

static int plot(const char *dat, const char *png)
{
    char defs[2 * PATH_CAP + 64], script[PATH_CAP];
    snprintf(defs, sizeof defs, "datafile='%s'; outfile='%s'", dat, png);
    config_path("bench/scale.gp", script, sizeof script);
    char *argv[] = {(char *)"gnuplot", (char *)"-e", defs, script, NULL};
    double wall = 0;
    int rc = spawn("scale", argv, &wall);
    if (rc == 127) {
        printf("scale: gnuplot not found: no plot (data in %s; `gnuplot -e \"%s\" %s` draws it)\n", dat, defs, script);
        return 0;
    }
    if (rc != 0) {
        fprintf(stderr, "scale: gnuplot failed (exit %d)\n", rc);
        return 1;
    }
    printf("scale: plot %s\n", png);
    return 0;
}

/* One sweep of the retail population. With same_flow, the per-agent base wake rates are scaled by 10^4 / N, so
 * every point carries the base order flow of the 10^4 point: the market stays in the same regime and what changes
 * is only the number of agents the engine holds -- the cost per event against N, which is what the issue's
 * flatness target is about. Without it (the literal "everything else fixed"), 10^5 and 10^6 leveraged retail
 * overwhelm the baseline's 8 makers and the market runs a liquidation crisis, a different workload. */
static int scale_sweep(const char *path, const char *span, int reps, bool same_flow, const char *tag,
                       const uint32_t *sizes, size_t npts, const char *tmp, ScalePoint *pts)
{
    /* Repeats go round the points (1, 2, 3, 4, 1, 2, ...) rather than finishing one point first: the host's speed
     * drifts over minutes, and a slow phase should not fall on one point only. */
    double pw[4][64], pl[4][64], pr[4][64];
    RunCounts first[4];
    memset(first, 0, sizeof first);
    if (npts > 4) npts = 4;
    for (int r = 0; r < reps; r++) {
        for (size_t i = 0; i < npts; i++) {
            char count[64], rate_a[64], rate_b[64];
            snprintf(count, sizeof count, "retail.count=%u", sizes[i]);
            /* the baseline's rate_per_hour is uniform [1, 4] per agent-hour */
            double k = 10000.0 / (double)sizes[i];
            snprintf(rate_a, sizeof rate_a, "retail.rate_per_hour.a=%.6g", 1.0 * k);
            snprintf(rate_b, sizeof rate_b, "retail.rate_per_hour.b=%.6g", 4.0 * k);
            const char *sets[] = {span, count, rate_a, rate_b};
            size_t nsets = same_flow ? 4 : 2;
            ChildResult ch;
            if (child_run("scale", path, sets, nsets, tmp, &ch)) return 1;
            if (r == 0) first[i] = ch.c;
            if (!counts_equal(&ch.c, &first[i]) || ch.c.events == 0) {
                fprintf(stderr, "scale: retail %u repeat %d MISMATCH: %" PRIu64 " events, first %" PRIu64 "\n",
                        sizes[i], r + 1, ch.c.events, first[i].events);
                return 1;
            }
            pw[i][r] = ch.wall_s;
            pl[i][r] = ch.loop_s;
            pr[i][r] = (double)ch.maxrss_kib * 1024.0 / MIB;
        }
    }
    for (size_t i = 0; i < npts; i++) {
        double mn;
        pts[i].retail = sizes[i];
        pts[i].events = first[i].events;
        bench_median_min(pw[i], reps, &pts[i].proc_s, &mn);
        bench_median_min(pl[i], reps, &pts[i].loop_s, &mn);
        bench_median_min(pr[i], reps, &pts[i].rss_mib, &mn);
        printf("scale: %s retail %u: %" PRIu64 " events, process %.2f s, loop %.2f s, peak RSS %.1f MiB\n", tag,
               sizes[i], first[i].events, pts[i].proc_s, pts[i].loop_s, pts[i].rss_mib);
    }
    fflush(stdout);
    return 0;
}

/* Prints one sweep's table and appends it as a data block (gnuplot `index`) to f; returns the flatness ratio
 * (events/s at 10^4 over events/s at the largest point; 0 when there is no 10^4 point). */
static double scale_report(FILE *f, const char *label, const ScalePoint *pts, size_t npts, uint32_t others,
                           double span_h)
{
    fprintf(f, "# %s\n# retail agents events process_s process_s_per_sim_h loop_events_per_s rss_mib "
               "bytes_per_agent\n", label);
    printf("\n%s\n\n| retail | agents | events | process s | s / sim h | events/s (loop) | events/s (process) "
           "| peak RSS MiB | bytes/agent |\n|---|---|---|---|---|---|---|---|---|\n", label);
    for (size_t i = 0; i < npts; i++) {
        const ScalePoint *p = &pts[i];
        double bpa = i > 0 ? (p->rss_mib - pts[0].rss_mib) * MIB / ((double)p->retail - (double)pts[0].retail) : 0;
        double ev_loop = p->loop_s > 0 ? (double)p->events / p->loop_s : 0;
        double ev_proc = p->proc_s > 0 ? (double)p->events / p->proc_s : 0;
        printf("| %u | %u | %" PRIu64 " | %.2f | %.2f | %.0f | %.0f | %.1f | %s%.0f |\n", p->retail, p->retail + others,
               p->events, p->proc_s, p->proc_s / span_h, ev_loop, ev_proc, p->rss_mib, i ? "" : "(ref) ", bpa);
        fprintf(f, "%u %u %" PRIu64 " %.4f %.4f %.0f %.3f %.1f\n", p->retail, p->retail + others, p->events, p->proc_s,
                p->proc_s / span_h, ev_loop, p->rss_mib, bpa);
    }
    fprintf(f, "\n\n");
    const ScalePoint *lo = &pts[1], *hi = &pts[npts - 1];
    if (npts < 3 || lo->loop_s <= 0 || hi->loop_s <= 0) return 0;
    return ((double)lo->events / lo->loop_s) / ((double)hi->events / hi->loop_s);
}

int bench_scale(const BenchArgs *args)
{
    static const uint32_t FULL[] = {1000u, 10000u, 100000u, 1000000u};
    static const uint32_t QUICK[] = {1000u, 10000u};
    const uint32_t *sizes = args->quick ? QUICK : FULL;
    size_t npts = args->quick ? sizeof QUICK / sizeof QUICK[0] : sizeof FULL / sizeof FULL[0];
    const char *span = args->quick ? "run.duration=5m" : "run.duration=2h";
    int reps = args->quick ? 1 : args->repeats;
    if (reps > 64) reps = 64;
    const char *out_dir = args->out_dir ? args->out_dir : ".";
    char path[PATH_CAP], large[PATH_CAP], tmp[PATH_CAP];
    config_path("experiments/baseline.json", path, sizeof path);
    config_path("experiments/bench/scale_large.json", large, sizeof large);
    WorldDef def;
    const char *sets0[] = {span};
    if (load_def("scale", path, sets0, 1, &def)) return 1;
    double span_h = (double)def.run.duration / (double)SIMTIME_NS_PER_HOUR;
    uint32_t others = other_agents(&def);
    WorldDef large_def;
    if (load_def("scale", large, sets0, 1, &large_def)) return 1;
    uint32_t large_others = other_agents(&large_def); /* scale_large.json builds on an earlier baseline */
    if (make_tmpdir("scale", tmp, sizeof tmp)) return 1;
    printf("scale: experiments/baseline.json, retail.count varied, %.2f h simulated per point, %d repeat(s) per point, "
           "%u other agents\n",
           span_h, reps, others);
    ScalePoint lit[4], flow[4], big[4];
    memset(lit, 0, sizeof lit);
    memset(flow, 0, sizeof flow);
    memset(big, 0, sizeof big);
    int bad = scale_sweep(path, span, reps, false, "literal", sizes, npts, tmp, lit);
    if (!bad) bad = scale_sweep(path, span, reps, true, "same-flow", sizes, npts, tmp, flow);
    if (!bad) bad = scale_sweep(large, span, reps, false, "large-market", sizes, npts, tmp, big);
    remove_tmpdir(tmp);
    if (bad) return 1;

    char dat[PATH_CAP], png[PATH_CAP];
    snprintf(dat, sizeof dat, "%s/scale.dat", out_dir);
    snprintf(png, sizeof png, "%s/scale.png", out_dir);
    FILE *f = fopen(dat, "w");
    if (!f) {
        fprintf(stderr, "scale: cannot write %s: %s\n", dat, strerror(errno));
        return 1;
    }
    fprintf(f, "# cascade-bench scale: experiments/baseline.json, %.2f h simulated per point, %u other agents\n"
               "# bytes_per_agent = (peak RSS - peak RSS at the first point) / (retail - first retail)\n",
            span_h, others);
    double r_lit = scale_report(f, "literal: retail.count only (everything else fixed)", lit, npts, others, span_h);
    double r_flow = scale_report(f, "same flow: per-agent base rates x 10^4 / N (the 10^4 point's order flow)", flow,
                                 npts, others, span_h);
    double r_big = scale_report(f, "large market: retail.count only, in experiments/bench/scale_large.json (makers, "
                                   "spot makers, arbitrageurs and value traders 100x the baseline's capital)",
                                big, npts, large_others, span_h);
    if (fclose(f) != 0) {
        fprintf(stderr, "scale: cannot write %s\n", dat);
        return 1;
    }
    if (r_lit > 0)
        printf("\nscale: loop events/s at retail %u is %.2fx lower than at 10^4 (literal), %.2fx (same flow), %.2fx "
               "(large market; target: within 1.5x)\n", sizes[npts - 1], r_lit, r_flow, r_big);
    printf("scale: data %s\n", dat);
    return plot(dat, png);
}
