/* native_selftest.c - standalone check of the native executor (native.c + native64/native32):
 * known instructions with known inputs must give known outputs, faults must give the right
 * signal/vector at the right RIP, and dead/hung/garbling children must be survived.
 * Usage: native_selftest [native64 [native32]] [-v] [--quick] [--bench N]
 * Prints "native selftest: N passed, M failed"; exit status 1 on any failure. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libgen.h>
#include "native.h"

#define CODE NATIVE_CODE_ADDR
#define DATA NATIVE_DATA_ADDR
#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_DF 0x400u
#define F_OF 0x800u
#define F_AC 0x40000u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_DF | F_OF)
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8 };

static int passed, failed, verbose;

static void check(int ok, const char *test, const char *fmt, ...)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s: ", test);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---------------------------------------------------------------- case helpers */
static void new_case(struct native_case *c, const uint8_t *bytes, size_t len)
{
    memset(c, 0, sizeof *c);
    memcpy(c->bytes, bytes, len);
    c->len = (uint8_t)len;
    for (size_t i = 0; i < NATIVE_DATA_SIZE; i++)
        c->data[i] = (uint8_t)(i * 7 + 3);
    c->gpr[RSP] = DATA + 0x1000;
}
#define CASE(c, ...) new_case((c), (const uint8_t[]){ __VA_ARGS__ }, \
                              sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void put32(struct native_case *c, unsigned off, uint32_t v)
{
    memcpy(c->data + off, &v, 4);
}

static void put64(struct native_case *c, unsigned off, uint64_t v)
{
    memcpy(c->data + off, &v, 8);
}

/* The window after the run: initial data with the reported diff applied. */
static void apply_diff(const struct native_case *c, const struct native_result *r, uint8_t *out)
{
    memcpy(out, c->data, NATIVE_DATA_SIZE);
    for (unsigned i = 0; i < r->ndiff; i++)
        out[r->diff[i].off] = r->diff[i].val;
}

static uint32_t get32(const struct native_case *c, const struct native_result *r, unsigned off)
{
    static uint8_t win[NATIVE_DATA_SIZE];
    uint32_t v;
    apply_diff(c, r, win);
    memcpy(&v, win + off, 4);
    return v;
}

static uint64_t get64(const struct native_case *c, const struct native_result *r, unsigned off)
{
    return get32(c, r, off) | (uint64_t)get32(c, r, off + 4) << 32;
}

static void show(const char *test, const struct native_result *r)
{
    if (!verbose)
        return;
    printf("  %-28s sig=%-2d code=%-4d addr=%#llx trapno=%llu err=%#llx rip=%#llx fl=%#llx nd=%u\n",
           test, r->signal, r->si_code, (unsigned long long)r->fault_addr,
           (unsigned long long)r->trapno, (unsigned long long)r->err,
           (unsigned long long)r->rip, (unsigned long long)r->rflags, r->ndiff);
}

/* Runs c; checks that native_run returned 0 and the stop was (sig, rip). */
static int run(struct native *n, const char *test, const struct native_case *c,
               struct native_result *r, int sig, uint64_t rip)
{
    int rc = native_run(n, c, r);
    check(rc == 0, test, "native_run returned %d", rc);
    if (rc != 0)
        return 0;
    show(test, r);
    check(r->signal == sig, test, "signal %d, expected %d", r->signal, sig);
    check(r->rip == rip, test, "rip %#llx, expected %#llx", (unsigned long long)r->rip,
          (unsigned long long)rip);
    return r->signal == sig && r->rip == rip;
}

static void expect_trap(const char *test, const struct native_result *r, unsigned trapno)
{
    check(r->trapno == trapno, test, "trapno %llu, expected %u", (unsigned long long)r->trapno,
          trapno);
}

/* ---------------------------------------------------------------- 64-bit cases */
static void t64_add(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0x01, 0xd8);                       /* add eax, ebx */
    c.gpr[RAX] = 0x1111111170000000ull;
    c.gpr[RBX] = 0x10000000;
    c.rflags = F_CF | F_ZF;
    if (!run(n, "add eax,ebx", &c, &r, 0, CODE + 2))
        return;
    check(r.gpr[RAX] == 0x80000000ull, "add eax,ebx", "rax %#llx", (unsigned long long)r.gpr[RAX]);
    check((r.rflags & F_ARITH) == (F_OF | F_SF | F_PF), "add eax,ebx", "flags %#llx",
          (unsigned long long)r.rflags);
    check(r.ndiff == 0 && r.gpr[RBX] == 0x10000000, "add eax,ebx", "side effects");
}

