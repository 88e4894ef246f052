/* sim/config: schema-driven JSON configs on a mini world schema -- defaults, canonical form and hash, round trips,
 * extends chains, --set overrides, a table of malformed inputs with their exact file/path/message, the JSON Schema
 * and the Markdown reference. Fixture files are written into a mkdtemp() folder. */
#include "test_suites.h"
#include "test_util.h"

#include "alloc.h"
#include "config.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the mini world ---------------------------------------------------------------------------------------------- */

typedef enum Dist { DIST_FIXED, DIST_UNIFORM, DIST_LOGNORMAL } Dist;
typedef enum Venue { VENUE_SPOT, VENUE_PERP } Venue;

typedef struct RunDef {
    uint64_t seed;
    SimTime start;
    SimDuration duration;
    char label[16];
    bool trades;
} RunDef;

typedef struct LeverageDef {
    Dist dist;
    double median;
    int32_t min;
    int32_t max;
} LeverageDef;

typedef struct RetailDef {
    int64_t count;
    double long_share;
    LeverageDef leverage;
} RetailDef;

typedef struct ProfileDef {
    double hour[24];
} ProfileDef;

typedef struct ShockDef {
    SimDuration at;
    int64_t size;
    Venue venue;
} ShockDef;

typedef struct World {
    RunDef run;
    RetailDef retail;
    ProfileDef profile;
    ShockDef shocks[4];
    size_t shock_count;
} World;

static const char *const DIST_NAMES[] = {"fixed", "uniform", "lognormal"};
static const char *const VENUE_NAMES[] = {"spot", "perp"};
static const double HOUR_DEFAULT[24] = {0.5,  0.5,  0.5,  0.5,  0.5,  0.5,  0.5,  0.5,  1,    1,    1,    1,
                                        1,    1,    1,    1,    1.25, 1.25, 1.25, 1.25, 1.25, 1.25, 1.25, 1.25};

static Status leverage_validate(const void *obj, char *key, size_t key_cap, char *msg, size_t msg_cap)
{
    const LeverageDef *l = obj;
    if (l->min > l->max) {
        snprintf(key, key_cap, "min");
        snprintf(msg, msg_cap, "min (%d) must be <= max (%d)", (int)l->min, (int)l->max);
        return STATUS_INVALID;
    }
    return STATUS_OK;
}

static const CfgField RUN_FIELDS[] = {
    CFG_FIELD_UINT("seed", RunDef, seed, 0, UINT64_MAX, 1, NULL, "Master random seed."),
    CFG_FIELD_DATETIME("start", RunDef, start, "2025-01-01T00:00:00Z", "First simulated instant (UTC)."),
    CFG_FIELD_DURATION("duration", RunDef, duration, SIMTIME_NS_PER_S, 365 * SIMTIME_NS_PER_DAY,
                       24 * SIMTIME_NS_PER_HOUR, "Simulated span."),
    CFG_FIELD_STRING("label", RunDef, label, "base", "Free text naming the run."),
    CFG_FIELD_BOOL("trades", RunDef, trades, false, "Write trades.csv."),
};
static const CfgSchema RUN_SCHEMA = CFG_SCHEMA(RunDef, "run", RUN_FIELDS, NULL, "Run control.");

static const CfgField LEVERAGE_FIELDS[] = {
    CFG_FIELD_ENUM("dist", LeverageDef, dist, DIST_NAMES, DIST_LOGNORMAL, "Distribution of chosen leverage."),
    CFG_FIELD_DOUBLE_EX("median", LeverageDef, median, 1, true, 125, false, 10, "x", "Median leverage."),
    CFG_FIELD_INT("min", LeverageDef, min, 1, 125, 1, "x", "Lowest leverage."),
    CFG_FIELD_INT("max", LeverageDef, max, 1, 125, 100, "x", "Highest leverage."),
};
static const CfgSchema LEVERAGE_SCHEMA =
    CFG_SCHEMA(LeverageDef, "leverage", LEVERAGE_FIELDS, leverage_validate, "Leverage choice of retail traders.");

static const CfgField RETAIL_FIELDS[] = {
    CFG_FIELD_INT("count", RetailDef, count, 0, 10000000, 1000, "accounts", "Number of retail traders."),
    CFG_FIELD_DOUBLE("long_share", RetailDef, long_share, 0, 1, 0.5, NULL, "Share that opens long | short."),
    CFG_FIELD_OBJECT("leverage", RetailDef, leverage, &LEVERAGE_SCHEMA, NULL),
};
static const CfgSchema RETAIL_SCHEMA = CFG_SCHEMA(RetailDef, "retail", RETAIL_FIELDS, NULL, "Retail traders.");

static const CfgField PROFILE_FIELDS[] = {
    CFG_FIELD_DOUBLE_ARRAY("hour", ProfileDef, hour, 0, 10, HOUR_DEFAULT, 0, "x",
                           "Activity multiplier per UTC hour of the day."),
};
static const CfgSchema PROFILE_SCHEMA = CFG_SCHEMA(ProfileDef, "profile", PROFILE_FIELDS, NULL, "Intraday profile.");

static const CfgField SHOCK_FIELDS[] = {
    CFG_FIELD_DURATION("at", ShockDef, at, 0, 365 * SIMTIME_NS_PER_DAY, SIMTIME_NS_PER_HOUR, "Time after start."),
    CFG_FIELD_INT("size", ShockDef, size, 1, 1000000, 100, "lots", "Market sell size."),
    CFG_FIELD_ENUM("venue", ShockDef, venue, VENUE_NAMES, VENUE_PERP, "Where it sells."),
};
static const CfgSchema SHOCK_SCHEMA = CFG_SCHEMA(ShockDef, "shock", SHOCK_FIELDS, NULL, "A scheduled market sell.");

static const CfgField WORLD_FIELDS[] = {
    CFG_FIELD_OBJECT("run", World, run, &RUN_SCHEMA, NULL),
    CFG_FIELD_OBJECT("retail", World, retail, &RETAIL_SCHEMA, NULL),
    CFG_FIELD_OBJECT("profile", World, profile, &PROFILE_SCHEMA, NULL),
    CFG_FIELD_OBJECT_ARRAY("shocks", World, shocks, shock_count, &SHOCK_SCHEMA, "Scheduled shocks."),
};
static const CfgSchema WORLD = CFG_SCHEMA(World, "world", WORLD_FIELDS, NULL, "A mini world for the config tests.");

/* ---- helpers ----------------------------------------------------------------------------------------------------- */

/* Writes dir/name (creating dir/sub folders of name) with text. */
static void write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (char *p = path + strlen(dir) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0777);
            *p = '/';
        }
    }
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static World defaults(void)
{
    World w;
    cfg_defaults(&WORLD, &w);
    return w;
}

