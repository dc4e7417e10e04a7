/* fastcall.c - the fast system-call instructions: SYSENTER/SYSEXIT (SDM Vol. 2,
 * Vol. 3 5.8.7), SYSCALL/SYSRET (SDM Vol. 2, Vol. 3 5.8.8; AMD APM Vol. 2
 * 6.1.1 and Vol. 3 for legacy and compatibility mode), SWAPGS and
 * RD/WR FS/GS BASE.
 *
 * None of them reads a descriptor table: CS and SS get fixed flat caches
 * from the MSRs, exactly as the SDM pseudo-code writes them.  Vendor
 * differences, by the AMD profile:
 *  - SYSENTER/SYSEXIT are #UD in long mode (APM Vol. 3 SYSENTER);
 *  - SYSCALL/SYSRET also work in legacy and compatibility mode (Intel: #UD
 *    outside 64-bit mode);
 *  - SYSRET loads only SS's selector, leaving its base, limit and
 *    attributes as they were;
 *  - SYSRET to a non-canonical RCX: Intel raises #GP(0) at CPL 0 before any
 *    change; AMD completes the return and the #GP comes from the fetch at the
 *    new RIP, at CPL 3 with the user's state.
 */
#include "ops.h"
#include "msr.h"
#include "handlers.h"

#define FLAT_LIMIT 0xFFFFFFFFu      /* limit FFFFFh with G = 1 */

enum { CODE_32, CODE_64 };

/* A flat code segment of the given width and privilege (type 11: execute/
 * read, accessed). */
static void load_flat_cs(struct cpu *cpu, uint16_t sel, unsigned dpl, int width)
{
    struct segment *s = &cpu->seg[SEG_CS];
    s->sel = sel;
    s->base = 0;
    s->limit = FLAT_LIMIT;
    s->attr = (uint16_t)(SA_P | SA_S | 0xB | dpl << 5 | SA_G | (width == CODE_64 ? SA_L : SA_DB));
}

/* A flat stack segment (type 3: read/write, accessed, B = 1). */
static void load_flat_ss(struct cpu *cpu, uint16_t sel, unsigned dpl)
{
    struct segment *s = &cpu->seg[SEG_SS];
    s->sel = sel;
    s->base = 0;
    s->limit = FLAT_LIMIT;
    s->attr = (uint16_t)(SA_P | SA_S | 0x3 | dpl << 5 | SA_DB | SA_G);
}

static bool long_mode(const struct cpu *cpu) { return (cpu->efer & EFER_LMA) != 0; }

/* ---- SYSENTER / SYSEXIT ---------------------------------------------------------- */

static void sysenter_checks(struct cpu *cpu)
{
    if (is_amd(cpu) && long_mode(cpu)) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
    if (!(cpu->cr0 & CR0_PE) || (cpu->msr.sysenter_cs & 0xFFFC) == 0) cpu_raise(cpu, EXC_GP, 0);
}

void op_sysenter(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    sysenter_checks(cpu);
    bool lm = long_mode(cpu);
    uint16_t cs = (uint16_t)(cpu->msr.sysenter_cs & 0xFFFC);
    flags_materialize(cpu);
    cpu->rflags &= ~(uint64_t)(FL_VM | FL_IF | FL_RF);
    cpu->gpr[RSP] = lm ? cpu->msr.sysenter_esp : (uint32_t)cpu->msr.sysenter_esp;
    cpu->rip = lm ? cpu->msr.sysenter_eip : (uint32_t)cpu->msr.sysenter_eip;
    load_flat_cs(cpu, cs, 0, lm ? CODE_64 : CODE_32);
    load_flat_ss(cpu, (uint16_t)(cs + 8), 0);
    cpu_update_mode(cpu);
}

/* SYSEXIT with REX.W returns to 64-bit code (CS = SYSENTER_CS + 32), else to
 * 32-bit code (+16); SS follows CS.  Flags are left alone. */
void op_sysexit(struct cpu *cpu, const struct insn *in)
{
    sysenter_checks(cpu);
    if (cpu->cpl != 0) cpu_raise(cpu, EXC_GP, 0);
    bool to64 = in->osize == 8;
    if (to64 && (!canonical(cpu, cpu->gpr[RCX]) || !canonical(cpu, cpu->gpr[RDX])))
        cpu_raise(cpu, EXC_GP, 0);
    uint16_t cs = (uint16_t)(((cpu->msr.sysenter_cs & 0xFFFF) + (to64 ? 32 : 16)) | 3);
    cpu->gpr[RSP] = to64 ? cpu->gpr[RCX] : (uint32_t)cpu->gpr[RCX];
    cpu->rip = to64 ? cpu->gpr[RDX] : (uint32_t)cpu->gpr[RDX];
    load_flat_cs(cpu, cs, 3, to64 ? CODE_64 : CODE_32);
    load_flat_ss(cpu, (uint16_t)(cs + 8), 3);
    cpu_update_mode(cpu);
}

