/* ntuser.c - runs the guest's user-mode images (build/guest: ntdll.elf,
 * kernel32.elf and one program) natively in a 32-bit Linux process, with a
 * small stand-in for the kernel's side of the contract, so that the user-mode
 * runtime (crt0, the C runtime, kernel32, ntdll's dispatchers) is tested
 * without the NT kernel.  The images are mapped at their own addresses; the
 * TEB (0x7FFDE000), PEB (0x7FFDF000) and KUSER_SHARED_DATA (0x7FFE0000) are
 * made as the kernel makes them, FS is an LDT segment based at the TEB.
 *
 * What stands in for the kernel:
 *  - SharedUserData->SystemCall points at ntuser_gate instead of
 *    KiFastSystemCall (sysenter would enter Linux): it sees what the kernel
 *    sees (EAX = service, EDX = the user ESP, arguments at EDX + 8);
 *  - int 2Eh, 2Ah, 2Bh and 2Dh fault (#GP) and are emulated in the SIGSEGV
 *    handler; other faults become exceptions delivered to
 *    ntdll!KiUserExceptionDispatcher with an EXCEPTION_RECORD and CONTEXT on
 *    the user stack; NtContinue restores a CONTEXT through a signal return;
 *  - user-mode callbacks (NtUserCallbackDemo) enter
 *    ntdll!KiUserCallbackDispatcher with the frame KeUserModeCallback builds
 *    and come back by int 2Bh or NtCallbackReturn (sigsetjmp/siglongjmp);
 *  - service numbers are checked against the table limits (native 0x11C,
 *    shadow 1) and argument pointers against MmUserProbeAddress as the
 *    kernel does; a service this stand-in lacks returns
 *    STATUS_NOT_IMPLEMENTED;
 *  - other processes and the process's own threads: ntproc.c.
 * Output: the program's console writes on stdout, then one line
 * "[ntuser] exit 0x%08x" with the process's exit status.
 *
 * Usage: ntuser GUEST_DIR PROGRAM.elf [ARGS...]
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <elf.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include "ntuser.h"

#define PROBE_LIMIT   0x7FFF0000u       /* MmUserProbeAddress */
#define STACK_BASE    0x00100000u       /* the guest's stack: 1 MiB below its top */
#define STACK_TOP     0x00200000u
#define MAX_CALLBACKS 8
#define TICK_MS       10

/* The gate and the int 2Eh entry (below) switch to ntuser_stack_top, one
 * per thread (glibc's TLS through GS, which the guest leaves alone). */
__thread ULONG ntuser_stack_top;
ULONG ntuser_service(ULONG number, ULONG args, ULONG user_esp);
void ntuser_gate(void);
void ntuser_int2e_entry(void);
void ntuser_enter(ULONG esp, ULONG eip, ULONG eax, ULONG ebx) __attribute__((noreturn));

__asm__(
    "    .text\n"
    /* Called by an Nt stub (call [7FFE0300h]): EAX = the service number. */
    "    .globl ntuser_gate\n"
    "ntuser_gate:\n"
    "    mov  %esp, %edx\n"
    "    mov  %gs:ntuser_stack_top@ntpoff, %esp\n"
    "    subl $" "0x20000" ", %gs:ntuser_stack_top@ntpoff\n"
    "    push %edx\n"
    "    push %edx\n"                       /* user_esp */
    "    lea  8(%edx), %ecx\n"
    "    push %ecx\n"                       /* args = EDX + 8, as KiFastCallEntry */
    "    push %eax\n"
    "    call ntuser_service\n"
    "    add  $12, %esp\n"
    "    pop  %edx\n"
    "    addl $" "0x20000" ", %gs:ntuser_stack_top@ntpoff\n"
    "    mov  %edx, %esp\n"
    "    ret\n"
    /* Reached from the SIGSEGV handler for int 2Eh: EAX = number, EDX =
     * the arguments, [ESP] = the address after the int instruction. */
    "    .globl ntuser_int2e_entry\n"
    "ntuser_int2e_entry:\n"
    "    mov  %esp, %ecx\n"
    "    mov  %gs:ntuser_stack_top@ntpoff, %esp\n"
    "    subl $" "0x20000" ", %gs:ntuser_stack_top@ntpoff\n"
    "    push %ecx\n"
    "    push %ecx\n"
    "    push %edx\n"
    "    push %eax\n"
    "    call ntuser_service\n"
    "    add  $12, %esp\n"
    "    pop  %ecx\n"
    "    addl $" "0x20000" ", %gs:ntuser_stack_top@ntpoff\n"
    "    mov  %ecx, %esp\n"
    "    ret\n"
    /* Into the guest: ESP, EIP, EAX, EBX. */
    "    .globl ntuser_enter\n"
    "ntuser_enter:\n"
    "    mov  4(%esp), %ecx\n"
    "    mov  8(%esp), %edx\n"
    "    mov  12(%esp), %eax\n"
    "    mov  16(%esp), %ebx\n"
    "    mov  %ecx, %esp\n"
    "    xor  %ebp, %ebp\n"
    "    jmp  *%edx\n");

