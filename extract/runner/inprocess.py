"""The in-process engine: documents read one after another here, with a pipeline already built.

For library use and tests, where starting worker processes (each loading spaCy)
would cost more than the documents: the same per-document function, the same
replies, no time limit (nothing can stop Python code mid-document in-process).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from spacy.language import Language

from extract.run import process_path
from extract.runner.tasks import Reply, Task, peak_rss_mb, worker_id


class InProcessEngine:
    name = "in-process"

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.workers = 1
        self._waiting: deque[Task] = deque()

    def submit(self, task: Task) -> None:
        self._waiting.append(task)

    def next_reply(self) -> Reply:
        task = self._waiting.popleft()
        result = process_path(Path(task.path), self.nlp, task.max_bytes, task.record)
        return Reply(order=task.order, key=task.key, result=result, worker=worker_id(), peak_rss_mb=peak_rss_mb())

    def warm_up(self) -> set[str]:
        return {worker_id()}

    def close(self, cancel: bool = False) -> None:
        self._waiting.clear()
