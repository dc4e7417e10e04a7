/* loader.c - Multiboot v1 kernels (GNU Multiboot Specification 0.6.96: the
 * header in sec. 3.1, the machine state in 3.2, the information structure in
 * 3.3), plain ELF32/ELF64 executables (System V gABI, read through libelf)
 * and flat firmware ROMs at the reset vector (SDM Vol. 3 9.1.4).  Every
 * field is checked against the file size before it is used: a malformed
 * image gives a one-line message, never a read outside the buffer.
 */
#include "sim/loader.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mmu/bus.h"
#include "sim/machine.h"
#include "sim/symbols.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);           /* the host is little-endian like the guest */
    return v;
}

static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static const char *name_of(const char *path) { return path ? path : "kernel"; }

/* ---- where images may go ------------------------------------------------ */

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* [addr, addr+len) lies in RAM, outside the loader's low area and outside the
 * EBDA / video / ROM hole between conventional and extended memory. */
static int check_region(struct machine *m, uint64_t addr, uint64_t len, const char *what,
                        char *err, size_t errlen)
{
    uint64_t ram = m->bus->ram_size;
    if (len == 0) return 0;
    if (addr + len < addr || addr >= ram || len > ram - addr)
        return fail(err, errlen, "%s at 0x%llx-0x%llx is outside RAM (%llu MiB)", what,
                    (unsigned long long)addr, (unsigned long long)(addr + len),
                    (unsigned long long)(ram >> 20));
    if (overlaps(addr, len, 0, LOADER_LOW_END))
        return fail(err, errlen, "%s at 0x%llx overlaps the loader's area below 0x%x "
                    "(IVT, stack, boot information)", what, (unsigned long long)addr,
                    LOADER_LOW_END);
    if (overlaps(addr, len, LOADER_CONV_END, LOADER_EXT_BASE - LOADER_CONV_END))
        return fail(err, errlen, "%s at 0x%llx-0x%llx overlaps the EBDA/video/ROM hole "
                    "0x%x-0x%x", what, (unsigned long long)addr,
                    (unsigned long long)(addr + len), LOADER_CONV_END, LOADER_EXT_BASE);
    return 0;
}

/* Copy into RAM, then zero up to memsz (the bss). */
static void load_bytes(struct machine *m, uint64_t addr, const void *src, uint64_t filesz,
                       uint64_t memsz)
{
    static const uint8_t zeros[65536];
    bus_load(m->bus, addr, src, filesz);
    for (uint64_t done = filesz; done < memsz; ) {
        uint64_t n = memsz - done < sizeof zeros ? memsz - done : sizeof zeros;
        bus_load(m->bus, addr + done, zeros, n);
        done += n;
    }
}

/* ---- ELF ---------------------------------------------------------------- */

struct elf_image {
    const char *path;
    const uint8_t *bytes;
    size_t size;
    char *copy;                 /* libelf's private, writable copy */
    Elf *elf;
    GElf_Ehdr eh;
    size_t phnum;
    uint64_t entry;             /* physical, after elf_find_entry */
    uint64_t end;               /* highest loaded byte + 1 */
};

/* offset + count * entsize lies inside size bytes (no overflow). */
static bool table_fits(uint64_t offset, uint64_t count, uint64_t entsize, size_t size)
{
    if (offset > size) return false;
    return entsize == 0 || count <= (size - offset) / entsize;
}

/* e_ident: magic, a class, little-endian, version 1; want_class 0 = either. */
static int elf_check_ident(const struct elf_image *e, int want_class, char *err, size_t errlen)
{
    const uint8_t *id = e->bytes;
    if (e->size < EI_NIDENT || memcmp(id, ELFMAG, SELFMAG) != 0)
        return fail(err, errlen, "%s: not an ELF file (bad magic)", e->path);
    if (id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64)
        return fail(err, errlen, "%s: unknown ELF class %u", e->path, id[EI_CLASS]);
    if (want_class && id[EI_CLASS] != want_class)
        return fail(err, errlen, "%s: Multiboot ELF kernels must be ELF32 (use the a.out "
                    "kludge, header flag 16, for other formats)", e->path);
    if (id[EI_DATA] != ELFDATA2LSB)
        return fail(err, errlen, "%s: not a little-endian ELF file", e->path);
    if (id[EI_VERSION] != EV_CURRENT)
        return fail(err, errlen, "%s: unknown ELF version %u", e->path, id[EI_VERSION]);
    size_t ehsize = id[EI_CLASS] == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    if (e->size < ehsize)
        return fail(err, errlen, "%s: truncated ELF header (%zu of %zu bytes)", e->path,
                    e->size, ehsize);
    return 0;
}

