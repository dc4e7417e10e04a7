/* iop.h - the I/O manager's internals the self-test reaches: the ramdisk
 * checks and lookup on any buffer, not just the boot one. */
#ifndef NTK_IOP_H
#define NTK_IOP_H

#include "../inc/io.h"

/* NULL when Disk[0..Size) is a good ramdisk (*Count files), else why not. */
const char *IopCheckRamdisk(const UCHAR *Disk, ULONG Size, PULONG Count);
const UCHAR *IopFindInRamdisk(const UCHAR *Disk, ULONG Count, const char *Name, PULONG Size);

#endif
