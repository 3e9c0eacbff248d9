"""The review dataset's own records: reviewer judgements, what a study is known by, what an update did."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field

from extract.fields.evidence import FieldName
from extract.link.records import DocumentError


class ReviewAction(str, Enum):
    """What a reviewer decided about a value."""

    confirmed = "confirmed"
    corrected = "corrected"
    rejected = "rejected"
    added = "added"
    """A value the pipeline missed, typed in by the reviewer with its evidence."""


class Correction(BaseModel):
    """A reviewer's judgement of one value, kept apart from extraction so it outlives re-extraction.

    It names the value by ``(doc_id, study_key, field, value)``, the identity a
    value keeps however often its paper is re-read; ``value_id`` is a short
    hash of those four.
    """

    value_id: str
    doc_id: str
    study_key: str = ""
    field: FieldName
    value: str
    action: ReviewAction
    corrected_value: str | None = None
    evidence: str | None = None
    note: str = ""
    reviewer: str = ""


class StudyIdentity(BaseModel):
    """What a study is known by, for finding one trial behind several papers."""

    doc_id: str
    study_key: str = ""
    first_author: str | None = None
    year: int | None = None
    title: str | None = None
    doi: str | None = None
    first_seen_run: int = 0


class UpdateSummary(BaseModel):
    """What one `msc-extract update` did to the dataset."""

    run_id: int
    version: str
    pipeline: str
    database: str
    files: int
    added: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    unchanged: int = 0
    copies: list[str] = Field(default_factory=list)
    errors: list[DocumentError] = Field(default_factory=list)
    extracted: int = 0
    """Papers this update extracted itself."""
    resumed: int = 0
    """Papers a killed update had extracted already (its checkpoint journal), not extracted again."""
    documents: int = 0
    studies: int = 0
    trials: int = 0
    values: int = 0
    seconds: float = 0.0
