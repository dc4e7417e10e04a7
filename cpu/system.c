/* system.c - far transfers, IRET and I/O permission (SDM Vol. 2 JMP, CALL,
 * RET, IRET and Vol. 3 ch. 5.8-5.9, 16.5, 20 for real and virtual-8086 mode).
 *
 * Each transfer follows the SDM's pseudo-code: every check happens, in its
 * order, before any register changes, so a fault leaves the state of the
 * faulting instruction.  Stacks built away from SS:ESP (a privilege change)
 * go through struct frame, whose pushes check the new segment's limit.
 */
#include "ops.h"
#include "system.h"

static bool long_active(const struct cpu *cpu) { return cpu->efer & EFER_LMA; }

/* A code descriptor that IA-32e mode would run as 64-bit code. */
static bool desc_64bit(const struct cpu *cpu, const struct desc *d)
{
    return long_active(cpu) && (d->hi & (1u << 21));
}

/* Is [off, off+size) inside the segment's limits (expand-down aware)? */
static bool in_limits(const struct segment *s, uint64_t off, unsigned size)
{
    uint64_t last = off + size - 1;
    bool expand_down = !(s->attr & SA_CODE) && (s->attr & SA_EXPDOWN_OR_CONFORMING) &&
                       (s->attr & SA_S);
    if (expand_down) {
        uint64_t upper = (s->attr & SA_DB) ? 0xFFFFFFFFull : 0xFFFFull;
        return off > s->limit && last <= upper;
    }
    return last <= s->limit && off <= last;
}

/* The new instruction pointer: canonical for 64-bit code, else within the
 * new CS limit.  #GP(0) (or #GP(EXT) during delivery) otherwise. */
static void check_ip(struct cpu *cpu, const struct desc *cs, uint64_t ip)
{
    struct segment s;
    desc_to_seg(cs, &s);
    if (desc_64bit(cpu, cs) ? !canonical(cpu, ip) : ip > s.limit) cpu_raise(cpu, EXC_GP, cpu->ext);
}

/* ---- stacks ------------------------------------------------------------- */

void frame_push(struct cpu *cpu, struct frame *f, unsigned size, uint64_t v)
{
    uint64_t sp = truncate(f->sp - size, f->width), lin;
    if (f->width == 8) {
        lin = sp;
        if (!canonical(cpu, lin) || !canonical(cpu, lin + size - 1)) cpu_raise(cpu, f->fault_vec, f->fault_err);
    } else {
        if (!in_limits(&f->ss, sp, size)) cpu_raise(cpu, f->fault_vec, f->fault_err);
        lin = (uint32_t)(f->ss.base + sp);
    }
    if (f->sys) sys_write(cpu, lin, size, v);
    else mem_write_slow(cpu, lin, size, v);
    f->sp = sp;
}

/* A frame on the current stack (no privilege change). */
static struct frame current_frame(struct cpu *cpu, int vec, uint32_t err)
{
    struct frame f = { cpu->seg[SEG_SS], cpu->gpr[RSP] & size_mask(cpu->stack_size),
                       cpu->stack_size, false, vec, err };
    if (cpu->dmode == DM_64) f.sp = cpu->gpr[RSP];
    return f;
}

/* Read size bytes of the TSS at offset, checking TR's limit: #TS(TR) beyond it. */
static uint64_t tss_read(struct cpu *cpu, uint32_t offset, unsigned size)
{
    const struct segment *tr = &cpu->seg[SEG_TR];
    if (offset + size - 1 > tr->limit) cpu_raise(cpu, EXC_TS, sel_error(cpu, tr->sel));
    return sys_read(cpu, long_active(cpu) ? tr->base + offset : (uint32_t)(tr->base + offset),
                    size);
}

void tss_stack(struct cpu *cpu, unsigned dpl, uint16_t *ss, uint64_t *sp)
{
    unsigned type = cpu->seg[SEG_TR].attr & 0xF;
    if (long_active(cpu)) {
        *sp = tss_read(cpu, 4 + 8 * dpl, 8);
        *ss = (uint16_t)dpl;
    } else if (type == 0x9 || type == 0xB) {                /* 32-bit TSS */
        *sp = tss_read(cpu, 4 + 8 * dpl, 4);
        *ss = (uint16_t)tss_read(cpu, 8 + 8 * dpl, 2);
    } else {                                                /* 16-bit TSS */
        *sp = tss_read(cpu, 2 + 4 * dpl, 2);
        *ss = (uint16_t)tss_read(cpu, 4 + 4 * dpl, 2);
    }
}

