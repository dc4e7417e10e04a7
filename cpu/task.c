/* task.c - hardware task switching (SDM Vol. 3 ch. 7.3): JMP or CALL to a
 * TSS or a task gate, an interrupt or exception through a task gate, and
 * IRET with EFLAGS.NT.  16-bit (type 1/3) and 32-bit (type 9/B) TSS formats.
 *
 * The old task's state is saved, then the new one's is loaded and committed
 * before its selectors are checked: a fault while loading them belongs to
 * the new task (SDM table 7-1), so its handler sees the new task's EIP.
 */
#include "ops.h"
#include "system.h"
#include "control.h"
#include "debug.h"

/* Offsets of the dynamic fields in each TSS format. */
struct tss_layout {
    uint32_t ip, flags, gpr, seg, ldt, min_limit;
    unsigned width;         /* 2 or 4 bytes per register */
    unsigned nsegs;         /* ES CS SS DS, and FS GS in a 32-bit TSS */
};
static const struct tss_layout tss16 = { 0x0E, 0x10, 0x12, 0x22, 0x2A, 0x2B, 2, 4 };
static const struct tss_layout tss32 = { 0x20, 0x24, 0x28, 0x48, 0x60, 0x67, 4, 6 };

static const struct tss_layout *layout_of(unsigned type)
{
    return (type & 0x8) ? &tss32 : &tss16;
}

static uint64_t tss_at(uint64_t base, uint32_t off) { return (uint32_t)(base + off); }

/* The old task: EIP, EFLAGS, the general registers and the segment selectors. */
static void save_task(struct cpu *cpu, const struct tss_layout *l, uint64_t base, bool clear_nt)
{
    unsigned w = l->width;
    uint64_t fl = cpu_get_flags(cpu);
    if (clear_nt) fl &= ~(uint64_t)FL_NT;
    if (cpu->task_rf) fl |= FL_RF;          /* a fault delivered through a task gate */
    sys_write(cpu, tss_at(base, l->ip), w, cpu->rip);
    sys_write(cpu, tss_at(base, l->flags), w, fl);
    for (unsigned r = 0; r < 8; r++) sys_write(cpu, tss_at(base, l->gpr + w * r), w, cpu->gpr[r]);
    for (unsigned s = 0; s < l->nsegs; s++)
        sys_write(cpu, tss_at(base, l->seg + (w == 4 ? 4 : 2) * s), 2, cpu->seg[s].sel);
}

/* #TS(sel) for a selector of the new task; #NP/#SS for a missing segment. */
static void ts_fault(struct cpu *cpu, uint16_t sel)
{
    cpu_raise(cpu, EXC_TS, sel_error(cpu, sel));
}

static void load_task_ldt(struct cpu *cpu, uint16_t sel)
{
    struct desc d;
    if ((sel & 0xFFFC) == 0) {
        cpu->seg[SEG_LDTR].sel = sel;
        cpu->seg[SEG_LDTR].attr = 0;
        return;
    }
    if ((sel & 4) || !desc_read(cpu, sel, &d) || desc_s(&d) || desc_type(&d) != 2)
        ts_fault(cpu, sel);
    if (!desc_p(&d)) ts_fault(cpu, sel);
    desc_to_seg(&d, &cpu->seg[SEG_LDTR]);
}

/* The new task's CS, SS and data segments, checked in the SDM's order. */
static void load_task_segments(struct cpu *cpu, const uint16_t sel[6])
{
    struct desc d;
    uint16_t cs = sel[SEG_CS], ss = sel[SEG_SS];
    unsigned cpl = cs & 3;
    if ((cs & 0xFFFC) == 0 || !desc_read(cpu, cs, &d) || !desc_code(&d)) ts_fault(cpu, cs);
    if (desc_conforming(&d) ? desc_dpl(&d) > cpl : desc_dpl(&d) != cpl) ts_fault(cpu, cs);
    if (!desc_p(&d)) cpu_raise(cpu, EXC_NP, sel_error(cpu, cs));
    seg_load_cs(cpu, &d, cpl);

    if ((ss & 0xFFFC) == 0 || !desc_read(cpu, ss, &d)) ts_fault(cpu, ss);
    bool writable_data = desc_s(&d) && !(d.hi & 0x800) && (d.hi & 0x200);
    if ((ss & 3u) != cpl || desc_dpl(&d) != cpl || !writable_data) ts_fault(cpu, ss);
    if (!desc_p(&d)) cpu_raise(cpu, EXC_SS, sel_error(cpu, ss));
    desc_set_accessed(cpu, &d);
    desc_to_seg(&d, &cpu->seg[SEG_SS]);
    cpu_update_mode(cpu);

    static const int data[] = { SEG_DS, SEG_ES, SEG_FS, SEG_GS };
    for (unsigned k = 0; k < 4; k++) {
        uint16_t s = sel[data[k]];
        if ((s & 0xFFFC) == 0) {
            seg_load_null(cpu, data[k], s);
            continue;
        }
        if (!desc_read(cpu, s, &d) || !desc_s(&d) || (desc_code(&d) && !(d.hi & 0x200)))
            ts_fault(cpu, s);
        unsigned rpl = s & 3, dpl = desc_dpl(&d);
        if (!desc_conforming(&d) && (dpl < cpl || dpl < rpl)) ts_fault(cpu, s);
        if (!desc_p(&d)) cpu_raise(cpu, EXC_NP, sel_error(cpu, s));
        desc_set_accessed(cpu, &d);
        desc_to_seg(&d, &cpu->seg[data[k]]);
    }
}

