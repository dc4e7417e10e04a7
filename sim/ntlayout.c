/* ntlayout.c - the names of the NT kernel's records (sim/ntlayout.h). */
#include "sim/ntlayout.h"

const char *const nt_trap_frame_fields[NT_TRAP_FRAME_SLOTS] = {
    "DbgEbp", "DbgEip", "DbgArgMark", "DbgArgPointer", "TempSegCs", "TempEsp", "Dr0", "Dr1",
    "Dr2", "Dr3", "Dr6", "Dr7", "SegGs", "SegEs", "SegDs", "Edx", "Ecx", "Eax",
    "PreviousPreviousMode", "ExceptionList", "SegFs", "Edi", "Esi", "Ebx", "Ebp", "ErrCode",
    "Eip", "SegCs", "EFlags", "HardwareEsp", "HardwareSegSs", "V86Es", "V86Ds", "V86Fs", "V86Gs",
};
/* The slots the assembly names land where the table says. */
_Static_assert(TsEip / 4 == 26 && TsHardwareSegSs / 4 == 30 && TsEdx / 4 == 15, "KTRAP_FRAME slot names");

/* KTHREAD_STATE (nt-reference.md 8.4). */
static const char *const states[] = { "Initialized", "Ready", "Running", "Standby", "Terminated",
                                      "Waiting", "Transition", "DeferredReady", "GateWait" };

/* KWAIT_REASON. */
static const char *const wait_reasons[] = {
    "Executive", "FreePage", "PageIn", "PoolAllocation", "DelayExecution", "Suspended",
    "UserRequest", "WrExecutive", "WrFreePage", "WrPageIn", "WrPoolAllocation",
    "WrDelayExecution", "WrSuspended", "WrUserRequest", "WrEventPair", "WrQueue",
    "WrLpcReceive", "WrLpcReply", "WrVirtualMemory", "WrPageOut", "WrRendezvous", "Spare2",
    "Spare3", "Spare4", "Spare5", "Spare6", "WrKernel",
};

const char *nt_thread_state_name(unsigned state)
{
    return state < sizeof states / sizeof states[0] ? states[state] : "Unknown";
}

const char *nt_wait_reason_name(unsigned reason)
{
    return reason < sizeof wait_reasons / sizeof wait_reasons[0] ? wait_reasons[reason] : "Unknown";
}
