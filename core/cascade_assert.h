/* Programmer-error checks that stay on in every build type (Box2D's B2_ASSERT habit).
 *
 * User errors (bad config, missing files) are never asserted: they are returned as Status codes.
 * CASCADE_ASSERT is for broken internal invariants, where continuing would corrupt the accounting. */
#ifndef CASCADE_ASSERT_H
#define CASCADE_ASSERT_H

/* Prints file, line and the failed expression to stderr, then aborts. Never returns. */
_Noreturn void cascade_assert_fail(const char *expr, const char *file, int line);

#define CASCADE_ASSERT(cond) \
    ((cond) ? (void)0 : cascade_assert_fail(#cond, __FILE__, __LINE__))

/* Expensive invariant checks (book_validate after every operation, conservation after every event) run only when
 * the build defines CASCADE_VALIDATE; tests call the validators directly whatever the build. */
#ifdef CASCADE_VALIDATE
#define CASCADE_VALIDATE_ON 1
#else
#define CASCADE_VALIDATE_ON 0
#endif

/* Whether a validate build should run an O(size) check after this call: always while size <= 256, otherwise every
 * ceil(size / 256)-th call, so the amortised cost per call stays O(256) and a run with 10^5 accounts remains
 * usable in validate builds while small tests still check after every single call. *calls counts the calls. */
static inline int cascade_validate_due(unsigned long long *calls, unsigned long long size)
{
    unsigned long long stride = size <= 256u ? 1u : (size + 255u) / 256u;
    return (*calls)++ % stride == 0;
}

#endif
