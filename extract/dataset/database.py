"""The review dataset: one DuckDB file that a review keeps for its whole life.

``update`` adds the papers it has not seen, skips those whose bytes it has
seen (SHA-256 of the file), re-reads those that changed and keeps the values
they had as history. What it extracts is journaled beside the dataset first
(``<database>.checkpoint/``), so an update killed while extracting loses no
finished paper; the dataset is then written in one transaction, so a process
killed while writing leaves the file as it was before. Studies of different
papers that are one trial share a trial id (``dedupe.py``); reviewer judgements live in their own table (``reviews.py``)
and re-attach to a value by its identity, so re-extraction never undoes them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd
from rapidfuzz import fuzz
from spacy.language import Language

from extract import __version__
from extract.dataset.analyses import alloantibody_table
from extract.dataset.dedupe import assign_trials, normalise_doi, normalise_title, study_ref
from extract.dataset.records import StudyIdentity, UpdateSummary
from extract.ingest import DEFAULT_MAX_BYTES, doc_id_of, printable
from extract.ingest.document import DocumentMetadata
from extract.link.records import DocumentError, DocumentResult
from extract.run import discover
from extract.runner.batch import DEFAULT_TIMEOUT, BatchOptions, BatchProgress, journaled_extraction, key_of, make_engine
from extract.runner.inprocess import InProcessEngine
from extract.runner.stats import RunStats
from extract.store.journal import Journal, JournalError, JournalLocked, StaleJournal, rules_fingerprint
from extract.store.outputs import ValueRow

DEFAULT_DATABASE = Path("review.duckdb")
SAME_PAPER_TITLE_RATIO = 90
"""A changed file whose title is less alike than this (rapidfuzz ratio, folded) is another paper, not a new version."""
SCHEMA_VERSION = 1

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER, version VARCHAR, pipeline VARCHAR, config VARCHAR, paths VARCHAR,
    started TIMESTAMP, finished TIMESTAMP,
    files INTEGER, added INTEGER, changed INTEGER, unchanged INTEGER, copies INTEGER, failed INTEGER);
CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR, path VARCHAR, content_hash VARCHAR, format VARCHAR, kind VARCHAR,
    title VARCHAR, authors VARCHAR, year INTEGER, doi VARCHAR, journal VARCHAR,
    status VARCHAR, copy_of VARCHAR, error_code VARCHAR, error_message VARCHAR,
    characters INTEGER, studies INTEGER, "values" INTEGER, first_run INTEGER, extracted_run INTEGER);
CREATE TABLE IF NOT EXISTS document_versions (
    doc_id VARCHAR, content_hash VARCHAR, path VARCHAR, run_id INTEGER,
    status VARCHAR, error_code VARCHAR, error_message VARCHAR);
CREATE TABLE IF NOT EXISTS studies (
    doc_id VARCHAR, study_key VARCHAR, kind VARCHAR, trial_id VARCHAR,
    first_author VARCHAR, year INTEGER, title VARCHAR, journal VARCHAR, doi VARCHAR);
CREATE TABLE IF NOT EXISTS trials (
    trial_id VARCHAR, first_author VARCHAR, year INTEGER, title VARCHAR, doi VARCHAR,
    papers INTEGER, sources VARCHAR);
CREATE TABLE IF NOT EXISTS extracted_values (
    value_id VARCHAR, doc_id VARCHAR, study_key VARCHAR, field VARCHAR, value VARCHAR,
    evidence VARCHAR, start INTEGER, "end" INTEGER, mention VARCHAR, page INTEGER, section VARCHAR, rule VARCHAR,
    evidence_kind VARCHAR, content_hash VARCHAR, run_id INTEGER, current BOOLEAN, superseded_run INTEGER,
    confidence DOUBLE, evidence_rank INTEGER, mention_start INTEGER, mention_end INTEGER);
-- Added after the first datasets were written: such files gain them, empty, when opened for writing.
ALTER TABLE extracted_values ADD COLUMN IF NOT EXISTS confidence DOUBLE;
ALTER TABLE extracted_values ADD COLUMN IF NOT EXISTS evidence_rank INTEGER;
ALTER TABLE extracted_values ADD COLUMN IF NOT EXISTS mention_start INTEGER;
ALTER TABLE extracted_values ADD COLUMN IF NOT EXISTS mention_end INTEGER;
CREATE TABLE IF NOT EXISTS corrections (
    correction_id INTEGER, created TIMESTAMP, value_id VARCHAR, doc_id VARCHAR, study_key VARCHAR,
    field VARCHAR, value VARCHAR, action VARCHAR, corrected_value VARCHAR, evidence VARCHAR,
    note VARCHAR, reviewer VARCHAR);
CREATE TABLE IF NOT EXISTS analyses (
    dimension VARCHAR, "group" VARCHAR, studies INTEGER, studies_with_counts INTEGER,
    positive INTEGER, tested INTEGER, share DOUBLE);
"""

