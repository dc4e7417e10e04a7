/* tcp.h - the GDB stub's TCP transport: one listening socket (127.0.0.1
 * unless the user names another address), one client at a time. */
#ifndef RINGSIM_GDB_TCP_H
#define RINGSIM_GDB_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include "gdbstub/stub.h"
#include "sim/machine.h"

/* "[HOST:]PORT" into a listening socket; port 0 picks a free one.  The fd
 * and the port actually bound, or -1 with a message in err. */
int gdb_tcp_listen(const char *spec, int *port, char *err, size_t errlen);

/* The stub's server for a front end with its own loop: the listening
 * socket, at most one client and its stub.  Nothing here blocks longer than
 * the timeout given; the machine is run by the caller. */
struct gdb_server {
    struct machine *m;
    int listen_fd, client;
    bool attached;              /* a client is connected and stub is its session */
    bool connect_pending;       /* gdb_tcp_serve: a client arrived while unattended */
    struct gdb_stub stub;
};

enum gdb_server_event {
    GDB_SRV_NONE,               /* nothing happened */
    GDB_SRV_ATTACHED,           /* a client connected: hold the machine */
    GDB_SRV_ANSWERED,           /* packets answered (memory or registers may have changed) */
    GDB_SRV_CONTINUE,           /* gdb resumed: run the machine, then gdb_server_stopped */
    GDB_SRV_STEPPED,            /* gdb stepped the machine (done, reply sent) */
    GDB_SRV_INTERRUPT,          /* Ctrl-C (or gdb gone) while running: stop, then report */
    GDB_SRV_DETACHED,           /* gdb detached: the machine runs on */
    GDB_SRV_KILLED,             /* gdb killed the machine (its stop and message say so) */
    GDB_SRV_GONE,               /* gdb went away without a word: hold for the next one */
    GDB_SRV_ENDED,              /* the machine stopped for good during a step (W sent) */
};

void gdb_server_init(struct gdb_server *g, struct machine *m, int listen_fd);
/* Ends the client's session (its breakpoints go); the listening socket stays the caller's. */
void gdb_server_free(struct gdb_server *g);
/* A new machine (after a reset): any client is disconnected. */
void gdb_server_set_machine(struct gdb_server *g, struct machine *m);
/* Wait up to timeout_ms (0: just look, -1: forever) for gdb, then act. */
enum gdb_server_event gdb_server_poll(struct gdb_server *g, int timeout_ms);
/* The machine stopped while gdb waited (after GDB_SRV_CONTINUE): send the
 * stop reply.  False when gdb is gone (the session ended). */
bool gdb_server_stopped(struct gdb_server *g, enum machine_stop why);

/* Run the machine under the stub until it stops for good or gdb kills it.
 * wait: hold the machine where it is until gdb attaches.  Returns the stop
 * (m->stop, m->message, m->exit_status as machine_run leaves them). */
enum machine_stop gdb_tcp_serve(struct machine *m, int listen_fd, bool wait);

#endif