uint64_t tss_ist(struct cpu *cpu, unsigned ist)
{
    return tss_read(cpu, 0x24 + 8 * (ist - 1), 8);
}

void check_inner_ss(struct cpu *cpu, uint16_t ss, unsigned cpl, struct desc *d, int vec,
                    uint32_t ext)
{
    uint32_t err = (uint32_t)(ss & 0xFFFC) | ext;
    if ((ss & 0xFFFC) == 0) cpu_raise(cpu, vec, ext);
    if (!desc_read(cpu, ss, d)) cpu_raise(cpu, vec, err);
    if ((ss & 3u) != cpl) cpu_raise(cpu, vec, err);
    bool writable_data = desc_s(d) && !(d->hi & 0x800) && (d->hi & 0x200);
    if (desc_dpl(d) != cpl || !writable_data) cpu_raise(cpu, vec, err);
    if (!desc_p(d)) cpu_raise(cpu, EXC_SS, err);
}

/* Commit a new SS:RSP after its frame is complete. */
static void commit_stack(struct cpu *cpu, const struct frame *f)
{
    cpu->seg[SEG_SS] = f->ss;
    cpu->gpr[RSP] = f->width == 8 ? f->sp : f->width == 4 ? (uint32_t)f->sp
                                  : (cpu->gpr[RSP] & ~0xFFFFull) | (f->sp & 0xFFFF);
}

/* ---- real and virtual-8086 mode ------------------------------------------- */

static bool real_like(const struct cpu *cpu)
{
    return cpu->mode == MODE_REAL || cpu->mode == MODE_V86;
}

static void load_cs_real_like(struct cpu *cpu, uint16_t sel)
{
    if (cpu->mode == MODE_V86) seg_load_v86(cpu, SEG_CS, sel);
    else cpu->seg[SEG_CS].sel = sel, cpu->seg[SEG_CS].base = (uint64_t)sel << 4;
}

/* ---- far JMP and CALL ---------------------------------------------------- */

/* A code segment reached directly (not through a gate): conforming code
 * needs DPL <= CPL, other code DPL = CPL and RPL <= CPL (SDM Vol. 3 5.8.1). */
static void check_direct_code(struct cpu *cpu, const struct desc *d, uint16_t sel)
{
    unsigned cpl = cpu->cpl, dpl = desc_dpl(d);
    if (desc_conforming(d) ? dpl > cpl : ((sel & 3u) > cpl || dpl != cpl))
        cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
    if (!desc_p(d)) cpu_raise(cpu, EXC_NP, sel_error(cpu, sel));
    if (long_active(cpu) && (d->hi & (1u << 21)) && (d->hi & (1u << 22)))
        cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
}

/* The descriptor sel names, or #GP: null is #GP(0), outside the table #GP(sel). */
static void read_target(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    if ((sel & 0xFFFC) == 0) cpu_raise(cpu, EXC_GP, 0);
    if (!desc_read(cpu, sel, d)) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
}

/* A call gate: its checks, then the code descriptor it names (SDM CALL
 * pseudo-code, "call gate").  In IA-32e mode the gate is 16 bytes and must
 * lead to 64-bit code. */
struct gate {
    uint16_t sel;
    uint64_t offset;
    unsigned size;          /* 2 for a 16-bit gate, 4 for 32-bit, 8 in IA-32e mode */
    unsigned params;
};

