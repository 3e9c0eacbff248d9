"""Safety statements, kept as the paper writes them: the clause that names adverse events or their absence."""

from __future__ import annotations

import re
from functools import cache

from extract.fields.evidence import FieldMention
from extract.fields.reading import SentenceText, cue_pattern, has_cue, passes_gate
from extract.paths import load_lexicon

LEXICON = "safety"
RULE = "prose.safety>lexicons/safety.json"


@cache
def _lexicon() -> dict:
    return load_lexicon(LEXICON)


def _clause(text: str, at: int) -> tuple[int, int]:
    """The clause around position `at`: cut at the lexicon's clause breaks, without a lead-in phrase or end mark."""
    begin, end = 0, len(text)
    lowered = text.lower()
    for mark in _lexicon()["clause_breaks"]:
        for found in (m.start() for m in re.finditer(re.escape(mark), lowered)):
            if found + len(mark) <= at:
                begin = max(begin, found + len(mark))
            elif found >= at:
                end = min(end, found)
    lead = re.match(_lexicon()["lead_in"], lowered[begin:end])
    if lead:
        begin += lead.end()
    while end > begin and text[end - 1] in " .;,":
        end -= 1
    return begin, end


def safety_mentions(sentence: SentenceText) -> list[FieldMention]:
    # Methods say what was assessed and who was eligible; findings are stated elsewhere.
    if sentence.section_kind.value not in _lexicon()["sections"]:
        return []
    if not passes_gate(sentence.text.lower(), LEXICON, "cues"):
        return []
    # A finding says what happened to the patients; a plan or a description of a disease says nothing of that.
    if not has_cue(sentence.text, LEXICON, "finding_cues") or has_cue(sentence.text, LEXICON, "plan_cues"):
        return []
    found = list(cue_pattern(LEXICON, "cues").finditer(sentence.text))
    if not found:
        return []
    spans = sorted({_clause(sentence.text, m.start()) for m in found})
    return [sentence.mention("safety", sentence.text[b:e], RULE, b, e) for b, e in spans if e - b > 3]
