/* Shared by the book suites: book_validate after an operation, printing the broken invariant on failure. */
#ifndef CASCADE_TEST_BOOK_UTIL_H
#define CASCADE_TEST_BOOK_UTIL_H

#include "book.h"
#include "test_util.h"

#define VALID(b)                                                                                        \
    do {                                                                                                \
        char why_[256];                                                                                 \
        Status st_ = book_validate((b), why_, sizeof why_);                                             \
        if (st_ != STATUS_OK) fprintf(stderr, "%s:%d: book_validate: %s\n", __FILE__, __LINE__, why_); \
        CHECK_EQ(st_, STATUS_OK);                                                                       \
    } while (0)

#endif
