"""Every read the workbench makes of the dataset, as SQL over `trials`, `studies` and the `reviewed_values` view.

The same view feeds the exports, so what the grid shows after a judgement is what
`msc-extract export` writes. Queries take parameters, never text pasted into SQL.

The grid reads a summary of the view kept in an in-memory database attached to the
connection (SUMMARY): one row per value with its current status, the fields on
which a trial's sources disagree, and the trials in reading order. It is built
when the workbench opens and brought up to date for the values a judgement
touches, so a page reads some thousand rows instead of recomputing the view over
every evidence sentence; the workbench holds the dataset file alone (DuckDB lets
one process write it), so no change escapes it.
"""

from __future__ import annotations

import math
from functools import cache

import duckdb

from extract.paths import load_lexicon
from extract.serve.models import (
    CellValue,
    Column,
    ComparisonRow,
    EvidenceRow,
    GridFilters,
    GridPage,
    GridRow,
    PaperInfo,
    Progress,
    SourceColumn,
    SourceValue,
    TrialComparison,
    ValueDetail,
)
from extract.dataset.exports import readable

# Papers by name, a review's studies by their first citation number (#9 before #10), as the exports order them.
TRIAL_ORDER = """split_part(trial_id, '#', 1),
    try_cast(split_part(split_part(trial_id, '#', 2), ',', 1) AS BIGINT) NULLS FIRST, trial_id"""

SUMMARY = "msc_workbench_summary"

_VALUE_COLUMNS = """value_id, field, any_value(value) AS value, any_value(review) AS review, max(confidence) AS confidence,
       any_value(doc_id) AS doc_id, any_value(study_key) AS study_key, any_value(origin) AS origin,
       min(coalesce(start, 0)) AS first_seen"""

# One row per value (a value's id names its paper, study, field and extracted value, so one trial).
_CELLS = f"SELECT trial_id, {_VALUE_COLUMNS} FROM reviewed_values {{where}} GROUP BY trial_id, field, value_id"

# A field on which a trial's sources disagree: two or more sources state it, with different sets of values.
_DISAGREEMENTS = f"""
SELECT trial_id, field FROM (
    SELECT trial_id, field, doc_id, study_key, list(DISTINCT value ORDER BY value) AS stated
    FROM {SUMMARY}.cells WHERE review <> 'rejected' {{where}}
    GROUP BY trial_id, field, doc_id, study_key
) GROUP BY trial_id, field HAVING count(*) > 1 AND count(DISTINCT stated) > 1
"""


@cache
def table_one() -> list[Column]:
    """The grid's columns: the Table 1 map the exports use (models/lexicons/review_tables.json)."""
    return [Column(**column) for column in load_lexicon("review_tables")["table_one"]]


def _cell_value(row: dict) -> CellValue:
    return CellValue(
        value_id=row["value_id"], field=row["field"], value=row["value"], shown=readable(row["field"], row["value"]),
        review=row["review"], confidence=row["confidence"], doc_id=row["doc_id"], study_key=row["study_key"],
        origin=row["origin"],
    )


