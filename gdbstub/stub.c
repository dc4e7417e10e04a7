/* stub.c - the GDB stub's packets (GDB manual E.2 "Packets", E.3 "Stop
 * Reply Packets", E.4 "General Query Packets").  Debian's gdb 13.1 is the
 * client it is checked against (docs/gdbstub.md in the design notes lists
 * what it sends).  All-stop.  Threads are the NT kernel's when its
 * symbols are known (gdbstub/nt.c; id = TID + 1), else one: the CPU.
 *
 * Breakpoints (Z0, Z1) never patch guest memory: they are linear PCs in the
 * CPU's debugger table, checked by the run loop before each instruction,
 * so they hold before their page is mapped.  Watchpoints (Z2-Z4) of any
 * length are checked on every data access and reported after the
 * instruction.  Memory packets read and write linear memory through the
 * current paging structures (monitor phys on: physical memory; monitor as
 * <cr3>: another address space).  Hg + g of a thread that is not running
 * shows its saved context (its user trap frame or its switch frame); those
 * registers are read-only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stub.h"
#include "cpu/debug.h"
#include "mmu/bus.h"
#include "mmu/paging.h"

static const char hexdig[] = "0123456789abcdef";

/* ---- output ---------------------------------------------------------------- */

static void send_packet(struct gdb_stub *s, const void *payload, size_t len)
{
    size_t n = gdb_frame(s->last, sizeof s->last, payload, len);
    if (n == 0) n = gdb_frame(s->last, sizeof s->last, "E01", 3);
    s->last_len = n;
    s->send(s->send_ctx, s->last, n);
}

static void reply_str(struct gdb_stub *s, const char *text)
{
    size_t n = strlen(text);
    if (n > GDB_PACKET_MAX) n = GDB_PACKET_MAX;
    memcpy(s->reply, text, n);
    s->reply_len = n;
}

static void reply_add(struct gdb_stub *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply_add(struct gdb_stub *s, const char *fmt, ...)
{
    va_list ap;
    size_t left = sizeof s->reply - s->reply_len;
    va_start(ap, fmt);
    int n = vsnprintf(s->reply + s->reply_len, left, fmt, ap);
    va_end(ap);
    if (n > 0) s->reply_len += (size_t)n < left ? (size_t)n : left - 1;
}

static void reply_hex(struct gdb_stub *s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && s->reply_len + 2 <= GDB_PACKET_MAX; i++) {
        s->reply[s->reply_len++] = hexdig[p[i] >> 4];
        s->reply[s->reply_len++] = hexdig[p[i] & 15];
    }
}

/* ---- memory ---------------------------------------------------------------- */

/* The physical address of one byte at addr (linear unless phys is on). */
static int translate(struct gdb_stub *s, uint64_t addr, uint64_t *phys)
{
    struct cpu *cpu = &s->m->cpu;
    if (s->phys) {
        *phys = addr;
        return 0;
    }
    uint64_t a = cpu->dmode == DM_64 ? addr : (uint32_t)addr;
    if (!(cpu->cr0 & CR0_PG)) {
        *phys = a & cpu->bus->a20_mask;
        return 0;
    }
    if (!s->as) return paging_peek(cpu, a, phys);
    /* Another address space: the same walk from another CR3 (and, under
     * PAE paging, the PDPTEs it points at), the CPU's own put back. */
    uint64_t cr3 = cpu->cr3, pdpte[4];
    memcpy(pdpte, cpu->pdpte, sizeof pdpte);
    int r = -1;
    cpu->cr3 = s->as_cr3;
    if (!paging_pae_legacy(cpu) || paging_load_pdptes(cpu, s->as_cr3) == 0)
        r = paging_peek(cpu, a, phys);
    cpu->cr3 = cr3;
    memcpy(cpu->pdpte, pdpte, sizeof pdpte);
    return r;
}

/* Bytes readable from addr, up to len (stops at the first unreadable one). */
static size_t read_mem(struct gdb_stub *s, uint64_t addr, uint8_t *buf, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        uint64_t phys;
        if (translate(s, addr + k, &phys) != 0 || phys >= (1ull << CPU_MAXPHYADDR)) return k;
        buf[k] = (uint8_t)bus_read(s->m->bus, phys, 1);
    }
    return len;
}

