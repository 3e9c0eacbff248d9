"""Evidence Inference / PubMed Central exports: `TITLE:`, `ABSTRACT.X:`, `BODY.X.Y:` headers."""

from __future__ import annotations

import re

from extract.ingest.document import Document, DocumentFormat, DocumentMetadata, Paragraph, Section, SectionKind
from extract.ingest.sections import classify_heading

HEADER = re.compile(r"^[ \t]*((?:ABSTRACT|BODY)(?:\.[^\n:]*)?|TITLE):[ \t]*", re.MULTILINE)


def looks_like_evidence_inference(text: str) -> bool:
    return text.lstrip().startswith("TITLE:") and bool(re.search(r"^[ \t]*(ABSTRACT|BODY)[.:]", text, re.MULTILINE))


def parse_evidence_inference(text: str, doc_id: str, path: str) -> Document:
    headers = list(HEADER.finditer(text))
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    title = None
    for header, following in zip(headers, headers[1:] + [None]):
        name = header.group(1).strip()
        body_start = header.end()
        body_end = following.start() if following else len(text)
        if name == "TITLE":
            title = " ".join(text[body_start:body_end].split()) or None
        # The title is read as prose too: it is often the only place that names the source,
        # the donor type or the phase ("Autologous ... Phase IIb").
        kind = SectionKind.front if name == "TITLE" else classify_heading(name)
        sections.append(Section(title=name, kind=kind, start=header.start(), end=body_end))
        position = body_start
        for line in text[body_start:body_end].splitlines(keepends=True):
            stripped = line.strip()
            if stripped:
                start = position + len(line) - len(line.lstrip())
                paragraphs.append(
                    Paragraph(start=start, end=start + len(stripped), section=name, section_kind=kind)
                )
            position += len(line)
    return Document(
        doc_id=doc_id,
        path=path,
        format=DocumentFormat.evidence_inference,
        text=text,
        metadata=DocumentMetadata(title=title),
        sections=sections,
        paragraphs=paragraphs,
    )
