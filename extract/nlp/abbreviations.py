"""scispaCy's abbreviation detector, keeping the definitions and leaving the occurrences to us.

For every definition it finds ("mesenchymal stromal cells (MSC)"), scispaCy's
detector adds a pattern to a Matcher and runs it over the whole paragraph again
to collect the later occurrences of the short form: one more full Matcher pass
for every paragraph that defines anything, a large share of a paper's
processing time. We never read those occurrences from the Doc: the readers
look every word up in the document-wide table of definitions
(`extract/fields/prose.py`), which finds them in every paragraph, not only the
defining one. So this detector finds the same definitions by the same
Schwartz & Hearst algorithm (scispaCy's own `filter_matches` and
`find_abbreviation`, over the bracket pairs of `parentheses.py`) and stops there.

What it sets: `doc._.abbreviations` (scispaCy's extension, kept under its name
so code written for scispaCy reads it) holds one span per *definition*: the
short form where the document defines it ("MSC" in "mesenchymal stromal cells
(MSC)"), with `span._.long_form` the long form's span. Unlike scispaCy's
detector, it holds no later uses of the short form. The component is registered
and added as `msc_abbreviation_definitions`, not under scispaCy's name, since it
behaves differently.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span
from scispacy.abbreviation import AbbreviationDetector, find_abbreviation

from extract.nlp.parentheses import ParenthesisPairs


class DefinitionDetector(AbbreviationDetector):
    """`doc._.abbreviations`: each short form where the document defines it, with `span._.long_form` set."""

    def __init__(self, nlp: Language, name: str = "msc_abbreviation_definitions", make_serializable: bool = False) -> None:
        super().__init__(nlp, name, make_serializable)
        self.matcher = ParenthesisPairs(nlp.vocab)

    def find_matches_for(self, filtered: list[tuple[Span, Span]], doc: Doc) -> list[tuple[Span, set[Span]]]:
        # scispaCy's loop, without the global matcher: the first definition of each long and short form wins.
        definitions: list[tuple[Span, set[Span]]] = []
        seen_long: set[str] = set()
        seen_short: set[str] = set()
        for long_candidate, short_candidate in filtered:
            short, long = find_abbreviation(long_candidate, short_candidate)
            if long is None or long.text in seen_long or short.text in seen_short:
                continue
            seen_long.add(long.text)
            seen_short.add(short.text)
            definitions.append((long, {short}))
        return definitions


@Language.factory("msc_abbreviation_definitions", default_config={"make_serializable": False})
def make_definition_detector(nlp: Language, name: str, make_serializable: bool) -> DefinitionDetector:
    return DefinitionDetector(nlp, name, make_serializable)
