/* arc.h - the architectural records the kernel shares with user mode and
 * the debugger, with Windows XP SP3's x86 layouts (nt-reference.md 5.1,
 * 7.1, 10.1): KTRAP_FRAME, KCALLOUT_FRAME, CONTEXT, EXCEPTION_RECORD,
 * the service descriptor tables, the TEB, the PEB and the process
 * parameters.  Each offset is pinned by a static assertion. */
#ifndef NTK_ARC_H
#define NTK_ARC_H

#include "ntdef.h"
#include "ks386.h"

/* ---- KTRAP_FRAME (0x8C bytes at InitialStack - 0x29C) --------------------- */
typedef struct _KTRAP_FRAME {
    ULONG DbgEbp;               /* 0x00 */
    ULONG DbgEip;               /* 0x04 */
    ULONG DbgArgMark;           /* 0x08 0xBADB0D00 */
    ULONG DbgArgPointer;        /* 0x0C */
    ULONG TempSegCs;            /* 0x10 */
    ULONG TempEsp;              /* 0x14 */
    ULONG Dr0, Dr1, Dr2, Dr3, Dr6, Dr7;   /* 0x18-0x2C */
    ULONG SegGs;                /* 0x30 */
    ULONG SegEs;                /* 0x34 */
    ULONG SegDs;                /* 0x38 */
    ULONG Edx;                  /* 0x3C on the system-call paths: the previous trap frame */
    ULONG Ecx;                  /* 0x40 */
    ULONG Eax;                  /* 0x44 */
    ULONG PreviousPreviousMode; /* 0x48 */
    PVOID ExceptionList;        /* 0x4C */
    ULONG SegFs;                /* 0x50 */
    ULONG Edi;                  /* 0x54 */
    ULONG Esi;                  /* 0x58 */
    ULONG Ebx;                  /* 0x5C */
    ULONG Ebp;                  /* 0x60 */
    ULONG ErrCode;              /* 0x64 */
    ULONG Eip;                  /* 0x68 */
    ULONG SegCs;                /* 0x6C */
    ULONG EFlags;               /* 0x70 */
    ULONG HardwareEsp;          /* 0x74 */
    ULONG HardwareSegSs;        /* 0x78 */
    ULONG V86Es, V86Ds, V86Fs, V86Gs;     /* 0x7C-0x88 */
} KTRAP_FRAME, *PKTRAP_FRAME;
C_ASSERT_OFFSET(KTRAP_FRAME, DbgArgMark, 0x08);
C_ASSERT_OFFSET(KTRAP_FRAME, TempSegCs, 0x10);
C_ASSERT_OFFSET(KTRAP_FRAME, Dr0, 0x18);
C_ASSERT_OFFSET(KTRAP_FRAME, Dr7, 0x2C);
C_ASSERT_OFFSET(KTRAP_FRAME, SegGs, 0x30);
C_ASSERT_OFFSET(KTRAP_FRAME, Edx, 0x3C);
C_ASSERT_OFFSET(KTRAP_FRAME, Eax, 0x44);
C_ASSERT_OFFSET(KTRAP_FRAME, PreviousPreviousMode, 0x48);
C_ASSERT_OFFSET(KTRAP_FRAME, ExceptionList, 0x4C);
C_ASSERT_OFFSET(KTRAP_FRAME, SegFs, 0x50);
C_ASSERT_OFFSET(KTRAP_FRAME, Edi, 0x54);
C_ASSERT_OFFSET(KTRAP_FRAME, Ebp, 0x60);
C_ASSERT_OFFSET(KTRAP_FRAME, ErrCode, 0x64);
C_ASSERT_OFFSET(KTRAP_FRAME, Eip, 0x68);
C_ASSERT_OFFSET(KTRAP_FRAME, SegCs, 0x6C);
C_ASSERT_OFFSET(KTRAP_FRAME, EFlags, 0x70);
C_ASSERT_OFFSET(KTRAP_FRAME, HardwareEsp, 0x74);
C_ASSERT_OFFSET(KTRAP_FRAME, HardwareSegSs, 0x78);
C_ASSERT_OFFSET(KTRAP_FRAME, V86Gs, 0x88);
C_ASSERT_SIZE(KTRAP_FRAME, 0x8C);

/* KTRAP_FRAME_LENGTH, NPX_FRAME_LENGTH and KTRAP_FRAME_OFFSET (a user ->
 * kernel frame starts that far below InitialStack, nt-reference.md 5.1)
 * are in ks386.h, shared with the assembly. */
