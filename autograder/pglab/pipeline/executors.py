"""Where ``grade(bundle, notebook, bytes)`` runs: a local process pool or a Dask cluster.

A backend takes the bundle, the notebook's name and ``(key, bytes)`` pairs, and yields
``(key, GradeResult)`` as results complete, in any order. It never touches the course
directory: the caller (``pglab.pipeline.run``) alone writes what the results say. A failure
of the machinery (a dead process, a lost worker) becomes a ``GradeResult`` with ``error``
set, so one bad submission never stops the batch.
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
from collections.abc import Iterable, Iterator
from typing import Protocol

from pglab.grading import Bundle, GradeResult, grade

#: How often a submission whose grading process died is tried again before giving up.
MAX_TRIES = 2

DIED_REPEATEDLY = "the grading process died repeatedly (out of memory or crashed) on this notebook"


class Backend(Protocol):
    #: how many notebooks are graded at once
    jobs: int
    #: where grading runs, for messages ("" for this machine)
    where: str

    def grade_each(
        self, bundle: Bundle, notebook: str, items: Iterable[tuple[str, bytes]]
    ) -> Iterator[tuple[str, GradeResult]]: ...

    def close(self) -> None: ...


class LocalBackend:
    """A ``ProcessPoolExecutor`` on this machine. A pool whose worker died is replaced, and
    what it had not finished is tried again (``MAX_TRIES`` times at most)."""

    where = ""

    def __init__(self, jobs: int):
        self.jobs = jobs

    def _pool(self) -> futures.ProcessPoolExecutor:
        # forkserver: workers start from a clean process, not a copy of this one's threads.
        context = multiprocessing.get_context("forkserver")
        return futures.ProcessPoolExecutor(self.jobs, mp_context=context)

    def grade_each(self, bundle, notebook, items):
        pending = list(items)
        tries = {key: 0 for key, _ in pending}
        while pending:
            pool = self._pool()
            try:
                running = {
                    pool.submit(grade, bundle, notebook, data): (key, data) for key, data in pending
                }
                pending = []
                for future in futures.as_completed(running):
                    key, data = running[future]
                    try:
                        result = future.result()
                    except futures.process.BrokenProcessPool:
                        tries[key] += 1
                        if tries[key] < MAX_TRIES:
                            pending.append((key, data))
                            continue
                        result = GradeResult(None, error=DIED_REPEATEDLY)
                    except Exception as error:  # a bug of ours: report it, grade the others
                        result = GradeResult(None, error=f"internal error: {error!r}")
                    yield key, result
            finally:
                # On Ctrl-C, do not wait for notebooks still running: what is saved is saved.
                pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        pass
