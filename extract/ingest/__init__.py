"""Ingest: any supported file in, one Document out (or an IngestError naming the file)."""

from __future__ import annotations

from pathlib import Path

from extract.ingest.cord19 import looks_like_cord19, parse_cord19
from extract.ingest.encoding import read_text, without_invisible
from extract.ingest.errors import IngestError
from extract.ingest.evidence_inference import looks_like_evidence_inference, parse_evidence_inference
from extract.ingest.markdown import parse_markdown
from extract.schema import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES
DEFAULT_MAX_BYTES = 100 * 1024 * 1024  # a paper's text is well under 10 MB; this stops a runaway file, not a long paper


def doc_id_of(path: Path) -> str:
    # A name that is not valid UTF-8 (bytes Python keeps as surrogates) cannot go into JSON, CSV or DuckDB.
    return printable(path.stem)


def printable(text: str) -> str:
    """A file name as text every output can hold: undecodable bytes become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def parse_text(text: str, doc_id: str, path: str) -> Document:
    """Pick the export format from the text itself, not the file name.

    Invisible characters inside words (soft hyphens, zero-width joiners …) are left out of the Document's
    text, so that no rule misses `intra\u00advenously`; `Document.invisible` says where they were."""
    text, invisible = without_invisible(text)
    document = _parse_visible(text, doc_id, path)
    document.invisible = invisible
    return document


def _parse_visible(text: str, doc_id: str, path: str) -> Document:
    if looks_like_cord19(text):
        return parse_cord19(text, doc_id, path)
    if looks_like_evidence_inference(text):
        return parse_evidence_inference(text, doc_id, path)
    return parse_markdown(text, doc_id, path)


def check_size(path: Path, max_bytes: int | None) -> None:
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise IngestError(path, "too_large", f"{size:,} bytes, over the limit of {max_bytes:,} (--max-mb)")


def load_document(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Document:
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
        return parse_text(read_text(path), doc_id_of(path), str(path))
    except IngestError:
        raise
    except (OSError, ValueError) as error:
        raise IngestError(path, "unreadable", str(error)) from error
