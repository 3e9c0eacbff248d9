"""Is a paper a review or a trial report, and is it about cell therapy at all?"""

from __future__ import annotations

import re
from functools import cache

from extract.paths import load_lexicon
from extract.schema import Document, DocumentKind, SectionKind

_OPENING_CHARACTERS = 6000


@cache
def _cues() -> dict[str, tuple[re.Pattern[str], ...]]:
    lexicon = load_lexicon("document_kind")
    return {
        name: tuple(re.compile(p, re.IGNORECASE if name != "cell_therapy" else 0) for p in lexicon[name])
        for name in ("review_title", "review_text", "cell_therapy")
    }


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
    if any(cue.search(_opening(document)) for cue in _cues()["review_text"]):
        return DocumentKind.review
    return DocumentKind.primary


def is_about_cell_therapy(document: Document) -> bool:
    """Title or abstract names a mesenchymal/stromal cell product."""
    opening = _opening(document)
    return sum(bool(cue.search(opening)) for cue in _cues()["cell_therapy"]) >= 1
