/* nttrace.h - the system-call tracer (--trace=syscalls): host-side
 * observation of the built-in kernel's system-call paths through code hooks
 * on the labels of its symbol table; the guest does nothing special.
 *
 * One line per call and per return, callbacks indented two spaces per depth:
 *   [PID.TID] -> NtWriteFile (0x112) via sysenter (0x8, 0, 0, 0, 0x7ffdfd1c, ...)
 *   [PID.TID] <- NtWriteFile (0x112) = 0x00000000 via sysexit, 812 insns, 1630 cycles
 *   [PID.TID]   => callback 2 to user via sysexit          (2: the ApiNumber)
 *   [PID.TID]   <= callback returned 0x00000000 to NtUserCallbackDemo
 * Entry paths: sysenter, int 2Eh, kernel Zw, int 2Bh; exit paths: sysexit,
 * iretd, ret (back to a kernel Zw caller).  insns and cycles count from the
 * entry label to the exit instruction.
 *
 * Services that do not come back to their caller:
 *   - one that leaves by the full-context exit (KiServiceExit2Iret, to user
 *     mode) without having returned a status (NtContinue), or that is still open when its
 *     thread next enters the kernel from user mode: "<- Name (0xN) does not
 *     return", printed then;
 *   - NtCallbackReturn (and int 2Bh) that completes a callback: "does not
 *     return", printed just before the callback's "<=" line;
 *   - NtTerminateThread of the caller (handle 0 or NtCurrentThread) and
 *     NtTerminateProcess of the caller's process (NtCurrentProcess):
 *     "<- Name (0xN) ends the thread", printed right after the call line;
 *   - any other service open when its thread is terminated (an unhandled
 *     exception through NtRaiseException, another thread's
 *     NtTerminateThread): "ends the thread" when the kernel's
 *     PspTerminateThread runs for it.
 *
 * The state machine takes events (nttrace_enter ...), so it can be tested
 * without a kernel; nttrace_attach connects it to a CPU's hooks.
 */
#ifndef RINGSIM_NTTRACE_H
#define RINGSIM_NTTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "sim/nt_services.h"

struct cpu;
struct symtab;

enum nt_entry { NT_ENTRY_SYSENTER, NT_ENTRY_INT2E, NT_ENTRY_KERNEL_ZW, NT_ENTRY_INT2B };
enum nt_exit { NT_EXIT_SYSEXIT, NT_EXIT_IRETD, NT_EXIT_RET, NT_EXIT_FULL_IRETD };

/* Reads guest memory at a linear address: 0, or -1 where it is not readable. */
typedef int nttrace_read_fn(void *ctx, uint32_t lin, void *buf, size_t len);

struct nt_frame;
struct nttrace_thread {
    uint32_t pid, tid;
    struct nt_frame *f;             /* open services and callbacks, innermost last */
    size_t n, cap;
    bool callout;                   /* the next exit enters user mode for a callback */
    uint32_t api;                   /* its ApiNumber */
    /* Time the thread spent switched out (KiSwapContext), so that a call's
     * cost counts its own thread's work only. */
    bool out;
    uint64_t out_insns, out_cycles, away_insns, away_cycles;
};

/* One call line or end line as an event, for front ends that keep their
 * own log (the UI): the same moments the text lines are printed. */
/* NTTRACE_ENTER (an entry label: number and path) and NTTRACE_RETURNED (the
 * service's status, before its exit) have no line of their own. */
enum nttrace_event_kind { NTTRACE_CALL, NTTRACE_RETURN, NTTRACE_NO_RETURN, NTTRACE_ENDS_THREAD,
                          NTTRACE_ENTER, NTTRACE_RETURNED };
#define NTTRACE_EVENT_ARGS 8
struct nttrace_event {
    uint8_t kind;                   /* enum nttrace_event_kind */
    uint8_t path;                   /* enum nt_entry (calls) or enum nt_exit (returns) */
    uint32_t pid, tid;
    unsigned number;
    const char *name;
    unsigned argc;                  /* arguments shown (at most NTTRACE_EVENT_ARGS) */
    uint32_t argv[NTTRACE_EVENT_ARGS];
    bool ok[NTTRACE_EVENT_ARGS];    /* false: not copied ('?') */
    uint32_t status;                /* returns */
    uint64_t insns, cycles;         /* returns: the call's own cost */
};
typedef void nttrace_event_fn(void *ctx, const struct nttrace_event *e);

struct nttrace_label;
struct nttrace {
    FILE *out;
    bool own_out;                   /* out is the tracer's own sink (init with NULL) */
    const struct nt_service *services;
    unsigned nservices;
    nttrace_read_fn *read;
    void *read_ctx;
    nttrace_event_fn *on_event;     /* NULL, or called with each line's event */
    void *event_ctx;
    struct nttrace_thread *threads;
    size_t nthreads, cap;
    /* nttrace_attach's hooks */
    struct cpu *cpu;
    struct nttrace_label *labels;
    size_t nlabels;
};

/* out NULL: no lines, only the events (on_event). */
void nttrace_init(struct nttrace *t, FILE *out, const struct nt_service *services,
                  unsigned nservices, nttrace_read_fn *read, void *read_ctx);
void nttrace_free(struct nttrace *t);       /* removes the hooks too, if attached */

/* Events, each on thread (pid, tid).  insns and cycles are the CPU's
 * counters at the event. */
/* A service entry label: the number (EAX). */
void nttrace_enter(struct nttrace *t, uint32_t pid, uint32_t tid, enum nt_entry path,
                   unsigned number, uint64_t insns, uint64_t cycles);
/* KiSystemServiceCall: the copied arguments at esp.  A call that never gets
 * here (a bad number, arguments the kernel refused) shows them as '?'. */
void nttrace_call(struct nttrace *t, uint32_t pid, uint32_t tid, uint32_t esp);
/* KiSystemServiceReturned: the service's NTSTATUS. */
void nttrace_returned(struct nttrace *t, uint32_t pid, uint32_t tid, uint32_t status);
/* An exit instruction; eax is the status it returns. */
void nttrace_exit(struct nttrace *t, uint32_t pid, uint32_t tid, enum nt_exit path,
                  uint32_t eax, uint64_t insns, uint64_t cycles);
/* KiCallUserMode: the kernel starts callback api on this thread. */
void nttrace_callout(struct nttrace *t, uint32_t pid, uint32_t tid, uint32_t api);
/* KiCallbackReturn (int 2Bh): NtCallbackReturn(buffer, length, status). */
void nttrace_int2b(struct nttrace *t, uint32_t pid, uint32_t tid, uint32_t buffer,
                   uint32_t length, uint32_t status, uint64_t insns, uint64_t cycles);
/* KiCallbackReturnResume: the innermost callback returned status. */
void nttrace_callback_done(struct nttrace *t, uint32_t pid, uint32_t tid, uint32_t status);
/* KiSwapContext(Old, New): the processor goes from one thread to another. */
void nttrace_switch(struct nttrace *t, uint32_t old_pid, uint32_t old_tid, uint32_t new_pid,
                    uint32_t new_tid, uint64_t insns, uint64_t cycles);
/* PspTerminateThread (when the kernel has it): the thread ends; its open
 * services end with it, and its id may come back as another thread. */
void nttrace_thread_ends(struct nttrace *t, uint32_t pid, uint32_t tid);

/* Hook the kernel's labels (symbols) on cpu and trace to out: 0, or -1 with
 * err set when the symbols have no system-call entry label. */
int nttrace_attach(struct nttrace *t, struct cpu *cpu, const struct symtab *symbols,
                   FILE *out, char *err, size_t errlen);

#endif