static Status load(const char *json, const char *const *sets, size_t nsets, World *w, CfgError *err)
{
    return cfg_load_string(&WORLD, json, "t.json", sets, nsets, w, err);
}

/* CHECK_EQ on a load's status that also prints the error when it is not what was expected. */
static void check_status(Status got, Status want, const CfgError *err)
{
    if (got != want) {
        char msg[1024];
        cfg_error_format(err, msg, sizeof msg);
        fprintf(stderr, "\n  got %s (%s), expected %s\n", status_name(got), msg, status_name(want));
    }
    CHECK_EQ(got, want);
}

static void check_contains(const char *hay, const char *needle)
{
    if (hay && needle && strstr(hay, needle)) {
        CHECK(1);
        return;
    }
    fprintf(stderr, "\n  expected \"%s\" inside \"%s\"\n", needle ? needle : "(null)", hay ? hay : "(null)");
    CHECK(0);
}

/* A config that changes every key from its default. */
static const char *const RICH =
    "{\n"
    "  \"run\": {\"seed\": 18446744073709551615, \"start\": \"2025-06-30T23:30:00.25+02:00\",\n"
    "          \"duration\": \"1h30m\", \"label\": \"a \\\"q\\\" \\\\ b\", \"trades\": true},\n"
    "  \"retail\": {\"count\": 1e3, \"long_share\": 0.1,\n"
    "             \"leverage\": {\"dist\": \"uniform\", \"median\": 12.345678901234567, \"min\": 2, \"max\": 125}},\n"
    "  \"profile\": {\"hour\": [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1,\n"
    "                         1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2, 1e-7, 9.999999999, 10]},\n"
    "  \"shocks\": [{\"at\": \"90m\", \"size\": 250000, \"venue\": \"spot\"}, {\"at\": \"0s\"}]\n"
    "}\n";

/* ---- defaults, canonical form, hash ------------------------------------------------------------------------------ */

static void config_defaults_fill_every_field(void)
{
    World w = defaults();
    CHECK_EQ(w.run.seed, 1);
    CHECK_EQ(w.run.start, INT64_C(1735689600) * SIMTIME_NS_PER_S); /* 2025-01-01T00:00:00Z */
    CHECK_EQ(w.run.duration, 24 * SIMTIME_NS_PER_HOUR);
    CHECK_STR(w.run.label, "base");
    CHECK(!w.run.trades);
    CHECK_EQ(w.retail.count, 1000);
    CHECK_NEAR(w.retail.long_share, 0.5, 0);
    CHECK_EQ(w.retail.leverage.dist, DIST_LOGNORMAL);
    CHECK_NEAR(w.retail.leverage.median, 10, 0);
    CHECK_EQ(w.retail.leverage.min, 1);
    CHECK_EQ(w.retail.leverage.max, 100);
    for (int h = 0; h < 24; h++) CHECK_NEAR(w.profile.hour[h], HOUR_DEFAULT[h], 0);
    CHECK_EQ(w.shock_count, 0);

    /* An empty file is the defaults, byte for byte (padding included). */
    World l;
    memset(&l, 0xAB, sizeof l);
    CfgError err;
    CHECK_EQ(load("{}", NULL, 0, &l, &err), STATUS_OK);
    CHECK(memcmp(&l, &w, sizeof w) == 0);
    char why[256];
    CHECK(cfg_schema_check(&WORLD, why, sizeof why));
}

static void config_canonical_text_of_defaults(void)
{
    World w = defaults();
    char *text = NULL;
    CHECK_EQ(cfg_to_json(&WORLD, &w, &text), STATUS_OK);
    CHECK_STR(text, "{\n"
                    "  \"run\": {\n"
                    "    \"seed\": 1,\n"
                    "    \"start\": \"2025-01-01T00:00:00Z\",\n"
                    "    \"duration\": \"1d\",\n"
                    "    \"label\": \"base\",\n"
                    "    \"trades\": false\n"
                    "  },\n"
                    "  \"retail\": {\n"
                    "    \"count\": 1000,\n"
                    "    \"long_share\": 0.5,\n"
                    "    \"leverage\": {\n"
                    "      \"dist\": \"lognormal\",\n"
                    "      \"median\": 10,\n"
                    "      \"min\": 1,\n"
                    "      \"max\": 100\n"
                    "    }\n"
                    "  },\n"
                    "  \"profile\": {\n"
                    "    \"hour\": [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1.25, 1.25, 1.25, "
                    "1.25, 1.25, 1.25, 1.25, 1.25]\n"
                    "  },\n"
                    "  \"shocks\": []\n"
                    "}\n");
    uint64_t h = 0;
    CHECK_EQ(cfg_hash(&WORLD, &w, &h), STATUS_OK);
    CHECK(h == cfg_hash_text(text));
    cfg_free(text);
}

static void config_hash_is_fnv1a_64(void)
{
    /* Reference vectors of 64-bit FNV-1a (Fowler/Noll/Vo test suite). */
    CHECK(cfg_hash_text("") == UINT64_C(0xcbf29ce484222325));
    CHECK(cfg_hash_text("a") == UINT64_C(0xaf63dc4c8601ec8c));
    CHECK(cfg_hash_text("foobar") == UINT64_C(0x85944171f73967e8));
    /* Any change to the config changes the hash. */
    World a = defaults(), b = defaults();
    b.retail.count = 1001;
    uint64_t ha = 0, hb = 0;
    CHECK_EQ(cfg_hash(&WORLD, &a, &ha), STATUS_OK);
    CHECK_EQ(cfg_hash(&WORLD, &b, &hb), STATUS_OK);
    CHECK(ha != hb);
}

