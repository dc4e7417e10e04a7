/* ks386.h - the offsets and constants the assembly uses (WRK's ks386.inc
 * has the same role), and the host's readers of the kernel's records (the
 * tracer, the GDB stub, the UI: sim/ntlayout.h).  Plain #defines, included
 * by .S, kernel and host .c files alike; ke/i386/ks386.c checks each one
 * against the C structures. */
#ifndef NTK_KS386_H
#define NTK_KS386_H

/* GDT selectors (nt-reference.md 2.1) */
#define KGDT_NULL        0x00
#define KGDT_R0_CODE     0x08
#define KGDT_R0_DATA     0x10
#define KGDT_R3_CODE     0x18
#define KGDT_R3_DATA     0x20
#define KGDT_TSS         0x28
#define KGDT_R0_PCR      0x30
#define KGDT_R3_TEB      0x38
#define KGDT_VDM_TILE    0x40
#define KGDT_LDT         0x48
#define KGDT_DF_TSS      0x50
#define KGDT_NMI_TSS     0x58
#define RPL_MASK         3

#define EFLAGS_TF        0x100
#define EFLAGS_IF        0x200

/* Fixed addresses (nt-reference.md 1). */
#define KIP0PCRADDRESS      0xFFDFF000      /* the boot processor's KPCR */
#define KI_USER_SHARED_DATA 0xFFDF0000      /* kernel view, read/write */
#define MM_USER_PROBE_ADDRESS 0x7FFF0000

/* KPCR (fs: in kernel mode) */
#define PcExceptionList  0x000
#define PcInitialStack   0x004
#define PcTeb            0x018
#define PcSelfPcr        0x01C
#define PcGdt            0x03C
#define PcTss            0x040
#define PcPrcbData       0x120
#define PcCurrentThread  0x124
#define PcNextThread     0x128
#define PcKeSystemCalls  (0x120 + 0x518)

/* KTSS */
#define TssEsp0          0x004

/* KTHREAD and ETHREAD */
#define ThInitialStack   0x018
#define ThStackLimit     0x01C
#define ThTeb            0x020
#define ThKernelStack    0x028
#define ThDebugActive    0x02C
#define ThState          0x02D
#define ThPriority       0x033
#define ThProcess        0x044      /* ApcState.Process */
#define ThContextSwitches 0x04C
#define ThWaitMode       0x059
#define ThWaitReason     0x05B
#define ThBasePriority   0x06C
#define ThServiceTable   0x0E0
#define ThCallbackStack  0x12C
#define ThTrapFrame      0x134
#define ThPreviousMode   0x140
#define ThKernelTime     0x144
#define ThUserTime       0x148
#define ThThreadListEntry 0x1B0     /* in KPROCESS.ThreadListHead */
#define EtCid            0x1EC      /* UniqueProcess, UniqueThread */
#define EtThreadsProcess 0x220
#define EtStartAddress   0x224
#define EtThreadListEntry 0x22C     /* in EPROCESS.ThreadListHead */

/* KPROCESS and EPROCESS */
#define PrDirectoryTableBase 0x018
#define PrThreadListHead 0x050
#define EpUniqueProcessId 0x084
#define EpActiveProcessLinks 0x088  /* in PsActiveProcessHead */
#define EpObjectTable    0x0C4
#define EpInheritedFromUniqueProcessId 0x14C
#define EpImageFileName  0x174
#define EpThreadListHead 0x190
#define EpActiveThreads  0x1A0
#define EpPeb            0x1B0

/* KTRAP_FRAME */
#define TsDbgEbp         0x00
#define TsDbgEip         0x04
#define TsDbgArgMark     0x08
#define TsDbgArgPointer  0x0C
#define TsDr0            0x18
#define TsDr7            0x2C
#define TsSegGs          0x30
#define TsSegEs          0x34
#define TsSegDs          0x38
#define TsEdx            0x3C
#define TsEcx            0x40
#define TsEax            0x44
#define TsPreviousPreviousMode 0x48
#define TsExceptionList  0x4C
#define TsSegFs          0x50
#define TsEdi            0x54
#define TsEsi            0x58
#define TsEbx            0x5C
#define TsEbp            0x60
#define TsErrCode        0x64
#define TsEip            0x68
#define TsSegCs          0x6C
#define TsEFlags         0x70
#define TsHardwareEsp    0x74
#define TsHardwareSegSs  0x78
#define KTRAP_FRAME_LENGTH 0x8C
#define NPX_FRAME_LENGTH 0x210
#define KTRAP_FRAME_OFFSET 0x29C     /* InitialStack - this = a user frame */

/* KCALLOUT_FRAME */
#define CuInStk          0x00
#define CuTrFr           0x04
#define CuCbStk          0x08
#define CuEdi            0x0C
#define CuEsi            0x10
#define CuEbx            0x14
#define CuEbp            0x18
#define CuRet            0x1C
#define CuOutBf          0x20
#define CuOutLn          0x24

/* KSERVICE_TABLE_DESCRIPTOR */
#define SdBase           0x0
#define SdLimit          0x8
#define SdNumber         0xC

/* KUSER_SHARED_DATA */
#define UsSystemCallReturn  0x304

#define DBG_ARG_MARK     0xBADB0D00

#endif
