/* test_loader.c - the loaders (sim/loader.c) and the symbol table
 * (sim/symbols.c): Multiboot v1 kernels as ELF32 and with the a.out kludge
 * (GNU Multiboot Specification 0.6.96 sec. 3), modules and the information
 * structure as a guest reads it, plain ELF32/ELF64, the ROM at the reset
 * vector, and every kind of malformed image.  Images are built here, by hand.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mmu/bus.h"
#include "sim/loader.h"
#include "sim/machine.h"
#include "sim/symbols.h"

/* ---- a machine ---------------------------------------------------------- */

#define RAM (16u << 20)

static struct machine *new_machine(void)
{
    struct machine_options opt;
    machine_default_options(&opt);
    opt.ram_bytes = RAM;
    opt.serial = "null";
    opt.debugcon = "null";
    struct machine *m = machine_new(&opt);
    cr_assert_not_null(m);
    return m;
}

static uint32_t rd32(struct machine *m, uint64_t phys) { return (uint32_t)bus_read(m->bus, phys, 4); }
static uint64_t rd64(struct machine *m, uint64_t phys) { return bus_read(m->bus, phys, 8); }
static const char *str_at(struct machine *m, uint64_t phys)
{
    return (const char *)bus_ram_ptr(m->bus, phys, 1);
}

/* ---- images ------------------------------------------------------------- */

/* File layout of the test ELF images (both classes):
 *   0x000  ELF header, then one program header
 *   0x100  the segment (0x40 bytes, memsz 0x1000): Multiboot header at 0x100,
 *          code at 0x110, data at 0x120
 *   0x140  .symtab (null, kmain FUNC 8 bytes, kdata OBJECT 32, klabel NOTYPE)
 *   0x1C0  .strtab
 *   0x200  section headers: null, .text, .symtab, .strtab */
#define OFF_SEG 0x100
#define OFF_SYM 0x140
#define OFF_STR 0x1C0
#define OFF_SH  0x200
#define SEG_PHYS 0x100000u
#define SEG_FILESZ 0x40
#define SEG_MEMSZ 0x1000

struct elf_spec {
    int cls;                    /* ELFCLASS32 or ELFCLASS64 */
    int multiboot;              /* put a Multiboot header at the segment start */
    uint32_t mb_flags;
    uint64_t vaddr;             /* the segment's virtual address (paddr is SEG_PHYS) */
};

static const uint8_t code[16] = {
    0xB8, 0x78, 0x56, 0x34, 0x12,   /* mov eax, 0x12345678 */
    0xF4,                           /* hlt */
};
static const char strtab[] = "\0kmain\0kdata\0klabel";

static void put_mb_header(uint8_t *p, uint32_t flags)
{
    uint32_t h[3] = { MB_HEADER_MAGIC, flags, -(MB_HEADER_MAGIC + flags) };
    memcpy(p, h, sizeof h);
}

static void put_segment(uint8_t *b, const struct elf_spec *s)
{
    if (s->multiboot) put_mb_header(b + OFF_SEG, s->mb_flags);
    memcpy(b + OFF_SEG + 0x10, code, sizeof code);
    for (int i = 0; i < 32; i++) b[OFF_SEG + 0x20 + i] = (uint8_t)(i * 3 + 1);
    memcpy(b + OFF_STR, strtab, sizeof strtab);
}

static size_t make_elf32(uint8_t *b, const struct elf_spec *s)
{
    uint32_t va = (uint32_t)s->vaddr;
    Elf32_Ehdr eh = { .e_type = ET_EXEC, .e_machine = EM_386, .e_version = EV_CURRENT,
        .e_entry = va + 0x10, .e_phoff = sizeof eh, .e_shoff = OFF_SH,
        .e_ehsize = sizeof eh, .e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 1,
        .e_shentsize = sizeof(Elf32_Shdr), .e_shnum = 4 };
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS32, eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    Elf32_Phdr ph = { PT_LOAD, OFF_SEG, va, SEG_PHYS, SEG_FILESZ, SEG_MEMSZ, PF_R | PF_X, 16 };
    Elf32_Sym sym[4] = { { 0 },
        { 1, va + 0x10, 8, ELF32_ST_INFO(STB_GLOBAL, STT_FUNC), 0, 1 },
        { 7, va + 0x20, 32, ELF32_ST_INFO(STB_GLOBAL, STT_OBJECT), 0, 1 },
        { 13, va + 0x30, 0, ELF32_ST_INFO(STB_LOCAL, STT_NOTYPE), 0, 1 } };
    Elf32_Shdr sh[4] = { { 0 },
        { 0, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, va, OFF_SEG, SEG_FILESZ, 0, 0, 16, 0 },
        { 0, SHT_SYMTAB, 0, 0, OFF_SYM, sizeof sym, 3, 1, 4, sizeof(Elf32_Sym) },
        { 0, SHT_STRTAB, 0, 0, OFF_STR, sizeof strtab, 0, 0, 1, 0 } };
    memcpy(b, &eh, sizeof eh);
    memcpy(b + sizeof eh, &ph, sizeof ph);
    put_segment(b, s);
    memcpy(b + OFF_SYM, sym, sizeof sym);
    memcpy(b + OFF_SH, sh, sizeof sh);
    return OFF_SH + sizeof sh;
}

