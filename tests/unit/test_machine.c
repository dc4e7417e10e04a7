/* test_machine.c - the machine (sim/machine.c): devices see the virtual time
 * of the instruction that touches them, not the time of the last slice. */
#include <criterion/criterion.h>
#include "sim/machine.h"
#include "mmu/bus.h"

#define CODE 0x10000u
#define RESULT 0x20000u

/* Program PIT channel 0 (mode 2, count 0: 65536), latch and read the count,
 * spin 5000 times (dec ecx; jnz: 10000 instructions), latch and read again,
 * store both counts and leave through isa-debug-exit. */
static const uint8_t program[] = {
    0xB0, 0x34, 0xE6, 0x43,             /* mov al, 0x34; out 0x43, al   ch0, lo/hi, mode 2 */
    0x31, 0xC0, 0xE6, 0x40, 0xE6, 0x40, /* xor eax, eax; out 0x40 twice: count 0 */
    0xB0, 0x00, 0xE6, 0x43,             /* mov al, 0; out 0x43: latch ch0 */
    0xE4, 0x40, 0x88, 0xC3,             /* in al, 0x40; mov bl, al */
    0xE4, 0x40, 0x88, 0xC7,             /* in al, 0x40; mov bh, al */
    0xB9, 0x88, 0x13, 0x00, 0x00,       /* mov ecx, 5000 */
    0x49, 0x75, 0xFD,                   /* dec ecx; jnz -3 */
    0xB0, 0x00, 0xE6, 0x43,             /* latch again */
    0xE4, 0x40, 0x88, 0xC1,             /* in al, 0x40; mov cl, al */
    0xE4, 0x40, 0x88, 0xC5,             /* in al, 0x40; mov ch, al */
    0x66, 0x89, 0x1D, 0x00, 0x00, 0x02, 0x00,   /* mov [0x20000], bx */
    0x66, 0x89, 0x0D, 0x02, 0x00, 0x02, 0x00,   /* mov [0x20002], cx */
    0xB0, 0x10, 0xE6, 0xF4,             /* mov al, 0x10; out 0xf4, al */
};

Test(machine, a_device_read_inside_a_slice_sees_the_time_of_its_instruction)
{
    struct machine_options opt;
    machine_default_options(&opt);
    opt.ram_bytes = 4u << 20;
    opt.serial = "null";
    struct machine *m = machine_new(&opt);
    cr_assert_not_null(m);
    cpu_set_flat32(&m->cpu);
    machine_load(m, CODE, program, sizeof program);
    m->cpu.rip = CODE;
    m->cpu.gpr[RSP] = 0x8000;

    cr_assert_eq(STOP_DEBUG_EXIT, machine_run(m), "%s", m->message);
    uint16_t first = (uint16_t)bus_read(m->bus, RESULT, 2);
    uint16_t second = (uint16_t)bus_read(m->bus, RESULT + 2, 2);
    unsigned elapsed_ticks = (uint16_t)(first - second);
    /* 10000 instructions of one cycle each at 1 GHz: 10 us, about 12 ticks of
     * 1.193182 MHz (the loop's exact cost depends on the cycle table). */
    cr_expect_geq(elapsed_ticks, 8, "the count moved by %u ticks (%u then %u)", elapsed_ticks,
                  first, second);
    cr_expect_leq(elapsed_ticks, 40, "the count moved by %u ticks (%u then %u)", elapsed_ticks,
                  first, second);
    machine_free(m);
}
