/* NtWaitForSingleObject: signalled and unsignalled events with a zero and
 * a short timeout, a thread and a process that ended, and the refusals:
 * bad handles, an object that is not waitable, the caller's own thread,
 * bad Timeout pointers (optional: NULL waits forever, so not used here). */
#include "ntsvc.h"

static DWORD WINAPI quick(LPVOID p) { (void)p; return 7; }

int main(void)
{
    svc_begin("NtWaitForSingleObject", 18);
    char what[96];
    LARGE_INTEGER zero = { .QuadPart = 0 }, short_wait = { .QuadPart = -20 * 10000 };
    HANDLE on = NULL, off = NULL;
    NtCreateEvent(&on, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, TRUE);
    NtCreateEvent(&off, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, FALSE);
    check("signalled event, zero timeout", NtWaitForSingleObject(on, FALSE, &zero), STATUS_WAIT_0);
    check("signalled event, no timeout", NtWaitForSingleObject(on, FALSE, NULL), STATUS_WAIT_0);
    check("unsignalled event, zero timeout", NtWaitForSingleObject(off, FALSE, &zero), STATUS_TIMEOUT);
    check("unsignalled event, 20 ms", NtWaitForSingleObject(off, FALSE, &short_wait), STATUS_TIMEOUT);
    LARGE_INTEGER absolute_past = { .QuadPart = 1 };
    check("unsignalled event, an absolute time long past", NtWaitForSingleObject(off, FALSE, &absolute_past),
          STATUS_TIMEOUT);
    check("alertable, signalled", NtWaitForSingleObject(on, TRUE, &zero), STATUS_WAIT_0);
    HANDLE t = CreateThread(NULL, 0, quick, NULL, 0, NULL);
    check_true("a thread to wait for", t != NULL);
    check("wait for the thread's end", NtWaitForSingleObject(t, FALSE, NULL), STATUS_WAIT_0);
    check("an ended thread stays signalled", NtWaitForSingleObject(t, FALSE, &zero), STATUS_WAIT_0);
    check("the own process, zero timeout", NtWaitForSingleObject(NtCurrentProcess(), FALSE, &zero), STATUS_TIMEOUT);
    check("the own thread (would never end)", NtWaitForSingleObject(NtCurrentThread(), FALSE, &zero),
          STATUS_INVALID_PARAMETER);

    struct svc_handle hb[8];
    HANDLE file = (HANDLE)GetStdHandle(STD_OUTPUT_HANDLE);
    int nh = svc_bad_handles(hb, file);
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "%s", hb[i].name);
        check(what, NtWaitForSingleObject(hb[i].h, FALSE, &zero), hb[i].want);
    }
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 0, 0, 8);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "Timeout %s", bp[i].name);
        check(what, NtWaitForSingleObject(off, FALSE, bp[i].p), STATUS_ACCESS_VIOLATION);
    }
    check("Timeout in the read-only shared page is readable",
          NtWaitForSingleObject(on, FALSE, (PLARGE_INTEGER)SHARED_UVA), STATUS_WAIT_0);
    ULONG args[3] = { (ULONG)off, 0, (ULONG)&zero };
    check("through int 2Eh", svc_int2e(0x10F, args, 3), STATUS_TIMEOUT);
    check("through sysenter raw", svc_sysenter(0x10F, args, 3), STATUS_TIMEOUT);
    return svc_end();
}
