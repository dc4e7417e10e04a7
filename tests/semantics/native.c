/* native.c - parent side of the native executor: spawns sandboxed children (native64 or
 * native32), sends one case per native_run over a pipe and reads back the resulting state.
 * A child may die, hang or write garbage (the instruction under test runs in it); any of those
 * kills and reaps it, native_run returns -1 and the next call starts a fresh child. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "native.h"
#include "native_wire.h"

#define RUN_TIMEOUT_MS   2000   /* per case: covers a write, the run and the read */
#define START_TIMEOUT_MS 5000   /* exec + setup of a fresh child */

/* One child process. */
struct child {
    const char *role;           /* for messages: "64-bit", "32-bit", "32-bit LDT" */
    int ldt;                    /* started with the LDT segments (argv[1] = "ldt") */
    pid_t pid;                  /* 0: not running */
    int to_child, from_child;   /* our ends of its pipes, non-blocking */
    uint32_t caps;              /* NATIVE_CAP_* from its hello */
    uint32_t seq;
    uint8_t sent[NATIVE_DATA_SIZE];   /* the data window as this child currently holds it */
};

/* A 32-bit native has two children: a process with an LDT makes every context switch
 * dearer (measured ~40% fewer cases/s here), so only code16_seg/ldt_data16 cases go to the
 * one that has it, started on first use. */
struct native {
    enum native_width width;
    char *path;
    struct child plain, ldt;
    uint8_t wbuf[sizeof(struct native_wire_req) + NATIVE_DATA_SIZE];
    uint8_t rbuf[NATIVE_WIRE_RSP_MAX];
};

/* ---------------------------------------------------------------- time and I/O */
static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for 'events' or the deadline passes. 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
        if (left <= 0)
            return 0;
        int rc = poll(&p, 1, (int)left);
        if (rc > 0)
            return 1;   /* includes POLLHUP/POLLERR: the following read/write reports it */
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

/* write() that cannot raise SIGPIPE in the caller: the child may be gone. SIGPIPE is blocked
 * in this thread for the call; one we caused is consumed before unblocking. */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t len)
{
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t n = write(fd, buf, len);
    int saved = errno;
    if (n < 0 && errno == EPIPE && !sigismember(&old, SIGPIPE)) {
        const struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return n;
}

static int send_all(int fd, const uint8_t *buf, size_t len, long long deadline)
{
    while (len > 0) {
        ssize_t n = write_nosigpipe(fd, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EAGAIN) {
            if (wait_fd(fd, POLLOUT, deadline) <= 0)
                return -1;
        } else if (!(n < 0 && errno == EINTR)) {
            return -1;
        }
    }
    return 0;
}

/* Reads at least 'want' bytes, at most 'cap'. Returns bytes read or -1 (EOF/timeout/error). */
static ssize_t recv_some(int fd, uint8_t *buf, size_t have, size_t want, size_t cap,
                         long long deadline)
{
    while (have < want) {
        if (wait_fd(fd, POLLIN, deadline) <= 0)
            return -1;
        ssize_t n = read(fd, buf + have, cap - have);
        if (n > 0)
            have += (size_t)n;
        else if (n == 0 || (errno != EAGAIN && errno != EINTR))
            return -1;
    }
    return (ssize_t)have;
}

/* ---------------------------------------------------------------- child lifetime */
static void child_stop(struct child *c)
{
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (c->to_child >= 0)
        close(c->to_child);
    if (c->from_child >= 0)
        close(c->from_child);
    c->pid = 0;
    c->to_child = c->from_child = -1;
}

/* Reaps pid if it exits within ~100 ms (it usually is exiting when its pipe hit EOF), so
 * the message can say how it died. 1 if reaped. */
static int reap_briefly(pid_t pid, int *status)
{
    for (int i = 0; i < 100; i++) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid)
            return 1;
        if (got < 0 && errno != EINTR)
            return 0;
        nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
    }
    return 0;
}

/* Explains why the child stopped responding, then kills and reaps it. */
static void child_fail(const struct native *n, struct child *c, const char *what,
                       int may_be_exiting)
{
    int status;
    pid_t pid = c->pid;
    if (pid > 0 && may_be_exiting && reap_briefly(pid, &status)) {
        c->pid = 0;
        if (WIFSIGNALED(status))
            fprintf(stderr, "native: %s: %s child %s (pid %d) killed by signal %d%s\n", what,
                    c->role, n->path, (int)pid, WTERMSIG(status),
                    WTERMSIG(status) == SIGKILL ? " (seccomp: a syscall in the case?)" : "");
        else
            fprintf(stderr, "native: %s: %s child %s (pid %d) exited with status %d\n", what,
                    c->role, n->path, (int)pid, WEXITSTATUS(status));
    } else {
        fprintf(stderr, "native: %s: killing %s child %s (pid %d)\n", what, c->role, n->path,
                (int)pid);
    }
    child_stop(c);
}

