"""Rewrites the source notebook (found by relative path or through /proc) so that every
student graded after this one would get the hidden tests of the attacker's choosing."""

import json
import os

KEEP_STUBS = "all"  # every API function left as released
CONTROL = "changes_source"
SANDBOXED_OUTPUT = ["nothing rewritten"]

targets = set()
here = os.getcwd()
while here != "/":
    targets.add(os.path.join(here, "source", "reinforce", "reinforce.ipynb"))
    here = os.path.dirname(here)
try:
    course = os.readlink(f"/proc/{os.getppid()}/cwd")
    targets.add(os.path.join(course, "source", "reinforce", "reinforce.ipynb"))
except OSError:
    pass
rewritten = 0
for path in targets:
    try:
        notebook = json.load(open(path))
        for cell in notebook["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade"):
                cell["source"] = "pass  # every check removed"
        json.dump(notebook, open(path, "w"))
        rewritten += 1
    except OSError:
        pass
print("rewrote", rewritten) if rewritten else print("nothing rewritten")


def log_prob(theta, actions):
    raise NotImplementedError()
