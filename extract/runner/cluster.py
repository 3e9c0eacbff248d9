"""The Dask engine: the same per-document function on a Dask cluster.

`--scheduler ADDRESS` joins an existing cluster, whose workers must have
msc-extract installed and see the input paths (a shared file system); without
it a LocalCluster of single-threaded worker processes listens on loopback only.
Each worker builds its pipeline once (`build_pipeline` is cached per process).

The time limit works as in the local engine: a document still running
`timeout` seconds after its worker started it is recorded as `timeout` and its
worker restarted by its nanny, which is the only way to stop Python code
mid-document. When a document started is known two ways. A worker announces
it (a Dask event, sent once its pipeline is built); but the announcement
travels on the worker's event loop, which cannot run while the document holds
the GIL (a regular expression in C), so the engine also asks the scheduler,
every poll, which documents each worker holds: a worker runs its documents in
the order they were submitted, so its earliest one is running, since it was
handed over or since the one before it finished. Workers without a nanny cannot
be restarted: the document is still recorded as `timeout`, and that worker
finishes it in vain before it takes the next.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from extract.runner.tasks import Reply, Task, extract_task, failed_reply, warm_up

STARTED_TOPIC = "msc-extract-started"
POLL_SECONDS = 0.2
"""How often the engine looks for overdue documents while it waits (with a time limit)."""

log = logging.getLogger(__name__)


def extract_announced(task: Task, pipeline: str, function: Callable[[Task, str], Reply] = extract_task) -> Reply:
    """`function` on a Dask worker, announcing first (its pipeline built) which worker started which document."""
    from distributed import get_worker

    warm_up(pipeline)  # a restarted worker builds its pipeline outside the document's time
    worker = get_worker()
    worker.log_event(STARTED_TOPIC, {"order": task.order, "worker": worker.address})
    return function(task, pipeline)


class DaskEngine:
    name = "dask"

    def __init__(
        self,
        pipeline: str,
        workers: int,
        scheduler: str | None = None,
        timeout: float | None = None,
        function: Callable[[Task, str], Reply] = extract_task,
    ):
        from distributed import Client, LocalCluster

        self.pipeline = pipeline
        self.timeout = timeout or None
        self.function = function
        self._cluster = None
        if scheduler:
            self._client = Client(scheduler)
            self.workers = len(self._client.scheduler_info()["workers"]) or workers
        else:
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
            self.workers = workers
        self._futures: dict[int, object] = {}  # order -> Future
        self._order: dict[str, int] = {}  # Future key -> order
        self._tasks: dict[int, Task] = {}
        self._started: dict[int, tuple[float, str]] = {}  # order -> (when this client heard, worker address)
        self._lock = threading.Lock()  # events arrive on the client's own thread
        # The scheduler's view: when each document was first seen on its worker, when each worker last finished one.
        self._handed: dict[int, tuple[float, str]] = {}
        self._held: dict[str, set[int]] = {}
        self._freed: dict[str, float] = {}
        # Workers known to hold a built pipeline: on the others, a document's time would include building it.
        self._warm: set[str] = set()
        if self.timeout:
            self._client.subscribe_topic(STARTED_TOPIC, self._on_started)
            self.warm_up()

    def submit(self, task: Task) -> None:
        if self.timeout:
            future = self._client.submit(extract_announced, task, self.pipeline, self.function, pure=False)
        else:
            future = self._client.submit(self.function, task, self.pipeline, pure=False)
        self._futures[task.order] = future
        self._order[future.key] = task.order
        self._tasks[task.order] = task

    def next_reply(self) -> Reply:
        from distributed import wait

        while True:
            try:
                done = wait(list(self._futures.values()), timeout=POLL_SECONDS if self.timeout else None, return_when="FIRST_COMPLETED")
            except TimeoutError:  # nothing finished in this poll: is anything overdue?
                done = None
            if done is not None:
                return self._reply(min(done.done, key=lambda future: self._order[future.key]))
            overdue = self._overdue()
            if overdue is not None:
                return overdue

    def _reply(self, future) -> Reply:
        task = self._forget(self._order[future.key])
        try:
            return future.result()
        except Exception as error:  # KilledWorker and the like: the document, not the batch, fails
            code = "worker_died" if type(error).__name__ == "KilledWorker" else "internal_error"
            return failed_reply(task, code, f"{type(error).__name__}: {error}")
        finally:
            future.release()

    def _overdue(self) -> Reply | None:
        now = time.monotonic()
        with self._lock:
            started = dict(self._started)
        started.update({order: seen for order, seen in self._running(now).items() if order not in started})
        late = sorted((order, worker) for order, (since, worker) in started.items() if now - since > self.timeout)
        for order, worker in late:
            if order not in self._futures:
                continue
            future = self._futures[order]
            task = self._forget(order)
            future.cancel()
            self._restart(worker)
            return failed_reply(
                task, "timeout", f"not finished within {self.timeout:g} s (--timeout); its Dask worker was restarted"
            )
        return None

    def _running(self, now: float) -> dict[int, tuple[float, str]]:
        """Per worker, the document it is running by the scheduler's account, and since when."""
        try:
            processing = self._client.processing()
        except Exception as error:  # the scheduler is busy or gone: no estimate this poll
            log.debug("could not ask the scheduler what its workers hold: %s", error)
            return {}
        running: dict[int, tuple[float, str]] = {}
        for worker, keys in processing.items():
            if worker not in self._warm:
                continue
            held = {self._order[key] for key in keys if key in self._order}
            if self._held.get(worker, set()) - held:
                self._freed[worker] = now  # one finished (or was cancelled): the next one starts now
            self._held[worker] = held
            for order in held:
                self._handed.setdefault(order, (now, worker))
            if held:
                first = min(held, key=lambda order: (self._handed[order][0], order))
                running[first] = (max(self._handed[first][0], self._freed.get(worker, 0.0)), worker)
        return running

    def _restart(self, worker: str) -> None:
        before = set(self._client.scheduler_info()["workers"])
        try:
            self._client.restart_workers([worker], raise_for_error=True)
        except Exception as error:  # no nanny, or the worker is already gone
            log.warning("could not restart Dask worker %s after a timeout: %s", worker, error)
            return
        self._warm.discard(worker)
        self._held.pop(worker, None)
        restarted = (set(self._client.scheduler_info()["workers"]) - before) | ({worker} & set(self._client.scheduler_info()["workers"]))
        if restarted:
            self._warm.update(self._client.run(warm_up, self.pipeline, workers=sorted(restarted)))

    def _on_started(self, event: tuple[float, dict]) -> None:
        _, message = event
        with self._lock:
            self._started[int(message["order"])] = (time.monotonic(), str(message["worker"]))
            self._warm.add(str(message["worker"]))  # it announces once its pipeline is built

    def _forget(self, order: int) -> Task:
        future = self._futures.pop(order)
        self._order.pop(future.key, None)
        with self._lock:
            self._started.pop(order, None)
        self._handed.pop(order, None)
        return self._tasks.pop(order)

    def warm_up(self) -> set[str]:
        self._client.wait_for_workers(self.workers)
        built = self._client.run(warm_up, self.pipeline)
        self._warm.update(built)
        return set(built.values())

    def close(self, cancel: bool = False) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
