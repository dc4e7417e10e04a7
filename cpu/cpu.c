/* cpu.c - processor state: creation, the reset state (SDM Vol. 3 9.1.1),
 * convenience entry states for tests and loaders, and the derived fields the
 * dispatch loop reads on every instruction (mode, CPL, decode mode, IP width,
 * stack width, flat segments).
 */
#include <stdlib.h>
#include <string.h>
#include "ops.h"
#include "exec.h"
#include "msr.h"
#include "mmu/bus.h"
#include "mmu/paging.h"

#define ATTR_DATA16  (SA_P | SA_S | 0x3)              /* present, read/write, accessed */
#define ATTR_CODE16  (SA_P | SA_S | SA_CODE | 0x3)    /* present, execute/read, accessed */
#define ATTR_DATA32  (ATTR_DATA16 | SA_DB | SA_G)
#define ATTR_CODE32  (ATTR_CODE16 | SA_DB | SA_G)
#define ATTR_CODE64  (ATTR_CODE16 | SA_L | SA_G)

int cpu_init(struct cpu *cpu, struct bus *bus, const struct cpu_model *model)
{
    memset(cpu, 0, sizeof *cpu);
    cpu->tlb = cpu->tlb_set[0];
    cpu->bus = bus;
    cpu->model = model ? model : cpu_model_host();
    cpu->features = cpu->model->features;
    cpu->cycle_model = true;
    optable_init();
    if (dc_init(cpu) != 0) return -1;
    cpu_reset(cpu);
    return 0;
}

void cpu_free(struct cpu *cpu)
{
    dc_free(cpu);
    cpu_hooks_free(cpu);
    free(cpu->host.bp);
    free(cpu->host.watch);
}

static void set_seg(struct cpu *cpu, int seg, uint16_t sel, uint64_t base, uint32_t limit,
                    uint16_t attr)
{
    cpu->seg[seg].sel = sel;
    cpu->seg[seg].base = base;
    cpu->seg[seg].limit = limit;
    cpu->seg[seg].attr = attr;
}

/* The state after RESET (SDM Vol. 3 table 9-1): real mode at F000:FFF0 with
 * CS.base = FFFF0000, so the first fetch is at FFFFFFF0. */
void cpu_reset(struct cpu *cpu)
{
    memset(cpu->gpr, 0, sizeof cpu->gpr);
    cpu->gpr[RDX] = 0x600 | (cpu->model->family << 8 & 0xF00) | (cpu->model->model << 4 & 0xF0);
    cpu->rip = 0xFFF0;
    cpu->rflags = FL_1;
    cpu->lf.op = LF_NONE;
    cpu->cr0 = CR0_ET | CR0_NW | CR0_CD;
    cpu->cr2 = cpu->cr3 = cpu->cr4 = cpu->cr8 = cpu->efer = 0;
    memset(cpu->dr, 0, sizeof cpu->dr);
    cpu->dr[6] = 0xFFFF0FF0;
    cpu->dr[7] = 0x400;
    memset(&cpu->dbg, 0, sizeof cpu->dbg);
    for (int s = 0; s < 6; s++) set_seg(cpu, s, 0, 0, 0xFFFF, ATTR_DATA16);
    set_seg(cpu, SEG_CS, 0xF000, 0xFFFF0000, 0xFFFF, ATTR_CODE16);
    set_seg(cpu, SEG_LDTR, 0, 0, 0xFFFF, SA_P | 0x2);
    set_seg(cpu, SEG_TR, 0, 0, 0xFFFF, SA_P | 0xB);
    cpu->gdtr.base = cpu->idtr.base = 0;
    cpu->gdtr.limit = cpu->idtr.limit = 0xFFFF;
    cpu->halted = false;
    cpu->interrupt_shadow = 0;
    cpu->debug_step = false;    /* code hooks (the debugger's breakpoints) outlive a reset */
    cpu->nmi_pending = cpu->nmi_blocked = false;
    cpu->delivering = false;
    memset(cpu->atlb.set, 0, sizeof cpu->atlb.set);     /* paging: TLB and PDPTEs empty */
    memset(cpu->pdpte, 0, sizeof cpu->pdpte);
    msr_reset(cpu);
    cpu_tlb_flush(cpu);
    cpu_update_mode(cpu);
}

void cpu_load_seg_real(struct cpu *cpu, int seg, uint16_t sel)
{
    cpu->seg[seg].sel = sel;
    cpu->seg[seg].base = (uint64_t)sel << 4;
    /* Real mode keeps the cached limit and attributes ("unreal" mode
     * depends on it); only a fresh reset or a protected-mode load sets them. */
    cpu_update_mode(cpu);
}

void cpu_set_real(struct cpu *cpu)
{
    cpu_reset(cpu);
    cpu->cr0 = CR0_ET;
    set_seg(cpu, SEG_CS, 0, 0, 0xFFFF, ATTR_CODE16);
    cpu->rip = 0;
    cpu_update_mode(cpu);
}

void cpu_set_flat32(struct cpu *cpu)
{
    cpu_reset(cpu);
    cpu->cr0 = CR0_PE | CR0_ET | CR0_NE;
    set_seg(cpu, SEG_CS, 0x08, 0, 0xFFFFFFFF, ATTR_CODE32);
    for (int s = 0; s < 6; s++)
        if (s != SEG_CS) set_seg(cpu, s, 0x10, 0, 0xFFFFFFFF, ATTR_DATA32);
    cpu->rip = 0;
    cpu_update_mode(cpu);
}

