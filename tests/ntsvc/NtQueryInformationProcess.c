/* NtQueryInformationProcess: ProcessBasicInformation and ProcessTimes of
 * the caller and of a process opened by id, and the refusals: information
 * class, length, bad handles, bad pointers for the buffer and the optional
 * ReturnLength, which leave the buffer as it was (NT probes both first). */
#include "ntsvc.h"

int main(void)
{
    svc_begin("NtQueryInformationProcess", 24);
    char what[96];
    PROCESS_BASIC_INFORMATION b;
    ULONG rl = 0, times[8];
    check("basic information", NtQueryInformationProcess(NtCurrentProcess(), 0, &b, sizeof b, &rl), 0);
    check("ReturnLength", rl, sizeof b);
    check("ExitStatus STILL_ACTIVE", (ULONG)b.ExitStatus, STILL_ACTIVE);
    check("PebBaseAddress", (ULONG)b.PebBaseAddress, PEB_ADDRESS);
    check("UniqueProcessId is the TEB's", b.UniqueProcessId, (ULONG)NtCurrentTeb()->ClientId.UniqueProcess);
    check_true("the parent is another process", b.InheritedFromUniqueProcessId != b.UniqueProcessId);
    check("ProcessTimes (class 4)", NtQueryInformationProcess(NtCurrentProcess(), 4, times, sizeof times, &rl), 0);
    check("its length", rl, 32);
    HANDLE parent = NULL;
    CLIENT_ID cid = { (HANDLE)b.InheritedFromUniqueProcessId, 0 };
    NtOpenProcess(&parent, PROCESS_ALL_ACCESS, NULL, &cid);
    PROCESS_BASIC_INFORMATION pb;
    check("the parent's basic information", NtQueryInformationProcess(parent, 0, &pb, sizeof pb, NULL), 0);
    check("its id", pb.UniqueProcessId, b.InheritedFromUniqueProcessId);
    check("information class 1 (quotas: not kept)", NtQueryInformationProcess(NtCurrentProcess(), 1, &b, sizeof b,
                                                                             NULL), STATUS_INVALID_INFO_CLASS);
    check("information class 0xFFFF", NtQueryInformationProcess(NtCurrentProcess(), 0xFFFF, &b, sizeof b, NULL),
          STATUS_INVALID_INFO_CLASS);
    check("length one short", NtQueryInformationProcess(NtCurrentProcess(), 0, &b, sizeof b - 1, NULL),
          STATUS_INFO_LENGTH_MISMATCH);
    check("length one long", NtQueryInformationProcess(NtCurrentProcess(), 0, times, sizeof b + 1, NULL),
          STATUS_INFO_LENGTH_MISMATCH);
    check("ProcessTimes length 24", NtQueryInformationProcess(NtCurrentProcess(), 4, times, 24, NULL),
          STATUS_INFO_LENGTH_MISMATCH);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentThread()", NtCurrentThread(), STATUS_OBJECT_TYPE_MISMATCH };
    memset(&b, 0xEE, sizeof b);
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "process %s", hb[i].name);
        check(what, NtQueryInformationProcess(hb[i].h, 0, &b, sizeof b, NULL), hb[i].want);
    }
    check("the buffer unchanged", (ULONG)b.PebBaseAddress, 0xEEEEEEEE);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, sizeof b);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "buffer %s", bp[i].name);
        check(what, NtQueryInformationProcess(NtCurrentProcess(), 0, bp[i].p, sizeof b, NULL),
              STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 0, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ReturnLength %s", bp[i].name);
        check(what, NtQueryInformationProcess(NtCurrentProcess(), 0, &b, sizeof b, bp[i].p),
              STATUS_ACCESS_VIOLATION);
    }
    check("the buffer unchanged by the ReturnLength failures", (ULONG)b.PebBaseAddress, 0xEEEEEEEE);
    ULONG args[5] = { (ULONG)NtCurrentProcess(), 0, (ULONG)&b, sizeof b, (ULONG)&rl };
    check("through int 2Eh", svc_int2e(0x9A, args, 5), 0);
    check("the PEB", (ULONG)b.PebBaseAddress, PEB_ADDRESS);
    return svc_end();
}