static void t64_regs_roundtrip(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0x90);                             /* nop */
    for (int i = 0; i < 16; i++)
        c.gpr[i] = 0x0102030405060708ull * (uint64_t)(i + 1) ^ 0x8000000000000000ull;
    c.gpr[RSP] = DATA + 0x800;
    c.rflags = F_ARITH;
    if (!run(n, "nop roundtrip", &c, &r, 0, CODE + 1))
        return;
    check(memcmp(r.gpr, c.gpr, sizeof r.gpr) == 0, "nop roundtrip", "registers changed");
    check((r.rflags & F_ARITH) == F_ARITH, "nop roundtrip", "flags %#llx",
          (unsigned long long)r.rflags);
    check((r.rflags & 0x100) == 0, "nop roundtrip", "TF set");
}

static void t64_faults(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0xf7, 0xf3);                       /* div ebx, ebx = 0 */
    if (run(n, "div by zero", &c, &r, SIGFPE, CODE)) {
        expect_trap("div by zero", &r, 0);
        check(r.si_code == FPE_INTDIV, "div by zero", "si_code %d", r.si_code);
    }
    CASE(&c, 0x0f, 0x0b);                       /* ud2 */
    if (run(n, "ud2", &c, &r, SIGILL, CODE))
        expect_trap("ud2", &r, 6);
    CASE(&c, 0x8b, 0x03);                       /* mov eax, [rbx] unmapped */
    c.gpr[RBX] = 0x30000000;
    if (run(n, "load unmapped", &c, &r, SIGSEGV, CODE)) {
        expect_trap("load unmapped", &r, 14);
        check(r.fault_addr == 0x30000000 && r.si_code == SEGV_MAPERR, "load unmapped",
              "addr %#llx code %d", (unsigned long long)r.fault_addr, r.si_code);
    }
    CASE(&c, 0xf4);                             /* hlt: #GP at CPL3 */
    if (run(n, "hlt", &c, &r, SIGSEGV, CODE))
        expect_trap("hlt", &r, 13);
}

static void t64_protection(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0xcd, 0x21);                       /* int 0x21: #GP(0x21*8+2) */
    if (run(n, "int 0x21", &c, &r, SIGSEGV, CODE)) {
        expect_trap("int 0x21", &r, 13);
        check(r.err == 0x10a, "int 0x21", "err %#llx", (unsigned long long)r.err);
    }
    CASE(&c, 0x8b, 0x03);                       /* non-canonical: #GP(0) */
    c.gpr[RBX] = 0x8000000000000000ull;
    if (run(n, "non-canonical load", &c, &r, SIGSEGV, CODE))
        expect_trap("non-canonical load", &r, 13);
    CASE(&c, 0x50);                             /* push rax, non-canonical rsp: #SS */
    c.gpr[RSP] = 0x8000000000000008ull;
    if (run(n, "push, bad rsp", &c, &r, SIGBUS, CODE))
        expect_trap("push, bad rsp", &r, 12);
    CASE(&c, 0x9d, 0x8b, 0x03);                 /* popfq (sets AC); misaligned mov: #AC */
    put64(&c, 0x1000, 0x40202);
    c.gpr[RBX] = DATA + 1;
    if (run(n, "#AC", &c, &r, SIGBUS, CODE + 1)) {
        expect_trap("#AC", &r, 17);
        check(r.si_code == BUS_ADRALN, "#AC", "si_code %d", r.si_code);
    }
}

static void t64_int3(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0xcc);
    if (run(n, "own int3", &c, &r, SIGTRAP, CODE + 1))
        expect_trap("own int3", &r, 3);
    CASE(&c, 0xcd, 0x03);
    run(n, "own int 3", &c, &r, SIGTRAP, CODE + 2);
    CASE(&c, 0xb0, 0xcc);                       /* mov al, 0xcc: not a breakpoint */
    if (run(n, "mov al,0xcc", &c, &r, 0, CODE + 2))
        check((r.gpr[RAX] & 0xff) == 0xcc, "mov al,0xcc", "al");
    CASE(&c, 0xf1);                             /* int1/icebp */
    if (run(n, "int1", &c, &r, SIGTRAP, CODE + 1))
        expect_trap("int1", &r, 1);
}

