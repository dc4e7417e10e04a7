/* native_child.c - sandboxed child of the native executor, built as native64 and (-m32) native32.
 * Freestanding (no libc, so nothing depends on FS/GS/TLS that the code under test may clobber):
 * maps the code page and data window, installs fault handlers on an alternate stack, enters
 * strict seccomp, then runs one case per request on stdin and writes the resulting state or
 * signal to stdout (protocol: native_wire.h; entry/exit glue: native_child_asm.S). Cases start
 * with fresh FPU/SSE state; 64-bit: FS/GS selectors and bases 0; 32-bit: FS/GS flat. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stddef.h>
#include <elf.h>
#include <signal.h>
#include <sys/ucontext.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <asm/ldt.h>
#include <linux/errno.h>
#include "native_wire.h"

#ifdef __x86_64__
#define CHILD_BITS 64
#else
#define CHILD_BITS 32
#endif

#define K_SA_RESTORER 0x04000000u        /* not exported by glibc's <signal.h> */
#define K_HWCAP2_FSGSBASE 2u
/* CF PF AF ZF SF DF OF: the flags a case may set; IF and bit 1 are always 1, TF/AC stay 0. */
#define CASE_FLAGS_MASK 0xcd5u
#define CASE_FLAGS_FIXED 0x202u
#define STACK_SIZE 65536

/* ---- state shared with native_child_asm.S (names and offsets are relied upon there) ---- */
#ifdef __x86_64__
struct enter_ctx { uint64_t rflags; uint64_t gpr[16]; uint64_t target; };
_Static_assert(offsetof(struct enter_ctx, gpr) == 8 && offsetof(struct enter_ctx, target) == 136,
               "native_child_asm.S uses these offsets");
#else
struct enter_ctx {
    uint32_t eflags; uint32_t gpr[8];
    uint32_t target_off, target_sel;   /* far pointer (m16:32) for ljmp */
    uint32_t ds, es, ss;
};
_Static_assert(offsetof(struct enter_ctx, target_off) == 36 && offsetof(struct enter_ctx, ds) == 44
               && offsetof(struct enter_ctx, ss) == 52, "native_child_asm.S uses these offsets");
#endif
struct enter_ctx native_enter_ctx;       /* the case state native_enter loads */
uint32_t native_flat_cs, native_flat_ds; /* selectors the kernel gave us, restored per case */
uint8_t native_have_fsgsbase;            /* 64-bit: reset FS/GS bases with wrfsbase per case */

void native_enter(void) __attribute__((noreturn));
void native_resume(void) __attribute__((noreturn));
void native_sig_entry(int, siginfo_t *, void *);
void native_restorer(void);
extern const char native_enter_start[], native_enter_end[];

/* Called from the assembly glue. */
void child_start(unsigned long *sp) __attribute__((noreturn));
void child_loop(void) __attribute__((noreturn));
void child_on_signal(int sig, siginfo_t *si, void *ucv);

/* ---- child-private state ---- */
/* the window as the parent last described it */
static uint8_t init_data[NATIVE_DATA_SIZE] __attribute__((aligned(64)));
static struct native_wire_req req;            /* the case being run */
/* Window bytes the last case changed (from its diff), so only those need restoring;
 * dirty_all when the diff overflowed. Both start clean: mmap gives zeroes, like init_data. */
static uint16_t dirty[NATIVE_MAX_DIFF];
static unsigned ndirty, dirty_all;
static volatile int in_test;                  /* 1 from native_enter until the next signal */
static uint32_t child_caps;
static uint8_t alt_stack[STACK_SIZE] __attribute__((aligned(64)));
static union {                                /* request or response staging buffer */
    uint8_t bytes[sizeof(struct native_wire_req) + NATIVE_DATA_SIZE];
    struct native_wire_req req;
    struct native_wire_rsp rsp;
} io __attribute__((aligned(16)));

/* ---------------------------------------------------------------- raw syscalls */
#ifdef __x86_64__
static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#else
/* Non-PIE build, so %ebx is free for the first argument. */
static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
    long ret;
    (void)f;   /* no 6-argument call is made on i386 (mmap uses the struct form) */
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
                     : "memory");
    return ret;
}
#endif
#define sys1(nr, a) sys6(nr, (long)(a), 0, 0, 0, 0, 0)
#define sys2(nr, a, b) sys6(nr, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(nr, a, b, c) sys6(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(nr, a, b, c, d) sys6(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static void sys_exit(int code) __attribute__((noreturn));
static void sys_exit(int code)
{
    /* plain exit, not exit_group: it is the one strict seccomp allows */
    for (;;)
        sys1(SYS_exit, code);
}

