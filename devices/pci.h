/* pci.h - PCI configuration mechanism #1 (PCI Local Bus Specification 3.0,
 * §3.2.2.3.2) with nothing behind it: CONFIG_ADDRESS at 0xCF8 (dword access
 * only) reads back what was written; CONFIG_DATA at 0xCFC-0xCFF reads all ones,
 * the answer for "no device at this bus/device/function", and drops writes.
 */
#ifndef RINGSIM_PCI_H
#define RINGSIM_PCI_H

#include <stdint.h>

struct bus;

#define PCI_PORT_ADDRESS 0xCF8
#define PCI_PORT_DATA    0xCFC
#define PCI_ENABLE       0x80000000u   /* CONFIG_ADDRESS bit 31 */

struct pci {
    uint32_t address;         /* CONFIG_ADDRESS as last written */
};

void pci_init(struct pci *p);
int pci_attach(struct pci *p, struct bus *bus);

#endif
