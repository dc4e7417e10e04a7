/* cycles.h - the per-class cycle cost tables (cycles.md).  Each retired
 * instruction adds its class's cost; the finer model (scoreboard, caches,
 * branch predictor) builds on these numbers in a later issue. */
#ifndef RINGSIM_CYCLES_H
#define RINGSIM_CYCLES_H

#include "cpu.h"
#include "insn.h"

struct cycle_table {
    const char *name;
    uint32_t cost[CC_COUNT];
};
extern const struct cycle_table cycles_modern;
extern const struct cycle_table cycles_i486;

/* The costs in force: the model's table, or all zeros with the model off. */
const uint32_t *cycles_for(const struct cpu *cpu);

#endif
