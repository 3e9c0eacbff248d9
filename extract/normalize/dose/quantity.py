"""The grammar of one written quantity of cells, and what it means as a dose.

One mention is: an amount (or a range), an optional ``± spread``, a magnitude
(``× 10^6``, ``million``, ``M``, an e-notation), an optional cell word, an
optional denominator (``/kg``, ``per infusion``, ``/10 LV sites``), an optional
arm noun (``100 M-treated group``). Text reaches this grammar already
normalised by :mod:`extract.normalize.numbers`, so every power of ten is
``× 10^N`` whatever the paper wrote.

What a mention means:

- ``per`` only where the words say what the number is per: a denominator
  (``/kg``, ``per injection``) or a "total" cue (``a total of``, ``in total``).
  A bare count has none.
- A bound is not a dose: ``up to``, ``a maximum of``, ``not exceeding``,
  ``at least`` state a limit, not what a patient received.
- A count per volume is how the cells were suspended. ``cells/mL`` (a density)
  is never a dose; ``5 × 10^7 cells/10 mL``, ``per 3 ml``, ``in 2 mL`` are a
  dose only in a sentence that says the cells were given (``injected``,
  ``received``, ``a dose of``), and otherwise a product's concentration.
- In prose a number is a dose only with its own scale (a power of ten, a
  magnitude word, a cell word); under a dose column header bare numbers count.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal

from extract.normalize.dose.vocabulary import CELL_EXPONENT, CELL_UNIT, PER_VALUES, units
from extract.normalize.numbers import (
    NUMBER,
    format_number,
    is_cell_word,
    names_cells,
    magnitude_abbreviations,
    magnitude_words,
    parse_word_number,
    regex_alternation,
    split_e_notation,
    to_float,
    word_number_pattern,
)
from extract.normalize.values import Dose


@functools.cache
def item_re() -> re.Pattern[str]:
    """One dose mention. Case-sensitive except where wrapped in (?i:...), so the
    ``M`` of ``100 M`` is never the ``m`` of metres."""
    lexicon = units()
    magword = regex_alternation(list(magnitude_words()))
    abbr = regex_alternation(list(magnitude_abbreviations()))
    volume = regex_alternation(list(lexicon["volume_units"]))
    per_words = list(lexicon["per_units"]) + list(lexicon["volume_units"]) + lexicon["density_units"]
    per_unit = regex_alternation(per_words)
    arm_mod = regex_alternation(lexicon["arm_modifiers"])
    arm_noun = regex_alternation(lexicon["arm_nouns"])
    cells = regex_alternation(lexicon["cell_word_suffixes"])
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
        (?P<cell>(?:[\s-]+[A-Za-z][\w-]{{0,29}}){{0,2}}?[\s-]+[\w-]{{0,30}}(?i:{cells})(?![\w]))?
        (?P<per>\s*(?P<slash>/|\s(?i:per)\s)\s*
            (?:(?P<per_count>{NUMBER}(?:\s*–\s*{NUMBER})?)\s*)?
            (?:[A-Za-z-]{{1,30}}\s+){{0,2}}?
            (?P<per_unit>(?i:{per_unit}))(?![\w^])
        )?
        (?P<arm>[\s-]*(?:(?i:{arm_mod})[\s-]*){{0,2}}(?i:{arm_noun})\b)?
        """,
        re.VERBOSE,
    )


@dataclass
class Item:
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
    vehicle: bool
    cell_words: str | None
    denominator: bool
    arm: bool
    needs_context: bool


def scan_items(normal: str) -> list[Item]:
    items: list[Item] = []
    for match in item_re().finditer(normal):
        item = _item_from_match(match)
        if item is not None:
            items.append(item)
    return items


def _item_from_match(match: re.Match[str]) -> Item | None:
    exponent: int | None = None
    from_word = False
    high: Decimal | None = None
    if match.group("power"):
        before = match.string[max(0, match.start() - 3) : match.start()].rstrip()
        if before.endswith("×"):
            return None  # "× 10^6" with its number outside the match (a header)
        if before[-1:].isdigit():
            return None  # a mantissa this grammar cannot read ("1,5-3,0 10^6"): better no dose than 10^6
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
    if match.group("abbr") and _in_a_time_context(match.string, match.start()):
        return None  # "followed up at 2W-2M, 2M-12M": M for months
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
    per, density, vehicle = _read_denominator(match)
    return Item(
        start=match.start(),
        end=match.end(),
        low=low,
        high=high,
        from_word=from_word,
        percent=bool(match.group("percent")),
        exponent=exponent,
        volume=_volume_unit(match.group("volume")),
        cell=bool(match.group("cell")),
        per=per,
        density=density,
        vehicle=vehicle,
        cell_words=match.group("cell"),
        denominator=bool(match.group("per")),
        arm=bool(match.group("arm")),
        needs_context=needs_context,
    )