static void config_round_trip_gives_identical_struct_and_hash(void)
{
    World a, b;
    CfgError err;
    check_status(load(RICH, NULL, 0, &a, &err), STATUS_OK, &err);
    if (err.message[0]) return;
    /* Exact values: the seed through its digits, the offset time converted to UTC, 1e3 as an integer. */
    CHECK(a.run.seed == UINT64_MAX);
    SimTime start = 0;
    CHECK_EQ(simtime_parse_iso("2025-06-30T21:30:00.25Z", &start), STATUS_OK);
    CHECK_EQ(a.run.start, start);
    CHECK_EQ(a.run.duration, 90 * SIMTIME_NS_PER_MIN);
    CHECK_STR(a.run.label, "a \"q\" \\ b");
    CHECK(a.run.trades);
    CHECK_EQ(a.retail.count, 1000);
    CHECK_EQ(a.retail.leverage.dist, DIST_UNIFORM);
    CHECK_EQ(a.shock_count, 2);
    CHECK_EQ(a.shocks[0].size, 250000);
    CHECK_EQ(a.shocks[0].venue, VENUE_SPOT);
    CHECK_EQ(a.shocks[1].at, 0);
    CHECK_EQ(a.shocks[1].size, 100); /* absent keys of an element take their defaults */
    CHECK_EQ(a.shocks[1].venue, VENUE_PERP);

    char *ta = NULL, *tb = NULL;
    CHECK_EQ(cfg_to_json(&WORLD, &a, &ta), STATUS_OK);
    check_contains(ta, "\"seed\": 18446744073709551615");
    check_contains(ta, "\"start\": \"2025-06-30T21:30:00.250Z\"");
    check_contains(ta, "\"duration\": \"1h30m\"");
    check_contains(ta, "\"median\": 12.345678901234567");
    check_contains(ta, "0.1, 0.2, 0.3");
    check_contains(ta, "1e-07, 9.999999999, 10]");
    memset(&b, 0x5A, sizeof b);
    CHECK_EQ(cfg_load_string(&WORLD, ta, "canonical.json", NULL, 0, &b, &err), STATUS_OK);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    CHECK_EQ(cfg_to_json(&WORLD, &b, &tb), STATUS_OK);
    CHECK_STR(tb, ta); /* the canonical form is a fixed point */
    uint64_t ha = 0, hb = 0;
    CHECK_EQ(cfg_hash(&WORLD, &a, &ha), STATUS_OK);
    CHECK_EQ(cfg_hash(&WORLD, &b, &hb), STATUS_OK);
    CHECK(ha == hb);
    CHECK(ha == cfg_hash_text(ta));
    cfg_free(ta);
    cfg_free(tb);
}

/* ---- extends ----------------------------------------------------------------------------------------------------- */

static void config_extends_chain_merges_deeply(void)
{
    char dir[64], path[256];
    test_make_temp_dir(dir, sizeof dir);
    write_file(dir, "base/root.json",
               "{\"run\": {\"seed\": 7, \"duration\": \"2h\", \"label\": \"root\"},\n"
               " \"retail\": {\"count\": 500, \"leverage\": {\"dist\": \"fixed\", \"max\": 50}},\n"
               " \"shocks\": [{\"at\": \"1h\"}, {\"at\": \"2h\"}, {\"at\": \"3h\"}]}\n");
    /* mid.json names root.json relative to its own folder, base/. */
    write_file(dir, "base/mid.json",
               "{\"extends\": \"root.json\", \"run\": {\"label\": \"mid\"},\n"
               " \"retail\": {\"leverage\": {\"min\": 5}}, \"shocks\": [{\"size\": 9}]}\n");
    write_file(dir, "exp/x.json",
               "{\"extends\": \"../base/mid.json\", \"run\": {\"seed\": 8},\n"
               " \"retail\": {\"leverage\": {\"dist\": \"uniform\"}}}\n");
    snprintf(path, sizeof path, "%s/exp/x.json", dir);
    World w;
    CfgError err;
    CHECK_EQ(cfg_load_file(&WORLD, path, NULL, 0, &w, &err), STATUS_OK);
    CHECK_EQ(w.run.seed, 8);                              /* x overrides root */
    CHECK_EQ(w.run.duration, 2 * SIMTIME_NS_PER_HOUR);    /* from root */
    CHECK_STR(w.run.label, "mid");                        /* mid overrides root */
    CHECK_EQ(w.retail.count, 500);                        /* root */
    CHECK_EQ(w.retail.leverage.dist, DIST_UNIFORM);       /* x, three levels deep */
    CHECK_EQ(w.retail.leverage.min, 5);                   /* mid */
    CHECK_EQ(w.retail.leverage.max, 50);                  /* root: objects merge */
    CHECK_NEAR(w.retail.leverage.median, 10, 0);          /* nobody: the default */
    CHECK_EQ(w.shock_count, 1);                           /* mid's array replaced root's */
    CHECK_EQ(w.shocks[0].size, 9);
    CHECK_EQ(w.shocks[0].at, SIMTIME_NS_PER_HOUR);        /* element default, not root's element */

    /* An error inside a base names the base file. */
    write_file(dir, "base/root.json", "{\"retail\": {\"leverage\": {\"max\": 250}}}");
    World before = w;
    CHECK_EQ(cfg_load_file(&WORLD, path, NULL, 0, &w, &err), STATUS_RANGE);
    char msg[1024], expect[1024];
    cfg_error_format(&err, msg, sizeof msg);
    snprintf(expect, sizeof expect, "%s/exp/../base/root.json: retail.leverage.max: 250 is out of range [1, 125]",
             dir);
    CHECK_STR(msg, expect);
    CHECK(memcmp(&w, &before, sizeof w) == 0); /* nothing written */
    write_file(dir, "base/root.json", "{\n  \"retail\": {\n    \"count\": 5,\n  }\n}\n");
    CHECK_EQ(cfg_load_file(&WORLD, path, NULL, 0, &w, &err), STATUS_PARSE);
    snprintf(expect, sizeof expect, "%s/exp/../base/root.json", dir);
    CHECK_STR(err.source, expect);
    check_contains(err.message, "line 4");
    test_rm_tree(dir);
}

static void config_extends_cycles_are_errors(void)
{
    char dir[64], path[256];
    test_make_temp_dir(dir, sizeof dir);
    write_file(dir, "a.json", "{\"extends\": \"b.json\"}");
    write_file(dir, "b.json", "{\"extends\": \"./a.json\"}");
    write_file(dir, "self.json", "{\"extends\": \"self.json\"}");
    World w;
    CfgError err;
    snprintf(path, sizeof path, "%s/a.json", dir);
    CHECK_EQ(cfg_load_file(&WORLD, path, NULL, 0, &w, &err), STATUS_INVALID);
    char expect[512];
    snprintf(expect, sizeof expect, "%s/b.json", dir);
    CHECK_STR(err.source, expect);
    CHECK_STR(err.path, "extends");
    check_contains(err.message, "extends cycle: ");
    check_contains(err.message, "a.json -> ");
    check_contains(err.message, "/./a.json");
    snprintf(path, sizeof path, "%s/self.json", dir);
    CHECK_EQ(cfg_load_file(&WORLD, path, NULL, 0, &w, &err), STATUS_INVALID);
    check_contains(err.message, "extends cycle");
    test_rm_tree(dir);
}