/* 64-bit mode with an identity translation.  Architecturally 64-bit mode
 * needs CR0.PG and 4-level tables; until the page walker exists this entry
 * state (used by tests and the differential tester) leaves paging off. */
void cpu_set_flat64(struct cpu *cpu)
{
    cpu_reset(cpu);
    cpu->cr0 = CR0_PE | CR0_ET | CR0_NE;
    cpu->cr4 = 0x20;                        /* PAE, as long mode requires */
    cpu->efer = EFER_LME | EFER_LMA;
    set_seg(cpu, SEG_CS, 0x08, 0, 0xFFFFFFFF, ATTR_CODE64);
    for (int s = 0; s < 6; s++)
        if (s != SEG_CS) set_seg(cpu, s, 0x10, 0, 0xFFFFFFFF, ATTR_DATA32);
    cpu->rip = 0;
    cpu_update_mode(cpu);
}

static bool flat_data(const struct segment *s)
{
    return s->base == 0 && s->limit == 0xFFFFFFFF && (s->attr & SA_P) &&
           !(s->attr & SA_CODE) && (s->attr & SA_WRITE_OR_READ) &&
           !(s->attr & SA_EXPDOWN_OR_CONFORMING);
}

void cpu_update_mode(struct cpu *cpu)
{
    const struct segment *cs = &cpu->seg[SEG_CS];
    uint8_t old_mode = cpu->mode, old_dmode = cpu->dmode, old_cpl = cpu->cpl;
    if (!(cpu->cr0 & CR0_PE)) cpu->mode = MODE_REAL;
    else if (cpu->rflags & FL_VM) cpu->mode = MODE_V86;
    else if (cpu->efer & EFER_LMA) cpu->mode = MODE_LONG;
    else cpu->mode = MODE_PROT;

    if (cpu->mode == MODE_LONG && (cs->attr & SA_L)) cpu->dmode = DM_64;
    else if (cpu->mode != MODE_REAL && cpu->mode != MODE_V86 && (cs->attr & SA_DB))
        cpu->dmode = DM_32;
    else cpu->dmode = DM_16;

    /* CPL is CS.RPL in protected mode: every CS load (far transfers,
     * interrupts, SYSENTER, SYSRET ...) sets it.  Setting CR0.PE keeps the
     * real-mode CPL 0 until the first CS load, whatever the low bits of the
     * real-mode CS value (cs_from_real). */
    if (old_mode == MODE_REAL && cpu->mode != MODE_REAL && (cs->sel & 3)) cpu->cs_from_real = true;
    if (cpu->mode == MODE_REAL || cpu->mode == MODE_V86) cpu->cs_from_real = false;
    cpu->cpl = cpu->mode == MODE_REAL ? 0 : cpu->mode == MODE_V86 ? 3
             : cpu->cs_from_real ? 0 : (cs->sel & 3);
    cpu->ip_mask = cpu->dmode == DM_64 ? ~0ull : cpu->dmode == DM_32 ? 0xFFFFFFFFull : 0xFFFFull;
    /* 5-level paging is active only in IA-32e mode: CR4.LA57 set outside it
     * waits for the next activation (SDM Vol. 3 2.5, 4.1.1). */
    cpu->la_shift = (cpu->efer & EFER_LMA) && (cpu->cr4 & CR4_LA57) ? 7 : 16;
    cpu->stack_size = cpu->dmode == DM_64 ? 8 : (cpu->seg[SEG_SS].attr & SA_DB) ? 4 : 2;

    cpu->seg_flat = 0;
    for (int s = 0; s < 6; s++) {
        bool flat;
        if (cpu->dmode == DM_64) flat = (s != SEG_FS && s != SEG_GS) || cpu->seg[s].base == 0;
        else flat = cpu->mode != MODE_REAL && cpu->mode != MODE_V86 && flat_data(&cpu->seg[s]);
        if (flat) cpu->seg_flat |= (uint8_t)(1u << s);
    }
    cpu->events = 1;    /* decoded blocks are per decode mode: look the next one up again */
    cpu->align_check = (cpu->cr0 & CR0_AM) && cpu->cpl == 3 && (cpu->rflags & FL_AC);
    paging_mode_changed(cpu);   /* the speed TLB holds rights for one CPL class, WP, SMEP ... */
    unsigned arch = (cpu->cr0 & CR0_PE ? CPU_ARCH_PE : 0) | (cpu->cr0 & CR0_PG ? CPU_ARCH_PG : 0) |
                    (cpu->efer & EFER_LME ? CPU_ARCH_LME : 0) |
                    (cpu->efer & EFER_LMA ? CPU_ARCH_LMA : 0) |
                    (cpu->dmode == DM_64 ? CPU_ARCH_CSL : 0);
    if (arch != cpu->arch_bits) {
        unsigned old_arch = cpu->arch_bits;
        cpu->arch_bits = (uint8_t)arch;
        if (cpu->on_arch) cpu->on_arch(cpu->observer, old_arch, arch);
    }
    if (cpu->on_mode && (cpu->mode != old_mode || cpu->dmode != old_dmode || cpu->cpl != old_cpl))
        cpu->on_mode(cpu->observer, cpu->mode, cpu->dmode, cpu->cpl);
}
