/* test_guest_sdk.c - the user-mode side of the built-in NT kernel (guest/)
 * as built, read with libelf: the image bases and layout the kernel's
 * loader relies on (ELF32 ET_EXEC, first PT_LOAD at file offset 0), the
 * exact bytes of ntdll's system-call stubs and gates (nt-reference.md 4.1)
 * for every service in ntkernel/services.tab, kernel32's ReadProcessMemory
 * prologue and call, the entry points the kernel looks up by name, the
 * one-line build recipe (guest/ntcc), and the printf formatter of the C
 * runtime built for the host and compared with the host's snprintf. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The formatter is plain C with no library calls; test it directly. */
#include "guest/libc/format.c"

#define NTDLL_BASE    0x7C900000u
#define KERNEL32_BASE 0x7C800000u
#define APP_BASE      0x00400000u

struct image {
    unsigned char *data;
    size_t size;
    Elf *elf;
};

static const char *build_dir(void)
{
    const char *b = getenv("BUILD");
    return b && *b ? b : "build";
}

static void image_open(struct image *img, const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/guest/%s", build_dir(), rel);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s is missing (make guest-nt builds it)", path);
    fseek(f, 0, SEEK_END);
    img->size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    img->data = malloc(img->size);
    cr_assert_eq(img->size, fread(img->data, 1, img->size, f));
    fclose(f);
    cr_assert_neq(EV_NONE, elf_version(EV_CURRENT));
    img->elf = elf_memory((char *)img->data, img->size);
    cr_assert_not_null(img->elf, "%s: %s", path, elf_errmsg(-1));
}

static void image_close(struct image *img)
{
    elf_end(img->elf);
    free(img->data);
}

/* The symbol's value and binding; false when the image does not define it. */
static bool image_symbol(struct image *img, const char *name, uint32_t *value, int *bind)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(img->elf, scn))) {
        GElf_Shdr sh;
        gelf_getshdr(scn, &sh);
        if (sh.sh_type != SHT_SYMTAB)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
            GElf_Sym s;
            gelf_getsym(d, (int)i, &s);
            if (s.st_shndx == SHN_UNDEF || strcmp(elf_strptr(img->elf, sh.sh_link, s.st_name), name))
                continue;
            *value = (uint32_t)s.st_value;
            if (bind)
                *bind = GELF_ST_BIND(s.st_info);
            return true;
        }
    }
    return false;
}

static uint32_t sym(struct image *img, const char *name)
{
    uint32_t v;
    cr_assert(image_symbol(img, name, &v, NULL), "no symbol %s", name);
    return v;
}

/* The file bytes mapped at a virtual address (n of them, all in one PT_LOAD). */
static const unsigned char *at(struct image *img, uint32_t va, size_t n)
{
    size_t count;
    cr_assert_eq(0, elf_getphdrnum(img->elf, &count));
    for (size_t i = 0; i < count; i++) {
        GElf_Phdr ph;
        gelf_getphdr(img->elf, (int)i, &ph);
        if (ph.p_type == PT_LOAD && va >= ph.p_vaddr && va + n <= ph.p_vaddr + ph.p_filesz)
            return img->data + ph.p_offset + (va - ph.p_vaddr);
    }
    cr_assert_fail("0x%08x..+%zu is not in the file's PT_LOADs", va, n);
    return NULL;
}

