/* test_guest.c - the guest-side tests (tests/guest/) on two machines: each
 * image runs under build/ringsim and under qemu-system-i386 -accel tcg; every
 * ringsim line must be PASS, and the two machines' PASS/FAIL lines must agree
 * except where tests/guest/deviations.txt documents who is right and why.
 * Totals come at the end as "guest: ..." and "guest-vs-qemu: ..." lines.
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LINES 256
#define EXIT_ALL_PASSED 33             /* isa-debug-exit: (0x10 << 1) | 1 */

struct image {
    const char *name;
    const char *ringsim_args;          /* the boot options, as ringsim spells them */
    const char *qemu_args;             /* ... and as QEMU does */
    int expect_status;                 /* ringsim's exit status; 0: EXIT_ALL_PASSED */
    int qemu_reset;                    /* 1: QEMU ends by a reset (-no-reboot: status 0) */
    const char *qemu;                  /* the QEMU binary; NULL: qemu-system-i386 */
    /* Not NULL: why QEMU cannot be the oracle for this image (it lacks the
     * feature).  QEMU is not run; the checks stand on the SDM alone. */
    const char *no_oracle;
};
#define EXIT_SOME_FAILED 35            /* isa-debug-exit: (0x11 << 1) | 1 */

struct verdict {
    char name[80];
    int pass;
    char line[256];
};

struct outcome {
    struct verdict v[MAX_LINES];
    int n;
    int status;                        /* process exit status, -1 if it did not exit */
};

static const char *build_dir(void)
{
    const char *b = getenv("BUILD");
    return b && *b ? b : "build";
}

/* ---- running one machine ----------------------------------------------- */

static int run_shell(const char *cmd)
{
    int rc = system(cmd);
    return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void parse_lines(const char *path, struct outcome *o)
{
    FILE *f = fopen(path, "r");
    char line[256];
    o->n = 0;
    while (f && fgets(line, sizeof line, f) && o->n < MAX_LINES) {
        int pass = !strncmp(line, "PASS ", 5);
        if (!pass && strncmp(line, "FAIL ", 5)) continue;
        struct verdict *v = &o->v[o->n++];
        line[strcspn(line, "\n")] = 0;
        snprintf(v->line, sizeof v->line, "%s", line);
        snprintf(v->name, sizeof v->name, "%.*s", (int)strcspn(line + 5, ":"), line + 5);
        v->pass = pass;
    }
    if (f) fclose(f);
}

static void image_path(const struct image *img, char *out, size_t len)
{
    int rom = !strncmp(img->name, "rom_", 4);
    snprintf(out, len, "%s/guest/%s.%s", build_dir(), img->name, rom ? "rom" : "elf");
}

static void run_ringsim(const struct image *img, const char *log, struct outcome *o)
{
    char path[256], cmd[1024];
    image_path(img, path, sizeof path);
    snprintf(cmd, sizeof cmd,
             "timeout 150 %s/ringsim --mem 128M --serial null --max-insns 1000000000 "
             "--debugcon file:%s %s %s %s >/dev/null 2>&1",
             build_dir(), log, strncmp(img->name, "rom_", 4) ? "--kernel" : "--bios", path,
             img->ringsim_args);
    o->status = run_shell(cmd);
    parse_lines(log, o);
}

static void run_qemu(const struct image *img, const char *log, struct outcome *o)
{
    char path[256], cmd[1024];
    image_path(img, path, sizeof path);
    snprintf(cmd, sizeof cmd,
             "timeout 150 %s -m 128M -accel tcg -no-reboot -display none "
             "-serial null -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 "
             "-rtc base=2026-01-01,clock=vm -debugcon file:%s %s %s %s >/dev/null 2>&1",
             img->qemu ? img->qemu : "qemu-system-i386", log,
             strncmp(img->name, "rom_", 4) ? "-kernel" : "-bios", path, img->qemu_args);
    o->status = run_shell(cmd);
    parse_lines(log, o);
}

/* ---- comparing --------------------------------------------------------- */

/* 1 if deviations.txt lists (image, check). */
static int documented(const char *image, const char *check)
{
    FILE *f = fopen("tests/guest/deviations.txt", "r");
    char line[1024], img[80], chk[80];
    int found = 0;
    cr_assert_not_null(f, "tests/guest/deviations.txt is missing (run from the top directory)");
    while (!found && fgets(line, sizeof line, f))
        if (line[0] != '#' && sscanf(line, "%79s %79s", img, chk) == 2)
            found = !strcmp(img, image) && !strcmp(chk, check);
    fclose(f);
    return found;
}

static const struct verdict *find(const struct outcome *o, const char *name)
{
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->v[i].name, name)) return &o->v[i];
    return NULL;
}

