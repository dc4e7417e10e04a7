/* sysinfo.c - NtQuerySystemInformation (basic information and the process
 * list with each process's threads, XP's SYSTEM_PROCESS_INFORMATION) and
 * NtDisplayString. */
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/ob.h"
#include "../inc/hal.h"
#include "../inc/rtl.h"
#include "../inc/arch.h"

enum { SystemBasicInformation = 0, SystemProcessInformation = 5 };

typedef struct _SYSTEM_BASIC_INFORMATION {
    ULONG Reserved, TimerResolution, PageSize, NumberOfPhysicalPages, LowestPhysicalPageNumber,
          HighestPhysicalPageNumber, AllocationGranularity, MinimumUserModeAddress,
          MaximumUserModeAddress, ActiveProcessorsAffinityMask;
    CHAR NumberOfProcessors;
    UCHAR Pad[3];
} SYSTEM_BASIC_INFORMATION;
C_ASSERT_SIZE(SYSTEM_BASIC_INFORMATION, 44);

typedef struct _SYSTEM_THREAD_INFORMATION {
    LARGE_INTEGER KernelTime, UserTime, CreateTime;     /* 0x00 */
    ULONG WaitTime;                 /* 0x18 */
    PVOID StartAddress;             /* 0x1C */
    CLIENT_ID ClientId;             /* 0x20 */
    KPRIORITY Priority;             /* 0x28 */
    LONG BasePriority;              /* 0x2C */
    ULONG ContextSwitches;          /* 0x30 */
    ULONG ThreadState;              /* 0x34 */
    ULONG WaitReason;               /* 0x38 */
    ULONG Pad;
} SYSTEM_THREAD_INFORMATION;
C_ASSERT_SIZE(SYSTEM_THREAD_INFORMATION, 0x40);

typedef struct _SYSTEM_PROCESS_INFORMATION {
    ULONG NextEntryOffset;          /* 0x00 */
    ULONG NumberOfThreads;          /* 0x04 */
    LARGE_INTEGER Reserved[3];      /* 0x08 */
    LARGE_INTEGER CreateTime, UserTime, KernelTime;     /* 0x20 */
    UNICODE_STRING ImageName;       /* 0x38 */
    KPRIORITY BasePriority;         /* 0x40 */
    ULONG UniqueProcessId;          /* 0x44 */
    ULONG InheritedFromUniqueProcessId;  /* 0x48 */
    ULONG HandleCount;              /* 0x4C */
    ULONG SessionId;                /* 0x50 */
    ULONG PageDirectoryBase;        /* 0x54 */
    ULONG VmCounters[11];           /* 0x58 */
    ULONG PrivatePageCount;         /* 0x84 */
    LARGE_INTEGER IoCounters[6];    /* 0x88 */
    SYSTEM_THREAD_INFORMATION Threads[];   /* 0xB8 */
} SYSTEM_PROCESS_INFORMATION;
C_ASSERT_OFFSET(SYSTEM_PROCESS_INFORMATION, ImageName, 0x38);
C_ASSERT_OFFSET(SYSTEM_PROCESS_INFORMATION, UniqueProcessId, 0x44);
C_ASSERT_OFFSET(SYSTEM_PROCESS_INFORMATION, Threads, 0xB8);

/* Builds the list in a pool buffer (the dispatcher lock held only while
 * reading), then copies it out: the caller's buffer is touched once. */
static NTSTATUS ExpProcessList(UCHAR *Out, ULONG Length, PULONG Needed)
{
    ULONG Used = 0, Last = 0;
    BOOLEAN Fits = TRUE;
    _disable();
    for (PLIST_ENTRY e = PsActiveProcessHead.Flink; e != &PsActiveProcessHead; e = e->Flink) {
        PEPROCESS p = CONTAINING_RECORD(e, EPROCESS, ActiveProcessLinks);
        if (p->Flags & PS_PROCESS_FLAGS_EXITING) continue;
        ULONG Threads = p->ActiveThreads, NameChars = 0;
        while (NameChars < 15 && p->ImageFileName[NameChars]) NameChars++;
        ULONG Size = sizeof(SYSTEM_PROCESS_INFORMATION) + Threads * sizeof(SYSTEM_THREAD_INFORMATION);
        ULONG Entry = Size + ((2 * NameChars + 2 + 7) & ~7u);
        if (Used + Entry > Length) Fits = FALSE;
        if (Fits) {
            SYSTEM_PROCESS_INFORMATION *spi = (SYSTEM_PROCESS_INFORMATION *)(Out + Used);
            RtlZeroMemory(spi, Entry);
            spi->NumberOfThreads = Threads;
            spi->CreateTime = p->CreateTime;
            spi->UserTime = KeTicksToTime(p->Pcb.UserTime);
            spi->KernelTime = KeTicksToTime(p->Pcb.KernelTime);
            spi->BasePriority = p->Pcb.BasePriority;
            spi->UniqueProcessId = (ULONG)p->UniqueProcessId;
            spi->InheritedFromUniqueProcessId = (ULONG)p->InheritedFromUniqueProcessId;
            spi->HandleCount = ObGetHandleCount(p);
            spi->PageDirectoryBase = p->Pcb.DirectoryTableBase[0];
            ULONG i = 0;
            for (PLIST_ENTRY t = p->ThreadListHead.Flink; t != &p->ThreadListHead && i < Threads; t = t->Flink, i++) {
                PETHREAD th = CONTAINING_RECORD(t, ETHREAD, ThreadListEntry);
                SYSTEM_THREAD_INFORMATION *sti = &spi->Threads[i];
                sti->KernelTime = KeTicksToTime(th->Tcb.KernelTime);
                sti->UserTime = KeTicksToTime(th->Tcb.UserTime);
                sti->CreateTime = th->CreateTime;
                sti->WaitTime = th->Tcb.WaitTime;
                sti->StartAddress = th->StartAddress;
                sti->ClientId = th->Cid;
                sti->Priority = th->Tcb.Priority;
                sti->BasePriority = th->Tcb.BasePriority;
                sti->ContextSwitches = th->Tcb.ContextSwitches;
                sti->ThreadState = th->Tcb.State;
                sti->WaitReason = th->Tcb.WaitReason;
            }
            WCHAR *Name = (WCHAR *)((UCHAR *)spi + Size);
            for (ULONG k = 0; k < NameChars; k++) Name[k] = p->ImageFileName[k];
            /* Offsets in the caller's buffer are fixed up by the caller. */
            spi->ImageName = (UNICODE_STRING){ (USHORT)(2 * NameChars), (USHORT)(2 * NameChars + 2),
                                               (PWSTR)(ULONG)(Used + Size) };
            if (Used) ((SYSTEM_PROCESS_INFORMATION *)(Out + Last))->NextEntryOffset = Used - Last;
            Last = Used;
        }
        Used += Entry;
    }
    _enable();
    *Needed = Used;
    return Fits ? STATUS_SUCCESS : STATUS_INFO_LENGTH_MISMATCH;
}

