/* test_dev_pic.c - devices/pic8259.c, the PC/AT 8259A pair, driven only as
 * the CPU and the board would: OUT/IN on ports 0x20/0x21, 0xA0/0xA1 and the
 * ELCR at 0x4D0/0x4D1, request lines through pic_set_irq, INTA through
 * pic_acknowledge, and INTR watched on a fake CPU pin.
 */
#include <signal.h>
#include <criterion/criterion.h>
#include "devices/pic8259.h"
#include "mmu/bus.h"

/* The CPU's INTR pin: its level and how often it was driven. */
struct intr_pin { int level, calls; };

static void intr_set(void *ctx, unsigned line, int level)
{
    struct intr_pin *pin = ctx;
    (void)line;
    pin->level = level;
    pin->calls++;
}

static struct bus *bus;
static struct pic8259 pic;
static struct intr_pin cpu;

static void out(uint16_t port, uint8_t v) { bus_port_out(bus, port, 1, v); }
static uint8_t in(uint16_t port) { return (uint8_t)bus_port_in(bus, port, 1); }
static void irq(unsigned line, int level) { pic_set_irq(&pic, line, level); }

/* The PC BIOS's programming: edge, cascade, ICW4; vectors 08h and 70h. */
static void init_pc(uint8_t master_icw4, uint8_t slave_icw4)
{
    out(0x20, 0x11); out(0x21, 0x08); out(0x21, 0x04); out(0x21, master_icw4);
    out(0xA0, 0x11); out(0xA1, 0x70); out(0xA1, 0x02); out(0xA1, slave_icw4);
}

static uint8_t read_isr(uint16_t cmd) { out(cmd, 0x0B); return in(cmd); }  /* OCW3 RR RIS */
static uint8_t read_irr(uint16_t cmd) { out(cmd, 0x0A); return in(cmd); }  /* OCW3 RR */
static void eoi(uint16_t cmd) { out(cmd, 0x20); }                          /* OCW2 EOI */

static void setup(void)
{
    static const struct irq_line intr = { intr_set, &cpu, 0 };
    cpu = (struct intr_pin){ 0 };
    bus = bus_new(1u << 16);
    cr_assert_not_null(bus);
    pic_init(&pic, &intr);
    cr_assert_eq(0, pic_attach(&pic, bus));
}

static void teardown(void)
{
    bus_free(bus);
    bus = NULL;
}

TestSuite(pic, .init = setup, .fini = teardown);

/* ---- initialisation ------------------------------------------------------------- */

Test(pic, nothing_reaches_intr_before_the_chips_are_programmed)
{
    irq(1, 1);
    cr_expect_eq(-1, pic_pending(&pic));
    cr_expect_eq(0, cpu.level);
    cr_expect_eq(0xFF, in(0x21), "every line masked");
}

Test(pic, icw2_sets_the_vector_base_of_each_chip)
{
    init_pc(0x01, 0x01);
    irq(1, 1);
    cr_expect_eq(0x09, pic_acknowledge(&pic));
    eoi(0x20);
    irq(12, 1);
    cr_expect_eq(0x74, pic_acknowledge(&pic));
}

Test(pic, icw2_low_three_bits_are_ignored_in_8086_mode)
{
    out(0x20, 0x13); out(0x21, 0x27); out(0x21, 0x01);     /* single, ICW4; base 27h */
    irq(3, 1);
    cr_expect_eq(0x23, pic_pending(&pic));
}

Test(pic, single_mode_skips_icw3)
{
    out(0x20, 0x13); out(0x21, 0x20); out(0x21, 0x01);     /* ICW1 SNGL IC4, ICW2, ICW4 */
    out(0x21, 0xFE);                                        /* so this is OCW1 */
    cr_expect_eq(0xFE, in(0x21));
}

Test(pic, without_ic4_the_write_after_icw3_is_the_mask)
{
    out(0x20, 0x10); out(0x21, 0x08); out(0x21, 0x04);     /* ICW1 cascade, no ICW4 */
    out(0x21, 0x5A);
    cr_expect_eq(0x5A, in(0x21));
}

