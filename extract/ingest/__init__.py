"""Ingest: any supported file in, one Document out (or an IngestError naming the file).

The format is sniffed from the content, not the file name: XML by its root
element (a JATS <article>, a PubMed <PubmedArticleSet>, a ClinicalTrials.gov
<clinical_study>), JSON by its keys (a ClinicalTrials.gov study), MEDLINE by
its `PMID- ` tags, and the text exports by their headers. A file that holds
many records (a PubMed export, a registry search) is many documents: each
record is read alone, addressed by its identifier (`load_document(path,
record=PMID)`), and `list_records` names them for a batch.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from extract.ingest.cord19 import looks_like_cord19, parse_cord19
from extract.ingest.ctgov import ctgov_records, looks_like_ctgov_json, parse_ctgov_study, parse_ctgov_xml
from extract.ingest.encoding import read_text, without_invisible
from extract.ingest.errors import IngestError
from extract.ingest.evidence_inference import looks_like_evidence_inference, parse_evidence_inference
from extract.ingest.jats import parse_jats
from extract.ingest.layout_text import Record, first_element_name
from extract.ingest.markdown import parse_markdown
from extract.ingest.pubmed import (
    looks_like_medline,
    medline_records,
    parse_medline_record,
    parse_pubmed_article,
    pubmed_xml_records,
)
from extract.ingest.document import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
PDF_SUFFIXES = {".pdf"}
# Structured formats; the content still decides which reader reads them.
STRUCTURED_SUFFIXES = {".xml", ".nxml", ".json", ".nbib", ".medline"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | STRUCTURED_SUFFIXES
DEFAULT_MAX_BYTES = 100 * 1024 * 1024  # a paper's text is well under 10 MB; this stops a runaway file, not a long paper
_SNIFF_BYTES = 65536


def doc_id_of(path: Path) -> str:
    # A name that is not valid UTF-8 (bytes Python keeps as surrogates) cannot go into JSON, CSV or DuckDB.
    return printable(path.stem)


def printable(text: str) -> str:
    """A file name as text every output can hold: undecodable bytes become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def parse_text(text: str, doc_id: str, path: str) -> Document:
    """Pick the format from the text itself, not the file name.

    In a text export, invisible characters inside words (soft hyphens, zero-width joiners …) are left
    out of the Document's text, so that no rule misses `intra\u00advenously`; `Document.invisible` says
    where they were. Structured formats (XML, JSON, record exports) are laid out anew, their offsets
    index that layout, and they keep their characters."""
    records = split_records(text, path)
    if records is not None:
        return _only_record(records, doc_id, path)
    if _looks_like_xml(text):
        return _parse_xml_document(text, doc_id, path)
    if _looks_like_json(text):
        return _parse_json_document(text, doc_id, path)
    text, invisible = without_invisible(text)
    document = _parse_text_export(text, doc_id, path)
    document.invisible = invisible
    return document


def _parse_text_export(text: str, doc_id: str, path: str) -> Document:
    if looks_like_cord19(text):
        return parse_cord19(text, doc_id, path)
    if looks_like_evidence_inference(text):
        return parse_evidence_inference(text, doc_id, path)
    return parse_markdown(text, doc_id, path)


_XML_ROOTS = {"article", "clinical_study", "PubmedArticleSet"}


def _looks_like_xml(text: str) -> bool:
    """An XML declaration, or a root element of a format we read; other markup (an HTML page) is read as text."""
    stripped = text.lstrip("\ufeff \t\r\n")
    return stripped.startswith(("<?xml", "<!DOCTYPE")) or (stripped.startswith("<") and first_element_name(text) in _XML_ROOTS)


def _looks_like_json(text: str) -> bool:
    return bool(re.match(r"[\ufeff\s]*(?:\{|\[\s*\{)", text))


def _parse_xml_document(text: str, doc_id: str, path: str) -> Document:
    root = first_element_name(text)
    if root == "article":
        return parse_jats(text, doc_id, path)
    if root == "clinical_study":
        return parse_ctgov_xml(text, doc_id, path)
    if root is None:
        raise IngestError(path, "xml_malformed", "starts with '<' but no root element could be found")
    raise IngestError(
        path, "unknown_xml", f"an XML file whose root element is <{root}>: not JATS (<article>), PubMed "
        "(<PubmedArticleSet>) or a ClinicalTrials.gov record (<clinical_study>)"
    )


