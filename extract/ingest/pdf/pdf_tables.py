"""Tables on a PDF page: found under their "Table N" caption, cut into rows and cells.

Ruled tables are cut along their rules (pdfium gives the page's path objects,
so no second parser is needed); unruled ones along the white columns between
cell texts, one row a line. A caption "Table N (continued)", or one ending in
"(Continued)", marks the rest of a table from an earlier page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from extract.ingest.pdf.glyphs import PageContent, Rule
from extract.ingest.pdf.lines import Line, describe, settings, split_at_gaps

CAPTION = re.compile(
    r"^\s*Table\s+(?P<number>\d{1,3}[A-Za-z]?)(?:\s*\((?P<continued>continued)\))?"
    r"(?P<rest>(?:\s*[.:|]\s*|\s+(?=[A-Z(])).*)?$",
    re.IGNORECASE,
)
# A cell's second line going on from its first: a lower-case word (not an identifier like "hsa00860").
_CONTINUES = re.compile(r"^\s*[a-z]{2,}(?![\w])")
_CONTINUED_AT_END = re.compile(r"\s*\((?:continued|cont(?:'|’)?d\.?)\)\s*$", re.IGNORECASE)


@dataclass
class PdfTable:
    number: str
    caption: str
    continued: bool
    rows: list[list[list[Line]]]
    """Rows of cells; a cell is the lines (fragments) printed in it, in reading order."""
    x0: float
    x1: float
    top: float
    bottom: float
    lines: list[Line] = field(default_factory=list)
    """Every line the table took from the page (caption included)."""
    caption_lines: int = 1
    """How many of ``lines``, from the first, are the caption's."""


def caption_of(line: Line) -> re.Match | None:
    text = line.text.strip()
    match = CAPTION.match(text)
    if not match:
        return None
    rest = (match.group("rest") or "").strip()
    if rest[:1].islower():  # "Table 2 shows the results ..." is a sentence, not a caption
        return None
    return match


def find_tables(page: PageContent, lines: list[Line], body_size: float) -> list[PdfTable]:
    tables: list[PdfTable] = []
    taken: set[int] = set()
    ordered = sorted(lines, key=lambda line: (line.top, line.x0))
    # On a page set in two columns, a line of body text as wide as a column is prose even
    # under a table that spans the page; on a page of one column only a wider one is.
    column = page.width / 2 if _two_columns(page, lines, body_size) else page.width
    for index, line in enumerate(ordered):
        if id(line) in taken or (match := caption_of(line)) is None:
            continue
        table = _table_below(page, ordered, index, match, body_size, taken, column)
        if table is not None:
            tables.append(table)
            taken.update(id(item) for item in table.lines)
    return tables


def _two_columns(page: PageContent, lines: list[Line], body_size: float) -> bool:
    middle = page.width / 2
    prose = [line for line in lines if line.size > 0.75 * body_size and line.width > 0.3 * page.width]
    left = sum(1 for line in prose if line.x1 < middle)
    right = sum(1 for line in prose if line.x0 > middle)
    return left >= 5 and right >= 5


