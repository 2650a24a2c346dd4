"""Kills its parent, its process group and finally itself (SIGKILL)."""

import os
import signal

KEEP_STUBS = "all"  # every API function left as released
SANDBOXED_OUTPUT = ["KernelDied"]

for target in (lambda: os.kill(os.getppid(), signal.SIGKILL), lambda: os.killpg(0, signal.SIGKILL)):
    try:
        target()
    except OSError as error:
        print("refused:", error.strerror, flush=True)
os.kill(os.getpid(), signal.SIGKILL)


def log_prob(theta, actions):
    raise NotImplementedError()
