/* NtTerminateThread: another thread ends with the given status (its
 * handle is signalled, the status is queried back); the refusals: bad
 * handles (0 would mean the caller, so it is not among them); last, the
 * program ends its own thread with its failure count: the process's exit
 * status, which the host test sees. */
#include "ntsvc.h"

static DWORD WINAPI idle(LPVOID p) { (void)p; for (;;) Sleep(1000); return 0; }

int main(void)
{
    svc_begin("NtTerminateThread", 12);
    char what[96];
    HANDLE t = CreateThread(NULL, 0, idle, NULL, 0, NULL);
    LARGE_INTEGER zero = { .QuadPart = 0 };
    check("it runs (not signalled)", NtWaitForSingleObject(t, FALSE, &zero), STATUS_TIMEOUT);
    check("terminate it with 0x1234", NtTerminateThread(t, 0x1234), 0);
    check("its handle is signalled", NtWaitForSingleObject(t, FALSE, &zero), STATUS_WAIT_0);
    THREAD_BASIC_INFORMATION b;
    NtQueryInformationThread(t, 0, &b, sizeof b, NULL);
    check("its exit status", (ULONG)b.ExitStatus, 0x1234);
    HANDLE s = CreateThread(NULL, 0, idle, NULL, CREATE_SUSPENDED, NULL);
    check("terminate a suspended thread", NtTerminateThread(s, 0x99), 0);
    check("signalled", NtWaitForSingleObject(s, FALSE, &zero), STATUS_WAIT_0);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event()) ;
    hb[0] = (struct svc_handle){ "handle 0x7FFFFFFC", (HANDLE)0x7FFFFFFC, STATUS_INVALID_HANDLE };
    hb[nh++] = (struct svc_handle){ "NtCurrentProcess()", NtCurrentProcess(), STATUS_OBJECT_TYPE_MISMATCH };
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "thread %s", hb[i].name);
        check(what, NtTerminateThread(hb[i].h, 1), hb[i].want);
    }
    ULONG args[2] = { 0x1234, 5 };
    check("through int 2Eh, a bad handle", svc_int2e(0x102, args, 2), STATUS_INVALID_HANDLE);
    svc_end();
    NtTerminateThread(NtCurrentThread(), svc_failed);
    printf("NtTerminateThread: still running after terminating the own thread\n");
    return 100;
}