/* ---- SYSCALL / SYSRET --------------------------------------------------------------- */

/* #UD unless EFER.SCE; on Intel also unless in 64-bit mode. */
static void syscall_checks(struct cpu *cpu)
{
    if (!(cpu->efer & EFER_SCE)) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
    if (!is_amd(cpu) && cpu->dmode != DM_64) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
}

void op_syscall(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    syscall_checks(cpu);
    uint16_t cs = (uint16_t)(cpu->msr.star >> 32 & 0xFFFC);
    uint64_t fl = cpu_get_flags(cpu);
    if (long_mode(cpu)) {
        /* 64-bit mode (LSTAR) or, on AMD, compatibility mode (CSTAR). */
        uint64_t target = cpu->dmode == DM_64 ? cpu->msr.lstar : cpu->msr.cstar;
        cpu->gpr[RCX] = cpu->rip;
        cpu->gpr[R11] = is_amd(cpu) ? fl & ~(uint64_t)FL_RF : fl;
        cpu_set_flags(cpu, fl & ~cpu->msr.sfmask & ~(uint64_t)FL_RF);
        cpu->rip = target;
        load_flat_cs(cpu, cs, 0, CODE_64);
    } else {
        /* AMD legacy mode: EIP from STAR[31:0], VM, IF and RF cleared. */
        cpu->gpr[RCX] = (uint32_t)cpu->rip;
        cpu_set_flags(cpu, fl & ~(uint64_t)(FL_VM | FL_IF | FL_RF));
        cpu->rip = (uint32_t)cpu->msr.star;
        load_flat_cs(cpu, cs, 0, CODE_32);
    }
    load_flat_ss(cpu, (uint16_t)(cs + 8), 0);
    cpu_update_mode(cpu);
}

void op_sysret(struct cpu *cpu, const struct insn *in)
{
    syscall_checks(cpu);
    if (!(cpu->cr0 & CR0_PE) || cpu->cpl != 0) cpu_raise(cpu, EXC_GP, 0);
    bool to64 = cpu->dmode == DM_64 && in->osize == 8;
    if (to64 && !canonical(cpu, cpu->gpr[RCX]) && !is_amd(cpu)) cpu_raise(cpu, EXC_GP, 0);
    uint16_t base = (uint16_t)(cpu->msr.star >> 48);
    uint16_t cs = (uint16_t)((to64 ? base + 16 : base) | 3);
    uint16_t ss = (uint16_t)((base + 8) | 3);
    if (long_mode(cpu)) {
        cpu_set_flags(cpu, (cpu->gpr[R11] & 0x3C7FD7u) | FL_1);
    } else {
        flags_materialize(cpu);
        cpu->rflags |= FL_IF;               /* AMD legacy mode */
    }
    cpu->rip = to64 ? cpu->gpr[RCX] : (uint32_t)cpu->gpr[RCX];
    load_flat_cs(cpu, cs, 3, to64 ? CODE_64 : CODE_32);
    if (is_amd(cpu)) cpu->seg[SEG_SS].sel = ss;
    else load_flat_ss(cpu, ss, 3);
    cpu_update_mode(cpu);
}

/* ---- SWAPGS, RD/WR FS/GS BASE (64-bit mode only: the rows say F_O64) ------------------ */

void op_swapgs(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->cpl != 0) cpu_raise(cpu, EXC_GP, 0);
    uint64_t gs = cpu->seg[SEG_GS].base;
    cpu->seg[SEG_GS].base = cpu->msr.kernel_gs_base;
    cpu->msr.kernel_gs_base = gs;
    cpu_update_mode(cpu);
}

static void fsgsbase_check(struct cpu *cpu)
{
    if (!(cpu->cr4 & CR4_FSGSBASE)) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
}

/* in->sub is SEG_FS or SEG_GS; the operand is 32 or 64 bits (REX.W). */
void op_rdsegbase(struct cpu *cpu, const struct insn *in)
{
    fsgsbase_check(cpu);
    reg_write(cpu, in->rm, in->osize, cpu->seg[in->sub].base);
}

void op_wrsegbase(struct cpu *cpu, const struct insn *in)
{
    fsgsbase_check(cpu);
    uint64_t v = reg_read(cpu, in->rm, in->osize);
    if (!canonical_max(cpu, v)) cpu_raise(cpu, EXC_GP, 0);
    cpu->seg[in->sub].base = v;
    cpu_update_mode(cpu);
}
