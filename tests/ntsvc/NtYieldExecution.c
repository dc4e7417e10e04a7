/* NtYieldExecution: with nothing else ready at the caller's priority,
 * STATUS_NO_YIELD_PERFORMED; with a ready thread of the same priority,
 * STATUS_SUCCESS and that thread runs before the call returns.  No
 * arguments: extra stack words are ignored on both entry paths. */
#include "ntsvc.h"

static volatile LONG ran;
static DWORD WINAPI other(LPVOID p) { (void)p; ran = 1; return 0; }

int main(void)
{
    svc_begin("NtYieldExecution", 6);
    check("nothing else ready", NtYieldExecution(), STATUS_NO_YIELD_PERFORMED);
    HANDLE t = CreateThread(NULL, 0, other, NULL, CREATE_SUSPENDED, NULL);
    check_true("a second thread (same priority)", t != NULL);
    check("resume it: ready, not running", NtResumeThread(t, NULL), 0);
    check_true("it has not run yet", ran == 0);
    check("yield to it", NtYieldExecution(), STATUS_SUCCESS);
    check_true("it ran", ran == 1);
    WaitForSingleObject(t, INFINITE);
    ULONG junk[4] = { 1, 2, 3, 4 };
    check("through int 2Eh", svc_int2e(0x116, junk, 4), STATUS_NO_YIELD_PERFORMED);
    check("through sysenter raw", svc_sysenter(0x116, junk, 4), STATUS_NO_YIELD_PERFORMED);
    return svc_end();
}
