/* kiinit.c - the boot processor's phase 0 (what ntldr and KiSystemStartup /
 * KiInitializeKernel do, nt-kernel.md "What runs at boot"): the address
 * space, the KPCR and KPRCB, NT's GDT and IDT (task gates for #DF and NMI),
 * the KTSS, KUSER_SHARED_DATA, the fast-call MSRs and the clock.  Tables
 * and values follow nt-reference.md 2.1-2.3, 3 and 8. */
#include "../../inc/ke.h"
#include "../../inc/hal.h"
#include "../../inc/mm.h"
#include "../../inc/rtl.h"
#include "../../inc/arch.h"
#include "../../inc/io.h"
#include "../../inc/ob.h"
#include "../../ps/psp.h"

#define MULTIBOOT_LOADER_MAGIC 0x2BADB002u
#define MBI_MEM                1u       /* mem_lower/mem_upper valid */
#define MBI_CMDLINE            4u       /* cmdline valid */
#define MBI_MODS               8u       /* mods_count/mods_addr valid */

/* The GDT and the IDT share one page, the IDT right behind the GDT, as XP
 * lays them out. */
static struct {
    KGDTENTRY Gdt[KGDT_NUMBER];
    KIDTENTRY Idt[MAXIMUM_IDTVECTOR + 1];
} KiDescriptorPage __attribute__((aligned(4096), section(".bss.descriptors")));

KTSS KiTss __attribute__((aligned(16)));
KTSS KiDoubleFaultTSS __attribute__((aligned(16)));
KTSS KiNMITSS __attribute__((aligned(16)));
static UCHAR KiDoubleFaultStack[0x1000] __attribute__((aligned(16)));
static UCHAR KiNMIStack[0x1000] __attribute__((aligned(16)));
static UCHAR KiDpcStack[0x3000] __attribute__((aligned(4096)));
ULONG KeFeatureBits;
/* NT's switch for the SYSENTER path: cleared once CPUID.SEP is seen and
 * ntdll's KiFastSystemCall is found; KiServiceExit returns by IRETD while
 * it is set. */
BOOLEAN KiFastSystemCallDisable = TRUE;
void KiFastCallEntry(void);
void KiSystemService(void);
void KiCallbackReturn(void);
void KiDebugService(void);
void KiSetLowWaitHighThread(void);
void KiUartInterrupt(void);
void KiInitializeServiceTables(void);
NTSTATUS NotifyDriverEntry(void);

extern UCHAR KiImageEnd[];
void KiDoubleFaultTask(void);
void KiNmiTask(void);

/* ---- the GDT ----------------------------------------------------------- */

static void KiSetGdtEntry(USHORT Selector, ULONG Base, ULONG Limit, UCHAR Access, UCHAR Flags)
{
    PKGDTENTRY e = &KiDescriptorPage.Gdt[Selector >> 3];
    e->LimitLow = (USHORT)Limit;
    e->BaseLow = (USHORT)Base;
    e->BaseMid = (UCHAR)(Base >> 16);
    e->Access = Access;
    e->Granularity = (UCHAR)(Flags << 4 | ((Limit >> 16) & 0xF));
    e->BaseHi = (UCHAR)(Base >> 24);
}

/* Access bytes: 0x9A code exec/read DPL 0, 0x92 data R/W DPL 0, 0xFA / 0xF2
 * the same at DPL 3, 0xF3 data R/W accessed DPL 3, 0x89 available 32-bit
 * TSS.  Flags: 0xC = G and D (4 KB units, 32-bit), 0x4 = D only. */
