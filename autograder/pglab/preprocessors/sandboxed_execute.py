"""nbgrader's ``Execute`` with every kernel in pglab's sandbox and every output bounded.

Used in place of ``Execute`` in the autograde pipeline (``nbgrader_config.py``):

- kernels start through ``pglab.sandbox.SandboxKernelManager`` (bubblewrap); grading refuses,
  saying what to install, where bubblewrap cannot run, unless ``c.Sandbox.enabled = False``;
- what a cell's kernel sends is capped while it arrives (``cell_output_limit``, and
  ``notebook_output_limit`` for the whole notebook), counted in bytes as the messages arrive
  (keys, numbers, nesting, buffers: everything the kernel serialised) and checked before a
  message is parsed (``pglab.sandbox.messages``). Past the cap the rest of the cell's output
  is discarded, the cell gets one ``OutputLimitExceeded`` note (display data), and the cell keeps
  running (its time limit still bounds it): a debugging print in a loop loses its output,
  not the functions defined after the loop. No frame larger than the larger limit (plus
  1 MiB) is received at all (ZeroMQ ``MAXMSGSIZE``);
- a kernel that dies (killed, crashed, ``os._exit``) or breaks the messaging protocol
  (garbled or missing messages) fails its cell and every later cell with a ``KernelDied``
  error, instead of aborting the student's whole autograde run;
- once the last cell has run, the kernel is killed, not asked to shut down
  (``shutdown_kernel``): everything graded has arrived by then, and the whole sandbox is
  removed anyway.
"""

from __future__ import annotations

from nbclient.exceptions import CellExecutionError, DeadKernelError
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import Execute
from traitlets import Enum, Integer

from pglab.sandbox import Sandbox, SandboxKernelManager, require
from pglab.sandbox.messages import UNLIMITED, BoundedKernelManager

MiB = 1024 * 1024
ENVELOPE = MiB  # room for a message's header, parent and metadata above the cell limit
OUTPUT_TYPES = ("stream", "display_data", "execute_result", "error", "update_display_data")


def error_output(ename: str, evalue: str) -> NotebookNode:
    traceback = [f"{ename}: {evalue}"]
    return from_dict(
        {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback}
    )


def merge_streams(cell: NotebookNode) -> None:
    """Join consecutive stream outputs of the same stream (stdout, stderr) into one.

    ipykernel sends what a cell prints in chunks whose boundaries depend on timing (it
    flushes every 0.2 s), and nbclient keeps each chunk as an output of its own: without
    this, the same notebook graded twice on a busy and a quiet machine differs in its bytes.
    The text is kept exactly (unlike nbconvert's CoalesceStreamsPreprocessor, carriage
    returns are not processed)."""
    merged = []
    for output in cell.get("outputs", []):
        last = merged[-1] if merged else None
        if (
            last is not None
            and output.get("output_type") == "stream"
            and last.get("output_type") == "stream"
            and last.get("name") == output.get("name")
        ):
            last["text"] = last.get("text", "") + output.get("text", "")
        else:
            merged.append(output)
    if "outputs" in cell:
        cell["outputs"] = merged


def _scalar_size(value) -> int:
    if value is None or isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return value.bit_length() * 3 // 10 + 2  # decimal digits, without building the text
    if isinstance(value, float):
        return 24
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, memoryview):
        return value.nbytes
    return len(str(value)) + 2  # dates that jupyter_client parsed from the header


def message_size(value, budget: int) -> int:
    """About the bytes of ``value`` serialised as JSON: every key, number, string, bracket and
    separator, at any depth, counted up to ``budget`` (then it stops and returns more than
    ``budget``). Used when the message's arrived size is unknown (``pglab_bytes`` missing)."""
    total = 0
    pending = [iter((value,))]
    while pending and total <= budget:
        item = next(pending[-1], pending)
        if item is pending:  # that container is done
            pending.pop()
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)  # braces, ': ' and ', ' (jupyter_client's separators)
            pending.append(x for pair in item.items() for x in pair)
        elif isinstance(item, list | tuple):
            total += 2 + 2 * len(item)
            pending.append(iter(item))
        else:
            total += _scalar_size(item)
    return total