#define KTRAP_FRAME_V86     0x10        /* the V86 tail a non-V86 frame lacks */

/* ---- KCALLOUT_FRAME (nt-reference.md 7.1) --------------------------------- */
typedef struct _KCALLOUT_FRAME {
    ULONG InitialStack;         /* 0x00 */
    ULONG TrapFrame;            /* 0x04 */
    ULONG CallbackStack;        /* 0x08 */
    ULONG Edi, Esi, Ebx, Ebp;   /* 0x0C-0x18 */
    ULONG ReturnAddress;        /* 0x1C */
    ULONG Result;               /* 0x20 PVOID *OutputBuffer */
    ULONG ResultLength;         /* 0x24 PULONG OutputLength */
} KCALLOUT_FRAME, *PKCALLOUT_FRAME;
C_ASSERT_OFFSET(KCALLOUT_FRAME, CallbackStack, 0x08);
C_ASSERT_OFFSET(KCALLOUT_FRAME, ReturnAddress, 0x1C);
C_ASSERT_OFFSET(KCALLOUT_FRAME, ResultLength, 0x24);

/* ---- service descriptor tables (nt-reference.md 5.4) ---------------------- */
typedef struct _KSERVICE_TABLE_DESCRIPTOR {
    void (*const *Base)(void);  /* 0x0 KiServiceTable */
    PULONG Count;               /* 0x4 per-service counters (NULL) */
    ULONG Limit;                /* 0x8 */
    const UCHAR *Number;        /* 0xC bytes of arguments per service */
} KSERVICE_TABLE_DESCRIPTOR, *PKSERVICE_TABLE_DESCRIPTOR;
C_ASSERT_SIZE(KSERVICE_TABLE_DESCRIPTOR, 16);
#define NUMBER_SERVICE_TABLES 2
#define SERVICE_NUMBER_MASK   0xFFF
#define SERVICE_TABLE_SHIFT   8         /* (eax >> 8) & 0x10: the descriptor's byte offset */
#define SERVICE_TABLE_MASK    0x10

/* ---- CONTEXT (x86, 0x2CC bytes) ------------------------------------------- */
#define CONTEXT_i386               0x00010000u
#define CONTEXT_CONTROL            (CONTEXT_i386 | 0x01)
#define CONTEXT_INTEGER            (CONTEXT_i386 | 0x02)
#define CONTEXT_SEGMENTS           (CONTEXT_i386 | 0x04)
#define CONTEXT_FLOATING_POINT     (CONTEXT_i386 | 0x08)
#define CONTEXT_DEBUG_REGISTERS    (CONTEXT_i386 | 0x10)
#define CONTEXT_FULL               (CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS)

typedef struct _FLOATING_SAVE_AREA {
    ULONG ControlWord, StatusWord, TagWord, ErrorOffset, ErrorSelector, DataOffset, DataSelector;
    UCHAR RegisterArea[80];
    ULONG Cr0NpxState;
} FLOATING_SAVE_AREA;
C_ASSERT_SIZE(FLOATING_SAVE_AREA, 112);

typedef struct _CONTEXT {
    ULONG ContextFlags;         /* 0x00 */
    ULONG Dr0, Dr1, Dr2, Dr3, Dr6, Dr7;   /* 0x04-0x18 */
    FLOATING_SAVE_AREA FloatSave;          /* 0x1C */
    ULONG SegGs, SegFs, SegEs, SegDs;      /* 0x8C-0x98 */
    ULONG Edi, Esi, Ebx, Edx, Ecx, Eax;    /* 0x9C-0xB0 */
    ULONG Ebp;                  /* 0xB4 */
    ULONG Eip;                  /* 0xB8 */
    ULONG SegCs;                /* 0xBC */
    ULONG EFlags;               /* 0xC0 */
    ULONG Esp;                  /* 0xC4 */
    ULONG SegSs;                /* 0xC8 */
    UCHAR ExtendedRegisters[512];          /* 0xCC */
} CONTEXT, *PCONTEXT;
C_ASSERT_OFFSET(CONTEXT, SegGs, 0x8C);
C_ASSERT_OFFSET(CONTEXT, Edi, 0x9C);
C_ASSERT_OFFSET(CONTEXT, Eax, 0xB0);
C_ASSERT_OFFSET(CONTEXT, Eip, 0xB8);
C_ASSERT_OFFSET(CONTEXT, SegCs, 0xBC);
C_ASSERT_OFFSET(CONTEXT, EFlags, 0xC0);
C_ASSERT_OFFSET(CONTEXT, Esp, 0xC4);
C_ASSERT_OFFSET(CONTEXT, SegSs, 0xC8);
C_ASSERT_SIZE(CONTEXT, 0x2CC);

