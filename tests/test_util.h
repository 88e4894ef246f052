/* Shared helpers for the CUnit suites.
 *
 * CUnit's own CU_ASSERT_EQUAL prints only the expression; these print both values, which is what one needs when a
 * hand-computed integer expectation is off by one. Every suite is registered through test_add_suite, whose per-test
 * setup/teardown asserts that the test released every byte it allocated through core/alloc. */
#ifndef CASCADE_TEST_UTIL_H
#define CASCADE_TEST_UTIL_H

#include <CUnit/CUnit.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct TestCase {
    const char *name;
    CU_TestFunc fn;
} TestCase;

#define TEST_CASE(fn) { #fn, fn }
#define TEST_COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))

/* Runs fn in a forked child with stderr silenced; true if it died by SIGABRT (a CASCADE_ASSERT): misuse tests. */
int test_dies_by_assert(void (*fn)(void));

/* A fresh empty folder /tmp/cascade-test-XXXXXX for one test (cap >= 32); remove it with test_rm_tree. */
void test_make_temp_dir(char *buf, size_t cap);
void test_rm_tree(const char *dir);
/* The file dir/name in a malloc'd, NUL-terminated buffer (release with free); NULL when it cannot be read.
 * *len receives its size. */
char *test_slurp(const char *dir, const char *name, size_t *len);

/* Median of v[0..n) (n > 0; the mean of the two middle values when n is even). Sorts v in place. */
double test_median(double *v, size_t n);

/* Adds suite `name` with the given cases; each case is checked for leaks against core/alloc's counters. */
void test_add_suite(const char *name, const TestCase *cases, size_t count);

void test__check_i64(int ok, int64_t actual, int64_t expected, const char *op, const char *actual_expr,
                     const char *expected_expr, const char *file, unsigned line);
void test__check_f64(double actual, double expected, double tol, const char *actual_expr, const char *expected_expr,
                     const char *file, unsigned line);
void test__check_f64_cmp(int ok, double actual, double expected, const char *op, const char *actual_expr,
                         const char *expected_expr, const char *file, unsigned line);
void test__check_str(const char *actual, const char *expected, const char *actual_expr, const char *file,
                     unsigned line);

/* Integer comparisons; a floating-point operand is a compile error (it would be truncated: use the _F64 forms). */
#define TEST_IS_FLOAT_(x) _Generic((x), float: 1, double: 1, long double: 1, default: 0)
#define CHECK_CMP_I64_(a, b, op)                                                                    \
    do {                                                                                            \
        _Static_assert(!TEST_IS_FLOAT_(a) && !TEST_IS_FLOAT_(b), "CHECK on a float: use _F64");      \
        int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                                               \
        test__check_i64(a_ op b_, a_, b_, #op, #a, #b, __FILE__, __LINE__);                          \
    } while (0)

/* Ordering of doubles (the integer CHECK_LT/GT would truncate 0.07 to 0). */
#define CHECK_CMP_F64_(a, b, op)                                                                    \
    do {                                                                                            \
        double a_ = (double)(a), b_ = (double)(b);                                                  \
        test__check_f64_cmp(a_ op b_, a_, b_, #op, #a, #b, __FILE__, __LINE__);                      \
    } while (0)

#define CHECK_EQ(a, b) CHECK_CMP_I64_(a, b, ==)
#define CHECK_NE(a, b) CHECK_CMP_I64_(a, b, !=)
#define CHECK_LT(a, b) CHECK_CMP_I64_(a, b, <)
#define CHECK_LE(a, b) CHECK_CMP_I64_(a, b, <=)
#define CHECK_GT(a, b) CHECK_CMP_I64_(a, b, >)
#define CHECK_GE(a, b) CHECK_CMP_I64_(a, b, >=)
#define CHECK_LT_F64(a, b) CHECK_CMP_F64_(a, b, <)
#define CHECK_GT_F64(a, b) CHECK_CMP_F64_(a, b, >)
#define CHECK_LE_F64(a, b) CHECK_CMP_F64_(a, b, <=)
#define CHECK_GE_F64(a, b) CHECK_CMP_F64_(a, b, >=)
#define CHECK_NEAR(a, b, tol) test__check_f64((double)(a), (double)(b), (double)(tol), #a, #b, __FILE__, __LINE__)
#define CHECK_STR(a, b) test__check_str((a), (b), #a, __FILE__, __LINE__)
#define CHECK(cond) CU_ASSERT(cond)

#endif
