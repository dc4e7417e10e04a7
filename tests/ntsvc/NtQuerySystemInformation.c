/* NtQuerySystemInformation: SystemBasicInformation (class 0) and the
 * process list (class 5: the own process is in it; a short buffer gives
 * STATUS_INFO_LENGTH_MISMATCH and the length needed); the refusals:
 * information class, length, bad buffer and ReturnLength pointers. */
#include "ntsvc.h"

static ULONG list[0x4000 / 4];

int main(void)
{
    svc_begin("NtQuerySystemInformation", 18);
    char what[96];
    ULONG basic[11], rl = 0;
    check("basic information", NtQuerySystemInformation(0, basic, sizeof basic, &rl), 0);
    check("ReturnLength 44", rl, 44);
    check("PageSize", basic[2], 0x1000);
    check("AllocationGranularity", basic[6], 0x10000);
    check("MinimumUserModeAddress", basic[7], 0x10000);
    check("MaximumUserModeAddress", basic[8], 0x7FFEFFFF);
    check("basic, length 43", NtQuerySystemInformation(0, basic, 43, NULL), STATUS_INFO_LENGTH_MISMATCH);
    check("process list", NtQuerySystemInformation(5, list, sizeof list, &rl), 0);
    ULONG me = (ULONG)NtCurrentTeb()->ClientId.UniqueProcess, found = 0, entries = 0;
    for (UCHAR *p = (UCHAR *)list;; p += ((ULONG *)p)[0]) {
        entries++;
        if (((ULONG *)p)[0x44 / 4] == me) found = 1;
        if (!((ULONG *)p)[0] || entries > 100) break;
    }
    check("the own process is listed", found, 1);
    check_true("System, smss and this process at least", entries >= 3);
    ULONG needed = rl;
    rl = 0;
    check("process list into 16 bytes", NtQuerySystemInformation(5, list, 16, &rl), STATUS_INFO_LENGTH_MISMATCH);
    check("the length needed", rl, needed);
    check("information class 1", NtQuerySystemInformation(1, list, sizeof list, NULL), STATUS_INVALID_INFO_CLASS);
    check("information class 0xFFFFFFFF", NtQuerySystemInformation(0xFFFFFFFF, list, sizeof list, NULL),
          STATUS_INVALID_INFO_CLASS);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, 44);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "basic into %s", bp[i].name);
        check(what, NtQuerySystemInformation(0, bp[i].p, 44, NULL), STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 0, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ReturnLength %s", bp[i].name);
        check(what, NtQuerySystemInformation(0, basic, 44, bp[i].p), STATUS_ACCESS_VIOLATION);
    }
    ULONG args[4] = { 0, (ULONG)basic, 44, (ULONG)&rl };
    check("through int 2Eh", svc_int2e(0xAD, args, 4), 0);
    return svc_end();
}
