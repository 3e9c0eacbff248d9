"""Pages to reading order: running heads and page numbers dropped, columns found, lines read in order.

A page is cut into bands by the lines that cross its gutter (a title block, a
full-width table); within a band the left column is read before the right.
Headers and footers are the lines in the top or bottom margin whose words
(digits aside) come back on other pages, and bare page numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from extract.ingest.pdf.glyphs import PageContent
from extract.ingest.pdf.lines import Line, describe, settings
from extract.ingest.pdf.pdf_tables import PdfTable
from extract.ingest.tables import TABLE_CAPTION

_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)


@dataclass
class Placed:
    """A line or a table where it stands in the reading order, with the column it was read in."""

    item: Line | PdfTable
    page: int
    column: str  # "left", "right", "full" or "single"
    column_left: float
    column_right: float


def furniture_keys(pages: list[tuple[PageContent, list[Line]]]) -> set[str]:
    """Top- and bottom-margin rows of text that come back on at least two pages."""
    zone = settings()["furniture_zone"]
    seen: Counter[str] = Counter()
    for page, lines in pages:
        rows = _margin_rows(page, lines, zone)
        # A row's lines count on their own too: odd pages print "Journal  3", even pages "4  Journal".
        seen.update({key for key, row in rows} | {_line_key(line) for _, row in rows if len(row) > 1 for line in row})
    return {key for key, count in seen.items() if count >= 2 and key}


def drop_furniture(page: PageContent, lines: list[Line], keys: set[str]) -> list[Line]:
    zone = settings()["furniture_zone"]
    dropped: set[int] = set()
    for key, row in _margin_rows(page, lines, zone):
        text = " ".join(line.text.strip() for line in row)
        if TABLE_CAPTION.match(text):
            continue
        if key in keys or _PAGE_NUMBER.match(text):
            dropped.update(id(line) for line in row)
        elif len(row) > 1:
            # A running head printed beside other lines of the margin: it goes, with a page number
            # beside it, and the rest of the row (a reference's number, a line of text) stays.
            heads = [line for line in row if _line_key(line) in keys and not TABLE_CAPTION.match(line.text.strip())]
            if heads:
                dropped.update(id(line) for line in heads)
                dropped.update(id(line) for line in row if _PAGE_NUMBER.match(line.text.strip()))
    return [line for line in lines if id(line) not in dropped]


def _line_key(line: Line) -> str:
    """A margin line's words with digits masked, when there are enough of them to recognise it by."""
    key = re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text.lower()))
    return key if sum(c.isalpha() for c in key) >= 12 else ""


def masthead(page: PageContent, lines: list[Line], body_size: float) -> list[Line]:
    """The first page's masthead: the block of small print at the top, above the title.

    Journal, publisher, volume, article number and DOI ("Volume 2016, Article ID
    1396568, 2 pages", "Dodd et al. BMC Medicine 2014, 12:161") are the first
    page's running head: printed in the top margin in smaller type than the body
    and above the title (larger type than the body). Later pages' heads differ,
    so it never comes back as a repeated row.
    """
    config = settings()["masthead"]
    small, title = config["small_print"] * body_size, config["title_print"] * body_size
    ordered = sorted(lines, key=lambda line: (line.top, line.x0))
    block: list[Line] = []
    for line in ordered:
        if line.size >= title:
            return block  # the title: what was gathered above it is the masthead
        if line.size > small:
            return []  # ordinary or heading print before any title: no masthead here
        if not block and line.top > config["zone"] * page.height:
            return []
        if block and line.top - max(l.bottom for l in block) > config["gap"] * line.size:
            return []  # small print further down (a byline under a banner): not the masthead
        block.append(line)
    return []


def drop_repeated(lines: list[Line]) -> list[Line]:
    """A line printed over and over on one page outside its tables is an advertisement's.

    (A publisher's grid of journal covers prints "Volume 2014 http://www.hindawi.com"
    twenty times; a table's repeated row labels are taken with their table before this.)
    """
    least = settings()["repeated_on_page"]
    if len(lines) < least:
        return lines
    keys = [_repeat_key(line) for line in lines]
    repeats = Counter(keys)
    return [line for line, key in zip(lines, keys) if not (key and repeats[key] >= least)]


def _repeat_key(line: Line) -> str:
    key = " ".join(line.text.lower().split())
    return key if len(key) >= 8 and re.search(r"[^\W\d_]{3,}", key) else ""


def _margin_rows(page: PageContent, lines: list[Line], zone: float) -> list[tuple[str, list[Line]]]:
    """Lines in the margins grouped by baseline, each row keyed by its words with digits masked."""
    margin = sorted(
        (line for line in lines if line.bottom < page.height * zone or line.top > page.height * (1 - zone)),
        key=lambda line: (line.baseline, line.x0),
    )
    rows: list[list[Line]] = []
    for line in margin:
        if rows and abs(line.baseline - rows[-1][0].baseline) < 0.5 * line.size:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [(re.sub(r"\d+", "#", re.sub(r"\s+", "", "".join(l.text for l in row).lower())), row) for row in rows]


