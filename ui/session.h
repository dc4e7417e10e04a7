/* session.h - the debugger behind the window, without SDL: one machine,
 * its state at the last stop (for "changed" highlights), the run controls
 * (run in slices, step, step over, step out, run to the next system call or
 * mode switch, breakpoints, reset) and the logs the panels show (console,
 * exceptions, mode switches, system calls).  It reads the machine through
 * its state, code hooks, observers and the system-call tracer only.
 */
#ifndef RINGSIM_UI_SESSION_H
#define RINGSIM_UI_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cpu/cpu.h"
#include "sim/machine.h"
#include "sim/nttrace.h"
#include "sim/ntlayout.h"

/* The registers a stop compares with the one before. */
struct ui_regs {
    uint64_t gpr[16], rip, rflags;
    struct segment seg[SEG_COUNT];
    uint64_t gdtr_base, idtr_base;
    uint16_t gdtr_limit, idtr_limit;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer, dr[8];
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip, star, lstar, kernel_gs_base;
    uint64_t tsc;
    uint8_t cpl, mode;
};

enum ui_run {
    UI_PAUSED, UI_RUNNING, UI_TO_SYSCALL, UI_TO_MODE, UI_STEP_OVER, UI_STEP_OUT,
    UI_TO_ADDR,                     /* ui_run_until */
    UI_GDB,                         /* running because gdb continued; it waits for the stop */
    UI_ENDED,
};

struct gdb_server;

#define UI_LOG 256                 /* entries kept per log */
#define UI_CONSOLE 16384           /* console bytes kept */

struct ui_exc_event {
    uint64_t insns, rip;
    int vector;
    uint32_t error;
    const char *gate;               /* NULL: raised, not (yet) delivered */
    unsigned old_cpl, new_cpl;
};
struct ui_mode_event {
    uint64_t insns, rip;
    uint8_t mode, dmode, cpl;
    uint64_t cr0, cr4, efer;
};

/* The KTRAP_FRAME being built: its address and the 4-byte slots written
 * since the entry label (KiFastCallEntry, KiSystemService). */
#define UI_TF_SIZE KTRAP_FRAME_LENGTH
struct ui_trapframe {
    bool tracking;                  /* between an entry label and the next exit */
    bool exact;                     /* every instruction since the entry was watched
                                       (not so when it began at full speed) */
    uint32_t addr;
    uint64_t written;               /* bit i: slot at offset 4*i */
    uint8_t before[UI_TF_SIZE];     /* the bytes before the last step */
};

/* The built-in kernel's labels the session knows (0 when absent). */
enum ui_label {
    UI_L_FAST_CALL, UI_L_SYSTEM_SERVICE, UI_L_SERVICE_CALL, UI_L_EXIT_SYSEXIT, UI_L_EXIT_IRET,
    UI_L_EXIT_KERNEL, UI_L_EXIT2_IRET, UI_L_REPEAT, UI_L_RETURNED, UI_L_COUNT,
};

/* One system call's modelled cycles by phase: entry (the entry label to
 * KiSystemServiceRepeat: the frame), dispatch (to KiSystemServiceCall: the
 * table and the arguments), service (to KiSystemServiceReturned) and exit
 * (to the exit label).  Kept per thread while open. */
enum { UI_PHASE_ENTRY, UI_PHASE_DISPATCH, UI_PHASE_SERVICE, UI_PHASE_EXIT, UI_PHASES };
struct ui_cost {
    uint32_t thread;                /* KTHREAD */
    unsigned number;                /* EAX at the entry */
    uint64_t at[UI_PHASES + 1];     /* cycles at each boundary; 0 not yet */
};
#define UI_COST_OPEN 16

/* Guest bytes at a stop, to highlight what changed in memory and stack panels. */
#define UI_SNAP 512
struct ui_snap {
    uint64_t addr;
    uint8_t b[UI_SNAP];
    bool ok[UI_SNAP];
};

typedef int ui_boot_fn(struct machine *m, void *ctx, char *err, size_t errlen);