# The values a reviewer sees: the current extraction with the latest judgement
# of each value applied, plus values only a reviewer holds (added, or confirmed
# and since lost by the pipeline), which stay until the reviewer removes them.
_REVIEWED_VALUES = """
CREATE OR REPLACE VIEW reviewed_values AS
WITH latest AS (
    SELECT * FROM corrections
    QUALIFY row_number() OVER (PARTITION BY value_id ORDER BY correction_id DESC) = 1
), current_values AS (
    SELECT * FROM extracted_values WHERE current
)
SELECT v.value_id, v.doc_id, v.study_key,
       coalesce(s.trial_id, CASE WHEN v.study_key = '' THEN v.doc_id ELSE v.doc_id || '#' || v.study_key END) AS trial_id,
       v.field,
       CASE WHEN l.action = 'corrected' THEN l.corrected_value ELSE v.value END AS value,
       v.value AS extracted_value,
       coalesce(l.action, 'unreviewed') AS review, 'pipeline' AS origin, l.note,
       v.evidence, v.start, v."end", v.mention, v.page, v.section, v.rule, v.evidence_kind,
       v.confidence, v.evidence_rank, v.mention_start, v.mention_end
FROM current_values v
LEFT JOIN latest l USING (value_id)
LEFT JOIN studies s ON s.doc_id = v.doc_id AND s.study_key = v.study_key
UNION ALL
SELECT l.value_id, l.doc_id, l.study_key,
       coalesce(s.trial_id, CASE WHEN l.study_key = '' THEN l.doc_id ELSE l.doc_id || '#' || l.study_key END),
       l.field,
       CASE WHEN l.action = 'corrected' THEN l.corrected_value ELSE l.value END,
       NULL, l.action, 'reviewer', l.note,
       l.evidence, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM latest l
LEFT JOIN studies s ON s.doc_id = l.doc_id AND s.study_key = l.study_key
WHERE l.action IN ('confirmed', 'corrected', 'added')
  AND l.value_id NOT IN (SELECT value_id FROM current_values);
"""


class DatasetError(Exception):
    """The dataset file cannot be used; the message names it and says why."""


def value_id(doc_id: str, study_key: str, field: str, value: str) -> str:
    """A value's identity across re-extractions: which paper, which study, which field, what value."""
    return hashlib.sha1("\x1f".join((doc_id, study_key, field, value)).encode("utf-8")).hexdigest()[:12]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- the file


