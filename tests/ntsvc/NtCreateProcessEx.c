/* NtCreateProcessEx: a process of this very program (the name in
 * ObjectAttributes: ringsim has no sections), with its PEB and image but no
 * thread, then ended by NtTerminateProcess; the refusals: a section handle
 * (STATUS_INVALID_PARAMETER_6), unknown flags (_5), no ObjectAttributes
 * (_3), a name that is empty, too long or not in the ramdisk, bad parent
 * handles, bad pointers for ObjectAttributes, ObjectName and the output
 * handle.  A failed call leaves no process behind (the process list). */
#include "ntsvc.h"

#define STATUS_OBJECT_NAME_INVALID   ((NTSTATUS)0xC0000033L)
#define STATUS_OBJECT_NAME_NOT_FOUND ((NTSTATUS)0xC0000034L)

static UNICODE_STRING name_of(const char *s, WCHAR *buf, int n)
{
    int k = 0;
    while (s[k] && k < n - 1) buf[k] = (WCHAR)s[k], k++;
    buf[k] = 0;
    UNICODE_STRING u = { (USHORT)(2 * k), (USHORT)(2 * k + 2), buf };
    return u;
}

/* Processes alive (SystemProcessInformation), to see that nothing stays. */
static ULONG process_count(void)
{
    static UCHAR buf[0x8000];
    ULONG len = 0, n = 0;
    if (NtQuerySystemInformation(5, buf, sizeof buf, &len)) return 0;
    for (ULONG off = 0;; n++) {
        ULONG next = *(ULONG *)(buf + off);
        if (!next) return n + 1;
        off += next;
    }
}

