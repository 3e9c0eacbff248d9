"""What crosses between a batch and its workers: plain data, never spaCy objects.

`extract_task` is the one per-document function every engine runs. A worker
builds the spaCy pipeline once (`build_pipeline` is cached per process) and
returns the `DocumentResult` as a pydantic model, which pickles as plain data;
it also reports its own peak memory so the batch can show it.
"""

from __future__ import annotations

import os
import resource
import socket
import sys
import time
from pathlib import Path

from pydantic import BaseModel

from extract.ingest import DEFAULT_MAX_BYTES, doc_id_of, printable
from extract.link.records import DocumentError, DocumentResult
from extract.nlp.pipeline import build_pipeline
from extract.run import process_path


class Task(BaseModel):
    order: int
    """Position among the documents this invocation extracts (what --ordered keeps)."""
    key: str
    path: str
    max_bytes: int | None = DEFAULT_MAX_BYTES
    """Files larger than this are refused with `too_large`, unread."""
    record: str | None = None
    """For a file of several records (a PubMed export), the one this task reads: its PMID or NCT number."""

    @property
    def doc_id(self) -> str:
        return self.record if self.record is not None else doc_id_of(Path(self.path))


class Reply(BaseModel):
    order: int
    key: str
    result: DocumentResult
    worker: str = ""
    peak_rss_mb: float = 0.0


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


# Read once by each worker before its first document: lexicons load and patterns compile on first use,
# a few tenths of a second that would otherwise count against the first document's --timeout.
WARM_UP_PAPER = (
    "A randomised trial of mesenchymal stromal cells\n\nMethods\n\n"
    "Patients (n = 12) received 1 x 10^6 allogeneic bone marrow MSCs/kg intravenously in two infusions [1]. "
    "At 12 months, 2 of 12 patients (17%) developed donor-specific antibodies (DSA); no serious adverse events.\n"
)


def warm_up(pipeline: str) -> str:
    """Build the pipeline in this worker now, and read a short paper with it, so no document is charged for either."""
    nlp = build_pipeline(pipeline)
    from extract.ingest import parse_text
    from extract.run import extract_document

    extract_document(parse_text(WARM_UP_PAPER, "warm-up", "warm-up"), nlp)
    return worker_id()


def ready_after(pipeline: str, seconds: float) -> str:
    """Warm up, then hold this worker a moment, so each worker of a pool takes one such call."""
    warm_up(pipeline)
    time.sleep(seconds)
    return worker_id()


def extract_task(task: Task, pipeline: str) -> Reply:
    result = process_path(Path(task.path), build_pipeline(pipeline), task.max_bytes, task.record)
    result.path = printable(result.path)
    if result.error is not None:
        result.error.path = printable(result.error.path)
        result.error.message = printable(result.error.message)
    return Reply(order=task.order, key=task.key, result=result, worker=worker_id(), peak_rss_mb=peak_rss_mb())


def failed_reply(task: Task, code: str, message: str) -> Reply:
    """A document its worker did not finish (too slow, or the process died): recorded, and the batch goes on."""
    path = printable(task.path)
    error = DocumentError(path=path, code=code, message=message)
    return Reply(order=task.order, key=task.key, result=DocumentResult(path=path, doc_id=printable(task.doc_id), error=error))
