/* The `cascade` command line. Parses arguments, calls into the simulator, prints results and errors once.
 * Exit codes: 0 success, 1 the run failed (an invariant broke, an output could not be written), 2 bad usage. */
#include "demo.h"

#include "status.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASCADE_VERSION "0.1.0"

enum { EXIT_RUN_FAILED = 1, EXIT_USAGE = 2 };

static void print_usage(FILE *out)
{
    fputs("usage: cascade <command> [options]\n"
          "\n"
          "commands:\n"
          "  demo       kernel demo: zero-intelligence order flow on one book (the current main job)\n"
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
          "`cascade run`, `check`, `sweep` and `view` arrive with the agents and the live view.\n",
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

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
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
