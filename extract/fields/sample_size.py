"""How many patients a trial enrolled, treated and kept as controls.

"18 patients ... the cell group (n = 9) or the control group (n = 9)" gives
total 18, treated 9, control 9. Counts are read only in sentences about
enrolment, and breakdowns ("15 women and 3 men") are not head counts.
"""

from __future__ import annotations

import re
from functools import cache

from extract.fields.evidence import FieldMention
from extract.fields.reading import SentenceText, has_cue, passes_gate, section_number_end
from extract.normalize.numbers import parse_word_number
from extract.normalize.results import find_sample_size_spans
from extract.paths import load_lexicon

LEXICON = "sample_size"
RULE = "prose.sample_size>normalize.results"
SINGLE_ARM = ":single_arm"  # a total read as the count of the one arm a sentence names


@cache
def _lexicon() -> dict:
    return load_lexicon(LEXICON)


def _last_cue(text: str, key: str) -> int:
    positions = [m.end() for p in _lexicon()[key] for m in re.finditer(p, text, re.IGNORECASE)]
    return max(positions, default=-1)


def _arm_after(text: str, end: int) -> str | None:
    for cue in _lexicon()["arm_after"]:
        if re.search(cue["pattern"], text[end:], re.IGNORECASE):
            return cue["arm"]
    return None


def _group(text: str, begin: int, end: int) -> str:
    if re.search(_lexicon()["control_received_after"], text[end:], re.IGNORECASE):
        return "control"  # "... MSCs and one patient will receive placebo": the words after say it, whatever came before
    if re.search(_lexicon()["assigned_to_cells_after"], text[end:], re.IGNORECASE):
        return "treated"  # "41 patients were randomly selected to receive four infusions of UC-MSCs"
    window = text[max(0, begin - int(_lexicon()["group_window_chars"])) : begin]
    if re.search(_lexicon()["total_right_before"], window, re.IGNORECASE):
        return "total"  # "Treatment group Total (N = 30)"
    # Only this clause's words: in "ten received placebo and 20 patients received MSCs" the placebo is the others'.
    window = re.split(_lexicon()["clause_boundary"], window)[-1]
    treated, control = _last_cue(window, "treated_cues"), _last_cue(window, "control_cues")
    if treated > control:
        return "treated"
    if control > treated:
        return "control"
    if arm := _arm_after(text, end):
        return arm
    if re.search(_lexicon()["administered_in"], text[:begin], re.IGNORECASE):
        return "treated"
    if any(re.search(p, text[end:], re.IGNORECASE) for p in _lexicon()["total_after"]):
        return "total"
    if _control_after(text, end):
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
    if passes_gate(text.lower(), LEXICON, "single_case_cues") and (single := _single_case(sentence)):
        return single
    if not passes_gate(text.lower(), LEXICON, "counts"):
        return []
    if not has_cue(text, LEXICON, "enrolment_cues"):
        return _stated_as_a_field(sentence, [])
    if re.search(_lexicon()["per_subgroup_sentence"], text, re.IGNORECASE):
        return []
    breakdown = set(_lexicon()["breakdown_nouns"])
    per_arm = _per_arm_counts(sentence)
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
        if re.search(_lexicon()["statistics_before"], text[max(0, begin - 80) : begin], re.IGNORECASE):
            continue  # "(all p<0.05, paired t test, n=12)": those analysed at one time
        if re.search(_lexicon()["other_groups"], text[max(0, begin - 60) : begin], re.IGNORECASE):
            continue  # "a validation cohort of 40 patients": not the trial's
        if _belongs_elsewhere(text, begin, end) or begin < section_number_end(text):
            continue
        each = re.search(_lexicon()["per_group_after"], text[end:], re.IGNORECASE)
        if each or _overlaps(per_arm, sentence.start + begin, sentence.start + end):
            continue  # "2 recipients each", "each group will have 35 subjects": read by _per_arm_counts
        group = "control" if re.search(_lexicon()["control_between"], words, re.IGNORECASE) else _group(text, begin, end)
        if re.search(_lexicon()["subgroup_before"], text[max(0, begin - 20) : begin], re.IGNORECASE):
            # "the first five subjects" is part of an arm; "the remaining 15 patients will comprise the control group" is one.
            group = _arm_after(text, end) or _control_after(text, end)
            if group is None:
                continue
        mentions.append(sentence.mention("sample_size", f"{group}={count}", RULE, begin, end))
    mentions += _bare_arm_counts(sentence, mentions) + per_arm + _stated_as_a_field(sentence, mentions)
    if len(mentions) == 1 and not has_cue(text, LEXICON, "control_words"):
        only = mentions[0]
        count = only.value.split("=", 1)[1]
        # "All ten patients received the cells", and nothing of a control: a single arm, both its total and its treated.
        if only.value.startswith("treated="):
            mentions.append(only.model_copy(update={"value": f"total={count}", "rule": f"{RULE}{SINGLE_ARM}"}))
        # "50 cases of avascular necrosis treated with autologous MSCs were included": the same, said the other way.
        elif re.search(_lexicon()["treated_with_cells_after"], text[only.end - sentence.start :], re.IGNORECASE):
            mentions.append(only.model_copy(update={"value": f"treated={count}"}))
    return mentions


