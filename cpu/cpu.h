/* cpu.h - the architectural state of one x86 processor and the core's public API.
 *
 * One explicit state pointer (struct cpu *) is the first parameter of every
 * function; there are no hidden globals, so several machines can live in one
 * process.  Register layout and naming follow the Intel SDM Vol. 1 ch. 3 and
 * Vol. 3 ch. 2-3.
 */
#ifndef RINGSIM_CPU_H
#define RINGSIM_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mmu/tlb.h"

struct bus;
struct insn;
struct block;
struct decode_cache;

/* General-purpose registers, in ModRM encoding order. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* Segment registers in the sreg encoding order, then the system segments. */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_COUNT };
#define SEG_NONE 0xFF

/* RFLAGS bits (SDM Vol. 1 3.4.3). */
#define FL_CF   (1u << 0)
#define FL_1    (1u << 1)   /* reserved, always 1 */
#define FL_PF   (1u << 2)
#define FL_AF   (1u << 4)
#define FL_ZF   (1u << 6)
#define FL_SF   (1u << 7)
#define FL_TF   (1u << 8)
#define FL_IF   (1u << 9)
#define FL_DF   (1u << 10)
#define FL_OF   (1u << 11)
#define FL_IOPL (3u << 12)
#define FL_NT   (1u << 14)
#define FL_RF   (1u << 16)
#define FL_VM   (1u << 17)
#define FL_AC   (1u << 18)
#define FL_VIF  (1u << 19)
#define FL_VIP  (1u << 20)
#define FL_ID   (1u << 21)
#define FL_STATUS (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* Control-register bits the core consults (the rest arrive with the system issue). */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_TSD (1u << 2)
/* Control-register, EFER and page-table bits of the paging and control-register
 * code (mmu/paging.c, cpu/control.c; SDM Vol. 3 2.5, 4.5). */
#define CR4_VME  (1u << 0)
#define CR4_PVI  (1u << 1)
#define CR4_DE   (1u << 3)
#define CR4_PSE  (1u << 4)
#define CR4_PAE  (1u << 5)
#define CR4_MCE  (1u << 6)
#define CR4_PGE  (1u << 7)
#define CR4_PCE  (1u << 8)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP (1u << 11)
#define CR4_LA57 (1u << 12)
#define CR4_FSGSBASE (1u << 16)
#define CR4_PCIDE (1u << 17)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)
#define CR3_NOFLUSH (1ull << 63)    /* MOV to CR3 with CR4.PCIDE: keep the PCID's entries */
/* Physical address width (CPUID 0x80000008 EAX[7:0]): bits at and above it
 * are reserved in CR3 and in page-table entries. */
#define CPU_MAXPHYADDR 36
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* Descriptor attribute bits as kept in the hidden segment cache: bits 40-47 and
 * 52-55 of the descriptor packed into 12 bits (the VMX "access rights" layout). */
#define SA_TYPE   0x000Fu
#define SA_S      0x0010u   /* code/data (1) or system (0) */
#define SA_DPL    0x0060u
#define SA_P      0x0080u
#define SA_AVL    0x1000u
#define SA_L      0x2000u   /* 64-bit code segment */
#define SA_DB     0x4000u   /* default operand size / big */
#define SA_G      0x8000u
#define SA_CODE   0x0008u   /* type bit 3 with S=1 */
#define SA_EXPDOWN_OR_CONFORMING 0x0004u
#define SA_WRITE_OR_READ 0x0002u

struct segment {
    uint16_t sel;
    uint16_t attr;
    uint32_t limit;     /* byte-granular effective limit (G already applied) */
    uint64_t base;
};

/* How instructions decode: default operand/address size 16 or 32, or 64-bit mode. */
enum dmode { DM_16, DM_32, DM_64 };

/* The processor's operating mode (SDM Vol. 3 2.2). Compatibility mode is
 * MODE_PROT16/32 with EFER.LMA set. */
enum cpu_mode { MODE_REAL, MODE_V86, MODE_PROT, MODE_LONG };

/* Lazy flags (ARCHITECTURE.md): arithmetic records operands, result and kind;
 * the six status flags are computed only when something reads them. */
enum lf_op {
    LF_NONE,    /* status flags are up to date in cpu->rflags */
    LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC,
};
struct lazy_flags {
    uint64_t dst, src, res;
    uint8_t  op;        /* enum lf_op */
    uint8_t  size;      /* operand size in bytes */
    uint8_t  carry_in;  /* ADC/SBB carry in; INC/DEC the preserved CF */
};

