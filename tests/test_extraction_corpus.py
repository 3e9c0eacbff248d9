"""The first slice of fields on the bundled corpus, each value with the sentence behind it."""

from __future__ import annotations

import pytest

from extract.ingest import load_document
from extract.link.records import DocumentKind

from conftest import REVIEW_000

ROUTES_000 = {
    "46": "transendocardial", "47": "transendocardial", "54": "transendocardial", "55": "transendocardial",
    "52": "intravenous", "53": "intravenous", "56": "intravenous", "57": "intravenous", "58": "intravenous",
    "59": "intralesional", "48": "intra-articular", "49": "intra-articular", "50,51": "intradiscal",
}
SOURCES_000 = {
    "57": "adipose_tissue", "59": "adipose_tissue", "56": "umbilical_cord",
    "47": "bone_marrow", "48": "bone_marrow", "49": "bone_marrow", "50,51": "bone_marrow",
    "52": "bone_marrow", "53": "bone_marrow", "54": "bone_marrow", "55": "bone_marrow", "58": "bone_marrow",
}


def studies_of(results, doc_id):
    return {s.study_key: s for s in results[doc_id].studies}


def test_review_000_is_a_review_with_the_13_included_trials(corpus_results):
    result = corpus_results["000_99413260b5e6cc0d"]
    assert result.kind is DocumentKind.review
    assert set(ROUTES_000) <= set(studies_of(corpus_results, "000_99413260b5e6cc0d"))


@pytest.mark.parametrize("key,route", sorted(ROUTES_000.items()))
def test_review_000_routes(corpus_results, key, route):
    study = studies_of(corpus_results, "000_99413260b5e6cc0d")[key]
    assert route in study.values_of("route")


@pytest.mark.parametrize("key,source", sorted(SOURCES_000.items()))
def test_review_000_sources(corpus_results, key, source):
    study = studies_of(corpus_results, "000_99413260b5e6cc0d")[key]
    assert study.values_of("source") == [source]


def test_review_000_routes_are_not_spread_to_other_trials(corpus_results):
    studies = studies_of(corpus_results, "000_99413260b5e6cc0d")
    for key, route in ROUTES_000.items():
        wrong = set(studies[key].values_of("route")) - {route}
        # The paper itself cites [48] [49] [50] for "both studies" of IA injection.
        assert wrong <= ({"intra-articular"} if key == "50,51" else set()), (key, wrong)


def test_review_000_background_and_animal_citations_are_not_studies(corpus_results):
    studies = studies_of(corpus_results, "000_99413260b5e6cc0d")
    for animal_study in ("18", "19", "20", "21", "22", "23", "24", "25", "26"):
        assert animal_study not in studies
    assert "6" not in studies  # "Auto-MSCs treatment involves donor site morbidity ... [6]"


def test_every_value_carries_its_sentence_and_offsets(corpus_results):
    doc = load_document(REVIEW_000)
    for study in corpus_results["000_99413260b5e6cc0d"].studies:
        for value in study.values:
            ev = value.evidence
            assert doc.text[ev.start : ev.end] == ev.text
            assert ev.start <= ev.mention_start < ev.mention_end <= ev.end
            assert doc.text[ev.mention_start : ev.mention_end] == ev.mention
            assert ev.rule


def test_tesi_evidence_names_the_sentence_that_states_it(corpus_results):
    study = studies_of(corpus_results, "000_99413260b5e6cc0d")["55"]
    tesi = [v for v in study.values if v.field == "route"]
    assert any("TESI injection in all studies" in v.evidence.text for v in tesi)


def test_trial_papers_are_one_study_each(corpus_results):
    disc = corpus_results["PMC5009698"]
    fecal = corpus_results["PMC5320771"]
    assert disc.kind is DocumentKind.primary and len(disc.studies) == 1
    assert fecal.kind is DocumentKind.primary and len(fecal.studies) == 1
    (disc_study,), (fecal_study,) = disc.studies, fecal.studies
    assert disc_study.study_key == ""
    assert disc_study.values_of("route") == ["intradiscal"]
    assert disc_study.values_of("source") == ["bone_marrow"]
    assert disc_study.values_of("donor_type") == ["autologous"]
    assert fecal_study.values_of("route") == ["intramuscular"]
    assert fecal_study.values_of("source") == ["adipose_tissue"]
    assert fecal_study.values_of("donor_type") == ["allogeneic"]


def test_review_004_table_rows_are_studies(corpus_results):
    studies = studies_of(corpus_results, "004_0683142eb9ad4bee")
    table_keys = {"44", "45", "50", "51", "115", "116", "117"}
    assert table_keys <= set(studies)
    assert set(studies["50"].values_of("donor_type")) == {"allogeneic", "autologous"}
    assert "placenta" in studies["116"].values_of("source")
    assert "phase Ib" in studies["116"].values_of("design")
    from_table = [v.value for v in studies["117"].values if v.field == "disease" and v.evidence.kind == "table_cell"]
    assert from_table == ["Tissue fibrosis"]
    # The prose around the table names the condition itself.
    assert "systemic sclerosis" in studies["117"].values_of("disease")
    assert "Cardiomyopathy" in studies["45"].values_of("disease")


