/* sim/: atomic outputs and the kernel demo run (determinism, conservation, failure leaves nothing behind). */
#include "test_suites.h"
#include "test_util.h"

#include "demo.h"
#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool file_exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static int count_entries(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1) n = -1;
        pclose(p);
    }
    return n;
}

static void output_commit_renames_into_place(void)
{
    char dir[64];
    test_make_temp_dir(dir, sizeof dir);
    OutFile f;
    CHECK_EQ(output_open(&f, dir, "a.txt"), STATUS_OK);
    fputs("hello\n", f.fp);
    CHECK(!file_exists(dir, "a.txt")); /* not visible until committed */
    CHECK_EQ(count_entries(dir), 1);   /* only the temporary */
    CHECK_EQ(output_commit(&f), STATUS_OK);
    size_t len = 0;
    char *s = test_slurp(dir, "a.txt", &len);
    CHECK_STR(s, "hello\n");
    free(s);
    CHECK_EQ(count_entries(dir), 1); /* the temporary is gone */
    test_rm_tree(dir);
}

static void output_abort_leaves_nothing(void)
{
    char dir[64];
    test_make_temp_dir(dir, sizeof dir);
    OutFile f;
    CHECK_EQ(output_open(&f, dir, "b.txt"), STATUS_OK);
    fputs("half", f.fp);
    output_abort(&f);
    CHECK_EQ(count_entries(dir), 0);
    output_abort(&f); /* twice is harmless */
    test_rm_tree(dir);
}

static void output_make_dir_creates_parents_and_rejects_files(void)
{
    char dir[64], sub[128], file_as_dir[256];
    test_make_temp_dir(dir, sizeof dir);
    snprintf(sub, sizeof sub, "%s/x/y/z", dir);
    CHECK_EQ(output_make_dir(sub), STATUS_OK);
    CHECK_EQ(output_make_dir(sub), STATUS_OK); /* exists already: fine */
    OutFile f;
    CHECK_EQ(output_open(&f, sub, "c.txt"), STATUS_OK);
    CHECK_EQ(output_commit(&f), STATUS_OK);
    snprintf(file_as_dir, sizeof file_as_dir, "%s/c.txt", sub);
    CHECK_EQ(output_make_dir(file_as_dir), STATUS_IO); /* a file is in the way */
    CHECK_EQ(output_open(&f, file_as_dir, "d.txt"), STATUS_IO);
    test_rm_tree(dir);
}

static DemoDef small_demo(const char *out_dir, uint64_t seed)
{
    DemoDef d = demo_default_def();
    d.seed = seed;
    d.duration = 20 * SIMTIME_NS_PER_MIN;
    d.out_dir = out_dir;
    return d;
}

static void demo_same_seed_gives_identical_outputs(void)
{
    char a[64], b[64], c[64];
    test_make_temp_dir(a, sizeof a);
    test_make_temp_dir(b, sizeof b);
    test_make_temp_dir(c, sizeof c);
    DemoReport ra, rb, rc;
    char why[256] = "";
    DemoDef da = small_demo(a, 42), db = small_demo(b, 42), dc = small_demo(c, 43);
    CHECK_EQ(demo_run(&da, &ra, why, sizeof why), STATUS_OK);
    CHECK_EQ(demo_run(&db, &rb, why, sizeof why), STATUS_OK);
    CHECK_EQ(demo_run(&dc, &rc, why, sizeof why), STATUS_OK);
    CHECK_GT(ra.fills, 1000); /* the run did real work */
    CHECK_EQ(ra.fills, rb.fills);
    const char *names[] = {"bars.csv", "summary.json"};
    for (int i = 0; i < 2; i++) {
        size_t la = 0, lb = 0, lc = 0;
        char *fa = test_slurp(a, names[i], &la), *fb = test_slurp(b, names[i], &lb), *fc = test_slurp(c, names[i], &lc);
        CHECK(fa && fb && fc);
        CHECK_EQ(la, lb);
        CHECK(fa && fb && la == lb && memcmp(fa, fb, (size_t)la) == 0);
        CHECK(fa && fc && (la != lc || memcmp(fa, fc, (size_t)la) != 0)); /* another seed, another market */
        free(fa), free(fb), free(fc);
    }
    /* 20 one-minute bars plus the header. */
    size_t len = 0;
    char *bars = test_slurp(a, "bars.csv", &len);
    int lines = 0;
    for (size_t i = 0; i < len; i++) lines += bars[i] == '\n';
    CHECK_EQ(lines, 21);
    free(bars);
    test_rm_tree(a), test_rm_tree(b), test_rm_tree(c);
}

static void demo_unwritable_output_reports_io_and_writes_nothing(void)
{
    char dir[64], blocked[128];
    test_make_temp_dir(dir, sizeof dir);
    snprintf(blocked, sizeof blocked, "%s/file", dir);
    FILE *f = fopen(blocked, "w");
    fclose(f);
    DemoDef d = small_demo(blocked, 1); /* a file where the output folder should be */
    DemoReport r;
    char why[256] = "";
    CHECK_EQ(demo_run(&d, &r, why, sizeof why), STATUS_IO);
    CHECK_EQ(count_entries(dir), 1);
    test_rm_tree(dir);
}

static void demo_without_outputs_conserves_lots(void)
{
    DemoDef d = small_demo(NULL, 7);
    d.duration = 2 * SIMTIME_NS_PER_HOUR;
    DemoReport r;
    char why[256] = "";
    CHECK_EQ(demo_run(&d, &r, why, sizeof why), STATUS_OK);
    CHECK_STR(why, "");
    CHECK_GT(r.cancels, 0);
    CHECK_GT(r.markets, 0);
    CHECK_GT(r.resting_orders, 100);
    CHECK_LE(r.low_tk, r.last_tk);
    CHECK_GE(r.high_tk, r.last_tk);
}

void suite_sim_output(void)
{
    static const TestCase cases[] = {
        TEST_CASE(output_commit_renames_into_place),
        TEST_CASE(output_abort_leaves_nothing),
        TEST_CASE(output_make_dir_creates_parents_and_rejects_files),
    };
    test_add_suite("sim_output", cases, TEST_COUNT(cases));
}

void suite_sim_demo(void)
{
    static const TestCase cases[] = {
        TEST_CASE(demo_same_seed_gives_identical_outputs),
        TEST_CASE(demo_unwritable_output_reports_io_and_writes_nothing),
        TEST_CASE(demo_without_outputs_conserves_lots),
    };
    test_add_suite("sim_demo", cases, TEST_COUNT(cases));
}