void KiInitializeGdt(void)
{
    KiSetGdtEntry(KGDT_R0_CODE, 0, 0xFFFFF, 0x9A, 0xC);
    KiSetGdtEntry(KGDT_R0_DATA, 0, 0xFFFFF, 0x92, 0xC);
    KiSetGdtEntry(KGDT_R3_CODE, 0, 0xFFFFF, 0xFA, 0xC);
    KiSetGdtEntry(KGDT_R3_DATA, 0, 0xFFFFF, 0xF2, 0xC);
    KiSetGdtEntry(KGDT_TSS, (ULONG)&KiTss, sizeof(KTSS) - 1, 0x89, 0x0);
    KiSetGdtEntry(KGDT_R0_PCR, KIP0PCRADDRESS, 1, 0x92, 0xC);
    KiSetGdtEntry(KGDT_R3_TEB, 0, 0xFFF, 0xF3, 0x4);  /* base: the TEB, once there are threads */
    KiSetGdtEntry(KGDT_VDM_TILE, 0x400, 0xFFFF, 0xF2, 0x0);
    KiSetGdtEntry(KGDT_DF_TSS, (ULONG)&KiDoubleFaultTSS, MINIMUM_TSS_SIZE - 1, 0x89, 0x0);
    KiSetGdtEntry(KGDT_NMI_TSS, (ULONG)&KiNMITSS, MINIMUM_TSS_SIZE - 1, 0x89, 0x0);
    struct { USHORT Limit; ULONG Base; } __attribute__((packed)) Gdtr = {
        sizeof KiDescriptorPage.Gdt - 1, (ULONG)KiDescriptorPage.Gdt };
    __asm__ volatile("lgdt %0" :: "m"(Gdtr));
    KiLoadSegments();
    DbgPrint("KiInitializeGdt: GDTR 0x%08X limit 0x%03X; CS 0x%02X SS 0x%02X DS/ES 0x%02X FS 0x%02X\n",
             Gdtr.Base, Gdtr.Limit, KGDT_R0_CODE, KGDT_R0_DATA, KGDT_R3_DATA | RPL_MASK, KGDT_R0_PCR);
}

/* ---- the TSSs ------------------------------------------------------------ */

/* A task the CPU switches to through a task gate: flat kernel segments,
 * interrupts off, the system page directory, a stack of its own. */
static void KiInitializeTaskTss(PKTSS Tss, void (*Entry)(void), UCHAR *StackTop)
{
    Tss->CR3 = MmKernelDirectoryTableBase;
    Tss->Eip = (ULONG)Entry;
    Tss->EFlags = 0x2;
    Tss->Esp = (ULONG)StackTop;
    Tss->Cs = KGDT_R0_CODE;
    Tss->Ss = KGDT_R0_DATA;
    Tss->Ds = Tss->Es = KGDT_R3_DATA | RPL_MASK;
    Tss->Fs = KGDT_R0_PCR;
    Tss->Esp0 = (ULONG)StackTop;
    Tss->Ss0 = KGDT_R0_DATA;
    Tss->IoMapBase = MINIMUM_TSS_SIZE;
}

void KiInitializeTss(void)
{
    KiTss.Esp0 = (ULONG)P0BootStack;
    KiTss.Ss0 = KGDT_R0_DATA;
    KiTss.IoMapBase = IOPM_OFFSET_NONE;
    KiInitializeTaskTss(&KiDoubleFaultTSS, KiDoubleFaultTask, KiDoubleFaultStack + sizeof KiDoubleFaultStack);
    KiInitializeTaskTss(&KiNMITSS, KiNmiTask, KiNMIStack + sizeof KiNMIStack);
    __asm__ volatile("ltr %w0" :: "r"(KGDT_TSS));
    DbgPrint("KiInitializeTss: TR 0x%02X (KTSS limit 0x%04X, Ss0 0x%02X), #DF TSS 0x%02X, NMI TSS 0x%02X\n",
             KGDT_TSS, (ULONG)sizeof(KTSS) - 1, KGDT_R0_DATA, KGDT_DF_TSS, KGDT_NMI_TSS);
}

/* ---- the IDT ------------------------------------------------------------- */