_Static_assert(SLICE == 0x20000, "the gate's assembly spells SLICE out");

static struct {
    ULONG exception_dispatcher, callback_dispatcher, fast_ret, process_start;
} entry;

static __thread PTEB teb;
static PPEB peb = (PPEB)PEB_ADDRESS;
static volatile KUSER_SHARED_DATA *shared = (volatile KUSER_SHARED_DATA *)USER_SHARED_DATA;
/* A process allocates for itself in the upper half of the heap region; its
 * creator allocates for it (parameters, the first stack) in the lower half. */
static ULONG heap_next = HEAP_BASE + HEAP_SIZE / 2;
const char *guest_dir, *program_dir;
ULONG my_process_id = 0x44;
static int status_fd = -1;              /* a child's report to its creator */

void die(const char *why)
{
    fprintf(stderr, "ntuser: %s\n", why);
    exit(2);
}

/* The first process prints its exit status; a child reports it. */
static void finish(ULONG status) __attribute__((noreturn));
static void finish(ULONG status)
{
    if (status_fd >= 0) {
        fflush(stdout);
        if (write(status_fd, &status, 4) != 4)
            _exit(1);
        _exit(0);
    }
    printf("[ntuser] exit 0x%08lx\n", status);
    fflush(stdout);
    _exit(0);
}

/* ---- loading ---- */

static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(*size);
    if (!data || fread(data, 1, *size, f) != *size)
        die("cannot read an image");
    fclose(f);
    return data;
}

/* Map every PT_LOAD at its address; the lowest address is returned. */
static ULONG map_image(const unsigned char *data, size_t size, ULONG *entry_point)
{
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)data;
    ULONG lowest = 0xFFFFFFFF;
    if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS32)
        die("not an ELF32 image");
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf32_Phdr *ph = (const Elf32_Phdr *)(data + eh->e_phoff + i * eh->e_phentsize);
        if (ph->p_type != PT_LOAD)
            continue;
        ULONG start = ph->p_vaddr & ~0xFFFu, end = (ph->p_vaddr + ph->p_memsz + 0xFFF) & ~0xFFFu;
        if (mmap((void *)start, end - start, PROT_READ | PROT_WRITE | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)start)
            die("cannot map a PT_LOAD");
        memcpy((void *)ph->p_vaddr, data + ph->p_offset, ph->p_filesz);
        if (ph->p_vaddr < lowest)
            lowest = ph->p_vaddr;
    }
    *entry_point = eh->e_entry;
    return lowest;
}

static ULONG symbol(const unsigned char *data, const char *name)
{
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)data;
    const Elf32_Shdr *sh = (const Elf32_Shdr *)(data + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB)
            continue;
        const Elf32_Sym *s = (const Elf32_Sym *)(data + sh[i].sh_offset);
        const char *strtab = (const char *)(data + sh[sh[i].sh_link].sh_offset);
        for (size_t k = 0; k < sh[i].sh_size / sizeof *s; k++)
            if (s[k].st_shndx != SHN_UNDEF && !strcmp(strtab + s[k].st_name, name))
                return s[k].st_value;
    }
    fprintf(stderr, "ntuser: no symbol %s\n", name);
    exit(2);
}

static void load(const char *dir, const char *name, unsigned char **data)
{
    char path[512];
    size_t size;
    ULONG e;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    *data = read_file(path, &size);
    if (!*data)
        die("an image is missing");
    map_image(*data, size, &e);
}

