/* exception.c - the one fault path (SDM Vol. 3 ch. 6).
 *
 * cpu_raise() records the exception and unwinds to the dispatch loop, which
 * calls exception_dispatch(): faults rewind RIP to the faulting instruction,
 * a second exception during delivery combines by the #DF table (6-5), a
 * fault while delivering #DF shuts the machine down (triple fault).
 * Delivery through the real-mode IVT is here; through the protected-mode
 * and long-mode IDT it arrives with the system-architecture issue.
 */
#include <stdio.h>
#include <stdlib.h>
#include "ops.h"
#include "exec.h"
#include "system.h"
#include "handlers.h"

enum exc_class { EXC_FAULT, EXC_TRAP, EXC_ABORT, EXC_INTERRUPT };
enum df_class { DF_BENIGN, DF_CONTRIBUTORY, DF_PAGE };

/* One row per vector: how it behaves (SDM Vol. 3 table 6-1 and 6-4). */
static const struct {
    const char *name;
    uint8_t cls;
    uint8_t error_code;
    uint8_t df;
} vectors[32] = {
    [0]  = { "#DE", EXC_FAULT, 0, DF_CONTRIBUTORY },
    [1]  = { "#DB", EXC_TRAP, 0, DF_BENIGN },
    [2]  = { "NMI", EXC_INTERRUPT, 0, DF_BENIGN },
    [3]  = { "#BP", EXC_TRAP, 0, DF_BENIGN },
    [4]  = { "#OF", EXC_TRAP, 0, DF_BENIGN },
    [5]  = { "#BR", EXC_FAULT, 0, DF_BENIGN },
    [6]  = { "#UD", EXC_FAULT, 0, DF_BENIGN },
    [7]  = { "#NM", EXC_FAULT, 0, DF_BENIGN },
    [8]  = { "#DF", EXC_ABORT, 1, DF_BENIGN },
    [9]  = { "CSO", EXC_ABORT, 0, DF_CONTRIBUTORY },
    [10] = { "#TS", EXC_FAULT, 1, DF_CONTRIBUTORY },
    [11] = { "#NP", EXC_FAULT, 1, DF_CONTRIBUTORY },
    [12] = { "#SS", EXC_FAULT, 1, DF_CONTRIBUTORY },
    [13] = { "#GP", EXC_FAULT, 1, DF_CONTRIBUTORY },
    [14] = { "#PF", EXC_FAULT, 1, DF_PAGE },
    [15] = { "#15", EXC_FAULT, 0, DF_BENIGN },
    [16] = { "#MF", EXC_FAULT, 0, DF_BENIGN },
    [17] = { "#AC", EXC_FAULT, 1, DF_BENIGN },
    [18] = { "#MC", EXC_ABORT, 0, DF_BENIGN },
    [19] = { "#XM", EXC_FAULT, 0, DF_BENIGN },
    [20] = { "#VE", EXC_FAULT, 0, DF_PAGE },
    [21] = { "#CP", EXC_FAULT, 1, DF_CONTRIBUTORY },
};

const char *exception_name(int vector)
{
    if (vector >= 0 && vector < 32 && vectors[vector].name) return vectors[vector].name;
    return "interrupt";
}

_Noreturn static void unwind(struct cpu *cpu)
{
    if (!cpu->unwind) {
        /* An exception outside cpu_run is a simulator bug, not a guest event. */
        fprintf(stderr, "ringsim: %s raised outside the dispatch loop\n",
                exception_name(cpu->exc_vector));
        abort();
    }
    longjmp(*cpu->unwind, 1);
}

_Noreturn void cpu_raise(struct cpu *cpu, int vector, uint32_t error)
{
    cpu->exc_vector = vector;
    cpu->exc_error = (vector < 32 && vectors[vector].error_code) ? error : EXC_NO_ERROR;
    cpu->exc_source = INT_EXCEPTION;
    unwind(cpu);
}

_Noreturn void cpu_raise_int(struct cpu *cpu, int vector, enum int_source source)
{
    cpu->exc_vector = vector;
    cpu->exc_error = EXC_NO_ERROR;
    cpu->exc_source = source;
    unwind(cpu);
}

_Noreturn void cpu_deferred(struct cpu *cpu, const char *what)
{
    cpu->stats.deferred_ud++;
    cpu->deferred_what = what;
    cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
}

void op_ud(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
}

void op_deferred(struct cpu *cpu, const struct insn *in)
{
    cpu_deferred(cpu, insn_mnemonic(in));
}