static void KiSetIdtEntry(ULONG Vector, void (*Handler)(void), USHORT Selector, USHORT Access)
{
    PKIDTENTRY e = &KiDescriptorPage.Idt[Vector];
    e->Offset = (USHORT)(ULONG)Handler;
    e->ExtendedOffset = (USHORT)((ULONG)Handler >> 16);
    e->Selector = Selector;
    e->Access = Access;
}

/* Interrupt gates everywhere, DPL 3 only where user mode may INT n (3, 4,
 * 0x2A-0x2E); task gates for NMI and #DF; 0x20-0x29 not present. */
void KiInitializeIdt(void)
{
    for (ULONG v = 0; v < 0x20; v++) {
        USHORT Access = (v == 3 || v == 4) ? KIDT_INTERRUPT_GATE3 : KIDT_INTERRUPT_GATE;
        KiSetIdtEntry(v, KiTrapTable[v], KGDT_R0_CODE, Access);
    }
    KiSetIdtEntry(2, NULL, KGDT_NMI_TSS, KIDT_TASK_GATE);
    KiSetIdtEntry(8, NULL, KGDT_DF_TSS, KIDT_TASK_GATE);
    KiSetIdtEntry(0x2A, KiGetTickCount, KGDT_R0_CODE, KIDT_INTERRUPT_GATE3);
    KiSetIdtEntry(0x2B, KiCallbackReturn, KGDT_R0_CODE, KIDT_INTERRUPT_GATE3);
    KiSetIdtEntry(0x2C, KiSetLowWaitHighThread, KGDT_R0_CODE, KIDT_INTERRUPT_GATE3);
    KiSetIdtEntry(0x2D, KiDebugService, KGDT_R0_CODE, KIDT_INTERRUPT_GATE3);
    KiSetIdtEntry(0x2E, KiSystemService, KGDT_R0_CODE, KIDT_INTERRUPT_GATE3);
    for (ULONG v = PRIMARY_VECTOR_BASE; v <= MAXIMUM_IDTVECTOR; v++)
        KiSetIdtEntry(v, KiUnexpectedInterruptTable[v - PRIMARY_VECTOR_BASE], KGDT_R0_CODE,
                      KIDT_INTERRUPT_GATE);
    KiSetIdtEntry(CLOCK_VECTOR, KiClockInterrupt, KGDT_R0_CODE, KIDT_INTERRUPT_GATE);
    KiSetIdtEntry(PRIMARY_VECTOR_BASE + 4, KiUartInterrupt, KGDT_R0_CODE, KIDT_INTERRUPT_GATE);
    struct { USHORT Limit; ULONG Base; } __attribute__((packed)) Idtr = {
        sizeof KiDescriptorPage.Idt - 1, (ULONG)KiDescriptorPage.Idt };
    __asm__ volatile("lidt %0" :: "m"(Idtr));
    DbgPrint("KiInitializeIdt: IDTR 0x%08X limit 0x%03X; task gates: NMI -> 0x%02X, #DF -> 0x%02X\n",
             Idtr.Base, Idtr.Limit, KGDT_NMI_TSS, KGDT_DF_TSS);
    DbgPrint("KiInitializeIdt: DPL 3: 0x03 0x04 0x2A KiGetTickCount 0x2B KiCallbackReturn "
             "0x2C KiSetLowWaitHighThread 0x2D KiDebugService 0x2E KiSystemService\n");
}

/* ---- the KPCR and KPRCB -------------------------------------------------- */

