/* nt.h - the GDB stub's view of the built-in NT-style kernel (ntkernel/):
 * its processes and threads read from the host side through the kernel's
 * symbols and Windows XP's x86 structure offsets (nt-reference.md 8.4,
 * 8.5), the decoded KTRAP_FRAME, each thread's saved registers, and a ring
 * of the most recent system calls fed by the system-call tracer's events
 * (sim/nttrace.c, without its text).
 *
 * Active when the machine's symbol table holds PsActiveProcessHead (booted
 * from build/ntkernel.elf or the embedded image); everything here answers
 * "not known" otherwise.  Kernel memory is read through the current page
 * tables (the kernel half is the same in every process), without side
 * effects.
 */
#ifndef RINGSIM_GDB_NT_H
#define RINGSIM_GDB_NT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/ntlayout.h"
#include "sim/nttrace.h"

struct cpu;
struct machine;

/* The offsets the stub reads: the kernel's own (sim/ntlayout.h). */
#define NT_KPCR_CURRENT_THREAD  NT_CURRENT_THREAD_VA
#define NT_KTHREAD_INITIAL_STACK ThInitialStack
#define NT_KTHREAD_STACK_LIMIT  ThStackLimit
#define NT_KTHREAD_TEB          ThTeb
#define NT_KTHREAD_KERNEL_STACK ThKernelStack
#define NT_KTHREAD_STATE        ThState
#define NT_KTHREAD_PRIORITY     ThPriority
#define NT_KTHREAD_PROCESS      ThProcess
#define NT_KTHREAD_WAIT_MODE    ThWaitMode
#define NT_KTHREAD_WAIT_REASON  ThWaitReason
#define NT_KTHREAD_BASE_PRIORITY ThBasePriority
#define NT_KTHREAD_CALLBACK_STACK ThCallbackStack
#define NT_KTHREAD_TRAP_FRAME   ThTrapFrame
#define NT_KTHREAD_PREVIOUS_MODE ThPreviousMode
#define NT_ETHREAD_CID          EtCid
#define NT_ETHREAD_THREADS_PROCESS EtThreadsProcess
#define NT_ETHREAD_START_ADDRESS EtStartAddress
#define NT_ETHREAD_LIST_ENTRY   EtThreadListEntry
#define NT_KPROCESS_DIRBASE     PrDirectoryTableBase
#define NT_EPROCESS_PID         EpUniqueProcessId
#define NT_EPROCESS_LINKS       EpActiveProcessLinks
#define NT_EPROCESS_OBJECT_TABLE EpObjectTable
#define NT_EPROCESS_PARENT_PID  EpInheritedFromUniqueProcessId
#define NT_EPROCESS_IMAGE_NAME  EpImageFileName
#define NT_EPROCESS_THREAD_LIST EpThreadListHead
#define NT_EPROCESS_ACTIVE_THREADS EpActiveThreads
#define NT_EPROCESS_PEB         EpPeb
#define NT_KTRAP_FRAME_SIZE     KTRAP_FRAME_LENGTH
#define NT_USER_TRAP_FRAME      KTRAP_FRAME_OFFSET  /* below InitialStack */

#define NT_SYSCALL_RING 64
#define NT_MAX_THREADS  512

struct nt_thread {
    uint32_t ethread, eprocess;
    uint32_t pid, tid;
    uint8_t state;
    char image[17];             /* EPROCESS.ImageFileName */
};

struct nt_syscall {
    uint64_t seq;               /* 1, 2, ... since the stub attached */
    uint32_t pid, tid;
    unsigned number;
    uint8_t path;               /* enum nt_entry (sim/nttrace.h) */
    bool called, done;          /* the service routine was called; it returned */
    unsigned nargs;             /* of args[] read at the call (at most 4 kept) */
    uint32_t args[4];
    uint32_t status;
};


struct gdb_nt {
    bool active;
    struct machine *m;
    uint32_t process_head;      /* &PsActiveProcessHead */
    uint32_t idle_thread;       /* &KiIdleThread (on no process's list), 0 if unknown */
    struct nttrace trace;       /* the tracer's state machine, its events feed the ring */
    bool traced;
    struct nt_syscall ring[NT_SYSCALL_RING];
    uint64_t nseq;              /* system calls recorded */
};

/* Look the kernel up in m's symbols and attach the tracer for the ring.
 * nt->active says whether the kernel is known. */
void gdb_nt_attach(struct gdb_nt *nt, struct machine *m);
void gdb_nt_detach(struct gdb_nt *nt);

/* Kernel (or current-address-space) memory: 0, or -1 when a byte is unmapped. */
int gdb_nt_read(struct cpu *cpu, uint32_t lin, void *buf, size_t len);

/* The current thread (KPCR.PrcbData.CurrentThread), 0 when not readable. */
uint32_t gdb_nt_current(const struct gdb_nt *nt);
/* The idle thread (on no process's list: first, when its symbol or the
 * current thread gives it), then every thread of every process on
 * PsActiveProcessHead; at most cap.  The count. */
size_t gdb_nt_threads(const struct gdb_nt *nt, struct nt_thread *v, size_t cap);
/* One thread's facts from its ETHREAD: 0, or -1 when unreadable. */
int gdb_nt_thread_at(const struct gdb_nt *nt, uint32_t ethread, struct nt_thread *t);
const char *gdb_nt_state_name(unsigned state);

/* The saved context of a thread that is not running, into regs (a copy of
 * the CPU whose general registers, EIP, EFLAGS and selectors are replaced):
 * its user trap frame (InitialStack - 0x29C) when that frame says CS = 0x1B,
 * else the switch frame [edi, esi, ebx, ebp, ret] at KTHREAD.KernelStack.
 * Returns "trapframe" or "switch", or NULL when neither is readable. */
const char *gdb_nt_context(const struct gdb_nt *nt, uint32_t ethread, struct cpu *regs);

/* The monitor's NT commands; out as in gdb_monitor. */
typedef void gdb_nt_out(void *ctx, const char *text);
void gdb_nt_mon_trapframe(struct gdb_nt *nt, const char *arg, gdb_nt_out *out, void *ctx);
void gdb_nt_mon_process(struct gdb_nt *nt, gdb_nt_out *out, void *ctx);
void gdb_nt_mon_thread(struct gdb_nt *nt, const char *arg, gdb_nt_out *out, void *ctx);
void gdb_nt_mon_syscalls(struct gdb_nt *nt, const char *arg, gdb_nt_out *out, void *ctx);

#endif