/* x87 forms (SDM Vol. 3 table 2-2): CR0.EM or CR0.TS set gives #NM, so an
 * operating system can emulate the FPU or switch its state lazily.  With
 * both clear the x87 issue has not arrived yet: a deferred #UD, and CPUID
 * does not advertise an FPU. */
void op_x87(struct cpu *cpu, const struct insn *in)
{
    if (cpu->cr0 & (CR0_EM | CR0_TS)) cpu_raise(cpu, EXC_NM, EXC_NO_ERROR);
    op_deferred(cpu, in);
}

/* WAIT/FWAIT: #NM only when CR0.MP and CR0.TS are both set. */
void op_fwait(struct cpu *cpu, const struct insn *in)
{
    if ((cpu->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) cpu_raise(cpu, EXC_NM, EXC_NO_ERROR);
    op_deferred(cpu, in);
}

/* MMX and SSE forms: CR0.EM gives #UD before CR0.TS gives #NM (SDM Vol. 3
 * 13.1, 2.5). */
void op_simd(struct cpu *cpu, const struct insn *in)
{
    if (cpu->cr0 & CR0_EM) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
    if (cpu->cr0 & CR0_TS) cpu_raise(cpu, EXC_NM, EXC_NO_ERROR);
    op_deferred(cpu, in);
}

/* ---- delivery ----------------------------------------------------------- */

static void stop(struct cpu *cpu, enum cpu_exit why, const char *msg)
{
    snprintf(cpu->stop_message, sizeof cpu->stop_message, "%s", msg);
    cpu->exit_reason = why;
}

/* Real-address mode (SDM Vol. 3 20.1.4): FLAGS, CS, IP onto the stack, IF,
 * TF and AC cleared, CS:IP from the vector's IVT entry. */
static void deliver_real(struct cpu *cpu, int vector)
{
    if ((uint32_t)vector * 4 + 3 > cpu->idtr.limit) cpu_raise(cpu, EXC_GP, 0);
    uint64_t entry = cpu->idtr.base + (uint64_t)vector * 4;
    uint16_t ip = (uint16_t)mem_read_linear(cpu, entry, 2);
    uint16_t cs = (uint16_t)mem_read_linear(cpu, entry + 2, 2);
    push(cpu, 2, cpu_get_flags(cpu));
    push(cpu, 2, cpu->seg[SEG_CS].sel);
    push(cpu, 2, cpu->rip);
    cpu->rflags &= ~(uint64_t)(FL_IF | FL_TF | FL_AC | FL_RF);
    cpu_load_seg_real(cpu, SEG_CS, cs);
    cpu->rip = ip;
    cpu->gate = "IVT";
}

static bool is_software(int source)
{
    return source == INT_SOFTWARE || source == INT_BREAKPOINT || source == INT_OVERFLOW;
}

/* The EFLAGS image an event pushes: RF is 1 for a fault (SDM Vol. 3
 * 17.3.1.1), so the handler's IRET does not re-trigger an instruction
 * breakpoint on the restarted instruction. */
static uint64_t pushed_flags(struct cpu *cpu, int vector, int source)
{
    uint64_t fl = cpu_get_flags(cpu);
    if (source == INT_EXCEPTION && vector < 32 && vectors[vector].cls == EXC_FAULT) fl |= FL_RF;
    return fl;
}

/* The IDT gate for vector: 8 bytes in legacy mode, 16 in IA-32e mode, with
 * the checks every gate gets (SDM Vol. 3 6.12.1.1-6.12.1.2): #GP(vector*8+2+EXT)
 * beyond the limit, for a bad type, or for INT n through a gate whose DPL is
 * below the CPL; #NP(vector*8+2+EXT) when not present. */
static void read_gate(struct cpu *cpu, int vector, int source, struct desc *g)
{
    bool lm = cpu->efer & EFER_LMA;
    unsigned esize = lm ? 16 : 8;
    uint32_t err = (uint32_t)vector * 8 + 2 + cpu->ext;
    if ((uint32_t)vector * esize + esize - 1 > cpu->idtr.limit) cpu_raise(cpu, EXC_GP, err);
    uint64_t at = cpu->idtr.base + (uint64_t)vector * esize;
    if (!lm) at = (uint32_t)at;
    uint64_t raw = sys_read(cpu, at, 8);
    g->sel = (uint16_t)vector;
    g->addr = at;
    g->lo = (uint32_t)raw;
    g->hi = (uint32_t)(raw >> 32);
    g->hi2 = g->hi3 = 0;
    if (lm) {
        uint64_t up = sys_read(cpu, at + 8, 8);
        g->hi2 = (uint32_t)up;
        g->hi3 = (uint32_t)(up >> 32);
    }
    unsigned type = desc_s(g) ? 0 : desc_type(g);
    bool ok = lm ? (type == 0xE || type == 0xF)
                 : (type == 0x5 || type == 0x6 || type == 0x7 || type == 0xE || type == 0xF);
    if (!ok) cpu_raise(cpu, EXC_GP, err);
    if (is_software(source) && desc_dpl(g) < cpu->cpl) cpu_raise(cpu, EXC_GP, err);
    if (!desc_p(g)) cpu_raise(cpu, EXC_NP, err);
}

/* The handler's code segment (SDM Vol. 3 6.12.1.1): #GP(EXT) for a null
 * selector, #GP(sel+EXT) for anything but code at DPL <= CPL, #NP(sel+EXT). */
static void read_handler_cs(struct cpu *cpu, uint16_t sel, struct desc *cs)
{
    if ((sel & 0xFFFC) == 0) cpu_raise(cpu, EXC_GP, cpu->ext);
    if (!desc_read(cpu, sel, cs) || !desc_code(cs) || desc_dpl(cs) > cpu->cpl)
        cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
    if (!desc_p(cs)) cpu_raise(cpu, EXC_NP, sel_error(cpu, sel));
    if ((cpu->efer & EFER_LMA) && (!(cs->hi & (1u << 21)) || (cs->hi & (1u << 22))))
        cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
}

/* Finish a delivery: the new CS:RIP and the flag changes every gate makes
 * (TF, NT, RF and VM cleared; IF too through an interrupt gate). */
static void enter_handler(struct cpu *cpu, struct desc *cs, unsigned cpl, uint64_t ip,
                          bool trap_gate)
{
    seg_load_cs(cpu, cs, cpl);
    cpu->rip = ip;
    uint64_t clear = FL_TF | FL_NT | FL_RF | FL_VM | (trap_gate ? 0 : FL_IF);
    cpu->rflags &= ~clear;
    cpu_update_mode(cpu);
}

/* Protected mode through a legacy IDT (SDM Vol. 3 6.12.1): interrupt and
 * trap gates of 16 or 32 bits, with a stack switch from the TSS when the
 * handler is more privileged, out of virtual-8086 mode included; task gates. */
static void deliver_prot(struct cpu *cpu, int vector, int source, uint32_t error, bool has_error)
{
    struct desc g, cs, ssd;
    /* INT n (not INT3 or INTO) out of virtual-8086 mode is IOPL-sensitive
     * (SDM Vol. 3 20.3.3, method 1 and 2; VME is not advertised). */
    if (cpu->mode == MODE_V86 && source == INT_SOFTWARE && (cpu->rflags & FL_IOPL) != FL_IOPL)
        cpu_raise(cpu, EXC_GP, 0);
    read_gate(cpu, vector, source, &g);
    if (desc_type(&g) == 0x5) {
        /* The old task's EFLAGS image in its TSS gets RF as a pushed one would. */
        cpu->task_rf = (pushed_flags(cpu, vector, source) & FL_RF) != 0;
        task_gate(cpu, (uint16_t)(g.lo >> 16), TASK_INT, error, has_error);
        cpu->task_rf = false;
        cpu->gate = "task gate";
        return;
    }
    unsigned gsize = (desc_type(&g) & 0x8) ? 4 : 2;
    bool trap_gate = desc_type(&g) & 1;
    uint16_t sel = (uint16_t)(g.lo >> 16);
    uint64_t ip = (g.lo & 0xFFFF) | (gsize == 4 ? (g.hi & 0xFFFF0000u) : 0);
    read_handler_cs(cpu, sel, &cs);
    unsigned dpl = desc_dpl(&cs), cpl = cpu->cpl;
    bool v86 = cpu->mode == MODE_V86;
    uint64_t flags = pushed_flags(cpu, vector, source);
    struct frame f;
    if (!desc_conforming(&cs) && dpl < cpl) {
        uint16_t ss;
        uint64_t sp;
        if (v86 && dpl != 0) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
        tss_stack(cpu, dpl, &ss, &sp);
        check_inner_ss(cpu, ss, dpl, &ssd, EXC_TS, cpu->ext);
        desc_to_seg(&ssd, &f.ss);
        f.width = (f.ss.attr & SA_DB) ? 4 : 2;
        f.sp = truncate(sp, f.width);
        f.sys = dpl < 3;
        f.fault_vec = EXC_SS;
        f.fault_err = sel_error(cpu, ss);
        if (v86) {
            frame_push(cpu, &f, gsize, cpu->seg[SEG_GS].sel);
            frame_push(cpu, &f, gsize, cpu->seg[SEG_FS].sel);
            frame_push(cpu, &f, gsize, cpu->seg[SEG_DS].sel);
            frame_push(cpu, &f, gsize, cpu->seg[SEG_ES].sel);
        }
        frame_push(cpu, &f, gsize, cpu->seg[SEG_SS].sel);
        frame_push(cpu, &f, gsize, cpu->gpr[RSP]);
    } else {
        if (v86) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
        if (!desc_conforming(&cs) && dpl != cpl) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
        dpl = cpl;
        f = (struct frame){ cpu->seg[SEG_SS], sp_get(cpu), cpu->stack_size, false, EXC_SS,
                            cpu->ext };
    }
    frame_push(cpu, &f, gsize, flags);
    frame_push(cpu, &f, gsize, cpu->seg[SEG_CS].sel);
    frame_push(cpu, &f, gsize, cpu->rip);
    if (has_error) frame_push(cpu, &f, gsize, error);
    if (gsize == 2) ip &= 0xFFFF;
    struct segment target;
    desc_to_seg(&cs, &target);
    if (ip > target.limit) cpu_raise(cpu, EXC_GP, cpu->ext);

    /* Every check passed: commit. */
    if (dpl < cpl) {
        desc_set_accessed(cpu, &ssd);
        cpu->seg[SEG_SS] = f.ss;
        if (v86) {
            static const int segs[] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };
            for (unsigned k = 0; k < 4; k++) seg_load_null(cpu, segs[k], 0);
        }
    }
    cpu->gpr[RSP] = f.width == 4 ? (uint32_t)f.sp : (cpu->gpr[RSP] & ~0xFFFFull) | (f.sp & 0xFFFF);
    enter_handler(cpu, &cs, dpl, ip, trap_gate);
    static const char *const kinds[2][2] = { { "16-bit interrupt gate", "16-bit trap gate" },
                                             { "32-bit interrupt gate", "32-bit trap gate" } };
    cpu->gate = kinds[gsize == 4][trap_gate];
}

