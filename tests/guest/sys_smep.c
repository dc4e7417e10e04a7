/* sys_smep.c - SMEP and SMAP under 32-bit paging (SDM Vol. 3 sec. 4.6): a
 * supervisor fetch from a user page (#PF with I/D, which SMEP reports even
 * without PAE), supervisor reads and writes of user pages with EFLAGS.AC
 * clear (#PF) and set by STAC, CLAC, STAC at CPL 3 (#UD).  The kernel's own
 * pages are made supervisor pages first.
 */
#include "lib/sys.h"

static struct fault f;
uint32_t addr_in, val_out;

ASM_FN(k_read, "mov addr_in, %ecx\n" LABEL(k_read_at) "mov (%ecx), %eax\n mov %eax, val_out\n ret");
ASM_FN(k_write, "mov addr_in, %ecx\n" LABEL(k_write_at) "movl $0x7777, (%ecx)\n ret");
ASM_FN(k_call, "mov addr_in, %ecx\n call *%ecx\n ret");
ASM_FN(k_stac_read, "mov addr_in, %ecx\n stac\n mov (%ecx), %eax\n mov %eax, val_out\n clac\n ret");
ASM_FN(k_clac_read, "mov addr_in, %ecx\n stac\n clac\n" LABEL(k_clac_read_at) "mov (%ecx), %eax\n ret");
/* Ring-3 code on a page of its own (the only user page of the image's code). */
void u_stac(void), u_read(void);
__asm__(".section .text.user, \"ax\"\n .p2align 12\n"
        ".globl user_page\n user_page:\n"
        ".globl u_stac\n u_stac:\n" LABEL(u_stac_at) "stac\n int $0x80\n"
        ".globl u_read\n u_read: mov $0x300000, %ecx\n mov (%ecx), %eax\n int $0x80\n"
        ".p2align 12\n .text");
extern char k_read_at[], k_write_at[], k_clac_read_at[], u_stac_at[], user_page[];

#define CR4_PSE 0x10u
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)
#define UPAGE 0x300000u                 /* a user page: data */
#define UCODE_PAGE 0x301000u            /* a user page holding RET */
#define KPAGE 0x302000u                 /* a supervisor page holding RET */

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    uint32_t cr3 = paging32_build();
    for (unsigned i = 0; i < 1024; i++) {            /* everything supervisor ... */
        pt32_low[i] &= ~PTE_U;
        pd32[i] &= ~PTE_U;
    }
    pd32[0] |= PTE_U;                                /* ... but the 0-4 MiB table lets U through */
    pt32_low[UPAGE >> 12] |= PTE_U;
    pt32_low[UCODE_PAGE >> 12] |= PTE_U;
    pt32_low[(uint32_t)user_stack >> 12] |= PTE_U;  /* ring 3's stack and code */
    pt32_low[(uint32_t)user_page >> 12] |= PTE_U;
    *(volatile uint8_t *)UCODE_PAGE = 0xC3;
    *(volatile uint8_t *)KPAGE = 0xC3;
    *(volatile uint32_t *)UPAGE = 0x1234ABCD;
    paging_on(cr3, CR4_PSE);

    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    check_eq("smep_cpuid_advertised", 1u << 7, b & 1u << 7);
    check_eq("smap_cpuid_advertised", 1u << 20, b & 1u << 20);

    addr_in = UCODE_PAGE;
    check_eq("smep_off_user_fetch_ok", (uint32_t)NO_FAULT, (uint32_t)run_catch(k_call, &f));
    write_cr4(read_cr4() | CR4_SMEP);
    check_eq("smep_on", CR4_SMEP, read_cr4() & CR4_SMEP);
    run_catch(k_call, &f);
    check_fault("smep_supervisor_fetch_user_page", &f, 14, 0x11, (void *)UCODE_PAGE);
    check_eq("smep_cr2", UCODE_PAGE, f.cr2);
    addr_in = KPAGE;
    check_eq("smep_supervisor_fetch_kernel_page_ok", (uint32_t)NO_FAULT, (uint32_t)run_catch(k_call, &f));
    addr_in = UPAGE;
    check_eq("smep_supervisor_read_user_data_ok", (uint32_t)NO_FAULT, (uint32_t)run_catch(k_read, &f));
    write_cr4(read_cr4() & ~CR4_SMEP);

    write_cr4(read_cr4() | CR4_SMAP);
    check_eq("smap_on", CR4_SMAP, read_cr4() & CR4_SMAP);
    addr_in = UPAGE;
    run_catch(k_read, &f);
    check_fault("smap_supervisor_read_user_page", &f, 14, 0x1, k_read_at);
    check_eq("smap_read_cr2", UPAGE, f.cr2);
    run_catch(k_write, &f);
    check_fault("smap_supervisor_write_user_page", &f, 14, 0x3, k_write_at);
    val_out = 0;
    check_eq("smap_stac_allows_read", (uint32_t)NO_FAULT, (uint32_t)run_catch(k_stac_read, &f));
    check_eq("smap_stac_read_value", 0x1234ABCD, val_out);
    run_catch(k_clac_read, &f);
    check_fault("smap_clac_forbids_again", &f, 14, 0x1, k_clac_read_at);
    run_user(u_stac, &f);
    check_fault("smap_stac_at_cpl3_ud", &f, 6, NO_ERROR, u_stac_at);
    check_eq("smap_user_read_user_page_ok", (uint32_t)NO_FAULT, (uint32_t)run_user(u_read, &f));
    check_eq("smap_user_read_value", 0x1234ABCD, f.eax);
    write_cr4(read_cr4() & ~CR4_SMAP);
    paging_off();
}
