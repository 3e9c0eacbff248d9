"""Markdown-like exports: blank-line blocks, short heading lines, tab-separated tables.

This is also the shape the PDF layout step writes, so a PDF and its text
version become the same Document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.ingest.references import parse_reference_lines
from extract.ingest.sections import classify_heading
from extract.ingest.tables import TABLE_CAPTION, cells_of_line, merge_continued, realign_row
from extract.paths import load_lexicon
from extract.ingest.document import (
    Document,
    DocumentFormat,
    DocumentMetadata,
    Paragraph,
    Section,
    SectionKind,
    Table,
    TableRow,
)

_AUTHOR_MARKS = re.compile(r"\^\{[^}]*\}|[\d*†‡§¶]+(?=,|\s|$)")
# No two neighbouring parts may match the same characters: "Received" and a run of spaces was cubic with `\s*:?\s*\d{0,2}\s*`.
_PUBLISHED_YEAR = re.compile(r"\b(?:Published(?: online)?|Accepted|Received)(?:\s*:)?\s*(?:\d{1,2}\s*)?[A-Za-z]+\.?\s+(\d{4})")
DOI = re.compile(r"\b(?:doi\s*:?\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/\S+[^\s.,;])", re.IGNORECASE)
MAX_TITLE_CHARS = 500
"""A first line longer than this is no title (a paper with no line breaks is all one line)."""
_TERMINAL = re.compile(r"[.!?:;,)\]]$")


@dataclass
class _Line:
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _blocks(text: str) -> list[list[_Line]]:
    blocks: list[list[_Line]] = []
    current: list[_Line] = []
    position = 0
    for raw in text.splitlines(keepends=True):
        line = _Line(position, raw.rstrip("\r\n"))
        position += len(raw)
        if line.text.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    if len(blocks) == 1:
        # An export with no blank line at all: its lines are its blocks (headings, captions, paragraphs).
        return _table_runs(blocks[0], each_line=True)
    return [piece for block in blocks for piece in _table_runs(block, each_line=False)]


def _table_runs(block: list[_Line], each_line: bool) -> list[list[_Line]]:
    """A table written against its text with no blank line between: its rows become a block of their own.

    Two or more consecutive tab-separated lines are a table; a `Table N` caption line just before them
    is its own block, as it would be after a blank line. Other lines stay together, or each alone with `each_line`.
    """
    tabbed = [("\t" in line.text) for line in block]
    if all(tabbed) or not any(tabbed):
        return [[line] for line in block] if each_line and not any(tabbed) else [block]
    pieces: list[list[_Line]] = []
    index = 0
    while index < len(block):
        end = index
        while end < len(block) and tabbed[end] == tabbed[index]:
            end += 1
        run = block[index:end]
        if tabbed[index] and len(run) >= 2:
            if pieces and pieces[-1] and TABLE_CAPTION.match(pieces[-1][-1].text):
                caption = pieces[-1].pop()
                if not pieces[-1]:
                    pieces.pop()
                pieces.append([caption])
            pieces.append(run)
        elif each_line:
            pieces.extend([line] for line in run)
        elif pieces and not (len(pieces[-1]) >= 2 and all("\t" in line.text for line in pieces[-1])):
            pieces[-1].extend(run)  # a lone tabbed line among text lines stays text
        else:
            pieces.append(run)
        index = end
    return pieces


def _looks_like_heading(line: str) -> bool:
    stripped = line.strip()
    return (
        0 < len(stripped) <= 120
        and "\t" not in stripped
        and not _TERMINAL.search(stripped)
        and len(stripped.split()) <= 16
        and (stripped[0].isupper() or stripped[0] in "0123456789")
        and not stripped.startswith(("- ", "* "))
    )


def _is_banner(line: str) -> bool:
    return line.strip().lower() in load_lexicon("banners")["lines"]


def _authors(line: str) -> list[str]:
    cleaned = _AUTHOR_MARKS.sub("", line)
    parts = re.split(r",\s*|\s+and\s+", cleaned)
    return [p.strip() for p in parts if p.strip()]


def parse_markdown(text: str, doc_id: str, path: str, fmt: DocumentFormat = DocumentFormat.markdown) -> Document:
    blocks = _blocks(text)
    metadata = DocumentMetadata()
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    tables: list[Table] = []
    reference_blocks: list[_Line] = []
    section_title: str | None = None
    section_kind = SectionKind.front
    pending_caption: tuple[str, bool, str, int] | None = None

    front_lines = {b[0].start for b in blocks[:6] if len(b) == 1 and _is_banner(b[0].text)}
    front = [b for b in blocks[:6] if len(b) == 1 and not _is_banner(b[0].text)]
    if front and len(front[0][0].text) > MAX_TITLE_CHARS:  # a paper on one line: its text, not its title
        front = []
    if front:
        metadata.title = front[0][0].text.strip()
        front_lines.add(front[0][0].start)
        byline = front[1][0] if len(front) > 1 else None
        if byline and ("," in byline.text or " and " in byline.text) and len(byline.text) < 400:
            metadata.authors = _authors(byline.text)
            front_lines.add(byline.start)

    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        first = block[0]
        if len(block) == 1 and (caption := TABLE_CAPTION.match(first.text)) and "\t" not in first.text:
            pending_caption = (caption.group(1), bool(caption.group(2)), caption.group(3).strip(), first.start)
            continue
        if all("\t" in line.text for line in block) and len(block) >= 2:
            tables.append(_table(block, pending_caption))
            pending_caption = None
            continue
        if first.start in front_lines:
            continue
        if len(block) == 1 and _looks_like_heading(first.text) and not _continues(blocks, index):
            if sections:
                sections[-1].end = first.start
            section_title = first.text.strip()
            section_kind = _subsection_kind(classify_heading(section_title), section_kind)
            sections.append(Section(title=section_title, kind=section_kind, start=first.start, end=len(text)))
            continue
        if section_kind is SectionKind.references:
            reference_blocks.extend(block)
            continue
        for line in block:
            start = line.start + len(line.text) - len(line.text.lstrip())
            paragraphs.append(
                Paragraph(start=start, end=line.end, section=section_title, section_kind=section_kind)
            )

    _join_broken_paragraphs(text, paragraphs)
    references = []
    if reference_blocks:
        first_line, last_line = reference_blocks[0], reference_blocks[-1]
        references = parse_reference_lines(text[first_line.start : last_line.end], first_line.start)

    year = _PUBLISHED_YEAR.search(text)
    doi = DOI.search(text[:5000])
    metadata.year = int(year.group(1)) if year else None
    metadata.doi = doi.group(1) if doi else None
    return Document(
        doc_id=doc_id,
        path=path,
        format=fmt,
        text=text,
        metadata=metadata,
        sections=sections,
        paragraphs=paragraphs,
        tables=merge_continued(tables),
        references=references,
    )


def _subsection_kind(kind: SectionKind, current: SectionKind) -> SectionKind:
    """An unnamed heading inside Methods, Results or Discussion is a subsection of it.

    Not so inside an Introduction: a review's topical headings come after it and
    hold the review's own findings, not background.
    """
    if kind is SectionKind.other and current in (SectionKind.methods, SectionKind.results, SectionKind.discussion):
        return current
    return kind


def _continues(blocks: list[list[_Line]], next_index: int) -> bool:
    """A short line whose next block starts in lowercase is a sentence broken by a page, not a heading."""
    if next_index >= len(blocks):
        return False
    following = blocks[next_index][0].text.lstrip()
    return bool(following) and following[0].islower()


def _join_broken_paragraphs(text: str, paragraphs: list[Paragraph]) -> None:
    """Join a paragraph cut by a page break ("... described and" / "identified in ...")."""
    joined: list[Paragraph] = []
    for paragraph in paragraphs:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and text[paragraph.start : paragraph.start + 1].islower()
            and not _ends_sentence(text, previous)
            and previous.section == paragraph.section
        ):
            previous.end = paragraph.end
            continue
        joined.append(paragraph)
    paragraphs[:] = joined


_SENTENCE_STOP = re.compile(r"[.!?]['\")\]]?$")


def _ends_sentence(text: str, paragraph: Paragraph) -> bool:
    # Only the paragraph's last characters: re-reading a paragraph that grows line by line was quadratic.
    end = paragraph.end
    while end > paragraph.start and text[end - 1].isspace():
        end -= 1
    return bool(_SENTENCE_STOP.search(text[max(paragraph.start, end - 2) : end]))


def _table(block: list[_Line], caption: tuple[str, bool, str, int] | None) -> Table:
    header_line, *row_lines = block
    header_cells = cells_of_line(header_line.text, header_line.start)
    width = len(header_cells)
    rows: list[TableRow] = []
    for line in row_lines:
        cells = cells_of_line(line.text, line.start)
        rows.append(realign_row(cells, width))
    number, continued, caption_text, caption_start = caption if caption else (None, False, "", header_line.start)
    return Table(
        number=number,
        caption=caption_text,
        header=[cell.text for cell in header_cells],
        rows=rows,
        start=caption_start,
        end=block[-1].end,
        continued=continued,
    )
