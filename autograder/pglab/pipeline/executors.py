"""Where ``grade(bundle, notebook, bytes)`` runs: a local process pool or a Dask cluster.

A backend takes the bundle, the notebook's name and ``(key, bytes)`` pairs, and yields
``(key, GradeResult)`` as results complete, in any order. It never touches the course
directory: the caller (``pglab.pipeline.run``) alone writes what the results say.

Failure stays with the submission that caused it, by construction:

- a worker calls ``grade_plainly``, which turns any exception into a ``GradeResult`` whose
  ``error`` is a plain string, so nothing that cannot be pickled (nbgrader's
  ``SchemaTooNewError`` cannot) ever crosses the process boundary;
- each worker process grades one submission at a time and the parent knows which: a worker
  that dies (killed, out of memory, crashed) is charged to that one submission, tried again
  once in a fresh process, and never to the submissions still waiting;
- workers end with the parent, even when the parent is killed with SIGKILL: each asks the
  kernel for SIGKILL when its parent process ends (``PR_SET_PDEATHSIG``) and a watchdog
  thread also exits when the ``pglab grade`` process is gone. Their kernels run under
  bubblewrap's ``--die-with-parent``, so they end too.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import select
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.connection import wait
from typing import Protocol

from pglab.grading import Bundle, GradeResult
from pglab.grading.grade import describe, grade_plainly

#: How often a submission whose grading process died is tried again before giving up.
MAX_TRIES = 2

DIED_REPEATEDLY = "the grading process died repeatedly (out of memory or crashed) on this notebook"

_PR_SET_PDEATHSIG = 1


class Backend(Protocol):
    #: how many notebooks are graded at once
    jobs: int
    #: where grading runs, for messages ("" for this machine)
    where: str

    def grade_each(
        self, bundle: Bundle, notebook: str, items: Iterable[tuple[str, bytes]]
    ) -> Iterator[tuple[str, GradeResult]]: ...

    def close(self) -> None: ...


def _end_with(parent: int) -> None:
    """Make this process end when ``parent`` (the ``pglab grade`` process) ends."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the watchdog alone
        pass
    try:
        handle = os.pidfd_open(parent)
    except (OSError, AttributeError):
        handle = None
        if not _alive(parent):
            os._exit(1)

    def watch() -> None:
        while True:
            if handle is not None:
                select.select([handle], [], [])  # readable when the process has ended
                os._exit(1)
            if not _alive(parent):
                os._exit(1)
            time.sleep(1.0)

    threading.Thread(target=watch, name="pglab-parent-watchdog", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _serve(connection, function, bundle: Bundle, notebook: str, parent: int) -> None:
    """A worker: grade what the parent sends, one submission at a time, until told to stop."""
    _end_with(parent)
    try:
        while True:
            task = connection.recv()
            if task is None:
                return
            key, data = task
            result = function(bundle, notebook, data)
            try:
                connection.send((key, result))
            except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as error:
                # a result that does not pickle: say so, as this submission's own failure
                failed = GradeResult(None, error=f"could not be graded: {describe(error)}")
                connection.send((key, failed))
    except (KeyboardInterrupt, EOFError, BrokenPipeError):
        return  # Ctrl-C, or the parent went away: what was saved is saved


class _Worker:
    def __init__(self, context, function, bundle: Bundle, notebook: str):
        self.connection, theirs = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(theirs, function, bundle, notebook, os.getpid()),
            name="pglab-grade-worker",
            daemon=True,
        )
        self.process.start()
        theirs.close()
        self.task: tuple[str, bytes] | None = None

    def give(self, task: tuple[str, bytes]) -> None:
        self.task = task
        self.connection.send(task)

    def stop(self, wait_seconds: float) -> None:
        try:
            if self.process.is_alive() and self.task is None:
                self.connection.send(None)
        except OSError:
            pass
        self.process.join(wait_seconds)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.connection.close()


class LocalBackend:
    """``jobs`` worker processes on this machine, each grading one submission at a time.
    A worker that dies is replaced; its submission is tried again (``MAX_TRIES`` in all)."""

    where = ""

    def __init__(self, jobs: int):
        self.jobs = jobs
        #: what a worker calls for each submission (a module-level function: it is pickled)
        self.function = grade_plainly

    def grade_each(self, bundle, notebook, items):
        # forkserver: workers start from a clean process, not a copy of this one's threads.
        # The server imports the grading code once (nbgrader and pglab, about a second) and
        # each worker is forked from it with that done; this has no effect once it runs.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        pending = deque(items)
        tries = {key: 0 for key, _ in pending}
        workers: list[_Worker] = []
        try:
            while pending or any(w.task for w in workers):
                for worker in [w for w in workers if w.task is None]:
                    if not worker.process.is_alive():  # died between two submissions
                        worker.stop(0)
                        workers.remove(worker)
                    elif pending:
                        worker.give(pending.popleft())
                while len(workers) < self.jobs and pending:
                    worker = _Worker(context, self.function, bundle, notebook)
                    workers.append(worker)
                    worker.give(pending.popleft())
                busy = [w for w in workers if w.task is not None]
                ready = set(wait([w.connection for w in busy] + [w.process.sentinel for w in busy]))
                for worker in busy:
                    if worker.connection not in ready and worker.process.sentinel not in ready:
                        continue
                    key, data = worker.task
                    try:
                        if not worker.connection.poll():
                            raise EOFError
                        got, result = worker.connection.recv()
                    except (EOFError, OSError):  # the worker died while grading this one
                        worker.task = None
                        worker.stop(0)
                        workers.remove(worker)
                        tries[key] += 1
                        if tries[key] < MAX_TRIES:
                            pending.appendleft((key, data))
                            continue
                        yield key, GradeResult(None, error=DIED_REPEATEDLY)
                        continue
                    except Exception as error:  # a result that does not unpickle
                        worker.task = None
                        if not worker.process.is_alive():
                            worker.stop(0)
                            workers.remove(worker)
                        yield (
                            key,
                            GradeResult(None, error=f"could not be graded: {describe(error)}"),
                        )
                        continue
                    worker.task = None
                    yield got, result
        finally:
            # On Ctrl-C, do not wait for notebooks still running: what is saved is saved.
            for worker in workers:
                worker.stop(2)

    def close(self) -> None:
        pass
