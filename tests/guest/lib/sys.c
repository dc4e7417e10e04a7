/* sys.c - the system library of guest tests (sys.h): descriptor tables,
 * the main TSS, the vector dispatcher with fault capture, ring 3, the 8259
 * pair and identity page tables.
 */
#include "sys.h"

struct desc gdt[GDT_SLOTS] __attribute__((aligned(8)));
struct desc idt[256] __attribute__((aligned(8)));
struct tss_io tss_main __attribute__((aligned(128)));
uint8_t user_stack[4096] __attribute__((aligned(4096)));   /* one page of its own */
uint8_t kernel_stack[8192] __attribute__((aligned(16)));

extern const uint32_t isr_table[256];
static handler_fn handlers[256];

/* ---- descriptors --------------------------------------------------------- */

struct desc make_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    struct desc d;
    d.lo = (limit & 0xFFFF) | (base & 0xFFFF) << 16;
    d.hi = (base >> 16 & 0xFF) | (uint32_t)access << 8 | (limit & 0xF0000) |
           (uint32_t)(flags & 0xF) << 20 | (base & 0xFF000000);
    return d;
}

struct desc make_gate(uint16_t sel, uint32_t off, uint8_t type, unsigned dpl, unsigned params)
{
    struct desc d;
    d.lo = (off & 0xFFFF) | (uint32_t)sel << 16;
    d.hi = (off & 0xFFFF0000) | 0x8000 | (dpl & 3) << 13 | (uint32_t)(type & 0xF) << 8 |
           (params & 0x1F);
    return d;
}

void gdt_set(unsigned slot, struct desc d) { gdt[slot] = d; }
void idt_set(unsigned vec, struct desc d) { idt[vec] = d; }

void idt_default(unsigned vec, unsigned dpl)
{
    idt[vec] = make_gate(KCODE, isr_table[vec], G_INT, dpl, 0);
}

struct __attribute__((packed)) dtr {
    uint16_t limit;
    uint32_t base;
};

void lidt_limit(uint16_t limit)
{
    struct dtr r = { limit, (uint32_t)idt };
    __asm__ volatile("lidt %0" : : "m"(r));
}

/* ---- the TSS ------------------------------------------------------------- */

void iomap_allow(uint16_t port, int allow)
{
    if (allow) tss_iomap[port >> 3] &= (uint8_t)~(1u << (port & 7));
    else tss_iomap[port >> 3] |= (uint8_t)(1u << (port & 7));
}

void tss_make_task(struct tss32 *t, void (*eip)(void), uint32_t esp)
{
    *t = (struct tss32){ 0 };
    t->eip = (uint32_t)eip;
    t->esp = esp;
    t->eflags = 0x2;
    t->cs = KCODE;
    t->ss = t->ds = t->es = t->fs = t->gs = KDATA;
    t->ss0 = KDATA;
    t->esp0 = esp;
    t->cr3 = read_cr3();
    t->iomap = sizeof(struct tss32);    /* no bitmap: every port needs CPL <= IOPL */
}

/* ---- fault capture ------------------------------------------------------- */

struct ctx {
    uint32_t ebx, esi, edi, ebp, esp, eip, eflags;
};
int ctx_save(struct ctx *c);
__attribute__((noreturn)) void ctx_restore(struct ctx *c, int v);
__attribute__((noreturn)) void enter_user(uint32_t eip, uint32_t esp, uint32_t eflags,
                                          uint32_t ds);
__attribute__((noreturn)) void enter_v86(uint32_t ip, uint32_t cs, uint32_t eflags, uint32_t ds);

static struct ctx catch_ctx;
static struct fault *catch_out;
static int catch_armed;

void set_handler(unsigned vec, handler_fn h) { handlers[vec] = h; }

