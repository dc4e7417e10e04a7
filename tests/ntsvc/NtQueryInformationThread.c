/* NtQueryInformationThread: ThreadBasicInformation and ThreadTimes of the
 * caller and of another thread, and the refusals: information class,
 * length, bad handles, bad pointers for the buffer and the optional
 * ReturnLength, which leave the buffer as it was. */
#include "ntsvc.h"

static DWORD WINAPI idle(LPVOID p) { (void)p; return 0; }

int main(void)
{
    svc_begin("NtQueryInformationThread", 24);
    char what[96];
    THREAD_BASIC_INFORMATION b;
    ULONG rl = 0, times[8];
    check("basic information", NtQueryInformationThread(NtCurrentThread(), 0, &b, sizeof b, &rl), 0);
    check("ReturnLength", rl, sizeof b);
    check("ExitStatus STILL_ACTIVE", (ULONG)b.ExitStatus, STILL_ACTIVE);
    check("TebBaseAddress", (ULONG)b.TebBaseAddress, (ULONG)NtCurrentTeb());
    check("ClientId.UniqueThread", (ULONG)b.ClientId.UniqueThread, (ULONG)NtCurrentTeb()->ClientId.UniqueThread);
    check("ClientId.UniqueProcess", (ULONG)b.ClientId.UniqueProcess, (ULONG)NtCurrentTeb()->ClientId.UniqueProcess);
    check("ThreadTimes (class 1)", NtQueryInformationThread(NtCurrentThread(), 1, times, sizeof times, &rl), 0);
    check("its length", rl, 32);
    HANDLE t = CreateThread(NULL, 0, idle, NULL, CREATE_SUSPENDED, NULL);
    THREAD_BASIC_INFORMATION tb;
    check("another thread's", NtQueryInformationThread(t, 0, &tb, sizeof tb, NULL), 0);
    check_true("another id, the same process", tb.ClientId.UniqueThread != b.ClientId.UniqueThread &&
                                                   tb.ClientId.UniqueProcess == b.ClientId.UniqueProcess);
    check_true("another TEB", tb.TebBaseAddress != b.TebBaseAddress);
    check("information class 2 (set only)", NtQueryInformationThread(NtCurrentThread(), 2, &b, sizeof b, NULL),
          STATUS_INVALID_INFO_CLASS);
    check("information class 0xFFFF", NtQueryInformationThread(NtCurrentThread(), 0xFFFF, &b, sizeof b, NULL),
          STATUS_INVALID_INFO_CLASS);
    check("length one short", NtQueryInformationThread(NtCurrentThread(), 0, &b, sizeof b - 1, NULL),
          STATUS_INFO_LENGTH_MISMATCH);
    check("length 0", NtQueryInformationThread(NtCurrentThread(), 0, &b, 0, NULL), STATUS_INFO_LENGTH_MISMATCH);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentProcess()", NtCurrentProcess(), STATUS_OBJECT_TYPE_MISMATCH };
    memset(&b, 0xEE, sizeof b);
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "thread %s", hb[i].name);
        check(what, NtQueryInformationThread(hb[i].h, 0, &b, sizeof b, NULL), hb[i].want);
    }
    check("the buffer unchanged", (ULONG)b.TebBaseAddress, 0xEEEEEEEE);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, sizeof b);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "buffer %s", bp[i].name);
        check(what, NtQueryInformationThread(NtCurrentThread(), 0, bp[i].p, sizeof b, NULL),
              STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 0, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ReturnLength %s", bp[i].name);
        check(what, NtQueryInformationThread(NtCurrentThread(), 0, &b, sizeof b, bp[i].p), STATUS_ACCESS_VIOLATION);
    }
    check("the buffer unchanged by the ReturnLength failures", (ULONG)b.TebBaseAddress, 0xEEEEEEEE);
    ULONG args[5] = { (ULONG)NtCurrentThread(), 0, (ULONG)&b, sizeof b, (ULONG)&rl };
    check("through int 2Eh", svc_int2e(0x9B, args, 5), 0);
    check("the TEB", (ULONG)b.TebBaseAddress, (ULONG)NtCurrentTeb());
    NtTerminateThread(t, 0);
    return svc_end();
}
