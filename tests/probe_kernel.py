"""Run a probe in this process, as a kernel would, against given student functions.

Lets unit tests exercise probe -> record -> verdict without starting a kernel.  This is a
test double for the kernel only; grading tests go through nbgrader (test_grading_pipeline).
"""

from __future__ import annotations

from unittest import mock

import numpy as np
from support import API  # noqa: F401 - re-exported for the tests

from pglab.probes import Probe, render
from pglab.reference import reinforce as ref


def reference_namespace() -> dict:
    namespace = {"np": np, "sigmoid": ref.sigmoid}
    namespace.update({name: getattr(ref, name) for name in API})
    return namespace


def record_outputs(probe: Probe, **overrides) -> list[dict]:
    """The outputs a kernel would show for the probe's cell, student functions = reference
    unless overridden."""
    namespace = reference_namespace()
    namespace.update(overrides)
    shown = []

    def display(data, raw=False):
        shown.append({"output_type": "display_data", "data": data, "metadata": {}})

    with mock.patch("IPython.display.display", display):
        exec(render(probe, "tests"), namespace)  # noqa: S102 - our own probe code
    return shown
