"""Reading the doses of a sentence or a table cell: normalise, scan, group, interpret, label.

A cheap prefilter first spares most sentences the grammar: outside a dose
column a number is a dose only with a scale (a power of ten, an e-notation, a
magnitude word or abbreviation, a cell word), and a sentence without any of
them states no dose.
"""

from __future__ import annotations

import functools
import re

from extract.normalize.dose.arms import DoseSpan, label_cohorts, label_levels
from extract.normalize.dose.lists import group_items, has_connector, inherit_within
from extract.normalize.dose.quantity import is_finite, scan_items, to_dose
from extract.normalize.dose.vocabulary import units
from extract.normalize.numbers import (
    NUMBER,
    MappedText,
    magnitude_abbreviations,
    magnitude_words,
    normalize_mapped,
    regex_alternation,
    word_number_pattern,
)
from extract.normalize.values import Dose

_CITATION = re.compile(r"\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]")
_BETWEEN = re.compile(rf"(?i:\bbetween)\s+({NUMBER})\s+(?i:and)\s+({NUMBER})")
_TO_RANGE = re.compile(rf"({NUMBER})\s+(?i:to)\s+({NUMBER})")
_PARENTHESIS = re.compile(r"\(([^()]*)\)")


def parse_doses(
    text: str,
    header_multiplier: float | None = None,
    default_per: str | None = None,
) -> list[Dose]:
    """Every dose stated in ``text`` (a sentence or a table cell), in order.

    ``header_multiplier`` is the table header's unit in 10^6 cells (1.0 for
    "× 10^6 cells"; see :func:`header_multiplier`): giving it says the text is
    a dose cell, so bare numbers count. ``default_per`` is the header's
    denominator ("cells/kg"), used where the cell names none; otherwise a dose
    has a ``per`` only where its own words state one.
    Never raises on odd text: what it cannot read it leaves out.
    """
    return [dose for _, _, dose in find_doses(text, header_multiplier, default_per)]


def find_doses(
    text: str,
    header_multiplier: float | None = None,
    default_per: str | None = None,
) -> list[DoseSpan]:
    """:func:`parse_doses` with where each dose is written: ``(start, end,
    dose)`` offsets into ``text`` itself (``text[start:end]`` is e.g.
    ``"0.3 M/kg"``, or ``"20"`` for the first member of ``"20, 100, or 200 ×
    10^6"``), so evidence can point at the words."""
    if header_multiplier is None and not may_state_a_prose_dose(text):
        return []
    if _is_not_applicable(text) or not _may_state_a_number(text):
        return []
    mapped = _prepare(text, header_multiplier is not None)
    normal = mapped.text
    found: list[DoseSpan] = []
    starts: list[int] = []
    for group in group_items(scan_items(normal), normal):
        if has_connector(group, normal):
            inherit_within(group, normal)
        for item in group:
            dose = to_dose(item, normal, header_multiplier, default_per)
            if dose is not None and is_finite(dose):
                start, end = mapped.span(item.start, _trim_end(normal, item.start, item.end))
                found.append((start, end, dose))
                starts.append(item.start)
    return label_cohorts(label_levels(found, starts, normal), normal)


def _trim_end(normal: str, start: int, end: int) -> int:
    """Item matches may end in spaces or a ``)``; evidence should not."""
    while end > start and normal[end - 1] in " )":
        end -= 1
    return end


# Every dose item starts with digits (or superscript digits) or a number word,
# and normalising never creates either.
_DIGIT = re.compile(r"[\d⁰¹²³⁴⁵⁶⁷⁸⁹]")


@functools.cache
def _number_word() -> re.Pattern[str]:
    return re.compile(word_number_pattern(), re.VERBOSE)


def _may_state_a_number(text: str) -> bool:
    """False when no dose can be read: many sentences, spared the normalising."""
    return _DIGIT.search(text) is not None or _number_word().search(text) is not None


