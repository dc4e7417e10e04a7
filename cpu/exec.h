/* exec.h - the decode cache and dispatch loop's internal interface, used by
 * the memory path (self-modifying code) and the fault path.
 */
#ifndef RINGSIM_EXEC_H
#define RINGSIM_EXEC_H

#include <stdbool.h>
#include "cpu.h"

int  dc_init(struct cpu *cpu);
void dc_free(struct cpu *cpu);
bool dc_page_has_code(struct cpu *cpu, uint64_t ppage);
void dc_invalidate_page(struct cpu *cpu, uint64_t ppage);
void dc_flush_jump_cache(struct cpu *cpu);
void dc_flush_all(struct cpu *cpu);
void tlb_drop_write(struct cpu *cpu, uint64_t ppage);
/* The speed TLB alone (cpu->tlb[]): everything, or the slot of one linear page. */
void speed_tlb_flush(struct cpu *cpu);            /* both sets */
void speed_tlb_flush_set(struct cpu *cpu, unsigned k);
void speed_tlb_new_gen(struct cpu *cpu, unsigned k);
void speed_tlb_drop_page(struct cpu *cpu, uint64_t lpage);
uint64_t mem_fetch_phys(struct cpu *cpu, uint64_t lin);

/* Code hooks (hook.c): the table changed at lin (drop the blocks holding
 * it); run the hooks at lin (true: one asked to stop before it); is any
 * hooked address in [lo, hi)?  Free the table. */
void dc_hook_changed(struct cpu *cpu, uint64_t lin);
bool cpu_hooks_run(struct cpu *cpu, uint64_t lin);
bool cpu_hook_in(const struct cpu *cpu, uint64_t lo, uint64_t hi);
void cpu_hooks_free(struct cpu *cpu);

/* The fault path (exception.c): called by the dispatch loop after cpu_raise
 * unwound to it; returns true when the run must stop. */
bool exception_dispatch(struct cpu *cpu);
const char *exception_name(int vector);

#endif
