"""Six processes of 1 GiB each: every one under the per-process limit (RLIMIT_AS, 2 GiB),
6 GiB together. Each child touches 64 MiB blocks; the kernel adds up, from /proc, what its
living children hold at once. The sandbox's cgroup (total_memory_limit, 2 GiB)
stops the total: the kernel's out-of-memory killer ends children."""

import os
import signal
import time

import numpy as np

KEEP_STUBS = "all"  # every API function left as released
SANDBOXED_OUTPUT = ["peak held"]


def anonymous_mib(pid) -> int:
    """Resident anonymous memory of a process (0 once it is gone or a zombie)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


# What each child holds is read from /proc (its anonymous memory beyond what it inherited),
# not counted from its own reports: a child the out-of-memory killer ended holds nothing
# from that moment, even before it is reaped. The reads of one sweep are not simultaneous:
# a child read just before the killer ended it, and another read after it grew into the
# freed memory, would add up to more than was ever held at once. So each sweep counts a
# child with the smaller of its reads in this sweep and the next: a child only grows while
# it lives, so at the instant between the two sweeps each held at least that much.
inherited = anonymous_mib(os.getpid())
children = set()
for _index in range(6):
    pid = os.fork()
    if pid == 0:
        blocks = []
        for _ in range(16):
            blocks.append(np.ones(8 * 1024**2))  # 64 MiB, touched
        time.sleep(4)
        os._exit(0)
    children.add(pid)
peak, killed = 0, 0
before = {pid: anonymous_mib(pid) for pid in children}
while children:
    now = {pid: anonymous_mib(pid) for pid in children}
    held = sum(max(0, min(before[pid], now[pid]) - inherited) for pid in children)
    peak, before = max(peak, held), now
    pid, status = os.waitpid(-1, os.WNOHANG)
    if pid:
        children.discard(pid)
        killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    time.sleep(0.01)
print("peak held", peak, "MiB by 6 processes;", killed, "killed")


def log_prob(theta, actions):
    raise NotImplementedError()
