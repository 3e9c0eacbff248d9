"""Which arm of a trial a dose belongs to, where the paper names it.

Three ways papers name dose arms: the dose itself as the arm ("100 M-treated
group" is arm ``100M``, read by the quantity grammar), a dose level
("low dose (1 × 10^6 cells/kg) and high dose (5 × 10^6 cells/kg)" are arms
``low-dose`` and ``high-dose``), and lettered cohorts ("20, 100, or 200 million
cells (cohorts A, B, C)" give A, B, C to the doses in order).
"""

from __future__ import annotations

import functools
import re

from extract.normalize.dose.vocabulary import units
from extract.normalize.numbers import normalize_numeric_text, regex_alternation
from extract.normalize.values import Dose

DoseSpan = tuple[int, int, Dose]
"""(start, end, dose): character offsets into the text given, and the dose."""

_COHORT_LIST = re.compile(
    r"\b(?:[Cc]ohorts?|[Gg]roups?|[Aa]rms?)\s+"
    r"(?P<labels>[A-Z](?:(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+|\s*[–-]\s*)[A-Z])*)(?![\w-])"
)


def cohort_labels(text: str) -> list[str]:
    """``"cohorts A, B, C"`` -> ["A", "B", "C"]; ``"cohorts A–C"`` likewise."""
    match = _COHORT_LIST.search(normalize_numeric_text(text))
    if not match:
        return []
    raw = match.group("labels")
    labels: list[str] = []
    for part in re.split(r"\s*(?:,\s*(?:and\s+|or\s+)?|\band\s+|\bor\s+)\s*", raw):
        span = re.fullmatch(r"([A-Z])\s*[–-]\s*([A-Z])", part.strip())
        if span:
            labels.extend(chr(c) for c in range(ord(span.group(1)), ord(span.group(2)) + 1))
        elif part.strip():
            labels.append(part.strip())
    return labels


@functools.cache
def _level_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    lexicon = units()
    level = regex_alternation(lexicon["dose_level_words"])
    arm_noun = regex_alternation(lexicon["arm_nouns"])
    named = re.compile(rf"(?i:\b({level})[\s-]+dose[\s-]+(?:{arm_noun})\b)")
    # "low dose (1 × 10^6 cells/kg)", "the high-dose group: 5 × 10^6", "a low dose of 1 million cells"
    verbs = regex_alternation(lexicon["arm_verbs"])
    before = re.compile(
        rf"(?i:\b({level})[\s-]+dose(?:[\s-]+(?:{arm_noun}))?(?:\s+(?:{verbs}))?\s*(?:\(|:|=|,|\bof\b|\bat\b)?\s*)$"
    )
    return named, before


def level_arm_before(normal: str, start: int) -> str | None:
    """The dose level named right before the number at ``start`` ("high dose (" -> ``high-dose``)."""
    match = _level_patterns()[1].search(normal[max(0, start - 40) : start])
    return f"{match.group(1).lower()}-dose" if match else None


def label_levels(found: list[DoseSpan], normal_starts: list[int], normal: str) -> list[DoseSpan]:
    """Give each unlabelled dose the level named right before it."""
    out: list[DoseSpan] = []
    for (start, end, dose), normal_start in zip(found, normal_starts):
        if dose.arm is None:
            level = level_arm_before(normal, normal_start)
            if level:
                dose = dose.model_copy(update={"arm": level})
        out.append((start, end, dose))
    return out


def label_cohorts(found: list[DoseSpan], normal: str) -> list[DoseSpan]:
    """Give "cohorts A, B, C" to as many unlabelled doses, in order."""
    unlabelled = [i for i, (_, _, dose) in enumerate(found) if dose.arm is None]
    if not unlabelled:
        return found  # nothing to label: most sentences state no dose
    labels = cohort_labels(normal)
    if not labels or len(labels) != len(unlabelled):
        return found
    out = list(found)
    for index, label in zip(unlabelled, labels):
        start, end, dose = out[index]
        out[index] = (start, end, dose.model_copy(update={"arm": label}))
    return out


def dose_arm_label(text: str) -> str | None:
    """The label of the one dose arm ``text`` names, or None.

    ``"100 M-treated group"`` -> ``"100M"``, ``"1 M-MSC group"`` -> ``"1M"``,
    ``"100M-group"`` -> ``"100M"``, ``"high-dose group"`` -> ``"high-dose"``,
    ``"cohort A"`` -> ``"A"``. Several cohorts (``"cohorts A, B, C"``) are not
    one arm: use :func:`cohort_labels`.
    """
    # The reader labels doses with the arms here; the arm of a dose-named group needs the reader.
    from extract.normalize.dose.reader import parse_doses

    for dose in parse_doses(text):
        if dose.arm:
            return dose.arm
    normal = normalize_numeric_text(text)
    match = _level_patterns()[0].search(normal)
    if match:
        return f"{match.group(1).lower()}-dose"
    labels = cohort_labels(normal)
    return labels[0] if len(labels) == 1 else None