struct tally {
    int passed, failed, agree, disagree, deviations;
};

/* One check's two verdicts: agree, a documented deviation, or a disagreement. */
static void compare_one(const char *image, const char *name, const struct verdict *r,
                        const struct verdict *q, struct tally *t)
{
    if (r && q && r->pass == q->pass) {
        t->agree++;
    } else if (documented(image, name)) {
        t->deviations++;
    } else {
        t->disagree++;
        cr_log_error("%s %s: ringsim says \"%s\", qemu says \"%s\"", image, name,
                     r ? r->line : "(nothing)", q ? q->line : "(nothing)");
    }
}

static void compare(const char *image, const struct outcome *r, const struct outcome *q,
                    struct tally *t)
{
    for (int i = 0; i < r->n; i++) compare_one(image, r->v[i].name, &r->v[i], find(q, r->v[i].name), t);
    for (int i = 0; i < q->n; i++)
        if (!find(r, q->v[i].name)) compare_one(image, q->v[i].name, NULL, &q->v[i], t);
}

/* ---- totals across the test processes ---------------------------------- */

static void record(const char *image, const struct tally *t)
{
    const char *dir = getenv("RINGSIM_GUEST_TALLY");
    char path[512];
    if (!dir) return;
    snprintf(path, sizeof path, "%s/%s", dir, image);
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "%d %d %d %d %d\n", t->passed, t->failed, t->agree, t->disagree, t->deviations);
    fclose(f);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    char tmpl[] = "/tmp/ringsim-guest-XXXXXX";
    if (mkdtemp(tmpl)) setenv("RINGSIM_GUEST_TALLY", tmpl, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    const char *dir = getenv("RINGSIM_GUEST_TALLY");
    char cmd[600];
    if (!dir) return;
    snprintf(cmd, sizeof cmd, "cat %s/* 2>/dev/null; rm -rf %s", dir, dir);
    FILE *p = popen(cmd, "r");
    struct tally sum = { 0 }, t;
    int images = 0;
    while (p && fscanf(p, "%d %d %d %d %d", &t.passed, &t.failed, &t.agree, &t.disagree,
                       &t.deviations) == 5) {
        sum.passed += t.passed, sum.failed += t.failed, sum.agree += t.agree;
        sum.disagree += t.disagree, sum.deviations += t.deviations;
        images++;
    }
    if (p) pclose(p);
    if (!images) return;
    printf("guest: %d passed, %d failed\n", sum.passed, sum.failed);
    printf("guest-vs-qemu: %d agree, %d disagree (%d documented QEMU deviations)\n", sum.agree,
           sum.disagree, sum.deviations);
    fflush(stdout);
}

/* ---- one test per image ------------------------------------------------- */