size_t gdb_stub_read(struct gdb_stub *s, uint64_t addr, uint8_t *buf, size_t len)
{
    return read_mem(s, addr, buf, len);
}

/* RAM only (ROM and devices are not written by the debugger); decoded code
 * of the written bytes is dropped by the bus's write notification. */
static int write_mem(struct gdb_stub *s, uint64_t addr, const uint8_t *buf, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        uint64_t phys;
        if (translate(s, addr + k, &phys) != 0) return -1;
        if (bus_load(s->m->bus, phys, &buf[k], 1) != 0) return -1;
    }
    return 0;
}

/* ---- parsing helpers --------------------------------------------------------- */

static int parse_addr_len(const char **p, uint64_t *addr, uint64_t *len, char sep)
{
    if (gdb_parse_hex(p, addr) != 0 || **p != ',') return -1;
    (*p)++;
    if (gdb_parse_hex(p, len) != 0) return -1;
    if (sep && **p != sep) return -1;
    if (sep) (*p)++;
    return 0;
}

static int hex_bytes(const char *p, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = gdb_hexval((unsigned char)p[2 * i]), lo;
        if (hi < 0) return -1;
        lo = gdb_hexval((unsigned char)p[2 * i + 1]);
        if (lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* ---- threads ------------------------------------------------------------------ */

/* The NT threads (empty without the kernel or before it has any). */
static size_t nt_list(struct gdb_stub *s, struct nt_thread *v, size_t cap)
{
    return s->nt.active ? gdb_nt_threads(&s->nt, v, cap) : 0;
}

uint64_t gdb_stub_current_thread(struct gdb_stub *s)
{
    struct nt_thread t;
    uint32_t cur = gdb_nt_current(&s->nt);
    if (!cur || gdb_nt_thread_at(&s->nt, cur, &t) != 0) return 1;
    return (uint64_t)t.tid + 1;
}

/* The NT thread with gdb id, into *t: 0, or -1 when there is none. */
static int find_thread(struct gdb_stub *s, uint64_t id, struct nt_thread *t)
{
    static struct nt_thread v[NT_MAX_THREADS];
    size_t n = nt_list(s, v, NT_MAX_THREADS);
    for (size_t i = 0; i < n; i++)
        if ((uint64_t)v[i].tid + 1 == id) {
            *t = v[i];
            return 0;
        }
    return -1;
}

static bool thread_alive(struct gdb_stub *s, uint64_t id)
{
    struct nt_thread t;
    return id == gdb_stub_current_thread(s) || find_thread(s, id, &t) == 0;
}

/* The registers g and p show: the CPU's for the running thread, else a
 * copy of the CPU holding the selected thread's saved context (NULL when
 * it cannot be read).  *copy is the caller's to free. */
static struct cpu *view_cpu(struct gdb_stub *s, struct cpu **copy)
{
    *copy = NULL;
    if (!s->sel_thread || s->sel_thread == gdb_stub_current_thread(s)) return &s->m->cpu;
    struct nt_thread t;
    if (find_thread(s, s->sel_thread, &t) != 0) return NULL;
    *copy = malloc(sizeof **copy);
    if (!*copy) return NULL;
    **copy = s->m->cpu;
    if (!gdb_nt_context(&s->nt, t.ethread, *copy)) {
        free(*copy);
        *copy = NULL;
        return NULL;
    }
    return *copy;
}

static void cmd_thread_info(struct gdb_stub *s)
{
    static struct nt_thread v[NT_MAX_THREADS];
    size_t n = nt_list(s, v, NT_MAX_THREADS);
    if (n == 0) {
        reply_str(s, "m1");
        return;
    }
    reply_str(s, "m");
    for (size_t i = 0; i < n; i++) reply_add(s, i ? ",%llx" : "%llx", (unsigned long long)v[i].tid + 1);
}

static void cmd_extra_info(struct gdb_stub *s, const char *p)
{
    uint64_t id;
    char text[128] = "CPU 0";
    struct nt_thread t;
    if (gdb_parse_hex(&p, &id) != 0 || *p) {
        reply_str(s, "E01");
        return;
    }
    if (find_thread(s, id, &t) == 0)
        snprintf(text, sizeof text, "%s pid %u tid %u %s", t.image, t.pid, t.tid,
                 gdb_nt_state_name(t.state));
    s->reply_len = 0;
    reply_hex(s, (const uint8_t *)text, strlen(text));
}

/* Hg / Hc <id>: 0 and -1 mean any thread (the running one). */
static void cmd_H(struct gdb_stub *s, const char *p)
{
    char op = *p++;
    uint64_t id = 0;
    if (!strcmp(p, "-1") || !strcmp(p, "0")) id = 0;
    else if (gdb_parse_hex(&p, &id) != 0 || *p || !thread_alive(s, id)) {
        reply_str(s, "E01");
        return;
    }
    if (op == 'g') s->sel_thread = id;
    reply_str(s, "OK");
}

/* ---- stop replies ------------------------------------------------------------ */

static void add_expedited(struct gdb_stub *s, unsigned n)
{
    uint8_t v[16];
    gdb_reg_get(&s->m->cpu, s->layout, n, v);
    reply_add(s, "%02x:", n);
    reply_hex(s, v, gdb_reg_bytes(s->layout, n));
    reply_add(s, ";");
}

static bool is_hw_break(const struct gdb_stub *s, uint64_t addr)
{
    for (size_t i = 0; i < s->nbps; i++)
        if (s->bps[i].addr == addr && s->bps[i].type == 1) return true;
    return false;
}

/* T<sig> with the thread, the expedited registers and why (GDB manual E.3). */
static void stop_reply(struct gdb_stub *s, int sig)
{
    struct cpu *cpu = &s->m->cpu;
    s->reply_len = 0;
    s->sel_thread = 0;
    reply_add(s, "T%02xthread:%02llx;", sig, (unsigned long long)gdb_stub_current_thread(s));
    add_expedited(s, gdb_reg_pc(s->layout));
    add_expedited(s, gdb_reg_sp(s->layout));
    add_expedited(s, gdb_reg_fp(s->layout));
    add_expedited(s, gdb_reg_flags(s->layout));
    /* A reason only for gdb's own: a stop at another owner's (the window's)
     * is a plain SIGTRAP, which gdb reports instead of taking it for one of
     * its breakpoints just removed and going on silently. */
    if (!(cpu->host.hit_owners & HOST_OWNER_GDB))
        return;
    if (cpu->host.hit == HOST_HIT_BREAK)
        reply_add(s, is_hw_break(s, cpu->host.hit_addr) ? "hwbreak:;" : "swbreak:;");
    else if (cpu->host.hit == HOST_HIT_WATCH)
        reply_add(s, "%s:%llx;", cpu->host.hit_kind == HOST_WATCH_WRITE ? "watch"
                                 : cpu->host.hit_kind == HOST_WATCH_READ ? "rwatch" : "awatch",
                  (unsigned long long)cpu->host.hit_addr);
}

/* ---- breakpoints ------------------------------------------------------------- */

static int set_break(struct gdb_stub *s, uint64_t addr, uint8_t type)
{
    for (size_t i = 0; i < s->nbps; i++)
        if (s->bps[i].addr == addr && s->bps[i].type == type) return 0;
    if (s->nbps == s->bps_cap) {
        size_t cap = s->bps_cap ? 2 * s->bps_cap : 16;
        struct gdb_break *b = realloc(s->bps, cap * sizeof *b);
        if (!b) return -1;
        s->bps = b;
        s->bps_cap = cap;
    }
    if (debug_host_break(&s->m->cpu, addr, HOST_OWNER_GDB, true) != 0) return -1;
    s->bps[s->nbps++] = (struct gdb_break){ addr, type };
    return 0;
}

static int clear_break(struct gdb_stub *s, uint64_t addr, uint8_t type)
{
    size_t i = 0;
    while (i < s->nbps && !(s->bps[i].addr == addr && s->bps[i].type == type)) i++;
    if (i == s->nbps) return -1;
    s->bps[i] = s->bps[--s->nbps];
    for (size_t k = 0; k < s->nbps; k++)
        if (s->bps[k].addr == addr) return 0;       /* the other kind still wants it */
    return debug_host_break(&s->m->cpu, addr, HOST_OWNER_GDB, false);
}

/* Z/z type,addr,kind: kind is the length for watchpoints. */
static void cmd_z(struct gdb_stub *s, const char *p, bool set)
{
    uint64_t type, addr, kind;
    if (gdb_parse_hex(&p, &type) != 0 || *p++ != ',' || parse_addr_len(&p, &addr, &kind, 0) != 0) {
        reply_str(s, "E01");
        return;
    }
    int r;
    if (type <= 1) r = set ? set_break(s, addr, (uint8_t)type) : clear_break(s, addr, (uint8_t)type);
    else if (type <= 4) {
        static const uint8_t kinds[5] = { 0, 0, HOST_WATCH_WRITE, HOST_WATCH_READ, HOST_WATCH_ACCESS };
        r = debug_host_watch(&s->m->cpu, addr, kind, kinds[type], HOST_OWNER_GDB, set);
    } else {
        reply_str(s, "");
        return;
    }
    reply_str(s, r == 0 ? "OK" : "E01");
}

/* ---- registers ---------------------------------------------------------------- */

static void cmd_g(struct gdb_stub *s)
{
    uint8_t v[16];
    struct cpu *copy, *cpu = view_cpu(s, &copy);
    if (!cpu) {
        reply_str(s, "E14");
        return;
    }
    s->reply_len = 0;
    for (unsigned n = 0; n < gdb_reg_count(s->layout); n++) {
        gdb_reg_get(cpu, s->layout, n, v);
        reply_hex(s, v, gdb_reg_bytes(s->layout, n));
    }
    free(copy);
}

/* Another thread's saved registers are shown, not written. */
static bool writing_elsewhere(struct gdb_stub *s)
{
    return s->sel_thread && s->sel_thread != gdb_stub_current_thread(s);
}

static void cmd_G(struct gdb_stub *s, const char *p)
{
    uint8_t v[16];
    size_t total = 0;
    for (unsigned n = 0; n < gdb_reg_count(s->layout); n++) total += 2 * gdb_reg_bytes(s->layout, n);
    if (strlen(p) != total || writing_elsewhere(s)) {
        reply_str(s, "E01");
        return;
    }
    int bad = 0;
    for (unsigned n = 0; n < gdb_reg_count(s->layout); n++) {
        unsigned b = gdb_reg_bytes(s->layout, n);
        if (hex_bytes(p, v, b) != 0) {
            reply_str(s, "E01");
            return;
        }
        bad |= gdb_reg_set(&s->m->cpu, s->layout, n, v);
        p += 2 * b;
    }
    reply_str(s, bad ? "E02" : "OK");
}

static void cmd_p(struct gdb_stub *s, const char *p)
{
    uint64_t n;
    uint8_t v[16];
    if (gdb_parse_hex(&p, &n) != 0 || *p || n >= gdb_reg_count(s->layout)) {
        reply_str(s, "E01");
        return;
    }
    struct cpu *copy, *cpu = view_cpu(s, &copy);
    if (!cpu) {
        reply_str(s, "E14");
        return;
    }
    gdb_reg_get(cpu, s->layout, (unsigned)n, v);
    free(copy);
    s->reply_len = 0;
    reply_hex(s, v, gdb_reg_bytes(s->layout, (unsigned)n));
}

static void cmd_P(struct gdb_stub *s, const char *p)
{
    uint64_t n;
    uint8_t v[16];
    if (writing_elsewhere(s) || gdb_parse_hex(&p, &n) != 0 || *p++ != '=' ||
        n >= gdb_reg_count(s->layout) ||
        strlen(p) != 2 * gdb_reg_bytes(s->layout, (unsigned)n) ||
        hex_bytes(p, v, gdb_reg_bytes(s->layout, (unsigned)n)) != 0) {
        reply_str(s, "E01");
        return;
    }
    reply_str(s, gdb_reg_set(&s->m->cpu, s->layout, (unsigned)n, v) == 0 ? "OK" : "E02");
}

/* ---- memory packets ------------------------------------------------------------ */

static void cmd_m(struct gdb_stub *s, const char *p)
{
    uint64_t addr, len;
    uint8_t buf[GDB_PACKET_MAX / 2];
    if (parse_addr_len(&p, &addr, &len, 0) != 0 || *p) {
        reply_str(s, "E01");
        return;
    }
    if (len > sizeof buf) len = sizeof buf;
    size_t got = read_mem(s, addr, buf, (size_t)len);
    if (got == 0 && len) {
        reply_str(s, "E14");        /* EFAULT */
        return;
    }
    s->reply_len = 0;
    reply_hex(s, buf, got);
}

static void cmd_M(struct gdb_stub *s, const char *p, size_t plen, bool binary)
{
    uint64_t addr, len;
    uint8_t buf[GDB_PACKET_MAX];
    const char *start = p;
    if (parse_addr_len(&p, &addr, &len, ':') != 0 || len > sizeof buf) {
        reply_str(s, "E01");
        return;
    }
    size_t rest = plen - (size_t)(p - start);
    if (binary) {
        if (rest != len) {
            reply_str(s, "E01");
            return;
        }
        memcpy(buf, p, len);
    } else if (rest != 2 * len || hex_bytes(p, buf, len) != 0) {
        reply_str(s, "E01");
        return;
    }
    reply_str(s, write_mem(s, addr, buf, len) == 0 ? "OK" : "E14");
}

/* ---- queries ------------------------------------------------------------------- */

/* qXfer:features:read:annex:offset,length (GDB manual E.4). */
static void cmd_xfer_features(struct gdb_stub *s, const char *p)
{
    const char *colon = strchr(p, ':');
    uint64_t off, len;
    if (!colon || strncmp(p, "target.xml:", 11) != 0) {
        reply_str(s, colon ? "E00" : "E01");
        return;
    }
    p = colon + 1;
    if (parse_addr_len(&p, &off, &len, 0) != 0 || *p) {
        reply_str(s, "E01");
        return;
    }
    const char *xml = gdb_target_xml(s->layout);
    size_t total = strlen(xml);
    if (len > GDB_PACKET_MAX / 2 - 1) len = GDB_PACKET_MAX / 2 - 1;   /* room for escapes */
    if (off >= total) {
        reply_str(s, "l");
        return;
    }
    size_t n = total - off < len ? total - (size_t)off : (size_t)len;
    s->reply[0] = off + n < total ? 'm' : 'l';
    memcpy(s->reply + 1, xml + off, n);
    s->reply_len = n + 1;
}

/* Monitor output as O packets, at most a few hundred bytes each. */
static void monitor_out(void *ctx, const char *text)
{
    struct gdb_stub *s = ctx;
    size_t n = strlen(text);
    while (n) {
        char pkt[1 + 2 * 256];
        size_t k = n < 256 ? n : 256, len = 0;
        pkt[len++] = 'O';
        for (size_t i = 0; i < k; i++) {
            pkt[len++] = hexdig[(uint8_t)text[i] >> 4];
            pkt[len++] = hexdig[(uint8_t)text[i] & 15];
        }
        send_packet(s, pkt, len);
        text += k;
        n -= k;
    }
}

static void cmd_rcmd(struct gdb_stub *s, const char *p)
{
    char line[1024];
    size_t n = strlen(p);
    if (n % 2 || n / 2 >= sizeof line || hex_bytes(p, (uint8_t *)line, n / 2) != 0) {
        reply_str(s, "E01");
        return;
    }
    line[n / 2] = 0;
    gdb_monitor(s, line, monitor_out, s);
    if (s->reply_len == 0) reply_str(s, "OK");
}

static void cmd_q(struct gdb_stub *s, const char *p)
{
    if (strncmp(p, "qSupported", 10) == 0) {
        reply_str(s, "");
        reply_add(s, "PacketSize=%x;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+;"
                  "qXfer:features:read+", GDB_PACKET_MAX);
    } else if (strcmp(p, "qAttached") == 0 || strncmp(p, "qAttached:", 10) == 0) {
        reply_str(s, "1");
    } else if (strcmp(p, "qfThreadInfo") == 0) {
        cmd_thread_info(s);
    } else if (strcmp(p, "qsThreadInfo") == 0) {
        reply_str(s, "l");
    } else if (strcmp(p, "qC") == 0) {
        reply_str(s, "");
        reply_add(s, "QC%llx", (unsigned long long)gdb_stub_current_thread(s));
    } else if (strncmp(p, "qThreadExtraInfo,", 17) == 0) {
        cmd_extra_info(s, p + 17);
    } else if (strcmp(p, "qOffsets") == 0) {
        /* Only for an image loaded away from its link address; every loader
         * today loads at the link address, so gdb is told nothing. */
        if (s->m->load_biased)
            reply_add(s, "Text=%llx;Data=%llx;Bss=%llx", (unsigned long long)s->m->load_bias,
                      (unsigned long long)s->m->load_bias, (unsigned long long)s->m->load_bias);
        else
            reply_str(s, "");
    } else if (strncmp(p, "qXfer:features:read:", 20) == 0) {
        cmd_xfer_features(s, p + 20);
    } else if (strncmp(p, "qRcmd,", 6) == 0) {
        s->reply_len = 0;
        cmd_rcmd(s, p + 6);
    } else {
        reply_str(s, "");           /* qTStatus, qSymbol ... : not supported */
    }
}

/* ---- run control ------------------------------------------------------------- */

/* vCont;action[:tid];... : there is one thread, so the first action decides. */
static void cmd_vcont(struct gdb_stub *s, const char *p)
{
    if (strcmp(p, "?") == 0) {
        reply_str(s, "vCont;c;C;s;S;r");
        return;
    }
    if (*p++ != ';') {
        reply_str(s, "E01");
        return;
    }
    switch (*p) {
    case 'c': case 'C': s->resume = GDB_RESUME_CONT; return;
    case 's': case 'S': s->resume = GDB_RESUME_STEP; return;
    case 'r':
        p++;
        if (parse_addr_len(&p, &s->range_start, &s->range_end, 0) != 0) break;
        s->resume = GDB_RESUME_RANGE;
        return;
    default:
        break;
    }
    reply_str(s, "E01");
}

static void handle_packet(struct gdb_stub *s, const char *p, size_t len)
{
    s->reply_len = 0;
    switch (p[0]) {
    case '?': stop_reply(s, 5); break;
    case 'g': if (len == 1) cmd_g(s); else reply_str(s, "E01"); break;
    case 'G': cmd_G(s, p + 1); break;
    case 'p': cmd_p(s, p + 1); break;
    case 'P': cmd_P(s, p + 1); break;
    case 'm': cmd_m(s, p + 1); break;
    case 'M': cmd_M(s, p + 1, len - 1, false); break;
    case 'X': cmd_M(s, p + 1, len - 1, true); break;
    case 'c': case 'C': s->resume = GDB_RESUME_CONT; return;   /* c addr is not honoured */
    case 's': case 'S': s->resume = GDB_RESUME_STEP; return;
    case 'Z': cmd_z(s, p + 1, true); break;
    case 'z': cmd_z(s, p + 1, false); break;
    case 'H':
        if (len >= 2 && (p[1] == 'g' || p[1] == 'c')) cmd_H(s, p + 1);
        else reply_str(s, "E01");
        break;
    case 'T': {
        const char *q = p + 1;
        uint64_t id;
        reply_str(s, gdb_parse_hex(&q, &id) == 0 && !*q && thread_alive(s, id) ? "OK" : "E01");
        break;
    }
    case 'D': reply_str(s, "OK"); s->end = GDB_END_DETACH; break;
    case 'k': s->end = GDB_END_KILL; return;                   /* no reply (GDB manual E.2) */
    case 'q': cmd_q(s, p); break;
    case 'Q':
        if (strcmp(p, "QStartNoAckMode") == 0) {
            reply_str(s, "OK");
            send_packet(s, s->reply, s->reply_len);
            s->noack = true;
            return;
        }
        reply_str(s, "");
        break;
    case 'v':
        if (strncmp(p, "vCont", 5) == 0) {
            cmd_vcont(s, p + 5);
            if (s->resume) return;
        } else if (strncmp(p, "vKill", 5) == 0) {
            reply_str(s, "OK");
            s->end = GDB_END_KILL;
        } else {
            reply_str(s, "");       /* vMustReplyEmpty and the rest */
        }
        break;
    default:
        reply_str(s, "");
        break;
    }
    send_packet(s, s->reply, s->reply_len);
}

void gdb_stub_init(struct gdb_stub *s, struct machine *m,
                   void (*send)(void *ctx, const void *buf, size_t len), void *ctx)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->send = send;
    s->send_ctx = ctx;
    gdb_framer_init(&s->fr);
    s->layout = gdb_layout_for(&m->cpu);
    gdb_nt_attach(&s->nt, m);
}

void gdb_stub_free(struct gdb_stub *s)
{
    debug_host_drop(&s->m->cpu, HOST_OWNER_GDB);
    gdb_nt_detach(&s->nt);
    free(s->bps);
    s->bps = NULL;
    s->nbps = s->bps_cap = 0;
}

void gdb_stub_input(struct gdb_stub *s, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < len && !s->end; i++) {
        switch (gdb_framer_feed(&s->fr, p[i])) {
        case GDB_EV_PACKET:
            if (!s->noack) s->send(s->send_ctx, "+", 1);
            handle_packet(s, s->fr.buf, s->fr.len);
            break;
        case GDB_EV_BAD:
            if (!s->noack) s->send(s->send_ctx, "-", 1);
            else send_packet(s, "E01", 3);
            break;
        case GDB_EV_MALFORMED:
            if (!s->noack) s->send(s->send_ctx, "+", 1);
            send_packet(s, "E01", 3);
            break;
        case GDB_EV_NAK:
            if (!s->noack && s->last_len) s->send(s->send_ctx, s->last, s->last_len);
            break;
        default:
            break;      /* acks, and 0x03 while stopped: nothing to interrupt */
        }
    }
}

