/* semantics_vec.c - regression vectors as text, one case per line, for example
 *   m64 code=4801d8 rax=0000000000000001 ... fl=0x0246 win=0x1234 mem=0ff8:0011 # add rax, rbx
 * the mode (m64, m32, m32d16 = window data segments, m16 = 16-bit code), the bytes, every
 * register (eax..edi outside 64-bit mode), the flags, the window (gen_window(win) with the
 * offset:hex runs changed) and optionally undef=flags/gprs/mem; '#' starts a comment.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/semantics/semantics.h"

static const char *const names64[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const names32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };

struct out { char *p; size_t left; bool ok; };

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->p, o->left, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->left) {
        o->ok = false;
        o->left = 0;
        return;
    }
    o->p += n;
    o->left -= (size_t)n;
}

static const char *mode_token(const struct sem_case *c)
{
    if (c->mode == SEM_M64) return "m64";
    if (c->mode == SEM_M16) return "m16";
    return c->nc.ldt_data16 ? "m32d16" : "m32";
}

/* The window as runs of bytes that differ from gen_window(winseed). */
static void put_window(struct out *o, const struct sem_case *c)
{
    uint8_t base[NATIVE_DATA_SIZE];
    gen_window(c->winseed, base);
    const char *sep = " mem=";
    for (unsigned off = 0; off < NATIVE_DATA_SIZE;) {
        if (base[off] == c->nc.data[off]) {
            off++;
            continue;
        }
        unsigned end = off + 1;
        while (end < NATIVE_DATA_SIZE && (base[end] != c->nc.data[end] ||
               (end + 1 < NATIVE_DATA_SIZE && base[end + 1] != c->nc.data[end + 1])))
            end++;
        put(o, "%s%04x:", sep, off);
        for (unsigned k = off; k < end; k++) put(o, "%02x", c->nc.data[k]);
        sep = ",";
        off = end;
    }
}

bool sem_format_vector(const struct sem_case *c, char *buf, size_t size)
{
    struct out o = { buf, size, true };
    bool m64 = c->mode == SEM_M64;
    put(&o, "%s code=", mode_token(c));
    for (unsigned k = 0; k < c->nc.len; k++) put(&o, "%02x", c->nc.bytes[k]);
    for (int r = 0; r < (m64 ? 16 : 8); r++)
        put(&o, m64 ? " %s=%016" PRIx64 : " %s=%08" PRIx64, m64 ? names64[r] : names32[r],
            m64 ? c->nc.gpr[r] : (uint32_t)c->nc.gpr[r]);
    put(&o, " fl=0x%04" PRIx64 " win=0x%" PRIx64, c->nc.rflags, c->winseed);
    put_window(&o, c);
    if (c->undef_flags || c->undef_gpr || c->undef_mem)
        put(&o, " undef=0x%x/0x%x/%u", c->undef_flags, c->undef_gpr, c->undef_mem);
    return o.ok;
}

/* ---- parsing -------------------------------------------------------------------- */

static bool parse_hex_bytes(const char *s, uint8_t *out, size_t max, size_t *n)
{
    size_t len = strlen(s);
    if (len % 2 || len / 2 > max) return false;
    for (size_t k = 0; k < len / 2; k++) {
        char pair[3] = { s[2 * k], s[2 * k + 1], 0 };
        char *end;
        out[k] = (uint8_t)strtoul(pair, &end, 16);
        if (*end) return false;
    }
    *n = len / 2;
    return true;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!*s) return false;
    *v = strtoull(s, &end, 16);
    return *end == 0;
}

static bool parse_mode(const char *tok, struct sem_case *c)
{
    if (!strcmp(tok, "m64")) c->mode = SEM_M64;
    else if (!strcmp(tok, "m32")) c->mode = SEM_M32;
    else if (!strcmp(tok, "m32d16")) c->mode = SEM_M32, c->nc.ldt_data16 = 1;
    else if (!strcmp(tok, "m16")) c->mode = SEM_M16, c->nc.ldt_data16 = c->nc.code16_seg = 1;
    else return false;
    return true;
}

/* mem=off:hex,off:hex applied on top of gen_window(win). */
static bool parse_mem(char *s, struct sem_case *c)
{
    for (char *run = strtok(s, ","); run; run = strtok(NULL, ",")) {
        char *colon = strchr(run, ':');
        uint64_t off;
        size_t n;
        if (!colon) return false;
        *colon = 0;
        if (!parse_u64(run, &off) || off >= NATIVE_DATA_SIZE) return false;
        if (!parse_hex_bytes(colon + 1, c->nc.data + off, NATIVE_DATA_SIZE - off, &n)) return false;
    }
    return true;
}

static bool parse_register(const char *key, const char *val, struct sem_case *c)
{
    for (int r = 0; r < 16; r++)
        if (!strcmp(key, names64[r]) || (r < 8 && !strcmp(key, names32[r])))
            return parse_u64(val, &c->nc.gpr[r]);
    return false;
}

static bool parse_field(const char *key, char *val, struct sem_case *c, char **mem)
{
    size_t n;
    if (!strcmp(key, "code")) {
        if (!parse_hex_bytes(val, c->nc.bytes, sizeof c->nc.bytes, &n) || !n) return false;
        c->nc.len = (uint8_t)n;
        return true;
    }
    if (!strcmp(key, "fl")) return parse_u64(val + (strncmp(val, "0x", 2) ? 0 : 2), &c->nc.rflags);
    if (!strcmp(key, "win")) return parse_u64(val + (strncmp(val, "0x", 2) ? 0 : 2), &c->winseed);
    if (!strcmp(key, "mem")) {
        *mem = val;
        return true;
    }
    if (!strcmp(key, "undef")) {
        unsigned fl, gp, mm;
        if (sscanf(val, "0x%x/0x%x/%u", &fl, &gp, &mm) != 3) return false;
        c->undef_flags = fl;
        c->undef_gpr = (uint16_t)gp;
        c->undef_mem = (uint8_t)mm;
        return true;
    }
    return parse_register(key, val, c);
}

bool sem_parse_vector(const char *line, struct sem_case *c)
{
    char text[4096], *save = NULL, *mem = NULL;
    if (strlen(line) >= sizeof text) return false;
    strcpy(text, line);
    char *hash = strchr(text, '#');
    if (hash) *hash = 0;
    memset(c, 0, sizeof *c);
    c->row = SEM_NO_ROW;
    char *tok = strtok_r(text, " \t\r\n", &save);
    if (!tok || !parse_mode(tok, c)) return false;
    while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
        char *eq = strchr(tok, '=');
        if (!eq) return false;
        *eq = 0;
        if (!parse_field(tok, eq + 1, c, &mem)) return false;
    }
    if (!c->nc.len) return false;
    gen_window(c->winseed, c->nc.data);
    return !mem || parse_mem(mem, c);
}
