/* mbinfo.c - the Multiboot information as the guest sees it (Multiboot
 * Specification 0.6.96 sec. 3.2-3.3): magic, flags, mem_lower/mem_upper for
 * 128 MiB, the command line, one module with its string and contents, and a
 * memory map with available RAM at 1 MiB.  Run with --append/-append
 * "guest-args x=1" and --initrd/-initrd "build/guest/module.txt modarg".
 */
#include "lib/guest.h"

static int ends_with(const char *s, const char *tail)
{
    const char *a = s, *b = tail;
    while (*a) a++;
    while (*b) b++;
    while (b > tail && a > s && *--a == *--b) {
    }
    return b == tail && *a == *b;
}

static int starts_with(const char *s, const char *head)
{
    while (*head && *s == *head) s++, head++;
    return *head == 0;
}

static void check_memory(const uint8_t *mbi)
{
    uint32_t flags = rd32(mbi);
    check((flags & 0x1) != 0, "mb_flags_mem");
    check((flags & 0x4) != 0, "mb_flags_cmdline");
    check((flags & 0x8) != 0, "mb_flags_mods");
    check((flags & 0x40) != 0, "mb_flags_mmap");
    uint32_t lower = rd32(mbi + 4);
    check(lower == 639 || lower == 640, "mb_mem_lower_639_or_640");
    uint32_t upper = rd32(mbi + 8);
    check(upper >= (126u << 10) && upper <= (127u << 10), "mb_mem_upper_within_128M");
    check_eq("mb_mem_upper_all_of_128M", (128u << 10) - 1024, upper);
}

static void check_cmdline(const uint8_t *mbi)
{
    const char *cmd = (const char *)rd32(mbi + 16);
    check(ends_with(cmd, " guest-args x=1"), "mb_cmdline_has_append_text");
    check(starts_with(cmd, "build/guest/mbinfo.elf") || ends_with(cmd, "mbinfo.elf guest-args x=1"),
          "mb_cmdline_starts_with_kernel_path");
}

static void check_module(const uint8_t *mbi)
{
    check_eq("mb_mods_count", 1, rd32(mbi + 20));
    const uint8_t *mod = (const uint8_t *)rd32(mbi + 24);
    uint32_t start = rd32(mod), end = rd32(mod + 4);
    const char *str = (const char *)rd32(mod + 8);
    check((start & 0xFFF) == 0, "mb_mod_page_aligned");
    check(start >= 0x100000, "mb_mod_above_1M");
    check(ends_with(str, "modarg"), "mb_mod_string_has_args");
    check(starts_with((const char *)start, "ringsim guest module\n"), "mb_mod_contents");
    check_eq("mb_mod_length", 21, end - start);
}

/* Entries are size (not counting itself), base, length, type (sec. 3.3). */
static void check_mmap(const uint8_t *mbi)
{
    uint32_t len = rd32(mbi + 44), addr = rd32(mbi + 48);
    int found = 0, low = 0;
    for (uint32_t p = addr; p < addr + len; p += rd32((const uint8_t *)p) + 4) {
        const uint8_t *e = (const uint8_t *)p;
        uint32_t base = rd32(e + 4), size = rd32(e + 12), type = rd32(e + 20);
        if (type == 1 && base == 0x100000 && size >= (126u << 20)) found = 1;
        if (type == 1 && base == 0 && size >= (600u << 10)) low = 1;
    }
    check(len > 0 && len % 24 == 0, "mb_mmap_entries_24_bytes");
    check(found, "mb_mmap_available_at_1M");
    check(low, "mb_mmap_available_at_0");
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    check_eq("mb_magic", 0x2BADB002, magic);
    check_memory(mbi);
    check_cmdline(mbi);
    check_module(mbi);
    check_mmap(mbi);
}
