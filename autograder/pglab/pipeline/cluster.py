"""Grading on a Dask cluster: ``pglab grade --scheduler ADDRESS`` (or ``c.Cluster.scheduler``).

The client (the ``pglab grade`` process) connects to an existing scheduler, asks every
worker for its pglab version and whether bubblewrap works there, and submits one task per
submission: the bundle itself (inside every task, so that Dask never gathers a class's tasks
on the worker holding a shared bundle), the bundle's expected digest, the notebook's name
and that submission's bytes. The task checks
the digest and its own pglab version, then calls the same ``grade`` as the local pool,
sandbox included. Workers never see the course directory, the gradebook or other students;
the client alone writes results (``pglab.pipeline.run``). See docs/scale-out.md.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from pathlib import Path

from traitlets import Float, Unicode
from traitlets.config import Configurable

import pglab
from pglab.grading import Bundle, GradeResult
from pglab.grading.grade import describe, grade_plainly
from pglab.pipeline.executors import DIED_REPEATEDLY
from pglab.sandbox import Sandbox, require
from pglab.sandbox.availability import problem


class Cluster(Configurable):
    """Where ``pglab grade`` sends its work (set as ``c.Cluster.*`` in nbgrader_config.py)."""

    scheduler = Unicode(
        "",
        help="Address of a running Dask scheduler, e.g. 'tcp://10.0.0.5:8786' or "
        "'tls://grading.internal:8786'. Empty: grade on this machine. `pglab grade "
        "--scheduler` overrides it. A Dask scheduler runs whatever its clients send: keep it "
        "on loopback or a private network, and use tls:// with certificates across machines.",
    ).tag(config=True)

    tls_ca_file = Unicode("", help="CA certificate (PEM) the scheduler's certificate is checked "
                          "against, for tls:// addresses.").tag(config=True)  # fmt: skip
    tls_client_cert = Unicode("", help="This client's certificate (PEM), for tls://.").tag(
        config=True
    )
    tls_client_key = Unicode("", help="This client's private key (PEM), for tls://.").tag(
        config=True
    )
    connect_timeout = Float(
        10.0, help="Seconds to reach the scheduler before giving up with an error."
    ).tag(config=True)
    worker_timeout = Float(
        60.0, help="Seconds to wait for at least one worker to join the scheduler."
    ).tag(config=True)


class ClusterUnavailable(RuntimeError):
    """The cluster cannot grade: unreachable, no workers, or workers that do not fit."""


def installed_version() -> str:
    """This machine's pglab: the installed distribution's version (``pglab.__version__``, which
    ``importlib.metadata`` reads from the install) and a digest of the package's code, so that
    two checkouts of one version with different code are told apart: ``0.1.0+code.1a2b3c``."""
    return f"{pglab.__version__}+code.{_code_digest()}"


@functools.cache
def _code_digest() -> str:
    root = Path(pglab.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".j2") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


class WorkerMismatch(RuntimeError):
    """A worker refuses a task: other pglab version, or a bundle that is not the one sent."""


def worker_facts(bwrap: str, sandboxed: bool) -> dict:
    """Run on every worker at connect time: its pglab version and sandbox problem, if any."""
    return {
        "pglab": installed_version(),
        "sandbox": problem(bwrap) if sandboxed else None,
    }


def grade_task(bundle: Bundle, notebook: str, data: bytes, digest: str, version: str):
    """One submission, on a worker: refuse what does not match, then ``grade`` it."""
    if installed_version() != version:
        raise WorkerMismatch(
            f"this worker runs pglab {installed_version()}, the client pglab {version}: "
            "install the same pglab (same commit) on every worker"
        )
    if bundle.digest != digest:
        raise WorkerMismatch("the grading bundle on this worker is not the one the client sent")
    sandbox = Sandbox(config=bundle.config)
    if sandbox.enabled:
        require(sandbox.bwrap)  # SandboxUnavailable, with the fix, if bwrap cannot run here
    # Any exception of grading becomes this submission's plain-text error on the worker:
    # what travels back is plain data (nbgrader's SchemaTooNewError cannot be unpickled).
    return grade_plainly(bundle, notebook, data)


def security(settings: Cluster):
    """A ``distributed.Security`` from the TLS settings, or None if none are given."""
    from distributed import Security

    files = (settings.tls_ca_file, settings.tls_client_cert, settings.tls_client_key)
    if not any(files):
        if settings.scheduler.startswith("tls://"):
            raise ClusterUnavailable(
                f"{settings.scheduler} is a TLS address: set c.Cluster.tls_ca_file, "
                "tls_client_cert and tls_client_key in nbgrader_config.py"
            )
        return None
    if not all(files):
        raise ClusterUnavailable(
            "TLS needs all three of c.Cluster.tls_ca_file, tls_client_cert and tls_client_key"
        )
    return Security(
        tls_ca_file=settings.tls_ca_file,
        tls_client_cert=settings.tls_client_cert,
        tls_client_key=settings.tls_client_key,
        require_encryption=True,
    )


class DaskBackend:
    """Grade on the workers of a running Dask scheduler."""

    def __init__(self, settings: Cluster, sandbox: Sandbox):
        import dask
        from distributed import Client

        address = settings.scheduler
        timeout = settings.connect_timeout
        tls = security(settings)
        try:
            with dask.config.set({"distributed.comm.timeouts.connect": f"{timeout}s"}):
                self.client = Client(address, security=tls, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise ClusterUnavailable(
                f"cannot reach the Dask scheduler at {address} within {timeout:.0f} s: {error}"
            ) from None
        try:
            self._check_workers(settings, sandbox)
        except BaseException:
            self.client.close()
            raise
        self.where = f"the Dask cluster at {address}"
        self.dashboard = self.client.dashboard_link

    def _check_workers(self, settings: Cluster, sandbox: Sandbox) -> None:
        address = settings.scheduler
        try:
            self.client.wait_for_workers(1, timeout=settings.worker_timeout)
        except TimeoutError:
            raise ClusterUnavailable(
                f"no Dask worker joined the scheduler at {address} within "
                f"{settings.worker_timeout:.0f} s"
            ) from None
        facts = self.client.run(worker_facts, sandbox.bwrap, sandbox.enabled)
        for worker, fact in sorted(facts.items()):
            if fact["pglab"] != installed_version():
                raise ClusterUnavailable(
                    f"worker {worker} of {address} runs pglab {fact['pglab']}, this client "
                    f"pglab {installed_version()}: install the same pglab (same commit) on "
                    "every worker"
                )
            if fact["sandbox"]:
                raise ClusterUnavailable(
                    f"worker {worker} of {address} cannot sandbox student code: "
                    f"{fact['sandbox']} Install bubblewrap on every worker, or grade with "
                    "--unsafe-no-sandbox (trusted code only)."
                )
        self.jobs = sum(self.client.nthreads().values())

    def grade_each(self, bundle, notebook, items):
        from distributed import KilledWorker, as_completed

        items = list(items)
        if not items:
            return
        run = uuid.uuid4().hex[:12]
        # The bundle travels inside every task (tens of KB), not as a task or scattered data
        # the grading tasks depend on: Dask places a task where its dependencies are held,
        # so every grading task went to the one worker holding the bundle, two at once on a
        # one-thread worker. One that killed its worker then took the submission queued
        # beside it down too, twice, and that innocent submission was given up with it.
        # Scattered data would also die with its workers and leave its dependents waiting.
        running = {}
        for index, (key, data) in enumerate(items):
            future = self.client.submit(
                grade_task,
                bundle,
                notebook,
                data,
                bundle.digest,
                installed_version(),
                key=f"pglab-grade-{run}-{index}",
                pure=False,
            )
            running[future] = key
        try:
            for future in as_completed(running, loop=self.client.loop):
                key = running[future]
                try:
                    result = future.result()
                except KilledWorker:
                    result = GradeResult(None, error=f"{DIED_REPEATEDLY} (on every worker tried)")
                except Exception as error:  # refused by the worker, or a bug of ours
                    result = GradeResult(
                        None, error=f"the cluster could not grade it: {describe(error)}"
                    )
                future.release()
                yield key, result
        finally:
            # On Ctrl-C or an error: withdraw what is still queued; what is saved is saved.
            self.client.cancel(list(running))

    def close(self) -> None:
        self.client.close()
