"""Alloantibody results, percentages and sample sizes.

A result is what the paper states, no more: ``19% (9/48)`` gives positive 9,
total 48 and percent 19; ``34%`` gives only the percent; ``two patients``
only the count. Nothing is computed (a percent from a ratio, say), so a scorer
comparing key by key sees exactly the paper's numbers. A negation ("no
patient developed DSA", "did not produce DSA") is a result of 0 positives:
FIELD_GUIDE treats it as a finding, not as a mention to drop.

Sample sizes are just the number (``555 patients``, ``n = 30``, ``37 NDC``);
the caller knows whether it counts everyone, the treated or the controls.
"""

from __future__ import annotations

from bisect import bisect_left

import functools
import re
from collections.abc import Iterator
from decimal import Decimal

from extract.normalize.common import join_pairs, load_lexicon, split_pairs
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
from extract.normalize.values import AlloantibodyResult, SampleSize

_CITATION = re.compile(r"\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]")
_INTEGER = r"(?<![\w.,])\d+(?![\w]|[.,]\d)"
_PERCENT = rf"(?P<pct>{NUMBER})\s*(?:%|(?i:per\s?cent)\b)"
_RATIO = rf"(?<![/\d])(?P<pos>{_INTEGER})\s*/\s*(?P<tot>{_INTEGER})(?!\s*/)"
_PERCENT_RE = re.compile(_PERCENT)


@functools.cache
def _lexicon() -> dict:
    return load_lexicon("results")


@functools.cache
def _patient_noun() -> str:
    return rf"(?i:{regex_alternation(_lexicon()['patient_nouns'])})\b"


@functools.cache
def _not_people() -> str:
    return rf"(?i:{regex_alternation(_lexicon()['not_people_words'])})"


@functools.cache
def _count() -> str:
    # Both forms start after a non-word character; saying so first lets the regex engine skip the inside of words.
    return rf"(?<!\w)(?:{_INTEGER}|{word_number_pattern()})"


@functools.cache
def _result_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Result forms, most specific first; a later form never reuses the words
    an earlier one read (the ``19%`` of ``19% (9/48)`` is not a second result)."""
    noun = _patient_noun()
    count = _count()
    # "one in patients with diabetes" counts studies, not patients: a preposition is no qualifier.
    not_qualifier = rf"(?i:{regex_alternation(_lexicon()['count_qualifier_exclusions'])})"
    return (
        ("percent_ratio", re.compile(rf"{_PERCENT}\s*\(\s*{_RATIO}\s*\)")),
        ("ratio_percent", re.compile(rf"{_RATIO}\s*\(\s*{_PERCENT}\s*\)")),
        (
            "none_of",
            re.compile(rf"(?i:\bnone\s+of\s+(?:the\s+)?)(?:(?P<tot>{count})\s+)?(?:[\w-]{{1,40}}\s+)?{noun}"),
        ),
        (
            "of_ratio",
            re.compile(
                rf"(?P<pos>{count})\s+(?i:of|out\s+of)\s+(?i:the\s+)?(?P<tot>{count})\s+(?:[\w-]{{1,40}}\s+)?{noun}"
            ),
        ),
        ("ratio", re.compile(_RATIO)),
        ("percent", _PERCENT_RE),
        ("count", re.compile(rf"(?P<pos>{count})\s+(?:(?!{not_qualifier}\s)[\w-]{{1,40}}\s+)?{noun}")),
    )


def _to_int(text: str | None) -> int | None:
    if not text:
        return None
    text = text.strip()
    if text[0].isdigit():
        mantissa, exponent = split_e_notation(text)
        number = mantissa.scaleb(exponent)
        return int(number) if number == number.to_integral_value() else None
    return parse_word_number(text)


def _to_percent(text: str | None) -> float | None:
    if not text:
        return None
    mantissa, exponent = split_e_notation(text)
    return float(mantissa.scaleb(exponent))


def _prepare(text: str) -> MappedText:
    """Normalised text without citation brackets, keeping offsets into ``text``."""
    return normalize_mapped(text).sub(_CITATION, lambda m: " " * len(m.group(0)))


def _matches(normal: str) -> Iterator[tuple[int, int, AlloantibodyResult]]:
    taken: list[tuple[int, int]] = []
    for form, pattern in _result_patterns():
        for match in pattern.finditer(normal):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            result = _result_from(form, match)
            if result is None:
                continue
            taken.append((match.start(), match.end()))
            yield match.start(), match.end(), result


def _result_from(form: str, match: re.Match[str]) -> AlloantibodyResult | None:
    groups = match.groupdict()
    positive = _to_int(groups.get("pos"))
    total = _to_int(groups.get("tot"))
    percent = _to_percent(groups.get("pct"))
    if form == "none_of":
        return AlloantibodyResult(positive=0, total=total)
    if form in ("ratio", "of_ratio") and (positive is None or not total or positive > total):
        return None
    if form == "count" and positive is None:
        return None
    return AlloantibodyResult(positive=positive, total=total, percent=percent)


@functools.cache
def _negations() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in _lexicon()["negation_patterns"])


def is_negated_result(text: str) -> bool:
    """Does ``text`` say no patient developed antibodies?"""
    normal = _prepare(text).text
    return any(p.search(normal) for p in _negations())


ResultSpan = tuple[int, int, AlloantibodyResult]
"""(start, end, result): character offsets into the text given, and the result."""


def find_alloantibody_result_spans(text: str) -> list[ResultSpan]:
    """:func:`find_alloantibody_results` with where each result is written
    (offsets into ``text``); a negation's span is its cue ("no patient")."""
    mapped = _prepare(text)
    found = [(*mapped.span(start, end), result) for start, end, result in _matches(mapped.text)]
    found.sort(key=lambda item: item[0])
    if not found:
        cues = [m for m in (p.search(mapped.text) for p in _negations()) if m]
        if cues:
            first = min(cues, key=lambda m: m.start())
            found.append((*mapped.span(*first.span()), AlloantibodyResult(positive=0)))
    return found


