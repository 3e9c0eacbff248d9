"""The journal of a batch: every document's result, appended the moment it is known.

`OUT/journal.jsonl` holds a header line (the version and pipeline that wrote
it) and then one `JournalEntry` a line, keyed by the document's content hash
and name. Each line is flushed and fsynced before the next document is
counted done, so a batch killed at any moment (even by SIGKILL) loses at most
the line it was writing; that torn last line is dropped when the journal is
opened again. Resuming means skipping the keys already here (or, retrying
failures, those whose latest result is not an error); a key journaled again
keeps its latest line. The output files are rendered from the journal, in
input order, at the end.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO, Literal

from pydantic import BaseModel, ValidationError

from extract.link.records import DocumentResult
from extract.paths import models_dir

JOURNAL_NAME = "journal.jsonl"

try:  # POSIX: one batch at a time per output folder
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class JournalHeader(BaseModel):
    journal: Literal["msc-extract"] = "msc-extract"
    version: str
    pipeline: str
    rules: str = ""
    """`rules_fingerprint()` of models/: results read with other rules are not resumed."""


def rules_fingerprint() -> str:
    """SHA-256 over models/ (patterns and lexicons): which rules read the values."""
    digest = hashlib.sha256()
    for path in sorted(p for p in models_dir().rglob("*") if p.is_file()):
        digest.update(path.relative_to(models_dir()).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class JournalEntry(BaseModel):
    key: str
    result: DocumentResult


class JournalError(Exception):
    """The journal cannot be used as asked; the message says why and what to do."""


class JournalLocked(JournalError):
    """Another batch holds the journal."""


class StaleJournal(JournalError):
    """The journal was written by another version or pipeline, so its results cannot be resumed."""


class Journal:
    def __init__(self, path: Path, header: JournalHeader, resume: bool):
        self.path = path
        self.header = header
        self._offsets: dict[str, int] = {}
        self._failed: set[str] = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: BinaryIO = open(path, "a+b")
        self._lock()
        if resume and self._file.seek(0, os.SEEK_END) > 0:
            try:
                self._load()
            except JournalError:
                self._file.close()
                raise
        else:
            self._file.truncate(0)
            self._append_line(header.model_dump_json())

    def __contains__(self, key: str) -> bool:
        return key in self._offsets

    def __len__(self) -> int:
        return len(self._offsets)

    def failed(self, key: str) -> bool:
        """Whether the latest result journaled under `key` is an error."""
        return key in self._failed

    def append(self, key: str, result: DocumentResult) -> None:
        offset = self._file.seek(0, os.SEEK_END)
        self._append_line(JournalEntry(key=key, result=result).model_dump_json())
        self._remember(key, offset, result)

    def _remember(self, key: str, offset: int, result: DocumentResult) -> None:
        self._offsets[key] = offset
        if result.error is None:
            self._failed.discard(key)
        else:
            self._failed.add(key)

    def result(self, key: str) -> DocumentResult:
        self._file.seek(self._offsets[key])
        return JournalEntry.model_validate_json(self._file.readline()).result

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _append_line(self, line: str) -> None:
        self._file.write(line.encode("utf-8") + b"\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def _lock(self) -> None:
        if fcntl is None:
            return
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.close()
            raise JournalLocked(f"{self.path}: another batch is writing to this output folder") from None

    def _load(self) -> None:
        self._file.seek(0)
        offset = 0
        for number, line in enumerate(iter(self._file.readline, b""), start=1):
            torn = not line.endswith(b"\n")
            try:
                if number == 1:
                    found = JournalHeader.model_validate_json(line)
                    if found != self.header:
                        rules = "" if found.rules == self.header.rules else f" and other rules in models/ ({found.rules or 'unrecorded'})"
                        raise StaleJournal(
                            f"{self.path} was written by msc-extract {found.version} with pipeline '{found.pipeline}'{rules}, "
                            f"not {self.header.version} with '{self.header.pipeline}': run without --resume, or use another --out"
                        )
                else:
                    entry = JournalEntry.model_validate_json(line)
                    self._remember(entry.key, offset, entry.result)
            except ValidationError as error:
                if not torn:
                    raise JournalError(
                        f"{self.path}:{number}: not a journal line (damaged). Run without --resume to extract everything"
                        f" again, or delete lines {number} onwards to keep the {max(number - 2, 0)} results before it"
                    ) from error
                # The line a kill interrupted: what it held is extracted again.
                self._file.truncate(offset)
                break
            if torn:  # a whole record missing only its newline: keep it, end the line
                self._file.seek(0, os.SEEK_END)
                self._file.write(b"\n")
                self._file.flush()
                os.fsync(self._file.fileno())
                break
            offset += len(line)
        if offset == 0 and not self._offsets and self._file.seek(0, os.SEEK_END) == 0:
            self._append_line(self.header.model_dump_json())
