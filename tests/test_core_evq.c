#include "test_suites.h"
#include "test_util.h"
void suite_core_evq(void) { test_add_suite("core_evq", NULL, 0); }
