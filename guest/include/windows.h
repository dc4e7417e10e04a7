/* windows.h - the Win32 subset of ringsim's guest SDK: kernel32's
 * functions (stdcall, Windows' signatures) and the structures and
 * constants they use.  The native API is in ntdll.h. */
#ifndef RS_WINDOWS_H
#define RS_WINDOWS_H

#include "windef.h"

#define STD_INPUT_HANDLE   ((DWORD)-10)
#define STD_OUTPUT_HANDLE  ((DWORD)-11)
#define STD_ERROR_HANDLE   ((DWORD)-12)
#define INVALID_HANDLE_VALUE ((HANDLE)-1)

#define INFINITE           0xFFFFFFFFu
#define WAIT_OBJECT_0      0x00000000u
#define WAIT_ABANDONED     0x00000080u
#define WAIT_TIMEOUT       0x00000102u
#define WAIT_FAILED        0xFFFFFFFFu
#define STILL_ACTIVE       0x00000103u

#define CREATE_SUSPENDED   0x00000004u
#define STARTF_USESTDHANDLES 0x00000100u

#define THREAD_PRIORITY_IDLE          (-15)
#define THREAD_PRIORITY_LOWEST        (-2)
#define THREAD_PRIORITY_BELOW_NORMAL  (-1)
#define THREAD_PRIORITY_NORMAL        0
#define THREAD_PRIORITY_ABOVE_NORMAL  1
#define THREAD_PRIORITY_HIGHEST       2
#define THREAD_PRIORITY_TIME_CRITICAL 15

/* Win32 error codes (GetLastError) for the statuses kernel32 maps. */
#define ERROR_SUCCESS              0
#define ERROR_INVALID_FUNCTION     1
#define ERROR_FILE_NOT_FOUND       2
#define ERROR_PATH_NOT_FOUND       3
#define ERROR_ACCESS_DENIED        5
#define ERROR_INVALID_HANDLE       6
#define ERROR_NOT_ENOUGH_MEMORY    8
#define ERROR_BAD_FORMAT           11
#define ERROR_BAD_LENGTH           24
#define ERROR_HANDLE_EOF           38
#define ERROR_NOT_SUPPORTED        50
#define ERROR_INVALID_PARAMETER    87
#define ERROR_INSUFFICIENT_BUFFER  122
#define ERROR_MOD_NOT_FOUND        126
#define ERROR_BAD_EXE_FORMAT       193
#define ERROR_MORE_DATA            234
#define ERROR_PARTIAL_COPY         299
#define ERROR_MR_MID_NOT_FOUND     317
#define ERROR_INVALID_ADDRESS      487
#define ERROR_NOACCESS             998
#define ERROR_NO_SYSTEM_RESOURCES  1450
#define ERROR_TIMEOUT              1460

typedef struct _SECURITY_ATTRIBUTES {
    DWORD  nLength;
    LPVOID lpSecurityDescriptor;
    BOOL   bInheritHandle;
} SECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

typedef struct _STARTUPINFOA {
    DWORD  cb;
    LPSTR  lpReserved;
    LPSTR  lpDesktop;
    LPSTR  lpTitle;
    DWORD  dwX, dwY, dwXSize, dwYSize, dwXCountChars, dwYCountChars, dwFillAttribute;
    DWORD  dwFlags;                     /* STARTF_USESTDHANDLES: the three handles below */
    WORD   wShowWindow;
    WORD   cbReserved2;
    PBYTE  lpReserved2;
    HANDLE hStdInput;
    HANDLE hStdOutput;
    HANDLE hStdError;
} STARTUPINFOA, *LPSTARTUPINFOA;
RS_ASSERT_SIZE(STARTUPINFOA, 68);

