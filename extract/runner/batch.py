"""A batch: many files through an engine into one output folder, resumable.

1. Every input is keyed by its content hash and name; an input repeating an
   earlier one's key is set aside as a duplicate.
2. Keys already in the journal are skipped (with `resume`); the rest go to the
   engine, a bounded number at a time, and each result is journaled as it
   arrives.
3. The output files are rendered from the journal in input order, so they are
   the same whatever the engine, the number of workers, the order of
   completion, or the interruptions along the way. The invocation's own
   figures (what it processed, how fast, peak memory per worker) are appended
   to `runs.jsonl`.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from extract import __version__
from extract.ingest import DEFAULT_MAX_BYTES, doc_id_of, list_records, printable
from extract.link.records import DocumentError, DocumentResult
from extract.run import describe_pipeline
from extract.runner.schedule import Engine, run_bounded
from extract.runner.stats import RunStats
from extract.runner.tasks import Reply, Task
from extract.store.journal import JOURNAL_NAME, Journal, JournalHeader, rules_fingerprint
from extract.store.outputs import RunSummary, write_outputs

RUNS_NAME = "runs.jsonl"
DEFAULT_TIMEOUT = 300.0


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class BatchOptions(BaseModel):
    pipeline: str = "auto"
    engine: Literal["local", "dask"] = "local"
    workers: int = 0
    """0: one per available core."""
    scheduler: str | None = None
    ordered: bool = False
    resume: bool = False
    retry_failed: bool = False
    """With `resume`: extract again the documents whose journaled result is an error."""
    timeout: float | None = DEFAULT_TIMEOUT
    """Seconds one document may take once a worker starts it; None or 0: no limit."""
    max_bytes: int | None = DEFAULT_MAX_BYTES
    """Larger files are refused unread (`too_large`); None: no limit."""
    records: bool = True
    """A file of several records (a PubMed export, a registry search) is one document per record;
    False: one document per file, so such a file fails with `several_records`."""


class Plan(BaseModel):
    """Which inputs this invocation extracts."""

    keys: list[str]
    """Each distinct input's key, in input order."""
    todo: list[Task]
    resumed: int
    retried: int = 0
    duplicates: dict[str, str]
    refused: dict[str, DocumentResult] = {}
    """Inputs failed without a worker (not a regular file, a doc id already taken), by key."""


class BatchProgress:
    """What a batch tells whoever is watching; the command line shows it with rich."""

    def start(self, documents: int, resumed: int, workers: int, engine: str) -> None: ...

    def advance(self, reply: Reply) -> None: ...


def input_key(path: Path, max_bytes: int | None = None) -> str:
    """An input's identity across runs: its content hash and its name (its doc_id in every output).

    An input that is not read here (unreadable, over `max_bytes`, not a regular file) is keyed by
    its path, so it is tried again once it can be read."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode) or (max_bytes is not None and status.st_size > max_bytes):
            return f"unread:{printable(str(path))}"  # a FIFO or /dev/zero would never end; a huge file is refused unread
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return f"unread:{printable(str(path))}"
    return key_of(digest.hexdigest(), doc_id_of(path))


def not_a_regular_file(path: Path) -> DocumentError | None:
    """A FIFO, a device or a socket named like a paper: reading it would block or never end."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # missing or unreadable: the worker names the problem
    if stat.S_ISREG(mode):
        return None
    return DocumentError(path=printable(str(path)), code="not_a_file", message="not a regular file (a pipe, device or socket); not read")


def key_of(sha256: str, doc_id: str) -> str:
    return f"{sha256}:{doc_id}"


