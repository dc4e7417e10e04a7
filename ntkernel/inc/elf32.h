/* elf32.h - the ELF32 records the kernel reads itself (System V ABI, i386
 * supplement): the image mapper (mm/elfload.c) and the symbol lookup of
 * ntdll's entry points (ps/psldr.c). */
#ifndef NTK_ELF32_H
#define NTK_ELF32_H

#include "ntdef.h"

#define EI_NIDENT  16
#define ET_EXEC    2
#define EM_386     3
#define PT_LOAD    1
#define PF_X       1
#define PF_W       2
#define PF_R       4
#define SHT_SYMTAB 2

typedef struct {
    UCHAR e_ident[EI_NIDENT];
    USHORT e_type, e_machine;
    ULONG e_version, e_entry, e_phoff, e_shoff, e_flags;
    USHORT e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} ELF32_EHDR;
C_ASSERT_SIZE(ELF32_EHDR, 52);

typedef struct {
    ULONG p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
} ELF32_PHDR;
C_ASSERT_SIZE(ELF32_PHDR, 32);

typedef struct {
    ULONG sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info, sh_addralign, sh_entsize;
} ELF32_SHDR;
C_ASSERT_SIZE(ELF32_SHDR, 40);

typedef struct {
    ULONG st_name, st_value, st_size;
    UCHAR st_info, st_other;
    USHORT st_shndx;
} ELF32_SYM;
C_ASSERT_SIZE(ELF32_SYM, 16);

/* The identification an i386 image needs: magic, 32-bit, little-endian,
 * version 1, EM_386. */
static inline BOOLEAN Elf32IsI386(const ELF32_EHDR *Eh)
{
    return Eh->e_ident[0] == 0x7F && Eh->e_ident[1] == 'E' && Eh->e_ident[2] == 'L' && Eh->e_ident[3] == 'F' &&
           Eh->e_ident[4] == 1 /* ELFCLASS32 */ && Eh->e_ident[5] == 1 /* ELFDATA2LSB */ &&
           Eh->e_ident[6] == 1 && Eh->e_machine == EM_386;
}

#endif
