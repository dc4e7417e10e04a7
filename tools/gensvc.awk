# gensvc.awk - from ntkernel/services.tab, one of:
#   awk -v what=ktable -f tools/gensvc.awk ntkernel/services.tab   the kernel's service tables (C)
#   awk -v what=kstubs ...   the kernel's Zw stubs (assembly, nt-reference.md 4.1)
#   awk -v what=ntdll  ...   ntdll's Nt/Zw stubs (assembly, nt-reference.md 4.1)
#   awk -v what=host   ...   the host's table of names for the tracer (C)
# Numbers may be written in hex (0x...) or decimal.
# POSIX awk (Debian's mawk): no strtonum or bit functions.
function num(s,   v, k) {
    if (s !~ /^0[xX]/) return s + 0
    v = 0
    for (k = 3; k <= length(s); k++) v = v * 16 + index("0123456789abcdef", tolower(substr(s, k, 1))) - 1
    return v
}
function hex(n) { return sprintf("0x%X", n) }
BEGIN { ntables = 0 }
/^[ \t]*(#|$)/ { next }
$1 == "limit" { base[ntables] = num($2); lim[ntables] = num($3); ntables++; next }
{
    n = num($1); t = int(n / 4096) % 2; i = n % 4096
    if (n in seen) { print "gensvc: service " hex(n) " twice" > "/dev/stderr"; exit 1 }
    if (n >= 8192 || t >= ntables || i >= lim[t]) { print "gensvc: " $2 " (" hex(n) ") is beyond its table's limit" > "/dev/stderr"; exit 1 }
    seen[n] = 1; name[t, i] = $2; args[t, i] = $3 + 0
    order[count++] = n; oname[n] = $2; oargs[n] = $3 + 0
}
END {
    if (what == "") { print "gensvc: say what=ktable|kstubs|ntdll|host" > "/dev/stderr"; exit 1 }
    print (what == "ktable" || what == "host" ? "/*" : "#") " Generated from ntkernel/services.tab by tools/gensvc.awk; do not edit." (what == "ktable" || what == "host" ? " */" : "")
    if (what == "ktable") ktable()
    else if (what == "kstubs") stubs("kernel")
    else if (what == "ntdll") stubs("ntdll")
    else if (what == "host") host()
}
function ktable(   t, i, arr) {
    print "typedef unsigned int ULONG;\ntypedef unsigned char UCHAR;"
    print "void KiServiceNotImplemented(void);"
    for (k = 0; k < count; k++) print "void " oname[order[k]] "(void);"
    for (t = 0; t < ntables; t++) {
        arr = t == 0 ? "Ki" : "W32p"
        print "\nconst ULONG " arr "ServiceLimit = " hex(lim[t]) ";"
        print "void (*const " arr "ServiceTable[" hex(lim[t]) "])(void) = {"
        for (i = 0; i < lim[t]; i++)
            printf "    %s,%s\n", ((t, i) in name) ? name[t, i] : "KiServiceNotImplemented", "  /* " hex(base[t] + i) " */"
        print "};"
        print "const UCHAR " arr "ArgumentTable[" hex(lim[t]) "] = {"
        for (i = 0; i < lim[t]; i++) printf "%s%s", (i % 16 ? " " : "    "), (((t, i) in args) ? 4 * args[t, i] : 0) "," (i % 16 == 15 || i == lim[t] - 1 ? "\n" : "")
        print "};"
    }
}
function stubs(kind,   k, n) {
    print "    .text\n    .code32"
    for (k = 0; k < count; k++) {
        n = order[k]; nm = oname[n]; zw = "Zw" substr(nm, 3)
        if (kind == "kernel") {
            # A kernel caller enters KiSystemService through a fake interrupt
            # frame with CS = KGDT_R0_CODE: PreviousMode becomes KernelMode.
            print "    .globl " zw "\n    .type " zw ", @function\n" zw ":"
            print "    mov  $" hex(n) ", %eax\n    lea  4(%esp), %edx\n    pushf\n    push $0x8\n    call KiSystemService"
        } else {
            print "    .globl " nm ", " zw "\n    .type " nm ", @function\n    .type " zw ", @function\n" nm ":\n" zw ":"
            print "    mov  $" hex(n) ", %eax\n    mov  $0x7FFE0300, %edx\n    call *(%edx)"
        }
        print (oargs[n] ? "    ret  $" 4 * oargs[n] : "    ret")
    }
    print "    .section .note.GNU-stack, \"\", @progbits"
}
function host(   k, n) {
    print "#include \"sim/nt_services.h\"\n"
    print "const struct nt_service nt_services[] = {"
    for (k = 0; k < count; k++) { n = order[k]; printf "    { %s, \"%s\", %d },\n", hex(n), oname[n], oargs[n] }
    print "};\nconst unsigned nt_service_count = " count ";"
}
