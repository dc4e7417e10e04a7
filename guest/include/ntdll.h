/* ntdll.h - the native API of ringsim's guest: the structures user mode
 * shares with the kernel (TEB, PEB, RTL_USER_PROCESS_PARAMETERS, CONTEXT,
 * EXCEPTION_RECORD ...) at Windows XP SP3's x86 offsets, each offset the
 * kernel relies on pinned by a static assertion (nt-reference.md 10.1 and
 * 3), and the Nt* services ntdll exports (ntkernel/services.tab). */
#ifndef RS_NTDLL_H
#define RS_NTDLL_H

#include "windef.h"
#include "ntstatus.h"

/* ---- strings, objects, ids ---- */

typedef struct _UNICODE_STRING {
    USHORT Length;                      /* bytes, without a terminator */
    USHORT MaximumLength;
    PWSTR  Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
RS_ASSERT_SIZE(UNICODE_STRING, 8);

typedef struct _OBJECT_ATTRIBUTES {
    ULONG           Length;             /* sizeof(OBJECT_ATTRIBUTES) */
    HANDLE          RootDirectory;
    PUNICODE_STRING ObjectName;
    ULONG           Attributes;
    PVOID           SecurityDescriptor;
    PVOID           SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
RS_ASSERT_SIZE(OBJECT_ATTRIBUTES, 0x18);

#define OBJ_INHERIT          0x00000002L
#define OBJ_CASE_INSENSITIVE 0x00000040L

typedef struct _CLIENT_ID {
    HANDLE UniqueProcess;
    HANDLE UniqueThread;
} CLIENT_ID, *PCLIENT_ID;
RS_ASSERT_SIZE(CLIENT_ID, 8);

typedef struct _IO_STATUS_BLOCK {
    union { NTSTATUS Status; PVOID Pointer; } u;
    ULONG_PTR Information;              /* bytes transferred */
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;
RS_ASSERT_SIZE(IO_STATUS_BLOCK, 8);

/* ---- exceptions and thread context ---- */

#define SIZE_OF_80387_REGISTERS     80
#define MAXIMUM_SUPPORTED_EXTENSION 512

typedef struct _FLOATING_SAVE_AREA {
    ULONG ControlWord, StatusWord, TagWord, ErrorOffset, ErrorSelector;
    ULONG DataOffset, DataSelector;
    UCHAR RegisterArea[SIZE_OF_80387_REGISTERS];
    ULONG Cr0NpxState;
} FLOATING_SAVE_AREA;
RS_ASSERT_SIZE(FLOATING_SAVE_AREA, 0x70);

#define CONTEXT_i386               0x00010000L
#define CONTEXT_CONTROL            (CONTEXT_i386 | 0x01L)  /* SS:ESP, CS:EIP, EFLAGS, EBP */
#define CONTEXT_INTEGER            (CONTEXT_i386 | 0x02L)
#define CONTEXT_SEGMENTS           (CONTEXT_i386 | 0x04L)
#define CONTEXT_FLOATING_POINT     (CONTEXT_i386 | 0x08L)
#define CONTEXT_DEBUG_REGISTERS    (CONTEXT_i386 | 0x10L)
#define CONTEXT_FULL               (CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS)

typedef struct _CONTEXT {
    ULONG ContextFlags;
    ULONG Dr0, Dr1, Dr2, Dr3, Dr6, Dr7;
    FLOATING_SAVE_AREA FloatSave;
    ULONG SegGs, SegFs, SegEs, SegDs;
    ULONG Edi, Esi, Ebx, Edx, Ecx, Eax;
    ULONG Ebp, Eip, SegCs, EFlags, Esp, SegSs;
    UCHAR ExtendedRegisters[MAXIMUM_SUPPORTED_EXTENSION];
} CONTEXT, *PCONTEXT;
RS_ASSERT_OFFSET(CONTEXT, FloatSave, 0x1C);
RS_ASSERT_OFFSET(CONTEXT, SegGs, 0x8C);
RS_ASSERT_OFFSET(CONTEXT, Ebx, 0xA4);
RS_ASSERT_OFFSET(CONTEXT, Eax, 0xB0);
RS_ASSERT_OFFSET(CONTEXT, Eip, 0xB8);
RS_ASSERT_OFFSET(CONTEXT, SegCs, 0xBC);
RS_ASSERT_OFFSET(CONTEXT, EFlags, 0xC0);
RS_ASSERT_OFFSET(CONTEXT, Esp, 0xC4);
RS_ASSERT_OFFSET(CONTEXT, SegSs, 0xC8);
RS_ASSERT_SIZE(CONTEXT, 0x2CC);

#define EXCEPTION_MAXIMUM_PARAMETERS 15
#define EXCEPTION_NONCONTINUABLE     0x01
#define EXCEPTION_UNWINDING          0x02
#define EXCEPTION_EXIT_UNWIND        0x04

typedef struct _EXCEPTION_RECORD {
    NTSTATUS ExceptionCode;
    ULONG    ExceptionFlags;
    struct _EXCEPTION_RECORD *ExceptionRecord;
    PVOID    ExceptionAddress;
    ULONG    NumberParameters;
    ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;
RS_ASSERT_OFFSET(EXCEPTION_RECORD, ExceptionAddress, 0x0C);
RS_ASSERT_OFFSET(EXCEPTION_RECORD, ExceptionInformation, 0x14);
RS_ASSERT_SIZE(EXCEPTION_RECORD, 0x50);

typedef enum _EXCEPTION_DISPOSITION {
    ExceptionContinueExecution = 0,
    ExceptionContinueSearch = 1,
    ExceptionNestedException = 2,
    ExceptionCollidedUnwind = 3
} EXCEPTION_DISPOSITION;

struct _EXCEPTION_REGISTRATION_RECORD;
/* A frame-based handler, called cdecl by RtlDispatchException. */
typedef EXCEPTION_DISPOSITION (*PEXCEPTION_ROUTINE)(PEXCEPTION_RECORD ExceptionRecord,
    struct _EXCEPTION_REGISTRATION_RECORD *EstablisherFrame, PCONTEXT ContextRecord,
    PVOID DispatcherContext);

/* One link of the SEH chain headed at fs:[0]; the end is -1. */
typedef struct _EXCEPTION_REGISTRATION_RECORD {
    struct _EXCEPTION_REGISTRATION_RECORD *Next;
    PEXCEPTION_ROUTINE Handler;
} EXCEPTION_REGISTRATION_RECORD, *PEXCEPTION_REGISTRATION_RECORD;
#define EXCEPTION_CHAIN_END ((PEXCEPTION_REGISTRATION_RECORD)-1)

/* ---- process parameters, PEB, TEB (XP SP3 x86) ---- */

typedef struct _CURDIR {
    UNICODE_STRING DosPath;
    HANDLE         Handle;
} CURDIR;
RS_ASSERT_SIZE(CURDIR, 0xC);

#define RTL_USER_PROC_PARAMS_NORMALIZED 0x00000001

/* Built by the creator in the new process; pointers are absolute
 * (NORMALIZED). */
typedef struct _RTL_USER_PROCESS_PARAMETERS {
    ULONG          MaximumLength;
    ULONG          Length;
    ULONG          Flags;
    ULONG          DebugFlags;
    HANDLE         ConsoleHandle;
    ULONG          ConsoleFlags;
    HANDLE         StandardInput;
    HANDLE         StandardOutput;
    HANDLE         StandardError;
    CURDIR         CurrentDirectory;
    UNICODE_STRING DllPath;
    UNICODE_STRING ImagePathName;
    UNICODE_STRING CommandLine;
    PVOID          Environment;
} RTL_USER_PROCESS_PARAMETERS, *PRTL_USER_PROCESS_PARAMETERS;
RS_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, ConsoleHandle, 0x10);
RS_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, StandardInput, 0x18);
RS_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, StandardOutput, 0x1C);
RS_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, StandardError, 0x20);
RS_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, CurrentDirectory, 0x24);
RS_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, DllPath, 0x30);
RS_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, ImagePathName, 0x38);
RS_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, CommandLine, 0x40);
RS_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, Environment, 0x48);

