#include "test_suites.h"
#include "test_util.h"
void suite_core_pool(void) { test_add_suite("core_pool", NULL, 0); }
