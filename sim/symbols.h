/* symbols.h - a sorted table of (address, size, name) gathered from the
 * SHT_SYMTAB sections of loaded ELF images (System V gABI, "Symbol Table"),
 * for traces, the UI and the GDB stub: "KiFastCallEntry+0x12" for an
 * address, an address for a name.  Only the loader reads ELF (libelf).
 */
#ifndef RINGSIM_SYMBOLS_H
#define RINGSIM_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct symbol {
    uint64_t addr;
    uint64_t size;          /* 0 for assembler labels: they reach the next symbol */
    char *name;
};

struct symtab {
    struct symbol *v;       /* sorted by address after every add */
    size_t n, cap;
};

struct symtab *symtab_new(void);                /* NULL if the host is out of memory */
void symtab_free(struct symtab *t);              /* NULL is fine */

int symtab_add(struct symtab *t, uint64_t addr, uint64_t size, const char *name);
/* Functions, objects and untyped labels defined in the image's symtabs, at
 * st_value + bias.  0, or -1 if the section table or a symtab is malformed
 * (nothing is added then).  An image without a symtab adds nothing. */
int symtab_add_elf(struct symtab *t, const void *image, size_t size, uint64_t bias);

/* The symbol containing addr (a sized symbol's range, or the nearest label
 * before it, within SYMTAB_LABEL_REACH), with *offset = addr - its address;
 * NULL if none. */
#define SYMTAB_LABEL_REACH 0x10000
const char *symtab_lookup(const struct symtab *t, uint64_t addr, uint64_t *offset);
/* "name+0x12", "name", or the bare address "0x1234" when no symbol holds it. */
void symtab_format(const struct symtab *t, uint64_t addr, char *buf, size_t len);
/* 0 and *addr for the first symbol of that name (lowest address), else -1. */
int symtab_find(const struct symtab *t, const char *name, uint64_t *addr);

#endif
