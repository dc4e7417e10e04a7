/* NtCallbackReturn: with no callback active, STATUS_NO_CALLBACK_ACTIVE
 * from the service (sysenter and int 2Eh) and from int 2Bh
 * (KiCallbackReturn); inside a callback it ends the callback with its
 * status, as int 2Bh does, and the code after it never runs. */
#include "ntsvc.h"

ULONG int2b(ULONG status);
__asm__(".text\n.globl int2b\nint2b:\n mov 4(%esp), %eax\n xor %ecx, %ecx\n xor %edx, %edx\n int $0x2B\n ret\n");

struct input { ULONG Depth, Value; };
static ULONG after;

static NTSTATUS WINAPI cb(PVOID in_buffer, ULONG length)
{
    const struct input *in = in_buffer;
    (void)length;
    NtCallbackReturn(NULL, 0, (NTSTATUS)(in->Value + 1000));
    after = 1;              /* not reached */
    return 0;
}
static PVOID table[] = { (PVOID)cb };

int main(void)
{
    svc_begin("NtCallbackReturn", 8);
    check("no callback active", NtCallbackReturn(NULL, 0, 0), STATUS_NO_CALLBACK_ACTIVE);
    check("no callback active, bad output pointer", NtCallbackReturn(KERNEL_VA, 0x100, 5), STATUS_NO_CALLBACK_ACTIVE);
    ULONG args[3] = { 0, 0, 0 };
    check("through int 2Eh", svc_int2e(0x14, args, 3), STATUS_NO_CALLBACK_ACTIVE);
    check("through sysenter raw", svc_sysenter(0x14, args, 3), STATUS_NO_CALLBACK_ACTIVE);
    check("int 2Bh with no callback", int2b(0x1234), STATUS_NO_CALLBACK_ACTIVE);
    NtCurrentPeb()->KernelCallbackTable = table;
    ULONG r = 0;
    check("a callback that ends by NtCallbackReturn", NtUserCallbackDemo(1, 7, &r), 0);
    check("its status came back (1007 + depth 1)", r, 1008);
    check("the code after NtCallbackReturn did not run", after, 0);
    check("still none active afterwards", NtCallbackReturn(NULL, 0, 0), STATUS_NO_CALLBACK_ACTIVE);
    return svc_end();
}
