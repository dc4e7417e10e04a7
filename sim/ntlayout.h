/* ntlayout.h - the built-in NT kernel's records as the host reads them (the
 * system-call tracer, the GDB stub, the UI): the offsets of
 * ntkernel/inc/ks386.h, which the kernel's build checks against its own C
 * structures (ntkernel/ke/i386/ks386.c), so a layout change reaches every
 * reader; and the names a debugger view gives the KTRAP_FRAME's slots, the
 * thread states and the wait reasons. */
#ifndef RINGSIM_NTLAYOUT_H
#define RINGSIM_NTLAYOUT_H

#include "ntkernel/inc/ks386.h"

/* The current KTHREAD, through the boot processor's KPCR. */
#define NT_CURRENT_THREAD_VA (KIP0PCRADDRESS + PcCurrentThread)

/* One name per 4-byte slot of the x86 KTRAP_FRAME (nt-reference.md 5.1). */
#define NT_TRAP_FRAME_SLOTS (KTRAP_FRAME_LENGTH / 4)
extern const char *const nt_trap_frame_fields[NT_TRAP_FRAME_SLOTS];

/* KTHREAD.State and KTHREAD.WaitReason by name ("?" beyond the tables). */
const char *nt_thread_state_name(unsigned state);
const char *nt_wait_reason_name(unsigned reason);

#endif
