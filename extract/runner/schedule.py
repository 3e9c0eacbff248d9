"""Feeding an engine with a bounded number of documents in hand.

At most `window` documents are submitted or waiting to be handed on at any
time, so memory stays flat however long the list of files; with `ordered`
results come back in the order the tasks were given (a slow document holds
back those after it, never more than the window), otherwise as they finish.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from extract.runner.tasks import Reply, Task


class Engine(Protocol):
    name: str
    workers: int

    def submit(self, task: Task) -> None: ...

    def next_reply(self) -> Reply: ...

    def warm_up(self) -> set[str]: ...

    def close(self, cancel: bool = False) -> None: ...


def run_bounded(engine: Engine, tasks: Iterable[Task], window: int, ordered: bool = False) -> Iterator[Reply]:
    """Replies to ``tasks``, whose ``order`` must count 0, 1, 2 … when ``ordered``."""
    pending = iter(tasks)
    in_flight = 0
    held: dict[int, Reply] = {}
    next_order = 0
    exhausted = False
    while True:
        while not exhausted and in_flight + len(held) < window:
            task = next(pending, None)
            if task is None:
                exhausted = True
            else:
                engine.submit(task)
                in_flight += 1
        if not in_flight:
            return
        reply = engine.next_reply()
        in_flight -= 1
        if not ordered:
            yield reply
            continue
        held[reply.order] = reply
        while next_order in held:
            yield held.pop(next_order)
            next_order += 1
