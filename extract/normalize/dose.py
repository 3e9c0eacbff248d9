"""Cell doses, from every way papers write them, to FIELD_GUIDE `Dose` records.

Units. Cell counts are normalised to units of 10^6 cells (``unit="1e6 cells"``)
whatever the paper wrote: ``2×10^8 cells`` is 200, ``150 million`` is 150,
``25 M`` is 25, ``500,000 cells`` is 0.5. One exception: a count written with
an explicit power of ten below 10^6 keeps it as its unit, so ``2.65 × 10^4
ISCs/kg`` is ``value=2.65;unit=1e4 cells;per=kg`` (the gold for seed 004 does
the same; such powers mark small-count products such as islet-like cells, and
a reader recognises the paper's own number). All arithmetic is decimal, so
values carry no float noise and serialise exactly. Volumes keep their own unit
(``103.14 mL`` -> value 103.14, unit ``mL``).

What is a dose. In prose (``header_multiplier=None``) a number is a cell dose
only when it carries its own magnitude (``× 10^6``, ``10⁶``, ``million``,
``M``, ``1e6``) or a cell word (``500,000 cells``); ``million``/``× 10^N`` must
also be followed by cells, a denominator or a connector, so ``632 million
people`` is not a dose. In a table cell under a dose header
(``header_multiplier`` given, see :func:`header_multiplier`) bare numbers are
doses in the header's unit, and volumes are doses too.

Per. ``/kg``, ``per kg``, ``cells/infusion``, ``M/disc``, ``/10 LV sites``
give ``per``; a number of sites (``/10–16 viable sites``) is dropped because
`Dose` has no field for it (value 61.5, per ``site``). ``per 3 ml`` is the
volume the cells came in and leaves ``per`` alone; ``cells/cm2`` and
``cells/mL`` are densities, not doses, and give nothing.

Lists and ranges. ``20, 100, or 200 (× 10^6)`` and ``0.5, 1.6 and 5/kg`` are
several doses sharing the last member's magnitude and denominator (only when
the list has an "or"/"and", so ``In 2009, 27.68 million`` stays apart);
``0.5–1.0/kg`` and ``between 15.1 and 51.6 million`` are ranges (low/high).
``3.08 ± 0.52`` is 3.08: `Dose` has no field for the spread, so it is dropped,
as are statistics in parentheses (``(inter-quartile range 53.8)``).

Arms. ``100 M-treated group`` gives arm ``100M``; ``cohorts A, B, C`` label
as many unlabelled doses in order.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import get_args

from extract.normalize.common import join_pairs, load_lexicon, split_pairs
from extract.normalize.numbers import (
    NUMBER,
    format_number,
    is_cell_word,
    magnitude_abbreviations,
    magnitude_words,
    MappedText,
    normalize_mapped,
    normalize_numeric_text,
    parse_word_number,
    regex_alternation,
    split_e_notation,
    to_float,
    word_number_pattern,
)
from extract.schema import Dose

CELL_UNIT = "1e6 cells"
CELL_EXPONENT = 6
PER_VALUES: tuple[str, ...] = get_args(Dose.model_fields["per"].annotation)

_CITATION = re.compile(r"\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]")
_BETWEEN = re.compile(rf"(?i:\bbetween)\s+({NUMBER})\s+(?i:and)\s+({NUMBER})")
_TO_RANGE = re.compile(rf"({NUMBER})\s+(?i:to)\s+({NUMBER})")
_RANGE_GAP = re.compile(r"^\s*(?:–|-|to)\s*$")
_PARENTHESIS = re.compile(r"\(([^()]*)\)")
_LIST_SEPARATOR = re.compile(r"^\s*(?:,\s*)?(?:(?P<conn>or|and|vs\.?|versus)\s+)?$", re.IGNORECASE)


@functools.cache
def _units() -> dict:
    return load_lexicon("dose_units")


@functools.cache
def _item_re() -> re.Pattern[str]:
    """One dose mention: amount (or range), ±spread, magnitude, cell word,
    denominator, arm. Case-sensitive except where wrapped in (?i:...), so the
    ``M`` of ``100 M`` is never the ``m`` of metres."""
    units = _units()
    magword = regex_alternation(list(magnitude_words()))
    abbr = regex_alternation(list(magnitude_abbreviations()))
    volume = regex_alternation(list(units["volume_units"]))
    per_words = list(units["per_units"]) + list(units["volume_units"]) + units["density_units"]
    per_unit = regex_alternation(per_words)
    arm_mod = regex_alternation(units["arm_modifiers"])
    arm_noun = regex_alternation(units["arm_nouns"])
    cells = regex_alternation(units["cell_word_suffixes"])
    return re.compile(
        rf"""
        (?:
            (?P<power>(?<![\w.^])10\^(?P<power_exp>[+-]?\d{{1,2}})(?!\d))
          | (?P<low>{NUMBER}|{word_number_pattern()})
            (?:\s*–\s*(?P<high>{NUMBER}))?
        )
        (?P<percent>\s*%)?
        (?:\s*±\s*(?P<spread>{NUMBER}))?
        (?:
            \s*\(?\s*×\s*10\^(?P<exp>[+-]?\d{{1,2}})(?!\d)(?:\s*\))?
          | [\s-]*(?P<magword>(?i:{magword}))\b
          | \s*(?P<abbr>{abbr})(?![A-Za-z])
          | \s*(?P<volume>(?i:{volume}))\b
        )?
        (?P<cell>[\s-]+[\w-]{{0,30}}(?i:{cells})(?![\w]))?
        (?P<per>\s*(?:/|\s(?i:per)\s)\s*
            (?:(?P<per_count>{NUMBER}(?:\s*–\s*{NUMBER})?)\s*)?
            (?:[A-Za-z-]{{1,30}}\s+){{0,2}}?
            (?P<per_unit>(?i:{per_unit}))(?![\w^])
        )?
        (?P<arm>[\s-]*(?:(?i:{arm_mod})[\s-]*){{0,2}}(?i:{arm_noun})\b)?
        """,
        re.VERBOSE,
    )


@dataclass
class _Item:
    """One matched mention before list inheritance decides its magnitude."""

    start: int
    end: int
    low: Decimal
    high: Decimal | None
    from_word: bool
    percent: bool
    exponent: int | None
    volume: str | None
    cell: bool
    per: str | None
    density: bool
    denominator: bool
    arm: bool
    needs_context: bool


DoseSpan = tuple[int, int, Dose]
"""(start, end, dose): character offsets into the text given, and the dose."""


def parse_doses(
    text: str,
    header_multiplier: float | None = None,
    default_per: str | None = None,
) -> list[Dose]:
    """Every dose stated in ``text`` (a sentence or a table cell), in order.

    ``header_multiplier`` is the table header's unit in 10^6 cells (1.0 for
    "× 10^6 cells"; see :func:`header_multiplier`): giving it says the text is
    a dose cell, so bare numbers count. ``default_per`` is used where the text
    names no denominator (e.g. from a "cells/kg" header); otherwise ``total``.
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
    if header_multiplier is None and not _may_state_a_prose_dose(text):
        return []
    if _is_not_applicable(text) or not _may_state_a_number(text):
        return []
    table_mode = header_multiplier is not None
    mapped = _prepare(text, table_mode)
    normal = mapped.text
    found: list[DoseSpan] = []
    for group in _group(_scan_items(normal), normal):
        if _has_connector(group, normal):
            _inherit_within(group)
        for item in group:
            dose = _to_dose(item, normal, header_multiplier, default_per)
            if dose is not None and _finite(dose):
                start, end = mapped.span(item.start, _trim_end(normal, item.start, item.end))
                found.append((start, end, dose))
    return _label_cohorts(found, normal)


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