/* ---- EXCEPTION_RECORD ----------------------------------------------------- */
#define EXCEPTION_MAXIMUM_PARAMETERS 15
#define EXCEPTION_NONCONTINUABLE     0x01
typedef struct _EXCEPTION_RECORD {
    NTSTATUS ExceptionCode;     /* 0x00 */
    ULONG ExceptionFlags;       /* 0x04 */
    struct _EXCEPTION_RECORD *ExceptionRecord;  /* 0x08 */
    PVOID ExceptionAddress;     /* 0x0C */
    ULONG NumberParameters;     /* 0x10 */
    ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];  /* 0x14 */
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;
C_ASSERT_SIZE(EXCEPTION_RECORD, 0x50);

/* ---- client ids, strings, object attributes ------------------------------- */
typedef struct _CLIENT_ID { HANDLE UniqueProcess; HANDLE UniqueThread; } CLIENT_ID, *PCLIENT_ID;
typedef struct _UNICODE_STRING { USHORT Length; USHORT MaximumLength; PWSTR Buffer; } UNICODE_STRING, *PUNICODE_STRING;
C_ASSERT_SIZE(UNICODE_STRING, 8);
typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;               /* 0x00 */
    HANDLE RootDirectory;       /* 0x04 */
    PUNICODE_STRING ObjectName; /* 0x08 */
    ULONG Attributes;           /* 0x0C OBJ_INHERIT ... */
    PVOID SecurityDescriptor;   /* 0x10 */
    PVOID SecurityQualityOfService;  /* 0x14 */
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
C_ASSERT_SIZE(OBJECT_ATTRIBUTES, 0x18);
#define OBJ_INHERIT 0x00000002u

typedef struct _IO_STATUS_BLOCK { NTSTATUS Status; ULONG_PTR Information; } IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

typedef struct _INITIAL_TEB {
    PVOID OldStackBase, OldStackLimit, StackBase, StackLimit, AllocatedStackBase;
} INITIAL_TEB, *PINITIAL_TEB;

/* ---- TEB and PEB (nt-reference.md 10.1) ----------------------------------- */
#define MM_PEB_ADDRESS        0x7FFDF000u
#define MM_FIRST_TEB_ADDRESS  0x7FFDE000u   /* then one page lower per thread */

typedef struct _TEB {
    PVOID ExceptionList;        /* 0x000 fs:[0] */
    PVOID StackBase;            /* 0x004 */
    PVOID StackLimit;           /* 0x008 */
    PVOID SubSystemTib;         /* 0x00C */
    PVOID FiberData;            /* 0x010 */
    PVOID ArbitraryUserPointer; /* 0x014 */
    struct _TEB *Self;          /* 0x018 */
    PVOID EnvironmentPointer;   /* 0x01C */
    CLIENT_ID ClientId;         /* 0x020 */
    PVOID ActiveRpcHandle;      /* 0x028 */
    PVOID ThreadLocalStoragePointer;  /* 0x02C */
    struct _PEB *ProcessEnvironmentBlock;  /* 0x030 */
    ULONG LastErrorValue;       /* 0x034 */
    UCHAR Pad038[0x1A4 - 0x038];
    NTSTATUS ExceptionCode;     /* 0x1A4 */
    UCHAR Pad1A8[0xBF4 - 0x1A8];
    NTSTATUS LastStatusValue;   /* 0xBF4 */
    UCHAR PadBF8[0xE0C - 0xBF8];
    PVOID DeallocationStack;    /* 0xE0C */
    PVOID TlsSlots[64];         /* 0xE10 */
    UCHAR PadF10[0xF70 - 0xF10];
    ULONG GdiBatchCount;        /* 0xF70 */
    UCHAR PadF74[0xFB8 - 0xF74];
} TEB, *PTEB;
C_ASSERT_OFFSET(TEB, Self, 0x018);
C_ASSERT_OFFSET(TEB, ClientId, 0x020);
C_ASSERT_OFFSET(TEB, ProcessEnvironmentBlock, 0x030);
C_ASSERT_OFFSET(TEB, LastErrorValue, 0x034);
C_ASSERT_OFFSET(TEB, ExceptionCode, 0x1A4);
C_ASSERT_OFFSET(TEB, LastStatusValue, 0xBF4);
C_ASSERT_OFFSET(TEB, DeallocationStack, 0xE0C);
C_ASSERT_OFFSET(TEB, TlsSlots, 0xE10);
C_ASSERT_OFFSET(TEB, GdiBatchCount, 0xF70);
C_ASSERT_SIZE(TEB, 0xFB8);

