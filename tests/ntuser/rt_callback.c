/* rt_callback - ntdll's callback dispatcher, run by tests/ntuser/ntuser:
 * the SEH record KiUserCallbackDispatcher links around a callback, a
 * callback that leaves by NtCallbackReturn instead of returning, and
 * NtCallbackReturn / int 2Bh with no callback active. */
#include <stdio.h>
#include <ntdll.h>
#include <windows.h>

EXCEPTION_DISPOSITION KiUserCallbackExceptionHandler(PEXCEPTION_RECORD, PEXCEPTION_REGISTRATION_RECORD,
                                                     PCONTEXT, PVOID);

static PEXCEPTION_REGISTRATION_RECORD outside;

static NTSTATUS WINAPI by_return(PVOID input, ULONG length)
{
    PEXCEPTION_REGISTRATION_RECORD h;
    __asm__ volatile ("movl %%fs:0, %0" : "=r"(h));
    const ULONG *in = input;
    printf("callback: depth %lu, %lu bytes; SEH record linked: %s, next is the caller's chain: %s\n",
           in[0], length, h->Handler == KiUserCallbackExceptionHandler ? "yes" : "no",
           h->Next == outside ? "yes" : "no");
    NtCallbackReturn(NULL, 0, 77);
    printf("callback: NtCallbackReturn came back?\n");
    return 1;
}

static PVOID table[] = { (PVOID)by_return };

int main(void)
{
    ULONG result = 0;
    __asm__ volatile ("movl %%fs:0, %0" : "=r"(outside));
    NtCurrentPeb()->KernelCallbackTable = table;
    NTSTATUS s = NtUserCallbackDemo(5, 1, &result);
    printf("NtUserCallbackDemo: 0x%08lx, result %lu\n", (ULONG)s, result);
    printf("NtCallbackReturn outside a callback: 0x%08lx\n", (ULONG)NtCallbackReturn(NULL, 0, 0));
    ULONG eax = 123;
    __asm__ volatile ("xor %%ecx, %%ecx\n\txor %%edx, %%edx\n\tint $0x2B" : "+a"(eax) : : "ecx", "edx", "memory");
    printf("int 2Bh outside a callback: 0x%08lx\n", eax);
    ULONG head;
    __asm__ volatile ("movl %%fs:0, %0" : "=r"(head));
    printf("the SEH chain is as before: %s\n", head == (ULONG)outside ? "yes" : "no");
    return 0;
}
