/* ob.h - the object manager: typed, reference-counted objects with a header
 * in front of the body (ObCreateObject), per-process handle tables whose
 * handles are multiples of 4 starting at 4, NtCurrentProcess() (-1) and
 * NtCurrentThread() (-2) pseudo-handles, inheritance (OBJ_INHERIT) into a
 * child's table at the same values, and NtClose. */
#ifndef NTK_OB_H
#define NTK_OB_H

#include "pstypes.h"

typedef struct _OBJECT_TYPE {
    const char *Name;                   /* "Process", "Thread", "Event", "File" */
    void (*DeleteProcedure)(PVOID Object);  /* the last reference went; may be NULL */
} OBJECT_TYPE, *POBJECT_TYPE;

extern OBJECT_TYPE PsProcessType, PsThreadType, ExEventObjectType, IoFileObjectType;

/* A new object of Type with a zeroed body of BodySize bytes and one
 * reference (the caller's).  STATUS_INSUFFICIENT_RESOURCES when the pool is
 * out. */
NTSTATUS ObCreateObject(POBJECT_TYPE Type, ULONG BodySize, PVOID *Object);
POBJECT_TYPE ObGetObjectType(PVOID Object);
void ObReferenceObject(PVOID Object);
void ObDereferenceObject(PVOID Object);     /* the last one calls DeleteProcedure and frees */

/* A handle to Object in Process's table (the handle takes its own
 * reference).  Attributes: OBJ_INHERIT. */
NTSTATUS ObInsertObject(PEPROCESS Process, PVOID Object, ULONG Attributes, ACCESS_MASK Access,
                        PHANDLE Handle);
/* The object behind Handle in the current process, referenced; Type NULL
 * accepts any type.  STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH. */
NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK Access, POBJECT_TYPE Type,
                                   KPROCESSOR_MODE Mode, PVOID *Object);
NTSTATUS ObCloseHandle(PEPROCESS Process, HANDLE Handle);
/* A handle to Object in the current process written to the service
 * caller's *CallerHandle (closed again if that fails); *Handle, if given,
 * gets it too. */
NTSTATUS ObInsertObjectForCaller(PVOID Object, ACCESS_MASK Access, PHANDLE CallerHandle, PHANDLE Handle);
/* A new process's table: empty, or the parent's inheritable handles at the
 * same values. */
NTSTATUS ObInitProcessHandleTable(PEPROCESS Process, PEPROCESS Parent);
void ObKillProcess(PEPROCESS Process);      /* closes every handle and frees the table */
ULONG ObGetHandleCount(PEPROCESS Process);

NTSTATUS NTAPI NtClose(HANDLE Handle);

/* Boot-time checks of the object manager ("selftest"). */
void ObSelfTest(void);

#endif
