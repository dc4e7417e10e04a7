# ringsim - the top-level Makefile.  Each directory adds its sources in a
# fragment (cpu/cpu.mk ...); objects go under build/, a sanitizer build of
# the same sources under build/asan/.
#
#   make            build the simulator (build/ringsim)
#   make run        install missing Debian packages, build, run the machine
#   make test       install missing Debian packages, build, run every test
#   make bench      benchmarks (never part of make test)
#   make qemu-compare     the NT kernel (build/ntkernel.elf) under ringsim and QEMU
#   make decoder-check    the decoder against Zydis (STRINGS=, SEED=)
#   make opcode-coverage  every opcode: implemented, #UD by design or deferred

BUILD    := build
CC       := gcc
CPPFLAGS := -I. -D_GNU_SOURCE -MMD -MP
WARN     := -Wall -Wextra -Werror
CFLAGS   := -std=c11 -O2 -g $(WARN)
ASAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS := -std=c11 -O1 -g $(WARN) $(ASAN)
LDLIBS   := -lpthread -lelf -lZydis

LIB      := $(BUILD)/libringsim.a
LIB_ASAN := $(BUILD)/asan/libringsim.a
LIB_SRCS :=
PROGRAMS :=
# Files packed into the built-in kernel's boot ramdisk (build/ramdisk.img,
# embedded in ringsim); the fragments add theirs.
RAMDISK_FILES :=

.PHONY: all deps run test test-quick bench clean
all: $(BUILD)/ringsim

deps:
	@sh tools/deps.sh

include cpu/cpu.mk
include mmu/mmu.mk
include devices/devices.mk
include sim/sim.mk
include gdbstub/gdbstub.mk
include ui/ui.mk
include tests/tests.mk
include ntkernel/ntkernel.mk
include guest/guest.mk
include bench/bench.mk
include tools/tools.mk

LIB_OBJS      := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB_ASAN_OBJS := $(LIB_SRCS:%.c=$(BUILD)/asan/%.o)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(LIB_ASAN): $(LIB_ASAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# With no ARGS: the built-in kernel (embedded in ringsim with its ramdisk).
run: deps
	@$(MAKE) --no-print-directory $(BUILD)/ringsim
	$(BUILD)/ringsim $(ARGS)

# After every fragment, so that all of RAMDISK_FILES is known here.
$(BUILD)/ramdisk.img: $(BUILD)/tools/mkramdisk $(RAMDISK_FILES)
	$(BUILD)/tools/mkramdisk $@ $(RAMDISK_FILES)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
