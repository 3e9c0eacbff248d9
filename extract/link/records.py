"""What extraction gives for one input: the paper's kind and its studies, each with its values, or the error
that stopped it."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field

from extract.fields.evidence import ExtractedValue
from extract.ingest.document import DocumentFormat, DocumentMetadata


class DocumentKind(str, Enum):
    """What a paper is, which decides how its values become studies."""

    review = "review"
    primary = "primary"


class StudyReference(BaseModel):
    numbers: list[int]
    first_author: str | None = None
    year: int | None = None
    title: str | None = None
    journal: str | None = None
    doi: str | None = None


class Study(BaseModel):
    doc_id: str
    study_key: str
    """The citation number(s) for a study of a review (`57`, `50,51`); empty for a primary paper."""
    kind: DocumentKind
    reference: StudyReference | None = None
    values: list[ExtractedValue] = Field(default_factory=list)

    def values_of(self, field: str) -> list[str]:
        seen: list[str] = []
        for value in self.values:
            if value.field == field and value.value not in seen:
                seen.append(value.value)
        return seen


class DocumentError(BaseModel):
    path: str
    code: str
    message: str


class DocumentResult(BaseModel):
    """What one input file gave: its studies, or the error that stopped it."""

    path: str
    doc_id: str
    kind: DocumentKind | None = None
    format: DocumentFormat | None = None
    metadata: DocumentMetadata | None = None
    """The paper's own title page (what the dataset knows a trial report by)."""
    studies: list[Study] = Field(default_factory=list)
    error: DocumentError | None = None
    seconds: float = 0.0
    characters: int = 0
    words: int = 0
    pages: int = 0