static void assert_bytes(struct image *img, uint32_t va, const unsigned char *want, size_t n, const char *what)
{
    const unsigned char *got = at(img, va, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(want[i], got[i], "%s byte %zu: want %02X, got %02X", what, i, want[i], got[i]);
}

/* ELF32 i386 ET_EXEC with the given entry (or any when entry is -1), every
 * PT_LOAD non-empty, the first at `base` from file offset 0 (the headers
 * are mapped: PEB->ImageBaseAddress points at them). */
static void assert_layout(struct image *img, uint32_t base, int64_t entry)
{
    GElf_Ehdr eh;
    cr_assert_eq(ELF_K_ELF, elf_kind(img->elf));
    cr_assert_eq(ELFCLASS32, gelf_getclass(img->elf));
    cr_assert_not_null(gelf_getehdr(img->elf, &eh));
    cr_assert_eq(EM_386, eh.e_machine);
    cr_assert_eq(ET_EXEC, eh.e_type);
    if (entry >= 0)
        cr_assert_eq((uint32_t)entry, eh.e_entry, "entry 0x%08x", (unsigned)eh.e_entry);
    size_t count, loads = 0;
    cr_assert_eq(0, elf_getphdrnum(img->elf, &count));
    for (size_t i = 0; i < count; i++) {
        GElf_Phdr ph;
        gelf_getphdr(img->elf, (int)i, &ph);
        if (ph.p_type != PT_LOAD)
            continue;
        if (loads++ == 0) {
            cr_assert_eq(base, ph.p_vaddr, "first PT_LOAD at 0x%08x", (unsigned)ph.p_vaddr);
            cr_assert_eq(0, ph.p_offset);
        }
        cr_assert_gt(ph.p_memsz, 0, "an empty PT_LOAD");
        cr_assert_geq(ph.p_vaddr, base);
        cr_assert_lt(ph.p_vaddr + ph.p_memsz, base + 0x00100000u);
    }
    cr_assert_geq(loads, 1);
}

static struct image ntdll, kernel32;

static void open_dlls(void)
{
    image_open(&ntdll, "ntdll.elf");
    image_open(&kernel32, "kernel32.elf");
}

static void close_dlls(void)
{
    image_close(&ntdll);
    image_close(&kernel32);
}

TestSuite(guest_images, .init = open_dlls, .fini = close_dlls);

Test(guest_images, ntdll_is_an_elf32_exec_at_0x7C900000_without_an_entry)
{
    assert_layout(&ntdll, NTDLL_BASE, 0);
}

Test(guest_images, kernel32_is_an_elf32_exec_at_0x7C800000_without_an_entry)
{
    assert_layout(&kernel32, KERNEL32_BASE, 0);
}

Test(guest_images, programs_load_at_0x00400000_and_start_at_crt0)
{
    static const char *const programs[] = {
        "smss.elf", "apps/hello.elf", "apps/hello-int2e.elf", "apps/readmem.elf", "apps/spawn.elf",
        "apps/threads.elf", "apps/callback.elf", "apps/teb.elf", "apps/notify.elf", "apps/badcalls.elf",
    };
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
        struct image app;
        image_open(&app, programs[i]);
        assert_layout(&app, APP_BASE, sym(&app, "_start"));
        /* Calls into the DLLs resolve to their fixed addresses. */
        cr_assert_eq(sym(&kernel32, "ExitProcess"), sym(&app, "ExitProcess"), "%s", programs[i]);
        image_close(&app);
    }
}

Test(guest_images, kernel_entry_points_are_global_in_ntdll)
{
    static const char *const names[] = {
        "KiFastSystemCall", "KiFastSystemCallRet", "KiIntSystemCall",
        "KiUserCallbackDispatcher", "KiUserExceptionDispatcher",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint32_t v;
        int bind;
        cr_assert(image_symbol(&ntdll, names[i], &v, &bind), "ntdll lacks %s", names[i]);
        cr_assert_eq(STB_GLOBAL, bind, "%s is not global", names[i]);
        cr_assert(v >= NTDLL_BASE && v < NTDLL_BASE + 0x100000, "%s at 0x%08x", names[i], v);
    }
}

Test(guest_images, KiFastSystemCall_is_mov_edx_esp_sysenter_and_KiFastSystemCallRet_follows)
{
    static const unsigned char fast[] = { 0x8B, 0xD4, 0x0F, 0x34, 0xC3 };  /* mov edx,esp; sysenter; ret */
    uint32_t k = sym(&ntdll, "KiFastSystemCall");
    assert_bytes(&ntdll, k, fast, sizeof fast, "KiFastSystemCall");
    cr_assert_eq(k + 4, sym(&ntdll, "KiFastSystemCallRet"));
}