static void config_extends_depth_is_limited(void)
{
    char dir[64], path[256], name[32], text[128];
    test_make_temp_dir(dir, sizeof dir);
    /* f0 extends f1 ... extends f9: f0..f8 is 8 hops (allowed), f0..f9 is 9 hops. */
    for (int i = 0; i <= 9; i++) {
        snprintf(name, sizeof name, "f%d.json", i);
        if (i < 9) snprintf(text, sizeof text, "{\"extends\": \"f%d.json\", \"retail\": {\"count\": %d}}", i + 1, i);
        else snprintf(text, sizeof text, "{\"run\": {\"seed\": 99}}");
        write_file(dir, name, text);
    }
    World w;
    CfgError err;
    snprintf(path, sizeof path, "%s/f1.json", dir);
    CHECK_EQ(cfg_load_file(&WORLD, path, NULL, 0, &w, &err), STATUS_OK);
    CHECK_EQ(w.run.seed, 99);
    CHECK_EQ(w.retail.count, 1);
    snprintf(path, sizeof path, "%s/f0.json", dir);
    CHECK_EQ(cfg_load_file(&WORLD, path, NULL, 0, &w, &err), STATUS_INVALID);
    check_contains(err.message, "longer than 8 hops");
    CHECK_STR(err.path, "extends");
    test_rm_tree(dir);
}

/* ---- --set ------------------------------------------------------------------------------------------------------- */

static void config_set_overrides_scalars_nested_and_arrays(void)
{
    const char *base = "{\"shocks\": [{\"at\": \"1h\"}, {\"at\": \"2h\"}], \"retail\": {\"count\": 7}}";
    const char *sets[] = {
        "retail.count=100000",            /* scalar */
        "retail.leverage.max=20",         /* nested */
        "shocks[1].size=5",               /* element of an object array */
        "shocks[2].venue=spot",           /* index == length appends one element */
        "profile.hour[3]=2.5",            /* element of a number array */
        "run.duration=48h",               /* not JSON: a bare string */
        "run.label=\"quoted\"",           /* a JSON string */
        "run.trades=true",                /* bool */
        "run.seed=18446744073709551614",  /* exact 64-bit */
        "retail={\"long_share\": 0.25}",  /* an object merges: count stays */
    };
    World w;
    CfgError err;
    CHECK_EQ(load(base, sets, TEST_COUNT(sets), &w, &err), STATUS_OK);
    CHECK_EQ(w.retail.count, 100000);
    CHECK_NEAR(w.retail.long_share, 0.25, 0);
    CHECK_EQ(w.retail.leverage.max, 20);
    CHECK_EQ(w.retail.leverage.min, 1);
    CHECK_EQ(w.shock_count, 3);
    CHECK_EQ(w.shocks[0].at, SIMTIME_NS_PER_HOUR);
    CHECK_EQ(w.shocks[1].at, 2 * SIMTIME_NS_PER_HOUR);
    CHECK_EQ(w.shocks[1].size, 5);
    CHECK_EQ(w.shocks[2].venue, VENUE_SPOT);
    CHECK_EQ(w.shocks[2].at, SIMTIME_NS_PER_HOUR); /* default */
    CHECK_NEAR(w.profile.hour[3], 2.5, 0);
    CHECK_NEAR(w.profile.hour[4], 0.5, 0);
    CHECK_EQ(w.run.duration, 48 * SIMTIME_NS_PER_HOUR);
    CHECK_STR(w.run.label, "quoted");
    CHECK(w.run.trades);
    CHECK(w.run.seed == UINT64_MAX - 1);

    /* A whole new array replaces; later --set wins; a value may contain '='. */
    const char *sets2[] = {
        "shocks=[{\"at\": \"30m\", \"size\": 7}]",
        "retail.count=1",
        "retail.count=2",
        "run.label=a=b",
        "run.start=2025-03-01T12:00:00Z",
        "retail.leverage.dist=uniform",
        "retail.leverage={\"min\": 3}",
    };
    CHECK_EQ(load(base, sets2, TEST_COUNT(sets2), &w, &err), STATUS_OK);
    CHECK_EQ(w.shock_count, 1);
    CHECK_EQ(w.shocks[0].at, 30 * SIMTIME_NS_PER_MIN);
    CHECK_EQ(w.shocks[0].size, 7);
    CHECK_EQ(w.retail.count, 2);
    CHECK_STR(w.run.label, "a=b");
    SimTime t = 0;
    CHECK_EQ(simtime_parse_iso("2025-03-01T12:00:00Z", &t), STATUS_OK);
    CHECK_EQ(w.run.start, t);
    CHECK_EQ(w.retail.leverage.dist, DIST_UNIFORM);
    CHECK_EQ(w.retail.leverage.min, 3);

    /* A --set error names the --set. */
    const char *bad[] = {"retail.leverage.max=250"};
    CHECK_EQ(load("{}", bad, 1, &w, &err), STATUS_RANGE);
    char msg[1024];
    cfg_error_format(&err, msg, sizeof msg);
    CHECK_STR(msg, "--set retail.leverage.max: 250 is out of range [1, 125]");
}

/* ---- the table of malformed inputs ------------------------------------------------------------------------------- */

typedef struct BadCase {
    const char *json; /* the text of t.json */
    const char *set;  /* one --set argument, or NULL */
    Status status;
    const char *source;
    const char *path;
    const char *message; /* expected inside the message */
} BadCase;