# Outside a dose column a number is a dose only with a scale (_scale): a power
# of ten (10^6, 10⁶, or "× 10" with its exponent lost in export), an e-notation,
# a magnitude word or abbreviation (the lexicon's), or a cell word.
_POWER_OF_TEN = re.compile(r"10[\s\u200b]*[\^⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]|(?:[×xX*·]|\\times|\\cdot)[\s\u200b$]*10")
_E_NOTATION = re.compile(r"\d[eE][+-]?\d")


@functools.cache
def _scale_words() -> tuple[tuple[str, ...], tuple[str, ...], re.Pattern[str], re.Pattern[str]]:
    words = set(magnitude_words())
    # "million" finds "millions" too: only the words that contain no other need looking for.
    shortest = _not_containing_another(words)
    # A cell word is a token that ends in a lexicon suffix (is_cell_word), so the suffix ends a word:
    # "discussion" holds "isc" and "vascular" "asc", but neither is a cell word.
    suffixes = {w.lower() for w in _units()["cell_word_suffixes"]}
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


def _may_state_a_prose_dose(text: str) -> bool:
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
    return not stripped or stripped in _units()["not_applicable"]


def _prepare(text: str, table_mode: bool) -> MappedText:
    """Normalise numbers, drop citations and statistics, unify range words,
    keeping offsets into ``text``."""
    mapped = normalize_mapped(text, cell_context=table_mode)
    mapped = mapped.sub(_CITATION, lambda m: " " * len(m.group(0)))
    mapped = mapped.sub(_PARENTHESIS, _drop_statistics)
    mapped = mapped.sub(_BETWEEN, r"\1–\2")
    return mapped.sub(_TO_RANGE, r"\1–\2")


