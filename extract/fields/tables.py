"""Reading tables: a row whose references cell holds a citation is a study.

Each column's field comes from its header (models/lexicons/table_columns.json);
categorical cells go through the same rules as prose, so "Allo vs. auto" is
read exactly as it would be in a sentence. Blank cells of the first column
inherit the value above them, as merged cells do on the printed page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from spacy.language import Language

from extract.fields.evidence import Evidence, ExtractedValue, TableStudyRow
from extract.ingest.document import Document, Table, TableCell
from extract.nlp.field_matcher import SPAN_KEY
from extract.nlp.text import text_for_nlp
from extract.normalize.citations import find_citation_groups
from extract.paths import load_lexicon

# Fields whose cell text is the value as written.
VERBATIM_FIELDS = {"disease", "effect"}
CellReader = Callable[[str, str], list[tuple[str, str]]]


@cache
def _column_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((field, re.compile(pattern)) for field, pattern in load_lexicon("table_columns")["columns"])


def column_field(header: str) -> str | None:
    lowered = " ".join(header.lower().split())
    for field, pattern in _column_patterns():
        if pattern.search(lowered):
            return field
    return None


def read_table_rows(
    document: Document, nlp: Language, extra_readers: dict[str, CellReader] | None = None
) -> list[TableStudyRow]:
    rows: list[TableStudyRow] = []
    for table in document.tables:
        rows.extend(_rows_of(document, table, nlp, extra_readers or {}))
    return rows


def _rows_of(document: Document, table: Table, nlp: Language, extra_readers: dict[str, CellReader]):
    fields = [column_field(h) for h in table.header]
    if "references" not in fields:
        return
    reference_column = fields.index("references")
    matcher = nlp.get_pipe("msc_field_matcher")
    above: list[TableCell | None] = [None] * len(fields)
    for row in table.rows:
        cells: list[TableCell | None] = []
        for column, cell in enumerate(row.cells[: len(fields)]):
            if not cell.text and column == 0 and above[0] is not None:
                cell = above[0]
            cells.append(cell)
            if cell is not None and cell.text:
                above[column] = cell
        reference_cell = cells[reference_column] if reference_column < len(cells) else None
        groups = find_citation_groups(reference_cell.text) if reference_cell else []
        if not groups:
            continue
        numbers = [n for g in groups for n in g.numbers]
        values: list[ExtractedValue] = []
        for column, (field, cell) in enumerate(zip(fields, cells)):
            if field in (None, "references") or cell is None or not cell.text or cell.text.upper() == "N/A":
                continue
            for value, rule in _read_cell(field, cell.text, table.header[column], matcher, nlp, extra_readers):
                values.append(
                    ExtractedValue(
                        field=field,
                        value=value,
                        evidence=Evidence(
                            doc_id=document.doc_id,
                            text=document.text[cell.start : cell.end],
                            start=cell.start,
                            end=cell.end,
                            mention_start=cell.start,
                            mention_end=cell.end,
                            mention=cell.text,
                            rule=rule,
                            kind="table_cell",
                            section=f"Table {table.number}" if table.number else "table",
                            page=table.page if table.page is not None else document.page_at(cell.start),
                        ),
                    )
                )
        yield TableStudyRow(numbers=numbers, values=values)


def _read_cell(field: str, text: str, header: str, matcher, nlp: Language, extra_readers: dict[str, CellReader]):
    if field in extra_readers:
        return extra_readers[field](text, header)
    if field in VERBATIM_FIELDS:
        return [(text, f"table.{field}.verbatim")]
    doc = matcher(nlp.make_doc(text_for_nlp(text)))
    found: list[tuple[str, str]] = []
    for span in doc.spans[SPAN_KEY]:
        span_field, value = span.label_.split("=", 1)
        if span_field == field and value not in [v for v, _ in found]:
            found.append((value, f"table.{field}>{span.id_}"))
    return found