static size_t make_elf64(uint8_t *b, const struct elf_spec *s)
{
    uint64_t va = s->vaddr;
    Elf64_Ehdr eh = { .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
        .e_entry = va + 0x10, .e_phoff = sizeof eh, .e_shoff = OFF_SH,
        .e_ehsize = sizeof eh, .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1,
        .e_shentsize = sizeof(Elf64_Shdr), .e_shnum = 4 };
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64, eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    Elf64_Phdr ph = { PT_LOAD, PF_R | PF_X, OFF_SEG, va, SEG_PHYS, SEG_FILESZ, SEG_MEMSZ, 16 };
    Elf64_Sym sym[4] = { { 0 },
        { 1, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 0, 1, va + 0x10, 8 },
        { 7, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 0, 1, va + 0x20, 32 },
        { 13, ELF64_ST_INFO(STB_LOCAL, STT_NOTYPE), 0, 1, va + 0x30, 0 } };
    Elf64_Shdr sh[4] = { { 0 },
        { 0, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, va, OFF_SEG, SEG_FILESZ, 0, 0, 16, 0 },
        { 0, SHT_SYMTAB, 0, 0, OFF_SYM, sizeof sym, 3, 1, 8, sizeof(Elf64_Sym) },
        { 0, SHT_STRTAB, 0, 0, OFF_STR, sizeof strtab, 0, 0, 1, 0 } };
    memcpy(b, &eh, sizeof eh);
    memcpy(b + sizeof eh, &ph, sizeof ph);
    put_segment(b, s);
    memcpy(b + OFF_SYM, sym, sizeof sym);
    memcpy(b + OFF_SH, sh, sizeof sh);
    return OFF_SH + sizeof sh;
}

/* A Multiboot ELF32 kernel: flags 3 (page-aligned modules, memory info). */
static size_t make_mb_elf(uint8_t *b)
{
    memset(b, 0, 0x400);
    struct elf_spec s = { ELFCLASS32, 1, 3, SEG_PHYS };
    return make_elf32(b, &s);
}

/* The a.out kludge as a flat file of 0x200 bytes: header at offset 0x40,
 * loaded from offset 0 at 0x100000, only the first 0x100 bytes
 * (load_end_addr), bss up to 0x102000, entry at file offset 0x80. */
#define AOUT_SIZE 0x200
enum { AH_HEADER_ADDR = 0x4C, AH_LOAD_ADDR = 0x50, AH_LOAD_END = 0x54, AH_BSS_END = 0x58,
       AH_ENTRY = 0x5C };
static size_t make_aout(uint8_t *b)
{
    for (int i = 0; i < AOUT_SIZE; i++) b[i] = (uint8_t)(i ^ 0x5A) | 1;   /* never 0 */
    uint32_t f[8] = { MB_HEADER_MAGIC, 0x10003, -(MB_HEADER_MAGIC + 0x10003),
                      0x100040, 0x100000, 0x100100, 0x102000, 0x100080 };
    memcpy(b + 0x40, f, sizeof f);
    return AOUT_SIZE;
}

static void set32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void set64(uint8_t *b, size_t off, uint64_t v) { memcpy(b + off, &v, 8); }