bool gdb_stub_is_interrupt(struct gdb_stub *s, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    bool hit = false;
    for (size_t i = 0; i < len; i++)
        if (gdb_framer_feed(&s->fr, p[i]) == GDB_EV_INTERRUPT) hit = true;
    return hit;
}

/* The machine stopped for good: W with its exit status. */
static bool finished(struct gdb_stub *s, enum machine_stop why)
{
    if (why == STOP_NONE || why == STOP_INTERRUPTED) return false;
    char w[8];
    snprintf(w, sizeof w, "W%02x", s->m->exit_status & 0xFF);
    send_packet(s, w, strlen(w));
    s->exited = true;
    return true;
}

enum gdb_resume gdb_stub_begin(struct gdb_stub *s)
{
    enum gdb_resume what = s->resume;
    s->resume = GDB_RESUME_NONE;
    s->running = what;
    if (what != GDB_RESUME_NONE) debug_host_resume(&s->m->cpu, gdb_linear_pc(&s->m->cpu));
    return what;
}

void gdb_stub_stopped(struct gdb_stub *s, enum machine_stop why)
{
    struct cpu *cpu = &s->m->cpu;
    enum gdb_resume what = s->running;
    s->running = GDB_RESUME_NONE;
    if (what == GDB_RESUME_NONE || finished(s, why)) return;
    /* Interrupted with no breakpoint or watchpoint of ours: Ctrl-C, or the
     * window's pause (T02); anything else is a trap (T05). */
    bool interrupted = why == STOP_INTERRUPTED && !cpu->host.hit && what != GDB_RESUME_STEP;
    if (interrupted) s->m->interrupt_requested = 0;    /* a SIGINT meant for gdb's Ctrl-C too */
    stop_reply(s, interrupted ? 2 : 5);
    send_packet(s, s->reply, s->reply_len);
    cpu->host.hit = HOST_HIT_NONE;
}

