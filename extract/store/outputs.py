"""The output folder of a run: values.csv (the long table), studies.jsonl, summary.json."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from extract.schema import DocumentResult, RunSummary, ValueRow

VALUE_COLUMNS = list(ValueRow.model_fields)


def value_rows(results: list[DocumentResult]) -> list[ValueRow]:
    return [ValueRow.from_value(study, value) for result in results for study in result.studies for value in study.values]


def values_frame(results: list[DocumentResult]) -> pd.DataFrame:
    rows = [row.model_dump() for row in value_rows(results)]
    frame = pd.DataFrame(rows, columns=VALUE_COLUMNS)
    frame["evidence"] = frame["evidence"].map(lambda text: " ".join(str(text).split()))
    return frame


def write_outputs(results: list[DocumentResult], summary: RunSummary, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    values_frame(results).to_csv(out_dir / "values.csv", index=False)
    with (out_dir / "studies.jsonl").open("w", encoding="utf-8") as handle:
        for result in results:
            for study in result.studies:
                handle.write(study.model_dump_json() + "\n")
    (out_dir / "summary.json").write_text(summary.model_dump_json(indent=2), encoding="utf-8")
