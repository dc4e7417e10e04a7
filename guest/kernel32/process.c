/* process.c - processes, Windows XP style: CreateProcessA widens its
 * strings for CreateProcessInternalW, which makes the process with
 * NtCreateProcessEx (the kernel maps the image named in the object
 * attributes, ntdll and kernel32, and makes the PEB), builds the child's
 * RTL_USER_PROCESS_PARAMETERS in the child (NtAllocateVirtualMemory +
 * NtWriteVirtualMemory, address stored at PEB+0x10), reads the child's ELF
 * header for its entry point, gives it a stack and starts its first thread
 * with NtCreateThread at BaseProcessStartThunk. */
#include "k32.h"

#define MAX_IMAGE_NAME 64               /* characters of a ramdisk name */
#define MAX_COMMAND_LINE 1024
#define ELF_ENTRY_OFFSET 24             /* Elf32_Ehdr.e_entry */

static SIZE_T wcslen_(LPCWSTR s)
{
    SIZE_T n = 0;
    while (s[n])
        n++;
    return n;
}

/* The ramdisk name of the program a command line or application name
 * names: its first word (quotes stripped), without a directory, with
 * ".elf" added when it has no extension. */
static BOOL BasepImageName(LPCWSTR source, WCHAR *name)
{
    SIZE_T n = 0, ext = 0;
    while (*source == ' ' || *source == '\t')
        source++;
    BOOL quoted = *source == '"';
    if (quoted)
        source++;
    for (; *source && *source != '"' && (quoted || (*source != ' ' && *source != '\t')); source++) {
        if (*source == '\\' || *source == '/') {
            n = 0;
            ext = 0;
            continue;
        }
        if (n + 5 >= MAX_IMAGE_NAME)
            return FALSE;
        if (*source == '.')
            ext = 1;
        name[n++] = *source;
    }
    if (!n)
        return FALSE;
    if (!ext) {
        static const WCHAR elf[] = { '.', 'e', 'l', 'f' };
        for (int i = 0; i < 4; i++)
            name[n++] = elf[i];
    }
    name[n] = 0;
    return TRUE;
}

/* The parameter block as the child will see it, built here and copied:
 * the structure, then the strings, pointers already the child's. */
struct params_image {
    RTL_USER_PROCESS_PARAMETERS p;
    WCHAR strings[MAX_IMAGE_NAME + MAX_COMMAND_LINE + 4];
};

static void BasepPlaceString(UNICODE_STRING *str, struct params_image *img, SIZE_T *used,
                             ULONG child_base, LPCWSTR text, SIZE_T chars)
{
    WCHAR *dst = img->strings + *used;
    for (SIZE_T i = 0; i < chars; i++)
        dst[i] = text[i];
    dst[chars] = 0;
    str->Length = (USHORT)(chars * sizeof(WCHAR));
    str->MaximumLength = (USHORT)((chars + 1) * sizeof(WCHAR));
    str->Buffer = (PWSTR)(child_base + ((ULONG)dst - (ULONG)img));
    *used += chars + 1;
}

static NTSTATUS BasepCreateProcessParameters(HANDLE process, PPEB child_peb, LPCWSTR image,
                                             LPCWSTR command_line, const STARTUPINFOW *si)
{
    static const WCHAR root[] = { '\\', 0 };
    struct params_image img;            /* about 2 KiB of the creator's stack */
    PRTL_USER_PROCESS_PARAMETERS mine = NtCurrentPeb()->ProcessParameters;
    SIZE_T used = 0, cmd_chars = wcslen_(command_line);
    PVOID base = NULL;
    SIZE_T size = sizeof img;

    if (cmd_chars > MAX_COMMAND_LINE)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = NtAllocateVirtualMemory(process, &base, 0, &size, MEM_RESERVE | MEM_COMMIT,
                                              PAGE_READWRITE);
    if (!NT_SUCCESS(status))
        return status;

    RtlZeroMemory(&img, sizeof img);
    img.p.MaximumLength = img.p.Length = sizeof img;
    img.p.Flags = RTL_USER_PROC_PARAMS_NORMALIZED;
    if (si && (si->dwFlags & STARTF_USESTDHANDLES)) {
        img.p.StandardInput = si->hStdInput;
        img.p.StandardOutput = si->hStdOutput;
        img.p.StandardError = si->hStdError;
    } else if (mine) {
        img.p.StandardInput = mine->StandardInput;
        img.p.StandardOutput = mine->StandardOutput;
        img.p.StandardError = mine->StandardError;
    }
    if (mine)
        img.p.ConsoleHandle = mine->ConsoleHandle;
    BasepPlaceString(&img.p.ImagePathName, &img, &used, (ULONG)base, image, wcslen_(image));
    BasepPlaceString(&img.p.CommandLine, &img, &used, (ULONG)base, command_line, cmd_chars);
    BasepPlaceString(&img.p.CurrentDirectory.DosPath, &img, &used, (ULONG)base, root, 1);

    status = NtWriteVirtualMemory(process, base, &img, sizeof img, NULL);
    if (NT_SUCCESS(status))
        status = NtWriteVirtualMemory(process, &child_peb->ProcessParameters, &base, sizeof base, NULL);
    return status;
}

