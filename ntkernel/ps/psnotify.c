/* psnotify.c - the notify routines a driver registers
 * (PsSetCreateProcessNotifyRoutine, PsSetCreateThreadNotifyRoutine,
 * PsSetLoadImageNotifyRoutine) and their calls as processes, threads and
 * images come and go.  Eight of each, as NT allows. */
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/rtl.h"
#include "psp.h"

#define PSP_MAX_NOTIFY 8

static PCREATE_PROCESS_NOTIFY_ROUTINE PspProcessNotify[PSP_MAX_NOTIFY];
static PCREATE_THREAD_NOTIFY_ROUTINE PspThreadNotify[PSP_MAX_NOTIFY];
static PLOAD_IMAGE_NOTIFY_ROUTINE PspImageNotify[PSP_MAX_NOTIFY];

static NTSTATUS PspAddRoutine(PVOID *Table, PVOID Routine)
{
    for (int i = 0; i < PSP_MAX_NOTIFY; i++)
        if (!Table[i]) {
            Table[i] = Routine;
            return STATUS_SUCCESS;
        }
    return STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS PsSetCreateProcessNotifyRoutine(PCREATE_PROCESS_NOTIFY_ROUTINE Routine, BOOLEAN Remove)
{
    if (!Remove) return PspAddRoutine((PVOID *)PspProcessNotify, (PVOID)Routine);
    for (int i = 0; i < PSP_MAX_NOTIFY; i++)
        if (PspProcessNotify[i] == Routine) {
            PspProcessNotify[i] = NULL;
            return STATUS_SUCCESS;
        }
    return STATUS_PROCEDURE_NOT_FOUND;
}

NTSTATUS PsSetCreateThreadNotifyRoutine(PCREATE_THREAD_NOTIFY_ROUTINE Routine)
{
    return PspAddRoutine((PVOID *)PspThreadNotify, (PVOID)Routine);
}

NTSTATUS PsSetLoadImageNotifyRoutine(PLOAD_IMAGE_NOTIFY_ROUTINE Routine)
{
    return PspAddRoutine((PVOID *)PspImageNotify, (PVOID)Routine);
}

void PspNotifyProcess(PEPROCESS Process, BOOLEAN Create)
{
    for (int i = 0; i < PSP_MAX_NOTIFY; i++)
        if (PspProcessNotify[i])
            PspProcessNotify[i](Process->InheritedFromUniqueProcessId, Process->UniqueProcessId, Create);
}

void PspNotifyThread(PETHREAD Thread, BOOLEAN Create)
{
    for (int i = 0; i < PSP_MAX_NOTIFY; i++)
        if (PspThreadNotify[i]) PspThreadNotify[i](Thread->Cid.UniqueProcess, Thread->Cid.UniqueThread, Create);
}

void PspNotifyImageLoad(PEPROCESS Process, const char *Name, ULONG Base, ULONG Size)
{
    WCHAR Buffer[64];
    UNICODE_STRING String = { 0, sizeof Buffer, Buffer };
    for (ULONG i = 0; Name[i] && i < 63; i++) {
        Buffer[i] = (WCHAR)Name[i];
        String.Length += 2;
    }
    IMAGE_INFO Info = { Base, Size };
    for (int i = 0; i < PSP_MAX_NOTIFY; i++)
        if (PspImageNotify[i]) PspImageNotify[i](&String, Process->UniqueProcessId, &Info);
}
