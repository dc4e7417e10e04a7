/* arch.h - the few i386 instructions the kernel's C needs, as inline
 * functions (port I/O, MSRs, CPUID, control registers, descriptor tables). */
#ifndef NTK_ARCH_H
#define NTK_ARCH_H

#include "ntdef.h"

static inline void __outbyte(USHORT port, UCHAR v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline UCHAR __inbyte(USHORT port)
{
    UCHAR v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void __cpuid(ULONG leaf, ULONG r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}
static inline void __writemsr(ULONG msr, ULONGLONG v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((ULONG)v), "d"((ULONG)(v >> 32)));
}
static inline ULONG __readcr0(void) { ULONG v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline ULONG __readcr4(void) { ULONG v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void __writecr0(ULONG v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void __writecr3(ULONG v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void __writecr4(ULONG v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
/* A compiler barrier: memory written through one mapping of a page is read
 * through another only after this (the compiler cannot see the alias). */
static inline void _ReadWriteBarrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void _disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void _enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void __halt(void) { __asm__ volatile("hlt" ::: "memory"); }

#define CR0_WP  (1u << 16)
#define CR0_PG  (1u << 31)
#define CR4_PGE (1u << 7)

/* CPUID.1:EDX bits the kernel tests (SDM Vol. 2A, CPUID, table 3-11). */
#define CPUID_EDX_SEP (1u << 11)
#define CPUID_EDX_PGE (1u << 13)

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

#endif
