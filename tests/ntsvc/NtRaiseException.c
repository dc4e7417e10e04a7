/* NtRaiseException (first chance): the exception reaches the frame-based
 * handler through KiUserExceptionDispatcher with the record as given; the
 * refusals: bad record and context pointers and NumberParameters beyond 15
 * (STATUS_INVALID_PARAMETER), after which the caller goes on. */
#include "ntsvc.h"

ULONG raise_with(EXCEPTION_RECORD *r, CONTEXT *c);
extern const char raise_resume[];
ULONG saved_esp2;
__asm__(
    ".text\n.globl raise_with, raise_resume\n"
    "raise_with:\n"
    "  push %ebp\n  push %ebx\n  push %esi\n  push %edi\n"
    "  mov %esp, saved_esp2\n"
    "  push $1\n  push 28(%esp)\n  push 28(%esp)\n  call NtRaiseException\n"
    "  jmp 1f\n"
    "raise_resume:\n"
    "  mov saved_esp2, %esp\n  mov $0x600D, %eax\n"
    "1: pop %edi\n  pop %esi\n  pop %ebx\n  pop %ebp\n  ret\n");

static ULONG seen_code, seen_params, seen_info0;
static EXCEPTION_DISPOSITION handler(PEXCEPTION_RECORD r, PEXCEPTION_REGISTRATION_RECORD f, PCONTEXT c, PVOID d)
{
    (void)f, (void)d;
    seen_code = (ULONG)r->ExceptionCode;
    seen_params = r->NumberParameters;
    seen_info0 = r->NumberParameters ? r->ExceptionInformation[0] : 0;
    c->Eip = (ULONG)raise_resume;
    return ExceptionContinueExecution;
}

static UCHAR stack[8192];

int main(void)
{
    svc_begin("NtRaiseException", 10);
    char what[96];
    EXCEPTION_REGISTRATION_RECORD reg = { NULL, handler };
    __asm__ volatile("movl %%fs:0, %0" : "=r"(reg.Next));
    __asm__ volatile("movl %0, %%fs:0" : : "r"(&reg) : "memory");
    static EXCEPTION_RECORD r;
    static CONTEXT c;
    memset(&r, 0, sizeof r);
    r.ExceptionCode = (NTSTATUS)0xE0001234;
    r.NumberParameters = 1;
    r.ExceptionInformation[0] = 0xABCD;
    c.ContextFlags = CONTEXT_FULL;
    NtGetContextThread(NtCurrentThread(), &c);
    c.Eip = (ULONG)raise_resume;
    c.Esp = (ULONG)stack + sizeof stack - 16;
    check("raise 0xE0001234 (handled, resumed)", raise_with(&r, &c), 0x600D);
    check("the handler saw the code", seen_code, 0xE0001234);
    check("and the parameter", seen_info0, 0xABCD);
    check("one parameter", seen_params, 1);
    r.NumberParameters = 16;
    check("16 parameters", raise_with(&r, &c), STATUS_INVALID_PARAMETER);
    r.NumberParameters = 1;
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 0, sizeof r);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "ExceptionRecord %s", bp[i].name);
        check(what, raise_with(bp[i].p, &c), STATUS_ACCESS_VIOLATION);
    }
    np = svc_bad_pointers(bp, 1, 0, sizeof c);
    for (int i = 0; i < np; i++) {
        snprintf(what, sizeof what, "Context %s", bp[i].name);
        check(what, raise_with(&r, bp[i].p), STATUS_ACCESS_VIOLATION);
    }
    __asm__ volatile("movl %0, %%fs:0" : : "r"(reg.Next) : "memory");
    return svc_end();
}