def test_review_004_table_gives_42_studies_with_every_column(corpus_results):
    from extract.ingest import load_document
    from conftest import REVIEW_004

    table_keys = {c.text.strip("[]") for row in load_document(REVIEW_004).tables[0].rows for c in row.cells[-1:]}
    studies = studies_of(corpus_results, "004_0683142eb9ad4bee")
    assert len(table_keys) == 42
    for key in table_keys:
        table_fields = {v.field for v in studies[key].values if v.evidence.kind == "table_cell"}
        assert {"disease", "donor_type", "source", "design", "effect"} <= table_fields, key
    doses = {v.value for v in studies["49"].values if v.field == "dose" and v.evidence.kind == "table_cell"}
    assert doses == {f"value={x};unit=1e6 cells;per=kg" for x in ("0.5", "1.6", "5")}
    assert {v.value for v in studies["77"].values if v.field == "dose" and v.evidence.kind == "table_cell"} >= {
        "value=103.14;unit=mL"
    }


def test_review_000_prose_doses(corpus_results):
    studies = studies_of(corpus_results, "000_99413260b5e6cc0d")
    assert "value=0.3;unit=1e6 cells;per=kg" in studies["58"].values_of("dose")
    assert "value=1;unit=1e6 cells" in studies["56"].values_of("dose")
    assert "value=25;unit=1e6 cells;per=disc" in studies["50,51"].values_of("dose")
    assert "value=300;unit=1e6 cells" in studies["53"].values_of("dose")
    assert "value=150;unit=1e6 cells" in studies["55"].values_of("dose")


def test_trial_doses_keep_the_lost_superscript_reading(corpus_results):
    (fecal,) = corpus_results["PMC5320771"].studies
    assert "value=6;unit=1e6 cells" in fecal.values_of("dose")
    (disc,) = corpus_results["PMC5009698"].studies
    assert "low=15.1;high=51.6;unit=1e6 cells" in disc.values_of("dose")


def test_review_000_an_author_named_without_a_number_is_the_study_cited_with_it(corpus_results):
    # "Hare et al. [54]" elsewhere makes "Hare et al. detected that more than 30% ..." a statement about 54.
    studies = studies_of(corpus_results, "000_99413260b5e6cc0d")
    evidence = [v.evidence.text for v in studies["54"].values if v.field == "presensitized"]
    assert any(text.startswith("Hare et al. detected") for text in evidence)
    assert "percent=30" in studies["54"].values_of("presensitized")


def test_an_author_paired_with_two_studies_cites_neither():
    from extract.link.authors import cite_named_authors
    from extract.fields.evidence import CitationMention, Sentence

    def sentence(index: int, text: str, numbers: list[int] | None = None) -> Sentence:
        bracket = f"[{numbers[0]}]" if numbers else None
        citations = (
            [CitationMention(start=text.index(bracket), end=text.index(bracket) + len(bracket), numbers=numbers)] if bracket else []
        )
        return Sentence(index=index, start=0, end=len(text), text=text, citations=citations)

    sentences = [
        sentence(0, "Hare et al. [46] infused cells.", [46]),
        sentence(1, "Hare et al. [54] infused them again.", [54]),
        sentence(2, "Perin et al. [55] measured DSA.", [55]),
        sentence(3, "Hare et al. saw it."),
        sentence(4, "Perrin et al. saw it."),
    ]
    cited = cite_named_authors(sentences)
    assert cited[3].citations == []
    assert [c.numbers for c in cited[4].citations] == [[55]]


def test_review_000_alloantibody_fields_per_trial(corpus_results):
    studies = studies_of(corpus_results, "000_99413260b5e6cc0d")
    assert "positive=9;total=48;percent=19" in studies["57"].values_of("alloantibody_result")
    for no_antibodies in ("56", "58", "50,51"):  # "no patient developed DSA", "did not cause ... DSA", "no alloantibodies"
        assert studies[no_antibodies].values_of("alloantibody_result") == ["positive=0"]
    assert studies["59"].values_of("alloantibody_result") == ["percent=34"]
    for cpra in ("46", "47", "48", "49", "53", "54"):
        assert "cPRA" in studies[cpra].values_of("alloantibody_assay")
    for dsa in ("55", "56", "57", "58", "59"):
        assert studies[dsa].values_of("alloantibody_assay") == ["DSA"]
    assert studies["57"].values_of("n_administrations") == ["3"]
    assert studies["46"].values_of("n_administrations") == studies["54"].values_of("n_administrations") == ["10"]
    assert {s: studies[s].values_of("presensitized") for s in ("57", "54", "59")} == {
        "57": ["percent=43"], "54": ["percent=30"], "59": ["percent=16"]
    }


def test_review_000_diseases_with_their_category(corpus_results):
    studies = studies_of(corpus_results, "000_99413260b5e6cc0d")
    # "patients with heart diseases, two studies in patients with ICM [46, 54], two ... HF [55, 56] and one ... NDC [47]"
    assert set(studies["46"].values_of("disease")) == {"heart diseases", "ischemic cardiomyopathy"}
    assert set(studies["47"].values_of("disease")) == {"heart diseases", "non-ischemic dilated cardiomyopathy"}
    assert set(studies["55"].values_of("disease")) == {"heart diseases", "heart failure"}
    assert set(studies["58"].values_of("disease")) == {"diabetes", "type 2 diabetes"}
    assert studies["59"].values_of("disease") == ["Crohn's disease"]


def test_trials_state_sample_size_follow_up_and_safety(corpus_results):
    fecal = studies_of(corpus_results, "PMC5320771")[""]
    assert {"total=18", "treated=9", "control=9"} <= set(fecal.values_of("sample_size"))
    assert fecal.values_of("follow_up") == ["months=2"]
    assert "No adverse event was seen at the 2-month follow-up" in fecal.values_of("safety")
    disc = studies_of(corpus_results, "PMC5009698")[""]
    assert "low=48;high=72" in disc.values_of("follow_up")
    assert {"1", "2"} <= set(disc.values_of("n_administrations"))
    assert "MSC" in disc.values_of("cell_type")
