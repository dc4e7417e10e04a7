/* teb - what user mode finds through FS = 0x3B: fs:[0x18] the TEB's own
 * address, fs:[0x30] the PEB, fs:[0x20]/[0x24] the process and thread ids
 * (checked against what the kernel answers to NtQueryInformationProcess
 * and NtQueryInformationThread), and the tick count twice: read from
 * KUSER_SHARED_DATA at 0x7FFE0000 and asked of the kernel by int 2Ah.  The
 * values of the ids and ticks vary, so only their agreement is printed. */
#include <stdio.h>
#include <ntdll.h>
#include <windows.h>

static ULONG fs_read(ULONG offset)
{
    ULONG v;
    __asm__ volatile ("movl %%fs:(%1), %0" : "=r"(v) : "r"(offset));
    return v;
}

/* int 2Ah: KiGetTickCount, milliseconds in EAX. */
static ULONG int2a_ticks(void)
{
    ULONG ms;
    __asm__ volatile ("int $0x2A" : "=a"(ms) : : "edx", "memory");
    return ms;
}

static ULONG shared_ticks(void)
{
    ULONGLONG ms = (ULONGLONG)SharedUserData->TickCountLow * SharedUserData->TickCountMultiplier;
    return (ULONG)(ms >> 24);
}

static const char *yes(int ok)
{
    return ok ? "yes" : "NO";
}

int main(void)
{
    PTEB teb = (PTEB)fs_read(0x18);
    PPEB peb = (PPEB)fs_read(0x30);
    printf("teb: fs:[0x18] = %p (the first thread's TEB at 0x7ffde000: %s)\n", (void *)teb,
           yes((ULONG)teb == TEB_ADDRESS));
    printf("teb: fs:[0x30] = %p (the PEB at 0x7ffdf000: %s); TEB->ProcessEnvironmentBlock agrees: %s\n",
           (void *)peb, yes((ULONG)peb == PEB_ADDRESS), yes(teb->ProcessEnvironmentBlock == peb));
    printf("teb: fs:[0] = the SEH chain head, %s\n",
           teb->NtTib.ExceptionList == EXCEPTION_CHAIN_END ? "empty (-1)" : "not empty");
    printf("teb: PEB: image base %p, Windows %lu.%lu build %u, platform %lu, %lu processor(s)\n",
           peb->ImageBaseAddress, peb->OSMajorVersion, peb->OSMinorVersion, peb->OSBuildNumber,
           peb->OSPlatformId, peb->NumberOfProcessors);

    PROCESS_BASIC_INFORMATION pbi;
    THREAD_BASIC_INFORMATION tbi;
    NTSTATUS ps = NtQueryInformationProcess(NtCurrentProcess(), ProcessBasicInformation, &pbi, sizeof pbi, NULL);
    NTSTATUS ts = NtQueryInformationThread(NtCurrentThread(), ThreadBasicInformation, &tbi, sizeof tbi, NULL);
    printf("teb: fs:[0x20] == GetCurrentProcessId() == the kernel's UniqueProcessId: %s\n",
           yes(NT_SUCCESS(ps) && fs_read(0x20) == GetCurrentProcessId() &&
               GetCurrentProcessId() == pbi.UniqueProcessId));
    printf("teb: fs:[0x24] == GetCurrentThreadId() == the kernel's ClientId.UniqueThread: %s\n",
           yes(NT_SUCCESS(ts) && fs_read(0x24) == GetCurrentThreadId() &&
               GetCurrentThreadId() == (ULONG)tbi.ClientId.UniqueThread));
    printf("teb: NtQueryInformationThread's TebBaseAddress is fs:[0x18]: %s\n",
           yes(NT_SUCCESS(ts) && tbi.TebBaseAddress == teb));

    /* Each source's reading lies between two readings of the other, and
     * neither goes backwards. */
    int agree = 1, monotonic = 1;
    ULONG last = 0;
    for (int i = 0; i < 1000; i++) {
        ULONG a = shared_ticks(), b = int2a_ticks(), c = shared_ticks();
        if (!(a <= b && b <= c))
            agree = 0;
        if (a < last)
            monotonic = 0;
        last = c;
    }
    printf("teb: tick count at 0x7ffe0000 and from int 2Ah agree: %s; never go back: %s\n",
           yes(agree), yes(monotonic));
    printf("teb: the TickCountMultiplier is 0x%08lx\n", SharedUserData->TickCountMultiplier);
    return agree && monotonic ? 0 : 1;
}
