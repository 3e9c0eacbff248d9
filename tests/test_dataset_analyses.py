"""Patients with alloantibodies by route, source, assay and dose band, on the hand-made gold of
review 000 (extraction does not yet give results), figures computed by hand from its rows."""

from __future__ import annotations

import pandas as pd
import pytest

from extract.dataset.analyses import alloantibody_table, dose_band, trial_counts
from extract.normalize.dose import parse_serialised_dose
from extract.normalize.results import parse_serialised_result, parse_serialised_sample_size

from conftest import ROOT

GOLD_000 = ROOT / "gold" / "000_99413260b5e6cc0d.csv"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    gold = pd.read_csv(GOLD_000, dtype=str, keep_default_na=False)
    gold["trial_id"] = gold.doc_id + "#" + gold.study_key
    return alloantibody_table(gold).set_index(["dimension", "group"])


def row(table, dimension, group):
    return table.loc[(dimension, group), ["studies", "studies_with_counts", "positive", "tested"]].tolist()


def test_intravenous_trials_pool_the_counts_with_denominators(table):
    # 52: 3/20; 53: 1/20 (chosen over "two patients", which has no denominator); 57: 9/48; 56 and 58: none, no N.
    assert row(table, "route", "intravenous") == [5, 3, 13, 88]
    assert table.loc[("route", "intravenous"), "share"] == pytest.approx(13 / 88, abs=1e-4)


def test_a_count_takes_the_sample_size_as_denominator(table):
    # TESI: 46 (1), 47 (1 of the 37 patients its sample_size states), 54 (2), 55 (5).
    assert row(table, "route", "transendocardial") == [4, 1, 1, 37]


def test_assay_and_source_groups(table):
    assert row(table, "alloantibody_assay", "DSA") == [5, 1, 9, 48]  # 55, 56, 57, 58, 59; only 57 has N
    assert row(table, "alloantibody_assay", "cPRA") == [6, 3, 5, 77]  # 46, 47, 50-51, 52, 53, 54
    assert row(table, "source", "adipose_tissue") == [2, 1, 9, 48]  # 57, 59
    assert row(table, "all", "all") == [11, 4, 14, 125]


def test_dose_bands_follow_the_highest_dose(table):
    assert row(table, "dose_band", ">=200 x10^6") == [2, 2, 4, 40]  # 52 (100 and 200 M), 53 (300 M)
    assert row(table, "dose_band", "<1 x10^6/kg") == [1, 0, 0, 0]  # 58: 0.3 M/kg
    assert dose_band([parse_serialised_dose("low=0.5;high=2.5;per=kg")]) == ">=2 x10^6/kg"
    assert dose_band([parse_serialised_dose("value=2;unit=mL")]) is None


def test_trial_counts_prefer_stated_denominators():
    results = [parse_serialised_result(t) for t in ("positive=2", "positive=1;total=20;percent=5")]
    assert trial_counts(results, []) == (1, 20)
    percent_only = [parse_serialised_result("percent=34")]
    assert trial_counts(percent_only, []) == (None, None)
    assert trial_counts(percent_only, [parse_serialised_sample_size("total=50")]) == (17, 50)
    sizes = [parse_serialised_sample_size("total=30"), parse_serialised_sample_size("treated=20")]
    assert trial_counts([parse_serialised_result("positive=0")], sizes) == (0, 20)
