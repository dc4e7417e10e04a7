/* symbols.c - the symbol table kept for traces, the UI and the GDB stub.
 * Symbols come from the SHT_SYMTAB sections of ELF images (System V gABI,
 * "Symbol Table"; read with libelf).  The image is checked by hand before
 * libelf sees it, so a malformed section table is refused, never read past.
 */
#include "sim/symbols.h"

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct symtab *symtab_new(void)
{
    return calloc(1, sizeof(struct symtab));
}

void symtab_free(struct symtab *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) free(t->v[i].name);
    free(t->v);
    free(t);
}

static int append(struct symtab *t, uint64_t addr, uint64_t size, const char *name)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct symbol *v = realloc(t->v, cap * sizeof *v);
        if (!v) return -1;
        t->v = v;
        t->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) return -1;
    t->v[t->n++] = (struct symbol){ addr, size, copy };
    return 0;
}

/* Address order; at one address a sized symbol (a function) before a label,
 * then by name so that the order never depends on the images' order. */
static int by_addr(const void *a, const void *b)
{
    const struct symbol *x = a, *y = b;
    if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
    if ((x->size != 0) != (y->size != 0)) return x->size ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void sort(struct symtab *t)
{
    if (t->n > 1) qsort(t->v, t->n, sizeof *t->v, by_addr);
}

int symtab_add(struct symtab *t, uint64_t addr, uint64_t size, const char *name)
{
    if (append(t, addr, size, name)) return -1;
    sort(t);
    return 0;
}

/* Drop what a failed symtab_add_elf appended, so that it adds nothing. */
static void truncate_to(struct symtab *t, size_t n)
{
    while (t->n > n) free(t->v[--t->n].name);
}

/* ---- ELF ---------------------------------------------------------------- */

/* offset + count * entsize lies inside the image (no overflow). */
static bool table_fits(uint64_t offset, uint64_t count, uint64_t entsize, size_t size)
{
    if (offset > size) return false;
    if (entsize && count > (size - offset) / entsize) return false;
    return true;
}

/* The ELF header and section header table lie inside the image; sets *shnum
 * (0 when the image has no section table or uses extended numbering, which
 * only files with 65280+ sections need: we read no symbols from those). */
static int check_sections(const uint8_t *img, size_t size, size_t *shnum)
{
    if (size < EI_NIDENT || memcmp(img, ELFMAG, SELFMAG) != 0) return -1;
    bool is64 = img[EI_CLASS] == ELFCLASS64;
    if (!is64 && img[EI_CLASS] != ELFCLASS32) return -1;
    if (img[EI_DATA] != ELFDATA2LSB) return -1;
    if (size < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) return -1;
    uint64_t shoff;
    uint16_t n, entsize;
    if (is64) {                         /* memcpy: the image need not be aligned */
        Elf64_Ehdr e;
        memcpy(&e, img, sizeof e);
        shoff = e.e_shoff, n = e.e_shnum, entsize = e.e_shentsize;
    } else {
        Elf32_Ehdr e;
        memcpy(&e, img, sizeof e);
        shoff = e.e_shoff, n = e.e_shnum, entsize = e.e_shentsize;
    }
    *shnum = shoff ? n : 0;
    if (*shnum == 0) return 0;
    if (entsize != (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr))) return -1;
    return table_fits(shoff, n, entsize, size) ? 0 : -1;
}

/* A section's bytes lie inside the image. */
static bool section_fits(const GElf_Shdr *sh, size_t size)
{
    return sh->sh_type == SHT_NOBITS || table_fits(sh->sh_offset, 1, sh->sh_size, size);
}

static bool wanted(const GElf_Sym *s)
{
    int type = GELF_ST_TYPE(s->st_info);
    if (s->st_shndx == SHN_UNDEF || s->st_shndx == SHN_ABS) return false;
    return type == STT_FUNC || type == STT_OBJECT || type == STT_NOTYPE;
}