class SandboxedExecute(Execute):
    """Execute notebooks in the pglab sandbox (``c.Sandbox``), with bounded outputs."""

    cell_output_limit = Integer(
        32 * MiB,
        help="Most bytes the kernel may send while one cell runs (its outputs, display data, "
        "tracebacks and widget messages, measured as serialised when they arrive, keys and "
        "numbers included); 0 means no limit. Past it the rest of the cell's output is "
        "discarded with a note and the cell keeps running. The largest legitimate output "
        "is the Monte Carlo probe's record, about 11 MB.",
    ).tag(config=True)

    notebook_output_limit = Integer(
        256 * MiB,
        help="Most bytes the kernel may send for the whole notebook (as cell_output_limit); "
        "0 means no limit. No single frame larger than the larger of the two limits plus "
        "1 MiB is received at all (ZeroMQ drops the connection; the cell usually then fails "
        "with KernelDied).",
    ).tag(config=True)

    shutdown_kernel = Enum(
        ["graceful", "immediate"],
        default_value="immediate",
        help="How the kernel is stopped after the last cell (nbclient's setting, whose own "
        "default is 'graceful'). 'immediate' kills the sandbox's processes at once: its "
        "outputs have all arrived by then, a student's atexit hooks have nothing to add to "
        "the grade, and a graceful stop costs the kernel's interpreter its whole clean-up "
        "(about a CPU-second with torch imported) for nothing.",
    ).tag(config=True)

    drain_timeout = Integer(
        30,
        help="Seconds to wait, after a cell's reply, for the rest of its output (nbclient's "
        "iopub_timeout, raised to at least this): a kernel that printed a lot may still be "
        "sending it, to be discarded. Once a cell is past its output cap, the wait is the "
        "cell's own timeout.",
    ).tag(config=True)

    _cell_bytes = 0
    _notebook_bytes = 0
    _over_limit = False
    _dead_at: int | None = None

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
            self.kernel_manager_class = BoundedKernelManager
        self._notebook_bytes = 0
        self._dead_at: int | None = None
        return super().preprocess(nb, resources, km)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, BoundedKernelManager):
            km.max_message_bytes = self.max_message_bytes()
        return km

    def max_message_bytes(self) -> int:
        """The largest frame accepted from the kernel. Not the cell limit: ipykernel sends what
        a cell printed in 0.2 s as one message, so a fast debugging loop can make one stream
        message of many MB that must arrive (to be discarded) for the cell to go on."""
        limits = [x for x in (self.cell_output_limit, self.notebook_output_limit) if x]
        return max(limits) + ENVELOPE if limits else 0

    def preprocess_cell(self, cell, resources, index):
        cell, resources = self._run_cell(cell, resources, index)
        merge_streams(cell)
        return cell, resources

    def _run_cell(self, cell, resources, index):
        if self._dead_at is not None:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [
                    error_output(
                        "KernelDied",
                        f"not run: the kernel died or broke its connection in cell {self._dead_at}",
                    )
                ]
            return cell, resources
        self._cell_bytes = 0
        self._over_limit = False
        self._set_channel_budgets()
        iopub_timeout = self.iopub_timeout
        self.iopub_timeout = max(iopub_timeout, self.drain_timeout)
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
            self.iopub_timeout = iopub_timeout
        self._dead_at = index
        cell.outputs.append(error_output("KernelDied", reason))
        stderr = getattr(self.km, "kernel_stderr", lambda: "")()
        self.log.warning("kernel stopped in cell %d; its stderr began:\n%s", index, stderr)
        return cell, resources

    def process_message(self, msg, cell, cell_index):
        """Count every message of the cell by its size, and keep it only within the limits."""
        discarded = bool(msg.get("pglab_discarded"))
        if msg.get("msg_type") == "status" and not discarded:
            return super().process_message(msg, cell, cell_index)  # tiny, and ends the cell
        budget = self._budget()
        size = msg.get("pglab_bytes")
        if size is None:  # a client that did not measure it: estimate the serialised size
            size = message_size([msg.get("content"), msg.get("metadata")], budget + 1)
        self._cell_bytes += size
        self._notebook_bytes += size
        if self._over_limit or discarded or size > budget:
            if not self._over_limit:
                self._over_limit = True
                cell.outputs.append(self._limit_note())
                # The kernel may still be flushing what it printed after its reply: wait for
                # it to finish (as long as a cell may run) instead of the usual 4 s.
                self.iopub_timeout = max(self.iopub_timeout, self.timeout or 0)
            self._set_channel_budgets()
            return None
        result = super().process_message(msg, cell, cell_index)
        self._set_channel_budgets()
        return result

    def _limit_note(self) -> NotebookNode:
        limits = []
        if self.cell_output_limit:
            limits.append(f"{self.cell_output_limit:,} bytes per cell")
        if self.notebook_output_limit:
            limits.append(f"{self.notebook_output_limit:,} per notebook")
        text = (
            f"OutputLimitExceeded: this cell's output went past the limit "
            f"({', '.join(limits)}). The rest of its output was discarded; the cell kept "
            "running, so everything it defines is defined."
        )
        # Display data, not a stream: nbgrader's LimitOutput drops every stream after the
        # first 1000 lines of a cell, and an error output would fail a test cell.
        return from_dict(
            {"output_type": "display_data", "data": {"text/plain": text}, "metadata": {}}
        )

    def _budget(self) -> int:
        limits = []
        if self.cell_output_limit:
            limits.append(self.cell_output_limit - self._cell_bytes)
        if self.notebook_output_limit:
            limits.append(self.notebook_output_limit - self._notebook_bytes)
        return max(min(limits), -1) if limits else UNLIMITED

    def _set_channel_budgets(self) -> None:
        """Tell the client how large a message may be and still be parsed."""
        kc = getattr(self, "kc", None)
        if kc is None:
            return
        budget = -1 if self._over_limit else self._budget()
        iopub = getattr(kc, "_iopub_channel", None)
        if iopub is not None and hasattr(iopub, "budget"):
            iopub.budget = max(budget, 4096)  # status messages must still be read
        shell = getattr(kc, "_shell_channel", None)
        if shell is not None and hasattr(shell, "budget"):
            shell.budget = self.max_message_bytes() or UNLIMITED
