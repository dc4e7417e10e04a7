/* NtProtectVirtualMemory: new protection in, old out, rounding to pages,
 * and the refusals: protection values, uncommitted or unallocated pages,
 * ranges out of user space, bad handles and pointers (OldProtect is not
 * optional from user mode); protections stay on failure. */
#include "ntsvc.h"

static NTSTATUS prot(HANDLE h, PVOID base, SIZE_T size, ULONG np, ULONG *old)
{
    PVOID b = base;
    SIZE_T s = size;
    return NtProtectVirtualMemory(h, &b, &s, np, old);
}

static ULONG protect_of(PVOID va)
{
    MEMORY_BASIC_INFORMATION_SVC mbi;
    if (NtQueryVirtualMemory(NtCurrentProcess(), va, 0, &mbi, sizeof mbi, NULL)) return 0xFFFFFFFF;
    return mbi.Protect;
}

int main(void)
{
    svc_begin("NtProtectVirtualMemory", 30);
    char what[96];
    ULONG old = 0xAAAA;
    UCHAR *r = svc_alloc(0x3000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    PVOID b = r + 0x1010;
    SIZE_T s = 0x10;
    check("READONLY on the middle page", NtProtectVirtualMemory(NtCurrentProcess(), &b, &s, PAGE_READONLY, &old), 0);
    check("the old protection", old, PAGE_READWRITE);
    check("the base returned", (ULONG)b, (ULONG)r + 0x1000);
    check("the size returned", s, 0x1000);
    check("the page reads READONLY", protect_of(r + 0x1000), PAGE_READONLY);
    check("its neighbour is still READWRITE", protect_of(r), PAGE_READWRITE);
    check("back to READWRITE", prot(NtCurrentProcess(), r + 0x1000, 1, PAGE_READWRITE, &old), 0);
    check("the old protection was READONLY", old, PAGE_READONLY);
    check("all three pages to EXECUTE_READ", prot(NtCurrentProcess(), r, 0x3000, PAGE_EXECUTE_READ, &old), 0);
    check("read back", protect_of(r + 0x2000), PAGE_EXECUTE_READ);
    check("and READWRITE again", prot(NtCurrentProcess(), r, 0x3000, PAGE_READWRITE, &old), 0);

    check("protection 0", prot(NtCurrentProcess(), r, 0x1000, 0, &old), STATUS_INVALID_PAGE_PROTECTION);
    check("protection READONLY|READWRITE", prot(NtCurrentProcess(), r, 0x1000, 0x06, &old),
          STATUS_INVALID_PAGE_PROTECTION);
    check("protection 0x12345678", prot(NtCurrentProcess(), r, 0x1000, 0x12345678, &old),
          STATUS_INVALID_PAGE_PROTECTION);
    check("size 0", prot(NtCurrentProcess(), r, 0, PAGE_READONLY, &old), STATUS_INVALID_PARAMETER_3);
    check("base 0x80000000", prot(NtCurrentProcess(), KERNEL_VA, 0x1000, PAGE_READONLY, &old),
          STATUS_INVALID_PARAMETER_2);
    check("size 0x80000000", prot(NtCurrentProcess(), r, 0x80000000, PAGE_READONLY, &old),
          STATUS_INVALID_PARAMETER_3);
    check("past the region's end", prot(NtCurrentProcess(), r + 0x2000, 0x2000, PAGE_READONLY, &old),
          STATUS_CONFLICTING_ADDRESSES);
    check("unallocated 0x60000000", prot(NtCurrentProcess(), (PVOID)0x60000000, 0x1000, PAGE_READONLY, &old),
          STATUS_CONFLICTING_ADDRESSES);
    UCHAR *res = svc_alloc(0x2000, MEM_RESERVE, PAGE_READWRITE);
    check("reserved but not committed", prot(NtCurrentProcess(), res, 0x1000, PAGE_READONLY, &old),
          STATUS_NOT_COMMITTED);
    check("the protections did not change", protect_of(r), PAGE_READWRITE);

    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentThread()", NtCurrentThread(), STATUS_OBJECT_TYPE_MISMATCH };
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "process %s", hb[i].name);
        old = 0xAAAA;
        check(what, prot(hb[i].h, r, 0x1000, PAGE_READONLY, &old), hb[i].want);
    }
    check("OldProtect unchanged after the failures", old, 0xAAAA);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "OldProtect %s", bp[i].name);
        check(what, prot(NtCurrentProcess(), r, 0x1000, PAGE_READONLY, bp[i].p), STATUS_ACCESS_VIOLATION);
        s = 0x1000;
        snprintf(what, sizeof what, "BaseAddress %s", bp[i].name);
        check(what, NtProtectVirtualMemory(NtCurrentProcess(), bp[i].p, &s, PAGE_READONLY, &old),
              STATUS_ACCESS_VIOLATION);
        b = r;
        snprintf(what, sizeof what, "RegionSize %s", bp[i].name);
        check(what, NtProtectVirtualMemory(NtCurrentProcess(), &b, bp[i].p, PAGE_READONLY, &old),
              STATUS_ACCESS_VIOLATION);
    }
    check("the page is still READWRITE", protect_of(r), PAGE_READWRITE);
    b = r;
    s = 0x1000;
    ULONG args[5] = { (ULONG)NtCurrentProcess(), (ULONG)&b, (ULONG)&s, PAGE_READONLY, (ULONG)&old };
    check("READONLY through int 2Eh", svc_int2e(0x89, args, 5), 0);
    check("took effect", protect_of(r), PAGE_READONLY);
    return svc_end();
}