static const BadCase BAD[] = {
    /* unknown keys, at each level, with a suggestion and the allowed list */
    {"{\"retial\": {}}", NULL, STATUS_INVALID, "t.json", "retial",
     "unknown key \"retial\" (did you mean \"retail\"?); allowed keys: run, retail, profile, shocks"},
    {"{\"retail\": {\"cont\": 5}}", NULL, STATUS_INVALID, "t.json", "retail.cont", "(did you mean \"count\"?)"},
    {"{\"retail\": {\"leverage\": {\"zzz\": 5}}}", NULL, STATUS_INVALID, "t.json", "retail.leverage.zzz",
     "unknown key \"zzz\"; allowed keys: dist, median, min, max"},
    {"{\"shocks\": [{\"when\": \"1h\"}]}", NULL, STATUS_INVALID, "t.json", "shocks[0].when", "unknown key \"when\""},
    {"{\"retail\": {\"count\": 1, \"count\": 2}}", NULL, STATUS_INVALID, "t.json", "retail.count",
     "duplicate key \"count\""},
    {"{\"retail\": {\"extends\": \"x.json\"}}", NULL, STATUS_INVALID, "t.json", "retail.extends",
     "at the top level"},
    /* wrong type, one per type */
    {"{\"run\": {\"trades\": 1}}", NULL, STATUS_INVALID, "t.json", "run.trades",
     "expected true or false, got number 1"},
    {"{\"retail\": {\"count\": \"5\"}}", NULL, STATUS_INVALID, "t.json", "retail.count",
     "expected an integer in [0, 10000000], got string \"5\""},
    {"{\"retail\": {\"count\": null}}", NULL, STATUS_INVALID, "t.json", "retail.count", "got null"},
    {"{\"run\": {\"seed\": \"1\"}}", NULL, STATUS_INVALID, "t.json", "run.seed",
     "expected an integer in [0, 18446744073709551615]"},
    {"{\"retail\": {\"long_share\": true}}", NULL, STATUS_INVALID, "t.json", "retail.long_share",
     "expected a number in [0, 1], got true"},
    {"{\"retail\": {\"leverage\": {\"dist\": 2}}}", NULL, STATUS_INVALID, "t.json", "retail.leverage.dist",
     "expected one of \"fixed\", \"uniform\", \"lognormal\", got number 2"},
    {"{\"run\": {\"label\": 5}}", NULL, STATUS_INVALID, "t.json", "run.label", "expected a string, got number 5"},
    {"{\"run\": {\"duration\": 3600}}", NULL, STATUS_INVALID, "t.json", "run.duration",
     "expected a duration string like \"90s\" or \"1h30m\" in [1s, 365d], got number 3600"},
    {"{\"run\": {\"start\": 0}}", NULL, STATUS_INVALID, "t.json", "run.start", "expected an ISO-8601 time string"},
    {"{\"retail\": 5}", NULL, STATUS_INVALID, "t.json", "retail", "expected an object, got number 5"},
    {"{\"profile\": {\"hour\": 1}}", NULL, STATUS_INVALID, "t.json", "profile.hour",
     "expected an array of exactly 24 numbers in [0, 10], got number 1"},
    {"{\"shocks\": {}}", NULL, STATUS_INVALID, "t.json", "shocks",
     "expected an array of at most 4 objects, got an object"},
    {"{\"shocks\": [{\"at\": \"1h\"}, 3]}", NULL, STATUS_INVALID, "t.json", "shocks[1]",
     "expected an object, got number 3"},
    {"{\"profile\": {\"hour\": [0,0,0,0,0,\"x\",0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}}", NULL, STATUS_INVALID,
     "t.json", "profile.hour[5]", "expected a number in [0, 10], got string \"x\""},
    /* integers: not integral, out of range low and high, beyond 64 bits, inexact */
    {"{\"retail\": {\"count\": 2.5}}", NULL, STATUS_INVALID, "t.json", "retail.count",
     "2.5 is not an integer (allowed: [0, 10000000])"},
    {"{\"retail\": {\"count\": -1}}", NULL, STATUS_RANGE, "t.json", "retail.count",
     "-1 is out of range [0, 10000000]"},
    {"{\"retail\": {\"count\": 10000001}}", NULL, STATUS_RANGE, "t.json", "retail.count",
     "10000001 is out of range [0, 10000000]"},
    {"{\"retail\": {\"count\": 99999999999999999999}}", NULL, STATUS_RANGE, "t.json", "retail.count",
     "99999999999999999999 is out of range"},
    {"{\"retail\": {\"leverage\": {\"max\": 250}}}", NULL, STATUS_RANGE, "t.json", "retail.leverage.max",
     "250 is out of range [1, 125]"},
    {"{\"retail\": {\"leverage\": {\"min\": 0}}}", NULL, STATUS_RANGE, "t.json", "retail.leverage.min",
     "0 is out of range [1, 125]"},
    {"{\"run\": {\"seed\": -1}}", NULL, STATUS_RANGE, "t.json", "run.seed",
     "-1 is out of range [0, 18446744073709551615]"},
    {"{\"run\": {\"seed\": 18446744073709551616}}", NULL, STATUS_RANGE, "t.json", "run.seed",
     "18446744073709551616 is out of range"},
    {"{\"run\": {\"seed\": 1e19}}", NULL, STATUS_INVALID, "t.json", "run.seed", "write the integer in plain digits"},
    {"{\"shocks\": [{\"size\": 0}]}", NULL, STATUS_RANGE, "t.json", "shocks[0].size", "0 is out of range [1, 1000000]"},
    /* doubles: low, high, open bound, not finite */
    {"{\"retail\": {\"long_share\": -0.1}}", NULL, STATUS_RANGE, "t.json", "retail.long_share",
     "-0.1 is out of range [0, 1]"},
    {"{\"retail\": {\"long_share\": 1.5}}", NULL, STATUS_RANGE, "t.json", "retail.long_share",
     "1.5 is out of range [0, 1]"},
    {"{\"retail\": {\"leverage\": {\"median\": 1}}}", NULL, STATUS_RANGE, "t.json", "retail.leverage.median",
     "1 is out of range (1, 125]"},
    {"{\"retail\": {\"long_share\": 1e999}}", NULL, STATUS_RANGE, "t.json", "retail.long_share",
     "1e999 is not a finite number"},
    {"{}", "retail.long_share=nan", STATUS_INVALID, "--set retail.long_share", "retail.long_share",
     "(NaN and infinities are not allowed)"},
    {"{}", "profile.hour[0]=-Infinity", STATUS_INVALID, "--set profile.hour[0]", "profile.hour[0]",
     "(NaN and infinities are not allowed)"},
    {"{\"profile\": {\"hour\": [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,11]}}", NULL, STATUS_RANGE, "t.json",
     "profile.hour[23]", "11 is out of range [0, 10]"},
    /* enums */
    {"{\"retail\": {\"leverage\": {\"dist\": \"lognorm\"}}}", NULL, STATUS_INVALID, "t.json",
     "retail.leverage.dist",
     "\"lognorm\" is not one of \"fixed\", \"uniform\", \"lognormal\" (did you mean \"lognormal\"?)"},
    {"{\"shocks\": [{\"venue\": \"dex\"}]}", NULL, STATUS_INVALID, "t.json", "shocks[0].venue",
     "\"dex\" is not one of \"spot\", \"perp\""},
    /* strings */
    {"{\"run\": {\"label\": \"abcdefghijklmnopq\"}}", NULL, STATUS_RANGE, "t.json", "run.label",
     "string of 17 bytes is too long (at most 15)"},
    /* durations and datetimes */
    {"{\"run\": {\"duration\": \"5 minutes\"}}", NULL, STATUS_INVALID, "t.json", "run.duration",
     "\"5 minutes\" is not a duration"},
    {"{\"run\": {\"duration\": \"30m1h\"}}", NULL, STATUS_INVALID, "t.json", "run.duration", "is not a duration"},
    {"{\"run\": {\"duration\": \"0s\"}}", NULL, STATUS_RANGE, "t.json", "run.duration",
     "\"0s\" is out of range [1s, 365d]"},
    {"{\"run\": {\"duration\": \"400d\"}}", NULL, STATUS_RANGE, "t.json", "run.duration",
     "\"400d\" is out of range [1s, 365d]"},
    {"{\"run\": {\"duration\": \"999999999999d\"}}", NULL, STATUS_RANGE, "t.json", "run.duration",
     "is out of range [1s, 365d]"},
    {"{\"run\": {\"start\": \"2025-13-01T00:00:00Z\"}}", NULL, STATUS_INVALID, "t.json", "run.start",
     "\"2025-13-01T00:00:00Z\" is not an ISO-8601 time"},
    {"{\"run\": {\"start\": \"2025-01-01\"}}", NULL, STATUS_INVALID, "t.json", "run.start", "is not an ISO-8601"},
    {"{\"run\": {\"start\": \"3000-01-01T00:00:00Z\"}}", NULL, STATUS_RANGE, "t.json", "run.start",
     "outside the representable span"},
    /* arrays */
    {"{\"shocks\": [{}, {}, {}, {}, {}]}", NULL, STATUS_RANGE, "t.json", "shocks",
     "array of 5 elements is too long (at most 4)"},
    {"{\"profile\": {\"hour\": [1, 2]}}", NULL, STATUS_INVALID, "t.json", "profile.hour",
     "expected exactly 24 numbers in [0, 10], got 2"},
    /* JSON syntax */
    {"{\"retail\": {\"count\": 5,}}", NULL, STATUS_PARSE, "t.json", "", "invalid JSON at line 1, column"},
    {"{\n  \"retail\": {\n    \"count\": 5\n    \"long_share\": 0.5\n  }\n}", NULL, STATUS_PARSE, "t.json", "",
     "invalid JSON at line 4, column 5"},
    {"{\n\"retail\": {\"count\": 01}}", NULL, STATUS_PARSE, "t.json", "",
     "invalid JSON at line 2, column 21: 01 is not a JSON number"},
    {"{\"retail\": {\"count\": 5}} trailing", NULL, STATUS_PARSE, "t.json", "", "invalid JSON at line 1"},
    {"  \n ", NULL, STATUS_PARSE, "t.json", "", "the text is empty"},
    {"[1, 2]", NULL, STATUS_INVALID, "t.json", "", "expected a JSON object at the top level, got an array"},
    /* extends */
    {"{\"extends\": 5}", NULL, STATUS_INVALID, "t.json", "extends",
     "expected a string naming the file this one extends, got number 5"},
    {"{\"extends\": \"\"}", NULL, STATUS_INVALID, "t.json", "extends", "got string \"\""},
    {"{\"extends\": \"/nonexistent/cascade/nope.json\"}", NULL, STATUS_IO, "t.json", "extends",
     "cannot read \"/nonexistent/cascade/nope.json\": No such file or directory"},
    /* cross-field rule */
    {"{\"retail\": {\"leverage\": {\"min\": 50, \"max\": 20}}}", NULL, STATUS_INVALID, "t.json",
     "retail.leverage.min", "min (50) must be <= max (20)"},
    {"{\"retail\": {\"leverage\": {\"min\": 50}}}", "retail.leverage.max=20", STATUS_INVALID, "t.json",
     "retail.leverage.min", "min (50) must be <= max (20) (in the config merged from extends and --set)"},
    /* --set syntax and paths */
    {"{}", "retail.count", STATUS_PARSE, "--set", "", "\"retail.count\" is not KEY.PATH=VALUE (no '=')"},
    {"{}", "retail..count=5", STATUS_PARSE, "--set", "", "(empty key in the path)"},
    {"{}", "=5", STATUS_PARSE, "--set", "", "(empty path before '=')"},
    {"{}", "shocks[x].size=5", STATUS_PARSE, "--set", "", "an index must be digits"},
    {"{}", "shocks[1.size=5", STATUS_PARSE, "--set", "", "closed by ']'"},
    {"{}", "[0]=5", STATUS_PARSE, "--set", "", "the path starts with an index"},
    {"{}", "retail.co unt=5", STATUS_PARSE, "--set", "", "keys are letters, digits"},
    {"{}", "retail.cnt=5", STATUS_INVALID, "--set retail.cnt", "retail.cnt",
     "unknown key \"cnt\" (did you mean \"count\"?)"},
    {"{}", "extends=x.json", STATUS_INVALID, "--set extends", "extends", "unknown key \"extends\""},
    {"{}", "retail.count.x=5", STATUS_INVALID, "--set retail.count.x", "retail.count",
     "an integer, not an object: it has no key \"x\""},
    {"{}", "retail[0]=5", STATUS_INVALID, "--set retail[0]", "retail", "an object, not an array"},
    {"{}", "shocks[4].size=5", STATUS_RANGE, "--set shocks[4].size", "shocks[4]", "index 4 is out of range [0, 3]"},
    {"{}", "shocks[1].size=5", STATUS_RANGE, "--set shocks[1].size", "shocks[1]",
     "index 1 is past the end: the array has 0 elements (index 0 appends one)"},
    {"{}", "profile.hour[24]=1", STATUS_RANGE, "--set profile.hour[24]", "profile.hour[24]",
     "index 24 is out of range [0, 23]"},
    {"{}", "retail.count=abc", STATUS_INVALID, "--set retail.count", "retail.count", "got string \"abc\""},
    {"{}", "retail.count=01", STATUS_INVALID, "--set retail.count", "retail.count", "got string \"01\""},
    {"{}", "shocks=[{\"size\": 0}]", STATUS_RANGE, "--set shocks", "shocks[0].size", "0 is out of range"},
    {"{}", "retail={\"cnt\": 1}", STATUS_INVALID, "--set retail", "retail.cnt", "unknown key \"cnt\""},
    {"{}", "run.trades=yes", STATUS_INVALID, "--set run.trades", "run.trades",
     "expected true or false, got string \"yes\""},
};

