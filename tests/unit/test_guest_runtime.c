/* test_guest_runtime.c - the user-mode runtime of the built-in NT kernel
 * (guest/: crt0, the C runtime, kernel32, ntdll's system-call stubs and its
 * exception and callback dispatchers) run natively under tests/ntuser, a
 * 32-bit Linux process standing in for the kernel's side of the contract.
 * Each test runs one program and compares its whole console output, which
 * ends with the process's exit status, with the text the code must give.
 * Left to the kernel's own tests: the threads demo (its order rests on the
 * kernel's priorities, which real POSIX threads do not have) and smss
 * running every demo. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *build_dir(void)
{
    const char *b = getenv("BUILD");
    return b && *b ? b : "build";
}

/* Run PROGRAM (a path under the build directory) with ARGS; its stdout. */
static char *run(const char *program, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s/tests/ntuser/ntuser %s/guest %s/%s %s", build_dir(), build_dir(),
             build_dir(), program, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "%s", cmd);
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    size_t got;
    while ((got = fread(out + n, 1, cap - 1 - n, p)) > 0)
        n += got;
    out[n] = '\0';
    int rc = pclose(p);
    cr_assert_eq(0, rc, "%s: status %d, output:\n%s", cmd, rc, out);
    return out;
}

static void expect(const char *program, const char *args, const char *want)
{
    char *got = run(program, args);
    cr_assert_str_eq(got, want, "%s printed:\n%s\nexpected:\n%s", program, got, want);
    free(got);
}

TestSuite(guest_runtime, .timeout = 60);

Test(guest_runtime, hello_writes_through_WriteFile_and_exits_0)
{
    expect("guest/apps/hello.elf", "",
           "hello: Hello from user mode, through WriteFile, NtWriteFile and sysenter\n"
           "hello: WriteFile wrote 73 bytes; printf goes the same way\n"
           "[ntuser] exit 0x00000000\n");
}

Test(guest_runtime, hello_int2e_enters_by_int_2e_with_edx_at_the_arguments)
{
    expect("guest/apps/hello-int2e.elf", "",
           "hello-int2e: Hello through KiIntSystemCall and int 2Eh\n"
           "hello-int2e: NtWriteFile returned 0x00000000, IoStatus 0x00000000, 55 bytes\n"
           "[ntuser] exit 0x00000000\n");
}

Test(guest_runtime, teb_finds_the_teb_peb_ids_and_ticks_through_fs)
{
    expect("guest/apps/teb.elf", "",
           "teb: fs:[0x18] = 0x7ffde000 (the first thread's TEB at 0x7ffde000: yes)\n"
           "teb: fs:[0x30] = 0x7ffdf000 (the PEB at 0x7ffdf000: yes); TEB->ProcessEnvironmentBlock agrees: yes\n"
           "teb: fs:[0] = the SEH chain head, empty (-1)\n"
           "teb: PEB: image base 0x00400000, Windows 5.1 build 2600, platform 2, 1 processor(s)\n"
           "teb: fs:[0x20] == GetCurrentProcessId() == the kernel's UniqueProcessId: yes\n"
           "teb: fs:[0x24] == GetCurrentThreadId() == the kernel's ClientId.UniqueThread: yes\n"
           "teb: NtQueryInformationThread's TebBaseAddress is fs:[0x18]: yes\n"
           "teb: tick count at 0x7ffe0000 and from int 2Ah agree: yes; never go back: yes\n"
           "teb: the TickCountMultiplier is 0x0a000000\n"
           "[ntuser] exit 0x00000000\n");
}

Test(guest_runtime, callback_nests_three_deep_through_KiUserCallbackDispatcher)
{
    expect("guest/apps/callback.elf", "",
           "callback: NtUserCallbackDemo(depth 3, value 100)\n"
           "callback: in user mode at depth 3, value 100 (8 bytes of input)\n"
           "callback: in user mode at depth 2, value 100 (8 bytes of input)\n"
           "callback: in user mode at depth 1, value 100 (8 bytes of input)\n"
           "callback: depth 2: the nested call returned 0x00000000, result 101\n"
           "callback: depth 3: the nested call returned 0x00000000, result 103\n"
           "callback: returned 0x00000000, result 106 (expected 106)\n"
           "[ntuser] exit 0x00000000\n");
}

