/* fuzz - a system-call fuzzer for the built-in kernel: fuzz.elf SEED COUNT
 * makes COUNT calls of random service numbers (native 0..0x11F, shadow
 * 0x1000..0x1003) with arguments drawn from a hostile set (0, -1, small
 * numbers, kernel addresses, unmapped and page-crossing addresses, the
 * shared page, its own scratch buffers, huge lengths), through sysenter
 * or int 2Eh (sometimes with the argument pointer itself hostile).  Left
 * out: what would end or block it (NtTerminateProcess/Thread, NtContinue,
 * NtRaiseException, NtCreateThread, NtUserCallbackDemo's call into a
 * callback table this program has not set up) and NtOpenProcess, whose
 * handles to the session manager would let the fuzzer damage it; waits and
 * delays get a zero timeout.  The scratch buffers are refilled from the
 * hostile set before every call and never hold the program's own
 * addresses, so what the services write there cannot aim later calls at
 * the fuzzer itself.  The summary (DbgPrint: the console handle might be
 * closed by a random NtClose) is deterministic for a seed. */
#include <stdlib.h>
#include "ntsvc.h"

static ULONG rng;
static ULONG next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static const ULONG implemented[] = {
    0x011, 0x014, 0x019, 0x023, 0x030, 0x03B, 0x043, 0x053, 0x055, 0x089, 0x09A, 0x09B, 0x0AD,
    0x0B2, 0x0B7, 0x0BA, 0x0CA, 0x0CE, 0x0DB, 0x0E5, 0x10F, 0x112, 0x115, 0x116,
};

static int excluded(ULONG n)
{
    return n == 0x101 || n == 0x102 || n == 0x020 || n == 0x0B5 || n == 0x035 || n == 0x1000 || n == 0x07A;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        DbgPrint("fuzz: usage: fuzz.elf SEED COUNT\n");
        return 2;
    }
    ULONG seed = strtoul(argv[1], NULL, 0), count = strtoul(argv[2], NULL, 0);
    rng = seed ? seed : 1;
    svc_name = "fuzz";
    /* 64 KB of scratch and an uncommitted page after it. */
    UCHAR *scratch = svc_alloc(0x20000, MEM_RESERVE, PAGE_READWRITE);
    PVOID c = scratch;
    SIZE_T cs = 0x10000;
    if (!scratch || NtAllocateVirtualMemory(NtCurrentProcess(), &c, 0, &cs, MEM_COMMIT, PAGE_READWRITE)) return 3;
    UCHAR *edge = svc_edge(2);
    const ULONG plain[] = {
        0, 1, 2, 3, 0x10, 0x7F, 0x1000, 0xFFFFFFFF, 0xFFFFFFFE, 0x80000000, 0xFFDF0000, 0xC0000000,
        0x7FFF0000, 0x7FFE0000, 0x7FFEFFFC, 0x7FFFFFFF, 0x10000000, 0x00001000 - 2, (ULONG)edge,
        0xFFFFF000, 0x40, 0x100,
    };
    const ULONG nplain = sizeof plain / sizeof plain[0];
    ULONG classes[4] = { 0 }, paths[3] = { 0 };
    LARGE_INTEGER *zero = (LARGE_INTEGER *)(scratch + 0xF000);
    for (ULONG i = 0; i < count; i++) {
        ULONG n;
        do {
            ULONG r = next();
            if (r & 1) n = implemented[(r >> 1) % (sizeof implemented / sizeof implemented[0])];
            else if ((r >> 1) % 16 == 0) n = 0x1000 + (r >> 5) % 4;
            else n = (r >> 1) % 0x120;
        } while (excluded(n));
        for (ULONG k = 0; k < 0xF000 / 4; k += 1 + next() % 8) ((ULONG *)scratch)[k] = plain[next() % nplain];
        zero->QuadPart = 0;
        ULONG args[12];
        for (int k = 0; k < 12; k++) {
            ULONG r = next() % 8;
            if (r < 5) args[k] = plain[next() % nplain];
            else if (r < 7) args[k] = (ULONG)scratch + (next() % 0x10) * 0x100;
            else args[k] = (ULONG)scratch + 0x10000 - 1 - next() % 8;     /* crossing into the guard */
        }
        if (n == 0x10F) args[2] = (ULONG)zero;          /* NtWaitForSingleObject: no blocking */
        if (n == 0x03B) args[1] = (ULONG)zero;          /* NtDelayExecution */
        ULONG path = next() % 8, status;
        if (path < 4) status = svc_sysenter(n, args, 12), paths[0]++;
        else if (path < 7) status = svc_int2e(n, args, 12), paths[1]++;
        else status = svc_int2e_edx(n, plain[next() % nplain]), paths[2]++;
        classes[status >> 30]++;
    }
    DbgPrint("fuzz: seed %s, %s calls done\n", argv[1], argv[2]);
    DbgPrint("fuzz: paths: sysenter %u, int 2Eh %u, int 2Eh with a hostile argument pointer %u\n",
             (unsigned)paths[0], (unsigned)paths[1], (unsigned)paths[2]);
    DbgPrint("fuzz: statuses: success %u, informational %u, warning %u, error %u\n", (unsigned)classes[0],
             (unsigned)classes[1], (unsigned)classes[2], (unsigned)classes[3]);
    return 0;
}