/* IA-32e mode (SDM Vol. 3 6.14): 16-byte gates to 64-bit code, a stack from
 * RSP0-2 on a privilege change or from the IST, aligned to 16 bytes, and
 * SS:RSP, RFLAGS, CS:RIP always pushed as 8-byte values. */
static void deliver_long(struct cpu *cpu, int vector, int source, uint32_t error, bool has_error)
{
    struct desc g, cs;
    read_gate(cpu, vector, source, &g);
    uint16_t sel = (uint16_t)(g.lo >> 16);
    uint64_t ip = (g.lo & 0xFFFF) | (g.hi & 0xFFFF0000u) | (uint64_t)g.hi2 << 32;
    unsigned ist = g.hi & 7;
    bool trap_gate = desc_type(&g) & 1;
    read_handler_cs(cpu, sel, &cs);
    unsigned dpl = desc_dpl(&cs), cpl = cpu->cpl;
    uint64_t sp;
    if (!desc_conforming(&cs) && dpl < cpl) {
        uint16_t ss;
        tss_stack(cpu, dpl, &ss, &sp);
    } else {
        if (!desc_conforming(&cs) && dpl != cpl) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
        dpl = cpl;
        sp = cpu->gpr[RSP];
    }
    if (ist) sp = tss_ist(cpu, ist);
    if (!canonical(cpu, ip)) cpu_raise(cpu, EXC_GP, cpu->ext);
    struct frame f = { cpu->seg[SEG_SS], sp & ~0xFull, 8, dpl < 3, EXC_SS, cpu->ext };
    uint64_t flags = pushed_flags(cpu, vector, source);
    frame_push(cpu, &f, 8, cpu->seg[SEG_SS].sel);
    frame_push(cpu, &f, 8, cpu->gpr[RSP]);
    frame_push(cpu, &f, 8, flags);
    frame_push(cpu, &f, 8, cpu->seg[SEG_CS].sel);
    frame_push(cpu, &f, 8, cpu->rip);
    if (has_error) frame_push(cpu, &f, 8, error);
    if (dpl < cpl) {
        cpu->seg[SEG_SS] = null_stack((uint16_t)dpl, dpl);
    }
    cpu->gpr[RSP] = f.sp;
    enter_handler(cpu, &cs, dpl, ip, trap_gate);
    cpu->gate = trap_gate ? (ist ? "64-bit trap gate (IST)" : "64-bit trap gate")
                          : (ist ? "64-bit interrupt gate (IST)" : "64-bit interrupt gate");
}

