/* model.h - the panels' text models: each one a function from the
 * session's machine to lines of text with attributes (ui/text.h).  The
 * window draws exactly these; the tests assert on them.  No SDL here.
 */
#ifndef RINGSIM_UI_MODEL_H
#define RINGSIM_UI_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "ui/session.h"
#include "ui/text.h"

/* One decoded instruction (Zydis, in the CPU's current mode). */
struct ui_insn {
    unsigned length;
    bool is_call, is_ret;
    char text[96];                  /* Intel syntax, branch targets with symbols */
};
int ui_decode_at(struct ui_session *s, uint64_t lin, struct ui_insn *out);

/* Registers: GPRs, EIP, EFLAGS decoded, segments with their hidden caches,
 * CR0/2/3/4/8 and EFER decoded, DR0-7, the SYSENTER MSRs, STAR/LSTAR,
 * FS/GS/KERNEL_GS base, TSC.  Changed since the last stop: UI_CHANGED. */
void ui_model_registers(struct ui_session *s, struct ui_text *t);
/* Disassembly from a few instructions before the PC: "symbol+off: bytes
 * text", the PC line UI_PC, breakpoints UI_BREAK with a '*' (the
 * window's) or a 'g' (set by gdb alone).  pcs[i] gets
 * each line's address (for the mouse), up to npcs. */
void ui_model_disasm(struct ui_session *s, struct ui_text *t, unsigned lines, uint64_t *pcs,
                     unsigned npcs);
/* Memory at s->mem_addr (linear), and the stack at ESP. */
void ui_model_memory(struct ui_session *s, struct ui_text *t, unsigned rows);
void ui_model_stack(struct ui_session *s, struct ui_text *t, unsigned rows);
/* GDT entries (with the segment registers that hold them), the IDT's first
 * vectors and the system-call gates, the current TSS. */
void ui_model_gdt(struct ui_session *s, struct ui_text *t);
void ui_model_idt(struct ui_session *s, struct ui_text *t, unsigned max);
void ui_model_tss(struct ui_session *s, struct ui_text *t);
/* The page walk of s->walk_addr: CR3 (PCID) -> each level -> frame. */
void ui_model_pagewalk(struct ui_session *s, struct ui_text *t);
/* The architectural TLB: every valid entry with its PCID, and the counters. */
void ui_model_tlb(struct ui_session *s, struct ui_text *t, unsigned max);
/* The current thread's KTRAP_FRAME field by field (being built: written
 * slots UI_CHANGED, the rest UI_GREY), with TSS.Esp0 and MSRs 0x175/0x176. */
void ui_model_trapframe(struct ui_session *s, struct ui_text *t);
/* !process 0 0 and !thread: every process and its threads. */
void ui_model_processes(struct ui_session *s, struct ui_text *t);
/* The logs: console (COM1), exceptions and interrupts, mode switches,
 * system calls with their cycles; the last rows of each. */
void ui_model_console(struct ui_session *s, struct ui_text *t, unsigned rows, unsigned cols);
void ui_model_exceptions(struct ui_session *s, struct ui_text *t, unsigned rows);
void ui_model_modes(struct ui_session *s, struct ui_text *t, unsigned rows);
void ui_model_syscalls(struct ui_session *s, struct ui_text *t, unsigned rows);
/* The last rows complete system calls as stacked bars of their phases
 * (entry, dispatch, service, exit), scaled to width characters for the
 * largest one shown, with the cycles of each phase. */
void ui_model_costs(struct ui_session *s, struct ui_text *t, unsigned rows, unsigned width);

#endif
