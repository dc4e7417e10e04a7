/* hello - the plainest system call: printf -> kernel32!WriteFile ->
 * ntdll!NtWriteFile (0x112) -> KiFastSystemCall -> sysenter ->
 * KiFastCallEntry -> the service -> sysexit -> KiFastSystemCallRet. */
#include <stdio.h>
#include <windows.h>

int main(void)
{
    static const char text[] = "hello: Hello from user mode, through WriteFile, NtWriteFile and sysenter\n";
    DWORD written = 0;
    if (!WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), text, sizeof text - 1, &written, NULL))
        return (int)GetLastError();
    printf("hello: WriteFile wrote %lu bytes; printf goes the same way\n", written);
    return 0;
}
