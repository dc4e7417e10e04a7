/* sys64.h - the system library of the 64-bit guest tests (lm_*.c; crt0_64.S
 * enters long mode): a GDT with 64-bit and compatibility segments in the
 * layout SYSCALL/SYSRET want, a 64-bit TSS with RSP0 and IST1, a 64-bit IDT
 * whose stubs build one frame, and fault capture as in sys.h:
 *     struct fault64 f;
 *     int v = run_catch64(code, &f);    vector, or NO_FAULT if code returned
 *     int v = run_user64(code, &f);     at CPL 3 in CS 0x33; ends with int $0x80
 */
#ifndef SYS64_H
#define SYS64_H

#include "guest.h"

#define KCODE32 0x08
#define KCODE64 0x10
#define KDATA64 0x18
#define UCODE32 0x23            /* compatibility mode, DPL 3 (STAR[63:48]) */
#define UDATA64 0x2B            /* STAR[63:48] + 8 */
#define UCODE64 0x33            /* STAR[63:48] + 16 */
#define TSS64_SEL 0x38          /* 16 bytes: slots 7 and 8 */
#define GDT64_SPARE 9           /* slots 9 .. GDT64_SLOTS-1 are the tests' own */
#define GDT64_SLOTS 16
#define SEL_SLOT(sel) ((sel) >> 3)

#define VEC_USER_DONE 0x80
#define NO_FAULT (-1)
#define NO_ERROR 0xFFFFFFFFFFFFFFFFull

extern uint64_t gdt64[GDT64_SLOTS];

struct gate64 {
    uint32_t w0, w1, w2, w3;
};
extern struct gate64 idt64[256];
/* An interrupt (0xE) or trap (0xF) gate to the stub of vec, with DPL and IST. */
void idt64_gate(unsigned vec, unsigned type, unsigned dpl, unsigned ist);

struct __attribute__((packed)) tss64 {
    uint32_t r0;
    uint64_t rsp[3];
    uint64_t r1;
    uint64_t ist[7];
    uint64_t r2;
    uint16_t r3, iomap;
};
extern struct tss64 tss64;
extern uint8_t kstack64[8192], ist1_stack[4096], ustack64[4096];
#define KSTACK64_TOP ((uint64_t)(kstack64 + sizeof kstack64))
#define IST1_TOP ((uint64_t)(ist1_stack + sizeof ist1_stack))
#define USTACK64_TOP ((uint64_t)(ustack64 + sizeof ustack64))

struct frame64 {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

struct fault64 {
    int vector;
    uint64_t error, rip, cs, rflags, rsp, ss;
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, r11;
    uint64_t cr2;
    uint64_t frame_at;          /* the address of the pushed RIP */
};

typedef void (*handler64_fn)(struct frame64 *);
void set_handler64(unsigned vec, handler64_fn h);
int run_catch64(void (*code)(void), struct fault64 *out);
int run_user64(void (*code)(void), struct fault64 *out, uint64_t rflags);

void check_fault64(const char *name, const struct fault64 *f, int vector, uint64_t error,
                   const void *rip);
void check_eq64(const char *name, uint64_t expected, uint64_t got);

#define ASM_FN(name, body) \
    void name(void); \
    __asm__(".text\n.p2align 4\n.globl " #name "\n" #name ":\n" body "\n")
#define LABEL(l) ".globl " #l "\n" #l ":\n"

void sys64_init(void);

static inline uint64_t rdmsr64(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr64(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t read_cr(int n)
{
    uint64_t v = 0;
    switch (n) {
    case 0: __asm__ volatile("mov %%cr0, %0" : "=r"(v)); break;
    case 2: __asm__ volatile("mov %%cr2, %0" : "=r"(v)); break;
    case 3: __asm__ volatile("mov %%cr3, %0" : "=r"(v)); break;
    case 4: __asm__ volatile("mov %%cr4, %0" : "=r"(v)); break;
    }
    return v;
}
static inline void write_cr3_64(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4_64(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

#endif