/* Type, machine and the two header tables, from the header libelf returned. */
static int elf_check_header(const struct elf_image *e, char *err, size_t errlen)
{
    const GElf_Ehdr *h = &e->eh;
    bool is64 = h->e_ident[EI_CLASS] == ELFCLASS64;
    if (h->e_type != ET_EXEC)
        return fail(err, errlen, "%s: ELF type %u is not an executable (ET_EXEC)", e->path,
                    h->e_type);
    if (h->e_machine != (is64 ? EM_X86_64 : EM_386))
        return fail(err, errlen, "%s: ELF machine %u is not %s", e->path, h->e_machine,
                    is64 ? "x86-64 (EM_X86_64) for ELF64" : "i386 (EM_386) for ELF32");
    if (h->e_phnum == 0 || h->e_phnum == PN_XNUM)
        return fail(err, errlen, "%s: no program headers", e->path);
    if (h->e_phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
        return fail(err, errlen, "%s: bad program header size %u", e->path, h->e_phentsize);
    if (!table_fits(h->e_phoff, h->e_phnum, h->e_phentsize, e->size))
        return fail(err, errlen, "%s: program header table beyond the end of the file",
                    e->path);
    if (h->e_shoff && h->e_shnum &&
        (h->e_shentsize != (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) ||
         !table_fits(h->e_shoff, h->e_shnum, h->e_shentsize, e->size)))
        return fail(err, errlen, "%s: section header table beyond the end of the file or "
                    "with a bad entry size", e->path);
    return 0;
}

static void elf_close(struct elf_image *e)
{
    if (e->elf) elf_end(e->elf);
    free(e->copy);
    e->elf = NULL;
    e->copy = NULL;
}

static int elf_open(struct elf_image *e, const char *path, const void *image, size_t size,
                    int want_class, char *err, size_t errlen)
{
    memset(e, 0, sizeof *e);
    e->path = name_of(path);
    e->bytes = image;
    e->size = size;
    if (elf_check_ident(e, want_class, err, errlen)) return -1;
    elf_version(EV_CURRENT);
    e->copy = malloc(size);
    if (!e->copy) return fail(err, errlen, "%s: out of host memory", e->path);
    memcpy(e->copy, image, size);
    e->elf = elf_memory(e->copy, size);
    if (!e->elf || elf_kind(e->elf) != ELF_K_ELF || !gelf_getehdr(e->elf, &e->eh)) {
        fail(err, errlen, "%s: libelf cannot read it: %s", e->path, elf_errmsg(-1));
        elf_close(e);
        return -1;
    }
    e->phnum = e->eh.e_phnum;
    if (elf_check_header(e, err, errlen)) {
        elf_close(e);
        return -1;
    }
    return 0;
}

/* Where a segment goes: its physical address, or its virtual one when the
 * linker left p_paddr 0 (many hand-written linker scripts do). */
static uint64_t seg_addr(const GElf_Phdr *p)
{
    return p->p_paddr ? p->p_paddr : p->p_vaddr;
}

static int elf_phdr(struct elf_image *e, size_t i, GElf_Phdr *p, char *err, size_t errlen)
{
    if (!gelf_getphdr(e->elf, (int)i, p))
        return fail(err, errlen, "%s: cannot read program header %zu: %s", e->path, i,
                    elf_errmsg(-1));
    return 0;
}

static int elf_check_segment(struct machine *m, struct elf_image *e, size_t i,
                             const GElf_Phdr *p, char *err, size_t errlen)
{
    char what[64];
    uint64_t addr = seg_addr(p);
    if (p->p_filesz > p->p_memsz)
        return fail(err, errlen, "%s: segment %zu has p_filesz 0x%llx > p_memsz 0x%llx",
                    e->path, i, (unsigned long long)p->p_filesz,
                    (unsigned long long)p->p_memsz);
    if (!table_fits(p->p_offset, 1, p->p_filesz, e->size))
        return fail(err, errlen, "%s: segment %zu (offset 0x%llx, 0x%llx bytes) extends "
                    "beyond the end of the file", e->path, i,
                    (unsigned long long)p->p_offset, (unsigned long long)p->p_filesz);
    if (addr + p->p_memsz < addr)
        return fail(err, errlen, "%s: segment %zu address 0x%llx + size overflows",
                    e->path, i, (unsigned long long)addr);
    snprintf(what, sizeof what, "%s: segment %zu", e->path, i);
    return check_region(m, addr, p->p_memsz, what, err, errlen);
}

/* Every PT_LOAD is checked before anything is written. */
static int elf_check_segments(struct machine *m, struct elf_image *e, char *err, size_t errlen)
{
    GElf_Phdr p;
    size_t loads = 0;
    for (size_t i = 0; i < e->phnum; i++) {
        if (elf_phdr(e, i, &p, err, errlen)) return -1;
        if (p.p_type != PT_LOAD || p.p_memsz == 0) continue;
        if (elf_check_segment(m, e, i, &p, err, errlen)) return -1;
        loads++;
    }
    if (loads == 0) return fail(err, errlen, "%s: no loadable (PT_LOAD) segments", e->path);
    return 0;
}

static void elf_write_segments(struct machine *m, struct elf_image *e)
{
    GElf_Phdr p;
    for (size_t i = 0; i < e->phnum; i++) {
        if (!gelf_getphdr(e->elf, (int)i, &p) || p.p_type != PT_LOAD || p.p_memsz == 0)
            continue;
        load_bytes(m, seg_addr(&p), e->bytes + p.p_offset, p.p_filesz, p.p_memsz);
        if (seg_addr(&p) + p.p_memsz > e->end) e->end = seg_addr(&p) + p.p_memsz;
    }
}

/* e_entry is a virtual address; paging is off at entry, so translate it
 * through the segment that holds it (what GRUB 2 does for higher-half
 * kernels).  An entry outside every loaded segment is refused. */
static int elf_find_entry(struct elf_image *e, char *err, size_t errlen)
{
    GElf_Phdr p;
    for (size_t i = 0; i < e->phnum; i++) {
        if (elf_phdr(e, i, &p, err, errlen)) return -1;
        if (p.p_type != PT_LOAD) continue;
        if (e->eh.e_entry - p.p_vaddr < p.p_memsz) {
            e->entry = e->eh.e_entry - p.p_vaddr + seg_addr(&p);
            return 0;
        }
    }
    return fail(err, errlen, "%s: entry point 0x%llx is outside every loadable segment",
                e->path, (unsigned long long)e->eh.e_entry);
}

static int elf_load(struct machine *m, struct elf_image *e, char *err, size_t errlen)
{
    if (elf_check_segments(m, e, err, errlen) || elf_find_entry(e, err, errlen)) return -1;
    elf_write_segments(m, e);
    return 0;
}

/* ---- symbols ------------------------------------------------------------ */

static int ensure_symbols(struct machine *m, char *err, size_t errlen)
{
    if (!m->symbols && !(m->symbols = symtab_new()))
        return fail(err, errlen, "out of host memory for the symbol table");
    return 0;
}

/* required: the image was loaded as ELF, so a broken symtab is a broken file.
 * Otherwise (a.out-kludge kernels, modules) ELF symbols are a bonus. */
static int record_symbols(struct machine *m, const char *path, const void *image, size_t size,
                          bool required, char *err, size_t errlen)
{
    if (ensure_symbols(m, err, errlen)) return -1;
    if (size < SELFMAG || memcmp(image, ELFMAG, SELFMAG) != 0) return 0;
    if (symtab_add_elf(m->symbols, image, size, 0) == 0 || !required) return 0;
    return fail(err, errlen, "%s: malformed section headers or symbol table", name_of(path));
}

/* ---- entry states ------------------------------------------------------- */

static void enter_flat32(struct machine *m, uint32_t eip, uint32_t eax, uint32_t ebx)
{
    cpu_set_flat32(&m->cpu);                /* also clears the GPRs and IF */
    m->cpu.gpr[RAX] = eax;
    m->cpu.gpr[RBX] = ebx;
    m->cpu.gpr[RSP] = LOADER_STACK;
    m->cpu.rip = eip;
    bus_set_a20(m->bus, 1);
    cpu_tlb_flush(&m->cpu);
}

static void enter_flat64(struct machine *m, uint64_t rip)
{
    cpu_set_flat64(&m->cpu);
    m->cpu.gpr[RSP] = LOADER_STACK;
    m->cpu.rip = rip;
    bus_set_a20(m->bus, 1);
    cpu_tlb_flush(&m->cpu);
}

/* ---- plain ELF ------------------------------------------------------------ */

int load_elf(struct machine *m, const char *path, const void *image, size_t size,
             char *err, size_t errlen)
{
    struct elf_image e;
    if (elf_open(&e, path, image, size, 0, err, errlen)) return -1;
    int rc = elf_load(m, &e, err, errlen);
    bool is64 = e.eh.e_ident[EI_CLASS] == ELFCLASS64;
    elf_close(&e);
    if (rc || record_symbols(m, path, image, size, true, err, errlen)) return -1;
    if (is64) enter_flat64(m, e.entry);
    else enter_flat32(m, (uint32_t)e.entry, 0, 0);
    return 0;
}

/* ---- BIOS ROM ----------------------------------------------------------- */

int load_bios(struct machine *m, const void *image, size_t size, char *err, size_t errlen)
{
    if (size < 16)
        return fail(err, errlen, "ROM image is %zu bytes: at least 16 are needed (the reset "
                    "vector is 16 bytes below its end)", size);
    if (size > BUS_ROM_MAX)
        return fail(err, errlen, "ROM image is %zu bytes: at most %llu MiB fit below 4 GiB",
                    size, (unsigned long long)(BUS_ROM_MAX >> 20));
    if (bus_load_rom(m->bus, image, size))
        return fail(err, errlen, "out of host memory for the ROM image");
    cpu_reset(&m->cpu);                     /* real mode, CS:IP = F000:FFF0 */
    return 0;
}

/* ---- Multiboot v1: the header (spec 3.1) ---------------------------------- */

#define MBH_PAGE_ALIGN  (1u << 0)     /* modules on 4 KiB boundaries: we always do */
#define MBH_MEMORY      (1u << 1)     /* mem_* fields wanted: we always give them */
#define MBH_VIDEO       (1u << 2)     /* a video mode: no framebuffer, ignored */
#define MBH_AOUT        (1u << 16)    /* the address fields replace the ELF headers */
#define MBH_REQUIRED    0x0000FFFFu   /* bits a loader must understand or refuse */
#define MBH_KNOWN       (MBH_PAGE_ALIGN | MBH_MEMORY | MBH_VIDEO)

struct mb_header {
    uint32_t offset;            /* of the magic, in the file */
    uint32_t flags;
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/* The first 32-bit aligned magic whose checksum holds: 1.  None: 0.  Only
 * magics with bad checksums: -1 and *bad_off (the user meant Multiboot). */
static int mb_scan(const uint8_t *img, size_t size, struct mb_header *h, uint32_t *bad_off)
{
    size_t limit = size < MB_SEARCH_BYTES ? size : MB_SEARCH_BYTES;
    int result = 0;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        if (rd32(img + off) != MB_HEADER_MAGIC) continue;
        uint32_t flags = rd32(img + off + 4);
        if ((uint32_t)(MB_HEADER_MAGIC + flags + rd32(img + off + 8)) == 0) {
            memset(h, 0, sizeof *h);
            h->offset = (uint32_t)off;
            h->flags = flags;
            return 1;
        }
        if (result == 0) *bad_off = (uint32_t)off;
        result = -1;
    }
    return result;
}

int loader_is_multiboot(const void *image, size_t size)
{
    struct mb_header h;
    uint32_t bad;
    return mb_scan(image, size, &h, &bad) == 1;
}

static int mb_parse(const uint8_t *img, size_t size, struct mb_header *h, const char *path,
                    char *err, size_t errlen)
{
    uint32_t bad = 0;
    int found = mb_scan(img, size, h, &bad);
    if (found == 0)
        return fail(err, errlen, "%s: no Multiboot header (magic 0x%08X) in the first %u "
                    "bytes", path, MB_HEADER_MAGIC, MB_SEARCH_BYTES);
    if (found < 0)
        return fail(err, errlen, "%s: the Multiboot header at offset 0x%x has a bad checksum "
                    "(magic + flags + checksum must be 0)", path, bad);
    if (h->flags & MBH_REQUIRED & ~MBH_KNOWN)
        return fail(err, errlen, "%s: unsupported Multiboot header flag(s) 0x%x: the kernel "
                    "requires a feature ringsim does not provide", path,
                    h->flags & MBH_REQUIRED & ~MBH_KNOWN);
    if (!(h->flags & MBH_AOUT)) return 0;
    if (h->offset + 32u > size || h->offset + 32u > MB_SEARCH_BYTES)
        return fail(err, errlen, "%s: the Multiboot header at offset 0x%x is cut off before "
                    "its address fields (flag 16)", path, h->offset);
    const uint8_t *f = img + h->offset + 12;
    h->header_addr = rd32(f);
    h->load_addr = rd32(f + 4);
    h->load_end_addr = rd32(f + 8);
    h->bss_end_addr = rd32(f + 12);
    h->entry_addr = rd32(f + 16);
    return 0;
}

/* The a.out kludge: the text starts (header_addr - load_addr) bytes before
 * the header in the file; load_end_addr 0 means "to the end of the file",
 * bss_end_addr 0 means no bss. */
static int mb_aout_extent(const struct mb_header *h, size_t size, const char *path,
                          uint64_t *file_off, uint64_t *load_len, uint64_t *mem_len,
                          char *err, size_t errlen)
{
    if (h->header_addr < h->load_addr)
        return fail(err, errlen, "%s: Multiboot header_addr 0x%x is below load_addr 0x%x",
                    path, h->header_addr, h->load_addr);
    if (h->header_addr - h->load_addr > h->offset)
        return fail(err, errlen, "%s: Multiboot load_addr 0x%x would start before the "
                    "beginning of the file", path, h->load_addr);
    *file_off = h->offset - (h->header_addr - h->load_addr);
    *load_len = size - *file_off;
    if (h->load_end_addr) {
        if (h->load_end_addr < h->load_addr ||
            (uint64_t)h->load_end_addr - h->load_addr > *load_len)
            return fail(err, errlen, "%s: Multiboot load_end_addr 0x%x is before load_addr "
                        "or beyond the end of the file", path, h->load_end_addr);
        *load_len = (uint64_t)h->load_end_addr - h->load_addr;
    }
    *mem_len = *load_len;
    if (h->bss_end_addr) {
        if (h->bss_end_addr < h->load_addr + *load_len)
            return fail(err, errlen, "%s: Multiboot bss_end_addr 0x%x is below the end of "
                        "the loaded image", path, h->bss_end_addr);
        *mem_len = (uint64_t)h->bss_end_addr - h->load_addr;
    }
    if ((uint64_t)h->entry_addr - h->load_addr >= *load_len || h->entry_addr < h->load_addr)
        return fail(err, errlen, "%s: Multiboot entry_addr 0x%x is outside the loaded "
                    "image", path, h->entry_addr);
    return 0;
}

static int mb_load_aout(struct machine *m, const char *path, const uint8_t *img, size_t size,
                        const struct mb_header *h, uint64_t *entry, uint64_t *end,
                        char *err, size_t errlen)
{
    uint64_t file_off = 0, load_len = 0, mem_len = 0;
    char what[64];
    if (mb_aout_extent(h, size, path, &file_off, &load_len, &mem_len, err, errlen)) return -1;
    snprintf(what, sizeof what, "%s: Multiboot image", path);
    if (check_region(m, h->load_addr, mem_len, what, err, errlen)) return -1;
    load_bytes(m, h->load_addr, img + file_off, load_len, mem_len);
    *entry = h->entry_addr;
    *end = h->load_addr + mem_len;
    return 0;
}

static int mb_load_elf(struct machine *m, const char *path, const void *img, size_t size,
                       uint64_t *entry, uint64_t *end, char *err, size_t errlen)
{
    struct elf_image e;
    if (elf_open(&e, path, img, size, ELFCLASS32, err, errlen)) return -1;
    int rc = elf_load(m, &e, err, errlen);
    elf_close(&e);
    *entry = e.entry;
    *end = e.end;
    return rc;
}

/* ---- files -------------------------------------------------------------- */

/* The whole file in a malloc'd buffer; refuses anything but a regular file,
 * and files larger than 1 GiB or than limit (what the limit is: limit_what). */
static int read_file(const char *path, uint64_t limit, const char *limit_what, uint8_t **out,
                     size_t *len, char *err, size_t errlen)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f) return fail(err, errlen, "%s: %s", path, strerror(errno));
    int rc = -1;
    uint8_t *buf = NULL;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode))
        fail(err, errlen, "%s: not a regular file", path);
    else if ((uint64_t)st.st_size > LOADER_MAX_FILE)
        fail(err, errlen, "%s: %lld bytes is more than the 1 GiB limit", path,
             (long long)st.st_size);
    else if ((uint64_t)st.st_size > limit)
        fail(err, errlen, "%s: %lld bytes is larger than %s", path, (long long)st.st_size,
             limit_what);
    else if (!(buf = malloc(st.st_size ? (size_t)st.st_size : 1)))
        fail(err, errlen, "%s: out of host memory", path);
    else if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        fail(err, errlen, "%s: read error", path);
    else rc = 0;
    fclose(f);
    if (rc) free(buf);
    else *out = buf, *len = (size_t)st.st_size;
    return rc;
}

