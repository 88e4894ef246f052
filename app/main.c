/* The `cascade` command line. Parses arguments, calls into the simulator, prints results and errors once.
 * Exit codes: 0 success, 1 the run failed (an invariant broke, an output could not be written), 2 bad usage. */
#include "config_world.h"
#include "demo.h"
#include "run.h"

#include "alloc.h"
#include "status.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CASCADE_VERSION "0.1.0"

enum { EXIT_RUN_FAILED = 1, EXIT_USAGE = 2 };

static void print_usage(FILE *out)
{
    fputs("usage: cascade <command> [options]\n"
          "\n"
          "commands:\n"
          "  run CONFIG    run an experiment file headless and write its outputs\n"
          "  check CONFIG  validate an experiment file and print the resolved config (nothing is run)\n"
          "  schema        print the JSON Schema of experiment files (for editors)\n"
          "  reference     print the Markdown reference of every config key (docs/config.md)\n"
          "  facts CSV     stylized facts of a price column: --column NAME (default close), --every N rows\n"
          "  demo       kernel demo: zero-intelligence order flow on one book\n"
          "  version    print the version\n"
          "  help       print this help\n"
          "\n"
          "demo options:\n"
          "  --seed N          master random seed, 0..2^64-1 (default 1)\n"
          "  --start ISO       start instant, e.g. 2025-10-10T00:00:00Z (default)\n"
          "  --duration D      simulated span, e.g. 1h, 7d, 90m (default 24h; 1s..365d)\n"
          "  --out DIR         write bars.csv and summary.json into DIR (default: no files)\n"
          "  --quiet           print nothing on success\n"
          "\n"
          "run / check options:\n"
          "  --seed N          override run.seed (0..2^64-1)\n"
          "  --set KEY=VALUE   override any key, e.g. --set retail.count=100000 (repeatable; VALUE is JSON or a bare\n"
          "                    string)\n"
          "  --out DIR         output folder (run; default out/<config name>)\n"
          "  --quiet           no progress bar and no report (run)\n"
          "\n"
          "`cascade sweep` and `view` arrive with later issues.\n",
          out);
}

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "cascade: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n(see `cascade help`)\n");
    return EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+') return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0') return false;
    *out = (uint64_t)v;
    return true;
}

static int cmd_demo(int argc, char **argv)
{
    DemoDef def = demo_default_def();
    bool quiet = false;
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i];
        if (strcmp(opt, "--quiet") == 0) {
            quiet = true;
            continue;
        }
        if (strcmp(opt, "--help") == 0) {
            print_usage(stdout);
            return 0;
        }
        bool takes_value = strcmp(opt, "--seed") == 0 || strcmp(opt, "--start") == 0 ||
                           strcmp(opt, "--duration") == 0 || strcmp(opt, "--out") == 0;
        if (!takes_value) return usage_error("demo: unknown option '%s'%s", opt, "");
        if (i + 1 >= argc) return usage_error("demo: option %s needs a value%s", opt, "");
        const char *val = argv[++i];
        if (strcmp(opt, "--seed") == 0) {
            if (!parse_u64(val, &def.seed)) {
                return usage_error("demo: --seed '%s' is not an integer in 0..18446744073709551615%s", val, "");
            }
        } else if (strcmp(opt, "--start") == 0) {
            if (simtime_parse_iso(val, &def.start) != STATUS_OK) {
                return usage_error("demo: --start '%s' is not an ISO-8601 UTC instant like "
                                   "2025-10-10T00:00:00Z%s", val, "");
            }
        } else if (strcmp(opt, "--duration") == 0) {
            SimDuration dur = 0;
            if (simtime_parse_duration(val, &dur) != STATUS_OK || dur < SIMTIME_NS_PER_S ||
                dur > 365 * SIMTIME_NS_PER_DAY) {
                return usage_error("demo: --duration '%s' must be a duration from 1s to 365d (e.g. 90m, 8h, 7d)%s",
                                   val, "");
            }
            def.duration = dur;
        } else {
            def.out_dir = val;
        }
    }
    DemoReport rep;
    char why[256] = "";
    Status s = demo_run(&def, &rep, why, sizeof why);
    if (s != STATUS_OK) {
        fprintf(stderr, "cascade: demo failed: %s%s%s%s%s\n", status_message(s), why[0] ? ": " : "", why,
                s == STATUS_IO && def.out_dir ? " writing to " : "", s == STATUS_IO && def.out_dir ? def.out_dir : "");
        return EXIT_RUN_FAILED;
    }
    if (!quiet) {
        printf("cascade demo: seed %" PRIu64 ", %" PRIu64 " events in %.3f s of wall time (%.2f M events/s)\n",
               def.seed, rep.events, rep.wall_seconds, (double)rep.events / rep.wall_seconds / 1e6);
        printf("  orders: %" PRIu64 " limit, %" PRIu64 " market, %" PRIu64 " cancels; %" PRIu64 " fills, %lld lots\n",
               rep.limits, rep.markets, rep.cancels, rep.fills, (long long)rep.volume);
        printf("  price: last %.1f, low %.1f, high %.1f; %u orders resting; invariants and lot conservation: ok\n",
               (double)rep.last_tk * def.tick_size, (double)rep.low_tk * def.tick_size,
               (double)rep.high_tk * def.tick_size, rep.resting_orders);
        if (def.out_dir) printf("  outputs: %s/bars.csv, %s/summary.json\n", def.out_dir, def.out_dir);
    }
    return 0;
}

