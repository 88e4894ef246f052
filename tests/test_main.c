/* The cascade-tests runner: every CUnit suite in one binary.
 *
 *   cascade-tests            run every suite
 *   cascade-tests NAME...    run the named suites (ctest runs each suite as its own test this way)
 *   cascade-tests --list     print suite names */
#include "test_suites.h"
#include "test_util.h"

#include "alloc.h"

#include <CUnit/Basic.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int64_t g_bytes_before;
static int64_t g_blocks_before;

static void leak_setup(void)
{
    g_bytes_before = mem_live_bytes();
    g_blocks_before = mem_live_blocks();
}

static void leak_teardown(void)
{
    CHECK_EQ(mem_live_bytes(), g_bytes_before);
    CHECK_EQ(mem_live_blocks(), g_blocks_before);
}

void test_add_suite(const char *name, const TestCase *cases, size_t count)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown(name, NULL, NULL, leak_setup, leak_teardown);
    if (!s) {
        fprintf(stderr, "cannot add suite %s: %s\n", name, CU_get_error_msg());
        exit(2);
    }
    for (size_t i = 0; i < count; i++) {
        if (!CU_add_test(s, cases[i].name, cases[i].fn)) {
            fprintf(stderr, "cannot add test %s.%s: %s\n", name, cases[i].name, CU_get_error_msg());
            exit(2);
        }
    }
}

void test_make_temp_dir(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/cascade-test-XXXXXX");
    CHECK(mkdtemp(buf) != NULL);
}

void test_rm_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_EQ(system(cmd), 0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double test_median(double *v, size_t n)
{
    qsort(v, n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

char *test_slurp(const char *dir, const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
    if (buf) buf[got] = '\0';
    fclose(f);
    *len = got;
    return buf;
}

int test_dies_by_assert(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return 0;
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
        fn();
        _exit(0);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 0;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

/* One CUnit assertion: passes silently, or fails with msg (formatted by the caller, only on failure). */
static void report(int ok, const char *msg, const char *file, unsigned line)
{
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, ok ? "" : msg, file, "", CU_FALSE);
}

void test__check_i64(int ok, int64_t actual, int64_t expected, const char *op, const char *actual_expr,
                     const char *expected_expr, const char *file, unsigned line)
{
    char msg[512] = "";
    if (!ok)
        snprintf(msg, sizeof msg, "%s %s %s: got %lld, expected %s %lld", actual_expr, op, expected_expr,
                 (long long)actual, op, (long long)expected);
    report(ok, msg, file, line);
}

void test__check_f64(double actual, double expected, double tol, const char *actual_expr, const char *expected_expr,
                     const char *file, unsigned line)
{
    char msg[512] = "";
    int ok = fabs(actual - expected) <= tol;
    if (!ok)
        snprintf(msg, sizeof msg, "%s ~= %s: got %.17g, expected %.17g within %.3g", actual_expr, expected_expr,
                 actual, expected, tol);
    report(ok, msg, file, line);
}

void test__check_f64_cmp(int ok, double actual, double expected, const char *op, const char *actual_expr,
                         const char *expected_expr, const char *file, unsigned line)
{
    char msg[512] = "";
    if (!ok)
        snprintf(msg, sizeof msg, "%s %s %s: got %.9g, expected %s %.9g", actual_expr, op, expected_expr, actual, op,
                 expected);
    report(ok, msg, file, line);
}

void test__check_str(const char *actual, const char *expected, const char *actual_expr, const char *file,
                     unsigned line)
{
    char msg[512] = "";
    int ok = actual && expected && strcmp(actual, expected) == 0;
    if (!ok)
        snprintf(msg, sizeof msg, "%s: got \"%s\", expected \"%s\"", actual_expr, actual ? actual : "(null)",
                 expected ? expected : "(null)");
    report(ok, msg, file, line);
}

typedef struct SuiteEntry {
    const char *name;
    void (*add)(void);
} SuiteEntry;

static const SuiteEntry SUITES[] = {
#define TEST_SUITE_ENTRY(name) { #name, suite_##name },
    CASCADE_TEST_SUITES(TEST_SUITE_ENTRY)
#undef TEST_SUITE_ENTRY
};

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    size_t n = sizeof SUITES / sizeof SUITES[0];
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < n; i++) printf("%s\n", SUITES[i].name);
        CU_cleanup_registry();
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        int wanted = argc < 2;
        for (int a = 1; a < argc; a++) wanted |= strcmp(argv[a], SUITES[i].name) == 0;
        if (wanted) SUITES[i].add();
    }
    for (int a = 1; a < argc; a++) {
        int known = 0;
        for (size_t i = 0; i < n; i++) known |= strcmp(argv[a], SUITES[i].name) == 0;
        if (!known) {
            fprintf(stderr, "cascade-tests: unknown suite '%s' (try --list)\n", argv[a]);
            CU_cleanup_registry();
            return 2;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (ran == 0) {
        fprintf(stderr, "cascade-tests: no test ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}
