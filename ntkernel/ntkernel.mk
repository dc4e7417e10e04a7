# ntkernel/ntkernel.mk - the built-in NT-style kernel: freestanding 32-bit C
# and assembly linked by ntkernel/ntkernel.ld into build/ntkernel.elf, an ELF
# that is also a Multiboot v1 kernel.  `make qemu-compare` boots it under
# ringsim and qemu-system-i386 and compares the two COM1 transcripts.

NTK_DIR    := $(BUILD)/ntkernel
NTK_CFLAGS := -m32 -std=gnu11 -ffreestanding -nostdlib -fno-pic -fno-pie \
              -fno-stack-protector -mno-sse -mno-mmx -mno-80387 -fno-asynchronous-unwind-tables \
              -O2 -Wall -Wextra -Werror -MMD -MP
NTK_SRCS   := $(shell find ntkernel -name '*.c' -o -name '*.S')
NTK_OBJS   := $(patsubst ntkernel/%,$(NTK_DIR)/%.o,$(NTK_SRCS)) \
              $(NTK_DIR)/gen/services.c.o $(NTK_DIR)/gen/zwstubs.S.o

# The service tables and the kernel's Zw stubs, from the one list.
$(NTK_DIR)/gen/services.c: ntkernel/services.tab tools/gensvc.awk
	@mkdir -p $(@D)
	awk -v what=ktable -f tools/gensvc.awk $< > $@.tmp && mv $@.tmp $@
$(NTK_DIR)/gen/zwstubs.S: ntkernel/services.tab tools/gensvc.awk
	@mkdir -p $(@D)
	awk -v what=kstubs -f tools/gensvc.awk $< > $@.tmp && mv $@.tmp $@
$(NTK_DIR)/gen/%.c.o: $(NTK_DIR)/gen/%.c
	$(CC) $(NTK_CFLAGS) -c $< -o $@
$(NTK_DIR)/gen/%.S.o: $(NTK_DIR)/gen/%.S
	$(CC) $(NTK_CFLAGS) -c $< -o $@
NTKERNEL   := $(BUILD)/ntkernel.elf

$(NTK_DIR)/%.c.o: ntkernel/%.c
	@mkdir -p $(@D)
	$(CC) $(NTK_CFLAGS) -c $< -o $@

$(NTK_DIR)/%.S.o: ntkernel/%.S
	@mkdir -p $(@D)
	$(CC) $(NTK_CFLAGS) -c $< -o $@

$(NTKERNEL): $(NTK_OBJS) ntkernel/ntkernel.ld
	ld -m elf_i386 --no-warn-rwx-segments -z max-page-size=0x1000 -T ntkernel/ntkernel.ld \
		-o $@ $(NTK_OBJS)

.PHONY: ntkernel qemu-compare
ntkernel: $(NTKERNEL)
all: $(NTKERNEL)

qemu-compare: $(NTKERNEL) $(BUILD)/ringsim
	@sh ntkernel/qemu-compare.sh $(BUILD)

# The tests boot the image (tests/unit/test_ntkernel.c, tests/check/test_ntkernel_qemu.c).
TEST_PROGRAMS += $(NTKERNEL)
$(BUILD)/tests/unit-tests $(BUILD)/asan/tests/unit-tests: | $(NTKERNEL)

-include $(wildcard $(NTK_DIR)/*.d $(NTK_DIR)/*/*.d $(NTK_DIR)/*/*/*.d)
