/* sys.h - the system library of guest tests (Intel SDM Vol. 3): the image's
 * own GDT, IDT and TSS, exception capture, IRQ handlers, ring 3, gates, the
 * 8259 pair and identity page tables.  An image calls sys_init() first; from
 * then on CS = KCODE, DS/ES/FS/GS/SS = KDATA, every vector has a stub and
 * the 8259s send IRQs 0-15 to vectors 0x20-0x2F, all masked.
 *
 * Capturing a fault:
 *     struct fault f;
 *     int v = run_catch(code, &f);     v = vector, or NO_FAULT if code returned
 * code runs at CPL 0 on the kernel stack; a fault (or any vector without a
 * handler) is recorded in f and run_catch returns as if code had returned.
 * run_user() does the same at CPL 3: code ends with "int $VEC_USER_DONE"
 * (a DPL-3 interrupt gate), which run_user reports as NO_FAULT.  Either way
 * the caller gets back flat ring-0 segments, its stack and its EFLAGS.
 */
#ifndef SYS_H
#define SYS_H

#include "guest.h"

/* ---- selectors (GDT slots) ---------------------------------------------- */
#define KCODE   0x08            /* ring 0, 32-bit, flat */
#define KDATA   0x10
#define UCODE   0x1B            /* ring 3 (slot 3, RPL 3) */
#define UDATA   0x23            /* ring 3 (slot 4, RPL 3) */
#define CODE16  0x28            /* ring 0, 16-bit, base 0, limit 0xFFFF */
#define DATA16  0x30
#define TSS_SEL 0x38            /* the main task: ESP0/SS0, the I/O bitmap */
#define TSS2_SEL 0x40           /* a second task (tests fill it) */
#define TSS3_SEL 0x48           /* a third task (e.g. the #DF task) */
#define GDT_SPARE 10            /* slots 10 .. GDT_SLOTS-1 are the tests' own */
#define GDT_SLOTS 32
#define SLOT(sel) ((sel) >> 3)
#define SEL(slot, rpl) ((uint16_t)((slot) << 3 | (rpl)))

#define VEC_USER_DONE 0x80      /* DPL 3: ring-3 code is finished */
#define NO_FAULT (-1)
/* The stub's marker where no error code was pushed.  The stubs of vectors 8,
 * 10-14, 17, 21, 29 and 30 expect the CPU's error code: do not reach them
 * with INT n, which pushes none. */
#define NO_ERROR 0xFFFFFFFFu

/* ---- descriptors --------------------------------------------------------- */
struct desc {
    uint32_t lo, hi;
};

/* Access bytes (type in bits 3:0, S, DPL, P) */
#define D_DATA_RW   0x92        /* present, DPL 0, data read/write */
#define D_DATA_RO   0x90
#define D_DATA_RWD  0x96        /* expand-down */
#define D_CODE_XR   0x9A
#define D_CODE_X    0x98        /* execute-only */
#define D_CODE_CXR  0x9E        /* conforming */
#define D_TSS32     0x89        /* available 32-bit TSS */
#define D_LDT       0x82
#define D_DPL(n)    ((n) << 5)
#define D_NP        0x80        /* xor with an access byte: not present */
/* Flags (bits 7:4 of the descriptor's byte 6) */
#define F_G   0x8
#define F_DB  0x4

struct desc make_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);
/* A gate: type 0xE interrupt, 0xF trap, 0xC call, 0x5 task (param count for calls). */
struct desc make_gate(uint16_t sel, uint32_t off, uint8_t type, unsigned dpl, unsigned params);
#define G_INT  0xE
#define G_TRAP 0xF
#define G_CALL 0xC
#define G_TASK 0x5
#define G_INT16 0x6

extern struct desc gdt[GDT_SLOTS];
extern struct desc idt[256];
void gdt_set(unsigned slot, struct desc d);
void idt_set(unsigned vec, struct desc d);
/* Back to the stub through an interrupt gate of the given DPL. */
void idt_default(unsigned vec, unsigned dpl);
void lidt_limit(uint16_t limit);     /* reload the IDT with this limit */

/* ---- the TSS -------------------------------------------------------------- */
struct tss32 {
    uint16_t link, r0;
    uint32_t esp0; uint16_t ss0, r1;
    uint32_t esp1; uint16_t ss1, r2;
    uint32_t esp2; uint16_t ss2, r3;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10;
    uint16_t trap, iomap;
};
/* The main task (TR = TSS_SEL): its TSS, then the I/O bitmap (all ones =
 * every port denied) and the SDM's terminating 0xFF byte. */
struct tss_io {
    struct tss32 t;
    uint8_t map[8192 + 1];
};
extern struct tss_io tss_main;
#define tss (tss_main.t)
#define tss_iomap (tss_main.map)
void iomap_allow(uint16_t port, int allow);
/* A task that starts at eip on its own stack, flat ring-0 segments, IF off. */
void tss_make_task(struct tss32 *t, void (*eip)(void), uint32_t esp);