/* ---- user memory, checked as the kernel checks it ---- */

static int user_range_ok(ULONG p, ULONG n)
{
    return p + n >= p && p + n <= PROBE_LIMIT;
}

NTSTATUS user_read(void *dst, ULONG src, ULONG n)
{
    struct iovec local = { dst, n }, remote = { (void *)src, n };
    if (!n)
        return STATUS_SUCCESS;
    if (!user_range_ok(src, n) || process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)n)
        return STATUS_ACCESS_VIOLATION;
    return STATUS_SUCCESS;
}

NTSTATUS user_write(ULONG dst, const void *src, ULONG n)
{
    struct iovec local = { (void *)src, n }, remote = { (void *)dst, n };
    if (!n)
        return STATUS_SUCCESS;
    if (!user_range_ok(dst, n) || process_vm_writev(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)n)
        return STATUS_ACCESS_VIOLATION;
    return STATUS_SUCCESS;
}

/* Another process's memory, checked the same way. */
NTSTATUS remote_copy(pid_t pid, ULONG remote, void *local, ULONG n, int write)
{
    struct iovec l = { local, n }, r = { (void *)remote, n };
    if (!n)
        return STATUS_SUCCESS;
    if (!user_range_ok(remote, n))
        return STATUS_ACCESS_VIOLATION;
    ssize_t done = write ? process_vm_writev(pid, &l, 1, &r, 1, 0) : process_vm_readv(pid, &l, 1, &r, 1, 0);
    return done == (ssize_t)n ? STATUS_SUCCESS : STATUS_PARTIAL_COPY;
}

/* ---- callbacks ---- */

struct callout {
    sigjmp_buf env;
    ULONG stack_top;
    PEXCEPTION_REGISTRATION_RECORD exception_list;
};
static __thread struct callout callouts[MAX_CALLBACKS];
static __thread int callout_depth;
static __thread NTSTATUS callout_status;

/* KeUserModeCallback: the frame of nt-reference.md 7.2 below the user ESP
 * the service was entered with, then KiUserCallbackDispatcher. */
static NTSTATUS user_mode_callback(ULONG api, const void *input, ULONG length, ULONG user_esp)
{
    if (callout_depth == MAX_CALLBACKS)
        return STATUS_STACK_OVERFLOW;
    ULONG stack = (user_esp - length) & ~3u;
    ULONG frame[4] = { 0, api, stack, length };
    if (user_write(stack, input, length) || user_write(stack - 24, frame, sizeof frame))
        return STATUS_ACCESS_VIOLATION;
    int d = callout_depth++;
    callouts[d].stack_top = ntuser_stack_top;
    callouts[d].exception_list = teb->NtTib.ExceptionList;
    if (sigsetjmp(callouts[d].env, 1) == 0)
        ntuser_enter(stack - 24, entry.callback_dispatcher, 0, 0);
    callout_depth = d;
    ntuser_stack_top = callouts[d].stack_top;
    teb->NtTib.ExceptionList = callouts[d].exception_list;
    return callout_status;
}

/* int 2Bh / NtCallbackReturn: back into user_mode_callback. */
static NTSTATUS callback_return(NTSTATUS status)
{
    if (!callout_depth)
        return STATUS_NO_CALLBACK_ACTIVE;
    callout_status = status;
    siglongjmp(callouts[callout_depth - 1].env, 1);
}

/* ---- the services ---- */

static __thread CONTEXT continue_context;

static NTSTATUS nt_continue(ULONG context)
{
    if (user_read(&continue_context, context, sizeof continue_context))
        return STATUS_ACCESS_VIOLATION;
    ntuser_stack_top += SLICE;          /* this service's frame is abandoned */
    raise(SIGUSR1);                     /* its handler loads continue_context */
    die("NtContinue came back");
    return STATUS_UNSUCCESSFUL;
}