/* Moves fd off 0..2 so the dup2 file actions cannot clobber each other when the caller
 * runs with stdin/stdout closed. Keeps O_CLOEXEC. */
static int fd_above_stdio(int fd)
{
    if (fd > 2)
        return fd;
    int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return nfd;
}

static int make_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    fds[0] = fd_above_stdio(fds[0]);
    fds[1] = fd_above_stdio(fds[1]);
    if (fds[0] >= 0 && fds[1] >= 0)
        return 0;
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    return -1;
}

/* posix_spawn with the request pipe as stdin and the response pipe as stdout; every other
 * descriptor of ours is O_CLOEXEC (the child closes any others itself). Returns pid or -1. */
static pid_t spawn_child(const char *path, int ldt, int in_fd, int out_fd)
{
    posix_spawn_file_actions_t fa;
    char *argv[] = { (char *)path, ldt ? "ldt" : NULL, NULL };
    char *envp[] = { NULL };
    pid_t pid;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    int rc = posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    if (rc == 0)
        rc = posix_spawn(&pid, path, &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "native: cannot start %s: %s\n", path, strerror(rc));
        return -1;
    }
    return pid;
}

/* Waits for the child's hello and checks it is the expected width. */
static int child_handshake(struct native *n, struct child *c)
{
    struct native_wire_hello h;
    long long deadline = now_ms() + START_TIMEOUT_MS;
    if (recv_some(c->from_child, n->rbuf, 0, sizeof h, sizeof h, deadline) != (ssize_t)sizeof h) {
        child_fail(n, c, "no hello from the child", 1);
        return -1;
    }
    memcpy(&h, n->rbuf, sizeof h);
    unsigned want_bits = n->width == NATIVE_64 ? 64 : 32;
    if (h.magic != NATIVE_WIRE_HELLO_MAGIC || h.bits != want_bits) {
        fprintf(stderr, "native: %s is not a %u-bit native child\n", n->path, want_bits);
        child_stop(c);
        return -1;
    }
    c->caps = h.caps;
    return 0;
}

static int child_start(struct native *n, struct child *c)
{
    int req[2], rsp[2];
    if (make_pipe(req) != 0)
        return -1;
    if (make_pipe(rsp) != 0) {
        close(req[0]);
        close(req[1]);
        return -1;
    }
    pid_t pid = spawn_child(n->path, c->ldt, req[0], rsp[1]);
    close(req[0]);
    close(rsp[1]);
    c->to_child = req[1];
    c->from_child = rsp[0];
    if (pid < 0) {
        child_stop(c);
        return -1;
    }
    c->pid = pid;
    /* our ends only: the child's ends stay blocking */
    fcntl(c->to_child, F_SETFL, O_NONBLOCK);
    fcntl(c->from_child, F_SETFL, O_NONBLOCK);
    memset(c->sent, 0, sizeof c->sent);   /* a fresh child's window copy is all zero */
    return child_handshake(n, c);
}

static void child_init(struct child *c, const char *role, int ldt)
{
    c->role = role;
    c->ldt = ldt;
    c->pid = 0;
    c->to_child = c->from_child = -1;
}

/* ---------------------------------------------------------------- public interface */
struct native *native_open(enum native_width w, const char *child_path)
{
    if (w != NATIVE_64 && w != NATIVE_32) {
        fprintf(stderr, "native: bad width %d\n", (int)w);
        return NULL;
    }
    struct native *n = calloc(1, sizeof *n);
    if (!n || !(n->path = strdup(child_path))) {
        fprintf(stderr, "native: out of memory\n");
        free(n);
        return NULL;
    }
    n->width = w;
    child_init(&n->plain, w == NATIVE_64 ? "64-bit" : "32-bit", 0);
    child_init(&n->ldt, "32-bit LDT", 1);
    if (child_start(n, &n->plain) != 0) {
        fprintf(stderr, "native: cannot start the %s child %s\n", n->plain.role, child_path);
        native_close(n);
        return NULL;
    }
    return n;
}

void native_close(struct native *n)
{
    if (!n)
        return;
    child_stop(&n->plain);
    child_stop(&n->ldt);
    free(n->path);
    free(n);
}

