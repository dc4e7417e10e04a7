/* obtest.c - ObSelfTest: the object manager checked at boot, one console
 * line per check (inc/selftest.h): references and the delete procedure,
 * handle values and their reuse, lookups with and without the right type,
 * the pseudo-handles, NtClose, a table that grows, and inheritance. */
#include "obp.h"
#include "../inc/mm.h"
#include "../inc/selftest.h"

static ULONG ObpDeleted;
static void ObpTestDelete(PVOID Object) { (void)Object; ObpDeleted++; }
static OBJECT_TYPE ObpTestType = { "Test", ObpTestDelete };
static OBJECT_TYPE ObpOtherType = { "Other", NULL };

static LONG ObpPointers(PVOID o) { return OBJECT_TO_OBJECT_HEADER(o)->PointerCount; }
static LONG ObpHandles(PVOID o) { return OBJECT_TO_OBJECT_HEADER(o)->HandleCount; }

static void ObpTestReferences(void)
{
    PVOID o = NULL;
    ObpDeleted = 0;
    NTSTATUS s = ObCreateObject(&ObpTestType, 40, &o);
    BOOLEAN Fresh = NT_SUCCESS(s) && ObpPointers(o) == 1 && ObGetObjectType(o) == &ObpTestType &&
                    (UCHAR *)o - (UCHAR *)OBJECT_TO_OBJECT_HEADER(o) == 0x18;
    ObReferenceObject(o);
    ObDereferenceObject(o);
    ULONG Alive = ObpDeleted;
    ObDereferenceObject(o);
    ST_CHECK("ObCreateObject: body at +0x18, one reference; the last one runs the delete procedure",
             Fresh && Alive == 0 && ObpDeleted == 1, "0x%x, deleted %u then %u", s, Alive, ObpDeleted);
}

static void ObpTestHandles(PEPROCESS P, PETHREAD T)
{
    PVOID o1, o2, o3, Got = NULL;
    HANDLE h1, h2, h3, h4;
    ObCreateObject(&ObpTestType, 8, &o1);
    ObCreateObject(&ObpTestType, 8, &o2);
    ObCreateObject(&ObpOtherType, 8, &o3);
    ObInsertObject(P, o1, 0, 0x1, &h1);
    ObInsertObject(P, o2, 0, 0x3, &h2);
    ObInsertObject(P, o3, 0, 0x3, &h3);
    NTSTATUS c = ObCloseHandle(P, h2);
    ObInsertObject(P, o2, 0, 0x3, &h4);
    ST_CHECK("ObInsertObject: handles 4, 8, 12; the lowest free one is reused",
             h1 == (HANDLE)4 && h2 == (HANDLE)8 && h3 == (HANDLE)12 && c == STATUS_SUCCESS &&
             h4 == (HANDLE)8 && ObGetHandleCount(P) == 3 && ObpHandles(o1) == 1 && ObpPointers(o1) == 2,
             "%x %x %x %x, count %u", (ULONG)h1, (ULONG)h2, (ULONG)h3, (ULONG)h4, ObGetHandleCount(P));

    NTSTATUS r1 = ObReferenceObjectByHandle(h1, 0x1, &ObpTestType, UserMode, &Got);
    BOOLEAN Same = Got == o1 && ObpPointers(o1) == 3;
    if (NT_SUCCESS(r1)) ObDereferenceObject(Got);
    NTSTATUS r2 = ObReferenceObjectByHandle(h3, 0, &ObpTestType, KernelMode, &Got);
    NTSTATUS r3 = ObReferenceObjectByHandle((HANDLE)0x400, 0, NULL, KernelMode, &Got);
    NTSTATUS r4 = ObReferenceObjectByHandle((HANDLE)0, 0, NULL, KernelMode, &Got);
    NTSTATUS r5 = ObReferenceObjectByHandle(h1, 0x2, &ObpTestType, UserMode, &Got);
    NTSTATUS r6 = ObReferenceObjectByHandle((HANDLE)5, 0, &ObpTestType, KernelMode, &Got);
    BOOLEAN Tagged = NT_SUCCESS(r6) && Got == o1;
    if (NT_SUCCESS(r6)) ObDereferenceObject(Got);
    ST_CHECK("ObReferenceObjectByHandle: type, mismatch, bad handles, access, tag bits",
             r1 == STATUS_SUCCESS && Same && r2 == STATUS_OBJECT_TYPE_MISMATCH &&
             r3 == STATUS_INVALID_HANDLE && r4 == STATUS_INVALID_HANDLE && r5 == STATUS_ACCESS_DENIED &&
             Tagged && ObpPointers(o1) == 2, "0x%x 0x%x 0x%x 0x%x 0x%x 0x%x refs %d", r1, r2, r3, r4,
             r5, r6, ObpPointers(o1));

    PVOID Proc = NULL, Thread = NULL;
    NTSTATUS p1 = ObReferenceObjectByHandle(NtCurrentProcess(), 0, &PsProcessType, UserMode, &Proc);
    NTSTATUS p2 = ObReferenceObjectByHandle(NtCurrentThread(), 0, &PsThreadType, UserMode, &Thread);
    NTSTATUS p3 = ObReferenceObjectByHandle(NtCurrentProcess(), 0, &PsThreadType, UserMode, &Got);
    if (NT_SUCCESS(p1)) ObDereferenceObject(Proc);
    if (NT_SUCCESS(p2)) ObDereferenceObject(Thread);
    ST_CHECK("pseudo-handles: -1 is the current process, -2 the current thread",
             p1 == STATUS_SUCCESS && Proc == P && p2 == STATUS_SUCCESS && Thread == T &&
             p3 == STATUS_OBJECT_TYPE_MISMATCH, "0x%x 0x%x 0x%x", p1, p2, p3);

    NTSTATUS n1 = NtClose(NtCurrentProcess()), n2 = NtClose(h1), n3 = NtClose(h1),
             n4 = NtClose((HANDLE)0x10000);
    ST_CHECK("NtClose: a handle once; pseudo and unknown handles are invalid",
             n1 == STATUS_INVALID_HANDLE && n2 == STATUS_SUCCESS && n3 == STATUS_INVALID_HANDLE &&
             n4 == STATUS_INVALID_HANDLE && ObpPointers(o1) == 1 && ObGetHandleCount(P) == 2,
             "0x%x 0x%x 0x%x 0x%x", n1, n2, n3, n4);
    ObCloseHandle(P, h3);
    ObCloseHandle(P, h4);
    ObDereferenceObject(o1);
    ObDereferenceObject(o2);
    ObDereferenceObject(o3);
}

