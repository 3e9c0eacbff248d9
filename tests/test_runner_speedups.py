"""The faster pipeline parts give what the spaCy and scispaCy parts they stand in for give, on real papers."""

from __future__ import annotations

import pytest
from spacy.matcher import Matcher
from spacy.pipeline import Sentencizer

from extract.fields.prose import readable_paragraphs
from extract.ingest import load_document
from extract.nlp.abbreviations import DefinitionDetector
from extract.nlp.parentheses import MAX_INSIDE, ParenthesisPairs
from extract.nlp.sentences import ArraySentencizer
from extract.run import discover

from conftest import CORPUS, ROOT


@pytest.fixture(scope="module")
def paragraphs(nlp) -> list:
    papers = discover([CORPUS, ROOT / "tests" / "data" / "rct-other"])
    return [nlp.make_doc(d.text[p.start : p.end]) for d in map(load_document, papers) for p in readable_paragraphs(d)]


def test_array_sentencizer_starts_sentences_where_spacys_does(nlp, paragraphs):
    assert len(paragraphs) > 1000
    spacys, ours = Sentencizer(), ArraySentencizer(continuing_abbreviations=[])
    assert ours.predict(paragraphs) == spacys.predict(paragraphs)
    custom = ["!", ";"]
    assert ArraySentencizer(punct_chars=custom, continuing_abbreviations=[]).predict(paragraphs) == Sentencizer(
        punct_chars=custom
    ).predict(paragraphs)


def test_the_sentencizer_differs_from_spacys_only_after_an_abbreviation_before_lowercase(nlp, paragraphs):
    abbreviations = ArraySentencizer().continuing_abbreviations
    assert "kg" in abbreviations
    for doc, spacys, ours in zip(paragraphs, Sentencizer().predict(paragraphs), ArraySentencizer().predict(paragraphs)):
        for i, (theirs, mine) in enumerate(zip(spacys, ours)):
            if theirs != mine:
                assert theirs and not mine, doc.text[:80]
                stop = max(j for j in range(i) if doc[j].text == ".")
                assert doc[stop - 1].text in abbreviations and doc[stop + 1].text[:1].islower(), doc[stop - 1 : i + 1].text
    sentence = nlp("Patients will receive 1 million cells per kg. via a peripheral vein, weekly. Then they rest.")
    assert [s.text for s in sentence.sents] == [
        "Patients will receive 1 million cells per kg. via a peripheral vein, weekly.",
        "Then they rest.",
    ]


def test_parenthesis_pairs_are_the_matchers_pairs_the_abbreviation_detector_keeps(nlp, paragraphs):
    matcher = Matcher(nlp.vocab)
    matcher.add("parenthesis", [[{"ORTH": "("}, {"OP": "+"}, {"ORTH": ")"}]])
    pairs = ParenthesisPairs(nlp.vocab)
    compared = 0
    for doc in paragraphs:
        kept = [(start, end) for _, start, end in matcher(doc) if end - start - 2 <= MAX_INSIDE]
        assert [(start, end) for _, start, end in pairs(doc)] == kept, doc.text[:80]
        compared += len(kept)
    assert compared > 500


def test_the_pipeline_finds_the_definitions_scispacys_detector_finds(nlp, paragraphs):
    from scispacy.abbreviation import AbbreviationDetector

    plain = AbbreviationDetector(nlp)
    ours = nlp.get_pipe("msc_abbreviation_definitions")
    assert isinstance(ours, DefinitionDetector) and isinstance(ours.matcher, ParenthesisPairs)
    definitions = later_occurrences = 0
    for doc in paragraphs[:400]:
        theirs = plain(nlp.make_doc(doc.text))._.abbreviations
        found = ours(nlp.make_doc(doc.text))._.abbreviations
        # Each definition at the same words with the same long form; the same short-to-long table.
        assert {(a.start, a.end, a._.long_form.text) for a in found} <= {(a.start, a.end, a._.long_form.text) for a in theirs}
        assert {(a.text, a._.long_form.text) for a in found} == {(a.text, a._.long_form.text) for a in theirs}
        definitions += len(found)
        later_occurrences += len(theirs) - len(found)
    # What is left out is only the later uses of a short form, which the readers look up document-wide.
    assert definitions > 20 and later_occurrences > 20
