/* triple_df.c - a triple fault from the double-fault task (SDM Vol. 3 sec.
 * 6.15, interrupt 8: "If another exception occurs while attempting to call
 * the double-fault handler, the processor enters shutdown mode"): a #GP
 * whose gate is not present (#NP, contributory twice: #DF), and #DF through
 * a task gate to a TSS whose limit is below 67h (#TS).  ringsim stops with
 * status 1 and names the chain; QEMU with -no-reboot exits 0.  Any line
 * after the fault is a failure.
 */
#include "lib/sys.h"

static struct tss32 t3;

ASM_FN(load_bad_ds, "mov $0x100, %eax\n mov %eax, %ds\n ret");

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    tss_make_task(&t3, load_bad_ds, KERNEL_STACK_TOP - 256);
    gdt_set(SLOT(TSS3_SEL), make_desc((uint32_t)&t3, 0x20, D_TSS32, 0));
    idt_set(8, make_gate(TSS3_SEL, 0, G_TASK, 0, 0));
    idt[13].hi &= ~0x8000u;
    check(1, "triple_df_setup_done");
    load_bad_ds();
    check(0, "triple_df_did_not_stop_the_machine");
}