Test(guest_images, KiIntSystemCall_is_lea_edx_esp8_int2e_ret)
{
    static const unsigned char ints[] = { 0x8D, 0x54, 0x24, 0x08, 0xCD, 0x2E, 0xC3 };
    assert_bytes(&ntdll, sym(&ntdll, "KiIntSystemCall"), ints, sizeof ints, "KiIntSystemCall");
}

Test(guest_images, NtWriteFile_is_the_xp_stub_0x112_ret_0x24)
{
    static const unsigned char stub[] = {
        0xB8, 0x12, 0x01, 0x00, 0x00,       /* mov eax, 112h */
        0xBA, 0x00, 0x03, 0xFE, 0x7F,       /* mov edx, 7FFE0300h */
        0xFF, 0x12,                         /* call dword ptr [edx] */
        0xC2, 0x24, 0x00,                   /* ret 24h */
    };
    assert_bytes(&ntdll, sym(&ntdll, "NtWriteFile"), stub, sizeof stub, "NtWriteFile");
    cr_assert_eq(sym(&ntdll, "NtWriteFile"), sym(&ntdll, "ZwWriteFile"));
}

/* Parse ntkernel/services.tab independently of tools/gensvc.awk. */
static int for_each_service(void (*check)(unsigned number, const char *name, unsigned args))
{
    FILE *f = fopen("ntkernel/services.tab", "r");
    cr_assert_not_null(f, "ntkernel/services.tab (run from the top directory)");
    char line[256];
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        char num[32], name[128];
        unsigned args;
        if (line[0] == '#' || sscanf(line, "%31s %127s %u", num, name, &args) != 3 || !strcmp(num, "limit"))
            continue;
        check((unsigned)strtoul(num, NULL, 0), name, args);
        count++;
    }
    fclose(f);
    return count;
}

static void check_stub(unsigned number, const char *name, unsigned args)
{
    unsigned char stub[15] = {
        0xB8, number & 0xFF, (number >> 8) & 0xFF, (number >> 16) & 0xFF, number >> 24,
        0xBA, 0x00, 0x03, 0xFE, 0x7F, 0xFF, 0x12,
        0xC2, (4 * args) & 0xFF, (4 * args) >> 8,
    };
    size_t n = args ? 15 : 13;
    if (!args)
        stub[12] = 0xC3;                    /* no arguments: a plain ret */
    char zw[128];
    snprintf(zw, sizeof zw, "Zw%s", name + 2);
    uint32_t a = sym(&ntdll, name);
    assert_bytes(&ntdll, a, stub, n, name);
    cr_assert_eq(a, sym(&ntdll, zw), "%s and %s differ", name, zw);
}

Test(guest_images, every_service_in_services_tab_has_its_nt_and_zw_stub)
{
    int count = for_each_service(check_stub);
    cr_assert_geq(count, 30, "services.tab lists %d services", count);
}

Test(guest_images, KiUserCallbackDispatcher_indexes_the_peb_callback_table_and_returns_by_int_2b)
{
    static const unsigned char table[] = {
        0x64, 0xA1, 0x30, 0x00, 0x00, 0x00,     /* mov eax, fs:[30h] */
        0x8B, 0x40, 0x2C,                       /* mov eax, [eax+2Ch] */
        0xFF, 0x14, 0x90,                       /* call [eax+edx*4] */
    };
    static const unsigned char ret[] = { 0x31, 0xC9, 0x31, 0xD2, 0xCD, 0x2B };  /* xor ecx,ecx; xor edx,edx; int 2Bh */
    const unsigned char *code = at(&ntdll, sym(&ntdll, "KiUserCallbackDispatcher"), 64);
    cr_assert_not_null(memmem(code, 64, table, sizeof table));
    cr_assert_not_null(memmem(code, 64, ret, sizeof ret));
}

