/* pstypes.h - dispatcher objects, threads and processes with Windows XP
 * SP3's x86 offsets (nt-reference.md 8.4, 8.5).  The fields the system-call
 * paths, the scheduler or a debugger view read are pinned by static
 * assertions; the rest of NT's fields are padding.  What ringsim's kernel
 * keeps beyond NT's structures follows them (after 0x1C0 / 0x258 / 0x6C /
 * 0x260), so no NT offset ever moves. */
#ifndef NTK_PSTYPES_H
#define NTK_PSTYPES_H

#include "ntdef.h"
#include "arc.h"

/* ---- dispatcher objects --------------------------------------------------- */
enum { ProcessObject = 3, ThreadObject = 6, NotificationEvent = 0, SynchronizationEvent = 1,
       TimerNotificationObject = 8 };

typedef struct _DISPATCHER_HEADER {
    UCHAR Type;                 /* 0x0 */
    UCHAR Absolute;
    UCHAR Size;                 /* in DWORDs */
    UCHAR Inserted;
    LONG  SignalState;          /* 0x4 */
    LIST_ENTRY WaitListHead;    /* 0x8 KWAIT_BLOCK.WaitListEntry */
} DISPATCHER_HEADER;
C_ASSERT_SIZE(DISPATCHER_HEADER, 0x10);

typedef struct _KEVENT { DISPATCHER_HEADER Header; } KEVENT, *PKEVENT;

typedef struct _KWAIT_BLOCK {
    LIST_ENTRY WaitListEntry;   /* 0x00 in the object's WaitListHead */
    struct _KTHREAD *Thread;    /* 0x08 */
    PVOID Object;               /* 0x0C */
    struct _KWAIT_BLOCK *NextWaitBlock;  /* 0x10 */
    USHORT WaitKey;             /* 0x14 */
    USHORT WaitType;            /* 0x16 */
} KWAIT_BLOCK, *PKWAIT_BLOCK;
C_ASSERT_SIZE(KWAIT_BLOCK, 0x18);

typedef struct _KTIMER {
    DISPATCHER_HEADER Header;   /* 0x00 */
    ULONGLONG DueTime;          /* 0x10 in clock ticks here (NT: interrupt time) */
    LIST_ENTRY TimerListEntry;  /* 0x18 */
    PVOID Dpc;                  /* 0x20 */
    LONG Period;                /* 0x24 */
} KTIMER, *PKTIMER;
C_ASSERT_SIZE(KTIMER, 0x28);

typedef struct _KAPC_STATE {
    LIST_ENTRY ApcListHead[2];  /* 0x00 */
    struct _KPROCESS *Process;  /* 0x10 */
    UCHAR KernelApcInProgress;  /* 0x14 */
    UCHAR KernelApcPending;     /* 0x15 */
    UCHAR UserApcPending;       /* 0x16 */
    UCHAR Pad;
} KAPC_STATE;
C_ASSERT_SIZE(KAPC_STATE, 0x18);

/* KTHREAD_STATE (nt-reference.md 8.4) */
enum { Initialized, Ready, Running, Standby, Terminated, Waiting, Transition, DeferredReady,
       GateWait };

/* Why a thread waits (KWAIT_REASON) */
enum { Executive = 0, DelayExecution = 4, UserRequest = 6, WrUserRequest = 13 };

