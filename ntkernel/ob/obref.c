/* obref.c - objects and their references: ObCreateObject puts an
 * OBJECT_HEADER in front of a zeroed body in the pool; the last
 * ObDereferenceObject runs the type's delete procedure and frees both.  A
 * count that would go below zero is a kernel bug, and NT stops with
 * REFERENCE_BY_POINTER (0x18) rather than free an object twice. */
#include "obp.h"
#include "../inc/mm.h"
#include "../inc/ke.h"

NTSTATUS ObCreateObject(POBJECT_TYPE Type, ULONG BodySize, PVOID *Object)
{
    if (!Type) return STATUS_INVALID_PARAMETER;
    if (BodySize > 0x100000) return STATUS_INSUFFICIENT_RESOURCES;   /* no wrap in the sum */
    POBJECT_HEADER Header = ExAllocatePool(sizeof *Header + BodySize);
    if (!Header) return STATUS_INSUFFICIENT_RESOURCES;
    Header->PointerCount = 1;
    Header->Type = Type;
    *Object = Header + 1;
    return STATUS_SUCCESS;
}

POBJECT_TYPE ObGetObjectType(PVOID Object) { return OBJECT_TO_OBJECT_HEADER(Object)->Type; }

void ObReferenceObject(PVOID Object)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    if (Header->PointerCount <= 0)
        KeBugCheckEx(REFERENCE_BY_POINTER, (ULONG)Header->Type, (ULONG)Object, Header->PointerCount, 1);
    Header->PointerCount++;
}

void ObDereferenceObject(PVOID Object)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    if (Header->PointerCount <= 0 || Header->PointerCount < Header->HandleCount)
        KeBugCheckEx(REFERENCE_BY_POINTER, (ULONG)Header->Type, (ULONG)Object, Header->PointerCount, 2);
    if (--Header->PointerCount) return;
    if (Header->Type->DeleteProcedure) Header->Type->DeleteProcedure(Object);
    ExFreePool(Header);
}
