/* test_gdb_remote.c - Debian's gdb against build/ringsim --gdb: the scripts
 * in tests/gdb/ drive gdb through its Python API and print one CHECK line
 * per property; this file starts the pair, collects the lines and fails
 * with gdb's log when one fails.  Skipped in the sanitizer build (it runs
 * the same build/ringsim binary; the stub's code is covered there by
 * test_gdb_stub.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if !defined(__SANITIZE_ADDRESS__)

struct session {
    pid_t sim;
    int sim_err;                /* the simulator's stderr */
    char sim_text[4096];        /* what it wrote there */
    size_t sim_len;
};

static void read_sim(struct session *s, int timeout_ms)
{
    struct pollfd pf = { .fd = s->sim_err, .events = POLLIN };
    while (s->sim_len < sizeof s->sim_text - 1 && poll(&pf, 1, timeout_ms) > 0) {
        ssize_t n = read(s->sim_err, s->sim_text + s->sim_len, sizeof s->sim_text - 1 - s->sim_len);
        if (n <= 0) break;
        s->sim_len += (size_t)n;
        s->sim_text[s->sim_len] = 0;
        if (strchr(s->sim_text, '\n')) break;
    }
}

/* Start ringsim on a free port (--gdb 0); the port it printed, or -1. */
static int start_sim(struct session *s, const char *image)
{
    int fds[2];
    memset(s, 0, sizeof *s);
    if (pipe(fds) != 0) return -1;
    s->sim = fork();
    if (s->sim == 0) {
        dup2(fds[1], 2);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        close(fds[0]);
        if (image && !strcmp(image, "build/ntkernel.elf"))  /* the built-in kernel */
            execl("build/ringsim", "ringsim", "--headless", "--gdb", "0", "--wait-gdb",
                  "--serial", "null", (char *)NULL);
        else if (image)
            execl("build/ringsim", "ringsim", "--kernel", image, "--gdb", "0", "--wait-gdb",
                  "--serial", "null", (char *)NULL);
        else    /* the built-in CPU demo */
            execl("build/ringsim", "ringsim", "--gdb", "0", "--wait-gdb", "--sieve", "1000",
                  (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    s->sim_err = fds[0];
    read_sim(s, 10000);
    const char *p = strstr(s->sim_text, "port ");
    return p ? atoi(p + 5) : -1;
}

/* The simulator's exit status; killed after 10 s. */
static int finish_sim(struct session *s)
{
    int status = -1;
    for (int i = 0; i < 1000; i++) {
        if (waitpid(s->sim, &status, WNOHANG) == s->sim) break;
        if (i == 999) {
            kill(s->sim, SIGKILL);
            waitpid(s->sim, &status, 0);
        }
        usleep(10000);
    }
    s->sim_text[s->sim_len] = 0;
    read_sim(s, 100);
    close(s->sim_err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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

/* Run tests/gdb/<script>.py against image; every CHECK line must say ok. */
static void run_gdb(const char *script, const char *image, const char *brk, const char *must)
{
    struct session s;
    int port = start_sim(&s, image);
    cr_assert_gt(port, 0, "ringsim did not report its port: %s", s.sim_text);
    char log[256], path[256], portstr[16];
    mkdir("build/test-logs", 0777);
    snprintf(log, sizeof log, "build/test-logs/gdb-%s.log", script);
    snprintf(path, sizeof path, "tests/gdb/%s.py", script);
    snprintf(portstr, sizeof portstr, "%d", port);
    pid_t g = fork();
    if (g == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        setenv("RINGSIM_GDB_PORT", portstr, 1);
        setenv("RINGSIM_GDB_TESTS", "tests/gdb", 1);
        setenv("RINGSIM_GDB_IMAGE", image, 1);
        if (brk) setenv("RINGSIM_GDB_BREAK", brk, 1);
        execlp("timeout", "timeout", "60", "gdb", "-nx", "-batch", "-x", path, (char *)NULL);
        _exit(127);
    }
    int gstatus;
    waitpid(g, &gstatus, 0);
    int sim_status = finish_sim(&s);
    char *text = slurp(log);
    int ok = 0, fail = 0;
    for (const char *p = text; (p = strstr(p, "CHECK ")); p++) {
        if (!strncmp(p, "CHECKS DONE", 11)) continue;
        const char *sp = strchr(p + 6, ' ');
        if (sp && !strncmp(sp, " ok", 3)) ok++;
        else fail++;
    }
    cr_expect_eq(0, fail, "%d gdb check(s) failed (log %s):\n%s", fail, log, text);
    cr_expect_gt(ok, 0, "no gdb checks ran (log %s):\n%s", log, text);
    cr_expect(strstr(text, "CHECKS DONE"), "the script stopped early (log %s):\n%s", log, text);
    if (must) cr_expect(strstr(text, must), "gdb's log lacks '%s' (log %s):\n%s", must, log, text);
    cr_expect(strstr(s.sim_text, "killed by the debugger"), "ringsim: %s", s.sim_text);
    cr_expect_eq(1, sim_status, "ringsim's exit status after kill");
    free(text);
}

/* The address of a symbol in an image, by nm. */
static void symbol(const char *image, const char *name, char *out, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "nm %s | awk '$3==\"%s\"{print $1}'", image, name);
    FILE *p = popen(cmd, "r");
    out[0] = 0;
    if (p) {
        if (!fgets(out, (int)cap, p)) out[0] = 0;
        pclose(p);
    }
    out[strcspn(out, "\n")] = 0;
}

Test(gdb_remote, protected_mode_session, .timeout = 120)
{
    run_gdb("basic32", "build/guest/sys_dbg.elf", NULL, "Old value = 0\nNew value = 1\n");
}

Test(gdb_remote, long_mode_reconnect_refreshes_the_layout, .timeout = 120)
{
    char brk[32];
    symbol("build/guest/lm_sys.elf", "guest_main", brk, sizeof brk);
    cr_assert_neq(0, brk[0]);
    run_gdb("longmode", "build/guest/lm_sys.elf", brk, NULL);
}

/* The built-in kernel (ringsim with no image), its symbols from
 * build/ntkernel.elf and build/guest/ntdll.elf: NT threads, trap frames,
 * stepping into SYSENTER. */
Test(gdb_remote, nt_kernel_session, .timeout = 120)
{
    run_gdb("ntkernel", "build/ntkernel.elf", NULL, NULL);
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void send_packet(int fd, const char *payload)
{
    char buf[256];
    unsigned sum = 0;
    for (const char *p = payload; *p; p++) sum += (unsigned char)*p;
    int n = snprintf(buf, sizeof buf, "$%s#%02x", payload, sum & 0xFF);
    cr_assert_eq(n, write(fd, buf, (size_t)n));
}

/* Bytes until a '#xx' trailer, with a 5 s limit; "" on EOF. */
static void read_reply(int fd, char *out, size_t cap)
{
    size_t n = 0;
    struct pollfd pf = { .fd = fd, .events = POLLIN };
    out[0] = 0;
    while (n + 1 < cap && poll(&pf, 1, 5000) > 0) {
        ssize_t k = read(fd, out + n, cap - 1 - n);
        if (k <= 0) break;
        n += (size_t)k;
        out[n] = 0;
        char *h = strchr(out, '#');
        if (h && strlen(h) >= 3) break;
    }
}

/* A second client while one is attached is closed unanswered; the first
 * one goes on, and vKill answers OK before ringsim exits. */
Test(gdb_remote, one_client_at_a_time, .timeout = 60)
{
    struct session s;
    char reply[512];
    int port = start_sim(&s, "build/guest/hello.elf");
    cr_assert_gt(port, 0, "%s", s.sim_text);
    int first = connect_to(port);
    cr_assert_geq(first, 0);
    send_packet(first, "qC");
    read_reply(first, reply, sizeof reply);
    cr_assert(strstr(reply, "$QC1#"), "%s", reply);
    int second = connect_to(port);     /* the kernel accepts it into the backlog */
    cr_assert_geq(second, 0);
    send_packet(second, "qC");
    read_reply(second, reply, sizeof reply);
    cr_expect_str_eq("", reply, "the second client got an answer");
    close(second);
    send_packet(first, "vKill;1");
    read_reply(first, reply, sizeof reply);
    cr_expect(strstr(reply, "$OK#9a"), "%s", reply);
    close(first);
    cr_expect_eq(1, finish_sim(&s));
    cr_expect(strstr(s.sim_text, "killed by the debugger"), "%s", s.sim_text);
}

/* The issue's own example: no image, so the CPU demo, with gdb's default
 * settings (no set architecture); the demo ends with HLT, so gdb sees it exit. */
Test(gdb_remote, demo_info_registers_and_monitor_help, .timeout = 60)
{
    struct session s;
    int port = start_sim(&s, NULL);
    cr_assert_gt(port, 0, "%s", s.sim_text);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "timeout 60 gdb -nx -batch -ex 'target remote 127.0.0.1:%d' "
             "-ex 'info registers' -ex 'monitor help' -ex 'continue' "
             ">build/test-logs/gdb-demo.log 2>&1", port);
    mkdir("build/test-logs", 0777);
    int rc = system(cmd);
    char *text = slurp("build/test-logs/gdb-demo.log");
    cr_expect_eq(0, rc, "%s", text);
    cr_expect(strstr(text, "eip            0x1000"), "%s", text);
    cr_expect(strstr(text, "cr0            0x"), "%s", text);
    cr_expect(strstr(text, "pte <va>"), "%s", text);
    cr_expect(strstr(text, "exited normally"), "%s", text);
    cr_expect_eq(0, finish_sim(&s));
    free(text);
}

/* The stub beside the window (SDL's dummy driver): the same session from
 * the command line, and gdb's kill closes the window and ends ringsim. */
Test(gdb_remote, the_stub_beside_the_window, .timeout = 60)
{
    struct session s;
    int fds[2];
    memset(&s, 0, sizeof s);
    cr_assert_eq(0, pipe(fds));
    s.sim = fork();
    if (s.sim == 0) {
        dup2(fds[1], 2);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        close(fds[0]);
        setenv("SDL_VIDEODRIVER", "dummy", 1);
        execl("build/ringsim", "ringsim", "--gdb", "0", "--wait-gdb", "--serial", "null",
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    s.sim_err = fds[0];
    read_sim(&s, 10000);
    const char *p = strstr(s.sim_text, "port ");
    int port = p ? atoi(p + 5) : -1;
    cr_assert_gt(port, 0, "%s", s.sim_text);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "timeout 60 gdb -nx -batch -ex 'target remote 127.0.0.1:%d' "
             "-ex 'info registers eip cr0' -ex 'monitor help' -ex 'stepi' -ex 'kill' "
             ">build/test-logs/gdb-window-cli.log 2>&1", port);
    mkdir("build/test-logs", 0777);
    int rc = system(cmd);
    char *text = slurp("build/test-logs/gdb-window-cli.log");
    cr_expect_eq(0, rc, "%s", text);
    cr_expect(strstr(text, "eip            0x10000c"), "the kernel's entry:\n%s", text);
    cr_expect(strstr(text, "[ PE ET NE ]"), "%s", text);
    cr_expect(strstr(text, "pte <va>"), "%s", text);
    cr_expect_eq(1, finish_sim(&s), "%s", s.sim_text);
    cr_expect(strstr(s.sim_text, "the window is open (SDL video driver dummy)"), "%s", s.sim_text);
    cr_expect(strstr(s.sim_text, "killed by the debugger"), "%s", s.sim_text);
    free(text);
}

Test(gdb_remote, help_lists_the_gdb_options)
{
    FILE *p = popen("build/ringsim --help", "r");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = 0;
    pclose(p);
    cr_expect(strstr(buf, "--gdb [HOST:]PORT"));
    cr_expect(strstr(buf, "--wait-gdb"));
    cr_expect_eq(2 << 8, system("build/ringsim --wait-gdb --bios /dev/null 2>/dev/null"));
    cr_expect_eq(2 << 8, system("build/ringsim --gdb 127.0.0.1:x --kernel build/guest/hello.elf "
                                "2>/dev/null"));
    cr_expect_eq(2 << 8, system("build/ringsim --gdb :1 --kernel build/guest/hello.elf 2>/dev/null"));
}

#endif