static void KiInitializePrcb(PKPRCB Prcb)
{
    ULONG r[4];
    Prcb->MinorVersion = 1;
    Prcb->MajorVersion = 1;
    Prcb->SetMember = 1;
    Prcb->CpuID = 1;
    __cpuid(0, r);
    memcpy(Prcb->VendorString, &r[1], 4);
    memcpy(Prcb->VendorString + 4, &r[3], 4);
    memcpy(Prcb->VendorString + 8, &r[2], 4);
    __cpuid(1, r);
    Prcb->CpuType = (CHAR)((r[0] >> 8) & 0xF);
    Prcb->CpuStep = (USHORT)(((r[0] >> 4) & 0xF) << 8 | (r[0] & 0xF));
    InitializeListHead(&Prcb->DpcListHead);
    for (int i = 0; i < 32; i++) InitializeListHead(&Prcb->DispatcherReadyListHead[i]);
    /* The DPC stack, also SYSENTER_ESP: KiFastCallEntry leaves it at once. */
    Prcb->DpcStack = (ULONG)KiDpcStack + sizeof KiDpcStack;
}

void KiInitializePcr(void)
{
    PKPCR Pcr = KeGetPcr();
    Pcr->NtTib.ExceptionList = (PVOID)-1;
    Pcr->NtTib.StackBase = P0BootStack;
    Pcr->NtTib.StackLimit = KiBootStack;
    Pcr->SelfPcr = Pcr;
    Pcr->Prcb = &Pcr->PrcbData;
    Pcr->Irql = 0;
    Pcr->IDT = KiDescriptorPage.Idt;
    Pcr->GDT = KiDescriptorPage.Gdt;
    Pcr->TSS = &KiTss;
    Pcr->MajorVersion = 1;
    Pcr->MinorVersion = 1;
    Pcr->SetMember = 1;
    Pcr->Number = 0;
    KiInitializePrcb(&Pcr->PrcbData);
    DbgPrint("KiInitializePcr: KPCR 0x%08X SelfPcr 0x%08X Prcb 0x%08X\n", (ULONG)Pcr,
             (ULONG)Pcr->SelfPcr, (ULONG)Pcr->Prcb);
}

/* ---- KUSER_SHARED_DATA --------------------------------------------------- */

static void KiInitializeUserSharedData(void)
{
    static const char Root[] = "C:\\WINDOWS";
    PKUSER_SHARED_DATA Shared = SharedUserData;
    Shared->TickCountMultiplier = ExpTickCountMultiplier;
    Shared->ImageNumberLow = Shared->ImageNumberHigh = 0x14C;
    for (ULONG i = 0; i < sizeof Root; i++) Shared->NtSystemRoot[i] = (WCHAR)Root[i];
    Shared->NtProductType = 1;              /* NtProductWinNt */
    Shared->ProductTypeIsValid = TRUE;
    Shared->NtMajorVersion = 5;
    Shared->NtMinorVersion = 1;
    Shared->TestRetInstruction = 0xC3;      /* ret */
    /* The user view is the same page: what the kernel writes, user mode reads. */
    _ReadWriteBarrier();
    volatile KUSER_SHARED_DATA *UserView = (volatile KUSER_SHARED_DATA *)MM_SHARED_USER_DATA_VA;
    DbgPrint("KiInitializeUserSharedData: NT %u.%u, TickCountMultiplier 0x%08X; user view %s\n",
             Shared->NtMajorVersion, Shared->NtMinorVersion, Shared->TickCountMultiplier,
             UserView->TickCountMultiplier == Shared->TickCountMultiplier &&
             UserView->NtMajorVersion == 5 ? "agrees" : "DIFFERS");
}

/* ---- fast system calls (nt-reference.md 2.3) ----------------------------- */

/* CPUID.1:EDX.SEP says SYSENTER/SYSEXIT exist (SDM Vol. 2B, SYSENTER: the
 * Pentium Pro's family 6, model < 3, stepping < 3 report it without
 * having it).  The MSRs are loaded only when fast calls are enabled. */
