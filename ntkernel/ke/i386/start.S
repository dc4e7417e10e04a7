/* start.S - the Multiboot v1 entry (GNU Multiboot Specification 0.6.96,
 * section 3.2): 32-bit protected mode, paging off, flat segments.  This is
 * ntldr's part of the boot: the code runs at its load address (.boot is
 * linked where it is loaded), turns on a temporary paging that maps the
 * first 4 MB both at 0 and at KSEG0_BASE, and jumps to KiSystemStartup in
 * the upper half, on the boot stack.  MmInitSystem then replaces the
 * temporary tables and drops the low mapping. */

#define KSEG0_BASE  0x80000000
#define MB_MAGIC    0x1BADB002
#define MB_FLAGS    0x00000003              /* page-aligned modules, memory information */
#define CR0_PG      0x80000000
#define CR0_WP      0x00010000
#define V2P(x)      ((x) - KSEG0_BASE)

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .section .boot, "ax"
    .code32
    .globl KiBootEntry
KiBootEntry:
    cli
    mov  %eax, %esi                         /* the loader's magic */
    mov  %ebx, %edi                         /* the Multiboot information (physical) */

    /* One page table mapping physical 0-4 MB, used by PDE 0 and PDE 0x200. */
    mov  $V2P(KiBootPageTable), %ebx
    xor  %ecx, %ecx
    mov  $0x3, %eax                         /* physical 0, present, writable */
1:  mov  %eax, (%ebx,%ecx,4)
    add  $0x1000, %eax
    inc  %ecx
    cmp  $1024, %ecx
    jne  1b
    mov  $V2P(KiBootPageDirectory), %edx
    lea  0x3(%ebx), %eax
    mov  %eax, (%edx)
    mov  %eax, (KSEG0_BASE >> 22) * 4(%edx)
    mov  %edx, %cr3
    mov  %cr0, %eax
    or   $(CR0_PG | CR0_WP), %eax
    mov  %eax, %cr0
    mov  $KiBootHigh, %eax
    jmp  *%eax

    .text
KiBootHigh:
    mov  $P0BootStack, %esp
    push %edi
    push %esi
    call KiSystemStartup
1:  cli                                     /* KiSystemStartup does not return */
    hlt
    jmp  1b

    .bss
    .align 4096
KiBootPageDirectory:
    .space 4096
KiBootPageTable:
    .space 4096
    .globl KiBootStack, P0BootStack
KiBootStack:
    .space 0x3000
P0BootStack:

    .section .note.GNU-stack, "", @progbits