static void t64_memory(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0x89, 0x03);                       /* mov [rbx], eax */
    c.gpr[RBX] = DATA + 0x100;
    c.gpr[RAX] = 0xa1b2c3d4;
    if (run(n, "store", &c, &r, 0, CODE + 2))
        check(r.ndiff == 4 && get32(&c, &r, 0x100) == 0xa1b2c3d4, "store",
              "ndiff %u value %#x", r.ndiff, get32(&c, &r, 0x100));
    CASE(&c, 0x50);                             /* push rax */
    c.gpr[RAX] = 0x1122334455667788ull;
    if (run(n, "push rax", &c, &r, 0, CODE + 1))
        check(r.gpr[RSP] == DATA + 0xff8 && get64(&c, &r, 0xff8) == c.gpr[RAX], "push rax",
              "rsp %#llx", (unsigned long long)r.gpr[RSP]);
    CASE(&c, 0xf3, 0xaa);                       /* rep stosb, 300 bytes */
    c.gpr[RDI] = DATA + 0x10;
    c.gpr[RCX] = 300;
    c.gpr[RAX] = 0x5a;
    memset(c.data, 0, sizeof c.data);
    if (run(n, "rep stosb overflow", &c, &r, 0, CODE + 2))
        check(r.diff_overflow && r.ndiff == NATIVE_MAX_DIFF && r.gpr[RCX] == 0 &&
              r.diff[0].off == 0x10 && r.diff[0].val == 0x5a, "rep stosb overflow",
              "ndiff %u overflow %d", r.ndiff, r.diff_overflow);
    CASE(&c, 0xfd);                             /* std */
    if (run(n, "std", &c, &r, 0, CODE + 1))
        check(r.rflags & F_DF, "std", "DF not set");
    CASE(&c, 0xfc);                             /* cld */
    c.rflags = F_DF;
    if (run(n, "cld", &c, &r, 0, CODE + 1))
        check(!(r.rflags & F_DF), "cld", "DF still set");
}

static void t64_branches(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0xeb, 0x10);                       /* jmp +0x10 */
    run(n, "jmp rel8", &c, &r, 0, CODE + 0x12);
    CASE(&c, 0xeb, 0xfc);                       /* jmp -4: below the code page */
    if (run(n, "jmp out of page", &c, &r, SIGSEGV, CODE - 2))
        check(r.fault_addr == CODE - 2, "jmp out of page", "fault_addr");
    CASE(&c, 0xe8, 0x00, 0x01, 0x00, 0x00);     /* call +0x100 */
    if (run(n, "call rel32", &c, &r, 0, CODE + 0x105))
        check(r.gpr[RSP] == DATA + 0xff8 && get64(&c, &r, 0xff8) == CODE + 5, "call rel32",
              "return address");
    CASE(&c, 0xc3);                             /* ret to 0x12345678 */
    put64(&c, 0x1000, 0x12345678);
    if (run(n, "ret to nowhere", &c, &r, SIGSEGV, 0x12345678))
        check(r.fault_addr == 0x12345678, "ret to nowhere", "fault_addr");
}

static void t64_fsbase(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0xf3, 0x48, 0x0f, 0xae, 0xd0);     /* wrfsbase rax */
    c.gpr[RAX] = 0x12345000;
    if (native_run(n, &c, &r) != 0 || r.signal == SIGILL) {
        printf("  (wrfsbase unavailable, fs_base not checked)\n");
        return;
    }
    check(r.signal == 0 && r.fs_base == 0x12345000, "wrfsbase", "fs_base %#llx",
          (unsigned long long)r.fs_base);
    CASE(&c, 0x90);
    if (run(n, "fs_base reset", &c, &r, 0, CODE + 1))
        check(r.fs_base == 0 && r.gs_base == 0, "fs_base reset", "bases not reset");
}

