"""The output folder of a run: values.csv (the long table), studies.jsonl, summary.json.

The three files are rendered in one pass over the results, in input order, each
written to a temporary file and renamed into place: a reader never sees half a
table, and a batch killed while rendering leaves the previous files whole. What
a batch extracted as it went is in the journal (extract/store/journal.py), from
which these files are rendered again at will.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pandas as pd
from pydantic import BaseModel, Field

from extract import __version__
from extract.fields.evidence import EvidenceKind, ExtractedValue
from extract.link.records import DocumentError, DocumentResult, Study
from extract.store.spreadsheet import escape_cell


class ValueRow(BaseModel):
    """One row of the long table (values.csv)."""

    doc_id: str
    study_key: str
    field: str
    value: str
    evidence: str
    start: int
    end: int
    mention: str
    page: int | None = None
    section: str | None = None
    rule: str
    evidence_kind: EvidenceKind = "sentence"
    confidence: float | None = None
    evidence_rank: int | None = None

    @classmethod
    def from_value(cls, study: Study, value: ExtractedValue) -> "ValueRow":
        ev = value.evidence
        return cls(
            doc_id=study.doc_id,
            study_key=study.study_key,
            field=value.field,
            value=value.value,
            evidence=ev.text,
            start=ev.start,
            end=ev.end,
            mention=ev.mention,
            page=ev.page,
            section=ev.section,
            rule=ev.rule,
            evidence_kind=ev.kind,
            confidence=value.confidence,
            evidence_rank=value.evidence_rank,
        )


class RunSummary(BaseModel):
    """summary.json: what the output folder holds. The same whatever the engine,
    the number of workers, the order results came back in, or how many times the
    batch was interrupted and resumed (timings live in RunStats)."""

    version: str
    pipeline: str
    documents: int
    succeeded: int
    failed: int
    studies: int
    values: int
    errors: list[DocumentError] = Field(default_factory=list)
    studies_per_document: dict[str, int] = Field(default_factory=dict)
    duplicates: dict[str, str] = Field(default_factory=dict)
    """An input whose content and name repeat an earlier input's → that input; extracted once."""


VALUE_COLUMNS = list(ValueRow.model_fields)
OUTPUT_FILES = ("values.csv", "studies.jsonl", "summary.json")


def value_rows(results: Iterable[DocumentResult]) -> list[ValueRow]:
    return [ValueRow.from_value(study, value) for result in results for study in result.studies for value in study.values]


def values_frame(results: Iterable[DocumentResult]) -> pd.DataFrame:
    rows = [_csv_row(row) for row in value_rows(results)]
    return pd.DataFrame(rows, columns=VALUE_COLUMNS)


def _csv_row(row: ValueRow) -> dict:
    record = row.model_dump()
    # One line per value in a spreadsheet: the evidence's own line breaks folded.
    record["evidence"] = " ".join(str(record["evidence"]).split())
    return {column: escape_cell(cell) for column, cell in record.items()}


@contextmanager
def atomic_writer(path: Path, newline: str | None = None) -> Iterator[IO[str]]:
    """A text file that appears at ``path`` whole or not at all."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with temporary.open("w", encoding="utf-8", newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:  # disk full, Ctrl-C: the previous file stays whole and no half-written one is left
        temporary.unlink(missing_ok=True)
        raise


def write_outputs(
    results: Iterable[DocumentResult], out_dir: Path, pipeline: str, duplicates: dict[str, str] | None = None
) -> RunSummary:
    """Render the three output files from ``results`` (in the order given) and return the summary written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = RunSummary(
        version=__version__,
        pipeline=pipeline,
        documents=0,
        succeeded=0,
        failed=0,
        studies=0,
        values=0,
        duplicates=dict(duplicates or {}),
    )
    with atomic_writer(out_dir / "values.csv", newline="") as values_file, atomic_writer(out_dir / "studies.jsonl") as studies_file:
        values = csv.DictWriter(values_file, fieldnames=VALUE_COLUMNS, lineterminator="\n")
        values.writeheader()
        for result in results:
            _count(summary, result)
            for study in result.studies:
                studies_file.write(study.model_dump_json() + "\n")
                values.writerows(_csv_row(ValueRow.from_value(study, value)) for value in study.values)
    with atomic_writer(out_dir / "summary.json") as summary_file:
        summary_file.write(summary.model_dump_json(indent=2))
    return summary


def _count(summary: RunSummary, result: DocumentResult) -> None:
    summary.documents += 1
    if result.error:
        summary.failed += 1
        summary.errors.append(result.error)
        return
    summary.succeeded += 1
    summary.studies += len(result.studies)
    summary.values += sum(len(study.values) for study in result.studies)
    summary.studies_per_document[result.doc_id] = len(result.studies)
