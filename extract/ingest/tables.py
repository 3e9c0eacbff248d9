"""Tab-separated tables: cells with offsets, continued tables joined, shifted rows realigned."""

from __future__ import annotations

import re

from extract.ingest.document import Table, TableCell, TableRow
from extract.ingest.latex import render_latex
from extract.normalize.citations import find_citation_groups

# `\s*(\(continued\))?\s*` would try every split of a run of spaces between its two halves.
TABLE_CAPTION = re.compile(r"^\s*Table\s+(\d+[A-Za-z]?)\b\s*(?:(\(continued\))\s*)?(.*)$", re.IGNORECASE)


def cells_of_line(line: str, line_start: int) -> list[TableCell]:
    cells = []
    position = 0
    for raw in line.split("\t"):
        leading = len(raw) - len(raw.lstrip())
        start = line_start + position + leading
        text = raw.strip()
        cells.append(TableCell(text=render_latex(text), start=start, end=start + len(text)))
        position += len(raw) + 1
    return cells


def realign_row(cells: list[TableCell], width: int) -> TableRow:
    """Put a row whose cells slid one column left back under its header.

    Exports that drop an empty merged first cell leave the row one cell short
    at the front and one empty cell long at the back; the citation then sits
    one column before the references column.
    """
    if (
        len(cells) == width
        and not cells[-1].text
        and cells[0].text
        and find_citation_groups(cells[-2].text)
        and not find_citation_groups(cells[-1].text)
    ):
        empty = TableCell(text="", start=cells[0].start, end=cells[0].start)
        return TableRow(cells=[empty, *cells[:-1]], realigned=True)
    padded = cells + [TableCell(text="", start=cells[-1].end, end=cells[-1].end)] * (width - len(cells))
    return TableRow(cells=padded[:width] if len(padded) > width else padded)


def merge_continued(tables: list[Table]) -> list[Table]:
    """One table per number: a "Table 1 (continued)" block adds its rows to Table 1."""
    merged: list[Table] = []
    by_number: dict[str, Table] = {}
    for table in tables:
        first = by_number.get(table.number or "")
        if table.continued and first is not None:
            first.rows.extend(table.rows)
            first.end = max(first.end, table.end)
            continue
        merged.append(table)
        if table.number:
            by_number[table.number] = table
    return merged