/* Whatever a case does to segments, the code page or TF must not leak into the next. */
static void t64_no_leaks(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0x8e, 0xe0);                       /* mov fs, eax = 0x2b */
    c.gpr[RAX] = 0x2b;
    run(n, "mov fs", &c, &r, 0, CODE + 2);
    CASE(&c, 0x8c, 0xe0);                       /* mov eax, fs */
    c.gpr[RAX] = 0x1234;
    if (run(n, "fs reset", &c, &r, 0, CODE + 2))
        check(r.gpr[RAX] == 0, "fs reset", "fs %#llx", (unsigned long long)r.gpr[RAX]);
    CASE(&c, 0x89, 0x03);                       /* mov [rbx], eax into the code page */
    c.gpr[RBX] = CODE + 0x10;
    c.gpr[RAX] = 0x90909090;
    run(n, "store into code", &c, &r, 0, CODE + 2);
    CASE(&c, 0xeb, 0x0e);                       /* jmp CODE+0x10: must be 0xCC again */
    run(n, "code page repaired", &c, &r, 0, CODE + 0x10);
    CASE(&c, 0x9d, 0x90);                       /* popfq with TF; nop: single-step trap */
    put64(&c, 0x1000, 0x302);
    if (run(n, "popf TF", &c, &r, SIGTRAP, CODE + 2))
        expect_trap("popf TF", &r, 1);
    CASE(&c, 0x90);
    if (run(n, "TF reset", &c, &r, 0, CODE + 1))
        check(!(r.rflags & 0x100), "TF reset", "TF leaked");
}

/* The child must be replaced transparently after dying, garbling or hanging. */
static void t64_robustness(struct native *n, int quick)
{
    struct native_case c;
    struct native_result r;
    fflush(stdout);
    fprintf(stderr, "(the following 'native:' messages are expected)\n");
    CASE(&c, 0x0f, 0x05);                       /* syscall getpid: strict seccomp kills */
    c.gpr[RAX] = 39;
    check(native_run(n, &c, &r) == -1, "seccomp kill", "expected -1");
    CASE(&c, 0x0f, 0x05);                       /* syscall write(1, CODE, 16): garbage */
    c.gpr[RAX] = 1;
    c.gpr[RDI] = 1;
    c.gpr[RSI] = CODE;
    c.gpr[RDX] = 16;
    check(native_run(n, &c, &r) == -1, "garbage", "expected -1");
    if (!quick) {
        CASE(&c, 0xeb, 0xfe);                   /* jmp $: hangs */
        check(native_run(n, &c, &r) == -1, "hang", "expected -1");
    }
    CASE(&c, 0x01, 0xd8);
    c.gpr[RAX] = 2;
    c.gpr[RBX] = 3;
    if (run(n, "after restart", &c, &r, 0, CODE + 2))
        check(r.gpr[RAX] == 5, "after restart", "rax %llu", (unsigned long long)r.gpr[RAX]);
    c.code16_seg = 1;
    check(native_run(n, &c, &r) == -2, "code16 on 64-bit", "expected -2");
}

/* ---------------------------------------------------------------- 32-bit cases */
static void t32_basic(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0x37);                             /* aaa */
    c.gpr[RAX] = 0x1234010f;
    if (run(n, "aaa", &c, &r, 0, CODE + 1)) {
        check(r.gpr[RAX] == 0x12340205, "aaa", "eax %#llx", (unsigned long long)r.gpr[RAX]);
        check((r.rflags & (F_AF | F_CF)) == (F_AF | F_CF), "aaa", "AF/CF");
    }
    CASE(&c, 0x60);                             /* pusha */
    for (int i = 0; i < 8; i++)
        c.gpr[i] = 0x11111111u * (uint32_t)(i + 1);
    c.gpr[RSP] = DATA + 0x1000;
    if (run(n, "pusha", &c, &r, 0, CODE + 1)) {
        static const int order[8] = { RDI, RSI, RBP, RSP, RBX, RDX, RCX, RAX };
        check(r.gpr[RSP] == DATA + 0xfe0 && r.ndiff == 32, "pusha", "esp/ndiff");
        for (int i = 0; i < 8; i++)
            check(get32(&c, &r, 0xfe0 + 4 * (unsigned)i) == (uint32_t)c.gpr[order[i]], "pusha",
                  "slot %d", i);
    }
    CASE(&c, 0x01, 0xd8);                       /* add eax, ebx: high gpr bits ignored */
    c.gpr[RAX] = 0xffffffff00000001ull;
    c.gpr[RBX] = 0xffffffff;
    if (run(n, "add 32", &c, &r, 0, CODE + 2))
        check(r.gpr[RAX] == 0 && (r.rflags & (F_CF | F_ZF)) == (F_CF | F_ZF), "add 32", "result");
    CASE(&c, 0xcc);
    run(n, "own int3 32", &c, &r, SIGTRAP, CODE + 1);
}

