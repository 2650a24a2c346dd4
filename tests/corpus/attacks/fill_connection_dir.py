"""Fills the directory holding the kernel's connection file (the one place outside its own
tmpfs it can write), in several files (the file size limit is per file), and keeps what
it wrote. (Its stderr is not a way there: ipykernel sends fd 2 to the notebook, where the
output cap applies.) That directory used to be on the host's /tmp: a
submission wrote 1000 MiB there, and on a small disk the grader then failed with
"database or disk is full". Now it is a tmpfs of c.Sandbox.scratch_size (4 MiB)."""

import os
import sys

KEEP_STUBS = "all"  # every API function left as released
SANDBOXED_OUTPUT = ["connection dir full after"]

folder = os.path.dirname(sys.argv[sys.argv.index("-f") + 1])
written = 0
try:
    for part in range(4):
        with open(os.path.join(folder, f"filler{part}"), "wb") as filler:
            for _ in range(250):
                filler.write(b"x" * 1024**2)
                filler.flush()
                written += 1
    print("wrote", written, "MiB in the connection dir")
except OSError as error:
    print("connection dir full after", written, "MiB:", error.strerror)


def log_prob(theta, actions):
    raise NotImplementedError()
