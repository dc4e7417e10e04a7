/* mkramdisk.c - pack files into the built-in kernel's boot ramdisk.
 *
 *   mkramdisk OUT FILE...
 *
 * The image (little-endian), read by ntkernel/ as Multiboot module 0:
 *   offset 0:  char magic[8] = "RSRAMDK1"; uint32 count; uint32 reserved (0)
 *   offset 16: count entries of 64 bytes: char name[56] (NUL-terminated,
 *              NUL-padded); uint32 offset (from the start); uint32 size
 *   then the file data, each file starting on a 16-byte boundary.
 * Names are the files' base names.  A missing file, a name of 56 bytes or
 * more, or two files of one name: one line on stderr, exit 1, no OUT.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RD_MAGIC    "RSRAMDK1"
#define RD_HEADER   16u
#define RD_ENTRY    64u
#define RD_NAME     56u
#define RD_ALIGN    16u

struct item {
    const char *path;
    const char *name;
    unsigned char *data;
    size_t size;
    uint32_t offset;
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static int read_all(const char *path, unsigned char **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            unsigned char *bigger = realloc(buf, cap * 2);
            if (!bigger) break;
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = n;
    return 0;
}

static int fail(const char *what, const char *arg)
{
    fprintf(stderr, "mkramdisk: ");
    fprintf(stderr, what, arg);
    fputc('\n', stderr);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) return fail("%s", "usage: mkramdisk OUT FILE...");
    size_t count = (size_t)argc - 2;
    struct item *items = calloc(count ? count : 1, sizeof *items);
    if (!items) return fail("%s", "out of memory");
    uint64_t at = RD_HEADER + (uint64_t)RD_ENTRY * count;
    for (size_t i = 0; i < count; i++) {
        struct item *it = &items[i];
        it->path = argv[i + 2];
        it->name = base_name(it->path);
        if (!*it->name) return fail("%s: not a file name", it->path);
        if (strlen(it->name) >= RD_NAME)
            return fail("%s: the name is longer than 55 bytes", it->path);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(items[k].name, it->name))
                return fail("%s: a second file of that name", it->path);
        if (read_all(it->path, &it->data, &it->size) != 0)
            return fail("%s: cannot read it", it->path);
        at = (at + RD_ALIGN - 1) & ~(uint64_t)(RD_ALIGN - 1);
        if (at + it->size > 0xFFFFFFFFu) return fail("%s: the image would pass 4 GiB", it->path);
        it->offset = (uint32_t)at;
        at += it->size;
    }
    unsigned char *img = calloc(1, (size_t)at);
    if (!img) return fail("%s", "out of memory");
    memcpy(img, RD_MAGIC, 8);
    put32(img + 8, (uint32_t)count);
    for (size_t i = 0; i < count; i++) {
        unsigned char *e = img + RD_HEADER + RD_ENTRY * i;
        memcpy(e, items[i].name, strlen(items[i].name));
        put32(e + RD_NAME, items[i].offset);
        put32(e + RD_NAME + 4, (uint32_t)items[i].size);
        if (items[i].size) memcpy(img + items[i].offset, items[i].data, items[i].size);
    }
    FILE *out = fopen(argv[1], "wb");
    if (!out) return fail("%s: cannot create it", argv[1]);
    int bad = fwrite(img, 1, (size_t)at, out) != (size_t)at;
    bad |= fclose(out) != 0;
    if (bad) {
        remove(argv[1]);
        return fail("%s: write error", argv[1]);
    }
    for (size_t i = 0; i < count; i++) free(items[i].data);
    free(items);
    free(img);
    return 0;
}
