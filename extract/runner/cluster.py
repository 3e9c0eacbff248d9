"""The Dask engine: the same per-document function on a Dask cluster.

`--scheduler ADDRESS` joins an existing cluster, whose workers must have
msc-extract installed and see the input paths (a shared file system); without
it a LocalCluster of single-threaded worker processes listens on loopback only.
Each worker builds its pipeline once (`build_pipeline` is cached per process).
"""

from __future__ import annotations

import logging

from extract.runner.tasks import Reply, Task, extract_task, failed_reply, warm_up


class DaskEngine:
    name = "dask"

    def __init__(self, pipeline: str, workers: int, scheduler: str | None = None):
        from distributed import Client, LocalCluster, as_completed

        self.pipeline = pipeline
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
        self._done = as_completed()
        self._tasks: dict[str, Task] = {}

    def submit(self, task: Task) -> None:
        future = self._client.submit(extract_task, task, self.pipeline, pure=False)
        self._tasks[future.key] = task
        self._done.add(future)

    def next_reply(self) -> Reply:
        future = next(self._done)
        task = self._tasks.pop(future.key)
        try:
            return future.result()
        except Exception as error:  # KilledWorker and the like: the document, not the batch, fails
            code = "worker_died" if type(error).__name__ == "KilledWorker" else "internal_error"
            return failed_reply(task, code, f"{type(error).__name__}: {error}")
        finally:
            future.release()

    def warm_up(self) -> set[str]:
        self._client.wait_for_workers(self.workers)
        return set(self._client.run(warm_up, self.pipeline).values())

    def close(self, cancel: bool = False) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