typedef struct _KTHREAD {
    DISPATCHER_HEADER Header;   /* 0x000 Type 6 */
    LIST_ENTRY MutantListHead;  /* 0x010 */
    PVOID InitialStack;         /* 0x018 */
    PVOID StackLimit;           /* 0x01C */
    PTEB  Teb;                  /* 0x020 */
    PVOID TlsArray;             /* 0x024 */
    PVOID KernelStack;          /* 0x028 ESP while switched out */
    UCHAR DebugActive;          /* 0x02C */
    UCHAR State;                /* 0x02D */
    UCHAR Alerted[2];           /* 0x02E */
    UCHAR Iopl;                 /* 0x030 */
    UCHAR NpxState;             /* 0x031 */
    CHAR  Saturation;           /* 0x032 */
    CHAR  Priority;             /* 0x033 */
    KAPC_STATE ApcState;        /* 0x034 Process at 0x044, UserApcPending at 0x04A */
    ULONG ContextSwitches;      /* 0x04C */
    UCHAR IdleSwapBlock;        /* 0x050 */
    UCHAR Spare0[3];
    LONG  WaitStatus;           /* 0x054 */
    UCHAR WaitIrql;             /* 0x058 */
    CHAR  WaitMode;             /* 0x059 */
    UCHAR WaitNext;             /* 0x05A */
    UCHAR WaitReason;           /* 0x05B */
    PKWAIT_BLOCK WaitBlockList; /* 0x05C */
    LIST_ENTRY WaitListEntry;   /* 0x060 also its place in a ready list */
    ULONG WaitTime;             /* 0x068 */
    CHAR  BasePriority;         /* 0x06C */
    UCHAR DecrementCount;       /* 0x06D */
    CHAR  PriorityDecrement;    /* 0x06E */
    CHAR  Quantum;              /* 0x06F */
    KWAIT_BLOCK WaitBlock[4];   /* 0x070 */
    PVOID LegoData;             /* 0x0D0 */
    ULONG KernelApcDisable;     /* 0x0D4 */
    ULONG UserAffinity;         /* 0x0D8 */
    UCHAR SystemAffinityActive, PowerState, NpxIrql, InitialNode;  /* 0x0DC */
    PKSERVICE_TABLE_DESCRIPTOR ServiceTable;  /* 0x0E0 */
    PVOID Queue;                /* 0x0E4 */
    ULONG ApcQueueLock;         /* 0x0E8 */
    ULONG Pad0EC;
    KTIMER Timer;               /* 0x0F0 the wait timeout */
    LIST_ENTRY QueueListEntry;  /* 0x118 */
    ULONG SoftAffinity;         /* 0x120 */
    ULONG Affinity;             /* 0x124 */
    UCHAR Preempted;            /* 0x128 */
    UCHAR ProcessReadyQueue;    /* 0x129 */
    UCHAR KernelStackResident;  /* 0x12A */
    UCHAR NextProcessor;        /* 0x12B */
    PVOID CallbackStack;        /* 0x12C the innermost KCALLOUT_FRAME */
    PVOID Win32Thread;          /* 0x130 */
    PKTRAP_FRAME TrapFrame;     /* 0x134 */
    PVOID ApcStatePointer[2];   /* 0x138 */
    CHAR  PreviousMode;         /* 0x140 */
    UCHAR EnableStackSwap;      /* 0x141 */
    UCHAR LargeStack;           /* 0x142 */
    UCHAR ResourceIndex;        /* 0x143 */
    ULONG KernelTime;           /* 0x144 clock ticks */
    ULONG UserTime;             /* 0x148 */
    KAPC_STATE SavedApcState;   /* 0x14C */
    UCHAR Alertable;            /* 0x164 */
    UCHAR ApcStateIndex;        /* 0x165 */
    UCHAR ApcQueueable;         /* 0x166 */
    UCHAR AutoAlignment;        /* 0x167 */
    PVOID StackBase;            /* 0x168 */
    UCHAR SuspendApc[0x30];     /* 0x16C */
    UCHAR SuspendSemaphore[0x14];  /* 0x19C */
    LIST_ENTRY ThreadListEntry; /* 0x1B0 in KPROCESS.ThreadListHead */
    CHAR  FreezeCount;          /* 0x1B8 */
    CHAR  SuspendCount;         /* 0x1B9 */
    UCHAR IdealProcessor;       /* 0x1BA */
    UCHAR DisableBoost;         /* 0x1BB */
    ULONG Pad1BC;
} KTHREAD, *PKTHREAD;
C_ASSERT_OFFSET(KTHREAD, InitialStack, 0x018);
C_ASSERT_OFFSET(KTHREAD, StackLimit, 0x01C);
C_ASSERT_OFFSET(KTHREAD, Teb, 0x020);
C_ASSERT_OFFSET(KTHREAD, KernelStack, 0x028);
C_ASSERT_OFFSET(KTHREAD, DebugActive, 0x02C);
C_ASSERT_OFFSET(KTHREAD, State, 0x02D);
C_ASSERT_OFFSET(KTHREAD, Priority, 0x033);
C_ASSERT_OFFSET(KTHREAD, ApcState, 0x034);
C_ASSERT_OFFSET(KTHREAD, ApcState.Process, 0x044);
C_ASSERT_OFFSET(KTHREAD, ApcState.UserApcPending, 0x04A);
C_ASSERT_OFFSET(KTHREAD, ContextSwitches, 0x04C);
C_ASSERT_OFFSET(KTHREAD, WaitStatus, 0x054);
C_ASSERT_OFFSET(KTHREAD, WaitMode, 0x059);
C_ASSERT_OFFSET(KTHREAD, WaitReason, 0x05B);
C_ASSERT_OFFSET(KTHREAD, WaitBlockList, 0x05C);
C_ASSERT_OFFSET(KTHREAD, WaitListEntry, 0x060);
C_ASSERT_OFFSET(KTHREAD, BasePriority, 0x06C);
C_ASSERT_OFFSET(KTHREAD, Quantum, 0x06F);
C_ASSERT_OFFSET(KTHREAD, WaitBlock, 0x070);
C_ASSERT_OFFSET(KTHREAD, KernelApcDisable, 0x0D4);
C_ASSERT_OFFSET(KTHREAD, ServiceTable, 0x0E0);
C_ASSERT_OFFSET(KTHREAD, Timer, 0x0F0);
C_ASSERT_OFFSET(KTHREAD, Affinity, 0x124);
C_ASSERT_OFFSET(KTHREAD, CallbackStack, 0x12C);
C_ASSERT_OFFSET(KTHREAD, Win32Thread, 0x130);
C_ASSERT_OFFSET(KTHREAD, TrapFrame, 0x134);
C_ASSERT_OFFSET(KTHREAD, PreviousMode, 0x140);
C_ASSERT_OFFSET(KTHREAD, KernelTime, 0x144);
C_ASSERT_OFFSET(KTHREAD, UserTime, 0x148);
C_ASSERT_OFFSET(KTHREAD, Alertable, 0x164);
C_ASSERT_OFFSET(KTHREAD, StackBase, 0x168);
C_ASSERT_OFFSET(KTHREAD, ThreadListEntry, 0x1B0);
C_ASSERT_OFFSET(KTHREAD, SuspendCount, 0x1B9);
C_ASSERT_SIZE(KTHREAD, 0x1C0);

