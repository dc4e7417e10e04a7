/* rt_seh - ntdll's exception dispatch, run by tests/ntuser/ntuser: a chain
 * of two frame handlers where the inner one declines (continue search) and
 * the outer one fixes the context and continues; then RtlRaiseStatus,
 * whose noncontinuable exception the handler sees but cannot continue:
 * the process ends with the raised status. */
#include <stdio.h>
#include <ntdll.h>
#include <windows.h>

ULONG fault_read(ULONG address);
extern const char fault_at[], fault_after[];
__asm__(
    "    .text\n"
    "    .globl fault_read, fault_at, fault_after\n"
    "fault_read:\n"
    "    mov  4(%esp), %ecx\n"
    "fault_at:\n"
    "    mov  (%ecx), %eax\n"
    "fault_after:\n"
    "    ret\n");

static int calls;

static EXCEPTION_DISPOSITION inner(PEXCEPTION_RECORD r, PEXCEPTION_REGISTRATION_RECORD f, PCONTEXT c, PVOID d)
{
    (void)f; (void)c; (void)d;
    printf("inner handler: 0x%08lx flags %lu, declines\n", (ULONG)r->ExceptionCode, r->ExceptionFlags);
    calls++;
    return ExceptionContinueSearch;
}

static EXCEPTION_DISPOSITION outer(PEXCEPTION_RECORD r, PEXCEPTION_REGISTRATION_RECORD f, PCONTEXT c, PVOID d)
{
    (void)f; (void)d;
    calls++;
    printf("outer handler: 0x%08lx flags %lu at %s, %lu parameters\n", (ULONG)r->ExceptionCode,
           r->ExceptionFlags, (ULONG)r->ExceptionAddress == (ULONG)fault_at ? "fault_at" : "elsewhere",
           r->NumberParameters);
    if (r->ExceptionCode == STATUS_ACCESS_VIOLATION) {
        printf("outer handler: address 0x%08lx; resuming after the load with EAX = 7\n",
               (ULONG)r->ExceptionInformation[1]);
        c->Eip = (ULONG)fault_after;
        c->Eax = 7;
    }
    return ExceptionContinueExecution;
}

static PEXCEPTION_REGISTRATION_RECORD head(void)
{
    PEXCEPTION_REGISTRATION_RECORD h;
    __asm__ volatile ("movl %%fs:0, %0" : "=r"(h));
    return h;
}

static void set_head(PEXCEPTION_REGISTRATION_RECORD h)
{
    __asm__ volatile ("movl %0, %%fs:0" : : "r"(h) : "memory");
}

int main(void)
{
    EXCEPTION_REGISTRATION_RECORD o = { head(), outer };
    set_head(&o);
    EXCEPTION_REGISTRATION_RECORD i = { &o, inner };
    set_head(&i);
    ULONG v = fault_read(0x00000010);
    printf("after the fault: EAX %lu, %d handler calls, chain head restored by us\n", v, calls);
    set_head(&o);
    printf("raising STATUS_NO_MEMORY\n");
    RtlRaiseStatus(STATUS_NO_MEMORY);
}
