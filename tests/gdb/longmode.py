# longmode.py - gdb against a 64-bit guest (build/guest/lm_sys.elf): the
# session starts in 32-bit protected mode (i8086 layout), a breakpoint in
# 64-bit code, then disconnect + target remote: the new connection gets the
# i386:x86-64 layout.
import os, sys
sys.path.insert(0, os.environ["RINGSIM_GDB_TESTS"])
from common import *

connect()
check("starts_32", "layout=i8086-32" in ex("monitor mode"), ex("monitor mode"))
main = int(os.environ["RINGSIM_GDB_BREAK"], 16)
ex("break *%#x" % main)
ex("continue")
check("break_in_64bit_code", pc() == main, hex(pc()))
ex("delete")
ex("disconnect")
connect()
mode = ex("monitor mode")
check("reconnect_64", "mode=long cpl=0 layout=i386:x86-64" in mode, mode)
regs = ex("info registers rip efer cs fs_base")
check("rip_64", ("%#x" % main) in regs and "LMA" in regs, regs)
ex("stepi")
check("stepi_64", pc() != main, hex(pc()))
check("monitor_pte", "mapped=1" in ex("monitor pte %#x" % main), ex("monitor pte %#x" % main))
check("monitor_tlb", "entries=" in ex("monitor tlb"), "")
check("monitor_msr", "msr 0xc0000080 value=0x500" in ex("monitor msr 0xc0000080"), ex("monitor msr 0xc0000080"))
ex("kill")
done()