void KiLoadFastSyscallMachineSpecificRegisters(void)
{
    ULONG r[4];
    __cpuid(1, r);
    ULONG Family = (r[0] >> 8) & 0xF, Model = (r[0] >> 4) & 0xF, Step = r[0] & 0xF;
    if ((r[3] & CPUID_EDX_SEP) && !(Family == 6 && Model < 3 && Step < 3))
        KeFeatureBits |= KF_FAST_SYSCALL;
    KeGetPcr()->Prcb->FeatureBits = KeFeatureBits;
    KiFastSystemCallDisable = !(KeFeatureBits & KF_FAST_SYSCALL) || !KeFastSystemCall;
    if (!KiFastSystemCallDisable) {
        __writemsr(MSR_SYSENTER_CS, KGDT_R0_CODE);
        __writemsr(MSR_SYSENTER_ESP, KeGetPcr()->Prcb->DpcStack);
        __writemsr(MSR_SYSENTER_EIP, (ULONG)KiFastCallEntry);
    }
    /* ntdll's stubs call through SharedUserData->SystemCall (nt-reference.md 4.1). */
    SharedUserData->SystemCall = KiFastSystemCallDisable ? KeIntSystemCall : KeFastSystemCall;
    SharedUserData->SystemCallReturn = KeFastSystemCallRet;
    if (!(KeFeatureBits & KF_FAST_SYSCALL))
        DbgPrint("KiLoadFastSyscallMachineSpecificRegisters: no SEP, system calls use int 2Eh\n");
    else if (KiFastSystemCallDisable)
        DbgPrint("KiLoadFastSyscallMachineSpecificRegisters: SEP present, no ntdll!KiFastSystemCall: "
                 "SYSENTER MSRs left unset, system calls use int 2Eh\n");
    else
        DbgPrint("KiLoadFastSyscallMachineSpecificRegisters: SYSENTER_CS 0x%02X, SYSENTER_ESP = the DPC "
                 "stack, SYSENTER_EIP = KiFastCallEntry\n", KGDT_R0_CODE);
}

/* ---- the clock ----------------------------------------------------------- */

/* Let the clock tick a few times and check its three readers agree:
 * KeTickCount, SharedUserData->TickCount and int 2Ah. */
static void KiCheckClock(void)
{
    _enable();
    while (KeTickCount.LowPart < 3) __halt();
    _disable();
    ULONG Ticks = KeTickCount.LowPart, FromInt2A;
    __asm__ volatile("int $0x2A" : "=a"(FromInt2A) :: "edx", "memory");
    ULONG Expected = (ULONG)(((ULONGLONG)Ticks * ExpTickCountMultiplier) >> 24);
    int Agree = SharedUserData->TickCount.LowPart == Ticks && SharedUserData->TickCountLow == Ticks &&
                ((volatile KUSER_SHARED_DATA *)MM_SHARED_USER_DATA_VA)->TickCountLow == Ticks;
    DbgPrint("KeUpdateSystemTime: the clock runs; KUSER_SHARED_DATA %s, int 2Ah %s\n",
             Agree ? "agrees" : "DIFFERS", FromInt2A == Expected ? "agrees" : "DIFFERS");
}

/* ---- the loader's information ----------------------------------------------- */

/* The loader's module table, or NULL: it must lie in the first 4 MB, the
 * only memory the boot page tables map until MmInitSystem. */
static const ULONG *KiModuleTable(const ULONG *Mbi, PULONG Count)
{
    *Count = Mbi[5];
    if (!(Mbi[0] & MBI_MODS) || !*Count || *Count > 256 || Mbi[6] > 0x400000 - 16 * 256) return NULL;
    return MI_P2V(Mbi[6]);
}

/* Modules follow the image: the free pages start after the last one that
 * the kernel can reach (a module above 16 MB is refused by the I/O manager). */
static ULONG KiLowestFreePhysical(const ULONG *Mbi)
{
    ULONG Lowest = MI_V2P(KiImageEnd), Count;
    const ULONG *Module = KiModuleTable(Mbi, &Count);
    for (ULONG i = 0; Module && i < Count; i++)
        if (Module[4 * i + 1] > Lowest && Module[4 * i + 1] <= KSEG0_SIZE) Lowest = Module[4 * i + 1];
    return Lowest;
}