Test(pic, without_icw4_inta_reads_the_mcs80_call_address_low_byte)
{
    out(0x20, 0xB6); out(0x21, 0x12);       /* A7-A5=101, interval 4, single, no ICW4 */
    irq(3, 1);
    cr_expect_eq(0xA0 | 3 << 2, pic_acknowledge(&pic));
    out(0x20, 0xB2); out(0x21, 0x12);       /* the same with interval 8: A7-A6 only */
    irq(3, 0); irq(3, 1);
    cr_expect_eq(0x80 | 3 << 3, pic_acknowledge(&pic));
}

Test(pic, master_in_single_mode_answers_ir2_with_its_own_vector)
{
    out(0x20, 0x13); out(0x21, 0x08); out(0x21, 0x01);     /* master alone */
    out(0xA0, 0x11); out(0xA1, 0x70); out(0xA1, 0x02); out(0xA1, 0x01);
    irq(9, 1);                                              /* slave INT on master IR2 */
    cr_expect_eq(0x0A, pic_acknowledge(&pic));
    cr_expect_eq(0x00, read_isr(0xA0), "the slave saw no INTA");
}

Test(pic, icw1_clears_mask_and_in_service_and_restores_fixed_priority)
{
    init_pc(0x01, 0x01);
    irq(3, 1);
    pic_acknowledge(&pic);
    out(0x20, 0xC5);                        /* OCW2 set priority: IR5 lowest */
    out(0x21, 0xF0);
    out(0x20, 0x11); out(0x21, 0x08); out(0x21, 0x04); out(0x21, 0x01);
    cr_expect_eq(0x00, in(0x21));
    cr_expect_eq(0x00, read_isr(0x20));
    irq(7, 1); irq(6, 1);
    cr_expect_eq(0x0E, pic_acknowledge(&pic), "IR6 beats IR7 again");
}

Test(pic, an_edge_during_initialisation_is_delivered_when_it_completes)
{
    out(0x20, 0x11); out(0x21, 0x08);
    irq(4, 1);
    cr_expect_eq(-1, pic_pending(&pic), "mid-sequence: no request");
    cr_expect_eq(0, cpu.level);
    out(0x21, 0x04); out(0x21, 0x01);
    cr_expect_eq(0x0C, pic_pending(&pic));
    cr_expect_eq(1, cpu.level);
}

Test(pic, icw1_resets_edge_sense_so_a_line_held_high_needs_a_new_rising_edge)
{
    init_pc(0x01, 0x01);
    irq(5, 1);
    out(0x20, 0x11); out(0x21, 0x08); out(0x21, 0x04); out(0x21, 0x01);
    cr_expect_eq(-1, pic_pending(&pic));
    irq(5, 0); irq(5, 1);
    cr_expect_eq(0x0D, pic_pending(&pic));
}

/* ---- edge and level ------------------------------------------------------------- */

Test(pic, edge_on_masked_line_is_delivered_after_unmask)
{
    init_pc(0x01, 0x01);
    out(0x21, 0x10);                        /* mask IR4 */
    irq(4, 1); irq(4, 0);
    cr_expect_eq(-1, pic_pending(&pic));
    cr_expect_eq(0x10, read_irr(0x20), "remembered in IRR");
    out(0x21, 0x00);
    cr_expect_eq(0x0C, pic_acknowledge(&pic));
}

Test(pic, edge_line_held_high_requests_only_once)
{
    init_pc(0x01, 0x01);
    irq(1, 1);
    cr_expect_eq(0x09, pic_acknowledge(&pic));
    eoi(0x20);
    irq(1, 1);                              /* the source drives the same level again */
    cr_expect_eq(-1, pic_pending(&pic));
    irq(1, 0); irq(1, 1);
    cr_expect_eq(0x09, pic_pending(&pic), "a new rising edge is a new request");
}

Test(pic, level_triggered_irr_follows_the_line)
{
    init_pc(0x01, 0x01);
    out(0x4D1, 0x08);                       /* IRQ 11 level-triggered */
    out(0xA1, 0x08);                        /* and masked */
    irq(11, 1);
    cr_expect_eq(0x08, read_irr(0xA0));
    irq(11, 0);
    cr_expect_eq(0x00, read_irr(0xA0));
}

Test(pic, level_line_still_high_after_eoi_requests_again)
{
    init_pc(0x01, 0x01);
    out(0x4D0, 0x20);                       /* IRQ 5 level-triggered */
    irq(5, 1);
    cr_expect_eq(0x0D, pic_acknowledge(&pic));
    cr_expect_eq(-1, pic_pending(&pic), "in service");
    eoi(0x20);
    cr_expect_eq(0x0D, pic_pending(&pic));
    irq(5, 0);
    cr_expect_eq(-1, pic_pending(&pic));
}

