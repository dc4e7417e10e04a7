/* ntsvc.h - what the per-service test programs share: the check lines
 * ("NtClose: <what> -> 0x%08x ok" or "... FAILED (want 0x%08x)"), the plan
 * line the host test holds the count against, the hostile addresses, a
 * page that ends where an unmapped page begins, and raw system calls by
 * number through sysenter (KiFastSystemCall's shape) and int 2Eh.
 * Every program prints "NAME: plan N checks" first and
 * "NAME: N checks, M failed" last; its exit status is M. */
#ifndef NTSVC_H
#define NTSVC_H

#include <stdio.h>
#include <string.h>
#include <ntdll.h>
#include <windows.h>

#ifndef STATUS_NOT_COMMITTED
#define STATUS_NOT_COMMITTED            ((NTSTATUS)0xC000002DL)
#endif
#ifndef STATUS_INVALID_PARAMETER_MIX
#define STATUS_INVALID_PARAMETER_MIX    ((NTSTATUS)0xC0000030L)
#endif
#ifndef STATUS_INVALID_PARAMETER_4
#define STATUS_INVALID_PARAMETER_3      ((NTSTATUS)0xC00000F1L)
#define STATUS_INVALID_PARAMETER_4      ((NTSTATUS)0xC00000F2L)
#define STATUS_INVALID_PARAMETER_5      ((NTSTATUS)0xC00000F3L)
#define STATUS_INVALID_PARAMETER_6      ((NTSTATUS)0xC00000F4L)
#endif
#ifndef STATUS_UNABLE_TO_FREE_VM
#define STATUS_UNABLE_TO_FREE_VM        ((NTSTATUS)0xC000001AL)
#endif
#ifndef STATUS_NO_YIELD_PERFORMED
#define STATUS_NO_YIELD_PERFORMED       ((NTSTATUS)0x40000024L)
#endif
#define EVENT_ALL_ACCESS_SVC 0x001F0003
#define NOTIFICATION_EVENT   0          /* NotificationEvent */
#define SYNCHRONIZATION_EVENT 1         /* SynchronizationEvent */

#ifndef MEM_DECOMMIT
#define MEM_DECOMMIT   0x00004000
#endif
#ifndef MEM_FREE
#define MEM_FREE       0x00010000
#define MEM_PRIVATE    0x00020000
#endif
#ifndef PAGE_EXECUTE
#define PAGE_EXECUTE           0x10
#define PAGE_EXECUTE_READ      0x20
#define PAGE_WRITECOPY         0x08
#define PAGE_GUARD             0x100
#endif

/* NtQueryVirtualMemory's MemoryBasicInformation (class 0). */
typedef struct {
    PVOID BaseAddress, AllocationBase;
    ULONG AllocationProtect;
    SIZE_T RegionSize;
    ULONG State, Protect, Type;
} MEMORY_BASIC_INFORMATION_SVC;

/* Addresses no user-mode argument may be. */
#define KERNEL_VA      ((void *)0x80000000u)    /* the first kernel byte */
#define SHARED_KVA     ((void *)0xFFDF0000u)    /* KUSER_SHARED_DATA, kernel view */
#define UNMAPPED_VA    ((void *)0x00001000u)    /* in the first 64 KB: never mapped */
#define PROBE_VA       ((void *)0x7FFF0000u)    /* MmUserProbeAddress: past user space */
#define SHARED_UVA     ((void *)0x7FFE0000u)    /* read-only in user mode */

static const char *svc_name;
static __attribute__((unused)) int svc_checks, svc_failed;

static __attribute__((unused)) void svc_begin(const char *name, int planned)
{
    svc_name = name;
    printf("%s: plan %d checks\n", name, planned);
}

/* One check: got against want, printed either way. */
static __attribute__((unused)) int check(const char *what, ULONG got, ULONG want)
{
    svc_checks++;
    if (got == want) {
        printf("%s: %s -> 0x%08lx ok\n", svc_name, what, got);
        return 1;
    }
    svc_failed++;
    printf("%s: %s -> 0x%08lx FAILED (want 0x%08lx)\n", svc_name, what, got, want);
    return 0;
}

/* A check whose condition is a truth, shown as 1 (want 1). */
static __attribute__((unused)) int check_true(const char *what, int condition)
{
    return check(what, condition ? 1 : 0, 1);
}

static __attribute__((unused)) int svc_end(void)
{
    printf("%s: %d checks, %d failed\n", svc_name, svc_checks, svc_failed);
    return svc_failed;
}

/* ---- memory to aim at ---- */

static __attribute__((unused)) PVOID svc_alloc(ULONG size, ULONG type, ULONG protect)
{
    PVOID base = NULL;
    SIZE_T region = size;
    NTSTATUS s = NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &region, type, protect);
    if (s != STATUS_SUCCESS) {
        printf("%s: setup: NtAllocateVirtualMemory -> 0x%08lx\n", svc_name, (ULONG)s);
        return NULL;
    }
    return base;
}

static __attribute__((unused)) void svc_free(PVOID base)
{
    SIZE_T region = 0;
    NtFreeVirtualMemory(NtCurrentProcess(), &base, &region, MEM_RELEASE);
}

/* Two reserved pages with only the first committed: the returned address
 * is `tail` bytes before the end of the committed page, so an object of
 * more than `tail` bytes there crosses into a page that is not mapped. */
