"""Numbers and follow-up durations as papers write them (extract.normalize)."""

from __future__ import annotations

import json
from decimal import Decimal
import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.normalize.durations import (
    find_durations,
    follow_up_serialised,
    parse_follow_up,
    parse_follow_up_range,
    serialise_follow_up,
)
from extract.normalize.numbers import (
    format_number,
    normalize_mapped,
    normalize_numeric_text,
    parse_exponent,
    parse_measurement,
    parse_number,
    parse_word_number,
)
from extract.normalize.values import FollowUp
from extract.paths import lexicons_dir

# Modest by default so the file runs in seconds; raise it for a bug hunt:
# MSC_HYPOTHESIS_EXAMPLES=5000 pytest tests/test_normalize_numbers.py
PROPERTY = settings(max_examples=int(os.environ.get("MSC_HYPOTHESIS_EXAMPLES", "200")), deadline=None)


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1.0", 1.0),
        ("1,000", 1000.0),
        ("0.5", 0.5),
        (" 0.5 ", 0.5),
        ("−2", -2.0),
        ("−0.5", -0.5),
        ("one", 1.0),
        ("two", 2.0),
        ("ten", 10.0),
        ("twenty-five", 25.0),
        ("Twenty five", 25.0),
        ("one single", 1.0),
        ("one hundred and two", 102.0),
        ("10⁶", 1e6),
        ("10^6", 1e6),
        ("10^{6}", 1e6),
        ("1e6", 1e6),
        ("2.5E+3", 2500.0),
        ("$\\times 10^6$", 1e6),
        ("1.0 × 10^6", 1e6),
        ("1.0 x 10^6", 1e6),
        ("3.08 \\pm 0.52", 3.08),
        ("3.08 ± 0.52", 3.08),
        ("$2.65 \\pm 0.8 \\times 10^4$", 26500.0),
        ("2×10^8", 2e8),
    ],
)
def test_parse_number(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text", ["N/A", "", "abc", "5 10^6", "1.2.3", "± 3", "6 × 106"])
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [("6 × 106", 6e6), ("6 x 106", 6e6), ("3 × 10 6", 3e6), ("1 × 107", 1e7)],
)
def test_lost_superscript_only_in_cell_context(text: str, expected: float) -> None:
    assert parse_number(text) is None
    assert parse_number(text, cell_context=True) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("6 × 106 hADSCs per 3 ml", "6 × 10^6 hADSCs per 3 ml"),
        ("3 × 106 per 1.5 ml", "3 × 10^6 per 1.5 ml"),
        ("1 × 106 cells/cm2", "1 × 10^6 cells/cm2"),
        ("1.0 × 10 6 cells/kg", "1.0 × 10^6 cells/kg"),
        ("a 3 × 106 mm field", "a 3 × 106 mm field"),  # a product, not cells
        ("$\\times 10^6$ cells", "× 10^6 cells"),
        ("0.5-1.0/kg", "0.5–1.0/kg"),
        ("10⁶ cells", "10^6 cells"),
        # PubMed prints a superscript in parentheses
        ("2 × 10(6)/kg", "2 × 10^6/kg"),
        ("1.5 x10(8) MSCs", "1.5 × 10^8 MSCs"),
        ("2 times 10(6) cells", "2 × 10^6 cells"),
        ("Figure 10(6) shows", "Figure 10(6) shows"),  # no multiplication: not a power
        # "10e" is "ten to the"
        ("4*10e8 cells", "4 × 10^8 cells"),
        ("10e6 cells", "10^6 cells"),
        ("1e6 cells", "1e6 cells"),  # a mantissa of 1 is already e-notation
        # a decimal point the export spaced, read only before a multiplication by ten
        ("0. 5x106 cells / kg", "0.5 × 10^6 cells / kg"),
        ("in 2012. 5 patients", "in 2012. 5 patients"),
        # decimal commas before a magnitude; a list stays a list
        ("1,5-3,0 10E6 MSC/kg", "1.5–3.0 × 10^6 MSC/kg"),
        ("patients 1,2 and 3", "patients 1,2 and 3"),
        # a range whose first end lost its superscript too
        ("2x106 - 6x106/kg MSC", "2 × 10^6–6 × 10^6/kg MSC"),
    ],
)
def test_normalize_numeric_text(text: str, expected: str) -> None:
    assert normalize_numeric_text(text).strip() == expected


