/* tcp.c - the GDB stub over TCP.  The machine runs in this thread; while it
 * runs, the machine's poll hook (once per run slice) looks at the sockets
 * without blocking: a 0x03 from the client stops it (Ctrl-C), a new client
 * when none is attached stops it and is served, a second client is turned
 * away.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tcp.h"
#include "stub.h"

int gdb_tcp_listen(const char *spec, int *port, char *err, size_t errlen)
{
    char host[256] = "127.0.0.1";
    const char *colon = strrchr(spec, ':'), *portstr = spec;
    if (colon) {
        size_t n = (size_t)(colon - spec);
        if (n == 0 || n >= sizeof host) {
            snprintf(err, errlen, "--gdb wants [HOST:]PORT, not '%s'", spec);
            return -1;
        }
        memcpy(host, spec, n);
        host[n] = 0;
        portstr = colon + 1;
    }
    char *end;
    long p = strtol(portstr, &end, 10);
    if (!*portstr || *end || p < 0 || p > 65535) {
        snprintf(err, errlen, "--gdb wants [HOST:]PORT with a port of 0-65535, not '%s'", spec);
        return -1;
    }
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
    if (getaddrinfo(host, portstr, &hints, &ai) != 0) {
        snprintf(err, errlen, "--gdb: cannot resolve '%s'", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1) != 0) {
        snprintf(err, errlen, "--gdb: cannot listen on %s:%s: %s", host, portstr, strerror(errno));
        if (fd >= 0) close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &len);
    *port = ntohs(sa.sin_port);
    return fd;
}

struct session {
    struct machine *m;
    int listen_fd, client;
    struct gdb_stub stub;
    bool connect_pending;       /* a client arrived while the machine ran unattended */
};

static void send_all(void *ctx, const void *buf, size_t len)
{
    struct session *ss = ctx;
    const char *p = buf;
    while (len && ss->client >= 0) {
        ssize_t n = send(ss->client, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            close(ss->client);
            ss->client = -1;        /* gdb went away: the session ends */
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static bool readable(int fd)
{
    struct pollfd pf = { .fd = fd, .events = POLLIN };
    return poll(&pf, 1, 0) > 0;
}

/* A client beyond the first is told nothing and closed, unless the first
 * one has just hung up: then the newcomer is the next client (gdb's
 * "disconnect" then "target remote"). */
static void refuse_extra(struct session *ss)
{
    char c;
    if (!readable(ss->listen_fd)) return;
    if (ss->client < 0 || recv(ss->client, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0) return;
    int fd = accept(ss->listen_fd, NULL, NULL);
    if (fd >= 0) close(fd);
}

/* The machine's poll hook while gdb is attached: Ctrl-C or a vanished gdb. */
static int poll_attached(void *ctx)
{
    struct session *ss = ctx;
    if (ss->client < 0) return 1;
    refuse_extra(ss);
    if (!readable(ss->client)) return 0;
    char buf[256];
    ssize_t n = recv(ss->client, buf, sizeof buf, 0);
    if (n <= 0) {
        close(ss->client);
        ss->client = -1;
        return 1;
    }
    return gdb_stub_is_interrupt(&ss->stub, buf, (size_t)n);
}

/* The poll hook with nobody attached: a client arriving stops the run. */
static int poll_unattached(void *ctx)
{
    struct session *ss = ctx;
    if (!readable(ss->listen_fd)) return 0;
    ss->connect_pending = true;
    return 1;
}

static void accept_client(struct session *ss)
{
    int one = 1;
    ss->client = accept(ss->listen_fd, NULL, NULL);
    if (ss->client >= 0) setsockopt(ss->client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    gdb_stub_init(&ss->stub, ss->m, send_all, ss);
}

/* Serve one client until it detaches, kills, goes away or the machine ends. */
static void serve_client(struct session *ss)
{
    char buf[4096];
    while (ss->client >= 0) {
        struct pollfd pf[2] = { { .fd = ss->client, .events = POLLIN },
                                { .fd = ss->listen_fd, .events = POLLIN } };
        if (poll(pf, 2, -1) < 0 && errno != EINTR) break;
        if (!pf[0].revents) {
            refuse_extra(ss);
            continue;
        }
        ssize_t n = recv(ss->client, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        gdb_stub_input(&ss->stub, buf, (size_t)n);
        if (ss->stub.end) break;
        if (ss->stub.resume) gdb_stub_resume(&ss->stub, poll_attached, ss);
        if (ss->stub.exited) break;
    }
    if (ss->client >= 0) close(ss->client);
    ss->client = -1;
}

enum machine_stop gdb_tcp_serve(struct machine *m, int listen_fd, bool wait)
{
    struct session ss = { .m = m, .listen_fd = listen_fd, .client = -1 };
    bool attach = wait;
    for (;;) {
        if (attach) {
            accept_client(&ss);
            serve_client(&ss);
            enum gdb_end end = ss.stub.end;
            bool exited = ss.stub.exited;
            gdb_stub_free(&ss.stub);
            if (exited) return m->stop;
            if (end == GDB_END_KILL) {
                m->stop = STOP_INTERRUPTED;
                m->exit_status = 1;
                snprintf(m->message, sizeof m->message, "killed by the debugger");
                return m->stop;
            }
            /* Detached: the machine runs on.  Gone without a word (gdb's
             * "disconnect"): it stays stopped for the next client, which
             * gets a register layout for the mode the CPU is in now. */
            attach = end != GDB_END_DETACH;
            if (attach) continue;
        }
        m->poll = poll_unattached;
        m->poll_ctx = &ss;
        ss.connect_pending = false;
        enum machine_stop why = machine_run(m);
        m->poll = NULL;
        if (!(why == STOP_INTERRUPTED && ss.connect_pending)) return why;
        attach = true;
    }
}
