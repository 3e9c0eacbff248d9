"""How many patients a trial enrolled, treated and kept as controls.

"18 patients ... the cell group (n = 9) or the control group (n = 9)" gives
total 18, treated 9, control 9. Counts are read only in sentences about
enrolment, and breakdowns ("15 women and 3 men") are not head counts.
"""

from __future__ import annotations

import re
from functools import cache

from extract.fields.evidence import FieldMention
from extract.fields.reading import SentenceText, has_cue, passes_gate
from extract.normalize.results import find_sample_size_spans
from extract.paths import load_lexicon

LEXICON = "sample_size"
RULE = "prose.sample_size>normalize.results"


@cache
def _lexicon() -> dict:
    return load_lexicon(LEXICON)


def _last_cue(text: str, key: str) -> int:
    positions = [m.end() for p in _lexicon()[key] for m in re.finditer(p, text, re.IGNORECASE)]
    return max(positions, default=-1)


def _group(text: str, begin: int, end: int) -> str:
    window = text[max(0, begin - int(_lexicon()["group_window_chars"])) : begin]
    treated, control = _last_cue(window, "treated_cues"), _last_cue(window, "control_cues")
    if treated > control:
        return "treated"
    if control > treated:
        return "control"
    if any(re.search(p, text[end:], re.IGNORECASE) for p in _lexicon()["total_after"]):
        return "total"
    if any(re.search(p, text[end:], re.IGNORECASE) for p in _lexicon()["control_after"]):
        return "control"
    if any(re.search(p, text[end:], re.IGNORECASE) for p in _lexicon()["treated_after"]):
        return "treated"
    return "total"


def _single_case(sentence: SentenceText) -> list[FieldMention]:
    for pattern in _lexicon()["single_case_cues"]:
        if (found := re.search(pattern, sentence.text, re.IGNORECASE)) is not None:
            return [sentence.mention("sample_size", "total=1", f"{RULE}:single_case", found.start(), found.end())]
    return []


def sample_size_mentions(sentence: SentenceText) -> list[FieldMention]:
    text = sentence.text
    if "case" in text.lower() and (single := _single_case(sentence)):
        return single
    if not has_cue(text, LEXICON, "enrolment_cues") or not passes_gate(text.lower(), LEXICON, "counts"):
        return []
    breakdown = set(_lexicon()["breakdown_nouns"])
    mentions = []
    for position, (begin, end, count) in enumerate(find_sample_size_spans(text)):
        words = text[begin:end]
        # "15 women and 3 men" break a count down; "40 adults" alone is the count.
        if (position > 0 and words.split()[-1].lower() in breakdown) or count == 0:
            continue
        if any(re.search(p, words, re.IGNORECASE) for p in _lexicon()["not_head_counts"]):
            continue
        if re.search(_lexicon()["after_a_percentage"], text[max(0, begin - 12) : begin]):
            continue  # "35% (n = 8)": patients with an outcome
        if re.search(_lexicon()["other_groups"], text[max(0, begin - 60) : begin], re.IGNORECASE):
            continue  # "a validation cohort of 40 patients": not the trial's
        if re.search(_lexicon()["per_group_after"], text[end:], re.IGNORECASE) or re.search(
            _lexicon()["subgroup_before"], text[max(0, begin - 20) : begin], re.IGNORECASE
        ):
            continue  # "2 recipients each", "the first five subjects"
        mentions.append(sentence.mention("sample_size", f"{_group(text, begin, end)}={count}", RULE, begin, end))
    # "All ten patients received the cells", and nothing of a control: a single arm, both its total and its treated.
    if len(mentions) == 1 and mentions[0].value.startswith("treated=") and not has_cue(text, LEXICON, "control_words"):
        only = mentions[0]
        mentions.append(only.model_copy(update={"value": "total=" + only.value.split("=", 1)[1]}))
    return mentions
