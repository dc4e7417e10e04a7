/* create.c - processes and threads come to be: PspCreateProcess (an
 * address space with the program, ntdll and kernel32 mapped, a PEB and a
 * handle table), PspCreateThread (a TEB, a kernel stack whose trap frame
 * holds the user context), the two services XP's CreateProcess calls
 * (NtCreateProcessEx, NtCreateThread) and NtResumeThread. */
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/ob.h"
#include "../inc/io.h"
#include "../inc/rtl.h"
#include "../inc/arch.h"
#include "psp.h"

OBJECT_TYPE PsProcessType = { "Process", PspDeleteProcess };
OBJECT_TYPE PsThreadType = { "Thread", NULL };
LIST_ENTRY PsActiveProcessHead = { &PsActiveProcessHead, &PsActiveProcessHead };
PEPROCESS PsInitialSystemProcess;

/* Process and thread ids share one space of multiples of 4, as NT's
 * PspCidTable hands them out: the System process is 4. */
static ULONG PspNextCid = 4;
HANDLE PspAllocateCid(void)
{
    HANDLE Cid = (HANDLE)PspNextCid;
    PspNextCid += 4;
    return Cid;
}


/* A process's images: the program first, then the DLLs every process maps
 * at their fixed bases (nt-kernel.md). */
#define PSP_IMAGES 3
static const char *const PspSystemDlls[PSP_IMAGES - 1] = { "ntdll.elf", "kernel32.elf" };

struct PSP_MAPPED_IMAGE { const char *Name; ULONG Base, Size; };

static NTSTATUS PspMapImages(PEPROCESS Process, const char *ImageName, struct PSP_MAPPED_IMAGE *Mapped)
{
    for (int i = 0; i < PSP_IMAGES; i++) {
        ULONG Entry;
        Mapped[i].Name = i == 0 ? ImageName : PspSystemDlls[i - 1];
        const UCHAR *File = IoFindBootFile(Mapped[i].Name, &Mapped[i].Size);
        if (!File) return STATUS_OBJECT_NAME_NOT_FOUND;
        NTSTATUS Status = MmMapImage(Process, File, Mapped[i].Size, &Mapped[i].Base, &Entry);
        if (!NT_SUCCESS(Status)) return Status;
        if (i == 0) Process->ImageBase = Mapped[i].Base, Process->ImageEntry = Entry;
    }
    return STATUS_SUCCESS;
}

/* The kernel part of a process: EPROCESS, directory, handle table, the
 * images and the PEB.  ImageName names a ramdisk file; NULL makes the
 * System process (no user space). */
NTSTATUS PspCreateProcess(PEPROCESS Parent, const char *ImageName, BOOLEAN InheritHandles,
                          PEPROCESS *Result)
{
    PEPROCESS Process;
    struct PSP_MAPPED_IMAGE Mapped[PSP_IMAGES];
    NTSTATUS Status = ObCreateObject(&PsProcessType, sizeof(EPROCESS), (PVOID *)&Process);
    if (!NT_SUCCESS(Status)) return Status;
    KeInitializeDispatcherHeader(&Process->Pcb.Header, ProcessObject, sizeof(KPROCESS), 0);
    InitializeListHead(&Process->Pcb.ThreadListHead);
    InitializeListHead(&Process->ThreadListHead);
    Process->Pcb.BasePriority = 8;              /* NORMAL_PRIORITY_CLASS */
    Process->Pcb.ThreadQuantum = THREAD_QUANTUM;
    Process->Pcb.Affinity = 1;
    Process->Pcb.IopmOffset = sizeof(KTSS);     /* no I/O permission map */
    Process->UniqueProcessId = PspAllocateCid();
    Process->InheritedFromUniqueProcessId = Parent ? Parent->UniqueProcessId : 0;
    Process->CreateTime = KeQueryTickTime();
    Process->NextTebAddress = MM_FIRST_TEB_ADDRESS;
    const char *Name = ImageName ? ImageName : "System";
    for (int i = 0; i < 15 && Name[i]; i++) Process->ImageFileName[i] = (UCHAR)Name[i];

    if (!ImageName) {                           /* the System process: the kernel's space */
        Process->Pcb.DirectoryTableBase[0] = MmKernelDirectoryTableBase;
        Status = ObInitProcessHandleTable(Process, NULL);
    } else {
        ULONG Size;
        Status = IoFindBootFile(ImageName, &Size) ? MmCreateProcessAddressSpace(Process)
                                                  : STATUS_OBJECT_NAME_NOT_FOUND;
        if (NT_SUCCESS(Status)) Status = ObInitProcessHandleTable(Process, InheritHandles ? Parent : NULL);
        if (NT_SUCCESS(Status)) Status = PspMapImages(Process, ImageName, Mapped);
        if (NT_SUCCESS(Status)) Status = PspCreatePeb(Process);
    }
    if (!NT_SUCCESS(Status)) {
        ObDereferenceObject(Process);
        return Status;
    }
    _disable();
    InsertTailList(&PsActiveProcessHead, &Process->ActiveProcessLinks);
    _enable();
    PspNotifyProcess(Process, TRUE);
    for (int i = 0; ImageName && i < PSP_IMAGES; i++)
        PspNotifyImageLoad(Process, Mapped[i].Name, Mapped[i].Base, Mapped[i].Size);
    *Result = Process;
    return STATUS_SUCCESS;
}

