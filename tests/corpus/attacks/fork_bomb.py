"""A bounded fork bomb: up to 2,000 children that sleep 2 s each, reaped afterwards (zombies
would hold the process limit, so an unreaped bomb wedges only its own kernel)."""

import os
import time

KEEP_STUBS = "all"  # every API function left as released
SANDBOXED_OUTPUT = ["fork refused after"]

children = []
try:
    for _ in range(2000):
        pid = os.fork()
        if pid == 0:
            time.sleep(2)
            os._exit(0)
        children.append(pid)
    print("forked", len(children))
except OSError as error:
    print("fork refused after", len(children), "children:", error.strerror)
for pid in children:
    os.waitpid(pid, 0)


def log_prob(theta, actions):
    raise NotImplementedError()
