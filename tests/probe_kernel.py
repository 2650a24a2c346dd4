"""Run a reinforce probe in this process, as a kernel would, against given student functions.

Lets unit tests exercise probe -> record -> verdict without starting a kernel.  This is a
test double for the kernel only; grading tests go through nbgrader (test_grading_pipeline).
The kernel itself is ``support.ProbeKernel``, shared with the rewards_to_go tests.
"""

from __future__ import annotations

from support import API, ProbeKernel

from pglab.probes import Probe

REINFORCE_KERNEL = ProbeKernel("reinforce", API, given=("sigmoid",))


def reference_namespace() -> dict:
    return REINFORCE_KERNEL.reference_namespace()


def record_outputs(probe: Probe, **overrides) -> list[dict]:
    """The outputs a kernel would show for the probe's cell, student functions = reference
    unless overridden."""
    return REINFORCE_KERNEL.record(probe, **overrides)
