"""What the readers find and hand on: field mentions in sentences and cells, and values with their evidence
(the words that state them, where they are, and the rule that read them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from extract.ingest.document import SectionKind


FieldName = Literal[
    "donor_type",
    "cell_type",
    "source",
    "route",
    "dose",
    "n_administrations",
    "disease",
    "design",
    "sample_size",
    "follow_up",
    "alloantibody_assay",
    "alloantibody_result",
    "presensitized",
    "safety",
    "effect",
]


EvidenceKind = Literal["sentence", "table_cell", "registry_field"]
"""Where a value's words are: a sentence of prose, a table cell, or a structured field of a registry record."""


class Evidence(BaseModel):
    """The words behind a value: where they are, and which rule read them."""

    doc_id: str
    text: str
    """The whole sentence, or the table cell, that states the value."""
    start: int
    end: int
    mention_start: int
    mention_end: int
    mention: str
    rule: str
    kind: EvidenceKind = "sentence"
    section: str | None = None
    page: int | None = None


class ExtractedValue(BaseModel):
    field: FieldName
    value: str
    """The serialised form of FIELD_GUIDE.md (lowercase code or key=value;...)."""
    evidence: Evidence
    confidence: float | None = None
    """How sure the reading is (0-1), from where the value is stated and how often (extract/link/trial.py)."""
    evidence_rank: int | None = None
    """1 for the best of the sentences that state this value; the others follow."""


class CitationMention(BaseModel):
    start: int
    end: int
    numbers: list[int]
    brackets: int = 1


class FieldMention(BaseModel):
    """A rule's match in a sentence or cell, before it is given to a study."""

    field: FieldName
    value: str
    rule: str
    start: int
    end: int
    text: str
    # ConText categories whose scope covers the mention (models/context/rules.jsonl): PRECLINICAL,
    # HYPOTHETICAL, BACKGROUND, NEGATED, LAB ...
    context: list[str] = Field(default_factory=list)


class Sentence(BaseModel):
    """A sentence of prose with what the NLP stage found in it."""

    index: int
    start: int
    end: int
    text: str
    section: str | None = None
    section_kind: SectionKind = SectionKind.other
    citations: list[CitationMention] = Field(default_factory=list)
    mentions: list[FieldMention] = Field(default_factory=list)
    # The sentence's context (models/lexicons/context.json), judged only where it has a target to
    # modify, a field mention or a citation; None: not judged, there was nothing it could change.
    preclinical: bool | None = None
    hypothetical: bool | None = None
    clinical: bool | None = None


class TableStudyRow(BaseModel):
    """A table row that cites a study, with the values its cells state."""

    numbers: list[int]
    values: list[ExtractedValue]