static __attribute__((unused)) UCHAR *svc_edge(ULONG tail)
{
    UCHAR *base = svc_alloc(0x2000, MEM_RESERVE, PAGE_READWRITE);
    if (!base) return NULL;
    PVOID commit = base;
    SIZE_T region = 0x1000;
    if (NtAllocateVirtualMemory(NtCurrentProcess(), &commit, 0, &region, MEM_COMMIT, PAGE_READWRITE)) {
        printf("%s: setup: commit failed\n", svc_name);
        return NULL;
    }
    return base + 0x1000 - tail;
}

/* The pointers a user-mode argument of `size` bytes must not be: NULL
 * (when it is not optional), kernel space, the unmapped first pages, the
 * probe address, one crossing from a committed page into an unmapped one,
 * and for an output the read-only shared page.  Returns the count. */
struct svc_bad { const char *name; void *p; };

static __attribute__((unused)) int svc_bad_pointers(struct svc_bad *b, int with_null, int output, ULONG size)
{
    static UCHAR *edge_page;
    int n = 0;
    if (!edge_page) edge_page = svc_edge(0x1000);
    if (with_null) b[n++] = (struct svc_bad){ "NULL", NULL };
    b[n++] = (struct svc_bad){ "kernel 0x80000000", KERNEL_VA };
    b[n++] = (struct svc_bad){ "kernel 0xFFDF0000", SHARED_KVA };
    b[n++] = (struct svc_bad){ "unmapped 0x00001000", UNMAPPED_VA };
    b[n++] = (struct svc_bad){ "0x7FFF0000 (past user space)", PROBE_VA };
    if (size > 1 && edge_page)
        b[n++] = (struct svc_bad){ "crossing into an unmapped page", edge_page + 0x1000 - size / 2 };
    if (output) b[n++] = (struct svc_bad){ "read-only 0x7FFE0000", SHARED_UVA };
    return n;
}

/* A committed read-only page of the caller's own. */
static __attribute__((unused)) UCHAR *svc_readonly_page(void)
{
    UCHAR *p = svc_alloc(0x1000, MEM_COMMIT | MEM_RESERVE, PAGE_READONLY);
    return p;
}

/* ---- raw system calls ---- */

/* cdecl: the service number, the argument array and its count; the call
 * goes through the stub shape of ntdll (sysenter via KiFastSystemCall) or
 * straight through int 2Eh with EDX at the arguments. */
ULONG svc_sysenter(ULONG number, const ULONG *args, ULONG count);
ULONG svc_int2e(ULONG number, const ULONG *args, ULONG count);
/* int 2Eh with EDX (the argument pointer) as given. */
ULONG svc_int2e_edx(ULONG number, ULONG edx);

__asm__(
    "    .text\n"
    "    .globl svc_sysenter, svc_int2e, svc_int2e_edx\n"
    "svc_int2e_edx:\n"
    "    mov  4(%esp), %eax\n"
    "    mov  8(%esp), %edx\n"
    "    int  $0x2E\n"
    "    ret\n"
    "svc_sysenter:\n"
    "    push %ebp\n"
    "    mov  %esp, %ebp\n"
    "    push %esi\n"
    "    mov  12(%ebp), %esi\n"
    "    mov  16(%ebp), %ecx\n"
    "1:  test %ecx, %ecx\n"
    "    jz   2f\n"
    "    dec  %ecx\n"
    "    pushl (%esi,%ecx,4)\n"
    "    jmp  1b\n"
    "2:  mov  8(%ebp), %eax\n"
    "    call svc_sysenter_stub\n"
    "    lea  -4(%ebp), %esp\n"
    "    pop  %esi\n"
    "    pop  %ebp\n"
    "    ret\n"
    "svc_sysenter_stub:\n"
    "    mov  $0x7FFE0300, %edx\n"
    "    call *(%edx)\n"
    "    ret\n"
    "svc_int2e:\n"
    "    push %ebp\n"
    "    mov  %esp, %ebp\n"
    "    push %esi\n"
    "    mov  12(%ebp), %esi\n"
    "    mov  16(%ebp), %ecx\n"
    "1:  test %ecx, %ecx\n"
    "    jz   2f\n"
    "    dec  %ecx\n"
    "    pushl (%esi,%ecx,4)\n"
    "    jmp  1b\n"
    "2:  mov  8(%ebp), %eax\n"
    "    mov  %esp, %edx\n"
    "    int  $0x2E\n"
    "    lea  -4(%ebp), %esp\n"
    "    pop  %esi\n"
    "    pop  %ebp\n"
    "    ret\n");

/* A handle that was valid and is closed now. */
static __attribute__((unused)) HANDLE svc_closed_handle(void)
{
    HANDLE h = NULL;
    NtCreateEvent(&h, EVENT_ALL_ACCESS_SVC, NULL, 0, FALSE);
    NtClose(h);
    return h;
}

/* Handles that must not work: 0, 0x1234, a closed one, one of another type. */
struct svc_handle { const char *name; HANDLE h; NTSTATUS want; };

static __attribute__((unused)) int svc_bad_handles(struct svc_handle *b, HANDLE wrong_type)
{
    int n = 0;
    b[n++] = (struct svc_handle){ "handle 0", NULL, STATUS_INVALID_HANDLE };
    b[n++] = (struct svc_handle){ "handle 0x1234", (HANDLE)0x1234, STATUS_INVALID_HANDLE };
    b[n++] = (struct svc_handle){ "a closed handle", svc_closed_handle(), STATUS_INVALID_HANDLE };
    b[n++] = (struct svc_handle){ "a handle of the wrong type", wrong_type, STATUS_OBJECT_TYPE_MISMATCH };
    return n;
}

static __attribute__((unused)) HANDLE svc_event(void)
{
    HANDLE h = NULL;
    NtCreateEvent(&h, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, FALSE);
    return h;
}

#endif
