/* Config helpers shared by the suites: the schema check of every suite that owns a schema, and loading an
 * experiment file of the repository. */
#ifndef CASCADE_TEST_CONFIG_UTIL_H
#define CASCADE_TEST_CONFIG_UTIL_H

#include "config.h"

/* The schema is consistent, its defaults equal the code's default definition `code_def` (same canonical JSON;
 * prints both when they differ), and code_def passes the schema's validation. */
void test_check_schema_defaults(const CfgSchema *schema, const void *code_def);

struct WorldDef;
/* Loads the experiment file at `rel` (relative to the source tree) with --set overrides into *d; a CHECK fails and
 * the formatted error is printed when it does not load. */
bool test_load_experiment(const char *rel, const char *const *sets, size_t nsets, struct WorldDef *d);

#endif
