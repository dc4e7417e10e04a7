/* obp.h - the object manager's internals: the header in front of every
 * object's body (Windows XP's OBJECT_HEADER puts the body at +0x18, with
 * PointerCount at +0, HandleCount at +4 and Type at +8) and the handle
 * table of a process (EPROCESS.ObjectTable). */
#ifndef NTK_OBP_H
#define NTK_OBP_H

#include "../inc/ob.h"
#include "../inc/ntstatus.h"

typedef struct _OBJECT_HEADER {
    LONG PointerCount;          /* 0x00 references, handles included */
    LONG HandleCount;           /* 0x04 */
    POBJECT_TYPE Type;          /* 0x08 */
    UCHAR NameInfoOffset;       /* 0x0C unused here: objects have no names */
    UCHAR HandleInfoOffset, QuotaInfoOffset, Flags;
    PVOID ObjectCreateInfo;     /* 0x10 */
    PVOID SecurityDescriptor;   /* 0x14 */
    /* the body, 0x18 */
} OBJECT_HEADER, *POBJECT_HEADER;
C_ASSERT_OFFSET(OBJECT_HEADER, HandleCount, 0x04);
C_ASSERT_OFFSET(OBJECT_HEADER, Type, 0x08);
C_ASSERT_SIZE(OBJECT_HEADER, 0x18);

#define OBJECT_TO_OBJECT_HEADER(o) ((POBJECT_HEADER)((UCHAR *)(o) - sizeof(OBJECT_HEADER)))

/* Entry i holds handle 4 * (i + 1); a free entry has Object NULL. */
typedef struct _HANDLE_TABLE_ENTRY {
    PVOID Object;
    ACCESS_MASK GrantedAccess;
    ULONG Attributes;           /* OBJ_INHERIT */
} HANDLE_TABLE_ENTRY, *PHANDLE_TABLE_ENTRY;

typedef struct _HANDLE_TABLE {
    ULONG Capacity;             /* entries allocated */
    ULONG HandleCount;          /* entries in use */
    PHANDLE_TABLE_ENTRY Entries;
} HANDLE_TABLE, *PHANDLE_TABLE;

/* Bug checks of the object manager. */
#define REFERENCE_BY_POINTER 0x18
#define INVALID_OBJECT_TYPE  0xD1D  /* ringsim's own: an object with no valid type */

#endif
