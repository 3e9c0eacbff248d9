"""What a sentence reader sees: the sentence, where it sits, and what the document defines.

Readers are pure functions from a `SentenceText` to `FieldMention`s; each
field family has its own module (`alloantibodies.py`, `disease.py`, ...) and
`prose.py` runs them all over every sentence, beside the spaCy matcher.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from extract.paths import load_lexicon
from extract.schema import FieldMention, SectionKind


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
def cue_patterns(lexicon: str, key: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in load_lexicon(lexicon)[key])


def has_cue(text: str, lexicon: str, key: str) -> bool:
    return any(p.search(text) for p in cue_patterns(lexicon, key))
