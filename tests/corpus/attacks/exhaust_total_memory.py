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
# from that moment, even before it is reaped.
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
while children:
    held = sum(max(0, anonymous_mib(pid) - inherited) for pid in children)
    peak = max(peak, held)
    pid, status = os.waitpid(-1, os.WNOHANG)
    if pid:
        children.discard(pid)
        killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    time.sleep(0.01)
print("peak held", peak, "MiB by 6 processes;", killed, "killed")


def log_prob(theta, actions):
    raise NotImplementedError()