def _drop_statistics(match: re.Match[str]) -> str:
    """Blank a parenthesis of statistics ("(inter-quartile range 53.8)")."""
    if _statistic_word().search(match.group(1).lower()):
        return " " * len(match.group(0))
    return match.group(0)


@functools.cache
def _statistic_word() -> re.Pattern[str]:
    words = "|".join(re.escape(word) for word in _units()["statistic_words"])
    return re.compile(rf"(?<![\w.])(?:{words})(?![\w])")


def _scan_items(normal: str) -> list[_Item]:
    items: list[_Item] = []
    for match in _item_re().finditer(normal):
        item = _item_from_match(match)
        if item is not None:
            items.append(item)
    return items


def _item_from_match(match: re.Match[str]) -> _Item | None:
    exponent: int | None = None
    from_word = False
    high: Decimal | None = None
    if match.group("power"):
        if match.string[max(0, match.start() - 3) : match.start()].rstrip().endswith("×"):
            return None  # "× 10^6" with its number outside the match (a header)
        low = Decimal(1)
        exponent = int(match.group("power_exp"))
    else:
        low_text = match.group("low")
        if low_text[0].isdigit() or low_text[0] == ".":
            low, e_exp = split_e_notation(low_text)
            exponent = e_exp if "e" in low_text.lower() else None
        else:
            word = parse_word_number(low_text)
            if word is None:
                return None
            low, from_word = Decimal(word), True
        if match.group("high"):
            high, high_exp = split_e_notation(match.group("high"))
            high = high.scaleb(high_exp)
    needs_context = False
    if match.group("exp"):
        exponent = (exponent or 0) + int(match.group("exp"))
        needs_context = True
    elif match.group("magword"):
        exponent = (exponent or 0) + magnitude_words()[match.group("magword").lower()]
        needs_context = True
    elif match.group("abbr"):
        exponent = (exponent or 0) + magnitude_abbreviations()[match.group("abbr")]
        needs_context = True
    elif exponent is not None:
        needs_context = True
    per, density = _read_denominator(match)
    cell_token = match.group("cell")
    return _Item(
        start=match.start(),
        end=match.end(),
        low=low,
        high=high,
        from_word=from_word,
        percent=bool(match.group("percent")),
        exponent=exponent,
        volume=_volume_unit(match.group("volume")),
        cell=bool(cell_token),
        per=per,
        density=density,
        denominator=bool(match.group("per")),
        arm=bool(match.group("arm")),
        needs_context=needs_context,
    )


def _volume_unit(word: str | None) -> str | None:
    if not word:
        return None
    return _units()["volume_units"][word.lower()]


def _read_denominator(match: re.Match[str]) -> tuple[str | None, bool]:
    """(per, is_density) for the ``/...`` or ``per ...`` after a dose.

    A volume with a number (``per 3 ml``) is the vehicle of the dose: no per,
    not a density. A bare volume or area (``cells/mL``, ``cells/cm2``) is a
    concentration or plating density.
    """
    unit = match.group("per_unit")
    if not unit:
        return None, False
    word = unit.lower()
    units = _units()
    if word in units["per_units"]:
        return units["per_units"][word], False
    if word in units["volume_units"] and match.group("per_count"):
        return None, False
    return None, True


def _group(items: list[_Item], normal: str) -> list[list[_Item]]:
    """Split items into lists joined only by commas/"or"/"and"; join
    ``0.5 × 10^6 – 1 × 10^6`` (a range whose ends both carry a magnitude)."""
    groups: list[list[_Item]] = []
    for item in items:
        if groups:
            previous = groups[-1][-1]
            gap = normal[previous.end : item.start]
            if _RANGE_GAP.match(gap) and _merge_range(previous, item):
                continue
            if _LIST_SEPARATOR.match(gap):
                groups[-1].append(item)
                continue
        groups.append([item])
    return [g for g in groups if g]


def _merge_range(left: _Item, right: _Item) -> bool:
    """Make ``left`` the range left–right if both are plain counts."""
    if left.high is not None or right.high is not None or left.percent or right.percent:
        return False
    if left.volume or right.volume or left.from_word or right.from_word:
        return False
    if left.exponent is None or right.exponent is None:
        return False
    left.high = right.low.scaleb(right.exponent - left.exponent)
    left.end = right.end
    left.per = left.per or right.per
    left.cell = left.cell or right.cell
    left.density = left.density or right.density
    left.denominator = left.denominator or right.denominator
    left.arm = left.arm or right.arm
    return True


