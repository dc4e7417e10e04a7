/* debug.h - debug-register breakpoints and alignment checks (cpu/debug.c). */
#ifndef RINGSIM_DEBUG_H
#define RINGSIM_DEBUG_H

#include "cpu.h"

/* Recompute the enabled breakpoints after DR0-DR3 or DR7 change. */
void debug_update(struct cpu *cpu);
/* A deferred #UD when dr7 with cr4 would enable an I/O breakpoint. */
void debug_refuse_io(struct cpu *cpu, uint64_t dr7, uint64_t cr4);
/* B0-B3 bits of the instruction breakpoints at linear address lin. */
unsigned debug_exec_hits(const struct cpu *cpu, uint64_t lin);
/* Alignment check (#AC) and data breakpoints for one data access. */
void mem_data_checks(struct cpu *cpu, uint64_t lin, unsigned size, int access);
/* Raise the #DB trap for the pending data hits (plus extra DR6 bits). */
_Noreturn void debug_trap(struct cpu *cpu, uint64_t extra_dr6);

/* The debugger's breakpoints (linear PCs) and watchpoints (any length), one
 * table for every front end: owner (HOST_OWNER_*) sets or clears its own
 * claim, and the entry goes when no owner is left.  0, or -1 when the host
 * is out of memory or owner had no such entry. */
int debug_host_break(struct cpu *cpu, uint64_t lin, unsigned owner, bool set);
int debug_host_watch(struct cpu *cpu, uint64_t addr, uint64_t len, unsigned kind, unsigned owner,
                     bool set);
/* Drop every claim of the owners in mask. */
void debug_host_drop(struct cpu *cpu, unsigned mask);
/* Drop them all (and free their tables). */
void debug_host_clear(struct cpu *cpu);
/* The next run passes a breakpoint at lin once (the PC it resumes from). */
void debug_host_resume(struct cpu *cpu, uint64_t lin);
/* The owners of the debugger breakpoint at lin (0: none). */
unsigned debug_host_break_at(const struct cpu *cpu, uint64_t lin);

#endif
