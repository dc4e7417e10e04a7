/* callback - a shadow-table service (0x1000, bit 12 set) that calls back
 * into user mode: NtUserCallbackDemo(Depth, Value, &Result) makes the
 * kernel run KeUserModeCallback(ApiNumber 0, {Depth, Value}) ->
 * KiCallUserMode -> ntdll!KiUserCallbackDispatcher -> this program's
 * PEB->KernelCallbackTable[0] -> int 2Bh back into the kernel.  The
 * callback calls the service again while Depth > 1, so the callbacks nest
 * three deep.  The service stores Result = the callback's status + Depth. */
#include <stdio.h>
#include <ntdll.h>
#include <windows.h>

struct callback_input {
    ULONG Depth;
    ULONG Value;
};

static NTSTATUS WINAPI demo_callback(PVOID InputBuffer, ULONG InputLength)
{
    const struct callback_input *in = InputBuffer;
    printf("callback: in user mode at depth %lu, value %lu (%lu bytes of input)\n",
           in->Depth, in->Value, InputLength);
    if (in->Depth <= 1)
        return (NTSTATUS)in->Value;
    ULONG inner = 0;
    NTSTATUS status = NtUserCallbackDemo(in->Depth - 1, in->Value, &inner);
    printf("callback: depth %lu: the nested call returned 0x%08lx, result %lu\n",
           in->Depth, (ULONG)status, inner);
    return NT_SUCCESS(status) ? (NTSTATUS)inner : status;
}

static PVOID callback_table[] = { (PVOID)demo_callback };

int main(void)
{
    const ULONG depth = 3, value = 100;
    ULONG result = 0;

    NtCurrentPeb()->KernelCallbackTable = callback_table;
    printf("callback: NtUserCallbackDemo(depth %lu, value %lu)\n", depth, value);
    NTSTATUS status = NtUserCallbackDemo(depth, value, &result);
    /* depth 1 returns Value; each level adds its depth: 100 + 1 + 2 + 3. */
    ULONG expected = value + 1 + 2 + 3;
    printf("callback: returned 0x%08lx, result %lu (expected %lu)\n", (ULONG)status, result, expected);
    return NT_SUCCESS(status) && result == expected ? 0 : 1;
}
