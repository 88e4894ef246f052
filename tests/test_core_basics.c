#include "test_suites.h"
#include "test_util.h"
void suite_core_status(void) { test_add_suite("core_status", NULL, 0); }
void suite_core_money(void) { test_add_suite("core_money", NULL, 0); }
void suite_core_alloc(void) { test_add_suite("core_alloc", NULL, 0); }