def inputs_of(path: Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> list[tuple[str, str | None]]:
    """(key, record) for each document a file holds: itself, or each record of an export.

    A record is keyed by its own content and id, not the file's, so a PubMed
    export that grows by a few records resumes with only the new ones."""
    records = list_records(path, max_bytes)
    if records is None:
        return [(input_key(path, max_bytes), None)]
    return [(key_of(record.sha256, record.doc_id), record.doc_id) for record in records]


def plan(
    files: list[Path],
    journal: Journal,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    retry_failed: bool = False,
    records: bool = True,
) -> Plan:
    keys: list[str] = []
    first_path: dict[str, str] = {}
    duplicates: dict[str, str] = {}
    by_doc_id: dict[str, str] = {}
    refused: dict[str, DocumentResult] = {}
    todo: list[Task] = []
    resumed = retried = 0
    for path in files:
        error = not_a_regular_file(path)
        inputs = [(input_key(path, max_bytes), None)] if error is not None or not records else inputs_of(path, max_bytes)
        for key, record in inputs:
            name = printable(str(path)) if record is None else f"{printable(str(path))}#{record}"
            if key in first_path:
                duplicates[name] = first_path[key]
                continue
            first_path[key] = name
            keys.append(key)
            doc_id = record if record is not None else doc_id_of(path)
            # Two different papers under one name would be merged into one doc id and one study: the second is refused.
            refusal = error
            if refusal is None and doc_id in by_doc_id:
                refusal = DocumentError(
                    path=name, code="doc_id_clash",
                    message=f"same doc id '{doc_id}' as {by_doc_id[doc_id]}, a different file; rename one (a paper's id is its file name)",
                )
            by_doc_id.setdefault(doc_id, name)
            if refusal is not None:
                refused[key] = DocumentResult(path=name, doc_id=doc_id, error=refusal)
                continue
            if key in journal and not (retry_failed and journal.failed(key)):
                resumed += 1
            else:
                retried += key in journal
                todo.append(Task(order=len(todo), key=key, path=str(path), max_bytes=max_bytes, record=record))
    return Plan(keys=keys, todo=todo, resumed=resumed, retried=retried, duplicates=duplicates, refused=refused)


def make_engine(options: BatchOptions, workers: int) -> Engine:
    if options.engine == "dask":
        from extract.runner.cluster import DaskEngine

        return DaskEngine(options.pipeline, workers, options.scheduler, options.timeout)
    from extract.runner.local import LocalEngine

    return LocalEngine(options.pipeline, workers, options.timeout)


def run_batch(
    files: list[Path],
    out_dir: Path,
    options: BatchOptions,
    progress: BatchProgress | None = None,
    engine_factory: Callable[[BatchOptions, int], Engine] = make_engine,
) -> tuple[RunSummary, RunStats]:
    with journaled_extraction(files, out_dir, options, progress, engine_factory) as (journal, work, stats):
        summary = write_outputs((journal.result(key) for key in work.keys), out_dir, journal.header.pipeline, work.duplicates)
    return summary, stats


@contextmanager
def journaled_extraction(
    files: list[Path],
    out_dir: Path,
    options: BatchOptions,
    progress: BatchProgress | None = None,
    engine_factory: Callable[[BatchOptions, int], Engine] = make_engine,
) -> Iterator[tuple[Journal, Plan, RunStats]]:
    """Extract what `out_dir`'s journal does not hold yet; the journal stays open (and locked) for reading results."""
    progress = progress or BatchProgress()
    header = JournalHeader(version=__version__, pipeline=describe_pipeline(options.pipeline), rules=rules_fingerprint())
    started = time.perf_counter()
    with Journal(out_dir / JOURNAL_NAME, header, resume=options.resume) as journal:
        work = plan(files, journal, options.max_bytes, options.retry_failed, options.records)
        for key, refusal in work.refused.items():
            if key not in journal or journal.result(key) != refusal:
                journal.append(key, refusal)
        workers = min(options.workers or available_cores(), len(work.todo))
        stats = RunStats(
            engine=options.engine,
            workers=workers,
            documents=len(work.keys),
            resumed=work.resumed,
            retried=work.retried,
            processed=0,
            failed=0,
            seconds=0.0,
            characters=0,
            words=0,
            pages=0,
        )
        progress.start(len(work.keys), work.resumed, workers, options.engine)
        try:
            if work.todo:
                _extract(work.todo, journal, options, workers, stats, progress, engine_factory)
        except BaseException:
            stats.interrupted = True
            raise
        finally:
            stats.seconds = round(time.perf_counter() - started, 3)
            _append_stats(out_dir, stats)
        yield journal, work, stats


def _extract(
    todo: list[Task],
    journal: Journal,
    options: BatchOptions,
    workers: int,
    stats: RunStats,
    progress: BatchProgress,
    engine_factory: Callable[[BatchOptions, int], Engine],
) -> None:
    engine = engine_factory(options, workers)
    stats.workers = engine.workers
    finished = False
    try:
        for reply in run_bounded(engine, todo, window=2 * engine.workers, ordered=options.ordered):
            journal.append(reply.key, reply.result)
            _count(stats, reply)
            progress.advance(reply)
        finished = True
    finally:
        engine.close(cancel=not finished)


def _count(stats: RunStats, reply: Reply) -> None:
    result = reply.result
    stats.processed += 1
    stats.failed += result.error is not None
    stats.characters += result.characters
    stats.words += result.words
    stats.pages += result.pages
    if reply.worker:
        stats.peak_rss_mb[reply.worker] = max(stats.peak_rss_mb.get(reply.worker, 0.0), reply.peak_rss_mb)


def _append_stats(out_dir: Path, stats: RunStats) -> None:
    with (out_dir / RUNS_NAME).open("a", encoding="utf-8") as handle:
        handle.write(stats.model_dump_json() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