NTSTATUS NTAPI NtQuerySystemInformation(ULONG InfoClass, PVOID Info, ULONG Length, PULONG ReturnLength)
{
    KPROCESSOR_MODE Mode = KeGetPreviousMode();
    NTSTATUS Status;
    ULONG Needed;
    /* As NT, ReturnLength is probed before anything is written. */
    if (Mode == UserMode && ReturnLength && !NT_SUCCESS(MmProbeForWrite(ReturnLength, sizeof *ReturnLength)))
        return STATUS_ACCESS_VIOLATION;
    if (InfoClass == SystemBasicInformation) {
        SYSTEM_BASIC_INFORMATION b = { 0, KE_TIME_INCREMENT, PAGE_SIZE, MmNumberOfPhysicalPages, 1,
                                       MmNumberOfPhysicalPages, 0x10000, MM_LOWEST_USER_ADDRESS,
                                       MM_HIGHEST_USER_ADDRESS, 1, 1, { 0 } };
        Needed = sizeof b;
        if (Length != sizeof b) Status = STATUS_INFO_LENGTH_MISMATCH;
        else Status = MmCopyToCaller(Mode, Info, &b, sizeof b);
    } else if (InfoClass == SystemProcessInformation) {
        if (Length > 0x10000) Length = 0x10000;         /* the pool's bounce buffer */
        UCHAR *Buffer = ExAllocatePool(Length ? Length : 8);
        if (!Buffer) return STATUS_INSUFFICIENT_RESOURCES;
        Status = ExpProcessList(Buffer, Length, &Needed);
        if (NT_SUCCESS(Status)) {
            /* Image names: offsets into the buffer become the caller's addresses. */
            for (ULONG Off = 0;;) {
                SYSTEM_PROCESS_INFORMATION *spi = (SYSTEM_PROCESS_INFORMATION *)(Buffer + Off);
                spi->ImageName.Buffer = (PWSTR)((ULONG)Info + (ULONG)spi->ImageName.Buffer);
                if (!spi->NextEntryOffset) break;
                Off += spi->NextEntryOffset;
            }
            Status = MmCopyToCaller(Mode, Info, Buffer, Needed);
        }
        ExFreePool(Buffer);
    } else {
        return STATUS_INVALID_INFO_CLASS;
    }
    if (ReturnLength) {
        NTSTATUS s = MmCopyToCaller(Mode, ReturnLength, &Needed, sizeof Needed);
        if (NT_SUCCESS(Status)) Status = s;
    }
    return Status;
}

/* NtDisplayString(String): the boot screen's text; here, the console. */
NTSTATUS NTAPI NtDisplayString(PUNICODE_STRING String)
{
    UNICODE_STRING s;
    WCHAR Buffer[128];
    char Text[128];
    KPROCESSOR_MODE Mode = KeGetPreviousMode();
    if (!NT_SUCCESS(MmCopyFromCaller(Mode, &s, String, sizeof s))) return STATUS_ACCESS_VIOLATION;
    ULONG Chars = s.Length / 2;
    if (Chars > 128) Chars = 128;
    if (!NT_SUCCESS(MmCopyFromCaller(Mode, Buffer, s.Buffer, Chars * 2))) return STATUS_ACCESS_VIOLATION;
    for (ULONG i = 0; i < Chars; i++) Text[i] = Buffer[i] < 0x80 ? (char)Buffer[i] : '?';
    HalDisplayBytes(Text, Chars);
    return STATUS_SUCCESS;
}