def _now() -> datetime:
    """UTC wall time without zone, as DuckDB's TIMESTAMP holds it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (or create) the dataset file with its tables; DatasetError names the file if it cannot."""
    path = Path(path)
    if read_only and not path.exists():
        raise DatasetError(f"{path}: no such dataset (create it with `msc-extract update {path} PATHS...`)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except (duckdb.IOException, duckdb.InvalidInputException, duckdb.SerializationException) as error:
        raise DatasetError(f"{path}: cannot open the dataset ({error})") from error
    if read_only:
        _check_version(con, path)
        return con
    with transaction(con):
        con.execute(_TABLES)
        if not one(con, "SELECT count(*) FROM meta WHERE key = 'schema_version'")[0]:
            con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        con.execute(_REVIEWED_VALUES)
    _check_version(con, path)
    return con


def _check_version(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        found = one(con, "SELECT value FROM meta WHERE key = 'schema_version'")
    except duckdb.CatalogException as error:
        raise DatasetError(f"{path}: not an msc-extract dataset") from error
    if found is None or int(found[0]) != SCHEMA_VERSION:
        raise DatasetError(f"{path}: dataset schema {found[0] if found else '?'}, this msc-extract reads {SCHEMA_VERSION}")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection):
    con.begin()
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    con.commit()


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("incoming_rows", frame)
    try:
        con.execute(f'INSERT INTO {table} BY NAME SELECT * FROM incoming_rows')
    finally:
        con.unregister("incoming_rows")


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query (the whole result is read, as DuckDB wants before the next statement)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


# ---------------------------------------------------------------- rows from a result


def study_rows(result: DocumentResult) -> pd.DataFrame:
    rows = []
    meta = result.metadata or DocumentMetadata()
    for study in result.studies:
        ref = study.reference
        if study.study_key == "":  # a trial report is known by its own title page
            identity = (meta.authors[0] if meta.authors else None, meta.year, meta.title, meta.journal, meta.doi)
        else:
            identity = (ref.first_author, ref.year, ref.title, ref.journal, ref.doi) if ref else (None,) * 5
        rows.append((study.doc_id, study.study_key, study.kind.value, None, *identity))
    return pd.DataFrame(
        rows, columns=["doc_id", "study_key", "kind", "trial_id", "first_author", "year", "title", "journal", "doi"]
    )


def value_rows(result: DocumentResult, digest: str, run_id: int) -> pd.DataFrame:
    values = [(study, value) for study in result.studies for value in study.values]
    rows = [ValueRow.from_value(study, value) for study, value in values]
    # Confidence and rank belong to this run's reading (each row records its run); the mention's offsets let the
    # workbench mark the very words a rule read, not the first words that look like them.
    table = pd.DataFrame([row.model_dump() for row in rows], columns=list(ValueRow.model_fields))
    table["mention_start"] = [value.evidence.mention_start for _, value in values]
    table["mention_end"] = [value.evidence.mention_end for _, value in values]
    table.insert(0, "value_id", [value_id(r.doc_id, r.study_key, r.field, r.value) for r in rows])
    table["content_hash"] = digest
    table["run_id"] = run_id
    table["current"] = True
    table["superseded_run"] = None
    return table


# ---------------------------------------------------------------- update


def checkpoint_dir(database: Path | str) -> Path:
    """Where an update journals what it extracts before it writes the dataset: `<database>.checkpoint/`."""
    return Path(f"{database}.checkpoint")


def update(
    database: Path | str,
    paths: Iterable[Path | str],
    pipeline: str | None = "auto",
    reextract: bool = False,
    on_document: Callable[[str, str, str], None] | None = None,
    nlp: Language | None = None,
    workers: int = 0,
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: BatchProgress | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    replace_different: bool = False,
) -> UpdateSummary:
    """Bring every paper under PATHS into the dataset.

    Two steps. The papers the dataset lacks (new, changed, or all with
    ``reextract``) are extracted by the batch runner, ``workers`` processes
    (0: one per core; with ``nlp`` given, in this process with that pipeline),
    into a journal beside the dataset: an update killed here keeps what it had
    extracted, and the next one extracts only the rest. Then the dataset is
    written in one transaction: killed there, it is as before. The journal is
    removed once the dataset holds its results.

    ``on_document(status, doc_id, detail)`` is called as each file is written,
    with status ``added``, ``changed``, ``unchanged``, ``copy`` or ``failed``.
    """
    started = time.perf_counter()
    started_at = _now()
    paths = [Path(p) for p in paths]
    files = discover(paths)
    con = connect(database)
    try:
        digests = {path: _digest(path, max_bytes) for path in files}
        known = _known_documents(con)
        # Every paper `_Update.add` may need the extraction of: all but the unchanged ones.
        to_read = [
            path for path in files
            if isinstance(digests[path], str) and (reextract or not _unchanged(known.get(doc_id_of(path)), digests[path]))
        ]
        # The dataset keeps a document per file: an export of several records fails with `several_records`.
        options = BatchOptions(
            pipeline=pipeline or "auto", workers=workers, resume=True, timeout=timeout, max_bytes=max_bytes, records=False
        )
        engine = make_engine if nlp is None else (lambda _options, _workers: InProcessEngine(nlp))
        with _checkpointed(database, to_read, options, progress, engine) as (journal, stats):
            with transaction(con):
                updater = _Update(con, known, pipeline, journal, reextract, on_document, replace_different)
                updater.summary.database = str(database)
                updater.summary.files = len(files)
                for path in files:
                    updater.add(path, digests[path])
                refresh_derived(con)
                updater.finish(paths, started_at)
                summary = updater.summary
        summary.extracted, summary.resumed = (stats.processed, stats.resumed) if stats else (0, 0)
    finally:
        con.close()
    shutil.rmtree(checkpoint_dir(database), ignore_errors=True)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _digest(path: Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> str | DocumentError:
    """The file's SHA-256, read in chunks; a file over `max_bytes` or not a regular file is refused before it is read."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            return DocumentError(path=printable(str(path)), code="not_a_file", message="not a regular file (a pipe, device or socket); not read")
        if max_bytes is not None and status.st_size > max_bytes:
            return DocumentError(
                path=str(path), code="too_large", message=f"{status.st_size:,} bytes, over the limit of {max_bytes:,} (--max-mb)"
            )
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()
    except FileNotFoundError:
        return DocumentError(path=printable(str(path)), code="not_found", message="no such file")
    except OSError as error:
        return DocumentError(path=printable(str(path)), code="unreadable", message=printable(str(error)))


def _known_documents(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None, str]]:
    """doc_id -> (path, content hash, status) of every paper the dataset holds."""
    rows = con.execute("SELECT doc_id, path, content_hash, status FROM documents").fetchall()
    return {doc_id: (path, digest, status) for doc_id, path, digest, status in rows}


def _unchanged(previous: tuple[str, str | None, str] | None, digest: str) -> bool:
    return previous is not None and previous[1] == digest and previous[2] in ("extracted", "copy")


@contextmanager
def _checkpointed(database, files: list[Path], options: BatchOptions, progress, engine) -> Iterator[tuple[Journal | None, RunStats | None]]:
    """Extract `files` into the checkpoint journal (resuming one a killed update left), and keep it open."""
    if not files:
        yield None, None
        return
    folder = checkpoint_dir(database)
    with ExitStack() as stack:
        try:
            journal, _, stats = stack.enter_context(journaled_extraction(files, folder, options, progress, engine))
        except JournalLocked as error:
            raise DatasetError(f"{database}: another update is running ({error})") from error
        except JournalError:  # left by another version, pipeline or rules, or damaged: of no use, and only a cache
            shutil.rmtree(folder)
            journal, _, stats = stack.enter_context(journaled_extraction(files, folder, options, progress, engine))
        yield journal, stats


class _Update:
    """One update's state: the run, what the dataset held when it began, what this run saw."""

    def __init__(self, con, known, pipeline, journal: Journal | None, reextract, on_document, replace_different=False):
        self.con = con
        self.replace_different = replace_different
        self.journal = journal
        self.pipeline = journal.header.pipeline if journal is not None else f"{pipeline} (not loaded: nothing to read)"
        self.config_pipeline = pipeline
        self.reextract = reextract
        self.report = on_document or (lambda status, doc_id, detail: None)
        self.run_id = one(con, "SELECT coalesce(max(run_id), 0) + 1 FROM runs")[0]
        self.summary = UpdateSummary(run_id=self.run_id, version=__version__, pipeline=self.pipeline, database="", files=0)
        self.known = dict(known)  # what the dataset held when the update began; grows as papers are stored
        self.by_hash = {digest: doc_id for doc_id, (_, digest, status) in self.known.items() if digest and status == "extracted"}
        self.seen: dict[str, Path] = {}

    def _fail(self, path: Path, doc_id: str, code: str, message: str) -> None:
        error = DocumentError(path=printable(str(path)), code=code, message=message)
        self.summary.errors.append(error)
        self.report("failed", doc_id, f"{code}: {message}")

    def add(self, path: Path, digest: str | DocumentError) -> None:
        doc_id = doc_id_of(path)
        resolved = printable(str(path.resolve()))
        if doc_id in self.seen:
            self._fail(path, doc_id, "doc_id_clash", f"same file name as {self.seen[doc_id]}; rename one (a paper's id is its file name)")
            return
        self.seen[doc_id] = path
        if isinstance(digest, DocumentError):
            self._fail(path, doc_id, digest.code, digest.message)
            return
        previous = self.known.get(doc_id)
        if _unchanged(previous, digest) and not self.reextract:
            self.summary.unchanged += 1
            self.report("unchanged", doc_id, "")
            return
        if previous and previous[0] != resolved and Path(previous[0]).exists() and previous[1] != digest:
            self._fail(path, doc_id, "doc_id_clash", f"the dataset already holds {previous[0]} under this name; rename one")
            return
        if not previous and digest in self.by_hash:
            self._record_copy(path, doc_id, digest, self.by_hash[digest])
            return
        key = key_of(digest, doc_id)
        if self.journal is None or key not in self.journal:  # changed or removed since it was hashed
            self._fail(path, doc_id, "not_found", "the file changed or went away while the update was reading it")
            return
        result = self.journal.result(key)
        if result.error:
            self._record_failure(path, doc_id, digest, result.error, previous)
            return
        if previous and previous[2] == "extracted" and not self.replace_different:
            other = self._other_paper(doc_id, result.metadata or DocumentMetadata())
            if other:
                self._fail(path, doc_id, "different_paper", f"{other}; rename the file, or update with --replace-different")
                return
        self._store(result, digest, resolved, replacing=previous is not None and previous[2] == "extracted")

    def _other_paper(self, doc_id: str, new: DocumentMetadata) -> str | None:
        """Why the file now under `doc_id` is another paper, not a new version of the one held (its DOI or title differs)."""
        held_title, held_doi = one(self.con, "SELECT title, doi FROM documents WHERE doc_id = ?", [doc_id])
        if held_doi and new.doi and normalise_doi(held_doi) != normalise_doi(new.doi):
            return f"the dataset holds DOI {held_doi} under this name, this file is DOI {new.doi}"
        if not (held_doi and new.doi) and held_title and new.title:
            if fuzz.ratio(normalise_title(held_title), normalise_title(new.title)) < SAME_PAPER_TITLE_RATIO:
                return f"the dataset holds '{held_title}' under this name, this file is '{new.title}'"
        return None

    def _record_copy(self, path: Path, doc_id: str, digest: str, original: str) -> None:
        self.con.execute(
            "INSERT INTO documents (doc_id, path, content_hash, status, copy_of, first_run) VALUES (?, ?, ?, 'copy', ?, ?)",
            [doc_id, printable(str(path.resolve())), digest, original, self.run_id],
        )
        self._version(doc_id, digest, path, "copy", None)
        self.known[doc_id] = (printable(str(path.resolve())), digest, "copy")
        self.summary.copies.append(doc_id)
        self.report("copy", doc_id, f"same bytes as {original}")

    def _record_failure(self, path: Path, doc_id: str, digest: str, error: DocumentError, previous) -> None:
        # A paper that was read before keeps its values; the failed version is noted and retried next update.
        if previous:
            self.con.execute(
                "UPDATE documents SET error_code = ?, error_message = ? WHERE doc_id = ?", [error.code, error.message, doc_id]
            )
        else:
            self.con.execute(
                """INSERT INTO documents (doc_id, path, status, error_code, error_message, first_run)
                   VALUES (?, ?, 'failed', ?, ?, ?)""",
                [doc_id, printable(str(path.resolve())), error.code, error.message, self.run_id],
            )
            self.known[doc_id] = (printable(str(path.resolve())), None, "failed")
        self._version(doc_id, digest, path, "failed", error)
        self.summary.errors.append(error)
        self.report("failed", doc_id, f"{error.code}: {error.message}")

    def _store(self, result: DocumentResult, digest: str, resolved: str, replacing: bool) -> None:
        doc_id = result.doc_id
        first_run = self.run_id
        if doc_id in self.known:
            first_run = one(self.con, "SELECT first_run FROM documents WHERE doc_id = ?", [doc_id])[0]
            self.con.execute(
                "UPDATE extracted_values SET current = false, superseded_run = ? WHERE doc_id = ? AND current",
                [self.run_id, doc_id],
            )
            self.con.execute("DELETE FROM studies WHERE doc_id = ?", [doc_id])
            self.con.execute("DELETE FROM documents WHERE doc_id = ?", [doc_id])
        values = value_rows(result, digest, self.run_id)
        _insert(self.con, "studies", study_rows(result))
        _insert(self.con, "extracted_values", values)
        meta = result.metadata or DocumentMetadata()
        self.con.execute(
            """INSERT INTO documents (doc_id, path, content_hash, format, kind, title, authors, year, doi, journal,
                                      status, characters, studies, "values", first_run, extracted_run)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'extracted', ?, ?, ?, ?, ?)""",
            [
                doc_id, resolved, digest, result.format.value if result.format else None, result.kind.value if result.kind else None,
                meta.title, "; ".join(meta.authors) or None, meta.year, meta.doi, meta.journal,
                result.characters, len(result.studies), len(values), first_run, self.run_id,
            ],
        )
        self._version(doc_id, digest, Path(resolved), "extracted", None)
        self.known[doc_id] = (resolved, digest, "extracted")
        self.by_hash[digest] = doc_id
        (self.summary.changed if replacing else self.summary.added).append(doc_id)
        detail = f"{len(result.studies)} studies, {len(values)} values"
        self.report("changed" if replacing else "added", doc_id, detail)

    def _version(self, doc_id: str, digest: str, path: Path, status: str, error: DocumentError | None) -> None:
        self.con.execute(
            "INSERT INTO document_versions VALUES (?, ?, ?, ?, ?, ?, ?)",
            [doc_id, digest, printable(str(path.resolve())), self.run_id, status, error.code if error else None, error.message if error else None],
        )

    def finish(self, paths: list[Path], started_at: datetime) -> None:
        summary = self.summary
        config = {"pipeline": self.config_pipeline, "rules": rules_fingerprint(), "reextract": self.reextract}
        self.con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.run_id, __version__, summary.pipeline, json.dumps(config), json.dumps([str(p) for p in paths]),
                started_at,
                _now(),
                summary.files, len(summary.added), len(summary.changed), summary.unchanged, len(summary.copies),
                len(summary.errors),
            ],
        )
        summary.documents, summary.studies, summary.trials, summary.values = one(
            self.con,
            """SELECT (SELECT count(*) FROM documents WHERE status = 'extracted'),
                      (SELECT count(*) FROM studies), (SELECT count(*) FROM trials),
                      (SELECT count(*) FROM reviewed_values WHERE review <> 'rejected')""",
        )


