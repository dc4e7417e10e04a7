/* NtReadFile on the console: there is no input, so STATUS_END_OF_FILE with
 * Information 0; the refusals: bad handles, an Event or APC routine, bad
 * IoStatusBlock and Buffer pointers (the buffer must be writable: the
 * read-only shared page is refused). */
#include "ntsvc.h"

int main(void)
{
    svc_begin("NtReadFile", 18);
    char what[96];
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    IO_STATUS_BLOCK io = { { 0x55 }, 0x55 };
    char buf[32];
    check("read the console", NtReadFile(in, NULL, NULL, NULL, &io, buf, sizeof buf, NULL, NULL),
          STATUS_END_OF_FILE);
    check("IoStatus.Status", (ULONG)io.u.Status, (ULONG)STATUS_END_OF_FILE);
    check("IoStatus.Information", io.Information, 0);
    check("length 0", NtReadFile(in, NULL, NULL, NULL, &io, buf, 0, NULL, NULL), STATUS_END_OF_FILE);
    check("with an Event", NtReadFile(in, svc_event(), NULL, NULL, &io, buf, 1, NULL, NULL), STATUS_NOT_SUPPORTED);
    check("with an APC routine", NtReadFile(in, NULL, (PVOID)main, NULL, &io, buf, 1, NULL, NULL),
          STATUS_NOT_SUPPORTED);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    hb[nh++] = (struct svc_handle){ "NtCurrentThread()", NtCurrentThread(), STATUS_OBJECT_TYPE_MISMATCH };
    io.Information = 0x55;
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "file %s", hb[i].name);
        check(what, NtReadFile(hb[i].h, NULL, NULL, NULL, &io, buf, 1, NULL, NULL), hb[i].want);
    }
    check("IoStatusBlock untouched by the failures", io.Information, 0x55);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 1, sizeof io);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "IoStatusBlock %s", bp[i].name);
        check(what, NtReadFile(in, NULL, NULL, NULL, bp[i].p, buf, 1, NULL, NULL), STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 1, 1, 16);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "Buffer %s", bp[i].name);
        check(what, NtReadFile(in, NULL, NULL, NULL, &io, bp[i].p, 16, NULL, NULL), STATUS_ACCESS_VIOLATION);
    }
    ULONG args[9] = { (ULONG)in, 0, 0, 0, (ULONG)&io, (ULONG)buf, 4, 0, 0 };
    check("through int 2Eh", svc_int2e(0xB7, args, 9), STATUS_END_OF_FILE);
    return svc_end();
}