/* ---- Multiboot modules -------------------------------------------------- */

#define MB_MAX_MODULES 256

struct mb_module {
    uint32_t start, end;        /* end is one past the last byte, as the spec says */
    const char *string;         /* the --initrd item: "FILE[ ARGS]" */
};

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* Place one module's bytes at *next (page aligned) and advance *next past it. */
static int mb_place_module(struct machine *m, const char *file, const uint8_t *buf, size_t len,
                           const char *string, struct mb_module *mod, uint64_t *next,
                           char *err, size_t errlen)
{
    uint64_t at = align_up(*next, 4096);
    int rc = check_region(m, at, len, file, err, errlen);
    if (!rc && at + len > 0xFFFFFFFFull)
        rc = fail(err, errlen, "%s: a module must end below 4 GiB", file);
    if (!rc) {
        load_bytes(m, at, buf, len, len);
        record_symbols(m, file, buf, len, false, err, errlen);
        *mod = (struct mb_module){ (uint32_t)at, (uint32_t)(at + len), string };
        *next = at + len;
    }
    return rc;
}

/* Load one module file at *next (page aligned) and advance *next past it. */
static int mb_load_module(struct machine *m, char *item, struct mb_module *mod,
                          uint64_t *next, char *err, size_t errlen)
{
    char file[4096];
    size_t n = strcspn(item, " ");
    if (n == 0 || n >= sizeof file)
        return fail(err, errlen, "--initrd: bad module name \"%s\"", item);
    memcpy(file, item, n);
    file[n] = 0;
    uint8_t *buf;
    size_t len;
    if (read_file(file, m->bus->ram_size, "RAM", &buf, &len, err, errlen)) return -1;
    int rc = mb_place_module(m, file, buf, len, item, mod, next, err, errlen);
    free(buf);
    return rc;
}

