"""CORD-19 plain-text exports: a `key: ... authors: ... title: ...` header, then one long line.

The body repeats whole passages (the export concatenated overlapping
paragraphs); repeated sentences become duplicate paragraphs so that no value
is read twice. The reference list is run in at the end as bare titles.
"""

from __future__ import annotations

import re

from extract.ingest.document import Document, DocumentFormat, DocumentMetadata, Paragraph, Section, SectionKind
from extract.ingest.references import split_run_in_titles
from extract.nlp.sentences import sentence_spans
from extract.normalize.citations import find_citation_groups
from extract.paths import load_lexicon

_FIELDS = ("key", "authors", "title", "date", "journal", "DOI", "sha", "doc_id", "cord_uid")
# Fields that are one word; the others (authors, title, journal) run on to the next label.
_ONE_WORD = {"key", "date", "DOI", "sha", "doc_id", "cord_uid"}
# Each label is looked for once, left to right. One regular expression with a lazy `.*?` per field
# backtracked through every combination of label positions when the header was incomplete (6 KB: minutes).
_LABEL = {name: re.compile(rf"(?<!\s)\s+{name}:") for name in _FIELDS[1:]}
_MIN_DUPLICATE_LENGTH = 25


def looks_like_cord19(text: str) -> bool:
    return bool(re.match(r"^key:\s*\S+\s+authors:", text))


def _header(text: str) -> tuple[dict[str, str], int]:
    """The header's fields, and where the body starts; ValueError when a label is missing or a one-word field is not one word."""
    fields: dict[str, str] = {}
    name, position = "key", len("key:")
    for following in _FIELDS[1:]:
        label = _LABEL[following].search(text, position)
        if label is None:
            raise ValueError(f"CORD-19 header (key: ... cord_uid: ...) is incomplete: no '{following}:' after '{name}:'")
        fields[name] = text[position : label.start()].strip()
        name, position = following, label.end()
    rest = text[position:]
    uid = re.match(r"\s*(\S+)\s*", rest)
    if uid is None:
        raise ValueError("CORD-19 header (key: ... cord_uid: ...) is incomplete: no cord_uid")
    fields["cord_uid"] = uid.group(1)
    for one_word in _ONE_WORD:
        if len(fields[one_word].split()) > 1:
            raise ValueError(f"CORD-19 header: '{one_word}:' holds more than one word")
    if not fields["key"]:
        raise ValueError("CORD-19 header: 'key:' is empty")
    return fields, position + uid.end()


def parse_cord19(text: str, doc_id: str, path: str) -> Document:
    header, body_start = _header(text)
    date = header["date"]
    metadata = DocumentMetadata(
        title=header["title"] or None,
        authors=[a.strip() for a in header["authors"].split(";") if a.strip()],
        doi=header["DOI"] or None,
        journal=header["journal"] or None,
        year=int(date[:4]) if re.match(r"\d{4}", date) else None,
    )
    references_start = _references_start(text, body_start)
    paragraphs = _deduplicated_paragraphs(text, body_start, references_start)
    sections = [Section(title="body", kind=SectionKind.other, start=body_start, end=references_start)]
    references = []
    if references_start < len(text):
        sections.append(
            Section(title="references", kind=SectionKind.references, start=references_start, end=len(text))
        )
        cited = [n for g in find_citation_groups(text[body_start:references_start]) for n in g.numbers]
        references = split_run_in_titles(
            text[references_start:].rstrip(), references_start, max(cited) if cited else None
        )
    return Document(
        doc_id=doc_id,
        path=path,
        format=DocumentFormat.cord19,
        text=text,
        metadata=metadata,
        sections=sections,
        paragraphs=paragraphs,
        references=references,
    )


def _references_start(text: str, body_start: int) -> int:
    """Where the run-in reference titles begin: after the last back-matter statement."""
    ends = [
        body_start + match.end()
        for marker in load_lexicon("back_matter")["markers"]
        for match in re.finditer(marker, text[body_start:], re.IGNORECASE)
    ]
    if not ends:
        return len(text)
    position = max(ends)
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _deduplicated_paragraphs(text: str, start: int, end: int) -> list[Paragraph]:
    """Runs of new sentences become paragraphs; runs of repeated sentences become duplicates."""
    # Split as the pipeline splits (extract/nlp/sentences.py), so a repeat is judged on the sentences read later.
    bounds = [start] + [start + begin for begin, _ in sentence_spans(text[start:end])[1:]] + [end]
    seen: dict[str, int] = {}
    paragraphs: list[Paragraph] = []
    for a, b in zip(bounds, bounds[1:]):
        sentence = " ".join(text[a:b].split())
        if not sentence:
            continue
        first_seen = seen.get(sentence) if len(sentence) >= _MIN_DUPLICATE_LENGTH else None
        if first_seen is None:
            seen.setdefault(sentence, a)
        previous = paragraphs[-1] if paragraphs else None
        is_duplicate = first_seen is not None
        if previous is not None and (previous.duplicate_of is not None) == is_duplicate:
            previous.end = b
            continue
        paragraphs.append(
            Paragraph(start=a, end=b, section="body", section_kind=SectionKind.other, duplicate_of=first_seen)
        )
    for paragraph in paragraphs:
        while paragraph.end > paragraph.start and text[paragraph.end - 1].isspace():
            paragraph.end -= 1
    return paragraphs
