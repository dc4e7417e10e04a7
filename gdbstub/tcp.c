/* tcp.c - the GDB stub over TCP.  Everything runs in the caller's thread:
 * gdb_server_poll looks at the sockets (accepts the client, answers its
 * packets, carries out steps) and tells its caller when gdb wants the
 * machine run, and the caller runs it, in one call (gdb_tcp_serve) or in
 * slices between window frames, then reports the stop.  While the machine
 * runs, the client is looked at without blocking: a 0x03 stops it
 * (Ctrl-C), a vanished gdb stops it, a second client is turned away.
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

static void send_all(void *ctx, const void *buf, size_t len)
{
    struct gdb_server *g = ctx;
    const char *p = buf;
    while (len && g->client >= 0) {
        ssize_t n = send(g->client, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            close(g->client);
            g->client = -1;         /* gdb went away: the session ends */
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static bool readable(int fd, int timeout_ms)
{
    struct pollfd pf = { .fd = fd, .events = POLLIN };
    return poll(&pf, 1, timeout_ms) > 0;
}

void gdb_server_init(struct gdb_server *g, struct machine *m, int listen_fd)
{
    memset(g, 0, sizeof *g);
    g->m = m;
    g->listen_fd = listen_fd;
    g->client = -1;
}

/* The client's session ends: its breakpoints and watchpoints go. */
static void end_client(struct gdb_server *g)
{
    if (g->client >= 0) close(g->client);
    g->client = -1;
    if (g->attached) gdb_stub_free(&g->stub);
    g->attached = false;
}

void gdb_server_free(struct gdb_server *g)
{
    end_client(g);
}

void gdb_server_set_machine(struct gdb_server *g, struct machine *m)
{
    end_client(g);
    g->m = m;
}

/* A client beyond the first is told nothing and closed, unless the first
 * one has just hung up: then the newcomer is the next client (gdb's
 * "disconnect" then "target remote"). */
static void refuse_extra(struct gdb_server *g)
{
    char c;
    if (!readable(g->listen_fd, 0)) return;
    if (g->client < 0 || recv(g->client, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0) return;
    int fd = accept(g->listen_fd, NULL, NULL);
    if (fd >= 0) close(fd);
}

/* Is gdb asking the running machine to stop (Ctrl-C), or gone? */
static int client_interrupts(void *ctx)
{
    struct gdb_server *g = ctx;
    if (g->client < 0) return 1;
    refuse_extra(g);
    if (!readable(g->client, 0)) return 0;
    char buf[256];
    ssize_t n = recv(g->client, buf, sizeof buf, 0);
    if (n <= 0) {
        close(g->client);
        g->client = -1;
        return 1;
    }
    return gdb_stub_is_interrupt(&g->stub, buf, (size_t)n);
}

enum gdb_server_event gdb_server_poll(struct gdb_server *g, int timeout_ms)
{
    if (!g->attached) {
        if (!readable(g->listen_fd, timeout_ms)) return GDB_SRV_NONE;
        int one = 1;
        g->client = accept(g->listen_fd, NULL, NULL);
        if (g->client < 0) return GDB_SRV_NONE;
        setsockopt(g->client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        gdb_stub_init(&g->stub, g->m, send_all, g);
        g->attached = true;
        return GDB_SRV_ATTACHED;
    }
    if (g->stub.running == GDB_RESUME_CONT) {
        /* gdb waits for the stop reply: only Ctrl-C (or its going) matters */
        if (g->client < 0 || (readable(g->client, timeout_ms) && client_interrupts(g)))
            return GDB_SRV_INTERRUPT;
        return GDB_SRV_NONE;
    }
    struct pollfd pf[2] = { { .fd = g->client, .events = POLLIN },
                            { .fd = g->listen_fd, .events = POLLIN } };
    if (g->client < 0 || poll(pf, 2, timeout_ms) < 0) {
        if (g->client >= 0 && errno == EINTR) return GDB_SRV_NONE;
        end_client(g);
        return GDB_SRV_GONE;
    }
    if (!pf[0].revents) {
        if (pf[1].revents) refuse_extra(g);
        return GDB_SRV_NONE;
    }
    char buf[4096];
    ssize_t n = recv(g->client, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) return GDB_SRV_NONE;
    if (n <= 0) {
        end_client(g);
        return GDB_SRV_GONE;
    }
    gdb_stub_input(&g->stub, buf, (size_t)n);
    if (g->stub.end) {
        enum gdb_end end = g->stub.end;
        end_client(g);
        if (end != GDB_END_KILL) return GDB_SRV_DETACHED;
        g->m->stop = STOP_INTERRUPTED;
        g->m->exit_status = 1;
        snprintf(g->m->message, sizeof g->m->message, "killed by the debugger");
        return GDB_SRV_KILLED;
    }
    if (g->stub.resume == GDB_RESUME_CONT) {
        gdb_stub_begin(&g->stub);
        return GDB_SRV_CONTINUE;
    }
    if (g->stub.resume) {
        gdb_stub_resume(&g->stub, client_interrupts, g);
        if (g->client < 0) {
            end_client(g);
            return GDB_SRV_GONE;
        }
        return g->stub.exited ? GDB_SRV_ENDED : GDB_SRV_STEPPED;
    }
    if (g->client < 0) {
        end_client(g);
        return GDB_SRV_GONE;
    }
    return GDB_SRV_ANSWERED;
}

bool gdb_server_stopped(struct gdb_server *g, enum machine_stop why)
{
    if (!g->attached) return false;
    gdb_stub_stopped(&g->stub, why);
    if (g->client < 0) {
        end_client(g);
        return false;
    }
    return true;
}

/* The poll hook with nobody attached: a client arriving stops the run. */
static int listener_ready(void *ctx)
{
    struct gdb_server *g = ctx;
    if (!readable(g->listen_fd, 0)) return 0;
    g->connect_pending = true;
    return 1;
}

enum machine_stop gdb_tcp_serve(struct machine *m, int listen_fd, bool wait)
{
    struct gdb_server g;
    gdb_server_init(&g, m, listen_fd);
    bool unattended = !wait;
    for (;;) {
        if (unattended) {
            /* Nobody attached: the machine runs until it ends or a client arrives. */
            m->poll = listener_ready;
            m->poll_ctx = &g;
            g.connect_pending = false;
            enum machine_stop why = machine_run(m);
            m->poll = NULL;
            if (!(why == STOP_INTERRUPTED && g.connect_pending)) return why;
            unattended = false;
        }
        enum gdb_server_event ev = gdb_server_poll(&g, -1);
        if (ev == GDB_SRV_CONTINUE) {
            m->poll = client_interrupts;
            m->poll_ctx = &g;
            enum machine_stop why = machine_run(m);
            m->poll = NULL;
            if (!gdb_server_stopped(&g, why)) {     /* gdb gone while it ran */
                if (why != STOP_NONE && why != STOP_INTERRUPTED) return why;
                continue;                           /* held for the next client */
            }
            ev = g.stub.exited ? GDB_SRV_ENDED : GDB_SRV_NONE;
        }
        switch (ev) {
        case GDB_SRV_ENDED:
            gdb_server_free(&g);
            return m->stop;
        case GDB_SRV_KILLED:
            return m->stop;
        case GDB_SRV_DETACHED:
            unattended = true;      /* the machine runs on */
            break;
        default:
            /* Gone without a word (gdb's "disconnect"): the machine stays
             * stopped for the next client, which gets a register layout for
             * the mode the CPU is in now. */
            break;
        }
    }
}
