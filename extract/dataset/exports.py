"""The dataset as files a reviewer opens: CSV, one Excel workbook, Parquet, and gold rows.

Three tables: ``studies`` (one row per trial, the columns of a review's
Table 1), ``values`` (one row per value and evidence sentence, with its
review status and the id a judgement uses) and ``analyses`` (patients with
alloantibodies by route, source, assay and dose band). Rejected values stay in
``values`` with their status and are left out of ``studies`` and
``analyses``. ``gold/`` holds the reviewed values in the gold long form, one
CSV per paper, ready for ``msc-extract score --gold``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from extract.dataset.analyses import ANALYSIS_COLUMNS
from extract.dataset.database import frame
from extract.dataset.reviews import fold_whitespace, gold_rows
from extract.normalize.dose import parse_serialised_dose
from extract.normalize.numbers import format_number
from extract.normalize.results import parse_serialised_result, parse_serialised_sample_size
from extract.paths import load_lexicon
from extract.store.spreadsheet import escape_frame

FORMATS = ("csv", "xlsx", "parquet", "gold")
TRIAL_COLUMNS = ["trial_id", "author", "year", "title", "doi", "papers", "sources"]
VALUE_COLUMNS = [
    "value_id", "trial_id", "doc_id", "study_key", "field", "value", "extracted_value", "review", "origin", "note",
    "evidence", "start", "end", "mention", "page", "section", "rule",
]
# Several values of one field in one Table 1 cell.
CELL_SEPARATOR = " | "


# ---------------------------------------------------------------- how a value reads in Table 1


def readable_dose(text: str) -> str:
    dose = parse_serialised_dose(text)
    amount = (
        f"{format_number(dose.low)}-{format_number(dose.high)}"
        if dose.low is not None and dose.high is not None
        else format_number(dose.value) if dose.value is not None else "?"
    )
    unit = "x10^6" if dose.unit == "1e6 cells" else dose.unit
    per = "" if dose.per in (None, "total") else f"/{dose.per}"
    arm = f" ({dose.arm})" if dose.arm else ""
    return f"{amount} {unit}{per}{arm}"


def readable_result(text: str) -> str:
    result = parse_serialised_result(text)
    percent = f"{format_number(result.percent)}%" if result.percent is not None else None
    if result.positive is not None and result.total is not None:
        return f"{result.positive}/{result.total}" + (f" ({percent})" if percent else "")
    if result.positive is not None:
        return f"{result.positive} patients"
    return percent or text


def readable_sample_size(text: str) -> str:
    size = parse_serialised_sample_size(text)
    parts = [f"{size.total}" if size.total is not None else None]
    parts += [f"{size.treated} treated" if size.treated is not None else None]
    parts += [f"{size.control} control" if size.control is not None else None]
    return ", ".join(p for p in parts if p)


READABLE = {"dose": readable_dose, "alloantibody_result": readable_result, "sample_size": readable_sample_size}


def readable(field: str, value: str) -> str:
    reader = READABLE.get(field)
    if reader is None:
        return value
    try:
        return reader(value)
    except ValueError:
        return value  # shown as stored, so a reviewer can see and fix it


# ---------------------------------------------------------------- tables


def values_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    table = frame(con, "SELECT * FROM reviewed_values ORDER BY trial_id, doc_id, study_key, field, value, start")
    table["evidence"] = table["evidence"].map(fold_whitespace)
    return table[VALUE_COLUMNS]


def studies_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per trial with the columns of a review's Table 1 (review_tables.json)."""
    trials = frame(
        con,
        """SELECT trial_id, first_author AS author, year, title, doi, papers, sources FROM trials ORDER BY trial_id""",
    )
    values = frame(
        con,
        """SELECT trial_id, field, value, min(coalesce(start, 0)) AS first_seen FROM reviewed_values
           WHERE review <> 'rejected' GROUP BY trial_id, field, value ORDER BY trial_id, field, first_seen, value""",
    )
    cells: dict[tuple[str, str], list[str]] = {}
    for trial, field, value in values[["trial_id", "field", "value"]].itertuples(index=False):
        shown = readable(field, value)
        cell = cells.setdefault((trial, field), [])
        if shown not in cell:
            cell.append(shown)
    for column in load_lexicon("review_tables")["table_one"]:
        trials[column["column"]] = [
            CELL_SEPARATOR.join(cells.get((trial, column["field"]), [])) for trial in trials["trial_id"]
        ]
    order = sorted(range(len(trials)), key=lambda i: reading_order(trials["trial_id"].iloc[i]))
    return trials.iloc[order].reset_index(drop=True)


def reading_order(trial_id: str) -> tuple:
    """Papers by name, a review's studies by citation number (#9 before #10)."""
    paper, _, key = trial_id.partition("#")
    return paper, [(0, int(n), "") if n.isdigit() else (1, 0, n) for n in key.split(",") if n]


def analyses_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return frame(con, 'SELECT * FROM analyses')[ANALYSIS_COLUMNS]


# ---------------------------------------------------------------- files


def write_excel(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table; text is always text (an evidence sentence starting '=' is no formula)."""
    workbook = Workbook(write_only=True)
    for name, table in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.freeze_panes = "A2"
        sheet.append(list(table.columns))
        for row in table.itertuples(index=False):
            sheet.append([_excel_cell(sheet, value) for value in row])
    workbook.save(path)


def _excel_cell(sheet, value):
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    return value.item() if hasattr(value, "item") else value


def gold_file_name(doc_id: str) -> str:
    """`DOC_ID.csv`, with any character that could lead outside the folder (`/`, `\\`, a leading `.`) percent-encoded."""
    name = quote(doc_id, safe="") if set(doc_id) & {"/", "\\", "\0", "%"} or doc_id.startswith(".") or not doc_id else doc_id
    if name.startswith("."):
        name = "%2E" + name[1:]
    return f"{name}.csv"


def write_gold(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for doc_id, rows in gold_rows(con).groupby("doc_id", sort=True):
        path = folder / gold_file_name(str(doc_id))
        if path.resolve().parent != folder.resolve():  # never reached with the name above; a doc id is untrusted input
            raise ValueError(f"refusing to write the gold rows of {doc_id!r} outside {folder}")
        rows.to_csv(path, index=False)
        written.append(path)
    return written


def export(con: duckdb.DuckDBPyConnection, out: Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Write the chosen formats into OUT; returns the files written."""
    formats = list(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown export format(s) {sorted(unknown)}; choose from {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    tables = {"studies": studies_table(con), "values": values_table(con), "analyses": analyses_table(con)}
    written: list[Path] = []
    if "csv" in formats:
        for name, table in tables.items():
            escape_frame(table).to_csv(out / f"{name}.csv", index=False)
            written.append(out / f"{name}.csv")
    if "xlsx" in formats:
        write_excel(tables, out / "dataset.xlsx")
        written.append(out / "dataset.xlsx")
    if "parquet" in formats:
        for name, table in tables.items():
            table.to_parquet(out / f"{name}.parquet", index=False)
            written.append(out / f"{name}.parquet")
    if "gold" in formats:
        written.extend(write_gold(con, out / "gold"))
    return written
