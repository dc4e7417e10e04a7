/* ops_stack.c - the stack: PUSH/POP of registers, immediates, memory and
 * segment registers, PUSHA/POPA, PUSHF/POPF, ENTER and LEAVE (SDM Vol. 1
 * 6.2-6.5, Vol. 2 instruction entries).  The stack pointer's width is the
 * stack-size attribute (cpu->stack_size), the data width is the operand size.
 * Every handler writes memory before it moves rSP, so a fault leaves rSP as it
 * was; details the SDM leaves open follow the Intel host (see comments).
 */
#include "ops.h"
#include "system.h"

/* The full rSP register after sp_set(cpu, sp): a 16-bit stack keeps the
 * upper bits, wider ones replace (and zero-extend) the register. */
static uint64_t rsp_with(const struct cpu *cpu, uint64_t sp)
{
    if (cpu->stack_size == 2) return (cpu->gpr[RSP] & ~0xFFFFull) | (sp & 0xFFFF);
    return truncate(sp, cpu->stack_size);
}

static uint64_t sp_offset(const struct cpu *cpu, uint64_t sp, int64_t delta)
{
    return truncate(sp + (uint64_t)delta, cpu->stack_size);
}

/* ---- PUSH and POP ---------------------------------------------------- */

void op_push_Z(struct cpu *cpu, const struct insn *in)
{
    push(cpu, in->osize, cpu->gpr[in->rm]);     /* PUSH rSP pushes the old value */
}

/* POP rSP: the increment happens first, then the popped value replaces it. */
void op_pop_Z(struct cpu *cpu, const struct insn *in)
{
    uint64_t v = pop(cpu, in->osize);
    reg_write(cpu, in->rm, in->osize, v);
}

void op_push_I(struct cpu *cpu, const struct insn *in)
{
    push(cpu, in->osize, in->imm);
}

/* PUSH [rSP+...] reads through the old rSP. */
void op_push_E(struct cpu *cpu, const struct insn *in)
{
    push(cpu, in->osize, E_read(cpu, in, in->osize));
}

/* POP to memory with an rSP base addresses through the incremented rSP
 * (SDM POP).  The address is formed with the new value, but rSP changes only
 * after the store, so a faulting store leaves it intact. */
void op_pop_E(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t sp = sp_get(cpu);
    uint64_t v = mem_read(cpu, SEG_SS, sp, size);
    uint64_t old = cpu->gpr[RSP];
    uint64_t upd = rsp_with(cpu, sp + size);
    if (in->mod == 3) {
        cpu->gpr[RSP] = upd;
        reg_write(cpu, in->rm, size, v);
        return;
    }
    cpu->gpr[RSP] = upd;
    uint64_t ea = insn_ea(cpu, in);
    cpu->gpr[RSP] = old;
    mem_write(cpu, in->seg, ea, size, v);
    cpu->gpr[RSP] = upd;
}

/* rSP moves by the operand size.  With a 32-bit operand outside 64-bit mode
 * the Intel host stores only the selector's 16 bits and leaves the slot's
 * upper half alone; in 64-bit mode it stores the zero-extended quadword. */
void op_push_sreg(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t sp = sp_offset(cpu, sp_get(cpu), -(int64_t)size);
    mem_write(cpu, SEG_SS, sp, size == 4 ? 2 : size, cpu->seg[in->sub].sel);
    sp_set(cpu, sp);
}

/* The increment uses the stack size in force before the load (a POP SS may
 * change SS.B).  POP SS shields the next instruction from interrupts. */
void op_pop_sreg(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize, ssize = cpu->stack_size;
    uint64_t sp = sp_get(cpu);
    uint16_t sel = (uint16_t)mem_read(cpu, SEG_SS, sp, size);
    seg_load(cpu, in->sub, sel);
    reg_write(cpu, RSP, ssize, sp + size);
    if (in->sub == SEG_SS) cpu->interrupt_shadow = SHADOW_MOV_SS;
}

/* rAX, rCX, rDX, rBX, the original rSP, rBP, rSI, rDI: all stored at their
 * final slots before rSP moves. */
void op_pusha(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t sp = sp_get(cpu);
    for (int r = RAX; r <= RDI; r++)
        mem_write(cpu, SEG_SS, sp_offset(cpu, sp, -(int64_t)size * (r + 1)), size, cpu->gpr[r]);
    sp_set(cpu, sp - 8 * size);
}

