/* NtDelayExecution: zero, relative and absolute-past intervals return
 * STATUS_SUCCESS and time passes; DelayInterval is not optional and must be
 * readable (NULL, kernel, unmapped, crossing: STATUS_ACCESS_VIOLATION). */
#include "ntsvc.h"

int main(void)
{
    svc_begin("NtDelayExecution", 10);
    char what[96];
    LARGE_INTEGER zero = { .QuadPart = 0 }, d30 = { .QuadPart = -30 * 10000 }, past = { .QuadPart = 1 };
    check("zero", NtDelayExecution(FALSE, &zero), STATUS_SUCCESS);
    ULONG t0 = SharedUserData->TickCountLow;
    check("30 ms relative", NtDelayExecution(FALSE, &d30), STATUS_SUCCESS);
    ULONG t1 = SharedUserData->TickCountLow;
    check_true("at least two clock ticks passed", t1 - t0 >= 2);
    check("alertable 30 ms", NtDelayExecution(TRUE, &d30), STATUS_SUCCESS);
    check("an absolute time long past", NtDelayExecution(FALSE, &past), STATUS_SUCCESS);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 0, 8);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "DelayInterval %s", bp[i].name);
        check(what, NtDelayExecution(FALSE, bp[i].p), STATUS_ACCESS_VIOLATION);
    }
    ULONG args[2] = { 0, (ULONG)&zero };
    check("through int 2Eh", svc_int2e(0x3B, args, 2), 0);
    check("through sysenter raw", svc_sysenter(0x3B, args, 2), 0);
    return svc_end();
}