/* Vendor profile: decides what the SDM leaves undefined (flags after MUL,
 * shifts, BSF of zero ...), how 66h affects near branches in 64-bit mode, and
 * what CPUID says.  The host CPU is the oracle for its own vendor. */
enum cpu_vendor { VENDOR_INTEL, VENDOR_AMD };

/* Features a profile can switch on and off (--cpu intel,-popcnt), each one
 * implemented and advertised by CPUID only when on.  cpu/features.c holds
 * their QEMU names and CPUID bits; rows of opcodes.def name the one they need. */
enum cpu_feature {
    FEAT_TSC, FEAT_CX8, FEAT_CMOV, FEAT_CX16, FEAT_MOVBE, FEAT_POPCNT, FEAT_BMI1,
    FEAT_BMI2, FEAT_LAHF_LM, FEAT_ABM, FEAT_RDTSCP, FEAT_LM,
    /* paging and control registers (mmu/paging.c, cpu/control.c) */
    FEAT_DE, FEAT_PSE, FEAT_PAE, FEAT_PGE, FEAT_PSE36, FEAT_PCID, FEAT_INVPCID, FEAT_SMEP,
    FEAT_SMAP, FEAT_UMIP, FEAT_PDPE1GB, FEAT_LA57,
    /* System features (cpu/msr.c, cpu/fastcall.c). */
    FEAT_MSR, FEAT_APIC, FEAT_SEP, FEAT_SYSCALL, FEAT_NX, FEAT_PAT, FEAT_MTRR, FEAT_FSGSBASE,
    FEAT_COUNT,
};
#define CPU_FEAT(f) (1ull << (f))
#define CPU_FEATURES_ALL ((1ull << FEAT_COUNT) - 1)

struct cpu_model {
    const char *name;
    enum cpu_vendor vendor;
    uint32_t family, model, stepping;
    const struct cycle_table *cycles;
    bool verified;      /* its undefined results were checked against a host of its vendor */
    uint64_t features;  /* CPU_FEAT bits the profile starts with */
};
extern const struct cpu_model cpu_model_intel;
extern const struct cpu_model cpu_model_amd;
const struct cpu_model *cpu_model_find(const char *name);
const struct cpu_model *cpu_model_host(void);

/* Parse "MODEL[,+feature,-feature...]" (QEMU's names, '-' or '_'): the model
 * and its feature set, later switches winning.  0, or -1 with a message in err
 * naming the offending word (and the issue that brings a feature not yet
 * implemented). */
int cpu_features_parse(const char *spec, const struct cpu_model **model, uint64_t *features,
                       char *err, size_t errlen);

/* Why cpu_run returned. */
enum cpu_exit {
    EXIT_BUDGET,        /* executed the number of instructions asked for */
    EXIT_EXCEPTION,     /* stop_on_exception set and an exception was raised */
    EXIT_HALT,          /* HLT with interrupts disabled and nothing pending, or halted */
    EXIT_SHUTDOWN,      /* triple fault or an unrecoverable delivery problem */
    EXIT_STOP,          /* cpu_request_stop() from a device, a front end or the debugger */
};

enum { SHADOW_NONE, SHADOW_STI, SHADOW_MOV_SS };
#define DR6_BS (1u << 14)       /* single-step */

/* Exception vectors (SDM Vol. 3 table 6-1). */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13,
    EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19, EXC_VE = 20,
    EXC_CP = 21,
};
#define EXC_NO_ERROR 0xFFFFFFFFu

/* A direct-mapped software TLB in front of the (later) page walker.  Entries
 * cache host pointers for RAM only; MMIO and code pages that must see their
 * writes go through the slow path.  Tags are linear page addresses with the
 * low bit set when valid. */
#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)
struct tlb_entry {
    uint64_t tag_read, tag_write, tag_fetch;
    uintptr_t addend;           /* host pointer = linear address + addend */
    uint64_t phys;              /* physical page, for code tracking and traces */
};

/* Counts of opcode-table rows executed, for the coverage report and traces. */
struct cpu_stats {
    uint64_t deferred_ud;       /* #UD raised for a form that a later issue implements */
    uint64_t blocks_decoded, blocks_invalidated, smc_writes;
    uint64_t blocks_run;        /* block dispatches (one per entry, however many insns) */
};

/* The debugger's own breakpoints and watchpoints (gdbstub/): no guest
 * register holds them and no guest exception reports them; a hit stops
 * cpu_run with EXIT_STOP and says what it was here (cpu/debug.c). */
enum { HOST_WATCH_WRITE = 1, HOST_WATCH_READ = 2, HOST_WATCH_ACCESS = 3 };
enum { HOST_HIT_NONE, HOST_HIT_BREAK, HOST_HIT_WATCH };
/* Who set a debugger breakpoint or watchpoint: the table is one, shared by
 * the front ends; an entry lives while any owner keeps it. */