/* A temporary file with the given bytes; the name goes into path. */
static void temp_file(char *path, const void *data, size_t len)
{
    strcpy(path, "/tmp/ringsim-loader-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq((ssize_t)len, write(fd, data, len));
    close(fd);
}

/* ---- Multiboot ELF32 ---------------------------------------------------- */

static uint8_t img[0x1000];
static char err[256];

Test(multiboot, elf32_segments_load_at_paddr_and_the_bss_is_zeroed)
{
    struct machine *m = new_machine();
    size_t n = make_mb_elf(img);
    bus_write(m->bus, SEG_PHYS + 0x800, 4, 0xDEADBEEF);             /* stale bss */
    cr_assert_eq(0, load_multiboot(m, "k.elf", img, n, NULL, NULL, err, sizeof err), "%s", err);
    cr_expect_eq(0, memcmp(img + OFF_SEG, bus_ram_ptr(m->bus, SEG_PHYS, SEG_FILESZ), SEG_FILESZ));
    cr_expect_eq(0, rd32(m, SEG_PHYS + 0x800), "bss cleared");
    cr_expect_eq(0, rd32(m, SEG_PHYS + SEG_MEMSZ - 4));
    machine_free(m);
}

Test(multiboot, entry_is_flat_32bit_protected_mode_with_the_magic_in_eax)
{
    struct machine *m = new_machine();
    size_t n = make_mb_elf(img);
    cr_assert_eq(0, load_multiboot(m, "k.elf", img, n, NULL, NULL, err, sizeof err), "%s", err);
    cr_expect_eq(MODE_PROT, m->cpu.mode);
    cr_expect_eq(DM_32, m->cpu.dmode);
    cr_expect_eq(0, m->cpu.cr0 & CR0_PG, "paging off");
    cr_expect_eq(0, m->cpu.rflags & FL_IF, "interrupts off");
    cr_expect_eq(SEG_PHYS + 0x10, m->cpu.rip);
    cr_expect_eq(MB_BOOT_MAGIC, m->cpu.gpr[RAX]);
    cr_expect_eq(MB_INFO_BASE, m->cpu.gpr[RBX]);
    cr_expect_eq(LOADER_STACK, m->cpu.gpr[RSP]);
    cr_expect_eq(0, m->cpu.seg[SEG_DS].base);
    cr_expect_eq(0xFFFFFFFFu, m->cpu.seg[SEG_DS].limit);
    cr_expect_eq(~0ull, m->bus->a20_mask, "A20 open");
    machine_free(m);
}

Test(multiboot, the_entry_runs_and_halts)
{
    struct machine *m = new_machine();
    size_t n = make_mb_elf(img);
    cr_assert_eq(0, load_multiboot(m, "k.elf", img, n, NULL, NULL, err, sizeof err), "%s", err);
    cpu_run(&m->cpu, 2);
    cr_expect_eq(0x12345678, m->cpu.gpr[RAX] & 0xFFFFFFFF);
    cr_expect(m->cpu.halted || m->cpu.exit_reason == EXIT_HALT);
    machine_free(m);
}

Test(multiboot, info_has_memory_sizes_and_the_command_line_with_the_kernel_name_first)
{
    struct machine *m = new_machine();
    size_t n = make_mb_elf(img);
    cr_assert_eq(0, load_multiboot(m, "boot/k.elf", img, n, "console=ttyS0 debug", NULL, err,
                                   sizeof err), "%s", err);
    uint32_t info = MB_INFO_BASE, flags = rd32(m, info + MBI_FLAGS);
    cr_expect_eq(MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER_NAME, flags);
    cr_expect_eq(640, rd32(m, info + MBI_MEM_LOWER));
    cr_expect_eq((RAM - 0x100000) / 1024, rd32(m, info + MBI_MEM_UPPER));
    cr_expect_str_eq("boot/k.elf console=ttyS0 debug", str_at(m, rd32(m, info + MBI_CMDLINE_ADDR)));
    cr_expect_str_eq("ringsim", str_at(m, rd32(m, info + MBI_LOADER_NAME_ADDR)));
    cr_expect_eq(0, rd32(m, info + MBI_MODS_COUNT));
    machine_free(m);
}

Test(multiboot, without_append_the_command_line_is_the_kernel_name)
{
    struct machine *m = new_machine();
    size_t n = make_mb_elf(img);
    cr_assert_eq(0, load_multiboot(m, "k.elf", img, n, NULL, NULL, err, sizeof err), "%s", err);
    cr_expect_str_eq("k.elf", str_at(m, rd32(m, MB_INFO_BASE + MBI_CMDLINE_ADDR)));
    machine_free(m);
}

Test(multiboot, the_memory_map_has_four_entries_of_size_20)
{
    static const uint64_t want[4][3] = {
        { 0, 0x9FC00, 1 }, { 0x9FC00, 0x400, 2 }, { 0xF0000, 0x10000, 2 },
        { 0x100000, RAM - 0x100000, 1 },
    };
    struct machine *m = new_machine();
    size_t n = make_mb_elf(img);
    cr_assert_eq(0, load_multiboot(m, "k.elf", img, n, NULL, NULL, err, sizeof err), "%s", err);
    uint32_t addr = rd32(m, MB_INFO_BASE + MBI_MMAP_ADDR);
    cr_assert_eq(4 * 24, rd32(m, MB_INFO_BASE + MBI_MMAP_LENGTH));
    for (int i = 0; i < 4; i++, addr += 24) {
        cr_expect_eq(20, rd32(m, addr), "entry %d size", i);
        cr_expect_eq(want[i][0], rd64(m, addr + 4), "entry %d base", i);
        cr_expect_eq(want[i][1], rd64(m, addr + 12), "entry %d length", i);
        cr_expect_eq(want[i][2], rd32(m, addr + 20), "entry %d type", i);
    }
    machine_free(m);
}

Test(multiboot, modules_are_page_aligned_after_the_kernel_with_their_strings)
{
    static const char a[] = "first module", b[] = "second, longer module contents";
    char pa[64], pb[64], list[200];
    temp_file(pa, a, sizeof a - 1);
    temp_file(pb, b, sizeof b - 1);
    snprintf(list, sizeof list, "%s arg1 arg2,%s", pa, pb);
    struct machine *m = new_machine();
    size_t n = make_mb_elf(img);
    int rc = load_multiboot(m, "k.elf", img, n, NULL, list, err, sizeof err);
    unlink(pa);
    unlink(pb);
    cr_assert_eq(0, rc, "%s", err);
    cr_assert_eq(2, rd32(m, MB_INFO_BASE + MBI_MODS_COUNT));
    uint32_t mods = rd32(m, MB_INFO_BASE + MBI_MODS_ADDR);
    uint32_t s0 = rd32(m, mods), e0 = rd32(m, mods + 4), s1 = rd32(m, mods + 16);
    cr_expect_eq(SEG_PHYS + SEG_MEMSZ, s0, "first page after the kernel's bss");
    cr_expect_eq(s0 + sizeof a - 1, e0);
    cr_expect_eq(0, memcmp(a, bus_ram_ptr(m->bus, s0, sizeof a - 1), sizeof a - 1));
    char want0[100];
    snprintf(want0, sizeof want0, "%s arg1 arg2", pa);
    cr_expect_str_eq(want0, str_at(m, rd32(m, mods + 8)));
    cr_expect_eq(0, s1 & 0xFFF, "page aligned");
    cr_expect_eq((e0 + 0xFFF) & ~0xFFFu, s1);
    cr_expect_eq(s1 + sizeof b - 1, rd32(m, mods + 20));
    cr_expect_eq(0, memcmp(b, bus_ram_ptr(m->bus, s1, sizeof b - 1), sizeof b - 1));
    cr_expect_str_eq(pb, str_at(m, rd32(m, mods + 24)));
    cr_expect_eq(MBI_MODS, rd32(m, MB_INFO_BASE + MBI_FLAGS) & MBI_MODS);
    machine_free(m);
}

Test(multiboot, a_missing_module_file_is_refused)
{
    struct machine *m = new_machine();
    size_t n = make_mb_elf(img);
    cr_expect_eq(-1, load_multiboot(m, "k.elf", img, n, NULL, "/nonexistent/mod", err, sizeof err));
    cr_expect(strstr(err, "/nonexistent/mod") != NULL, "%s", err);
    machine_free(m);
}

Test(multiboot, a_higher_half_entry_is_translated_to_its_physical_address)
{
    struct machine *m = new_machine();
    memset(img, 0, sizeof img);
    struct elf_spec s = { ELFCLASS32, 1, 3, 0xC0100000u };
    size_t n = make_elf32(img, &s);
    cr_assert_eq(0, load_multiboot(m, "k.elf", img, n, NULL, NULL, err, sizeof err), "%s", err);
    cr_expect_eq(SEG_PHYS + 0x10, m->cpu.rip);
    uint64_t addr;
    cr_expect_eq(0, symtab_find(m->symbols, "kmain", &addr));
    cr_expect_eq(0xC0100010u, addr, "symbols stay at their virtual addresses");
    machine_free(m);
}

/* ---- the a.out kludge --------------------------------------------------- */

Test(aout_kludge, loads_load_addr_to_load_end_and_zeroes_to_bss_end)
{
    struct machine *m = new_machine();
    size_t n = make_aout(img);
    bus_write(m->bus, 0x101000, 4, 0xDEADBEEF);
    cr_assert_eq(0, load_multiboot(m, "k.bin", img, n, NULL, NULL, err, sizeof err), "%s", err);
    cr_expect_eq(0, memcmp(img, bus_ram_ptr(m->bus, 0x100000, 0x100), 0x100));
    cr_expect_eq(0, rd32(m, 0x100100), "past load_end_addr: bss, not the file");
    cr_expect_eq(0, rd32(m, 0x101000));
    cr_expect_eq(0x100080, m->cpu.rip);
    cr_expect_eq(MB_BOOT_MAGIC, m->cpu.gpr[RAX]);
    uint32_t mods = rd32(m, MB_INFO_BASE + MBI_MODS_ADDR);
    cr_expect_eq(0, rd32(m, MB_INFO_BASE + MBI_MODS_COUNT));
    cr_expect_neq(0, mods);
    machine_free(m);
}

Test(aout_kludge, load_end_zero_loads_to_the_end_of_the_file)
{
    struct machine *m = new_machine();
    size_t n = make_aout(img);
    set32(img, AH_LOAD_END, 0);
    set32(img, AH_BSS_END, 0);
    cr_assert_eq(0, load_multiboot(m, "k.bin", img, n, NULL, NULL, err, sizeof err), "%s", err);
    cr_expect_eq(0, memcmp(img, bus_ram_ptr(m->bus, 0x100000, n), n));
    machine_free(m);
}

/* ---- malformed Multiboot images: each gives its own message ------------- */

typedef void (*mutate_fn)(uint8_t *b, size_t *n);

struct bad_case {
    const char *what;
    int aout;                   /* start from the a.out image instead of ELF32 */
    mutate_fn mutate;
    const char *message;        /* a substring of the expected message */
};

#define PH32 sizeof(Elf32_Ehdr)               /* the ELF32 program header */
static void no_magic(uint8_t *b, size_t *n) { (void)n; memset(b + OFF_SEG, 0, 4); }
static void bad_checksum(uint8_t *b, size_t *n) { (void)n; b[OFF_SEG + 8]++; }
static void unknown_flag(uint8_t *b, size_t *n)
{
    (void)n;
    put_mb_header(b + OFF_SEG, 3 | (1u << 5));
}
static void elf64_class(uint8_t *b, size_t *n) { (void)n; b[EI_CLASS] = ELFCLASS64; }
static void bad_class(uint8_t *b, size_t *n) { (void)n; b[EI_CLASS] = 7; }
static void big_endian(uint8_t *b, size_t *n) { (void)n; b[EI_DATA] = ELFDATA2MSB; }
static void wrong_machine(uint8_t *b, size_t *n) { (void)n; b[18] = EM_ARM; }
static void not_exec(uint8_t *b, size_t *n) { (void)n; b[16] = ET_DYN; }
static void phdrs_beyond(uint8_t *b, size_t *n) { (void)n; set32(b, 28, 0xFFFFFF00u); }
static void no_phdrs(uint8_t *b, size_t *n) { (void)n; b[44] = 0; }
static void seg_beyond(uint8_t *b, size_t *n)
{
    (void)n;
    set32(b, PH32 + 16, 0x10000);       /* p_filesz */
    set32(b, PH32 + 20, 0x10000);       /* p_memsz */
}
static void seg_offset_beyond(uint8_t *b, size_t *n) { (void)n; set32(b, PH32 + 4, 0xFFFFFFF0u); }
static void filesz_gt_memsz(uint8_t *b, size_t *n) { (void)n; set32(b, PH32 + 20, 0x10); }
static void seg_outside_ram(uint8_t *b, size_t *n) { (void)n; set32(b, PH32 + 12, 0xFFFFF000u); }
static void seg_in_low_area(uint8_t *b, size_t *n) { (void)n; set32(b, PH32 + 12, 0x7000); }
static void seg_in_hole(uint8_t *b, size_t *n) { (void)n; set32(b, PH32 + 12, 0xB8000); }
static void entry_outside(uint8_t *b, size_t *n) { (void)n; set32(b, 24, 0x500000); }
static void sections_beyond(uint8_t *b, size_t *n) { (void)n; set32(b, 32, 0x7FFFFFF0); }
static void symtab_beyond(uint8_t *b, size_t *n)
{
    (void)n;
    set32(b, OFF_SH + 2 * sizeof(Elf32_Shdr) + 16, 0x7FFFFFF0);   /* .symtab sh_offset */
}
static void aout_header_below_load(uint8_t *b, size_t *n) { (void)n; set32(b, AH_HEADER_ADDR, 0xFFFF0); }
static void aout_load_before_file(uint8_t *b, size_t *n) { (void)n; set32(b, AH_LOAD_ADDR, 0xF0000); }
static void aout_load_end_beyond(uint8_t *b, size_t *n) { (void)n; set32(b, AH_LOAD_END, 0x100201); }
static void aout_load_end_before(uint8_t *b, size_t *n) { (void)n; set32(b, AH_LOAD_END, 0xFFFFF); }
static void aout_bss_below(uint8_t *b, size_t *n) { (void)n; set32(b, AH_BSS_END, 0x1000FF); }
static void aout_entry_outside(uint8_t *b, size_t *n) { (void)n; set32(b, AH_ENTRY, 0x100100); }
static void aout_cut_off(uint8_t *b, size_t *n) { (void)b; *n = 0x50; }
static void aout_beyond_ram(uint8_t *b, size_t *n)
{
    (void)n;
    set32(b, AH_HEADER_ADDR, 0xFFF00040u);
    set32(b, AH_LOAD_ADDR, 0xFFF00000u);
    set32(b, AH_LOAD_END, 0xFFF00100u);
    set32(b, AH_BSS_END, 0);
    set32(b, AH_ENTRY, 0xFFF00080u);
}

static const struct bad_case bad_cases[] = {
    { "no header", 0, no_magic, "no Multiboot header" },
    { "checksum", 0, bad_checksum, "bad checksum" },
    { "unknown required flag", 0, unknown_flag, "unsupported Multiboot header flag(s) 0x20" },
    { "ELF64 kernel", 0, elf64_class, "must be ELF32" },
    { "unknown class", 0, bad_class, "unknown ELF class 7" },
    { "big-endian", 0, big_endian, "little-endian" },
    { "machine", 0, wrong_machine, "ELF machine 40" },
    { "ET_DYN", 0, not_exec, "not an executable" },
    { "phdr table beyond file", 0, phdrs_beyond, "program header table beyond" },
    { "no program headers", 0, no_phdrs, "no program headers" },
    { "segment beyond file", 0, seg_beyond, "beyond the end of the file" },
    { "segment offset beyond file", 0, seg_offset_beyond, "beyond the end of the file" },
    { "filesz > memsz", 0, filesz_gt_memsz, "p_filesz" },
    { "segment outside RAM", 0, seg_outside_ram, "outside RAM" },
    { "segment in the loader's area", 0, seg_in_low_area, "loader's area" },
    { "segment in the video hole", 0, seg_in_hole, "hole" },
    { "entry outside segments", 0, entry_outside, "entry point 0x500000" },
    { "section table beyond file", 0, sections_beyond, "section header table" },
    { "symtab beyond file", 0, symtab_beyond, "symbol table" },
    { "header_addr < load_addr", 1, aout_header_below_load, "below load_addr" },
    { "load_addr before the file", 1, aout_load_before_file, "before the beginning" },
    { "load_end beyond the file", 1, aout_load_end_beyond, "load_end_addr" },
    { "load_end before load_addr", 1, aout_load_end_before, "load_end_addr" },
    { "bss_end below load_end", 1, aout_bss_below, "bss_end_addr" },
    { "entry outside the image", 1, aout_entry_outside, "entry_addr" },
    { "address fields cut off", 1, aout_cut_off, "cut off" },
    { "image beyond RAM", 1, aout_beyond_ram, "outside RAM" },
};

Test(multiboot_malformed, every_case_is_refused_with_its_message)
{
    struct machine *m = new_machine();
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        size_t n = c->aout ? make_aout(img) : make_mb_elf(img);
        c->mutate(img, &n);
        err[0] = 0;
        cr_expect_eq(-1, load_multiboot(m, "k", img, n, NULL, NULL, err, sizeof err),
                     "%s: accepted", c->what);
        cr_expect(strstr(err, c->message) != NULL, "%s: message \"%s\" lacks \"%s\"", c->what,
                  err, c->message);
        cr_expect(strncmp(err, "k: ", 3) == 0, "%s: \"%s\" names the file", c->what, err);
        cr_expect(strchr(err, '\n') == NULL, "%s: one line", c->what);
    }
    machine_free(m);
}