/* The entry point from the ELF header at the child's ImageBaseAddress. */
static NTSTATUS BasepImageEntry(HANDLE process, PPEB child_peb, PVOID *entry)
{
    PVOID image_base;
    unsigned char ident[4];
    NTSTATUS status = NtReadVirtualMemory(process, &child_peb->ImageBaseAddress, &image_base,
                                          sizeof image_base, NULL);
    if (NT_SUCCESS(status))
        status = NtReadVirtualMemory(process, image_base, ident, sizeof ident, NULL);
    if (NT_SUCCESS(status) && (ident[0] != 0x7F || ident[1] != 'E' || ident[2] != 'L' || ident[3] != 'F'))
        status = STATUS_INVALID_IMAGE_FORMAT;
    if (NT_SUCCESS(status))
        status = NtReadVirtualMemory(process, (PUCHAR)image_base + ELF_ENTRY_OFFSET, entry,
                                     sizeof *entry, NULL);
    return status;
}

static NTSTATUS BasepCreateFirstThread(HANDLE process, PPEB child_peb, PVOID entry, BOOL suspended,
                                       PHANDLE thread, PCLIENT_ID cid)
{
    INITIAL_TEB initial_teb;
    CONTEXT context;
    NTSTATUS status = BasepCreateStack(process, 0, &initial_teb);
    if (!NT_SUCCESS(status))
        return status;
    BasepInitializeContext(&context, (PVOID)BaseProcessStartThunk, entry, child_peb, &initial_teb);
    return NtCreateThread(thread, THREAD_ALL_ACCESS, NULL, process, cid, &context, &initial_teb,
                          suspended != 0);
}

BOOL WINAPI CreateProcessInternalW(HANDLE hToken, LPCWSTR lpApplicationName, LPWSTR lpCommandLine,
                                   LPSECURITY_ATTRIBUTES lpProcessAttributes,
                                   LPSECURITY_ATTRIBUTES lpThreadAttributes, BOOL bInheritHandles,
                                   DWORD dwCreationFlags, LPVOID lpEnvironment,
                                   LPCWSTR lpCurrentDirectory, LPSTARTUPINFOW lpStartupInfo,
                                   LPPROCESS_INFORMATION lpProcessInformation, PHANDLE hNewToken)
{
    WCHAR image[MAX_IMAGE_NAME];
    UNICODE_STRING image_name;
    OBJECT_ATTRIBUTES oa = { sizeof oa, NULL, &image_name, OBJ_CASE_INSENSITIVE, NULL, NULL };
    PROCESS_BASIC_INFORMATION pbi;
    HANDLE process = NULL, thread = NULL;
    CLIENT_ID cid;
    PVOID entry = NULL;
    (void)hToken; (void)lpProcessAttributes; (void)lpThreadAttributes;
    (void)lpEnvironment; (void)lpCurrentDirectory; (void)hNewToken;

    LPCWSTR command_line = lpCommandLine ? lpCommandLine : lpApplicationName;
    if (!command_line || !BasepImageName(lpApplicationName ? lpApplicationName : lpCommandLine, image)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    RtlInitUnicodeString(&image_name, image);

    NTSTATUS status = NtCreateProcessEx(&process, PROCESS_ALL_ACCESS, &oa, NtCurrentProcess(),
                                        bInheritHandles ? PROCESS_CREATE_FLAGS_INHERIT_HANDLES : 0,
                                        NULL, NULL, NULL, FALSE);
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return FALSE;
    }
    status = NtQueryInformationProcess(process, ProcessBasicInformation, &pbi, sizeof pbi, NULL);
    if (NT_SUCCESS(status))
        status = BasepImageEntry(process, pbi.PebBaseAddress, &entry);
    if (NT_SUCCESS(status))
        status = BasepCreateProcessParameters(process, pbi.PebBaseAddress, image, command_line,
                                              lpStartupInfo);
    if (NT_SUCCESS(status))
        status = BasepCreateFirstThread(process, pbi.PebBaseAddress, entry,
                                        dwCreationFlags & CREATE_SUSPENDED, &thread, &cid);
    if (!NT_SUCCESS(status)) {
        NtTerminateProcess(process, status);
        NtClose(process);
        BaseSetLastNTError(status);
        return FALSE;
    }
    lpProcessInformation->hProcess = process;
    lpProcessInformation->hThread = thread;
    lpProcessInformation->dwProcessId = (DWORD)cid.UniqueProcess;
    lpProcessInformation->dwThreadId = (DWORD)cid.UniqueThread;
    return TRUE;
}

