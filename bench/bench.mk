# bench/ - benchmarks (make bench); never part of make test.
# make bench BENCH=sieve-pg runs one of them: sieve, sieve-mb, sieve-pg, gdb-stepi
# breakpoint-set, syscall or ui.
$(BUILD)/bench/sieve.o: bench/sieve.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -c $< -o $@

$(BUILD)/bench/sieve.bin: $(BUILD)/bench/sieve.o
	objcopy -O binary -j .text $< $@

$(BUILD)/bench/sieve-native32: bench/sieve_native32.c
	@mkdir -p $(dir $@)
	$(CC) -m32 -std=gnu11 -O2 $(WARN) -o $@ $<

# The sieve as a Multiboot kernel, for ringsim against qemu-system-i386.
SIEVE_MB_CFLAGS := -m32 -std=gnu11 -O2 $(WARN) -ffreestanding -fno-pic -fno-stack-protector \
                   -fcf-protection=none -nostdlib
$(BUILD)/bench/sieve_mb.elf: bench/sieve_mb.c bench/sieve.S tests/guest/guest.ld $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SIEVE_MB_CFLAGS) -I. -c bench/sieve_mb.c -o $(BUILD)/bench/sieve_mb.o
	ld -m elf_i386 --no-warn-rwx-segments -T tests/guest/guest.ld -o $@ $(GUEST_LIB) \
		$(BUILD)/bench/sieve_mb.o $(BUILD)/bench/sieve.o

# The same with 4-KiB paging on over many pages (bench/sieve_pg.c).
$(BUILD)/bench/sieve_pg.elf: bench/sieve_pg.c $(BUILD)/bench/sieve.o tests/guest/guest.ld $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SIEVE_MB_CFLAGS) -I. -c bench/sieve_pg.c -o $(BUILD)/bench/sieve_pg.o
	ld -m elf_i386 --no-warn-rwx-segments -T tests/guest/guest.ld -o $@ $(GUEST_LIB) \
		$(BUILD)/bench/sieve_pg.o $(BUILD)/bench/sieve.o

# The null-system-call program, built as a user builds one (guest/ntcc).
$(BUILD)/bench/nullcall.elf: bench/nullcall.c $(NTG_RUNTIME)
	@mkdir -p $(dir $@)
	BUILD=$(BUILD) guest/ntcc -Wall -Wextra -Werror $< -o $@

$(BUILD)/bench/bench: $(BUILD)/bench/bench.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench $(BUILD)/bench/sieve.bin \
		$(BUILD)/bench/sieve-native32 $(BUILD)/bench/sieve_mb.elf \
		$(BUILD)/bench/sieve_pg.elf $(BUILD)/ringsim $(BUILD)/bench/nullcall.elf
	$(BUILD)/bench/bench $(BUILD)/bench $(BENCH)