# ---------------------------------------------------------------- derived tables


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Trials and analyses follow from studies, values and reviews; rebuilt after every change."""
    refresh_trials(con)
    refresh_analyses(con)


def study_identities(con: duckdb.DuckDBPyConnection) -> list[StudyIdentity]:
    rows = con.execute(
        """SELECT s.doc_id, s.study_key, s.first_author, s.year, s.title, s.doi, d.first_run
           FROM studies s JOIN documents d USING (doc_id) ORDER BY s.doc_id, s.study_key"""
    ).fetchall()
    return [
        StudyIdentity(doc_id=d, study_key=k, first_author=a, year=y, title=t, doi=doi, first_seen_run=r or 0)
        for d, k, a, y, t, doi, r in rows
    ]


def refresh_trials(con: duckdb.DuckDBPyConnection) -> None:
    identities = study_identities(con)
    assignment = assign_trials(identities)
    links = pd.DataFrame(
        [(*study_ref(i), assignment[study_ref(i)]) for i in identities], columns=["doc_id", "study_key", "trial_id"]
    )
    con.register("trial_links", links)
    try:
        con.execute(
            """UPDATE studies SET trial_id = trial_links.trial_id FROM trial_links
               WHERE studies.doc_id = trial_links.doc_id AND studies.study_key = trial_links.study_key"""
        )
    finally:
        con.unregister("trial_links")
    con.execute("DELETE FROM trials")
    # A trial is named by its best-known paper: a trial report's own title page before a citation of it.
    con.execute(
        """INSERT INTO trials
           SELECT trial_id,
                  arg_min(first_author, (study_key <> '', first_author IS NULL, doc_id, study_key)),
                  arg_min(year, (study_key <> '', year IS NULL, doc_id, study_key)),
                  arg_min(title, (study_key <> '', title IS NULL, doc_id, study_key)),
                  arg_min(doi, (doi IS NULL, study_key <> '', doc_id, study_key)),
                  count(DISTINCT doc_id),
                  string_agg(CASE WHEN study_key = '' THEN doc_id ELSE doc_id || '#' || study_key END, '; '
                             ORDER BY doc_id, study_key)
           FROM studies GROUP BY trial_id"""
    )


def refresh_analyses(con: duckdb.DuckDBPyConnection) -> None:
    # Only trials that report a result are counted, so only theirs are read (the doses of every trial are not parsed).
    values = frame(
        con,
        """SELECT trial_id, field, value FROM reviewed_values WHERE review <> 'rejected' AND trial_id IN (
               SELECT trial_id FROM reviewed_values WHERE field = 'alloantibody_result' AND review <> 'rejected')""",
    )
    table = alloantibody_table(values)
    con.execute("DELETE FROM analyses")
    _insert(con, "analyses", table)
