/* NtSetInformationThread (ThreadPriority): a priority from 1 to 31 takes
 * effect; the refusals: information class, length, priority 0 / 32 / -1,
 * bad handles, bad ThreadInformation pointers (not optional); the
 * priority stays on failure. */
#include "ntsvc.h"

static LONG priority_of(HANDLE t)
{
    THREAD_BASIC_INFORMATION b;
    NtQueryInformationThread(t, 0, &b, sizeof b, NULL);
    return b.Priority;
}

int main(void)
{
    svc_begin("NtSetInformationThread", 18);
    char what[96];
    LONG p = 9;
    check("priority 9", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &p, sizeof p), 0);
    check("reads back 9", (ULONG)priority_of(NtCurrentThread()), 9);
    p = 1;
    check("priority 1 (lowest allowed)", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &p, sizeof p), 0);
    p = 31;
    check("priority 31 (highest)", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &p, sizeof p), 0);
    check("reads back 31", (ULONG)priority_of(NtCurrentThread()), 31);
    p = 8;
    check("back to 8", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &p, sizeof p), 0);
    p = 0;
    check("priority 0", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &p, sizeof p),
          STATUS_INVALID_PARAMETER);
    p = 32;
    check("priority 32", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &p, sizeof p),
          STATUS_INVALID_PARAMETER);
    p = -1;
    check("priority -1", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &p, sizeof p),
          STATUS_INVALID_PARAMETER);
    p = 10;
    check("length 3", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &p, 3), STATUS_INFO_LENGTH_MISMATCH);
    check("length 8", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &p, 8), STATUS_INFO_LENGTH_MISMATCH);
    check("information class 0xFFFF", NtSetInformationThread(NtCurrentThread(), 0xFFFF, &p, sizeof p),
          STATUS_INVALID_INFO_CLASS);
    check("the priority is still 8", (ULONG)priority_of(NtCurrentThread()), 8);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentProcess()", NtCurrentProcess(), STATUS_OBJECT_TYPE_MISMATCH };
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "thread %s", hb[i].name);
        check(what, NtSetInformationThread(hb[i].h, ThreadPriority, &p, sizeof p), hb[i].want);
    }
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 0, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ThreadInformation %s", bp[i].name);
        check(what, NtSetInformationThread(NtCurrentThread(), ThreadPriority, bp[i].p, sizeof p),
              STATUS_ACCESS_VIOLATION);
    }
    check("the priority is still 8", (ULONG)priority_of(NtCurrentThread()), 8);
    p = 12;
    ULONG args[4] = { (ULONG)NtCurrentThread(), ThreadPriority, (ULONG)&p, sizeof p };
    check("through int 2Eh", svc_int2e(0xE5, args, 4), 0);
    check("reads back 12", (ULONG)priority_of(NtCurrentThread()), 12);
    p = 8;
    NtSetInformationThread(NtCurrentThread(), ThreadPriority, &p, sizeof p);
    return svc_end();
}
