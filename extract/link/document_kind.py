"""Is a paper a review or a trial report, and is it about cell therapy at all?"""

from __future__ import annotations

import re
from functools import cache

from extract.ingest.document import Document, SectionKind
from extract.link.records import DocumentKind
from extract.nlp.sentences import sentence_spans
from extract.paths import load_lexicon

_OPENING_CHARACTERS = 6000


@cache
def _cues() -> dict[str, tuple[re.Pattern[str], ...]]:
    lexicon = load_lexicon("document_kind")
    return {
        name: tuple(re.compile(p, re.IGNORECASE) for p in lexicon[name])
        for name in ("review_title", "review_text", "cell_product", "not_a_product", "administration", "own_patients", "literature_search")
    }


@cache
def _any_cue(name: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{cue.pattern})" for cue in _cues()[name]), re.IGNORECASE)


def _opening(document: Document) -> str:
    abstract = " ".join(document.slice(p) for p in document.paragraphs if p.section_kind is SectionKind.abstract)
    return f"{document.metadata.title or ''} {abstract or document.text[:_OPENING_CHARACTERS]}"


def document_kind(document: Document) -> DocumentKind:
    title = document.metadata.title or ""
    banners = [line.strip().lower() for line in document.text[:400].splitlines() if line.strip()]
    if any(cue.search(title) for cue in _cues()["review_title"]) or set(banners) & set(
        load_lexicon("document_kind")["review_banner"]
    ):
        return DocumentKind.review
    if any(cue.search(_opening(document)) for cue in _cues()["review_text"]) and not _reports_own_patients(document):
        return DocumentKind.review
    return DocumentKind.primary


def _reports_own_patients(document: Document) -> bool:
    """Its methods enrol or treat patients and search no literature: a case series that calls itself a review."""
    methods = " ".join(document.slice(p) for p in document.paragraphs if p.section_kind is SectionKind.methods)
    return bool(methods) and _any_cue("own_patients").search(methods) is not None and (
        _any_cue("literature_search").search(methods) is None
    )


def gives_cell_product(text: str) -> bool:
    """Whether `text` speaks of giving a cell product: a product word near an administration word.

    A product named near "injected", "infusion", "therapy" or a route is given to
    someone; one named only as something measured ("circulating progenitor
    cells"), mobilised or studied in a dish is not (`not_a_product`).
    """
    window = load_lexicon("document_kind")["product_to_administration_window"]
    administrations = [m.span() for m in _any_cue("administration").finditer(text)]
    if not administrations:
        return False
    excluded = [m.span() for m in _any_cue("not_a_product").finditer(text)]
    for product in _any_cue("cell_product").finditer(text):
        start, end = product.span()
        if any(s <= start < e or s < end <= e for s, e in excluded):
            continue
        if any(a_start - end <= window and start - a_end <= window for a_start, a_end in administrations):
            return True
    return False


def is_about_cell_therapy(document: Document) -> bool:
    """The title, or a sentence of the opening, gives a cell product to patients."""
    opening = _opening(document)
    return gives_cell_product(document.metadata.title or "") or any(
        gives_cell_product(sentence)
        for sentence in (opening[start:end] for start, end in sentence_spans(opening))
        if not _CITES.search(sentence)
    )


_CITES = re.compile(r"\[\d+(?:\s*[-–,]\s*\d+)*\]")
