/* NtQueryVirtualMemory (MemoryBasicInformation): committed, reserved and
 * free regions, the shared page, and the refusals: information class,
 * length, address out of user space, bad handles, bad pointers for the
 * buffer and ReturnLength (optional). */
#include "ntsvc.h"

typedef MEMORY_BASIC_INFORMATION_SVC MBI;

static NTSTATUS q(HANDLE h, PVOID va, MBI *m, ULONG len, SIZE_T *rl)
{
    return NtQueryVirtualMemory(h, va, 0, m, len, rl);
}

int main(void)
{
    svc_begin("NtQueryVirtualMemory", 30);
    char what[96];
    MBI m;
    SIZE_T rl = 0;
    UCHAR *r = svc_alloc(0x10000, MEM_RESERVE, PAGE_READWRITE);
    PVOID c = r + 0x2000;
    SIZE_T cs = 0x2000;
    NtAllocateVirtualMemory(NtCurrentProcess(), &c, 0, &cs, MEM_COMMIT, PAGE_READONLY);
    check("query a reserved page", q(NtCurrentProcess(), r + 0x123, &m, sizeof m, &rl), 0);
    check("ReturnLength", rl, sizeof m);
    check("BaseAddress is the page", (ULONG)m.BaseAddress, (ULONG)r);
    check("AllocationBase", (ULONG)m.AllocationBase, (ULONG)r);
    check("AllocationProtect", m.AllocationProtect, PAGE_READWRITE);
    check("RegionSize runs to the committed part", m.RegionSize, 0x2000);
    check("State MEM_RESERVE", m.State, MEM_RESERVE);
    check("Type MEM_PRIVATE", m.Type, MEM_PRIVATE);
    check("query the committed part", q(NtCurrentProcess(), r + 0x2000, &m, sizeof m, NULL), 0);
    check("State MEM_COMMIT", m.State, MEM_COMMIT);
    check("Protect READONLY", m.Protect, PAGE_READONLY);
    check("RegionSize 0x2000", m.RegionSize, 0x2000);
    check("query free 0x60000000", q(NtCurrentProcess(), (PVOID)0x60000000, &m, sizeof m, NULL), 0);
    check("State MEM_FREE", m.State, MEM_FREE);
    check("Protect NOACCESS", m.Protect, PAGE_NOACCESS);
    check("query the shared page", q(NtCurrentProcess(), SHARED_UVA, &m, sizeof m, NULL), 0);
    check("committed", m.State, MEM_COMMIT);
    check("read-only", m.Protect, PAGE_READONLY);
    check("query 0x7FFEFFFF (the last user byte)", q(NtCurrentProcess(), (PVOID)0x7FFEFFFF, &m, sizeof m, NULL), 0);
    check("free", m.State, MEM_FREE);
    check("query 0x7FFF0000", q(NtCurrentProcess(), PROBE_VA, &m, sizeof m, NULL), STATUS_INVALID_PARAMETER);
    check("query 0x80000000", q(NtCurrentProcess(), KERNEL_VA, &m, sizeof m, NULL), STATUS_INVALID_PARAMETER);
    check("information class 1", NtQueryVirtualMemory(NtCurrentProcess(), r, 1, &m, sizeof m, NULL),
          STATUS_INVALID_INFO_CLASS);
    check("information class 0xFFFFFFFF", NtQueryVirtualMemory(NtCurrentProcess(), r, 0xFFFFFFFF, &m, sizeof m,
                                                               NULL), STATUS_INVALID_INFO_CLASS);
    check("length one short", q(NtCurrentProcess(), r, &m, sizeof m - 1, NULL), STATUS_INFO_LENGTH_MISMATCH);
    check("length 0", q(NtCurrentProcess(), r, &m, 0, NULL), STATUS_INFO_LENGTH_MISMATCH);
    MBI big[2];
    check("a longer buffer is fine", q(NtCurrentProcess(), r, big, sizeof big, &rl), 0);
    check("and ReturnLength is one structure", rl, sizeof m);

    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentThread()", NtCurrentThread(), STATUS_OBJECT_TYPE_MISMATCH };
    memset(&m, 0xEE, sizeof m);
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "process %s", hb[i].name);
        check(what, q(hb[i].h, r, &m, sizeof m, NULL), hb[i].want);
    }
    check("the buffer unchanged after the failures", m.State, 0xEEEEEEEE);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, sizeof(MBI));
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "Buffer %s", bp[i].name);
        check(what, q(NtCurrentProcess(), r, bp[i].p, sizeof m, NULL), STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 0, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ReturnLength %s", bp[i].name);
        check(what, q(NtCurrentProcess(), r, &m, sizeof m, bp[i].p), STATUS_ACCESS_VIOLATION);
    }
    ULONG args[6] = { (ULONG)NtCurrentProcess(), (ULONG)r, 0, (ULONG)&m, sizeof m, (ULONG)&rl };
    check("through int 2Eh", svc_int2e(0xB2, args, 6), 0);
    check("the state", m.State, MEM_RESERVE);
    return svc_end();
}