/* The PEB page at 0x7FFDF000 (nt-reference.md 10.1). */
NTSTATUS PspCreatePeb(PEPROCESS Process)
{
    ULONG Va = MM_PEB_ADDRESS;
    NTSTATUS Status = MmAllocateVirtual(Process, &Va, PAGE_SIZE, PAGE_READWRITE, MEM_PRIVATE);
    if (!NT_SUCCESS(Status)) return Status;
    PEB Peb;
    RtlZeroMemory(&Peb, sizeof Peb);
    Peb.ImageBaseAddress = (PVOID)Process->ImageBase;
    Peb.NumberOfProcessors = 1;
    Peb.OSMajorVersion = 5;
    Peb.OSMinorVersion = 1;
    Peb.OSBuildNumber = 2600;
    Peb.OSPlatformId = 2;                       /* VER_PLATFORM_WIN32_NT */
    Process->Peb = (PPEB)Va;
    return MmCopyToProcess(Process, Va, &Peb, sizeof Peb);
}

/* The thread's first code: the creator's notifications are done, the
 * previous thread may be reaped; KiThreadStartup then leaves for user
 * mode through the trap frame. */
static void PspUserThreadStartup(PVOID Context)
{
    (void)Context;
    _disable();
    KiReapDeadThreads();
    _enable();
}

/* A user thread in Process starting with Context (a kernel copy), its
 * stack described by InitialTeb. */
