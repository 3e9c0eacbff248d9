"""Lines in reading order to markdown-like text, with the page of every character.

The text has the shape the markdown reader knows: a heading alone on its line,
a paragraph a line, blank lines between blocks, a table as "Table N caption"
and then its rows as tab-separated lines. Superscripts are written the way the
text exports write them: a power as ``10⁶``, a citation as ``[12]`` (moved
before the full stop it was printed after), any other mark as ``^{a}``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from extract.ingest.document import SectionKind
from extract.ingest.pdf.layout import Placed
from extract.ingest.pdf.lines import Line, Piece, settings
from extract.ingest.pdf.pdf_tables import PdfTable
from extract.ingest.encoding import INVISIBLE
from extract.ingest.pdf.traced import Traced
from extract.ingest.sections import classify_heading

_CITATION_BODY = re.compile(r"[\d,\s–\-−]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z\-]*[A-Za-z]")
# A numbered or bulleted entry; a bare number opens one only before an author's name ("32 Pike KJ,").
_ENTRY_START = re.compile(r"^\s*(?:\[\d{1,4}\]|\d{1,4}\.|[-•]|\d{1,4}(?=\s+[A-Z][\w'’\-]+,?\s+[A-Z]{1,3}\b))\s")
_SENTENCE_END = re.compile(r"[.!?:;]['\")\]”’]?$")


@dataclass
class Block:
    kind: str  # "paragraph", "heading" or "table"
    placed: list[Placed] = field(default_factory=list)
    table: PdfTable | None = None
    page: int = 0
    label: str = ""
    """A heading the page does not print but a text export of the paper has ("Abstract")."""


@dataclass
class Written:
    text: str
    page_starts: list[tuple[int, int]]
    """(offset, page number) where each page's first character was written."""
    origins: list = field(default_factory=list)
    """For each character of ``text``, the Glyph it was printed from (None for what the layout added)."""
    page_sizes: dict[int, tuple[float, float]] = field(default_factory=dict)
    """Each page's width and height as shown, in points."""
    masthead: str = ""
    """The first page's masthead (journal, volume, DOI), left out of ``text`` as page furniture."""


def write(placed: list[Placed], page_count: int) -> Written:
    lines = [p.item for p in placed if isinstance(p.item, Line)]
    if not lines:
        return Written("", [(0, n) for n in range(1, page_count + 1)])
    weights: Counter = Counter()
    for line in lines:
        weights[round(line.size, 1)] += len(line.glyphs)
    body_size = weights.most_common(1)[0][0]
    leading = _leading(placed, body_size)
    vocabulary = _vocabulary(lines)
    blocks = _abstract_named(_floats_after_sentences(_title_first(_blocks(placed, body_size, leading), body_size)))
    out: list[Traced] = []
    offset = 0
    page_starts: dict[int, int] = {}
    in_references = False
    numbered_list: bool | None = None
    first_entry = False
    for block in blocks:
        separator = "\n\n" if out else ""
        if block.kind == "table":
            page_starts.setdefault(block.page, offset + len(separator))
            text = separator + _table_text(block.table, vocabulary)
            out.append(text)
            offset += len(text)
            continue
        text = Traced(block.label)
        opened = []
        for placed_line in block.placed:
            if placed_line.page not in page_starts:
                page_starts[placed_line.page] = len(text) + (1 if text else 0)
                opened.append(placed_line.page)
            rendered = render(placed_line.item.pieces)
            text = join_lines(text, rendered, vocabulary) if text else rendered
        text = text.strip()
        run_in = _RUN_IN_HEADING.match(text.text) if block.kind == "paragraph" and not in_references else None
        if run_in:
            # "*2.1.1. Chemicals.* Chromogenic substrates ..." : the heading run into its paragraph
            # goes on a line of its own, as the section title it is.
            heading = text[run_in.start(1) : run_in.end(1)].strip()
            rest = text[run_in.end() :]
            split = heading + "\n\n" + rest
            for page in opened:
                if page_starts[page] >= run_in.end():
                    page_starts[page] += len(split) - len(text)
            text = split
        if block.kind == "heading" and in_references and _looks_like_entry(text.text):
            block.kind = "paragraph"  # an entry set in bold or large is still an entry, not a heading
        if block.kind == "heading":
            text = text.without("*")
            in_references = classify_heading(text.text) is SectionKind.references
            numbered_list = None
            first_entry = True
        elif in_references:
            if numbered_list is None:
                numbered_list = _marked(text.text)
            if not first_entry and not _starts_entry(text.text, out[-1].text, numbered_list):
                separator = " "  # the rest of the entry above, broken off at a column or page end
            else:
                entry = _as_entry(text)
                shift = len(entry) - len(text)
                for page in opened:
                    if page_starts[page] > 0:
                        page_starts[page] += shift
                text = entry
            first_entry = False
        for page in opened:
            page_starts[page] += offset + len(separator)
        out.append(separator + text)
        offset += len(separator) + len(text)
    written = Traced.join("", out) + "\n"
    written, page_starts = _without_invisible(written, page_starts)
    starts = []
    last = 0
    for number in range(1, page_count + 1):
        last = page_starts.get(number, last)
        starts.append((last, number))
    return Written(written.text, starts, written.origins)