@functools.cache
def _time_context() -> re.Pattern[str]:
    words = regex_alternation(units()["time_words"])
    return re.compile(rf"(?i:\b(?:{words})\b)|\b\d+\s?[WDY]\b")


def _in_a_time_context(text: str, start: int) -> bool:
    """An abbreviated magnitude beside durations ("once per 2 week(1-3M)") is a number of months."""
    return bool(_time_context().search(text[max(0, start - 25) : start]))


def _volume_unit(word: str | None) -> str | None:
    if not word:
        return None
    return units()["volume_units"][word.lower()]


def _read_denominator(match: re.Match[str]) -> tuple[str | None, bool, bool]:
    """(per, is_density, is_vehicle) for the ``/...`` or ``per ...`` after a dose.

    A volume with a number (``per 3 ml``, ``/10 mL``) is the volume the cells
    came in; a bare volume or area (``cells/mL``, ``cells/cm2``) is a
    concentration or plating density.
    """
    unit = match.group("per_unit")
    if not unit:
        return None, False, False
    word = unit.lower()
    lexicon = units()
    if word in lexicon["per_units"]:
        return lexicon["per_units"][word], False, False
    if word in lexicon["volume_units"] and match.group("per_count"):
        return None, False, True
    return None, True, False


@functools.cache
def _cue_patterns() -> dict[str, re.Pattern[str]]:
    lexicon = units()

    def before(key: str) -> re.Pattern[str]:
        # A cue ends right before the number ("a maximum of 1 × 10^8"); "\b" keeps "setup to" from being "up to".
        return re.compile(rf"(?i:(?<![\w-])(?:{regex_alternation(lexicon[key])})\s*[:(]?\s*)$")

    volume = regex_alternation(list(lexicon["volume_units"]))
    return {
        "bound": before("bound_cues_before"),
        "total_before": before("total_cues_before"),
        "total_within": re.compile(rf"(?i:\b(?:{regex_alternation(lexicon['total_words_within'])})\b)"),
        "total_after": re.compile(rf"^\s*,?\s*(?i:{regex_alternation(lexicon['total_cues_after'])})\b"),
        "vehicle_after": re.compile(rf"^\s*(?i:(?:suspended\s+|diluted\s+|dissolved\s+)?in)\s+{NUMBER}\s*(?i:{volume})\b"),
        "each_site": re.compile(
            rf"^[^.;()]{{0,40}}?(?i:\b(?:into|in|to|at|per|for)\s+each\s+(?:of\s+(?:the\s+)?(?:\d+|{word_number_pattern()})\s+)?"
            rf"(?:[\w-]+\s+)?(?P<noun>{regex_alternation(list(lexicon['each_site_nouns']))})\b)"
        ),
        "given": re.compile(rf"(?i:(?<![\w-])(?:{regex_alternation(lexicon['administration_cues'])}))"),
    }


# The cues sit within a few words of the number: no need to search the whole sentence.
_CUE_WINDOW = 60


def total_cue(text: str, start: int, end: int, cell_words: str | None) -> str | None:
    """``a total of 51.6 million MSCs``, ``51.6 million MSCs in total`` and ``20 million total hMSC``
    say the number is the whole dose."""
    cues = _cue_patterns()
    if cell_words and cues["total_within"].search(cell_words):
        return "total"
    if cues["total_before"].search(text[max(0, start - _CUE_WINDOW) : start]):
        return "total"
    if cues["total_after"].match(text[end : end + _CUE_WINDOW]):
        return "total"
    return None


def _each_site_after(text: str, end: int) -> str | None:
    """``3 × 10^6 per 1.5 ml into each end of the muscle``, ``20 million cells into each knee``:
    the number is per injection site (or per disc)."""
    match = _cue_patterns()["each_site"].match(text[end : end + _CUE_WINDOW])
    return units()["each_site_nouns"][match.group("noun").lower()] if match else None


def vehicle_after(text: str, end: int) -> bool:
    """``1 × 10^8 cells in 3 mL``: the count comes with the volume it was suspended in."""
    return bool(_cue_patterns()["vehicle_after"].match(text[end : end + _CUE_WINDOW]))


