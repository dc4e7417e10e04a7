/* regs.h - the register layouts the GDB stub offers (GDB manual G.2-G.5,
 * "Target Descriptions" and the i386 features).  One layout per connection,
 * chosen from the CPU mode when gdb connects:
 *   GDB_LAYOUT_32  real or protected mode: architecture i8086 (so "set
 *                  architecture i386/i8086" both work) with 32-bit slots;
 *   GDB_LAYOUT_64  long mode: i386:x86-64 with 64-bit slots.
 * After a mode change the layout stays (gdb cannot resize registers within
 * a connection): values are truncated or zero-extended; reconnecting
 * chooses again.  In real and V86 mode the PC slot holds the linear
 * address CS.base + IP.
 */
#ifndef RINGSIM_GDB_REGS_H
#define RINGSIM_GDB_REGS_H

#include <stddef.h>
#include <stdint.h>
#include "cpu/cpu.h"

enum gdb_layout { GDB_LAYOUT_32, GDB_LAYOUT_64 };

enum gdb_layout gdb_layout_for(const struct cpu *cpu);
unsigned gdb_reg_count(enum gdb_layout l);
const char *gdb_reg_name(enum gdb_layout l, unsigned n);
unsigned gdb_reg_bytes(enum gdb_layout l, unsigned n);     /* 0: no such register */
/* Remote numbers of the registers a stop reply expedites. */
unsigned gdb_reg_pc(enum gdb_layout l);
unsigned gdb_reg_sp(enum gdb_layout l);
unsigned gdb_reg_fp(enum gdb_layout l);
unsigned gdb_reg_flags(enum gdb_layout l);

/* Register n into out (gdb_reg_bytes bytes, little-endian). */
void gdb_reg_get(struct cpu *cpu, enum gdb_layout l, unsigned n, uint8_t *out);
/* Write register n from in: 0, or -1 when the register cannot be written
 * this way (writing a value equal to the current one always succeeds). */
int gdb_reg_set(struct cpu *cpu, enum gdb_layout l, unsigned n, const uint8_t *in);

/* The linear address of the next instruction, as breakpoints see it, and
 * the value the PC slot shows. */
uint64_t gdb_linear_pc(const struct cpu *cpu);
uint64_t gdb_reported_pc(const struct cpu *cpu);

/* target.xml for the layout (NUL-terminated, static storage). */
const char *gdb_target_xml(enum gdb_layout l);

#endif