def _without_invisible(written: Traced, page_starts: dict[int, int]) -> tuple[Traced, dict[int, int]]:
    """Soft hyphens and other invisible characters left out here, so the Document's text is this text.

    The text reader would leave them out anyway; done here, evidence offsets,
    page starts and glyph origins all index one and the same text.
    """
    text = written.text
    removed = [match.start() for match in _INVISIBLE.finditer(text)] if not text.isascii() else []
    if not removed:
        return written, page_starts
    shifted = {page: start - bisect_left(removed, start) for page, start in page_starts.items()}
    return written.without(INVISIBLE), shifted


_NUMBERED_HEADING = re.compile(r"^\s*\*?\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z]")
_RUN_IN_HEADING = re.compile(r"^\*(\d{1,2}(?:\.\d{1,2})+\.?\s+[A-Z][^*]{0,100}?)\.?\*\s+(?=\S)")
_PRINTED_NUMBER = re.compile(r"^(\d{1,3})\.?\s+(?=\S)")
_BRACKETED_NUMBER = re.compile(r"^\[\d{1,4}\]\s")
_BULLET = re.compile(r"^[-•]\s")
_INVISIBLE = re.compile("[" + re.escape("".join(sorted(INVISIBLE))) + "]")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


_AUTHOR_START = re.compile(r"^[A-Z][\w'’\-]+(?:\s[A-Z][\w'’\-]+)*,?\s+(?:[A-Z]\.|[A-Z]{1,3}\b)")
_ENTRY_END = re.compile(r"(?:[.!?]['\")\]”’]?|\d|[a-z0-9]/\S*)$")


def _looks_like_entry(text: str) -> bool:
    return bool(
        _PRINTED_NUMBER.match(text) or _BRACKETED_NUMBER.match(text) or _YEAR.search(text) or _AUTHOR_START.match(text)
    )


def _marked(text: str) -> bool:
    return bool(_PRINTED_NUMBER.match(text) or _BRACKETED_NUMBER.match(text) or _BULLET.match(text))


def _starts_entry(text: str, before: str, numbered: bool) -> bool:
    """Whether a paragraph of a reference list opens an entry, or carries on the one above.

    An entry opens with its number or bullet; in an author-year list with an
    author's name, after an entry that ended (a full stop, a page number, a DOI).
    """
    if _marked(text):
        return True
    if numbered:
        return False
    named = _AUTHOR_START.match(text) or (text[:1].isupper() and _YEAR.search(text[:250]))
    return bool(named) and bool(_ENTRY_END.search(before.rstrip()))


def _as_entry(text: Traced) -> Traced:
    """A reference entry in the shape the text exports give it: "12. ..." or, unnumbered, "- ...".

    Journals print the number bare ("12 Lim SS"), with a full stop or in brackets, or
    not at all (author-year lists).
    """
    if _BRACKETED_NUMBER.match(text.text) or _BULLET.match(text.text):
        return text
    number = _PRINTED_NUMBER.match(text.text)
    if number:
        return text[number.start(1) : number.end(1)] + ". " + text[number.end() :]
    return "- " + text


