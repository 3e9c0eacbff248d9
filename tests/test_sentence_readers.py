"""The sentence readers as a pipeline component (`msc_sentence_readers`): what they find is on the Doc, as spans
beside the field matcher's, and comes back from the Doc exactly as the readers returned it."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from extract.fields.prose import read_sentences
from extract.fields.reading import SentenceText
from extract.ingest import parse_text
from extract.ingest.document import SectionKind
from extract.nlp.field_matcher import SPAN_KEY
from extract.nlp.sentence_readers import INPUT_KEY, READERS, READINGS_KEY, reading_input, readings

OWN_WORDS = (
    "The trial was small. Nine patients with knee pain were enrolled and given 2 × 10^6 cells/kg of allogeneic bone "
    "marrow MSCs intravenously; they were followed up for 6 months."
)


def spans(doc: Doc, key: str) -> list[tuple[str, str, str]]:
    return [(span.text, span.label_, span.id_) for span in doc.spans[key]]


def test_the_readers_write_spans_on_the_doc_beside_the_field_matcher(nlp):
    assert nlp.pipe_names.index("msc_sentence_readers") == nlp.pipe_names.index("msc_field_matcher") + 1
    doc = nlp(OWN_WORDS)
    # Reader after reader, in the order the config names them (not by place).
    assert spans(doc, READINGS_KEY) == [
        ("2 × 10^6 cells/kg", "dose=value=2;unit=1e6 cells;per=kg", "prose.dose>normalize.find_doses"),
        ("knee pain", "disease=knee pain", "prose.disease>lexicons/diseases.json"),
        ("Nine patients", "sample_size=total=9", "prose.sample_size>normalize.results"),
        ("6 months", "follow_up=months=6", "prose.follow_up>normalize.durations"),
    ]
    assert ("intravenously", "route=intravenous") in [(text, label) for text, label, _ in spans(doc, SPAN_KEY)]
    # Every span is in the second sentence, the one that states the values.
    second = list(doc.sents)[1]
    assert all(second.start <= span.start and span.end <= second.end for span in doc.spans[READINGS_KEY])


def test_what_the_doc_gives_back_is_exactly_what_the_readers_returned(nlp):
    # "1/3 participants": the sample size is the 3, inside the token "1/3"; a span covers whole tokens.
    text = "Fever occurred in 1/3 participants who received cells, and 2 of 8 infusions were stopped."
    sentence = SentenceText(text, 0)
    expected = [mention for reader in READERS.values() for mention in reader(sentence)]
    assert any(doc_span is None for doc_span in [nlp.make_doc(text).char_span(m.start, m.end) for m in expected])
    doc = nlp(text)
    assert readings(doc)[0].mentions == expected
    # ... and after the Doc is serialised (the span group's attrs travel with it).
    restored = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert readings(restored)[0].mentions == expected


def test_offsets_and_words_are_the_papers(nlp):
    # The Doc reads dash look-alikes as '-'; the readers read, and mentions quote, the paper's own characters.
    paper = "Methods.\n\nTwelve patients received 1 \u2010 2 × 10^6 cells/kg."
    paragraph = paper[10:]
    doc = nlp.make_doc(paragraph.replace("\u2010", "-"))
    doc.user_data[INPUT_KEY] = reading_input(paragraph, 10, SectionKind.methods)
    doc = nlp(doc)
    found = [m for reading in readings(doc).values() for m in reading.mentions]
    assert found and all(paper[m.start : m.end] == m.text for m in found)
    assert found == READERS["dose"](SentenceText(paragraph, 10)) + READERS["sample_size"](SentenceText(paragraph, 10))


def test_sentences_the_caller_takes_no_values_from_are_not_read(nlp):
    wanted = lambda section_kind, text: "Nine" not in text  # noqa: E731
    (doc,) = nlp.pipe([OWN_WORDS], component_cfg={"msc_sentence_readers": {"values_wanted": wanted}})
    assert list(doc.spans[READINGS_KEY]) == []
    assert len(doc.spans[SPAN_KEY]) > 0  # the field rules still read every sentence


def test_an_abbreviation_defined_later_in_the_paper_is_read_as_before(nlp):
    # The paragraph that uses "OA" does not define it: its Doc's readers could not expand it. The Doc notes that
    # they asked, and the paper's reading takes the definition from the later paragraph.
    text = (
        "A trial\n\nABSTRACT\n\nWe treated patients with OA.\n\nMETHODS\n\n"
        "Knee osteoarthritis (OA) was graded by the Kellgren-Lawrence scale.\n"
    )
    document = parse_text(text, "oa", "oa.txt")
    doc = nlp("We treated patients with OA.")
    assert readings(doc)[0].asked == {"sentence": 0, "told": {"OA": None}, "whole": False}
    diseases = [(m.value, m.rule) for s in read_sentences(document, nlp) for m in s.mentions if m.field == "disease"]
    assert diseases == [("osteoarthritis", "prose.disease>lexicons/diseases.json+abbreviation:OA")]


def test_the_saved_pipeline_carries_the_component_and_its_config(nlp, tmp_path):
    nlp.to_disk(tmp_path / "saved")
    loaded = spacy.load(tmp_path / "saved")
    assert "msc_sentence_readers" in loaded.pipe_names
    assert loaded.get_pipe("msc_sentence_readers").reader_names == list(READERS)
    assert loaded.config["components"]["msc_sentence_readers"]["readers"] == list(READERS)
    assert spans(loaded(OWN_WORDS), READINGS_KEY) == spans(nlp(OWN_WORDS), READINGS_KEY)


def test_a_pipeline_may_name_fewer_readers_but_no_unknown_one():
    base = spacy.blank("en")
    base.add_pipe("msc_sentencizer")
    base.add_pipe("msc_abbreviation_definitions")
    base.add_pipe("msc_sentence_readers", config={"readers": ["follow_up"]})
    assert [label for _, label, _ in spans(base(OWN_WORDS), READINGS_KEY)] == ["follow_up=months=6"]
    with pytest.raises(ValueError, match="no sentence reader named 'dosage'"):
        spacy.blank("en").add_pipe("msc_sentence_readers", config={"readers": ["dosage"]})