/* The modules given in memory first, then the list's files: split "A,B C,D"
 * at commas (item text stays in list, which the caller owns) and load each
 * after the kernel's highest address, in extended memory. */
static int mb_load_modules(struct machine *m, const struct mb_blob *blobs, unsigned nblobs,
                           char *list, uint64_t kernel_end, struct mb_module *mods,
                           unsigned *count, char *err, size_t errlen)
{
    uint64_t next = kernel_end > LOADER_EXT_BASE ? kernel_end : LOADER_EXT_BASE;
    *count = 0;
    if (nblobs > MB_MAX_MODULES) return fail(err, errlen, "more than %d modules", MB_MAX_MODULES);
    for (; *count < nblobs; ++*count) {
        const struct mb_blob *b = &blobs[*count];
        char file[64];
        snprintf(file, sizeof file, "%.*s", (int)strcspn(b->string, " "), b->string);
        if (mb_place_module(m, file, b->data, b->size, b->string, &mods[*count], &next, err,
                            errlen)) return -1;
    }
    if (!list) return 0;
    for (char *item = list, *comma; item; item = comma) {
        if ((comma = strchr(item, ','))) *comma++ = 0;
        if (*count == MB_MAX_MODULES)
            return fail(err, errlen, "--initrd: more than %d modules", MB_MAX_MODULES);
        if (mb_load_module(m, item, &mods[*count], &next, err, errlen)) return -1;
        ++*count;
    }
    return 0;
}

