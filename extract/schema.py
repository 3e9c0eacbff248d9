"""The one schema of msc-extract: documents in, studies and values out.

Every offset is a character offset into ``Document.text``, which is the decoded
input file itself (or, for a PDF and for structured formats such as JATS XML,
PubMed and registry records, the text the layout step produced), so a reviewer
can always slice the evidence back out of the paper.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field


class DocumentFormat(str, Enum):
    cord19 = "cord19"
    evidence_inference = "evidence_inference"
    markdown = "markdown"
    plain = "plain"
    pdf = "pdf"
    jats = "jats"
    medline = "medline"
    pubmed_xml = "pubmed_xml"
    ctgov_json = "ctgov_json"
    ctgov_xml = "ctgov_xml"


class DocumentKind(str, Enum):
    """What a paper is, which decides how its values become studies."""

    review = "review"
    primary = "primary"


class SectionKind(str, Enum):
    front = "front"
    abstract = "abstract"
    background = "background"
    methods = "methods"
    results = "results"
    discussion = "discussion"
    conclusion = "conclusion"
    references = "references"
    back = "back"
    other = "other"


class TextSpan(BaseModel):
    start: int
    end: int


class Section(TextSpan):
    title: str
    kind: SectionKind


class Paragraph(TextSpan):
    section: str | None = None
    section_kind: SectionKind = SectionKind.other
    page: int | None = None
    # Set when this paragraph repeats text already seen earlier in the document
    # (CORD-19 exports duplicate passages); duplicates are never extracted from.
    duplicate_of: int | None = None


class TableCell(TextSpan):
    text: str
    """The cell as a reader sees it: LaTeX rendered, whitespace folded."""


class TableRow(BaseModel):
    cells: list[TableCell]
    # True when the row had a cell missing at its start and was realigned.
    realigned: bool = False


class Table(TextSpan):
    number: str | None = None
    caption: str = ""
    header: list[str] = Field(default_factory=list)
    rows: list[TableRow] = Field(default_factory=list)
    page: int | None = None
    continued: bool = False


class Reference(TextSpan):
    number: int
    text: str
    first_author: str | None = None
    year: int | None = None
    title: str | None = None
    journal: str | None = None
    doi: str | None = None


class RecordField(TextSpan):
    """A structured field of a registry record, as laid out in the text: `start`/`end` span its value."""

    name: str
    """What the field is: `phase`, `allocation`, `masking`, `intervention_model`, `arm_type`, `enrollment`, `condition`..."""
    value: str
    line_start: int
    line_end: int
    """The whole line ("Masking: Double (Participant, Investigator)"): the evidence a reviewer reads."""


class DocumentMetadata(BaseModel):
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    doi: str | None = None
    journal: str | None = None
    year: int | None = None
    pmid: str | None = None
    pmcid: str | None = None
    registry_id: str | None = None
    """A trial registry's identifier (NCT01234567) where the document is a registry record."""


class Page(TextSpan):
    number: int


class Document(BaseModel):
    doc_id: str
    path: str
    format: DocumentFormat
    text: str
    metadata: DocumentMetadata = Field(default_factory=DocumentMetadata)
    sections: list[Section] = Field(default_factory=list)
    paragraphs: list[Paragraph] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    pages: list[Page] = Field(default_factory=list)
    invisible: list[int] = Field(default_factory=list)
    """Where the file's text held invisible characters (soft hyphen, zero-width joiner …) left out of `text`;
    offsets into `text` map back to the file with `extract.ingest.encoding.file_offset`."""
    record_fields: list[RecordField] = Field(default_factory=list)
    """A registry record's structured fields (phase, enrollment, masking ...); empty for papers."""

    def slice(self, span: TextSpan) -> str:
        return self.text[span.start : span.end]

    def page_at(self, offset: int) -> int | None:
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return None

    def reference(self, number: int) -> Reference | None:
        for ref in self.references:
            if ref.number == number:
                return ref
        return None


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


class RunStats(BaseModel):
    """One invocation of a batch (a line of runs.jsonl): what it did itself and how fast."""

    engine: str
    workers: int
    documents: int
    """Inputs named, after duplicates were set aside."""
    resumed: int
    """Documents already in the journal, skipped."""
    retried: int = 0
    """Documents the journal held as failed, extracted again (--retry-failed)."""
    processed: int
    failed: int
    seconds: float
    characters: int
    words: int
    pages: int
    peak_rss_mb: dict[str, float] = Field(default_factory=dict)
    """Peak resident memory of each worker process, by worker id."""
    interrupted: bool = False


class Dose(BaseModel):
    """One dose as FIELD_GUIDE serialises it; cell counts are in units of 10^6 cells.

    ``per`` is None unless the paper says what the number is per ("/kg", "per infusion", "a total of"):
    a bare count states no denominator, and none is invented for it."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str = "1e6 cells"
    per: Literal["total", "kg", "site", "disc", "infusion", "dose"] | None = None
    arm: str | None = None


class AlloantibodyResult(BaseModel):
    """Patients with alloantibodies: counts where stated, percent otherwise."""

    positive: int | None = None
    total: int | None = None
    percent: float | None = None


class SampleSize(BaseModel):
    total: int | None = None
    treated: int | None = None
    control: int | None = None


class FollowUp(BaseModel):
    months: float


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


# ---------------------------------------------------------------- the review dataset


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
