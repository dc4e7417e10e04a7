/* selftest.h - what the boot-time self-tests (MmSelfTest, ObSelfTest,
 * IoSelfTest; the "selftest" command-line word) share: one console line per
 * check, "selftest: <what>: ok" or "selftest: <what>: FAILED (<details>)",
 * and a borrowed current thread, so that the services, which ask
 * PsGetCurrentProcess() and KTHREAD.PreviousMode, can run before there are
 * threads. */
#ifndef NTK_SELFTEST_H
#define NTK_SELFTEST_H

#include "ps.h"
#include "ke.h"
#include "rtl.h"

#define ST_CHECK(What, Ok, Format, ...)                                                   \
    do {                                                                                  \
        if (Ok) DbgPrint("selftest: %s: ok\n", What);                                     \
        else DbgPrint("selftest: %s: FAILED (" Format ")\n", What, __VA_ARGS__);         \
    } while (0)

/* Makes Thread, in Process and with PreviousMode Mode, the current thread;
 * returns the one it replaces for StLeave. */
static inline struct _KTHREAD *StEnter(PETHREAD Thread, PEPROCESS Process, KPROCESSOR_MODE Mode)
{
    struct _KTHREAD *Saved = KeGetPcr()->Prcb->CurrentThread;
    Thread->Tcb.ApcState.Process = &Process->Pcb;
    Thread->Tcb.PreviousMode = Mode;
    KeGetPcr()->Prcb->CurrentThread = &Thread->Tcb;
    return Saved;
}

static inline void StLeave(struct _KTHREAD *Saved) { KeGetPcr()->Prcb->CurrentThread = Saved; }

#endif
