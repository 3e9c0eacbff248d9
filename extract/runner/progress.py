"""A batch on the terminal: documents done, docs/s, words/s (pages/s for PDFs), errors so far, ETA."""

from __future__ import annotations

import time

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from extract.runner.batch import BatchProgress
from extract.runner.tasks import Reply


class RichProgress(BatchProgress):
    def __init__(self, console: Console):
        self.console = console
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rates]} · errors {task.fields[errors]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        self._task = None
        self._started = 0.0
        self._done = self._words = self._pages = self._errors = 0

    def start(self, documents: int, resumed: int, workers: int, engine: str) -> None:
        if resumed:
            self.console.print(f"{resumed} of {documents} documents already extracted (journal); {documents - resumed} to go")
        self._started = time.perf_counter()
        self._bar.start()
        description = f"{engine} × {workers}"
        self._task = self._bar.add_task(description, total=documents, completed=resumed, rates="", errors=0)

    def advance(self, reply: Reply) -> None:
        result = reply.result
        self._done += 1
        self._words += result.words
        self._pages += result.pages
        if result.error:
            self._errors += 1
            # A file name or message may hold `[...]`, which rich would read as markup.
            self.console.print(f"[yellow]{escape(f'{result.error.path}: {result.error.code}: {result.error.message}')}[/yellow]")
        elapsed = max(time.perf_counter() - self._started, 1e-9)
        rates = f"{self._done / elapsed:.1f} docs/s · {self._words / elapsed / 1000:.1f}k words/s"
        if self._pages:
            rates += f" · {self._pages / elapsed:.1f} pages/s"
        self._bar.update(self._task, advance=1, rates=rates, errors=self._errors)

    def stop(self) -> None:
        self._bar.stop()