/* ---- Multiboot: the information structure (spec 3.3) --------------------- */

/* Everything the structure points to, built in a host buffer, then copied to
 * MB_INFO_BASE.  A bump allocator: full once anything did not fit. */
struct info_area {
    uint8_t buf[MB_INFO_END - MB_INFO_BASE];
    uint32_t used;
    bool full;
};

static uint32_t info_alloc(struct info_area *a, size_t len, size_t align)
{
    size_t at = align_up(a->used, align);
    if (a->full || at > sizeof a->buf || len > sizeof a->buf - at) {
        a->full = true;
        return 0;
    }
    a->used = (uint32_t)(at + len);
    return MB_INFO_BASE + (uint32_t)at;
}

static uint8_t *info_ptr(struct info_area *a, uint32_t phys) { return a->buf + (phys - MB_INFO_BASE); }

static uint32_t info_string(struct info_area *a, const char *s)
{
    size_t n = strlen(s) + 1;
    uint32_t at = info_alloc(a, n, 1);
    if (at) memcpy(info_ptr(a, at), s, n);
    return at;
}

static void mmap_entry(uint8_t *p, uint64_t base, uint64_t len, uint32_t type)
{
    wr32(p, 20);                /* size of the rest of the entry */
    wr64(p + 4, base);
    wr64(p + 12, len);
    wr32(p + 20, type);
}

