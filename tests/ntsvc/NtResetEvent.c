/* NtResetEvent: the new state and the previous one, and the refusals:
 * bad handles (another type: STATUS_OBJECT_TYPE_MISMATCH), a handle without
 * EVENT_MODIFY_STATE, bad PreviousState pointers (optional), which leave
 * the event as it was (NT probes before it changes anything). */
#include "ntsvc.h"
#define SET 0

static LONG state_of(HANDLE e)
{
    LARGE_INTEGER zero = { .QuadPart = 0 };
    return NtWaitForSingleObject(e, FALSE, &zero) == STATUS_WAIT_0;
}

int main(void)
{
    svc_begin("NtResetEvent", 16);
    char what[96];
    HANDLE e = NULL;
    LONG prev = 0x55;
    NtCreateEvent(&e, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, !SET);
    check("on an event in the other state", NtResetEvent(e, &prev), 0);
    check("the previous state", (ULONG)prev, !SET);
    check("the state now", (ULONG)state_of(e), SET);
    check("again", NtResetEvent(e, &prev), 0);
    check("the previous state is the new one", (ULONG)prev, SET);
    check("PreviousState NULL", NtResetEvent(e, NULL), 0);
    HANDLE sync = NULL;
    NtCreateEvent(&sync, EVENT_ALL_ACCESS_SVC, NULL, SYNCHRONIZATION_EVENT, !SET);
    check("on a synchronization event", NtResetEvent(sync, &prev), 0);
    check("its previous state", (ULONG)prev, !SET);
    /* Make it the other state again, then fail: nothing may change. */
#if SET
    NtResetEvent(e, NULL);
#else
    NtSetEvent(e, NULL);
#endif
    struct svc_handle hb[8];
    PROCESS_BASIC_INFORMATION pbi;
    NtQueryInformationProcess(NtCurrentProcess(), 0, &pbi, sizeof pbi, NULL);
    HANDLE proc = NULL;
    CLIENT_ID cid = { (HANDLE)pbi.UniqueProcessId, 0 };
    NtOpenProcess(&proc, PROCESS_ALL_ACCESS, NULL, &cid);
    HANDLE weak = NULL;
    NtCreateEvent(&weak, 0x00100000 /* SYNCHRONIZE only */, NULL, NOTIFICATION_EVENT, !SET);
    int nh = svc_bad_handles(hb, proc);
    hb[nh++] = (struct svc_handle){ "NtCurrentProcess()", NtCurrentProcess(), STATUS_OBJECT_TYPE_MISMATCH };
    hb[nh++] = (struct svc_handle){ "NtCurrentThread()", NtCurrentThread(), STATUS_OBJECT_TYPE_MISMATCH };
    hb[nh++] = (struct svc_handle){ "a handle without EVENT_MODIFY_STATE", weak, STATUS_ACCESS_DENIED };
    for (int i = 0; i < nh; i++) {
        prev = 0x55;
        snprintf(what, sizeof what, "event %s", hb[i].name);
        check(what, NtResetEvent(hb[i].h, &prev), hb[i].want);
    }
    check("PreviousState untouched by the failures", (ULONG)prev, 0x55);
    check("the weak handle's event did not change", (ULONG)state_of(weak), !SET);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 0, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "PreviousState %s", bp[i].name);
        check(what, NtResetEvent(e, bp[i].p), STATUS_ACCESS_VIOLATION);
        snprintf(what, sizeof what, "the event did not change (%s)", bp[i].name);
        check(what, (ULONG)state_of(e), !SET);
    }
    ULONG args[2] = { (ULONG)e, (ULONG)&prev };
    check("through int 2Eh", svc_int2e(0xCA, args, 2), 0);
    check("took effect", (ULONG)state_of(e), SET);
    return svc_end();
}