static void t32_faults(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0xf7, 0xf3);                       /* div ebx = 0 */
    if (run(n, "div by zero 32", &c, &r, SIGFPE, CODE))
        expect_trap("div by zero 32", &r, 0);
    CASE(&c, 0x0f, 0x0b);
    if (run(n, "ud2 32", &c, &r, SIGILL, CODE))
        expect_trap("ud2 32", &r, 6);
    CASE(&c, 0xce);                             /* into, OF=1: #OF (a trap) */
    c.rflags = F_OF;
    if (run(n, "into", &c, &r, SIGSEGV, CODE + 1))
        expect_trap("into", &r, 4);
    CASE(&c, 0x62, 0x03);                       /* bound eax, [ebx]: #BR */
    c.gpr[RBX] = DATA;
    put32(&c, 0, 0);
    put32(&c, 4, 10);
    c.gpr[RAX] = 100;
    if (run(n, "bound", &c, &r, SIGSEGV, CODE))
        expect_trap("bound", &r, 5);
    CASE(&c, 0x8e, 0xd8);                       /* mov ds, ax = 0x17 (no such LDT entry) */
    c.gpr[RAX] = 0x17;
    if (run(n, "mov ds bad", &c, &r, SIGSEGV, CODE)) {
        expect_trap("mov ds bad", &r, 13);
        check(r.err == 0x14, "mov ds bad", "err %#llx", (unsigned long long)r.err);
    }
    CASE(&c, 0x9d, 0x8b, 0x03);                 /* popfd (AC); misaligned load: #AC */
    put32(&c, 0x1000, 0x40202);
    c.gpr[RBX] = DATA + 2;
    if (run(n, "#AC 32", &c, &r, SIGBUS, CODE + 1))
        expect_trap("#AC 32", &r, 17);
}

static void t32_segments(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0x66, 0x67, 0x8b, 0x00);           /* mov ax, [bx+si] via 0x67 */
    c.ldt_data16 = 1;
    c.gpr[RAX] = 0x55550000;
    c.gpr[RBX] = 0xdead0100;
    c.gpr[RSI] = 0xbeef0023;
    c.gpr[RSP] = 0x1000;
    c.data[0x123] = 0x34;
    c.data[0x124] = 0x12;
    int rc = native_run(n, &c, &r);
    if (rc == -2) {
        printf("  (LDT segments unavailable: 16-bit cases skipped)\n");
        return;
    }
    show("mov ax,[bx+si] (0x67)", &r);
    check(rc == 0 && r.signal == 0 && r.gpr[RAX] == 0x55551234 && r.rip == CODE + 4,
          "mov ax,[bx+si] (0x67)", "rc %d sig %d eax %#llx", rc, r.signal,
          (unsigned long long)r.gpr[RAX]);
    CASE(&c, 0x50);                             /* push eax with SS = window segment */
    c.ldt_data16 = 1;
    c.gpr[RSP] = 0x1000;
    c.gpr[RAX] = 0xcafef00d;
    if (run(n, "push, ldt ss", &c, &r, 0, CODE + 1))
        check(r.gpr[RSP] == 0xffc && get32(&c, &r, 0xffc) == 0xcafef00d, "push, ldt ss",
              "esp %#llx", (unsigned long long)r.gpr[RSP]);
    CASE(&c, 0x50);                             /* push below 0: #SS past the limit */
    c.ldt_data16 = 1;
    c.gpr[RSP] = 0;
    if (run(n, "#SS ldt", &c, &r, SIGBUS, CODE))
        expect_trap("#SS ldt", &r, 12);
}

