/* ps.h - processes and threads: creation, termination, the queries, the
 * notify routines, and the current thread and process. */
#ifndef NTK_PS_H
#define NTK_PS_H

#include "pstypes.h"

static inline PETHREAD PsGetCurrentThread(void)
{
    PETHREAD t;
    __asm__ volatile("movl %%fs:0x124, %0" : "=r"(t));
    return t;
}
static inline PEPROCESS PsGetCurrentProcess(void)
{
    return (PEPROCESS)PsGetCurrentThread()->Tcb.ApcState.Process;
}
#define KeGetCurrentThread() (&PsGetCurrentThread()->Tcb)
/* The mode the running service was called from (KTHREAD.PreviousMode). */
#define KeGetPreviousMode() (KeGetCurrentThread()->PreviousMode)

extern LIST_ENTRY PsActiveProcessHead;
extern PEPROCESS PsInitialSystemProcess;

/* A thread or process by id (referenced), or NULL. */
PETHREAD PsLookupThreadByThreadId(HANDLE Tid);
PEPROCESS PsLookupProcessByProcessId(HANDLE Pid);

typedef void (*PCREATE_PROCESS_NOTIFY_ROUTINE)(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create);
typedef void (*PCREATE_THREAD_NOTIFY_ROUTINE)(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create);
typedef struct _IMAGE_INFO { ULONG ImageBase; ULONG ImageSize; } IMAGE_INFO;
typedef void (*PLOAD_IMAGE_NOTIFY_ROUTINE)(PUNICODE_STRING FullImageName, HANDLE ProcessId,
                                           IMAGE_INFO *ImageInfo);
NTSTATUS PsSetCreateProcessNotifyRoutine(PCREATE_PROCESS_NOTIFY_ROUTINE Routine, BOOLEAN Remove);
NTSTATUS PsSetCreateThreadNotifyRoutine(PCREATE_THREAD_NOTIFY_ROUTINE Routine);
NTSTATUS PsSetLoadImageNotifyRoutine(PLOAD_IMAGE_NOTIFY_ROUTINE Routine);

#endif
