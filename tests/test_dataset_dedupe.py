"""One trial behind several papers, on real citations: review 004's reference list against the
CIDMap curators' table of MSC trial reports (titles with damaged characters, print versus online years)."""

from __future__ import annotations

import pandas as pd

from extract.dataset.dedupe import assign_trials, normalise_doi, normalise_title, same_trial, surname
from extract.dataset.records import StudyIdentity
from extract.ingest import load_document

from conftest import REVIEW_004, ROOT

CIDMAP = ROOT / "tests" / "data" / "cidmap-trial-titles.csv"


def review_004_studies() -> list[StudyIdentity]:
    document = load_document(REVIEW_004)
    return [
        StudyIdentity(doc_id=document.doc_id, study_key=str(r.number), first_author=r.first_author, year=r.year, title=r.title, doi=r.doi)
        for r in document.references
    ]


def cidmap_reports() -> list[StudyIdentity]:
    table = pd.read_csv(CIDMAP, dtype=str)
    return [
        StudyIdentity(doc_id="cidmap", study_key=row.ref_number, first_author=row.ref_first_author, year=int(row.year), title=row.ref_title)
        for row in table.itertuples()
    ]


def test_normalised_forms():
    assert normalise_title("Umbilical Cord?Derived Mesenchymal Stromal Cells (MSCs)") == normalise_title(
        "Umbilical cord-derived mesenchymal stromal cells (mscs)"
    )
    assert normalise_title("Álvaro-Gracia") == "alvaro gracia"
    assert normalise_doi("https://doi.org/10.1186/S12967-016-1015-5.") == "10.1186/s12967-016-1015-5"
    assert normalise_doi("doi: 10.3390/jcm10132991") == "10.3390/jcm10132991"
    assert {surname("Hare JM"), surname("Hare, Joshua M."), surname("Joshua M. Hare")} == {"hare"}
    assert surname("Sanabria-de la Torre, Raquel") == "sanabriadelatorre"
    assert surname("Lamo-Espinosa JM") == "lamoespinosa"


def test_review_citations_match_the_trial_reports_they_cite():
    review, reports = review_004_studies(), cidmap_reports()
    matches = {(a.study_key, b.study_key) for a in review for b in reports if same_trial(a, b)}
    # Checked by hand against both tables: same first author, same trial title.
    assert matches == {
        ("45", "46"),  # Gao 2013, intracoronary BM-MSC after AMI
        ("48", "62"),  # Mathiasen 2015, MSC-HF
        ("50", "83"),  # Hare 2017, POSEIDON-DCM
        ("51", "82"),  # Hare 2012, POSEIDON
        ("83", "34"),  # Lamo-Espinosa 2016, knee OA
        ("85", "18"),  # Lee 2019 ("Intra?Articular ... Tissue?Derived")
        ("88", "28"),  # Vega 2015
        ("91", "1"),   # Matas: 2019 in the review, 2018 (online) in CIDMap, "Cord?Derived"
        ("97", "19"),  # Schweizer 2019
    }


def test_a_follow_up_report_of_the_same_trial_stays_its_own_study():
    review = {s.study_key: s for s in review_004_studies()}
    reports = {s.study_key: s for s in cidmap_reports()}
    # Lamo-Espinosa 2018 is the long-term follow-up of the 2016 trial: one title stem, two years later.
    follow_up = review["84"]
    assert follow_up.year == 2018 and not same_trial(follow_up, reports["34"])
    # Two citations in one review are distinct by its authors' choice, however alike.
    assert not same_trial(review["83"], review["84"])


def test_trial_ids_name_the_earliest_seen_paper_and_cover_every_study():
    review = [s.model_copy(update={"first_seen_run": 2}) for s in review_004_studies()]
    reports = [s.model_copy(update={"first_seen_run": 1}) for s in cidmap_reports()]
    trials = assign_trials(review + reports)
    assert len(trials) == len(review) + len(reports)
    assert len(set(trials.values())) == len(review) + len(reports) - 9
    assert trials[("004_0683142eb9ad4bee", "91")] == trials[("cidmap", "1")] == "cidmap#1"
    assert trials[("004_0683142eb9ad4bee", "84")] == "004_0683142eb9ad4bee#84"