static NTSTATUS nt_write_file(const ULONG *a)
{
    static char buf[65536];
    ULONG len = a[6] < sizeof buf ? a[6] : sizeof buf;
    IO_STATUS_BLOCK iosb = { { STATUS_SUCCESS }, len };
    if (a[0] != 0x8 && a[0] != 0xC)
        return STATUS_INVALID_HANDLE;
    if (user_read(buf, a[5], len) || user_write(a[4], &iosb, sizeof iosb))
        return STATUS_ACCESS_VIOLATION;
    fwrite(buf, 1, len, stdout);
    fflush(stdout);
    return STATUS_SUCCESS;
}

static NTSTATUS nt_query_process(const ULONG *a)
{
    PROCESS_BASIC_INFORMATION pbi = { STATUS_PENDING, peb, 1, 8, my_process_id, 0 };
    if (a[0] != (ULONG)NtCurrentProcess() && proc_basic_info((HANDLE)a[0], &pbi))
        return STATUS_INVALID_HANDLE;
    if (a[1] != ProcessBasicInformation)
        return STATUS_INVALID_INFO_CLASS;
    if (a[3] != sizeof pbi)
        return STATUS_INFO_LENGTH_MISMATCH;
    if (user_write(a[2], &pbi, sizeof pbi))
        return STATUS_ACCESS_VIOLATION;
    return a[4] ? user_write(a[4], &a[3], 4) : STATUS_SUCCESS;
}

static NTSTATUS nt_query_thread(const ULONG *a)
{
    THREAD_BASIC_INFORMATION tbi = { STATUS_PENDING, teb, teb->ClientId, 1, 8, 8 };
    if (a[0] != (ULONG)NtCurrentThread() && proc_thread_info((HANDLE)a[0], &tbi))
        return STATUS_INVALID_HANDLE;
    if (a[1] != ThreadBasicInformation)
        return STATUS_INVALID_INFO_CLASS;
    if (a[3] != sizeof tbi)
        return STATUS_INFO_LENGTH_MISMATCH;
    if (user_write(a[2], &tbi, sizeof tbi))
        return STATUS_ACCESS_VIOLATION;
    return a[4] ? user_write(a[4], &a[3], 4) : STATUS_SUCCESS;
}

/* NtRead/WriteVirtualMemory(process, base, buffer, size, count): base is in
 * the process, buffer in this one. */
static NTSTATUS nt_copy_virtual(const ULONG *a, int write)
{
    static unsigned char buf[65536];
    ULONG n = a[3], done = 0;
    pid_t pid = a[0] == (ULONG)NtCurrentProcess() ? getpid() : proc_pid((HANDLE)a[0]);
    if (!pid)
        return STATUS_INVALID_HANDLE;
    if (n > sizeof buf)
        return STATUS_INVALID_PARAMETER;
    if (!user_range_ok(a[1], n) || !user_range_ok(a[2], n))
        return STATUS_ACCESS_VIOLATION;
    NTSTATUS status = write ? user_read(buf, a[2], n) : remote_copy(pid, a[1], buf, n, 0);
    if (!status)
        status = write ? remote_copy(pid, a[1], buf, n, 1) : user_write(a[2], buf, n);
    if (!status)
        done = n;
    else
        status = STATUS_PARTIAL_COPY;
    if (a[4] && user_write(a[4], &done, 4))
        return STATUS_ACCESS_VIOLATION;
    return status;
}