def _title_first(blocks: list[Block], body_size: float) -> list[Block]:
    """The article title, the largest print on the first page, leads the text (with its byline).

    Publishers print the journal's name, a banner ("Original Paper") or a running
    head above the title; a text export starts with the title, and so must this.
    """
    first_page = blocks[0].page if blocks else 0
    best, best_size = None, 1.25 * body_size
    for index, block in enumerate(blocks):
        if block.page != first_page:
            break
        if block.kind == "table" or len(block.placed) > 4:
            continue
        text = " ".join(p.item.text for p in block.placed)
        size = min(p.item.size for p in block.placed)
        if size > best_size and len(text.split()) >= 3 and sum(c.isalpha() for c in text) > 0.6 * len(text):
            best, best_size = index, size
    if not best:
        return blocks
    if best + 1 < len(blocks) and blocks[best + 1].kind == "paragraph" and blocks[best + 1].page == first_page:
        lead = blocks[best : best + 2]
    else:
        lead = blocks[best : best + 1]
    for block in lead:
        block.kind = "paragraph"  # the title is the document's title, not a section heading
    return lead + blocks[:best] + blocks[best + len(lead) :]


def _abstract_named(blocks: list[Block]) -> list[Block]:
    """An abstract printed without its heading gets one, as a text export of the paper has it.

    Some publishers set the abstract as the first long paragraph of page 1, after
    the byline and before the first section, with no "Abstract" over it; read
    without one, the abstract is front matter and nothing knows where the paper's
    summary is. A paragraph of at least ``abstract_min_words`` words on the first
    page, before the first section heading, when no heading names an abstract, is
    named so.
    """
    least = settings()["abstract_min_words"]
    if not blocks or any(
        block.kind == "heading" and classify_heading(_block_text(block)) is SectionKind.abstract for block in blocks
    ):
        return blocks
    first_page = blocks[0].page
    for index, block in enumerate(blocks[1:], start=1):
        if block.page != first_page or (
            block.kind == "heading" and classify_heading(_block_text(block)) not in (SectionKind.other, SectionKind.front)
        ):
            return blocks  # the paper's sections have begun (a banner, "Case Report", has not begun them)
        if block.kind == "paragraph" and len(_block_text(block).split()) >= least:
            return blocks[:index] + [Block("heading", page=block.page, label="Abstract")] + blocks[index:]
    return blocks


def _block_text(block: Block) -> str:
    return block.label or " ".join(p.item.text for p in block.placed)


def _floats_after_sentences(blocks: list[Block]) -> list[Block]:
    """A table or a figure caption printed where a sentence breaks off goes after that sentence's end.

    A page puts its floats at the top or bottom, so in reading order they fall into the
    middle of whatever paragraph runs past them; the paragraph is joined again
    (the line after the floats goes on in lower case) and the floats follow it.
    """
    caption = re.compile(settings()["figures"]["caption"], re.IGNORECASE)

    def is_float(block: Block) -> bool:
        return block.kind == "table" or (block.kind == "paragraph" and bool(caption.match(block.placed[0].item.text)))

    result: list[Block] = []
    pending: list[Block] = []
    interrupted: Block | None = None
    for block in blocks:
        if is_float(block):
            if pending:
                pending.append(block)
                continue
            last = result[-1] if result else None
            if last is not None and last.kind == "paragraph" and not is_float(last) and not _SENTENCE_END.search(last.placed[-1].item.text.rstrip()):
                interrupted, pending = last, [block]
                continue
            result.append(block)
            continue
        if pending:
            if block.kind == "paragraph" and block.placed[0].item.text.lstrip()[:1].islower():
                interrupted.placed.extend(block.placed)
                result.extend(pending)
                pending = []
                continue
            result.extend(pending)
            pending = []
        result.append(block)
    return result + pending