static void *sys_mmap_fixed(uintptr_t addr, size_t len, int prot)
{
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
#ifdef __x86_64__
    return (void *)sys6(SYS_mmap, (long)addr, (long)len, prot, flags, -1, 0);
#else
    /* i386 old_mmap takes its six arguments in memory */
    uint32_t args[6] = { addr, len, (uint32_t)prot, (uint32_t)flags, (uint32_t)-1, 0 };
    return (void *)sys1(SYS_mmap, args);
#endif
}

/* ---------------------------------------------------------------- libc replacements */
/* gcc may emit calls to these for struct copies even when freestanding. DF is always 0 here. */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

static size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* ---------------------------------------------------------------- I/O */
static int write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        long n = sys3(SYS_write, fd, p, len);
        if (n == -EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Diagnostics go to stderr; stdout carries results only. */
static void say(const char *msg, unsigned long value, int with_value)
{
    char buf[160], *p = buf;
    const char *parts[2] = { CHILD_BITS == 64 ? "native64 child: " : "native32 child: ", msg };
    for (int i = 0; i < 2; i++) {
        size_t n = str_len(parts[i]);
        if (n > 100)
            n = 100;
        memcpy(p, parts[i], n);
        p += n;
    }
    if (with_value) {
        *p++ = ' ';
        *p++ = '0';
        *p++ = 'x';
        for (int sh = (int)sizeof(value) * 8 - 4; sh >= 0; sh -= 4)
            *p++ = "0123456789abcdef"[(value >> sh) & 15];
    }
    *p++ = '\n';
    write_all(2, buf, (size_t)(p - buf));
}

static void die(const char *msg, unsigned long value, int code) __attribute__((noreturn));
static void die(const char *msg, unsigned long value, int code)
{
    say(msg, value, 1);
    sys_exit(code);
}

/* Reads one request (header + the chunks it announces). Returns 0 on EOF at a boundary.
 * The parent sends one request per round trip, so reading "up to a full request" never
 * swallows part of the next one. */
static int read_request(void)
{
    size_t got = 0, need = sizeof(struct native_wire_req), cap = sizeof io.bytes;
    while (got < need) {
        long n = sys3(SYS_read, 0, io.bytes + got, cap - got);
        if (n == -EINTR)
            continue;
        if (n == 0 && got == 0)
            return 0;
        if (n <= 0)
            die("short read from the parent, errno", (unsigned long)-n, 3);
        got += (size_t)n;
        if (got >= sizeof(struct native_wire_req) && need == sizeof(struct native_wire_req)) {
            if (io.req.magic != NATIVE_WIRE_REQ_MAGIC)
                die("bad request magic", io.req.magic, 3);
            need += (size_t)__builtin_popcount(io.req.chunk_mask) * NATIVE_WIRE_CHUNK;
            cap = need;
        }
    }
    if (got != need)
        die("oversized request", got, 3);
    return 1;
}

/* Installs the request: header into req, announced chunks into init_data and the window. */
static void accept_request(void)
{
    const uint8_t *chunk = io.bytes + sizeof(struct native_wire_req);
    memcpy(&req, &io.req, sizeof req);
    for (unsigned i = 0; i < NATIVE_WIRE_NCHUNK; i++) {
        if (!(req.chunk_mask & (1u << i)))
            continue;
        memcpy(init_data + i * NATIVE_WIRE_CHUNK, chunk, NATIVE_WIRE_CHUNK);
        memcpy((uint8_t *)(uintptr_t)NATIVE_DATA_ADDR + i * NATIVE_WIRE_CHUNK, chunk,
               NATIVE_WIRE_CHUNK);
        chunk += NATIVE_WIRE_CHUNK;
    }
    if (req.len > 15)
        die("instruction too long", req.len, 3);
#ifdef __x86_64__
    if (req.code16_seg || req.ldt_data16)
        die("LDT segments requested from the 64-bit child", 0, 3);
#else
    if ((req.code16_seg || req.ldt_data16) && !(child_caps & NATIVE_CAP_LDT))
        die("LDT segments requested but unavailable", 0, 3);
#endif
}

/* ---------------------------------------------------------------- running a case */
static void fill_enter_ctx(void)
{
    struct enter_ctx *x = &native_enter_ctx;
    uint32_t flags = (uint32_t)(req.rflags & CASE_FLAGS_MASK) | CASE_FLAGS_FIXED;
#ifdef __x86_64__
    x->rflags = flags;
    memcpy(x->gpr, req.gpr, sizeof x->gpr);
    x->target = NATIVE_CODE_ADDR;
#else
    x->eflags = flags;
    for (int i = 0; i < 8; i++)
        x->gpr[i] = (uint32_t)req.gpr[i];
    x->target_off = req.code16_seg ? 0 : NATIVE_CODE_ADDR;
    x->target_sel = req.code16_seg ? NATIVE_LDT_CODE_SEL : native_flat_cs;
    x->ds = x->es = x->ss = req.ldt_data16 ? NATIVE_LDT_DATA_SEL : native_flat_ds;
#endif
}

/* Do two 16-aligned 64-byte blocks differ? One branch per block keeps the per-case scans
 * of the code page and the window cheap. */
static int blocks_differ(const void *a, const void *b)
{
    typedef uint64_t v2 __attribute__((vector_size(16), aligned(16)));
    const v2 *x = a, *y = b;
    v2 d = (x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]);
    return (d[0] | d[1]) != 0;
}

