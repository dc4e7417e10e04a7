#!/bin/sh
# qemu-compare.sh BUILD - boot BUILD/ntkernel.elf with its ramdisk
# (BUILD/ramdisk.img, the Multiboot module) under ringsim and under
# qemu-system-i386, keep each COM1 transcript in BUILD/ntkernel-*.txt, and
# end with "transcript: identical (N lines)" or the diff (exit 1).  Both
# machines must also stop through isa-debug-exit with the success value
# 0x10 (exit status 33).
set -u
BUILD=${1:-build}
KERNEL="$BUILD/ntkernel.elf"
RAMDISK="$BUILD/ramdisk.img"
R="$BUILD/ntkernel-ringsim.txt"
Q="$BUILD/ntkernel-qemu.txt"
status=0

timeout 60 "$BUILD/ringsim" --kernel "$KERNEL" --initrd "$RAMDISK" --headless --serial stdio >"$R" 2>/dev/null
rc=$?
[ $rc -eq 33 ] || { echo "ringsim: exit status $rc, not 33 (debug-exit 0x10)"; status=1; }
timeout 60 qemu-system-i386 -kernel "$KERNEL" -initrd "$RAMDISK" -serial stdio -monitor none -display none \
    -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x4 >"$Q" 2>/dev/null
rc=$?
[ $rc -eq 33 ] || { echo "qemu: exit status $rc, not 33 (debug-exit 0x10)"; status=1; }

if diff -u --label ringsim --label qemu "$R" "$Q"; then
    [ -s "$R" ] || { echo "transcript: empty"; exit 1; }
    echo "transcript: identical ($(wc -l <"$R") lines)"
else
    echo "transcript: different"
    status=1
fi
exit $status
