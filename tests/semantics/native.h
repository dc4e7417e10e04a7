/* native.h - host-side executor for the instruction-semantics differential tester.
 * Runs one instruction natively in a sandboxed child process (build/tests/native64 or
 * native32) from a given register/memory state and returns the resulting state or the
 * signal it raised. native_run returns 0 ok, -1 if the child died/hung/misbehaved (it is
 * restarted for the next call), -2 if the case cannot be run by this child (bad len,
 * code16_seg/ldt_data16 on the 64-bit child, or LDT segments unavailable). */
#ifndef RINGSIM_TESTS_SEMANTICS_NATIVE_H
#define RINGSIM_TESTS_SEMANTICS_NATIVE_H

#include <stdint.h>
#include <stddef.h>
#define NATIVE_CODE_ADDR   0x20000000u  /* instruction placed here, page filled with 0xCC (int3) */
#define NATIVE_CODE_SIZE   0x1000u
#define NATIVE_DATA_ADDR   0x10000000u  /* data window: memory operands and the stack point here */
#define NATIVE_DATA_SIZE   0x2000u      /* 8 KiB */
#define NATIVE_MAX_DIFF    256
enum native_width { NATIVE_64, NATIVE_32 };
struct native_case {
    uint8_t  bytes[15]; uint8_t len;      /* instruction at NATIVE_CODE_ADDR */
    uint64_t gpr[16];                     /* rax rcx rdx rbx rsp rbp rsi rdi r8..r15 (32-bit: 0..7, low 32 bits) */
    uint64_t rflags;                      /* CF PF AF ZF SF DF OF (and TF must be 0); others ignored */
    uint8_t  data[NATIVE_DATA_SIZE];      /* initial contents of the data window */
    int      code16_seg;                  /* 32-bit child only: 1 = run in a 16-bit code segment (D=0), see below; else 0 */
    int      ldt_data16;                  /* 32-bit child only: 1 = DS/ES/SS are an LDT data segment with base NATIVE_DATA_ADDR (for 16-bit addressing) */
};
struct native_result {
    int      signal;                      /* 0 = ran to the int3 after it / a trap landed in the code page; else SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGTRAP(if by INT3/INT1 in the insn itself) ... */
    int      si_code; uint64_t fault_addr;/* from siginfo, when signal != 0 */
    uint64_t trapno, err;                 /* from the ucontext (REG_TRAPNO / REG_ERR) when signal != 0: these give the x86 vector and error code */
    uint64_t gpr[16]; uint64_t rip; uint64_t rflags;  /* state at the stop (for a fault: state at the faulting instruction) */
    uint64_t fs_base, gs_base;            /* 64-bit child: its bases, so the interpreter can mirror them */
    uint16_t ndiff; struct { uint16_t off; uint8_t val; } diff[NATIVE_MAX_DIFF]; /* bytes of the data window that differ from the initial data */
    int      diff_overflow;               /* more than NATIVE_MAX_DIFF bytes changed */
};
struct native;                                            /* a running child of one width */
struct native *native_open(enum native_width w, const char *child_path);   /* NULL + message on stderr on failure */
int  native_run(struct native *n, const struct native_case *c, struct native_result *r);  /* 0 ok; -1 if the child died unexpectedly (it is restarted transparently for the next call) */
void native_close(struct native *n);

#endif