Test(guest_images, ReadProcessMemory_has_the_hotpatch_prologue_and_calls_NtReadVirtualMemory)
{
    static const unsigned char prologue[] = { 0x8B, 0xFF, 0x55, 0x8B, 0xEC };
    uint32_t rpm = sym(&kernel32, "ReadProcessMemory");
    assert_bytes(&kernel32, rpm, prologue, sizeof prologue, "ReadProcessMemory");
    /* lea eax,[ebp+14h]; push eax; four push [ebp+x]; then call rel32. */
    const unsigned char *call = at(&kernel32, rpm + 21, 5);
    cr_assert_eq(0xE8, call[0]);
    int32_t rel;
    memcpy(&rel, call + 1, 4);
    cr_assert_eq(sym(&ntdll, "NtReadVirtualMemory"), rpm + 26 + (uint32_t)rel);
    static const unsigned char ret14[] = { 0xC2, 0x14, 0x00 };
    cr_assert_not_null(memmem(at(&kernel32, rpm, 64), 64, ret14, sizeof ret14), "no ret 14h");
}

Test(guest_images, kernel32_defines_its_functions_and_leaves_ntdlls_symbols_to_ntdll)
{
    static const char *const names[] = {
        "GetStdHandle", "WriteFile", "ReadFile", "ReadProcessMemory", "WriteProcessMemory",
        "CreateProcessA", "CreateProcessInternalW", "CreateThread", "WaitForSingleObject",
        "CloseHandle", "ExitProcess", "ExitThread", "Sleep", "GetLastError", "SetLastError",
        "GetCurrentProcessId", "GetCurrentThreadId", "BaseProcessStartThunk", "BaseThreadStartThunk",
        "SetThreadPriority", "ResumeThread",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint32_t v = sym(&kernel32, names[i]);
        cr_assert(v >= KERNEL32_BASE && v < KERNEL32_BASE + 0x100000, "%s at 0x%08x", names[i], v);
    }
    uint32_t v;
    cr_assert_not(image_symbol(&kernel32, "NtReadVirtualMemory", &v, NULL));
    cr_assert_not(image_symbol(&kernel32, "memcpy", &v, NULL));
}

/* ---- guest/ntcc, the one-line recipe ---- */

TestSuite(guest_sdk, .init = open_dlls, .fini = close_dlls);

static int run_ntcc(const char *source, const char *out)
{
    char src[] = "/tmp/ntcc-test-XXXXXX.c";
    int fd = mkstemps(src, 2);
    cr_assert_geq(fd, 0);
    cr_assert_eq((ssize_t)strlen(source), write(fd, source, strlen(source)));
    close(fd);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "BUILD=%s guest/ntcc %s -o %s 2>/dev/null", build_dir(), src, out);
    int rc = system(cmd);
    unlink(src);
    return rc;
}

Test(guest_sdk, ntcc_builds_a_program_at_0x00400000_against_kernel32_and_ntdll)
{
    static const char prog[] =
        "#include <stdio.h>\n#include <string.h>\n#include <windows.h>\n#include <ntdll.h>\n"
        "int main(int argc, char **argv) {\n"
        "    printf(\"%d %s %u\\n\", argc, argv[0], (unsigned)strlen(argv[0]));\n"
        "    return NtCurrentPeb()->OSMajorVersion + (int)GetCurrentProcessId();\n}\n";
    char out[] = "/tmp/ntcc-test-XXXXXX";
    int fd = mkstemp(out);
    cr_assert_geq(fd, 0);
    close(fd);
    int rc = run_ntcc(prog, out);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "ntcc failed");

    struct image app;
    char path[600];
    snprintf(path, sizeof path, "%s", out);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    app.size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    app.data = malloc(app.size);
    cr_assert_eq(app.size, fread(app.data, 1, app.size, f));
    fclose(f);
    app.elf = elf_memory((char *)app.data, app.size);
    cr_assert_not_null(app.elf);
    assert_layout(&app, APP_BASE, sym(&app, "_start"));
    cr_assert_eq(sym(&kernel32, "GetCurrentProcessId"), sym(&app, "GetCurrentProcessId"));
    cr_assert_eq(sym(&kernel32, "WriteFile"), sym(&app, "WriteFile"));
    image_close(&app);
    unlink(out);
}

