/* readmem - ReadProcessMemory (kernel32's classic prologue, then
 * NtReadVirtualMemory 0xBA) copying from another process's address space.
 * The parent starts a second copy of itself suspended, reads the child's
 * PEB and command line, writes a value into the child's mailbox with
 * WriteProcessMemory (NtWriteVirtualMemory 0x115) and resumes it; the child
 * prints what it finds.  Both copies are the same image, so the mailbox
 * has the same address in each. */
#include <stdio.h>
#include <string.h>
#include <ntdll.h>
#include <windows.h>

#define MAILBOX_VALUE 0x1234ABCDu

static volatile ULONG mailbox;

static int child(void)
{
    printf("readmem child: my mailbox holds 0x%08lx%s\n", mailbox,
           mailbox == MAILBOX_VALUE ? " (written by my parent before I ran)" : "");
    return mailbox == MAILBOX_VALUE ? 0 : 1;
}

/* Read `size` bytes at `address` in the child; complain on failure. */
static BOOL peek(HANDLE process, const void *address, void *buffer, SIZE_T size, const char *what)
{
    SIZE_T got = 0;
    if (ReadProcessMemory(process, address, buffer, size, &got) && got == size)
        return TRUE;
    printf("readmem: reading the child's %s failed: error %lu, %lu bytes\n", what, GetLastError(), got);
    return FALSE;
}

static int parent(void)
{
    static char line[] = "readmem.elf child";
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    PROCESS_BASIC_INFORMATION pbi;
    PEB peb;
    RTL_USER_PROCESS_PARAMETERS params;
    WCHAR wide[64];
    char text[64];
    DWORD code = 0;

    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessA(NULL, line, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi)) {
        printf("readmem: CreateProcessA failed: error %lu\n", GetLastError());
        return 1;
    }
    printf("readmem: started a child suspended\n");
    NTSTATUS status = NtQueryInformationProcess(pi.hProcess, ProcessBasicInformation, &pbi, sizeof pbi, NULL);
    if (!NT_SUCCESS(status)) {
        printf("readmem: NtQueryInformationProcess failed: 0x%08lx\n", (ULONG)status);
        return 1;
    }
    printf("readmem: the child's PEB is at %p\n", (void *)pbi.PebBaseAddress);
    if (!peek(pi.hProcess, pbi.PebBaseAddress, &peb, sizeof peb, "PEB"))
        return 1;
    printf("readmem: child PEB: ImageBaseAddress %p, Windows %lu.%lu build %u, platform %lu\n",
           peb.ImageBaseAddress, peb.OSMajorVersion, peb.OSMinorVersion, peb.OSBuildNumber,
           peb.OSPlatformId);
    if (!peek(pi.hProcess, peb.ProcessParameters, &params, sizeof params, "process parameters"))
        return 1;
    SIZE_T chars = params.CommandLine.Length / sizeof(WCHAR);
    if (chars >= sizeof wide / sizeof wide[0])
        chars = sizeof wide / sizeof wide[0] - 1;
    if (!peek(pi.hProcess, params.CommandLine.Buffer, wide, chars * sizeof(WCHAR), "command line"))
        return 1;
    for (SIZE_T i = 0; i < chars; i++)
        text[i] = wide[i] < 0x80 ? (char)wide[i] : '?';
    text[chars] = '\0';
    printf("readmem: child command line (%lu bytes of UTF-16): \"%s\"\n",
           (ULONG)params.CommandLine.Length, text);

    ULONG value = MAILBOX_VALUE;
    SIZE_T put = 0;
    if (!WriteProcessMemory(pi.hProcess, (void *)&mailbox, &value, sizeof value, &put)) {
        printf("readmem: WriteProcessMemory failed: error %lu\n", GetLastError());
        return 1;
    }
    printf("readmem: wrote 0x%08lx into the child's mailbox (%lu bytes); resuming it\n", value, put);
    ResumeThread(pi.hThread);
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    printf("readmem: the child exited with %lu; my own mailbox still holds 0x%08lx\n", code, mailbox);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return (int)code;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();
    return parent();
}