/* Puts the instruction at NATIVE_CODE_ADDR with 0xCC everywhere else. Stores into a page
 * that was just executed are expensive (self-modifying-code machine clears), so only
 * blocks that differ are written; the scan also repairs stores the last case made here. */
static void prepare_code_page(void)
{
    static const uint8_t fill[64] __attribute__((aligned(16))) = {
#define CC8 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc
        CC8, CC8, CC8, CC8, CC8, CC8, CC8, CC8
#undef CC8
    };
    uint8_t first[64] __attribute__((aligned(16)));
    uint8_t *page = (uint8_t *)(uintptr_t)NATIVE_CODE_ADDR;
    memcpy(first, fill, sizeof first);
    memcpy(first, req.bytes, req.len);
    for (unsigned off = 0; off < NATIVE_CODE_SIZE; off += 64) {
        const uint8_t *want = off ? fill : first;
        if (blocks_differ(page + off, want))
            memcpy(page + off, want, 64);
    }
}

/* Restores the window to init_data: only the bytes the last case changed (chunks that
 * changed in init_data were already copied by accept_request). */
static void prepare_window(void)
{
    uint8_t *w = (uint8_t *)(uintptr_t)NATIVE_DATA_ADDR;
    if (dirty_all)
        memcpy(w, init_data, NATIVE_DATA_SIZE);
    else
        for (unsigned i = 0; i < ndirty; i++)
            w[dirty[i]] = init_data[dirty[i]];
    ndirty = dirty_all = 0;
}

/* One iteration of the child: entered on a fresh stack via native_resume. */
void child_loop(void)
{
    if (!read_request())
        sys_exit(0);
    accept_request();
    prepare_code_page();
    prepare_window();
    fill_enter_ctx();
    in_test = 1;
    native_enter();
}

/* ---------------------------------------------------------------- collecting the result */
#ifdef __x86_64__
static const int greg_index[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};
#define NGPR 16
#define REG_PC REG_RIP
#else
static const int greg_index[8] = {
    REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_ESP, REG_EBP, REG_ESI, REG_EDI,
};
#define NGPR 8
#define REG_PC REG_EIP
#endif

static uint64_t greg(const ucontext_t *uc, int i)
{
    /* 32-bit gregs are signed ints: zero-extend */
    return (uint64_t)(unsigned long)uc->uc_mcontext.gregs[i];
}

/* Linear address of the stopped instruction pointer: the 16-bit code segment has base
 * NATIVE_CODE_ADDR, every other code segment is flat. */
static uint64_t linear_pc(const ucontext_t *uc)
{
#ifdef __x86_64__
    return greg(uc, REG_PC);
#else
    uint32_t cs = (uint32_t)uc->uc_mcontext.gregs[REG_CS] & 0xffff;
    return (uint32_t)(greg(uc, REG_PC) + (cs == NATIVE_LDT_CODE_SEL ? NATIVE_CODE_ADDR : 0));
#endif
}

/* Was the int3 that stopped at 'at' part of the instruction under test (0xCC or CD 03)? */
static int own_int3(uint64_t at)
{
    uint64_t i = at - NATIVE_CODE_ADDR;
    if (at < NATIVE_CODE_ADDR || i >= req.len)
        return 0;
    return req.bytes[i] == 0xcc || (i >= 1 && req.bytes[i - 1] == 0xcd && req.bytes[i] == 0x03);
}

static void read_bases(struct native_wire_rsp *r)
{
#ifdef __x86_64__
    if (native_have_fsgsbase) {
        __asm__ volatile("rdfsbase %0" : "=r"(r->fs_base));
        __asm__ volatile("rdgsbase %0" : "=r"(r->gs_base));
    }
#else
    (void)r;
#endif
}

