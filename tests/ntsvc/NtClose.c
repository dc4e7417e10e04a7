/* NtClose: a handle closes once; 0, unknown, closed and pseudo-handles are
 * refused with STATUS_INVALID_HANDLE (NT's ObpCloseHandle finds no table
 * entry for -1 and -2); the low two tag bits are ignored; any object type
 * closes; a closed handle no longer reaches its object. */
#include "ntsvc.h"

int main(void)
{
    svc_begin("NtClose", 14);
    HANDLE h = NULL, p = NULL;
    check("NtCreateEvent for a handle", NtCreateEvent(&h, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, FALSE), 0);
    check("close a fresh event handle", NtClose(h), STATUS_SUCCESS);
    check("close it again", NtClose(h), STATUS_INVALID_HANDLE);
    check("the closed handle no longer sets the event", NtSetEvent(h, NULL), STATUS_INVALID_HANDLE);
    check("close handle 0", NtClose(NULL), STATUS_INVALID_HANDLE);
    check("close handle 0x1234", NtClose((HANDLE)0x1234), STATUS_INVALID_HANDLE);
    check("close handle 0x7FFFFFFC (beyond any table)", NtClose((HANDLE)0x7FFFFFFC), STATUS_INVALID_HANDLE);
    check("close NtCurrentProcess() (-1)", NtClose(NtCurrentProcess()), STATUS_INVALID_HANDLE);
    check("close NtCurrentThread() (-2)", NtClose(NtCurrentThread()), STATUS_INVALID_HANDLE);
    check("the current process still answers",
          NtQueryInformationProcess(NtCurrentProcess(), 0, &(PROCESS_BASIC_INFORMATION){ 0 },
                                    sizeof(PROCESS_BASIC_INFORMATION), NULL), STATUS_SUCCESS);
    check("NtCreateEvent again", NtCreateEvent(&h, EVENT_ALL_ACCESS_SVC, NULL, NOTIFICATION_EVENT, FALSE), 0);
    check("close it with tag bits (handle | 3)", NtClose((HANDLE)((ULONG)h | 3)), STATUS_SUCCESS);
    check("the untagged handle is closed too", NtClose(h), STATUS_INVALID_HANDLE);
    CLIENT_ID cid = { (HANDLE)NtCurrentTeb()->ClientId.UniqueProcess, 0 };
    check("NtOpenProcess for a process handle", NtOpenProcess(&p, PROCESS_ALL_ACCESS, NULL, &cid), 0);
    check("close a process handle", NtClose(p), STATUS_SUCCESS);
    check("close the process handle again", NtClose(p), STATUS_INVALID_HANDLE);
    check("raw sysenter NtClose(0x1234)", svc_sysenter(0x19, (ULONG[]){ 0x1234 }, 1), STATUS_INVALID_HANDLE);
    check("raw int 2Eh NtClose(0x1234)", svc_int2e(0x19, (ULONG[]){ 0x1234 }, 1), STATUS_INVALID_HANDLE);
    /* The argument itself unreadable: the argument copy fails. */
    check("int 2Eh with the arguments at 0x80000000", svc_int2e_edx(0x19, 0x80000000), STATUS_ACCESS_VIOLATION);
    return svc_end();
}
