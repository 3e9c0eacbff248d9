"""PDF papers: laid out into the markdown-like text the other readers know, every character with its page.

    glyphs.py      pdfium: characters with boxes, baselines, sizes; ruling lines
    lines.py       characters to lines, superscripts kept apart
    pdf_tables.py  tables under their captions, to rows of cells
    layout.py      running heads dropped, columns found, reading order
    writer.py      paragraphs, headings, tables to text, and where each page starts
    traced.py      text that keeps, for every character, the glyph it was printed from
    boxes.py       where a range of the text is on the pages (text_boxes)

The text then goes through the same format sniffer as a text file
(``parse_text``), so a PDF printed from an export reads like that export, and
any other PDF is read as markdown. The Document keeps the laid-out text, so
evidence offsets index into it and ``Document.page_at`` names the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from extract.ingest.document import Document, DocumentFormat, Page
from extract.ingest.errors import IngestError
from extract.ingest.markdown import DOI
from extract.ingest.pdf.glyphs import PageContent, open_pdf, read_page
from extract.ingest.pdf.layout import (
    Placed, drop_figure_text, drop_furniture, drop_repeated, furniture_keys, masthead, reading_order,
)
from extract.ingest.pdf.lines import Line, build_lines
from extract.ingest.pdf.pdf_tables import find_tables
from extract.ingest.pdf.writer import Written, write

_MIN_TEXT_CHARACTERS = 20
_YEAR = re.compile(r"(?<![\d/.])(?:19|20)\d\d(?![\d/])")


def load_pdf(path: str | Path) -> Document:
    from extract.ingest import doc_id_of, parse_text

    path = Path(path)
    written = layout_pdf(path)
    document = parse_text(written.text, doc_id_of(path), str(path))
    # The first page's masthead is page furniture, not text, but it prints the article's DOI and
    # the year of the issue it was published in ("Volume 2016", "Trials (2015) 16:14"): a
    # "Received 2015" in the text is not the publication year.
    printed_doi = DOI.search(written.masthead)
    if document.metadata.doi is None and printed_doi:
        document.metadata.doi = printed_doi.group(1)
    printed_year = _YEAR.search(DOI.sub(" ", written.masthead))
    if printed_year:
        document.metadata.year = int(printed_year.group(0))
    return attach_pages(document, written, len(written.page_starts))


def layout_pdf(path: Path) -> Written:
    """The PDF's text in reading order, or an IngestError that says what is wrong with the file."""
    _check_header(path)
    document = _open(path)
    try:
        page_count = len(document)
        if page_count == 0:
            raise IngestError(path, "corrupt_pdf", "the PDF has no pages")
        pages = []
        for index in range(page_count):
            try:
                page = read_page(document, index)
            except pdfium.PdfiumError as error:
                raise IngestError(path, "corrupt_pdf", f"page {index + 1} cannot be read ({error})") from error
            pages.append((page, build_lines(page.glyphs)))
            for view in page.turned:
                view.turned = None  # marks the view as one (it holds no views itself)
                pages.append((view, build_lines(view.glyphs)))
    finally:
        document.close()
    characters = sum(len(page.glyphs) for page, _ in pages)
    if characters < _MIN_TEXT_CHARACTERS:
        images = sum(page.images for page, _ in pages)
        what = f"{images} image(s) and no text" if images else "no text"
        raise IngestError(path, "no_text_layer", f"no text layer: {page_count} page(s) with {what} (scanned? run OCR first)")
    placed, dropped = _placed(pages)
    written = write(placed, page_count)
    written.masthead = " ".join(line.text for line in dropped)
    written.page_sizes = {page.number: (page.width, page.height) for page, _ in pages if page.turned is not None}
    return written


def _placed(pages: list[tuple[PageContent, list[Line]]]) -> tuple[list[Placed], list[Line]]:
    """The pages' lines and tables in reading order, and the first page's masthead left out of them."""
    keys = furniture_keys(pages)
    all_lines = [line for _, lines in pages for line in lines]
    body_size = _body_size(all_lines)
    placed: list[Placed] = []
    head: list[Line] = []
    for page, lines in pages:
        if page.number == 1 and page.turned is not None:
            head = masthead(page, lines, body_size)
            lines = [line for line in lines if line not in head] if head else lines
        lines = drop_furniture(page, lines, keys)
        tables = find_tables(page, lines, body_size) if _may_hold_table(lines) else []
        taken = {id(line) for table in tables for line in table.lines}
        lines = drop_figure_text(page, drop_repeated([line for line in lines if id(line) not in taken]), body_size)
        read = reading_order(page, lines, tables, body_size)
        if page.turned is None:
            for item in read:
                item.column = "turned " + item.column  # a view of its own: no paragraph runs into it
        placed.extend(read)
    return placed, head


def _may_hold_table(lines: list[Line]) -> bool:
    return any(line.text.lstrip()[:5].lower() == "table" for line in lines)


def _body_size(lines: list[Line]) -> float:
    sizes: dict[float, int] = {}
    for line in lines:
        key = round(line.size, 1)
        sizes[key] = sizes.get(key, 0) + len(line.glyphs)
    return max(sizes, key=sizes.get) if sizes else 10.0


def attach_pages(document: Document, written: Written, page_count: int) -> Document:
    starts = written.page_starts
    pages = [
        Page(number=number, start=start, end=starts[i + 1][0] if i + 1 < len(starts) else len(document.text))
        for i, (start, number) in enumerate(starts)
    ]
    document = document.model_copy(update={"format": DocumentFormat.pdf, "pages": pages})
    for paragraph in document.paragraphs:
        paragraph.page = document.page_at(paragraph.start)
    for table in document.tables:
        table.page = document.page_at(table.start)
    return document


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as error:
        raise IngestError(path, "unreadable", str(error)) from error
    if not head.strip():
        raise IngestError(path, "empty_file", "the file is empty")
    if b"%PDF-" not in head:
        kind = "HTML" if b"<html" in head.lower() or b"<!doctype" in head.lower() else "something else"
        raise IngestError(path, "not_a_pdf", f"not a PDF: no %PDF- header in the first 1024 bytes (looks like {kind})")


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return open_pdf(str(path))
    except pdfium.PdfiumError as error:
        if error.err_code == raw.FPDF_ERR_PASSWORD:
            raise IngestError(path, "encrypted_pdf", "the PDF is encrypted and needs a password") from error
        if error.err_code == raw.FPDF_ERR_SECURITY:
            raise IngestError(path, "encrypted_pdf", "the PDF uses an unsupported security handler") from error
        raise IngestError(path, "corrupt_pdf", f"the PDF cannot be parsed ({error})") from error
