"""JATS XML (PubMed Central and Europe PMC full texts): the article laid out as text, its structure kept.

The text is written as the PDF reader writes a page (extract/ingest/layout_text.py):
the journal's heading (its subject, such as "Research" or "Review") and the
title, the authors, then each section's heading and paragraphs, tables as
their caption and tab-separated rows, and the reference list one entry a line
("12. Author A, ... "). `Document.text` is that text and every offset indexes
into it. Structure comes from the XML, not from the text: section kinds from
`sec-type` or the heading, table cells with their row and column spans filled
in, references with their structured fields.

In-text citations are written as the text exports write them, numbers in
square brackets: "[4, 9–11]" as printed, a superscript citation as " [4]",
"(3)" as "[3]", and an author-year citation as "Smith et al., 2010 [12]"; the
number is the reference's label (or its position in the list). So a review in
JATS gives its values to the studies it cites exactly as its text export does.
"""

from __future__ import annotations

import re
from functools import cache
from xml.etree.ElementTree import Element

from extract.ingest.errors import IngestError
from extract.ingest.layout_text import Layout, clean, local_name, parse_xml
from extract.ingest.sections import classify_heading
from extract.normalize.citations import parse_citation_numbers
from extract.paths import load_lexicon
from extract.ingest.document import (
    Document,
    DocumentFormat,
    DocumentMetadata,
    Paragraph,
    Reference,
    Section,
    SectionKind,
    Table,
    TableCell,
    TableRow,
)

_NUMERIC_CITATION = re.compile(r"\d{1,4}(?:\s*[-–—]\s*\d{1,4})?")
_CITATION_SEPARATOR = re.compile(r"\s*(?:[,;]|[-–—])?\s*")
_BLOCK_ELEMENTS = {
    "p", "sec", "table-wrap", "table-wrap-group", "fig", "fig-group", "list", "disp-quote", "boxed-text",
    "def-list", "statement", "disp-formula-group", "speech", "verse-group", "preformat", "code", "ref-list",
}
_POWER = re.compile(r"[-−+]?\d{1,2}")
_TRAILING_PUNCTUATION = re.compile(r"[.,;:]+$")
_ABBREVIATION_END = re.compile(r"(?:\d|\bal|\betc|\be\.g|\bi\.e|\b[A-Z])[.,]$")
_OPEN = 10**12  # the end of a section whose next heading is not written yet


@cache
def _lexicon() -> dict:
    return load_lexicon("jats")


@cache
def _skipped() -> frozenset[str]:
    return frozenset(_lexicon()["skipped_elements"])


def parse_jats(text: str, doc_id: str, path: str) -> Document:
    root = parse_xml(text, path)
    if local_name(root.tag) != "article":
        raise IngestError(path, "not_jats", f"the root element is <{local_name(root.tag)}>, not a JATS <article>")
    return _JatsReader(root, doc_id, path).read()


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local_name(child.tag) == name]


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element:
        if local_name(child.tag) == name:
            return child
    return None