Test(pic, icw1_ltim_makes_every_input_level_triggered)
{
    out(0x20, 0x1B); out(0x21, 0x08); out(0x21, 0x01);     /* LTIM, single, ICW4 */
    irq(0, 1); irq(0, 0);
    cr_expect_eq(-1, pic_pending(&pic), "a pulse leaves nothing behind");
    cr_expect_eq(0x00, read_irr(0x20));
}

Test(pic, elcr_cannot_make_irq_0_1_2_8_or_13_level_triggered)
{
    out(0x4D0, 0xFF);
    out(0x4D1, 0xFF);
    cr_expect_eq(0xF8, in(0x4D0));
    cr_expect_eq(0xDE, in(0x4D1));
}

/* ---- OCW1 and OCW3 ---------------------------------------------------------------- */

Test(pic, ocw1_mask_reads_back_from_the_data_port_of_each_chip)
{
    init_pc(0x01, 0x01);
    out(0x21, 0xB8);
    out(0xA1, 0x3D);
    cr_expect_eq(0xB8, in(0x21));
    cr_expect_eq(0x3D, in(0xA1));
}

Test(pic, command_port_reads_irr_until_ocw3_selects_isr)
{
    init_pc(0x01, 0x01);
    out(0x21, 0x40);
    irq(6, 1);                              /* masked: stays in IRR */
    irq(3, 1);
    pic_acknowledge(&pic);                  /* IR3 to ISR */
    cr_expect_eq(0x40, in(0x20), "IRR after initialisation");
    cr_expect_eq(0x08, read_isr(0x20));
    cr_expect_eq(0x08, in(0x20), "the selection sticks");
    out(0x20, 0x48);                        /* OCW3 without RR: selection kept */
    cr_expect_eq(0x08, in(0x20));
    cr_expect_eq(0x40, read_irr(0x20));
}

Test(pic, poll_command_reads_the_best_request_and_puts_it_in_service)
{
    init_pc(0x01, 0x01);
    irq(6, 1); irq(3, 1);
    out(0x20, 0x0C);                        /* OCW3 P */
    cr_expect_eq(0x83, in(0x20));
    cr_expect_eq(0x08, read_isr(0x20));
    cr_expect_eq(0x40, read_irr(0x20), "only the polled request left IRR");
    out(0x20, 0x0C);
    cr_expect_eq(0x00, in(0x20), "IR6 waits behind IR3 in service");
}

Test(pic, special_mask_mode_lets_lower_priorities_through_a_masked_in_service_line)
{
    init_pc(0x01, 0x01);
    irq(3, 1);
    pic_acknowledge(&pic);
    irq(5, 1);
    cr_expect_eq(-1, pic_pending(&pic), "fully nested: IR3 blocks IR5");
    out(0x21, 0x08);                        /* mask IR3 */
    out(0x20, 0x28);                        /* OCW3 SMM without ESMM: ignored */
    cr_expect_eq(-1, pic_pending(&pic));
    out(0x20, 0x68);                        /* OCW3 ESMM SMM */
    cr_expect_eq(0x0D, pic_pending(&pic));
    out(0x20, 0x48);                        /* OCW3 ESMM: special mask off */
    cr_expect_eq(-1, pic_pending(&pic));
}

Test(pic, non_specific_eoi_in_special_mask_mode_skips_a_masked_in_service_bit)
{
    init_pc(0x01, 0x01);
    irq(3, 1); pic_acknowledge(&pic);
    out(0x21, 0x08);                        /* mask IR3 */
    out(0x20, 0x68);                        /* special mask mode */
    irq(5, 1); pic_acknowledge(&pic);
    eoi(0x20);
    cr_expect_eq(0x08, read_isr(0x20), "IR5 cleared, masked IR3 kept");
}

Test(pic, a_line_switched_to_level_and_back_forgets_an_earlier_edge)
{
    init_pc(0x01, 0x01);
    out(0x21, 0x20);
    irq(5, 1); irq(5, 0);                   /* latched while masked */
    out(0x4D0, 0x20);
    cr_expect_eq(0x00, read_irr(0x20), "level-triggered: IRR is the low pin");
    out(0x4D0, 0x00);
    out(0x21, 0x00);
    cr_expect_eq(-1, pic_pending(&pic));
}

