/* pci.c - configuration mechanism #1, no devices (see pci.h). */
#include "pci.h"
#include "mmu/bus.h"

void pci_init(struct pci *p)
{
    p->address = 0;
}

static uint64_t all_ones(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* Only a dword at 0xCF8 is CONFIG_ADDRESS; byte and word accesses to
 * 0xCF8-0xCFB pass through to ordinary I/O, where nothing answers. */
static uint64_t pci_in(void *ctx, uint16_t port, unsigned size)
{
    struct pci *p = ctx;
    if (port == PCI_PORT_ADDRESS && size == 4) return p->address;
    return all_ones(size);    /* CONFIG_DATA: no function anywhere */
}

static void pci_out(void *ctx, uint16_t port, unsigned size, uint64_t value)
{
    struct pci *p = ctx;
    if (port == PCI_PORT_ADDRESS && size == 4) p->address = (uint32_t)value;
}

int pci_attach(struct pci *p, struct bus *bus)
{
    return bus_map_ports(bus, PCI_PORT_ADDRESS, PCI_PORT_DATA + 3, pci_in, pci_out, p);
}
