/* file.c - the standard handles and console I/O: GetStdHandle reads
 * PEB->ProcessParameters, WriteFile and ReadFile are NtWriteFile (0x112) and
 * NtReadFile (0xB7) with an IO_STATUS_BLOCK, CloseHandle is NtClose. */
#include "k32.h"

HANDLE WINAPI GetStdHandle(DWORD nStdHandle)
{
    PRTL_USER_PROCESS_PARAMETERS params = NtCurrentPeb()->ProcessParameters;
    if (params) {
        switch (nStdHandle) {
        case STD_INPUT_HANDLE:  return params->StandardInput;
        case STD_OUTPUT_HANDLE: return params->StandardOutput;
        case STD_ERROR_HANDLE:  return params->StandardError;
        }
    }
    SetLastError(ERROR_INVALID_HANDLE);
    return INVALID_HANDLE_VALUE;
}

/* A pending transfer completes when the file handle is signalled. */
static NTSTATUS BasepCompleteIo(HANDLE hFile, NTSTATUS status, IO_STATUS_BLOCK *iosb)
{
    if (status == STATUS_PENDING) {
        status = NtWaitForSingleObject(hFile, FALSE, NULL);
        if (NT_SUCCESS(status))
            status = iosb->u.Status;
    }
    return status;
}

BOOL WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
                      LPDWORD lpNumberOfBytesWritten, LPVOID lpOverlapped)
{
    IO_STATUS_BLOCK iosb = { { 0 }, 0 };
    (void)lpOverlapped;                 /* no overlapped I/O */
    if (lpNumberOfBytesWritten)
        *lpNumberOfBytesWritten = 0;
    NTSTATUS status = NtWriteFile(hFile, NULL, NULL, NULL, &iosb, lpBuffer,
                                  nNumberOfBytesToWrite, NULL, NULL);
    status = BasepCompleteIo(hFile, status, &iosb);
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return FALSE;
    }
    if (lpNumberOfBytesWritten)
        *lpNumberOfBytesWritten = iosb.Information;
    return TRUE;
}

/* The end of the input is success with nothing read, as on Windows. */
BOOL WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
                     LPDWORD lpNumberOfBytesRead, LPVOID lpOverlapped)
{
    IO_STATUS_BLOCK iosb = { { 0 }, 0 };
    (void)lpOverlapped;
    if (lpNumberOfBytesRead)
        *lpNumberOfBytesRead = 0;
    NTSTATUS status = NtReadFile(hFile, NULL, NULL, NULL, &iosb, lpBuffer,
                                 nNumberOfBytesToRead, NULL, NULL);
    status = BasepCompleteIo(hFile, status, &iosb);
    if (status == STATUS_END_OF_FILE)
        return TRUE;
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return FALSE;
    }
    if (lpNumberOfBytesRead)
        *lpNumberOfBytesRead = iosb.Information;
    return TRUE;
}

BOOL WINAPI CloseHandle(HANDLE hObject)
{
    NTSTATUS status = NtClose(hObject);
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return FALSE;
    }
    return TRUE;
}