/* ---- run / check ---- */

enum { MAX_SETS = 256 };

typedef struct ConfigArgs {
    const char *path;
    const char *out_dir;
    bool quiet;
    const char *sets[MAX_SETS];
    size_t nsets;
    char seed_set[64];
} ConfigArgs;

static int parse_config_args(const char *cmd, int argc, char **argv, ConfigArgs *a, bool allow_run_options)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i];
        if (strcmp(opt, "--help") == 0) {
            print_usage(stdout);
            return -1;
        }
        if (allow_run_options && strcmp(opt, "--quiet") == 0) {
            a->quiet = true;
            continue;
        }
        bool takes = strcmp(opt, "--set") == 0 || strcmp(opt, "--seed") == 0 ||
                     (allow_run_options && strcmp(opt, "--out") == 0);
        if (opt[0] == '-' && opt[1] == '-' && !takes) {
            fprintf(stderr, "cascade: %s: unknown option '%s'\n(see `cascade help`)\n", cmd, opt);
            return EXIT_USAGE;
        }
        if (takes) {
            if (i + 1 >= argc) {
                fprintf(stderr, "cascade: %s: option %s needs a value\n(see `cascade help`)\n", cmd, opt);
                return EXIT_USAGE;
            }
            const char *val = argv[++i];
            if (strcmp(opt, "--out") == 0) {
                a->out_dir = val;
            } else if (strcmp(opt, "--seed") == 0) {
                uint64_t seed = 0;
                if (!parse_u64(val, &seed)) {
                    fprintf(stderr, "cascade: %s: --seed '%s' is not an integer in 0..18446744073709551615\n", cmd, val);
                    return EXIT_USAGE;
                }
                snprintf(a->seed_set, sizeof a->seed_set, "run.seed=%" PRIu64, seed);
            } else {
                if (a->nsets == MAX_SETS - 1) {
                    fprintf(stderr, "cascade: %s: at most %d --set options\n", cmd, MAX_SETS - 1);
                    return EXIT_USAGE;
                }
                a->sets[a->nsets++] = val;
            }
            continue;
        }
        if (a->path) {
            fprintf(stderr, "cascade: %s: one config file expected, got '%s' and '%s'\n", cmd, a->path, opt);
            return EXIT_USAGE;
        }
        a->path = opt;
    }
    if (!a->path) {
        fprintf(stderr, "cascade: %s: missing CONFIG (an experiment file such as experiments/baseline.json)\n", cmd);
        return EXIT_USAGE;
    }
    if (a->seed_set[0]) a->sets[a->nsets++] = a->seed_set; /* --seed wins over --set run.seed */
    return 0;
}