def figure_regions(page: PageContent) -> list[tuple[float, float, float, float]]:
    """Where figures are drawn: images, and clusters of shapes and ticks (a chart), as boxes.

    A lone shape (a shaded box behind a panel of text) is not a figure; nor is a
    box covering most of the page (a scanned page under its text layer).
    """
    config = settings()["figures"]
    near = config["join_gap"]
    page_area = page.width * page.height
    clusters: list[list] = []  # [x0, top, x1, bottom, shapes, images]
    for x0, top, x1, bottom, image in sorted(page.graphics, key=lambda g: (g[1], g[0])):
        if (x1 - x0) * (bottom - top) > config["max_page_share"] * page_area:
            continue
        weight = config["min_shapes"] if image else 1
        merged = None
        for cluster in clusters:
            if x0 <= cluster[2] + near and x1 >= cluster[0] - near and top <= cluster[3] + near and bottom >= cluster[1] - near:
                if merged is None:
                    cluster[0], cluster[1] = min(cluster[0], x0), min(cluster[1], top)
                    cluster[2], cluster[3] = max(cluster[2], x1), max(cluster[3], bottom)
                    cluster[4] += weight
                    merged = cluster
        if merged is None:
            clusters.append([x0, top, x1, bottom, weight])
    # Clusters that grew into each other are one figure.
    changed = True
    while changed:
        changed = False
        for a in clusters:
            for b in clusters:
                if a is not b and a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]:
                    a[0], a[1], a[2], a[3] = min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])
                    a[4] += b[4]
                    clusters.remove(b)
                    changed = True
                    break
            if changed:
                break
    side = config["min_side"]
    return [
        (c[0], c[1], c[2], c[3])
        for c in clusters
        if c[2] - c[0] >= side and c[3] - c[1] >= side and c[4] >= config["min_shapes"]
        and (c[2] - c[0]) * (c[3] - c[1]) <= config["max_page_share"] * page_area
    ]


def drop_figure_text(page: PageContent, lines: list[Line], body_size: float) -> list[Line]:
    """Text printed inside a figure (axis labels, panel letters, a gel's lane names) is not prose.

    A line inside a figure's box goes; so does small print or a few words next to it
    (tick labels under an axis, a legend below them), and next to those, up to the
    figure's caption, which stays and which nothing beyond is taken across.
    """
    regions = figure_regions(page)
    if not regions:
        return lines
    margin = settings()["figures"]["label_margin"] * body_size
    caption = re.compile(settings()["figures"]["caption"], re.IGNORECASE)
    captions = [line for line in lines if caption.match(line.text)]
    dropped: set[int] = set()
    for x0, top, x1, bottom in regions:
        for line in lines:
            if line.x0 >= x0 - 1 and line.x1 <= x1 + 1 and line.top >= top - 1 and line.bottom <= bottom + 1:
                if not caption.match(line.text):
                    dropped.add(id(line))
        grown = True
        while grown:
            grown = False
            for line in lines:
                if id(line) in dropped or caption.match(line.text):
                    continue
                if not (line.size < 0.97 * body_size or len(line.text.split()) < 4):
                    continue
                if not (line.x0 >= x0 - margin and line.x1 <= x1 + margin):
                    continue
                if not (line.top <= bottom + margin and line.bottom >= top - margin):
                    continue
                beyond_caption = any(
                    c.x1 > line.x0 and c.x0 < line.x1
                    and ((bottom <= c.top and c.bottom <= line.top) or (line.bottom <= c.top and c.bottom <= top))
                    for c in captions
                )
                if beyond_caption:
                    continue
                dropped.add(id(line))
                top, bottom = min(top, line.top), max(bottom, line.bottom)
                grown = True
    return [line for line in lines if id(line) not in dropped]

def find_gutter(lines: list[Line], width: float) -> float | None:
    """The x of a vertical strip in the middle of the page that column lines do not cross."""
    low, high = settings()["gutter_zone"]
    narrow = [line for line in lines if line.width < 0.55 * width]
    if len(narrow) < 8:
        return None
    step = 2.0
    cover = [0] * (int(width / step) + 2)
    for line in narrow:
        for index in range(max(0, int(line.x0 / step)), min(len(cover), int(line.x1 / step) + 1)):
            cover[index] += 1
    first, last = int(width * low / step), int(width * high / step)
    least = min(cover[first:last])
    # The widest stretch of least-covered bins is the gutter; its middle is the cut.
    best, best_len, run_start = None, 0, None
    for index in range(first, last + 1):
        if index < last and cover[index] == least:
            run_start = index if run_start is None else run_start
        elif run_start is not None:
            if index - run_start > best_len:
                best, best_len = (run_start + index) / 2 * step, index - run_start
            run_start = None
    if best is None:
        return None
    left = [line for line in narrow if line.x1 <= best]
    right = [line for line in narrow if line.x0 >= best]
    # Lines across the strip count against it only where columns stand beside them: a title
    # block or a byline above the columns crosses it and is read as a band of its own.
    woven = sum(
        1 for line in narrow
        if line.x0 < best < line.x1 and _beside(line, left) and _beside(line, right)
    )
    if min(len(left), len(right)) < 4 or woven > 0.15 * (len(left) + len(right)) + 1:
        return None
    return best


