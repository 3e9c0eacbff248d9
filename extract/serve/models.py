"""What the workbench's pages show: the grid, a value with its evidence, a trial's sources side by side."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["unreviewed", "confirmed", "corrected", "rejected", "added"]
STATUSES: tuple[str, ...] = ("unreviewed", "confirmed", "corrected", "rejected", "added")


class GridFilters(BaseModel):
    """Which trials the grid lists; every filter is optional and they combine."""

    field: str | None = None
    status: Status | None = None
    doc: str | None = None
    disagreement: bool = False
    page: int = Field(default=1, ge=1)

    def query(self, **changes) -> dict[str, str]:
        """These filters (with `changes`) as URL query parameters, empty ones left out."""
        values = {**self.model_dump(), **changes}
        return {
            key: ("1" if value is True else str(value))
            for key, value in values.items()
            if value not in (None, "", False) and not (key == "page" and value == 1)
        }


class CellValue(BaseModel):
    """One value in a grid cell."""

    value_id: str
    field: str
    value: str
    shown: str
    """The value as Table 1 prints it (`1 x10^6/kg`, `9/48 (19%)`)."""
    review: Status
    confidence: float | None = None
    doc_id: str
    study_key: str
    origin: str


class GridRow(BaseModel):
    trial_id: str
    author: str | None = None
    year: int | None = None
    title: str | None = None
    papers: int = 0
    sources: str | None = None
    cells: dict[str, list[CellValue]] = Field(default_factory=dict)
    disagreements: list[str] = Field(default_factory=list)
    """Fields whose sources state different values."""


class Column(BaseModel):
    column: str
    field: str


class GridPage(BaseModel):
    rows: list[GridRow]
    columns: list[Column]
    total: int
    """Trials that pass the filters."""
    page: int
    pages: int
    filters: GridFilters


class Progress(BaseModel):
    judged: int
    total: int

    @property
    def share(self) -> float:
        return self.judged / self.total if self.total else 0.0


class EvidenceRow(BaseModel):
    """One sentence or cell that states a value; offsets index the text the paper's reader wrote."""

    evidence: str | None = None
    start: int | None = None
    end: int | None = None
    mention: str | None = None
    mention_start: int | None = None
    mention_end: int | None = None
    page: int | None = None
    section: str | None = None
    rule: str | None = None
    evidence_kind: str | None = None
    evidence_rank: int | None = None


class ValueDetail(BaseModel):
    value_id: str
    trial_id: str
    doc_id: str
    study_key: str
    field: str
    value: str
    shown: str
    extracted_value: str | None = None
    review: Status
    origin: str
    note: str | None = None
    confidence: float | None = None
    evidence: list[EvidenceRow]
    """Best first: by the reading's rank, then by position in the paper."""


class PaperInfo(BaseModel):
    doc_id: str
    path: str | None = None
    content_hash: str | None = None
    format: str | None = None
    kind: str | None = None
    title: str | None = None
    status: str | None = None


class SourceColumn(BaseModel):
    """One source of a trial: a paper's own study, or a review's citation of it."""

    doc_id: str
    study_key: str
    label: str
    title: str | None = None


class SourceValue(BaseModel):
    value: CellValue
    best: EvidenceRow | None = None


class ComparisonRow(BaseModel):
    field: str
    disagreement: bool
    cells: list[list[SourceValue]]
    """One list per source, in the order of the comparison's sources."""


class TrialComparison(BaseModel):
    trial: GridRow
    sources: list[SourceColumn]
    rows: list[ComparisonRow]