Test(multiboot_malformed, the_video_flag_is_accepted_and_ignored)
{
    struct machine *m = new_machine();
    make_mb_elf(img);
    put_mb_header(img + OFF_SEG, 7);
    cr_expect_eq(0, load_multiboot(m, "k", img, OFF_SH + 4 * sizeof(Elf32_Shdr), NULL, NULL,
                                   err, sizeof err), "%s", err);
    machine_free(m);
}

/* ---- plain ELF ---------------------------------------------------------- */

Test(plain_elf, elf32_enters_flat_32bit_mode_at_e_entry_with_eax_ebx_zero)
{
    struct machine *m = new_machine();
    memset(img, 0, sizeof img);
    struct elf_spec s = { ELFCLASS32, 0, 0, SEG_PHYS };
    size_t n = make_elf32(img, &s);
    cr_assert_eq(0, load_elf(m, "a.elf", img, n, err, sizeof err), "%s", err);
    cr_expect_eq(MODE_PROT, m->cpu.mode);
    cr_expect_eq(DM_32, m->cpu.dmode);
    cr_expect_eq(SEG_PHYS + 0x10, m->cpu.rip);
    cr_expect_eq(0, m->cpu.gpr[RAX]);
    cr_expect_eq(0, m->cpu.gpr[RBX]);
    cr_expect_eq(LOADER_STACK, m->cpu.gpr[RSP]);
    cr_expect_eq(0, memcmp(img + OFF_SEG, bus_ram_ptr(m->bus, SEG_PHYS, SEG_FILESZ), SEG_FILESZ));
    machine_free(m);
}

