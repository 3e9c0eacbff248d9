"""Parenthesised spans for scispaCy's abbreviation detector, found without a Matcher.

The detector asks a spaCy Matcher for every ``( … )`` with at least one token
inside (pattern ``"(" + ")"``), which on a long paragraph means every pair of
an opening and a later closing bracket, a large share of a paper's whole
processing time. The detector then drops every span longer than eight tokens
inside the brackets, so only pairs close enough to survive that are produced
here, in the order the Matcher gives them (by closing bracket, then the nearest
opening bracket first): the abbreviations found are the same.
"""

from __future__ import annotations

from spacy.attrs import ORTH
from spacy.tokens import Doc
from spacy.vocab import Vocab

# scispaCy's filter_matches: "Ignore spans with more than 8 words in them".
MAX_INSIDE = 8


class ParenthesisPairs:
    """Called like the detector's Matcher: ``(match_id, start, end)`` for each ``( … )``."""

    def __init__(self, vocab: Vocab):
        self.match_id = vocab.strings.add("parenthesis")
        self.open = vocab.strings.add("(")
        self.close = vocab.strings.add(")")

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        orths = doc.to_array(ORTH).tolist()
        matches: list[tuple[int, int, int]] = []
        opened: list[int] = []
        for position, orth in enumerate(orths):
            if orth == self.open:
                opened.append(position)
            elif orth == self.close:
                for start in reversed(opened):
                    inside = position - start - 1
                    if inside > MAX_INSIDE:
                        break
                    if inside >= 1:
                        matches.append((self.match_id, start, position + 1))
        return matches