struct ui_session {
    struct machine *m;
    struct machine_options opt;
    ui_boot_fn *boot;
    void *boot_ctx;
    enum ui_run run;
    char status[320];
    uint64_t slice;                 /* instructions per run slice (one frame) */
    uint64_t slice_end;             /* instret where the current slice ends */
    uint64_t target_pc;             /* step over: where the call returns */
    uint64_t target_sp;             /* step out: the stack pointer to return above */
    uint64_t steps_left;            /* step out: the single steps it may still take */
    bool stop_now;                  /* a hook or an observer asked the run to stop */
    struct ui_regs prev, now;
    struct ui_snap mem_prev, mem_now, stack_prev, stack_now;
    uint64_t labels[UI_L_COUNT];
    struct ui_trapframe tf;
    struct nttrace trace;
    bool traced;
    /* logs (rings) */
    char console[UI_CONSOLE];
    size_t con_len;                 /* bytes ever written (the ring holds the last ones) */
    struct ui_exc_event exc[UI_LOG];
    size_t nexc;
    struct ui_mode_event modes[UI_LOG];
    size_t nmodes;
    struct nttrace_event sys[UI_LOG];
    size_t nsys;
    struct ui_cost cost_open[UI_COST_OPEN];     /* entered, not yet left */
    unsigned ncost_open;
    struct ui_cost costs[UI_LOG];               /* complete ones */
    size_t ncosts;
    /* the GDB stub beside the window (NULL: none) */
    struct gdb_server *gdb;
    bool gdb_wait;                  /* --wait-gdb: hold the machine until gdb attaches */
    bool killed;                    /* gdb killed the machine: the window closes */
    int gdb_port;
    /* panel addresses */
    uint64_t mem_addr;              /* memory panel: a linear address */
    uint64_t walk_addr;             /* page-walk panel */
    /* the observers the machine had before the session chained in */
    void *prev_observer;
    void (*prev_exception)(void *ctx, int vector, uint32_t error, int source);
    void (*prev_mode)(void *ctx, unsigned mode, unsigned dmode, unsigned cpl);
    void (*prev_delivered)(void *ctx, int vector, const char *gate, unsigned o, unsigned n);
    void (*prev_cr3)(void *ctx, uint64_t old, uint64_t new_cr3, unsigned pcid, bool noflush);
    void (*prev_flush)(void *ctx, unsigned cause, uint64_t addr, unsigned pcid);
    uint64_t flush_count[TLB_CAUSE_COUNT];
    uint64_t cr3_loads;
};

/* A machine built from opt and booted by boot(m, ctx): 0, or -1 with err. */
int  ui_session_open(struct ui_session *s, const struct machine_options *opt, ui_boot_fn *boot,
                     void *boot_ctx, char *err, size_t errlen);
void ui_session_close(struct ui_session *s);
/* A fresh machine, booted again; breakpoints are kept. */
int  ui_session_reset(struct ui_session *s, char *err, size_t errlen);

/* The GDB stub beside the window, on one machine and one breakpoint
 * table.  While gdb is attached it drives the machine: the window's run,
 * step and reset controls are refused (the status line says why), its
 * pause interrupts gdb's continue (gdb sees SIGINT), its breakpoints stop
 * gdb's continue too (gdb sees SIGTRAP).  gdb detaching lets the machine
 * run on; gdb vanishing leaves it paused for the next client. */
void ui_session_attach_gdb(struct ui_session *s, struct gdb_server *g, int port, bool wait);
/* Serve gdb: wait up to timeout_ms for it, answer what it sent, start or
 * end its runs.  True when something happened (the window redraws). */
bool ui_session_gdb(struct ui_session *s, int timeout_ms);
/* Is gdb attached, or awaited (--wait-gdb)?  Then the controls are gdb's. */
bool ui_gdb_holds(const struct ui_session *s);

/* Controls.  Stepping is immediate; the run modes set s->run and proceed
 * in ui_session_tick, one slice per call, until their target or a stop. */
void ui_step(struct ui_session *s);
void ui_step_over(struct ui_session *s);
void ui_step_out(struct ui_session *s);
void ui_run(struct ui_session *s, enum ui_run how);
void ui_pause(struct ui_session *s);
/* One slice of the current run mode: true while it goes on. */
bool ui_session_tick(struct ui_session *s);
/* Toggle the window's breakpoint at a linear PC: true when it is now set.
 * The table is the CPU's one, shared with the GDB stub. */
bool ui_toggle_break(struct ui_session *s, uint64_t lin);
/* Who has a breakpoint at lin: HOST_OWNER_UI, HOST_OWNER_GDB (0: none). */
unsigned ui_break_at(const struct ui_session *s, uint64_t lin);

/* Run (a slice at a time) until the first execution of lin, at most max
 * instructions: 0 when there, -1 otherwise.  For tests and --screenshot. */
int  ui_run_until(struct ui_session *s, uint64_t lin, uint64_t max);
/* Run exactly n more instructions (fewer if the machine stops). */
void ui_run_insns(struct ui_session *s, uint64_t n);

/* The state now, and "the last stop" moved to it (after every control). */
void ui_regs_capture(struct cpu *cpu, struct ui_regs *r);
void ui_session_stopped(struct ui_session *s);

/* Did the byte at lin differ at the stop compared with (ui_regs' rule:
 * the stop before while paused, the last stop while running)? */
bool ui_byte_changed(struct ui_session *s, uint64_t lin, uint8_t now);

/* Guest reads for the panels: 0 or -1. */
int ui_read32(struct ui_session *s, uint64_t lin, uint32_t *v);
/* The current thread's KTHREAD (the KPCR's CurrentThread), 0 without the kernel. */
uint32_t ui_current_thread(struct ui_session *s);
/* The trap frame the panel shows: the one being built, or Thread->TrapFrame. */
uint32_t ui_trapframe_addr(struct ui_session *s);

#endif