enum { HOST_OWNER_GDB = 1, HOST_OWNER_UI = 2, HOST_OWNER_TRACK = 4 };
struct host_watch { uint64_t addr, len; uint8_t kind, owners; };
struct host_bp { uint64_t lin; uint8_t owners; };
struct host_debug {
    struct host_bp *bp;         /* linear PCs, sorted, no duplicates (each one a code hook) */
    size_t nbp, bp_cap;
    struct host_watch *watch;
    size_t nwatch, watch_cap;
    uint64_t skip_pc;           /* the run resumes here: its breakpoint is passed once */
    uint64_t skip_instret;
    uint8_t hit;                /* HOST_HIT_*: why the last run stopped; the debugger clears it */
    uint8_t hit_kind;           /* HOST_WATCH_* of a watch hit */
    uint8_t hit_owners;         /* HOST_OWNER_* of the breakpoint or watchpoint hit */
    uint64_t hit_addr;          /* the watchpoint's address, or the breakpoint's PC */
};

/* Code hooks (cpu/hook.c): functions called before the instruction at a
 * linear address (CS.base + RIP) executes, at block granularity.  A hooked
 * address always starts a decoded block, and the loop calls the hooks when it
 * enters a block flagged as hooked, so the rest of the code runs at full
 * speed.  The same linear address under another CR3 is the same hook. */
typedef void cpu_hook_fn(struct cpu *cpu, void *ctx, uint64_t lin);
struct cpu_hook {
    uint64_t lin;
    cpu_hook_fn *fn;
    void *ctx;
};
struct cpu_hooks {
    struct cpu_hook *v;         /* sorted by lin; equal ones in the order added */
    size_t n, cap;
    /* The hooks at skip_lin have run for the instruction about to execute
     * with instret == skip_instret: entering it again (a run resumed after a
     * hook stopped it) does not call them twice. */
    bool skip;
    uint64_t skip_lin, skip_instret;
};

struct cpu {
    uint64_t gpr[16];
    uint64_t rip;
    uint64_t rflags;            /* the status bits are stale while lf.op != LF_NONE */
    struct lazy_flags lf;
    struct segment seg[SEG_COUNT];
    struct { uint64_t base; uint16_t limit; } gdtr, idtr;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer;
    uint64_t dr[8];
    uint64_t tsc_offset;
    uint64_t tsc_aux;

    /* Model-specific registers (cpu/msr.c holds their table and rules). */
    struct {
        uint64_t apic_base;         /* IA32_APIC_BASE as last accepted */
        uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
        uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
        uint64_t pat, misc_enable;
        uint64_t mtrr_def_type, mtrr_var[16];   /* PHYSBASE0, PHYSMASK0, ... */
        uint64_t mtrr_fixed[11];                /* 64K_00000, 16K_80000/A0000, 4K_C0000... */
    } msr;
    /* IA32_APIC_BASE writes go to the board (the local APIC's window moves,
     * enables or disables); NULL without one.  Called after the MSR's own
     * reserved-bit checks. */
    void (*apic_base_write)(void *ctx, uint64_t value);
    /* CR8 is the local APIC's TPR[7:4]: without an APIC it is plain storage. */
    unsigned (*cr8_read)(void *ctx);
    void (*cr8_write)(void *ctx, unsigned cr8);
    void *apic_ctx;

    /* Derived from the above by cpu_update_mode(); read on every instruction. */
    uint8_t cpl;
    bool    cs_from_real;       /* CS still holds its real-mode value after CR0.PE was set */
    bool    align_check;        /* CR0.AM at CPL 3: data accesses check EFLAGS.AC alignment */
    struct {
        uint8_t exec, data;     /* DR0-DR3 enabled as instruction / data breakpoints */
        uint8_t pending;        /* data breakpoints hit by the running instruction */
    } dbg;
    struct host_debug host;     /* the debugger's breakpoints (not architectural) */
    struct cpu_hooks hooks;     /* code hooks: tracers, the debugger's breakpoints */
    uint8_t mode;               /* enum cpu_mode */
    uint8_t dmode;              /* enum dmode for CS */
    uint8_t stack_size;         /* 2, 4 or 8: SS.B or 64-bit mode */
    uint8_t seg_flat;           /* bit per segment: base 0, writable, no limit to check */
    uint64_t ip_mask;           /* 0xFFFF, 0xFFFFFFFF or all ones: IP width of CS */
    uint8_t la_shift;           /* 64 - linear-address width: 7 with 5-level paging
                                   active (EFER.LMA and CR4.LA57), else 16 */