Test(plain_elf, elf64_enters_64bit_mode_at_e_entry)
{
    struct machine *m = new_machine();
    memset(img, 0, sizeof img);
    struct elf_spec s = { ELFCLASS64, 0, 0, SEG_PHYS };
    size_t n = make_elf64(img, &s);
    cr_assert_eq(0, load_elf(m, "a64.elf", img, n, err, sizeof err), "%s", err);
    cr_expect_eq(MODE_LONG, m->cpu.mode);
    cr_expect_eq(DM_64, m->cpu.dmode);
    cr_expect_eq(SEG_PHYS + 0x10, m->cpu.rip);
    cr_expect_eq(0, rd32(m, SEG_PHYS + 0x800), "bss");
    uint64_t addr;
    cr_expect_eq(0, symtab_find(m->symbols, "kdata", &addr));
    cr_expect_eq(SEG_PHYS + 0x20, addr);
    machine_free(m);
}

Test(plain_elf, an_elf64_address_that_overflows_is_refused)
{
    struct machine *m = new_machine();
    memset(img, 0, sizeof img);
    struct elf_spec s = { ELFCLASS64, 0, 0, SEG_PHYS };
    size_t n = make_elf64(img, &s);
    set64(img, sizeof(Elf64_Ehdr) + 24, 0xFFFFFFFFFFFFF000ull);     /* p_paddr */
    cr_expect_eq(-1, load_elf(m, "a64.elf", img, n, err, sizeof err));
    cr_expect(strstr(err, "overflows") != NULL, "%s", err);
    machine_free(m);
}