def _leading(placed: list[Placed], body_size: float) -> float:
    gaps = []
    for a, b in zip(placed, placed[1:]):
        if isinstance(a.item, Line) and isinstance(b.item, Line) and a.page == b.page and a.column == b.column:
            if abs(a.item.size - body_size) < 0.3 and abs(b.item.size - body_size) < 0.3:
                gap = b.item.baseline - a.item.baseline
                if 0.8 * body_size < gap < 2.0 * body_size:
                    gaps.append(gap / body_size)
    return median(gaps) if gaps else 1.2


def _vocabulary(lines: list[Line]) -> Counter:
    """The paper's words, without the halves of words broken at line ends (a line's first word, a hyphenated last)."""
    words: Counter = Counter()
    for line in lines:
        found = _WORD.findall(line.text)
        if line.text.rstrip()[-1:] in settings()["hyphens"]:
            found = found[:-1]
        words.update(w.lower() for w in found[1:])
    return words


def _blocks(placed: list[Placed], body_size: float, leading: float) -> list[Block]:
    config = settings()
    blocks: list[Block] = []
    current: Block | None = None
    for index, here in enumerate(placed):
        if isinstance(here.item, PdfTable):
            blocks.append(Block("table", table=here.item, page=here.page))
            current = None
            continue
        following = placed[index + 1] if index + 1 < len(placed) else None
        if current is None or _breaks(current, here, following, body_size, leading, config):
            current = Block("paragraph", page=here.page)
            blocks.append(current)
        current.placed.append(here)
    for block in blocks:
        if block.kind == "paragraph" and _is_heading(block, body_size, config):
            block.kind = "heading"
    return blocks


def _breaks(block: Block, here: Placed, following: Placed | None, body_size: float, leading: float, config) -> bool:
    previous = block.placed[-1]
    a, b = previous.item, here.item
    size = max(a.size, b.size)
    if abs(a.size - b.size) > 0.12 * size or a.bold != b.bold:
        return True
    if previous.column.startswith("turned") != here.column.startswith("turned"):
        return True  # text turned upright is a view of its own: nothing runs into or out of it
    if re.match(config["figures"]["caption_label"], b.text, re.IGNORECASE):
        return True  # "Figure 1: ..." opens a caption, even where it follows a sentence broken off
    same_column = previous.page == here.page and previous.column == here.column
    if same_column:
        gap = b.baseline - a.baseline
        if gap < -0.5 * size or gap > config["paragraph_gap"] * leading * size:
            return True
    if previous.page == here.page and min(a.size, b.size) >= 1.12 * body_size and 0 < b.baseline - a.baseline < 1.6 * size:
        # A title or heading set large runs on over its lines, however short they are, and
        # whichever column a short last line happens to fall in.
        return False
    indent = config["indent"] * b.size

    def indented(placed: Placed) -> bool:
        return placed.item.x0 - placed.column_left > indent

    first_indented = indented(block.placed[0])
    if _ENTRY_START.match(block.placed[0].item.text) and indented(here) and not _ENTRY_START.match(b.text):
        return False  # the hanging indent of a numbered or bulleted entry: it goes on
    text_before = a.text.rstrip()
    room = previous.column_right - a.x1
    # A line that ended with room to spare for the next line's first word ended its paragraph.
    short = room > config["short_line"] * a.size and room > _first_word_width(b) + 0.3 * b.size
    ended = bool(_SENTENCE_END.search(text_before))
    if indented(here) and not indented(previous) and (short or ended):
        next_returns = (
            following is None
            or not isinstance(following.item, Line)
            or following.column != here.column
            or not indented(following)
        )
        if next_returns:
            return True  # a first-line indent opens a paragraph
    if not indented(here) and indented(previous) and not first_indented and len(block.placed) >= 2:
        return True  # back at the margin after a hanging indent: the next entry
    if short and (_SENTENCE_END.search(text_before) or b.text.lstrip()[:1].isupper() or _ENTRY_START.match(b.text)):
        return True
    if _ENTRY_START.match(b.text) and _SENTENCE_END.search(text_before) and not indented(here):
        return True
    return False


