# guest/guest.mk - the user-mode side of the built-in NT kernel: ntdll.elf
# (at 0x7C900000, its Nt/Zw stubs generated from ntkernel/services.tab by
# tools/gensvc.awk), kernel32.elf (at 0x7C800000, linked against ntdll's
# symbols with ld -R), the C runtime (crt0.o, libc.a), the session manager
# smss.elf and the demo programs (build/guest/apps/*.elf, built with
# guest/ntcc, the one-line recipe users get), packed into the boot ramdisk.
# Objects live under build/guest/obj, apart from tests/guest's images.

NTG_DIR    := $(BUILD)/guest
NTG_OBJ    := $(NTG_DIR)/obj
NTG_CFLAGS := -m32 -std=gnu11 -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
              -Iguest/include -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
              -fno-omit-frame-pointer -fno-tree-loop-distribute-patterns -mno-sse -mno-mmx -mno-80387 \
              -O2 -Wall -Wextra -Werror -MMD -MP
NTG_LD     := ld -m elf_i386 -z max-page-size=0x1000 -T guest/image.ld

NTDLL      := $(NTG_DIR)/ntdll.elf
KERNEL32   := $(NTG_DIR)/kernel32.elf
NTG_CRT0   := $(NTG_DIR)/crt0.o
NTG_LIBC   := $(NTG_DIR)/libc.a
NTG_SMSS   := $(NTG_DIR)/smss.elf
NTG_APPS   := $(patsubst guest/apps/%.c,$(NTG_DIR)/apps/%.elf,$(wildcard guest/apps/*.c))

NTDLL_OBJS    := $(NTG_OBJ)/gen/ntdll_stubs.o $(NTG_OBJ)/ntdll/ki.o $(NTG_OBJ)/ntdll/except.o \
                 $(NTG_OBJ)/ntdll/rtl.o $(NTG_OBJ)/libc/string.o $(NTG_OBJ)/libc/format.o
KERNEL32_OBJS := $(patsubst guest/%.c,$(NTG_OBJ)/%.o,$(wildcard guest/kernel32/*.c)) \
                 $(NTG_OBJ)/kernel32/thunk.o
NTG_LIBC_OBJS := $(NTG_OBJ)/libc/string.o $(NTG_OBJ)/libc/format.o $(NTG_OBJ)/libc/stdio.o \
                 $(NTG_OBJ)/libc/stdlib.o

# The boot ramdisk's files (the top Makefile packs them with tools/mkramdisk
# into build/ramdisk.img; base names inside).  smss.elf is the first process.
NTG_FILES     := $(NTG_SMSS) $(NTDLL) $(KERNEL32) $(NTG_APPS)
RAMDISK_FILES += $(NTG_FILES)

$(NTG_OBJ)/%.o: guest/%.c
	@mkdir -p $(@D)
	$(CC) $(NTG_CFLAGS) -c $< -o $@

$(NTG_OBJ)/%.o: guest/%.S
	@mkdir -p $(@D)
	$(CC) $(NTG_CFLAGS) -c $< -o $@

$(NTG_DIR)/gen/ntdll_stubs.S: ntkernel/services.tab tools/gensvc.awk
	@mkdir -p $(@D)
	awk -v what=ntdll -f tools/gensvc.awk ntkernel/services.tab > $@.tmp && mv $@.tmp $@

$(NTG_OBJ)/gen/ntdll_stubs.o: $(NTG_DIR)/gen/ntdll_stubs.S
	@mkdir -p $(@D)
	$(CC) $(NTG_CFLAGS) -c $< -o $@

# The DLLs have no entry point (e_entry 0); their symbols stay in the image:
# the kernel looks up ntdll's Ki* entry points by name.
$(NTDLL): $(NTDLL_OBJS) guest/image.ld
	$(NTG_LD) -Ttext-segment=0x7C900000 -e 0 -o $@ $(NTDLL_OBJS)

# ld -R copies ntdll's symbols into kernel32's table as absolute ones;
# they are ntdll's to export, so they leave kernel32's table again.
$(KERNEL32): $(KERNEL32_OBJS) $(NTDLL) guest/image.ld
	$(NTG_LD) -Ttext-segment=0x7C800000 -e 0 -o $@.tmp $(KERNEL32_OBJS) -R $(NTDLL)
	nm -g --defined-only $@.tmp | awk '$$2 == "A" { print $$3 }' > $@.abs
	objcopy --strip-symbols=$@.abs $@.tmp $@ && rm -f $@.tmp $@.abs

$(NTG_CRT0): $(NTG_OBJ)/libc/crt0.o
	cp $< $@

$(NTG_LIBC): $(NTG_LIBC_OBJS)
	@rm -f $@
	ar rcs $@ $^

NTG_RUNTIME := $(NTG_CRT0) $(NTG_LIBC) $(KERNEL32) $(NTDLL) guest/ntcc guest/image.ld

# Programs are built exactly as a user builds one (guest/ntcc), warnings as errors.
$(NTG_SMSS): guest/smss/smss.c $(NTG_RUNTIME)
	BUILD=$(BUILD) guest/ntcc -Wall -Wextra -Werror -MMD -MP -MF $(@:.elf=.d) $< -o $@

$(NTG_DIR)/apps/%.elf: guest/apps/%.c $(NTG_RUNTIME)
	@mkdir -p $(@D)
	BUILD=$(BUILD) guest/ntcc -Wall -Wextra -Werror -MMD -MP -MF $(@:.elf=.d) $< -o $@

.PHONY: guest-nt
guest-nt: $(NTG_FILES)
all: $(NTG_FILES)

# tests/unit/test_guest_sdk.c reads the images and runs guest/ntcc.
TEST_PROGRAMS += $(NTG_FILES)
$(BUILD)/tests/unit-tests $(BUILD)/asan/tests/unit-tests: | $(NTG_FILES)

.SECONDARY: $(NTDLL_OBJS) $(KERNEL32_OBJS) $(NTG_LIBC_OBJS) $(NTG_OBJ)/libc/crt0.o \
            $(NTG_DIR)/gen/ntdll_stubs.S
-include $(wildcard $(NTG_OBJ)/*/*.d $(NTG_DIR)/*.d $(NTG_DIR)/apps/*.d)

# tests/ntuser: the user-mode runtime run natively in a 32-bit Linux process
# with a stand-in for the kernel (tests/ntuser/ntuser.c), and the guest test
# programs it runs (tests/ntuser/rt_*.c, built with guest/ntcc);
# tests/unit/test_guest_runtime.c checks their output.
NTUSER      := $(BUILD)/tests/ntuser/ntuser
NTUSER_PROGS := $(patsubst tests/ntuser/%.c,$(BUILD)/tests/ntuser/%.elf,$(wildcard tests/ntuser/rt_*.c))

$(NTUSER): tests/ntuser/ntuser.c tests/ntuser/ntproc.c tests/ntuser/ntuser.h $(wildcard guest/include/*.h)
	@mkdir -p $(@D)
	$(CC) -m32 -std=gnu11 -O2 -g -fno-pie -no-pie -Wall -Wextra -Werror -I. -pthread -o $@ \
		tests/ntuser/ntuser.c tests/ntuser/ntproc.c

$(BUILD)/tests/ntuser/%.elf: tests/ntuser/%.c $(NTG_RUNTIME)
	@mkdir -p $(@D)
	BUILD=$(BUILD) guest/ntcc -Wall -Wextra -Werror -MMD -MP -MF $(@:.elf=.d) $< -o $@

TEST_PROGRAMS += $(NTUSER) $(NTUSER_PROGS)
$(BUILD)/tests/unit-tests $(BUILD)/asan/tests/unit-tests: | $(NTUSER) $(NTUSER_PROGS)
-include $(wildcard $(BUILD)/tests/ntuser/*.d)

include tests/ntsvc/ntsvc.mk