static int load_config(const ConfigArgs *a, WorldDef *def)
{
    CfgError err;
    Status s = cfg_load_file(&cfg_world_schema, a->path, a->sets, a->nsets, def, &err);
    if (s != STATUS_OK) {
        char msg[1400];
        cfg_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "cascade: %s\n", msg);
        return EXIT_USAGE;
    }
    return 0;
}

/* Parses the arguments, loads the config and forms its canonical text and hash: 0, or the exit code to return. */
static int resolve_config(const char *cmd, int argc, char **argv, bool run_options, ConfigArgs *a, WorldDef *def,
                          char **text, uint64_t *hash)
{
    *text = NULL;
    int rc = parse_config_args(cmd, argc, argv, a, run_options);
    if (rc != 0) return rc;
    if ((rc = load_config(a, def)) != 0) return rc;
    if (cfg_to_json(&cfg_world_schema, def, text) != STATUS_OK || cfg_hash(&cfg_world_schema, def, hash) != STATUS_OK) {
        fprintf(stderr, "cascade: %s: cannot serialise the config\n", cmd);
        cfg_free(*text);
        *text = NULL;
        return EXIT_RUN_FAILED;
    }
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    ConfigArgs a;
    WorldDef def;
    char *text = NULL;
    uint64_t hash = 0;
    int rc = resolve_config("check", argc, argv, false, &a, &def, &text, &hash);
    if (rc != 0) return rc < 0 ? 0 : rc;
    fputs(text, stdout);
    fprintf(stderr, "cascade: %s is valid (config hash %016" PRIx64 ")\n", a.path, hash);
    cfg_free(text);
    return 0;
}

typedef struct Progress {
    bool on;
    double t0;
} Progress;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress_bar(void *ctx, SimTime now, double frac, uint64_t events)
{
    Progress *p = ctx;
    if (!p->on) return;
    double el = now_s() - p->t0;
    double eta = frac > 0 ? el * (1 - frac) / frac : 0;
    char when[40];
    simtime_format_iso(now, when, sizeof when);
    int fill = (int)(frac * 30);
    fprintf(stderr, "\r[%.*s%*s] %3.0f%% %s %6.2f M events %5.1f M ev/s ETA %4.0fs ", fill,
            "##############################", 30 - fill, "", 100 * frac, when, (double)events / 1e6,
            el > 0 ? (double)events / el / 1e6 : 0.0, eta);
    if (frac >= 1.0) fputc('\n', stderr);
}

static void default_out_dir(const char *path, char *buf, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0) n -= 5;
    snprintf(buf, cap, "out/%.*s", (int)n, base);
}