/* ---- priority and EOI ------------------------------------------------------------- */

Test(pic, lowest_numbered_request_has_highest_priority)
{
    init_pc(0x01, 0x01);
    irq(5, 1); irq(3, 1); irq(7, 1);
    cr_expect_eq(0x0B, pic_acknowledge(&pic));
    eoi(0x20);
    cr_expect_eq(0x0D, pic_acknowledge(&pic));
    eoi(0x20);
    cr_expect_eq(0x0F, pic_acknowledge(&pic));
}

Test(pic, in_service_line_blocks_lower_priorities_but_not_higher_ones)
{
    init_pc(0x01, 0x01);
    irq(3, 1);
    pic_acknowledge(&pic);
    irq(5, 1);
    cr_expect_eq(-1, pic_pending(&pic));
    irq(1, 1);
    cr_expect_eq(0x09, pic_acknowledge(&pic), "nested: IR1 interrupts IR3");
    cr_expect_eq(0x0A, read_isr(0x20));
}

Test(pic, non_specific_eoi_clears_the_highest_priority_in_service_bit)
{
    init_pc(0x01, 0x01);
    irq(3, 1); pic_acknowledge(&pic);
    irq(1, 1); pic_acknowledge(&pic);
    eoi(0x20);
    cr_expect_eq(0x08, read_isr(0x20));
}

Test(pic, specific_eoi_clears_only_the_named_bit)
{
    init_pc(0x01, 0x01);
    irq(3, 1); pic_acknowledge(&pic);
    irq(1, 1); pic_acknowledge(&pic);
    out(0x20, 0x63);                        /* OCW2 SL EOI, IR3 */
    cr_expect_eq(0x02, read_isr(0x20));
}

Test(pic, auto_eoi_leaves_nothing_in_service)
{
    init_pc(0x03, 0x01);                    /* master ICW4: 8086, AEOI */
    irq(3, 1);
    cr_expect_eq(0x0B, pic_acknowledge(&pic));
    cr_expect_eq(0x00, read_isr(0x20));
    irq(5, 1);
    cr_expect_eq(0x0D, pic_pending(&pic), "no EOI needed");
}

Test(pic, rotate_on_non_specific_eoi_makes_the_serviced_line_lowest)
{
    init_pc(0x01, 0x01);
    irq(1, 1); irq(4, 1);
    cr_expect_eq(0x09, pic_acknowledge(&pic));
    out(0x20, 0xA0);                        /* OCW2 R EOI */
    irq(0, 1);
    cr_expect_eq(0x0C, pic_acknowledge(&pic), "IR1 now lowest: IR4 beats IR0");
    out(0x20, 0xA0);                        /* IR4 lowest: IR5 ... IR0 highest first */
    irq(1, 0); irq(1, 1);
    cr_expect_eq(0x08, pic_acknowledge(&pic), "IR0 before IR1");
}

Test(pic, set_priority_command_makes_the_named_line_lowest)
{
    init_pc(0x01, 0x01);
    out(0x20, 0xC4);                        /* OCW2 R SL, IR4 lowest */
    irq(3, 1); irq(5, 1);
    cr_expect_eq(0x0D, pic_acknowledge(&pic));
    out(0x20, 0x65);                        /* specific EOI, no rotation */
    cr_expect_eq(0x0B, pic_acknowledge(&pic));
}

Test(pic, rotate_in_auto_eoi_mode_rotates_at_each_inta)
{
    init_pc(0x03, 0x01);
    out(0x20, 0x80);                        /* OCW2 R: rotate in AEOI on */
    irq(3, 1);
    pic_acknowledge(&pic);
    irq(1, 1); irq(5, 1);
    cr_expect_eq(0x0D, pic_acknowledge(&pic), "IR3 lowest: IR5 first");
    out(0x20, 0x00);                        /* rotate off: IR5 stays lowest */
    irq(7, 1);
    cr_expect_eq(0x0F, pic_acknowledge(&pic), "IR5 lowest: IR7 before IR1");
    cr_expect_eq(0x09, pic_acknowledge(&pic));
}

/* ---- cascade ----------------------------------------------------------------------- */