#define PEB_ADDRESS 0x7FFDF000u         /* every process's PEB (XP) */

typedef struct _PEB {
    UCHAR  InheritedAddressSpace;
    UCHAR  ReadImageFileExecOptions;
    UCHAR  BeingDebugged;
    UCHAR  SpareBool;
    HANDLE Mutant;
    PVOID  ImageBaseAddress;            /* the program's lowest PT_LOAD: its ELF header */
    PVOID  Ldr;
    PRTL_USER_PROCESS_PARAMETERS ProcessParameters;
    PVOID  SubSystemData;
    PVOID  ProcessHeap;
    PVOID  FastPebLock;
    PVOID  FastPebLockRoutine;
    PVOID  FastPebUnlockRoutine;
    ULONG  EnvironmentUpdateCount;
    PVOID *KernelCallbackTable;         /* KiUserCallbackDispatcher indexes it */
    UCHAR  Reserved30[0x64 - 0x30];
    ULONG  NumberOfProcessors;
    ULONG  NtGlobalFlag;
    UCHAR  Reserved6C[0xA4 - 0x6C];
    ULONG  OSMajorVersion;
    ULONG  OSMinorVersion;
    USHORT OSBuildNumber;
    USHORT OSCSDVersion;
    ULONG  OSPlatformId;
    UCHAR  ReservedB4[0x1D4 - 0xB4];
    ULONG  SessionId;
    UCHAR  Reserved1D8[0x210 - 0x1D8];
} PEB, *PPEB;
RS_ASSERT_OFFSET(PEB, BeingDebugged, 0x002);
RS_ASSERT_OFFSET(PEB, ImageBaseAddress, 0x008);
RS_ASSERT_OFFSET(PEB, ProcessParameters, 0x010);
RS_ASSERT_OFFSET(PEB, ProcessHeap, 0x018);
RS_ASSERT_OFFSET(PEB, KernelCallbackTable, 0x02C);
RS_ASSERT_OFFSET(PEB, NumberOfProcessors, 0x064);
RS_ASSERT_OFFSET(PEB, NtGlobalFlag, 0x068);
RS_ASSERT_OFFSET(PEB, OSMajorVersion, 0x0A4);
RS_ASSERT_OFFSET(PEB, OSMinorVersion, 0x0A8);
RS_ASSERT_OFFSET(PEB, OSBuildNumber, 0x0AC);
RS_ASSERT_OFFSET(PEB, OSPlatformId, 0x0B0);
RS_ASSERT_OFFSET(PEB, SessionId, 0x1D4);
RS_ASSERT_SIZE(PEB, 0x210);

