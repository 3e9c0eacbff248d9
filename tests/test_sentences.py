"""One sentence splitter: the pipeline's, the CORD-19 reader's and the tests' sentences are the same."""

from __future__ import annotations

from extract.fields.prose import read_sentences, readable_paragraphs
from extract.ingest import load_document
from extract.nlp.sentences import sentence_spans
from extract.run import discover

from conftest import CORPUS, REVIEW_000


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def test_sentence_spans_are_the_pipelines_sentences(nlp):
    for path in discover([CORPUS]):
        document = load_document(path)
        pipeline = [_trimmed(document.text, s.start, s.end) for s in read_sentences(document, nlp)]
        split = [
            (paragraph.start + start, paragraph.start + end)
            for paragraph in readable_paragraphs(document)
            for start, end in sentence_spans(document.slice(paragraph))
        ]
        assert pipeline == split, path.name


def test_cord19_repeats_are_cut_where_the_pipeline_cuts_sentences():
    document = load_document(REVIEW_000)
    body = [p for p in document.paragraphs if p.section == "body"]
    assert any(p.duplicate_of is not None for p in body), "the export repeats passages"
    whole = (body[0].start, body[-1].end)
    starts = {whole[0] + start for start, _ in sentence_spans(document.text[whole[0] : whole[1]])}
    assert all(p.start in starts for p in body)


def test_sentence_spans_index_the_text_given():
    text = "Patients (n = 12) received 1 x 10^6 MSCs/kg. Hare et al. [46] infused cells.  Then? Yes!"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Patients (n = 12) received 1 x 10^6 MSCs/kg.", "Hare et al. [46] infused cells.", "Then?", "Yes!",
    ]
