/* NtResumeThread: a suspended thread's count goes 1 -> 0 and it runs; a
 * running thread reports 0; the refusals: bad handles, bad SuspendCount
 * pointers (optional), which leave the thread suspended (NT probes first). */
#include "ntsvc.h"

static volatile LONG ran;
static DWORD WINAPI worker(LPVOID p) { (void)p; ran++; return 0; }

int main(void)
{
    svc_begin("NtResumeThread", 14);
    char what[96];
    ULONG count = 0x55;
    HANDLE t = CreateThread(NULL, 0, worker, NULL, CREATE_SUSPENDED, NULL);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentProcess()", NtCurrentProcess(), STATUS_OBJECT_TYPE_MISMATCH };
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "thread %s", hb[i].name);
        check(what, NtResumeThread(hb[i].h, &count), hb[i].want);
    }
    check("SuspendCount unchanged", count, 0x55);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 0, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "SuspendCount %s", bp[i].name);
        check(what, NtResumeThread(t, bp[i].p), STATUS_ACCESS_VIOLATION);
    }
    LARGE_INTEGER d = { .QuadPart = -20 * 10000 };
    NtDelayExecution(FALSE, &d);
    check("the thread is still suspended", (ULONG)ran, 0);
    check("resume it", NtResumeThread(t, &count), 0);
    check("the previous count", count, 1);
    check("wait for it", NtWaitForSingleObject(t, FALSE, NULL), 0);
    check("it ran once", (ULONG)ran, 1);
    check("resume the running (own) thread", NtResumeThread(NtCurrentThread(), &count), 0);
    check("its previous count", count, 0);
    check("SuspendCount NULL", NtResumeThread(NtCurrentThread(), NULL), 0);
    ULONG args[2] = { (ULONG)NtCurrentThread(), (ULONG)&count };
    check("through int 2Eh", svc_int2e(0xCE, args, 2), 0);
    return svc_end();
}