int main(void)
{
    svc_begin("NtCreateProcessEx", 30);
    char what[96];
    WCHAR wbuf[80];
    UNICODE_STRING name = name_of("NtCreateProcessEx.elf", wbuf, 80);
    OBJECT_ATTRIBUTES oa = { sizeof oa, NULL, &name, 0, NULL, NULL };
    HANDLE h = NULL;
    ULONG before = process_count();

    check("create a process of this program", NtCreateProcessEx(&h, PROCESS_ALL_ACCESS, &oa,
          NtCurrentProcess(), 0, NULL, NULL, NULL, FALSE), 0);
    PROCESS_BASIC_INFORMATION b, me;
    NtQueryInformationProcess(NtCurrentProcess(), 0, &me, sizeof me, NULL);
    check("query it", NtQueryInformationProcess(h, 0, &b, sizeof b, NULL), 0);
    check("its PEB at 0x7FFDF000", (ULONG)b.PebBaseAddress, 0x7FFDF000);
    check("its parent is this process", b.InheritedFromUniqueProcessId, me.UniqueProcessId);
    check("it is still active", (ULONG)b.ExitStatus, 0x103);
    ULONG image = 0, read = 0;
    check("read its PEB", NtReadVirtualMemory(h, (PUCHAR)b.PebBaseAddress + 8, &image, 4, &read), 0);
    check("its ImageBaseAddress", image, 0x00400000);
    ULONG magic = 0;
    NtReadVirtualMemory(h, (PVOID)image, &magic, 4, &read);
    check("the ELF header is mapped there", magic, 0x464C457F);
    check("one more process", process_count(), before + 1);
    check("end it", NtTerminateProcess(h, 7), 0);
    NtQueryInformationProcess(h, 0, &b, sizeof b, NULL);
    check("its exit status", (ULONG)b.ExitStatus, 7);
    NtClose(h);

    HANDLE sect = svc_event();
    h = (HANDLE)0x77;
    check("a section handle", NtCreateProcessEx(&h, PROCESS_ALL_ACCESS, &oa, NtCurrentProcess(), 0, sect,
          NULL, NULL, FALSE), STATUS_INVALID_PARAMETER_6);
    check("flags 0x10", NtCreateProcessEx(&h, PROCESS_ALL_ACCESS, &oa, NtCurrentProcess(), 0x10, NULL,
          NULL, NULL, FALSE), STATUS_INVALID_PARAMETER_5);
    check("no ObjectAttributes", NtCreateProcessEx(&h, PROCESS_ALL_ACCESS, NULL, NtCurrentProcess(), 0,
          NULL, NULL, NULL, FALSE), STATUS_INVALID_PARAMETER_3);
    OBJECT_ATTRIBUTES no_name = { sizeof oa, NULL, NULL, 0, NULL, NULL };
    check("no ObjectName", NtCreateProcessEx(&h, PROCESS_ALL_ACCESS, &no_name, NtCurrentProcess(), 0,
          NULL, NULL, NULL, FALSE), STATUS_OBJECT_NAME_INVALID);
    UNICODE_STRING empty = { 0, 2, wbuf };
    OBJECT_ATTRIBUTES oe = { sizeof oa, NULL, &empty, 0, NULL, NULL };
    check("an empty name", NtCreateProcessEx(&h, PROCESS_ALL_ACCESS, &oe, NtCurrentProcess(), 0, NULL,
          NULL, NULL, FALSE), STATUS_OBJECT_NAME_INVALID);
    WCHAR nbuf[80];
    UNICODE_STRING missing = name_of("no-such-program.elf", nbuf, 80);
    OBJECT_ATTRIBUTES om = { sizeof oa, NULL, &missing, 0, NULL, NULL };
    check("a name not in the ramdisk", NtCreateProcessEx(&h, PROCESS_ALL_ACCESS, &om, NtCurrentProcess(), 0,
          NULL, NULL, NULL, FALSE), STATUS_OBJECT_NAME_NOT_FOUND);
    WCHAR lbuf[80];
    UNICODE_STRING longname = name_of("a-name-much-longer-than-any-file-the-ramdisk-can-hold-in-its-table.elf",
                                      lbuf, 80);
    OBJECT_ATTRIBUTES ol = { sizeof oa, NULL, &longname, 0, NULL, NULL };
    check("a name of 70 characters", NtCreateProcessEx(&h, PROCESS_ALL_ACCESS, &ol, NtCurrentProcess(), 0,
          NULL, NULL, NULL, FALSE), STATUS_OBJECT_NAME_INVALID);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, sect);
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "parent %s", hb[i].name);
        check(what, NtCreateProcessEx(&h, PROCESS_ALL_ACCESS, &oa, hb[i].h, 0, NULL, NULL, NULL, FALSE),
              hb[i].want);
    }
    check("the handle variable unchanged", (ULONG)h, 0x77);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 0, 0, sizeof oa);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ObjectAttributes %s", bp[i].name);
        check(what, NtCreateProcessEx(&h, PROCESS_ALL_ACCESS, bp[i].p, NtCurrentProcess(), 0, NULL, NULL,
              NULL, FALSE), STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 0, 0, sizeof name);
    for (int i = 0; i < np; i++) {
        OBJECT_ATTRIBUTES ob = { sizeof oa, NULL, bp[i].p, 0, NULL, NULL };
        snprintf(what, sizeof what, "ObjectName %s", bp[i].name);
        check(what, NtCreateProcessEx(&h, PROCESS_ALL_ACCESS, &ob, NtCurrentProcess(), 0, NULL, NULL,
              NULL, FALSE), STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 1, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ProcessHandle %s", bp[i].name);
        check(what, NtCreateProcessEx(bp[i].p, PROCESS_ALL_ACCESS, &oa, NtCurrentProcess(), 0, NULL, NULL,
              NULL, FALSE), STATUS_ACCESS_VIOLATION);
    }
    check("no process was left behind", process_count(), before);
    ULONG args[9] = { (ULONG)&h, PROCESS_ALL_ACCESS, (ULONG)&oa, (ULONG)NtCurrentProcess(), 0, 0, 0, 0, 0 };
    check("through int 2Eh", svc_int2e(0x30, args, 9), 0);
    NtTerminateProcess(h, 0);
    NtClose(h);
    return svc_end();
}
