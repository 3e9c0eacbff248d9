"""How faithfully a PDF reading matches the publisher's own XML (JATS) of the same article.

Used by ``bench/pdf_fidelity.py`` (figures) and ``tests/test_pdf_real.py`` (floors).
The XML is read here with a small ElementTree walk of its own, so the measure does
not depend on the JATS reader it may one day be compared with.

    recall     share of the XML body's words the PDF reading recovers, in order
               (longest common subsequence over normalised word sequences);
    precision  share of the words read outside the reference list that are article
               text: in order with the XML's article text, or inside a run of three
               words printed somewhere in it (a float placed elsewhere, a caption);
    tables     share of the XML's table cells found as a cell of the PDF's tables;
    headings   share of the XML's section titles found as a section title;
    references the PDF's reference count against the XML's.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.distance import LCSseq

from extract.ingest.document import Document, SectionKind

_WORD = re.compile(r"\w+")
_MARKS = re.compile(r"\^\{([^}]*)\}")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
# Floats and furniture inside <body> that are not running text: measured on their own.
_NOT_BODY_TEXT = {"fig", "table-wrap", "fig-group", "table-wrap-group", "supplementary-material", "graphic", "media"}


def words(text: str) -> list[str]:
    """Lower-case word tokens, with the reader's typographic marks (``*italic*``, ``^{a}``, ``10⁶``) undone."""
    text = unicodedata.normalize("NFKC", _MARKS.sub(r" \1 ", text).translate(_SUPERSCRIPTS)).lower()
    return _WORD.findall(text.replace("_", " "))


def cell_key(text: str) -> str:
    return " ".join(words(text))


@dataclass
class JatsText:
    title: str = ""
    body: list[str] = field(default_factory=list)
    """Body paragraphs and headings in order, floats left out."""
    other: list[str] = field(default_factory=list)
    """Every other piece of article text: front matter, abstract, captions, table cells, footnotes, back matter."""
    headings: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    references: int = 0


# Elements that run inside a line of text; every other element is a block of its own (a cell, a
# caption, an affiliation) and is kept apart from its neighbours by a space.
# A <break/> is a line break as printed (a cell set over lines "0.33<break/>OR 2.24"): it parts words.
_INLINE = {"italic", "bold", "sup", "sub", "sc", "underline", "xref", "ext-link", "uri", "monospace",
           "inline-formula", "named-content", "styled-content", "roman", "email"}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


def _pieces(element: ET.Element, out: list[str], skip: set[str] = frozenset()) -> None:
    tag = _local(element.tag)
    if tag in skip:
        return
    block = tag not in _INLINE and not element.tag.startswith("{")
    if block:
        out.append(" ")
    if tag == "name":  # printed as given names then surname
        given, surname = element.find("given-names"), element.find("surname")
        out.append(" ".join(_text(part) for part in (given, surname) if part is not None))
    elif tag in ("date", "pub-date") and element.find("year") is not None:
        month = element.findtext("month") or ""
        month = _MONTHS[int(month) - 1] if month.isdigit() and 1 <= int(month) <= 12 else month
        # A history date is shown with the event it dates ("Received 22 October 2015").
        event = element.get("date-type", "") if tag == "date" else ""
        out.append(" ".join(x for x in (event, element.findtext("day") or "", month, element.findtext("year")) if x))
    else:
        if element.text:
            out.append(element.text)
        for index, child in enumerate(element):
            # A superscript opening an element (an affiliation's "¹") is its label, not part of
            # the first word: "<sup>1</sup>Department" is "1 Department".
            label = index == 0 and _local(child.tag) == "sup" and not (element.text or "").strip()
            _pieces(child, out, skip)
            if label:
                out.append(" ")
            if child.tail:
                out.append(child.tail)
    if block:
        out.append(" ")


def _text(element: ET.Element, skip: set[str] = frozenset()) -> str:
    out: list[str] = []
    _pieces(element, out, skip)
    return " ".join("".join(out).split())


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def read_jats(path: Path) -> JatsText:
    root = ET.parse(path).getroot()
    jats = JatsText()
    title = root.find(".//article-meta/title-group/article-title")
    jats.title = _text(title) if title is not None else ""
    front = root.find("front")
    if front is not None:
        jats.other.append(_text(front))
    body = root.find("body")
    if body is not None:
        jats.body = [_text(body, _NOT_BODY_TEXT)]
        jats.headings = [_text(t) for t in body.iter("title") if _text(t)]
        for tag in ("fig", "table-wrap"):
            for float_ in body.iter(tag):
                jats.other.append(_text(float_))
    for wrap in root.iter("table-wrap"):
        rows = [[_text(cell) for cell in row if _local(cell.tag) in ("td", "th")] for row in wrap.iter("tr")]
        jats.tables.append(rows)
    back = root.find("back")
    if back is not None:
        for child in back:
            if _local(child.tag) != "ref-list":
                jats.other.append(_text(child))
        jats.references = sum(1 for _ in back.iter("ref"))
    for floating in root.iter("floats-group"):
        jats.other.append(_text(floating))
    return jats


