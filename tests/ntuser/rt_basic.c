/* rt_basic - the C runtime and kernel32 basics, run by tests/ntuser/ntuser:
 * argc/argv from the UNICODE command line, printf conversions through
 * WriteFile, the last error in the TEB and its mapping from NTSTATUS,
 * ReadProcessMemory / WriteProcessMemory on the process itself, DbgPrint
 * and the exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ntdll.h>
#include <windows.h>

int main(int argc, char **argv)
{
    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] [%s]\n", i, argv[i]);
    printf("[%5d|%-5d|%05u|%x|%X|%08lx|%c|%s|%.2s|%%]\n", -12, 34, 56u, 0xabcu, 0xabcu, 0xC0000005ul, 'z', "str", "cut");
    puts("puts adds a newline");
    putchar('!');
    putchar('\n');

    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    printf("std handles: %p %p %p\n", GetStdHandle(STD_INPUT_HANDLE), out, GetStdHandle(STD_ERROR_HANDLE));
    DWORD n = 99;
    BOOL ok = WriteFile((HANDLE)0x1234, "x", 1, &n, NULL);
    printf("WriteFile(bad handle): %d, written %lu, GetLastError %lu, TEB LastErrorValue %lu\n",
           ok, n, GetLastError(), NtCurrentTeb()->LastErrorValue);
    SetLastError(1234);
    printf("SetLastError(1234): GetLastError %lu\n", GetLastError());
    HANDLE bad = GetStdHandle(42);
    printf("GetStdHandle(42): %p, error %lu\n", bad, GetLastError());

    static ULONG source = 0xFEEDF00D, target;
    SIZE_T got = 0;
    ok = ReadProcessMemory(GetCurrentProcess(), &source, &target, sizeof target, &got);
    printf("ReadProcessMemory: %d, %lu bytes, 0x%08lx\n", ok, got, target);
    ok = ReadProcessMemory(GetCurrentProcess(), (void *)0x80000000, &target, 4, NULL);
    printf("ReadProcessMemory(0x80000000): %d, error %lu\n", ok, GetLastError());
    ULONG v = 0x0BADCAFE;
    ok = WriteProcessMemory(GetCurrentProcess(), &target, &v, sizeof v, &got);
    printf("WriteProcessMemory: %d, %lu bytes, 0x%08lx\n", ok, got, target);

    char buf[32];
    int len = snprintf(buf, 12, "%s-%d", "snprintf", 12345);
    printf("snprintf: [%s] %d\n", buf, len);
    len = sprintf(buf, "%u", 42u);
    printf("sprintf: [%s] %d; strcmp %d %d; atoi %d; strtoul 0x%lx\n", buf, len,
           strcmp("a", "b") < 0, strcmp("same", "same"), atoi("-17"), strtoul("0x7ffe0000", NULL, 0));
    DbgPrint("DbgPrint says %d\n", 2600);
    return argc + 40;
}