typedef struct _NT_TIB {
    PEXCEPTION_REGISTRATION_RECORD ExceptionList;
    PVOID StackBase;
    PVOID StackLimit;
    PVOID SubSystemTib;
    PVOID FiberData;
    PVOID ArbitraryUserPointer;
    struct _NT_TIB *Self;
} NT_TIB;
RS_ASSERT_SIZE(NT_TIB, 0x1C);

#define TEB_ADDRESS 0x7FFDE000u         /* the first thread's TEB; the next go down a page each */

typedef struct _TEB {
    NT_TIB    NtTib;
    PVOID     EnvironmentPointer;
    CLIENT_ID ClientId;
    PVOID     ActiveRpcHandle;
    PVOID     ThreadLocalStoragePointer;
    PPEB      ProcessEnvironmentBlock;
    ULONG     LastErrorValue;
    ULONG     CountOfOwnedCriticalSections;
    PVOID     CsrClientThread;
    PVOID     Win32ThreadInfo;
    UCHAR     Reserved44[0xC0 - 0x44];
    PVOID     WOW32Reserved;
    ULONG     CurrentLocale;
    UCHAR     ReservedC8[0x1A4 - 0xC8];
    NTSTATUS  ExceptionCode;
    UCHAR     Reserved1A8[0xBF4 - 0x1A8];
    NTSTATUS  LastStatusValue;
    UCHAR     ReservedBF8[0xE0C - 0xBF8];
    PVOID     DeallocationStack;
    PVOID     TlsSlots[64];
    UCHAR     ReservedF10[0xF70 - 0xF10];
    ULONG     GdiBatchCount;
    UCHAR     ReservedF74[0xFB8 - 0xF74];
} TEB, *PTEB;
RS_ASSERT_OFFSET(TEB, NtTib.Self, 0x018);
RS_ASSERT_OFFSET(TEB, ClientId, 0x020);
RS_ASSERT_OFFSET(TEB, ProcessEnvironmentBlock, 0x030);
RS_ASSERT_OFFSET(TEB, LastErrorValue, 0x034);
RS_ASSERT_OFFSET(TEB, Win32ThreadInfo, 0x040);
RS_ASSERT_OFFSET(TEB, WOW32Reserved, 0x0C0);
RS_ASSERT_OFFSET(TEB, ExceptionCode, 0x1A4);
RS_ASSERT_OFFSET(TEB, LastStatusValue, 0xBF4);
RS_ASSERT_OFFSET(TEB, DeallocationStack, 0xE0C);
RS_ASSERT_OFFSET(TEB, TlsSlots, 0xE10);
RS_ASSERT_OFFSET(TEB, GdiBatchCount, 0xF70);
RS_ASSERT_SIZE(TEB, 0xFB8);

