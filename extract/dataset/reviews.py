"""Reviewer judgements: a value confirmed, corrected, rejected, or added by hand.

A judgement names its value by ``value_id`` (a hash of doc_id, study_key,
field and value), never by a row of one extraction, so it re-attaches when the
paper is read again. Judgements are appended, never edited: the latest one for
a value is the one that counts and the rest are its history. Structured values
a reviewer types are checked with the same parsers that read gold files, so a
typo is refused with the reason instead of becoming a silent miss.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import get_args

import duckdb
import pandas as pd
from pydantic import BaseModel, ValidationError
from rapidfuzz import fuzz, process

from extract.dataset.database import _now, frame, one, refresh_analyses, transaction, value_id
from extract.dataset.records import Correction, ReviewAction
from extract.fields.evidence import FieldName
from extract.normalize.common import split_pairs
from extract.normalize.dose import parse_serialised_dose
from extract.normalize.results import parse_serialised_result, parse_serialised_sample_size
from extract.paths import load_lexicon, patterns_dir
from extract.store.spreadsheet import unescape_cell, unescape_id

FIELDS = set(get_args(FieldName))


def _parse_n_administrations(text: str) -> int:
    number = int(text)
    if number < 1:
        raise ValueError("the number of administrations is at least 1")
    return number


def _parse_percent_only(text: str) -> float:
    result = parse_serialised_result(text)
    if result.percent is None or result.positive is not None or result.total is not None:
        raise ValueError("presensitized is percent=N")
    return result.percent


def _parse_follow_up(text: str) -> dict[str, float]:
    pairs = split_pairs(text)
    if set(pairs) - {"months", "low", "high"} or not pairs:
        raise ValueError("follow_up is months=N or low=N;high=N")
    return {key: float(number) for key, number in pairs.items()}


# The structured fields' parsers; categorical fields take any non-empty text.
STRUCTURED: dict[str, Callable[[str], object]] = {
    "dose": parse_serialised_dose,
    "alloantibody_result": parse_serialised_result,
    "sample_size": parse_serialised_sample_size,
    "presensitized": _parse_percent_only,
    "follow_up": _parse_follow_up,
    "n_administrations": _parse_n_administrations,
}


class ReviewError(ValueError):
    """A judgement that cannot be recorded; the message says which value and why."""


def check_value(field: str, value: str) -> None:
    if field not in FIELDS:
        raise ReviewError(f"unknown field {field!r} (FIELD_GUIDE fields: {', '.join(sorted(FIELDS))})")
    if not value or not value.strip():
        raise ReviewError(f"empty {field} value")
    parser = STRUCTURED.get(field)
    if parser is not None:
        try:
            parsed = parser(value)
        except (ValueError, ValidationError) as error:
            raise ReviewError(f"{field} value {value!r} does not parse: {error}") from error
        problem = _implausible(parsed)
        if problem:
            raise ReviewError(f"{field} value {value!r}: {problem}")
    _check_vocabulary(field, value)


def _implausible(parsed: object) -> str | None:
    """What no paper can state: a number that is not finite or is negative, more positives than tested, over 100%."""
    if isinstance(parsed, BaseModel):
        numbers = parsed.model_dump()
    elif isinstance(parsed, dict):
        numbers = parsed
    else:  # presensitized reads as its percent, n_administrations as its count
        numbers = {"percent" if isinstance(parsed, float) else "value": parsed}
    for key, number in numbers.items():
        if isinstance(number, (int, float)) and not isinstance(number, bool):
            if not math.isfinite(number):
                return f"{key} is not a finite number"
            if number < 0:
                return f"{key} is negative"
    if numbers.get("percent") is not None and numbers["percent"] > 100:
        return "percent is over 100"
    if numbers.get("positive") is not None and numbers.get("total") is not None and numbers["positive"] > numbers["total"]:
        return f"positive ({numbers['positive']}) is more than total ({numbers['total']})"
    if numbers.get("low") is not None and numbers.get("high") is not None and numbers["low"] > numbers["high"]:
        return "low is above high"
    return None


@cache
def field_vocabulary(field: str) -> frozenset[str]:
    """The normalised values the rules in models/patterns/<field>.jsonl give; empty for fields without rules."""
    path = patterns_dir() / f"{field}.jsonl"
    if not path.is_file():
        return frozenset()
    with path.open(encoding="utf-8") as handle:
        return frozenset(json.loads(line)["value"] for line in handle if line.strip())


def _check_vocabulary(field: str, value: str) -> None:
    vocabulary = field_vocabulary(field)
    if not vocabulary or value in vocabulary:
        return
    policy = load_lexicon("review_values")
    exact = policy["exact_forms"].get(field)
    if exact is not None and re.fullmatch(exact, value):
        return
    closest, score, _ = process.extractOne(value, sorted(vocabulary), scorer=fuzz.ratio)
    if score >= policy["near_miss"]:
        raise ReviewError(f"{field} value {value!r} is not in the vocabulary; did you mean {closest!r}?")
    form = policy["open_forms"].get(field)
    if form is None or not re.fullmatch(form, value):
        listed = ", ".join(sorted(vocabulary))
        raise ReviewError(f"{field} value {value!r} is not one of: {listed}")


class ValueRef(BaseModel):
    """A value as the dataset knows it, for attaching a judgement."""

    value_id: str
    doc_id: str
    study_key: str
    field: str
    value: str
    evidence: str | None


def find_value(con: duckdb.DuckDBPyConnection, wanted: str) -> ValueRef:
    """A value by its id, among current values and values a reviewer already holds."""
    row = one(
        con,
        """SELECT value_id, doc_id, study_key, field, extracted_value, evidence FROM reviewed_values
           WHERE value_id = ? AND origin = 'pipeline'
           UNION ALL
           SELECT value_id, doc_id, study_key, field, value, evidence FROM corrections WHERE value_id = ?
           LIMIT 1""",
        [wanted, wanted],
    )
    if row is None:
        raise ReviewError(f"no value with id {wanted!r} (ids are in the values export and `msc-extract review list`)")
    return ValueRef(**dict(zip(ValueRef.model_fields, row)))


def judgement(
    con: duckdb.DuckDBPyConnection,
    wanted: str,
    action: ReviewAction,
    corrected_value: str | None = None,
    note: str = "",
    reviewer: str = "",
) -> Correction:
    """A Correction of an existing value, checked; not yet recorded."""
    ref = find_value(con, wanted)
    if action is ReviewAction.corrected:
        if corrected_value is None or corrected_value == ref.value:
            raise ReviewError(f"{wanted}: a correction needs a new value different from {ref.value!r}")
        check_value(ref.field, corrected_value)
    elif action is ReviewAction.added:
        raise ReviewError("use add_value for a value the pipeline did not find")
    return Correction(
        value_id=ref.value_id,
        doc_id=ref.doc_id,
        study_key=ref.study_key,
        field=ref.field,
        value=ref.value,
        action=action,
        corrected_value=corrected_value if action is ReviewAction.corrected else None,
        evidence=ref.evidence,
        note=note,
        reviewer=reviewer,
    )


def check_document(con: duckdb.DuckDBPyConnection, doc_id: str) -> None:
    """A value can only be added to a paper the dataset holds (its id also names a file of the gold export)."""
    if one(con, "SELECT 1 FROM documents WHERE doc_id = ?", [doc_id]) is None:
        raise ReviewError(f"no paper {doc_id!r} in the dataset (paper ids are in `msc-extract review list` and the values export)")


def added_value(
    doc_id: str, study_key: str, field: str, value: str, evidence: str, note: str = "", reviewer: str = "",
    con: duckdb.DuckDBPyConnection | None = None,
) -> Correction:
    """A value the pipeline missed, checked (against the papers `con`'s dataset holds, when given); not yet recorded."""
    if con is not None:
        check_document(con, doc_id)
    check_value(field, value)
    if not evidence.strip():
        raise ReviewError("an added value needs its evidence: the sentence or cell that states it")
    return Correction(
        value_id=value_id(doc_id, study_key, field, value),
        doc_id=doc_id,
        study_key=study_key,
        field=field,
        value=value,
        action=ReviewAction.added,
        evidence=evidence,
        note=note,
        reviewer=reviewer,
    )


def record(con: duckdb.DuckDBPyConnection, corrections: list[Correction]) -> int:
    """Append judgements and recompute what depends on them, in one transaction; returns how many."""
    if not corrections:
        return 0
    with transaction(con):
        next_id = one(con, "SELECT coalesce(max(correction_id), 0) + 1 FROM corrections")[0]
        created = _now()
        rows = pd.DataFrame(
            [
                {"correction_id": next_id + i, "created": created, **c.model_dump(mode="json")}
                for i, c in enumerate(corrections)
            ]
        )
        con.register("incoming_corrections", rows)
        try:
            con.execute("INSERT INTO corrections BY NAME SELECT * FROM incoming_corrections")
        finally:
            con.unregister("incoming_corrections")
        # Trials follow from studies alone, which no judgement changes; the analyses count reviewed values.
        refresh_analyses(con)
    return len(corrections)


# ---------------------------------------------------------------- an edited CSV


IMPORT_COLUMNS = ("value_id", "review", "value", "extracted_value", "note")


class ImportProblem(BaseModel):
    line: int
    message: str


def import_csv(con: duckdb.DuckDBPyConnection, path: Path, reviewer: str = "") -> tuple[int, list[ImportProblem]]:
    """Judgements from a values export the reviewer edited; returns (recorded, problems).

    Per row: ``review`` is confirmed, corrected, rejected or added (blank or
    ``unreviewed`` leaves the value alone); a corrected row's ``value`` column
    holds the right value; an ``added`` row gives doc_id, study_key, field,
    value and evidence and no value_id. Rows that say what the dataset already
    says are skipped, so importing a file twice records nothing new. A bad row
    is reported with its line and the rest are imported.
    """
    try:
        rows = [
            {column: _cell(column, cell) for column, cell in row.items() if column is not None}
            for row in csv.DictReader(io.StringIO(_csv_text(path.read_bytes()), newline=""))
        ]
    except (OSError, csv.Error) as error:
        raise ReviewError(f"{path}: cannot read ({error})") from error
    if rows and "review" not in rows[0]:
        raise ReviewError(f"{path}: no 'review' column (start from the values export of `msc-extract export`)")
    state = frame(con, "SELECT value_id, review, value, note FROM reviewed_values")
    current = {r.value_id: (r.review, r.value, r.note or "") for r in state.itertuples(index=False)}
    corrections: list[Correction] = []
    problems: list[ImportProblem] = []
    for line, row in enumerate(rows, start=2):
        try:
            correction = _row_correction(con, row, current, reviewer)
        except (ReviewError, ValidationError) as error:
            problems.append(ImportProblem(line=line, message=f"{path}:{line}: {error}"))
            continue
        if correction is not None:
            corrections.append(correction)
            current[correction.value_id] = (correction.action.value, correction.corrected_value or correction.value, correction.note)
    return record(con, corrections), problems


def _csv_text(data: bytes) -> str:
    """UTF-8 as exported; a file Excel saved again is often Windows-1252 instead, which is read as such."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cell(column: str, cell: str | list | None) -> str:
    if not isinstance(cell, str):  # a row longer than the header: the extra cells have no column
        return ""
    return unescape_id(cell) if column == "value_id" else str(unescape_cell(cell))


def _row_correction(con, row: dict[str, str], current: dict, reviewer: str) -> Correction | None:
    action_text = (row.get("review") or "").strip().lower()
    note = (row.get("note") or "").strip()
    if action_text in ("", "unreviewed"):
        return None
    try:
        action = ReviewAction(action_text)
    except ValueError as error:
        raise ReviewError(f"review {action_text!r} is not one of confirmed, corrected, rejected, added") from error
    if action is ReviewAction.added:
        wanted = value_id(row.get("doc_id", ""), row.get("study_key", ""), row.get("field", ""), row.get("value", ""))
        if current.get(wanted, (None,))[0] == "added":
            return None
        return added_value(
            (row.get("doc_id") or "").strip(),
            (row.get("study_key") or "").strip(),
            (row.get("field") or "").strip(),
            (row.get("value") or "").strip(),
            row.get("evidence") or "",
            note,
            reviewer,
            con,
        )
    wanted = (row.get("value_id") or "").strip()
    if not wanted:
        raise ReviewError("no value_id")
    corrected = (row.get("value") or "").strip() if action is ReviewAction.corrected else None
    status = current.get(wanted)
    if status is not None and status[0] == action.value and (corrected is None or corrected == status[1]) and note == status[2]:
        return None
    return judgement(con, wanted, action, corrected, note, reviewer)


# ---------------------------------------------------------------- gold rows


GOLD_COLUMNS = ["doc_id", "study_key", "field", "value", "evidence"]


def gold_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Reviewed values in the gold long form: confirmed, corrected and added values, one per value."""
    return frame(
        con,
        """SELECT doc_id, study_key, field, value, arg_min(evidence, coalesce(start, 0)) AS evidence
           FROM reviewed_values WHERE review IN ('confirmed', 'corrected', 'added')
           GROUP BY doc_id, study_key, field, value ORDER BY doc_id, study_key, field, value""",
    )[GOLD_COLUMNS].assign(evidence=lambda f: f["evidence"].map(fold_whitespace))


def fold_whitespace(text: object) -> str:
    """Evidence as gold files quote it: runs of whitespace folded to one space."""
    return " ".join(str(text).split()) if isinstance(text, str) else ""