/* The BIOS-style map: conventional memory, the EBDA, the ROM shadow at
 * F0000, extended memory.  Returns the byte length written (entries of 24). */
static uint32_t mb_mmap(struct info_area *a, uint64_t ram, uint32_t *addr)
{
    uint8_t entries[4 * 24];
    uint32_t n = 0;
    uint64_t low = ram < LOADER_CONV_END ? ram : LOADER_CONV_END;
    mmap_entry(entries + 24 * n++, 0, low, 1);
    mmap_entry(entries + 24 * n++, LOADER_CONV_END, 0xA0000 - LOADER_CONV_END, 2);
    mmap_entry(entries + 24 * n++, 0xF0000, 0x10000, 2);
    if (ram > LOADER_EXT_BASE) mmap_entry(entries + 24 * n++, LOADER_EXT_BASE, ram - LOADER_EXT_BASE, 1);
    *addr = info_alloc(a, 24 * n, 8);
    if (*addr) memcpy(info_ptr(a, *addr), entries, 24 * n);
    return 24 * n;
}

static void mb_fill_info(struct info_area *a, uint64_t ram, const char *cmdline,
                         const struct mb_module *mods, unsigned count)
{
    uint32_t info = info_alloc(a, MBI_SIZE, 8);     /* first: lands at MB_INFO_BASE */
    uint32_t mmap_addr, mmap_len = mb_mmap(a, ram, &mmap_addr);
    uint32_t mods_addr = info_alloc(a, 16 * (size_t)count, 16);
    for (unsigned i = 0; i < count && !a->full; i++) {
        uint32_t s = info_string(a, mods[i].string);
        uint8_t *p = info_ptr(a, mods_addr + 16 * i);
        wr32(p, mods[i].start);
        wr32(p + 4, mods[i].end);
        wr32(p + 8, s);
        wr32(p + 12, 0);
    }
    uint32_t cmd = info_string(a, cmdline), name = info_string(a, "ringsim");
    if (a->full) return;
    uint8_t *p = info_ptr(a, info);
    uint64_t upper = ram > LOADER_EXT_BASE ? (ram - LOADER_EXT_BASE) / 1024 : 0;
    wr32(p + MBI_FLAGS, MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER_NAME);
    wr32(p + MBI_MEM_LOWER, ram < 0xA0000 ? (uint32_t)(ram / 1024) : 640);
    wr32(p + MBI_MEM_UPPER, upper > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)upper);
    wr32(p + MBI_CMDLINE_ADDR, cmd);
    wr32(p + MBI_MODS_COUNT, count);
    wr32(p + MBI_MODS_ADDR, mods_addr);
    wr32(p + MBI_MMAP_LENGTH, mmap_len);
    wr32(p + MBI_MMAP_ADDR, mmap_addr);
    wr32(p + MBI_LOADER_NAME_ADDR, name);
}

