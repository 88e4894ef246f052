/* Config schemas of the agent populations and of the definitions they share (DistDef, LatencyDef). Each population
 * module's schema lives in sim/config_<population>.c; the world's top-level schema (sim/config_world.c) nests them.
 *
 * DistDef and LatencyDef appear in many places with different defaults, and a nested object takes its defaults from
 * its schema, so each use gets its own small schema made with CFG_DIST_SCHEMA / CFG_LATENCY_SCHEMA. */
#ifndef CASCADE_CONFIG_AGENTS_H
#define CASCADE_CONFIG_AGENTS_H

#include "agent.h"
#include "config.h"

#include <math.h>

static const char *const cfg_dist_names[] = {"const", "uniform", "normal", "lognormal", "pareto"};
static const char *const cfg_venue_names[] = {"perp", "spot"};

/* Cross-field rules of a distribution: uniform a <= b, normal b >= 0, lognormal a > 0 and b >= 0, pareto a > 0 and
 * b > 0, min <= max. */
Status cfg_dist_validate(const void *obj, char *key, size_t key_cap, char *msg, size_t msg_cap);

/* A `static const CfgSchema ident` for a DistDef with the given defaults; draws are clipped to [min, max], and the
 * user may set min/max only within [lo, hi]. */
#define CFG_DIST_SCHEMA(ident, kind_, a_, b_, min_, max_, lo_, hi_, unit_, doc_)                                   \
    static const CfgField ident##_fields[] = {                                                                      \
        CFG_FIELD_ENUM("dist", DistDef, kind, cfg_dist_names, kind_,                                                \
                       "const (a) | uniform [a, b] | normal (mean a, sd b) | lognormal (median a, log-sd b) | "     \
                       "pareto (scale a, tail index b)"),                                                           \
        CFG_FIELD_DOUBLE("a", DistDef, a, -1e15, 1e15, a_, unit_, "first parameter (see dist)"),                   \
        CFG_FIELD_DOUBLE("b", DistDef, b, -1e15, 1e15, b_, NULL, "second parameter (see dist)"),                   \
        CFG_FIELD_DOUBLE("min", DistDef, min, lo_, hi_, min_, unit_, "draws below are raised to min"),            \
        CFG_FIELD_DOUBLE("max", DistDef, max, lo_, hi_, max_, unit_, "draws above are lowered to max"),           \
    };                                                                                                              \
    static const CfgSchema ident = CFG_SCHEMA(DistDef, "distribution", ident##_fields, cfg_dist_validate, doc_)

/* A `static const CfgSchema ident` for a LatencyDef with the given defaults. */
#define CFG_LATENCY_SCHEMA(ident, median_ms_, sigma_, min_ms_)                                                      \
    static const CfgField ident##_fields[] = {                                                                      \
        CFG_FIELD_DOUBLE("median_ms", LatencyDef, median_ms, 0, 60000, median_ms_, "ms",                          \
                         "median order-entry latency"),                                                             \
        CFG_FIELD_DOUBLE("sigma", LatencyDef, sigma, 0, 5, sigma_, NULL, "log-sd of the lognormal latency"),      \
        CFG_FIELD_DOUBLE("min_ms", LatencyDef, min_ms, 0, 60000, min_ms_, "ms", "latency floor"),                 \
    };                                                                                                              \
    static const CfgSchema ident = CFG_SCHEMA(LatencyDef, "latency", ident##_fields, NULL,                         \
                                              "order-entry latency: lognormal(median, sigma), at least min")

/* One per population module (sim/config_<population>.c). */
extern const CfgSchema cfg_retail_schema;
extern const CfgSchema cfg_maker_schema;
extern const CfgSchema cfg_spot_maker_schema;  /* MakerDef with spot defaults */
extern const CfgSchema cfg_arbitrageur_schema;
extern const CfgSchema cfg_liquidation_bot_schema;
extern const CfgSchema cfg_noise_schema;
extern const CfgSchema cfg_spot_noise_schema;  /* NoiseDef with spot defaults */
extern const CfgSchema cfg_value_schema;

#endif
