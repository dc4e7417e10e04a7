/* system.c - segment loads, far transfers, IRET and I/O permission as the
 * instruction handlers see them (SDM Vol. 3 ch. 5, 20.1 for real mode).
 *
 * Real-address mode is complete here.  Protected-mode and long-mode forms
 * need descriptor-table checks and privilege rules that arrive with the
 * system-architecture issue; until then they raise a counted deferred #UD
 * that the coverage report and the stop message name.
 */
#include "ops.h"
#include "system.h"

static bool real_like(const struct cpu *cpu)
{
    return cpu->mode == MODE_REAL;
}

void seg_load(struct cpu *cpu, int seg, uint16_t sel)
{
    if (!real_like(cpu)) cpu_deferred(cpu, "protected-mode segment load");
    cpu_load_seg_real(cpu, seg, sel);
}

void far_jump(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osize)
{
    if (!real_like(cpu)) cpu_deferred(cpu, "protected-mode far jump");
    offset = truncate(offset, osize);
    if (offset > 0xFFFF) cpu_raise(cpu, EXC_GP, 0);
    cpu_load_seg_real(cpu, SEG_CS, sel);
    cpu->rip = offset;
}

void far_call(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osize)
{
    if (!real_like(cpu)) cpu_deferred(cpu, "protected-mode far call");
    offset = truncate(offset, osize);
    if (offset > 0xFFFF) cpu_raise(cpu, EXC_GP, 0);
    /* Both pushes are checked before either lands: the stack write of the
     * return CS:IP either happens completely or faults with RSP unchanged. */
    uint64_t sp = sp_get(cpu);
    mem_write(cpu, SEG_SS, truncate(sp - 2 * osize, cpu->stack_size), osize, cpu->rip);
    mem_write(cpu, SEG_SS, truncate(sp - osize, cpu->stack_size), osize, cpu->seg[SEG_CS].sel);
    sp_set(cpu, sp - 2 * osize);
    cpu_load_seg_real(cpu, SEG_CS, sel);
    cpu->rip = offset;
}

void far_return(struct cpu *cpu, unsigned osize, unsigned ret_pop)
{
    if (!real_like(cpu)) cpu_deferred(cpu, "protected-mode far return");
    uint64_t ip = stack_peek(cpu, 0, osize);
    uint16_t cs = (uint16_t)stack_peek(cpu, osize, osize);
    if (truncate(ip, osize) > 0xFFFF) cpu_raise(cpu, EXC_GP, 0);
    sp_set(cpu, sp_get(cpu) + 2 * osize + ret_pop);
    cpu_load_seg_real(cpu, SEG_CS, cs);
    cpu->rip = truncate(ip, osize);
}

/* Real-mode IRET: the whole FLAGS/EFLAGS image is writable except VM, VIF,
 * VIP and RF, which keep their values (SDM IRET pseudo-code, real mode). */
void interrupt_return(struct cpu *cpu, unsigned osize)
{
    cpu->nmi_blocked = false;   /* IRET ends NMI blocking (SDM Vol. 3 6.7.1) */
    if (!real_like(cpu)) cpu_deferred(cpu, "protected-mode IRET");
    uint64_t ip = stack_peek(cpu, 0, osize);
    uint16_t cs = (uint16_t)stack_peek(cpu, osize, osize);
    uint64_t fl = stack_peek(cpu, 2 * osize, osize);
    if (truncate(ip, osize) > 0xFFFF) cpu_raise(cpu, EXC_GP, 0);
    sp_set(cpu, sp_get(cpu) + 3 * osize);
    uint64_t old = cpu_get_flags(cpu);
    uint64_t keep = osize == 2 ? ~0xFFFFull : (FL_VM | FL_VIF | FL_VIP | ~0xFFFFFFFFull);
    uint64_t writable = osize == 2 ? 0xFFFFull : 0x257FD5ull;
    cpu_set_flags(cpu, (old & keep) | (fl & writable));
    cpu_load_seg_real(cpu, SEG_CS, cs);
    cpu->rip = truncate(ip, osize);
}

bool iopl_ok(const struct cpu *cpu)
{
    if (cpu->mode == MODE_REAL) return true;
    unsigned iopl = (unsigned)((cpu->rflags & FL_IOPL) >> 12);
    if (cpu->mode == MODE_V86) return iopl == 3;
    return cpu->cpl <= iopl;
}

void io_check(struct cpu *cpu, uint16_t port, unsigned size)
{
    (void)port;
    (void)size;
    if (cpu->mode == MODE_REAL) return;
    if (cpu->mode != MODE_V86 && iopl_ok(cpu)) return;
    cpu_deferred(cpu, "I/O permission bitmap");
}