static int add_symtab_section(struct symtab *t, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
                              size_t shnum, size_t size, uint64_t bias)
{
    size_t entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
    if (!section_fits(sh, size) || sh->sh_link >= shnum || sh->sh_entsize != entsize) return -1;
    GElf_Shdr strsh;
    Elf_Scn *strscn = elf_getscn(elf, sh->sh_link);
    if (!strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB ||
        !section_fits(&strsh, size))
        return -1;
    Elf_Data *data = elf_getdata(scn, NULL);
    if (!data) return -1;
    size_t count = data->d_size / entsize;
    for (size_t i = 1; i < count; i++) {          /* entry 0 is the undefined symbol */
        GElf_Sym s;
        if (!gelf_getsym(data, (int)i, &s)) return -1;
        if (!wanted(&s) || s.st_name == 0) continue;
        const char *name = elf_strptr(elf, sh->sh_link, s.st_name);
        if (!name) return -1;
        if (*name && append(t, s.st_value + bias, s.st_size, name)) return -1;
    }
    return 0;
}

static int add_all_symtabs(struct symtab *t, Elf *elf, size_t shnum, size_t size, uint64_t bias)
{
    for (size_t i = 1; i < shnum; i++) {
        Elf_Scn *scn = elf_getscn(elf, i);
        GElf_Shdr sh;
        if (!scn || !gelf_getshdr(scn, &sh)) return -1;
        if (sh.sh_type == SHT_SYMTAB && add_symtab_section(t, elf, scn, &sh, shnum, size, bias))
            return -1;
    }
    return 0;
}

int symtab_add_elf(struct symtab *t, const void *image, size_t size, uint64_t bias)
{
    size_t shnum;
    if (check_sections(image, size, &shnum)) return -1;
    if (shnum == 0) return 0;
    /* libelf takes a writable buffer; give it a private copy. */
    char *copy = malloc(size);
    if (!copy) return -1;
    memcpy(copy, image, size);
    size_t before = t->n;
    int rc = -1;
    elf_version(EV_CURRENT);
    Elf *elf = elf_memory(copy, size);
    if (elf && elf_kind(elf) == ELF_K_ELF) rc = add_all_symtabs(t, elf, shnum, size, bias);
    if (elf) elf_end(elf);
    free(copy);
    if (rc) truncate_to(t, before);
    sort(t);
    return rc;
}

/* ---- queries ------------------------------------------------------------ */

/* Index of the last symbol with address <= addr, or -1. */
static long last_at_or_below(const struct symtab *t, uint64_t addr)
{
    size_t lo = 0, hi = t->n;           /* answer in [lo - 1, hi - 1] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->v[mid].addr <= addr) lo = mid + 1;
        else hi = mid;
    }
    return (long)lo - 1;
}

const char *symtab_lookup(const struct symtab *t, uint64_t addr, uint64_t *offset)
{
    if (!t || t->n == 0) return NULL;
    long i = last_at_or_below(t, addr);
    if (i < 0) return NULL;
    /* Several symbols may share the address; the first of them is preferred
     * (sized before labels).  Walk back to it. */
    uint64_t at = t->v[i].addr;
    while (i > 0 && t->v[i - 1].addr == at) i--;
    const struct symbol *s = &t->v[i];
    if (s->size && addr - s->addr >= s->size) return NULL;     /* in a gap after it */
    /* An unsized label (assembly) covers what follows it up to the next
     * symbol, but not another image 3 MiB away: beyond 64 KiB, no name. */
    if (!s->size && addr - s->addr >= SYMTAB_LABEL_REACH) return NULL;
    if (offset) *offset = addr - s->addr;
    return s->name;
}

void symtab_format(const struct symtab *t, uint64_t addr, char *buf, size_t len)
{
    uint64_t off;
    const char *name = symtab_lookup(t, addr, &off);
    if (!name) snprintf(buf, len, "0x%llx", (unsigned long long)addr);
    else if (off) snprintf(buf, len, "%s+0x%llx", name, (unsigned long long)off);
    else snprintf(buf, len, "%s", name);
}

int symtab_find(const struct symtab *t, const char *name, uint64_t *addr)
{
    if (!t) return -1;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].name, name) == 0) {
            if (addr) *addr = t->v[i].addr;
            return 0;
        }
    return -1;
}