/* ASCII (Latin-1) to UTF-16, with room for the terminator. */
static BOOL BasepWiden(WCHAR *dst, SIZE_T cap, LPCSTR src)
{
    SIZE_T i = 0;
    for (; src[i]; i++) {
        if (i + 1 >= cap)
            return FALSE;
        dst[i] = (unsigned char)src[i];
    }
    dst[i] = 0;
    return TRUE;
}

BOOL WINAPI CreateProcessA(LPCSTR lpApplicationName, LPSTR lpCommandLine,
                           LPSECURITY_ATTRIBUTES lpProcessAttributes,
                           LPSECURITY_ATTRIBUTES lpThreadAttributes, BOOL bInheritHandles,
                           DWORD dwCreationFlags, LPVOID lpEnvironment, LPCSTR lpCurrentDirectory,
                           LPSTARTUPINFOA lpStartupInfo, LPPROCESS_INFORMATION lpProcessInformation)
{
    WCHAR app[MAX_IMAGE_NAME * 4], cmd[MAX_COMMAND_LINE + 1];
    STARTUPINFOW siw, *psiw = NULL;
    (void)lpCurrentDirectory;           /* ringsim has no directories */

    if ((lpApplicationName && !BasepWiden(app, sizeof app / sizeof app[0], lpApplicationName)) ||
        (lpCommandLine && !BasepWiden(cmd, sizeof cmd / sizeof cmd[0], lpCommandLine))) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (lpStartupInfo) {                /* the handles are what matters here */
        RtlZeroMemory(&siw, sizeof siw);
        siw.cb = sizeof siw;
        siw.dwFlags = lpStartupInfo->dwFlags;
        siw.hStdInput = lpStartupInfo->hStdInput;
        siw.hStdOutput = lpStartupInfo->hStdOutput;
        siw.hStdError = lpStartupInfo->hStdError;
        psiw = &siw;
    }
    return CreateProcessInternalW(NULL, lpApplicationName ? app : NULL, lpCommandLine ? cmd : NULL,
                                  lpProcessAttributes, lpThreadAttributes, bInheritHandles,
                                  dwCreationFlags, lpEnvironment, NULL, psiw, lpProcessInformation,
                                  NULL);
}

/* Reached from BaseProcessStartThunk with the image's entry point. */
void WINAPI BaseProcessStart(DWORD (*lpStartAddress)(void)) __attribute__((noreturn));
void WINAPI BaseProcessStart(DWORD (*lpStartAddress)(void))
{
    ExitProcess(lpStartAddress());
}

void WINAPI ExitProcess(UINT uExitCode)
{
    for (;;)
        NtTerminateProcess(NtCurrentProcess(), (NTSTATUS)uExitCode);
}

BOOL WINAPI TerminateProcess(HANDLE hProcess, UINT uExitCode)
{
    NTSTATUS status = NtTerminateProcess(hProcess, (NTSTATUS)uExitCode);
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode)
{
    PROCESS_BASIC_INFORMATION info;
    NTSTATUS status = NtQueryInformationProcess(hProcess, ProcessBasicInformation, &info,
                                                sizeof info, NULL);
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return FALSE;
    }
    *lpExitCode = (DWORD)info.ExitStatus;
    return TRUE;
}

BOOL WINAPI WriteProcessMemory(HANDLE hProcess, LPVOID lpBaseAddress, LPCVOID lpBuffer,
                               SIZE_T nSize, SIZE_T *lpNumberOfBytesWritten)
{
    SIZE_T written = 0;
    NTSTATUS status = NtWriteVirtualMemory(hProcess, lpBaseAddress, lpBuffer, nSize, &written);
    if (lpNumberOfBytesWritten)
        *lpNumberOfBytesWritten = written;
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return FALSE;
    }
    return TRUE;
}

/* The command line in 8 bits, made once (characters beyond 8 bits: '?'). */
LPSTR WINAPI GetCommandLineA(void)
{
    static char line[MAX_COMMAND_LINE + 1];
    static BOOL made;
    if (!made) {
        PRTL_USER_PROCESS_PARAMETERS params = NtCurrentPeb()->ProcessParameters;
        SIZE_T n = 0;
        if (params && params->CommandLine.Buffer)
            for (; n < params->CommandLine.Length / sizeof(WCHAR) && n < MAX_COMMAND_LINE; n++) {
                WCHAR c = params->CommandLine.Buffer[n];
                line[n] = c < 0x100 ? (char)c : '?';
            }
        line[n] = 0;
        made = TRUE;
    }
    return line;
}
