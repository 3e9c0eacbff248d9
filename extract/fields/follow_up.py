"""How long a trial followed its patients: "followed up at 2 months" is `months=2`, "4–6 years post" is `low=48;high=72`."""

from __future__ import annotations

from extract.fields.evidence import FieldMention
from extract.fields.reading import SentenceText, has_cue
from extract.normalize.durations import find_follow_up_span

RULE = "prose.follow_up>normalize.durations"


def follow_up_mentions(sentence: SentenceText) -> list[FieldMention]:
    if not has_cue(sentence.text, "follow_up", "cues"):
        return []
    found = find_follow_up_span(sentence.text)
    if found is None:
        return []
    begin, end, value = found
    return [sentence.mention("follow_up", value, RULE, begin, end)]
