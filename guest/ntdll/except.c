/* except.c - user-mode exception dispatch: RtlDispatchException walks the
 * frame-based (SEH) chain headed at fs:[0] for KiUserExceptionDispatcher,
 * and RtlRaiseStatus raises a status as a noncontinuable software
 * exception.  Unwinding (RtlUnwind) is not provided: a handler that wants
 * to resume elsewhere edits the context and continues execution. */
#include <ntdll.h>

void NTAPI RtlCaptureContext(PCONTEXT Context);

static PEXCEPTION_REGISTRATION_RECORD RtlpGetExceptionList(void)
{
    PEXCEPTION_REGISTRATION_RECORD head;
    __asm__ volatile ("movl %%fs:0, %0" : "=r"(head));
    return head;
}

/* TRUE when a handler asked to continue execution (with Context as it
 * left it); FALSE when the chain ended, a frame was misaligned, a handler
 * returned something other than continue-execution or continue-search, or
 * a noncontinuable exception was asked to continue. */
BOOLEAN NTAPI RtlDispatchException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context)
{
    PEXCEPTION_REGISTRATION_RECORD frame = RtlpGetExceptionList();

    for (; frame && frame != EXCEPTION_CHAIN_END; frame = frame->Next) {
        if ((ULONG_PTR)frame & 3)
            return FALSE;
        ULONG dispatcher_context = 0;
        EXCEPTION_DISPOSITION d = frame->Handler(ExceptionRecord, frame, Context, &dispatcher_context);
        if (d == ExceptionContinueExecution)
            return !(ExceptionRecord->ExceptionFlags & EXCEPTION_NONCONTINUABLE);
        if (d != ExceptionContinueSearch)
            return FALSE;
    }
    return FALSE;
}

/* The SEH record KiUserCallbackDispatcher links around a callback: an
 * unwind through it leaves the callback, so tell the kernel the user stack
 * moved (NtCallbackReturn with STATUS_CALLBACK_POP_STACK). */
EXCEPTION_DISPOSITION KiUserCallbackExceptionHandler(PEXCEPTION_RECORD ExceptionRecord,
    PEXCEPTION_REGISTRATION_RECORD EstablisherFrame, PCONTEXT Context, PVOID DispatcherContext)
{
    (void)EstablisherFrame; (void)Context; (void)DispatcherContext;
    if (ExceptionRecord->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND))
        NtCallbackReturn(NULL, 0, STATUS_CALLBACK_POP_STACK);
    return ExceptionContinueSearch;
}

/* Offer the status to the SEH chain as a noncontinuable exception, then to
 * the kernel as a second chance, which ends the process. */
void NTAPI RtlRaiseStatus(NTSTATUS Status)
{
    EXCEPTION_RECORD record = { 0 };
    CONTEXT context;

    RtlCaptureContext(&context);
    record.ExceptionCode = Status;
    record.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
    record.ExceptionAddress = __builtin_return_address(0);
    RtlDispatchException(&record, &context);
    NtRaiseException(&record, &context, FALSE);
    for (;;)
        NtTerminateProcess(NtCurrentProcess(), Status);
}
