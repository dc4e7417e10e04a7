/* NtWriteFile on the console: the bytes come out and the IO_STATUS_BLOCK
 * says how many; the refusals: bad handles (another type:
 * STATUS_OBJECT_TYPE_MISMATCH), an Event or APC routine (the console
 * completes at once: STATUS_NOT_SUPPORTED, documented in the kernel), bad
 * IoStatusBlock and Buffer pointers; nothing is written on failure. */
#include "ntsvc.h"

int main(void)
{
    svc_begin("NtWriteFile", 18);
    char what[96];
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    IO_STATUS_BLOCK io = { { 0x55 }, 0x55 };
    static const char line[] = "NtWriteFile: this line came through the service\n";
    check("write a line", NtWriteFile(out, NULL, NULL, NULL, &io, line, sizeof line - 1, NULL, NULL), 0);
    check("IoStatus.Status", (ULONG)io.u.Status, 0);
    check("IoStatus.Information", io.Information, sizeof line - 1);
    check("length 0", NtWriteFile(out, NULL, NULL, NULL, &io, line, 0, NULL, NULL), 0);
    check("Information 0", io.Information, 0);
    check("from the read-only shared page (4 bytes)", NtWriteFile(out, NULL, NULL, NULL, &io, "\n", 1, NULL, NULL), 0);
    check("with an Event", NtWriteFile(out, svc_event(), NULL, NULL, &io, line, 1, NULL, NULL), STATUS_NOT_SUPPORTED);
    check("with an APC routine", NtWriteFile(out, NULL, (PVOID)main, NULL, &io, line, 1, NULL, NULL),
          STATUS_NOT_SUPPORTED);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentProcess()", NtCurrentProcess(), STATUS_OBJECT_TYPE_MISMATCH };
    io.Information = 0x55;
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "file %s", hb[i].name);
        check(what, NtWriteFile(hb[i].h, NULL, NULL, NULL, &io, "X", 1, NULL, NULL), hb[i].want);
    }
    check("IoStatusBlock untouched by the failures", io.Information, 0x55);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, sizeof io);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "IoStatusBlock %s", bp[i].name);
        check(what, NtWriteFile(out, NULL, NULL, NULL, bp[i].p, "X", 1, NULL, NULL), STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 1, 0, 16);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "Buffer %s", bp[i].name);
        check(what, NtWriteFile(out, NULL, NULL, NULL, &io, bp[i].p, 16, NULL, NULL), STATUS_ACCESS_VIOLATION);
    }
    check("length 0xFFFFFFFF", NtWriteFile(out, NULL, NULL, NULL, &io, line, 0xFFFFFFFF, NULL, NULL),
          STATUS_ACCESS_VIOLATION);
    ULONG args[9] = { (ULONG)out, 0, 0, 0, (ULONG)&io, (ULONG)"\n", 1, 0, 0 };
    check("through int 2Eh", svc_int2e(0x112, args, 9), 0);
    return svc_end();
}