typedef struct _STARTUPINFOW {
    DWORD  cb;
    LPWSTR lpReserved;
    LPWSTR lpDesktop;
    LPWSTR lpTitle;
    DWORD  dwX, dwY, dwXSize, dwYSize, dwXCountChars, dwYCountChars, dwFillAttribute;
    DWORD  dwFlags;
    WORD   wShowWindow;
    WORD   cbReserved2;
    PBYTE  lpReserved2;
    HANDLE hStdInput;
    HANDLE hStdOutput;
    HANDLE hStdError;
} STARTUPINFOW, *LPSTARTUPINFOW;
RS_ASSERT_SIZE(STARTUPINFOW, 68);

typedef struct _PROCESS_INFORMATION {
    HANDLE hProcess;
    HANDLE hThread;
    DWORD  dwProcessId;
    DWORD  dwThreadId;
} PROCESS_INFORMATION, *LPPROCESS_INFORMATION;

typedef DWORD (WINAPI *LPTHREAD_START_ROUTINE)(LPVOID lpThreadParameter);

HANDLE WINAPI GetStdHandle(DWORD nStdHandle);
BOOL   WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
                        LPDWORD lpNumberOfBytesWritten, LPVOID lpOverlapped);
BOOL   WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
                       LPDWORD lpNumberOfBytesRead, LPVOID lpOverlapped);
BOOL   WINAPI ReadProcessMemory(HANDLE hProcess, LPCVOID lpBaseAddress, LPVOID lpBuffer,
                                SIZE_T nSize, SIZE_T *lpNumberOfBytesRead);
BOOL   WINAPI WriteProcessMemory(HANDLE hProcess, LPVOID lpBaseAddress, LPCVOID lpBuffer,
                                 SIZE_T nSize, SIZE_T *lpNumberOfBytesWritten);
BOOL   WINAPI CreateProcessA(LPCSTR lpApplicationName, LPSTR lpCommandLine,
                             LPSECURITY_ATTRIBUTES lpProcessAttributes,
                             LPSECURITY_ATTRIBUTES lpThreadAttributes, BOOL bInheritHandles,
                             DWORD dwCreationFlags, LPVOID lpEnvironment, LPCSTR lpCurrentDirectory,
                             LPSTARTUPINFOA lpStartupInfo, LPPROCESS_INFORMATION lpProcessInformation);
BOOL   WINAPI CreateProcessInternalW(HANDLE hToken, LPCWSTR lpApplicationName, LPWSTR lpCommandLine,
                                     LPSECURITY_ATTRIBUTES lpProcessAttributes,
                                     LPSECURITY_ATTRIBUTES lpThreadAttributes, BOOL bInheritHandles,
                                     DWORD dwCreationFlags, LPVOID lpEnvironment,
                                     LPCWSTR lpCurrentDirectory, LPSTARTUPINFOW lpStartupInfo,
                                     LPPROCESS_INFORMATION lpProcessInformation, PHANDLE hNewToken);
HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
                           DWORD dwCreationFlags, LPDWORD lpThreadId);
DWORD  WINAPI ResumeThread(HANDLE hThread);
BOOL   WINAPI SetThreadPriority(HANDLE hThread, int nPriority);
DWORD  WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
BOOL   WINAPI GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode);
BOOL   WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode);
BOOL   WINAPI CloseHandle(HANDLE hObject);
void   WINAPI ExitProcess(UINT uExitCode) __attribute__((noreturn));
void   WINAPI ExitThread(DWORD dwExitCode) __attribute__((noreturn));
BOOL   WINAPI TerminateProcess(HANDLE hProcess, UINT uExitCode);
void   WINAPI Sleep(DWORD dwMilliseconds);
DWORD  WINAPI GetTickCount(void);
DWORD  WINAPI GetLastError(void);
void   WINAPI SetLastError(DWORD dwErrCode);
DWORD  WINAPI GetCurrentProcessId(void);
DWORD  WINAPI GetCurrentThreadId(void);
HANDLE WINAPI GetCurrentProcess(void);
HANDLE WINAPI GetCurrentThread(void);
LPSTR  WINAPI GetCommandLineA(void);

/* Where kernel32 starts new threads: EAX = the start address, EBX = the
 * parameter (the process's first thread: EBX = the PEB). */
void BaseProcessStartThunk(void);
void BaseThreadStartThunk(void);

#endif
