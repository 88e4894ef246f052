/* The schema of an experiment file (WorldDef); see docs/config.md (generated from it) and docs/config-format.md. */
#ifndef CASCADE_CONFIG_WORLD_H
#define CASCADE_CONFIG_WORLD_H

#include "config.h"
#include "world.h"

extern const CfgSchema cfg_world_schema;

#endif
