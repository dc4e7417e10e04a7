# ringsim-nt.py - NT-aware gdb commands for ringsim's built-in kernel, on top
# of the stub's monitor commands (gdbstub/monitor.c, gdbstub/nt.c).
#
#   (gdb) source gdbstub/ringsim-nt.py
#   (gdb) nt-process            every process (PROCESS, Cid, Peb, DirBase, Image)
#   (gdb) nt-threads            every NT thread: gdb id, process, Cid, state
#   (gdb) nt-thread [ETHREAD]   one thread, as WinDbg's !thread (default: current)
#   (gdb) nt-trapframe [ADDR]   the decoded KTRAP_FRAME (default: the current
#                               thread's TrapFrame); also sets $tf_Eip, $tf_SegCs,
#                               ... for every field
#   (gdb) nt-syscalls [N]       the last N system calls since gdb attached
#   (gdb) nt-as PROCESS-IMAGE   memory commands read that process's address
#                               space (its DirBase); "nt-as off" goes back
#
# The monitor's output is one record per line with name=value fields; these
# commands parse it, so they work with any gdb that has Python.
import gdb


def _monitor(line):
    return gdb.execute("monitor " + line, to_string=True)


def _fields(line):
    """name=value pairs of one monitor line."""
    out = {}
    for word in line.split():
        if "=" in word:
            k, v = word.split("=", 1)
            out[k] = v
    return out


def _int(text):
    try:
        return int(text, 0)
    except ValueError:
        return None


class NtProcess(gdb.Command):
    """nt-process: every process, as WinDbg's !process 0 0."""

    def __init__(self):
        super().__init__("nt-process", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        for line in _monitor("process").splitlines():
            if not line.startswith("PROCESS"):
                print(line)
                continue
            f = _fields(line)
            print("PROCESS %s  Cid: %s  Peb: %s  ParentCid: %s\n    DirBase: %s  "
                  "ObjectTable: %s  Threads: %s\n    Image: %s"
                  % (line.split()[1], f.get("Cid"), f.get("Peb"), f.get("ParentCid"),
                     f.get("DirBase"), f.get("ObjectTable"), f.get("Threads"), f.get("Image")))


class NtThreads(gdb.Command):
    """nt-threads: every NT thread with its gdb thread number and id (TID + 1)."""

    def __init__(self):
        super().__init__("nt-threads", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        inf = gdb.selected_inferior()
        cur = gdb.selected_thread()
        for t in sorted(inf.threads(), key=lambda t: t.num):
            lines = gdb.execute("info threads %d" % t.num, to_string=True).splitlines()
            desc = lines[-1].lstrip("* ") if lines else ""
            extra = desc[desc.find("(") + 1:desc.find(")")] if "(" in desc else desc
            mark = "*" if cur is not None and t.num == cur.num else " "
            print("%s %3d  id %-5d tid %-5d %s" % (mark, t.num, t.ptid[1], t.ptid[1] - 1, extra))


class NtThread(gdb.Command):
    """nt-thread [ETHREAD]: one thread, as WinDbg's !thread (default: current)."""

    def __init__(self):
        super().__init__("nt-thread", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        print(_monitor("thread " + arg.strip()), end="")


class NtTrapFrame(gdb.Command):
    """nt-trapframe [ADDR]: the decoded KTRAP_FRAME; sets $tf_<Field> for each field."""

    def __init__(self):
        super().__init__("nt-trapframe", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        text = _monitor("trapframe " + arg.strip())
        print(text, end="")
        for line in text.splitlines():
            if line.startswith("trapframe"):
                continue
            f = _fields(line)
            for k, v in f.items():
                n = _int(v)
                if n is not None:
                    gdb.set_convenience_variable("tf_" + k, n)


class NtSyscalls(gdb.Command):
    """nt-syscalls [N]: the last N system calls (default 16)."""

    def __init__(self):
        super().__init__("nt-syscalls", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        print(_monitor("syscalls " + arg.strip()), end="")


class NtAs(gdb.Command):
    """nt-as IMAGE|off: memory reads go through that process's page directory."""

    def __init__(self):
        super().__init__("nt-as", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        name = arg.strip()
        if name in ("", "off"):
            print(_monitor("as off"), end="")
            return
        for line in _monitor("process").splitlines():
            f = _fields(line)
            if line.startswith("PROCESS") and f.get("Image") == name:
                print(_monitor("as " + f["DirBase"]), end="")
                return
        raise gdb.GdbError("no process with image %s (nt-process lists them)" % name)


NtProcess()
NtThreads()
NtThread()
NtTrapFrame()
NtSyscalls()
NtAs()
