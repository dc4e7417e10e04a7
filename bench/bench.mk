# bench/ - benchmarks (make bench); never part of make test.
$(BUILD)/bench/sieve.o: bench/sieve.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -c $< -o $@

$(BUILD)/bench/sieve.bin: $(BUILD)/bench/sieve.o
	objcopy -O binary -j .text $< $@

$(BUILD)/bench/sieve-native32: bench/sieve_native32.c
	@mkdir -p $(dir $@)
	$(CC) -m32 -std=gnu11 -O2 $(WARN) -o $@ $<

$(BUILD)/bench/bench: $(BUILD)/bench/bench.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench $(BUILD)/bench/sieve.bin \
		$(BUILD)/bench/sieve-native32
	$(BUILD)/bench/bench $(BUILD)/bench
