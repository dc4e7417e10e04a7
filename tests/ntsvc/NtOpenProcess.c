/* NtOpenProcess by client id: the own process and the parent; the
 * refusals: ClientId NULL (STATUS_INVALID_PARAMETER_MIX), ids that name
 * no process (STATUS_INVALID_CID), bad ClientId and ProcessHandle
 * pointers, which leave no handle behind. */
#include "ntsvc.h"

int main(void)
{
    svc_begin("NtOpenProcess", 16);
    char what[96];
    PROCESS_BASIC_INFORMATION b, o;
    NtQueryInformationProcess(NtCurrentProcess(), 0, &b, sizeof b, NULL);
    HANDLE h = NULL;
    CLIENT_ID cid = { (HANDLE)b.UniqueProcessId, 0 };
    check("open the own process", NtOpenProcess(&h, PROCESS_ALL_ACCESS, NULL, &cid), 0);
    check("the handle reaches it", NtQueryInformationProcess(h, 0, &o, sizeof o, NULL), 0);
    check("the same id", o.UniqueProcessId, b.UniqueProcessId);
    NtClose(h);
    CLIENT_ID pc = { (HANDLE)b.InheritedFromUniqueProcessId, 0 };
    check("open the parent", NtOpenProcess(&h, PROCESS_ALL_ACCESS, NULL, &pc), 0);
    NtQueryInformationProcess(h, 0, &o, sizeof o, NULL);
    check("its id", o.UniqueProcessId, b.InheritedFromUniqueProcessId);
    NtClose(h);
    HANDLE before = svc_closed_handle();
    h = (HANDLE)0x77;
    check("ClientId NULL", NtOpenProcess(&h, PROCESS_ALL_ACCESS, NULL, NULL), STATUS_INVALID_PARAMETER_MIX);
    CLIENT_ID bad = { (HANDLE)0x7FFFFFF0, 0 };
    check("process id 0x7FFFFFF0", NtOpenProcess(&h, PROCESS_ALL_ACCESS, NULL, &bad), STATUS_INVALID_CID);
    bad.UniqueProcess = (HANDLE)1;
    check("process id 1", NtOpenProcess(&h, PROCESS_ALL_ACCESS, NULL, &bad), STATUS_INVALID_CID);
    bad.UniqueProcess = NtCurrentTeb()->ClientId.UniqueThread;
    check("a thread's id as the process id", NtOpenProcess(&h, PROCESS_ALL_ACCESS, NULL, &bad), STATUS_INVALID_CID);
    check("the handle variable unchanged", (ULONG)h, 0x77);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 0, 0, sizeof cid);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ClientId %s", bp[i].name);
        check(what, NtOpenProcess(&h, PROCESS_ALL_ACCESS, NULL, bp[i].p), STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 1, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ProcessHandle %s", bp[i].name);
        check(what, NtOpenProcess(bp[i].p, PROCESS_ALL_ACCESS, NULL, &cid), STATUS_ACCESS_VIOLATION);
    }
    check("no handle was left behind", (ULONG)svc_closed_handle(), (ULONG)before);
    ULONG args[4] = { (ULONG)&h, PROCESS_ALL_ACCESS, 0, (ULONG)&cid };
    check("through int 2Eh", svc_int2e(0x7A, args, 4), 0);
    return svc_end();
}
