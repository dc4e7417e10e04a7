/* thunk.S - where kernel32 starts threads, and ReadProcessMemory written
 * out in assembly so that its first bytes are Windows' hot-patchable
 * prologue (mov edi,edi / push ebp / mov ebp,esp = 8B FF 55 8B EC) and its
 * stdcall frame reads as it does in a debugger on Windows XP. */

    .text
    .code32

/* A process's first thread: EAX = the image's entry point, EBX = the PEB.
 * BaseProcessStart(entry) calls it and ends the process with its result. */
    .globl BaseProcessStartThunk
    .type BaseProcessStartThunk, @function
    .p2align 4
BaseProcessStartThunk:
    xor     %ebp, %ebp                      /* the end of the frame chain */
    push    %eax                            /* lpStartAddress */
    push    $0                              /* a return address that is never used */
    jmp     BaseProcessStart

/* A thread made by CreateThread: EAX = its start routine, EBX = the
 * parameter.  BaseThreadStart(start, parameter) calls it and ends the
 * thread with its result. */
    .globl BaseThreadStartThunk
    .type BaseThreadStartThunk, @function
    .p2align 4
BaseThreadStartThunk:
    xor     %ebp, %ebp
    push    %ebx                            /* lpParameter */
    push    %eax                            /* lpStartAddress */
    push    $0
    jmp     BaseThreadStart

/* BOOL WINAPI ReadProcessMemory(HANDLE hProcess, LPCVOID lpBaseAddress,
 *     LPVOID lpBuffer, SIZE_T nSize, SIZE_T *lpNumberOfBytesRead)
 * [ebp+8] hProcess, [ebp+0Ch] lpBaseAddress, [ebp+10h] lpBuffer,
 * [ebp+14h] nSize (reused for the count read), [ebp+18h] lpNumberOfBytesRead. */
    .globl ReadProcessMemory
    .type ReadProcessMemory, @function
    .p2align 4
ReadProcessMemory:
    {load} mov %edi, %edi                   /* 8B FF: the hot-patch point */
    push    %ebp                            /* 55 */
    {load} mov %esp, %ebp                   /* 8B EC */
    lea     0x14(%ebp), %eax                /* NumberOfBytesRead = &nSize */
    push    %eax
    push    0x14(%ebp)                      /* nSize */
    push    0x10(%ebp)                      /* lpBuffer */
    push    0x0C(%ebp)                      /* lpBaseAddress */
    push    0x08(%ebp)                      /* hProcess */
    call    NtReadVirtualMemory             /* ntdll, 0xBA */
    mov     0x18(%ebp), %ecx
    test    %ecx, %ecx
    jz      1f
    mov     0x14(%ebp), %edx                /* the count the kernel stored */
    mov     %edx, (%ecx)
1:  test    %eax, %eax
    jl      2f
    xor     %eax, %eax
    inc     %eax                            /* TRUE */
    pop     %ebp
    ret     $0x14
2:  push    %eax
    call    BaseSetLastNTError              /* cdecl */
    add     $4, %esp
    xor     %eax, %eax                      /* FALSE */
    pop     %ebp
    ret     $0x14

    .section .note.GNU-stack, "", @progbits
