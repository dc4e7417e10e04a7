/* NtReadVirtualMemory: copies within the caller and into/out of another
 * process, a partial copy (STATUS_PARTIAL_COPY with the count) when the
 * target runs into an unmapped page, STATUS_ACCESS_VIOLATION for the
 * caller's own bad buffer, size 0, ranges past user space, bad handles and
 * bad pointers for the count (optional). */
#include "ntsvc.h"
#define READ 1

static NTSTATUS xfer(HANDLE h, PVOID target, PVOID mine, SIZE_T n, SIZE_T *done)
{
#if READ
    return NtReadVirtualMemory(h, target, mine, n, done);
#else
    return NtWriteVirtualMemory(h, target, mine, n, done);
#endif
}

int main(void)
{
    svc_begin("NtReadVirtualMemory", 26);
    char what[96];
    static UCHAR target[64], mine[64];
    SIZE_T done = 0x5555;
    for (int i = 0; i < 64; i++) target[i] = (UCHAR)(i + 1), mine[i] = (UCHAR)(0x80 + i);
    check("copy 64 bytes in the own process", xfer(NtCurrentProcess(), target, mine, 64, &done), 0);
    check("the count", done, 64);
#if READ
    check_true("the bytes arrived", mine[0] == 1 && mine[63] == 64);
#else
    check_true("the bytes arrived", target[0] == 0x80 && target[63] == 0x80 + 63);
#endif
    check("size 0", xfer(NtCurrentProcess(), target, mine, 0, &done), 0);
    check("counts 0", done, 0);
    check("count pointer NULL is fine", xfer(NtCurrentProcess(), target, mine, 4, NULL), 0);

    /* The target runs into an unmapped page 16 bytes after the start. */
    UCHAR *edge = svc_edge(16);
    memset(edge, 0x3C, 16);
    memset(mine, 0x3C, 64);
    done = 0x5555;
    check("target crossing into an unmapped page", xfer(NtCurrentProcess(), edge, mine, 64, &done),
          STATUS_PARTIAL_COPY);
    check("the count stops at the page", done, 16);
    done = 0x5555;
    check("target unmapped 0x00001000", xfer(NtCurrentProcess(), UNMAPPED_VA, mine, 8, &done), STATUS_PARTIAL_COPY);
    check("counts 0", done, 0);
    check("target 0x80000000", xfer(NtCurrentProcess(), KERNEL_VA, mine, 8, &done), STATUS_ACCESS_VIOLATION);
    check("target 0x7FFFFFF0 + 0x20 (wraps user space)", xfer(NtCurrentProcess(), (PVOID)0x7FFEFFF0, mine, 0x20,
                                                              &done), STATUS_ACCESS_VIOLATION);
    check("size 0xFFFFFFFF", xfer(NtCurrentProcess(), target, mine, 0xFFFFFFFF, &done), STATUS_ACCESS_VIOLATION);
#if READ
    check("the shared page is readable", xfer(NtCurrentProcess(), SHARED_UVA, mine, 4, &done), 0);
    check("own buffer read-only (the shared page)", xfer(NtCurrentProcess(), target, SHARED_UVA, 4, &done),
          STATUS_ACCESS_VIOLATION);
#else
    check("target read-only (the shared page)", xfer(NtCurrentProcess(), SHARED_UVA, mine, 4, &done),
          STATUS_PARTIAL_COPY);
    check("own buffer the shared page is fine to read", xfer(NtCurrentProcess(), target, SHARED_UVA, 4, &done), 0);
#endif
    check("own buffer unmapped 0x00001000", xfer(NtCurrentProcess(), target, UNMAPPED_VA, 8, &done),
          STATUS_ACCESS_VIOLATION);
    check("own buffer 0x80000000", xfer(NtCurrentProcess(), target, KERNEL_VA, 8, &done), STATUS_ACCESS_VIOLATION);
    check("own buffer crossing into an unmapped page", xfer(NtCurrentProcess(), target, edge, 64, &done),
          STATUS_ACCESS_VIOLATION);

    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentThread()", NtCurrentThread(), STATUS_OBJECT_TYPE_MISMATCH };
    for (int i = 0; i < 4; i++) target[i] = 0x11, mine[i] = 0x22;
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "process %s", hb[i].name);
        check(what, xfer(hb[i].h, target, mine, 4, NULL), hb[i].want);
    }
    check_true("nothing was copied", target[0] == 0x11 && mine[0] == 0x22);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 0, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "count pointer %s", bp[i].name);
        check(what, xfer(NtCurrentProcess(), target, mine, 4, bp[i].p), STATUS_ACCESS_VIOLATION);
    }

    /* Another process: smss, our parent, opened by its id. */
    PROCESS_BASIC_INFORMATION pbi;
    NtQueryInformationProcess(NtCurrentProcess(), ProcessBasicInformation, &pbi, sizeof pbi, NULL);
    CLIENT_ID cid = { (HANDLE)pbi.InheritedFromUniqueProcessId, 0 };
    HANDLE parent = NULL;
    check("open the parent", NtOpenProcess(&parent, PROCESS_ALL_ACCESS, NULL, &cid), 0);
    ULONG magic = 0;
    check("read the parent's PEB OSBuildNumber", NtReadVirtualMemory(parent, (PVOID)(PEB_ADDRESS + 0xAC), &magic,
                                                                      2, &done), 0);
    check("is 2600", magic, 2600);
#if !READ
    ULONG spare = 0;
    NtReadVirtualMemory(parent, (PVOID)(PEB_ADDRESS + 0x3), &spare, 1, NULL);
    UCHAR v = 0x5E;
    check("write a byte of the parent's PEB (SpareBool)", xfer(parent, (PVOID)(PEB_ADDRESS + 0x3), &v, 1, &done), 0);
    UCHAR back = 0;
    NtReadVirtualMemory(parent, (PVOID)(PEB_ADDRESS + 0x3), &back, 1, NULL);
    check("read back from the parent", back, 0x5E);
    v = (UCHAR)spare;
    xfer(parent, (PVOID)(PEB_ADDRESS + 0x3), &v, 1, NULL);
#endif
    check("the parent's unmapped 0x00001000", xfer(parent, UNMAPPED_VA, mine, 4, &done), STATUS_PARTIAL_COPY);
    NtClose(parent);
    ULONG args[5] = { (ULONG)NtCurrentProcess(), (ULONG)target, (ULONG)mine, 4, (ULONG)&done };
    check("through int 2Eh", svc_int2e(0xBA, args, 5), 0);
    check("the count", done, 4);
    return svc_end();
}
