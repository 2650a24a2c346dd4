"""Allocates (and touches) 256 MiB blocks until allocation fails, up to 64 GiB; then fills
/tmp and the home directory with files."""

import os

import numpy as np

KEEP_STUBS = "all"  # every API function left as released
SANDBOXED_OUTPUT = ["MemoryError after"]

held = []
try:
    for _ in range(256):
        held.append(np.ones(32 * 1024**2))
    print("allocated", len(held) * 256, "MiB")
except MemoryError:
    print("MemoryError after", len(held) * 256, "MiB")
del held
for folder in ("/tmp", os.path.expanduser("~"), "."):
    written = 0
    try:
        with open(os.path.join(folder, "filler"), "wb") as filler:
            for _ in range(64 * 1024):
                filler.write(b"x" * 1024**2)
                written += 1
    except OSError as error:
        print(folder, "full after", written, "MiB:", error.strerror)
    try:
        os.remove(os.path.join(folder, "filler"))
    except OSError:
        pass


def log_prob(theta, actions):
    raise NotImplementedError()