/* How a second exception during delivery combines with the first (table 6-5). */
static int combine(int first, int second)
{
    if (first == EXC_DF) return -1;                         /* triple fault */
    uint8_t a = first < 32 ? vectors[first].df : DF_BENIGN;
    uint8_t b = second < 32 ? vectors[second].df : DF_BENIGN;
    if (a == DF_CONTRIBUTORY && b == DF_CONTRIBUTORY) return EXC_DF;
    if (a == DF_PAGE && (b == DF_CONTRIBUTORY || b == DF_PAGE)) return EXC_DF;
    return second;                                          /* handled serially */
}

/* "#GP(0x10) while delivering #NP(0x43), then #DF": the chain, for the stop message. */
static void describe_chain(const struct cpu *cpu, char *buf, size_t len)
{
    size_t at = 0;
    for (unsigned k = 0; k < cpu->chain_len && at < len; k++) {
        int v = cpu->chain[k];
        if (v < 32) at += (size_t)snprintf(buf + at, len - at, "%s%s", k ? " -> " : "",
                                           exception_name(v));
        else at += (size_t)snprintf(buf + at, len - at, "%svector %d", k ? " -> " : "", v);
    }
}

bool exception_dispatch(struct cpu *cpu)
{
    cpu->task_rf = false;
    int vector = cpu->exc_vector;
    int source = cpu->exc_source;
    if (cpu->on_exception)
        cpu->on_exception(cpu->observer, vector, cpu->exc_error, source);
    if (source == INT_EXCEPTION && vector < 32 && vectors[vector].cls == EXC_FAULT) {
        cpu->rip = cpu->insn_start;
        cpu->dbg.pending = 0;       /* a faulting instruction reports no data breakpoint */
    }
    if (cpu->stop_on_exception) {
        cpu->exit_reason = EXIT_EXCEPTION;
        cpu->delivering = false;
        return true;
    }
    if (cpu->delivering) {
        int combined = combine(cpu->first_vector, vector);
        if (cpu->chain_len < 6) cpu->chain[cpu->chain_len++] = (uint8_t)vector;
        if (combined < 0) {
            char chain[64], msg[sizeof cpu->stop_message];
            describe_chain(cpu, chain, sizeof chain);
            snprintf(msg, sizeof msg, "triple fault (shutdown): %s at %#llx, the last one "
                     "while delivering #DF", chain, (unsigned long long)cpu->rip);
            cpu->delivering = false;
            cpu->ext = 0;
            stop(cpu, EXIT_SHUTDOWN, msg);
            return true;
        }
        if (combined == EXC_DF) {
            if (cpu->chain_len < 6) cpu->chain[cpu->chain_len++] = EXC_DF;
            cpu->exc_error = 0;
        }
        vector = combined;
        cpu->exc_vector = vector;
        source = INT_EXCEPTION;
    } else {
        cpu->chain[0] = (uint8_t)vector;
        cpu->chain_len = 1;
    }
    cpu->delivering = true;
    cpu->first_vector = vector;
    /* EXT: this delivery is not that of INT n, INT3 or INTO (SDM Vol. 3 6.13). */
    cpu->ext = is_software(source) ? 0 : 1;
    bool has_error = cpu->exc_error != EXC_NO_ERROR && source == INT_EXCEPTION;
    unsigned old_cpl = cpu->cpl;
    if (cpu->mode == MODE_REAL) deliver_real(cpu, vector);
    else if (cpu->efer & EFER_LMA) deliver_long(cpu, vector, source, cpu->exc_error, has_error);
    else deliver_prot(cpu, vector, source, cpu->exc_error, has_error);
    cpu->delivering = false;
    cpu->ext = 0;
    if (cpu->on_delivered) cpu->on_delivered(cpu->observer, vector, cpu->gate, old_cpl, cpu->cpl);
    return false;
}