static void read_call_gate(struct cpu *cpu, uint16_t sel, struct desc *g, struct gate *out,
                           struct desc *code, bool call)
{
    unsigned cpl = cpu->cpl;
    if (long_active(cpu)) {
        if (!desc_read16(cpu, sel, g) || ((g->hi3 >> 8) & 0x1F) != 0)
            cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
    }
    if (desc_dpl(g) < cpl || desc_dpl(g) < (sel & 3u)) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
    if (!desc_p(g)) cpu_raise(cpu, EXC_NP, sel_error(cpu, sel));
    out->sel = (uint16_t)(g->lo >> 16);
    out->params = g->hi & 0x1F;
    out->size = long_active(cpu) ? 8 : desc_type(g) == 0xC ? 4 : 2;
    out->offset = g->lo & 0xFFFF;
    if (out->size >= 4) out->offset |= g->hi & 0xFFFF0000u;
    if (out->size == 8) out->offset |= (uint64_t)g->hi2 << 32;

    if ((out->sel & 0xFFFC) == 0) cpu_raise(cpu, EXC_GP, 0);
    if (!desc_read(cpu, out->sel, code) || !desc_code(code))
        cpu_raise(cpu, EXC_GP, sel_error(cpu, out->sel));
    unsigned dpl = desc_dpl(code);
    bool bad = call ? dpl > cpl
                    : desc_conforming(code) ? dpl > cpl : dpl != cpl;
    if (bad) cpu_raise(cpu, EXC_GP, sel_error(cpu, out->sel));
    if (!desc_p(code)) cpu_raise(cpu, EXC_NP, sel_error(cpu, out->sel));
    if (long_active(cpu) && (!(code->hi & (1u << 21)) || (code->hi & (1u << 22))))
        cpu_raise(cpu, EXC_GP, sel_error(cpu, out->sel));
}

static void jump_to(struct cpu *cpu, struct desc *code, unsigned cpl, uint64_t ip)
{
    check_ip(cpu, code, ip);
    seg_load_cs(cpu, code, cpl);
    cpu->rip = ip;
    cpu_update_mode(cpu);
}

/* JMP or CALL to a TSS descriptor or a task gate: DPL >= max(CPL, RPL) and
 * present, then (for a gate) the TSS it names (SDM JMP, "TASK-GATE"). */
static void task_via(struct cpu *cpu, uint16_t sel, struct desc *d, enum task_reason why)
{
    if (desc_dpl(d) < cpu->cpl || desc_dpl(d) < (sel & 3u)) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
    if (!desc_p(d)) cpu_raise(cpu, EXC_NP, sel_error(cpu, sel));
    if (desc_type(d) == 0x5) task_gate(cpu, (uint16_t)(d->lo >> 16), why, 0, false);
    else task_switch(cpu, sel, d, why, 0, false);
}

/* CALL through a gate to a more privileged non-conforming segment: the new
 * stack from the TSS, the caller's SS:ESP, the parameters, then CS:EIP
 * (SDM Vol. 3 5.8.5). */
static void call_inner(struct cpu *cpu, struct desc *code, const struct gate *g)
{
    unsigned dpl = desc_dpl(code), gs = g->size;
    uint16_t ss;
    uint64_t sp;
    struct frame f;
    struct desc ssd;
    tss_stack(cpu, dpl, &ss, &sp);
    if (long_active(cpu)) {
        /* IA-32e mode: RSP from the TSS, SS becomes null at the new level. */
        if (!canonical(cpu, sp)) cpu_raise(cpu, EXC_SS, 0);
        f = (struct frame){ null_stack((uint16_t)dpl, dpl), sp, 8, dpl < 3, EXC_SS, 0 };
    } else {
        check_inner_ss(cpu, ss, dpl, &ssd, EXC_TS, 0);
        f.sys = dpl < 3;
        desc_to_seg(&ssd, &f.ss);
        f.width = (f.ss.attr & SA_DB) ? 4 : 2;
        f.sp = truncate(sp, f.width);
        f.fault_vec = EXC_SS;
        f.fault_err = ss & 0xFFFC;
    }
    uint64_t old_sp = cpu->dmode == DM_64 ? cpu->gpr[RSP] : sp_get(cpu);
    frame_push(cpu, &f, gs, cpu->seg[SEG_SS].sel);
    frame_push(cpu, &f, gs, old_sp);
    if (gs != 8) {
        for (unsigned i = g->params; i-- > 0;)
            frame_push(cpu, &f, gs, stack_peek(cpu, (uint64_t)i * gs, gs));
    }
    frame_push(cpu, &f, gs, cpu->seg[SEG_CS].sel);
    frame_push(cpu, &f, gs, cpu->rip);
    uint64_t ip = gs == 2 ? g->offset & 0xFFFF : g->offset;
    check_ip(cpu, code, ip);
    if (!long_active(cpu)) desc_set_accessed(cpu, &ssd);
    commit_stack(cpu, &f);
    seg_load_cs(cpu, code, dpl);
    cpu->rip = ip;
    cpu_update_mode(cpu);
}

