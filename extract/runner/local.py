"""The local engine: worker processes on this machine, each with its own pipeline.

A pebble process pool: every worker builds the spaCy pipeline once, in its
initializer, then extracts one document at a time. A document that takes longer
than the time limit has its worker stopped and replaced (the replacement builds
its pipeline again) and is recorded with the code `timeout`; a worker that dies
(out of memory, a crash in native code) costs only its document, recorded as
`worker_died`.

A worker is also replaced after RECYCLE_AFTER documents: spaCy's vocabulary
keeps every new word it meets, so a worker that lived through ten thousand
papers would grow; a fresh one costs a pipeline build, about a second.

Workers are started by a fork server that has already imported spaCy and this
package, so each starts quickly, and never from the batch's own threads.
"""

from __future__ import annotations

import multiprocessing
import queue
from concurrent.futures import Future, TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from extract.runner.tasks import Reply, Task, extract_task, failed_reply, ready_after, warm_up


RECYCLE_AFTER = 1000


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["extract.runner.tasks"])
        return context
    return multiprocessing.get_context("spawn")


class LocalEngine:
    name = "local"

    def __init__(self, pipeline: str, workers: int, timeout: float | None = None):
        self.pipeline = pipeline
        self.workers = workers
        self.timeout = timeout or None
        self._pool = ProcessPool(
            max_workers=workers, max_tasks=RECYCLE_AFTER, initializer=warm_up, initargs=(pipeline,), context=_context()
        )
        self._done: queue.SimpleQueue[tuple[Task, Future]] = queue.SimpleQueue()

    def submit(self, task: Task) -> None:
        future = self._pool.schedule(extract_task, args=(task, self.pipeline), timeout=self.timeout)
        future.add_done_callback(lambda done: self._done.put((task, done)))

    def next_reply(self) -> Reply:
        task, future = self._done.get()
        try:
            return future.result()
        except FutureTimeout:
            return failed_reply(
                task, "timeout", f"not finished within {self.timeout:g} s (--timeout); its worker was stopped and replaced"
            )
        except ProcessExpired as error:
            return failed_reply(task, "worker_died", f"the worker process died (exit code {error.exitcode}) while reading it")
        except Exception as error:  # the pool could not run it at all
            return failed_reply(task, "internal_error", f"{type(error).__name__}: {error}")

    def warm_up(self) -> set[str]:
        """Block until every worker has its pipeline (benchmarks time extraction, not start-up)."""
        ready: set[str] = set()
        while len(ready) < self.workers:
            futures = [self._pool.schedule(ready_after, args=(self.pipeline, 0.5)) for _ in range(self.workers)]
            ready.update(f.result() for f in futures)
        return ready

    def close(self, cancel: bool = False) -> None:
        if cancel:
            self._pool.stop()
        else:
            self._pool.close()
        self._pool.join()