typedef struct _CURDIR { UNICODE_STRING DosPath; HANDLE Handle; } CURDIR;

typedef struct _RTL_USER_PROCESS_PARAMETERS {
    ULONG MaximumLength;        /* 0x00 */
    ULONG Length;               /* 0x04 */
    ULONG Flags;                /* 0x08 bit 0: normalized (absolute pointers) */
    ULONG DebugFlags;           /* 0x0C */
    HANDLE ConsoleHandle;       /* 0x10 */
    ULONG ConsoleFlags;         /* 0x14 */
    HANDLE StandardInput;       /* 0x18 */
    HANDLE StandardOutput;      /* 0x1C */
    HANDLE StandardError;       /* 0x20 */
    CURDIR CurrentDirectory;    /* 0x24 */
    UNICODE_STRING DllPath;     /* 0x30 */
    UNICODE_STRING ImagePathName;  /* 0x38 */
    UNICODE_STRING CommandLine; /* 0x40 */
    PVOID Environment;          /* 0x48 */
} RTL_USER_PROCESS_PARAMETERS, *PRTL_USER_PROCESS_PARAMETERS;
C_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, StandardInput, 0x18);
C_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, CurrentDirectory, 0x24);
C_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, ImagePathName, 0x38);
C_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, CommandLine, 0x40);
C_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, Environment, 0x48);
#define RTL_USER_PROC_PARAMS_NORMALIZED 0x01

typedef struct _PEB {
    UCHAR InheritedAddressSpace;   /* 0x000 */
    UCHAR ReadImageFileExecOptions;
    UCHAR BeingDebugged;        /* 0x002 */
    UCHAR SpareBool;
    PVOID Mutant;               /* 0x004 */
    PVOID ImageBaseAddress;     /* 0x008 */
    PVOID Ldr;                  /* 0x00C */
    PRTL_USER_PROCESS_PARAMETERS ProcessParameters;  /* 0x010 */
    PVOID SubSystemData;        /* 0x014 */
    PVOID ProcessHeap;          /* 0x018 */
    PVOID FastPebLock;          /* 0x01C */
    UCHAR Pad020[0x02C - 0x020];
    PVOID KernelCallbackTable;  /* 0x02C */
    UCHAR Pad030[0x064 - 0x030];
    ULONG NumberOfProcessors;   /* 0x064 */
    ULONG NtGlobalFlag;         /* 0x068 */
    UCHAR Pad06C[0x0A4 - 0x06C];
    ULONG OSMajorVersion;       /* 0x0A4 */
    ULONG OSMinorVersion;       /* 0x0A8 */
    USHORT OSBuildNumber;       /* 0x0AC */
    USHORT OSCSDVersion;        /* 0x0AE */
    ULONG OSPlatformId;         /* 0x0B0 */
    UCHAR Pad0B4[0x1D4 - 0x0B4];
    ULONG SessionId;            /* 0x1D4 */
    UCHAR Pad1D8[0x210 - 0x1D8];
} PEB, *PPEB;
C_ASSERT_OFFSET(PEB, BeingDebugged, 0x002);
C_ASSERT_OFFSET(PEB, ImageBaseAddress, 0x008);
C_ASSERT_OFFSET(PEB, ProcessParameters, 0x010);
C_ASSERT_OFFSET(PEB, ProcessHeap, 0x018);
C_ASSERT_OFFSET(PEB, KernelCallbackTable, 0x02C);
C_ASSERT_OFFSET(PEB, NumberOfProcessors, 0x064);
C_ASSERT_OFFSET(PEB, OSMajorVersion, 0x0A4);
C_ASSERT_OFFSET(PEB, OSBuildNumber, 0x0AC);
C_ASSERT_OFFSET(PEB, OSPlatformId, 0x0B0);
C_ASSERT_OFFSET(PEB, SessionId, 0x1D4);
C_ASSERT_SIZE(PEB, 0x210);

#endif