/* The TEB through fs:[0x18] (NtTib.Self), the PEB through fs:[0x30]. */
static inline PTEB NtCurrentTeb(void)
{
    PTEB teb;
    __asm__ volatile ("movl %%fs:0x18, %0" : "=r"(teb));
    return teb;
}
static inline PPEB NtCurrentPeb(void)
{
    PPEB peb;
    __asm__ volatile ("movl %%fs:0x30, %0" : "=r"(peb));
    return peb;
}

/* ---- KUSER_SHARED_DATA, read-only at 0x7FFE0000 in every process ---- */

#define USER_SHARED_DATA 0x7FFE0000u

typedef struct _KSYSTEM_TIME {
    ULONG LowPart;
    LONG  High1Time;
    LONG  High2Time;
} KSYSTEM_TIME;

typedef struct _KUSER_SHARED_DATA {
    ULONG        TickCountLow;
    ULONG        TickCountMultiplier;   /* ms = (TickCountLow * this) >> 24 */
    KSYSTEM_TIME InterruptTime;
    KSYSTEM_TIME SystemTime;
    KSYSTEM_TIME TimeZoneBias;
    USHORT       ImageNumberLow, ImageNumberHigh;
    UCHAR        Reserved30[0x26C - 0x30];
    ULONG        NtMajorVersion;
    ULONG        NtMinorVersion;
    UCHAR        Reserved274[0x300 - 0x274];
    ULONG        SystemCall;            /* &ntdll!KiFastSystemCall (or KiIntSystemCall) */
    ULONG        SystemCallReturn;      /* &ntdll!KiFastSystemCallRet */
    ULONG        SystemCallPad[3];
    UCHAR        Reserved314[0x320 - 0x314];
    KSYSTEM_TIME TickCount;
    ULONG        Reserved32C;
    ULONG        Cookie;
    ULONG        Reserved334;
} KUSER_SHARED_DATA;
RS_ASSERT_OFFSET(KUSER_SHARED_DATA, InterruptTime, 0x008);
RS_ASSERT_OFFSET(KUSER_SHARED_DATA, ImageNumberLow, 0x02C);
RS_ASSERT_OFFSET(KUSER_SHARED_DATA, NtMajorVersion, 0x26C);
RS_ASSERT_OFFSET(KUSER_SHARED_DATA, SystemCall, 0x300);
RS_ASSERT_OFFSET(KUSER_SHARED_DATA, SystemCallReturn, 0x304);
RS_ASSERT_OFFSET(KUSER_SHARED_DATA, TickCount, 0x320);
RS_ASSERT_OFFSET(KUSER_SHARED_DATA, Cookie, 0x330);
RS_ASSERT_SIZE(KUSER_SHARED_DATA, 0x338);
#define SharedUserData ((const volatile KUSER_SHARED_DATA *)USER_SHARED_DATA)