static int cmd_run(int argc, char **argv)
{
    ConfigArgs a;
    WorldDef def;
    char *text = NULL;
    uint64_t hash = 0;
    int rc = resolve_config("run", argc, argv, true, &a, &def, &text, &hash);
    if (rc != 0) return rc < 0 ? 0 : rc;
    char out[1024];
    if (a.out_dir) snprintf(out, sizeof out, "%s", a.out_dir);
    else default_out_dir(a.path, out, sizeof out);
    Progress prog = {!a.quiet && def.run.progress && isatty(STDERR_FILENO), now_s()};
    RunOptions opt = {out, text, hash, CASCADE_VERSION, progress_bar, &prog};
    RunReport rep;
    char why[512] = "";
    Status s = run_experiment(&def, &opt, &rep, why, sizeof why);
    cfg_free(text);
    if (s != STATUS_OK) {
        fprintf(stderr, "cascade: run failed: %s%s%s\n", status_message(s), why[0] ? ": " : "", why);
        return s == STATUS_INVALID && !rep.conserved && rep.events ? EXIT_RUN_FAILED
                                                                  : (s == STATUS_INVALID ? EXIT_USAGE : EXIT_RUN_FAILED);
    }
    if (!a.quiet) {
        printf("cascade run %s: seed %" PRIu64 ", %.0f h simulated, %" PRIu64 " events in %.2f s (%.2f M events/s)\n",
               a.path, def.run.seed, (double)def.run.duration / (double)SIMTIME_NS_PER_HOUR, rep.events, rep.wall_s,
               rep.wall_s > 0 ? (double)rep.events / rep.wall_s / 1e6 : 0.0);
        printf("  price %.1f -> %.1f (low %.1f, high %.1f), max drawdown %.2f %%\n", rep.start_price_usd,
               rep.end_price_usd, rep.min_price_usd, rep.max_price_usd, 100 * rep.max_drawdown);
        printf("  liquidations %" PRIu64 " (long %" PRIu64 ", short %" PRIu64 "), $%.0f; cascades %u, deepest generation "
               "%d; ADL %" PRIu64 "; bad debt $%.0f\n",
               rep.liquidations, rep.liquidations_by_side[0], rep.liquidations_by_side[1],
               rep.liq_notional_usd_by_side[0] + rep.liq_notional_usd_by_side[1], rep.cascades.cascades,
               rep.cascades.deepest_generation, rep.adl_events, rep.bad_debt_usd);
        printf("  1-min returns: excess kurtosis %.2f, |r| autocorrelation lag 1/10/60: %.3f %.3f %.3f\n",
               rep.minute.moments.excess_kurtosis, rep.minute.acf_abs[1], rep.minute.acf_abs[10], rep.minute.acf_abs[60]);
        printf("  conservation: %s\n  outputs: %s/{summary.json,timeseries.csv,liquidations.csv%s}\n",
               rep.conserved ? "ok" : rep.invariant_message, out, def.run.write_trades ? ",trades.csv" : "");
    }
    return 0;
}

/* ---- facts: the stylized facts of a price column of any CSV (real data or a run's timeseries) ---- */