def _beside(line: Line, others: list[Line]) -> bool:
    return any(other.bottom > line.top and other.top < line.bottom for other in others)


def side_column(page: PageContent, lines: list[Line], body_size: float) -> list[Line]:
    """A narrow column of small print beside the text (affiliations, dates, a journal's notes).

    It stands in the outer third of the page, left of or right of a strip no other
    line reaches into over its height; it is read after the page's text, never woven
    line by line into it.
    """
    config = settings()["side_column"]
    width = page.width
    for side in ("right", "left"):
        if side == "right":
            candidates = [l for l in lines if l.x0 >= config["outer"] * width and l.width <= config["max_width"] * width]
        else:
            candidates = [l for l in lines if l.x1 <= (1 - config["outer"]) * width and l.width <= config["max_width"] * width]
        if len(candidates) < config["min_lines"]:
            continue
        sizes = sorted(l.size for l in candidates)
        if sizes[len(sizes) // 2] >= config["max_size"] * body_size:
            continue  # body-size text out there is a column of the text (a three-column page)
        edge = min(l.x0 for l in candidates) if side == "right" else max(l.x1 for l in candidates)
        top, bottom = min(l.top for l in candidates), max(l.bottom for l in candidates)
        taken = {id(l) for l in candidates}
        crossing = [
            l for l in lines
            if id(l) not in taken and l.bottom > top and l.top < bottom
            and (l.x1 > edge - 2 if side == "right" else l.x0 < edge + 2)
        ]
        if len(crossing) <= config["max_crossing"]:
            return candidates
    return []


def reading_order(page: PageContent, lines: list[Line], tables: list[PdfTable], body_size: float = 0.0) -> list[Placed]:
    side = side_column(page, lines, body_size) if body_size else []
    if side:
        taken = {id(l) for l in side}
        main = reading_order(page, [l for l in lines if id(l) not in taken], tables)
        left, right = min(l.x0 for l in side), max(l.x1 for l in side)
        return main + [Placed(line, page.number, "side", left, right) for line in join_same_baseline(side)]
    gutter = find_gutter(lines, page.width)
    if gutter is None:
        lines = join_same_baseline(lines)
    else:
        lines = join_same_baseline([l for l in lines if l.x1 <= gutter + 1]) + join_same_baseline(
            [l for l in lines if l.x0 >= gutter - 1]
        ) + [l for l in lines if l.x0 < gutter - 1 < gutter + 1 < l.x1]
    items: list[Line | PdfTable] = [*lines, *tables]
    if gutter is None:
        left, right = _extent(items)
        return [Placed(item, page.number, "single", left, right) for item in sorted(items, key=_top)]

    def column_of(item) -> str:
        if item.x1 <= gutter + 1:
            return "left"
        if item.x0 >= gutter - 1:
            return "right"
        return "full"

    columns = {item_id: column_of(item) for item_id, item in enumerate(items)}
    extents = {
        name: _extent([item for i, item in enumerate(items) if columns[i] == name])
        for name in ("left", "right", "full")
    }
    placed: list[Placed] = []
    band: dict[str, list] = {"left": [], "right": []}

    def flush() -> None:
        for name in ("left", "right"):
            for item in sorted(band[name], key=_top):
                placed.append(Placed(item, page.number, name, *extents[name]))
            band[name] = []

    for index in sorted(range(len(items)), key=lambda i: _top(items[i])):
        name = columns[index]
        if name == "full":
            flush()
            placed.append(Placed(items[index], page.number, "full", *extents["full"]))
        else:
            band[name].append(items[index])
    flush()
    return placed


def join_same_baseline(lines: list[Line]) -> list[Line]:
    """Pieces of one printed line that justification spread apart (a wide space) become one line again."""
    ordered = sorted(lines, key=lambda line: (line.baseline, line.x0))
    joined: list[Line] = []
    for line in ordered:
        last = joined[-1] if joined else None
        if last is not None and abs(line.baseline - last.baseline) < 0.3 * max(line.size, last.size) and line.x0 >= last.x1 - 1:
            joined[-1] = describe(last.glyphs + line.glyphs)
        else:
            joined.append(line)
    return joined


def _top(item) -> float:
    """Lines by baseline (their boxes differ with the letters in them), tables by their caption's."""
    return item.baseline if isinstance(item, Line) else item.lines[0].baseline


def _extent(items) -> tuple[float, float]:
    lines = [item for item in items if isinstance(item, Line)]
    if not lines:
        return (0.0, 0.0)
    size = Counter(round(line.size) for line in lines).most_common(1)[0][0]
    body = [line for line in lines if round(line.size) == size] or lines
    return min(line.x0 for line in body), max(line.x1 for line in body)
