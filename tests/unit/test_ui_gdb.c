/* test_ui_gdb.c - the GDB stub beside the window: Debian's gdb attaches to
 * a window (SDL_VIDEODRIVER=dummy) on the built-in kernel, and the two
 * share the machine and one breakpoint table.  gdb's breakpoint stops its
 * continue; a breakpoint set in the window stops it too (gdb sees
 * SIGTRAP); the window's pause interrupts gdb's continue (gdb sees
 * SIGINT); while gdb is attached the window's run and step controls wait;
 * gdb detaching lets the machine run on.  Skipped in the sanitizer build,
 * like the other real-gdb tests (gdb is the slow part there). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cpu/debug.h"
#include "gdbstub/tcp.h"
#include "sim/symbols.h"
#include "ui/model.h"
#include "ui/window.h"
#include "tests/unit/ui_boot.h"

#if !defined(__SANITIZE_ADDRESS__)

static struct ui_session s;
static struct ui_window w;
static struct gdb_server g;
static int listen_fd = -1;

static void setup(void)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
}

static void teardown(void)
{
    ui_window_close(&w);
    if (listen_fd >= 0) {
        gdb_server_free(&g);
        close(listen_fd);
    }
    ui_session_close(&s);
}
TestSuite(ui_gdb, .init = setup, .fini = teardown, .timeout = 150);

static uint64_t sym(const char *name)
{
    uint64_t a;
    cr_assert_eq(0, symtab_find(s.m->symbols, name, &a), "no symbol %s", name);
    return a;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = calloc(1, (size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) buf[0] = 0;
    fclose(f);
    return buf;
}

static pid_t start_gdb(int port, const char *log)
{
    char target[64];
    snprintf(target, sizeof target, "target remote 127.0.0.1:%d", port);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execlp("timeout", "timeout", "100", "gdb", "-nx", "-batch", "-ex", target,
               "-ex", "symbol-file build/ntkernel.elf",
               "-ex", "break KiFastCallEntry",
               "-ex", "continue",                       /* 1: gdb's own breakpoint */
               "-ex", "info registers eip",
               "-ex", "delete",
               "-ex", "continue",                       /* 2: the window's breakpoint */
               "-ex", "continue",                       /* 3: the window's pause */
               "-ex", "print/x $pc",
               "-ex", "detach", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static bool status_is(const char *prefix)
{
    return !strncmp(s.status, prefix, strlen(prefix));
}

