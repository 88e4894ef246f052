/* A check shared by every suite that owns a config schema. */
#ifndef CASCADE_TEST_CONFIG_UTIL_H
#define CASCADE_TEST_CONFIG_UTIL_H

#include "config.h"

/* The schema is consistent, its defaults equal the code's default definition `code_def` (same canonical JSON;
 * prints both when they differ), and code_def passes the schema's validation. */
void test_check_schema_defaults(const CfgSchema *schema, const void *code_def);

#endif
