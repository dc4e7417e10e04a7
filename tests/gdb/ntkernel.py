# ntkernel.py - gdb against the built-in NT-style kernel (build/ringsim with
# no image): symbols from build/ntkernel.elf and build/guest/ntdll.elf (fixed
# bases, no offsets), a breakpoint on KiFastCallEntry, monitor trapframe at
# KiSystemServiceCall, a single step into SYSENTER with TF set (KiTrap01 ->
# KiFastCallEntry2, return by IRETD), NT threads as gdb threads with their
# saved registers, and the shipped script's commands.
import os, re, sys
sys.path.insert(0, os.environ["RINGSIM_GDB_TESTS"])
from common import *

gdb.execute("file " + os.environ["RINGSIM_GDB_IMAGE"])
ex("add-symbol-file build/guest/ntdll.elf")
gdb.execute("source gdbstub/ringsim-nt.py")
connect()

def sym(name):
    return int(gdb.parse_and_eval("(unsigned int)&" + name))

def rd32(addr):
    return int.from_bytes(gdb.selected_inferior().read_memory(addr, 4).tobytes(), "little")

def reg(name):
    return int(gdb.parse_and_eval("$" + name).cast(gdb.lookup_type("unsigned int")))

check("nt_one_thread_at_entry", len(gdb.selected_inferior().threads()) == 1,
      ex("info threads"))
check("sstep_on", "sstep=on" in ex("monitor sstep on"), "")

# 1. break KiFastCallEntry: EAX is a service the ring knows by name.
ex("break KiFastCallEntry")
ex("continue")
check("fastcall_hit", pc() == sym("KiFastCallEntry"), hex(pc()))
eax = reg("eax")
sc = ex("monitor syscalls 1")
m = re.search(r"service=(\w+) number=0x([0-9a-f]+) path=sysenter", sc)
check("fastcall_eax_known_service", m is not None and int(m.group(2), 16) == eax
      and m.group(1) != "invalid", "eax %#x: %s" % (eax, sc))
ex("delete")

# 2. monitor trapframe at KiSystemServiceCall: the user frame of the sysenter.
ex("break KiSystemServiceCall")
ex("continue")
tf = ex("monitor trapframe")
check("trapframe_segcs", "SegCs=0x0000001b\n" in tf, tf)
check("trapframe_eip", ("Eip=0x%08x" % sym("KiFastSystemCallRet")) in tf, tf)
ex("nt-trapframe")
check("script_tf_vars", int(gdb.parse_and_eval("$tf_SegCs")) == 0x1b, "")
ex("delete")

# 3. info threads: the NT threads by name; thread N + info registers is that
#    thread's saved context (checked against its trap or switch frame).
for i in range(200):
    if len(gdb.selected_inferior().threads()) >= 3:
        break
    ex("tbreak KiSystemServiceCall")
    ex("continue")
threads = ex("info threads")
check("info_threads_names", "smss.elf pid" in threads and threads.count(" tid ") >= 3, threads)
head = sym("PsActiveProcessHead")
ethread = {}
e = rd32(head)
while e != head:
    p = e - 0x88
    t = rd32(p + 0x190)
    while t != p + 0x190:
        ethread[rd32(t - 0x22C + 0x1F0)] = t - 0x22C
        t = rd32(t)
    e = rd32(e)
current = rd32(0xFFDFF124)
cur_thread = gdb.selected_thread()
checked = 0
for th in gdb.selected_inferior().threads():
    tid = th.ptid[1] - 1
    if tid not in ethread or ethread[tid] == current:
        continue
    et = ethread[tid]
    frame = rd32(et + 0x18) - 0x29C
    if rd32(frame + 0x6C) & 0xFFFF == 0x1B:
        want_eip, want_esp = rd32(frame + 0x68), rd32(frame + 0x74)
    else:
        ks = rd32(et + 0x28)
        want_eip, want_esp = rd32(ks + 16), ks + 20
    ex("thread %d" % th.num)
    regs = ex("info registers eip esp")
    got_eip, got_esp = reg("eip"), reg("esp")
    check("thread_%d_regs" % tid, (got_eip, got_esp) == (want_eip, want_esp),
          "want %#x %#x: %s" % (want_eip, want_esp, regs))
    checked += 1
check("threads_checked", checked >= 1, threads)
cur_thread.switch()
check("back_to_current", reg("eip") == sym("KiSystemServiceCall"), hex(reg("eip")))
procs = ex("nt-process")
check("script_nt_process", "Image: smss.elf" in procs, procs)
check("script_nt_threads", "smss.elf pid" in ex("nt-threads"), ex("nt-threads"))

# 4. Single step into SYSENTER with TF set (as a stepping debugger does): #DB
#    on KiFastCallEntry's first instruction, KiTrap01 sends it to
#    KiFastCallEntry2; the return comes by IRETD and traps once more.
sysenter = sym("KiFastSystemCall") + 2
ex("break *%#x" % sysenter)
ex("continue")
check("at_sysenter", pc() == sysenter, hex(pc()))
ex("delete")
ex("set $eflags |= 0x100")
ex("stepi")
check("stepi_sysenter_lands_in_kitrap01", pc() == sym("KiTrap01"), hex(pc()))
for i in range(12):
    if pc() == sym("KiFastCallEntry2"):
        break
    ex("stepi")
check("kifastcallentry2_path", pc() == sym("KiFastCallEntry2"), hex(pc()))
ex("break KiFastSystemCallRet")
ex("continue")
check("returned_to_user", pc() == sym("KiFastSystemCallRet") and reg("cs") == 0x1b, hex(pc()))
check("tf_live_after_iretd", reg("eflags") & 0x100 != 0, hex(reg("eflags")))
ex("set $eflags &= ~0x100")
ex("delete")
ex("break KiSystemServiceCall")
ex("continue")
check("continue_works", pc() == sym("KiSystemServiceCall"), hex(pc()))
check("monitor_dis", "<KiSystemServiceCall>" in ex("monitor dis"), ex("monitor dis"))
check("monitor_process", "Image=smss.elf" in ex("monitor process"), "")
check("monitor_thread", "State=Running (current)" in ex("monitor thread"), ex("monitor thread"))
ex("kill")
done()
