/* NtTerminateProcess: a child process ends with the given status (its
 * handle is signalled, the status is queried back); the System process may
 * not be ended (STATUS_ACCESS_DENIED); NULL ends the caller's other
 * threads only; the refusals: bad handles; last, the program ends itself
 * with its failure count as the exit status. */
#include "ntsvc.h"

static DWORD WINAPI idle(LPVOID p) { (void)p; for (;;) Sleep(1000); return 0; }

int main(void)
{
    svc_begin("NtTerminateProcess", 12);
    char what[96];
    LARGE_INTEGER zero = { .QuadPart = 0 };
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    BOOL ok = CreateProcessA("teb.elf", NULL, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi);
    check_true("a suspended child", ok);
    check("terminate it with 0x4321", NtTerminateProcess(pi.hProcess, 0x4321), 0);
    check("its handle is signalled", NtWaitForSingleObject(pi.hProcess, FALSE, &zero), STATUS_WAIT_0);
    PROCESS_BASIC_INFORMATION b;
    NtQueryInformationProcess(pi.hProcess, 0, &b, sizeof b, NULL);
    check("its exit status", (ULONG)b.ExitStatus, 0x4321);
    check("its thread is signalled too", NtWaitForSingleObject(pi.hThread, FALSE, &zero), STATUS_WAIT_0);
    HANDLE sys = NULL;
    CLIENT_ID cid = { (HANDLE)4, 0 };
    check("open the System process", NtOpenProcess(&sys, PROCESS_ALL_ACCESS, NULL, &cid), 0);
    check("terminate it", NtTerminateProcess(sys, 1), STATUS_ACCESS_DENIED);
    HANDLE t = CreateThread(NULL, 0, idle, NULL, 0, NULL);
    check("NULL: the caller's other threads", NtTerminateProcess(NULL, 0x77), 0);
    check("the other thread ended", NtWaitForSingleObject(t, FALSE, &zero), STATUS_WAIT_0);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[0] = (struct svc_handle){ "handle 0x7FFFFFFC", (HANDLE)0x7FFFFFFC, STATUS_INVALID_HANDLE };
    hb[nh++] = (struct svc_handle){ "NtCurrentThread()", NtCurrentThread(), STATUS_OBJECT_TYPE_MISMATCH };
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "process %s", hb[i].name);
        check(what, NtTerminateProcess(hb[i].h, 1), hb[i].want);
    }
    ULONG args[2] = { 0x1234, 5 };
    check("through int 2Eh, a bad handle", svc_int2e(0x101, args, 2), STATUS_INVALID_HANDLE);
    svc_end();
    NtTerminateProcess(NtCurrentProcess(), svc_failed);
    printf("NtTerminateProcess: still running after terminating the own process\n");
    return 100;
}