def _table_below(page, lines, index, match, body_size, taken, column: float) -> PdfTable | None:
    caption_line = lines[index]
    x0, x1 = _horizontal_extent(page, caption_line, lines[index + 1 : index + 6], lines)
    caption_lines = [caption_line]
    # A caption runs on over lines of its own style until the table starts.
    position = index + 1
    while position < len(lines):
        line = lines[position]
        if id(line) in taken or not (x0 - 2 <= line.x0 and line.x1 <= x1 + 2):
            position += 1
            continue
        alone = not any(
            other is not line and abs(other.baseline - line.baseline) < 0.5 * line.size and x0 - 2 <= other.x0 and other.x1 <= x1 + 2
            for other in lines[position - 1 : position + 8]
        )  # a line with others beside it is a row of cells, not more of the caption
        if alone and abs(line.size - caption_line.size) < 0.3 and line.top - caption_lines[-1].bottom < 0.6 * line.size and _is_prose(line, x1 - x0):
            caption_lines.append(line)
            position += 1
            continue
        break
    top = caption_lines[-1].bottom
    rules = [r for r in page.rules if r.x1 > x0 - 2 and r.x0 < x1 + 2 and r.y1 >= top - 2]
    horizontal = sorted((r for r in rules if r.horizontal), key=lambda r: r.y0)
    candidates = [
        line for line in lines[position:]
        if id(line) not in taken and line.top >= top - 1 and x0 - 2 <= line.x0 and line.x1 <= x1 + 2
    ]
    # Prose is judged against a column: a table over the page ends at a column of body text too.
    bottom = _region_bottom(candidates, horizontal, top, body_size, min(x1 - x0, column))
    if bottom is None:
        return None
    body = [line for line in candidates if line.bottom <= bottom + 1]
    if len(body) < 2:
        return None
    region_rules = [r for r in rules if r.y0 >= top - 2 and r.y1 <= bottom + 2]
    region_horizontal = [r for r in region_rules if r.horizontal]
    if region_horizontal:
        # The rules frame the table: its borders are not column separators.
        x0 = min(r.x0 for r in region_horizontal)
        x1 = max(r.x1 for r in region_horizontal)
    rows = cut_cells(body, region_rules, x0, x1)
    if not rows or max(len(row) for row in rows) < 2:
        return None
    caption_text = " ".join(line.text.strip() for line in caption_lines)
    continued = (
        bool(match.group("continued"))
        or bool(_CONTINUED_AT_END.search(caption_text))
        or (match.group("rest") or "").strip(" .:|").lower() in settings()["continued_captions"]
    )
    rest = (match.group("rest") or "").strip()
    if len(caption_lines) > 1:
        rest = (rest + " " + " ".join(line.text.strip() for line in caption_lines[1:])).strip()
    rest = _CONTINUED_AT_END.sub("", rest).lstrip(".:| ").strip()
    return PdfTable(
        number=match.group("number"),
        caption=rest,
        continued=continued,
        rows=rows,
        x0=x0,
        x1=x1,
        top=caption_line.top,
        bottom=bottom,
        lines=caption_lines + body,
        caption_lines=len(caption_lines),
    )


def _horizontal_extent(page: PageContent, caption: Line, below: list[Line], lines: list[Line]) -> tuple[float, float]:
    """The caption's column, or the whole page when the caption, the row under it or rules cross its middle.

    Two tables side by side, each under its caption in its column, each keep to their column.
    """
    middle = page.width / 2
    if caption.x0 < middle - 10 and caption.x1 > middle + 10:
        return 0.0, page.width
    column = (0.0, middle) if caption.x1 <= middle + 10 else (middle, page.width)
    right = caption.x0 >= middle - 10
    if any(
        other is not caption and abs(other.top - caption.top) < 3 * caption.size
        and (other.x0 >= middle - 10) != right and other.x1 <= page.width and caption_of(other)
        for other in lines
    ):
        return column
    # A short caption over a wide table: the first rows under it run across the middle.
    under = [line for line in below if 0 <= line.top - caption.bottom < 3 * caption.size]
    row = [line for line in under if abs(line.baseline - under[0].baseline) < 0.5 * line.size] if under else []
    # (Cells are short; two lines of prose side by side are the page's two columns.)
    if len(row) >= 2 and all(line.width < 0.3 * page.width for line in row):
        if min(line.x0 for line in row) < middle - 10 and max(line.x1 for line in row) > middle + 10:
            return 0.0, page.width
    wide_rules = [r for r in page.rules if r.horizontal and r.y0 > caption.bottom and r.x1 - r.x0 > 0.6 * page.width]
    if wide_rules:
        return 0.0, page.width
    return column


def _is_prose(line: Line, width: float) -> bool:
    return len(split_at_gaps(line, settings()["table_cell_gap"])) == 1


def _region_bottom(lines: list[Line], horizontal: list[Rule], top: float, body_size: float, width: float) -> float | None:
    """Where the table ends: its last rule, or the last line that still looks like a table row."""
    if len(horizontal) >= 2 and horizontal[0].y0 - top < 4 * body_size:
        bottom = horizontal[0].y0
        for rule in horizontal[1:]:
            between = [line for line in lines if bottom < line.top and line.bottom < rule.y0]
            if any(_is_body_prose(line, body_size, width) or caption_of(line) for line in between):
                break  # body text, or the next table's caption: this table ended at the rule before
            bottom = rule.y0
        return bottom
    bottom = None
    previous_bottom = top
    gap = settings()["table_cell_gap"]
    for line in sorted(lines, key=lambda line: line.top):
        if line.top - previous_bottom > 2.5 * line.size or _is_body_prose(line, body_size, width):
            break
        if caption_of(line):
            break
        if len(split_at_gaps(line, gap)) < 2 and line.size >= 0.97 * body_size:
            break
        bottom = line.bottom
        previous_bottom = line.bottom
    return bottom