static void record(const struct frame *f, struct fault *out)
{
    out->vector = (int)f->vector;
    out->error = f->error;
    out->eip = f->eip;
    out->cs = f->cs & 0xFFFF;
    out->eflags = f->eflags;
    int v86 = (f->eflags & EFLAGS_VM) != 0, outer = (f->cs & 3) != 0 || v86;
    out->esp = outer ? f->esp : 0;
    out->ss = outer ? f->ss & 0xFFFF : 0;
    if (v86) {
        out->v86_es = f->v86_es & 0xFFFF, out->v86_ds = f->v86_ds & 0xFFFF;
        out->v86_fs = f->v86_fs & 0xFFFF, out->v86_gs = f->v86_gs & 0xFFFF;
    }
    out->ds = f->ds & 0xFFFF, out->es = f->es & 0xFFFF;
    out->fs = f->fs & 0xFFFF, out->gs = f->gs & 0xFFFF;
    out->eax = f->eax, out->ecx = f->ecx, out->edx = f->edx, out->ebx = f->ebx;
    out->esi = f->esi, out->edi = f->edi;
    out->cr2 = read_cr2();
    out->handler_esp = (uint32_t)&f->eip;
}

void trap_dispatch(struct frame *f);
void trap_dispatch(struct frame *f)
{
    if (handlers[f->vector]) {
        handlers[f->vector](f);
        return;
    }
    if (catch_armed) {
        catch_armed = 0;
        record(f, catch_out);
        ctx_restore(&catch_ctx, 1);
    }
    puts_("FAIL unexpected_vector: vector ");
    puthex(f->vector);
    puts_(" error ");
    puthex(f->error);
    puts_(" at ");
    puthex(f->cs & 0xFFFF);
    puts_(":");
    puthex(f->eip);
    puts_("\n");
    guest_exit();
}

static void clear(struct fault *out)
{
    *out = (struct fault){ 0 };
    out->vector = NO_FAULT;
}

int run_catch(void (*code)(void), struct fault *out)
{
    clear(out);
    catch_out = out;
    if (ctx_save(&catch_ctx) == 0) {
        catch_armed = 1;
        code();
        /* code may have left a null or unusual selector in DS or ES: reload
         * them before the next global access (the SDM faults on a null DS;
         * QEMU does not, so only a strict machine shows the difference). */
        __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es" : : "r"((uint32_t)KDATA) : "memory");
        catch_armed = 0;
        ctx_restore(&catch_ctx, 2);    /* flat segments again, whatever code loaded */
    }
    return out->vector;
}

int run_user_ex(void (*code)(void), struct fault *out, uint32_t eflags, uint16_t ds)
{
    clear(out);
    catch_out = out;
    if (ctx_save(&catch_ctx) == 0) {
        catch_armed = 1;
        enter_user((uint32_t)code, USER_STACK_TOP, eflags | 2, ds);
    }
    if (out->vector == VEC_USER_DONE) out->vector = NO_FAULT;
    return out->vector;
}

int run_v86(uint16_t cs, uint16_t ip, uint32_t eflags, uint16_t ds, struct fault *out)
{
    clear(out);
    catch_out = out;
    if (ctx_save(&catch_ctx) == 0) {
        catch_armed = 1;
        enter_v86(ip, cs, eflags | EFLAGS_VM | 2, ds);
    }
    if (out->vector == VEC_USER_DONE) out->vector = NO_FAULT;
    return out->vector;
}

int run_user(void (*code)(void), struct fault *out)
{
    return run_user_ex(code, out, 2, UDATA);
}

static void put_fault(int vector, uint32_t error, uint32_t eip)
{
    puts_("vector ");
    puthex((uint32_t)vector);
    puts_(" error ");
    puthex(error);
    puts_(" eip ");
    puthex(eip);
}

void check_fault(const char *name, const struct fault *f, int vector, uint32_t error,
                 const void *eip)
{
    if (f->vector == vector && f->error == error && (!eip || f->eip == (uint32_t)eip)) {
        check(1, name);
        return;
    }
    puts_("FAIL ");
    puts_(name);
    puts_(": expected ");
    put_fault(vector, error, (uint32_t)eip);
    puts_(", got ");
    put_fault(f->vector, f->error, f->eip);
    puts_("\n");
    check_count_failure();
}

/* ---- start --------------------------------------------------------------- */

