#include "test_suites.h"
#include "test_util.h"
void suite_core_time(void) { test_add_suite("core_time", NULL, 0); }
