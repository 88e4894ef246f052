#include "test_suites.h"
#include "test_util.h"
void suite_market_book(void) { test_add_suite("market_book", NULL, 0); }
