/* ops_ctrl.c - control transfer: Jcc, JMP, CALL, RET, LOOPcc, JrCXZ, the far
 * forms (through system.h), INT n/INT3/INTO/INT1, IRET, BOUND, HLT, CLI and
 * STI (SDM Vol. 1 6.3-6.4, Vol. 2 instruction entries).  Near targets go
 * through branch_near(), which cuts them to the operand size and raises #GP(0)
 * at the branch itself for a target past the CS limit or non-canonical.
 */
#include "ops.h"
#include "system.h"

/* ---- near branches --------------------------------------------------- */

/* 70-7F and 0F 80-8F: one table row, and one handler, per condition pair
 * (in->sub is the condition code; its low bit negates).  The pair is a
 * constant here, so the condition compiles to a single test. */
INLINE void jcc(struct cpu *cpu, const struct insn *in, unsigned pair)
{
    if (cond_test(cpu, pair, in->sub & 1)) branch_near(cpu, cpu->rip + in->imm, in->osize);
}

void op_jo_jno(struct cpu *cpu, const struct insn *in) { jcc(cpu, in, 0); }
void op_jb_jae(struct cpu *cpu, const struct insn *in) { jcc(cpu, in, 1); }
void op_je_jne(struct cpu *cpu, const struct insn *in) { jcc(cpu, in, 2); }
void op_jbe_ja(struct cpu *cpu, const struct insn *in) { jcc(cpu, in, 3); }
void op_js_jns(struct cpu *cpu, const struct insn *in) { jcc(cpu, in, 4); }
void op_jp_jnp(struct cpu *cpu, const struct insn *in) { jcc(cpu, in, 5); }
void op_jl_jge(struct cpu *cpu, const struct insn *in) { jcc(cpu, in, 6); }
void op_jle_jg(struct cpu *cpu, const struct insn *in) { jcc(cpu, in, 7); }

void op_jmp_J(struct cpu *cpu, const struct insn *in)
{
    branch_near(cpu, cpu->rip + in->imm, in->osize);
}

void op_jmp_E(struct cpu *cpu, const struct insn *in)
{
    branch_near(cpu, E_read(cpu, in, in->osize), in->osize);
}

/* The Intel host stores the return address first and checks the target
 * afterwards: with both bad, the stack fault wins; with a bad target only,
 * #GP(0) leaves rSP unchanged although the return address is in memory.
 * So: store, branch (which may fault), then move rSP. */
static void call_near(struct cpu *cpu, uint64_t target, unsigned size)
{
    uint64_t sp = truncate(sp_get(cpu) - size, cpu->stack_size);
    mem_write(cpu, SEG_SS, sp, size, cpu->rip);
    branch_near(cpu, target, size);
    sp_set(cpu, sp);
}

void op_call_J(struct cpu *cpu, const struct insn *in)
{
    call_near(cpu, cpu->rip + in->imm, in->osize);
}

/* CALL [rSP+...] reads its target through the old rSP. */
void op_call_E(struct cpu *cpu, const struct insn *in)
{
    call_near(cpu, E_read(cpu, in, in->osize), in->osize);
}

/* C3, and C2 which releases imm16 more bytes after popping.  A bad target
 * faults with rSP unchanged. */
void op_ret(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t sp = sp_get(cpu);
    uint64_t extra = in->opc == 0xC2 ? (uint16_t)in->imm : 0;
    branch_near(cpu, mem_read(cpu, SEG_SS, sp, size), size);
    sp_set(cpu, sp + size + extra);
}

/* sub 0 LOOPNE, 1 LOOPE, 2 LOOP.  The counter is rCX at the address size;
 * it is written after the branch so a faulting target leaves it unchanged. */
void op_loop(struct cpu *cpu, const struct insn *in)
{
    uint64_t count = truncate(cpu->gpr[RCX] - 1, in->asize);
    bool take = count != 0;
    if (in->sub < 2) take = take && cond_eval(cpu, 4) == (in->sub == 1);   /* 4: ZF */
    if (take) branch_near(cpu, cpu->rip + in->imm, in->osize);
    reg_write(cpu, RCX, in->asize, count);
}

