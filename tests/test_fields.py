"""Sentence readers (extract/fields/*): examples from the bundled papers, and properties over any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from extract.fields.administrations import administration_mentions
from extract.fields.alloantibodies import presensitized_mentions, result_mentions
from extract.fields.disease import disease_mentions
from extract.fields.follow_up import follow_up_mentions
from extract.nlp.sentence_readers import READERS
from extract.fields.reading import SentenceText
from extract.fields.safety import safety_mentions
from extract.fields.sample_size import sample_size_mentions
from extract.ingest.document import SectionKind

from conftest import CORPUS


def values(mentions) -> list[str]:
    return [m.value for m in mentions]


def in_paper(sentence: str, paper: str) -> SentenceText:
    """A sentence as it stands in a bundled paper, so every example here is real text."""
    text = (CORPUS / paper).read_text(encoding="utf-8")
    start = text.index(sentence)
    return SentenceText(sentence, start)


REVIEW = "000_99413260b5e6cc0d.txt"


def test_results_counts_shares_and_negations():
    assert values(result_mentions(in_paper(
        "The results found 5% (1/20) [53] , 15% (3/20) [52] and 19% (9/48) [57] of the patients with DSA development in the different studies.",
        REVIEW,
    ))) == ["positive=1;total=20;percent=5", "positive=3;total=20;percent=15", "positive=9;total=48;percent=19"]
    assert values(result_mentions(in_paper("This dose did not cause the development of DSA in any treated patient [58] .", REVIEW))) == ["positive=0"]
    assert values(result_mentions(in_paper("In another study in which the cell dose was low, specifically 1 M, no patient developed DSA [56] .", REVIEW))) == ["positive=0"]
    assert values(result_mentions(in_paper("Specifically, 34% of patients who received a dose of allo-MSCs generated DSA [59] .", REVIEW))) == ["percent=34"]


def test_results_borrow_the_topic_of_the_sentence_before():
    sentence = "The values were variable, ranging from one single patient [46, 47] , two patients [54] , and five patients [55] ."
    alone = SentenceText(sentence, 0)
    after = SentenceText(sentence, 0, previous="TESI injection in all studies led to the development of alloantibodies.")
    assert values(result_mentions(alone)) == []
    assert values(result_mentions(after)) == ["positive=1", "positive=2", "positive=5"]


def test_a_negation_of_something_else_is_no_result():
    previous = "Regarding the cellular immune response, alloantibodies were measured."
    sentence = "Only Perin et al. analyzed the activation of T-cells through MLR showing that MSCs did not elicit proliferative responses from patients' cells [55] ."
    assert values(result_mentions(SentenceText(sentence, 0, previous=previous))) == []
    assert values(result_mentions(in_paper("In none of the analyzed studies was there a correlation established between the safety profile and the development of alloantibodies.", REVIEW))) == []


def test_presensitized_shares_not_comparisons():
    found = presensitized_mentions(in_paper(
        "Regarding the presence of presensitized patients, in the studies in which presensitization is analyzed, the percentage was 43% [57] , 30% [54] and 16% [59] .",
        REVIEW,
    ))
    assert values(found) == ["percent=43", "percent=30", "percent=16"]
    assert presensitized_mentions(in_paper("Presensitized patients showed higher frequency of DSA (30% vs. 11%) [57] .", REVIEW)) == []


def test_administrations():
    assert values(administration_mentions(in_paper("Álvaro-Gracia et al. performed three allo-MSC infusions to treat RA [57] .", REVIEW))) == ["3"]
    assert values(administration_mentions(in_paper("Hare et al. and Florea et al., performed 10 allo-MSC infusions to treat nonischemic DC and ICD, respectively [46, 54] .", REVIEW))) == ["10"]
    assert values(administration_mentions(SentenceText("In most studies (10 of 13) a single infusion of allo-MSCs was performed.", 0))) == ["1"]
    # A duration before "administration" counts years, and "a dose" is no statement of how many.
    assert administration_mentions(SentenceText("a patient 4 years after local administration of MSCs", 0)) == []
    assert administration_mentions(SentenceText("34% of patients who received a dose of allo-MSCs", 0)) == []
    assert administration_mentions(SentenceText("from baseline for 1 month and 3 months post transplantation", 0)) == []
    # A refused reading ("7 ... infusions") does not hide the right one inside it.
    assert values(administration_mentions(SentenceText("patients given 5×10^7 MSCs with 2 separate infusions", 0))) == ["2"]


def test_disease_as_written_and_abbreviations_expanded():
    sentence = in_paper("Finally, one study determined DSA in patients with Crohn's disease (CD) after allo-MSC administration [59] .", REVIEW)
    assert values(disease_mentions(sentence)) == ["Crohn's disease"]
    defined = SentenceText("Two studies took this measurement in patients with OA after treatment [48, 49] .", 0, long_forms={"OA": "osteoarthritis"})
    (mention,) = disease_mentions(defined)
    assert mention.value == "osteoarthritis" and mention.text == "OA" and "abbreviation:OA" in mention.rule
    # An undefined short form, or a phrase that names no condition, is not read.
    assert disease_mentions(SentenceText("patients with OA after treatment", 0)) == []
    assert disease_mentions(SentenceText("patients with allogeneic cells", 0)) == []


def test_sample_sizes_of_a_trial():
    paper = "PMC5320771.txt"
    sentence = "The present study was performed on 18 patients (15 women and 3 men, aged 25–78 years) who were randomly assigned to either the cell group (n = 9) or the control group (n = 9) (Fig. 1)."
    assert values(sample_size_mentions(in_paper(sentence, paper))) == ["total=18", "treated=9", "control=9"]
    assert sample_size_mentions(SentenceText("divided in two injections per patient request and received them", 0)) == []


def test_follow_up_needs_a_cue():
    assert values(follow_up_mentions(in_paper("Participants were assessed at the time of randomization (baseline) and followed up at 2 months.", "PMC5320771.txt"))) == ["months=2"]
    assert follow_up_mentions(SentenceText("Patients were aged 25–78 years.", 0)) == []


def test_safety_clause_as_written():
    sentence = SentenceText(
        "Only one case (11.11%) of erythema was seen in the site of surgery, which was closely followed; therefore it did not lead to any serious problems for the patient and was relieved completely.",
        0, section_kind=SectionKind.results,
    )
    assert values(safety_mentions(sentence))[0] == "one case (11.11%) of erythema was seen in the site of surgery"
    methods = SentenceText("Safety consisted of assessing the reported side effects after surgery.", 0, section_kind=SectionKind.methods)
    assert safety_mentions(methods) == []


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), previous=st.text(max_size=80), start=st.integers(0, 10_000))
def test_readers_never_raise_and_point_at_their_words(text, previous, start):
    sentence = SentenceText(text, start, previous, {"OA": "osteoarthritis"}, SectionKind.results)
    for reader in READERS.values():
        for mention in reader(sentence):
            assert start <= mention.start <= mention.end <= start + len(text)
            assert text[mention.start - start : mention.end - start] == mention.text


@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            ["patients", "with", "three", "infusions", "DSA", "no", "developed", "19%", "(9/48)", "n", "=", "12",
             "follow-up", "months", "adverse", "events", "[57]", "presensitized", "percentage", "was", "allo-MSC", "disease", "OA"]
        ),
        max_size=40,
    )
)
def test_readers_on_field_vocabulary_never_raise(words):
    text = " ".join(words)
    sentence = SentenceText(text, 0, text, {"OA": "osteoarthritis"}, SectionKind.results)
    for reader in READERS.values():
        for mention in reader(sentence):
            assert text[mention.start : mention.end] == mention.text
