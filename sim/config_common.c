/* Shared config rules (see config_agents.h). */
#include "config_agents.h"

#include <stdio.h>

static Status fail(char *key, size_t key_cap, const char *k, char *msg, size_t msg_cap, const char *m)
{
    snprintf(key, key_cap, "%s", k);
    snprintf(msg, msg_cap, "%s", m);
    return STATUS_RANGE;
}

Status cfg_dist_validate(const void *obj, char *key, size_t key_cap, char *msg, size_t msg_cap)
{
    const DistDef *d = obj;
    if (d->min > d->max) return fail(key, key_cap, "min", msg, msg_cap, "min must be <= max");
    switch (d->kind) {
    case DIST_UNIFORM:
        if (d->a > d->b) return fail(key, key_cap, "b", msg, msg_cap, "uniform needs a <= b");
        break;
    case DIST_NORMAL:
        if (d->b < 0) return fail(key, key_cap, "b", msg, msg_cap, "normal needs sd b >= 0");
        break;
    case DIST_LOGNORMAL:
        if (d->a <= 0) return fail(key, key_cap, "a", msg, msg_cap, "lognormal needs a median a > 0");
        if (d->b < 0) return fail(key, key_cap, "b", msg, msg_cap, "lognormal needs log-sd b >= 0");
        break;
    case DIST_PARETO:
        if (d->a <= 0) return fail(key, key_cap, "a", msg, msg_cap, "pareto needs a scale a > 0");
        if (d->b <= 0) return fail(key, key_cap, "b", msg, msg_cap, "pareto needs a tail index b > 0");
        break;
    default: break;
    }
    return STATUS_OK;
}