/* Push the return CS:IP on the current stack, both writes checked before RSP moves. */
static void push_return(struct cpu *cpu, unsigned size)
{
    struct frame f = current_frame(cpu, EXC_SS, 0);
    frame_push(cpu, &f, size, cpu->seg[SEG_CS].sel);
    frame_push(cpu, &f, size, cpu->rip);
    sp_set(cpu, f.sp);
}

/* Far JMP and CALL (SDM JMP and CALL pseudo-code): a code segment directly,
 * a call gate (to a more privileged level only for CALL), or a task. */
static void far_transfer(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osize, bool call)
{
    offset = truncate(offset, osize);
    if (real_like(cpu)) {
        if (offset > cpu->seg[SEG_CS].limit) cpu_raise(cpu, EXC_GP, 0);
        if (call) {
            uint64_t sp = sp_get(cpu);
            mem_write(cpu, SEG_SS, truncate(sp - 2 * osize, cpu->stack_size), osize, cpu->rip);
            mem_write(cpu, SEG_SS, truncate(sp - osize, cpu->stack_size), osize,
                      cpu->seg[SEG_CS].sel);
            sp_set(cpu, sp - 2 * osize);
        }
        load_cs_real_like(cpu, sel);
        cpu->rip = offset;
        cpu_update_mode(cpu);
        return;
    }
    struct desc d, code;
    struct gate g;
    read_target(cpu, sel, &d);
    if (desc_code(&d)) {
        check_direct_code(cpu, &d, sel);
        if (call) {
            check_ip(cpu, &d, offset);
            push_return(cpu, osize);
        }
        jump_to(cpu, &d, cpu->cpl, offset);
        return;
    }
    switch (desc_s(&d) ? 0 : desc_type(&d)) {
    case 0x4:
        if (long_active(cpu)) break;
        /* fall through */
    case 0xC: {
        read_call_gate(cpu, sel, &d, &g, &code, call);
        uint64_t ip = g.size == 2 ? g.offset & 0xFFFF : g.offset;
        if (call && !desc_conforming(&code) && desc_dpl(&code) < cpu->cpl) {
            call_inner(cpu, &code, &g);
            return;
        }
        if (call) {
            check_ip(cpu, &code, ip);
            push_return(cpu, g.size);
        }
        jump_to(cpu, &code, cpu->cpl, ip);
        return;
    }
    case 0x5: case 0x1: case 0x9:
        if (long_active(cpu)) break;
        task_via(cpu, sel, &d, call ? TASK_CALL : TASK_JMP);
        return;
    default:
        break;
    }
    cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
}

void far_jump(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osize)
{
    far_transfer(cpu, sel, offset, osize, false);
}

void far_call(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osize)
{
    far_transfer(cpu, sel, offset, osize, true);
}

/* ---- returns ------------------------------------------------------------- */

/* The CS a RET or IRET returns to (SDM RET pseudo-code, protected mode). */
static void check_return_cs(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    unsigned rpl = sel & 3;
    read_target(cpu, sel, d);
    if (!desc_code(d) || rpl < cpu->cpl) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
    unsigned dpl = desc_dpl(d);
    if (desc_conforming(d) ? dpl > rpl : dpl != rpl) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
    if (!desc_p(d)) cpu_raise(cpu, EXC_NP, sel_error(cpu, sel));
    if (long_active(cpu) && (d->hi & (1u << 21)) && (d->hi & (1u << 22)))
        cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
}

/* The SS a return to an outer level loads: a present writable data segment
 * at the new privilege; null only for 64-bit code below CPL 3. */