/* ---- the frame every stub builds ----------------------------------------- */
struct frame {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;                /* only after a privilege change */
    uint32_t v86_es, v86_ds, v86_fs, v86_gs;   /* only from virtual-8086 mode */
};

struct fault {
    int vector;
    uint32_t error, eip, cs, eflags;
    uint32_t esp, ss;                /* valid when cs & 3 != 0 or from V86 */
    uint32_t v86_es, v86_ds, v86_fs, v86_gs;   /* valid from V86 (EFLAGS.VM) */
    uint32_t ds, es, fs, gs;         /* the data segments when the vector arrived */
    uint32_t eax, ecx, edx, ebx, esi, edi;
    uint32_t cr2;
    uint32_t handler_esp;            /* where the CPU put the frame (&frame->eip) */
};

typedef void (*handler_fn)(struct frame *);
void set_handler(unsigned vec, handler_fn h);

int run_catch(void (*code)(void), struct fault *out);
/* At CPL 3 with the given EFLAGS (IOPL etc.; bit 1 is set for you) and DS/ES. */
int run_user_ex(void (*code)(void), struct fault *out, uint32_t eflags, uint16_t ds);
int run_user(void (*code)(void), struct fault *out);
/* In virtual-8086 mode at cs:ip with the given EFLAGS (VM is set for you),
 * SS:SP = V86_SS:V86_SP and DS = ES = FS = GS = ds.  The code ends with INT
 * VEC_USER_DONE (which needs IOPL 3 without VME), reported as NO_FAULT. */
int run_v86(uint16_t cs, uint16_t ip, uint32_t eflags, uint16_t ds, struct fault *out);
#define V86_SS 0x2200
#define V86_SP 0xFFF0
#define EFLAGS_VM 0x20000u
extern uint8_t user_stack[4096];
#define USER_STACK_TOP ((uint32_t)(user_stack + sizeof user_stack))
extern uint8_t kernel_stack[8192];   /* TSS.ESP0's stack */
#define KERNEL_STACK_TOP ((uint32_t)(kernel_stack + sizeof kernel_stack))

/* One check of a captured fault: vector, error code and faulting EIP. */
void check_fault(const char *name, const struct fault *f, int vector, uint32_t error,
                 const void *eip);

/* Assembly snippets with labels C can see:
 *   ASM_FN(name, "insn\n" "insn\n")   defines void name(void)
 * A label inside: "LABEL(name_at)" then extern char name_at[]. */
#define ASM_FN(name, body) \
    void name(void); \
    __asm__(".text\n.p2align 4\n.globl " #name "\n" #name ":\n" body "\n")
#define LABEL(l) ".globl " #l "\n" #l ":\n"

void sys_init(void);

/* ---- registers ----------------------------------------------------------- */
static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(uint32_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static inline uint32_t read_eflags(void) { uint32_t v; __asm__ volatile("pushf; pop %0" : "=r"(v)); return v; }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void invlpg(const volatile void *p) { __asm__ volatile("invlpg (%0)" : : "r"(p) : "memory"); }
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint16_t read_seg_ds(void) { uint16_t v; __asm__ volatile("mov %%ds, %0" : "=r"(v)); return v; }
#define EFLAGS_IF 0x200u
#define EFLAGS_TF 0x100u
#define EFLAGS_NT 0x4000u
#define EFLAGS_RF 0x10000u
#define EFLAGS_IOPL(n) ((uint32_t)(n) << 12)

/* ---- the 8259 pair at vectors 0x20-0x2F ---------------------------------- */
#define PIC_VEC 0x20
void pic_remap(uint8_t master_mask, uint8_t slave_mask);
uint8_t pic_irr(uint16_t cmd);
uint8_t pic_isr(uint16_t cmd);

/* ---- identity page tables ------------------------------------------------- */
#define PTE_P  0x001u
#define PTE_W  0x002u
#define PTE_U  0x004u
#define PTE_PWT 0x008u
#define PTE_PCD 0x010u
#define PTE_A  0x020u
#define PTE_D  0x040u
#define PTE_PS 0x080u
#define PTE_G  0x100u
/* 32-bit paging: pd32 maps the first 4 GiB with 4 MiB pages (P W U), except
 * 0-4 MiB which pt32_low maps with 4 KiB pages (P W U).  Returns CR3. */
extern uint32_t pd32[1024], pt32_low[1024];
uint32_t paging32_build(void);
/* PAE: 4 PDPTEs, 2 MiB pages (P W U), 0-2 MiB through ptpae_low (4 KiB). */
extern uint64_t pdpt[4], pdpae[4][512], ptpae_low[512];
uint32_t paging_pae_build(void);
void paging_on(uint32_t cr3, uint32_t cr4_bits);   /* CR4 |= bits, CR3, CR0.PG */
void paging_off(void);                              /* CR0.PG = 0, CR4 PSE/PAE kept */

#endif
