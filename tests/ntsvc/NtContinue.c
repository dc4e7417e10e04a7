/* NtContinue: the thread goes on with a CONTEXT (registers as given,
 * segments and EFLAGS sanitized: a ring-0 CS or IOPL 3 do not reach user
 * mode); the refusals: bad CONTEXT pointers, after which the caller just
 * goes on. */
#include "ntsvc.h"

ULONG continue_with(CONTEXT *ctx);      /* returns NtContinue's failure, or the resumed EAX */
extern const char continue_here[];
ULONG resumed, resumed_ebx, resumed_cs, resumed_eflags, saved_esp;
__asm__(
    ".text\n.globl continue_with, continue_here\n"
    "continue_with:\n"
    "  push %ebp\n  push %ebx\n  push %esi\n  push %edi\n"
    "  mov %esp, saved_esp\n"
    "  mov 20(%esp), %eax\n"
    "  push $0\n  push %eax\n  call NtContinue\n"
    "  jmp 1f\n"
    "continue_here:\n"
    "  movl $1, resumed\n  mov %ebx, resumed_ebx\n"
    "  mov %cs, %ecx\n  mov %ecx, resumed_cs\n"
    "  pushf\n  pop %ecx\n  mov %ecx, resumed_eflags\n"
    "  mov saved_esp, %esp\n"
    "1: pop %edi\n  pop %esi\n  pop %ebx\n  pop %ebp\n  ret\n");

static UCHAR stack[4096];

int main(void)
{
    svc_begin("NtContinue", 10);
    char what[96];
    static CONTEXT c;
    memset(&c, 0, sizeof c);
    c.ContextFlags = CONTEXT_FULL;
    c.Eip = (ULONG)continue_here;
    c.Esp = (ULONG)stack + sizeof stack - 16;
    c.SegCs = 0x1B; c.SegSs = c.SegDs = c.SegEs = 0x23; c.SegFs = 0x3B;
    c.EFlags = 0x202;
    c.Eax = 0xC0DE0001; c.Ebx = 0x0BB0BB00;
    check("continue at a label", continue_with(&c), 0xC0DE0001);
    check("it resumed there", resumed, 1);
    check("EBX as given", resumed_ebx, 0x0BB0BB00);
    check("in ring 3", resumed_cs, 0x1B);
    resumed = 0;
    c.SegCs = 0x08;
    c.EFlags = 0x3202;      /* IOPL 3 */
    c.Eax = 0xC0DE0002;
    check("a context asking for ring 0 and IOPL 3", continue_with(&c), 0xC0DE0002);
    check("resumed in ring 3 all the same", resumed_cs, 0x1B);
    check("IOPL stays 0", resumed_eflags & 0x3000, 0);
    struct svc_bad bp[8];
    int np = svc_bad_pointers(bp, 1, 0, sizeof c);
    for (int i = 0; i < np; i++) {
        resumed = 0;
        snprintf(what, sizeof what, "Context %s", bp[i].name);
        check(what, continue_with(bp[i].p), STATUS_ACCESS_VIOLATION);
        snprintf(what, sizeof what, "no resume (%s)", bp[i].name);
        check(what, resumed, 0);
    }
    return svc_end();
}