def test_normalized_text_keeps_offsets() -> None:
    text = "103.14 mL with $2.65 \\pm 0.8 \\times 10^{4}$ ISCs/kg and 6 × 106 hADSCs, 10⁶ cells"
    mapped = normalize_mapped(text)
    assert mapped.text == "103.14 mL with 2.65 ± 0.8 × 10^4 ISCs/kg and 6 × 10^6 hADSCs, 10^6 cells"
    start = mapped.text.index("2.65")
    assert text[slice(*mapped.span(start, mapped.text.index("kg") + 2))] == "2.65 \\pm 0.8 \\times 10^{4}$ ISCs/kg"
    start = mapped.text.index("6 ×")
    assert text[slice(*mapped.span(start, start + len("6 × 10^6 hADSCs")))] == "6 × 106 hADSCs"


@PROPERTY
@given(st.text(max_size=80))
def test_offsets_are_monotonic_and_in_bounds(text: str) -> None:
    mapped = normalize_mapped(text, cell_context=True)
    assert len(mapped.origin) == len(mapped.text) + 1
    assert mapped.origin[-1] == len(text)
    assert all(a <= b for a, b in zip(mapped.origin, mapped.origin[1:]))


def test_measurement_keeps_spread_and_exponent() -> None:
    measurement = parse_measurement("$2.65 \\pm 0.8 \\times 10^4$")
    assert measurement is not None
    assert str(measurement.mantissa) == "2.65"
    assert str(measurement.spread) == "0.8"
    assert measurement.exponent == 4


@pytest.mark.parametrize(
    "text, expected",
    [("10^6", 6), ("10⁶", 6), ("10^{8}", 8), ("1e6", 6), ("× 106", 6), ("× 10 6", 6), ("× 10(6)", 6), ("10e8", 8),
     ("cells", None)],
)
def test_parse_exponent(text: str, expected: int | None) -> None:
    assert parse_exponent(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("one", 1), ("twenty-five", 25), ("one single", 1), ("a single", 1), ("ninety nine", 99), ("seven", 7), ("many", None)],
)
def test_parse_word_number(text: str, expected: int | None) -> None:
    assert parse_word_number(text) == expected


@pytest.mark.parametrize(
    "number, expected",
    [(0.5, "0.5"), (100.0, "100"), (1e-05, "0.00001"), (0.0265, "0.0265"), (12, "12"), (2.5e6, "2500000")],
)
def test_format_number(number: float, expected: str) -> None:
    assert format_number(number) == expected


_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _spell(n: int) -> str:
    """A small independent speller for the property below (0 < n < 1000)."""
    hundreds, rest = divmod(n, 100)
    words = [f"{_UNITS[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        words.append(_TENS[rest // 10] + (f"-{_UNITS[rest % 10]}" if rest % 10 else ""))
    elif rest >= 10:
        words.append(_TEENS[rest - 10])
    elif rest:
        words.append(_UNITS[rest])
    return " and ".join(words)


@PROPERTY
@given(st.integers(min_value=1, max_value=999))
def test_word_numbers_read_back(n: int) -> None:
    assert parse_word_number(_spell(n)) == n


@PROPERTY
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_number_round_trips(number: float) -> None:
    assert float(format_number(number)) == number


@PROPERTY
@given(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False))
def test_decimal_strings_parse_exactly(number) -> None:
    text = format(number, "f")
    assert parse_number(text) == float(text)


@PROPERTY
@given(st.text(max_size=80))
def test_number_parsers_never_raise(text: str) -> None:
    parse_number(text)
    parse_number(text, cell_context=True)
    parse_exponent(text)
    parse_word_number(text)
    normalize_numeric_text(text)


# ---------------------------------------------------------------- follow-up