def _is_body_prose(line: Line, body_size: float, width: float) -> bool:
    return line.size >= 0.97 * body_size and line.width > 0.7 * width and _is_prose(line, width)


def cut_cells(lines: list[Line], rules: list[Rule], x0: float, x1: float) -> list[list[list[Line]]]:
    gap = settings()["table_cell_gap"]
    fragments = [part for line in lines for part in split_at_gaps(line, gap)]
    if not fragments:
        return []
    top = min(f.top for f in fragments)
    bottom = max(f.bottom for f in fragments)
    height = max(bottom - top, 1.0)
    verticals = _distinct(
        [r.x0 for r in rules if not r.horizontal and r.y1 - r.y0 > 0.5 * height and x0 + 3 < r.x0 < x1 - 3], 3
    )
    inner = _distinct([r.y0 for r in rules if r.horizontal and top + 2 < r.y0 < bottom - 2], 2)
    # Column edges are where the body's cells leave white: a heading above the first rule
    # may span a group of columns ("Surgery" over "Before | After | Δ") and is placed by its middle.
    body = [f for f in fragments if _band(f, inner) > 0] if inner else fragments
    if len(body) < 2:
        body = fragments
    separators = verticals or _white_columns(body, x1 - x0)
    if not verticals and body is not fragments:
        # Columns the body leaves empty on this page (a continued table's last column) are
        # still edged by the header's white strips beyond the body's reach.
        spans = [f for f in body if f.width < 0.45 * (x1 - x0)] or body
        low, high = min(f.x0 for f in spans), max(f.x1 for f in spans)
        separators = sorted(separators + [c for c in _white_columns(fragments, x1 - x0) if c < low or c > high])
    if not verticals:
        extra = _mostly_white_columns(fragments, separators)
        separators = sorted(separators + extra)
        # Cells run together cross the edges that all but a few rows leave white; a header
        # cell may cross any edge of the body under it.
        # A rule under part of the table's width (under a heading over a group of columns)
        # marks the text over it as spanning them.
        underlines = [r for r in rules if r.horizontal and r.x1 - r.x0 < 0.9 * (x1 - x0)]
        fragments = _part_run_together(fragments, body, separators, inner, separators if inner else extra, underlines)
    by_lines = _rows_by_lines(fragments, inner)
    # Rules make the rows only where they rule (nearly) every row: rules under a header or
    # between groups of rows would each swallow a group of printed rows into one.
    # A grid with column rules too is ruled throughout, however many lines its cells take.
    ruled = len(inner) >= 2 and (bool(verticals) or len(inner) + 1 >= 0.5 * len(by_lines))
    # A grid (column rules too) is cut along its rules alone; rules without column rules
    # may still set off groups of rows.
    if ruled:
        row_bounds = _rows_by_rules(fragments, inner) if verticals else _rows_by_lines(fragments, inner, ruled=True)
    else:
        row_bounds = by_lines
    rows: list[list[list[Line]]] = []
    for members in row_bounds:
        cells: list[list[Line]] = [[] for _ in range(len(separators) + 1)]
        for fragment in sorted(members, key=lambda f: (round(f.baseline), f.x0)):
            centre = (fragment.x0 + fragment.x1) / 2
            column = sum(1 for s in separators if centre > s)
            cells[column].append(fragment)
        if any(cells):
            rows.append(cells)
    return rows


def _distinct(values: list[float], tolerance: float) -> list[float]:
    kept: list[float] = []
    for value in sorted(values):
        if not kept or value - kept[-1] > tolerance:
            kept.append(value)
    return kept