Test(plain_elf, a_file_that_is_not_elf_is_refused)
{
    struct machine *m = new_machine();
    cr_expect_eq(-1, load_elf(m, "x", "MZ\x90\0", 4, err, sizeof err));
    cr_expect_str_eq("x: not an ELF file (bad magic)", err);
    make_mb_elf(img);
    cr_expect_eq(-1, load_elf(m, "x", img, 40, err, sizeof err));
    cr_expect_str_eq("x: truncated ELF header (40 of 52 bytes)", err);
    machine_free(m);
}

/* ---- the ROM at the reset vector ---------------------------------------- */

Test(bios, the_rom_starts_at_f000_fff0_in_real_mode)
{
    static uint8_t rom[0x10000];
    for (size_t i = 0; i < sizeof rom; i++) rom[i] = (uint8_t)i;
    rom[sizeof rom - 16] = 0xEA;                    /* jmp far ... */
    struct machine *m = new_machine();
    cr_assert_eq(0, load_bios(m, rom, sizeof rom, err, sizeof err), "%s", err);
    cr_expect_eq(MODE_REAL, m->cpu.mode);
    cr_expect_eq(0xF000, m->cpu.seg[SEG_CS].sel);
    cr_expect_eq(0xFFFF0000u, m->cpu.seg[SEG_CS].base);
    cr_expect_eq(0xFFF0, m->cpu.rip);
    cr_expect_eq(0xEA, bus_read(m->bus, 0xFFFFFFF0, 1));
    cr_expect_eq(0xEA, bus_read(m->bus, 0xFFFF0, 1));
    machine_free(m);
}

Test(bios, sizes_below_16_bytes_and_above_the_rom_space_are_refused)
{
    static uint8_t rom[16];
    struct machine *m = new_machine();
    cr_expect_eq(-1, load_bios(m, rom, 15, err, sizeof err));
    cr_expect(strstr(err, "at least 16") != NULL, "%s", err);
    cr_expect_eq(-1, load_bios(m, rom, 0, err, sizeof err));
    cr_expect_eq(-1, load_bios(m, rom, BUS_ROM_MAX + 1, err, sizeof err));  /* never read */
    cr_expect(strstr(err, "at most 16 MiB") != NULL, "%s", err);
    cr_expect_eq(0, load_bios(m, rom, 16, err, sizeof err));
    machine_free(m);
}

/* ---- machine_boot: files, detection, combinations ------------------------ */

static int boot(struct machine *m, const char *kernel, const char *append, const char *initrd,
                const char *bios)
{
    struct load_request req = { kernel, append, initrd, bios };
    err[0] = 0;
    return machine_boot(m, &req, err, sizeof err);
}

Test(machine_boot, detects_multiboot_and_plain_elf_and_records_symbols)
{
    char path[64];
    struct machine *m = new_machine();
    size_t n = make_mb_elf(img);
    temp_file(path, img, n);
    int rc = boot(m, path, "quiet", NULL, NULL);
    unlink(path);
    cr_assert_eq(0, rc, "%s", err);
    cr_expect_eq(MB_BOOT_MAGIC, m->cpu.gpr[RAX]);
    cr_assert_not_null(m->symbols);
    uint64_t addr;
    cr_expect_eq(0, symtab_find(m->symbols, "kmain", &addr));
    machine_free(m);

    m = new_machine();
    memset(img, 0, sizeof img);
    struct elf_spec s = { ELFCLASS32, 0, 0, SEG_PHYS };
    n = make_elf32(img, &s);
    temp_file(path, img, n);
    rc = boot(m, path, NULL, NULL, NULL);
    cr_expect_eq(-1, boot(m, path, "x", NULL, NULL), "--append with a plain ELF");
    cr_expect(strstr(err, "need a Multiboot kernel") != NULL, "%s", err);
    unlink(path);
    cr_assert_eq(0, rc, "%s", err);
    cr_expect_eq(0, m->cpu.gpr[RAX], "plain ELF: no Multiboot magic");
    machine_free(m);
}

