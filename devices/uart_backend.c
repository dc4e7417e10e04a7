/* uart_backend.c - host ends of the serial line for devices/uart16550.c:
 * "stdio", "file:PATH" (output only), "pty" (a pseudo-terminal whose slave
 * the user opens with a terminal program) and "null".  Reads never block.
 */
#include "devices/uart16550.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

struct host_line {
    int in_fd;              /* -1: no input */
    int out_fd;             /* -1: output discarded */
    bool owns_fds;          /* close them in uart_backend_close */
};

static void host_write(void *ctx, uint8_t byte)
{
    struct host_line *h = ctx;
    if (h->out_fd < 0) return;
    ssize_t n;
    do n = write(h->out_fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    /* A full pty or a closed pipe loses the byte, as a line without a listener would. */
}

static int host_read(void *ctx)
{
    struct host_line *h = ctx;
    struct pollfd p = { .fd = h->in_fd, .events = POLLIN };
    uint8_t byte;
    if (h->in_fd < 0 || poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) return -1;
    if (read(h->in_fd, &byte, 1) != 1) return -1;
    return byte;
}

static int open_line(struct uart_backend *b, int in_fd, int out_fd, bool owns)
{
    struct host_line *h = malloc(sizeof *h);
    if (!h) {
        fprintf(stderr, "uart: out of memory for a backend\n");
        return -1;
    }
    *h = (struct host_line){ in_fd, out_fd, owns };
    b->write = host_write;
    b->read = host_read;
    b->ctx = h;
    return 0;
}

static int open_file(struct uart_backend *b, const char *path)
{
    if (!*path) {
        fprintf(stderr, "uart: backend \"file:\" needs a path (file:PATH)\n");
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "uart: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (open_line(b, -1, fd, true) == 0) return 0;
    close(fd);
    return -1;
}

/* Raw mode on the master sets the slave's line discipline: no echo, no
 * newline translation, so the guest's bytes pass unchanged. */
static int open_pty(struct uart_backend *b)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    struct termios t;
    if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 || !ptsname(fd)) {
        fprintf(stderr, "uart: cannot create a pty: %s\n", strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fprintf(stderr, "uart: serial line on %s\n", ptsname(fd));
    if (open_line(b, fd, fd, true) == 0) return 0;
    close(fd);
    return -1;
}

int uart_backend_open(struct uart_backend *b, const char *spec)
{
    *b = (struct uart_backend){ 0 };
    if (!spec) spec = "";
    if (strcmp(spec, "stdio") == 0) return open_line(b, STDIN_FILENO, STDOUT_FILENO, false);
    if (strcmp(spec, "null") == 0) return open_line(b, -1, -1, false);
    if (strcmp(spec, "pty") == 0) return open_pty(b);
    if (strncmp(spec, "file:", 5) == 0) return open_file(b, spec + 5);
    fprintf(stderr, "ringsim: unknown backend \"%s\" (expected stdio, file:PATH, pty or null)\n",
            spec);
    return -1;
}

void uart_backend_close(struct uart_backend *b)
{
    struct host_line *h = b->ctx;
    if (h && b->write == host_write) {
        if (h->owns_fds && h->in_fd >= 0) close(h->in_fd);
        if (h->owns_fds && h->out_fd >= 0 && h->out_fd != h->in_fd) close(h->out_fd);
        free(h);
    }
    *b = (struct uart_backend){ 0 };
}