    const struct cpu_model *model;
    uint64_t features;          /* CPU_FEAT bits: CPUID reports them, the decoder honours them */
    struct bus *bus;            /* physical memory and ports */

    /* The speed TLB of the current CPL class: tlb_set[tlb_cur], 0 for CPL
     * 0-2, 1 for CPL 3.  Each set keeps its own fill across privilege
     * changes, so a system call does not empty it. */
    struct tlb_entry *tlb;
    struct decode_cache *dc;

    /* Paging (mmu/paging.c, mmu/tlb.c, cpu/control.c): the architectural
     * TLB, the PAE PDPTE registers loaded from CR3, and the permission
     * context the speed TLB above was filled under (paging_mode_changed). */
    struct arch_tlb atlb;
    uint64_t pdpte[4];
    uint8_t  speed_ctx;         /* the context of the current set (set_ctx[tlb_cur]) */
    uint32_t fetch_gen;         /* the current set's generation (set_gen[tlb_cur]): a new
                                   one whenever the set loses or changes a fetch translation;
                                   jump-cache entries hold for one generation */
    unsigned tlb_cur;
    uint8_t  set_ctx[2];
    uint32_t set_gen[2];
    uint32_t gen_counter;       /* generations are unique across both sets */
    struct tlb_entry tlb_set[2][TLB_SIZE];
    void (*on_cr3)(void *ctx, uint64_t old, uint64_t new_cr3, unsigned pcid, bool noflush);
    void (*on_tlb_flush)(void *ctx, unsigned cause, uint64_t addr, unsigned pcid);

    /* Execution. */
    uint64_t insn_start;        /* RIP of the instruction being executed */
    const struct block *cur_block;  /* the block being executed */
    uint64_t block_rip;         /* RIP of its first instruction */
    jmp_buf *unwind;            /* where cpu_raise() lands: the dispatch loop */
    uint64_t run_end;           /* instret at which the current cpu_run stops */
    uint64_t instret;           /* retired instructions: drives virtual time */
    uint64_t cycles;            /* modelled cycles */
    bool     cycle_model;       /* add per-class costs (on by default) */
    int      events;            /* nonzero: leave the block after this instruction */
    bool     stop_requested;
    bool     halted;
    bool     stop_on_exception; /* tests and the differential tester: report, do not deliver */

    /* What the dispatch loop looks at between blocks, in one word so that a
     * single load tests it all (cpu_run). */
    union {
        struct {
            /* External interrupts (SDM Vol. 3 6.8.1): the machine drives the
             * INTR pin from the interrupt controller's output; at an
             * instruction boundary with IF = 1 and no interrupt shadow the CPU
             * runs the INTA cycle. */
            bool    intr;               /* INTR pin level: use cpu_set_intr() */
            uint8_t interrupt_shadow;   /* SHADOW_STI or SHADOW_MOV_SS while the next
                                           instruction is shielded from interrupts
                                           (MOV SS: debug traps too) */
            /* NMI (SDM Vol. 3 6.7.1): an edge latched by cpu_set_nmi(), taken
             * at an instruction boundary before INTR whatever IF says. */
            bool    nmi_pending;
            /* EFLAGS.TF may be set or a DR0-DR3 instruction breakpoint is enabled:
             * run one instruction at a time (set with TF by cpu_set_flags and
             * by debug_update; the loop clears it when neither holds). */
            bool    debug_step;
        };
        uint32_t attention;
    };
    int    (*intr_ack)(void *ctx);   /* INTA: the vector (0-255), or -1 for none after all */
    void    *intr_ctx;
    bool     nmi_blocked;       /* further NMIs wait while one is handled, until IRET */

    /* Observers for traces, the UI and the debugger: called as events happen,
     * never changing them.  NULL when nobody listens. */
    void (*on_exception)(void *ctx, int vector, uint32_t error, int source);
    void (*on_mode)(void *ctx, unsigned mode, unsigned dmode, unsigned cpl);
    /* After a successful delivery: the gate it went through ("IVT", "32-bit
     * interrupt gate", "task gate" ...) and the privilege before and after. */
    void (*on_delivered)(void *ctx, int vector, const char *gate, unsigned old_cpl,
                         unsigned new_cpl);
    void *observer;

