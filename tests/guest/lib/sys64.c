/* sys64.c - the 64-bit system library (sys64.h): GDT, TSS, IDT, the vector
 * dispatcher with fault capture, ring 3 by IRETQ.
 */
#include "sys64.h"

uint64_t gdt64[GDT64_SLOTS] __attribute__((aligned(16)));
struct gate64 idt64[256] __attribute__((aligned(16)));
struct tss64 tss64 __attribute__((aligned(16)));
uint8_t kstack64[8192] __attribute__((aligned(16)));
uint8_t ist1_stack[4096] __attribute__((aligned(16)));
uint8_t ustack64[4096] __attribute__((aligned(16)));

extern const uint32_t isr64_table[256];
static handler64_fn handlers[256];

void idt64_gate(unsigned vec, unsigned type, unsigned dpl, unsigned ist)
{
    uint64_t off = isr64_table[vec];
    idt64[vec].w0 = (uint32_t)(off & 0xFFFF) | (uint32_t)KCODE64 << 16;
    idt64[vec].w1 = (uint32_t)(off & 0xFFFF0000) | 0x8000 | (dpl & 3) << 13 | (type & 0xF) << 8 |
                    (ist & 7);
    idt64[vec].w2 = (uint32_t)(off >> 32);
    idt64[vec].w3 = 0;
}

struct ctx64 {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags;
};
int ctx64_save(struct ctx64 *c);
__attribute__((noreturn)) void ctx64_restore(struct ctx64 *c, int v);
__attribute__((noreturn)) void enter_user64(uint64_t rip, uint64_t rsp, uint64_t rflags,
                                            uint64_t cs, uint64_t ss);

static struct ctx64 catch_ctx;
static struct fault64 *catch_out;
static int catch_armed;

void set_handler64(unsigned vec, handler64_fn h) { handlers[vec] = h; }

void trap_dispatch64(struct frame64 *f);
void trap_dispatch64(struct frame64 *f)
{
    if (handlers[f->vector]) {
        handlers[f->vector](f);
        return;
    }
    if (catch_armed) {
        struct fault64 *o = catch_out;
        catch_armed = 0;
        o->vector = (int)f->vector;
        o->error = f->error;
        o->rip = f->rip, o->cs = f->cs & 0xFFFF, o->rflags = f->rflags;
        o->rsp = f->rsp, o->ss = f->ss & 0xFFFF;
        o->rax = f->rax, o->rbx = f->rbx, o->rcx = f->rcx, o->rdx = f->rdx;
        o->rsi = f->rsi, o->rdi = f->rdi, o->r11 = f->r11;
        o->cr2 = read_cr(2);
        o->frame_at = (uint64_t)&f->rip;
        ctx64_restore(&catch_ctx, 1);
    }
    puts_("FAIL unexpected_vector: vector ");
    puthex((uint32_t)f->vector);
    puts_(" error ");
    puthex((uint32_t)f->error);
    puts_(" at ");
    puthex((uint32_t)f->cs);
    puts_(":");
    puthex((uint32_t)(f->rip >> 32));
    puthex((uint32_t)f->rip);
    puts_("\n");
    guest_exit();
}

static void clear(struct fault64 *out)
{
    *out = (struct fault64){ 0 };
    out->vector = NO_FAULT;
}

int run_catch64(void (*code)(void), struct fault64 *out)
{
    clear(out);
    catch_out = out;
    if (ctx64_save(&catch_ctx) == 0) {
        catch_armed = 1;
        code();
        catch_armed = 0;
        ctx64_restore(&catch_ctx, 2);
    }
    return out->vector;
}

int run_user64(void (*code)(void), struct fault64 *out, uint64_t rflags)
{
    clear(out);
    catch_out = out;
    if (ctx64_save(&catch_ctx) == 0) {
        catch_armed = 1;
        enter_user64((uint64_t)code, USTACK64_TOP, rflags | 2, UCODE64, UDATA64);
    }
    if (out->vector == VEC_USER_DONE) out->vector = NO_FAULT;
    return out->vector;
}

static void put64(uint64_t v)
{
    puthex((uint32_t)(v >> 32));
    puts_(":");
    puthex((uint32_t)v);
}

void check_eq64(const char *name, uint64_t expected, uint64_t got)
{
    if (expected == got) {
        check(1, name);
        return;
    }
    check_count_failure();
    puts_("FAIL "); puts_(name); puts_(": expected "); put64(expected);
    puts_(", got "); put64(got); puts_("\n");
}

void check_fault64(const char *name, const struct fault64 *f, int vector, uint64_t error,
                   const void *rip)
{
    if (f->vector == vector && f->error == error && (!rip || f->rip == (uint64_t)rip)) {
        check(1, name);
        return;
    }
    check_count_failure();
    puts_("FAIL "); puts_(name); puts_(": expected vector "); puthex((uint32_t)vector);
    puts_(" error "); put64(error); puts_(" rip "); put64((uint64_t)rip);
    puts_(", got vector "); puthex((uint32_t)f->vector); puts_(" error "); put64(f->error);
    puts_(" rip "); put64(f->rip); puts_("\n");
}

struct __attribute__((packed)) dtr64 {
    uint16_t limit;
    uint64_t base;
};

void sys64_init(void)
{
    gdt64[SEL_SLOT(KCODE32)] = 0x00CF9A000000FFFFull;
    gdt64[SEL_SLOT(KCODE64)] = 0x00AF9A000000FFFFull;
    gdt64[SEL_SLOT(KDATA64)] = 0x00CF92000000FFFFull;
    gdt64[SEL_SLOT(UCODE32)] = 0x00CFFA000000FFFFull;
    gdt64[SEL_SLOT(UDATA64)] = 0x00CFF2000000FFFFull;
    gdt64[SEL_SLOT(UCODE64)] = 0x00AFFA000000FFFFull;
    uint64_t base = (uint64_t)&tss64, limit = sizeof tss64 - 1;
    gdt64[SEL_SLOT(TSS64_SEL)] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | 0x89ull << 40 |
                                 (base >> 24 & 0xFF) << 56;
    gdt64[SEL_SLOT(TSS64_SEL) + 1] = base >> 32;
    struct dtr64 g = { sizeof gdt64 - 1, (uint64_t)gdt64 };
    __asm__ volatile("lgdt %0" : : "m"(g));
    __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es\n\tmov %0, %%ss" : : "r"((uint32_t)KDATA64));

    tss64.rsp[0] = KSTACK64_TOP;
    tss64.ist[0] = IST1_TOP;
    tss64.iomap = sizeof tss64;
    __asm__ volatile("ltr %w0" : : "r"((uint32_t)TSS64_SEL));

    for (unsigned v = 0; v < 256; v++) idt64_gate(v, 0xE, v == VEC_USER_DONE ? 3 : 0, 0);
    struct dtr64 i = { sizeof idt64 - 1, (uint64_t)idt64 };
    __asm__ volatile("lidt %0" : : "m"(i));

    /* the 8259s at 0x20-0x2F, all masked */
    outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0xA0, 0x11); outb(0xA1, 0x28); outb(0xA1, 0x02); outb(0xA1, 0x01);
    outb(0x21, 0xFF); outb(0xA1, 0xFF);
}
