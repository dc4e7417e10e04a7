/* NtUserCallbackDemo (shadow service 0x1000): one call back into user mode
 * and nested ones (*Result = the callback's value + Depth at each level),
 * and the refusals: Depth 0 and 9 (STATUS_INVALID_PARAMETER_1), bad Result
 * pointers (STATUS_ACCESS_VIOLATION after the callback ran). */
#include "ntsvc.h"

struct input { ULONG Depth, Value; };
static ULONG calls;

static NTSTATUS WINAPI cb(PVOID in_buffer, ULONG length)
{
    const struct input *in = in_buffer;
    calls++;
    if (length != sizeof *in) return 0x0BAD;
    if (in->Depth <= 1) return (NTSTATUS)in->Value;
    ULONG inner = 0;
    NTSTATUS s = NtUserCallbackDemo(in->Depth - 1, in->Value, &inner);
    return NT_SUCCESS(s) ? (NTSTATUS)inner : s;
}
static PVOID table[] = { (PVOID)cb };

int main(void)
{
    svc_begin("NtUserCallbackDemo", 12);
    char what[96];
    NtCurrentPeb()->KernelCallbackTable = table;
    ULONG r = 0;
    check("depth 1, value 100", NtUserCallbackDemo(1, 100, &r), 0);
    check("result 101", r, 101);
    check("one callback", calls, 1);
    calls = 0;
    check("depth 3 (nested)", NtUserCallbackDemo(3, 100, &r), 0);
    check("result 100 + 1 + 2 + 3", r, 106);
    check("three callbacks", calls, 3);
    check("depth 8 (the deepest)", NtUserCallbackDemo(8, 0, &r), 0);
    check("result 36", r, 36);
    r = 0x55;
    check("depth 0", NtUserCallbackDemo(0, 1, &r), STATUS_INVALID_PARAMETER_1);
    check("depth 9", NtUserCallbackDemo(9, 1, &r), STATUS_INVALID_PARAMETER_1);
    check("Result untouched", r, 0x55);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "Result %s", bp[i].name);
        check(what, NtUserCallbackDemo(1, 5, bp[i].p), STATUS_ACCESS_VIOLATION);
    }
    ULONG args[3] = { 2, 10, (ULONG)&r };
    check("through int 2Eh", svc_int2e(0x1000, args, 3), 0);
    check("result 13", r, 13);
    check("through sysenter raw", svc_sysenter(0x1000, args, 3), 0);
    check("0x1001 is beyond the shadow table", svc_sysenter(0x1001, args, 3), STATUS_INVALID_SYSTEM_SERVICE);
    return svc_end();
}