    /* The last exception, as raised. */
    int      exc_vector;
    uint32_t exc_error;
    int      exc_source;        /* enum int_source (system.h) */
    bool     delivering;        /* inside exception delivery: a new fault combines (#DF) */
    int      first_vector;      /* the exception being delivered, for the #DF table */
    const char *gate;           /* the kind of gate the last delivery used */
    bool     task_rf;           /* a fault goes through a task gate: the TSS image gets RF */
    uint32_t ext;               /* 1 while delivering an event external to the program:
                                   the EXT bit of selector error codes (SDM Vol. 3 6.13) */
    uint8_t  chain[6];          /* vectors of a fault chain, for the triple-fault message */
    uint8_t  chain_len;
    uint64_t rf_until;          /* EFLAGS.RF set by IRET or a task switch lasts until the
                                   next instruction completes: instret below this */
    const char *deferred_what;  /* what a deferred #UD stood for */
    enum cpu_exit exit_reason;
    char     stop_message[160];

    struct cpu_stats stats;
};

/* Lifetime and state. */
int  cpu_init(struct cpu *cpu, struct bus *bus, const struct cpu_model *model);
void cpu_free(struct cpu *cpu);
void cpu_reset(struct cpu *cpu);             /* the architectural reset state (SDM 9.1.1) */
void cpu_set_flat32(struct cpu *cpu);        /* 32-bit protected mode, flat 4 GiB segments, CPL 0 */
void cpu_set_flat64(struct cpu *cpu);        /* 64-bit mode, flat, CPL 0, paging left to the caller */
void cpu_set_real(struct cpu *cpu);          /* real mode, segments at 0 */
void cpu_update_mode(struct cpu *cpu);       /* recompute the derived fields after a state change */
void cpu_load_seg_real(struct cpu *cpu, int seg, uint16_t sel);

/* Run up to max_insns instructions; returns why it stopped (also in cpu->exit_reason). */
enum cpu_exit cpu_run(struct cpu *cpu, uint64_t max_insns);
enum cpu_exit cpu_step(struct cpu *cpu);
/* instret and cycles as of the instruction now executing (exact inside a
 * block, where the fields themselves lag until the block ends). */
uint64_t cpu_instret_now(const struct cpu *cpu);
uint64_t cpu_cycles_now(const struct cpu *cpu);
/* Virtual time in cycles: modelled cycles, or retired instructions with the
 * cycle model off.  The TSC and the machine's clock both count this. */
uint64_t cpu_time_now(const struct cpu *cpu);
void cpu_request_stop(struct cpu *cpu);
/* The INTR pin; safe to call from a device callback in the middle of an
 * instruction: the CPU looks at it after that instruction. */
void cpu_set_intr(struct cpu *cpu, bool level);
/* The NMI pin: an edge (latched; a second one while pending is lost). */
void cpu_set_nmi(struct cpu *cpu);

/* Flags. */
uint64_t cpu_get_flags(struct cpu *cpu);         /* full RFLAGS with status bits computed */
void     cpu_set_flags(struct cpu *cpu, uint64_t value);   /* raw write, no privilege checks */

/* The one fault path: raise an exception.  Faults rewind RIP to the faulting
 * instruction; traps leave it after.  Never returns: unwinds to the dispatch loop. */
_Noreturn void cpu_raise(struct cpu *cpu, int vector, uint32_t error);

/* "#GP", "#PF" ... for vectors 0-31, "interrupt" above. */
const char *exception_name(int vector);

/* Decoded-code invalidation: the physical range was written by something
 * other than the CPU's own stores (a loader, a device, the debugger). */
void cpu_invalidate_code(struct cpu *cpu, uint64_t phys, uint64_t len);
void cpu_tlb_flush(struct cpu *cpu);

/* Code hooks: fn(cpu, ctx, lin) runs before each execution of the
 * instruction at linear address lin (a fault that restarts it runs it again).
 * Several hooks may share an address; they run in the order added.  A hook
 * may call cpu_request_stop(): the run then stops with EXIT_STOP before the
 * instruction, and resuming there does not call that address's hooks again.
 * Adding or removing one drops the decoded blocks it concerns.  Add: 0, or
 * -1 out of host memory (an identical hook is added once).  Remove: 0, or
 * -1 when no such (lin, fn, ctx) exists. */
int  cpu_hook_add(struct cpu *cpu, uint64_t lin, cpu_hook_fn *fn, void *ctx);
int  cpu_hook_remove(struct cpu *cpu, uint64_t lin, cpu_hook_fn *fn, void *ctx);
bool cpu_hook_at(const struct cpu *cpu, uint64_t lin);

/* Guest memory through segmentation and translation, for debuggers and
 * front ends: no exceptions, returns -1 where the address is not readable. */
int cpu_read_linear(struct cpu *cpu, uint64_t lin, void *buf, size_t len);

#endif