static void check_return_ss(struct cpu *cpu, uint16_t ss, unsigned rpl, bool to64,
                            struct desc *d)
{
    if ((ss & 0xFFFC) == 0) {
        if (to64 && rpl != 3) return;
        cpu_raise(cpu, EXC_GP, 0);
    }
    if (!desc_read(cpu, ss, d)) cpu_raise(cpu, EXC_GP, sel_error(cpu, ss));
    bool writable_data = desc_s(d) && !(d->hi & 0x800) && (d->hi & 0x200);
    if ((ss & 3u) != rpl || !writable_data || desc_dpl(d) != rpl)
        cpu_raise(cpu, EXC_GP, sel_error(cpu, ss));
    if (!desc_p(d)) cpu_raise(cpu, EXC_SS, sel_error(cpu, ss));
}

/* After a return to an outer level, data segment registers the new level
 * may not use become null (SDM RET: "FOR each of segment register ES, FS,
 * GS, and DS"). */
static void drop_inner_segments(struct cpu *cpu)
{
    static const int segs[] = { SEG_ES, SEG_FS, SEG_GS, SEG_DS };
    for (unsigned k = 0; k < 4; k++) {
        struct segment *s = &cpu->seg[segs[k]];
        bool data_or_nc = !(s->attr & SA_CODE) || !(s->attr & SA_EXPDOWN_OR_CONFORMING);
        unsigned dpl = (s->attr & SA_DPL) >> 5;
        if (!(s->attr & SA_P)) continue;
        if (data_or_nc && dpl < cpu->cpl) seg_load_null(cpu, segs[k], 0);
    }
}

/* Load SS and RSP for a return to an outer level (or IRET in 64-bit mode). */
static void return_stack(struct cpu *cpu, uint16_t ss, struct desc *ssd, uint64_t sp,
                         unsigned rpl)
{
    if ((ss & 0xFFFC) == 0) {
        /* 64-bit code below CPL 3: a null SS at the new privilege level. */
        cpu->seg[SEG_SS] = null_stack(ss, rpl);
    } else {
        desc_set_accessed(cpu, ssd);
        desc_to_seg(ssd, &cpu->seg[SEG_SS]);
    }
    cpu_update_mode(cpu);
    if (cpu->dmode == DM_64) cpu->gpr[RSP] = sp;
    else sp_set(cpu, sp);
}

void far_return(struct cpu *cpu, unsigned osize, unsigned ret_pop)
{
    uint64_t ip = truncate(stack_peek(cpu, 0, osize), osize);
    uint16_t sel = (uint16_t)stack_peek(cpu, osize, osize);
    if (real_like(cpu)) {
        if (ip > cpu->seg[SEG_CS].limit) cpu_raise(cpu, EXC_GP, 0);
        sp_set(cpu, sp_get(cpu) + 2 * osize + ret_pop);
        load_cs_real_like(cpu, sel);
        cpu->rip = ip;
        cpu_update_mode(cpu);
        return;
    }
    struct desc d, ssd;
    unsigned rpl = sel & 3;
    check_return_cs(cpu, sel, &d);
    if (rpl == cpu->cpl) {
        check_ip(cpu, &d, ip);
        uint64_t sp = cpu->dmode == DM_64 ? cpu->gpr[RSP] : sp_get(cpu);
        seg_load_cs(cpu, &d, rpl);
        cpu->rip = ip;
        if (cpu->dmode == DM_64) cpu->gpr[RSP] = sp + 2 * osize + ret_pop;
        else sp_set(cpu, sp + 2 * osize + ret_pop);
        cpu_update_mode(cpu);
        return;
    }
    uint64_t sp = truncate(stack_peek(cpu, 2 * osize + ret_pop, osize), osize);
    uint16_t ss = (uint16_t)stack_peek(cpu, 3 * osize + ret_pop, osize);
    check_return_ss(cpu, ss, rpl, desc_64bit(cpu, &d), &ssd);
    check_ip(cpu, &d, ip);
    seg_load_cs(cpu, &d, rpl);
    cpu->rip = ip;
    return_stack(cpu, ss, &ssd, sp + ret_pop, rpl);
    drop_inner_segments(cpu);
    cpu_update_mode(cpu);
}

/* ---- IRET ----------------------------------------------------------------- */