static void check_image(const struct image *img)
{
    char rlog[] = "/tmp/ringsim-guest-rs-XXXXXX", qlog[] = "/tmp/ringsim-guest-qemu-XXXXXX";
    struct outcome r, q;
    struct tally t = { 0 };
    const char *qemu = img->qemu ? img->qemu : "qemu-system-i386";
    char probe[128];
    int want = img->expect_status ? img->expect_status : EXIT_ALL_PASSED;
    close(mkstemp(rlog));
    close(mkstemp(qlog));
    run_ringsim(img, rlog, &r);
    if (img->no_oracle) {
        q.n = 0, q.status = -1;
    } else {
        snprintf(probe, sizeof probe, "command -v %s >/dev/null", qemu);
        cr_assert(run_shell(probe) == 0,
                  "%s is missing: the QEMU oracle cannot run (make deps installs it)", qemu);
        run_qemu(img, qlog, &q);
    }
    unlink(rlog);
    unlink(qlog);
    for (int i = 0; i < r.n; i++) {
        t.passed += r.v[i].pass;
        t.failed += !r.v[i].pass;
        cr_expect(r.v[i].pass, "%s under ringsim: %s", img->name, r.v[i].line);
    }
    if ((r.n == 0 && want == EXIT_ALL_PASSED) || (r.status != want && t.failed == 0)) t.failed++;
    if (!img->no_oracle) compare(img->name, &r, &q, &t);
    printf("guest %-10s ringsim %d PASS %d FAIL (exit %d); qemu exit %d; %d agree, %d disagree, "
           "%d documented\n", img->name, t.passed, t.failed, r.status, q.status, t.agree,
           t.disagree, t.deviations);
    fflush(stdout);
    record(img->name, &t);
    if (img->no_oracle) {
        printf("guest %-10s not run under QEMU: %s\n", img->name, img->no_oracle);
    } else if (img->qemu_reset) {
        cr_expect_eq(q.status, 0, "%s: QEMU exit status (a reset under -no-reboot)", img->name);
    } else {
        cr_expect(q.n > 0, "%s printed no PASS/FAIL line under QEMU (exit %d)", img->name, q.status);
        cr_expect(q.status == EXIT_ALL_PASSED || q.status == EXIT_SOME_FAILED,
                  "%s: QEMU did not reach the end of the image (exit %d)", img->name, q.status);
    }
    if (want == EXIT_ALL_PASSED)
        cr_expect(r.n > 0, "%s printed no PASS/FAIL line under ringsim", img->name);
    cr_expect_eq(r.status, want, "%s: ringsim exit status", img->name);
    cr_expect_eq(t.disagree, 0, "%s: ringsim and QEMU disagree", img->name);
}