def _first_word_width(line: Line) -> float:
    glyphs = line.glyphs
    for index in range(1, len(glyphs)):
        if glyphs[index].space_before or glyphs[index].x0 - glyphs[index - 1].x1 > 0.2 * line.size:
            return glyphs[index - 1].x1 - glyphs[0].x0
    return glyphs[-1].x1 - glyphs[0].x0


def _is_heading(block: Block, body_size: float, config) -> bool:
    lines = [p.item for p in block.placed]
    text = " ".join(line.text for line in lines)
    if not any(c.isalpha() for c in text):
        return False  # a number alone (a chart's tick label, a page number) heads nothing
    standout = all(line.bold for line in lines) or min(line.size for line in lines) >= 1.12 * body_size
    # A numbered heading set in italics at the body size ("2.1. Materials") stands out by its number.
    italic = all(p.italic or not p.text.strip() for line in lines for p in line.pieces)
    standout = standout or (italic and bool(_NUMBERED_HEADING.match(text)))
    return standout and len(lines) <= 3 and len(text.split()) <= config["heading_max_words"] * (2 if len(lines) > 1 else 1)


# --- text of lines -------------------------------------------------------------------------


def render(pieces: list[Piece], italics: bool = True) -> Traced:
    out = Traced()
    for index, piece in enumerate(pieces):
        printed = Traced(piece.text, piece.origins)
        if piece.superscript:
            following = pieces[index + 1].text if index + 1 < len(pieces) else ""
            out = _attach_superscript(out, printed, following)
        elif piece.italic and italics and any(c.isalpha() for c in piece.text):
            # Only letters are set in italics for a reason: an italic "%" or ":" in "95%" or "1:5"
            # is the font's, and markers there would cut the number in two.
            core = printed.strip()
            lead = len(piece.text) - len(piece.text.lstrip())
            trail = len(piece.text.rstrip())
            out = out + printed[:lead] + "*" + core + "*" + printed[trail:]
        else:
            out = out + printed
    return out


def _attach_superscript(out: Traced, raised: Traced, following: str) -> Traced:
    config = settings()
    printed = raised.strip()
    mark = printed.text
    if not mark:
        return out
    if _CITATION_BODY.fullmatch(mark) and any(c.isdigit() for c in mark):
        before = out.text
        base = "" if not before or before[-1].isspace() else before.split()[-1]
        letters = re.sub(r"^.*[^A-Za-zµμχ]", "", base)
        is_power = re.search(r"(?<![\d.])10$", base) or (
            letters and letters in config["power_bases"] and not base[-1:].isdigit() and len(letters) <= 3
        )
        if re.fullmatch(r"[\-−+]?\d{1,2}", mark) and is_power:
            digits = config["superscript_digits"]
            return out + Traced("".join(digits.get(c, c) for c in mark), printed.origins)
        citation = Traced.spread(_citation(mark), printed.origins)
        stripped = out.rstrip()
        punctuation = re.search(r"[.,;:]+$", stripped.text)
        # Printed after the full stop ("cells.¹²"), the text exports put it before: "cells [12]."
        if (
            punctuation
            and (not following or following[:1].isspace())
            and not re.search(r"(?:\d|\bal|\betc|\be\.g|\bi\.e|\b[A-Z])[.,]$", stripped.text)
        ):
            head = stripped[: punctuation.start()].rstrip()
            return head + " " + citation + stripped[punctuation.start() :]
        return stripped + " " + citation
    if mark.lower() in ("st", "nd", "rd", "th"):
        return out + printed
    if mark in config["degree_marks"] and (not following or following[:1] in "CFK –-" or following[:1].isspace()):
        # A raised ring (∘, o) after a number is a degree sign: "37∘C" → "37°C".
        if re.search(r"\d\s?$", out.text):
            return out.rstrip() + Traced("°", printed.origins[:1])
    return out + "^{" + printed + "}"


