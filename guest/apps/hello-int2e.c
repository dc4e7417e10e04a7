/* hello-int2e - NtWriteFile (0x112) through the older gate: a stub of its
 * own calls ntdll!KiIntSystemCall, which passes the arguments in EDX and
 * enters the kernel by int 2Eh (KiSystemService). */
#include <stdio.h>
#include <ntdll.h>
#include <windows.h>

NTSTATUS NTAPI NtWriteFileInt2E(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                                PIO_STATUS_BLOCK IoStatusBlock, const void *Buffer, ULONG Length,
                                PLARGE_INTEGER ByteOffset, PULONG Key);

/* The XP stub shape with the gate called directly instead of through
 * SharedUserData->SystemCall. */
__asm__(
    "    .text\n"
    "    .globl NtWriteFileInt2E\n"
    "    .type NtWriteFileInt2E, @function\n"
    "NtWriteFileInt2E:\n"
    "    mov  $0x112, %eax\n"
    "    call KiIntSystemCall\n"
    "    ret  $36\n");

int main(void)
{
    static const char text[] = "hello-int2e: Hello through KiIntSystemCall and int 2Eh\n";
    IO_STATUS_BLOCK iosb = { { -1 }, 0 };
    NTSTATUS status = NtWriteFileInt2E(GetStdHandle(STD_OUTPUT_HANDLE), NULL, NULL, NULL, &iosb,
                                       text, sizeof text - 1, NULL, NULL);
    printf("hello-int2e: NtWriteFile returned 0x%08lx, IoStatus 0x%08lx, %lu bytes\n",
           (ULONG)status, (ULONG)iosb.u.Status, iosb.Information);
    return NT_SUCCESS(status) ? 0 : 1;
}
