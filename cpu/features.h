/* features.h - the table behind --cpu feature switches (cpu/features.c):
 * each feature's QEMU name and the CPUID leaf, register and bit that
 * report it.  Internal to cpu/; front ends use cpu_features_parse (cpu.h).
 */
#ifndef RINGSIM_FEATURES_H
#define RINGSIM_FEATURES_H

#include <stdint.h>
#include "cpu.h"

struct feature_info {
    const char *name;       /* QEMU's spelling */
    uint32_t leaf;          /* CPUID leaf (subleaf 0) */
    char reg;               /* 'a' 'b' 'c' or 'd' */
    uint8_t bit;
};
extern const struct feature_info feature_table[FEAT_COUNT];

#endif
