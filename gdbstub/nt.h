/* nt.h - the GDB stub's view of the built-in NT-style kernel (ntkernel/):
 * its processes and threads read from the host side through the kernel's
 * symbols and Windows XP's x86 structure offsets (nt-reference.md 8.4,
 * 8.5), the decoded KTRAP_FRAME, each thread's saved registers, and a ring
 * of the most recent system calls fed by code hooks on the system-call
 * labels (the same labels the tracer, sim/nttrace.c, uses).
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

struct cpu;
struct machine;

/* KPCR and the offsets the stub reads (nt-reference.md; ntkernel/inc/pstypes.h). */
#define NT_KPCR_CURRENT_THREAD  0xFFDFF124u
#define NT_KTHREAD_INITIAL_STACK 0x018u
#define NT_KTHREAD_STACK_LIMIT  0x01Cu
#define NT_KTHREAD_TEB          0x020u
#define NT_KTHREAD_KERNEL_STACK 0x028u
#define NT_KTHREAD_STATE        0x02Du
#define NT_KTHREAD_PRIORITY     0x033u
#define NT_KTHREAD_PROCESS      0x044u      /* ApcState.Process */
#define NT_KTHREAD_WAIT_MODE    0x059u
#define NT_KTHREAD_WAIT_REASON  0x05Bu
#define NT_KTHREAD_BASE_PRIORITY 0x06Cu
#define NT_KTHREAD_CALLBACK_STACK 0x12Cu
#define NT_KTHREAD_TRAP_FRAME   0x134u
#define NT_KTHREAD_PREVIOUS_MODE 0x140u
#define NT_ETHREAD_CID          0x1ECu
#define NT_ETHREAD_THREADS_PROCESS 0x220u
#define NT_ETHREAD_START_ADDRESS 0x224u
#define NT_ETHREAD_LIST_ENTRY   0x22Cu
#define NT_KPROCESS_DIRBASE     0x018u
#define NT_EPROCESS_PID         0x084u
#define NT_EPROCESS_LINKS       0x088u
#define NT_EPROCESS_OBJECT_TABLE 0x0C4u
#define NT_EPROCESS_PARENT_PID  0x14Cu
#define NT_EPROCESS_IMAGE_NAME  0x174u
#define NT_EPROCESS_THREAD_LIST 0x190u
#define NT_EPROCESS_ACTIVE_THREADS 0x1A0u
#define NT_EPROCESS_PEB         0x1B0u
#define NT_KTRAP_FRAME_SIZE     0x8Cu
#define NT_USER_TRAP_FRAME      0x29Cu      /* below InitialStack */

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

struct gdb_nt;
struct nt_label {
    struct gdb_nt *nt;
    int which;
    uint64_t lin;
};

struct gdb_nt {
    bool active;
    struct machine *m;
    uint32_t process_head;      /* &PsActiveProcessHead */
    uint32_t idle_thread;       /* &KiIdleThread (on no process's list), 0 if unknown */
    struct nt_label labels[8];
    unsigned nlabels;
    struct nt_syscall ring[NT_SYSCALL_RING];
    uint64_t nseq;              /* system calls recorded */
};

/* Look the kernel up in m's symbols and hook the system-call labels.
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
