/* notify.c - a built-in driver-style module (the shape of a WDM driver:
 * a DriverEntry that registers callbacks with the kernel) that registers
 * process, thread and image-load notify routines and logs the events of
 * the notify demo (processes whose image name starts with "notify", and
 * their children) on the console. */
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/ob.h"
#include "../inc/rtl.h"

static BOOLEAN NotifyWatched(HANDLE ProcessId)
{
    BOOLEAN Watched = FALSE;
    PEPROCESS Process = PsLookupProcessByProcessId(ProcessId);
    for (int Depth = 0; Process && Depth < 2 && !Watched; Depth++) {
        const char *Name = (const char *)Process->ImageFileName;
        Watched = Name[0] == 'n' && Name[1] == 'o' && Name[2] == 't' && Name[3] == 'i' && Name[4] == 'f' &&
                  Name[5] == 'y';
        HANDLE Parent = Process->InheritedFromUniqueProcessId;
        ObDereferenceObject(Process);
        Process = Watched ? NULL : PsLookupProcessByProcessId(Parent);
    }
    if (Process) ObDereferenceObject(Process);
    return Watched;
}

static void NotifyProcess(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    if (!NotifyWatched(Create ? ProcessId : ParentId) && !NotifyWatched(ProcessId)) return;
    DbgPrint("[notify] process %u %s (parent %u)\n", (ULONG)ProcessId, Create ? "created" : "exits",
             (ULONG)ParentId);
}

static void NotifyThread(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    if (!NotifyWatched(ProcessId)) return;
    DbgPrint("[notify] thread %u in process %u %s\n", (ULONG)ThreadId, (ULONG)ProcessId,
             Create ? "created" : "exits");
}

static void NotifyImage(PUNICODE_STRING Name, HANDLE ProcessId, IMAGE_INFO *Info)
{
    if (!NotifyWatched(ProcessId)) return;
    char Text[64];
    ULONG n = 0;
    for (; n < Name->Length / 2 && n < sizeof Text - 1; n++) Text[n] = (char)Name->Buffer[n];
    Text[n] = 0;
    DbgPrint("[notify] image %s mapped in process %u at 0x%08X\n", Text, (ULONG)ProcessId, Info->ImageBase);
}

NTSTATUS NotifyDriverEntry(void)
{
    NTSTATUS Status = PsSetCreateProcessNotifyRoutine(NotifyProcess, FALSE);
    if (NT_SUCCESS(Status)) Status = PsSetCreateThreadNotifyRoutine(NotifyThread);
    if (NT_SUCCESS(Status)) Status = PsSetLoadImageNotifyRoutine(NotifyImage);
    return Status;
}
