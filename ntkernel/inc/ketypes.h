/* ketypes.h - the x86 kernel's processor structures with Windows XP SP3's
 * offsets (docs: /work/shared/design/nt-reference.md sections 2, 3 and 8):
 * the GDT selectors, descriptors and gates, the KTSS, the KPCR with its
 * KPRCB, and KUSER_SHARED_DATA.  Every offset that assembly or a debugger
 * view depends on is pinned by a static assertion below its structure.
 * Fields the kernel does not use yet are padding; a structure never moves
 * a field to make room. */
#ifndef NTK_KETYPES_H
#define NTK_KETYPES_H

#include "ntdef.h"
#include "ks386.h"              /* the selectors and fixed addresses, shared with the assembly */

/* ---- GDT selectors (nt-reference.md 2.1) --------------------------------- */
/* KGDT_* and RPL_MASK: ks386.h. */
#define KGDT_NUMBER      128          /* GDTR.limit 0x3FF, as XP loads it */
#define MAXIMUM_IDTVECTOR 0xFF        /* IDTR.limit 0x7FF */

/* Interrupt vectors the kernel or the HAL owns. */
#define PRIMARY_VECTOR_BASE 0x30      /* the HAL's 8259 base: IRQ 0 -> 0x30 */
#define CLOCK_VECTOR        PRIMARY_VECTOR_BASE

/* ---- descriptors (SDM Vol. 3 3.4.5, 6.11, 7.2.2) ------------------------- */
typedef struct _KGDTENTRY {
    USHORT LimitLow;
    USHORT BaseLow;
    UCHAR  BaseMid;
    UCHAR  Access;                  /* P, DPL, S, type */
    UCHAR  Granularity;             /* G, D/B, 0, AVL, limit 19:16 */
    UCHAR  BaseHi;
} KGDTENTRY, *PKGDTENTRY;
C_ASSERT_SIZE(KGDTENTRY, 8);

typedef struct _KIDTENTRY {
    USHORT Offset;
    USHORT Selector;
    USHORT Access;                  /* 0x8E00 DPL-0 interrupt gate, 0xEE00 DPL 3, 0x8500 task gate */
    USHORT ExtendedOffset;
} KIDTENTRY, *PKIDTENTRY;
C_ASSERT_SIZE(KIDTENTRY, 8);

#define KIDT_INTERRUPT_GATE  0x8E00
#define KIDT_INTERRUPT_GATE3 0xEE00
#define KIDT_TASK_GATE       0x8500

/* ---- KTSS (nt-reference.md 8.3) ------------------------------------------ */
#define IOPM_SIZE        8196
#define INT_DIRECTION_MAP_SIZE 32
#define MINIMUM_TSS_SIZE 0x68

typedef struct _KiIoAccessMap {
    UCHAR DirectionMap[INT_DIRECTION_MAP_SIZE];
    UCHAR IoMap[IOPM_SIZE];
} KIIO_ACCESS_MAP;

typedef struct _KTSS {
    USHORT Backlink, Reserved0;
    ULONG  Esp0;
    USHORT Ss0, Reserved1;
    ULONG  NotUsed1[4];             /* Esp1, Ss1, Esp2, Ss2 */
    ULONG  CR3;
    ULONG  Eip, EFlags, Eax, Ecx, Edx, Ebx, Esp, Ebp, Esi, Edi;
    USHORT Es, Reserved2, Cs, Reserved3, Ss, Reserved4, Ds, Reserved5, Fs, Reserved6,
           Gs, Reserved7;
    USHORT LDT, Reserved8;
    USHORT Flags;
    USHORT IoMapBase;
    KIIO_ACCESS_MAP IoMaps[1];
    UCHAR  IntDirectionMap[INT_DIRECTION_MAP_SIZE];
} KTSS, *PKTSS;
C_ASSERT_OFFSET(KTSS, Esp0, 0x04);
C_ASSERT_OFFSET(KTSS, Ss0, 0x08);
C_ASSERT_OFFSET(KTSS, CR3, 0x1C);
C_ASSERT_OFFSET(KTSS, Eip, 0x20);
C_ASSERT_OFFSET(KTSS, Edi, 0x44);
C_ASSERT_OFFSET(KTSS, Es, 0x48);
C_ASSERT_OFFSET(KTSS, Gs, 0x5C);
C_ASSERT_OFFSET(KTSS, LDT, 0x60);
C_ASSERT_OFFSET(KTSS, Flags, 0x64);
C_ASSERT_OFFSET(KTSS, IoMapBase, 0x66);
C_ASSERT_OFFSET(KTSS, IoMaps, 0x68);
C_ASSERT_SIZE(KTSS, 0x20AC);
/* IoMapBase = sizeof(KTSS): beyond the limit, so no I/O permission map. */
#define IOPM_OFFSET_NONE ((USHORT)sizeof(KTSS))