Test(guest_sdk, ntcc_fails_on_a_call_nothing_defines)
{
    static const char prog[] = "int NoSuchFunction(void);\nint main(void) { return NoSuchFunction(); }\n";
    char out[] = "/tmp/ntcc-test-XXXXXX";
    int fd = mkstemp(out);
    cr_assert_geq(fd, 0);
    close(fd);
    int rc = run_ntcc(prog, out);
    unlink(out);
    cr_assert(!(WIFEXITED(rc) && WEXITSTATUS(rc) == 0), "an undefined call linked");
}
/* ---- the C runtime's formatter (guest/libc/format.c) ---- */

static char got[256], want[256];

static int fmt(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = fmt_vsnprintf(buf, size, f, ap);
    va_end(ap);
    return n;
}

/* Compare with the host's snprintf for formats both define the same way. */
#define SAME(...) do {                                                          \
        int n1 = fmt(got, sizeof got, __VA_ARGS__);                             \
        int n2 = snprintf(want, sizeof want, __VA_ARGS__);                      \
        cr_assert_str_eq(want, got);                                            \
        cr_assert_eq(n2, n1, "%s", want);                                       \
    } while (0)

Test(guest_printf, integers_match_the_host_snprintf)
{
    SAME("%d %i %u", 0, -1, 4000000000u);
    SAME("%d", -2147483647 - 1);
    SAME("%u %x %X %o", 0xFFFFFFFFu, 0xDEADBEEFu, 0xDEADBEEFu, 8u);
    SAME("[%8d] [%-8d] [%08d] [%08x] [%-8x]", -42, -42, -42, 0xABCu, 0xABCu);
    SAME("%08X|%2x|%1d", 0xC0000005u, 0x1234u, 99);
    SAME("%ld %lu %lx", 5L, 6UL, 0xFUL);
    SAME("%hd %hu", 7, 8);
    SAME("%*d|%-*d|%*d", 5, 1, 5, 2, -5, 3);
}

Test(guest_printf, strings_chars_and_percent_match_the_host_snprintf)
{
    SAME("%s|%10s|%-10s|%.3s|%c%c|%%|100%%", "abc", "right", "left", "truncate", 'o', 'k');
    SAME("%5c|%-3c|", 'x', 'y');
    SAME("no conversions at all");
    SAME("%s", "");
}

Test(guest_printf, pointers_are_0x_and_eight_hex_digits)
{
    cr_assert_eq(10, fmt(got, sizeof got, "%p", (void *)0x7FFDF000));
    cr_assert_str_eq("0x7ffdf000", got);
    fmt(got, sizeof got, "[%p] [%12p]", (void *)0, (void *)0x400000);
    cr_assert_str_eq("[0x00000000] [  0x00400000]", got);
}

Test(guest_printf, a_null_string_prints_null)
{
    fmt(got, sizeof got, "%s!", (const char *)NULL);
    cr_assert_str_eq("(null)!", got);
}

Test(guest_printf, truncation_stores_size_minus_one_and_returns_the_full_length)
{
    memset(got, 'Z', sizeof got);
    cr_assert_eq(11, fmt(got, 6, "hello %s", "world"));
    cr_assert_str_eq("hello", got);
    cr_assert_eq('Z', got[6]);
    memset(got, 'Z', sizeof got);
    cr_assert_eq(3, fmt(got, 0, "%d", 123));
    cr_assert_eq('Z', got[0], "size 0 stores nothing");
    cr_assert_eq(3, fmt(got, 1, "%d", 123));
    cr_assert_eq('\0', got[0]);
}

Test(guest_printf, minus_overrides_zero_padding)
{
    fmt(got, sizeof got, "[%-08x]", 0xABCu);
    cr_assert_str_eq("[abc     ]", got);
}

Test(guest_printf, an_unknown_conversion_is_printed_as_written)
{
    fmt(got, sizeof got, "%q %d %", 5);
    cr_assert_str_eq("%q 5 ", got);
}
