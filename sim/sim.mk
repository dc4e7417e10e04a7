# sim/ - the machine and the command-line front end (main.c is not in the library).
SIM_SRCS := $(filter-out sim/main.c,$(wildcard sim/*.c))
LIB_SRCS += $(SIM_SRCS)

# The system-call tracer's service names, generated from the one list.
$(BUILD)/gen/nt_services.c: ntkernel/services.tab tools/gensvc.awk
	@mkdir -p $(dir $@)
	awk -v what=host -f tools/gensvc.awk ntkernel/services.tab > $@.tmp && mv $@.tmp $@
LIB_SRCS += $(BUILD)/gen/nt_services.c

# The CPU demo's code, embedded: symbols _binary_sieve_bin_start/_end.
$(BUILD)/sim/sieve_blob.o: $(BUILD)/bench/sieve.bin
	@mkdir -p $(dir $@)
	cd $(BUILD)/bench && objcopy -I binary -O elf64-x86-64 -B i386:x86-64 \
		--rename-section .data=.rodata,alloc,load,readonly,data,contents \
		--add-section .note.GNU-stack=/dev/null sieve.bin \
		$(abspath $@)

# The built-in kernel and its boot ramdisk, embedded the same way:
# _binary_ntkernel_elf_start/_end and _binary_ramdisk_img_start/_end.
$(BUILD)/sim/%_blob.o: $(BUILD)/%
	@mkdir -p $(dir $@)
	cd $(BUILD) && objcopy -I binary -O elf64-x86-64 -B i386:x86-64 \
		--rename-section .data=.rodata,alloc,load,readonly,data,contents \
		--add-section .note.GNU-stack=/dev/null $* $(abspath $@)

RINGSIM_BLOBS := $(BUILD)/sim/sieve_blob.o $(BUILD)/sim/ntkernel.elf_blob.o \
                 $(BUILD)/sim/ramdisk.img_blob.o

$(BUILD)/ringsim: $(BUILD)/sim/main.o $(RINGSIM_BLOBS) $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