NTSTATUS PspCreateThread(PEPROCESS Process, const CONTEXT *Context, const INITIAL_TEB *InitialTeb,
                         BOOLEAN CreateSuspended, PETHREAD *Result)
{
    if (Process->Flags & PS_PROCESS_FLAGS_EXITING) return STATUS_PROCESS_IS_TERMINATING;
    PETHREAD Thread;
    NTSTATUS Status = ObCreateObject(&PsThreadType, sizeof(ETHREAD), (PVOID *)&Thread);
    if (!NT_SUCCESS(Status)) return Status;
    Status = KeInitializeThread(&Thread->Tcb, &Process->Pcb, PspUserThreadStartup, NULL);
    if (!NT_SUCCESS(Status)) {
        ObDereferenceObject(Thread);
        return Status;
    }
    ULONG TebVa = Process->NextTebAddress;
    Status = MmAllocateVirtual(Process, &TebVa, PAGE_SIZE, PAGE_READWRITE, MEM_PRIVATE);
    if (!NT_SUCCESS(Status)) {
        ExFreePool(Thread->KernelStackBase);
        ObDereferenceObject(Thread);
        return Status;
    }
    Process->NextTebAddress -= PAGE_SIZE;
    Thread->Cid.UniqueProcess = Process->UniqueProcessId;
    Thread->Cid.UniqueThread = PspAllocateCid();
    Thread->ThreadsProcess = Process;
    Thread->StartAddress = (PVOID)Context->Eip;
    Thread->Win32StartAddress = (PVOID)Context->Eax;
    Thread->CreateTime = KeQueryTickTime();
    Thread->Tcb.Teb = (PTEB)TebVa;

    TEB Teb;
    RtlZeroMemory(&Teb, sizeof Teb);
    Teb.ExceptionList = (PVOID)-1;
    Teb.StackBase = InitialTeb->StackBase;
    Teb.StackLimit = InitialTeb->StackLimit;
    Teb.DeallocationStack = InitialTeb->AllocatedStackBase;
    Teb.Self = (PTEB)TebVa;
    Teb.ClientId = Thread->Cid;
    Teb.ProcessEnvironmentBlock = Process->Peb;
    MmCopyToProcess(Process, TebVa, &Teb, sizeof Teb);

    KeContextToTrapFrame(Context, KiUserTrapFrame(&Thread->Tcb));
    ObReferenceObject(Process);                 /* a thread keeps its process */
    _disable();
    InsertTailList(&Process->Pcb.ThreadListHead, &Thread->Tcb.ThreadListEntry);
    InsertTailList(&Process->ThreadListHead, &Thread->ThreadListEntry);
    Process->ActiveThreads++;
    _enable();
    PspNotifyThread(Thread, TRUE);
    _disable();
    if (CreateSuspended) Thread->Tcb.SuspendCount = 1;
    else KiReadyThread(&Thread->Tcb);
    _enable();
    *Result = Thread;
    return STATUS_SUCCESS;
}

/* ---- services ----------------------------------------------------------------- */

/* An object name from user mode (OBJECT_ATTRIBUTES.ObjectName) as ASCII.
 * ringsim has no object directories: the name is a ramdisk file's. */
static NTSTATUS PspCaptureImageName(POBJECT_ATTRIBUTES UserAttributes, char *Name, ULONG Size)
{
    KPROCESSOR_MODE Mode = KeGetPreviousMode();
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING String;
    WCHAR Buffer[64];
    if (!UserAttributes) return STATUS_INVALID_PARAMETER_3;
    if (!NT_SUCCESS(MmCopyFromCaller(Mode, &Attributes, UserAttributes, sizeof Attributes)))
        return STATUS_ACCESS_VIOLATION;
    if (!Attributes.ObjectName) return STATUS_OBJECT_NAME_INVALID;
    if (!NT_SUCCESS(MmCopyFromCaller(Mode, &String, Attributes.ObjectName, sizeof String)))
        return STATUS_ACCESS_VIOLATION;
    ULONG Chars = String.Length / 2;
    if (Chars == 0 || Chars >= Size || Chars > 64) return STATUS_OBJECT_NAME_INVALID;
    if (!NT_SUCCESS(MmCopyFromCaller(Mode, Buffer, String.Buffer, Chars * 2))) return STATUS_ACCESS_VIOLATION;
    for (ULONG i = 0; i < Chars; i++) {
        if (Buffer[i] == 0 || Buffer[i] > 0x7E) return STATUS_OBJECT_NAME_INVALID;
        Name[i] = (char)Buffer[i];
    }
    Name[Chars] = 0;
    return STATUS_SUCCESS;
}

#define PROCESS_CREATE_FLAGS_INHERIT_HANDLES 0x4

/* XP's NtCreateProcessEx.  ringsim has no sections: SectionHandle must be
 * NULL and ObjectAttributes->ObjectName names the program in the ramdisk. */
