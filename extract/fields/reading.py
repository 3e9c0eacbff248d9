"""What a sentence reader sees: the sentence, where it sits, and what the document defines.

Readers are pure functions from a `SentenceText` to `FieldMention`s; each
field family has its own module (`alloantibodies.py`, `disease.py`, ...). The
pipeline component `msc_sentence_readers` (extract/nlp/sentence_readers.py)
runs them over every sentence of a Doc and writes what they find as spans,
beside the field matcher's; `prose.py` takes both from the Doc.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache

from extract.fields.evidence import FieldMention
from extract.ingest.document import SectionKind
from extract.normalize.numbers import pattern_union
from extract.paths import load_lexicon


@dataclass(frozen=True)
class SentenceText:
    text: str
    start: int
    previous: str = ""  # the sentence before, in the same paragraph
    long_forms: dict[str, str] = field(default_factory=dict)  # the document's own abbreviations
    section_kind: SectionKind = SectionKind.other

    def mention(self, field_name: str, value: str, rule: str, begin: int, end: int) -> FieldMention:
        """A mention at `text[begin:end]`, placed in document offsets."""
        return FieldMention(
            field=field_name, value=value, rule=rule, start=self.start + begin, end=self.start + end, text=self.text[begin:end]
        )


SentenceReader = Callable[[SentenceText], list[FieldMention]]


@cache
def cue_pattern(lexicon: str, key: str) -> re.Pattern[str]:
    """A lexicon's list of cues as one regular expression: one scan of a sentence, not one per cue."""
    return re.compile(pattern_union(load_lexicon(lexicon)[key]), re.IGNORECASE)


@cache
def _gate(lexicon: str, key: str) -> re.Pattern[str] | None:
    """The lexicon's `<key>_gate` words as one alternation of literal substrings: one scan, not one per word."""
    words = load_lexicon(lexicon).get(f"{key}_gate", ())
    return re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))) if words else None


@cache
def _cue(lexicon: str, key: str) -> tuple[re.Pattern[str] | None, re.Pattern[str]]:
    """The lexicon's `<key>_gate` words and its `<key>` cues as one regular expression on lowered text (cue lexicons
    are written in lowercase; matching lowered text is several times faster than IGNORECASE)."""
    return _gate(lexicon, key), re.compile(pattern_union(load_lexicon(lexicon)[key]))


def passes_gate(lowered: str, lexicon: str, key: str) -> bool:
    """The lexicon's fast test: one of its `<key>_gate` words is in the (lowercase) text, or it has none."""
    gate = _gate(lexicon, key)
    return gate is None or gate.search(lowered) is not None


@lru_cache(maxsize=256)  # readers ask of the same sentence twice, and of the sentence before it again
def has_cue(text: str, lexicon: str, key: str) -> bool:
    gate, pattern = _cue(lexicon, key)
    lowered = text.lower()
    return (gate is None or gate.search(lowered) is not None) and pattern.search(lowered) is not None


@cache
def _section_number() -> re.Pattern[str]:
    return re.compile(load_lexicon("sentences")["section_number"])


def section_number_end(text: str) -> int:
    """Where a heading's number glued to the start of a sentence ends ("3 Implantation of SVF ..."), or 0."""
    found = _section_number().match(text)
    return found.end("number") if found else 0
