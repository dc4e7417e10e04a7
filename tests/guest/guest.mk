# tests/guest/guest.mk - guest test images: freestanding 32-bit C or assembly
# with tests/guest/lib into Multiboot ELF images (build/guest/*.elf), and real-
# mode ROMs from tests/guest/rom_*.S (build/guest/*.rom, 64 KiB, reset vector
# last).  tests/check/test_guest.c runs each under ringsim and qemu-system-i386
# (qemu-system-x86_64 for the 64-bit lm_*.elf).

GUEST_DIR    := $(BUILD)/guest
GUEST_CFLAGS := -m32 -std=gnu11 -ffreestanding -nostdlib -fno-pic -fno-pie \
                -fno-stack-protector -mno-sse -mno-mmx -O2 -Wall -Wextra -Werror \
                -Itests/guest -MMD -MP
GUEST_LIB    := $(GUEST_DIR)/lib/crt0.o $(GUEST_DIR)/lib/guest.o $(GUEST_DIR)/lib/sys.o \
                $(GUEST_DIR)/lib/sys_stubs.o
GUEST_TESTS  := $(patsubst tests/guest/%.c,$(GUEST_DIR)/%.elf,\
                  $(filter-out tests/guest/lm_%.c,$(wildcard tests/guest/*.c)))
GUEST_ROMS   := $(patsubst tests/guest/%.S,$(GUEST_DIR)/%.rom,$(wildcard tests/guest/rom_*.S))

# 64-bit guests (tests/guest/lm_*.c): crt0_64.S enters long mode from the
# Multiboot entry.  Their C is compiled -m64 -fpie with hidden symbols, so all
# references are RIP-relative, and the assembly, after a .code64 line, goes
# into i386 objects: the image stays the ELF32 file Multiboot loaders take.
GUEST64_CFLAGS := -m64 -std=gnu11 -ffreestanding -nostdlib -fpie -fno-stack-protector \
                  -mno-red-zone -mno-sse -mno-mmx -fno-asynchronous-unwind-tables \
                  -fno-jump-tables -O2 -Wall -Wextra -Werror -Itests/guest \
                  -include tests/guest/lib/hidden64.h -MMD -MP
GUEST_LIB64  := $(GUEST_DIR)/lib/crt0_64.o $(GUEST_DIR)/lib/guest.o64 \
                $(GUEST_DIR)/lib/sys64.o64 $(GUEST_DIR)/lib/sys64_stubs.o
GUEST_TESTS64 := $(patsubst tests/guest/%.c,$(GUEST_DIR)/%.elf,$(wildcard tests/guest/lm_*.c))

GUEST_IMAGES := $(GUEST_TESTS) $(GUEST_TESTS64) $(GUEST_ROMS) $(GUEST_DIR)/hello.elf \
                $(GUEST_DIR)/module.txt

$(GUEST_DIR)/%.o: tests/guest/%.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_DIR)/%.o: tests/guest/%.S
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_DIR)/%.s64: tests/guest/%.c tests/guest/lib/hidden64.h
	@mkdir -p $(@D)
	$(CC) $(GUEST64_CFLAGS) -MF $(@:.s64=.d64) -S $< -o $@

$(GUEST_DIR)/%.o64: $(GUEST_DIR)/%.s64
	{ echo '.code64'; cat $<; } > $@.s && as --32 -o $@ $@.s && rm -f $@.s

$(GUEST_DIR)/lm_%.elf: $(GUEST_DIR)/lm_%.o64 $(GUEST_LIB64) tests/guest/guest.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/guest/guest.ld -o $@ $(GUEST_LIB64) $<

$(GUEST_DIR)/hello.elf: $(GUEST_DIR)/hello.o tests/guest/guest.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/guest/guest.ld -o $@ $<

$(GUEST_DIR)/%.elf: $(GUEST_DIR)/%.o $(GUEST_LIB) tests/guest/guest.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/guest/guest.ld -o $@ $(GUEST_LIB) $<

$(GUEST_DIR)/%.rom: $(GUEST_DIR)/%.o tests/guest/rom.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/guest/rom.ld -o $(@:.rom=.romelf) $<
	objcopy -O binary $(@:.rom=.romelf) $@
	@test $$(stat -c %s $@) -eq 65536 || { echo "$@: not 64 KiB"; rm -f $@; exit 1; }

$(GUEST_DIR)/module.txt: tests/guest/module.txt
	@mkdir -p $(@D)
	cp $< $@

.PHONY: guest
guest: $(GUEST_IMAGES)

# check-tests runs the images: build them, and ringsim, with the test programs.
TEST_PROGRAMS += $(GUEST_IMAGES) $(BUILD)/ringsim

-include $(wildcard $(GUEST_DIR)/*.d $(GUEST_DIR)/lib/*.d $(GUEST_DIR)/*.d64 $(GUEST_DIR)/lib/*.d64)
.SECONDARY: $(GUEST_TESTS:%.elf=%.o) $(GUEST_ROMS:%.rom=%.o) $(GUEST_ROMS:%.rom=%.romelf) $(GUEST_LIB) \
            $(GUEST_TESTS64:%.elf=%.o64) $(GUEST_TESTS64:%.elf=%.s64) $(GUEST_LIB64) \
            $(GUEST_DIR)/lib/guest.s64 $(GUEST_DIR)/lib/sys64.s64
