/* NtGetContextThread: the caller's own user registers at the call (CS
 * 0x1B, SS 0x23, EIP in ntdll's system-call return, ESP on its stack),
 * ContextFlags choosing the groups (the others keep what the caller put
 * there), a suspended thread's start; the refusals: bad handles, bad
 * CONTEXT pointers (read and written). */
#include "ntsvc.h"

static DWORD WINAPI idle(LPVOID p) { (void)p; return 0; }

int main(void)
{
    svc_begin("NtGetContextThread", 20);
    char what[96];
    static CONTEXT c;
    memset(&c, 0xEE, sizeof c);
    c.ContextFlags = CONTEXT_FULL;
    check("own thread, CONTEXT_FULL", NtGetContextThread(NtCurrentThread(), &c), 0);
    check("SegCs", c.SegCs, 0x1B);
    check("SegSs", c.SegSs, 0x23);
    check("SegDs", c.SegDs, 0x23);
    check("SegFs", c.SegFs, 0x3B);
    check("EIP is KiFastSystemCallRet", c.Eip, (ULONG)KiFastSystemCallRet);
    check_true("ESP is on this stack", c.Esp < (ULONG)&what && c.Esp > (ULONG)&what - 0x1000);
    check_true("EFLAGS has IF", (c.EFlags & 0x200) != 0);
    check("the flags stay", c.ContextFlags, CONTEXT_FULL);
    check("the debug registers were not asked for", c.Dr7, 0xEEEEEEEE);
    memset(&c, 0xEE, sizeof c);
    c.ContextFlags = CONTEXT_INTEGER;
    check("CONTEXT_INTEGER only", NtGetContextThread(NtCurrentThread(), &c), 0);
    check_true("EBX was filled", c.Ebx != 0xEEEEEEEE);
    check("EIP untouched", c.Eip, 0xEEEEEEEE);
    HANDLE t = CreateThread(NULL, 0, idle, NULL, CREATE_SUSPENDED, NULL);
    memset(&c, 0, sizeof c);
    c.ContextFlags = CONTEXT_FULL;
    check("a suspended thread", NtGetContextThread(t, &c), 0);
    check("its SegCs", c.SegCs, 0x1B);
    check_true("its EIP is in kernel32 (the start thunk)", c.Eip >= 0x7C800000 && c.Eip < 0x7C900000);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentProcess()", NtCurrentProcess(), STATUS_OBJECT_TYPE_MISMATCH };
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "thread %s", hb[i].name);
        check(what, NtGetContextThread(hb[i].h, &c), hb[i].want);
    }
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, sizeof c);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "Context %s", bp[i].name);
        check(what, NtGetContextThread(NtCurrentThread(), bp[i].p), STATUS_ACCESS_VIOLATION);
    }
    c.ContextFlags = CONTEXT_CONTROL;
    ULONG args[2] = { (ULONG)NtCurrentThread(), (ULONG)&c };
    check("through int 2Eh", svc_int2e(0x55, args, 2), 0);
    check("EIP after int 2Eh is past the int", c.Eip > (ULONG)svc_int2e && c.Eip < (ULONG)svc_int2e + 64, 1);
    NtTerminateThread(t, 0);
    return svc_end();
}