Test(ui_gdb, gdb_and_the_window_share_the_machine_and_its_breakpoints)
{
    char err[256];
    ui_test_open(&s);
    cr_assert_eq(0, ui_window_open(&w, &s, 1600, 1000, false, err, sizeof err), "%s", err);
    int port;
    listen_fd = gdb_tcp_listen("0", &port, err, sizeof err);
    cr_assert_geq(listen_fd, 0, "%s", err);
    gdb_server_init(&g, s.m, listen_fd);
    ui_session_attach_gdb(&s, &g, port, true);

    /* --wait-gdb: the machine holds, and the window's controls wait too. */
    uint64_t at_reset = s.m->cpu.instret;
    ui_step(&s);
    ui_run(&s, UI_RUNNING);
    cr_expect_eq(at_reset, s.m->cpu.instret);
    cr_expect_eq(UI_PAUSED, s.run);
    cr_expect(strstr(s.status, "waiting for gdb on port"), "%s", s.status);

    /* A breakpoint from the window, set before gdb comes: only user fast
     * calls leave by SYSEXIT, so gdb's KiFastCallEntry comes first. */
    uint64_t exit_sysexit = sym("KiSystemCallExitSysexit"), fast = sym("KiFastCallEntry");
    cr_assert(ui_toggle_break(&s, exit_sysexit));

    mkdir("build/test-logs", 0777);
    const char *log = "build/test-logs/gdb-window.log";
    pid_t gdb = start_gdb(port, log);
    bool saw_gdb_claim = false, refused_while_attached = false, removed = false;
    bool paused_gdb = false, detached = false;
    int gdb_frames = 0, status = -1;
    time_t start = time(NULL);
    while (time(NULL) - start < 110) {
        cr_assert(ui_window_frame(&w), "the window quit: %s", s.status);
        if (s.run == UI_GDB && !removed && (debug_host_break_at(&s.m->cpu, fast) & HOST_OWNER_GDB))
            saw_gdb_claim = true;
        if (s.run == UI_PAUSED && status_is("breakpoint at KiFastCallEntry")) {
            uint64_t n = s.m->cpu.instret;
            ui_step(&s);
            refused_while_attached = s.m->cpu.instret == n && strstr(s.status, "gdb is attached");
        }
        if (s.run == UI_PAUSED && status_is("breakpoint at KiSystemCallExitSysexit") && !removed) {
            cr_expect_eq(exit_sysexit, s.m->cpu.rip);
            cr_assert(!ui_toggle_break(&s, exit_sysexit), "the window removes its breakpoint");
            removed = true;
        }
        if (removed && !paused_gdb && s.run == UI_GDB && ++gdb_frames == 3) {
            cr_assert_eq(0, ui_window_post_key("F5", false));   /* pause: gdb's Ctrl-C */
            paused_gdb = true;
        }
        if (status_is("gdb detached")) {
            detached = s.run == UI_RUNNING;
            break;
        }
        if (waitpid(gdb, &status, WNOHANG) == gdb) break;
        if (!ui_gdb_holds(&s) && s.run == UI_PAUSED) usleep(1000);
    }
    if (status == -1) waitpid(gdb, &status, 0);
    char *text = slurp(log);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "gdb's exit (log %s):\n%s", log, text);
    cr_expect(saw_gdb_claim, "gdb's Z0 reached the window's table while gdb ran");
    cr_expect(refused_while_attached, "the window stepped while gdb was attached: %s", s.status);
    cr_expect(strstr(text, "Breakpoint 1, 0x") && strstr(text, "in KiFastCallEntry"), "%s", text);
    cr_expect(strstr(text, "received signal SIGTRAP"), "the window's breakpoint:\n%s", text);
    cr_expect(strstr(text, "in KiSystemCallExitSysexit"), "%s", text);
    cr_expect(strstr(text, "received signal SIGINT"), "the window's pause:\n%s", text);
    cr_expect(detached, "after detach the machine runs on: %s", s.status);
    cr_expect_eq(0, debug_host_break_at(&s.m->cpu, fast), "gdb's breakpoint went with it");
    cr_expect(!ui_gdb_holds(&s));
    uint64_t n = s.m->cpu.instret;
    ui_window_frame(&w);
    cr_expect_gt(s.m->cpu.instret, n, "the window runs the machine again");
    free(text);
}

/* gdb's kill ends the machine and closes the window, as it ends QEMU. */
Test(ui_gdb, kill_closes_the_window)
{
    char err[256];
    ui_test_open(&s);
    cr_assert_eq(0, ui_window_open(&w, &s, 1600, 1000, false, err, sizeof err), "%s", err);
    int port;
    listen_fd = gdb_tcp_listen("0", &port, err, sizeof err);
    cr_assert_geq(listen_fd, 0, "%s", err);
    gdb_server_init(&g, s.m, listen_fd);
    ui_session_attach_gdb(&s, &g, port, false);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "timeout 60 gdb -nx -batch -ex 'target remote 127.0.0.1:%d' "
             "-ex 'stepi' -ex 'kill' >build/test-logs/gdb-window-kill.log 2>&1", port);
    mkdir("build/test-logs", 0777);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    bool open = true;
    time_t start = time(NULL);
    while (open && time(NULL) - start < 60) open = ui_window_frame(&w);
    int rc = pclose(p);
    char *text = slurp("build/test-logs/gdb-window-kill.log");
    cr_expect(!open, "the window is still open: %s", s.status);
    cr_expect_eq(0, rc, "%s", text);
    cr_expect(s.killed && s.run == UI_ENDED, "%s", s.status);
    cr_expect_str_eq("killed by the debugger", s.m->message);
    cr_expect(strstr(text, "killed"), "%s", text);
    free(text);
}

#endif
