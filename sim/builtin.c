/* builtin.c - the built-in kernel's boot (see builtin.h). */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/builtin.h"
#include "sim/loader.h"
#include "sim/machine.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int is_elf32_i386_exec(void *data, size_t size)
{
    if (elf_version(EV_CURRENT) == EV_NONE) return 0;
    Elf *e = elf_memory(data, size);
    if (!e) return 0;
    GElf_Ehdr eh;
    int ok = elf_kind(e) == ELF_K_ELF && gelf_getclass(e) == ELFCLASS32 &&
             gelf_getehdr(e, &eh) && eh.e_machine == EM_386 && eh.e_type == ET_EXEC;
    elf_end(e);
    return ok;
}

int builtin_read_program(const char *path, void **data, size_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) return fail(err, errlen, "%s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            unsigned char *bigger = cap < (1u << 30) ? realloc(buf, cap * 2) : NULL;
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int rd = ferror(f);
    fclose(f);
    if (!buf || rd) {
        free(buf);
        return fail(err, errlen, "%s: cannot read it", path);
    }
    if (!is_elf32_i386_exec(buf, n)) {
        free(buf);
        return fail(err, errlen, "%s: not an ELF32 i386 executable", path);
    }
    *data = buf;
    *size = n;
    return 0;
}

int builtin_boot(struct machine *m, const struct builtin_image *img, const char *program,
                 const void *prog_data, size_t prog_size, char *const *args, int nargs,
                 char *err, size_t errlen)
{
    struct mb_blob mods[2] = { { img->ramdisk, img->ramdisk_size, "ramdisk" } };
    unsigned count = 1;
    char *string = NULL, *append = NULL;
    if (program) {
        const char *name = base_name(program);
        size_t len = strlen(name) + 1;
        for (int i = 0; i < nargs; i++) len += strlen(args[i]) + 1;
        string = malloc(len);
        append = malloc(strlen(name) + 5);
        if (!string || !append) {
            free(string);
            free(append);
            return fail(err, errlen, "out of host memory");
        }
        strcpy(string, name);
        for (int i = 0; i < nargs; i++) strcat(strcat(string, " "), args[i]);
        sprintf(append, "run=%s", name);
        mods[count++] = (struct mb_blob){ prog_data, prog_size, string };
    }
    int rc = load_multiboot_mem(m, "ntkernel.elf", img->kernel, img->kernel_size, append, mods,
                                count, err, errlen);
    free(string);
    free(append);
    return rc;
}

int builtin_exit_status(unsigned value, int *known)
{
    *known = value == BUILTIN_EXIT_SUCCESS || value == BUILTIN_EXIT_FAILURE;
    return value == BUILTIN_EXIT_SUCCESS ? 0 : 1;
}