/* The EFLAGS bits IRET may write at the current privilege (SDM IRET:
 * IOPL only at CPL 0, IF when CPL <= IOPL, VIF/VIP at CPL 0). */
static void iret_flags(struct cpu *cpu, uint64_t fl, unsigned osize, unsigned old_cpl)
{
    uint64_t old = cpu_get_flags(cpu);
    uint64_t mask = FL_STATUS | FL_TF | FL_DF | FL_NT;
    if (osize >= 4) mask |= FL_RF | FL_AC | FL_ID;
    if (old_cpl == 0) {
        mask |= FL_IOPL;
        if (osize >= 4) mask |= FL_VIF | FL_VIP;
    }
    if (old_cpl <= ((old & FL_IOPL) >> 12)) mask |= FL_IF;
    if (osize == 2) mask &= 0xFFFF;
    cpu_set_flags(cpu, (old & ~mask) | (fl & mask));
    if (fl & mask & FL_RF) cpu->rf_until = cpu_instret_now(cpu) + 2;
}

/* Real-mode IRET: the whole FLAGS/EFLAGS image is writable except VM, VIF,
 * VIP and RF, which keep their values (SDM IRET pseudo-code, real mode). */
static void iret_real(struct cpu *cpu, unsigned osize)
{
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

/* IRET in virtual-8086 mode needs IOPL 3 (the VME forms are not
 * advertised); IOPL and VM keep their values. */
static void iret_v86(struct cpu *cpu, unsigned osize)
{
    if (!iopl_ok(cpu)) cpu_raise(cpu, EXC_GP, 0);
    uint64_t ip = stack_peek(cpu, 0, osize);
    uint16_t cs = (uint16_t)stack_peek(cpu, osize, osize);
    uint64_t fl = stack_peek(cpu, 2 * osize, osize);
    if (truncate(ip, osize) > cpu->seg[SEG_CS].limit) cpu_raise(cpu, EXC_GP, 0);
    sp_set(cpu, sp_get(cpu) + 3 * osize);
    uint64_t old = cpu_get_flags(cpu);
    uint64_t mask = FL_STATUS | FL_TF | FL_DF | FL_NT | FL_IF;
    if (osize == 4) mask |= FL_RF | FL_AC | FL_ID;
    cpu_set_flags(cpu, (old & ~mask) | (fl & mask));
    seg_load_v86(cpu, SEG_CS, cs);
    cpu->rip = truncate(ip, osize);
    cpu_update_mode(cpu);
}

/* IRETD at CPL 0 with VM set in the image: back to virtual-8086 mode, with
 * ESP, SS, ES, DS, FS and GS from the stack (SDM IRET, RETURN-TO-VIRTUAL-8086-MODE). */
static void iret_to_v86(struct cpu *cpu, uint64_t ip, uint16_t cs, uint64_t fl)
{
    uint64_t v[6];
    for (unsigned k = 0; k < 6; k++) v[k] = stack_peek(cpu, 12 + 4 * k, 4);
    cpu_set_flags(cpu, fl & 0x3F7FD5ull);
    if (fl & FL_RF) cpu->rf_until = cpu_instret_now(cpu) + 2;
    static const int segs[] = { SEG_SS, SEG_ES, SEG_DS, SEG_FS, SEG_GS };
    for (unsigned k = 0; k < 5; k++) seg_load_v86(cpu, segs[k], (uint16_t)v[k + 1]);
    seg_load_v86(cpu, SEG_CS, cs);
    cpu->gpr[RSP] = (uint32_t)v[0];
    cpu->rip = ip & 0xFFFF;
    cpu_update_mode(cpu);
}

void interrupt_return(struct cpu *cpu, unsigned osize)
{
    cpu->nmi_blocked = false;   /* IRET ends NMI blocking (SDM Vol. 3 6.7.1) */
    if (cpu->mode == MODE_REAL) {
        iret_real(cpu, osize);
        return;
    }
    if (cpu->mode == MODE_V86) {
        iret_v86(cpu, osize);
        return;
    }
    if (cpu->rflags & FL_NT) {
        if (long_active(cpu)) cpu_raise(cpu, EXC_GP, 0);
        uint16_t link = (uint16_t)tss_read(cpu, 0, 2);
        struct desc d;
        if ((link & 4) || !desc_read(cpu, link, &d)) cpu_raise(cpu, EXC_TS, sel_error(cpu, link));
        unsigned t = desc_type(&d);
        if (desc_s(&d) || (t != 0x3 && t != 0xB)) cpu_raise(cpu, EXC_TS, sel_error(cpu, link));
        if (!desc_p(&d)) cpu_raise(cpu, EXC_NP, sel_error(cpu, link));
        task_switch(cpu, link, &d, TASK_IRET, 0, false);
        return;
    }
    uint64_t ip = truncate(stack_peek(cpu, 0, osize), osize);
    uint16_t sel = (uint16_t)stack_peek(cpu, osize, osize);
    uint64_t fl = truncate(stack_peek(cpu, 2 * osize, osize), osize);
    unsigned old_cpl = cpu->cpl, rpl = sel & 3;
    if (osize == 4 && (fl & FL_VM) && old_cpl == 0 && !long_active(cpu)) {
        iret_to_v86(cpu, ip, sel, fl);
        return;
    }
    struct desc d, ssd;
    check_return_cs(cpu, sel, &d);
    bool from64 = cpu->dmode == DM_64;
    if (rpl == old_cpl && !from64) {
        check_ip(cpu, &d, ip);
        uint64_t sp = sp_get(cpu) + 3 * osize;
        seg_load_cs(cpu, &d, rpl);
        cpu->rip = ip;
        iret_flags(cpu, fl, osize, old_cpl);
        sp_set(cpu, sp);
        cpu_update_mode(cpu);
        return;
    }
    /* A return to an outer level, or any IRET in 64-bit mode: SS:RSP too. */
    uint64_t sp = truncate(stack_peek(cpu, 3 * osize, osize), osize);
    uint16_t ss = (uint16_t)stack_peek(cpu, 4 * osize, osize);
    check_return_ss(cpu, ss, rpl, desc_64bit(cpu, &d), &ssd);
    check_ip(cpu, &d, ip);
    seg_load_cs(cpu, &d, rpl);
    cpu->rip = ip;
    iret_flags(cpu, fl, osize, old_cpl);
    return_stack(cpu, ss, &ssd, sp, rpl);
    if (rpl > old_cpl) drop_inner_segments(cpu);
    cpu_update_mode(cpu);
}

/* ---- I/O permission -------------------------------------------------------- */

bool iopl_ok(const struct cpu *cpu)
{
    if (cpu->mode == MODE_REAL) return true;
    unsigned iopl = (unsigned)((cpu->rflags & FL_IOPL) >> 12);
    if (cpu->mode == MODE_V86) return iopl == 3;
    return cpu->cpl <= iopl;
}

/* CPL > IOPL (and always in virtual-8086 mode): every bit of the TSS I/O
 * permission bitmap covering the ports must be clear (SDM Vol. 1 19.5.2).
 * A 16-bit TSS has no bitmap. */
void io_check(struct cpu *cpu, uint16_t port, unsigned size)
{
    if (cpu->mode == MODE_REAL) return;
    if (cpu->mode != MODE_V86 && iopl_ok(cpu)) return;
    const struct segment *tr = &cpu->seg[SEG_TR];
    unsigned type = tr->attr & 0xF;
    if (!(tr->attr & SA_P) || (type != 0x9 && type != 0xB) || tr->limit < 0x67)
        cpu_raise(cpu, EXC_GP, 0);
    uint64_t base = tr->base;
    uint32_t map = (uint32_t)sys_read(cpu, long_active(cpu) ? base + 0x66 : (uint32_t)(base + 0x66), 2);
    uint32_t byte = map + port / 8;
    if (byte + 1 > tr->limit) cpu_raise(cpu, EXC_GP, 0);
    uint32_t bits = (uint32_t)sys_read(cpu, long_active(cpu) ? base + byte : (uint32_t)(base + byte), 2);
    uint32_t need = ((1u << size) - 1) << (port & 7);
    if (bits & need) cpu_raise(cpu, EXC_GP, 0);
}