/* All eight slots are read before any register changes; rSP's is skipped. */
void op_popa(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t sp = sp_get(cpu), v[8];
    for (int r = RAX; r <= RDI; r++)
        v[r] = mem_read(cpu, SEG_SS, sp_offset(cpu, sp, (int64_t)size * (RDI - r)), size);
    for (int r = RAX; r <= RDI; r++)
        if (r != RSP) reg_write(cpu, r, size, v[r]);
    sp_set(cpu, sp + 8 * size);
}

/* ---- flags ----------------------------------------------------------- */

/* Virtual-8086 mode with IOPL < 3: #GP(0) (the CR4.VME virtual-flag forms
 * belong to the system-architecture issue). */
static void v86_flags_check(struct cpu *cpu)
{
    if (cpu->mode == MODE_V86 && !iopl_ok(cpu)) cpu_raise(cpu, EXC_GP, 0);
}

/* The image has VM and RF clear (SDM PUSHF). */
void op_pushf(struct cpu *cpu, const struct insn *in)
{
    v86_flags_check(cpu);
    push(cpu, in->osize, cpu_get_flags(cpu) & ~(uint64_t)(FL_VM | FL_RF));
}

/* What POPF may change (SDM POPF): the status flags, TF, DF, NT, AC, ID
 * always; IOPL only at CPL 0; IF only when CPL <= IOPL.  VM, VIP and VIF
 * keep their values, RF is cleared, the reserved bits stay fixed (bit 1
 * set, 3, 5, 15 and 22-63 clear).  A 16-bit POPF changes the low word only. */
static uint64_t popf_writable(const struct cpu *cpu, unsigned size)
{
    uint64_t mask = FL_STATUS | FL_TF | FL_DF | FL_NT | FL_AC | FL_ID | FL_IF | FL_IOPL;
    if (cpu->cpl > 0) mask &= ~(uint64_t)FL_IOPL;
    if (!iopl_ok(cpu)) mask &= ~(uint64_t)FL_IF;
    return size == 2 ? mask & 0xFFFF : mask;
}

void op_popf(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    v86_flags_check(cpu);
    uint64_t sp = sp_get(cpu);
    uint64_t v = mem_read(cpu, SEG_SS, sp, size);
    uint64_t mask = popf_writable(cpu, size);
    uint64_t f = (cpu_get_flags(cpu) & ~mask) | (v & mask);
    if (size != 2) f &= ~(uint64_t)FL_RF;
    cpu_set_flags(cpu, f);
    sp_set(cpu, sp + size);
}

/* ---- procedure frames -------------------------------------------------- */

/* ENTER alloc, level (SDM ENTER pseudo-code).  The frame pointer FrameTemp is
 * rSP after pushing rBP, read at the operand size: the Intel host pushes and
 * loads EBP with all of ESP on a 16-bit stack.  The level-1 outer frame
 * pointers are read through rBP at the stack size.  Finally the host checks
 * that the new stack top is writable (a frame reaching an unmapped page
 * faults there with rSP unchanged, the pushes already in memory). */
void op_enter(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize, level = in->imm2 & 31;
    int64_t step = -(int64_t)size;
    uint64_t sp = sp_offset(cpu, sp_get(cpu), step);
    mem_write(cpu, SEG_SS, sp, size, cpu->gpr[RBP]);
    uint64_t frame = truncate(rsp_with(cpu, sp), size);
    if (level > 0) {
        uint64_t bp = cpu->gpr[RBP];
        for (unsigned i = 1; i < level; i++) {
            bp -= size;
            uint64_t v = mem_read(cpu, SEG_SS, truncate(bp, cpu->stack_size), size);
            sp = sp_offset(cpu, sp, step);
            mem_write(cpu, SEG_SS, sp, size, v);
        }
        sp = sp_offset(cpu, sp, step);
        mem_write(cpu, SEG_SS, sp, size, frame);
    }
    sp = sp_offset(cpu, sp, -(int64_t)(uint16_t)in->imm);
    mem_check_write(cpu, mem_linear(cpu, SEG_SS, sp, size, ACC_WRITE), size);
    reg_write(cpu, RBP, size, frame);
    sp_set(cpu, sp);
}

/* rSP = rBP at the stack size (the host keeps ESP's upper half on a 16-bit
 * stack), then pop rBP at the operand size. */
void op_leave(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t sp = truncate(cpu->gpr[RBP], cpu->stack_size);
    uint64_t v = mem_read(cpu, SEG_SS, sp, size);
    sp_set(cpu, sp + size);
    reg_write(cpu, RBP, size, v);
}