/* Returns 0 if this kernel cannot run code16_seg cases. */
static int t32_code16(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0x8b, 0x00);                       /* 16-bit code: mov ax, [bx+si] */
    c.code16_seg = c.ldt_data16 = 1;
    c.gpr[RAX] = 0x55550000;
    c.gpr[RBX] = 0x0100;
    c.gpr[RSI] = 0x0023;
    c.gpr[RSP] = 0x1000;
    c.data[0x123] = 0x78;
    c.data[0x124] = 0x56;
    int rc = native_run(n, &c, &r);
    if (rc == -2) {
        printf("  (code16_seg unavailable)\n");
        return 0;
    }
    show("code16 mov ax,[bx+si]", &r);
    check(rc == 0 && r.signal == 0 && r.gpr[RAX] == 0x55555678 && r.rip == CODE + 2,
          "code16 mov ax,[bx+si]", "rc %d sig %d eax %#llx rip %#llx", rc, r.signal,
          (unsigned long long)r.gpr[RAX], (unsigned long long)r.rip);
    CASE(&c, 0xeb, 0x10);                       /* jmp +0x10 in 16-bit code */
    c.code16_seg = c.ldt_data16 = 1;
    c.gpr[RSP] = 0x1000;
    run(n, "code16 jmp", &c, &r, 0, CODE + 0x12);
    CASE(&c, 0x50);                             /* push ax (16-bit operand) */
    c.code16_seg = c.ldt_data16 = 1;
    c.gpr[RSP] = 0x1000;
    c.gpr[RAX] = 0xabcd1234;
    if (run(n, "code16 push", &c, &r, 0, CODE + 1))
        check(r.gpr[RSP] == 0xffe && r.ndiff == 2, "code16 push", "esp %#llx",
              (unsigned long long)r.gpr[RSP]);
    return 1;
}

static void t32_code16_traps(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0xf7, 0xf3);                       /* div bx = 0 */
    c.code16_seg = c.ldt_data16 = 1;
    c.gpr[RSP] = 0x1000;
    if (run(n, "code16 div0", &c, &r, SIGFPE, CODE))
        expect_trap("code16 div0", &r, 0);
    CASE(&c, 0xcc);
    c.code16_seg = c.ldt_data16 = 1;
    c.gpr[RSP] = 0x1000;
    run(n, "code16 int3", &c, &r, SIGTRAP, CODE + 1);
}

static void t32_no_leaks(struct native *n)
{
    struct native_case c;
    struct native_result r;
    CASE(&c, 0x8e, 0xe8);                       /* mov gs, eax = 0 */
    run(n, "mov gs,0", &c, &r, 0, CODE + 2);
    CASE(&c, 0x8c, 0xe8);                       /* mov eax, gs: flat again */
    if (run(n, "gs reset", &c, &r, 0, CODE + 2))
        check(r.gpr[RAX] != 0, "gs reset", "gs still null");
    CASE(&c, 0x8e, 0xd8, 0x8b, 0x03);           /* ds = 0; load through it: #GP */
    c.gpr[RBX] = DATA;
    run(n, "null ds load", &c, &r, SIGSEGV, CODE + 2);
    CASE(&c, 0x8b, 0x03);                       /* ds flat again */
    c.gpr[RBX] = DATA + 8;
    put32(&c, 8, 0x600df00d);
    if (run(n, "ds reset", &c, &r, 0, CODE + 2))
        check(r.gpr[RAX] == 0x600df00d, "ds reset", "eax %#llx", (unsigned long long)r.gpr[RAX]);
}

/* Plain and LDT cases go to different children; each must see its own case's window, and
 * a killed LDT child must come back. */
static void t32_interleave(struct native *n)
{
    struct native_case c;
    struct native_result r;
    for (int i = 0; i < 6; i++) {
        int ldt = i & 1;
        CASE(&c, 0x8b, 0x03);                   /* mov eax, [ebx] */
        c.ldt_data16 = ldt;
        c.gpr[RBX] = (ldt ? 0 : DATA) + 0x200;
        c.gpr[RSP] = (ldt ? 0 : DATA) + 0x1000;
        put32(&c, 0x200, 0x1000u * (uint32_t)i + 7);
        if (native_run(n, &c, &r) == -2)
            return;
        check(r.signal == 0 && r.gpr[RAX] == 0x1000u * (uint32_t)i + 7, "interleave",
              "case %d eax %#llx", i, (unsigned long long)r.gpr[RAX]);
    }
    fflush(stdout);
    fprintf(stderr, "(the following 'native:' message is expected)\n");
    CASE(&c, 0xcd, 0x80);                       /* int 0x80 getpid: seccomp kills */
    c.ldt_data16 = 1;
    c.gpr[RAX] = 20;
    c.gpr[RSP] = 0x1000;
    check(native_run(n, &c, &r) == -1, "LDT child killed", "expected -1");
    CASE(&c, 0x90);
    c.ldt_data16 = 1;
    c.gpr[RSP] = 0x1000;
    run(n, "LDT child restarted", &c, &r, 0, CODE + 1);
}