def _white_columns(fragments: list[Line], width: float) -> list[float]:
    """Cuts in the middle of the vertical white strips that no cell text crosses."""
    spans = sorted((f.x0, f.x1) for f in fragments if f.width < 0.45 * width) or sorted((f.x0, f.x1) for f in fragments)
    cuts: list[float] = []
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start > reach + 2:
            cuts.append((reach + start) / 2)
        reach = max(reach, end)
    return cuts


def _mostly_white_columns(fragments: list[Line], separators: list[float]) -> list[float]:
    """White strips that all but a few rows leave open: a cell run into its neighbour crosses one.

    Narrowly set tables put a label and its value closer than a cell gap in a row or
    two; the strip the other rows leave white between them is still the column's edge.
    """
    rows = len({round(f.baseline) for f in fragments})
    if rows < 4:
        return []
    size = sorted(f.size for f in fragments)[len(fragments) // 2]
    left = int(min(f.x0 for f in fragments))
    right = int(max(f.x1 for f in fragments)) + 1
    cover = [0] * (right - left + 1)
    for f in fragments:
        for x in range(int(f.x0) - left, int(f.x1) - left + 1):
            cover[x] += 1
    allowed = max(1, int(0.1 * rows))
    cuts: list[float] = []
    start = None
    for x in range(len(cover) + 1):
        if x < len(cover) and cover[x] <= allowed:
            start = x if start is None else start
        elif start is not None:
            if x - start >= size and start > 0 and x < len(cover):
                cut = left + (start + x) / 2
                # A column is some words wide: a strip beside an edge already found is that column's margin.
                if all(abs(cut - s) > 3 * size for s in separators) and left + 3 * size < cut < right - 3 * size:
                    cuts.append(cut)
            start = None
    return cuts


def _column(fragment: Line, separators: list[float]) -> int:
    return sum(1 for s in separators if (fragment.x0 + fragment.x1) / 2 > s)


def _part_run_together(
    fragments: list[Line], body: list[Line], separators: list[float], rules: list[float], cut_at: list[float],
    underlines: list[Rule],
) -> list[Line]:
    """Fragments that cross a column edge, parted where they are two cells run together.

    A column's extent is where its body cells that cross no edge are printed. A fragment
    is parted only into pieces that each lie over their own column and over no other:
    a long label reaching into an empty strip, a heading over a group of columns
    ("Patients ≥65 years" over "Mean | Minimum | Maximum": with headings or a rule under
    it), or a line's only text (a heading across the table) is one cell, placed by its middle.
    """
    inside = [f for f in body if not any(f.x0 + 1 < s < f.x1 - 1 for s in separators)]
    extents: dict[int, tuple[float, float]] = {}
    for fragment in inside:
        column = _column(fragment, separators)
        low, high = extents.get(column, (fragment.x0, fragment.x1))
        extents[column] = (min(low, fragment.x0), max(high, fragment.x1))
    same_line = settings()["table_same_line"]
    parted: list[Line] = []
    for fragment in fragments:
        if not any(fragment.x0 + 1 < s < fragment.x1 - 1 for s in cut_at):
            parted.append(fragment)
            continue
        beside = any(
            other is not fragment and abs(other.baseline - fragment.baseline) <= same_line * fragment.size
            for other in fragments
        )
        headed = bool(rules) and _band(fragment, rules) == 0 and any(
            other.baseline > fragment.baseline + same_line * fragment.size and _band(other, rules) == 0
            and other.x0 < fragment.x1 and other.x1 > fragment.x0
            for other in fragments
        )
        underlined = any(
            0 < r.y0 - fragment.baseline < 1.2 * fragment.size
            and r.x0 <= fragment.x0 + fragment.size and r.x1 >= fragment.x1 - fragment.size
            for r in underlines
        )
        pieces = _split_at(fragment, separators) if beside and not headed and not underlined else [fragment]
        if len(pieces) > 1 and not all(_over_own_column(piece, separators, extents) for piece in pieces):
            pieces = [fragment]
        parted.extend(pieces)
    return parted


def _over_own_column(piece: Line, separators: list[float], extents: dict[int, tuple[float, float]]) -> bool:
    own = _column(piece, separators)
    for column, (low, high) in extents.items():
        overlaps = piece.x0 < high and piece.x1 > low
        if overlaps != (column == own):
            return False
    return own in extents


def _split_at(fragment: Line, separators: list[float]) -> list[Line]:
    """A fragment crossing a column edge, cut at the word break nearest to it."""
    inside = [s for s in separators if fragment.x0 + 1 < s < fragment.x1 - 1]
    if not inside:
        return [fragment]
    glyphs = fragment.glyphs
    cuts = set()
    for separator in inside:
        best, best_distance = None, fragment.size * 1.5
        for index in range(1, len(glyphs)):
            gap = glyphs[index].x0 - glyphs[index - 1].x1
            if glyphs[index].space_before or gap > 0.2 * fragment.size:
                middle = (glyphs[index - 1].x1 + glyphs[index].x0) / 2
                if abs(middle - separator) < best_distance:
                    best, best_distance = index, abs(middle - separator)
        if best is not None:
            cuts.add(best)
    if not cuts:
        return [fragment]
    parts, start = [], 0
    for cut in sorted(cuts):
        parts.append(glyphs[start:cut])
        start = cut
    parts.append(glyphs[start:])
    return [describe(part) for part in parts if part]


def _printed_lines(fragments: list[Line], rules: list[float]) -> list[tuple[float, float, int, list[Line]]]:
    """The table's fragments gathered into printed lines: (baseline, size, band, fragments).

    Cells of one line differ a little in baseline (a value set in another font); the
    line's baseline is the one most of its cells sit on.
    """
    same_line = settings()["table_same_line"]
    groups: list[list[Line]] = []
    for fragment in sorted(fragments, key=lambda f: f.baseline):
        if groups and fragment.baseline - groups[-1][0].baseline <= same_line * fragment.size \
                and _band(fragment, rules) == _band(groups[-1][0], rules):
            groups[-1].append(fragment)
        else:
            groups.append([fragment])
    return [
        (median(f.baseline for f in group), max(f.size for f in group), _band(group[0], rules), group)
        for group in groups
    ]


def _padded_row_step(printed: list[tuple[float, float, int, list[Line]]]) -> float | None:
    """Where rows are set further apart than the lines of a cell, the step (font sizes) between the two.

    The closest two lines that each hold two or more cells are two rows: that step is
    the row pitch. The closest two lines of all (a value centred between lines is no
    line of its own) are at the leading. Rows padded by at least ``table_row_padding``
    font sizes beyond the leading tell a cell's next line from the next row; a table
    whose rows follow at the leading gives None.
    """
    chain, padding = settings()["table_row_chain"], settings()["table_row_padding"]
    leading = pitch = None
    for (above, _, band_above, cells_above), (below, size, band, cells) in zip(printed, printed[1:]):
        step = (below - above) / size
        if band != band_above or step < chain:
            continue
        leading = step if leading is None else min(leading, step)
        if len(cells_above) >= 2 and len(cells) >= 2:
            pitch = step if pitch is None else min(pitch, step)
    # No two lines at the leading (at most table_cell_leading apart): no cell here takes two lines.
    if leading is None or pitch is None or leading > settings()["table_cell_leading"] or pitch - leading < padding:
        return None
    return (leading + pitch) / 2


def _rows_by_rules(fragments: list[Line], rules: list[float]) -> list[list[Line]]:
    rows: list[list[Line]] = [[] for _ in range(len(rules) + 1)]
    for fragment in fragments:
        rows[_band(fragment, rules)].append(fragment)
    return [row for row in rows if row]


def _band(fragment: Line, rules: list[float]) -> int:
    """Which stretch between the table's inner rules the fragment is printed in."""
    middle = (fragment.top + fragment.bottom) / 2
    return sum(1 for y in rules if middle > y)


def _rows_by_lines(fragments: list[Line], rules: list[float], ruled: bool = False) -> list[list[Line]]:
    """One row a printed line, and never a row across a rule.

    Lines closer together than a line of text can be (a value centred beside a label
    set over two lines, between them) are one row: a chain of them is a row whose
    cells take several lines. Between two rules that set off rows, the header above
    the first rule, or each ruled row of a table ruled throughout, and in tables that
    pad their rows, the lines of one cell are set at the font's leading and rows
    further apart: there a line is measured against the lines of the row above it in
    its own columns (a value centred between two rows is not the next row's first
    line), and a step wider than the leading starts a row.
    """
    chain = settings()["table_row_chain"]
    leading = settings()["table_cell_leading"]
    printed = _printed_lines(fragments, rules)
    padded = _padded_row_step(printed)
    rows: list[list[tuple[float, float, int, list[Line]]]] = []
    for line in printed:
        baseline, size, band, members = line
        row = rows[-1] if rows else None
        if row is not None and row[-1][2] == band:
            full = _repeated_line(row, line, printed, chain)
            if full is not None:
                # The two lines are two rows; what lies between them goes with the nearer.
                at = row.index(full)
                moved = [
                    above for above in row[at + 1 :]
                    if baseline - above[0] < above[0] - full[0] and not any(_CONTINUES.match(f.text) for f in above[3])
                ]
                row[:] = [above for above in row if not any(above is m for m in moved)]
                rows.append(moved + [line])
                continue
            # Above the first rule is the header; in a table ruled throughout every band is a row.
            limit = leading if (ruled or (rules and band == 0)) else padded
            if limit:
                step = _step_below([f for above in row for f in above[3]], members, baseline - row[-1][0])
            else:
                step = baseline - row[-1][0]
            if step < (limit or chain) * size:
                row.append(line)
                continue
        rows.append([line])
    return [[f for line in row for f in line[3]] for row in rows]


def _repeated_line(row, line, printed, chain: float):
    """The row's last line that the given line repeats column for column, when the two are two rows.

    Two lines a line's step or more apart that each print cells in the same two or more
    columns are two rows, whatever lies between them (a cell spanning both, a label
    centred beside them): unless a single-line cell of another column is centred
    between the two, which makes them the two lines of one row.
    """
    baseline, size, _, members = line
    if len(members) < 2:
        return None
    above = next((candidate for candidate in reversed(row) if len(candidate[3]) >= 2), None)
    if above is None or baseline - above[0] < chain * size:
        return None
    shared = [f for f in members if any(g.x0 < f.x1 and g.x1 > f.x0 for g in above[3])]
    if len(shared) < 2:
        return None
    # A line going on in lower case ("Joint / function", "Percentage energy / from protein"),
    # or closing a bracket opened above, carries cells of the line above on to a second line.
    if any(_continues(f, above[3]) for f in shared):
        return None
    middle, step = (above[0] + baseline) / 2, baseline - above[0]
    same_line = settings()["table_same_line"]
    taken = [*members, *above[3]]
    nearby = [f for _, _, _, others in printed for f in others if abs(f.baseline - middle) < 1.5 * step]
    for fragment in nearby:
        if abs(fragment.baseline - middle) > same_line * size:
            continue
        if any(g.x0 < fragment.x1 and g.x1 > fragment.x0 for g in taken):
            continue
        # A cell of one line: nothing else in its column within a line's step of it.
        if not any(
            other is not fragment and other.x0 < fragment.x1 and other.x1 > fragment.x0
            and abs(other.baseline - fragment.baseline) < step
            for other in nearby
        ):
            return None
    return above


def _continues(fragment: Line, above: list[Line]) -> bool:
    """Whether the fragment goes on from the text over it.

    It does when it starts in lower case, or when the text over it breaks off: a bracket
    left open, a trailing comma, hyphen or slash, or a word that cannot end a phrase
    (``table_continuing_words``: "suggestive of / HIE").
    """
    if _CONTINUES.match(fragment.text):
        return True
    words = settings()["table_continuing_words"]
    for over in (g for g in above if g.x0 < fragment.x1 and g.x1 > fragment.x0):
        text = over.text.rstrip()
        last = text.rsplit(None, 1)[-1].lower() if text else ""
        if over.text.count("(") > over.text.count(")") or text.endswith((",", "-", "/")) or last in words:
            return True
    return False


def _step_below(row: list[Line], members: list[Line], step_from_last: float) -> float:
    """How far a line is under the row above, measured in the columns both print in.

    The widest step from one of the line's fragments up to the nearest fragment of the
    row over it; the step from the row's last line where no fragment has one above.
    """
    steps = []
    for fragment in members:
        above = [other.baseline for other in row if other.x0 < fragment.x1 and other.x1 > fragment.x0]
        if above:
            steps.append(fragment.baseline - max(above))
    return max(steps) if steps else step_from_last
