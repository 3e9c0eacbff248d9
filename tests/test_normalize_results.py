"""Alloantibody results, percentages and sample sizes (extract.normalize.results)."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.normalize.results import (
    find_alloantibody_result_spans,
    find_alloantibody_results,
    find_percents,
    find_sample_size_spans,
    find_sample_sizes,
    is_negated_result,
    parse_alloantibody_result,
    parse_percent,
    parse_sample_size,
    parse_serialised_result,
    parse_serialised_sample_size,
    serialise_percent,
    serialise_result,
    serialise_sample_size,
)
from extract.normalize.values import AlloantibodyResult, SampleSize

ROOT = Path(__file__).resolve().parents[1]
# Modest by default so the file runs in seconds; raise MSC_HYPOTHESIS_EXAMPLES for a bug hunt.
PROPERTY = settings(max_examples=int(os.environ.get("MSC_HYPOTHESIS_EXAMPLES", "200")), deadline=None)


def result(positive: int | None = None, total: int | None = None, percent: float | None = None) -> AlloantibodyResult:
    return AlloantibodyResult(positive=positive, total=total, percent=percent)


# ---------------------------------------------------------------- alloantibody results

RESULTS = [
    ("19% (9/48)", result(9, 48, 19.0)),
    ("5% (1/20)", result(1, 20, 5.0)),
    ("15% (3/20)", result(3, 20, 15.0)),
    ("11.51% (41/356)", result(41, 356, 11.51)),
    ("14.95% (32/214)", result(32, 214, 14.95)),
    ("41/356 (11.51%)", result(41, 356, 11.51)),
    ("34%", result(percent=34.0)),
    ("Specifically, 34% of patients who received a dose of allo-MSCs generated DSA [59] .", result(percent=34.0)),
    ("two patients", result(2)),
    ("In this case, two patients developed alloantibodies [53] .", result(2)),
    ("one single patient", result(1)),
    ("five patients", result(5)),
    ("1/3 participants", result(1, 3)),
    ("9 of 48 patients", result(9, 48)),
    ("none of the 20 patients developed DSA", result(0, 20)),
    ("no patient developed DSA", result(0)),
    ("In another study in which the cell dose was low, specifically 1 M, no patient developed DSA [56] .", result(0)),
    ("did not produce DSA", result(0)),
    ("IV injection was also variable, in two trials it did not produce DSA development [56, 58] .", result(0)),
    ("no alloantibodies development was observed in any treated patient", result(0)),
    ("there was no development of DSA in any treated patient [56] .", result(0)),
    ("This dose did not cause the development of DSA in any treated patient [58] .", result(0)),
    ("DSA were not detected after treatment", result(0)),
]


@pytest.mark.parametrize("text, expected", RESULTS, ids=[t[:50] for t, _ in RESULTS])
def test_parse_alloantibody_result(text: str, expected: AlloantibodyResult) -> None:
    assert parse_alloantibody_result(text) == expected


@pytest.mark.parametrize(
    "text",
    ["no correlation with adverse events", "In 10 of the 13 studies included", "48/9", "N/A", ""],
)
def test_texts_without_a_result(text: str) -> None:
    assert parse_alloantibody_result(text) is None


def test_several_results_in_one_sentence() -> None:
    text = ("The results found 5% (1/20) [53] , 15% (3/20) [52] and 19% (9/48) [57] of the patients "
            "with DSA development in the different studies.")
    assert find_alloantibody_results(text) == [result(1, 20, 5.0), result(3, 20, 15.0), result(9, 48, 19.0)]
    text = "ranging from one single patient [46, 47] , two patients [54] , and five patients [55] ."
    assert find_alloantibody_results(text) == [result(1), result(2), result(5)]


def test_result_spans_point_at_the_words() -> None:
    text = "The results found 5% (1/20) [53] , 15% (3/20) [52]; no patient developed DSA [56]."
    assert [text[a:b] for a, b, _ in find_alloantibody_result_spans(text)] == ["5% (1/20)", "15% (3/20)"]
    text = "This dose did not cause the development of DSA in any treated patient [58] ."
    assert [text[a:b] for a, b, _ in find_alloantibody_result_spans(text)] == ["did not cause"]
    text = "performed on 18 patients (15 women and 3 men) and the cell group (n = 9)"
    assert [text[a:b] for a, b, _ in find_sample_size_spans(text)] == ["18 patients", "15 women", "3 men", "n = 9"]


def test_negation() -> None:
    assert is_negated_result("no patient developed DSA")
    assert not is_negated_result("19% (9/48) developed DSA")


@pytest.mark.parametrize(
    "text, percent",
    [("43%", 43.0), ("43% of treated patients presented baseline anti-HLA-I antibodies", 43.0),
     ("11.51 %", 11.51), ("30 per cent", 30.0), ("no percent here", None)],
)
def test_parse_percent(text: str, percent: float | None) -> None:
    assert parse_percent(text) == percent


def test_find_percents() -> None:
    text = "the percentage was 43% [57] , 30% [54] and 16% [59] ."
    assert find_percents(text) == [43.0, 30.0, 16.0]
    assert serialise_percent(43.0) == "percent=43"


# ---------------------------------------------------------------- serialised results


@pytest.mark.parametrize(
    "value, text",
    [
        (result(9, 48, 19.0), "positive=9;total=48;percent=19"),
        (result(percent=34.0), "percent=34"),
        (result(0), "positive=0"),
        (result(41, 356, 11.51), "positive=41;total=356;percent=11.51"),
    ],
)
def test_serialise_result(value: AlloantibodyResult, text: str) -> None:
    assert serialise_result(value) == text
    assert parse_serialised_result(text) == value


def test_parse_hand_written_result() -> None:
    assert parse_serialised_result("percent=19; total=48 ;positive=9") == result(9, 48, 19.0)
    assert parse_serialised_result("positive=9.0") == result(9)


@pytest.mark.parametrize("text", ["positive=nine", "positive=1.5", "count=3", "positive"])
def test_parse_serialised_result_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_serialised_result(text)


results = st.builds(
    AlloantibodyResult,
    positive=st.none() | st.integers(min_value=-(10**12), max_value=10**12),
    total=st.none() | st.integers(min_value=0, max_value=10**12),
    percent=st.none() | st.floats(allow_nan=False),
)


@PROPERTY
@given(results)
def test_serialised_result_round_trips(value: AlloantibodyResult) -> None:
    assert parse_serialised_result(serialise_result(value)) == value


@st.composite
def percent_ratio_texts(draw) -> tuple[str, int, int, float]:
    total = draw(st.integers(min_value=1, max_value=100_000))
    positive = draw(st.integers(min_value=0, max_value=total))
    places = draw(st.integers(min_value=0, max_value=2))
    percent = round(100 * positive / total, places)
    percent_text = f"{percent:.{places}f}"
    space = draw(st.sampled_from(["", " "]))
    form = draw(st.sampled_from([
        "{p}%{s}({a}/{b})", "{p}{s}% ({a}{s}/{s}{b})", "{a}/{b}{s}({p}%)",
        "The results found {p}% ({a}/{b}) [53] of the patients", "{p} % ( {a}/{b} ) developed DSA",
    ]))
    return form.format(p=percent_text, a=positive, b=total, s=space), positive, total, float(percent_text)


@PROPERTY
@given(percent_ratio_texts())
def test_generated_percent_ratio_reads_back(case: tuple[str, int, int, float]) -> None:
    text, positive, total, percent = case
    assert parse_alloantibody_result(text) == result(positive, total, percent), text
    [(start, end, _)] = find_alloantibody_result_spans(text)
    assert str(total) in text[start:end]


@PROPERTY
@given(st.text(max_size=150))
def test_result_parsers_never_raise(text: str) -> None:
    parsed = parse_alloantibody_result(text)
    if parsed is not None:
        assert parse_serialised_result(serialise_result(parsed)) == parsed
        if parsed.percent is not None:
            assert math.isfinite(parsed.percent)
    parse_percent(text)
    parse_sample_size(text)
    is_negated_result(text)


# ---------------------------------------------------------------- sample size

SAMPLE_SIZES = [
    ("555 patients", 555),
    ("n = 30", 30),
    ("(n = 9)", 9),
    ("N=12", 12),
    ("37 NDC", 37),
    ("Hare, 2017 [47] 37 NDC The 12-month post-TESI AE incidence", 37),
    ("18 patients", 18),
    ("five patients", 5),
    ("Five patients diagnosed with degenerative disc disease received", 5),
    ("The present study was performed on 18 patients (15 women and 3 men, aged 25–78 years)", 18),
    ("a total of 356 allo-MSC treated patients", 356),
]


@pytest.mark.parametrize("text, n", SAMPLE_SIZES, ids=[t[:40] for t, _ in SAMPLE_SIZES])
def test_parse_sample_size(text: str, n: int) -> None:
    assert parse_sample_size(text) == SampleSize(total=n)


@pytest.mark.parametrize("text", ["13 randomized clinical trials", "9 DSA", "no numbers", "1.5 patients"])
def test_texts_without_a_sample_size(text: str) -> None:
    assert parse_sample_size(text) is None


def test_find_sample_sizes_in_reading_order() -> None:
    text = "randomly assigned to either the cell group (n = 9) or the control group (n = 9) (Fig. 1)."
    assert find_sample_sizes(text) == [9, 9]


@pytest.mark.parametrize(
    "size, rows",
    [
        (SampleSize(total=30), ["total=30"]),
        (SampleSize(total=18, treated=9, control=9), ["total=18", "treated=9", "control=9"]),
        (SampleSize(), []),
    ],
)
def test_serialise_sample_size(size: SampleSize, rows: list[str]) -> None:
    assert serialise_sample_size(size) == rows
    assert parse_serialised_sample_size(";".join(rows)) == size


@PROPERTY
@given(st.builds(SampleSize, total=st.none() | st.integers(min_value=0),
                 treated=st.none() | st.integers(min_value=0), control=st.none() | st.integers(min_value=0)))
def test_serialised_sample_size_round_trips(size: SampleSize) -> None:
    assert parse_serialised_sample_size(";".join(serialise_sample_size(size))) == size


# ---------------------------------------------------------------- gold agreement


def _gold_rows(field: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((ROOT / "gold").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend(r for r in csv.DictReader(handle) if r["field"] == field)
    return rows


def _row_id(row: dict[str, str]) -> str:
    return f"{row['doc_id'][:6]}-{row['study_key']}-{row['value']}"


GOLD_RESULTS = _gold_rows("alloantibody_result")
GOLD_SIZES = _gold_rows("sample_size")
GOLD_PRESENSITIZED = _gold_rows("presensitized")


@pytest.mark.skipif(not GOLD_RESULTS, reason="no gold rows")
@pytest.mark.parametrize("row", GOLD_RESULTS, ids=[_row_id(r) for r in GOLD_RESULTS])
def test_gold_result_is_read_from_its_evidence(row: dict[str, str]) -> None:
    assert parse_serialised_result(row["value"]) in find_alloantibody_results(row["evidence"])


@pytest.mark.skipif(not GOLD_SIZES, reason="no gold rows")
@pytest.mark.parametrize("row", GOLD_SIZES, ids=[_row_id(r) for r in GOLD_SIZES])
def test_gold_sample_size_is_read_from_its_evidence(row: dict[str, str]) -> None:
    size = parse_serialised_sample_size(row["value"])
    stated = next(v for v in (size.total, size.treated, size.control) if v is not None)
    assert stated in find_sample_sizes(row["evidence"])


@pytest.mark.skipif(not GOLD_PRESENSITIZED, reason="no gold rows")
@pytest.mark.parametrize("row", GOLD_PRESENSITIZED, ids=[_row_id(r) for r in GOLD_PRESENSITIZED])
def test_gold_presensitized_is_read_from_its_evidence(row: dict[str, str]) -> None:
    assert serialise_percent(parse_serialised_result(row["value"]).percent or 0.0) == row["value"]
    assert parse_serialised_result(row["value"]).percent in find_percents(row["evidence"])
