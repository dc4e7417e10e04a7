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

bool exception_dispatch(struct cpu *cpu)
{
    int vector = cpu->exc_vector;
    if (cpu->on_exception)
        cpu->on_exception(cpu->observer, vector, cpu->exc_error, cpu->exc_source);
    if (cpu->exc_source == INT_EXCEPTION && vector < 32 && vectors[vector].cls == EXC_FAULT)
        cpu->rip = cpu->insn_start;
    if (cpu->stop_on_exception) {
        cpu->exit_reason = EXIT_EXCEPTION;
        cpu->delivering = false;
        return true;
    }
    if (cpu->delivering) {
        vector = combine(cpu->first_vector, vector);
        if (vector < 0) {
            cpu->delivering = false;
            stop(cpu, EXIT_SHUTDOWN, "triple fault: a fault while delivering #DF");
            return true;
        }
        cpu->exc_vector = vector;
        cpu->exc_error = vector == EXC_DF ? 0 : cpu->exc_error;
    }
    cpu->delivering = true;
    cpu->first_vector = vector;
    if (cpu->mode == MODE_REAL) {
        deliver_real(cpu, vector);
    } else {
        char msg[160];
        snprintf(msg, sizeof msg, "%s (vector %d) at %#llx: delivery through the IDT in "
                 "protected and long mode arrives with the system-architecture issue",
                 exception_name(vector), vector, (unsigned long long)cpu->rip);
        cpu->delivering = false;
        stop(cpu, EXIT_SHUTDOWN, msg);
        return true;
    }
    cpu->delivering = false;
    return false;
}
