/* ntuser.h - what the stand-in kernel's two files share (tests/ntuser):
 * ntuser.c runs one process (its images, services, faults, callbacks),
 * ntproc.c the services on other processes (NtCreateProcessEx starts a
 * child ntuser; handles name children and their first threads). */
#ifndef NTUSER_H
#define NTUSER_H

#include <sys/types.h>
#include "guest/include/ntdll.h"

#define HEAP_BASE 0x10000000u           /* NtAllocateVirtualMemory's region */
#define HEAP_SIZE 0x01000000u

/* How a child's first thread starts (sent over its control pipe). */
struct start_msg {
    ULONG eip, esp, eax, ebx;
    ULONG stack_base, stack_limit;
};

extern const char *guest_dir, *program_dir;
extern ULONG my_process_id;             /* this process's UniqueProcessId */

void die(const char *why) __attribute__((noreturn));
NTSTATUS user_read(void *dst, ULONG src, ULONG n);
NTSTATUS user_write(ULONG dst, const void *src, ULONG n);
NTSTATUS remote_copy(pid_t pid, ULONG remote, void *local, ULONG n, int write);

/* Services on handles of other processes and their threads (ntproc.c). */
NTSTATUS nt_create_process(const ULONG *a);
NTSTATUS nt_create_thread(const ULONG *a);
NTSTATUS nt_resume_thread(const ULONG *a);
NTSTATUS nt_wait(const ULONG *a);
NTSTATUS nt_close(const ULONG *a);
NTSTATUS proc_terminate(HANDLE h, ULONG status);
NTSTATUS proc_basic_info(HANDLE h, PROCESS_BASIC_INFORMATION *pbi);
NTSTATUS proc_thread_info(HANDLE h, THREAD_BASIC_INFORMATION *tbi);
NTSTATUS proc_allocate(HANDLE h, ULONG size, ULONG *base);
pid_t proc_pid(HANDLE h);               /* 0 when h is not a process handle */

/* Threads of this process (ntuser.c starts them, ntproc.c keeps them). */
void thread_start(ULONG teb_va, int ldt, ULONG thread_id, const struct start_msg *m)
    __attribute__((noreturn));
void thread_exit(ULONG status) __attribute__((noreturn));
extern __thread ULONG ntuser_stack_top;
#define SLICE  0x00020000u              /* harness stack per nested service */
#define SLICES 8

/* The child side: wait for the start message on fd (ntproc.c). */
void child_wait_start(int fd, struct start_msg *m);

#endif
