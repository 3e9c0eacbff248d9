"""The text the NLP stage reads: the paper's own characters, with dash variants made one and numbers
that exports broke at a full stop ("0. 5x106 cells") kept in one sentence.

Papers write the hyphen of "intra-articular" as U+2010, U+2011 or a minus sign
as often as the ASCII hyphen; rules should not have to list every variant.
Each character is replaced by one character, so offsets into the paper stay
exact and evidence is still sliced from the paper's own text.
"""

from __future__ import annotations

import re

from extract.normalize.numbers import without_broken_number_stops

_HYPHEN_LOOK_ALIKES = "\u2010\u2011\u2012\u2043\ufe63\uff0d"
_HYPHENS = str.maketrans({c: "-" for c in _HYPHEN_LOOK_ALIKES})
# Most paragraphs hold none: one scan in C to find out costs less than translating every character through a dict.
_ANY_HYPHEN_LOOK_ALIKE = re.compile(f"[{_HYPHEN_LOOK_ALIKES}]")
# An en or em dash, or a minus sign, between two letters joins a compound ("marrow–derived");
# between digits it is a range ("0.5–1.0") and stays as written.
_DASH_IN_WORD = re.compile(r"(?<=[^\W\d_])[\u2013\u2014\u2212](?=[^\W\d_])")
# A slash between words joins alternatives the tokenizer would keep as one word
# ("Umbilical Cord/Placenta-Derived"); between letters it reads as a space.
_SLASH_IN_WORDS = re.compile(r"(?<=[^\W\d_]{2})/(?=[^\W\d_]{2})")


def text_for_nlp(text: str) -> str:
    """`text` with hyphen look-alikes as '-', word/word as two words and no full stop inside a broken number
    ("0. 5x106"), of exactly the same length."""
    if _ANY_HYPHEN_LOOK_ALIKE.search(text):
        text = text.translate(_HYPHENS)
    text = without_broken_number_stops(text)
    if "\u2013" in text or "\u2014" in text or "\u2212" in text:
        text = _DASH_IN_WORD.sub("-", text)
    if "/" in text:
        text = _SLASH_IN_WORDS.sub(" ", text)
    return text