NTSTATUS NTAPI NtCreateProcessEx(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess,
                                 POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ParentProcess, ULONG Flags,
                                 HANDLE SectionHandle, HANDLE DebugPort, HANDLE ExceptionPort,
                                 BOOLEAN InJob)
{
    (void)DebugPort, (void)ExceptionPort, (void)InJob;
    char Name[64];
    if (SectionHandle) return STATUS_INVALID_PARAMETER_6;
    if (Flags & ~0xFu) return STATUS_INVALID_PARAMETER_5;
    NTSTATUS Status = PspCaptureImageName(ObjectAttributes, Name, sizeof Name);
    if (!NT_SUCCESS(Status)) return Status;
    PEPROCESS Parent, Process;
    Status = ObReferenceObjectByHandle(ParentProcess, 0, &PsProcessType, KeGetPreviousMode(), (PVOID *)&Parent);
    if (!NT_SUCCESS(Status)) return Status;
    Status = PspCreateProcess(Parent, Name, (Flags & PROCESS_CREATE_FLAGS_INHERIT_HANDLES) != 0, &Process);
    ObDereferenceObject(Parent);
    if (!NT_SUCCESS(Status)) return Status;
    Status = ObInsertObjectForCaller(Process, DesiredAccess, ProcessHandle, NULL);
    ObDereferenceObject(Process);       /* the handle holds it now (or it goes) */
    return Status;
}

NTSTATUS NTAPI NtCreateThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess,
                              POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle, PCLIENT_ID ClientId,
                              PCONTEXT ThreadContext, PINITIAL_TEB InitialTeb, BOOLEAN CreateSuspended)
{
    (void)ObjectAttributes;
    CONTEXT Context;
    INITIAL_TEB Teb;
    KPROCESSOR_MODE Mode = KeGetPreviousMode();
    if (!ThreadContext) return STATUS_INVALID_PARAMETER;
    /* Every pointer is checked before the thread exists (ClientId is optional). */
    if (!NT_SUCCESS(MmCopyFromCaller(Mode, &Context, ThreadContext, sizeof Context)) ||
        !NT_SUCCESS(MmCopyFromCaller(Mode, &Teb, InitialTeb, sizeof Teb)) ||
        (Mode == UserMode && ClientId && !NT_SUCCESS(MmProbeForWrite(ClientId, sizeof *ClientId))))
        return STATUS_ACCESS_VIOLATION;
    PEPROCESS Process;
    NTSTATUS Status = ObReferenceObjectByHandle(ProcessHandle, 0, &PsProcessType, Mode, (PVOID *)&Process);
    if (!NT_SUCCESS(Status)) return Status;
    PETHREAD Thread;
    Status = PspCreateThread(Process, &Context, &Teb, TRUE, &Thread);
    ObDereferenceObject(Process);
    if (!NT_SUCCESS(Status)) return Status;
    Status = ObInsertObjectForCaller(Thread, DesiredAccess, ThreadHandle, NULL);
    if (NT_SUCCESS(Status) && ClientId) Status = MmCopyToCaller(Mode, ClientId, &Thread->Cid, sizeof(CLIENT_ID));
    if (!NT_SUCCESS(Status)) {
        PspTerminateThread(Thread, Status);     /* it never ran */
        return Status;
    }
    if (!CreateSuspended) {
        _disable();
        Thread->Tcb.SuspendCount = 0;
        KiReadyThread(&Thread->Tcb);
        _enable();
    }
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtResumeThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount)
{
    PETHREAD Thread;
    /* As NT, the count's place is probed before the thread changes. */
    if (PreviousSuspendCount && KeGetPreviousMode() == UserMode &&
        !NT_SUCCESS(MmProbeForWrite(PreviousSuspendCount, sizeof *PreviousSuspendCount)))
        return STATUS_ACCESS_VIOLATION;
    NTSTATUS Status = ObReferenceObjectByHandle(ThreadHandle, 0, &PsThreadType, KeGetPreviousMode(),
                                                (PVOID *)&Thread);
    if (!NT_SUCCESS(Status)) return Status;
    _disable();
    ULONG Previous = (ULONG)Thread->Tcb.SuspendCount;
    if (Previous && --Thread->Tcb.SuspendCount == 0 && Thread->Tcb.State == Initialized)
        KiReadyThread(&Thread->Tcb);
    _enable();
    ObDereferenceObject(Thread);
    if (PreviousSuspendCount)
        return MmCopyToCaller(KeGetPreviousMode(), PreviousSuspendCount, &Previous, sizeof Previous);
    return STATUS_SUCCESS;
}
