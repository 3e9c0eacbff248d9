"""One document at a time: files in, DocumentResults out; a bad file never stops the batch.

`process_path` is the per-document function every engine runs (extract/runner/
runs it in worker processes or on a Dask cluster); `run_paths` is the plain
in-process loop for library use.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from spacy.language import Language

from extract.fields.dose import dose_cell_values
from extract.fields.prose import read_sentences
from extract.fields.registry import is_registry_record, with_registry_values
from extract.fields.tables import read_table_rows
from extract.ingest import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, doc_id_of, load_document
from extract.ingest.document import Document
from extract.ingest.encoding import restore_file_offsets
from extract.ingest.errors import IngestError
from extract.link.document_kind import document_kind, is_about_cell_therapy
from extract.link.records import DocumentError, DocumentKind, DocumentResult
from extract.link.studies import TRIAL_REPORT_SECTIONS, deduplicate_values, gives_trial_values, link_primary, link_review
from extract.link.trial import merge_restatements
from extract.nlp.pipeline import build_pipeline, pipeline_description


# Notes that travel with a folder of papers, not papers themselves.
NOT_PAPERS = {"README", "CITATIONS", "CITATION", "LICENSE", "LICENCE", "NOTES", "SOURCES", "CHANGELOG"}


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files to read: the supported files named, and those below named folders (links to folders not followed)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                for name in sorted(files):
                    candidate = Path(root) / name
                    if candidate.suffix.lower() in SUPPORTED_SUFFIXES and candidate.stem.upper() not in NOT_PAPERS:
                        found.append(candidate)
        else:
            found.append(path)
    return found


def extract_document(document: Document, nlp: Language) -> DocumentResult:
    # A registry record describes one trial, its own, whatever its title says.
    kind = DocumentKind.primary if is_registry_record(document) else document_kind(document)
    if not is_about_cell_therapy(document):
        # A review or report whose title and abstract give no cell product cites no cell-therapy study either,
        # so its body is not read at all: most of a literature search's papers are such papers.
        studies = []
    elif kind is DocumentKind.review:
        sentences = read_sentences(document, nlp)
        studies = link_review(document, sentences, read_table_rows(document, nlp, {"dose": dose_cell_values}))
        studies = [merge_restatements(s) for s in studies]
    else:
        sentences = read_sentences(document, nlp, values_wanted=gives_trial_values, sections=TRIAL_REPORT_SECTIONS)
        studies = with_registry_values(document, link_primary(document, sentences))
    result = DocumentResult(
        path=document.path,
        doc_id=document.doc_id,
        kind=kind,
        format=document.format,
        metadata=document.metadata,
        studies=[deduplicate_values(s) for s in studies],
        characters=len(document.text),
        words=len(document.text.split()),
        pages=len(document.pages),
    )
    restore_file_offsets(result, document.invisible)  # evidence offsets index the file, invisible characters and all
    return result


def process_path(
    path: Path, nlp: Language, max_bytes: int | None = DEFAULT_MAX_BYTES, record: str | None = None
) -> DocumentResult:
    """One document: a file, or with `record` one record (a PMID, an NCT number) of a file that holds several."""
    started = time.perf_counter()
    doc_id = record if record is not None else doc_id_of(path)
    where = str(path) if record is None else f"{path}#{record}"  # an error names the record, not only its file
    try:
        if not path.exists():
            raise IngestError(path, "not_found", "no such file")
        result = extract_document(load_document(path, max_bytes, record), nlp)
    except IngestError as error:
        result = DocumentResult(
            path=str(path), doc_id=doc_id, error=DocumentError(path=where, code=error.code, message=error.message)
        )
    except Exception as error:  # a bug on one paper must not cost the batch
        result = DocumentResult(
            path=str(path),
            doc_id=doc_id,
            error=DocumentError(path=where, code="internal_error", message=f"{type(error).__name__}: {error}"),
        )
    result.seconds = time.perf_counter() - started
    return result


def run_paths(
    paths: list[Path], pipeline: str | None = "auto", on_result: Callable[[DocumentResult], None] | None = None
) -> Iterator[DocumentResult]:
    nlp = build_pipeline(pipeline)
    for path in paths:
        result = process_path(path, nlp)
        if on_result:
            on_result(result)
        yield result


def describe_pipeline(pipeline: str | None) -> str:
    return pipeline_description(build_pipeline(pipeline))
