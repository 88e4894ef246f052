#include "test_suites.h"
#include "test_util.h"
void suite_core_rng(void) { test_add_suite("core_rng", NULL, 0); }