Test(machine_boot, refuses_bad_requests_and_bad_files)
{
    char path[64];
    struct machine *m = new_machine();
    cr_expect_eq(-1, boot(m, "k", NULL, NULL, "rom"));
    cr_expect(strstr(err, "cannot be combined") != NULL, "%s", err);
    cr_expect_eq(-1, boot(m, NULL, NULL, NULL, NULL));
    cr_expect(strstr(err, "nothing to boot") != NULL, "%s", err);
    cr_expect_eq(-1, boot(m, NULL, "x", NULL, "rom"));
    cr_expect_eq(-1, boot(m, "/nonexistent/kernel", NULL, NULL, NULL));
    cr_expect_str_eq("/nonexistent/kernel: No such file or directory", err);
    cr_expect_eq(-1, boot(m, "/tmp", NULL, NULL, NULL));
    cr_expect(strstr(err, "not a regular file") != NULL, "%s", err);
    temp_file(path, "just text, not a kernel", 23);
    cr_expect_eq(-1, boot(m, path, NULL, NULL, NULL));
    cr_expect(strstr(err, "neither a Multiboot kernel") != NULL, "%s", err);
    cr_expect_eq(0, boot(m, NULL, NULL, NULL, path), "a 23-byte ROM is fine: %s", err);
    unlink(path);
    machine_free(m);
}

Test(machine_boot, boots_a_rom_and_refuses_one_too_small)
{
    static uint8_t rom[4096];
    char path[64];
    struct machine *m = new_machine();
    temp_file(path, rom, 8);
    cr_expect_eq(-1, boot(m, NULL, NULL, NULL, path));
    cr_expect(strstr(err, path) == err && strstr(err, "at least 16"), "%s", err);
    unlink(path);
    temp_file(path, rom, sizeof rom);
    cr_expect_eq(0, boot(m, NULL, NULL, NULL, path), "%s", err);
    unlink(path);
    cr_expect_eq(0xFFF0, m->cpu.rip);
    machine_free(m);
}

/* ---- symbols ------------------------------------------------------------ */

Test(symbols, found_by_name_and_by_address_with_offsets)
{
    struct symtab *t = symtab_new();
    memset(img, 0, sizeof img);
    struct elf_spec s = { ELFCLASS32, 0, 0, SEG_PHYS };
    size_t n = make_elf32(img, &s);
    cr_assert_eq(0, symtab_add_elf(t, img, n, 0));
    uint64_t addr, off;
    cr_expect_eq(0, symtab_find(t, "kmain", &addr));
    cr_expect_eq(SEG_PHYS + 0x10, addr);
    cr_expect_eq(-1, symtab_find(t, "nothere", &addr));
    cr_expect_str_eq("kmain", symtab_lookup(t, SEG_PHYS + 0x14, &off));
    cr_expect_eq(4, off);
    cr_expect_null(symtab_lookup(t, SEG_PHYS + 0x18, &off), "past kmain's 8 bytes");
    cr_expect_null(symtab_lookup(t, SEG_PHYS, &off), "before every symbol");
    cr_expect_str_eq("klabel", symtab_lookup(t, SEG_PHYS + 0x38, &off), "labels reach on");
    cr_expect_eq(8, off);
    cr_expect_str_eq("klabel", symtab_lookup(t, SEG_PHYS + 0x30 + SYMTAB_LABEL_REACH - 1, &off));
    cr_expect_null(symtab_lookup(t, SEG_PHYS + 0x30 + SYMTAB_LABEL_REACH, &off),
                   "but not into another image megabytes away");
    char buf[64];
    symtab_format(t, SEG_PHYS + 0x22, buf, sizeof buf);
    cr_expect_str_eq("kdata+0x2", buf);
    symtab_format(t, SEG_PHYS + 0x10, buf, sizeof buf);
    cr_expect_str_eq("kmain", buf);
    symtab_format(t, 0x42, buf, sizeof buf);
    cr_expect_str_eq("0x42", buf);
    symtab_free(t);
}

Test(symbols, images_add_up_and_the_bias_moves_them)
{
    struct symtab *t = symtab_new();
    memset(img, 0, sizeof img);
    struct elf_spec s = { ELFCLASS64, 0, 0, SEG_PHYS };
    size_t n = make_elf64(img, &s);
    cr_assert_eq(0, symtab_add_elf(t, img, n, 0x1000000));
    cr_assert_eq(0, symtab_add(t, 0x5000, 0x40, "KiFastCallEntry"));
    uint64_t off;
    char buf[64];
    symtab_format(t, 0x5012, buf, sizeof buf);
    cr_expect_str_eq("KiFastCallEntry+0x12", buf);
    cr_expect_str_eq("kmain", symtab_lookup(t, 0x1000000 + SEG_PHYS + 0x10, &off));
    cr_expect_eq(0, off);
    cr_expect_eq(4, t->n, "three from the ELF, one by hand");
    symtab_free(t);
}

Test(symbols, an_image_without_sections_adds_nothing_and_garbage_is_refused)
{
    struct symtab *t = symtab_new();
    memset(img, 0, sizeof img);
    struct elf_spec s = { ELFCLASS32, 0, 0, SEG_PHYS };
    size_t n = make_elf32(img, &s);
    set32(img, 32, 0);                              /* e_shoff */
    cr_expect_eq(0, symtab_add_elf(t, img, n, 0));
    cr_expect_eq(0, t->n);
    cr_expect_eq(-1, symtab_add_elf(t, "garbage", 7, 0));
    cr_expect_null(symtab_lookup(t, 0, NULL));
    symtab_free(t);
}

