"""The Dask engine: the same per-document function on a Dask cluster.

`--scheduler ADDRESS` joins an existing cluster, whose workers must have
msc-extract installed and see the input paths (a shared file system); without
it a LocalCluster of single-threaded worker processes listens on loopback only.
Each worker builds its pipeline once (`build_pipeline` is cached per process).

The time limit works as in the local engine: a worker announces when it starts
a document (a Dask event), and a document still running `timeout` seconds
later is recorded as `timeout` and its worker restarted by its nanny, which is
the only way to stop Python code mid-document. Workers without a nanny cannot
be restarted: the document is still recorded as `timeout`, and that worker
finishes it in vain before it takes the next.
"""

from __future__ import annotations

import logging
import threading
import time

from extract.runner.tasks import Reply, Task, extract_task, failed_reply, warm_up

STARTED_TOPIC = "msc-extract-started"
POLL_SECONDS = 0.2
"""How often the engine looks for overdue documents while it waits (with a time limit)."""

log = logging.getLogger(__name__)


def extract_announced(task: Task, pipeline: str) -> Reply:
    """`extract_task` on a Dask worker, announcing first which worker started which document."""
    from distributed import get_worker

    worker = get_worker()
    worker.log_event(STARTED_TOPIC, {"order": task.order, "worker": worker.address})
    return extract_task(task, pipeline)


class DaskEngine:
    name = "dask"

    def __init__(self, pipeline: str, workers: int, scheduler: str | None = None, timeout: float | None = None):
        from distributed import Client, LocalCluster

        self.pipeline = pipeline
        self.timeout = timeout or None
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
        if self.timeout:
            self._client.subscribe_topic(STARTED_TOPIC, self._on_started)

    def submit(self, task: Task) -> None:
        function = extract_announced if self.timeout else extract_task
        future = self._client.submit(function, task, self.pipeline, pure=False)
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
            late = [(order, worker) for order, (started, worker) in self._started.items() if now - started > self.timeout]
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

    def _restart(self, worker: str) -> None:
        try:
            self._client.restart_workers([worker], raise_for_error=True)
        except Exception as error:  # no nanny, or the worker is already gone
            log.warning("could not restart Dask worker %s after a timeout: %s", worker, error)

    def _on_started(self, event: tuple[float, dict]) -> None:
        _, message = event
        with self._lock:
            self._started[int(message["order"])] = (time.monotonic(), str(message["worker"]))

    def _forget(self, order: int) -> Task:
        future = self._futures.pop(order)
        self._order.pop(future.key, None)
        with self._lock:
            self._started.pop(order, None)
        return self._tasks.pop(order)

    def warm_up(self) -> set[str]:
        self._client.wait_for_workers(self.workers)
        return set(self._client.run(warm_up, self.pipeline).values())

    def close(self, cancel: bool = False) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
