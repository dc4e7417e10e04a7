/* tcp.h - the GDB stub's TCP transport: one listening socket (127.0.0.1
 * unless the user names another address), one client at a time. */
#ifndef RINGSIM_GDB_TCP_H
#define RINGSIM_GDB_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include "sim/machine.h"

/* "[HOST:]PORT" into a listening socket; port 0 picks a free one.  The fd
 * and the port actually bound, or -1 with a message in err. */
int gdb_tcp_listen(const char *spec, int *port, char *err, size_t errlen);

/* Run the machine under the stub until it stops for good or gdb kills it.
 * wait: hold the machine where it is until gdb attaches.  Returns the stop
 * (m->stop, m->message, m->exit_status as machine_run leaves them). */
enum machine_stop gdb_tcp_serve(struct machine *m, int listen_fd, bool wait);

#endif
