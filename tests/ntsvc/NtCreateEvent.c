/* NtCreateEvent: notification and synchronization events in either initial
 * state, distinct handles, and the refusals: event type, bad EventHandle
 * pointers (NULL, kernel, unmapped, crossing, read-only), which leave no
 * handle behind. */
#include "ntsvc.h"

static ULONG signalled(HANDLE e)
{
    LARGE_INTEGER zero = { .QuadPart = 0 };
    return NtWaitForSingleObject(e, FALSE, &zero) == STATUS_WAIT_0;
}

int main(void)
{
    svc_begin("NtCreateEvent", 20);
    char what[96];
    HANDLE a = NULL, b = NULL, c = NULL, d = NULL;
    check("notification, not signalled", NtCreateEvent(&a, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, FALSE), 0);
    check_true("a handle came back", a != NULL && ((ULONG)a & 3) == 0);
    check("its state", signalled(a), 0);
    check("notification, signalled", NtCreateEvent(&b, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, TRUE), 0);
    check("its state", signalled(b), 1);
    check("and it stays signalled (notification)", signalled(b), 1);
    check("synchronization, signalled", NtCreateEvent(&c, EVENT_ALL_ACCESS_SVC, NULL, SYNCHRONIZATION_EVENT, TRUE), 0);
    check("a wait takes it", signalled(c), 1);
    check("and resets it (synchronization)", signalled(c), 0);
    check("InitialState 2 counts as TRUE", NtCreateEvent(&d, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, 2), 0);
    check("its state", signalled(d), 1);
    check_true("the handles differ", a != b && b != c && c != d && a != d);
    OBJECT_ATTRIBUTES oa = { sizeof oa, NULL, NULL, 0, NULL, NULL };
    HANDLE e = NULL;
    check("with empty OBJECT_ATTRIBUTES", NtCreateEvent(&e, EVENT_ALL_ACCESS_SVC, &oa, NOTIFICATION_EVENT, FALSE), 0);
    NtClose(e);
    HANDLE before = NULL, after = NULL;
    NtCreateEvent(&before, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, FALSE);
    NtClose(before);
    e = (HANDLE)0x77;
    check("event type 2", NtCreateEvent(&e, EVENT_ALL_ACCESS_SVC, NULL, 2, FALSE), STATUS_INVALID_PARAMETER);
    check("event type 0xFFFFFFFF", NtCreateEvent(&e, EVENT_ALL_ACCESS_SVC, NULL, 0xFFFFFFFF, FALSE),
          STATUS_INVALID_PARAMETER);
    check("the handle variable unchanged", (ULONG)e, 0x77);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "EventHandle %s", bp[i].name);
        check(what, NtCreateEvent(bp[i].p, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, FALSE),
              STATUS_ACCESS_VIOLATION);
    }
    NtCreateEvent(&after, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, FALSE);
    check("no handle was left behind (the next one is the same slot)", (ULONG)after, (ULONG)before);
    ULONG args[5] = { (ULONG)&e, EVENT_ALL_ACCESS_SVC, 0, NOTIFICATION_EVENT, TRUE };
    check("through int 2Eh", svc_int2e(0x23, args, 5), 0);
    check("signalled", signalled(e), 1);
    check("through sysenter raw", svc_sysenter(0x23, args, 5), 0);
    return svc_end();
}
