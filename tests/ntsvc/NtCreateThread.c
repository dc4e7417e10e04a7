/* NtCreateThread in the own process, from a CONTEXT and an INITIAL_TEB as
 * kernel32 builds them: created suspended, resumed, it runs in user mode
 * (CS 0x1B even when the context says 0x08) on the given stack with the
 * given registers and ends by NtTerminateThread; its TEB and client id.
 * The refusals: no context (STATUS_INVALID_PARAMETER), bad CONTEXT,
 * INITIAL_TEB, ThreadHandle and ClientId pointers, bad process handles;
 * a failed call leaves no thread running. */
#include "ntsvc.h"

static volatile ULONG seen_cs, seen_ebx, seen_esp_ok, runs;

/* The thread's first instruction: no return address on its stack. */
__attribute__((noreturn)) static void __attribute__((used)) thread_main(void)
{
    ULONG cs, ebx, esp;
    __asm__ volatile("mov %%cs, %0; mov %%ebx, %1; mov %%esp, %2" : "=r"(cs), "=r"(ebx), "=r"(esp));
    seen_cs = cs & 0xFFFF;
    seen_ebx = ebx;
    seen_esp_ok = esp > 0x10000;
    runs++;
    NtTerminateThread(NtCurrentThread(), 5);
    for (;;) {
    }
}

int main(void)
{
    svc_begin("NtCreateThread", 30);
    char what[96];
    UCHAR *stack = svc_alloc(0x4000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    CONTEXT c;
    memset(&c, 0, sizeof c);
    c.ContextFlags = CONTEXT_FULL;
    c.Eip = (ULONG)thread_main;
    c.Esp = (ULONG)stack + 0x4000 - 16;
    c.Ebx = 0x1234ABCD;
    c.SegCs = 0x08;                     /* ring 0: the kernel must not take it */
    c.EFlags = 0x3202;                  /* IOPL 3: neither */
    INITIAL_TEB teb = { NULL, NULL, stack + 0x4000, stack, stack };
    HANDLE h = NULL;
    CLIENT_ID cid = { 0, 0 };
    check("create a suspended thread", NtCreateThread(&h, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), &cid,
          &c, &teb, TRUE), 0);
    check("its client id names this process", (ULONG)cid.UniqueProcess,
          (ULONG)NtCurrentTeb()->ClientId.UniqueProcess);
    check_true("and a thread id of its own", cid.UniqueThread && cid.UniqueThread != NtCurrentTeb()->ClientId.UniqueThread);
    THREAD_BASIC_INFORMATION tb;
    check("query it", NtQueryInformationThread(h, 0, &tb, sizeof tb, NULL), 0);
    check_true("its TEB is another page below the PEB", (ULONG)tb.TebBaseAddress < 0x7FFDF000 &&
               tb.TebBaseAddress != NtCurrentTeb());
    check("not run yet", runs, 0);
    ULONG prev = 9;
    check("resume it", NtResumeThread(h, &prev), 0);
    check("wait for it", NtWaitForSingleObject(h, FALSE, NULL), 0);
    check("it ran once", runs, 1);
    check("in user mode: CS 0x1B", seen_cs, 0x1B);
    check("with the context's EBX", seen_ebx, 0x1234ABCD);
    check("on its stack", seen_esp_ok, 1);
    NtQueryInformationThread(h, 0, &tb, sizeof tb, NULL);
    check("its exit status", (ULONG)tb.ExitStatus, 5);
    NtClose(h);

    h = (HANDLE)0x77;
    check("no context", NtCreateThread(&h, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), NULL, NULL, &teb,
          TRUE), STATUS_INVALID_PARAMETER);
    struct svc_handle hb[8];
    int nh = svc_bad_handles(hb, svc_event());
    for (int i = 0; i < nh; i++) {
        snprintf(what, sizeof what, "process %s", hb[i].name);
        check(what, NtCreateThread(&h, THREAD_ALL_ACCESS, NULL, hb[i].h, NULL, &c, &teb, TRUE), hb[i].want);
    }
    check("the handle variable unchanged", (ULONG)h, 0x77);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 0, 0, sizeof c);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ThreadContext %s", bp[i].name);
        check(what, NtCreateThread(&h, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), NULL, bp[i].p, &teb,
              TRUE), STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 1, 0, sizeof teb);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "InitialTeb %s", bp[i].name);
        check(what, NtCreateThread(&h, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), NULL, &c, bp[i].p,
              TRUE), STATUS_ACCESS_VIOLATION);
    }
    ULONG runs_before = runs;
    np = svc_bad_pointers(bp, 1, 1, 4);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ThreadHandle %s", bp[i].name);
        check(what, NtCreateThread(bp[i].p, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), NULL, &c, &teb,
              FALSE), STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 0, 1, sizeof cid);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ClientId %s", bp[i].name);
        check(what, NtCreateThread(&h, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), bp[i].p, &c, &teb,
              FALSE), STATUS_ACCESS_VIOLATION);
    }
    LARGE_INTEGER d = { .QuadPart = -30 * 10000 };
    NtDelayExecution(FALSE, &d);
    check("no refused thread ever ran", runs, runs_before);
    ULONG args[8] = { (ULONG)&h, THREAD_ALL_ACCESS, 0, (ULONG)NtCurrentProcess(), 0, (ULONG)&c, (ULONG)&teb, 0 };
    check("through int 2Eh", svc_int2e(0x35, args, 8), 0);
    check("and it runs", NtWaitForSingleObject(h, FALSE, NULL), 0);
    check("twice in all", runs, runs_before + 1);
    NtClose(h);
    return svc_end();
}
