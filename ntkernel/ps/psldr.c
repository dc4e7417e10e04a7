/* psldr.c - what the kernel reads from the ELF images itself: symbols
 * from a symbol table, so that at boot it can
 * find ntdll's entry points (PspLookupKernelUserEntryPoints, WRK's
 * ps/kulookup.c) and write KUSER_SHARED_DATA's SystemCall fields.  The
 * file is never trusted: every offset and size is checked. */
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/io.h"
#include "../inc/mm.h"
#include "../inc/rtl.h"
#include "../inc/elf32.h"
#include "psp.h"

static BOOLEAN PspInside(ULONG Size, ULONG Offset, ULONG Length)
{
    return Offset <= Size && Length <= Size - Offset;
}

static const ELF32_EHDR *PspElfHeader(const UCHAR *File, ULONG Size)
{
    const ELF32_EHDR *h = (const ELF32_EHDR *)File;
    return Size >= sizeof *h && Elf32IsI386(h) ? h : NULL;
}

NTSTATUS PspLookupSymbol(const UCHAR *File, ULONG Size, const char *Name, PULONG Value)
{
    const ELF32_EHDR *h = PspElfHeader(File, Size);
    if (!h || h->e_shentsize != sizeof(ELF32_SHDR) ||
        !PspInside(Size, h->e_shoff, (ULONG)h->e_shnum * sizeof(ELF32_SHDR)))
        return STATUS_INVALID_IMAGE_FORMAT;
    const ELF32_SHDR *sh = (const ELF32_SHDR *)(File + h->e_shoff);
    for (ULONG i = 0; i < h->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= h->e_shnum) continue;
        const ELF32_SHDR *str = &sh[sh[i].sh_link];
        if (!PspInside(Size, sh[i].sh_offset, sh[i].sh_size) || !PspInside(Size, str->sh_offset, str->sh_size))
            return STATUS_INVALID_IMAGE_FORMAT;
        const ELF32_SYM *sym = (const ELF32_SYM *)(File + sh[i].sh_offset);
        const char *Strings = (const char *)(File + str->sh_offset);
        for (ULONG k = 0; k < sh[i].sh_size / sizeof(ELF32_SYM); k++) {
            ULONG n = sym[k].st_name, j = 0;
            if (n >= str->sh_size) continue;
            while (n + j < str->sh_size && Name[j] && Strings[n + j] == Name[j]) j++;
            if (!Name[j] && n + j < str->sh_size && Strings[n + j] == 0 && sym[k].st_shndx) {
                *Value = sym[k].st_value;
                return STATUS_SUCCESS;
            }
        }
    }
    return STATUS_PROCEDURE_NOT_FOUND;
}

NTSTATUS PspLookupKernelUserEntryPoints(void)
{
    static const struct { const char *Name; ULONG *Address; } Points[] = {
        { "KiFastSystemCall", &KeFastSystemCall },
        { "KiFastSystemCallRet", &KeFastSystemCallRet },
        { "KiIntSystemCall", &KeIntSystemCall },
        { "KiUserCallbackDispatcher", &KeUserCallbackDispatcher },
        { "KiUserExceptionDispatcher", &KeUserExceptionDispatcher },
    };
    ULONG Size;
    const UCHAR *Ntdll = IoFindBootFile("ntdll.elf", &Size);
    if (!Ntdll) return STATUS_DLL_NOT_FOUND;
    for (ULONG i = 0; i < sizeof Points / sizeof Points[0]; i++) {
        NTSTATUS Status = PspLookupSymbol(Ntdll, Size, Points[i].Name, Points[i].Address);
        if (!NT_SUCCESS(Status)) {
            DbgPrint("PspLookupKernelUserEntryPoints: ntdll!%s: 0x%08X\n", Points[i].Name, (ULONG)Status);
            return Status;
        }
    }
    return STATUS_SUCCESS;
}
