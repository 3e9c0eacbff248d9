"""Pydantic models of a scoring result (score.json)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Mode = Literal["strict", "lenient"]


class Interval(BaseModel):
    low: float
    high: float


class Scores(BaseModel):
    """Precision, recall and F1 with their bootstrap intervals."""

    precision: float
    recall: float
    f1: float
    precision_ci: Interval
    recall_ci: Interval
    f1_ci: Interval


class FieldScore(Scores):
    """Counts and scores of one field (or of all fields pooled: field == "micro")."""

    field: str
    tp: int
    fp: int
    fn: int


class MacroScore(Scores):
    """Unweighted mean over fields."""


class ModeScore(BaseModel):
    mode: Mode
    fields: list[FieldScore]
    micro: FieldScore
    macro: MacroScore


class ErrorRow(BaseModel):
    """A false positive (prediction evidence) or false negative (gold evidence)."""

    mode: Mode
    kind: Literal["FP", "FN"]
    doc_id: str
    study_key: str
    field: str
    value: str
    evidence: str
    mention: str = ""


class DocumentFieldCounts(BaseModel):
    doc_id: str
    mode: Mode
    field: str
    tp: int
    fp: int
    fn: int


class ScoreReport(BaseModel):
    gold: str
    pred: str
    documents: list[str]
    gold_values: int = Field(description="unique gold (doc_id, study_key, field, value) tuples")
    pred_rows: int = Field(description="prediction rows in scored documents, before dedupe")
    pred_values: int = Field(description="unique predicted tuples in scored documents")
    resamples: int
    seed: int
    unit: str = "unique (doc_id, study_key, field, value); bootstrap resamples studies (doc_id, study_key)"
    strict: ModeScore
    lenient: ModeScore
    per_document: list[DocumentFieldCounts]
    errors: list[ErrorRow]
    unscored_rows: int = Field(0, description="prediction rows of scoped documents that their gold does not judge")
    scopes: dict[str, str] = Field(default_factory=dict, description="doc_id -> what its gold judges")
    views: list["ScoreView"] = Field(default_factory=list)
    headlines: dict[str, list[HeadlineFigure]] = Field(default_factory=dict, description="doc_id -> its headline figures")

    def mode(self, mode: Mode) -> ModeScore:
        return self.strict if mode == "strict" else self.lenient


class HeadlineFigure(BaseModel):
    """A figure a review states about its trials, and the same figure recomputed from the extraction."""

    figure: str
    paper: str
    extracted: str
    basis: str = Field(description="which studies the recomputed figure rests on, and what the prose lacks")
    evidence: str = Field(description="the paper's sentence that states the figure")


class ScoreView(BaseModel):
    """A second scoring of part of the predictions (e.g. a review's prose against its own table)."""

    name: str
    about: str
    report: ScoreReport


ScoreReport.model_rebuild()