typedef struct _KPROCESS {
    DISPATCHER_HEADER Header;   /* 0x000 Type 3 */
    LIST_ENTRY ProfileListHead; /* 0x010 */
    ULONG DirectoryTableBase[2];   /* 0x018 [0] = CR3 */
    UCHAR LdtDescriptor[8];     /* 0x020 */
    UCHAR Int21Descriptor[8];   /* 0x028 */
    USHORT IopmOffset;          /* 0x030 */
    UCHAR Iopl;                 /* 0x032 */
    UCHAR Unused;
    ULONG ActiveProcessors;     /* 0x034 */
    ULONG KernelTime;           /* 0x038 */
    ULONG UserTime;             /* 0x03C */
    LIST_ENTRY ReadyListHead;   /* 0x040 */
    PVOID SwapListEntry;        /* 0x048 */
    PVOID VdmTrapcHandler;      /* 0x04C */
    LIST_ENTRY ThreadListHead;  /* 0x050 KTHREAD.ThreadListEntry */
    ULONG ProcessLock;          /* 0x058 */
    ULONG Affinity;             /* 0x05C */
    USHORT StackCount;          /* 0x060 */
    CHAR  BasePriority;         /* 0x062 */
    CHAR  ThreadQuantum;        /* 0x063 */
    UCHAR AutoAlignment;        /* 0x064 */
    UCHAR State;                /* 0x065 */
    UCHAR ThreadSeed, DisableBoost;
    UCHAR PowerState, DisableQuantum, IdealNode, Spare;
} KPROCESS, *PKPROCESS;
C_ASSERT_OFFSET(KPROCESS, DirectoryTableBase, 0x018);
C_ASSERT_OFFSET(KPROCESS, IopmOffset, 0x030);
C_ASSERT_OFFSET(KPROCESS, KernelTime, 0x038);
C_ASSERT_OFFSET(KPROCESS, UserTime, 0x03C);
C_ASSERT_OFFSET(KPROCESS, ThreadListHead, 0x050);
C_ASSERT_OFFSET(KPROCESS, BasePriority, 0x062);
C_ASSERT_OFFSET(KPROCESS, ThreadQuantum, 0x063);
C_ASSERT_OFFSET(KPROCESS, State, 0x065);
C_ASSERT_SIZE(KPROCESS, 0x6C);

struct _HANDLE_TABLE;           /* ob/obhandle.c */
struct _MMVAD;                  /* mm/vadsup.c */