# A power of ten as papers and their exports write it: 10^6, 10⁶, "× 10" with its exponent lost,
# PubMed's "10(6)", "times 10".
_POWER_OF_TEN = re.compile(
    r"10[\s\u200b]*[\^⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]|10\(\d|(?:[×xX*·]|\\times|\\cdot|\b[Tt]imes)[\s\u200b$]*10"
)
_E_NOTATION = re.compile(r"\d[eE][+-]?\d")


@functools.cache
def _scale_words() -> tuple[tuple[str, ...], tuple[str, ...], re.Pattern[str], re.Pattern[str]]:
    words = set(magnitude_words())
    # "million" finds "millions" too: only the words that contain no other need looking for.
    shortest = _not_containing_another(words)
    # A cell word is a token that ends in a lexicon suffix (is_cell_word), so the suffix ends a word:
    # "discussion" holds "isc" and "vascular" "asc", but neither is a cell word.
    suffixes = {w.lower() for w in units()["cell_word_suffixes"]}
    cell_word_end = re.compile(rf"(?:{regex_alternation(list(suffixes))})(?![a-z0-9])")
    # The dose grammar reads an abbreviation only after a number ("100 M"), never inside a word ("SEM", "TNM");
    # each branch starts with its letters so the regex engine can skip ahead to them.
    not_in_a_word = "|".join(
        f"{re.escape(a)}(?<![A-Z]{re.escape(a)})" for a in sorted(magnitude_abbreviations(), key=len, reverse=True)
    )
    abbreviations = re.compile(rf"(?:{not_in_a_word})(?![A-Za-z])")
    return shortest, _not_containing_another(suffixes), cell_word_end, abbreviations


def _not_containing_another(words: set[str]) -> tuple[str, ...]:
    return tuple(sorted(w for w in words if not any(other != w and other in w for other in words)))


def may_state_a_prose_dose(text: str) -> bool:
    """False when the prose ``text`` holds nothing that could scale a number into a dose."""
    if ("10" in text and _POWER_OF_TEN.search(text)) or _E_NOTATION.search(text):
        return True
    words, suffixes, cell_word_end, abbreviations = _scale_words()
    lowered = text.lower()
    for word in words:
        if word in lowered:
            return True
    for suffix in suffixes:  # plain substring tests first: most sentences hold none
        if suffix in lowered:
            if cell_word_end.search(lowered):
                return True
            break
    return abbreviations.search(text) is not None


def _is_not_applicable(text: str) -> bool:
    stripped = text.strip().lower()
    return not stripped or stripped in units()["not_applicable"]


def _prepare(text: str, table_mode: bool) -> MappedText:
    """Normalise numbers, drop citations and statistics, unify range words,
    keeping offsets into ``text``."""
    mapped = normalize_mapped(text, cell_context=table_mode)
    mapped = mapped.sub(_CITATION, lambda m: " " * len(m.group(0)))
    mapped = mapped.sub(_PARENTHESIS, _drop_statistics)
    mapped = mapped.sub(_BETWEEN, r"\1–\2")
    return mapped.sub(_TO_RANGE, r"\1–\2")


def _drop_statistics(match: re.Match[str]) -> str:
    """Blank a parenthesis of statistics ("(inter-quartile range 53.8)"), unless it is the only place the dose is
    stated: a mean or median with no number before it ("the MSCs (mean: 61.5 × 10^6 cells per patient)")."""
    inside = match.group(1).lower()
    statistics = {found.group(0) for found in _statistic_word().finditer(inside)}
    if not statistics:
        return match.group(0)
    central = set(units()["central_statistic_words"])
    if statistics <= central and not re.search(r"\d", match.string[: match.start()]):
        return match.group(0)
    return " " * len(match.group(0))


@functools.cache
def _statistic_word() -> re.Pattern[str]:
    words = "|".join(re.escape(word) for word in units()["statistic_words"])
    return re.compile(rf"(?<![\w.])(?:{words})(?![\w])")