/* ---- KPRCB (nt-reference.md 8.2; ready lists at the 2003 offsets) -------- */
typedef struct _SINGLE_LIST_ENTRY { struct _SINGLE_LIST_ENTRY *Next; } SINGLE_LIST_ENTRY;

typedef struct _KPRCB {
    USHORT MinorVersion;            /* 0x000 */
    USHORT MajorVersion;            /* 0x002 */
    struct _KTHREAD *CurrentThread; /* 0x004  fs:[0x124] */
    struct _KTHREAD *NextThread;    /* 0x008 */
    struct _KTHREAD *IdleThread;    /* 0x00C */
    CHAR   Number;                  /* 0x010 */
    CHAR   Reserved;
    USHORT BuildType;
    KAFFINITY SetMember;            /* 0x014 */
    CHAR   CpuType;                 /* 0x018 family */
    CHAR   CpuID;                   /* 0x019 1: CPUID present */
    USHORT CpuStep;                 /* 0x01A model << 8 | stepping */
    UCHAR  ProcessorState[0x320];   /* 0x01C CONTEXT + KSPECIAL_REGISTERS */
    ULONG  KernelReserved[16];      /* 0x33C */
    ULONG  HalReserved[16];         /* 0x37C */
    UCHAR  Pad3BC[0x418 - 0x3BC];
    UCHAR  LockQueue[16][8];        /* 0x418 */
    UCHAR  Pad498[0x4A0 - 0x498];
    struct _KTHREAD *NpxThread;     /* 0x4A0 */
    ULONG  InterruptCount;          /* 0x4A4 */
    ULONG  KernelTime;              /* 0x4A8 */
    ULONG  UserTime;                /* 0x4AC */
    ULONG  DpcTime;                 /* 0x4B0 */
    ULONG  DebugDpcTime;            /* 0x4B4 */
    ULONG  InterruptTime;           /* 0x4B8 */
    UCHAR  Pad4BC[0x518 - 0x4BC];
    ULONG  KeSystemCalls;           /* 0x518 */
    UCHAR  Pad51C[0x860 - 0x51C];   /* PPLookasideList at 0x520 and the rest */
    LIST_ENTRY DpcListHead;         /* 0x860 */
    ULONG  DpcStack;                /* 0x868  also MSR 0x175 (nt-reference.md 2.3) */
    ULONG  DpcCount;                /* 0x86C */
    ULONG  DpcQueueDepth;           /* 0x870 */
    UCHAR  Pad874[0x88C - 0x874];
    ULONG  QuantumEnd;              /* 0x88C */
    UCHAR  Pad890[0x8A0 - 0x890];
    ULONG  DpcLock;                 /* 0x8A0 */
    UCHAR  Pad8A4[0x900 - 0x8A4];
    CHAR   VendorString[13];        /* 0x900 */
    UCHAR  Pad90D[3];
    ULONG  MHz;                     /* 0x910 */
    ULONG  FeatureBits;             /* 0x914 KF_* */
    /* XP keeps its ready lists in globals and the FX save area at 0x920;
     * this kernel follows the 2003 placement of the lists (nt-kernel.md),
     * so the save area is left out. */
    UCHAR  Pad918[0x9E8 - 0x918];
    ULONG  ReadySummary;            /* 0x9E8 bit n: list n is not empty */
    ULONG  Pad9EC;
    LIST_ENTRY DispatcherReadyListHead[32]; /* 0x9F0 */
    SINGLE_LIST_ENTRY DeferredReadyListHead; /* 0xAF0 */
    UCHAR  PadAF4[0xB30 - 0xAF4];
    UCHAR  PowerState[0xC50 - 0xB30]; /* 0xB30 */
} KPRCB, *PKPRCB;
C_ASSERT_OFFSET(KPRCB, CurrentThread, 0x004);
C_ASSERT_OFFSET(KPRCB, NextThread, 0x008);
C_ASSERT_OFFSET(KPRCB, IdleThread, 0x00C);
C_ASSERT_OFFSET(KPRCB, Number, 0x010);
C_ASSERT_OFFSET(KPRCB, SetMember, 0x014);
C_ASSERT_OFFSET(KPRCB, CpuType, 0x018);
C_ASSERT_OFFSET(KPRCB, CpuStep, 0x01A);
C_ASSERT_OFFSET(KPRCB, ProcessorState, 0x01C);
C_ASSERT_OFFSET(KPRCB, KernelReserved, 0x33C);
C_ASSERT_OFFSET(KPRCB, HalReserved, 0x37C);
C_ASSERT_OFFSET(KPRCB, LockQueue, 0x418);
C_ASSERT_OFFSET(KPRCB, NpxThread, 0x4A0);
C_ASSERT_OFFSET(KPRCB, InterruptCount, 0x4A4);
C_ASSERT_OFFSET(KPRCB, KernelTime, 0x4A8);
C_ASSERT_OFFSET(KPRCB, UserTime, 0x4AC);
C_ASSERT_OFFSET(KPRCB, DpcTime, 0x4B0);
C_ASSERT_OFFSET(KPRCB, InterruptTime, 0x4B8);
C_ASSERT_OFFSET(KPRCB, KeSystemCalls, 0x518);
C_ASSERT_OFFSET(KPRCB, DpcListHead, 0x860);
C_ASSERT_OFFSET(KPRCB, DpcStack, 0x868);
C_ASSERT_OFFSET(KPRCB, DpcCount, 0x86C);
C_ASSERT_OFFSET(KPRCB, DpcQueueDepth, 0x870);
C_ASSERT_OFFSET(KPRCB, QuantumEnd, 0x88C);
C_ASSERT_OFFSET(KPRCB, DpcLock, 0x8A0);
C_ASSERT_OFFSET(KPRCB, VendorString, 0x900);
C_ASSERT_OFFSET(KPRCB, MHz, 0x910);
C_ASSERT_OFFSET(KPRCB, FeatureBits, 0x914);
C_ASSERT_OFFSET(KPRCB, ReadySummary, 0x9E8);
C_ASSERT_OFFSET(KPRCB, DispatcherReadyListHead, 0x9F0);
C_ASSERT_OFFSET(KPRCB, DeferredReadyListHead, 0xAF0);
C_ASSERT_OFFSET(KPRCB, PowerState, 0xB30);
C_ASSERT_SIZE(KPRCB, 0xC50);