def _belongs_elsewhere(text: str, begin: int, end: int) -> bool:
    """The number is a power of ten, a name's number, a time point or a section number, or the count is of one
    group's part, of those measured at one time, or of a history: "10(6) BMSC", "GMFM-66 score in subjects",
    "at Month 12 participants", "3 Patient Population", "five subjects from the group 5 dosing level",
    "after 4 weeks (n = 24)", "16 patients were previously non-responders"."""
    before, after = text[max(0, begin - 40) : begin], text[end:]
    return (
        any(re.search(p, before, re.IGNORECASE) for p in _lexicon()["not_counts_before"])
        or re.search(_lexicon()["not_counts_after"], after, re.IGNORECASE) is not None
        or re.search(_lexicon()["heading_after"], after, re.IGNORECASE) is not None
        or re.search(_lexicon()["subset_after"], after, re.IGNORECASE) is not None
    )


def _stated_as_a_field(sentence: SentenceText, found: list[FieldMention]) -> list[FieldMention]:
    """"Number of patients: 10", "Sample Size: 9": a registry field written into the text."""
    if not passes_gate(sentence.text.lower(), LEXICON, "stated_as_a_field"):
        return []
    mentions: list[FieldMention] = []
    for pattern in _lexicon()["stated_as_a_field"]:
        for match in re.finditer(pattern, sentence.text, re.IGNORECASE):
            if not _overlaps(found + mentions, sentence.start + match.start("n"), sentence.start + match.end("n")):
                mentions.append(sentence.mention("sample_size", f"total={int(match.group('n'))}", RULE, match.start(), match.end()))
    return mentions


def _overlaps(mentions: list[FieldMention], start: int, end: int) -> bool:
    """Whether document offsets start..end overlap one of the mentions."""
    return any(m.start < end and start < m.end for m in mentions)


def _control_after(text: str, end: int) -> str | None:
    return "control" if any(re.search(p, text[end:], re.IGNORECASE) for p in _lexicon()["control_after"]) else None


def _bare_arm_counts(sentence: SentenceText, found: list[FieldMention]) -> list[FieldMention]:
    """"20 patients in the experimental group and 10 in the control group": the 10 has no noun of its own."""
    mentions = []
    for match in re.finditer(_lexicon()["bare_arm_counts"], sentence.text, re.IGNORECASE):
        start, end = sentence.start + match.start("n"), sentence.start + match.end()
        if _overlaps(found + mentions, start, end):
            continue
        arm = "control" if match.group("arm").lower() in _lexicon()["control_arm_words"] else "treated"
        mentions.append(sentence.mention("sample_size", f"{arm}={int(match.group('n'))}", RULE, match.start("n"), match.end()))
    return mentions


def _count(word: str) -> int | None:
    return int(word) if word.isdigit() else parse_word_number(word.lower())


def _per_arm_counts(sentence: SentenceText) -> list[FieldMention]:
    """"Each group will have 35 subjects" in a randomised, controlled trial: the control arm holds 35. The treated
    may be several arms of that size, so only the control's count is certain, unless there are two groups."""
    if not re.search(_lexicon()["randomised_or_controlled"], f"{sentence.previous} {sentence.text}", re.IGNORECASE):
        return []
    mentions = []
    for match in re.finditer(_lexicon()["two_arm_counts"], sentence.text, re.IGNORECASE):
        count = _count(match.group("n"))
        if count:
            mentions += [
                sentence.mention("sample_size", f"{arm}={count}", RULE, match.start(), match.end()) for arm in ("treated", "control")
            ]
    for pattern in _lexicon()["per_arm_counts"]:
        for match in re.finditer(pattern, sentence.text, re.IGNORECASE):
            count = _count(match.group("n"))
            if not count or _overlaps(mentions, sentence.start + match.start(), sentence.start + match.end()):
                continue
            mentions.append(sentence.mention("sample_size", f"control={count}", RULE, match.start("n"), match.end()))
    return mentions