void task_switch(struct cpu *cpu, uint16_t sel, struct desc *tss, enum task_reason why,
                 uint32_t error, bool has_error)
{
    const struct tss_layout *nl = layout_of(desc_type(tss));
    struct segment ntr;
    desc_to_seg(tss, &ntr);
    if (ntr.limit < nl->min_limit) ts_fault(cpu, sel);
    /* A busy TSS cannot be entered by JMP, CALL or an interrupt; IRET
     * returns to a busy one (the caller checked which). */
    if (why != TASK_IRET && (desc_type(tss) & 2)) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));

    /* Read everything the new task needs before the old one is saved: a
     * page fault here still belongs to the old task. */
    uint64_t nb = ntr.base;
    unsigned w = nl->width;
    uint64_t ip = sys_read(cpu, tss_at(nb, nl->ip), w);
    uint64_t fl = sys_read(cpu, tss_at(nb, nl->flags), w);
    uint64_t gpr[8];
    uint16_t segsel[6] = { 0 };         /* a 16-bit TSS has no FS or GS: they become null */
    for (unsigned r = 0; r < 8; r++) gpr[r] = sys_read(cpu, tss_at(nb, nl->gpr + w * r), w);
    for (unsigned s = 0; s < nl->nsegs; s++)
        segsel[s] = (uint16_t)sys_read(cpu, tss_at(nb, nl->seg + (w == 4 ? 4 : 2) * s), 2);
    uint16_t ldt = (uint16_t)sys_read(cpu, tss_at(nb, nl->ldt), 2);
    uint64_t cr3 = w == 4 ? sys_read(cpu, tss_at(nb, 0x1C), 4) : cpu->cr3;

    /* The old task. */
    const struct segment *otr = &cpu->seg[SEG_TR];
    const struct tss_layout *ol = layout_of(otr->attr & 0xF);
    if (otr->limit < ol->min_limit) ts_fault(cpu, otr->sel);
    save_task(cpu, ol, otr->base, why == TASK_IRET);
    if (why == TASK_JMP || why == TASK_IRET) {
        struct desc od;
        if (desc_read(cpu, otr->sel, &od)) desc_set_busy(cpu, &od, false);
    }
    if (why == TASK_CALL || why == TASK_INT) {
        sys_write(cpu, tss_at(nb, 0), 2, otr->sel);
        fl |= FL_NT;
    }
    if (why != TASK_IRET) desc_set_busy(cpu, tss, true);

    /* Commit: from here on faults belong to the new task. */
    tss->hi |= 0x200;
    desc_to_seg(tss, &cpu->seg[SEG_TR]);
    cpu->cr0 |= CR0_TS;
    cpu->dr[7] &= ~0x155ull;                   /* L0-L3 and LE are per task (SDM 17.2.4) */
    debug_update(cpu);
    if (w == 4 && (cpu->cr0 & CR0_PG)) cr_write(cpu, 3, cr3);
    if (w == 2) fl = (cpu_get_flags(cpu) & ~0xFFFFull) | (fl & 0xFFFF);
    cpu_set_flags(cpu, (fl & 0x3F7FD7ull) | FL_1);
    if (fl & FL_RF) cpu->rf_until = cpu_instret_now(cpu) + 2;
    for (unsigned r = 0; r < 8; r++)
        cpu->gpr[r] = w == 4 ? (uint32_t)gpr[r] : (cpu->gpr[r] & ~0xFFFFull) | (gpr[r] & 0xFFFF);
    cpu->rip = w == 4 ? (uint32_t)ip : ip & 0xFFFF;
    cpu->insn_start = cpu->rip;
    for (unsigned s = 0; s < 6; s++) {         /* selectors first, descriptors below */
        cpu->seg[s].sel = segsel[s];
        cpu->seg[s].attr = 0;
    }
    cpu->seg[SEG_CS].attr = SA_P | SA_S | SA_CODE | 0x3 | (segsel[SEG_CS] & 3u) << 5;
    cpu->seg[SEG_SS].attr = (uint16_t)(SA_P | SA_S | 0x3 | (segsel[SEG_CS] & 3u) << 5);
    cpu->seg[SEG_LDTR].sel = ldt;
    cpu_update_mode(cpu);

    load_task_ldt(cpu, ldt);
    if (fl & FL_VM) {
        for (int s = 0; s < 6; s++) seg_load_v86(cpu, s, segsel[s]);
        cpu_update_mode(cpu);
    } else {
        load_task_segments(cpu, segsel);
    }
    cpu_update_mode(cpu);
    if (has_error) {
        struct frame f = { cpu->seg[SEG_SS], sp_get(cpu), cpu->stack_size, cpu->cpl < 3,
                           EXC_SS, cpu->ext };
        frame_push(cpu, &f, w, error);
        sp_set(cpu, f.sp);
    }
    if (cpu->seg[SEG_CS].limit < cpu->rip) cpu_raise(cpu, EXC_GP, 0);
}

/* The TSS a task gate names: in the GDT, an available TSS, present; else
 * #GP or #NP with its selector (SDM INT n and JMP, "TASK-GATE"). */
void task_gate(struct cpu *cpu, uint16_t tss, enum task_reason why, uint32_t error,
               bool has_error)
{
    struct desc t;
    if ((tss & 4) || !desc_read(cpu, tss, &t)) cpu_raise(cpu, EXC_GP, sel_error(cpu, tss));
    if (desc_s(&t) || (desc_type(&t) != 0x1 && desc_type(&t) != 0x9))
        cpu_raise(cpu, EXC_GP, sel_error(cpu, tss));
    if (!desc_p(&t)) cpu_raise(cpu, EXC_NP, sel_error(cpu, tss));
    task_switch(cpu, tss, &t, why, error, has_error);
}
