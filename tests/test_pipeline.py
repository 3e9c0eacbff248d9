"""The spaCy pipeline builds offline; a saved pipeline folder takes the model's place."""

from __future__ import annotations

import spacy

from extract.nlp.patterns import load_rules
from extract.nlp.pipeline import build_pipeline, resolve_pipeline_name


def test_blank_pipeline_has_scispacy_tokenizer_abbreviations_and_rules(nlp):
    assert nlp.pipe_names == ["msc_sentencizer", "msc_abbreviation_definitions", "msc_field_matcher", "msc_sentence_readers", "msc_context"]
    doc = nlp("Allo-MSCs were given by transendocardial stem cell injection (TESI) into BM-derived sites.")
    labels = {(span.text, span.label_) for span in doc.spans["fields"]}
    assert ("Allo-MSCs", "donor_type=allogeneic") in labels
    assert ("transendocardial stem cell injection", "route=transendocardial") in labels
    assert ("TESI", "route=transendocardial") in labels
    assert ("BM-derived", "source=bone_marrow") in labels
    assert [(a.text, a._.long_form.text) for a in doc._.abbreviations] == [("TESI", "transendocardial stem cell injection")]


def test_longest_reading_wins_within_a_field(nlp):
    doc = nlp("Cells from umbilical cord blood.")
    assert [s.label_ for s in doc.spans["fields"]] == ["source=cord_blood"]


def test_rules_are_data_with_unique_ids():
    rules = load_rules()
    assert {r.field for r in rules} >= {"route", "source", "donor_type", "design"}
    assert all(r.phrases or r.pattern or r.near for r in rules)


def test_auto_without_an_installed_model_is_blank():
    if not any(spacy.util.is_package(m) for m in ("en_core_sci_sm", "en_core_sci_md")):
        assert resolve_pipeline_name("auto") == "blank"


def test_a_saved_pipeline_folder_is_used_as_the_base(tmp_path):
    # Stands in for an installed scispaCy model: a real pipeline loaded from disk,
    # with its own tokenizer and sentence boundaries, extended with our components.
    base = spacy.blank("en")
    base.add_pipe("sentencizer")
    base.to_disk(tmp_path / "small")
    nlp = build_pipeline(str(tmp_path / "small"))
    # The base's own sentence splitter is kept; ours are added under our names.
    assert nlp.pipe_names == ["sentencizer", "msc_abbreviation_definitions", "msc_field_matcher", "msc_sentence_readers", "msc_context"]
    assert nlp.meta["msc_extract_base"] == str(tmp_path / "small")
    doc = nlp("Patients received intravenous umbilical cord MSCs. Then nothing.")
    assert {s.label_ for s in doc.spans["fields"]} == {"route=intravenous", "source=umbilical_cord", "cell_type=MSC"}
    assert len(list(doc.sents)) == 2
