/* frontend.h - what the command line asks of the UI: the window, or a
 * screenshot taken headless at a symbol's first execution or after a
 * number of instructions. */
#ifndef RINGSIM_UI_FRONTEND_H
#define RINGSIM_UI_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ui/session.h"

struct symtab;

struct ui_options {
    const char *screenshot;         /* PNG path: no window, one picture */
    const char *at;                 /* the screenshot at the first execution of this symbol */
    uint64_t after;                 /* or after this many instructions */
    int view;                       /* enum ui_view */
    const char *walk;               /* the page-walk panel's address (NULL: 0x7FFE0000) */
    const char *font;               /* a TrueType file or "dejavu" (NULL: the built-in font) */
    bool gdb;                       /* the GDB stub beside the window: */
    int gdb_fd, gdb_port;           /* its listening socket and port */
    bool wait_gdb;                  /* hold the machine until gdb attaches */
    /* The process exit status for the machine as the window leaves it (ended
     * or not); the window needs it. */
    int (*finish)(struct machine *m, void *ctx);
};

#define UI_NO_WINDOW (-1)           /* ui_frontend: no display; use the console */

/* Run the UI on a machine made from mopt and booted by boot: the process
 * exit status, or UI_NO_WINDOW when the window cannot open. */
int ui_frontend(const struct machine_options *mopt, ui_boot_fn *boot, void *ctx,
                const struct ui_options *o);

/* Add the symbols of the ELF file called name inside the built-in kernel's
 * ramdisk (ntdll.elf: KiFastSystemCallRet ...): 0, or -1 when absent. */
int ui_ramdisk_symbols(struct symtab *t, const void *ramdisk, size_t len, const char *name);

#endif