/* Module 0 is the ramdisk, every further one a single boot file. */
static void KiInitializeBootFiles(const ULONG *Mbi)
{
    ULONG Count;
    const ULONG *Module = KiModuleTable(Mbi, &Count);
    for (ULONG i = 0; Module && i < Count; i++) {
        if (i == 0) IoInitRamdisk(Module[0], Module[1]);
        else IoAddBootFile(Module[4 * i + 2] ? MI_P2V(Module[4 * i + 2]) : "", Module[4 * i],
                           Module[4 * i + 1]);
    }
}

/* The word of the kernel's command line that starts with Prefix, past the
 * prefix, or NULL: "selftest" gives "", "run=" gives "NAME ...".  A prefix
 * ending in '=' takes a value; any other must be the whole word. */
static const char *KiCommandLineWord(const ULONG *Mbi, const char *Prefix)
{
    if (!(Mbi[0] & MBI_CMDLINE) || !Mbi[4] || Mbi[4] >= KSEG0_SIZE) return NULL;
    for (const char *p = MI_P2V(Mbi[4]); *p; ) {
        while (*p == ' ') p++;
        ULONG n = 0;
        while (Prefix[n] && p[n] == Prefix[n]) n++;
        if (!Prefix[n] && n && (Prefix[n - 1] == '=' || p[n] == ' ' || !p[n])) return p + n;
        while (*p && *p != ' ') p++;
    }
    return NULL;
}

/* ---- phase 1: processes --------------------------------------------------- */

static ETHREAD KiIdleThread;
static PEPROCESS KiSessionManager;

/* The boot processor's own thread becomes the idle thread of the System
 * process (tid 0, priority 0), as in NT. */
static void KiInitializeIdleThread(void)
{
    PKTHREAD Idle = &KiIdleThread.Tcb;
    KiInitializeThreadState(Idle, NULL, P0BootStack, KiBootStack, LOW_PRIORITY, KernelMode);
    Idle->State = Running;
    KiIdleThread.CrossThreadFlags = PS_CROSS_THREAD_FLAGS_SYSTEM;
    KeGetPcr()->Prcb->CurrentThread = Idle;
    KeInitializeDispatcher(Idle);
}

/* "run=NAME" on the kernel command line: the session manager runs only
 * that program, with the words its module string carries. */
static void KiSessionManagerCommandLine(const ULONG *Mbi, char *Line, ULONG Size)
{
    const char *Run = KiCommandLineWord(Mbi, "run=");
    ULONG n = 0;
    const char *Smss = "smss.elf";
    while (*Smss && n < Size - 1) Line[n++] = *Smss++;
    if (Run) {
        char Name[64];
        ULONG k = 0;
        while (Run[k] && Run[k] != ' ' && k < sizeof Name - 1) Name[k] = Run[k], k++;
        Name[k] = 0;
        if (n < Size - 1) Line[n++] = ' ';
        for (const char *p = Name; *p && n < Size - 1;) Line[n++] = *p++;
        const char *Args = IoBootFileArguments(Name);
        if (Args && *Args && n < Size - 1) Line[n++] = ' ';
        while (Args && *Args && n < Size - 1) Line[n++] = *Args++;
    }
    Line[n] = 0;
}

static void KiSessionManagerExit(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    (void)ParentId;
    if (!Create && KiSessionManager && ProcessId == KiSessionManager->UniqueProcessId) {
        DbgPrint("ntkernel: the session manager exited with 0x%08X; shutting down\n",
                 (ULONG)KiSessionManager->ExitStatus);
        HalReturnToFirmware(KiSessionManager->ExitStatus == 0 ? HAL_EXIT_SUCCESS : HAL_EXIT_FAILURE);
    }
}

