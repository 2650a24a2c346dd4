"""Six processes of 1 GiB each: every one under the per-process limit (RLIMIT_AS, 2 GiB),
6 GiB together. Each child touches 64 MiB blocks and reports each on a pipe; the kernel adds
up what its living children hold at once. The sandbox's cgroup (total_memory_limit, 2 GiB)
stops the total: the kernel's out-of-memory killer ends children."""

import os
import select
import signal
import time

import numpy as np

KEEP_STUBS = "all"  # every API function left as released
SANDBOXED_OUTPUT = ["peak held"]

read_end, write_end = os.pipe()
children = {}
for index in range(6):
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        blocks = []
        for _ in range(16):
            blocks.append(np.ones(8 * 1024**2))  # 64 MiB, touched
            os.write(write_end, bytes([index]))
        time.sleep(4)
        os._exit(0)
    children[pid] = index
os.close(write_end)
held = [0] * 6
peak, killed = 0, 0
while children:
    ready, _, _ = select.select([read_end], [], [], 0.1)
    if ready:
        for index in os.read(read_end, 4096):
            if index in children.values():  # a reaped child holds nothing any more
                held[index] += 64
        peak = max(peak, sum(held))
    pid, status = os.waitpid(-1, os.WNOHANG)
    if pid:
        held[children.pop(pid)] = 0
        killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
print("peak held", peak, "MiB by 6 processes;", killed, "killed")


def log_prob(theta, actions):
    raise NotImplementedError()
