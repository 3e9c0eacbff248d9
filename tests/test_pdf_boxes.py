"""Where a range of a PDF's text is on the page (extract/ingest/pdf/boxes.py).

The boxes are checked against pdfium read independently: the text pdfium finds
inside the boxes of a sentence holds that sentence's words, and not much else.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from conftest import ROOT
from extract.ingest.pdf import layout_pdf, load_pdf
from extract.ingest.pdf.boxes import PageBox, text_boxes

FIXTURE = ROOT / "tests" / "fixtures" / "pdf" / "004_0683142eb9ad4bee.pdf"
SHARED = ROOT.parent / "shared" / "corpus-real"
HINDAWI = SHARED / "pdf-jats" / "PMC4657150.pdf"
SIDEWAYS = SHARED / "pdf-trials" / "ijbnpa2017_girls-in-sport-rct.pdf"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent: the real PDF corpus is not here")


def _letters(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", text).lower())


def _words(text: str) -> list[str]:
    plain = text.replace("*", "")
    return [_letters(word) for word in re.findall(r"[A-Za-z][A-Za-z\-]{3,}", plain)]


def _text_in(document: pdfium.PdfDocument, boxes: list[PageBox]) -> str:
    """The characters pdfium itself reads whose centre lies in one of the boxes, in pdfium's order.

    Only for unrotated pages (the page as shown is the page as stored).
    """
    found = []
    for number in sorted({box.page for box in boxes}):
        page = document[number - 1]
        left, bottom, _, _ = page.get_cropbox()
        height = page.get_height()
        textpage = page.get_textpage()
        try:
            for index in range(textpage.count_chars()):
                x0, y0, x1, y1 = textpage.get_charbox(index, loose=True)
                x, y = (x0 + x1) / 2 - left, height - ((y0 + y1) / 2 - bottom)
                if any(b.page == number and b.x0 <= x <= b.x1 and b.y0 <= y <= b.y1 for b in boxes):
                    found.append(textpage.get_text_range(index, 1))
        finally:
            textpage.close()
            page.close()
    return "".join(found)


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for match in re.finditer(r"[A-Z][^.!?]{40,300}[.!?]", text[start:end]):
        spans.append((start + match.start(), start + match.end()))
    return spans


def _check_sentences(path: Path, least: int) -> int:
    document = load_pdf(path)
    assert document.text == layout_pdf(path).text  # the boxes index the Document's own text
    pdf = pdfium.PdfDocument(str(path))
    checked = 0
    try:
        for paragraph in document.paragraphs:
            for start, end in _sentences(document.text, paragraph.start, paragraph.end):
                page = document.page_at(start)
                if page != document.page_at(end - 1):
                    continue
                boxes = text_boxes(path, start, end)
                assert boxes, document.text[start:end]
                assert {box.page for box in boxes} == {page}, document.text[start:end]
                for box in boxes:
                    assert 0 <= box.x0 < box.x1 <= box.page_width and 0 <= box.y0 < box.y1 <= box.page_height
                inside = _letters(_text_in(pdf, boxes))
                sentence = document.text[start:end]
                missing = [word for word in _words(sentence) if word not in inside]
                assert missing == [], (sentence, missing)
                # Boxes of one sentence, not of the paragraph or the page around it.
                assert len(inside) <= 1.6 * len(_letters(sentence)) + 40, (sentence, inside)
                checked += 1
    finally:
        pdf.close()
    assert checked >= least
    return checked


def test_sentence_boxes_on_a_fixture_pdf():
    _check_sentences(FIXTURE, least=40)


def test_one_box_per_line_segment():
    document = load_pdf(FIXTURE)
    paragraph = max(document.paragraphs, key=lambda p: p.end - p.start)
    boxes = text_boxes(FIXTURE, paragraph.start, paragraph.end)
    lines = {(box.page, round(box.y0)) for box in boxes}
    assert len(boxes) == len(lines)  # a paragraph of body text: one box per printed line
    assert len(boxes) >= 3
    assert text_boxes(FIXTURE, paragraph.start, paragraph.start) == []


@needs_shared
def test_sentence_boxes_on_a_publisher_pdf():
    _check_sentences(HINDAWI, least=60)


@needs_shared
def test_sideways_table_cells_are_boxed_where_printed():
    document = load_pdf(SIDEWAYS)
    table = next(t for t in document.tables if t.number == "1")  # printed at 90° on its page
    cell = next(c for row in table.rows[1:] for c in row.cells if len(_words(c.text)) >= 2)
    boxes = text_boxes(SIDEWAYS, cell.start, cell.end)
    assert boxes and all(box.page == document.page_at(cell.start) for box in boxes)
    for box in boxes:
        assert box.y1 - box.y0 > box.x1 - box.x0  # a line of text running up or down the page
    pdf = pdfium.PdfDocument(str(SIDEWAYS))
    try:
        inside = _letters(_text_in(pdf, boxes))
    finally:
        pdf.close()
    assert all(word in inside for word in _words(cell.text)), (cell.text, inside)


def test_boxes_on_a_page_turned_by_its_rotate_flag(tmp_path):
    """A page stored portrait and shown landscape (/Rotate 90): boxes are on the page as shown."""
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    stored = tmp_path / "stored.pdf"
    page = canvas.Canvas(str(stored), pagesize=(595, 842))
    page.setFont("Helvetica", 10)
    for index in range(12):
        page.drawString(72, 800 - 12 * index, f"Line {index + 1} of a page that a viewer shows turned a quarter.")
    page.save()
    pdf = pdfium.PdfDocument(str(stored))
    pdf[0].set_rotation(90)
    turned = tmp_path / "turned.pdf"
    pdf.save(str(turned))
    pdf.close()
    document = load_pdf(turned)
    start = document.text.index("Line 3 of a page")
    boxes = text_boxes(turned, start, start + len("Line 3 of a page that a viewer shows turned a quarter."))
    assert len(boxes) == 1
    box = boxes[0]
    assert (box.page_width, box.page_height) == (pytest.approx(842), pytest.approx(595))
    # Shown turned clockwise, the line runs down the page, near its right edge (the stored top).
    assert box.y1 - box.y0 > 5 * (box.x1 - box.x0)
    assert box.x0 > 0.8 * box.page_width and box.x1 <= box.page_width
