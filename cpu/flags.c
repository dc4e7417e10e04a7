/* flags.c - the lazy status flags and the condition codes.
 *
 * Arithmetic records its operands, result, kind and size in cpu->lf; the six
 * status flags (SDM Vol. 1 3.4.3.1) are derived here only when read.  The 16
 * conditions (SDM Vol. 1 B.1): cond_fast() in ops.h has the CMP and TEST
 * shortcuts, cond_from_record() here the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include "ops.h"

/* Every flag comes from bit vectors of the operands, so one formula serves all
 * four sizes: shifting left by sh puts the operand's sign bit at bit 63.
 * carries has bit i set when bit i produced a carry (add) or borrow (sub). */
uint64_t flags_compute(const struct cpu *cpu)
{
    const struct lazy_flags *lf = &cpu->lf;
    unsigned sh = 64 - 8 * lf->size;
    uint64_t d = lf->dst, s = lf->src, r = lf->res;
    uint64_t carries, overflow, cf;

    switch (lf->op) {
    case LF_NONE:
        return cpu->rflags & FL_STATUS;
    case LF_LOGIC:
        /* CF = OF = 0; AF is undefined but cleared by Intel (measured) and AMD. */
        return flags_szp(r, lf->size);
    case LF_INC:
        s = 1;
        /* fallthrough */
    case LF_ADD:
    case LF_ADC:
        carries = (d & s) | ((d | s) & ~r);
        overflow = (d ^ r) & (s ^ r);
        break;
    case LF_DEC:
        s = 1;
        /* fallthrough */
    case LF_SUB:
    case LF_SBB:
        carries = (~d & s) | (~(d ^ s) & r);
        overflow = (d ^ s) & (d ^ r);
        break;
    default:
        fprintf(stderr, "flags_compute: lazy record has unknown kind %u\n", lf->op);
        abort();
    }
    /* INC and DEC leave CF alone: the record carries the old one. */
    cf = (lf->op == LF_INC || lf->op == LF_DEC) ? lf->carry_in & 1u : (carries << sh) >> 63;
    return cf | ((d ^ s ^ r) & FL_AF) | (((overflow << sh) >> 63) << 11) | flags_szp(r, lf->size);
}

/* Condition cc >> 1 (the even member of each pair) from materialised flags. */
static bool cond_from_flags(uint64_t f, unsigned pair)
{
    bool sf_ne_of = ((f >> 7) ^ (f >> 11)) & 1;
    switch (pair) {
    case 0:  return f & FL_OF;                  /* O */
    case 1:  return f & FL_CF;                  /* B */
    case 2:  return f & FL_ZF;                  /* E */
    case 3:  return f & (FL_CF | FL_ZF);        /* BE */
    case 4:  return f & FL_SF;                  /* S */
    case 5:  return f & FL_PF;                  /* P */
    case 6:  return sf_ne_of;                   /* L */
    default: return (f & FL_ZF) || sf_ne_of;    /* LE */
    }
}

/* CF alone from the record. */
static inline bool lazy_cf(const struct cpu *cpu, unsigned sh)
{
    const struct lazy_flags *lf = &cpu->lf;
    uint64_t d = lf->dst, s = lf->src, r = lf->res;
    switch (lf->op) {
    case LF_NONE:  return cpu->rflags & FL_CF;
    case LF_ADD:
    case LF_ADC:   return (((d & s) | ((d | s) & ~r)) << sh) >> 63;
    case LF_SUB:
    case LF_SBB:   return (((~d & s) | (~(d ^ s) & r)) << sh) >> 63;
    case LF_LOGIC: return false;
    default:       return lf->carry_in & 1u;   /* INC, DEC */
    }
}

/* The general case of cond_fast (ops.h).  CF alone is cheap (ADC, SBB,
 * INC, DEC and RCL/RCR read it after every kind of record); the rest
 * computes the flags word. */
bool cond_from_record(struct cpu *cpu, unsigned cc)
{
    unsigned pair = (cc >> 1) & 7;
    if (pair == 1)
        return lazy_cf(cpu, 64 - 8 * cpu->lf.size) ^ (cc & 1);
    return cond_from_flags(flags_compute(cpu), pair) ^ (cc & 1);
}

bool cond_eval(struct cpu *cpu, unsigned cc)
{
    return cond_fast(cpu, cc);
}

/* RF, once IRET or a task switch has set it, lasts until the next
 * instruction completes (SDM Vol. 3 17.3.1.1); it is dropped lazily here. */
uint64_t cpu_get_flags(struct cpu *cpu)
{
    flags_materialize(cpu);
    if ((cpu->rflags & FL_RF) && cpu_instret_now(cpu) >= cpu->rf_until)
        cpu->rflags &= ~(uint64_t)FL_RF;
    return cpu->rflags | FL_1;
}

void cpu_set_flags(struct cpu *cpu, uint64_t value)
{
    uint64_t old = cpu->rflags;
    cpu->rflags = value | FL_1;
    cpu->lf.op = LF_NONE;
    if (value & FL_TF) cpu->debug_step = true;
    /* Alignment checking follows EFLAGS.AC under CR0.AM (cpu_update_mode). */
    if (((old ^ value) & FL_AC) && (cpu->cr0 & CR0_AM)) cpu_update_mode(cpu);
}
