# tests/semantics/native.mk - build rules for the native executor of the semantics tester:
# the sandboxed children build/tests/native64 and build/tests/native32 (freestanding, static,
# no libc), the parent library object and build/tests/native_selftest.
# Include from the top-level Makefile; `make native-selftest` builds and runs the selftest.

# Rules here must not become the including Makefile's default goal.
NATIVE_SAVED_GOAL := $(.DEFAULT_GOAL)
NATIVE_SRC        := tests/semantics
NATIVE_OUT        := build/tests
NATIVE_OBJ        := build/tests/obj
NATIVE_CFLAGS     := -std=gnu11 -O2 -Wall -Wextra -Werror -g
# The child must not depend on libc, TLS or stack-protector canaries: the code under test
# may clobber FS/GS. -fno-pie keeps %ebx free for i386 syscalls and allows absolute asm refs.
NATIVE_CHILD_CFLAGS  := $(NATIVE_CFLAGS) -ffreestanding -fno-stack-protector -fno-pie \
                        -fcf-protection=none
NATIVE_CHILD_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none
NATIVE_HDRS       := $(NATIVE_SRC)/native.h $(NATIVE_SRC)/native_wire.h
NATIVE_LIB_OBJ    := $(NATIVE_OBJ)/native.o

$(NATIVE_OBJ)/native_child64.o: $(NATIVE_SRC)/native_child.c $(NATIVE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(NATIVE_CHILD_CFLAGS) -m64 -c -o $@ $<

# -msse2: the per-case 64-byte block compares are vector code; every x86-64 host has SSE2.
$(NATIVE_OBJ)/native_child32.o: $(NATIVE_SRC)/native_child.c $(NATIVE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(NATIVE_CHILD_CFLAGS) -m32 -msse2 -c -o $@ $<

$(NATIVE_OBJ)/native_child_asm64.o: $(NATIVE_SRC)/native_child_asm.S
	@mkdir -p $(@D)
	$(CC) $(NATIVE_CHILD_CFLAGS) -m64 -c -o $@ $<

$(NATIVE_OBJ)/native_child_asm32.o: $(NATIVE_SRC)/native_child_asm.S
	@mkdir -p $(@D)
	$(CC) $(NATIVE_CHILD_CFLAGS) -m32 -c -o $@ $<

$(NATIVE_OUT)/native64: $(NATIVE_OBJ)/native_child64.o $(NATIVE_OBJ)/native_child_asm64.o
	$(CC) -m64 $(NATIVE_CHILD_LDFLAGS) -o $@ $^ -lgcc

$(NATIVE_OUT)/native32: $(NATIVE_OBJ)/native_child32.o $(NATIVE_OBJ)/native_child_asm32.o
	$(CC) -m32 $(NATIVE_CHILD_LDFLAGS) -o $@ $^ -lgcc

$(NATIVE_OBJ)/native.o: $(NATIVE_SRC)/native.c $(NATIVE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(NATIVE_CFLAGS) -c -o $@ $<

$(NATIVE_OBJ)/native_selftest.o: $(NATIVE_SRC)/native_selftest.c $(NATIVE_SRC)/native.h
	@mkdir -p $(@D)
	$(CC) $(NATIVE_CFLAGS) -c -o $@ $<

$(NATIVE_OUT)/native_selftest: $(NATIVE_OBJ)/native_selftest.o $(NATIVE_LIB_OBJ)
	$(CC) $(NATIVE_CFLAGS) -o $@ $^

.PHONY: native-selftest
native-selftest: $(NATIVE_OUT)/native_selftest $(NATIVE_OUT)/native64 $(NATIVE_OUT)/native32
	$(NATIVE_OUT)/native_selftest $(NATIVE_OUT)/native64 $(NATIVE_OUT)/native32

.DEFAULT_GOAL := $(NATIVE_SAVED_GOAL)