/* The idle loop: whatever is ready runs; otherwise HLT until an interrupt. */
static void KiIdleLoop(void) __attribute__((noreturn));
extern BOOLEAN KiIdleLoopRunning;
static void KiIdleLoop(void)
{
    _disable();
    KiIdleLoopRunning = TRUE;
    for (;;) {
        if (KeGetPcr()->Prcb->ReadySummary) KiSwapThread();
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
}

static void KiInitializeProcesses(const ULONG *Mbi)
{
    NTSTATUS Status = PspCreateProcess(NULL, NULL, FALSE, &PsInitialSystemProcess);
    if (!NT_SUCCESS(Status)) KeBugCheckEx(0x6B /* PROCESS1_INITIALIZATION_FAILED */, (ULONG)Status, 0, 0, 0);
    KiIdleThread.Tcb.ApcState.Process = &PsInitialSystemProcess->Pcb;
    KiIdleThread.ThreadsProcess = PsInitialSystemProcess;
    DbgPrint("PspInitPhase0: System process %u, idle thread %u\n", (ULONG)PsInitialSystemProcess->UniqueProcessId,
             (ULONG)KiIdleThread.Cid.UniqueThread);
    Status = NotifyDriverEntry();
    DbgPrint("IopInitializeBuiltinDriver: notify.sys DriverEntry 0x%08X\n", (ULONG)Status);
    PsSetCreateProcessNotifyRoutine(KiSessionManagerExit, FALSE);
    char Line[160];
    KiSessionManagerCommandLine(Mbi, Line, sizeof Line);
    Status = PspCreateSessionManager(Line, &KiSessionManager);
    if (!NT_SUCCESS(Status)) {
        DbgPrint("ntkernel: cannot start the session manager (%s): 0x%08X\n", Line, (ULONG)Status);
        HalReturnToFirmware(HAL_EXIT_FAILURE);
    }
    DbgPrint("PspCreateSessionManager: %s is process %u\n", Line, (ULONG)KiSessionManager->UniqueProcessId);
}

/* ---- the entry ----------------------------------------------------------- */

void KiSystemStartup(ULONG Magic, ULONG LoaderBlock)
{
    HalInitializeConsole();
    DbgPrint("ntkernel: an NT-style kernel for ringsim (x86, Windows XP SP3 layouts)\n");
    if (Magic != MULTIBOOT_LOADER_MAGIC)
        KeBugCheckEx(0x5C /* HAL_INITIALIZATION_FAILED */, Magic, LoaderBlock, 0, 0);
    const ULONG *Mbi = MI_P2V(LoaderBlock);
    ULONG HighestPhysical = (Mbi[0] & MBI_MEM) ? 0x100000 + Mbi[2] * 1024 : 0x100000;
    MmInitSystem(KiLowestFreePhysical(Mbi), HighestPhysical);
    KiInitializePcr();
    KiInitializeGdt();
    KiInitializeTss();
    KiInitializeIdt();
    KiInitializeUserSharedData();
    KiInitializeServiceTables();
    KiInitializeIdleThread();
    KiInitializeBootFiles(Mbi);
    NTSTATUS Status = PspLookupKernelUserEntryPoints();
    if (!NT_SUCCESS(Status)) DbgPrint("PspLookupKernelUserEntryPoints: no ntdll (0x%08X)\n", (ULONG)Status);
    KiLoadFastSyscallMachineSpecificRegisters();
    HalInitSystem();
    KiCheckClock();
    if (KiCommandLineWord(Mbi, "selftest")) {
        MmSelfTest();
        ObSelfTest();
        IoSelfTest();
    }
    DbgPrint("KiSystemStartup: phase 0 complete\n");
    if (!NT_SUCCESS(Status)) HalReturnToFirmware(HAL_EXIT_SUCCESS);   /* no user mode to run */
    KiInitializeProcesses(Mbi);
    KiIdleLoop();
}