static void config_rejects_malformed_inputs(void)
{
    CHECK_GE(TEST_COUNT(BAD), 30);
    for (size_t i = 0; i < TEST_COUNT(BAD); i++) {
        const BadCase *c = &BAD[i];
        World w;
        memset(&w, 0x77, sizeof w);
        World before = w;
        CfgError err;
        memset(&err, 0, sizeof err);
        Status st = load(c->json, c->set ? &c->set : NULL, c->set ? 1 : 0, &w, &err);
        bool ok = st == c->status && strcmp(err.source, c->source) == 0 && strcmp(err.path, c->path) == 0 &&
                  strstr(err.message, c->message) != NULL && memcmp(&w, &before, sizeof w) == 0;
        if (!ok) {
            fprintf(stderr, "\n  case %zu (%s | %s): got %s, source \"%s\", path \"%s\", message \"%s\"\n", i, c->json,
                    c->set ? c->set : "-", status_name(st), err.source, err.path, err.message);
        }
        CHECK(ok);
    }
}

static void config_error_format_joins_the_parts(void)
{
    CfgError e = {0};
    char buf[256];
    snprintf(e.source, sizeof e.source, "experiments/x.json");
    snprintf(e.path, sizeof e.path, "retail.leverage.max");
    snprintf(e.message, sizeof e.message, "250 is out of range [1, 125]");
    CHECK_EQ(cfg_error_format(&e, buf, sizeof buf), strlen(buf));
    CHECK_STR(buf, "experiments/x.json: retail.leverage.max: 250 is out of range [1, 125]");
    e.path[0] = '\0';
    cfg_error_format(&e, buf, sizeof buf);
    CHECK_STR(buf, "experiments/x.json: 250 is out of range [1, 125]");
    snprintf(e.source, sizeof e.source, "--set retail");
    snprintf(e.path, sizeof e.path, "retail.count");
    cfg_error_format(&e, buf, sizeof buf);
    CHECK_STR(buf, "--set retail: retail.count: 250 is out of range [1, 125]"); /* path adds information */
    char small[8];
    CHECK_GT(cfg_error_format(&e, small, sizeof small), sizeof small);
    CHECK_EQ(strlen(small), sizeof small - 1);
}