def _parse_json_document(text: str, doc_id: str, path: str) -> Document:
    data = _load_json(text, path)
    if looks_like_ctgov_json(data):
        return parse_ctgov_study(data, doc_id, path)
    keys = ", ".join(list(data)[:8]) if isinstance(data, dict) else f"a list of {len(data)}"
    raise IngestError(path, "unknown_json", f"JSON that is not a ClinicalTrials.gov study record (keys: {keys})")


def _load_json(text: str, path: str):
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise IngestError(path, "json_malformed", f"not valid JSON: {error}") from error


def split_records(text: str, path: str) -> list[Record] | None:
    """The records of a file that can hold several; None when the text is not such a format."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if looks_like_medline(stripped):
        return medline_records(text)
    if stripped.startswith("<") and first_element_name(text) == "PubmedArticleSet":
        return pubmed_xml_records(text, path)
    if _looks_like_json(text):
        return ctgov_records(_load_json(text, path))
    return None


def parse_record(record: Record, path: str) -> Document:
    if record.format == "medline":
        return parse_medline_record(record.source, record.doc_id, path)
    if record.format == "pubmed_xml":
        return parse_pubmed_article(record.source, record.doc_id, path)
    return parse_ctgov_study(json.loads(record.source), record.doc_id, path)


def _only_record(records: list[Record], doc_id: str, path: str) -> Document:
    if not records:
        raise IngestError(path, "no_records", "a PubMed or registry export that holds no record")
    if len(records) > 1:
        raise IngestError(
            path, "several_records", f"{len(records)} records ({', '.join(r.doc_id for r in records[:3])}, ...): "
            "each is its own document; read them with list_records and load_document(path, record=ID), or msc-extract run"
        )
    # A file of one record is a file like any other: named by its file name (FIELD_GUIDE's doc_id).
    document = parse_record(records[0], path)
    document.doc_id = doc_id
    return document


def check_size(path: Path, max_bytes: int | None) -> None:
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise IngestError(path, "too_large", f"{size:,} bytes, over the limit of {max_bytes:,} (--max-mb)")


def _may_hold_records(path: Path) -> bool:
    """A cheap look at a file's opening: could it be a PubMed export or a registry search?"""
    if path.suffix.lower() in PDF_SUFFIXES:
        return False
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES).decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
    return looks_like_medline(head) or _looks_like_json(head) or "<PubmedArticleSet" in head


@lru_cache(maxsize=4)
def _records_of(path: str, _mtime_ns: int, _size: int) -> tuple[Record, ...] | None:
    # Cached by the file's identity, so a worker given record after record of one export splits it once.
    records = split_records(read_text(Path(path)), path)
    return None if records is None else tuple(records)


def list_records(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> list[Record] | None:
    """The records of a file that holds several documents, or None for a file that is one document
    (a file of one record is named by its file, as any paper is).

    A file that cannot be read or split is one document here: reading it then
    fails with the error that says why."""
    path = Path(path)
    try:
        check_size(path, max_bytes)
        if not _may_hold_records(path):
            return None
        stat = path.stat()
        records = _records_of(str(path), stat.st_mtime_ns, stat.st_size)
    except (IngestError, OSError, ValueError):
        return None
    return list(records) if records is not None and len(records) > 1 else None


def load_document(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES, record: str | None = None) -> Document:
    path = Path(path)
    try:
        check_size(path, max_bytes)
    except OSError as error:
        raise IngestError(path, "unreadable", str(error)) from error
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        from extract.ingest.pdf import load_pdf

        return load_pdf(path)
    try:
        if record is not None:
            return _load_record(path, record)
        return parse_text(read_text(path), doc_id_of(path), str(path))
    except IngestError:
        raise
    except (OSError, ValueError) as error:
        raise IngestError(path, "unreadable", str(error)) from error


def _load_record(path: Path, record: str) -> Document:
    stat = path.stat()
    records = _records_of(str(path), stat.st_mtime_ns, stat.st_size) or ()
    for candidate in records:
        if candidate.doc_id == record:
            try:
                return parse_record(candidate, str(path))
            except IngestError as error:
                message = error.message if record in error.message else f"record {record}: {error.message}"
                raise IngestError(path, error.code, message) from error
    raise IngestError(path, "record_not_found", f"no record {record} in this file (changed since the batch was planned?)")