/* "PATH APPEND" (or "PATH"), as GRUB and QEMU pass it: the kernel's name first. */
static char *mb_cmdline(const char *path, const char *append)
{
    size_t n = strlen(path) + (append ? strlen(append) + 1 : 0) + 1;
    char *s = malloc(n);
    if (!s) return NULL;
    if (append && *append) snprintf(s, n, "%s %s", path, append);
    else snprintf(s, n, "%s", path);
    return s;
}

static int mb_write_info(struct machine *m, const char *path, const char *append,
                         const struct mb_module *mods, unsigned count, char *err, size_t errlen)
{
    struct info_area *a = calloc(1, sizeof *a);
    char *cmdline = mb_cmdline(path, append);
    int rc = 0;
    if (!a || !cmdline) rc = fail(err, errlen, "out of host memory");
    else if (m->bus->ram_size < MB_INFO_END)
        rc = fail(err, errlen, "%s: RAM is too small for the boot information", path);
    else {
        mb_fill_info(a, m->bus->ram_size, cmdline, mods, count);
        if (a->full)
            rc = fail(err, errlen, "%s: the command line and module names do not fit in the "
                      "%u bytes of boot information space", path, MB_INFO_END - MB_INFO_BASE);
        else bus_load(m->bus, MB_INFO_BASE, a->buf, a->used);
    }
    free(cmdline);
    free(a);
    return rc;
}