static NTSTATUS nt_allocate(const ULONG *a)
{
    ULONG base, size;
    if (user_read(&base, a[1], 4) || user_read(&size, a[3], 4))
        return STATUS_ACCESS_VIOLATION;
    size = (size + 0xFFF) & ~0xFFFu;
    if (base || !size)
        return STATUS_INVALID_PARAMETER;
    if (a[0] != (ULONG)NtCurrentProcess()) {    /* a child's pre-mapped heap */
        NTSTATUS status = proc_allocate((HANDLE)a[0], size, &base);
        if (!status && (user_write(a[1], &base, 4) || user_write(a[3], &size, 4)))
            return STATUS_ACCESS_VIOLATION;
        return status;
    }
    if (heap_next + size > HEAP_BASE + HEAP_SIZE)
        return STATUS_NO_MEMORY;
    base = heap_next;
    heap_next += size;
    if (mmap((void *)base, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (void *)base)
        return STATUS_NO_MEMORY;
    if (user_write(a[1], &base, 4) || user_write(a[3], &size, 4))
        return STATUS_ACCESS_VIOLATION;
    return STATUS_SUCCESS;
}

static NTSTATUS nt_delay(const ULONG *a)
{
    LARGE_INTEGER t;
    if (user_read(&t, a[1], sizeof t))
        return STATUS_ACCESS_VIOLATION;
    if (t.QuadPart < 0) {
        long long us = -t.QuadPart / 10;
        struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
        nanosleep(&ts, NULL);
    }
    return STATUS_SUCCESS;
}

/* The shadow service 0x1000: *Result = callback(Depth, Value) + Depth. */
static NTSTATUS nt_user_callback_demo(const ULONG *a, ULONG user_esp)
{
    ULONG input[2] = { a[0], a[1] };
    NTSTATUS status = user_mode_callback(0, input, sizeof input, user_esp);
    if (status == STATUS_NO_CALLBACK_ACTIVE || status == STATUS_ACCESS_VIOLATION)
        return status;
    ULONG result = (ULONG)status + a[0];
    return user_write(a[2], &result, 4);
}

static const struct service {
    ULONG number, args;
} services[] = {
    { 0x011, 6 }, { 0x014, 3 }, { 0x019, 1 }, { 0x020, 2 }, { 0x03B, 2 }, { 0x053, 4 },
    { 0x09A, 5 }, { 0x09B, 5 }, { 0x0B5, 3 }, { 0x0B7, 9 }, { 0x0BA, 5 }, { 0x101, 2 },
    { 0x102, 2 }, { 0x112, 9 }, { 0x115, 5 }, { 0x1000, 3 },
    { 0x030, 9 }, { 0x035, 8 }, { 0x0CE, 2 }, { 0x0E5, 4 }, { 0x10F, 3 },
};

ULONG ntuser_service(ULONG number, ULONG args, ULONG user_esp)
{
    ULONG index = number & 0xFFF, table = (number >> 12) & 1, a[16];
    if (index >= (table ? 1u : 0x11Cu))
        return STATUS_INVALID_SYSTEM_SERVICE;
    const struct service *s = NULL;
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (services[i].number == (number & 0x1FFF))
            s = &services[i];
    if (!s)
        return STATUS_NOT_IMPLEMENTED;
    if (user_read(a, args, 4 * s->args))
        return STATUS_ACCESS_VIOLATION;
    switch (s->number) {
    case 0x011: return nt_allocate(a);
    case 0x014: return callback_return((NTSTATUS)a[2]);
    case 0x019: return nt_close(a);
    case 0x030: return nt_create_process(a);
    case 0x035: return nt_create_thread(a);
    case 0x0CE: return nt_resume_thread(a);
    case 0x0E5: return STATUS_SUCCESS;  /* priorities do not matter here */
    case 0x10F: return nt_wait(a);
    case 0x020: return nt_continue(a[0]);
    case 0x03B: return nt_delay(a);
    case 0x053: return STATUS_SUCCESS;
    case 0x09A: return nt_query_process(a);
    case 0x09B: return nt_query_thread(a);
    case 0x0B5: {
        EXCEPTION_RECORD r;
        if (user_read(&r, a[0], sizeof r))
            return STATUS_ACCESS_VIOLATION;
        printf("[ntuser] unhandled exception 0x%08lx\n", (ULONG)r.ExceptionCode);
        finish((ULONG)r.ExceptionCode);
    }
    case 0x0B7: return a[0] == 0x4 ? STATUS_END_OF_FILE : STATUS_INVALID_HANDLE;
    case 0x0BA: return nt_copy_virtual(a, 0);
    case 0x101:
        if (a[0] != (ULONG)NtCurrentProcess())
            return proc_terminate((HANDLE)a[0], a[1]);
        finish(a[1]);
    case 0x102:
        if (a[0] != (ULONG)NtCurrentThread())
            return STATUS_NOT_IMPLEMENTED;
        if (teb != (PTEB)TEB_ADDRESS)
            thread_exit(a[1]);          /* not the first thread */
        finish(a[1]);
    case 0x112: return nt_write_file(a);
    case 0x115: return nt_copy_virtual(a, 1);
    case 0x1000: return nt_user_callback_demo(a, user_esp);
    }
    return STATUS_NOT_IMPLEMENTED;
}

/* ---- faults, the int gates and exceptions ---- */

static int in_guest(ULONG eip)
{
    return (eip >= 0x00400000 && eip < 0x00500000) || (eip >= 0x7C800000 && eip < 0x7CA00000);
}

static ULONG ticks_ms(void)
{
    return (ULONG)(((ULONGLONG)shared->TickCountLow * shared->TickCountMultiplier) >> 24);
}

/* An exception record and context on the user stack, then the dispatcher. */
static void deliver(greg_t *g, NTSTATUS code, ULONG info0, ULONG info1, ULONG params)
{
    ULONG esp = (ULONG)g[REG_ESP];
    esp = (esp - sizeof(CONTEXT)) & ~3u;
    PCONTEXT ctx = (PCONTEXT)esp;
    esp -= sizeof(EXCEPTION_RECORD);
    PEXCEPTION_RECORD rec = (PEXCEPTION_RECORD)esp;
    esp -= 8;
    memset(ctx, 0, sizeof *ctx);
    memset(rec, 0, sizeof *rec);
    ctx->ContextFlags = CONTEXT_FULL;
    ctx->Eax = g[REG_EAX]; ctx->Ebx = g[REG_EBX]; ctx->Ecx = g[REG_ECX]; ctx->Edx = g[REG_EDX];
    ctx->Esi = g[REG_ESI]; ctx->Edi = g[REG_EDI]; ctx->Ebp = g[REG_EBP];
    ctx->Eip = g[REG_EIP]; ctx->Esp = g[REG_ESP]; ctx->EFlags = g[REG_EFL];
    ctx->SegCs = g[REG_CS]; ctx->SegSs = g[REG_SS]; ctx->SegDs = g[REG_DS];
    ctx->SegEs = g[REG_ES]; ctx->SegFs = g[REG_FS]; ctx->SegGs = g[REG_GS];
    rec->ExceptionCode = code;
    rec->ExceptionAddress = (PVOID)g[REG_EIP];
    rec->NumberParameters = params;
    rec->ExceptionInformation[0] = info0;
    rec->ExceptionInformation[1] = info1;
    ((ULONG *)esp)[0] = (ULONG)rec;
    ((ULONG *)esp)[1] = (ULONG)ctx;
    g[REG_ESP] = esp;
    g[REG_EIP] = entry.exception_dispatcher;
}

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    const unsigned char *pc = (const unsigned char *)g[REG_EIP];
    if (!in_guest((ULONG)pc)) {
        fprintf(stderr, "ntuser: signal %d at 0x%08lx outside the guest\n", sig, (ULONG)pc);
        _exit(3);
    }
    if (sig == SIGSEGV && pc[0] == 0xCD) {
        switch (pc[1]) {
        case 0x2E: {                    /* KiSystemService: return to after the int */
            ULONG *sp = (ULONG *)(g[REG_ESP] - 4);
            *sp = (ULONG)pc + 2;
            g[REG_ESP] = (greg_t)sp;
            g[REG_EIP] = (greg_t)ntuser_int2e_entry;
            return;
        }
        case 0x2A:                      /* KiGetTickCount */
            g[REG_EAX] = ticks_ms();
            g[REG_EIP] += 2;
            return;
        case 0x2D:                      /* KiDebugService; the int3 after it is skipped */
            if (g[REG_EAX] == BREAKPOINT_PRINT) {
                char text[512];
                ULONG n = (ULONG)g[REG_EDX] < sizeof text ? (ULONG)g[REG_EDX] : sizeof text - 1;
                if (!user_read(text, g[REG_ECX], n))
                    printf("[dbgprint] %.*s", (int)n, text);
            }
            g[REG_EAX] = STATUS_SUCCESS;
            g[REG_EIP] += pc[2] == 0xCC ? 3 : 2;
            return;
        case 0x2B:                      /* KiCallbackReturn */
            g[REG_EAX] = callback_return((NTSTATUS)g[REG_EAX]);
            g[REG_EIP] += 2;
            return;
        }
    }
    if (sig == SIGSEGV)
        deliver(g, STATUS_ACCESS_VIOLATION, (g[REG_ERR] & 2) ? 1 : 0, (ULONG)si->si_addr, 2);
    else if (sig == SIGFPE)
        deliver(g, STATUS_INTEGER_DIVIDE_BY_ZERO, 0, 0, 0);
    else if (sig == SIGTRAP)
        deliver(g, STATUS_BREAKPOINT, 0, 0, 0);
    else
        deliver(g, STATUS_ILLEGAL_INSTRUCTION, 0, 0, 0);
}