void sys_init(void)
{
    gdt[SLOT(KCODE)] = make_desc(0, 0xFFFFF, D_CODE_XR, F_G | F_DB);
    gdt[SLOT(KDATA)] = make_desc(0, 0xFFFFF, D_DATA_RW, F_G | F_DB);
    gdt[SLOT(UCODE)] = make_desc(0, 0xFFFFF, D_CODE_XR | D_DPL(3), F_G | F_DB);
    gdt[SLOT(UDATA)] = make_desc(0, 0xFFFFF, D_DATA_RW | D_DPL(3), F_G | F_DB);
    gdt[SLOT(CODE16)] = make_desc(0, 0xFFFF, D_CODE_XR, 0);
    gdt[SLOT(DATA16)] = make_desc(0, 0xFFFF, D_DATA_RW, 0);
    gdt[SLOT(TSS_SEL)] = make_desc((uint32_t)&tss_main, sizeof tss_main - 1, D_TSS32, 0);
    struct dtr g = { sizeof gdt - 1, (uint32_t)gdt };
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp %1, $1f\n"
                     "1:\n\t"
                     "mov %2, %%ds\n\tmov %2, %%es\n\tmov %2, %%fs\n\t"
                     "mov %2, %%gs\n\tmov %2, %%ss"
                     : : "m"(g), "i"(KCODE), "r"((uint32_t)KDATA) : "memory");

    tss.ss0 = KDATA;
    tss.esp0 = KERNEL_STACK_TOP;
    tss.iomap = sizeof(struct tss32);
    for (unsigned i = 0; i < sizeof tss_iomap; i++) tss_iomap[i] = 0xFF;
    __asm__ volatile("ltr %w0" : : "r"((uint32_t)TSS_SEL));

    for (unsigned v = 0; v < 256; v++) idt_default(v, v == VEC_USER_DONE ? 3 : 0);
    lidt_limit(sizeof idt - 1);
    pic_remap(0xFF, 0xFF);      /* IRQs at 0x20-0x2F, all masked: none lands on an exception */
}

/* ---- the 8259 pair --------------------------------------------------------- */

void pic_remap(uint8_t master_mask, uint8_t slave_mask)
{
    outb(0x20, 0x11); outb(0x21, PIC_VEC); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0xA0, 0x11); outb(0xA1, PIC_VEC + 8); outb(0xA1, 0x02); outb(0xA1, 0x01);
    outb(0x21, master_mask);
    outb(0xA1, slave_mask);
}

uint8_t pic_irr(uint16_t cmd) { outb(cmd, 0x0A); return inb(cmd); }
uint8_t pic_isr(uint16_t cmd) { outb(cmd, 0x0B); return inb(cmd); }

/* ---- identity page tables -------------------------------------------------- */

uint32_t pd32[1024] __attribute__((aligned(4096)));
uint32_t pt32_low[1024] __attribute__((aligned(4096)));
uint64_t pdpt[4] __attribute__((aligned(32)));
uint64_t pdpae[4][512] __attribute__((aligned(4096)));
uint64_t ptpae_low[512] __attribute__((aligned(4096)));

uint32_t paging32_build(void)
{
    for (uint32_t i = 0; i < 1024; i++) {
        pd32[i] = i << 22 | PTE_PS | PTE_U | PTE_W | PTE_P;
        pt32_low[i] = i << 12 | PTE_U | PTE_W | PTE_P;
    }
    pd32[0] = (uint32_t)pt32_low | PTE_U | PTE_W | PTE_P;
    return (uint32_t)pd32;
}

uint32_t paging_pae_build(void)
{
    for (uint32_t j = 0; j < 4; j++) {
        for (uint32_t i = 0; i < 512; i++)
            pdpae[j][i] = ((uint64_t)j << 30 | (uint64_t)i << 21) | PTE_PS | PTE_U | PTE_W | PTE_P;
        pdpt[j] = (uint32_t)pdpae[j] | PTE_P;
    }
    for (uint32_t i = 0; i < 512; i++) ptpae_low[i] = (uint64_t)(i << 12) | PTE_U | PTE_W | PTE_P;
    pdpae[0][0] = (uint32_t)ptpae_low | PTE_U | PTE_W | PTE_P;
    return (uint32_t)pdpt;
}

void paging_on(uint32_t cr3, uint32_t cr4_bits)
{
    write_cr4(read_cr4() | cr4_bits);
    write_cr3(cr3);
    write_cr0(read_cr0() | 0x80000000u);
}

void paging_off(void)
{
    write_cr0(read_cr0() & ~0x80000000u);
}