@pytest.mark.parametrize(
    "text, months",
    [
        ("12-month", 12.0),
        ("12 months", 12.0),
        ("4 years", 48.0),
        ("24-week", 5.54),
        ("14 weeks", 3.23),
        ("9-month", 9.0),
        ("1-year", 12.0),
        ("one-year", 12.0),
        ("2-year", 24.0),
        ("6 months follow-up", 6.0),
        ("4–6 years", 60.0),
        ("Four to six years post-cell transplant", 60.0),
        ("90 days", 2.96),
        ("twelve months", 12.0),
        ("after a follow-up of 4 years [84]", 48.0),
        ("at 1-, 3-, and 6-month follow-up", 6.0),
        ("through the week 14 in two patients", 3.23),
        ("persisted ≤12 months", 12.0),
        ("Participants were assessed at baseline and followed up at 2 months.", 2.0),
    ],
)
def test_parse_follow_up(text: str, months: float) -> None:
    assert parse_follow_up(text) == FollowUp(months=months)


@pytest.mark.parametrize(
    "text",
    [
        "The patient is a 53-year-old female",
        "18 patients (15 women and 3 men, aged 25–78 years)",
        "patients over 18 years of age",
        "no duration here",
        "N/A",
    ],
)
def test_ages_and_non_durations_are_not_follow_up(text: str) -> None:
    assert parse_follow_up(text) is None


def test_follow_up_prefers_words_next_to_follow_up() -> None:
    text = "Pain for 18 months before injection; the 6 months follow-up showed no change."
    assert parse_follow_up(text) == FollowUp(months=6.0)


def test_durations_point_at_the_words() -> None:
    text = "a follow up exam 4–6 years post-MSC infusion; at 1-, 3-, and 6-month follow-up"
    assert [text[d.start : d.end] for d in find_durations(text)] == ["4–6 years", "1-, 3-, and 6-month"]


def test_follow_up_range_keeps_its_ends() -> None:
    text = "stem cells 4–6 years post mesenchymal stem cell infusion"
    assert parse_follow_up_range(text) == (48.0, 72.0)
    assert follow_up_serialised(text) == "low=48;high=72"
    assert parse_follow_up_range("12 months") is None
    assert follow_up_serialised("12-month follow-up") == "months=12"
    assert serialise_follow_up(FollowUp(months=5.52)) == "months=5.52"


@PROPERTY
@given(
    st.integers(min_value=1, max_value=120),
    st.sampled_from([("month", 1.0, None), ("year", 12.0, None), ("week", 0.230769231, None), ("day", None, 30.44)]),
    st.sampled_from(["{n} {u}s", "{n}-{u}", "{n} {u}s of follow-up", "a {n}-{u} follow-up"]),
)
def test_generated_durations_convert(n: int, unit, template: str) -> None:
    word, factor, divisor = unit
    expected = round(n * factor, 2) if factor else round(n / divisor, 2)
    assert parse_follow_up(template.format(n=n, u=word)) == FollowUp(months=expected)


@PROPERTY
@given(st.text(max_size=120))
def test_follow_up_never_raises(text: str) -> None:
    follow_up = parse_follow_up(text)
    assert follow_up is None or math.isfinite(follow_up.months)
    for duration in find_durations(text):
        assert 0 <= duration.start <= duration.end <= len(text)
    follow_up_serialised(text)


# ---------------------------------------------------------------- data files


@pytest.mark.parametrize("name", ["numbers", "dose_units", "durations", "results"])
def test_lexicons_are_json_objects(name: str) -> None:
    data = json.loads((lexicons_dir() / f"{name}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data


@PROPERTY
@given(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("99.9"), places=1), st.integers(min_value=1, max_value=12),
       st.sampled_from(["{m} × 10^{e}", "{m} × 10({e})", "{m} x10({e})", "{m} times 10({e})", "{m}*10e{e}",
                        "{m} x 10E{e}", "{m}e{e}", "$ {m} \\times 10^{{{e}}}$", "{m} × 10{sup}"]))
def test_every_power_of_ten_notation_parses_to_one_number(mantissa: Decimal, exponent: int, form: str) -> None:
    text = form.format(m=mantissa, e=exponent, sup=str(exponent).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")))
    assert parse_number(text) == float(mantissa.scaleb(exponent)), text
