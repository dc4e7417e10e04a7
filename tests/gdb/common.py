# common.py - helpers for the real-gdb tests (tests/unit/test_gdb_remote.c
# runs "gdb -nx -batch -x <test>.py" against "ringsim --gdb 0 --wait-gdb").
# Each check prints "CHECK <name> ok" or "CHECK <name> FAIL <detail>"; the C
# side counts them.  The port arrives in the environment (RINGSIM_GDB_PORT).
import os
import gdb

def ex(cmd):
    return gdb.execute(cmd, to_string=True)

def check(name, cond, detail=""):
    print("CHECK %s %s %s" % (name, "ok" if cond else "FAIL", "" if cond else detail), flush=True)

def connect():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    ex("target remote 127.0.0.1:" + os.environ["RINGSIM_GDB_PORT"])

def pc():
    return int(gdb.parse_and_eval("$pc").cast(gdb.lookup_type("long long"))) & 0xFFFFFFFFFFFFFFFF

stops = []
gdb.events.stop.connect(lambda ev: stops.append(ev))

def last_stop_watch():
    """The watchpoint numbers the last stop reported."""
    ev = stops[-1] if stops else None
    if not isinstance(ev, gdb.BreakpointEvent):
        return []
    return [b.number for b in ev.breakpoints if b.type in
            (gdb.BP_HARDWARE_WATCHPOINT, gdb.BP_READ_WATCHPOINT, gdb.BP_ACCESS_WATCHPOINT)]

def last_stop_break():
    ev = stops[-1] if stops else None
    return [b.number for b in ev.breakpoints] if isinstance(ev, gdb.BreakpointEvent) else []

def done():
    print("CHECKS DONE", flush=True)
