/* NtDisplayString: the text reaches the console; the refusals: bad
 * pointers for the UNICODE_STRING (NULL, kernel, unmapped, crossing) and
 * for its Buffer.  An empty string is fine. */
#include "ntsvc.h"

int main(void)
{
    svc_begin("NtDisplayString", 12);
    char what[96];
    static const char text[] = "NtDisplayString: this line came through the service\n";
    static WCHAR wide[sizeof text];
    for (ULONG i = 0; i < sizeof text; i++) wide[i] = (WCHAR)text[i];
    UNICODE_STRING u = { (USHORT)(2 * (sizeof text - 1)), (USHORT)(2 * sizeof text), wide };
    check("display a line", NtDisplayString(&u), 0);
    UNICODE_STRING empty = { 0, 0, NULL };
    check("an empty string", NtDisplayString(&empty), 0);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 0, sizeof u);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "String %s", bp[i].name);
        check(what, NtDisplayString(bp[i].p), STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 1, 0, 8);
    for (int i = 0; i < np; i++) {
        UNICODE_STRING b = { 8, 8, bp[i].p };
        snprintf(what, sizeof what, "Buffer %s", bp[i].name);
        check(what, NtDisplayString(&b), STATUS_ACCESS_VIOLATION);
    }
    ULONG args[1] = { (ULONG)&empty };
    check("through int 2Eh", svc_int2e(0x43, args, 1), 0);
    return svc_end();
}
