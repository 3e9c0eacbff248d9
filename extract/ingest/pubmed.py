"""PubMed exports: MEDLINE text (`.nbib`, `PMID- ` tags) and PubMed XML (`<PubmedArticleSet>`).

An export holds one record per article; each record is its own document
(`doc_id` = its PMID), read as an abstract: the title is a paragraph of it,
since an abstract's title is often the only place that names the cell source
or the phase. The record is laid out as text (extract/ingest/layout_text.py):
the title, the authors, then "Abstract" and the abstract one labelled part a
paragraph ("METHODS: ..."). Offsets index into that text.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, tostring

from extract.ingest.document import Document, DocumentFormat, DocumentMetadata, Paragraph, Section, SectionKind
from extract.ingest.errors import IngestError
from extract.ingest.layout_text import Layout, Record, clean, local_name, parse_xml, rendered_text, unique_ids

# A MEDLINE field: a tag of up to four capitals or digits, padded, then "- "; continuation lines are indented.
_FIELD = re.compile(r"^([A-Z][A-Z0-9]{0,3})\s*-(?: (.*))?$")
_RECORD_START = re.compile(r"^PMID-", re.MULTILINE)
_REGISTRY_ID = re.compile(r"\bNCT\d{8}\b")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def looks_like_medline(text: str) -> bool:
    return bool(re.match(r"\s*PMID- ?\d", text))


# ---------------------------------------------------------------- MEDLINE


def medline_records(text: str) -> list[Record]:
    starts = [m.start() for m in _RECORD_START.finditer(text)]
    chunks = [text[a:b].strip() for a, b in zip(starts, starts[1:] + [len(text)])]
    ids = [(_medline_fields(chunk).get("PMID") or [f"record{n}"])[0].strip() for n, chunk in enumerate(chunks, 1)]
    return [Record(doc_id, chunk, "medline") for doc_id, chunk in zip(unique_ids(ids), chunks)]


def _medline_fields(record: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in record.splitlines():
        match = _FIELD.match(line)
        if match:
            current = fields.setdefault(match.group(1), [])
            current.append(match.group(2) or "")
        elif line.strip() and current is not None and line[:1].isspace():
            current[-1] = f"{current[-1]} {line.strip()}"
    return fields


def parse_medline_record(record: str, doc_id: str, path: str) -> Document:
    fields = _medline_fields(record)
    if not fields.get("PMID"):
        raise IngestError(path, "malformed_record", "a MEDLINE record without its PMID- line")
    title = clean(" ".join(fields.get("TI", []) or fields.get("BTI", [])))
    abstract = [clean(part) for part in fields.get("AB", [])]
    authors = [_given_first(clean(a)) for a in fields.get("FAU", []) or fields.get("AU", [])]
    doi = next((m.group(1) for v in fields.get("LID", []) + fields.get("AID", []) if (m := re.match(r"(\S+) \[doi\]", v))), None)
    year = _YEAR.search(" ".join(fields.get("DP", [])))
    registry = _REGISTRY_ID.search(" ".join(fields.get("SI", [])))
    pmc = next((clean(v) for v in fields.get("PMC", [])), None)
    metadata = DocumentMetadata(
        title=title or None,
        authors=authors,
        doi=doi,
        journal=clean(" ".join(fields.get("JT", []) or fields.get("TA", []))) or None,
        year=int(year.group(1)) if year else None,
        pmid=clean(fields["PMID"][0]),
        pmcid=pmc,
        registry_id=registry.group() if registry else None,
    )
    return abstract_document(doc_id, path, DocumentFormat.medline, metadata, [("", part) for part in abstract])


def _given_first(name: str) -> str:
    """MEDLINE's full author name "Surname, Given" as bylines print it, "Given Surname"."""
    surname, comma, given = name.partition(", ")
    return f"{given} {surname}" if comma and given else name


# ---------------------------------------------------------------- PubMed XML