/* Bytes of the window that differ from the case's initial data, also remembered in dirty[]
 * for the next prepare_window. Returns the count (at most NATIVE_MAX_DIFF). */
static unsigned diff_window(struct native_wire_diff *d, uint16_t *overflow)
{
    const uint8_t *w = (const uint8_t *)(uintptr_t)NATIVE_DATA_ADDR;
    unsigned n = 0;
    *overflow = 0;
    for (unsigned k = 0; k < NATIVE_DATA_SIZE; k += 64) {
        if (!blocks_differ(w + k, init_data + k))
            continue;
        for (unsigned off = k; off < k + 64; off++) {
            if (w[off] == init_data[off])
                continue;
            if (n == NATIVE_MAX_DIFF) {
                *overflow = 1;
                dirty_all = 1;
                return n;
            }
            d[n].off = dirty[n] = (uint16_t)off;
            d[n].val = w[off];
            d[n].reserved = 0;
            n++;
        }
    }
    ndirty = n;
    return n;
}

static void fill_response(struct native_wire_rsp *r, int sig, const siginfo_t *si,
                          const ucontext_t *uc)
{
    uint64_t pc = linear_pc(uc);
    memset(r, 0, sizeof *r);
    r->magic = NATIVE_WIRE_RSP_MAGIC;
    r->seq = req.seq;
    for (int i = 0; i < NGPR; i++)
        r->gpr[i] = greg(uc, greg_index[i]);
    r->rflags = greg(uc, REG_EFL);
    r->trapno = greg(uc, REG_TRAPNO);
    r->err = greg(uc, REG_ERR);
    r->si_code = si->si_code;
    r->fault_addr = (uint64_t)(uintptr_t)si->si_addr;
    r->signal = sig;
    r->rip = pc;
    /* int3 breakpoints: the 0xCC after the instruction (or wherever a branch landed) is
     * the end marker, so report where it sits and no signal. */
    if (sig == SIGTRAP && r->trapno == 3 && !own_int3(pc - 1)) {
        r->signal = 0;
        r->rip = pc - 1;
        r->si_code = 0;
        r->trapno = r->err = r->fault_addr = 0;
    }
    read_bases(r);
}

/* Signal handler body (native_sig_entry has already cleared DF/AC). Writes the result; the
 * assembly glue then restarts child_loop on its own stack. */
void child_on_signal(int sig, siginfo_t *si, void *ucv)
{
    const ucontext_t *uc = ucv;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_PC];
    if (!in_test) {
        say("fault in the child itself, signal", (unsigned long)sig, 1);
        die("at pc", pc, 4);
    }
    in_test = 0;
    if (pc >= (uintptr_t)native_enter_start && pc < (uintptr_t)native_enter_end)
        die("fault while loading the case state at", pc, 4);
    struct native_wire_rsp *r = &io.rsp;
    struct native_wire_diff *d = (struct native_wire_diff *)(r + 1);
    fill_response(r, sig, si, uc);
    r->ndiff = (uint16_t)diff_window(d, &r->overflow);
    if (write_all(1, r, sizeof *r + r->ndiff * sizeof *d) != 0)
        sys_exit(0);   /* parent went away */
}

/* ---------------------------------------------------------------- setup */
struct k_sigaction {   /* the kernel's layout, same field order on i386 and x86-64 */
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

static void setup_signals(void)
{
    static const int sigs[] = { SIGTRAP, SIGILL, SIGFPE, SIGSEGV, SIGBUS };
    stack_t ss = { .ss_sp = alt_stack, .ss_flags = 0, .ss_size = sizeof alt_stack };
    uint64_t empty = 0;
    /* the handler never returns (native_resume restarts the loop), so SA_NODEFER keeps the
     * mask empty and the restorer is never used; x86-64 insists on having one anyway */
    struct k_sigaction sa = {
        .handler = (void *)native_sig_entry,
        .flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | K_SA_RESTORER,
        .restorer = (void *)native_restorer,
        .mask = 0,
    };
    struct k_sigaction dfl = { .handler = SIG_DFL, .flags = K_SA_RESTORER,
                               .restorer = (void *)native_restorer, .mask = 0 };
    if (sys2(SYS_sigaltstack, &ss, NULL) != 0)
        die("sigaltstack failed", 0, 2);
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sys4(SYS_rt_sigaction, sigs[i], &sa, NULL, 8) != 0)
            die("rt_sigaction failed for signal", (unsigned long)sigs[i], 2);
    /* an ignored SIGPIPE could be inherited; we want to die when the parent goes away */
    sys4(SYS_rt_sigaction, SIGPIPE, &dfl, NULL, 8);
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, 8);
}