static void config_load_file_reports_io_errors(void)
{
    World w = defaults(), before = w;
    CfgError err;
    CHECK_EQ(cfg_load_file(&WORLD, "/nonexistent/cascade/x.json", NULL, 0, &w, &err), STATUS_IO);
    CHECK_STR(err.source, "/nonexistent/cascade/x.json");
    check_contains(err.message, "No such file or directory");
    CHECK(memcmp(&w, &before, sizeof w) == 0);
    char dir[64];
    test_make_temp_dir(dir, sizeof dir);
    CHECK_EQ(cfg_load_file(&WORLD, dir, NULL, 0, &w, &err), STATUS_IO); /* a folder is not a file */
    check_contains(err.message, "Is a directory");
    test_rm_tree(dir);
}

/* ---- cfg_validate on structs built in code ----------------------------------------------------------------------- */

static void config_validate_checks_structs_built_in_code(void)
{
    World w = defaults();
    CfgError err;
    CHECK_EQ(cfg_validate(&WORLD, &w, &err), STATUS_OK);
    w.retail.leverage.min = 60;
    w.retail.leverage.max = 50;
    CHECK_EQ(cfg_validate(&WORLD, &w, &err), STATUS_INVALID);
    CHECK_STR(err.path, "retail.leverage.min");
    w = defaults();
    w.retail.count = -5;
    CHECK_EQ(cfg_validate(&WORLD, &w, &err), STATUS_RANGE);
    CHECK_STR(err.path, "retail.count");
    w = defaults();
    w.profile.hour[7] = NAN;
    CHECK_EQ(cfg_validate(&WORLD, &w, &err), STATUS_RANGE);
    CHECK_STR(err.path, "profile.hour[7]");
    w = defaults();
    w.shock_count = 1;
    w.shocks[0].venue = (Venue)7;
    CHECK_EQ(cfg_validate(&WORLD, &w, &err), STATUS_RANGE);
    CHECK_STR(err.path, "shocks[0].venue");
    w = defaults();
    w.shock_count = 5;
    char *text = NULL;
    CHECK_EQ(cfg_to_json(&WORLD, &w, &text), STATUS_RANGE);
    CHECK(text == NULL);
    w = defaults();
    memset(w.run.label, 'x', sizeof w.run.label);
    CHECK_EQ(cfg_to_json(&WORLD, &w, &text), STATUS_INVALID);
}

/* ---- schema consistency ------------------------------------------------------------------------------------------ */

typedef struct Tiny {
    int32_t a;
    double b;
} Tiny;

static void config_schema_check_rejects_bad_tables(void)
{
    char why[256];
    static const CfgField dup[] = {
        CFG_FIELD_INT("a", Tiny, a, 0, 10, 1, NULL, "A."),
        CFG_FIELD_DOUBLE("a", Tiny, b, 0, 1, 0.5, NULL, "B."),
    };
    static const CfgSchema dup_s = CFG_SCHEMA(Tiny, "tiny", dup, NULL, "");
    CHECK(!cfg_schema_check(&dup_s, why, sizeof why));
    check_contains(why, "key \"a\" twice");

    static const CfgField bad_default[] = {CFG_FIELD_INT("a", Tiny, a, 0, 10, 11, NULL, "A.")};
    static const CfgSchema bad_default_s = CFG_SCHEMA(Tiny, "tiny", bad_default, NULL, "");
    CHECK(!cfg_schema_check(&bad_default_s, why, sizeof why));
    check_contains(why, "tiny.a: default out of range");

    static const CfgField too_wide[] = {CFG_FIELD_INT("a", Tiny, a, 0, INT64_C(1) << 40, 1, NULL, "A.")};
    static const CfgSchema too_wide_s = CFG_SCHEMA(Tiny, "tiny", too_wide, NULL, "");
    CHECK(!cfg_schema_check(&too_wide_s, why, sizeof why));
    check_contains(why, "range does not fit the member");

    static const CfgField bad_key[] = {CFG_FIELD_INT("a.b", Tiny, a, 0, 10, 1, NULL, "A.")};
    static const CfgSchema bad_key_s = CFG_SCHEMA(Tiny, "tiny", bad_key, NULL, "");
    CHECK(!cfg_schema_check(&bad_key_s, why, sizeof why));

    static const CfgField wrong_type[] = {CFG_FIELD_DOUBLE("a", Tiny, a, 0, 1, 0.5, NULL, "A.")};
    static const CfgSchema wrong_type_s = CFG_SCHEMA(Tiny, "tiny", wrong_type, NULL, "");
    CHECK(!cfg_schema_check(&wrong_type_s, why, sizeof why));
    check_contains(why, "not a double");

    static const CfgField open_default[] = {CFG_FIELD_DOUBLE_EX("b", Tiny, b, 0, true, 1, false, 0, NULL, "B.")};
    static const CfgSchema open_default_s = CFG_SCHEMA(Tiny, "tiny", open_default, NULL, "");
    CHECK(!cfg_schema_check(&open_default_s, why, sizeof why)); /* 0 is outside (0, 1] */
}

/* ---- generated documentation ------------------------------------------------------------------------------------- */

static const cJSON *at(const cJSON *node, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n && node; i++) node = cJSON_GetObjectItemCaseSensitive(node, keys[i]);
    return node;
}