typedef struct _EPROCESS {
    KPROCESS Pcb;               /* 0x000 */
    ULONG ProcessLock;          /* 0x06C */
    LARGE_INTEGER CreateTime;   /* 0x070 */
    LARGE_INTEGER ExitTime;     /* 0x078 */
    ULONG RundownProtect;       /* 0x080 */
    HANDLE UniqueProcessId;     /* 0x084 */
    LIST_ENTRY ActiveProcessLinks;  /* 0x088 PsActiveProcessHead */
    UCHAR Pad090[0x0C4 - 0x090];
    struct _HANDLE_TABLE *ObjectTable;  /* 0x0C4 */
    PVOID Token;                /* 0x0C8 */
    UCHAR Pad0CC[0x11C - 0x0CC];
    struct _MMVAD *VadRoot;     /* 0x11C the process's regions, a sorted list here */
    UCHAR Pad120[0x14C - 0x120];
    HANDLE InheritedFromUniqueProcessId;  /* 0x14C */
    UCHAR Pad150[0x174 - 0x150];
    UCHAR ImageFileName[16];    /* 0x174 */
    UCHAR Pad184[0x190 - 0x184];
    LIST_ENTRY ThreadListHead;  /* 0x190 ETHREAD.ThreadListEntry */
    UCHAR Pad198[0x1A0 - 0x198];
    ULONG ActiveThreads;        /* 0x1A0 */
    UCHAR Pad1A4[0x1B0 - 0x1A4];
    PPEB  Peb;                  /* 0x1B0 */
    UCHAR Pad1B4[0x24C - 0x1B4];
    NTSTATUS ExitStatus;        /* 0x24C */
    UCHAR Pad250[0x260 - 0x250];
    /* ringsim's own, after NT's structure */
    ULONG NextTebAddress;       /* where the next thread's TEB goes */
    ULONG ImageBase;            /* the program's lowest PT_LOAD */
    ULONG ImageEntry;
    ULONG Flags;                /* PS_PROCESS_FLAGS_* */
} EPROCESS, *PEPROCESS;
C_ASSERT_OFFSET(EPROCESS, UniqueProcessId, 0x084);
C_ASSERT_OFFSET(EPROCESS, ActiveProcessLinks, 0x088);
C_ASSERT_OFFSET(EPROCESS, ObjectTable, 0x0C4);
C_ASSERT_OFFSET(EPROCESS, VadRoot, 0x11C);
C_ASSERT_OFFSET(EPROCESS, InheritedFromUniqueProcessId, 0x14C);
C_ASSERT_OFFSET(EPROCESS, ImageFileName, 0x174);
C_ASSERT_OFFSET(EPROCESS, ThreadListHead, 0x190);
C_ASSERT_OFFSET(EPROCESS, ActiveThreads, 0x1A0);
C_ASSERT_OFFSET(EPROCESS, Peb, 0x1B0);
#define PS_PROCESS_FLAGS_EXITING 0x1

typedef struct _ETHREAD {
    KTHREAD Tcb;                /* 0x000 */
    LARGE_INTEGER CreateTime;   /* 0x1C0 */
    LARGE_INTEGER ExitTime;     /* 0x1C8 */
    NTSTATUS ExitStatus;        /* 0x1D0 */
    UCHAR Pad1D4[0x1EC - 0x1D4];
    CLIENT_ID Cid;              /* 0x1EC */
    UCHAR Pad1F4[0x220 - 0x1F4];
    PEPROCESS ThreadsProcess;   /* 0x220 */
    PVOID StartAddress;         /* 0x224 */
    PVOID Win32StartAddress;    /* 0x228 */
    LIST_ENTRY ThreadListEntry; /* 0x22C EPROCESS.ThreadListHead */
    UCHAR Pad234[0x248 - 0x234];
    ULONG CrossThreadFlags;     /* 0x248 */
    UCHAR Pad24C[0x258 - 0x24C];
    /* ringsim's own */
    PVOID KernelStackBase;      /* the allocation holding the kernel stack */
    ULONG KernelStackSize;
} ETHREAD, *PETHREAD;
C_ASSERT_OFFSET(ETHREAD, CreateTime, 0x1C0);
C_ASSERT_OFFSET(ETHREAD, ExitStatus, 0x1D0);
C_ASSERT_OFFSET(ETHREAD, Cid, 0x1EC);
C_ASSERT_OFFSET(ETHREAD, ThreadsProcess, 0x220);
C_ASSERT_OFFSET(ETHREAD, StartAddress, 0x224);
C_ASSERT_OFFSET(ETHREAD, Win32StartAddress, 0x228);
C_ASSERT_OFFSET(ETHREAD, ThreadListEntry, 0x22C);
C_ASSERT_OFFSET(ETHREAD, CrossThreadFlags, 0x248);
#define PS_CROSS_THREAD_FLAGS_TERMINATED 0x1
#define PS_CROSS_THREAD_FLAGS_SYSTEM     0x10

#define CONTAINING_RECORD(address, type, field) ((type *)((char *)(address) - offsetof(type, field)))

#endif
