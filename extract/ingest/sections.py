"""Naming a section's kind from its heading, with the words in models/lexicons/section_headings.json."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from extract.ingest.document import SectionKind
from extract.paths import load_lexicon


@lru_cache(maxsize=4096)  # papers of one source repeat their headings
def classify_heading(title: str) -> SectionKind:
    """The kind of section a heading opens; the most specific part of a dotted heading wins.

    Evidence Inference headings are paths ("BODY.METHODS.STUDY OVERVIEW"), so the
    top-level part decides for ABSTRACT, and the first known part decides otherwise.
    """
    parts = [p.strip().lower() for p in title.split(".") if p.strip()]
    if parts and parts[0] == "abstract":
        return SectionKind.abstract
    if parts and parts[0] in {"body", "title"}:
        parts = parts[1:]
    for part in parts or [title.lower()]:
        kind = _kind_of_words(part)
        if kind is not None:
            return kind
    return SectionKind.other


def _kind_of_words(text: str) -> SectionKind | None:
    for kind, words in _heading_words():
        if words.search(text):
            return kind
    return None


@cache
def _heading_words() -> tuple[tuple[SectionKind, re.Pattern[str]], ...]:
    """Each kind, in the lexicon's order of precedence, with its words as one whole-word regex."""
    lexicon = load_lexicon("section_headings")
    return tuple(
        (SectionKind(kind), re.compile(rf"(?<![a-z])(?:{'|'.join(re.escape(w) for w in lexicon['kinds'][kind])})(?![a-z])"))
        for kind in lexicon["order"]
        if lexicon["kinds"][kind]
    )