/* ---------------------------------------------------------------- benchmark */
static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* mode 0: same window every case; 1: one byte changes; 2: the whole window changes;
 * 3: like 0 but with ldt_data16 (the 32-bit LDT child). */
static void bench(struct native *n, const char *name, long count, int mode)
{
    static struct native_case c;
    struct native_result r;
    CASE(&c, 0x01, 0x03);                       /* add [rbx], eax */
    c.gpr[RBX] = mode == 3 ? 0x40 : DATA + 0x40;
    c.gpr[RSP] = mode == 3 ? 0x1000 : DATA + 0x1000;
    c.ldt_data16 = mode == 3;
    double t0 = seconds();
    long bad = 0;
    for (long i = 0; i < count; i++) {
        c.gpr[RAX] = (uint64_t)i * 0x9e3779b97f4a7c15ull | 1;   /* never 0: must store */
        if (mode == 1)
            c.data[i & (NATIVE_DATA_SIZE - 1)]++;
        else if (mode == 2)
            memset(c.data, (int)i, sizeof c.data);
        if (native_run(n, &c, &r) != 0 || r.signal != 0 || r.ndiff == 0)
            bad++;
    }
    double dt = seconds() - t0;
    printf("  %-34s %8.0f cases/s (%ld cases, %.2f s)\n", name, count / dt, count, dt);
    check(bad == 0, name, "%ld cases failed", bad);
}

/* ---------------------------------------------------------------- main */
static char *sibling(const char *argv0, const char *name)
{
    char *dup = strdup(argv0), *out = NULL;
    if (dup && asprintf(&out, "%s/%s", dirname(dup), name) < 0)
        out = NULL;
    free(dup);
    return out;
}

static void test_64(const char *path, int quick, long bench_n)
{
    struct native *n = native_open(NATIVE_64, path);
    check(n != NULL, "open native64", "%s", path);
    if (!n)
        return;
    printf("64-bit child:\n");
    t64_add(n);
    t64_regs_roundtrip(n);
    t64_faults(n);
    t64_protection(n);
    t64_int3(n);
    t64_memory(n);
    t64_branches(n);
    t64_fsbase(n);
    t64_no_leaks(n);
    t64_robustness(n, quick);
    bench(n, "64-bit, same window", bench_n, 0);
    bench(n, "64-bit, 1 byte of window changes", bench_n, 1);
    bench(n, "64-bit, whole window changes", bench_n / 4, 2);
    native_close(n);
}

static void test_32(const char *path, long bench_n)
{
    struct native *n = native_open(NATIVE_32, path);
    check(n != NULL, "open native32", "%s", path);
    if (!n)
        return;
    printf("32-bit child:\n");
    t32_basic(n);
    t32_faults(n);
    t32_no_leaks(n);
    t32_segments(n);
    if (t32_code16(n))
        t32_code16_traps(n);
    t32_interleave(n);
    bench(n, "32-bit, same window", bench_n, 0);
    bench(n, "32-bit, 1 byte of window changes", bench_n, 1);
    bench(n, "32-bit, whole window changes", bench_n / 4, 2);
    bench(n, "32-bit ldt_data16 (LDT child)", bench_n, 3);
    native_close(n);
}

int main(int argc, char **argv)
{
    const char *paths[2] = { NULL, NULL };
    char *own[2] = { sibling(argv[0], "native64"), sibling(argv[0], "native32") };
    int npaths = 0, quick = 0;
    long bench_n = 30000;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--bench") && i + 1 < argc)
            bench_n = atol(argv[++i]);
        else if (npaths < 2)
            paths[npaths++] = argv[i];
    }
    test_64(paths[0] ? paths[0] : own[0], quick, bench_n);
    test_32(paths[1] ? paths[1] : own[1], bench_n);
    free(own[0]);
    free(own[1]);
    printf("native selftest: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
