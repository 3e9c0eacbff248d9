"""Dose notations of real papers and their exports (issue 18), each in a sentence written for this test.

PubMed abstracts print a superscript as ``10(6)``; PDF and XML exports drop it
(``3.0 x 106 cells/kg``); registries type ``10e6`` or ``4*10e8``. A limit
("up to"), a concentration ("cells/10 mL") and a count of dose levels are not
doses; "per" is written only where the words state it.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.normalize.dose import find_doses, parse_doses, parse_serialised_dose, serialise_dose
from extract.normalize.numbers import normalize_numeric_text
from extract.normalize.values import Dose

PROPERTY = settings(max_examples=int(os.environ.get("MSC_HYPOTHESIS_EXAMPLES", "200")), deadline=None)


def cells(value: float | None = None, *, low: float | None = None, high: float | None = None,
          per: str | None = None, unit: str = "1e6 cells", arm: str | None = None) -> Dose:
    return Dose(value=value, low=low, high=high, per=per, unit=unit, arm=arm)


# ---------------------------------------------------------------- notations

NOTATIONS = [
    # PubMed's parenthesised superscript
    ("Each patient was infused with 2 × 10(6) cells/kg.", [cells(2.0, per="kg")]),
    ("We gave a dose of 1.5 x10(8) MSCs.", [cells(150.0)]),
    ("The target was 2 times 10(6) BMSC/kg for each infusion.", [cells(2.0, per="kg")]),
    # superscripts lost in export
    ("Patients received 0.5–1.0 × 106 MSC/kg intravenously.", [cells(low=0.5, high=1.0, per="kg")]),
    ("A single injection of 1 x 108 cells was given.", [cells(100.0)]),
    ("The dose was 3.0 x 106 cells/kg body weight.", [cells(3.0, per="kg")]),
    ("Infusions of 2x106 - 6x106/kg MSC were given on day 0.", [cells(low=2.0, high=6.0, per="kg")]),
    ("Subjects in the second group got 6X106 mononuclear cells/kilogram.", [cells(6.0, per="kg")]),
    ("The muscle was injected with 1 * 107 cells /kg.", [cells(10.0, per="kg")]),
    # an export that spaced the decimal point
    ("Eligible patients receive 0. 5x106 cells / kg of patient weight.", [cells(0.5, per="kg")]),
    ("The first cohort received 0. 5-1. 0 * 106 cells /kg.", [cells(low=0.5, high=1.0, per="kg")]),
    ("Each patient received 1. 0E+6 MSC/kg.", [cells(1.0, per="kg")]),
    # decimal commas before a magnitude
    ("Patients were infused with 1,5-3,0 10E6 MSC/kg.", [cells(low=1.5, high=3.0, per="kg")]),
    ("The dose was 1,5-2,0 mln of cells/kg.", [cells(low=1.5, high=2.0, per="kg")]),
    # a lost superscript whose cell word comes after a few qualifiers
    ("They were given 2*106 of autologous mesenchymal stem cells.", [cells(2.0)]),
    # "10e" for "ten to the"
    ("Each knee received 4*10e8 cells.", [cells(400.0)]),
    ("About 10e6 cells were injected per lesion.", [cells(1.0)]),
    ("A dose of 1 x 10e6 clonal MSCs/Kg was infused.", [cells(1.0, per="kg")]),
    ("The implant held 5x10E6 cells.", [cells(5.0)]),
    # plain forms
    ("Cells were given at 1.5 × 10^6 per kilogram.", [cells(1.5, per="kg")]),
    ("The cohort received 1 million cells/kg.", [cells(1.0, per="kg")]),
    ("Each disc received 100 M cells.", [cells(100.0)]),
    ("We injected 1.5e6 cells.", [cells(1.5)]),
]


@pytest.mark.parametrize("text, expected", NOTATIONS, ids=[t for t, _ in NOTATIONS])
def test_real_notations(text: str, expected: list[Dose]) -> None:
    assert parse_doses(text) == expected


def test_a_lost_superscript_is_not_read_where_a_plain_product_is_meant() -> None:
    assert parse_doses("The field measured 3 × 106 mm across.") == []
    assert normalize_numeric_text("a 2 × 106 grid") == "a 2 × 106 grid"


def test_a_comma_between_digits_is_a_decimal_only_before_a_magnitude() -> None:
    assert normalize_numeric_text("groups 1,2 and 3") == "groups 1,2 and 3"
    assert parse_doses("We injected 1,500,000 cells.") == [cells(1.5)]


@pytest.mark.parametrize(
    "text",
    [
        "Visits are weekly in the first month and once per 2 weeks (1-3M) after the infusion of MSCs.",
        "Injury stages were 2W-2M and 2M-12M before MSC transplantation.",
        "Cases are expected to rise to 19.3 million in 2025.",
        "0E+6 MSC/kg in subject for the therapy of aplastic anaemia.",
    ],
)
def test_months_populations_and_zero_are_not_doses(text: str) -> None:
    assert parse_doses(text) == []


def test_a_power_of_ten_after_an_unreadable_mantissa_is_no_dose() -> None:
    # "1;5 10^6" (a typo) must not be read as 10^6 cells: the real mantissa is lost.
    assert parse_doses("Each received 1;5 10^6 cells/kg.") == []


# ---------------------------------------------------------------- per only where the words say it


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The patients received 15.1–51.6 million cells.", [cells(low=15.1, high=51.6)]),
        ("She received a total of 51.6 million MSCs in two sessions.", [cells(51.6, per="total")]),
        ("Each patient got 40 million MSCs in total.", [cells(40.0, per="total")]),
        ("Patients were randomised to 20 million total hMSC or placebo.", [cells(20.0, per="total")]),
        ("The dose was 2 × 10^7 cells per infusion.", [cells(20.0, per="infusion")]),
        ("25 million cells per disc were implanted.", [cells(25.0, per="disc")]),
        ("The team injected 1 × 10^7 cells per site.", [cells(10.0, per="site")]),
        ("We injected 20 million cells into each knee.", [cells(20.0, per="site")]),
        ("A total of 6 × 10^6 cells (3 × 10^6 in 1 ml into each end of the repair) were injected.",
         [cells(6.0, per="total"), cells(3.0, per="site")]),
        ("1 × 10^7 MSCs were injected into each of 4 sites.", [cells(10.0, per="site")]),
        ("Each patient received 10 million cells, and each knee was scanned.", [cells(10.0)]),
    ],
)
def test_per_is_what_the_words_state(text: str, expected: list[Dose]) -> None:
    assert parse_doses(text) == expected


# ---------------------------------------------------------------- limits and concentrations are not doses


@pytest.mark.parametrize(
    "text",
    [
        "No patient was given a maximum of 1 × 10^8 cells.",
        "Patients may receive up to 2,000,000 cells per kilogram.",
        "The infused product, not exceeding 5 × 10^6 cells/kg, was thawed at the bedside.",
        "Each bag was released only if it held at least 1 × 10^6 viable cells.",
        "Cells were frozen at 5 × 10^7 cells/10 mL in cryoprotectant.",
        "Vials contain 2 x 10^7 cells/mL.",
        "The suspension held 1 × 10^8 cells in 2 mL of saline.",
        "Vials were filled with 5, 10 or 20 × 10^6 cells in 2 mL.",
    ],
)
def test_limits_and_concentrations_are_not_doses(text: str) -> None:
    assert parse_doses(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Patients were injected with 1 × 10^8 cells in 3 mL of saline.", [cells(100.0)]),
        ("The hADSCs (1*10e7 cells/500ul) were administered into the muscle.", [cells(10.0)]),
        ("The maximum tolerated dose was 1 × 10^7 cells/kg.", [cells(10.0, per="kg")]),
    ],
)
def test_a_count_with_its_vehicle_is_a_dose_where_the_cells_were_given(text: str, expected: list[Dose]) -> None:
    assert parse_doses(text) == expected


# ---------------------------------------------------------------- escalation lists and arms


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Cohorts received 1, 3 or 10 × 10^6 cells/kg.",
         [cells(1.0, per="kg"), cells(3.0, per="kg"), cells(10.0, per="kg")]),
        ("Patients were randomised to a low dose (1 × 10^6 cells/kg) and a high dose (5 × 10^6 cells/kg).",
         [cells(1.0, per="kg", arm="low-dose"), cells(5.0, per="kg", arm="high-dose")]),
        ("The high-dose group received 2 × 10^8 cells and the low-dose group 1 × 10^8 cells.",
         [cells(200.0, arm="high-dose"), cells(100.0, arm="low-dose")]),
        ("Doses of 20 million and 40 million cells were compared.", [cells(20.0), cells(40.0)]),
        ("They gave 500–5000 × 10⁶ marrow mononuclear cells and 400–1600 × 10⁶ adipose SVF.",
         [cells(low=500.0, high=5000.0), cells(low=400.0, high=1600.0)]),
    ],
)
def test_escalation_lists_are_several_values(text: str, expected: list[Dose]) -> None:
    assert parse_doses(text) == expected


def test_find_doses_points_at_pubmed_notation() -> None:
    text = "infused 2 × 10(6) cells/kg"
    [(start, end, _)] = find_doses(text)
    assert text[start:end] == "2 × 10(6) cells/kg"


# ---------------------------------------------------------------- properties

mantissas = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("99.9"), places=1)
exponents = st.integers(min_value=6, max_value=9)
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _notations(mantissa: Decimal, exponent: int) -> list[str]:
    """Ways real texts write mantissa × 10^exponent."""
    forms = [
        f"{mantissa} × 10^{exponent}",
        f"{mantissa} x 10^{exponent}",
        f"{mantissa}×10^{exponent}",
        f"{mantissa} × 10{str(exponent).translate(SUPERSCRIPT)}",
        f"{mantissa} × 10({exponent})",
        f"{mantissa} x10({exponent})",
        f"{mantissa} times 10({exponent})",
        f"{mantissa} × 10{exponent}",
        f"{mantissa} x 10{exponent}",
        f"{mantissa}*10e{exponent}",
        f"{mantissa} x 10E{exponent}",
        f"{mantissa}e{exponent}",
        f"$ {mantissa} \\times 10^{{{exponent}}}$",
    ]
    if exponent == 6:
        forms += [f"{mantissa} million", f"{mantissa} M"]
    if exponent == 9:
        forms += [f"{mantissa} billion"]
    return forms


@PROPERTY
@given(mantissas, exponents, st.sampled_from(["", "/kg", " per kg", " per infusion"]), st.data())
def test_every_notation_of_one_number_reads_the_same(mantissa: Decimal, exponent: int, per: str, data) -> None:
    form = data.draw(st.sampled_from(_notations(mantissa, exponent)))
    text = f"Patients received {form} cells{per}."
    expected_per = {"": None, "/kg": "kg", " per kg": "kg", " per infusion": "infusion"}[per]
    assert parse_doses(text) == [cells(float(mantissa.scaleb(exponent - 6)), per=expected_per)], text


@PROPERTY
@given(mantissas, exponents, st.sampled_from(["up to", "a maximum of", "not exceeding", "at least", "no more than"]))
def test_a_bound_is_never_a_dose(mantissa: Decimal, exponent: int, bound: str) -> None:
    assert parse_doses(f"Patients received {bound} {mantissa} × 10^{exponent} cells.") == []


amounts = st.none() | st.floats(min_value=0, max_value=1e12, allow_nan=False)


@PROPERTY
@given(amounts, amounts, amounts, st.sampled_from(["1e6 cells", "1e4 cells", "mL"]),
       st.none() | st.sampled_from(["total", "kg", "site", "disc", "infusion", "dose"]),
       st.none() | st.sampled_from(["low-dose", "100M", "A"]))
def test_a_serialised_dose_parses_back_to_itself(value, low, high, unit, per, arm) -> None:
    dose = Dose(value=value, low=low, high=high, unit=unit, per=per, arm=arm)
    text = serialise_dose(dose)
    assert parse_serialised_dose(text) == dose
    assert ("per=" in text) is (per is not None)


# ---------------------------------------------------------------- how many administrations


def _administrations(text: str) -> list[str]:
    from extract.fields.administrations import administration_mentions
    from extract.fields.reading import SentenceText

    return [m.value for m in administration_mentions(SentenceText(text, 0))]


@pytest.mark.parametrize(
    "text, counts",
    [
        ("The trial enrolled four dose cohorts of three patients each.", []),
        ("Three dose levels were tested one after another.", []),
        ("Two dose-escalation cohorts were planned.", []),
        ("The 2 dose groups were compared at one year.", []),
        ("Up to 12 cell infusions may be given.", []),
        ("The trial compares two different doses of MSCs.", []),
        ("Patients get two escalating doses of cells.", []),
        ("Patients received a single dose of 1 × 10^6 MSCs/kg.", ["1"]),
        ("Each patient received two doses of MSCs four weeks apart.", ["2"]),
        ("MSCs were infused intravenously on days 0 and 14.", ["2"]),
        ("Cells were injected on days 1, 8 and 15.", ["3"]),
        ("Patients who received MSCs were assessed at weeks 4, 12 and 24.", []),
        ("Participants received three intravenous infusions of MSCs.", ["3"]),
        ("The cells were given over three infusions.", ["3"]),
        ("Patients who had an epidural steroid injection within a week before the cell infusion were excluded.", []),
    ],
)
def test_counts_of_administrations(text: str, counts: list[str]) -> None:
    assert _administrations(text) == counts
