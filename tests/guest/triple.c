/* triple.c - a triple fault (SDM Vol. 3 sec. 6.15, interrupt 8): with an IDT
 * limit of 0, INT3 finds no gate (#GP), nor does the #GP (#DF), nor the #DF:
 * shutdown.  ringsim stops with status 1 and a message naming the faults;
 * QEMU with -no-reboot turns the shutdown's reset into exit status 0.  Any
 * line after the INT3 is a failure: the machine must not go on.
 */
#include "lib/sys.h"

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    check(1, "triple_setup_done");
    lidt_limit(0);
    __asm__ volatile("int3");
    check(0, "triple_fault_did_not_stop_the_machine");
}
