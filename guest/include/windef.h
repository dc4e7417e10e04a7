/* windef.h - the basic Win32/NT types of ringsim's guest SDK, 32-bit x86
 * (ILP32: int, long and pointers are 32 bits).  Names follow the Windows
 * SDK so that code written against Windows reads the same here. */
#ifndef RS_WINDEF_H
#define RS_WINDEF_H

#include <stddef.h>
#include <stdint.h>

#define WINAPI   __attribute__((stdcall))
#define NTAPI    __attribute__((stdcall))
#define CALLBACK __attribute__((stdcall))

typedef void               VOID, *PVOID, *LPVOID;
typedef const void        *LPCVOID;
typedef char               CHAR, *PCHAR, *LPSTR;
typedef const char        *LPCSTR, *PCSTR;
typedef unsigned char      UCHAR, BYTE, BOOLEAN, *PUCHAR, *PBYTE, *PBOOLEAN;
typedef uint16_t           WCHAR, USHORT, WORD, *PWCHAR, *PWSTR, *LPWSTR, *PUSHORT;
typedef const uint16_t    *LPCWSTR, *PCWSTR;
typedef short              SHORT;
typedef int                INT, BOOL, *PBOOL, *LPBOOL;
typedef unsigned int       UINT;
typedef long               LONG, *PLONG, KPRIORITY, NTSTATUS;
typedef unsigned long      ULONG, DWORD, *PULONG, *PDWORD, *LPDWORD, ACCESS_MASK;
typedef long long          LONGLONG;
typedef unsigned long long ULONGLONG;
typedef unsigned long      ULONG_PTR, SIZE_T, *PULONG_PTR, *PSIZE_T, KAFFINITY;
typedef long               LONG_PTR;
typedef void              *HANDLE, **PHANDLE, *LPHANDLE, *HMODULE, *HINSTANCE;

typedef union _LARGE_INTEGER {
    struct { ULONG LowPart; LONG HighPart; } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

#define TRUE  1
#define FALSE 0

/* Pins a structure offset that the kernel or assembly relies on. */
#define RS_ASSERT_OFFSET(type, field, off) \
    _Static_assert(offsetof(type, field) == (off), #type "." #field " is at " #off)
#define RS_ASSERT_SIZE(type, size) \
    _Static_assert(sizeof(type) == (size), "sizeof(" #type ") is " #size)

_Static_assert(sizeof(void *) == 4 && sizeof(long) == 4, "the guest SDK is for 32-bit x86 (gcc -m32)");

#endif