def is_bounded(normal: str, start: int) -> bool:
    """A limit ("up to", "a maximum of", "not exceeding", "at least") precedes the number."""
    return bool(_cue_patterns()["bound"].search(normal[max(0, start - _CUE_WINDOW) : start]))


def says_cells_were_given(normal: str) -> bool:
    return bool(_cue_patterns()["given"].search(normal))


def to_dose(
    item: Item,
    normal: str,
    header_multiplier: float | None,
    default_per: str | None,
) -> Dose | None:
    """The dose ``item`` states in the text ``normal``, or None when it is no dose.

    The cheap tests come first: most numbers of a sentence are no dose at all, and the
    cue searches around a number are needed only for the few that are."""
    if item.percent or item.density:
        return None
    if item.low == 0 and not item.high:
        return None  # no one is given zero cells: a number cut from its mantissa ("1. 0E+6" split at ". ")
    table_mode = header_multiplier is not None
    if item.volume:
        if not table_mode or item.from_word or is_bounded(normal, item.start):
            return None
        return make_dose(item.low, item.high, 0, item.volume, item.per or _valid_per(default_per), None)
    scale = _scale(item, header_multiplier)
    if scale is None or not _plausible_exponent(item.exponent):
        return None
    counted = item.cell or item.denominator
    if item.needs_context and not counted and not _cell_context_after(normal, item.end):
        return None
    if is_bounded(normal, item.start):
        return None
    vehicle = item.vehicle or vehicle_after(normal, item.end)
    if vehicle and item.per is None and not table_mode and not says_cells_were_given(normal):
        return None  # a concentration ("5 × 10^7 cells/10 mL"), not what a patient received
    per = (
        item.per
        or total_cue(normal, item.start, item.end, item.cell_words)
        or _each_site_after(normal, item.end)
        or _valid_per(default_per)
    )
    arm = _arm_label(item, scale) if item.arm else None
    if item.exponent is not None and 1 <= item.exponent < CELL_EXPONENT:
        return make_dose(item.low, item.high, 0, f"1e{item.exponent} cells", per, arm)
    return make_dose(item.low, item.high, scale, CELL_UNIT, per, arm)


def _plausible_exponent(exponent: int | None) -> bool:
    """No cell dose is written with a power of ten above 10^12 (or below 1)."""
    return exponent is None or 0 <= exponent <= int(units()["max_cell_exponent"])


def _scale(item: Item, header_multiplier: float | None) -> Decimal | int | None:
    """Power of ten (or header factor) taking the written number to 10^6 cells."""
    if item.exponent is not None:
        return item.exponent - CELL_EXPONENT
    if item.from_word:
        return None
    if header_multiplier is not None:
        return Decimal(repr(float(header_multiplier)))
    if item.cell and item.low >= Decimal(units()["min_bare_cell_count"]):
        return -CELL_EXPONENT  # "500,000 cells"; "10 allo-MSC infusions" is no dose
    return None


def make_dose(
    low: Decimal,
    high: Decimal | None,
    scale: Decimal | int,
    unit: str,
    per: str | None,
    arm: str | None,
) -> Dose:
    def convert(number: Decimal) -> float:
        if isinstance(scale, int):
            return to_float(number.scaleb(scale))
        return to_float(number * scale)

    if high is None:
        return Dose(value=convert(low), unit=unit, per=per, arm=arm)
    # "1600-400 × 10^6 cells": a range written high to low is still the range from 400 to 1600.
    low, high = min(low, high), max(low, high)
    return Dose(low=convert(low), high=convert(high), unit=unit, per=per, arm=arm)


def is_finite(dose: Dose) -> bool:
    numbers = [n for n in (dose.value, dose.low, dose.high) if n is not None]
    return all(math.isfinite(n) for n in numbers)


def _valid_per(per: str | None) -> str | None:
    return per if per in PER_VALUES else None


_YEAR = re.compile(r"(?:19|20)\d\d")


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
    if words[0].lower() in units()["connectors"]:
        # "19.3 million in 2025" counts people in a year; "300 M to treat DN" is a dose.
        return not (len(words) > 1 and _YEAR.fullmatch(words[1]))
    return names_cells(words[: int(units()["cell_window_words"])])


def _arm_label(item: Item, scale: Decimal | int) -> str:
    """``100 M-treated group`` is the arm ``100M``."""
    value = make_dose(item.low, None, scale, CELL_UNIT, None, None).value
    return f"{format_number(value)}M"
