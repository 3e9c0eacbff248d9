"""Ingest: any supported file in, one Document out (or an IngestError naming the file)."""

from __future__ import annotations

from pathlib import Path

from extract.ingest.cord19 import looks_like_cord19, parse_cord19
from extract.ingest.errors import IngestError
from extract.ingest.evidence_inference import looks_like_evidence_inference, parse_evidence_inference
from extract.ingest.markdown import parse_markdown
from extract.schema import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES


def doc_id_of(path: Path) -> str:
    return path.stem


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise IngestError(path, "empty_file", "the file is empty")
    for encoding in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise IngestError(path, "decode_error", f"not UTF-8, UTF-16 or Windows-1252 text ({error.reason})") from error


def parse_text(text: str, doc_id: str, path: str) -> Document:
    """Pick the export format from the text itself, not the file name."""
    if looks_like_cord19(text):
        return parse_cord19(text, doc_id, path)
    if looks_like_evidence_inference(text):
        return parse_evidence_inference(text, doc_id, path)
    return parse_markdown(text, doc_id, path)


def load_document(path: str | Path) -> Document:
    path = Path(path)
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