def _has_connector(group: list[_Item], normal: str) -> bool:
    for left, right in zip(group, group[1:]):
        match = _LIST_SEPARATOR.match(normal[left.end : right.start])
        if match and match.group("conn"):
            return True
    return False


def _inherit_within(group: list[_Item]) -> None:
    """Give list members the magnitude, cell word and denominator stated once
    at the list's end ("20, 100, or 200 (× 10^6)", "0.5, 1.6 and 5/kg")."""
    if len(group) < 2:
        return
    exponent: int | None = None
    per: str | None = None
    cell = False
    needs_context = False
    for item in reversed(group):
        if item.percent or item.volume:
            continue
        if item.exponent is None and exponent is not None:
            item.exponent = exponent
            item.needs_context = needs_context
        if item.per is None:
            item.per = per
        item.cell = item.cell or cell
        if item.exponent is not None:
            exponent, needs_context = item.exponent, item.needs_context
        per = item.per or per
        cell = cell or item.cell


def _to_dose(
    item: _Item,
    normal: str,
    header_multiplier: float | None,
    default_per: str | None,
) -> Dose | None:
    if item.percent or item.density:
        return None
    table_mode = header_multiplier is not None
    per = item.per or _valid_per(default_per) or "total"
    if item.volume:
        if not table_mode or item.from_word:
            return None
        return _make_dose(item.low, item.high, 0, item.volume, per, None)
    scale = _scale(item, header_multiplier)
    if scale is None or not _plausible_exponent(item.exponent):
        return None
    counted = item.cell or item.denominator
    if item.needs_context and not counted and not _cell_context_after(normal, item.end):
        return None
    arm = _arm_label(item, scale) if item.arm else None
    if item.exponent is not None and 1 <= item.exponent < CELL_EXPONENT:
        return _make_dose(item.low, item.high, 0, f"1e{item.exponent} cells", per, arm)
    return _make_dose(item.low, item.high, scale, CELL_UNIT, per, arm)


def _plausible_exponent(exponent: int | None) -> bool:
    """No cell dose is written with a power of ten above 10^12 (or below 1)."""
    return exponent is None or 0 <= exponent <= int(_units()["max_cell_exponent"])


def _scale(item: _Item, header_multiplier: float | None) -> Decimal | int | None:
    """Power of ten (or header factor) taking the written number to 10^6 cells."""
    if item.exponent is not None:
        return item.exponent - CELL_EXPONENT
    if item.from_word:
        return None
    if header_multiplier is not None:
        return Decimal(repr(float(header_multiplier)))
    if item.cell and item.low >= Decimal(_units()["min_bare_cell_count"]):
        return -CELL_EXPONENT  # "500,000 cells"; "10 allo-MSC infusions" is no dose
    return None


def _make_dose(
    low: Decimal,
    high: Decimal | None,
    scale: Decimal | int,
    unit: str,
    per: str,
    arm: str | None,
) -> Dose:
    def convert(number: Decimal) -> float:
        if isinstance(scale, int):
            return to_float(number.scaleb(scale))
        return to_float(number * scale)

    if high is None:
        return Dose(value=convert(low), unit=unit, per=per, arm=arm)
    return Dose(low=convert(low), high=convert(high), unit=unit, per=per, arm=arm)


def _finite(dose: Dose) -> bool:
    numbers = [n for n in (dose.value, dose.low, dose.high) if n is not None]
    return all(math.isfinite(n) for n in numbers)


def _valid_per(per: str | None) -> str | None:
    return per if per in PER_VALUES else None


def _cell_context_after(normal: str, position: int) -> bool:
    """Is the number before ``position`` a count of cells (not of people or dollars)?"""
    rest = normal[position : position + 200]  # the next few words are enough
    stripped = rest.lstrip(" -")
    if stripped.startswith("/"):
        return False  # a denominator the grammar did not know ("11M/T")
    if not stripped or stripped[0] in ",.;:)([]":
        return True
    words = re.findall(r"[\w-]+", re.split(r"[.;)]", stripped, maxsplit=1)[0])
    if not words:
        return True
    if words[0].lower() in _units()["connectors"]:
        return True
    window = int(_units()["cell_window_words"])
    return any(is_cell_word(w) for w in words[:window])


def _arm_label(item: _Item, scale: Decimal | int) -> str:
    value = _make_dose(item.low, None, scale, CELL_UNIT, "total", None).value
    return f"{format_number(value)}M"


