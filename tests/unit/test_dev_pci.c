/* test_dev_pci.c - devices/pci.c: configuration mechanism #1 with an empty bus. */
#include <criterion/criterion.h>
#include "devices/pci.h"
#include "mmu/bus.h"

static struct bus *bus;
static struct pci pci;

static void setup(void)
{
    bus = bus_new(1 << 20);
    cr_assert_not_null(bus);
    pci_init(&pci);
    cr_assert_eq(0, pci_attach(&pci, bus));
}

static void teardown(void) { bus_free(bus); bus = NULL; }

TestSuite(pci, .init = setup, .fini = teardown);

/* Enable, bus 0, device 0, function 0, register 0 (vendor/device ID). */
#define ADDR_00_0_0 0x80000000u

Test(pci, config_address_reads_back_what_was_written)
{
    cr_expect_eq(0, bus_port_in(bus, PCI_PORT_ADDRESS, 4));
    bus_port_out(bus, PCI_PORT_ADDRESS, 4, ADDR_00_0_0 | (1u << 11) | 0x08);
    cr_expect_eq(ADDR_00_0_0 | (1u << 11) | 0x08, bus_port_in(bus, PCI_PORT_ADDRESS, 4));
}

Test(pci, config_data_reads_all_ones_because_no_device_answers)
{
    bus_port_out(bus, PCI_PORT_ADDRESS, 4, ADDR_00_0_0);
    cr_expect_eq(0xFFFFFFFFu, bus_port_in(bus, PCI_PORT_DATA, 4), "vendor ID 0xFFFF");
    cr_expect_eq(0xFFFF, bus_port_in(bus, PCI_PORT_DATA + 2, 2));
    cr_expect_eq(0xFF, bus_port_in(bus, PCI_PORT_DATA + 3, 1));
}

Test(pci, config_data_writes_are_ignored)
{
    bus_port_out(bus, PCI_PORT_ADDRESS, 4, ADDR_00_0_0 | 0x04);
    bus_port_out(bus, PCI_PORT_DATA, 4, 0x00000007);
    cr_expect_eq(0xFFFFFFFFu, bus_port_in(bus, PCI_PORT_DATA, 4));
    cr_expect_eq(ADDR_00_0_0 | 0x04, bus_port_in(bus, PCI_PORT_ADDRESS, 4));
}

Test(pci, only_a_dword_access_reaches_config_address)
{
    bus_port_out(bus, PCI_PORT_ADDRESS, 4, ADDR_00_0_0);
    bus_port_out(bus, PCI_PORT_ADDRESS, 1, 0x12);
    bus_port_out(bus, PCI_PORT_ADDRESS, 2, 0x3456);
    cr_expect_eq(ADDR_00_0_0, bus_port_in(bus, PCI_PORT_ADDRESS, 4));
    cr_expect_eq(0xFF, bus_port_in(bus, PCI_PORT_ADDRESS, 1));
}