/* KeFeatureBits (WRK ke/i386: KF_*) the kernel sets. */
#define KF_GLOBAL_PAGE  0x00000010
#define KF_FAST_SYSCALL 0x00001000

/* ---- KPCR (nt-reference.md 8.1): FS base in kernel mode ------------------ */

typedef struct _NT_TIB {
    PVOID ExceptionList;            /* 0x00 fs:[0]: -1 ends the chain */
    PVOID StackBase;                /* 0x04 the kernel's InitialStack */
    PVOID StackLimit;               /* 0x08 */
    PVOID SubSystemTib;             /* 0x0C */
    PVOID FiberData;                /* 0x10 */
    PVOID ArbitraryUserPointer;     /* 0x14 */
    struct _NT_TIB *Self;           /* 0x18 the current TEB */
} NT_TIB;

typedef struct _KPCR {
    NT_TIB NtTib;                   /* 0x000 */
    struct _KPCR *SelfPcr;          /* 0x01C */
    PKPRCB Prcb;                    /* 0x020 */
    KIRQL  Irql;                    /* 0x024 */
    UCHAR  Pad25[3];
    ULONG  IRR;                     /* 0x028 */
    ULONG  IrrActive;               /* 0x02C */
    ULONG  IDR;                     /* 0x030 */
    PVOID  KdVersionBlock;          /* 0x034 */
    PKIDTENTRY IDT;                 /* 0x038 */
    PKGDTENTRY GDT;                 /* 0x03C */
    PKTSS  TSS;                     /* 0x040 */
    USHORT MajorVersion;            /* 0x044 */
    USHORT MinorVersion;            /* 0x046 */
    KAFFINITY SetMember;            /* 0x048 */
    ULONG  StallScaleFactor;        /* 0x04C */
    UCHAR  DebugActive;             /* 0x050 */
    UCHAR  Number;                  /* 0x051 */
    UCHAR  Spare0;
    UCHAR  SecondLevelCacheAssociativity;
    ULONG  VdmAlert;                /* 0x054 */
    ULONG  KernelReserved[14];      /* 0x058 */
    ULONG  SecondLevelCacheSize;    /* 0x090 */
    ULONG  HalReserved[16];         /* 0x094 */
    ULONG  InterruptMode;           /* 0x0D4 */
    UCHAR  Spare1;
    UCHAR  Pad0D9[3];
    ULONG  KernelReserved2[17];     /* 0x0DC */
    KPRCB  PrcbData;                /* 0x120 */
} KPCR, *PKPCR;
C_ASSERT_OFFSET(KPCR, NtTib.ExceptionList, 0x000);
C_ASSERT_OFFSET(KPCR, NtTib.StackBase, 0x004);
C_ASSERT_OFFSET(KPCR, NtTib.Self, 0x018);
C_ASSERT_OFFSET(KPCR, SelfPcr, 0x01C);
C_ASSERT_OFFSET(KPCR, Prcb, 0x020);
C_ASSERT_OFFSET(KPCR, Irql, 0x024);
C_ASSERT_OFFSET(KPCR, IRR, 0x028);
C_ASSERT_OFFSET(KPCR, IrrActive, 0x02C);
C_ASSERT_OFFSET(KPCR, IDR, 0x030);
C_ASSERT_OFFSET(KPCR, KdVersionBlock, 0x034);
C_ASSERT_OFFSET(KPCR, IDT, 0x038);
C_ASSERT_OFFSET(KPCR, GDT, 0x03C);
C_ASSERT_OFFSET(KPCR, TSS, 0x040);
C_ASSERT_OFFSET(KPCR, MajorVersion, 0x044);
C_ASSERT_OFFSET(KPCR, MinorVersion, 0x046);
C_ASSERT_OFFSET(KPCR, SetMember, 0x048);
C_ASSERT_OFFSET(KPCR, StallScaleFactor, 0x04C);
C_ASSERT_OFFSET(KPCR, DebugActive, 0x050);
C_ASSERT_OFFSET(KPCR, Number, 0x051);
C_ASSERT_OFFSET(KPCR, VdmAlert, 0x054);
C_ASSERT_OFFSET(KPCR, SecondLevelCacheSize, 0x090);
C_ASSERT_OFFSET(KPCR, HalReserved, 0x094);
C_ASSERT_OFFSET(KPCR, InterruptMode, 0x0D4);
C_ASSERT_OFFSET(KPCR, PrcbData, 0x120);
C_ASSERT_OFFSET(KPCR, PrcbData.CurrentThread, 0x124);
C_ASSERT_OFFSET(KPCR, PrcbData.NextThread, 0x128);
C_ASSERT_OFFSET(KPCR, PrcbData.IdleThread, 0x12C);
_Static_assert(sizeof(KPCR) <= 0x1000, "the KPCR and its KPRCB fit the PCR page");

