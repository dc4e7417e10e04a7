/* sys_v86irq.c - hardware interrupts out of virtual-8086 mode (SDM Vol. 3
 * 20.3.1, 6.12.1): IRQ 0 from the PIT through a ring-0 interrupt gate while
 * V86 code polls a flag; the frame carries GS FS DS ES SS ESP with VM set in
 * EFLAGS, the handler runs with null data segments; an external interrupt is
 * not IOPL-sensitive, so it arrives at IOPL 0 too; the handler's IRETD (at
 * CPL 0, VM in the image) returns to V86 mode with its segments, where the
 * code sees the flag and ends with INT 80h (#GP(0) at IOPL 0).
 */
#include "lib/sys.h"

static struct fault f;

#define V86_CS 0x2000
#define V86_DS 0x2100
#define FLAG   0x20              /* DS:0020 */

__asm__(".data\n.globl vi_blob, vi_end\n vi_blob:\n .code16\n"
        "vi_wait: cmpb $0, (0x20)\n je vi_wait\n"
        "vi_int: int $0x80\n"
        ".code32\n vi_end:\n"
        ".globl vi_wait_off, vi_int_off\n"
        ".set vi_wait_off, vi_wait - vi_blob\n .set vi_int_off, vi_int - vi_blob\n .text");
extern const uint8_t vi_blob[], vi_end[];
extern const char vi_wait_off[], vi_int_off[];
#define OFF(sym) ((uint16_t)(uint32_t)(sym))

static volatile uint32_t h_runs, h_eip, h_cs, h_eflags, h_ss, h_esp, h_ds_v86, h_es_v86, h_ds,
    h_handler_esp;

static void irq0(struct frame *fr)
{
    h_runs++;
    h_eip = fr->eip, h_cs = fr->cs & 0xFFFF, h_eflags = fr->eflags;
    h_ss = fr->ss & 0xFFFF, h_esp = fr->esp;
    h_ds_v86 = fr->v86_ds & 0xFFFF, h_es_v86 = fr->v86_es & 0xFFFF;
    h_ds = fr->ds & 0xFFFF;
    h_handler_esp = (uint32_t)&fr->eip;
    outb(0x21, 0xFF);                                   /* one tick is enough */
    outb(0x20, 0x20);
    *(volatile uint8_t *)((V86_DS << 4) + FLAG) = 1;
}

static void one_irq(uint32_t iopl)
{
    h_runs = 0;
    *(volatile uint8_t *)((V86_DS << 4) + FLAG) = 0;
    pic_remap(0xFE, 0xFF);
    outb(0x43, 0x34);                                   /* channel 0, mode 2, ~1 ms */
    outb(0x40, 0xA9); outb(0x40, 0x04);
    run_v86(V86_CS, OFF(vi_wait_off), EFLAGS_IOPL(iopl) | EFLAGS_IF, V86_DS, &f);
    pic_remap(0xFF, 0xFF);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    uint8_t *dst = (uint8_t *)(V86_CS << 4);
    for (const uint8_t *p = vi_blob; p < vi_end; p++) *dst++ = *p;
    set_handler(PIC_VEC, irq0);

    one_irq(3);
    check_eq("v86irq_delivered_once", 1, h_runs);
    check_eq("v86irq_frame_vm", EFLAGS_VM, h_eflags & EFLAGS_VM);
    check_eq("v86irq_frame_cs", V86_CS, h_cs);
    check(h_eip >= OFF(vi_wait_off) && h_eip < OFF(vi_int_off), "v86irq_frame_eip_in_loop");
    check_eq("v86irq_frame_ss", V86_SS, h_ss);
    check_eq("v86irq_frame_sp", V86_SP, h_esp);
    check_eq("v86irq_frame_ds", V86_DS, h_ds_v86);
    check_eq("v86irq_frame_es", V86_DS, h_es_v86);
    check_eq("v86irq_handler_ds_null", 0, h_ds);
    check_eq("v86irq_on_esp0", KERNEL_STACK_TOP - 36, h_handler_esp);
    check_eq("v86irq_iretd_back_to_v86", (uint32_t)NO_FAULT, (uint32_t)f.vector);
    check_eq("v86irq_back_with_ds", V86_DS, f.v86_ds);
    check_eq("v86irq_back_with_if", EFLAGS_IF, f.eflags & EFLAGS_IF);
    check_eq("v86irq_back_iopl3", EFLAGS_IOPL(3), f.eflags & EFLAGS_IOPL(3));

    one_irq(0);
    check_eq("v86irq_iopl0_delivered", 1, h_runs);
    check_eq("v86irq_iopl0_frame_iopl", 0, h_eflags & EFLAGS_IOPL(3));
    check_fault("v86irq_iopl0_back_then_int80_gp", &f, 13, 0, (void *)(uint32_t)OFF(vi_int_off));
    check_eq("v86irq_iopl0_back_in_v86", EFLAGS_VM, f.eflags & EFLAGS_VM);
}