/* Builds the request for child c in n->wbuf: header plus the window chunks c lacks. */
static size_t build_request(struct native *n, struct child *ch, const struct native_case *c)
{
    struct native_wire_req q;
    uint8_t *p = n->wbuf + sizeof q;
    memset(&q, 0, sizeof q);
    q.magic = NATIVE_WIRE_REQ_MAGIC;
    q.seq = ++ch->seq;
    memcpy(q.gpr, c->gpr, sizeof q.gpr);
    q.rflags = c->rflags;
    q.len = c->len;
    q.code16_seg = c->code16_seg != 0;
    q.ldt_data16 = c->ldt_data16 != 0;
    memcpy(q.bytes, c->bytes, c->len);
    for (unsigned i = 0; i < NATIVE_WIRE_NCHUNK; i++) {
        size_t off = i * NATIVE_WIRE_CHUNK;
        if (memcmp(ch->sent + off, c->data + off, NATIVE_WIRE_CHUNK) == 0)
            continue;
        q.chunk_mask |= 1u << i;
        memcpy(ch->sent + off, c->data + off, NATIVE_WIRE_CHUNK);
        memcpy(p, c->data + off, NATIVE_WIRE_CHUNK);
        p += NATIVE_WIRE_CHUNK;
    }
    memcpy(n->wbuf, &q, sizeof q);
    return (size_t)(p - n->wbuf);
}

/* How a round trip failed; decides the message and whether the child is worth reaping. */
enum trip_error { TRIP_OK, TRIP_DEAD, TRIP_TIMEOUT, TRIP_GARBAGE };

/* Reads and validates the response to child c's request c->seq. */
static enum trip_error read_response(struct native *n, struct child *c, long long deadline)
{
    struct native_wire_rsp h;
    ssize_t got = recv_some(c->from_child, n->rbuf, 0, sizeof h, sizeof n->rbuf, deadline);
    if (got < 0)
        return now_ms() >= deadline ? TRIP_TIMEOUT : TRIP_DEAD;
    memcpy(&h, n->rbuf, sizeof h);
    if (h.magic != NATIVE_WIRE_RSP_MAGIC || h.seq != c->seq || h.ndiff > NATIVE_MAX_DIFF)
        return TRIP_GARBAGE;
    size_t total = sizeof h + h.ndiff * sizeof(struct native_wire_diff);
    got = recv_some(c->from_child, n->rbuf, (size_t)got, total, sizeof n->rbuf, deadline);
    if (got < 0)
        return now_ms() >= deadline ? TRIP_TIMEOUT : TRIP_DEAD;
    return got == (ssize_t)total ? TRIP_OK : TRIP_GARBAGE;
}

static void unpack_result(const struct native *n, struct native_result *r)
{
    struct native_wire_rsp h;
    const struct native_wire_diff *d = (const void *)(n->rbuf + sizeof h);
    memcpy(&h, n->rbuf, sizeof h);
    memset(r, 0, sizeof *r);
    r->signal = h.signal;
    r->si_code = h.si_code;
    r->fault_addr = h.fault_addr;
    r->trapno = h.trapno;
    r->err = h.err;
    memcpy(r->gpr, h.gpr, sizeof r->gpr);
    r->rip = h.rip;
    r->rflags = h.rflags;
    r->fs_base = h.fs_base;
    r->gs_base = h.gs_base;
    r->ndiff = h.ndiff;
    r->diff_overflow = h.overflow != 0;
    for (unsigned i = 0; i < h.ndiff; i++) {
        struct native_wire_diff e;
        memcpy(&e, d + i, sizeof e);
        r->diff[i].off = e.off;
        r->diff[i].val = e.val;
    }
}

/* The child for case c, started if needed; NULL with *rc = -1 (cannot start) or -2 (the
 * case needs what this width/child cannot do). */
static struct child *child_for(struct native *n, const struct native_case *c, int *rc)
{
    int wants_ldt = c->code16_seg || c->ldt_data16;
    struct child *ch = wants_ldt ? &n->ldt : &n->plain;
    *rc = -2;
    if (c->len > sizeof c->bytes || (wants_ldt && n->width == NATIVE_64))
        return NULL;
    *rc = -1;
    if (ch->pid <= 0 && child_start(n, ch) != 0)
        return NULL;
    *rc = -2;
    if (wants_ldt && !(ch->caps & NATIVE_CAP_LDT))
        return NULL;
    return ch;
}

int native_run(struct native *n, const struct native_case *c, struct native_result *r)
{
    static const char *const why[] = {
        [TRIP_DEAD] = "child died", [TRIP_TIMEOUT] = "timeout (does the case hang?)",
        [TRIP_GARBAGE] = "garbage on the result pipe",
    };
    int rc;
    struct child *ch = child_for(n, c, &rc);
    if (!ch)
        return rc;
    long long deadline = now_ms() + RUN_TIMEOUT_MS;
    size_t len = build_request(n, ch, c);
    enum trip_error e = send_all(ch->to_child, n->wbuf, len, deadline) == 0
                        ? read_response(n, ch, deadline) : TRIP_DEAD;
    if (e != TRIP_OK) {
        child_fail(n, ch, why[e], e == TRIP_DEAD);
        return -1;
    }
    unpack_result(n, r);
    return 0;
}