def _records(cursor: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    result = cursor.execute(sql, params or [])
    names = [column[0] for column in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


# ---------------------------------------------------------------- the summary the grid reads


def build_summary(cursor: duckdb.DuckDBPyConnection) -> None:
    """Attach the in-memory summary (once per connection) and fill it from the dataset."""
    attached = {row[0] for row in cursor.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
    if SUMMARY not in attached:
        cursor.execute(f"ATTACH ':memory:' AS {SUMMARY}")
    cursor.execute(f"CREATE OR REPLACE TABLE {SUMMARY}.cells AS {_CELLS.format(where='')}")
    cursor.execute(f"CREATE OR REPLACE TABLE {SUMMARY}.disagreements AS {_DISAGREEMENTS.format(where='')}")
    cursor.execute(
        f"""CREATE OR REPLACE TABLE {SUMMARY}.trials AS
            SELECT row_number() OVER (ORDER BY {TRIAL_ORDER}) AS position, trial_id, first_author AS author, year, title,
                   papers, sources
            FROM trials"""
    )


def refresh_summary(cursor: duckdb.DuckDBPyConnection, value_ids: list[str]) -> None:
    """Bring the summary up to date after judgements of `value_ids` (trials never change with a judgement)."""
    cursor.begin()
    try:
        trial_ids = [row[0] for row in cursor.execute(
            f"""SELECT DISTINCT trial_id FROM {SUMMARY}.cells WHERE list_contains($1, value_id)
                UNION SELECT DISTINCT trial_id FROM reviewed_values WHERE list_contains($1, value_id)""",
            [value_ids],
        ).fetchall()]
        cursor.execute(f"DELETE FROM {SUMMARY}.cells WHERE list_contains(?, value_id)", [value_ids])
        cursor.execute(f"INSERT INTO {SUMMARY}.cells {_CELLS.format(where='WHERE list_contains(?, value_id)')}", [value_ids])
        cursor.execute(f"DELETE FROM {SUMMARY}.disagreements WHERE list_contains(?, trial_id)", [trial_ids])
        cursor.execute(
            f"INSERT INTO {SUMMARY}.disagreements {_DISAGREEMENTS.format(where='AND list_contains(?, trial_id)')}", [trial_ids]
        )
    except BaseException:
        cursor.rollback()
        raise
    cursor.commit()


# ---------------------------------------------------------------- the grid


def grid_page(cursor: duckdb.DuckDBPyConnection, filters: GridFilters, page_size: int) -> GridPage:
    """One page of trials passing the filters, each with its Table 1 cells and disagreeing fields."""
    conditions, params = _trial_conditions(filters)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    total = cursor.execute(f"SELECT count(*) FROM {SUMMARY}.trials {where}", params).fetchone()[0]
    pages = max(1, math.ceil(total / page_size))
    page = min(filters.page, pages)
    trials = _records(
        cursor,
        f"""SELECT trial_id, author, year, title, papers, sources FROM {SUMMARY}.trials {where}
            ORDER BY position LIMIT ? OFFSET ?""",
        [*params, page_size, (page - 1) * page_size],
    )
    rows = [GridRow(**trial) for trial in trials]
    ids = [row.trial_id for row in rows]
    if ids:
        by_trial = {row.trial_id: row for row in rows}
        for value in _records(
            cursor,
            f"""SELECT * FROM {SUMMARY}.cells WHERE list_contains(?, trial_id)
                ORDER BY trial_id, field, first_seen, value, doc_id""",
            [ids],
        ):
            by_trial[value["trial_id"]].cells.setdefault(value["field"], []).append(_cell_value(value))
        for trial_id, field in cursor.execute(
            f"SELECT trial_id, field FROM {SUMMARY}.disagreements WHERE list_contains(?, trial_id) ORDER BY field", [ids]
        ).fetchall():
            by_trial[trial_id].disagreements.append(field)
    return GridPage(rows=rows, columns=table_one(), total=total, page=page, pages=pages, filters=filters)


def _trial_conditions(filters: GridFilters) -> tuple[list[str], list]:
    """SQL conditions on `trials` for the filters, with their parameters in order."""
    conditions: list[str] = []
    params: list = []
    if filters.doc:  # the paper's studies, with or without values
        conditions.append("trial_id IN (SELECT trial_id FROM studies WHERE doc_id = ?)")
        params.append(filters.doc)
    if filters.field or filters.status:
        conditions.append(
            f"""trial_id IN (SELECT trial_id FROM {SUMMARY}.cells
                            WHERE (?::VARCHAR IS NULL OR field = ?) AND (?::VARCHAR IS NULL OR review = ?)
                              AND (?::VARCHAR IS NULL OR doc_id = ?))"""
        )
        params += [filters.field, filters.field, filters.status, filters.status, filters.doc, filters.doc]
    if filters.disagreement:
        conditions.append(
            f"trial_id IN (SELECT trial_id FROM {SUMMARY}.disagreements WHERE ?::VARCHAR IS NULL OR field = ?)"
        )
        params += [filters.field, filters.field]
    return conditions, params


def progress(cursor: duckdb.DuckDBPyConnection) -> Progress:
    """Values judged (confirmed, corrected, rejected or added) of all values."""
    judged, total = cursor.execute(
        f"SELECT count(*) FILTER (WHERE review <> 'unreviewed'), count(*) FROM {SUMMARY}.cells"
    ).fetchone()
    return Progress(judged=judged, total=total)


def fields_present(cursor: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in cursor.execute(f"SELECT DISTINCT field FROM {SUMMARY}.cells ORDER BY field").fetchall()]


def papers(cursor: duckdb.DuckDBPyConnection, limit: int) -> list[PaperInfo]:
    """The first `limit` papers by id (offered as choices; any id can be typed)."""
    return [
        PaperInfo(**row)
        for row in _records(
            cursor, "SELECT doc_id, path, content_hash, format, kind, title, status FROM documents ORDER BY doc_id LIMIT ?", [limit]
        )
    ]


def paper(cursor: duckdb.DuckDBPyConnection, doc_id: str) -> PaperInfo | None:
    rows = _records(
        cursor, "SELECT doc_id, path, content_hash, format, kind, title, status FROM documents WHERE doc_id = ?", [doc_id]
    )
    return PaperInfo(**rows[0]) if rows else None


def study_keys(cursor: duckdb.DuckDBPyConnection, doc_id: str) -> list[str]:
    return [row[0] for row in cursor.execute(
        "SELECT study_key FROM studies WHERE doc_id = ? ORDER BY try_cast(split_part(study_key, ',', 1) AS BIGINT) NULLS FIRST, study_key",
        [doc_id],
    ).fetchall()]


# ---------------------------------------------------------------- one value


def value_detail(cursor: duckdb.DuckDBPyConnection, value_id: str) -> ValueDetail | None:
    """A value with every sentence that states it, best first."""
    rows = _records(
        cursor,
        """SELECT * FROM reviewed_values WHERE value_id = ?
           ORDER BY evidence_rank NULLS LAST, start NULLS LAST""",
        [value_id],
    )
    if not rows:
        return None
    first = rows[0]
    confidences = [row["confidence"] for row in rows if row["confidence"] is not None]
    return ValueDetail(
        value_id=first["value_id"], trial_id=first["trial_id"], doc_id=first["doc_id"], study_key=first["study_key"],
        field=first["field"], value=first["value"], shown=readable(first["field"], first["value"]),
        extracted_value=first["extracted_value"], review=first["review"], origin=first["origin"], note=first["note"],
        confidence=max(confidences) if confidences else None,
        evidence=[EvidenceRow(**{key: row[key] for key in EvidenceRow.model_fields}) for row in rows if row["evidence"]],
    )


def neighbours(cursor: duckdb.DuckDBPyConnection, value: ValueDetail) -> dict[str, str | None]:
    """The previous and next value of the same trial (in grid order), and the next unreviewed value after this trial's."""
    ordered = [
        row[0]
        for row in cursor.execute(
            f"SELECT value_id FROM {SUMMARY}.cells WHERE trial_id = ? ORDER BY field, first_seen, value_id", [value.trial_id]
        ).fetchall()
    ]
    at = ordered.index(value.value_id) if value.value_id in ordered else -1
    unreviewed = cursor.execute(
        f"""SELECT c.value_id FROM {SUMMARY}.cells c JOIN {SUMMARY}.trials t USING (trial_id)
            WHERE c.review = 'unreviewed' AND c.value_id <> ?
            ORDER BY (c.trial_id = ?) DESC, t.position, c.field, c.first_seen, c.value_id LIMIT 1""",
        [value.value_id, value.trial_id],
    ).fetchone()
    return {
        "previous": ordered[at - 1] if at > 0 else None,
        "next": ordered[at + 1] if 0 <= at < len(ordered) - 1 else None,
        "next_unreviewed": unreviewed[0] if unreviewed else None,
    }


def evidence_spans(cursor: duckdb.DuckDBPyConnection, doc_id: str) -> list[tuple[int, int]]:
    """Where the paper's current values are stated: the sentences and cells a reviewer may want to see marked."""
    return [
        (start, end)
        for start, end in cursor.execute(
            """SELECT DISTINCT start, "end" FROM reviewed_values
               WHERE doc_id = ? AND start IS NOT NULL AND review <> 'rejected' ORDER BY start""",
            [doc_id],
        ).fetchall()
    ]


# ---------------------------------------------------------------- a trial's sources side by side


def trial_comparison(cursor: duckdb.DuckDBPyConnection, trial_id: str) -> TrialComparison | None:
    trials = _records(
        cursor, "SELECT trial_id, first_author AS author, year, title, papers, sources FROM trials WHERE trial_id = ?",
        [trial_id],
    )
    if not trials:
        return None
    trial = GridRow(**trials[0])
    sources = [
        SourceColumn(doc_id=row["doc_id"], study_key=row["study_key"],
                     label=row["doc_id"] + (f" [{row['study_key']}]" if row["study_key"] else ""), title=row["title"])
        for row in _records(
            cursor,
            """SELECT s.doc_id, s.study_key, d.title FROM studies s LEFT JOIN documents d USING (doc_id)
               WHERE s.trial_id = ? ORDER BY s.doc_id, s.study_key""",
            [trial_id],
        )
    ]
    index = {(source.doc_id, source.study_key): i for i, source in enumerate(sources)}
    disagreeing = {row[0] for row in cursor.execute(f"SELECT field FROM {SUMMARY}.disagreements WHERE trial_id = ?", [trial_id]).fetchall()}
    values = _records(
        cursor,
        f"""SELECT {_VALUE_COLUMNS},
                   arg_min(evidence, (coalesce(evidence_rank, 1000000), coalesce(start, 0))) AS evidence,
                   arg_min(mention, (coalesce(evidence_rank, 1000000), coalesce(start, 0))) AS mention,
                   arg_min(section, (coalesce(evidence_rank, 1000000), coalesce(start, 0))) AS section,
                   arg_min(page, (coalesce(evidence_rank, 1000000), coalesce(start, 0))) AS page
            FROM reviewed_values WHERE trial_id = ? GROUP BY field, value_id ORDER BY field, first_seen, value""",
        [trial_id],
    )
    order = [column.field for column in table_one()]
    fields = sorted({v["field"] for v in values}, key=lambda f: (f not in disagreeing, order.index(f) if f in order else len(order), f))
    rows = []
    for field in fields:
        cells: list[list[SourceValue]] = [[] for _ in sources]
        for value in (v for v in values if v["field"] == field):
            at = index.get((value["doc_id"], value["study_key"]))
            if at is None:  # a value a reviewer added to a study this trial no longer lists
                continue
            best = EvidenceRow(evidence=value["evidence"], mention=value["mention"], section=value["section"], page=value["page"])
            cells[at].append(SourceValue(value=_cell_value(value), best=best if value["evidence"] else None))
        rows.append(ComparisonRow(field=field, disagreement=field in disagreeing, cells=cells))
    return TrialComparison(trial=trial, sources=sources, rows=rows)
