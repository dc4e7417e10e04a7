/* callback.c - the service descriptor tables and user-mode callbacks
 * (nt-reference.md 5.4 and 7): KeServiceDescriptorTable (ntoskrnl's
 * table) and KeServiceDescriptorTableShadow (plus the win32k-style table
 * of ringsim's own services), PsConvertToGuiThread, KeUserModeCallback,
 * and NtUserCallbackDemo, a shadow-table service that calls back. */
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/rtl.h"

/* From ntkernel/services.tab (build/ntkernel/gen/services.c). */
extern void (*const KiServiceTable[])(void);
extern const UCHAR KiArgumentTable[];
extern const ULONG KiServiceLimit;
extern void (*const W32pServiceTable[])(void);
extern const UCHAR W32pArgumentTable[];
extern const ULONG W32pServiceLimit;

KSERVICE_TABLE_DESCRIPTOR KeServiceDescriptorTable[NUMBER_SERVICE_TABLES];
KSERVICE_TABLE_DESCRIPTOR KeServiceDescriptorTableShadow[NUMBER_SERVICE_TABLES];

ULONG KeUserCallbackDispatcher, KeUserExceptionDispatcher, KeFastSystemCall, KeFastSystemCallRet,
      KeIntSystemCall;

void KiInitializeServiceTables(void)
{
    KeServiceDescriptorTable[0] = (KSERVICE_TABLE_DESCRIPTOR){ KiServiceTable, NULL, KiServiceLimit,
                                                                KiArgumentTable };
    KeServiceDescriptorTableShadow[0] = KeServiceDescriptorTable[0];
    KeServiceDescriptorTableShadow[1] = (KSERVICE_TABLE_DESCRIPTOR){ W32pServiceTable, NULL,
                                                                      W32pServiceLimit, W32pArgumentTable };
}

/* A slot below the limit with no service behind it. */
NTSTATUS NTAPI KiServiceNotImplemented(void)
{
    return STATUS_NOT_IMPLEMENTED;
}

/* The first call of a shadow-table service makes the thread a GUI thread:
 * its ServiceTable becomes the shadow array (NT also moves it to a large
 * kernel stack; every stack here is already that size).  Returns
 * STATUS_SUCCESS when it converted the thread, so the call is retried. */
NTSTATUS PsConvertToGuiThread(void)
{
    PKTHREAD Thread = KeGetCurrentThread();
    if (Thread->ServiceTable == KeServiceDescriptorTableShadow) return STATUS_ALREADY_WIN32;
    Thread->ServiceTable = KeServiceDescriptorTableShadow;
    Thread->Win32Thread = Thread;       /* marks it a GUI thread for the views */
    return STATUS_SUCCESS;
}

NTSTATUS KiCallUserMode(PVOID *OutputBuffer, PULONG OutputLength);

/* nt-reference.md 7.2: the input and a 24-byte frame under the user ESP
 * of the current trap frame, HardwareEsp pointed at it, then KiCallUserMode
 * until the callback returns. */
NTSTATUS KeUserModeCallback(ULONG ApiNumber, PVOID InputBuffer, ULONG InputLength,
                            PVOID *OutputBuffer, PULONG OutputLength)
{
    PKTHREAD Thread = KeGetCurrentThread();
    PKTRAP_FRAME TrapFrame = Thread->TrapFrame;
    if (Thread->PreviousMode != UserMode || !TrapFrame || !(TrapFrame->SegCs & 1))
        return STATUS_INVALID_PARAMETER;
    ULONG OldStack = TrapFrame->HardwareEsp;
    ULONG NewStack = (OldStack - InputLength) & ~3u;
    ULONG Frame[4] = { 0, ApiNumber, NewStack, InputLength };
    PTEB Teb = Thread->Teb;
    PVOID ExceptionList;
    if (!NT_SUCCESS(MmCopyToUser((PVOID)NewStack, InputBuffer, InputLength)) ||
        !NT_SUCCESS(MmCopyToUser((PVOID)(NewStack - 24), Frame, sizeof Frame)) ||
        !NT_SUCCESS(MmCopyFromUser(&ExceptionList, &Teb->ExceptionList, sizeof ExceptionList)))
        return STATUS_ACCESS_VIOLATION;
    TrapFrame->HardwareEsp = NewStack - 24;
    NTSTATUS Status = KiCallUserMode(OutputBuffer, OutputLength);
    if (Status != STATUS_CALLBACK_POP_STACK)
        MmCopyToUser(&Teb->ExceptionList, &ExceptionList, sizeof ExceptionList);
    TrapFrame->HardwareEsp = OldStack;
    return Status;
}

/* NtUserCallbackDemo(Depth, Value, Result), shadow service 0x1000: calls
 * back ApiNumber 0 with {Depth, Value}; the callback's status comes back as
 * a number, and *Result = that number + Depth.  A callback may call this
 * service again: the callbacks nest. */
NTSTATUS NTAPI NtUserCallbackDemo(ULONG Depth, ULONG Value, PULONG Result)
{
    ULONG Input[2] = { Depth, Value };
    PVOID Output = NULL;
    ULONG OutputLength = 0;
    if (Depth == 0 || Depth > 8) return STATUS_INVALID_PARAMETER_1;
    NTSTATUS Status = KeUserModeCallback(0, Input, sizeof Input, &Output, &OutputLength);
    if (Status == STATUS_CALLBACK_POP_STACK || Status == STATUS_STACK_OVERFLOW ||
        Status == STATUS_ACCESS_VIOLATION)
        return Status;
    ULONG Answer = (ULONG)Status + Depth;
    if (!NT_SUCCESS(MmCopyToUser(Result, &Answer, sizeof Answer))) return STATUS_ACCESS_VIOLATION;
    return STATUS_SUCCESS;
}