/* NtContinue: the interrupted context becomes continue_context. */
static void on_continue(int sig, siginfo_t *si, void *ucv)
{
    (void)sig; (void)si;
    greg_t *g = ((ucontext_t *)ucv)->uc_mcontext.gregs;
    const CONTEXT *c = &continue_context;
    g[REG_EAX] = c->Eax; g[REG_EBX] = c->Ebx; g[REG_ECX] = c->Ecx; g[REG_EDX] = c->Edx;
    g[REG_ESI] = c->Esi; g[REG_EDI] = c->Edi; g[REG_EBP] = c->Ebp;
    g[REG_EIP] = c->Eip; g[REG_ESP] = c->Esp;
    g[REG_EFL] = (g[REG_EFL] & ~0xCD5) | (c->EFlags & 0xCD5);   /* the arithmetic flags and DF */
}

static void on_tick(int sig)
{
    (void)sig;
    shared->TickCountLow++;
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigaction(sig, &sa, NULL);
}

/* ---- the process ---- */

static void *map_fixed(ULONG va, ULONG size)
{
    void *p = mmap((void *)va, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)va)
        die("cannot map a fixed page");
    return p;
}

static PRTL_USER_PROCESS_PARAMETERS make_parameters(int argc, char **argv)
{
    static RTL_USER_PROCESS_PARAMETERS p;
    static WCHAR line[1024], image[256];
    size_t n = 0;
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    for (int i = 0; i < argc && n < 1000; i++) {   /* words with blanks are quoted */
        const char *s = i ? argv[i] : base;
        int quote = strchr(s, ' ') != NULL;
        if (i)
            line[n++] = ' ';
        if (quote)
            line[n++] = '"';
        for (; *s && n < 1020; s++)
            line[n++] = (unsigned char)*s;
        if (quote)
            line[n++] = '"';
    }
    for (size_t i = 0; base[i] && i < 255; i++)
        image[i] = (unsigned char)base[i];
    p.MaximumLength = p.Length = sizeof p;
    p.Flags = RTL_USER_PROC_PARAMS_NORMALIZED;
    p.StandardInput = (HANDLE)0x4;
    p.StandardOutput = (HANDLE)0x8;
    p.StandardError = (HANDLE)0xC;
    p.CommandLine.Buffer = line;
    p.CommandLine.Length = (USHORT)(n * 2);
    p.CommandLine.MaximumLength = sizeof line;
    p.ImagePathName.Buffer = image;
    p.ImagePathName.Length = (USHORT)(strlen(base) * 2);
    p.ImagePathName.MaximumLength = sizeof image;
    return &p;
}

