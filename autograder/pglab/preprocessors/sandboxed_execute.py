"""nbgrader's ``Execute`` with every kernel in pglab's sandbox and every output bounded.

Used in place of ``Execute`` in the autograde pipeline (``nbgrader_config.py``):

- kernels start through ``pglab.sandbox.SandboxKernelManager`` (bubblewrap); grading refuses,
  saying what to install, where bubblewrap cannot run, unless ``c.Sandbox.enabled = False``;
- a cell's outputs are capped while they arrive (``cell_output_limit``, and
  ``notebook_output_limit`` for the whole notebook): past the cap the rest is discarded, the
  cell gets an ``OutputLimitExceeded`` error and the kernel is interrupted, so a kernel that
  prints 100 MB cannot fill the grader's memory or the autograded notebook;
- a kernel that dies (killed, crashed, ``os._exit``) or breaks the messaging protocol
  (garbled or missing messages) fails its cell and every later cell with a ``KernelDied``
  error, instead of aborting the student's whole autograde run.
"""

from __future__ import annotations

import asyncio

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async
from nbclient.exceptions import CellExecutionError, DeadKernelError
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import Execute
from traitlets import Integer

from pglab.sandbox import Sandbox, SandboxKernelManager, require

MiB = 1024 * 1024


def error_output(ename: str, evalue: str) -> NotebookNode:
    traceback = [f"{ename}: {evalue}"]
    return from_dict(
        {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback}
    )


def message_size(value, budget: int) -> int:
    """Characters of text in a message's content, counted up to ``budget`` (then stops)."""
    if isinstance(value, str | bytes):
        return len(value)
    total = 0
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        total += message_size(item, budget - total)
        if total > budget:
            break
    return total


class SandboxedExecute(Execute):
    """Execute notebooks in the pglab sandbox (``c.Sandbox``), with bounded outputs."""

    cell_output_limit = Integer(
        32 * MiB,
        help="Most characters of output one cell may produce (stream text, display data, "
        "tracebacks, counted as they arrive); 0 means no limit. The largest legitimate "
        "output is the Monte Carlo probe's record, about 11 MB.",
    ).tag(config=True)

    notebook_output_limit = Integer(
        256 * MiB,
        help="Most characters of output the whole notebook may produce; 0 means no limit.",
    ).tag(config=True)

    _cell_chars = 0
    _notebook_chars = 0
    _over_limit = False
    _dead_at: int | None = None
    _interrupting: asyncio.Future | None = None

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxKernelManager
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        sandbox = Sandbox(parent=self)
        if sandbox.enabled:
            require(sandbox.bwrap)
            self.kernel_manager_class = SandboxKernelManager
        else:
            self.log.warning(
                "UNSAFE: c.Sandbox.enabled = False, so student code runs WITHOUT a sandbox, as "
                "this user: it can read source/ and the reference, rewrite the gradebook and "
                "other submissions, and use the network. Only for trusted code."
            )
            self.kernel_manager_class = AsyncKernelManager
        self._notebook_chars = 0
        self._dead_at: int | None = None
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if self._dead_at is not None:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [
                    error_output(
                        "KernelDied",
                        f"not run: the kernel died or broke its connection in cell {self._dead_at}",
                    )
                ]
            return cell, resources
        self._cell_chars = 0
        self._over_limit = False
        self._interrupting = None
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            reason = (
                "the kernel stopped while running this cell (it was killed, crashed, ran out "
                "of memory or exited); later cells were not run"
            )
        except CellExecutionError:
            raise  # only with allow_errors = False, which nbgrader never sets
        except Exception as error:  # the student's kernel broke the protocol
            self.log.warning("kernel misbehaved in cell %d", index, exc_info=True)
            reason = (
                f"the grader lost its connection to the kernel in this cell "
                f"({type(error).__name__}: {str(error)[:200]}); later cells were not run"
            )
        finally:
            if self._interrupting is not None and not self._interrupting.done():
                self._interrupting.cancel()  # the cell ended first: do not interrupt the next
        self._dead_at = index
        cell.outputs.append(error_output("KernelDied", reason))
        stderr = getattr(self.km, "kernel_stderr", lambda: "")()
        self.log.warning("kernel stopped in cell %d; its stderr began:\n%s", index, stderr)
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        if self._over_limit:
            return None
        budget = self._budget()
        size = message_size(msg.get("content", {}), budget + 1)
        self._cell_chars += size
        self._notebook_chars += size
        if size > budget:
            self._over_limit = True
            cell_limit, nb_limit = self.cell_output_limit, self.notebook_output_limit
            outs.append(
                error_output(
                    "OutputLimitExceeded",
                    f"output beyond the limit ({cell_limit:,} characters per cell, "
                    f"{nb_limit:,} per notebook) was discarded and the cell interrupted",
                )
            )
            self._interrupting = asyncio.ensure_future(self._interrupt())
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _budget(self) -> int:
        limits = []
        if self.cell_output_limit:
            limits.append(self.cell_output_limit - self._cell_chars)
        if self.notebook_output_limit:
            limits.append(self.notebook_output_limit - self._notebook_chars)
        return min(limits) if limits else 1 << 62

    async def _interrupt(self) -> None:
        try:
            await ensure_async(self.km.interrupt_kernel())
        except Exception as error:  # the kernel may be gone already
            self.log.warning("could not interrupt the kernel: %s", error)