def find_alloantibody_results(text: str) -> list[AlloantibodyResult]:
    """Every result ``text`` states, in reading order: ``5% (1/20) [53], 15%
    (3/20) [52] and 19% (9/48) [57]`` gives three. A negated text with no
    number gives one result of 0 positives."""
    return [result for _, _, result in find_alloantibody_result_spans(text)]


def parse_alloantibody_result(text: str) -> AlloantibodyResult | None:
    """The first result ``text`` states (see :func:`find_alloantibody_results`).

    ``"19% (9/48)"`` -> positive 9, total 48, percent 19; ``"34%"`` -> percent
    34; ``"one single patient"`` -> positive 1; ``"1/3 participants"`` ->
    1 of 3; ``"did not produce DSA"`` -> positive 0; None if nothing is stated.
    """
    results = find_alloantibody_results(text)
    return results[0] if results else None


def find_percent_spans(text: str) -> list[tuple[int, int, float]]:
    """Every percentage in ``text`` with where it is written (offsets into ``text``)."""
    mapped = _prepare(text)
    return [
        (*mapped.span(*m.span()), _to_percent(m.group("pct")) or 0.0) for m in _PERCENT_RE.finditer(mapped.text)
    ]


def find_percents(text: str) -> list[float]:
    """Every percentage in ``text``, in order: ``"43% [57], 30% [54] and 16%
    [59]"`` -> [43.0, 30.0, 16.0]."""
    return [_to_percent(m.group("pct")) or 0.0 for m in _PERCENT_RE.finditer(_prepare(text).text)]


def parse_percent(text: str) -> float | None:
    """The first percentage in ``text``: ``"43%"`` -> 43.0, ``"11.51 %"`` -> 11.51."""
    percents = find_percents(text)
    return percents[0] if percents else None


# ---------------------------------------------------------------- sample size


@functools.cache
def _sample_patterns() -> tuple[re.Pattern[str], ...]:
    count = _count()
    abbreviation = r"(?P<abbr>[A-Z][A-Z0-9-]{1,9})(?![\w-])"
    return (
        re.compile(rf"(?<![\w])[nN]\s*=\s*(?P<n>{_INTEGER})"),
        # "Thirty (30) patients", "twenty-five (25) subjects": the figure in brackets repeats the word.
        re.compile(
            rf"(?P<n>{count})\s+(?:\(\s*\d+\s*\)\s+)?(?:(?!{_not_people()}\s)(?!\d)[\w'-]{{1,40}}\s+){{0,3}}?{_patient_noun()}"
        ),
        re.compile(rf"(?P<n>{_INTEGER})\s+{abbreviation}"),
    )


