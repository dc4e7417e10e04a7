/* fwcfg_pci.c - QEMU's fw_cfg (docs/specs/fw_cfg.rst, traditional I/O
 * interface) and PCI configuration mechanism #1 (PCI Local Bus Spec. 3.0
 * sec. 3.2.2.3.2): signature, ID, CPU count and RAM size; CONFIG_ADDRESS
 * read-back and an empty slot reading all ones.
 */
#include "lib/guest.h"

static uint32_t fwcfg_read(uint16_t key, unsigned bytes)
{
    uint32_t v = 0;
    outw(0x510, key);
    for (unsigned i = 0; i < bytes; i++) v |= (uint32_t)inb(0x511) << (8 * i);
    return v;
}

static void fwcfg(void)
{
    check_eq("fwcfg_signature_QEMU", 0x554D4551, fwcfg_read(0x0000, 4));
    check_eq("fwcfg_id_traditional_interface", 1, fwcfg_read(0x0001, 4) & 1);
    check_eq("fwcfg_nb_cpus_1", 1, fwcfg_read(0x0005, 2));
    uint32_t lo = fwcfg_read(0x0003, 4);
    check_eq("fwcfg_ram_size_128M", 128u << 20, lo);
}

static uint32_t pci_read(unsigned dev, unsigned fn, unsigned reg)
{
    outl(0xCF8, 0x80000000u | dev << 11 | fn << 8 | reg);
    return inl(0xCFC);
}

static void pci(void)
{
    outl(0xCF8, 0x80001234u & ~3u);
    check_eq("pci_config_address_readback", 0x80001234u & ~3u, inl(0xCF8));
    check_eq("pci_empty_slot_31_all_ones", 0xFFFFFFFFu, pci_read(31, 0, 0));
    check_eq("pci_bus0_dev0_absent", 0xFFFFFFFFu, pci_read(0, 0, 0));
    outl(0xCF8, 0);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    fwcfg();
    pci();
}