static const struct image images[] = {
    { .name = "hello", .ringsim_args = "", .qemu_args = "" },
    { .name = "mbinfo",
      .ringsim_args = "--append 'guest-args x=1' --initrd 'GUEST/module.txt modarg'",
      .qemu_args = "-append 'guest-args x=1' -initrd 'GUEST/module.txt modarg'" },
    { .name = "pic", .ringsim_args = "", .qemu_args = "" },
    { .name = "pit", .ringsim_args = "", .qemu_args = "" },
    { .name = "uart", .ringsim_args = "", .qemu_args = "" },
    { .name = "cmos", .ringsim_args = "", .qemu_args = "" },
    { .name = "fwcfg_pci", .ringsim_args = "", .qemu_args = "" },
    { .name = "rom_timer", .ringsim_args = "", .qemu_args = "" },
    { .name = "irq_pic", .ringsim_args = "", .qemu_args = "" },
    { .name = "irq_pit", .ringsim_args = "", .qemu_args = "" },
    { .name = "irq_uart", .ringsim_args = "", .qemu_args = "" },
    { .name = "apic", .ringsim_args = "", .qemu_args = "" },
    /* Shutdown: ringsim stops with status 1, QEMU (-no-reboot) exits 0. */
    { .name = "triple", .ringsim_args = "", .qemu_args = "",
      .expect_status = 1, .qemu_reset = 1 },
    { .name = "sys_exc", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_seg", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_priv", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_desc", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_io", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_task", .ringsim_args = "", .qemu_args = "" },
    /* NX needs a CPU model that has it: qemu32 lacks it by default. */
    { .name = "sys_paging", .ringsim_args = "", .qemu_args = "-cpu qemu32,+nx" },
    { .name = "sys_smep", .ringsim_args = "", .qemu_args = "-cpu qemu32,+smep,+smap" },
    { .name = "sys_msr", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_dbg", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_v86", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_intr", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_gate16", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_combo", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_v86irq", .ringsim_args = "", .qemu_args = "" },
    { .name = "sys_ss0", .ringsim_args = "", .qemu_args = "",
      .no_oracle = "QEMU 7.2 does not check the new stack's limit while pushing an interrupt frame" },
    /* #DF through a task gate to a bad TSS: shutdown, as triple. */
    { .name = "triple_df", .ringsim_args = "", .qemu_args = "",
      .expect_status = 1, .qemu_reset = 1 },
    /* 64-bit images: long mode needs qemu-system-x86_64. */
    { .name = "lm_sys", .ringsim_args = "", .qemu_args = "",
      .qemu = "qemu-system-x86_64" },
    /* CR4.FSGSBASE needs a model that has it (a CR4 write QEMU rejects hangs it). */
    { .name = "lm_syscall", .ringsim_args = "", .qemu_args = "-cpu max",
      .qemu = "qemu-system-x86_64" },
    /* 1 GiB pages need a model that has them (qemu64 lacks pdpe1gb). */
    { .name = "lm_paging", .ringsim_args = "", .qemu_args = "-cpu max",
      .qemu = "qemu-system-x86_64" },
    /* 5-level paging needs a model with la57. */
    { .name = "lm_la57", .ringsim_args = "", .qemu_args = "-cpu max",
      .qemu = "qemu-system-x86_64" },
    { .name = "lm_pcid", .ringsim_args = "", .qemu_args = "",
      .no_oracle = "QEMU 7.2's TCG has no PCID or INVPCID" },
    { .name = "lm_cr", .ringsim_args = "", .qemu_args = "",
      .no_oracle = "QEMU 7.2 takes reserved CR0 bits and hangs on rejected CR3/CR4 writes" },
};

/* The module path is relative to the build directory. */
static void with_build_dir(const char *in, char *out, size_t len)
{
    const char *at = strstr(in, "GUEST/");
    if (!at) {
        snprintf(out, len, "%s", in);
        return;
    }
    snprintf(out, len, "%.*s%s/guest/%s", (int)(at - in), in, build_dir(), at + 6);
}

static void run_named(const char *name)
{
    for (size_t i = 0; i < sizeof images / sizeof images[0]; i++) {
        if (strcmp(images[i].name, name)) continue;
        char rs[512], qa[512];
        with_build_dir(images[i].ringsim_args, rs, sizeof rs);
        with_build_dir(images[i].qemu_args, qa, sizeof qa);
        struct image img = images[i];
        img.ringsim_args = rs;
        img.qemu_args = qa;
        check_image(&img);
        return;
    }
    cr_assert_fail("no guest image named %s", name);
}

TestSuite(guest, .timeout = 330);   /* hang guards, not timings: shared machines are slow */

Test(guest, hello_multiboot_handover) { run_named("hello"); }
Test(guest, mbinfo_multiboot_information) { run_named("mbinfo"); }
Test(guest, pic_8259_polled) { run_named("pic"); }
Test(guest, pit_8254_and_port61_polled) { run_named("pit"); }
Test(guest, uart_16550_loopback) { run_named("uart"); }
Test(guest, cmos_rtc_and_memory_size) { run_named("cmos"); }
Test(guest, fwcfg_and_pci_config) { run_named("fwcfg_pci"); }
Test(guest, rom_reset_vector_and_interrupts) { run_named("rom_timer"); }
Test(guest, irq_pic_masking_eoi_priority) { run_named("irq_pic"); }
Test(guest, irq_pit_rate_in_virtual_time) { run_named("irq_pit"); }
Test(guest, irq_uart_thre_transmit) { run_named("irq_uart"); }
Test(guest, apic_local_and_io) { run_named("apic"); }
Test(guest, triple_fault_stops_the_machine) { run_named("triple"); }
Test(guest, sys_exceptions_vectors_errors_frames) { run_named("sys_exc"); }
Test(guest, sys_segment_loads_limits_lar_lsl) { run_named("sys_seg"); }
Test(guest, sys_privilege_transitions_and_gates) { run_named("sys_priv"); }
Test(guest, sys_descriptor_tables_and_far_transfers) { run_named("sys_desc"); }
Test(guest, sys_iopl_and_io_bitmap) { run_named("sys_io"); }
Test(guest, sys_hardware_task_switches) { run_named("sys_task"); }
Test(guest, sys_paging_32bit_pae_ad_bits_tlb) { run_named("sys_paging"); }
Test(guest, sys_smep_smap) { run_named("sys_smep"); }
Test(guest, sys_msrs_and_sysenter) { run_named("sys_msr"); }
Test(guest, sys_debug_registers) { run_named("sys_dbg"); }
Test(guest, sys_virtual_8086_mode) { run_named("sys_v86"); }
Test(guest, sys_nmi_shadows_hlt) { run_named("sys_intr"); }
Test(guest, sys_16_bit_gates_and_tss) { run_named("sys_gate16"); }
Test(guest, sys_exception_combinations_and_switch_faults) { run_named("sys_combo"); }
Test(guest, sys_v86_hardware_interrupts) { run_named("sys_v86irq"); }
Test(guest, sys_new_stack_limit_faults) { run_named("sys_ss0"); }
Test(guest, triple_fault_from_a_double_fault_task_gate) { run_named("triple_df"); }
Test(guest, lm_long_mode_canonical_idt_compat) { run_named("lm_sys"); }
Test(guest, lm_syscall_sysret_and_base_msrs) { run_named("lm_syscall"); }
Test(guest, lm_four_level_paging) { run_named("lm_paging"); }
Test(guest, lm_five_level_paging) { run_named("lm_la57"); }
Test(guest, lm_pcid_tlb_invpcid) { run_named("lm_pcid"); }
Test(guest, lm_control_register_rules) { run_named("lm_cr"); }

/* ---- the command line as a user meets it -------------------------------- */

/* Run ringsim with args; its exit status, stderr kept in err_path. */
static int ringsim_status(const char *args, const char *err_path)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s/ringsim %s 2>%s >/dev/null", build_dir(), args, err_path);
    return run_shell(cmd);
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, c;
    while (f && (c = fgetc(f)) != EOF) n += c == '\n';
    if (f) fclose(f);
    return n;
}

