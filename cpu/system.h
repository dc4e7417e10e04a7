/* system.h - the system-architecture services that instruction handlers
 * call: descriptors and segment loads (desc.c), far transfers, IRET and I/O
 * permission (system.c), interrupt and exception delivery (exception.c) and
 * task switches (task.c), as SDM Vol. 3 chapters 3, 5, 6 and 7 describe them.
 */
#ifndef RINGSIM_SYSTEM_H
#define RINGSIM_SYSTEM_H

#include "cpu.h"

/* ---- descriptors (desc.c) ---- */

/* A descriptor as read from the GDT or LDT: its two (or, for 16-byte system
 * descriptors in IA-32e mode, four) doublewords and where it lives. */
struct desc {
    uint16_t sel;
    uint64_t addr;          /* linear address of the descriptor */
    uint32_t lo, hi;        /* bytes 0-3 and 4-7 */
    uint32_t hi2, hi3;      /* bytes 8-15 of a 16-byte descriptor, else 0 */
};
static inline unsigned desc_type(const struct desc *d) { return (d->hi >> 8) & 0xF; }
static inline bool desc_s(const struct desc *d) { return d->hi & (1u << 12); }
static inline unsigned desc_dpl(const struct desc *d) { return (d->hi >> 13) & 3; }
static inline bool desc_p(const struct desc *d) { return d->hi & (1u << 15); }
static inline bool desc_code(const struct desc *d) { return desc_s(d) && (d->hi & 0x800); }
static inline bool desc_conforming(const struct desc *d) { return desc_code(d) && (d->hi & 0x400); }
static inline uint64_t desc_base(const struct desc *d)
{
    return (d->lo >> 16) | ((d->hi & 0xFF) << 16) | (d->hi & 0xFF000000u) |
           (desc_s(d) ? 0 : (uint64_t)d->hi2 << 32);
}

/* Selector error code: index, TI and the EXT bit of the event being delivered. */
uint32_t sel_error(const struct cpu *cpu, uint16_t sel);
/* Read the 8-byte (or 16-byte) descriptor sel names; false when the
 * selector lies outside its table (or names an unusable LDT). */
bool desc_read(struct cpu *cpu, uint16_t sel, struct desc *d);
bool desc_read16(struct cpu *cpu, uint16_t sel, struct desc *d);
void desc_to_seg(const struct desc *d, struct segment *s);
void desc_set_accessed(struct cpu *cpu, struct desc *d);
void desc_set_busy(struct cpu *cpu, struct desc *d, bool busy);

/* Load a data or stack segment register (MOV Sreg, POP Sreg, LDS ...) with
 * every check of the current mode; then the derived state is updated. */
void seg_load(struct cpu *cpu, int seg, uint16_t sel);
void seg_load_v86(struct cpu *cpu, int seg, uint16_t sel);
void seg_load_null(struct cpu *cpu, int seg, uint16_t sel);
/* The stack a null SS gives 64-bit code: usable, flat, at privilege dpl. */
struct segment null_stack(uint16_t sel, unsigned dpl);
/* CS from a descriptor already checked, at privilege cpl (no mode update). */
void seg_load_cs(struct cpu *cpu, struct desc *d, unsigned cpl);

/* ---- far transfers (system.c) ---- */

/* Far JMP / CALL / RET to sel:offset with the given operand size; ret_pop is
 * RETF imm's extra stack release. */
void far_jump(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osize);
void far_call(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osize);
void far_return(struct cpu *cpu, unsigned osize, unsigned ret_pop);
void interrupt_return(struct cpu *cpu, unsigned osize);   /* IRET/IRETD/IRETQ */

/* The inner stack for privilege level dpl from the current TSS (SS:ESP, or
 * RSP / IST n in IA-32e mode).  Faults are #TS with the TSS selector. */
void tss_stack(struct cpu *cpu, unsigned dpl, uint16_t *ss, uint64_t *sp);
uint64_t tss_ist(struct cpu *cpu, unsigned ist);

/* A stack being built away from SS:RSP (a privilege change) or on it: the
 * pushes check the segment limit and fault with fault_vec/fault_err, and the
 * registers change only when the caller commits. */
struct frame {
    struct segment ss;
    uint64_t sp;
    unsigned width;         /* stack pointer width: 2, 4 or 8 */
    bool     sys;           /* implicit supervisor writes (the new privilege is 0-2) */
    int      fault_vec;
    uint32_t fault_err;
};
void frame_push(struct cpu *cpu, struct frame *f, unsigned size, uint64_t v);
/* Check a loaded SS selector for the stack of privilege cpl: #TS unless it is
 * a present writable data segment with RPL = DPL = cpl (#SS if not present). */
void check_inner_ss(struct cpu *cpu, uint16_t ss, unsigned cpl, struct desc *d, int vec,
                    uint32_t ext);

/* ---- interrupts (exception.c) ---- */

/* INT n, INT3, INTO, INT1 and exceptions share one delivery path. */
enum int_source { INT_EXCEPTION, INT_SOFTWARE, INT_BREAKPOINT, INT_OVERFLOW, INT_ICEBP,
                  INT_EXTERNAL, INT_NMI };
_Noreturn void cpu_raise_int(struct cpu *cpu, int vector, enum int_source source);

/* ---- tasks (task.c) ---- */

enum task_reason { TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT };
/* Switch to the task whose TSS descriptor (or task gate's target) is sel. */
void task_switch(struct cpu *cpu, uint16_t sel, struct desc *tss, enum task_reason why,
                 uint32_t error, bool has_error);
/* Through a task gate: the TSS selector it holds, checked, then the switch. */
void task_gate(struct cpu *cpu, uint16_t tss, enum task_reason why, uint32_t error,
               bool has_error);

/* ---- I/O and flags ---- */

/* IN/OUT/INS/OUTS: #GP(0) unless CPL <= IOPL or the TSS I/O bitmap allows every port. */
void io_check(struct cpu *cpu, uint16_t port, unsigned size);

/* CLI/STI/POPF privilege rules need CPL and IOPL. */
bool iopl_ok(const struct cpu *cpu);

/* Raise a deferred #UD: counted, reported, named in the coverage report. */
_Noreturn void cpu_deferred(struct cpu *cpu, const char *what);

#endif