static void setup_memory(void)
{
    void *code = sys_mmap_fixed(NATIVE_CODE_ADDR, NATIVE_CODE_SIZE,
                                PROT_READ | PROT_WRITE | PROT_EXEC);
    void *data = sys_mmap_fixed(NATIVE_DATA_ADDR, NATIVE_DATA_SIZE, PROT_READ | PROT_WRITE);
    /* old kernels ignore MAP_FIXED_NOREPLACE and may place the mapping elsewhere */
    if (code != (void *)(uintptr_t)NATIVE_CODE_ADDR)
        die("cannot map the code page, result", (unsigned long)code, 2);
    if (data != (void *)(uintptr_t)NATIVE_DATA_ADDR)
        die("cannot map the data window, result", (unsigned long)data, 2);
}

#ifndef __x86_64__
static int write_ldt_entry(unsigned entry, uint32_t base, int code)
{
    struct user_desc d = {
        .entry_number = entry, .base_addr = base, .limit = 0xffff,
        .seg_32bit = !code,    /* data: B=1 (32-bit stack pointer); code: D=0 */
        .contents = code ? MODIFY_LDT_CONTENTS_CODE : MODIFY_LDT_CONTENTS_DATA,
        .read_exec_only = 0,   /* data writable, code readable */
        .limit_in_pages = 0, .seg_not_present = 0, .useable = 1,
    };
    return (int)sys3(SYS_modify_ldt, 0x11, &d, sizeof d);   /* 0x11: write, new format */
}

/* argv[1] == "ldt": this child serves the code16_seg/ldt_data16 cases (see native.c). */
static int wants_ldt(const unsigned long *sp)
{
    const char *arg = sp[0] >= 2 ? (const char *)sp[2] : "";
    return arg[0] == 'l' && arg[1] == 'd' && arg[2] == 't' && arg[3] == 0;
}

/* LDT 0: data segment over the window (16-bit addressing lands in it); LDT 1: 16-bit code
 * segment over the code page. Must happen before seccomp. */
static void setup_ldt(void)
{
    int e1 = write_ldt_entry(0, NATIVE_DATA_ADDR, 0);
    int e2 = e1 ? e1 : write_ldt_entry(1, NATIVE_CODE_ADDR, 1);
    if (e1 == 0 && e2 == 0)
        child_caps |= NATIVE_CAP_LDT;
    else
        say("modify_ldt failed, code16_seg/ldt_data16 unavailable; errno",
            (unsigned long)-(e1 ? e1 : e2), 1);
}
#endif

static void setup_cpu_state(unsigned long *sp)
{
    uint16_t cs, ds;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    __asm__ volatile("mov %%ss, %0" : "=r"(ds));
    native_flat_cs = cs;
    native_flat_ds = ds;
    /* auxv follows argv and envp on the initial stack */
    unsigned long argc = sp[0], *p = sp + 1 + argc + 1;
    while (*p)
        p++;
    for (p++; p[0] != AT_NULL; p += 2)
        if (p[0] == AT_HWCAP2 && (p[1] & K_HWCAP2_FSGSBASE) && CHILD_BITS == 64)
            native_have_fsgsbase = 1;
    if (native_have_fsgsbase)
        child_caps |= NATIVE_CAP_FSGSBASE;
}

/* Descriptors leaked by the tester (anything not O_CLOEXEC) must not be reachable by a
 * write/read syscall in a case. */
static void close_other_fds(void)
{
    if (sys3(SYS_close_range, 3, ~0u, 0) != 0)
        for (int fd = 3; fd < 1024; fd++)
            sys1(SYS_close, fd);
}

static void setup_sandbox(void)
{
    struct { unsigned long cur, max; } no_core = { 0, 0 };
    close_other_fds();
    sys2(SYS_setrlimit, RLIMIT_CORE, &no_core);
    /* a child stuck in a loop would otherwise outlive a crashed parent */
    sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
    if (sys2(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_STRICT) == 0)
        child_caps |= NATIVE_CAP_SECCOMP;
    else
        say("warning: strict seccomp unavailable, running unsandboxed", 0, 0);
}

void child_start(unsigned long *sp)
{
    setup_cpu_state(sp);
    setup_memory();
    setup_signals();
#ifndef __x86_64__
    if (wants_ldt(sp))
        setup_ldt();
#endif
    setup_sandbox();
    struct native_wire_hello h = { NATIVE_WIRE_HELLO_MAGIC, CHILD_BITS, child_caps, 0 };
    if (write_all(1, &h, sizeof h) != 0)
        sys_exit(0);
    native_resume();
}
