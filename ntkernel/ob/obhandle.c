/* obhandle.c - handle tables: a process's handles are 4, 8, 12, ... (the
 * low two bits are tag bits the kernel ignores, as in NT), the lowest free
 * one is handed out first, and the table doubles when full.  Each entry
 * holds the object (with one reference and one handle count of its own),
 * the access granted and OBJ_INHERIT.  NtCurrentProcess() (-1) and
 * NtCurrentThread() (-2) are not in any table: ObReferenceObjectByHandle
 * resolves them, and NtClose refuses them with STATUS_INVALID_HANDLE, as
 * NT's ObpCloseHandle does (the table lookup fails). */
#include "obp.h"
#include "../inc/mm.h"
#include "../inc/ps.h"
#include "../inc/rtl.h"

#define OB_INITIAL_HANDLES 16
#define OB_MAX_HANDLES     (1u << 20)

static PHANDLE_TABLE_ENTRY ObpLookup(PHANDLE_TABLE Table, HANDLE Handle)
{
    ULONG Value = (ULONG)Handle & ~3u;
    if (!Table || Value == 0 || Value / 4 > Table->Capacity) return NULL;
    PHANDLE_TABLE_ENTRY Entry = &Table->Entries[Value / 4 - 1];
    return Entry->Object ? Entry : NULL;
}

static NTSTATUS ObpCreateTable(PEPROCESS Process, ULONG Capacity)
{
    PHANDLE_TABLE Table = ExAllocatePool(sizeof *Table);
    if (!Table) return STATUS_INSUFFICIENT_RESOURCES;
    Table->Entries = ExAllocatePool(Capacity * sizeof *Table->Entries);
    if (!Table->Entries) {
        ExFreePool(Table);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Table->Capacity = Capacity;
    Process->ObjectTable = Table;
    return STATUS_SUCCESS;
}

static BOOLEAN ObpGrowTable(PHANDLE_TABLE Table)
{
    if (Table->Capacity >= OB_MAX_HANDLES) return FALSE;
    PHANDLE_TABLE_ENTRY Bigger = ExAllocatePool(2 * Table->Capacity * sizeof *Bigger);
    if (!Bigger) return FALSE;
    memcpy(Bigger, Table->Entries, Table->Capacity * sizeof *Bigger);
    ExFreePool(Table->Entries);
    Table->Entries = Bigger;
    Table->Capacity *= 2;
    return TRUE;
}

/* Puts Object at index i of the table with a reference and a handle count. */
static void ObpFillEntry(PHANDLE_TABLE Table, ULONG i, PVOID Object, ACCESS_MASK Access,
                         ULONG Attributes)
{
    ObReferenceObject(Object);
    OBJECT_TO_OBJECT_HEADER(Object)->HandleCount++;
    Table->Entries[i].Object = Object;
    Table->Entries[i].GrantedAccess = Access;
    Table->Entries[i].Attributes = Attributes & OBJ_INHERIT;
    Table->HandleCount++;
}

NTSTATUS ObInsertObject(PEPROCESS Process, PVOID Object, ULONG Attributes, ACCESS_MASK Access,
                        PHANDLE Handle)
{
    if (!Process->ObjectTable) {
        NTSTATUS Status = ObpCreateTable(Process, OB_INITIAL_HANDLES);
        if (!NT_SUCCESS(Status)) return Status;
    }
    PHANDLE_TABLE Table = Process->ObjectTable;
    ULONG i = 0;
    while (i < Table->Capacity && Table->Entries[i].Object) i++;
    if (i == Table->Capacity && !ObpGrowTable(Table)) return STATUS_INSUFFICIENT_RESOURCES;
    ObpFillEntry(Table, i, Object, Access, Attributes);
    *Handle = (HANDLE)(4 * (i + 1));
    return STATUS_SUCCESS;
}

/* What a creating or opening service hands back: a handle in the current
 * process, written to the caller's *CallerHandle; if that write fails the
 * handle is closed again, so a bad pointer leaves nothing behind. */
NTSTATUS ObInsertObjectForCaller(PVOID Object, ACCESS_MASK Access, PHANDLE CallerHandle, PHANDLE Handle)
{
    HANDLE h;
    NTSTATUS Status = ObInsertObject(PsGetCurrentProcess(), Object, 0, Access, &h);
    if (!NT_SUCCESS(Status)) return Status;
    Status = MmCopyToCaller(KeGetPreviousMode(), CallerHandle, &h, sizeof h);
    if (!NT_SUCCESS(Status)) {
        ObCloseHandle(PsGetCurrentProcess(), h);
        return Status;
    }
    if (Handle) *Handle = h;
    return STATUS_SUCCESS;
}

/* Access is checked only for user-mode callers: the kernel may do anything. */
NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK Access, POBJECT_TYPE Type,
                                   KPROCESSOR_MODE Mode, PVOID *Object)
{
    PVOID Found;
    ACCESS_MASK Granted = 0xFFFFFFFFu;
    if (Handle == NtCurrentProcess()) {
        Found = PsGetCurrentProcess();
    } else if (Handle == NtCurrentThread()) {
        Found = PsGetCurrentThread();
    } else {
        PHANDLE_TABLE_ENTRY Entry = ObpLookup(PsGetCurrentProcess()->ObjectTable, Handle);
        if (!Entry) return STATUS_INVALID_HANDLE;
        Found = Entry->Object;
        Granted = Entry->GrantedAccess;
    }
    if (!Found) return STATUS_INVALID_HANDLE;
    if (Type && ObGetObjectType(Found) != Type) return STATUS_OBJECT_TYPE_MISMATCH;
    if (Mode == UserMode && (Access & ~Granted)) return STATUS_ACCESS_DENIED;
    ObReferenceObject(Found);
    *Object = Found;
    return STATUS_SUCCESS;
}

