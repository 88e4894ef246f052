#include "status.h"
#include "cascade_assert.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const STATUS_NAMES[] = {
#define CASCADE_STATUS_NAME(name, msg) "STATUS_" #name,
    CASCADE_STATUS_MAP(CASCADE_STATUS_NAME)
#undef CASCADE_STATUS_NAME
};

static const char *const STATUS_MESSAGES[] = {
#define CASCADE_STATUS_MSG(name, msg) msg,
    CASCADE_STATUS_MAP(CASCADE_STATUS_MSG)
#undef CASCADE_STATUS_MSG
};

const char *status_name(Status s)
{
    if ((unsigned)s >= (unsigned)STATUS_COUNT_) return "STATUS_?";
    return STATUS_NAMES[s];
}

const char *status_message(Status s)
{
    if ((unsigned)s >= (unsigned)STATUS_COUNT_) return "unknown status";
    return STATUS_MESSAGES[s];
}

_Noreturn void cascade_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, expr);
    fflush(stderr);
    abort();
}