static int files_equal(const char *a, const char *b)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", a, b);
    return run_shell(cmd) == 0;
}

Test(cli, the_same_image_and_options_give_byte_identical_traces)
{
    char args[512], t1[64] = "/tmp/ringsim-trace1-XXXXXX", t2[64] = "/tmp/ringsim-trace2-XXXXXX";
    char err[64] = "/tmp/ringsim-err-XXXXXX";
    close(mkstemp(t1)); close(mkstemp(t2)); close(mkstemp(err));
    snprintf(args, sizeof args, "--bios %s/guest/rom_timer.rom --serial null --trace=all "
             "--trace-file %s", build_dir(), t1);
    cr_assert_eq(EXIT_ALL_PASSED, ringsim_status(args, err));
    snprintf(args, sizeof args, "--bios %s/guest/rom_timer.rom --serial null --trace=all "
             "--trace-file %s", build_dir(), t2);
    cr_assert_eq(EXIT_ALL_PASSED, ringsim_status(args, err));
    cr_expect_gt(count_lines(t1), 100, "the trace has events (irq, io, exceptions)");
    cr_expect(files_equal(t1, t2), "two runs wrote different traces: %s %s", t1, t2);
    unlink(t1); unlink(t2); unlink(err);
}

Test(cli, a_truncated_or_garbage_kernel_gives_one_line_and_status_2)
{
    char src[256], cut[64] = "/tmp/ringsim-cut-XXXXXX", err[64] = "/tmp/ringsim-err-XXXXXX";
    char args[512], cmd[600];
    int fd = mkstemp(cut);
    close(fd); close(mkstemp(err));
    snprintf(src, sizeof src, "%s/guest/hello.elf", build_dir());
    for (int len = 0; len <= 200; len += 40) {
        snprintf(cmd, sizeof cmd, "head -c %d %s > %s", len, src, cut);
        cr_assert_eq(0, run_shell(cmd));
        snprintf(args, sizeof args, "--kernel %s", cut);
        cr_expect_eq(2, ringsim_status(args, err), "truncated to %d bytes", len);
        cr_expect_eq(1, count_lines(err), "one line of explanation for %d bytes", len);
    }
    snprintf(cmd, sizeof cmd, "head -c 5000 /dev/urandom > %s", cut);
    run_shell(cmd);
    cr_expect_eq(2, ringsim_status(args, err), "random bytes");
    cr_expect_eq(1, count_lines(err));
    unlink(cut); unlink(err);
}

