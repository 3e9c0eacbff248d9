"""Follow-up durations in months.

Reviewers compare follow-up across trials, so every duration becomes months:
years × 12, weeks × 12/52, days / 30.44 (factors in
``models/lexicons/durations.json``), rounded to 2 decimals.

Choices:
- A range (``4–6 years``, ``four to six years``) gives its midpoint (60
  months) as ``FollowUp.months``: the range usually spans the patients of one
  study, and the midpoint is the best single figure for "how long were they
  followed". `FollowUp` has no low/high, so the ends are available apart
  (:func:`parse_follow_up_range`), and :func:`follow_up_serialised` writes a
  range as ``low=48;high=72`` as the gold files do.
- A list of time points (``at 1-, 3-, and 6-month follow-up``,
  ``at 6 and 12 months``) gives the longest: follow-up lasts until the last
  visit.
- When a text holds several durations, the one closest to a follow-up word
  (``follow``, ``post``, ``after``) in the same clause wins; with none near,
  the longest.
- Ages (``53-year-old``, ``aged 25–78 years``, ``18 years of age``) are never
  durations.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from extract.normalize.common import load_lexicon
from extract.normalize.numbers import (
    NUMBER,
    MappedText,
    format_number,
    normalize_mapped,
    parse_word_number,
    regex_alternation,
    split_e_notation,
    word_number_pattern,
)
from extract.normalize.values import FollowUp

MONTH_DECIMALS = 2
# "1-, 3-, and 6-month": one way only to split each separator, so a failed
# match backtracks linearly, not exponentially.
_LIST_SEPARATOR = r"-?(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+)"


@dataclass(frozen=True)
class Duration:
    """A duration found in normalised text; ``low``/``high`` set for a range."""

    start: int
    end: int
    months: float
    low: float | None = None
    high: float | None = None


@functools.cache
def _lexicon() -> dict:
    return load_lexicon("durations")


@functools.cache
def _duration_re() -> re.Pattern[str]:
    amount = rf"(?:{NUMBER}|{word_number_pattern()})"
    units = regex_alternation(list(_lexicon()["units"]))
    return re.compile(
        rf"""
        (?P<amounts>{amount}(?:{_LIST_SEPARATOR}{amount}){{0,12}})
        (?:\s*(?:–|\s(?i:to)\s)\s*(?P<high>{amount}))?
        [\s-]*(?P<unit>(?i:{units}))\b
        |
        (?i:\b(?P<unit_first>{units}))\s+(?P<ordinal>\d+(?:{_LIST_SEPARATOR}\d+){{0,12}})\b
        """,
        re.VERBOSE,
    )


def _to_months(amount: Decimal, unit: str) -> float:
    rule = _lexicon()["units"][unit.lower()]
    if "factor" in rule:
        months = amount * Decimal(str(rule["factor"]))
    else:
        months = amount / Decimal(str(rule["divisor"]))
    return round(float(months), MONTH_DECIMALS)


def _amount(text: str) -> Decimal | None:
    text = text.strip().rstrip("-").strip()
    if not text:
        return None
    if text[0].isdigit() or text[0] == ".":
        mantissa, exponent = split_e_notation(text)
        return mantissa.scaleb(exponent)
    word = parse_word_number(text)
    return None if word is None else Decimal(word)


def _amounts(text: str) -> list[Decimal]:
    parts = re.split(_LIST_SEPARATOR, text)
    values = [_amount(p) for p in parts]
    return [v for v in values if v is not None]


def _is_age(normal: str, match: re.Match[str]) -> bool:
    after = normal[match.end() : match.end() + 12].lower()
    before = normal[max(0, match.start() - 8) : match.start()].lower()
    markers = _lexicon()["age_markers"]
    return any(re.match(rf"[\s-]*{re.escape(m)}\b", after) for m in markers) or any(
        re.search(rf"\b{re.escape(m)}\s*$", before) for m in markers
    )


def find_durations(text: str) -> list[Duration]:
    """Every duration in ``text``, in months, with (start, end) offsets into ``text``."""
    mapped = normalize_mapped(text)
    normal = mapped.text
    found: list[Duration] = []
    for match in _duration_re().finditer(normal):
        if match.group("unit_first"):
            # "at week 12, 24 and 48": a visit schedule reaches its last visit.
            months = _to_months(max(_amounts(match.group("ordinal"))), match.group("unit_first"))
            found.append(Duration(match.start(), match.end(), months))
            continue
        if _is_age(normal, match):
            continue
        values = _amounts(match.group("amounts"))
        if not values:
            continue
        unit = match.group("unit")
        high = _amount(match.group("high")) if match.group("high") else None
        if high is not None and len(values) == 1:
            midpoint = _to_months((values[0] + high) / 2, unit)
            low_months, high_months = _to_months(values[0], unit), _to_months(high, unit)
            found.append(Duration(match.start(), match.end(), midpoint, low_months, high_months))
            continue
        longest = max(values + ([high] if high is not None else []))
        found.append(Duration(match.start(), match.end(), _to_months(longest, unit)))
    return [_in_original(mapped, d) for d in found]


def _in_original(mapped: MappedText, duration: Duration) -> Duration:
    start, end = mapped.span(duration.start, duration.end)
    return replace(duration, start=start, end=end)


def _follow_up_distance(text: str, duration: Duration) -> int | None:
    """Characters between ``duration`` and the closest follow-up word in the
    same clause (no ``;`` or ``.`` between), within the lexicon's window."""
    window = int(_lexicon()["follow_up_window_chars"])
    words = regex_alternation(_lexicon()["follow_up_words"])
    best: int | None = None
    lo, hi = max(0, duration.start - window), min(len(text), duration.end + window)
    for match in re.finditer(rf"(?i:\b(?:{words}))", text[lo:hi]):
        start, end = lo + match.start(), lo + match.end()
        between = text[end : duration.start] if end <= duration.start else text[duration.end : start]
        if re.search(r"[;.](?!\d)", between):
            continue
        distance = max(0, duration.start - end, start - duration.end)
        best = distance if best is None else min(best, distance)
    return best


