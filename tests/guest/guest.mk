# tests/guest/guest.mk - guest test images: freestanding 32-bit C or assembly
# with tests/guest/lib into Multiboot ELF images (build/guest/*.elf), and real-
# mode ROMs from tests/guest/rom_*.S (build/guest/*.rom, 64 KiB, reset vector
# last).  tests/check/test_guest.c runs each under ringsim and qemu-system-i386.

GUEST_DIR    := $(BUILD)/guest
GUEST_CFLAGS := -m32 -std=gnu11 -ffreestanding -nostdlib -fno-pic -fno-pie \
                -fno-stack-protector -mno-sse -mno-mmx -O2 -Wall -Wextra -Werror \
                -Itests/guest -MMD -MP
GUEST_LIB    := $(GUEST_DIR)/lib/crt0.o $(GUEST_DIR)/lib/guest.o $(GUEST_DIR)/lib/sys.o \
                $(GUEST_DIR)/lib/sys_stubs.o
GUEST_TESTS  := $(patsubst tests/guest/%.c,$(GUEST_DIR)/%.elf,$(wildcard tests/guest/*.c))
GUEST_ROMS   := $(patsubst tests/guest/%.S,$(GUEST_DIR)/%.rom,$(wildcard tests/guest/rom_*.S))
GUEST_IMAGES := $(GUEST_TESTS) $(GUEST_ROMS) $(GUEST_DIR)/hello.elf $(GUEST_DIR)/module.txt

$(GUEST_DIR)/%.o: tests/guest/%.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_DIR)/%.o: tests/guest/%.S
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

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

-include $(wildcard $(GUEST_DIR)/*.d $(GUEST_DIR)/lib/*.d)
.SECONDARY: $(GUEST_TESTS:%.elf=%.o) $(GUEST_ROMS:%.rom=%.o) $(GUEST_ROMS:%.rom=%.romelf) $(GUEST_LIB)