static int file_contains(const char *path, const char *text)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "grep -q -F -- '%s' %s", text, path);
    return run_shell(cmd) == 0;
}

/* The stop message of a shutdown names it and the fault that made it. */
Test(cli, a_triple_fault_stops_with_status_1_and_names_the_faults)
{
    char args[512], err[64] = "/tmp/ringsim-err-XXXXXX", first[256] = "";
    close(mkstemp(err));
    snprintf(args, sizeof args, "--kernel %s/guest/triple.elf --serial null", build_dir());
    int status = ringsim_status(args, err);
    int ok = status == 1 && file_contains(err, "triple fault") && file_contains(err, "#DF");
    FILE *f = fopen(err, "r");
    if (f && !fgets(first, sizeof first, f)) first[0] = 0;
    if (f) fclose(f);
    unlink(err);
    cr_expect_eq(status, 1, "exit status of a triple fault");
    cr_expect(ok, "the stop message names \"triple fault\" and \"#DF\": \"%.*s\"",
              (int)strcspn(first, "\n"), first);
}

/* #DF through a task gate to a bad TSS: the message names the whole chain. */
Test(cli, a_fault_in_the_double_fault_task_switch_is_a_triple_fault_naming_the_chain)
{
    char args[512], err[64] = "/tmp/ringsim-err-XXXXXX", first[256] = "";
    close(mkstemp(err));
    snprintf(args, sizeof args, "--kernel %s/guest/triple_df.elf --serial null", build_dir());
    int status = ringsim_status(args, err);
    int ok = file_contains(err, "triple fault") && file_contains(err, "#GP -> #NP -> #DF -> #TS");
    FILE *f = fopen(err, "r");
    if (f && !fgets(first, sizeof first, f)) first[0] = 0;
    if (f) fclose(f);
    unlink(err);
    cr_expect_eq(status, 1, "exit status of a triple fault");
    cr_expect(ok, "the stop message names the chain #GP -> #NP -> #DF -> #TS: \"%.*s\"",
              (int)strcspn(first, "\n"), first);
}

Test(cli, an_unknown_option_gives_status_2)
{
    char err[64] = "/tmp/ringsim-err-XXXXXX";
    close(mkstemp(err));
    cr_expect_eq(2, ringsim_status("--no-such-option", err));
    cr_expect_eq(2, ringsim_status("--mem 12Q", err));
    cr_expect_eq(2, ringsim_status("--trace=nonsense --kernel x", err));
    unlink(err);
}