static int mb_boot(struct machine *m, const char *path, const void *image, size_t size,
                   const char *append, const struct mb_blob *blobs, unsigned nblobs,
                   const char *initrd, char *err, size_t errlen)
{
    const char *name = name_of(path);
    struct mb_header h;
    uint64_t entry, end;
    if (mb_parse(image, size, &h, name, err, errlen)) return -1;
    bool as_elf = !(h.flags & MBH_AOUT);
    if (as_elf ? mb_load_elf(m, name, image, size, &entry, &end, err, errlen)
               : mb_load_aout(m, name, image, size, &h, &entry, &end, err, errlen))
        return -1;
    if (record_symbols(m, name, image, size, as_elf, err, errlen)) return -1;
    struct mb_module *mods = calloc(MB_MAX_MODULES, sizeof *mods);
    char *list = initrd ? strdup(initrd) : NULL;
    unsigned count = 0;
    int rc = -1;
    if (!mods || (initrd && !list)) fail(err, errlen, "out of host memory");
    else if (!mb_load_modules(m, blobs, nblobs, list, end, mods, &count, err, errlen) &&
             !mb_write_info(m, name, append, mods, count, err, errlen)) rc = 0;
    free(list);
    free(mods);
    if (rc == 0) enter_flat32(m, (uint32_t)entry, MB_BOOT_MAGIC, MB_INFO_BASE);
    return rc;
}

int load_multiboot(struct machine *m, const char *path, const void *image, size_t size,
                   const char *append, const char *initrd, char *err, size_t errlen)
{
    return mb_boot(m, path, image, size, append, NULL, 0, initrd, err, errlen);
}

int load_multiboot_mem(struct machine *m, const char *path, const void *image, size_t size,
                       const char *append, const struct mb_blob *mods, unsigned count,
                       char *err, size_t errlen)
{
    if (ensure_symbols(m, err, errlen)) return -1;
    int rc = mb_boot(m, path, image, size, append, mods, count, NULL, err, errlen);
    if (rc == 0) machine_firmware_apic(m);
    return rc;
}

/* ---- the front end's entry point ------------------------------------------ */

static int boot_bios(struct machine *m, const char *path, char *err, size_t errlen)
{
    uint8_t *img;
    size_t size;
    if (read_file(path, BUS_ROM_MAX, "the 16 MiB ROM space", &img, &size, err, errlen))
        return -1;
    char msg[256];
    int rc = load_bios(m, img, size, msg, sizeof msg);
    if (rc) fail(err, errlen, "%s: %s", path, msg);
    free(img);
    return rc;
}

static int boot_image(struct machine *m, const struct load_request *req, const uint8_t *img,
                      size_t size, char *err, size_t errlen)
{
    struct mb_header h;
    uint32_t bad;
    int mb = mb_scan(img, size, &h, &bad);
    if (mb == 1 && (h.flags & MBH_VIDEO))
        fprintf(stderr, "ringsim: note: %s asks for a video mode (Multiboot flag 2); ringsim "
                "has no framebuffer and ignores it\n", req->kernel);
    if (mb != 0)
        return load_multiboot(m, req->kernel, img, size, req->append, req->initrd, err, errlen);
    if (size >= SELFMAG && memcmp(img, ELFMAG, SELFMAG) == 0) {
        if (req->append || req->initrd)
            return fail(err, errlen, "%s: --append and --initrd need a Multiboot kernel; this "
                        "is a plain ELF executable", req->kernel);
        return load_elf(m, req->kernel, img, size, err, errlen);
    }
    return fail(err, errlen, "%s: neither a Multiboot kernel (no header in the first %u bytes) "
                "nor an ELF executable", req->kernel, MB_SEARCH_BYTES);
}

static int boot_kernel(struct machine *m, const struct load_request *req, char *err,
                       size_t errlen)
{
    uint8_t *img;
    size_t size;
    if (read_file(req->kernel, m->bus->ram_size, "RAM", &img, &size, err, errlen)) return -1;
    int rc = boot_image(m, req, img, size, err, errlen);
    if (rc == 0) machine_firmware_apic(m);
    free(img);
    return rc;
}

/* A kernel and a ROM together are refused: the ROM owns the reset vector and
 * nothing would enter the kernel (no firmware interface hands it over yet). */
int machine_boot(struct machine *m, const struct load_request *req, char *err, size_t errlen)
{
    if (req->kernel && req->bios)
        return fail(err, errlen, "--kernel and --bios cannot be combined: the ROM starts at "
                    "the reset vector and nothing would enter the kernel");
    if (!req->kernel && (req->append || req->initrd))
        return fail(err, errlen, "--append and --initrd need --kernel");
    if (!req->kernel && !req->bios)
        return fail(err, errlen, "nothing to boot: give --kernel or --bios");
    if (ensure_symbols(m, err, errlen)) return -1;
    return req->bios ? boot_bios(m, req->bios, err, errlen) : boot_kernel(m, req, err, errlen);
}
