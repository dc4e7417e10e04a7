/* ki.S - ntdll's kernel-facing entry points (nt-reference.md 4.1, 7.4):
 * the three system-call gates every Nt stub reaches through
 * SharedUserData->SystemCall, and the two places the kernel sends a thread
 * to in user mode: KiUserCallbackDispatcher for a user-mode callback and
 * KiUserExceptionDispatcher for an exception.  The kernel finds all five by
 * name in this image's symbol table. */

#define FS_EXCEPTION_LIST  0x00
#define FS_PEB             0x30
#define PEB_CALLBACK_TABLE 0x2C

    .text
    .code32

/* sysenter: EDX = the user ESP, the kernel's only view of the stack
 * ([EDX] = return into the stub, [EDX+4] = the stub's caller, [EDX+8] =
 * the first argument).  SYSEXIT comes back at KiFastSystemCallRet. */
    .globl KiFastSystemCall
    .type KiFastSystemCall, @function
    .p2align 4
KiFastSystemCall:
    {load} mov %esp, %edx                   /* 8B D4 (the form Windows has) */
    sysenter                                /* 0F 34 */

    .globl KiFastSystemCallRet
    .type KiFastSystemCallRet, @function
KiFastSystemCallRet:
    ret                                     /* C3: back into the Nt stub */

/* int 2Eh: EDX = the arguments themselves (ESP + 8). */
    .globl KiIntSystemCall
    .type KiIntSystemCall, @function
    .p2align 4
KiIntSystemCall:
    lea     8(%esp), %edx                   /* 8D 54 24 08 */
    int     $0x2E                           /* CD 2E */
    ret                                     /* C3 */

/* A user-mode callback.  KeUserModeCallback left on the user stack:
 * [ESP] = 0 (a fake return address), [ESP+4] = ApiNumber, [ESP+8] = the
 * input buffer, [ESP+12] = its length, [ESP+16..24) free for an SEH record.
 * Call PEB->KernelCallbackTable[ApiNumber](InputBuffer, InputLength)
 * (stdcall) and give its status back to the kernel by int 2Bh, which never
 * returns unless no callback is active. */
    .globl KiUserCallbackDispatcher
    .type KiUserCallbackDispatcher, @function
    .p2align 4
KiUserCallbackDispatcher:
    mov     %fs:FS_EXCEPTION_LIST, %ecx     /* link an SEH record into fs:[0] */
    mov     %ecx, 16(%esp)
    movl    $KiUserCallbackExceptionHandler, 20(%esp)
    lea     16(%esp), %ecx
    mov     %ecx, %fs:FS_EXCEPTION_LIST
    add     $4, %esp                        /* drop the fake return address */
    pop     %edx                            /* ApiNumber */
    mov     %fs:FS_PEB, %eax
    mov     PEB_CALLBACK_TABLE(%eax), %eax
    call    *(%eax,%edx,4)                  /* pops InputBuffer and InputLength */
    mov     (%esp), %ecx                    /* ESP is at the SEH record: unlink it */
    mov     %ecx, %fs:FS_EXCEPTION_LIST
    xor     %ecx, %ecx                      /* no output buffer */
    xor     %edx, %edx                      /* output length 0 */
    int     $0x2B                           /* EAX = the callback's status */
    push    %eax                            /* no callback was active */
    call    RtlRaiseStatus

/* An exception from user mode: [ESP] = the EXCEPTION_RECORD, [ESP+4] =
 * the CONTEXT, both on the user stack.  If a frame-based handler says
 * ExceptionContinueExecution, resume with the (possibly edited) context by
 * NtContinue; if none does, NtRaiseException(second chance) and the kernel
 * ends the process with the exception code. */
    .globl KiUserExceptionDispatcher
    .type KiUserExceptionDispatcher, @function
    .p2align 4
KiUserExceptionDispatcher:
    mov     4(%esp), %ecx                   /* PCONTEXT */
    mov     (%esp), %ebx                    /* PEXCEPTION_RECORD */
    push    %ecx
    push    %ebx
    call    RtlDispatchException            /* stdcall (record, context) */
    or      %al, %al
    jz      1f
    mov     4(%esp), %ecx
    push    $0                              /* TestAlert = FALSE */
    push    %ecx
    call    NtContinue                      /* returns only on failure */
    jmp     2f
1:  mov     4(%esp), %ecx
    mov     (%esp), %ebx
    push    $0                              /* FirstChance = FALSE */
    push    %ecx
    push    %ebx
    call    NtRaiseException
2:  push    %eax
    call    RtlRaiseStatus

/* RtlCaptureContext(PCONTEXT) (stdcall): the caller's integer, control and
 * segment registers as they are when this returns. */
    .globl RtlCaptureContext
    .type RtlCaptureContext, @function
    .p2align 4
RtlCaptureContext:
    push    %ebx
    mov     8(%esp), %ebx                   /* PCONTEXT */
    movl    $0x10007, 0x00(%ebx)            /* CONTEXT_FULL */
    mov     %eax, 0xB0(%ebx)
    mov     %ecx, 0xAC(%ebx)
    mov     %edx, 0xA8(%ebx)
    mov     (%esp), %eax                    /* the caller's EBX */
    mov     %eax, 0xA4(%ebx)
    mov     %esi, 0xA0(%ebx)
    mov     %edi, 0x9C(%ebx)
    mov     %ebp, 0xB4(%ebx)
    mov     4(%esp), %eax                   /* Eip = our return address */
    mov     %eax, 0xB8(%ebx)
    lea     12(%esp), %eax                  /* Esp after the stdcall return */
    mov     %eax, 0xC4(%ebx)
    pushf
    pop     0xC0(%ebx)
    xor     %eax, %eax
    mov     %cs, %ax
    mov     %eax, 0xBC(%ebx)
    mov     %ss, %ax
    mov     %eax, 0xC8(%ebx)
    mov     %ds, %ax
    mov     %eax, 0x98(%ebx)
    mov     %es, %ax
    mov     %eax, 0x94(%ebx)
    mov     %fs, %ax
    mov     %eax, 0x90(%ebx)
    mov     %gs, %ax
    mov     %eax, 0x8C(%ebx)
    mov     0xB0(%ebx), %eax
    pop     %ebx
    ret     $4

    .section .note.GNU-stack, "", @progbits
