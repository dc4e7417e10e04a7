/* NtFreeVirtualMemory: MEM_RELEASE of a whole region (size 0 at its base),
 * of a part, MEM_DECOMMIT, and the refusals: free type, not at the base,
 * nothing allocated, past the region, addresses out of range, bad handles
 * and pointers; the caller's variables and the memory stay on failure. */
#include "ntsvc.h"

static NTSTATUS fr(HANDLE h, PVOID base, SIZE_T size, ULONG type, PVOID *gb, SIZE_T *gs)
{
    PVOID b = base;
    SIZE_T s = size;
    NTSTATUS st = NtFreeVirtualMemory(h, &b, &s, type);
    if (gb) *gb = b;
    if (gs) *gs = s;
    return st;
}

static ULONG state_of(PVOID va)
{
    MEMORY_BASIC_INFORMATION_SVC mbi;
    if (NtQueryVirtualMemory(NtCurrentProcess(), va, 0, &mbi, sizeof mbi, NULL)) return 0;
    return mbi.State;
}

int main(void)
{
    svc_begin("NtFreeVirtualMemory", 30);
    const ULONG RC = MEM_RESERVE | MEM_COMMIT;
    PVOID b;
    SIZE_T s;
    char what[96];
    UCHAR *r = svc_alloc(0x4000, RC, PAGE_READWRITE);
    check("MEM_RELEASE size 0 not at the base", fr(NtCurrentProcess(), r + 0x1000, 0, MEM_RELEASE, NULL, NULL),
          STATUS_FREE_VM_NOT_AT_BASE);
    check("MEM_RELEASE past the region's end", fr(NtCurrentProcess(), r, 0x5000, MEM_RELEASE, NULL, NULL),
          STATUS_UNABLE_TO_FREE_VM);
    check("free type 0", fr(NtCurrentProcess(), r, 0, 0, NULL, NULL), STATUS_INVALID_PARAMETER_4);
    check("free type RELEASE|DECOMMIT", fr(NtCurrentProcess(), r, 0, MEM_RELEASE | MEM_DECOMMIT, NULL, NULL),
          STATUS_INVALID_PARAMETER_4);
    check("free type MEM_COMMIT", fr(NtCurrentProcess(), r, 0, MEM_COMMIT, NULL, NULL), STATUS_INVALID_PARAMETER_4);
    check("base 0x80000000", fr(NtCurrentProcess(), KERNEL_VA, 0, MEM_RELEASE, NULL, NULL),
          STATUS_INVALID_PARAMETER_2);
    check("base 0x7FFF0000", fr(NtCurrentProcess(), PROBE_VA, 0, MEM_RELEASE, NULL, NULL),
          STATUS_INVALID_PARAMETER_2);
    check("size 0x80000000 from the region", fr(NtCurrentProcess(), r, 0x80000000, MEM_RELEASE, NULL, NULL),
          STATUS_INVALID_PARAMETER_3);
    check("nothing allocated at 0x60000000", fr(NtCurrentProcess(), (PVOID)0x60000000, 0, MEM_RELEASE, NULL, NULL),
          STATUS_MEMORY_NOT_ALLOCATED);
    r[0] = 0x77;
    check_true("the region survived the refusals", r[0] == 0x77 && state_of(r) == MEM_COMMIT);

    check("MEM_DECOMMIT the second page", fr(NtCurrentProcess(), r + 0x1800, 0x10, MEM_DECOMMIT, &b, &s), 0);
    check("the base returned is the page", (ULONG)b, (ULONG)r + 0x1000);
    check("the size returned is one page", s, 0x1000);
    check("the page is reserved now", state_of(r + 0x1000), MEM_RESERVE);
    check("the first page is still committed", state_of(r), MEM_COMMIT);
    check("MEM_RELEASE the last page", fr(NtCurrentProcess(), r + 0x3000, 0x1000, MEM_RELEASE, &b, &s), 0);
    check("that page is free", state_of(r + 0x3000), MEM_FREE);
    check("MEM_RELEASE size 0 at the base", fr(NtCurrentProcess(), r, 0, MEM_RELEASE, &b, &s), 0);
    check("the whole region's size is returned", s, 0x3000);
    check("the region is free", state_of(r), MEM_FREE);
    check("MEM_RELEASE it again", fr(NtCurrentProcess(), r, 0, MEM_RELEASE, NULL, NULL),
          STATUS_MEMORY_NOT_ALLOCATED);

    r = svc_alloc(0x2000, RC, PAGE_READWRITE);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentThread()", NtCurrentThread(), STATUS_OBJECT_TYPE_MISMATCH };
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "process %s", hb[i].name);
        b = r;
        s = 0;
        check(what, NtFreeVirtualMemory(hb[i].h, &b, &s, MEM_RELEASE), hb[i].want);
    }
    check_true("base and size unchanged after the failures", b == r && s == 0);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, 4);
    for (int i = 0; i < np; i++) {
        s = 0;
        snprintf(what, sizeof what, "BaseAddress %s", bp[i].name);
        check(what, NtFreeVirtualMemory(NtCurrentProcess(), bp[i].p, &s, MEM_RELEASE), STATUS_ACCESS_VIOLATION);
        b = r;
        snprintf(what, sizeof what, "RegionSize %s", bp[i].name);
        check(what, NtFreeVirtualMemory(NtCurrentProcess(), &b, bp[i].p, MEM_RELEASE), STATUS_ACCESS_VIOLATION);
    }
    check("the region is still there", state_of(r), MEM_COMMIT);
    b = r;
    s = 0;
    ULONG args[4] = { (ULONG)NtCurrentProcess(), (ULONG)&b, (ULONG)&s, MEM_RELEASE };
    check("MEM_RELEASE through int 2Eh", svc_int2e(0x53, args, 4), 0);
    check("gone", state_of(r), MEM_FREE);
    return svc_end();
}
