"""Load gold tables and prediction tables as string-typed frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from extract.store.spreadsheet import unescape_cell

GOLD_COLUMNS = ["doc_id", "study_key", "field", "value", "evidence"]
PRED_COLUMNS = ["doc_id", "study_key", "field", "value", "evidence", "mention", "evidence_kind"]


def _read(path: Path) -> pd.DataFrame:
    # values.csv escapes cells a spreadsheet would run as formulas (extract/store/spreadsheet.py).
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False).apply(lambda column: column.map(unescape_cell))


def _normalise(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
    for column in ("doc_id", "study_key", "field", "value"):
        frame[column] = frame[column].astype(str).str.strip()
    return frame


def load_gold(path: Path | str) -> pd.DataFrame:
    """A folder of gold CSVs (every *.csv in it) or one CSV file."""
    path = Path(path)
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    if not files:
        raise FileNotFoundError(f"no gold CSV files in {path}")
    frame = pd.concat([_read(f) for f in files], ignore_index=True)
    missing = {"doc_id", "field", "value"} - set(frame.columns)
    if missing:
        raise ValueError(f"gold is missing columns {sorted(missing)}")
    frame = _normalise(frame, GOLD_COLUMNS)
    # A gold file with its header only says "this paper states no value": the paper is still
    # judged, and everything predicted for it is a false positive.
    frame.attrs["documents"] = sorted({f.stem for f in files} | set(frame["doc_id"]))
    return frame


def gold_documents(gold: pd.DataFrame) -> set[str]:
    """The documents a gold table judges: those with rows, and those whose gold file has none."""
    return set(gold.attrs.get("documents", ())) | set(gold["doc_id"])


def load_predictions(path: Path | str) -> pd.DataFrame:
    """A run output folder (its values.csv) or a values.csv file."""
    path = Path(path)
    if path.is_dir():
        path = path / "values.csv"
    if not path.exists():
        raise FileNotFoundError(f"no predictions at {path}")
    frame = _read(path)
    missing = {"doc_id", "field", "value"} - set(frame.columns)
    if missing:
        raise ValueError(f"predictions are missing columns {sorted(missing)}")
    return _normalise(frame, PRED_COLUMNS)


def restrict_to_gold_documents(pred: pd.DataFrame, documents: set[str]) -> pd.DataFrame:
    return pred[pred["doc_id"].isin(documents)].reset_index(drop=True)
