"""The Document every reader produces: a paper's text and, as character offsets into it, its sections,
paragraphs, tables, references, pages and (for a registry record) structured fields.

``Document.text`` is the decoded input file itself, or, for a PDF and for structured formats such as JATS
XML, PubMed and registry records, the text the layout step wrote; every offset indexes into it, so a
reviewer can always slice the evidence back out of the paper.
"""

from __future__ import annotations

from enum import Enum

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
