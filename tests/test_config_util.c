/* See test_config_util.h. */
#include "test_config_util.h"

#include "test_util.h"

#include "config_world.h"

#include <stdlib.h>
#include <string.h>

void test_check_schema_defaults(const CfgSchema *schema, const void *code_def)
{
    char why[256] = "";
    bool consistent = cfg_schema_check(schema, why, sizeof why);
    if (!consistent) fprintf(stderr, "\nschema %s: %s\n", schema->name, why);
    CHECK(consistent);
    void *from_schema = calloc(1, schema->size);
    CHECK(from_schema != NULL);
    if (!from_schema) return;
    cfg_defaults(schema, from_schema);
    char *a = NULL, *b = NULL;
    CHECK_EQ(cfg_to_json(schema, from_schema, &a), STATUS_OK);
    CHECK_EQ(cfg_to_json(schema, code_def, &b), STATUS_OK);
    bool same = a && b && strcmp(a, b) == 0;
    if (!same && a && b) fprintf(stderr, "\nschema defaults:\n%s\ncode defaults:\n%s\n", a, b);
    CHECK(same);
    cfg_free(a);
    cfg_free(b);
    free(from_schema);
    CfgError err;
    CHECK_EQ(cfg_validate(schema, code_def, &err), STATUS_OK);
}

#ifndef CASCADE_SOURCE_DIR
#define CASCADE_SOURCE_DIR "."
#endif

bool test_load_experiment(const char *rel, const char *const *sets, size_t nsets, WorldDef *d)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CASCADE_SOURCE_DIR, rel);
    CfgError err;
    Status s = cfg_load_file(&cfg_world_schema, path, sets, nsets, d, &err);
    if (s != STATUS_OK) {
        char msg[1400];
        cfg_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "\n%s\n", msg);
    }
    CHECK_EQ(s, STATUS_OK);
    return s == STATUS_OK;
}
