/* nullcall.c - `nullcall.elf sysenter|int2e N`: N null system calls
 * (NtYieldExecution with nothing else ready: the dispatch, no work) through
 * ntdll's stub and SYSENTER, or through a stub that calls KiIntSystemCall
 * (int 2Eh).  bench/bench.c runs it for two N and takes the difference, so
 * the boot and the process's start and end cancel out. */
#include <windows.h>
#include <ntdll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NtYieldExecution (0x116, no arguments) through int 2Eh. */
__attribute__((naked)) static NTSTATUS NTAPI YieldByInt2E(void)
{
    __asm__("mov $0x116, %eax\n\tcall KiIntSystemCall\n\tret");
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "sysenter") && strcmp(argv[1], "int2e"))) {
        printf("usage: nullcall.elf sysenter|int2e N\n");
        return 2;
    }
    int by_int2e = !strcmp(argv[1], "int2e");
    unsigned long n = strtoul(argv[2], NULL, 10), odd = 0, first_at = 0;
    NTSTATUS first = 0;
    for (unsigned long i = 0; i < n; i++) {
        NTSTATUS s = by_int2e ? YieldByInt2E() : NtYieldExecution();
        /* STATUS_SUCCESS: another thread was ready (smss, early on) and ran. */
        if (s != STATUS_NO_YIELD_PERFORMED && s != STATUS_SUCCESS && !odd++) first = s, first_at = i;
    }
    printf("nullcall: %lu calls by %s, %lu answered neither STATUS_NO_YIELD_PERFORMED nor STATUS_SUCCESS\n", n, argv[1], odd);
    if (odd) printf("nullcall: the first, call %lu, answered 0x%08lx\n", first_at, (unsigned long)first);
    return odd != 0;
}