@dataclass
class Fidelity:
    recall: float
    precision: float
    table_cells: int
    table_cells_found: int
    headings: int
    headings_found: int
    references_xml: int
    references_pdf: int
    unread: list[str] = field(default_factory=list)
    """Runs of XML body words the reading missed (for looking into a low recall)."""
    foreign: list[str] = field(default_factory=list)
    """Runs of words read that are not article text (for looking into a low precision)."""

    @property
    def table_share(self) -> float:
        return self.table_cells_found / self.table_cells if self.table_cells else 1.0

    @property
    def reference_ratio(self) -> float:
        return self.references_pdf / self.references_xml if self.references_xml else 1.0


def outside_references(document: Document) -> str:
    """The reading without its reference list (the sections of kind references)."""
    spans = sorted((s.start, s.end) for s in document.sections if s.kind == SectionKind.references)
    if document.references:
        spans.append((min(r.start for r in document.references), max(r.end for r in document.references)))
    kept, position = [], 0
    for start, end in sorted(spans):
        if start > position:
            kept.append(document.text[position:start])
        position = max(position, end)
    kept.append(document.text[position:])
    return " ".join(kept)


def _runs(tokens: list[str], flags: list[bool], least: int = 3) -> list[str]:
    runs, current = [], []
    for token, flag in zip(tokens, flags):
        if flag:
            current.append(token)
        elif current:
            if len(current) >= least:
                runs.append(" ".join(current))
            current = []
    if len(current) >= least:
        runs.append(" ".join(current))
    return runs


def _matched(source: list[str], target: list[str]) -> list[bool]:
    """Which tokens of ``source`` the longest common subsequence with ``target`` keeps."""
    kept = [False] * len(source)
    for op in LCSseq.opcodes(source, target):
        if op.tag == "equal":
            for index in range(op.src_start, op.src_end):
                kept[index] = True
    return kept


def pdf_table_cells(document: Document) -> list[str]:
    """Every cell read from the PDF's tables, its header row's included (the XML's <th> cells are counted)."""
    return [
        cell_key(text)
        for table in document.tables
        for text in [*table.header, *(cell.text for row in table.rows for cell in row.cells)]
    ]


def cells_found(xml_tables: list[list[list[str]]], found_cells: list[str]) -> tuple[int, int]:
    """(XML cells, of which found) — each XML cell matched once against a pool of cells read from the PDF."""
    pool = Counter(key for key in found_cells if key)
    total = found = 0
    for table in xml_tables:
        for row in table:
            for cell in row:
                key = cell_key(cell)
                if not key:
                    continue
                total += 1
                if pool[key] > 0:
                    pool[key] -= 1
                    found += 1
    return total, found


def measure(document: Document, xml_path: Path) -> Fidelity:
    jats = read_jats(xml_path)
    body = words(" ".join(jats.body))
    read_all = words(document.text)
    body_kept = _matched(body, read_all)
    recall = sum(body_kept) / len(body) if body else 1.0

    read = words(outside_references(document))
    article = words(" ".join([jats.title, *jats.body, *jats.other]))
    in_order = _matched(read, article)
    trigrams = set(zip(article, article[1:], article[2:]))
    covered = list(in_order)
    for index in range(len(read) - 2):
        if tuple(read[index : index + 3]) in trigrams:
            covered[index] = covered[index + 1] = covered[index + 2] = True
    precision = sum(covered) / len(read) if read else 0.0

    headings_xml = [cell_key(h) for h in jats.headings]
    headings_pdf = {cell_key(re.sub(r"^\s*\d+(?:\.\d+)*\.?\s+", "", s.title)) for s in document.sections}
    headings_pdf |= {cell_key(s.title) for s in document.sections}
    total, found = cells_found(jats.tables, pdf_table_cells(document))
    return Fidelity(
        recall=recall,
        precision=precision,
        table_cells=total,
        table_cells_found=found,
        headings=len(headings_xml),
        headings_found=sum(1 for h in headings_xml if h in headings_pdf),
        references_xml=jats.references,
        references_pdf=len(document.references),
        unread=_runs(body, [not k for k in body_kept]),
        foreign=_runs(read, [not c for c in covered]),
    )