/* ---- information classes and the structures they return ---- */

#define NtCurrentProcess() ((HANDLE)-1)
#define NtCurrentThread()  ((HANDLE)-2)

#define ProcessBasicInformation 0
typedef struct _PROCESS_BASIC_INFORMATION {
    NTSTATUS  ExitStatus;
    PPEB      PebBaseAddress;
    KAFFINITY AffinityMask;
    KPRIORITY BasePriority;
    ULONG_PTR UniqueProcessId;
    ULONG_PTR InheritedFromUniqueProcessId;
} PROCESS_BASIC_INFORMATION, *PPROCESS_BASIC_INFORMATION;
RS_ASSERT_SIZE(PROCESS_BASIC_INFORMATION, 24);

#define ThreadBasicInformation 0
#define ThreadPriority         2        /* NtSetInformationThread: a KPRIORITY */
#define ThreadBasePriority     3
typedef struct _THREAD_BASIC_INFORMATION {
    NTSTATUS  ExitStatus;
    PTEB      TebBaseAddress;
    CLIENT_ID ClientId;
    KAFFINITY AffinityMask;
    KPRIORITY Priority;
    KPRIORITY BasePriority;
} THREAD_BASIC_INFORMATION, *PTHREAD_BASIC_INFORMATION;
RS_ASSERT_SIZE(THREAD_BASIC_INFORMATION, 28);

/* NtCreateThread's description of the stack the creator allocated. */
typedef struct _INITIAL_TEB {
    PVOID OldStackBase;
    PVOID OldStackLimit;
    PVOID StackBase;                    /* top (highest address) */
    PVOID StackLimit;
    PVOID AllocatedStackBase;
} INITIAL_TEB, *PINITIAL_TEB;
RS_ASSERT_SIZE(INITIAL_TEB, 20);

#define PROCESS_CREATE_FLAGS_INHERIT_HANDLES 0x00000004

#define MEM_COMMIT     0x00001000
#define MEM_RESERVE    0x00002000
#define MEM_RELEASE    0x00008000
#define PAGE_NOACCESS  0x01
#define PAGE_READONLY  0x02
#define PAGE_READWRITE 0x04
#define PAGE_EXECUTE_READWRITE 0x40

#define PROCESS_ALL_ACCESS 0x001F0FFF
#define THREAD_ALL_ACCESS  0x001F03FF

/* The int 2Dh debug service: EAX = this, ECX = string, EDX = length. */
#define BREAKPOINT_PRINT 1

/* ---- the services (ntkernel/services.tab; stdcall, XP's signatures) ---- */

NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                       PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect);
NTSTATUS NTAPI NtCallbackReturn(PVOID OutputBuffer, ULONG OutputLength, NTSTATUS Status);
NTSTATUS NTAPI NtClose(HANDLE Handle);
NTSTATUS NTAPI NtContinue(PCONTEXT Context, BOOLEAN TestAlert);
NTSTATUS NTAPI NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess,
                             POBJECT_ATTRIBUTES ObjectAttributes, ULONG EventType, BOOLEAN InitialState);
NTSTATUS NTAPI NtCreateProcessEx(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess,
                                 POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ParentProcess, ULONG Flags,
                                 HANDLE SectionHandle, HANDLE DebugPort, HANDLE ExceptionPort,
                                 BOOLEAN InJob);
NTSTATUS NTAPI NtCreateThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess,
                              POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                              PCLIENT_ID ClientId, PCONTEXT ThreadContext, PINITIAL_TEB InitialTeb,
                              BOOLEAN CreateSuspended);
