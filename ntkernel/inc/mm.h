/* mm.h - memory management: non-PAE 32-bit paging (SDM Vol. 3 4.3), the
 * kernel in the upper half, KSEG0 and the boot processor's fixed pages, the
 * physical page allocator and the pool, per-process address spaces with
 * their regions (VADs), the virtual-memory services, safe copies to and
 * from user memory, and the image mapper. */
#ifndef NTK_MM_H
#define NTK_MM_H

#include "ntdef.h"
#include "pstypes.h"
#include "ks386.h"

#define PAGE_SIZE     0x1000u
#define PAGE_SHIFT    12
#define KSEG0_BASE    0x80000000u
#define KSEG0_SIZE    0x01000000u   /* physical 0-16 MB mapped at KSEG0_BASE */
#define MM_HIGHEST_USER_ADDRESS 0x7FFEFFFFu
/* MM_USER_PROBE_ADDRESS: ks386.h */
#define MM_LOWEST_USER_ADDRESS  0x00010000u
#define PDE_BASE      0xC0300000u   /* the page directory through its self-map */
#define PTE_BASE      0xC0000000u

/* Page-table entry bits (SDM Vol. 3 table 4-6). */
#define PTE_VALID     0x001u
#define PTE_WRITE     0x002u
#define PTE_OWNER     0x004u        /* U/S: user */
#define PTE_ACCESSED  0x020u
#define PTE_DIRTY     0x040u
#define PTE_GLOBAL    0x100u

/* Win32 page protections and allocation types (winnt.h values). */
#define PAGE_NOACCESS          0x01
#define PAGE_READONLY          0x02
#define PAGE_READWRITE         0x04
#define PAGE_WRITECOPY         0x08
#define PAGE_EXECUTE           0x10
#define PAGE_EXECUTE_READ      0x20
#define PAGE_EXECUTE_READWRITE 0x40
#define PAGE_EXECUTE_WRITECOPY 0x80
#define PAGE_GUARD             0x100
#define MEM_COMMIT             0x1000
#define MEM_RESERVE            0x2000
#define MEM_DECOMMIT           0x4000
#define MEM_RELEASE            0x8000
#define MEM_FREE               0x10000
#define MEM_PRIVATE            0x20000
#define MEM_IMAGE              0x1000000

#define MI_P2V(pa) ((PVOID)((ULONG)(pa) + KSEG0_BASE))
#define MI_V2P(va) ((ULONG)(va) - KSEG0_BASE)

extern ULONG MmKernelDirectoryTableBase;    /* physical page directory of the system */
extern ULONG MmSharedUserDataPhysical;
extern ULONG MmNumberOfPhysicalPages, MmAvailablePages;

void MmInitSystem(ULONG LowestFreePhysical, ULONG HighestPhysical);
ULONG MmAllocatePhysicalPage(void);         /* zeroed; 0 when none is left */
void MmFreePhysicalPage(ULONG Pa);
void MiMapPage(ULONG Va, ULONG Pa, ULONG Protection);   /* in the system page directory */

/* The pool: kernel memory in KSEG0 (ExAllocatePool's place). */
PVOID ExAllocatePool(ULONG Size);           /* zeroed, 8-aligned; NULL when out */
void ExFreePool(PVOID P);

/* ---- process address spaces -------------------------------------------- */
/* A page directory sharing the system's upper half, with its self-map. */
NTSTATUS MmCreateProcessAddressSpace(PEPROCESS Process);
/* Frees every user page, page table, region and the directory.  The
 * process must not be the current address space. */
void MmDeleteProcessAddressSpace(PEPROCESS Process);
/* Reserve and commit [*Base, *Base + Size) in Process with Win32 Protect;
 * *Base 0 picks a free place (64 KB aligned, from 0x00010000 up).
 * Type MEM_PRIVATE or MEM_IMAGE.  The pages are zeroed. */
NTSTATUS MmAllocateVirtual(PEPROCESS Process, PULONG Base, ULONG Size, ULONG Protect, ULONG Type);
/* Maps the ELF32 ET_EXEC image File[0..Size) (every PT_LOAD: file bytes
 * copied, the rest zeroed; protections from p_flags) into Process as
 * MEM_IMAGE.  *ImageBase = the lowest PT_LOAD address, which must have
 * p_offset 0 (the ELF header is mapped there); *Entry = e_entry.
 * STATUS_INVALID_IMAGE_FORMAT for anything else; never trusts the file. */
NTSTATUS MmMapImage(PEPROCESS Process, const UCHAR *File, ULONG Size, PULONG ImageBase,
                    PULONG Entry);
/* Copies between the kernel and Process's user pages through the page
 * tables (no fault): STATUS_ACCESS_VIOLATION if any byte is not a present
 * user page (writes: writable), or lies at or above MM_USER_PROBE_ADDRESS. */
NTSTATUS MmCopyFromProcess(PEPROCESS Process, PVOID KernelDst, ULONG UserSrc, ULONG Length);
NTSTATUS MmCopyToProcess(PEPROCESS Process, ULONG UserDst, const void *KernelSrc, ULONG Length);
/* The same for the current process (PsGetCurrentProcess()). */
NTSTATUS MmCopyFromUser(PVOID KernelDst, const void *UserSrc, ULONG Length);
NTSTATUS MmCopyToUser(PVOID UserDst, const void *KernelSrc, ULONG Length);
NTSTATUS MmProbeForWrite(const void *UserDst, ULONG Length);
/* The same by the caller's PreviousMode: user pointers through the page
 * tables, a kernel caller's (a Zw call) copied as they are. */
NTSTATUS MmCopyFromCaller(KPROCESSOR_MODE Mode, PVOID KernelDst, const void *CallerSrc, ULONG Length);
NTSTATUS MmCopyToCaller(KPROCESSOR_MODE Mode, PVOID CallerDst, const void *KernelSrc, ULONG Length);
/* Process to process, page by page: *Copied = the bytes copied before the
 * first inaccessible page (STATUS_PARTIAL_COPY when some but not all). */
NTSTATUS MmCopyVirtualMemory(PEPROCESS From, ULONG FromAddress, PEPROCESS To, ULONG ToAddress,
                             ULONG Length, PULONG Copied);
/* A present user page in Process: its KSEG0 alias, or NULL. */
PVOID MmUserPageAlias(PEPROCESS Process, ULONG Va, BOOLEAN Write);

/* ---- services -------------------------------------------------------------- */
NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG ZeroBits,
                                       PULONG RegionSize, ULONG AllocationType, ULONG Protect);
NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PULONG RegionSize,
                                   ULONG FreeType);
NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PULONG RegionSize,
                                      ULONG NewProtect, PULONG OldProtect);
NTSTATUS NTAPI NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, ULONG InfoClass,
                                    PVOID Buffer, ULONG Length, PULONG ResultLength);
NTSTATUS NTAPI NtReadVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer,
                                   ULONG Size, PULONG NumberOfBytesRead);
NTSTATUS NTAPI NtWriteVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, const void *Buffer,
                                    ULONG Size, PULONG NumberOfBytesWritten);

typedef struct _MEMORY_BASIC_INFORMATION {
    PVOID BaseAddress, AllocationBase;
    ULONG AllocationProtect, RegionSize, State, Protect, Type;
} MEMORY_BASIC_INFORMATION;
C_ASSERT_SIZE(MEMORY_BASIC_INFORMATION, 28);

/* Boot-time checks of the memory manager (the "selftest" command-line word). */
void MmSelfTest(void);

#endif
