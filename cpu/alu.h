/* alu.h - the eight ALU operations (ADD OR ADC SBB AND SUB XOR CMP, in
 * ModRM.reg order), shared by the generic handlers (ops_alu.c) and the
 * register-form variants (ops_fast.c) so the flag recording exists once.
 */
#ifndef RINGSIM_ALU_H
#define RINGSIM_ALU_H

#include "ops.h"

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

/* Returns the result; the caller writes it back unless the operation is CMP. */
INLINE uint64_t alu(struct cpu *cpu, unsigned op, unsigned size, uint64_t d, uint64_t s)
{
    uint64_t r;
    bool c;

    switch (op) {
    case ALU_ADD: r = d + s; lazy_set(cpu, LF_ADD, size, d, s, r); break;
    case ALU_OR: r = d | s; lazy_set(cpu, LF_LOGIC, size, d, s, r); break;
    case ALU_ADC:
        c = cond_eval(cpu, 2);          /* CF, read before the record is replaced */
        r = d + s + c;
        lazy_set(cpu, LF_ADC, size, d, s, r);
        cpu->lf.carry_in = c;
        break;
    case ALU_SBB:
        c = cond_eval(cpu, 2);
        r = d - s - c;
        lazy_set(cpu, LF_SBB, size, d, s, r);
        cpu->lf.carry_in = c;
        break;
    case ALU_AND: r = d & s; lazy_set(cpu, LF_LOGIC, size, d, s, r); break;
    case ALU_XOR: r = d ^ s; lazy_set(cpu, LF_LOGIC, size, d, s, r); break;
    default: r = d - s; lazy_set(cpu, LF_SUB, size, d, s, r); break;  /* SUB, CMP */
    }
    return r;
}

#endif
