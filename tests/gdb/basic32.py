# basic32.py - gdb against a 32-bit guest (build/guest/sys_dbg.elf): every
# register, decoded system registers, a breakpoint, stepi, memory, a
# watchpoint with Old/New values, monitor commands, Ctrl-C, kill.
import os, sys, threading
sys.path.insert(0, os.environ["RINGSIM_GDB_TESTS"])
from common import *

gdb.execute("file " + os.environ["RINGSIM_GDB_IMAGE"])
connect()
regs = ex("info registers")
for name in ("eax", "eip", "eflags", "cs", "fs_base", "cr0", "cr3", "efer", "dr7", "gdtr_base",
             "idtr_limit", "tr", "sysenter_eip", "lstar", "kernel_gs_base", "tsc"):
    check("reg_" + name, ("\n" + name + " ") in ("\n" + regs), regs)
check("entry_pc", pc() == 0x10000C, hex(pc()))
cr = ex("info registers cr0 efer")
check("cr0_decoded", "[ PE ET NE ]" in cr, cr)
check("dr6_unsigned", "-" not in ex("info registers dr6"), ex("info registers dr6"))

main = int(gdb.parse_and_eval("&guest_main").cast(gdb.lookup_type("long")))
ex("break *%#x" % main)
out = ex("continue")
check("break_hit", pc() == main and last_stop_break() == [1], hex(pc()))
ex("delete")
before = pc()
ex("stepi")
check("stepi_moves", pc() != before, hex(pc()))

ex("set {unsigned int}0x200000 = 0x12345678")
mem = gdb.selected_inferior().read_memory(0x200000, 4).tobytes()
check("memory_write_read", mem == bytes([0x78, 0x56, 0x34, 0x12]), mem.hex())

# gdb prints "Old value = 0 / New value = 1" to the log (the C side checks it).
ex("watch *(int*)&db_hits")
ex("continue")
check("watch_hit", last_stop_watch() == [2], str(last_stop_watch()))
check("watch_new_value", int(gdb.parse_and_eval("*(int*)&db_hits")) == 1, "")
ex("delete")
ex("rwatch *(int*)&db_hits")
ex("awatch *(int*)&failures")
ex("continue")
check("rwatch_or_awatch_hit", len(last_stop_watch()) == 1, str(last_stop_watch()))
ex("delete")

check("monitor_mode", "mode=protected cpl=0 layout=i8086-32" in ex("monitor mode"), ex("monitor mode"))
check("monitor_gdt", "gdt[1] sel=0x0008" in ex("monitor gdt"), ex("monitor gdt"))
check("monitor_cr", "cr0=0x" in ex("monitor cr"), "")
check("monitor_help", "pte <va>" in ex("monitor help"), "")

# Ctrl-C: a jmp-to-self at a scratch address, continue, interrupt after 1 s.
ex("set {unsigned short}0x200000 = 0xfeeb")
ex("set $pc = 0x200000")
threading.Timer(1.0, lambda: gdb.post_event(lambda: gdb.execute("interrupt"))).start()
out = ex("continue")
check("ctrl_c", pc() == 0x200000, "pc %#x: %s" % (pc(), out))
sig = ex("info program")
check("ctrl_c_sigint", "SIGINT" in sig, sig)
ex("kill")
done()