static int cmd_facts(int argc, char **argv)
{
    const char *path = NULL, *column = "close";
    uint64_t every = 1;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--column") == 0 && i + 1 < argc) column = argv[++i];
        else if (strcmp(argv[i], "--every") == 0 && i + 1 < argc) {
            if (!parse_u64(argv[++i], &every) || every < 1) return usage_error("facts: --every '%s' must be >= 1%s", argv[i], "");
        } else if (argv[i][0] == '-') return usage_error("facts: unknown option '%s'%s", argv[i], "");
        else path = argv[i];
    }
    if (!path) return usage_error("facts: missing CSV file (e.g. data/real/binanceus_btcusd_spot_1m_2023-03-01_2023-03-22.csv)%s%s", "", "");
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cascade: facts: cannot read %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    char line[8192];
    int col = -1;
    if (fgets(line, sizeof line, f)) {
        int k = 0;
        for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), k++)
            if (strcmp(tok, column) == 0) col = k;
    }
    if (col < 0) {
        fclose(f);
        fprintf(stderr, "cascade: facts: %s has no column '%s' (use --column NAME)\n", path, column);
        return EXIT_USAGE;
    }
    size_t n = 0, cap = 4096, row = 0;
    double *px = mem_alloc(cap * sizeof *px);
    while (px && fgets(line, sizeof line, f)) {
        int k = 0;
        char *save = NULL;
        for (char *tok = strtok_r(line, ",\r\n", &save); tok; tok = strtok_r(NULL, ",\r\n", &save), k++) {
            if (k != col) continue;
            if (row++ % every == 0) {
                if (n == cap) {
                    cap *= 2;
                    double *g = mem_realloc(px, cap * sizeof *px);
                    if (!g) break;
                    px = g;
                }
                px[n++] = strtod(tok, NULL);
            }
            break;
        }
    }
    fclose(f);
    MetricsSummary m;
    Status s = px ? metrics_summarize(px, n, &m) : STATUS_NOMEM;
    mem_free(px);
    if (s != STATUS_OK) {
        fprintf(stderr, "cascade: facts: %s\n", status_message(s));
        return EXIT_RUN_FAILED;
    }
    printf("%s, column %s, every %" PRIu64 " rows: %zu prices, %zu returns\n", path, column, every, m.n_prices, m.n_returns);
    printf("  sd %.5f  excess kurtosis %.2f  Hill (left/right/abs) %.2f %.2f %.2f  max drawdown %.2f %%\n", m.moments.sd,
           m.moments.excess_kurtosis, m.hill_left.alpha, m.hill_right.alpha, m.hill_abs.alpha, 100 * m.drawdown.max_dd);
    printf("  VaR/ES 99 %% (long) %.5f %.5f   band %.4f\n", m.long_side.var_99, m.long_side.es_99, m.acf_band);
    printf("  ACF r     lag 1 %.3f  5 %.3f  10 %.3f  30 %.3f  60 %.3f  (lags 1..60 outside band: %zu)\n", m.acf_r[1],
           m.acf_r[5], m.acf_r[10], m.acf_r[30], m.acf_r[60], m.acf_r_outside_band);
    printf("  ACF |r|   lag 1 %.3f  5 %.3f  10 %.3f  30 %.3f  60 %.3f  (lags 1..60 above band: %zu)\n", m.acf_abs[1],
           m.acf_abs[5], m.acf_abs[10], m.acf_abs[30], m.acf_abs[60], m.acf_abs_above_band);
    printf("  checks    |r| ACF positive at %zu of 60 lags; raw ACF at lags %d..60: largest |acf| %.3f (lag %zu), %zu lags "
           "outside band\n",
           m.acf_abs_positive, METRICS_FEW_MINUTES + 1, m.acf_r_beyond_max, m.acf_r_beyond_max_lag,
           m.acf_r_beyond_outside_band);
    printf("            robust t (heteroskedasticity-consistent) at lags %d..60: %zu of %d with |t| > 1.96, Q* %.1f "
           "(p %.4f)\n",
           METRICS_FEW_MINUTES + 1, m.acf_r_beyond_robust_significant, METRICS_SUMMARY_MAX_LAG - METRICS_FEW_MINUTES,
           m.acf_r_beyond_robust_q, m.acf_r_beyond_robust_q_p);
    return 0;
}

static int cmd_print(Status (*fn)(const CfgSchema *, char **), const char *header)
{
    char *text = NULL;
    if (fn(&cfg_world_schema, &text) != STATUS_OK) {
        fprintf(stderr, "cascade: cannot generate the text\n");
        return EXIT_RUN_FAILED;
    }
    if (header) fputs(header, stdout);
    fputs(text, stdout);
    cfg_free(text);
    return 0;
}

static const char reference_header[] =
    "# Config reference\n\n"
    "Every key of an experiment file, generated from the schema by `cascade reference > docs/config.md` (do not edit\n"
    "by hand: a test checks that this file matches the code). File format rules (extends, --set, errors):\n"
    "[config-format.md](config-format.md). The JSON Schema for editors is [config.schema.json](config.schema.json).\n\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "schema") == 0) return cmd_print(cfg_json_schema, NULL);
    if (strcmp(cmd, "facts") == 0) return cmd_facts(argc - 2, argv + 2);
    if (strcmp(cmd, "reference") == 0) return cmd_print(cfg_markdown, reference_header);
    if (strcmp(cmd, "demo") == 0) return cmd_demo(argc - 2, argv + 2);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("cascade %s\n", CASCADE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        print_usage(stdout);
        return 0;
    }
    return usage_error("unknown command '%s'%s", cmd, "");
}
