/* NtAllocateVirtualMemory: reserve and commit, rounding of base (64 KB)
 * and size (pages), commit inside a reservation, and every refusal: zero
 * bits, allocation type, protection, base and size out of range, a taken
 * range, bad handles, bad pointers for BaseAddress and RegionSize; the
 * caller's variables stay as they were on failure. */
#include "ntsvc.h"

static NTSTATUS alloc(HANDLE h, PVOID base, ULONG zero, SIZE_T size, ULONG type, ULONG protect,
                      PVOID *got_base, SIZE_T *got_size)
{
    PVOID b = base;
    SIZE_T s = size;
    NTSTATUS st = NtAllocateVirtualMemory(h, &b, zero, &s, type, protect);
    if (got_base) *got_base = b;
    if (got_size) *got_size = s;
    return st;
}

int main(void)
{
    svc_begin("NtAllocateVirtualMemory", 40);
    PVOID b;
    SIZE_T s;
    char what[96];
    const ULONG RC = MEM_RESERVE | MEM_COMMIT;

    check("commit 0x1000 anywhere", alloc(NtCurrentProcess(), NULL, 0, 0x1000, RC, PAGE_READWRITE, &b, &s), 0);
    check_true("the base is 64 KB aligned and nonzero", b && ((ULONG)b & 0xFFFF) == 0);
    check("the size stays 0x1000", s, 0x1000);
    check("the new page reads as zero", *(volatile ULONG *)b, 0);
    *(volatile ULONG *)b = 0x5A5A1234;
    check("and keeps what is written", *(volatile ULONG *)b, 0x5A5A1234);
    check("size 1 rounds up to a page", alloc(NtCurrentProcess(), NULL, 0, 1, RC, PAGE_READWRITE, &b, &s), 0);
    check("the size returned", s, 0x1000);

    /* A reservation, then commits inside it. */
    PVOID r;
    check("reserve 0x30000", alloc(NtCurrentProcess(), NULL, 0, 0x30000, MEM_RESERVE, PAGE_READWRITE, &r, &s), 0);
    check("its size", s, 0x30000);
    check("commit 0x100 bytes at +0x1234", alloc(NtCurrentProcess(), (UCHAR *)r + 0x1234, 0, 0x100, MEM_COMMIT,
                                                 PAGE_READWRITE, &b, &s), 0);
    check("the committed base rounds down to the page", (ULONG)b, (ULONG)r + 0x1000);
    check("the committed size is one page", s, 0x1000);
    check("commit across two pages (+0x2FFF, 2 bytes)", alloc(NtCurrentProcess(), (UCHAR *)r + 0x2FFF, 0, 2,
                                                              MEM_COMMIT, PAGE_READWRITE, &b, &s), 0);
    check("gives two pages", s, 0x2000);
    check("reserve the same place again", alloc(NtCurrentProcess(), r, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE, NULL,
                                                NULL), STATUS_CONFLICTING_ADDRESSES);
    check("commit past the reservation's end", alloc(NtCurrentProcess(), (UCHAR *)r + 0x2F000, 0, 0x2000,
                                                     MEM_COMMIT, PAGE_READWRITE, NULL, NULL),
          STATUS_CONFLICTING_ADDRESSES);
    svc_free(r);
    check("commit where nothing is reserved", alloc(NtCurrentProcess(), r, 0, 0x1000, MEM_COMMIT, PAGE_READWRITE,
                                                    NULL, NULL), STATUS_CONFLICTING_ADDRESSES);
    check("reserve at an explicit base (+0x10123)", alloc(NtCurrentProcess(), (UCHAR *)r + 0x10123, 0, 0x1000,
                                                          MEM_RESERVE, PAGE_READWRITE, &b, &s), 0);
    check("the base rounds down to 64 KB", (ULONG)b, (ULONG)r + 0x10000);
    check("the size covers through the end page", s, 0x2000);
    svc_free(b);
    check("MEM_TOP_DOWN is accepted", alloc(NtCurrentProcess(), NULL, 0, 0x1000, RC | 0x100000, PAGE_READWRITE,
                                           NULL, NULL), 0);
    check("PAGE_NOACCESS may be reserved", alloc(NtCurrentProcess(), NULL, 0, 0x1000, RC, PAGE_NOACCESS, NULL,
                                                 NULL), 0);
    check("PAGE_EXECUTE_READ is a protection", alloc(NtCurrentProcess(), NULL, 0, 0x1000, RC, PAGE_EXECUTE_READ,
                                                     NULL, NULL), 0);

    /* Plain argument errors. */
    check("zero bits 22", alloc(NtCurrentProcess(), NULL, 22, 0x1000, RC, PAGE_READWRITE, NULL, NULL),
          STATUS_INVALID_PARAMETER_3);
    check("allocation type 0", alloc(NtCurrentProcess(), NULL, 0, 0x1000, 0, PAGE_READWRITE, NULL, NULL),
          STATUS_INVALID_PARAMETER_5);
    check("allocation type MEM_RELEASE", alloc(NtCurrentProcess(), NULL, 0, 0x1000, MEM_RELEASE, PAGE_READWRITE,
                                               NULL, NULL), STATUS_INVALID_PARAMETER_5);
    check("allocation type with bit 31", alloc(NtCurrentProcess(), NULL, 0, 0x1000, RC | 0x80000000,
                                               PAGE_READWRITE, NULL, NULL), STATUS_INVALID_PARAMETER_5);
    check("protection 0", alloc(NtCurrentProcess(), NULL, 0, 0x1000, RC, 0, NULL, NULL),
          STATUS_INVALID_PAGE_PROTECTION);
    check("protection READONLY|READWRITE", alloc(NtCurrentProcess(), NULL, 0, 0x1000, RC, 0x06, NULL, NULL),
          STATUS_INVALID_PAGE_PROTECTION);
    check("protection PAGE_WRITECOPY (private memory)", alloc(NtCurrentProcess(), NULL, 0, 0x1000, RC,
                                                              PAGE_WRITECOPY, NULL, NULL),
          STATUS_INVALID_PAGE_PROTECTION);
    check("protection 0x12345678", alloc(NtCurrentProcess(), NULL, 0, 0x1000, RC, 0x12345678, NULL, NULL),
          STATUS_INVALID_PAGE_PROTECTION);
    check("size 0", alloc(NtCurrentProcess(), NULL, 0, 0, RC, PAGE_READWRITE, NULL, NULL),
          STATUS_INVALID_PARAMETER_4);
    check("size 0xFFFFF000", alloc(NtCurrentProcess(), NULL, 0, 0xFFFFF000, RC, PAGE_READWRITE, NULL, NULL),
          STATUS_INVALID_PARAMETER_4);
    check("base 0x7FFE0000 (the shared page)", alloc(NtCurrentProcess(), SHARED_UVA, 0, 0x1000, RC,
                                                     PAGE_READWRITE, NULL, NULL), STATUS_INVALID_PARAMETER_2);
    check("base 0x80000000", alloc(NtCurrentProcess(), KERNEL_VA, 0, 0x1000, RC, PAGE_READWRITE, NULL, NULL),
          STATUS_INVALID_PARAMETER_2);
    check("base 0x7FFD0000 size 0x20000 (into the top)", alloc(NtCurrentProcess(), (PVOID)0x7FFD0000, 0, 0x20000,
                                                               RC, PAGE_READWRITE, NULL, NULL),
          STATUS_INVALID_PARAMETER_4);
    check("base 0x1000 (the first 64 KB)", alloc(NtCurrentProcess(), (PVOID)0x1000, 0, 0x1000, RC,
                                                 PAGE_READWRITE, NULL, NULL), STATUS_INVALID_PARAMETER_2);
    check("reserve over the PEB (0x7FFDF000)", alloc(NtCurrentProcess(), (PVOID)0x7FFDF000, 0, 0x1000, MEM_RESERVE,
                                             PAGE_READWRITE, NULL, NULL), STATUS_CONFLICTING_ADDRESSES);

    /* Handles; the caller's base and size stay as they were. */
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentThread()", NtCurrentThread(), STATUS_OBJECT_TYPE_MISMATCH };
    for (int i = 0; i < nh; i++) {
        b = (PVOID)0x12340000;
        s = 0x1000;
        NTSTATUS st = NtAllocateVirtualMemory(hb[i].h, &b, 0, &s, MEM_RESERVE, PAGE_READWRITE);
        snprintf(what, sizeof what, "process %s", hb[i].name);
        check(what, st, hb[i].want);
    }
    check_true("base and size unchanged after the failures", b == (PVOID)0x12340000 && s == 0x1000);

    /* Pointers: BaseAddress and RegionSize are both read and written. */
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, 4);
    for (int i = 0; i < np; i++) {
        s = 0x1000;
        snprintf(what, sizeof what, "BaseAddress %s", bp[i].name);
        check(what, NtAllocateVirtualMemory(NtCurrentProcess(), bp[i].p, 0, &s, RC, PAGE_READWRITE),
              STATUS_ACCESS_VIOLATION);
        b = NULL;
        snprintf(what, sizeof what, "RegionSize %s", bp[i].name);
        check(what, NtAllocateVirtualMemory(NtCurrentProcess(), &b, 0, bp[i].p, RC, PAGE_READWRITE),
              STATUS_ACCESS_VIOLATION);
    }
    check("the size was not changed", s, 0x1000);
    b = NULL;
    s = 0x1000;
    ULONG args[6] = { (ULONG)NtCurrentProcess(), (ULONG)&b, 0, (ULONG)&s, RC, PAGE_READWRITE };
    check("through int 2Eh", svc_int2e(0x11, args, 6), 0);
    check_true("int 2Eh gave a base", b != NULL && s == 0x1000);
    return svc_end();
}