def _descendants(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [e for e in element.iter() if local_name(e.tag) == name]


def _plain(element: Element | None) -> str:
    """An element's words, without its pictures and alternative encodings."""
    if element is None:
        return ""
    skipped = _skipped()
    pieces: list[str] = []

    def walk(node: Element) -> None:
        if local_name(node.tag) in skipped:
            return
        pieces.append(node.text or "")
        for child in node:
            walk(child)
            pieces.append(child.tail or "")

    walk(element)
    return clean("".join(pieces))


class _JatsReader:
    def __init__(self, root: Element, doc_id: str, path: str):
        self.root = root
        self.doc_id = doc_id
        self.path = path
        self.layout = Layout()
        self.sections: list[Section] = []
        self.paragraphs: list[Paragraph] = []
        self.tables: list[Table] = []
        self.references: list[Reference] = []
        self.skipped = _skipped()
        self.sup_digits: dict[str, str] = load_lexicon("pdf_layout")["superscript_digits"]
        self.reference_numbers = self._number_references()
        self._placed: dict[int, TableCell] = {}  # a spanned cell's first writing, by origin

    # ------------------------------------------------------------ the whole article

    def read(self) -> Document:
        front = _child(self.root, "front")
        meta = _child(front, "article-meta")
        metadata = self._metadata(front, meta)
        heading = _child(_child(_child(meta, "article-categories"), "subj-group"), "subject")
        if heading is not None and _plain(heading):
            self.layout.block(_plain(heading))
        if metadata.title:
            # The title is read as prose, as the text exports' TITLE is: it often alone names the source or the phase.
            span = self.layout.block(metadata.title)
            self.sections.append(Section(title="Title", kind=SectionKind.front, start=span.start, end=span.end))
            self.paragraphs.append(Paragraph(start=span.start, end=span.end, section="Title", section_kind=SectionKind.front))
        if metadata.authors:
            self.layout.block(", ".join(metadata.authors))
        for abstract in _children(meta, "abstract") if meta is not None else []:
            if abstract.get("abstract-type") in _lexicon()["skipped_abstract_types"]:
                continue
            self._abstract(abstract)
        body = _child(self.root, "body")
        if body is not None:
            self._container(body, None, SectionKind.other)
        back = _child(self.root, "back")
        floats = _child(self.root, "floats-group")
        if floats is not None:
            self._container(floats, self.sections[-1].title if self.sections else None, SectionKind.other)
        if back is not None:
            self._back(back)
        text = self.layout.text
        for section in self.sections:
            section.end = min(section.end, len(text))
        return Document(
            doc_id=self.doc_id,
            path=self.path,
            format=DocumentFormat.jats,
            text=text,
            metadata=metadata,
            sections=self.sections,
            paragraphs=self.paragraphs,
            tables=self.tables,
            references=self.references,
        )

    def _metadata(self, front: Element | None, meta: Element | None) -> DocumentMetadata:
        journal_meta = _child(front, "journal-meta")
        journal = _plain(_child(_child(journal_meta, "journal-title-group"), "journal-title")) or _plain(
            _child(journal_meta, "journal-title")
        )
        if not journal and journal_meta is not None:
            ids = _children(journal_meta, "journal-id")
            journal = _plain(ids[0]) if ids else ""
        ids = {a.get("pub-id-type"): _plain(a) for a in _children(meta, "article-id")} if meta is not None else {}
        pmcid = ids.get("pmcid") or ids.get("pmc")
        if pmcid and not pmcid.upper().startswith("PMC"):
            pmcid = f"PMC{pmcid}"
        authors = []
        for contrib in _descendants(_child(meta, "contrib-group"), "contrib"):
            if contrib.get("contrib-type", "author") != "author":
                continue
            name = _child(contrib, "name")
            if name is not None:
                given, surname = _plain(_child(name, "given-names")), _plain(_child(name, "surname"))
                authors.append(" ".join(p for p in (given, surname) if p))
            elif (collab := _child(contrib, "collab")) is not None:
                authors.append(_plain(collab))
        return DocumentMetadata(
            title=self._inline_text(_child(_child(meta, "title-group"), "article-title")) or None,
            authors=[a for a in authors if a],
            doi=ids.get("doi") or None,
            journal=journal or None,
            year=self._year(meta),
            pmid=ids.get("pmid") or None,
            pmcid=pmcid or None,
        )

    def _year(self, meta: Element | None) -> int | None:
        dates = _children(meta, "pub-date") if meta is not None else []
        by_type = {(d.get("pub-type") or d.get("date-type") or ""): d for d in dates}
        ordered = [by_type[t] for t in _lexicon()["article_dates"] if t in by_type] + dates
        for date in ordered:
            year = re.search(r"\d{4}", _plain(_child(date, "year")))
            if year:
                return int(year.group())
        return None

    # ------------------------------------------------------------ sections and blocks

    def _abstract(self, abstract: Element) -> None:
        title = _plain(_child(abstract, "title")) or "Abstract"
        self._open_section(title, SectionKind.abstract)
        self._container(abstract, title, SectionKind.abstract)

    def _back(self, back: Element) -> None:
        for child in back:
            name = local_name(child.tag)
            if name == "ref-list":
                self._reference_list(child)
            elif name == "sec":
                self._sec(child, None, SectionKind.other)
            elif name in ("ack", "notes", "fn-group", "app-group", "app", "glossary", "bio"):
                title = _plain(_child(child, "title")) or _lexicon()["back_headings"].get(name, name)
                self._open_section(title, SectionKind.back)
                self._container(child, title, SectionKind.back)

    def _open_section(self, title: str, kind: SectionKind) -> None:
        """Sections are flat, as in the markdown reader: each runs to the next heading."""
        span = self.layout.block(title)
        if self.sections:
            self.sections[-1].end = min(self.sections[-1].end, span.start)
        self.sections.append(Section(title=title, kind=kind, start=span.start, end=_OPEN))

    def _sec(self, sec: Element, parent_title: str | None, parent_kind: SectionKind) -> None:
        title_element = _child(sec, "title")
        title = self._inline_text(title_element) if title_element is not None else ""
        label = _plain(_child(sec, "label"))
        heading = f"{label} {title}".strip() if label and title else title
        kind = parent_kind if parent_kind not in (SectionKind.other, SectionKind.front) else self._kind(sec, title)
        if heading:
            self._open_section(heading, kind)
        self._container(sec, heading or parent_title, kind)

    def _kind(self, sec: Element, title: str) -> SectionKind:
        sec_types = _lexicon()["sec_types"]
        for sec_type in (sec.get("sec-type") or "").lower().split("|"):
            if sec_type.strip() in sec_types:
                return SectionKind(sec_types[sec_type.strip()])
        return classify_heading(title) if title else SectionKind.other

    def _container(self, element: Element, section: str | None, kind: SectionKind) -> None:
        for child in element:
            self._block(child, section, kind)

    def _block(self, element: Element, section: str | None, kind: SectionKind) -> None:
        name = local_name(element.tag)
        if name in self.skipped or name in ("title", "label", "caption", "alternatives", "object-id"):
            return
        if name == "sec":
            self._sec(element, section, kind)
        elif name == "p":
            self._paragraph(element, section, kind)
        elif name == "table-wrap":
            self._table_wrap(element, section, kind)
        elif name in ("fig", "fig-group"):
            self._figure(element, section, kind)
        elif name in ("list", "table-wrap-group", "boxed-text", "disp-quote", "statement", "def-list",
                      "list-item", "def-item", "def", "term", "disp-formula-group", "fn", "glossary"):
            if len(element):
                self._container(element, section, kind)
            else:
                self._paragraph(element, section, kind)
        elif name == "ref-list":
            self._reference_list(element)
        else:
            self._paragraph(element, section, kind)

    def _paragraph(self, element: Element, section: str | None, kind: SectionKind) -> None:
        """A paragraph a line; tables, figures and lists set inside it follow it as blocks of their own."""
        nested: list[Element] = []
        text = self._inline_text(element, nested)
        if text:
            span = self.layout.block(text)
            self.paragraphs.append(Paragraph(start=span.start, end=span.end, section=section, section_kind=kind))
        for block in nested:
            self._block(block, section, kind)

    def _figure(self, figure: Element, section: str | None, kind: SectionKind) -> None:
        if local_name(figure.tag) == "fig-group":
            for fig in _children(figure, "fig"):
                self._figure(fig, section, kind)
            return
        label = _plain(_child(figure, "label"))
        caption = self._caption(figure)
        text = f"{label} {caption}".strip()
        if text:
            span = self.layout.block(text)
            self.paragraphs.append(Paragraph(start=span.start, end=span.end, section=section, section_kind=kind))

    def _caption(self, element: Element) -> str:
        caption = _child(element, "caption")
        if caption is None:
            return ""
        parts = [self._inline_text(part) for part in caption]
        if not parts:
            parts = [self._inline_text(caption)]
        return " ".join(p for p in parts if p)

    # ------------------------------------------------------------ inline text and citations

    def _inline_text(self, element: Element | None, nested: list[Element] | None = None) -> str:
        if element is None:
            return ""
        return clean(self._inline(element, nested if nested is not None else []))

    def _is_citation(self, element: Element) -> bool:
        return local_name(element.tag) == "xref" and element.get("ref-type") == "bibr"

    def _inline(self, element: Element, nested: list[Element]) -> str:
        out = element.text or ""
        children = list(element)
        index = 0
        while index < len(children):
            child = children[index]
            name = local_name(child.tag)
            if self._is_citation(child):
                run = [child]
                while (
                    index + len(run) < len(children)
                    and _CITATION_SEPARATOR.fullmatch(run[-1].tail or "")
                    and self._is_citation(children[index + len(run)])
                ):
                    run.append(children[index + len(run)])
                out, tail = self._citation_run(run, out)
                out += tail
                index += len(run)
                continue
            index += 1
            if name in self.skipped:
                pass
            elif name in _BLOCK_ELEMENTS:
                nested.append(child)
            elif name == "sup":
                out = self._superscript(child, out, nested)
            elif name == "break":
                out += " "
            else:
                out += self._inline(child, nested)
            out += child.tail or ""
        return out

    def _citation_numbers(self, xref: Element) -> list[int]:
        return [self.reference_numbers[r] for r in (xref.get("rid") or "").split() if r in self.reference_numbers]

    def _citation_run(self, run: list[Element], before: str) -> tuple[str, str]:
        """Write a run of adjacent citations in square brackets; returns (text so far, the run's tail)."""
        tail = run[-1].tail or ""
        numeric = all(_NUMERIC_CITATION.fullmatch(clean(x.text).strip("[]()")) or not clean(x.text) for x in run)
        if not numeric or not any(self._citation_numbers(x) for x in run):
            pieces = []
            for position, xref in enumerate(run):
                numbers = self._citation_numbers(xref)
                label = clean("".join(xref.itertext()))
                pieces.append(f"{label} [{', '.join(map(str, numbers))}]" if numbers and label else label or "")
                if position < len(run) - 1:
                    pieces.append(xref.tail or "")
            return before + "".join(pieces), tail
        inner = []
        for position, xref in enumerate(run):
            written = clean(xref.text).strip("[]()")
            numbers = self._citation_numbers(xref)
            printed = set(parse_citation_numbers(written))
            # The printed number is kept when it names the reference the link points to; else the reference's own.
            if not printed or (numbers and not printed & set(numbers)):
                written = ", ".join(map(str, numbers))
            inner.append(written)
            if position < len(run) - 1:
                inner.append(clean(xref.tail) if (xref.tail or "").strip() else ", ")
                if (xref.tail or "").strip() in (",", ";"):
                    inner[-1] += " "
        body = "".join(inner)
        stripped = before.rstrip()
        if stripped.endswith("["):
            return before + body, tail
        if stripped.endswith("(") and tail.lstrip().startswith(")"):
            opening = len(stripped) - 1
            closing = tail.index(")")
            return before[:opening] + "[" + before[opening + 1 :] + body, tail[:closing] + "]" + tail[closing + 1 :]
        space = "" if not before or before[-1].isspace() else " "
        return before + space + "[" + body + "]", tail

    def _superscript(self, sup: Element, before: str, nested: list[Element]) -> str:
        """A power as 10⁶, a citation as [12], any other mark as ^{a}: as the PDF reader writes them."""
        if any(self._is_citation(c) for c in sup.iter()):
            citation = clean(self._inline(sup, nested))
            citation = citation if citation.startswith("[") else f"[{citation}]"
            stripped = before.rstrip()
            punctuation = _TRAILING_PUNCTUATION.search(stripped)
            # Printed after the full stop ("cells.¹²"), it is written before it, as the text exports do:
            # else the sentence splitter would hand it to the next sentence.
            if punctuation and (not sup.tail or sup.tail[:1].isspace()) and not _ABBREVIATION_END.search(stripped):
                return f"{stripped[: punctuation.start()].rstrip()} {citation}{punctuation.group()}"
            return f"{stripped} {citation}"
        mark = clean(self._inline(sup, nested))
        if not mark:
            return before
        if _POWER.fullmatch(mark):
            return before + "".join(self.sup_digits.get(c, c) for c in mark)
        if mark.lower() in ("st", "nd", "rd", "th"):
            return before + mark
        return before + "^{" + mark + "}"

    # ------------------------------------------------------------ tables

    def _table_wrap(self, wrap: Element, section: str | None, kind: SectionKind) -> None:
        label = _plain(_child(wrap, "label"))
        caption = self._caption(wrap)
        number = re.search(r"(\d+[A-Za-z]?)\s*$", label) or re.search(r"(\d+[A-Za-z]?)", label)
        line = f"{label} {caption}".strip() or "Table"
        self.layout.separate()
        caption_span = self.layout.write(line)
        self.layout.write("\n")
        for table in _descendants(wrap, "table"):
            grid, header_rows = self._grid(table)
            if not grid:
                continue
            header_count = header_rows or (1 if len(grid) > 1 else 0)
            self.layout.write("\n")
            written_rows: list[list[TableCell]] = []
            for cells in grid:
                written_rows.append(self._write_row(cells))
            header = self._header(written_rows[:header_count])
            self.tables.append(
                Table(
                    number=number.group(1) if number else None,
                    caption=caption,
                    header=header,
                    rows=[TableRow(cells=row) for row in written_rows[header_count:]],
                    start=caption_span.start,
                    end=self.layout.length - 1,
                )
            )
        foot = _child(wrap, "table-wrap-foot")
        if foot is not None:
            self._container(foot, section, kind)

    def _grid(self, table: Element) -> tuple[list[list[tuple[str, bool, int]]], int]:
        """Rows of (cell text, written here, origin id): a spanned cell is repeated in every row and column it covers."""
        rows: list[tuple[Element, bool]] = []
        for part in table:
            name = local_name(part.tag)
            if name in ("thead", "tbody", "tfoot"):
                rows.extend((tr, name == "thead") for tr in _children(part, "tr"))
            elif name == "tr":
                rows.append((part, False))
        header_rows = sum(1 for _, in_head in rows if in_head)
        if not header_rows and rows and all(local_name(c.tag) == "th" for c in rows[0][0]):
            header_rows = 1
        pending: dict[tuple[int, int], tuple[str, int]] = {}
        grid: list[list[tuple[str, bool, int]]] = []
        origin = 0
        for row_index, (tr, _) in enumerate(rows):
            cells: list[tuple[str, bool, int]] = []
            column = 0
            for cell in tr:
                if local_name(cell.tag) not in ("td", "th"):
                    continue
                while (row_index, column) in pending:
                    text, source = pending.pop((row_index, column))
                    cells.append((text, False, source))
                    column += 1
                text = self._inline_text(cell, [])
                rowspan = _span(cell.get("rowspan"))
                colspan = _span(cell.get("colspan"))
                origin += 1
                for offset in range(colspan):
                    cells.append((text, offset == 0, origin))
                    for below in range(1, rowspan):
                        pending[(row_index + below, column + offset)] = (text, origin)
                column += colspan
            while (row_index, column) in pending:
                text, source = pending.pop((row_index, column))
                cells.append((text, False, source))
                column += 1
            grid.append(cells)
        width = max((len(r) for r in grid), default=0)
        for cells in grid:
            cells.extend(("", True, -1) for _ in range(width - len(cells)))
        return [r for r in grid if any(text for text, _, _ in r)], min(header_rows, len(grid))

    def _write_row(self, cells: list[tuple[str, bool, int]]) -> list[TableCell]:
        """One row a line, cells tab-separated; a spanned cell is written once and points there from elsewhere."""
        written: list[TableCell] = []
        placed: dict[int, TableCell] = {}
        for position, (text, here, origin) in enumerate(cells):
            if position:
                self.layout.write("\t")
            if here:
                span = self.layout.write(text.replace("\t", " "))
                cell = TableCell(text=text, start=span.start, end=span.end)
                placed[origin] = cell
            else:
                cell = placed.get(origin) or self._placed.get(origin) or TableCell(text=text, start=self.layout.length, end=self.layout.length)
            written.append(cell)
        self.layout.write("\n")
        self._placed.update(placed)
        return written

    @staticmethod
    def _header(rows: list[list[TableCell]]) -> list[str]:
        if not rows:
            return []
        header = []
        for column in range(len(rows[0])):
            words: list[str] = []
            for row in rows:
                text = row[column].text if column < len(row) else ""
                if text and text not in words:
                    words.append(text)
            header.append(" ".join(words))
        return header

    # ------------------------------------------------------------ references

    def _number_references(self) -> dict[str, int]:
        """Reference id → its number: the printed label where every entry has a distinct one, else its position."""
        refs = [ref for ref_list in _descendants(_child(self.root, "back"), "ref-list") for ref in _children(ref_list, "ref")]
        labels = [_plain(_child(ref, "label")).strip("[]().") for ref in refs]
        use_labels = all(label.isdigit() for label in labels) and len(set(labels)) == len(labels)
        return {
            ref.get("id", f"#{position}"): int(labels[position - 1]) if use_labels else position
            for position, ref in enumerate(refs, start=1)
        }

    def _reference_list(self, ref_list: Element) -> None:
        title = _plain(_child(ref_list, "title")) or "References"
        self._open_section(title, SectionKind.references)
        self.layout.write("\n")
        for position, ref in enumerate(_children(ref_list, "ref"), start=1):
            number = self.reference_numbers.get(ref.get("id", f"#{position}"), position)
            citation = next((c for c in ref if local_name(c.tag) in ("element-citation", "mixed-citation", "citation", "nlm-citation")), None)
            text = _reference_text(citation) if citation is not None else _plain(ref)
            if not text:
                continue
            self.layout.write(f"{number}. ")
            span = self.layout.write(text)
            self.layout.write("\n")
            self.references.append(_describe(citation, number, text, span.start, span.end))
        for nested in _children(ref_list, "ref-list"):
            self._reference_list(nested)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _names(citation: Element) -> list[str]:
    group = next((g for g in _descendants(citation, "person-group") if g.get("person-group-type", "author") == "author"), None)
    holder = group if group is not None else citation
    names = []
    for name in holder:
        tag = local_name(name.tag)
        if tag in ("name", "string-name"):
            surname, given = _plain(_child(name, "surname")), _plain(_child(name, "given-names"))
            names.append(" ".join(p for p in (surname, given.replace(".", "").replace(" ", "")) if p) or _plain(name))
        elif tag == "collab":
            names.append(_plain(name))
        elif tag == "etal":
            names.append("et al")
    return names


def _reference_text(citation: Element) -> str:
    """The entry as printed where the XML keeps its punctuation (a mixed citation), else written Vancouver-style."""
    tails = "".join((child.tail or "") for child in citation)
    if re.search(r"[.,;:]", tails):
        return _plain(citation)
    names = _names(citation)
    authors = ", ".join(n for n in names if n != "et al") + (", et al" if "et al" in names else "")
    title = _plain(_child(citation, "article-title")) or _plain(_child(citation, "chapter-title"))
    source = _plain(_child(citation, "source"))
    year = _plain(_child(citation, "year"))
    volume, issue = _plain(_child(citation, "volume")), _plain(_child(citation, "issue"))
    pages = "–".join(p for p in (_plain(_child(citation, "fpage")), _plain(_child(citation, "lpage"))) if p)
    doi = next((_plain(p) for p in _children(citation, "pub-id") if p.get("pub-id-type") == "doi"), "")
    locator = year + (f";{volume}" if volume else "") + (f"({issue})" if issue else "") + (f":{pages}" if pages else "")
    parts = [authors, title, source, locator, f"doi:{doi}" if doi else ""]
    return ". ".join(p.rstrip(".") for p in parts if p) + "." if any(parts) else _plain(citation)


def _describe(citation: Element | None, number: int, text: str, start: int, end: int) -> Reference:
    if citation is None:
        return Reference(number=number, text=text, start=start, end=end)
    names = [n for n in _names(citation) if n != "et al"]
    first_author = None
    if names:
        first = _descendants(citation, "surname")
        first_author = _plain(first[0]) if first else names[0]
    year = re.search(r"\d{4}", _plain(_child(citation, "year")))
    doi = next((_plain(p) for p in _children(citation, "pub-id") if p.get("pub-id-type") == "doi"), None)
    return Reference(
        number=number,
        text=text,
        start=start,
        end=end,
        first_author=first_author,
        year=int(year.group()) if year else None,
        title=_plain(_child(citation, "article-title")) or _plain(_child(citation, "chapter-title")) or None,
        journal=_plain(_child(citation, "source")) or None,
        doi=doi or None,
    )