NTSTATUS NTAPI NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval);
NTSTATUS NTAPI NtDisplayString(PUNICODE_STRING String);
NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                                   ULONG FreeType);
NTSTATUS NTAPI NtGetContextThread(HANDLE ThreadHandle, PCONTEXT Context);
NTSTATUS NTAPI NtOpenProcess(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess,
                             POBJECT_ATTRIBUTES ObjectAttributes, PCLIENT_ID ClientId);
NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                                      ULONG NewProtect, PULONG OldProtect);
NTSTATUS NTAPI NtQueryInformationProcess(HANDLE ProcessHandle, ULONG ProcessInformationClass,
                                         PVOID ProcessInformation, ULONG Length, PULONG ReturnLength);
NTSTATUS NTAPI NtQueryInformationThread(HANDLE ThreadHandle, ULONG ThreadInformationClass,
                                        PVOID ThreadInformation, ULONG Length, PULONG ReturnLength);
NTSTATUS NTAPI NtQuerySystemInformation(ULONG SystemInformationClass, PVOID SystemInformation,
                                        ULONG Length, PULONG ReturnLength);
NTSTATUS NTAPI NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, ULONG InformationClass,
                                    PVOID Buffer, SIZE_T Length, PSIZE_T ReturnLength);
NTSTATUS NTAPI NtRaiseException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context,
                                BOOLEAN FirstChance);
NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                          PLARGE_INTEGER ByteOffset, PULONG Key);
NTSTATUS NTAPI NtReadVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer,
                                   SIZE_T Size, PSIZE_T NumberOfBytesRead);
NTSTATUS NTAPI NtResetEvent(HANDLE EventHandle, PLONG PreviousState);
NTSTATUS NTAPI NtResumeThread(HANDLE ThreadHandle, PULONG SuspendCount);
NTSTATUS NTAPI NtSetEvent(HANDLE EventHandle, PLONG PreviousState);
NTSTATUS NTAPI NtSetInformationThread(HANDLE ThreadHandle, ULONG ThreadInformationClass,
                                      PVOID ThreadInformation, ULONG Length);
NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                           PIO_STATUS_BLOCK IoStatusBlock, const void *Buffer, ULONG Length,
                           PLARGE_INTEGER ByteOffset, PULONG Key);
NTSTATUS NTAPI NtWriteVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, const void *Buffer,
                                    SIZE_T Size, PSIZE_T NumberOfBytesWritten);
NTSTATUS NTAPI NtYieldExecution(void);
/* The shadow table (bit 12): calls back ApiNumber 0 with {Depth, Value};
 * *Result = the callback's status + Depth. */
NTSTATUS NTAPI NtUserCallbackDemo(ULONG Depth, ULONG Value, PULONG Result);

/* ---- the entry points the kernel looks up, and the runtime ---- */

void KiFastSystemCall(void);
void KiFastSystemCallRet(void);
void KiIntSystemCall(void);
void KiUserCallbackDispatcher(void);
void KiUserExceptionDispatcher(void);

BOOLEAN NTAPI RtlDispatchException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context);
void NTAPI RtlRaiseStatus(NTSTATUS Status) __attribute__((noreturn));
void NTAPI RtlInitUnicodeString(PUNICODE_STRING Destination, PCWSTR Source);
ULONG NTAPI RtlNtStatusToDosError(NTSTATUS Status);
void NTAPI RtlCopyMemory(void *Destination, const void *Source, SIZE_T Length);
void NTAPI RtlMoveMemory(void *Destination, const void *Source, SIZE_T Length);
void NTAPI RtlFillMemory(void *Destination, SIZE_T Length, UCHAR Fill);
void NTAPI RtlZeroMemory(void *Destination, SIZE_T Length);
/* DbgPrint formats like printf (%d %u %x %X %s %c %p %%, width, 0 and
 * - flags) and hands the text to the kernel's debug service (int 2Dh). */
ULONG DbgPrint(const char *Format, ...) __attribute__((format(printf, 1, 2)));

#endif
