/* badcalls - system calls the kernel must refuse, each with its NTSTATUS,
 * then exceptions: a service number beyond the native table (0x11C) or
 * the shadow table (0x1001, 0x0FFF is native index 0xFFF), an empty slot
 * inside the limit (0x002: STATUS_NOT_IMPLEMENTED), an argument pointer in
 * kernel space or unmapped (int 2Eh with EDX = 0x80000000 / 0x00001000),
 * garbage in EAX, and a kernel address as NtReadVirtualMemory's output
 * buffer.  Then a ring-3 read of kernel memory (0x80100000) under an SEH
 * handler that continues past it, and the same read with no handler: the
 * process ends with STATUS_ACCESS_VIOLATION and the session goes on. */
#include <stdio.h>
#include <ntdll.h>
#include <windows.h>

NTSTATUS raw_sysenter(ULONG number);            /* cdecl; the arguments would follow */
NTSTATUS raw_int2e(ULONG number, ULONG edx);    /* EDX = the argument pointer as given */
ULONG probe_read(ULONG address);                /* reads one dword at address */
extern const char probe_fault[], probe_resume[];

__asm__(
    "    .text\n"
    /* The Nt stub's shape with the number taken from the argument. */
    "    .globl raw_sysenter\n"
    "raw_sysenter:\n"
    "    mov  4(%esp), %eax\n"
    "    mov  $0x7FFE0300, %edx\n"
    "    call *(%edx)\n"
    "    ret\n"
    "    .globl raw_int2e\n"
    "raw_int2e:\n"
    "    mov  4(%esp), %eax\n"
    "    mov  8(%esp), %edx\n"
    "    int  $0x2E\n"
    "    ret\n"
    "    .globl probe_read, probe_fault, probe_resume\n"
    "probe_read:\n"
    "    mov  4(%esp), %ecx\n"
    "    xor  %eax, %eax\n"
    "probe_fault:\n"
    "    mov  (%ecx), %eax\n"
    "probe_resume:\n"
    "    ret\n");

static int failures;

static void expect(const char *what, NTSTATUS got, NTSTATUS want, const char *name)
{
    printf("badcalls: %-52s -> 0x%08lx %s%s\n", what, (ULONG)got, name, got == want ? "" : " (UNEXPECTED)");
    failures += got != want;
}

static struct {
    NTSTATUS code;
    ULONG    address;               /* where the fault was */
    ULONG    parameters;
    ULONG    info[2];               /* read (0) or write (1), the address */
} seen;

static EXCEPTION_DISPOSITION probe_handler(PEXCEPTION_RECORD record, PEXCEPTION_REGISTRATION_RECORD frame,
                                          PCONTEXT context, PVOID dispatcher_context)
{
    (void)frame; (void)dispatcher_context;
    seen.code = record->ExceptionCode;
    seen.address = (ULONG)record->ExceptionAddress;
    seen.parameters = record->NumberParameters;
    seen.info[0] = record->NumberParameters > 0 ? record->ExceptionInformation[0] : 0;
    seen.info[1] = record->NumberParameters > 1 ? record->ExceptionInformation[1] : 0;
    if (record->ExceptionCode != STATUS_ACCESS_VIOLATION || context->Eip != (ULONG)probe_fault)
        return ExceptionContinueSearch;
    context->Eip = (ULONG)probe_resume;     /* skip the load */
    context->Eax = 0x5EB0C0DE;              /* what the read "returns" */
    return ExceptionContinueExecution;
}

static void seh_read(void)
{
    EXCEPTION_REGISTRATION_RECORD registration;
    __asm__ volatile ("movl %%fs:0, %0" : "=r"(registration.Next));
    registration.Handler = probe_handler;
    __asm__ volatile ("movl %0, %%fs:0" : : "r"(&registration) : "memory");
    ULONG value = probe_read(0x80100000);
    __asm__ volatile ("movl %0, %%fs:0" : : "r"(registration.Next) : "memory");

    printf("badcalls: under SEH, reading 0x80100000 gave 0x%08lx (set by the handler)\n", value);
    printf("badcalls: the handler saw 0x%08lx at %s, %lu parameter(s)",
           (ULONG)seen.code, seen.address == (ULONG)probe_fault ? "the load" : "another place",
           seen.parameters);
    if (seen.parameters >= 2)
        printf(": %s 0x%08lx", seen.info[0] ? "write to" : "read of", seen.info[1]);
    printf("\n");
    failures += value != 0x5EB0C0DE || seen.code != STATUS_ACCESS_VIOLATION;
}

int main(void)
{
    ULONG args[16] = { 0 };

    expect("sysenter, service 0x11C (the native limit)", raw_sysenter(0x11C),
           STATUS_INVALID_SYSTEM_SERVICE, "STATUS_INVALID_SYSTEM_SERVICE");
    expect("sysenter, service 0x0FFF", raw_sysenter(0x0FFF),
           STATUS_INVALID_SYSTEM_SERVICE, "STATUS_INVALID_SYSTEM_SERVICE");
    expect("sysenter, service 0x1001 (beyond the shadow table)", raw_sysenter(0x1001),
           STATUS_INVALID_SYSTEM_SERVICE, "STATUS_INVALID_SYSTEM_SERVICE");
    expect("sysenter, service 0x002 (an empty slot)", raw_sysenter(0x002),
           STATUS_NOT_IMPLEMENTED, "STATUS_NOT_IMPLEMENTED");
    expect("int 2Eh, NtWriteFile, arguments at 0x80000000", raw_int2e(0x112, 0x80000000),
           STATUS_ACCESS_VIOLATION, "STATUS_ACCESS_VIOLATION");
    expect("int 2Eh, NtWriteFile, arguments at 0x00001000", raw_int2e(0x112, 0x00001000),
           STATUS_ACCESS_VIOLATION, "STATUS_ACCESS_VIOLATION");
    expect("int 2Eh, EAX = 0xFFFFFFFF", raw_int2e(0xFFFFFFFF, (ULONG)args),
           STATUS_INVALID_SYSTEM_SERVICE, "STATUS_INVALID_SYSTEM_SERVICE");
    ULONG local = 0;
    expect("NtReadVirtualMemory into 0x80100000",
           NtReadVirtualMemory(NtCurrentProcess(), &local, (PVOID)0x80100000, sizeof local, NULL),
           STATUS_ACCESS_VIOLATION, "STATUS_ACCESS_VIOLATION");

    seh_read();
    printf("badcalls: %d unexpected result(s); now the same read with no handler\n", failures);
    ULONG value = probe_read(0x80100000);
    printf("badcalls: still alive after reading 0x80100000 (0x%08lx)?\n", value);
    return 1;
}
