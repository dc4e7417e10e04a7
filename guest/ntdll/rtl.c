/* rtl.c - ntdll's small run-time library: counted strings, the
 * memory helpers, NTSTATUS to Win32 error mapping and DbgPrint through the
 * kernel's debug service (int 2Dh). */
#include <ntdll.h>
#include <string.h>
#include "../libc/format.h"

void NTAPI RtlInitUnicodeString(PUNICODE_STRING Destination, PCWSTR Source)
{
    ULONG n = 0;
    if (Source)
        while (Source[n])
            n++;
    Destination->Length = (USHORT)(n * sizeof(WCHAR));
    Destination->MaximumLength = Source ? (USHORT)((n + 1) * sizeof(WCHAR)) : 0;
    Destination->Buffer = (PWSTR)Source;
}

void NTAPI RtlCopyMemory(void *Destination, const void *Source, SIZE_T Length)
{
    memcpy(Destination, Source, Length);
}

void NTAPI RtlMoveMemory(void *Destination, const void *Source, SIZE_T Length)
{
    memmove(Destination, Source, Length);
}

void NTAPI RtlFillMemory(void *Destination, SIZE_T Length, UCHAR Fill)
{
    memset(Destination, Fill, Length);
}

void NTAPI RtlZeroMemory(void *Destination, SIZE_T Length)
{
    memset(Destination, 0, Length);
}

/* The Win32 error codes of the statuses ringsim's services return. */
static const struct { NTSTATUS status; ULONG error; } RtlpErrorTable[] = {
    { STATUS_SUCCESS,                0 },
    { STATUS_TIMEOUT,                258 },   /* WAIT_TIMEOUT */
    { STATUS_PENDING,                997 },   /* ERROR_IO_PENDING */
    { STATUS_PARTIAL_COPY,           299 },   /* ERROR_PARTIAL_COPY */
    { STATUS_UNSUCCESSFUL,           31 },    /* ERROR_GEN_FAILURE */
    { STATUS_NOT_IMPLEMENTED,        1 },     /* ERROR_INVALID_FUNCTION */
    { STATUS_INVALID_INFO_CLASS,     87 },
    { STATUS_INFO_LENGTH_MISMATCH,   24 },    /* ERROR_BAD_LENGTH */
    { STATUS_ACCESS_VIOLATION,       998 },   /* ERROR_NOACCESS */
    { STATUS_INVALID_HANDLE,         6 },
    { STATUS_INVALID_CID,            87 },
    { STATUS_INVALID_PARAMETER,      87 },
    { STATUS_NO_SUCH_FILE,           2 },
    { STATUS_END_OF_FILE,            38 },    /* ERROR_HANDLE_EOF */
    { STATUS_NO_MEMORY,              8 },
    { STATUS_CONFLICTING_ADDRESSES,  487 },   /* ERROR_INVALID_ADDRESS */
    { STATUS_INVALID_SYSTEM_SERVICE, 1 },
    { STATUS_ACCESS_DENIED,          5 },
    { STATUS_BUFFER_TOO_SMALL,       122 },   /* ERROR_INSUFFICIENT_BUFFER */
    { STATUS_OBJECT_TYPE_MISMATCH,   6 },
    { STATUS_OBJECT_NAME_INVALID,    123 },   /* ERROR_INVALID_NAME */
    { STATUS_OBJECT_NAME_NOT_FOUND,  2 },     /* ERROR_FILE_NOT_FOUND */
    { STATUS_OBJECT_PATH_NOT_FOUND,  3 },
    { STATUS_INVALID_PAGE_PROTECTION, 87 },
    { STATUS_INVALID_IMAGE_FORMAT,   193 },   /* ERROR_BAD_EXE_FORMAT */
    { STATUS_INSUFFICIENT_RESOURCES, 1450 },  /* ERROR_NO_SYSTEM_RESOURCES */
    { STATUS_MEMORY_NOT_ALLOCATED,   487 },
    { STATUS_NOT_SUPPORTED,          50 },
    { STATUS_INVALID_PARAMETER_1,    87 },
    { STATUS_INVALID_PARAMETER_2,    87 },
    { STATUS_PROCESS_IS_TERMINATING, 5 },
    { STATUS_THREAD_IS_TERMINATING,  5 },
    { STATUS_NO_CALLBACK_ACTIVE,     1 },
};

ULONG NTAPI RtlNtStatusToDosError(NTSTATUS Status)
{
    for (ULONG i = 0; i < sizeof RtlpErrorTable / sizeof RtlpErrorTable[0]; i++)
        if (RtlpErrorTable[i].status == Status)
            return RtlpErrorTable[i].error;
    return 317;                         /* ERROR_MR_MID_NOT_FOUND, as NT answers */
}

/* int 2Dh with EAX = BREAKPOINT_PRINT, ECX = the text, EDX = its length;
 * the kernel's debug service prints it and steps over the int3 that
 * follows (a debugger would stop there). */
ULONG DbgPrint(const char *Format, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, Format);
    int n = fmt_vsnprintf(text, sizeof text, Format, ap);
    va_end(ap);
    if (n > (int)sizeof text - 1)
        n = sizeof text - 1;
    ULONG status = BREAKPOINT_PRINT;
    __asm__ volatile ("int $0x2D\n\tint3" : "+a"(status) : "c"(text), "d"(n) : "memory");
    return status;
}