NTSTATUS ObCloseHandle(PEPROCESS Process, HANDLE Handle)
{
    PHANDLE_TABLE Table = Process->ObjectTable;
    PHANDLE_TABLE_ENTRY Entry = ObpLookup(Table, Handle);
    if (!Entry) return STATUS_INVALID_HANDLE;
    PVOID Object = Entry->Object;
    Entry->Object = NULL;
    Table->HandleCount--;
    OBJECT_TO_OBJECT_HEADER(Object)->HandleCount--;
    ObDereferenceObject(Object);
    return STATUS_SUCCESS;
}

/* The child gets the parent's inheritable handles at the same values. */
NTSTATUS ObInitProcessHandleTable(PEPROCESS Process, PEPROCESS Parent)
{
    PHANDLE_TABLE From = Parent ? Parent->ObjectTable : NULL;
    NTSTATUS Status = ObpCreateTable(Process, From ? From->Capacity : OB_INITIAL_HANDLES);
    if (!NT_SUCCESS(Status) || !From) return Status;
    for (ULONG i = 0; i < From->Capacity; i++) {
        PHANDLE_TABLE_ENTRY e = &From->Entries[i];
        if (e->Object && (e->Attributes & OBJ_INHERIT))
            ObpFillEntry(Process->ObjectTable, i, e->Object, e->GrantedAccess, e->Attributes);
    }
    return STATUS_SUCCESS;
}

void ObKillProcess(PEPROCESS Process)
{
    PHANDLE_TABLE Table = Process->ObjectTable;
    if (!Table) return;
    for (ULONG i = 0; i < Table->Capacity; i++)
        if (Table->Entries[i].Object) ObCloseHandle(Process, (HANDLE)(4 * (i + 1)));
    Process->ObjectTable = NULL;
    ExFreePool(Table->Entries);
    ExFreePool(Table);
}

ULONG ObGetHandleCount(PEPROCESS Process)
{
    return Process->ObjectTable ? Process->ObjectTable->HandleCount : 0;
}

NTSTATUS NTAPI NtClose(HANDLE Handle)
{
    return ObCloseHandle(PsGetCurrentProcess(), Handle);
}