Test(guest_runtime, badcalls_get_their_statuses_then_seh_continues_then_the_process_dies)
{
    expect("guest/apps/badcalls.elf", "",
           "badcalls: sysenter, service 0x11C (the native limit)           -> 0xc000001c STATUS_INVALID_SYSTEM_SERVICE\n"
           "badcalls: sysenter, service 0x0FFF                             -> 0xc000001c STATUS_INVALID_SYSTEM_SERVICE\n"
           "badcalls: sysenter, service 0x1001 (beyond the shadow table)   -> 0xc000001c STATUS_INVALID_SYSTEM_SERVICE\n"
           "badcalls: sysenter, service 0x002 (an empty slot)              -> 0xc0000002 STATUS_NOT_IMPLEMENTED\n"
           "badcalls: int 2Eh, NtWriteFile, arguments at 0x80000000        -> 0xc0000005 STATUS_ACCESS_VIOLATION\n"
           "badcalls: int 2Eh, NtWriteFile, arguments at 0x00001000        -> 0xc0000005 STATUS_ACCESS_VIOLATION\n"
           "badcalls: int 2Eh, EAX = 0xFFFFFFFF                            -> 0xc000001c STATUS_INVALID_SYSTEM_SERVICE\n"
           "badcalls: NtReadVirtualMemory into 0x80100000                  -> 0xc0000005 STATUS_ACCESS_VIOLATION\n"
           "badcalls: under SEH, reading 0x80100000 gave 0x5eb0c0de (set by the handler)\n"
           "badcalls: the handler saw 0xc0000005 at the load, 2 parameter(s): read of 0x80100000\n"
           "badcalls: 0 unexpected result(s); now the same read with no handler\n"
           "[ntuser] unhandled exception 0xc0000005\n"
           "[ntuser] exit 0xc0000005\n");
}

Test(guest_runtime, crt0_splits_the_command_line_and_the_runtime_basics_hold)
{
    expect("tests/ntuser/rt_basic.elf", "one \"two words\"  3",
           "argc 4\n"
           "argv[0] [rt_basic.elf]\n"
           "argv[1] [one]\n"
           "argv[2] [two words]\n"
           "argv[3] [3]\n"
           "[  -12|34   |00056|abc|ABC|c0000005|z|str|cu|%]\n"
           "puts adds a newline\n"
           "!\n"
           "std handles: 0x00000004 0x00000008 0x0000000c\n"
           "WriteFile(bad handle): 0, written 0, GetLastError 6, TEB LastErrorValue 6\n"
           "SetLastError(1234): GetLastError 1234\n"
           "GetStdHandle(42): 0xffffffff, error 6\n"
           "ReadProcessMemory: 1, 4 bytes, 0xfeedf00d\n"
           "ReadProcessMemory(0x80000000): 0, error 998\n"
           "WriteProcessMemory: 1, 4 bytes, 0x0badcafe\n"
           "snprintf: [snprintf-12] 14\n"
           "sprintf: [42] 2; strcmp 1 0; atoi -17; strtoul 0x7ffe0000\n"
           "[dbgprint] DbgPrint says 2600\n"
           "[ntuser] exit 0x0000002c\n");
}

Test(guest_runtime, seh_handlers_decline_and_continue_and_a_raised_status_ends_the_process)
{
    expect("tests/ntuser/rt_seh.elf", "",
           "inner handler: 0xc0000005 flags 0, declines\n"
           "outer handler: 0xc0000005 flags 0 at fault_at, 2 parameters\n"
           "outer handler: address 0x00000010; resuming after the load with EAX = 7\n"
           "after the fault: EAX 7, 2 handler calls, chain head restored by us\n"
           "raising STATUS_NO_MEMORY\n"
           "outer handler: 0xc0000017 flags 1 at elsewhere, 0 parameters\n"
           "[ntuser] unhandled exception 0xc0000017\n"
           "[ntuser] exit 0xc0000017\n");
}

Test(guest_runtime, callback_dispatcher_links_seh_and_callback_return_needs_a_callout)
{
    expect("tests/ntuser/rt_callback.elf", "",
           "callback: depth 5, 8 bytes; SEH record linked: yes, next is the caller's chain: yes\n"
           "NtUserCallbackDemo: 0x00000000, result 82\n"
           "NtCallbackReturn outside a callback: 0xc0000258\n"
           "int 2Bh outside a callback: 0xc0000258\n"
           "the SEH chain is as before: yes\n"
           "[ntuser] exit 0x00000000\n");
}

Test(guest_runtime, threads_start_in_BaseThreadStartThunk_with_their_own_teb)
{
    expect("tests/ntuser/rt_thread.elf", "",
           "thread 1 created suspended: exit code 0x103 (STILL_ACTIVE)\n"
           "SetThreadPriority: HIGHEST 1; 7 0, error 87\n"
           "thread 1: TEB 0x7ffdd000, own id: yes, TEB->ClientId agrees: yes, SEH chain empty: yes\n"
           "ResumeThread: previous count 1\n"
           "thread 1: wait 0, exit code 101\n"
           "thread 2: TEB 0x7ffdc000, own id: yes, TEB->ClientId agrees: yes, SEH chain empty: yes\n"
           "thread 2: wait 0, exit code 102\n"
           "thread 3: TEB 0x7ffdb000, own id: yes, TEB->ClientId agrees: yes, SEH chain empty: yes\n"
           "thread 3: wait 0, exit code 55\n"
           "thread 4: TEB 0x7ffda000, own id: yes, TEB->ClientId agrees: yes, SEH chain empty: yes\n"
           "thread 4: the fault was handled on this thread's chain, EAX 0xab\n"
           "thread 4: wait 0, exit code 171\n"
           "[ntuser] exit 0x00000000\n");
}