/* Map the images, the PEB and the shared page, install the handlers. */
static ULONG setup_process(const char *image_path, ULONG *start)
{
    unsigned char *ntdll, *kernel32, *program;
    size_t size;
    load(guest_dir, "ntdll.elf", &ntdll);
    load(guest_dir, "kernel32.elf", &kernel32);
    program = read_file(image_path, &size);
    if (!program)
        die("the program is missing");
    ULONG image_base = map_image(program, size, start);
    entry.exception_dispatcher = symbol(ntdll, "KiUserExceptionDispatcher");
    entry.callback_dispatcher = symbol(ntdll, "KiUserCallbackDispatcher");
    entry.fast_ret = symbol(ntdll, "KiFastSystemCallRet");
    entry.process_start = symbol(kernel32, "BaseProcessStartThunk");

    map_fixed(TEB_ADDRESS, 0x1000);
    map_fixed(PEB_ADDRESS, 0x1000);
    map_fixed(USER_SHARED_DATA, 0x1000);
    shared->TickCountMultiplier = (ULONG)TICK_MS << 24;
    shared->NtMajorVersion = 5;
    shared->NtMinorVersion = 1;
    shared->SystemCall = (ULONG)ntuser_gate;
    shared->SystemCallReturn = entry.fast_ret;
    peb->ImageBaseAddress = (PVOID)image_base;
    peb->NumberOfProcessors = 1;
    peb->OSMajorVersion = 5;
    peb->OSMinorVersion = 1;
    peb->OSBuildNumber = 2600;
    peb->OSPlatformId = 2;

    static unsigned char harness_stack[SLICE * SLICES] __attribute__((aligned(16)));
    ntuser_stack_top = (ULONG)harness_stack + sizeof harness_stack;
    handle(SIGSEGV, on_fault);
    handle(SIGBUS, on_fault);
    handle(SIGILL, on_fault);
    handle(SIGFPE, on_fault);
    handle(SIGTRAP, on_fault);
    handle(SIGUSR1, on_continue);
    struct sigaction tick;
    memset(&tick, 0, sizeof tick);
    tick.sa_handler = on_tick;
    tick.sa_flags = SA_RESTART | SA_ONSTACK;
    sigaction(SIGALRM, &tick, NULL);
    struct itimerval it = { { 0, TICK_MS * 1000 }, { 0, TICK_MS * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    return image_base;
}

/* A thread's TEB at teb_va, FS based at it (LDT entry ldt), and off into
 * user mode. */
void thread_start(ULONG teb_va, int ldt, ULONG thread_id, const struct start_msg *m)
{
    static __thread unsigned char alt[1 << 16];
    stack_t ss = { alt, 0, sizeof alt };
    sigaltstack(&ss, NULL);
    teb = (PTEB)teb_va;
    teb->NtTib.ExceptionList = EXCEPTION_CHAIN_END;
    teb->NtTib.StackBase = (PVOID)m->stack_base;
    teb->NtTib.StackLimit = (PVOID)m->stack_limit;
    teb->NtTib.Self = &teb->NtTib;
    teb->ClientId.UniqueProcess = (HANDLE)my_process_id;
    teb->ClientId.UniqueThread = (HANDLE)thread_id;
    teb->ProcessEnvironmentBlock = peb;

    struct user_desc d;
    memset(&d, 0, sizeof d);
    d.entry_number = ldt;
    d.base_addr = teb_va;
    d.limit = 0xFFF;
    d.seg_32bit = 1;
    d.useable = 1;
    if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0)
        die("modify_ldt failed");
    __asm__ volatile ("movw %w0, %%fs" : : "r"(ldt << 3 | 7));   /* LDT, RPL 3 */
    ntuser_enter(m->esp, m->eip, m->eax, m->ebx);
}

/* ntuser GUEST_DIR PROGRAM.elf [ARGS...]: the first process.
 * ntuser --child CTL STAT ID GUEST_DIR IMAGE: a process made by
 * NtCreateProcessEx (ntproc.c), started by its creator. */
int main(int argc, char **argv)
{
    ULONG start;
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    if (argc == 7 && !strcmp(argv[1], "--child")) {
        int ctl = atoi(argv[2]);
        status_fd = atoi(argv[3]);
        my_process_id = strtoul(argv[4], NULL, 10);
        guest_dir = argv[5];
        program_dir = ".";
        setup_process(argv[6], &start);
        map_fixed(HEAP_BASE, HEAP_SIZE);    /* where the creator allocates */
        if (write(status_fd, "R", 1) != 1)
            _exit(1);
        struct start_msg m;
        child_wait_start(ctl, &m);
        thread_start(TEB_ADDRESS, 0, my_process_id + 4, &m);
    }
    if (argc < 3)
        die("usage: ntuser GUEST_DIR PROGRAM.elf [ARGS...]");
    guest_dir = argv[1];
    static char dir[512];
    snprintf(dir, sizeof dir, "%s", argv[2]);
    program_dir = strrchr(dir, '/') ? (*strrchr(dir, '/') = 0, dir) : ".";
    setup_process(argv[2], &start);
    peb->ProcessParameters = make_parameters(argc - 2, argv + 2);
    map_fixed(STACK_BASE, STACK_TOP - STACK_BASE);
    struct start_msg m = { entry.process_start, STACK_TOP - 4, start, (ULONG)peb, STACK_TOP, STACK_BASE };
    thread_start(TEB_ADDRESS, 0, my_process_id + 4, &m);
}
