/* system.h - the system-architecture services that instruction handlers
 * call: segment loads, far transfers, interrupts, I/O permission.
 *
 * In this first version they implement real mode completely and, in
 * protected and long mode, the flat cases the core needs; the descriptor
 * checks of SDM Vol. 3 ch. 5 arrive with the system-architecture issue and
 * until then raise a counted, deferred #UD (see op_deferred).
 */
#ifndef RINGSIM_SYSTEM_H
#define RINGSIM_SYSTEM_H

#include "cpu.h"

/* Load a data or stack segment register (MOV Sreg, POP Sreg, LDS ...). */
void seg_load(struct cpu *cpu, int seg, uint16_t sel);

/* Far JMP / CALL / RET to sel:offset with the given operand size; ret_pop is
 * RETF imm's extra stack release. */
void far_jump(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osize);
void far_call(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osize);
void far_return(struct cpu *cpu, unsigned osize, unsigned ret_pop);
void interrupt_return(struct cpu *cpu, unsigned osize);   /* IRET/IRETD/IRETQ */

/* INT n, INT3, INTO, INT1 and exceptions share one delivery path. */
enum int_source { INT_EXCEPTION, INT_SOFTWARE, INT_BREAKPOINT, INT_OVERFLOW, INT_ICEBP,
                  INT_EXTERNAL };
_Noreturn void cpu_raise_int(struct cpu *cpu, int vector, enum int_source source);

/* IN/OUT/INS/OUTS: #GP(0) or deferred when CPL > IOPL and the TSS bitmap decides. */
void io_check(struct cpu *cpu, uint16_t port, unsigned size);

/* CLI/STI/POPF privilege rules need CPL and IOPL. */
bool iopl_ok(const struct cpu *cpu);

/* Raise a deferred #UD: counted, reported, named in the coverage report. */
_Noreturn void cpu_deferred(struct cpu *cpu, const char *what);

#endif