void gdb_stub_resume(struct gdb_stub *s, int (*poll)(void *ctx), void *poll_ctx)
{
    struct machine *m = s->m;
    struct cpu *cpu = &m->cpu;
    enum machine_stop why = STOP_NONE;
    enum gdb_resume what = gdb_stub_begin(s);
    if (what == GDB_RESUME_NONE) return;
    if (what == GDB_RESUME_CONT) {
        int (*old_poll)(void *) = m->poll;
        void *old_ctx = m->poll_ctx;
        m->poll = poll;
        m->poll_ctx = poll_ctx;
        why = machine_run(m);
        m->poll = old_poll;
        m->poll_ctx = old_ctx;
    } else {
        /* A step, or steps while the PC stays inside [start, end). */
        do {
            why = s->sstep_quiet ? machine_step_quiet(m) : machine_step(m);
            if (why != STOP_NONE || cpu->host.hit || what != GDB_RESUME_RANGE) break;
            if (poll && poll(poll_ctx)) {
                why = STOP_INTERRUPTED;
                break;
            }
            debug_host_resume(cpu, gdb_linear_pc(cpu));
        } while (gdb_reported_pc(cpu) >= s->range_start && gdb_reported_pc(cpu) < s->range_end);
    }
    gdb_stub_stopped(s, why);
}
