"""A paper's words for the workbench: the text its evidence offsets index, passages of it with marks, PDF pages.

Files are found only through the dataset: a paper's path is the one `update` recorded
for its id, and it is read only while its bytes still hash to what was extracted (else
the offsets would point at other words). The text is the one the reader wrote:
`Document.text` for PDFs and structured formats, the decoded file for text exports
(their offsets count the invisible characters the rules skipped). pdfium is not
thread-safe, so every call into it here holds one lock.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

import pypdfium2 as pdfium
from pydantic import BaseModel

from extract.ingest import load_document
from extract.ingest.encoding import read_text, without_invisible
from extract.ingest.errors import IngestError
from extract.ingest.pdf import layout_pdf
from extract.ingest.pdf.boxes import PageBox, text_boxes
from extract.ingest.document import Page
from extract.serve.models import PaperInfo

PDFIUM = threading.Lock()


class PaperUnavailable(Exception):
    """The paper's words cannot be shown; the message says why (the stored evidence still can)."""


class PaperText(BaseModel):
    doc_id: str
    format: str
    text: str
    pages: list[Page]

    @property
    def is_pdf(self) -> bool:
        return self.format == "pdf"


class Segment(BaseModel):
    text: str
    marks: list[str]
    """Which marks cover these characters (`evidence`, `mention`, `support`), as CSS classes."""


class Line(BaseModel):
    start: int
    """Offset of the line's first character in the paper's text: the browser counts a selection from it."""
    segments: list[Segment]


class Passage(BaseModel):
    start: int
    end: int
    lines: list[Line]
    cut_before: bool
    cut_after: bool


class PageImage(BaseModel):
    png: bytes
    width: float
    height: float
    """The page as shown (its /Rotate applied), in PDF points."""


class _Recent:
    """A small least-recently-used store."""

    def __init__(self, size: int):
        self.size = max(1, size)
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], object]):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


class PaperShelf:
    """Papers read from their recorded files, checked against their recorded hashes, kept for a while."""

    def __init__(self, papers_cached: int, pages_cached: int, render_scale: float):
        self.render_scale = render_scale
        self._digests = _Recent(256)
        self._texts = _Recent(papers_cached)
        self._pages = _Recent(pages_cached)
        self._boxes = _Recent(256)

    def _checked_file(self, info: PaperInfo) -> tuple[Path, tuple]:
        if info.status != "extracted" or not info.path:
            raise PaperUnavailable(f"{info.doc_id} was not read ({info.status or 'no file'}); only stored evidence is shown")
        path = Path(info.path)
        try:
            status = os.stat(path)
        except OSError as error:
            raise PaperUnavailable(f"{info.path} cannot be opened ({error.strerror or error}); only stored evidence is shown") from error
        key = (str(path), status.st_mtime_ns, status.st_size)
        digest = self._digests.get(key, lambda: _sha256(path))
        if digest != info.content_hash:
            raise PaperUnavailable(
                f"{info.path} changed since it was read (run `msc-extract update` again); only stored evidence is shown"
            )
        return path, key

    def text(self, info: PaperInfo) -> PaperText:
        path, key = self._checked_file(info)
        return self._texts.get(key, lambda: _read(info.doc_id, path))

    def page(self, info: PaperInfo, number: int) -> PageImage:
        path, key = self._checked_file(info)
        if info.format != "pdf":
            raise PaperUnavailable(f"{info.doc_id} is not a PDF")
        return self._pages.get((key, number), lambda: _render(path, number, self.render_scale))

    def boxes(self, info: PaperInfo, start: int, end: int) -> list[PageBox]:
        """Where characters start..end of a PDF's text are printed: the PDF reader's boxes, one per line segment."""
        path, key = self._checked_file(info)

        def locate():
            try:
                with PDFIUM:
                    return text_boxes(path, start, end)
            except IngestError as error:
                raise PaperUnavailable(f"{info.doc_id}: its words cannot be located on the page ({error})") from error

        return self._boxes.get((key, start, end), locate)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _read(doc_id: str, path: Path) -> PaperText:
    try:
        with PDFIUM:
            document = load_document(path, max_bytes=None)
            # Offsets count the invisible characters the Document left out: the file's, or the PDF layout's.
            if document.invisible:
                text = layout_pdf(path).text if document.format.value == "pdf" else read_text(path)
            else:
                text = document.text
    except (IngestError, OSError) as error:
        raise PaperUnavailable(f"{doc_id} cannot be read now ({error})") from error
    return PaperText(doc_id=doc_id, format=document.format.value, text=text, pages=document.pages)


def _render(path: Path, number: int, scale: float) -> PageImage:
    with PDFIUM:
        pdf = pdfium.PdfDocument(str(path))
        try:
            if not 1 <= number <= len(pdf):
                raise PaperUnavailable(f"no page {number} (the PDF has {len(pdf)})")
            page = pdf[number - 1]
            image = page.render(scale=scale).to_pil()
            page.close()
        finally:
            pdf.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return PageImage(png=buffer.getvalue(), width=image.width / scale, height=image.height / scale)


def reads_as_stored(text: str, start: int, end: int, evidence: str) -> bool:
    """The paper's text still holds the stored evidence at its offsets (a reader changed since extraction would not)."""

    def folded(words: str) -> str:
        return " ".join(without_invisible(words)[0].split())

    return 0 <= start <= end <= len(text) and folded(text[start:end]) == folded(evidence)


# ---------------------------------------------------------------- passages with marks


def passage(
    text: str, start: int, end: int, marks: list[tuple[int, int, str]], before: int, after: int
) -> Passage:
    """The text around start..end, about `before` and `after` characters more, cut at white space, as lines of
    segments; `marks` are (start, end, name) spans, kept where they overlap the passage."""
    begin = max(0, start - before)
    if begin > 0 and text[begin - 1] not in "\n":
        space = _next_space(text, begin, start)
        begin = space + 1 if space is not None else begin
    finish = min(len(text), end + after)
    if finish < len(text) and text[finish] != "\n":
        space = text.rfind(" ", end, finish)
        finish = space if space > end else finish
    lines = []
    at = begin
    while at <= finish:
        newline = text.find("\n", at, finish)
        stop = finish if newline < 0 else newline
        if stop > at or newline >= 0:
            lines.append(Line(start=at, segments=_segments(text, at, stop, marks)))
        if newline < 0:
            break
        at = newline + 1
    return Passage(start=begin, end=finish, lines=lines, cut_before=begin > 0, cut_after=finish < len(text))


def _next_space(text: str, begin: int, limit: int) -> int | None:
    for at in range(begin, limit):
        if text[at].isspace():
            return at
    return None


def _segments(text: str, start: int, end: int, marks: list[tuple[int, int, str]]) -> list[Segment]:
    inside = [(max(s, start), min(e, end), name) for s, e, name in marks if s < end and e > start]
    cuts = sorted({start, end, *(s for s, _, _ in inside), *(e for _, e, _ in inside)})
    segments = []
    for left, right in zip(cuts, cuts[1:]):
        names = sorted({name for s, e, name in inside if s <= left and e >= right})
        segments.append(Segment(text=text[left:right], marks=names))
    return segments
