# gdb_stepi.py - make bench's gdb-stepi: Debian's gdb single-stepping
# ringsim through its stub (stepi after stepi, each a full round trip:
# vCont;s, the T05 stop reply with expedited registers, gdb's own reads).
import os, time
import gdb
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote 127.0.0.1:" + os.environ["RINGSIM_GDB_PORT"], to_string=True)
n = 3000
t0 = time.monotonic()
for _ in range(n):
    gdb.execute("stepi", to_string=True)
t = time.monotonic() - t0
print("gdb-stepi: %d single steps per second (%d steps in %.2f s)" % (n / t, n, t), flush=True)
gdb.execute("kill", to_string=True)