def _citation(mark: str) -> str:
    """"1,2" as "[1, 2]"; a range "4–6" as the text exports write one: "[4] [5] [6]"."""
    parts = [p for p in re.sub(r"\s+", "", mark).replace("−", "-").replace("–", "-").split(",") if p]
    if not any("-" in part for part in parts):
        return "[" + ", ".join(parts) + "]"
    numbers: list[str] = []
    for part in parts:
        low, _, high = part.partition("-")
        if high and low.isdigit() and high.isdigit() and 0 < int(high) - int(low) <= 60:
            numbers.extend(str(n) for n in range(int(low), int(high) + 1))
        else:
            numbers.append(part)
    return " ".join(f"[{n}]" for n in numbers)


def join_lines(text: Traced, following: Traced, vocabulary: Counter) -> Traced:
    """Join two printed lines of one paragraph, undoing hyphenation at the line end."""
    hyphens = settings()["hyphens"]
    following = following.lstrip()
    if not following:
        return text
    text = text.rstrip()
    before, after = text.text, following.text
    if before.endswith("*") and after.startswith("*") and not before.endswith("**"):
        return join_lines(text[:-1], following[1:], vocabulary)  # one italic phrase over two lines
    last = before[-1:]
    hyphen = Traced("-", text.origins[-1:])  # the printed hyphen, written as a plain one
    if last in hyphens and len(before) >= 2 and before[-2].isalpha():
        head = re.search(r"([A-Za-z]+)$", before[:-1])
        tail = re.match(r"([A-Za-z]+)", after)
        if head and tail and after[0].islower():
            return text[:-1] + (hyphen if _keeps_hyphen(head.group(1), tail.group(1), vocabulary) else "") + following
        return text[:-1] + hyphen + following
    if last in ("–", "/") or (last in hyphens and before[-2:-1].isdigit()):
        return text[:-1] + (hyphen if last in hyphens else text[-1:]) + following
    return text + " " + following


def _keeps_hyphen(head: str, tail: str, vocabulary: Counter) -> bool:
    """Whether "docu-" + "ment" is one word broken at the line end, or "document-level" a compound.

    The paper's own words decide: the joined word or the hyphenated compound seen
    elsewhere in it, else a compound when both halves are words the paper uses.
    """
    joined, hyphenated = (head + tail).lower(), (head + "-" + tail).lower()
    if vocabulary[joined]:
        return False
    if vocabulary[hyphenated]:
        return True
    return vocabulary[head.lower()] > 0 and vocabulary[tail.lower()] > 0 and len(head) > 2


def _table_text(table: PdfTable, vocabulary: Counter) -> Traced:
    caption = _caption_text(table)
    rows: list[Traced] = []
    for row in table.rows:
        cells = []
        for cell in row:
            text = Traced()
            for fragment in cell:
                piece = render(fragment.pieces).strip()
                text = join_lines(text, piece, vocabulary) if text else piece
            cells.append(text.single_spaced())
        if any(cells):
            rows.append(Traced.join("\t", cells))
    if len(rows) < 2:
        if not rows:
            return caption
        return caption + "\n\n" + Traced.join("\n\n", [Traced(r.text.replace("\t", " "), r.origins) for r in rows])
    return caption + "\n\n" + Traced.join("\n", rows)


def _caption_text(table: PdfTable) -> Traced:
    """"Table N (continued) caption", its characters traced to the caption as printed."""
    printed = Traced.join(" ", [_line_text(line).strip() for line in table.lines[: table.caption_lines]])
    number_end = printed.text.find(table.number)
    label = f"Table {table.number}" + (" (continued)" if table.continued else "")
    caption = Traced.spread(label, printed.origins[: number_end + len(table.number)] if number_end >= 0 else [])
    if not table.caption:
        return caption
    at = printed.text.find(table.caption)
    return caption + " " + (printed[at : at + len(table.caption)] if at >= 0 else Traced(table.caption))


def _line_text(line: Line) -> Traced:
    """A line's text as printed (``Line.text``), traced."""
    return Traced.join("", [Traced(piece.text, piece.origins) for piece in line.pieces])
