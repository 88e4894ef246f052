#include "test_suites.h"
#include "test_util.h"
void suite_market_book_diff(void) { test_add_suite("market_book_diff", NULL, 0); }