/* CreateProcessA -> CreateProcessInternalW: the child's parameters and
 * stack made through NtAllocate/WriteVirtualMemory, its entry read from its
 * ELF header, its first thread suspended, then resumed. */
Test(guest_runtime, readmem_reads_and_writes_a_suspended_child)
{
    expect("guest/apps/readmem.elf", "",
           "readmem: started a child suspended\n"
           "readmem: the child's PEB is at 0x7ffdf000\n"
           "readmem: child PEB: ImageBaseAddress 0x00400000, Windows 5.1 build 2600, platform 2\n"
           "readmem: child command line (34 bytes of UTF-16): \"readmem.elf child\"\n"
           "readmem: wrote 0x1234abcd into the child's mailbox (4 bytes); resuming it\n"
           "readmem child: my mailbox holds 0x1234abcd (written by my parent before I ran)\n"
           "readmem: the child exited with 0; my own mailbox still holds 0x00000000\n"
           "[ntuser] exit 0x00000000\n");
}

Test(guest_runtime, spawn_waits_for_its_child_and_a_missing_image_is_error_2)
{
    expect("guest/apps/spawn.elf", "",
           "spawn: CreateProcessA(\"spawn.elf child 7\")\n"
           "spawn child: asked for 7, exiting with 42\n"
           "spawn: wait returned 0; the child exited with 42\n"
           "spawn: no-such-program.elf: error 2\n"
           "[ntuser] exit 0x00000000\n");
}

Test(guest_runtime, notify_creates_a_process_and_a_thread)
{
    expect("guest/apps/notify.elf", "",
           "notify: creating a process\n"
           "hello: Hello from user mode, through WriteFile, NtWriteFile and sysenter\n"
           "hello: WriteFile wrote 73 bytes; printf goes the same way\n"
           "notify: the process exited with 0\n"
           "notify: creating a thread\n"
           "notify: the second thread runs\n"
           "notify: the thread has ended\n"
           "[ntuser] exit 0x00000000\n");
}

Test(guest_runtime, smss_with_arguments_runs_that_program_with_that_command_line)
{
    expect("guest/smss.elf", "spawn.elf child 3",
           "[smss] running spawn.elf\n"
           "spawn child: asked for 3, exiting with 18\n"
           "[smss] spawn.elf exited with 0x00000012\n"
           "[ntuser] exit 0x00000001\n");     /* the program's failure is the session's */
    expect("guest/smss.elf", "hello",
           "[smss] running hello\n"
           "hello: Hello from user mode, through WriteFile, NtWriteFile and sysenter\n"
           "hello: WriteFile wrote 73 bytes; printf goes the same way\n"
           "[smss] hello exited with 0x00000000\n"
           "[ntuser] exit 0x00000000\n");
    expect("guest/smss.elf", "badcalls",
           "[smss] running badcalls\n"
           "badcalls: sysenter, service 0x11C (the native limit)           -> 0xc000001c STATUS_INVALID_SYSTEM_SERVICE\n"
           "badcalls: sysenter, service 0x0FFF                             -> 0xc000001c STATUS_INVALID_SYSTEM_SERVICE\n"
           "badcalls: sysenter, service 0x1001 (beyond the shadow table)   -> 0xc000001c STATUS_INVALID_SYSTEM_SERVICE\n"
           "badcalls: sysenter, service 0x002 (an empty slot)              -> 0xc0000002 STATUS_NOT_IMPLEMENTED\n"
           "badcalls: int 2Eh, NtWriteFile, arguments at 0x80000000        -> 0xc0000005 STATUS_ACCESS_VIOLATION\n"
           "badcalls: int 2Eh, NtWriteFile, arguments at 0x00001000        -> 0xc0000005 STATUS_ACCESS_VIOLATION\n"
           "badcalls: int 2Eh, EAX = 0xFFFFFFFF                            -> 0xc000001c STATUS_INVALID_SYSTEM_SERVICE\n"
           "badcalls: NtReadVirtualMemory into 0x80100000                  -> 0xc0000005 STATUS_ACCESS_VIOLATION\n"
           "badcalls: under SEH, reading 0x80100000 gave 0x5eb0c0de (set by the handler)\n"
           "badcalls: the handler saw 0xc0000005 at the load, 2 parameter(s): read of 0x80100000\n"
           "badcalls: 0 unexpected result(s); now the same read with no handler\n"
           "[ntuser] unhandled exception 0xc0000005\n"
           "[smss] badcalls exited with 0xc0000005\n"
           "[ntuser] exit 0x00000001\n");
}
