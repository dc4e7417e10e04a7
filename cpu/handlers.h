/* handlers.h - prototypes of every instruction handler named in opcodes.def.
 * Generated from the table itself, so a row and its handler cannot disagree.
 */
#ifndef RINGSIM_HANDLERS_H
#define RINGSIM_HANDLERS_H

#include "insn.h"

#define RANGE(map_, first_, last_, reg_, rm_, mod_, pfx_, mnem_, o1, o2, o3, fn_, ...) \
    void fn_(struct cpu *cpu, const struct insn *in);
#define ROW(map_, opc_, ...) RANGE(map_, opc_, opc_, __VA_ARGS__)
#include "opcodes.def"
#undef ROW
#undef RANGE

unsigned optable_candidates(unsigned map, unsigned opc, const uint16_t **rows);

#endif
