/* ntdef.h - the basic types of the kernel, with NT's names (ReactOS
 * sdk/include/psdk/ntdef.h spells the same ones).  Freestanding: nothing
 * here comes from a C library. */
#ifndef NTK_NTDEF_H
#define NTK_NTDEF_H

#include <stddef.h>
#include <stdint.h>

typedef uint8_t  UCHAR, BOOLEAN, KIRQL;
typedef uint16_t USHORT, WCHAR;
typedef uint32_t ULONG, KAFFINITY;
typedef int32_t  LONG, NTSTATUS;
typedef uint64_t ULONGLONG;
typedef char     CHAR;
typedef void    *PVOID;
typedef uintptr_t ULONG_PTR;
typedef ULONG   *PULONG;
typedef LONG    *PLONG;
typedef UCHAR   *PUCHAR;
typedef WCHAR   *PWSTR;
typedef PVOID    HANDLE, *PHANDLE;
typedef ULONG    ACCESS_MASK;
typedef CHAR     KPROCESSOR_MODE;
typedef LONG     KPRIORITY;
typedef int64_t  LONGLONG;
typedef union _LARGE_INTEGER { struct { ULONG LowPart; LONG HighPart; }; LONGLONG QuadPart; } LARGE_INTEGER, *PLARGE_INTEGER;

#define KernelMode 0
#define UserMode   1
#define NtCurrentProcess() ((HANDLE)-1)
#define NtCurrentThread()  ((HANDLE)-2)
/* Services are stdcall: the callee pops its arguments. */
#define NTAPI __attribute__((stdcall))

#define TRUE  1
#define FALSE 0

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

/* Doubly linked lists with a head (NT's list primitives).  A removed entry
 * is left linked to itself, so removing it again changes nothing. */
static inline void InitializeListHead(PLIST_ENTRY Head) { Head->Flink = Head->Blink = Head; }
static inline BOOLEAN IsListEmpty(const LIST_ENTRY *Head) { return Head->Flink == Head; }
static inline void InsertTailList(PLIST_ENTRY Head, PLIST_ENTRY Entry)
{
    Entry->Flink = Head;
    Entry->Blink = Head->Blink;
    Head->Blink->Flink = Entry;
    Head->Blink = Entry;
}
static inline void InsertHeadList(PLIST_ENTRY Head, PLIST_ENTRY Entry)
{
    Entry->Flink = Head->Flink;
    Entry->Blink = Head;
    Head->Flink->Blink = Entry;
    Head->Flink = Entry;
}
static inline void RemoveEntryList(PLIST_ENTRY Entry)
{
    Entry->Blink->Flink = Entry->Flink;
    Entry->Flink->Blink = Entry->Blink;
    Entry->Flink = Entry->Blink = Entry;
}

/* A 64-bit time that 32-bit readers can read without a lock: the writer
 * stores High2Time, then LowPart, then High1Time; a reader retries until
 * High1Time == High2Time. */
typedef struct _KSYSTEM_TIME {
    ULONG LowPart;
    LONG  High1Time;
    LONG  High2Time;
} KSYSTEM_TIME;

/* Pins a structure offset that assembly or a debugger view relies on. */
#define C_ASSERT_OFFSET(type, field, off) \
    _Static_assert(offsetof(type, field) == (off), #type "." #field " is at " #off)
#define C_ASSERT_SIZE(type, size) \
    _Static_assert(sizeof(type) == (size), "sizeof(" #type ") is " #size)

#endif