/* ---- KUSER_SHARED_DATA (nt-reference.md 3; XP SP3, size 0x338) ----------- */
#define MM_SHARED_USER_DATA_VA 0x7FFE0000u  /* user view, read-only */

typedef struct _KUSER_SHARED_DATA {
    volatile ULONG TickCountLow;            /* 0x000 */
    ULONG  TickCountMultiplier;             /* 0x004 */
    volatile KSYSTEM_TIME InterruptTime;    /* 0x008 */
    volatile KSYSTEM_TIME SystemTime;       /* 0x014 */
    volatile KSYSTEM_TIME TimeZoneBias;     /* 0x020 */
    USHORT ImageNumberLow;                  /* 0x02C */
    USHORT ImageNumberHigh;                 /* 0x02E */
    WCHAR  NtSystemRoot[260];               /* 0x030 */
    ULONG  MaxStackTraceDepth;              /* 0x238 */
    ULONG  CryptoExponent;                  /* 0x23C */
    ULONG  TimeZoneId;                      /* 0x240 */
    UCHAR  Pad244[0x264 - 0x244];
    ULONG  NtProductType;                   /* 0x264 */
    BOOLEAN ProductTypeIsValid;             /* 0x268 */
    UCHAR  Pad269[3];
    ULONG  NtMajorVersion;                  /* 0x26C */
    ULONG  NtMinorVersion;                  /* 0x270 */
    BOOLEAN ProcessorFeatures[64];          /* 0x274 */
    ULONG  Reserved1;                       /* 0x2B4 */
    ULONG  Reserved3;                       /* 0x2B8 */
    volatile ULONG TimeSlip;                /* 0x2BC */
    ULONG  AlternativeArchitecture;         /* 0x2C0 */
    ULONG  Pad2C4;
    ULONGLONG SystemExpirationDate;         /* 0x2C8 */
    ULONG  SuiteMask;                       /* 0x2D0 */
    BOOLEAN KdDebuggerEnabled;              /* 0x2D4 */
    UCHAR  NXSupportPolicy;                 /* 0x2D5 */
    UCHAR  Pad2D6[2];
    volatile ULONG ActiveConsoleId;         /* 0x2D8 */
    volatile ULONG DismountCount;           /* 0x2DC */
    ULONG  ComPlusPackage;                  /* 0x2E0 */
    ULONG  LastSystemRITEventTickCount;     /* 0x2E4 */
    ULONG  NumberOfPhysicalPages;           /* 0x2E8 */
    BOOLEAN SafeBootMode;                   /* 0x2EC */
    UCHAR  Pad2ED[3];
    ULONG  TraceLogging;                    /* 0x2F0 */
    ULONG  Pad2F4;
    ULONGLONG TestRetInstruction;           /* 0x2F8 */
    ULONG  SystemCall;                      /* 0x300 ntdll!KiFastSystemCall or KiIntSystemCall */
    ULONG  SystemCallReturn;                /* 0x304 ntdll!KiFastSystemCallRet */
    ULONGLONG SystemCallPad[3];             /* 0x308 */
    volatile KSYSTEM_TIME TickCount;        /* 0x320 */
    ULONG  Pad32C;
    ULONG  Cookie;                          /* 0x330 */
    ULONG  Pad334;
} KUSER_SHARED_DATA, *PKUSER_SHARED_DATA;
C_ASSERT_OFFSET(KUSER_SHARED_DATA, TickCountLow, 0x000);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, TickCountMultiplier, 0x004);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, InterruptTime, 0x008);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, SystemTime, 0x014);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, TimeZoneBias, 0x020);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, ImageNumberLow, 0x02C);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, ImageNumberHigh, 0x02E);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, NtSystemRoot, 0x030);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, MaxStackTraceDepth, 0x238);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, CryptoExponent, 0x23C);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, TimeZoneId, 0x240);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, NtProductType, 0x264);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, ProductTypeIsValid, 0x268);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, NtMajorVersion, 0x26C);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, NtMinorVersion, 0x270);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, ProcessorFeatures, 0x274);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, Reserved1, 0x2B4);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, Reserved3, 0x2B8);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, TimeSlip, 0x2BC);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, AlternativeArchitecture, 0x2C0);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, SystemExpirationDate, 0x2C8);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, SuiteMask, 0x2D0);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, KdDebuggerEnabled, 0x2D4);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, NXSupportPolicy, 0x2D5);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, ActiveConsoleId, 0x2D8);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, DismountCount, 0x2DC);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, ComPlusPackage, 0x2E0);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, LastSystemRITEventTickCount, 0x2E4);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, NumberOfPhysicalPages, 0x2E8);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, SafeBootMode, 0x2EC);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, TraceLogging, 0x2F0);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, TestRetInstruction, 0x2F8);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, SystemCall, 0x300);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, SystemCallReturn, 0x304);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, SystemCallPad, 0x308);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, TickCount, 0x320);
C_ASSERT_OFFSET(KUSER_SHARED_DATA, Cookie, 0x330);
C_ASSERT_SIZE(KUSER_SHARED_DATA, 0x338);

#define SharedUserData ((PKUSER_SHARED_DATA)KI_USER_SHARED_DATA)
#define KeGetPcr()     ((PKPCR)KIP0PCRADDRESS)

#endif
