/* fast.h - the specialized handlers of ops_fast.c, swapped in by exec.c. */
#ifndef RINGSIM_FAST_H
#define RINGSIM_FAST_H

#include "insn.h"

void op_test_rr(struct cpu *cpu, const struct insn *in);
void op_mov_ri(struct cpu *cpu, const struct insn *in);
void op_mov_rm(struct cpu *cpu, const struct insn *in);
void op_mov_mr(struct cpu *cpu, const struct insn *in);
void op_mov_mi(struct cpu *cpu, const struct insn *in);

/* Pick the specialized handler for a decoded instruction, if one applies. */
void specialize(struct insn *in);

#endif
