/* control.h - control and debug registers (cpu/control.c): the writes other
 * parts of the system need with the checks of MOV to CRn (SDM Vol. 3 2.5,
 * Vol. 2 MOV-Move to/from Control Registers).
 */
#ifndef RINGSIM_CONTROL_H
#define RINGSIM_CONTROL_H

#include <stdint.h>
#include "cpu.h"

/* Write CR0, CR2, CR3, CR4 or CR8 as MOV to CRn does after its privilege
 * check: #GP(0) for reserved bits and illegal combinations, TLB
 * invalidations, PDPTE loads, long-mode activation.  A task switch loads
 * CR3 through cr_write(cpu, 3, value). */
void cr_write(struct cpu *cpu, unsigned n, uint64_t value);

/* CR0, CR2, CR3, CR4 or CR8 (the local APIC's TPR[7:4] when there is one), as MOV
 * from CRn reads it; no checks. */
uint64_t cr_read(const struct cpu *cpu, unsigned n);

/* CR4 bits this CPU lets software set (what its features advertise). */
uint64_t cr4_writable(const struct cpu *cpu);

/* SGDT, SIDT, SLDT, SMSW and STR with CR4.UMIP at CPL > 0: #GP(0). */
void umip_check(struct cpu *cpu);

#endif