static void ObpTestGrowth(PEPROCESS P)
{
    PVOID o;
    HANDLE h = 0;
    ULONG Wrong = 0, Before = ObGetHandleCount(P);
    ObCreateObject(&ObpOtherType, 8, &o);
    for (ULONG i = 0; i < 100; i++) {
        if (!NT_SUCCESS(ObInsertObject(P, o, 0, 0, &h))) Wrong++;
    }
    ULONG Count = ObGetHandleCount(P), Last = (ULONG)h;
    LONG Handles = ObpHandles(o);
    for (ULONG v = 4; v <= Last; v += 4) {
        PVOID Got;
        if (NT_SUCCESS(ObReferenceObjectByHandle((HANDLE)v, 0, &ObpOtherType, KernelMode, &Got))) {
            ObDereferenceObject(Got);
            if (Got == o) ObCloseHandle(P, (HANDLE)v);
        }
    }
    ST_CHECK("handle table grows past its first size and empties again",
             !Wrong && Count == Before + 100 && Handles == 100 && ObGetHandleCount(P) == Before &&
             ObpPointers(o) == 1, "%u failed, count %u, last 0x%x, left %u", Wrong, Count, Last,
             ObGetHandleCount(P));
    ObDereferenceObject(o);
}

static void ObpTestInheritance(PEPROCESS Parent, PEPROCESS Child)
{
    PVOID a, b;
    HANDLE ha, hb;
    ObpDeleted = 0;
    ObCreateObject(&ObpTestType, 8, &a);
    ObCreateObject(&ObpTestType, 8, &b);
    ObInsertObject(Parent, b, 0, 0x7, &hb);
    ObInsertObject(Parent, a, OBJ_INHERIT, 0x5, &ha);
    ObDereferenceObject(a);
    ObDereferenceObject(b);
    NTSTATUS s = ObInitProcessHandleTable(Child, Parent);
    PHANDLE_TABLE_ENTRY e = &Child->ObjectTable->Entries[(ULONG)ha / 4 - 1];
    BOOLEAN Inherited = e->Object == a && e->GrantedAccess == 0x5 && (e->Attributes & OBJ_INHERIT) &&
                        !Child->ObjectTable->Entries[(ULONG)hb / 4 - 1].Object;
    ST_CHECK("ObInitProcessHandleTable: inheritable handles only, at the same values",
             s == STATUS_SUCCESS && Inherited && ObGetHandleCount(Child) == 1 && ObpHandles(a) == 2,
             "0x%x, handle 0x%x, count %u", s, (ULONG)ha, ObGetHandleCount(Child));
    ObKillProcess(Parent);
    ULONG AfterParent = ObpDeleted;
    ObKillProcess(Child);
    ST_CHECK("ObKillProcess: closes every handle; objects go with their last one",
             AfterParent == 1 && ObpDeleted == 2 && !Parent->ObjectTable && !Child->ObjectTable,
             "deleted %u then %u", AfterParent, ObpDeleted);
}

void ObSelfTest(void)
{
    PEPROCESS P, C;
    PETHREAD T;
    ObpTestReferences();
    if (!NT_SUCCESS(ObCreateObject(&PsProcessType, sizeof(EPROCESS), (PVOID *)&P)) ||
        !NT_SUCCESS(ObCreateObject(&PsProcessType, sizeof(EPROCESS), (PVOID *)&C)) ||
        !NT_SUCCESS(ObCreateObject(&PsThreadType, sizeof(ETHREAD), (PVOID *)&T))) {
        ST_CHECK("test processes", FALSE, "%s", "no pool");
        return;
    }
    ObInitProcessHandleTable(P, NULL);
    struct _KTHREAD *Saved = StEnter(T, P, UserMode);
    ObpTestHandles(P, T);
    ObpTestGrowth(P);
    StLeave(Saved);
    ObpTestInheritance(P, C);
    /* The test process and thread objects stay: ps/'s delete procedures
     * expect real ones. */
}