/* ---- robustness: truncations and flipped bytes never crash --------------- */

/* Either it loads, or it says why in one line. */
static void check_outcome(int rc, const char *what, size_t i)
{
    if (rc == 0) return;
    cr_assert_eq(-1, rc, "%s %zu: rc %d", what, i, rc);
    cr_assert(err[0] != 0, "%s %zu: no message", what, i);
    cr_assert(strchr(err, '\n') == NULL, "%s %zu: %s", what, i, err);
}

static uint8_t *heap_copy(const uint8_t *src, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);         /* exactly n bytes: ASan sees any overread */
    memcpy(p, src, n);
    return p;
}

typedef int (*load_fn)(struct machine *m, const uint8_t *b, size_t n);
static int try_mb(struct machine *m, const uint8_t *b, size_t n)
{
    return load_multiboot(m, "k", b, n, "a b", NULL, err, sizeof err);
}
static int try_elf(struct machine *m, const uint8_t *b, size_t n)
{
    return load_elf(m, "k", b, n, err, sizeof err);
}
static int try_syms(struct machine *m, const uint8_t *b, size_t n)
{
    struct symtab *t = symtab_new();
    int rc = symtab_add_elf(t, b, n, 0);
    for (size_t i = 0; i < t->n; i++) symtab_lookup(t, t->v[i].addr, NULL);
    symtab_free(t);
    (void)m;
    snprintf(err, sizeof err, "malformed");
    return rc;
}

/* Every prefix of a valid image: never a crash, a refusal always has its one
 * line, and where the format fixes the file's extent (ELF headers, segments
 * and section tables) any shorter file must be refused.  The a.out kludge
 * with load_end_addr = 0 loads "to the end of the file" (Multiboot 0.6.96
 * sec. 3.1.3), so a shorter one may load. */
static void truncate_all(struct machine *m, const uint8_t *full, size_t size, load_fn fn,
                         const char *what, bool shorter_is_refused)
{
    for (size_t len = 0; len <= size; len++) {
        uint8_t *p = heap_copy(full, len);
        err[0] = 0;
        int rc = fn(m, p, len);
        check_outcome(rc, what, len);
        if (shorter_is_refused && len < size)
            cr_assert_eq(-1, rc, "%s %zu of %zu bytes was accepted", what, len, size);
        free(p);
    }
}

static uint32_t lcg(uint32_t *state) { return *state = *state * 1103515245u + 12345u; }

static void flip_bytes(struct machine *m, const uint8_t *full, size_t size, load_fn fn,
                       const char *what, uint32_t seed)
{
    uint32_t st = seed;
    for (size_t iter = 0; iter < 3000; iter++) {
        uint8_t *p = heap_copy(full, size);
        unsigned flips = 1 + (lcg(&st) >> 16) % 4;
        for (unsigned k = 0; k < flips; k++) {
            size_t at = (lcg(&st) >> 8) % size;
            /* Headers first: three quarters of the flips hit the first 0x80 bytes
             * or the section headers (the a.out header), where the pointers are. */
            size_t hot = size > OFF_SH ? OFF_SH : 0x40;
            if ((lcg(&st) >> 16) % 4 != 0)
                at = (lcg(&st) >> 16) % 2 ? (lcg(&st) >> 8) % 0x80
                                          : hot + (lcg(&st) >> 8) % (size - hot);
            p[at] = (uint8_t)(lcg(&st) >> 16);
        }
        err[0] = 0;
        check_outcome(fn(m, p, size), what, iter);
        free(p);
    }
}

static void build_all(uint8_t mb[0x400], size_t *nmb, uint8_t e64[0x400], size_t *n64,
                      uint8_t ao[0x400], size_t *nao)
{
    *nmb = make_mb_elf(mb);
    memset(e64, 0, 0x400);
    struct elf_spec s = { ELFCLASS64, 0, 0, SEG_PHYS };
    *n64 = make_elf64(e64, &s);
    *nao = make_aout(ao);
}

Test(robustness, a_truncated_elf_is_refused_and_no_truncation_crashes, .timeout = 120)
{
    static uint8_t mb[0x400], e64[0x400], ao[0x400];
    size_t nmb, n64, nao;
    build_all(mb, &nmb, e64, &n64, ao, &nao);
    struct machine *m = new_machine();
    truncate_all(m, mb, nmb, try_mb, "multiboot elf32 truncated at", true);
    truncate_all(m, mb, nmb, try_elf, "elf32 truncated at", true);
    truncate_all(m, e64, n64, try_elf, "elf64 truncated at", true);
    truncate_all(m, ao, nao, try_mb, "a.out truncated at", false);
    truncate_all(m, e64, n64, try_syms, "symbols truncated at", true);
    machine_free(m);
}

Test(robustness, flipped_header_bytes_load_or_are_refused, .timeout = 120)
{
    static uint8_t mb[0x400], e64[0x400], ao[0x400];
    size_t nmb, n64, nao;
    build_all(mb, &nmb, e64, &n64, ao, &nao);
    struct machine *m = new_machine();
    flip_bytes(m, mb, nmb, try_mb, "multiboot elf32 flip", 1);
    flip_bytes(m, mb, nmb, try_elf, "elf32 flip", 2);
    flip_bytes(m, e64, n64, try_elf, "elf64 flip", 3);
    flip_bytes(m, e64, n64, try_syms, "symbols flip", 4);
    flip_bytes(m, ao, nao, try_mb, "a.out flip", 5);
    machine_free(m);
}
