"""Naming a section's kind from its heading, with the words in models/lexicons/section_headings.json."""

from __future__ import annotations

import re

from extract.paths import load_lexicon
from extract.schema import SectionKind


def classify_heading(title: str) -> SectionKind:
    """The kind of section a heading opens; the most specific part of a dotted heading wins.

    Evidence Inference headings are paths ("BODY.METHODS.STUDY OVERVIEW"), so the
    top-level part decides for ABSTRACT, and the first known part decides otherwise.
    """
    lexicon = load_lexicon("section_headings")
    parts = [p.strip().lower() for p in title.split(".") if p.strip()]
    if parts and parts[0] == "abstract":
        return SectionKind.abstract
    if parts and parts[0] in {"body", "title"}:
        parts = parts[1:]
    for part in parts or [title.lower()]:
        kind = _kind_of_words(part, lexicon)
        if kind is not None:
            return kind
    return SectionKind.other


def _kind_of_words(text: str, lexicon: dict) -> SectionKind | None:
    for kind in lexicon["order"]:
        for word in lexicon["kinds"][kind]:
            if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text):
                return SectionKind(kind)
    return None