def _chosen_follow_up(text: str) -> Duration | None:
    durations = find_durations(text)
    if not durations:
        return None
    distances = {id(d): _follow_up_distance(text, d) for d in durations}
    near = [d for d in durations if distances[id(d)] is not None]
    if near:
        return min(near, key=lambda d: (distances[id(d)], -d.months))
    return max(durations, key=lambda d: d.months)


def parse_follow_up(text: str) -> FollowUp | None:
    """The follow-up ``text`` states, in months (see the module docstring for
    ranges, lists and several durations); None when it states none.

    ``"12-month"`` -> 12, ``"4 years"`` -> 48, ``"24-week"`` -> 5.54,
    ``"one-year"`` -> 12, ``"4–6 years"`` -> 60 (midpoint).
    """
    chosen = _chosen_follow_up(text)
    return None if chosen is None else FollowUp(months=chosen.months)


def parse_follow_up_range(text: str) -> tuple[float, float] | None:
    """(low, high) months when the follow-up is a range (``4–6 years`` ->
    (48, 72)); None for a single duration or none."""
    chosen = _chosen_follow_up(text)
    if chosen is None or chosen.low is None or chosen.high is None:
        return None
    return chosen.low, chosen.high


def serialise_follow_up(follow_up: FollowUp) -> str:
    """FIELD_GUIDE form ``months=12``."""
    return f"months={format_number(follow_up.months)}"


def follow_up_serialised(text: str) -> str | None:
    """The follow-up value of ``text`` as the gold writes it: ``months=12``,
    or ``low=48;high=72`` for a range; None when there is none."""
    chosen = _chosen_follow_up(text)
    return None if chosen is None else _serialised(chosen)


def find_follow_up_span(text: str) -> tuple[int, int, str] | None:
    """:func:`follow_up_serialised` with where the duration is written (offsets into ``text``)."""
    chosen = _chosen_follow_up(text)
    return None if chosen is None else (chosen.start, chosen.end, _serialised(chosen))


def _serialised(duration: Duration) -> str:
    if duration.low is not None and duration.high is not None:
        return f"low={format_number(duration.low)};high={format_number(duration.high)}"
    return f"months={format_number(duration.months)}"