SizeSpan = tuple[int, int, int]
"""(start, end, n): character offsets into the text given, and the head count."""


def find_sample_size_spans(text: str) -> list[SizeSpan]:
    """:func:`find_sample_sizes` with where each count is written (offsets into ``text``)."""
    mapped = _prepare(text)
    normal = mapped.text
    excluded = {a.upper() for a in _lexicon()["abbreviation_exclusions"]}
    found: list[SizeSpan] = []  # kept sorted and non-overlapping: one bisection per match, not a scan of all found
    for pattern in _sample_patterns():
        for match in pattern.finditer(normal):
            if match.groupdict().get("abbr") and match.group("abbr").upper() in excluded:
                continue
            number = _to_int(match.group("n"))
            place = bisect_left(found, (match.end(),))
            overlaps = place > 0 and found[place - 1][1] > match.start()
            if number is not None and not overlaps:
                found.insert(place, (match.start(), match.end(), number))
    return [(*mapped.span(start, end), number) for start, end, number in found]


def find_sample_sizes(text: str) -> list[int]:
    """Every head count in ``text``, in reading order: ``"18 patients ... cell
    group (n = 9) or the control group (n = 9)"`` -> [18, 9, 9]."""
    return [number for _, _, number in find_sample_size_spans(text)]


def parse_sample_size(text: str) -> SampleSize | None:
    """The first head count in ``text``, as ``SampleSize(total=n)``.

    ``"555 patients"``, ``"n = 30"``, ``"(n = 9)"``, ``"37 NDC"``, ``"five
    patients"``. Only the number is read: move it to ``treated`` or
    ``control`` (``model_copy``) when the context says which group it counts.
    """
    sizes = find_sample_sizes(text)
    return SampleSize(total=sizes[0]) if sizes else None


def serialise_sample_size(size: SampleSize) -> list[str]:
    """One FIELD_GUIDE row value per stated key: ``["total=30", "control=9"]``."""
    return [
        f"{key}={getattr(size, key)}"
        for key in ("total", "treated", "control")
        if getattr(size, key) is not None
    ]


def parse_serialised_sample_size(text: str) -> SampleSize:
    """``"total=30"`` (or several keys joined by ``;``) -> SampleSize."""
    pairs = split_pairs(text)
    unknown = set(pairs) - {"total", "treated", "control"}
    if unknown:
        raise ValueError(f"unknown sample size keys: {sorted(unknown)}")
    return SampleSize(**{key: _serialised_int(value) for key, value in pairs.items()})


# ---------------------------------------------------------------- serialised results


def serialise_result(result: AlloantibodyResult) -> str:
    """FIELD_GUIDE form ``positive=9;total=48;percent=19`` (stated keys only)."""
    pairs: list[tuple[str, str]] = []
    if result.positive is not None:
        pairs.append(("positive", str(result.positive)))
    if result.total is not None:
        pairs.append(("total", str(result.total)))
    if result.percent is not None:
        pairs.append(("percent", format_number(result.percent)))
    return join_pairs(pairs)


def parse_serialised_result(text: str) -> AlloantibodyResult:
    """Inverse of :func:`serialise_result`; ValueError on unknown keys."""
    pairs = split_pairs(text)
    unknown = set(pairs) - {"positive", "total", "percent"}
    if unknown:
        raise ValueError(f"unknown result keys: {sorted(unknown)}")
    fields: dict[str, object] = {}
    for key in ("positive", "total"):
        if key in pairs:
            fields[key] = _serialised_int(pairs[key])
    if "percent" in pairs:
        fields["percent"] = float(pairs["percent"])
    return AlloantibodyResult(**fields)


def serialise_percent(percent: float) -> str:
    """FIELD_GUIDE form for ``presensitized``: ``percent=43``."""
    return f"percent={format_number(percent)}"


def _serialised_int(text: str) -> int:
    """``"9"`` -> 9; also ``"9.0"`` as a spreadsheet may write it; else ValueError."""
    try:
        number = Decimal(text.strip())
    except ArithmeticError as error:
        raise ValueError(f"not a number: {text!r}") from error
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"not a whole number: {text!r}")
    return int(number)