def pubmed_xml_records(text: str, path: str) -> list[Record]:
    root = parse_xml(text, path)
    articles = [child for child in root if local_name(child.tag) in ("PubmedArticle", "PubmedBookArticle")]
    ids = []
    for number, article in enumerate(articles, 1):
        pmid = next((e for e in article.iter() if local_name(e.tag) == "PMID"), None)
        ids.append(clean(pmid.text) if pmid is not None and clean(pmid.text) else f"record{number}")
    return [
        Record(doc_id, tostring(article, encoding="unicode"), "pubmed_xml") for doc_id, article in zip(unique_ids(ids), articles)
    ]


def _text(element: Element | None) -> str:
    return rendered_text(element) if element is not None else ""


def _find(element: Element, *names: str) -> Element | None:
    """The first descendant down a path of local names."""
    current: Element | None = element
    for name in names:
        current = next((c for c in current.iter() if local_name(c.tag) == name and c is not current), None) if current is not None else None
    return current


def parse_pubmed_article(source: str, doc_id: str, path: str) -> Document:
    article = parse_xml(source, path)
    pmid = _text(_find(article, "PMID"))
    if not pmid:
        raise IngestError(path, "malformed_record", "a PubmedArticle without its PMID")
    title = _text(_find(article, "ArticleTitle")) or _text(_find(article, "BookTitle"))
    parts = []
    abstract = _find(article, "Abstract")
    for part in [e for e in abstract.iter() if local_name(e.tag) == "AbstractText"] if abstract is not None else []:
        parts.append((clean(part.get("Label") or ""), _text(part)))
    authors = []
    for author in (e for e in article.iter() if local_name(e.tag) == "Author"):
        name = " ".join(p for p in (_text(_find(author, "ForeName")), _text(_find(author, "LastName"))) if p)
        authors.append(name or _text(_find(author, "CollectiveName")))
    ids = {e.get("IdType"): _text(e) for e in article.iter() if local_name(e.tag) == "ArticleId"}
    doi = ids.get("doi") or next(
        (_text(e) for e in article.iter() if local_name(e.tag) == "ELocationID" and e.get("EIdType") == "doi"), None
    )
    pub_date = _find(article, "PubDate")
    year = _YEAR.search(" ".join(pub_date.itertext())) if pub_date is not None else None
    registry = next(
        (m.group() for e in article.iter() if local_name(e.tag) == "AccessionNumber" and (m := _REGISTRY_ID.search(_text(e)))),
        None,
    )
    metadata = DocumentMetadata(
        title=title or None,
        authors=[a for a in authors if a],
        doi=doi or None,
        journal=_text(_find(article, "Journal", "Title")) or _text(_find(article, "ISOAbbreviation")) or None,
        year=int(year.group(1)) if year else None,
        pmid=pmid,
        pmcid=ids.get("pmc") or None,
        registry_id=registry,
    )
    return abstract_document(doc_id, path, DocumentFormat.pubmed_xml, metadata, parts)


# ---------------------------------------------------------------- the abstract as a document


def abstract_document(
    doc_id: str, path: str, fmt: DocumentFormat, metadata: DocumentMetadata, parts: list[tuple[str, str]]
) -> Document:
    """Title, authors, then the abstract one part a paragraph; the title counts as part of the abstract."""
    parts = [(label, text) for label, text in parts if text]
    if not metadata.title and not parts:
        raise IngestError(path, "empty_record", f"record {doc_id} has neither a title nor an abstract")
    layout = Layout()
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    if metadata.title:
        span = layout.block(metadata.title)
        sections.append(Section(title="Title", kind=SectionKind.abstract, start=span.start, end=span.end))
        paragraphs.append(Paragraph(start=span.start, end=span.end, section="Title", section_kind=SectionKind.abstract))
    if metadata.authors:
        layout.block(", ".join(metadata.authors))
    if parts:
        heading = layout.block("Abstract")
        for label, text in parts:
            span = layout.block(f"{label}: {text}" if label else text)
            paragraphs.append(Paragraph(start=span.start, end=span.end, section="Abstract", section_kind=SectionKind.abstract))
        sections.append(Section(title="Abstract", kind=SectionKind.abstract, start=heading.start, end=layout.length))
    return Document(
        doc_id=doc_id,
        path=path,
        format=fmt,
        text=layout.text,
        metadata=metadata,
        sections=sections,
        paragraphs=paragraphs,
    )
