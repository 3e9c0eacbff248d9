"""What a gold file judges: all of a paper's values, or only what one table of it states.

Seed 004's gold is its Table 1. A route the prose states for a table study
is not wrong because the table has no route column; it is not judged. So a
scoped document is scored on predictions from the gold's evidence kind and
fields, and the rest of the paper gets a second view of its own: what the
prose alone yields for the table's studies, against the table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from pydantic import BaseModel

SCOPES_FILE = "scopes.json"


class GoldScope(BaseModel):
    doc_id: str
    evidence_kind: str
    title: str = ""
    second_view: str = ""
    about: str = ""


def load_scopes(gold: Path | str) -> dict[str, GoldScope]:
    """The scopes declared beside a gold folder (gold/scopes.json); none for a single gold file."""
    path = Path(gold)
    path = path / SCOPES_FILE if path.is_dir() else path.parent / SCOPES_FILE
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {doc_id: GoldScope(doc_id=doc_id, **spec) for doc_id, spec in data.items() if not doc_id.startswith("_")}


def _in_scope(pred: pd.DataFrame, gold: pd.DataFrame, scope: GoldScope, same_kind: bool) -> pd.Series:
    fields = set(gold.loc[gold["doc_id"] == scope.doc_id, "field"])
    kind = pred.get("evidence_kind", pd.Series("sentence", index=pred.index))
    kind_matches = kind == scope.evidence_kind if same_kind else kind != scope.evidence_kind
    return (pred["doc_id"] == scope.doc_id) & pred["field"].isin(fields) & kind_matches


def scoped_predictions(pred: pd.DataFrame, gold: pd.DataFrame, scopes: dict[str, GoldScope]) -> tuple[pd.DataFrame, int]:
    """Predictions the gold judges, and how many rows of scoped documents it does not."""
    keep = pd.Series(True, index=pred.index)
    for scope in scopes.values():
        of_document = pred["doc_id"] == scope.doc_id
        keep &= ~of_document | _in_scope(pred, gold, scope, same_kind=True)
    return pred[keep].reset_index(drop=True), int((~keep).sum())


def second_view(pred: pd.DataFrame, gold: pd.DataFrame, scope: GoldScope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(gold, predictions) for the rest of a scoped paper: other evidence, the gold's studies and fields only."""
    view_gold = gold[gold["doc_id"] == scope.doc_id].reset_index(drop=True)
    studies = set(view_gold["study_key"])
    rows = _in_scope(pred, gold, scope, same_kind=False) & pred["study_key"].isin(studies)
    return view_gold, pred[rows].reset_index(drop=True)