/* JCXZ/JECXZ/JRCXZ by the address size. */
void op_jcxz(struct cpu *cpu, const struct insn *in)
{
    if (reg_read(cpu, RCX, in->asize) == 0) branch_near(cpu, cpu->rip + in->imm, in->osize);
}

/* ---- far transfers ----------------------------------------------------- */

/* An m16:16/32/64 operand: the offset at the operand size, then the selector. */
static uint64_t far_pointer(struct cpu *cpu, const struct insn *in, uint16_t *sel)
{
    uint64_t ea = insn_ea(cpu, in);
    uint64_t off = mem_read(cpu, in->seg, ea, in->osize);
    *sel = (uint16_t)mem_read(cpu, in->seg, truncate(ea + in->osize, in->asize), 2);
    return off;
}

void op_jmpf_Ap(struct cpu *cpu, const struct insn *in)
{
    far_jump(cpu, (uint16_t)in->imm2, in->imm, in->osize);
}

void op_jmpf_Mp(struct cpu *cpu, const struct insn *in)
{
    uint16_t sel;
    uint64_t off = far_pointer(cpu, in, &sel);
    far_jump(cpu, sel, off, in->osize);
}

void op_callf_Ap(struct cpu *cpu, const struct insn *in)
{
    far_call(cpu, (uint16_t)in->imm2, in->imm, in->osize);
}

void op_callf_Mp(struct cpu *cpu, const struct insn *in)
{
    uint16_t sel;
    uint64_t off = far_pointer(cpu, in, &sel);
    far_call(cpu, sel, off, in->osize);
}

void op_retf(struct cpu *cpu, const struct insn *in)
{
    far_return(cpu, in->osize, in->opc == 0xCA ? (uint16_t)in->imm : 0);
}

void op_iret(struct cpu *cpu, const struct insn *in)
{
    interrupt_return(cpu, in->osize);
}

/* ---- interrupts and checks ---------------------------------------------- */

void op_int(struct cpu *cpu, const struct insn *in)
{
    cpu_raise_int(cpu, (uint8_t)in->imm, INT_SOFTWARE);
}

void op_int3(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_raise_int(cpu, EXC_BP, INT_BREAKPOINT);
}

void op_into(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cond_eval(cpu, 0)) cpu_raise_int(cpu, EXC_OF, INT_OVERFLOW);   /* 0: OF */
}

void op_int1(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_raise_int(cpu, EXC_DB, INT_ICEBP);
}

/* Signed bounds [lower, upper] at the memory operand; outside them #BR, a
 * fault (RIP stays at BOUND). */
void op_bound(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t ea = insn_ea(cpu, in);
    int64_t lower = sign_extend(mem_read(cpu, in->seg, ea, size), size);
    int64_t upper = sign_extend(mem_read(cpu, in->seg, truncate(ea + size, in->asize), size), size);
    int64_t index = sign_extend(greg_read(cpu, in, size), size);
    if (index < lower || index > upper) cpu_raise(cpu, EXC_BR, EXC_NO_ERROR);
}

/* ---- processor control --------------------------------------------------- */

/* HLT is privileged; the dispatch loop sees the event and stops or waits. */
void op_hlt(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->cpl > 0) cpu_raise(cpu, EXC_GP, 0);
    cpu->halted = true;
    cpu->events = 1;
}

/* CLI/STI need CPL <= IOPL (IOPL 3 in virtual-8086 mode; always in real
 * mode).  The CR4.VME/PVI virtual-interrupt forms are the system issue's. */
void op_cli(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (!iopl_ok(cpu)) cpu_raise(cpu, EXC_GP, 0);
    cpu->rflags &= ~(uint64_t)FL_IF;
}

/* Setting IF shields the next instruction, so STI; RET returns before an
 * interrupt arrives.  STI with IF already set does not. */
void op_sti(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (!iopl_ok(cpu)) cpu_raise(cpu, EXC_GP, 0);
    if (!(cpu->rflags & FL_IF)) {
        cpu->rflags |= FL_IF;
        cpu->interrupt_shadow = SHADOW_STI;
    }
}
