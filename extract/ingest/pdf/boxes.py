"""Where a range of a PDF's text sits on its pages: one box per line segment.

The writer traces every character it writes to the glyph it was printed from
(``Written.origins``), so the boxes of ``Document.text[start:end]`` are the
boxes of those glyphs, joined while they run along one line: exact, and never a
search of the page for the words. Boxes are in PDF points from the top-left of
the page as shown (its /Rotate applied), as a viewer draws it; text printed
sideways is boxed where it is printed, not where the turned view put it.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

from pydantic import BaseModel

from extract.ingest.pdf.lines import settings
from extract.ingest.pdf.writer import Written


class PageBox(BaseModel):
    page: int
    """1-based page number."""
    x0: float
    y0: float
    """Top edge, in points from the page's top."""
    x1: float
    y1: float
    """Bottom edge, in points from the page's top."""
    page_width: float
    page_height: float


def text_boxes(path: str | Path, start: int, end: int) -> list[PageBox]:
    """The boxes, in text order, of the glyphs behind ``Document.text[start:end]`` of the PDF at ``path``.

    Characters the layout wrote itself (spaces between lines, brackets round a
    citation, italic markers) have no glyph and no box.
    """
    written = _written(Path(path))
    config = settings()["text_boxes"]
    overlap, word_gap = config["same_line_overlap"], config["word_gap"]
    boxes: list[list[float]] = []  # on the page as shown
    rows: list[list[float]] = []  # the same, as the glyphs read (upright for a turned view)
    keys: list[tuple[int, bool]] = []
    start = max(start, 0)
    cut = False
    for char, glyph in zip(written.text[start:end], written.origins[start:end]):
        if glyph is None:
            cut = cut or char in "\t\n"  # a table's next cell, the next block: a box of its own
            continue
        key = (glyph.page, glyph.shown is not None)
        x0, top, x1, bottom = glyph.x0, glyph.top, glyph.x1, glyph.bottom
        if boxes and keys[-1] == key and not cut:
            row = rows[-1]
            height = min(bottom - top, row[3] - row[1]) or 1.0
            shared = min(bottom, row[3]) - max(top, row[1])
            if shared >= overlap * height and x0 <= row[2] + word_gap * height and x1 >= row[0] - word_gap * height:
                row[0], row[1], row[2], row[3] = min(row[0], x0), min(row[1], top), max(row[2], x1), max(row[3], bottom)
                box, (px0, ptop, px1, pbottom) = boxes[-1], glyph.page_box()
                box[0], box[1], box[2], box[3] = min(box[0], px0), min(box[1], ptop), max(box[2], px1), max(box[3], pbottom)
                continue
        rows.append([x0, top, x1, bottom])
        boxes.append(list(glyph.page_box()))
        keys.append(key)
        cut = False
    return [
        PageBox(page=page, x0=x0, y0=y0, x1=x1, y1=y1, page_width=written.page_sizes[page][0], page_height=written.page_sizes[page][1])
        for (page, _), (x0, y0, x1, y1) in zip(keys, boxes)
    ]


_CACHE: OrderedDict = OrderedDict()


def _written(path: Path) -> Written:
    """The PDF laid out (its text and every character's glyph), kept for the last few PDFs asked about."""
    from extract.ingest.pdf import layout_pdf

    stat = os.stat(path)
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    written = layout_pdf(path)
    _CACHE[key] = written
    while len(_CACHE) > settings()["text_boxes_cache"]:
        _CACHE.popitem(last=False)
    return written