static double num_at(const cJSON *root, const char *const *keys, size_t n)
{
    const cJSON *v = at(root, keys, n);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void config_json_schema_parses_and_has_the_ranges(void)
{
    char *text = NULL;
    CHECK_EQ(cfg_json_schema(&WORLD, &text), STATUS_OK);
    cfg_install_json_hooks(); /* cJSON's memory is counted by the leak checker */
    cJSON *root = cJSON_Parse(text);
    CHECK(root != NULL);
    const char *k_schema[] = {"$schema"};
    CHECK_STR(cJSON_GetStringValue(at(root, k_schema, 1)), "https://json-schema.org/draft/2020-12/schema");
    const char *k_addl[] = {"additionalProperties"};
    CHECK(cJSON_IsFalse(at(root, k_addl, 1)));
    const char *k_ext[] = {"properties", "extends", "type"};
    CHECK_STR(cJSON_GetStringValue(at(root, k_ext, 3)), "string");
    const char *k_max_max[] = {"properties", "retail", "properties", "leverage", "properties", "max", "maximum"};
    CHECK_NEAR(num_at(root, k_max_max, 7), 125, 0);
    const char *k_max_min[] = {"properties", "retail", "properties", "leverage", "properties", "max", "minimum"};
    CHECK_NEAR(num_at(root, k_max_min, 7), 1, 0);
    const char *k_max_def[] = {"properties", "retail", "properties", "leverage", "properties", "max", "default"};
    CHECK_NEAR(num_at(root, k_max_def, 7), 100, 0);
    const char *k_med[] = {"properties", "retail", "properties", "leverage", "properties", "median",
                           "exclusiveMinimum"};
    CHECK_NEAR(num_at(root, k_med, 7), 1, 0);
    const char *k_lev_addl[] = {"properties", "retail", "properties", "leverage", "additionalProperties"};
    CHECK(cJSON_IsFalse(at(root, k_lev_addl, 5)));
    const char *k_enum[] = {"properties", "retail", "properties", "leverage", "properties", "dist", "enum"};
    const cJSON *e = at(root, k_enum, 7);
    CHECK_EQ(cJSON_GetArraySize(e), 3);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetArrayItem(e, 2)), "lognormal");
    const char *k_seed_max[] = {"properties", "run", "properties", "seed", "maximum"};
    const cJSON *seed_max = at(root, k_seed_max, 5);
    CHECK(cJSON_IsNumber(seed_max));
    check_contains(text, "\"maximum\": 18446744073709551615");
    const char *k_dur[] = {"properties", "run", "properties", "duration"};
    const cJSON *dur = at(root, k_dur, 4);
    check_contains(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dur, "description")),
                   "Allowed: [1s, 365d].");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dur, "default")), "1d");
    CHECK(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dur, "pattern")) != NULL);
    const char *k_start_fmt[] = {"properties", "run", "properties", "start", "format"};
    CHECK_STR(cJSON_GetStringValue(at(root, k_start_fmt, 5)), "date-time");
    const char *k_hour_n[] = {"properties", "profile", "properties", "hour", "minItems"};
    CHECK_NEAR(num_at(root, k_hour_n, 5), 24, 0);
    const char *k_hour_max[] = {"properties", "profile", "properties", "hour", "items", "maximum"};
    CHECK_NEAR(num_at(root, k_hour_max, 6), 10, 0);
    const char *k_shocks_n[] = {"properties", "shocks", "maxItems"};
    CHECK_NEAR(num_at(root, k_shocks_n, 3), 4, 0);
    const char *k_shock_size[] = {"properties", "shocks", "items", "properties", "size", "maximum"};
    CHECK_NEAR(num_at(root, k_shock_size, 6), 1000000, 0);
    const char *k_label[] = {"properties", "run", "properties", "label", "maxLength"};
    CHECK_NEAR(num_at(root, k_label, 5), 15, 0);
    const char *k_count_doc[] = {"properties", "retail", "properties", "count", "description"};
    CHECK_STR(cJSON_GetStringValue(at(root, k_count_doc, 5)), "Number of retail traders. Unit: accounts.");
    cJSON_Delete(root);
    cfg_free(text);
}

static void config_markdown_lists_every_key(void)
{
    char *md = NULL;
    CHECK_EQ(cfg_markdown(&WORLD, &md), STATUS_OK);
    check_contains(md, "| key | type | default | allowed | unit | description |\n| --- |");
    const char *keys[] = {"`run`", "`run.seed`", "`run.start`", "`run.duration`", "`run.label`", "`run.trades`",
                          "`retail.count`", "`retail.long_share`", "`retail.leverage`", "`retail.leverage.dist`",
                          "`retail.leverage.median`", "`retail.leverage.min`", "`retail.leverage.max`",
                          "`profile.hour`", "`shocks`", "`shocks[].at`", "`shocks[].size`", "`shocks[].venue`"};
    for (size_t i = 0; i < TEST_COUNT(keys); i++) {
        char cell[64];
        snprintf(cell, sizeof cell, "| %s |", keys[i]);
        check_contains(md, cell);
    }
    check_contains(md, "| `retail.leverage.max` | integer | `100` | [1, 125] | x | Highest leverage. |");
    check_contains(md, "| `retail.leverage.median` | number | `10` | (1, 125] | x | Median leverage. |");
    check_contains(md, "| `run.duration` | duration (string) | `\"1d\"` | [1s, 365d] |  | Simulated span. |");
    check_contains(md,
                   "| `retail.leverage.dist` | enum (string) | `\"lognormal\"` | `fixed`, `uniform`, `lognormal` |");
    check_contains(md, "| `profile.hour` | number[24] | `[0.5, 0.5,");
    check_contains(md, "| 24 numbers in [0, 10] | x |");
    check_contains(md, "| `shocks` | array of objects | `[]` | 0 to 4 elements |");
    check_contains(md, "| `retail.leverage` | object |  |  |  | Leverage choice of retail traders. |");
    check_contains(md, "Share that opens long \\| short."); /* pipes escaped */
    cfg_free(md);
}

void suite_sim_config(void)
{
    static const TestCase cases[] = {
        TEST_CASE(config_defaults_fill_every_field),
        TEST_CASE(config_canonical_text_of_defaults),
        TEST_CASE(config_hash_is_fnv1a_64),
        TEST_CASE(config_round_trip_gives_identical_struct_and_hash),
        TEST_CASE(config_extends_chain_merges_deeply),
        TEST_CASE(config_extends_cycles_are_errors),
        TEST_CASE(config_extends_depth_is_limited),
        TEST_CASE(config_set_overrides_scalars_nested_and_arrays),
        TEST_CASE(config_rejects_malformed_inputs),
        TEST_CASE(config_error_format_joins_the_parts),
        TEST_CASE(config_load_file_reports_io_errors),
        TEST_CASE(config_validate_checks_structs_built_in_code),
        TEST_CASE(config_schema_check_rejects_bad_tables),
        TEST_CASE(config_json_schema_parses_and_has_the_ranges),
        TEST_CASE(config_markdown_lists_every_key),
    };
    test_add_suite("sim_config", cases, TEST_COUNT(cases));
}