# ---------------------------------------------------------------- arms


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


def dose_arm_label(text: str) -> str | None:
    """The label of the one dose arm ``text`` names, or None.

    ``"100 M-treated group"`` -> ``"100M"``, ``"1 M-MSC group"`` -> ``"1M"``,
    ``"100M-group"`` -> ``"100M"``, ``"high-dose group"`` -> ``"high-dose"``,
    ``"cohort A"`` -> ``"A"``. Several cohorts (``"cohorts A, B, C"``) are not
    one arm: use :func:`cohort_labels`.
    """
    for dose in parse_doses(text):
        if dose.arm:
            return dose.arm
    normal = normalize_numeric_text(text)
    units = _units()
    level = regex_alternation(units["dose_level_words"])
    arm_noun = regex_alternation(units["arm_nouns"])
    match = re.search(rf"(?i:\b({level})[\s-]+dose[\s-]+(?:{arm_noun})\b)", normal)
    if match:
        return f"{match.group(1).lower()}-dose"
    labels = cohort_labels(normal)
    return labels[0] if len(labels) == 1 else None


def _label_cohorts(found: list[DoseSpan], normal: str) -> list[DoseSpan]:
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


# ---------------------------------------------------------------- headers


def header_multiplier(header: str) -> float | None:
    """How many 10^6 cells one unit of a dose column is, from its header.

    ``"Single dose of MSCs ($\\times 10^6$ cells)"`` -> 1.0 (values already in
    10^6 cells); ``"(× 10^5 cells)"`` -> 0.1; ``"(million cells)"`` -> 1.0.
    None when the header states no magnitude: the cells must then say it.
    """
    normal = normalize_numeric_text(header)
    match = re.search(r"(?<![\w.])(?:1\s*×\s*)?10\^([+-]?\d+)", normal)
    if match:
        return to_float(Decimal(1).scaleb(int(match.group(1)) - CELL_EXPONENT))
    words = re.search(rf"(?i:\b({regex_alternation(list(magnitude_words()))})\b)", normal)
    if words:
        exponent = magnitude_words()[words.group(1).lower()]
        return to_float(Decimal(1).scaleb(exponent - CELL_EXPONENT))
    abbr = re.search(rf"(?<![\w])({regex_alternation(list(magnitude_abbreviations()))})(?![A-Za-z])", normal)
    if abbr:
        exponent = magnitude_abbreviations()[abbr.group(1)]
        return to_float(Decimal(1).scaleb(exponent - CELL_EXPONENT))
    return None


def header_per(header: str) -> str | None:
    """The denominator a dose header states (``"cells/kg"`` -> ``"kg"``), else None."""
    per_units = _units()["per_units"]
    pattern = rf"(?:/|\bper\s+)\s*({regex_alternation(list(per_units))})\b"
    match = re.search(pattern, normalize_numeric_text(header), re.IGNORECASE)
    return per_units[match.group(1).lower()] if match else None


# ---------------------------------------------------------------- serialised form

_DOSE_NUMBER_KEYS = ("value", "low", "high")


def serialise_dose(dose: Dose) -> str:
    """FIELD_GUIDE form: ``value=100;unit=1e6 cells;per=total;arm=100M`` or
    ``low=0.5;high=1;unit=1e6 cells;per=kg``. Numbers are the shortest exact
    decimal (``0.5``, ``100``); unit and per are always written."""
    pairs: list[tuple[str, str]] = []
    for key in _DOSE_NUMBER_KEYS:
        number = getattr(dose, key)
        if number is not None:
            pairs.append((key, format_number(number)))
    pairs.append(("unit", dose.unit))
    pairs.append(("per", dose.per))
    if dose.arm is not None:
        pairs.append(("arm", dose.arm))
    return join_pairs(pairs)


def parse_serialised_dose(text: str) -> Dose:
    """Inverse of :func:`serialise_dose`; also reads hand-written gold rows
    (any key order, spaces, missing unit/per take the FIELD_GUIDE defaults).
    Raises ValueError on an unknown key or an unreadable number."""
    pairs = split_pairs(text)
    unknown = set(pairs) - {*_DOSE_NUMBER_KEYS, "unit", "per", "arm"}
    if unknown:
        raise ValueError(f"unknown dose keys: {sorted(unknown)}")
    fields: dict[str, object] = {}
    for key in _DOSE_NUMBER_KEYS:
        if key in pairs:
            fields[key] = float(pairs[key])
    for key in ("unit", "per", "arm"):
        if key in pairs:
            fields[key] = pairs[key]
    return Dose(**fields)