Test(pic, slave_interrupt_puts_ir2_in_service_on_the_master)
{
    init_pc(0x01, 0x01);
    irq(12, 1);
    cr_expect_eq(1, cpu.level);
    cr_expect_eq(0x74, pic_acknowledge(&pic));
    cr_expect_eq(0x04, read_isr(0x20));
    cr_expect_eq(0x10, read_isr(0xA0));
}

Test(pic, masked_slave_line_does_not_reach_the_master)
{
    init_pc(0x01, 0x01);
    out(0xA1, 0x10);                        /* mask IRQ 12 */
    irq(12, 1);
    cr_expect_eq(0, cpu.level);
    cr_expect_eq(-1, pic_pending(&pic));
    cr_expect_eq(0x00, read_irr(0x20), "slave INT low: nothing on master IR2");
}

Test(pic, slave_interrupt_needs_eoi_to_both_chips)
{
    init_pc(0x01, 0x01);
    irq(12, 1);
    pic_acknowledge(&pic);
    irq(9, 1);                              /* higher on the slave, lower than IR2 */
    irq(4, 1);
    eoi(0xA0);
    cr_expect_eq(-1, pic_pending(&pic), "master IR2 still in service");
    eoi(0x20);
    cr_expect_eq(0x71, pic_acknowledge(&pic));
}

Test(pic, special_fully_nested_master_lets_a_higher_slave_request_through)
{
    init_pc(0x11, 0x01);                    /* master ICW4: 8086, SFNM */
    irq(12, 1);
    pic_acknowledge(&pic);
    irq(9, 1);
    cr_expect_eq(0x71, pic_acknowledge(&pic));
    irq(4, 1);
    cr_expect_eq(-1, pic_pending(&pic), "IR2 in service still blocks IR4");
}

/* ---- spurious interrupts ------------------------------------------------------------ */

Test(pic, request_withdrawn_before_inta_gives_spurious_irq7_without_isr)
{
    init_pc(0x01, 0x01);
    out(0x4D0, 0x20);
    irq(5, 1);
    cr_expect_eq(0x0D, pic_pending(&pic));
    irq(5, 0);
    cr_expect_eq(0x0F, pic_acknowledge(&pic));
    cr_expect_eq(0x00, read_isr(0x20));
}

Test(pic, slave_request_withdrawn_gives_spurious_irq15_with_master_ir2_in_service)
{
    init_pc(0x01, 0x01);
    out(0x4D1, 0x08);
    irq(11, 1);
    irq(11, 0);                             /* master IR2 latched the edge of INT */
    cr_expect_eq(0x77, pic_pending(&pic));
    cr_expect_eq(0x77, pic_acknowledge(&pic));
    cr_expect_eq(0x00, read_isr(0xA0));
    cr_expect_eq(0x04, read_isr(0x20), "the OS must EOI the master");
}

/* ---- INTR ------------------------------------------------------------------------------ */

Test(pic, intr_follows_the_highest_unmasked_request)
{
    init_pc(0x01, 0x01);
    irq(6, 1);
    cr_expect_eq(1, cpu.level);
    out(0x21, 0x40);
    cr_expect_eq(0, cpu.level, "masked");
    out(0x21, 0x00);
    cr_expect_eq(1, cpu.level);
    pic_acknowledge(&pic);
    cr_expect_eq(0, cpu.level, "in service");
}

Test(pic, intr_stays_high_without_being_driven_again_while_requests_remain)
{
    init_pc(0x03, 0x01);                    /* AEOI: nothing blocks the next request */
    irq(6, 1);
    irq(3, 1);
    irq(1, 1);
    cr_expect_eq(1, cpu.calls, "better requests while INTR is high");
    cr_expect_eq(0x09, pic_acknowledge(&pic));
    cr_expect_eq(1, cpu.level, "IR3 still requesting");
    cr_expect_eq(1, cpu.calls);
}

/* ---- wiring ------------------------------------------------------------------------------ */

Test(pic, a_word_out_to_the_command_port_also_writes_the_data_port)
{
    init_pc(0x01, 0x01);
    bus_port_out(bus, 0x20, 2, 0x3C00);     /* 00h (OCW2) to 20h, 3Ch to 21h */
    cr_expect_eq(0x3C, in(0x21));
}

Test(pic, driving_line_2_is_a_wiring_bug, .signal = SIGABRT)
{
    irq(2, 1);
}

Test(pic, driving_line_16_is_a_wiring_bug, .signal = SIGABRT)
{
    irq(16, 1);
}
