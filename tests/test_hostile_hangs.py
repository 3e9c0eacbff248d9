"""Hostile text must cost time in proportion to its length: no regex backtracking, no quadratic loop.

Growth is measured as a ratio within one run: the same input shape at two
sizes, four times apart, each timed best of three. Linear work grows about
4×; quadratic about 16×, cubic 64×. No absolute time is asserted.
"""

from __future__ import annotations

import re
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.ingest import parse_text
from extract.ingest.cord19 import parse_cord19
from extract.ingest.evidence_inference import parse_evidence_inference
from extract.ingest.markdown import parse_markdown
from extract.nlp.bounds import MAX_PARAGRAPH_CHARS, bounded_paragraphs
from extract.run import extract_document

from conftest import REVIEW_004, TRIAL_FECAL

GROWTH = 4
LINEAR_LIMIT = 9.0  # ×4 the input: linear ~4, n·log n ~5; quadratic would be ~16


def _cost(function, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        try:
            function(text)
        except ValueError:  # an incomplete header is a named refusal; its cost counts all the same
            pass
        best = min(best, time.perf_counter() - started)
    return max(best, 1e-4)  # below a tenth of a millisecond a ratio is noise


def _growth(function, make, size: int) -> float:
    """Cost at GROWTH × size over cost at size; measured again when high, since a busy machine can stall one timing."""
    small, large = make(size), make(size * GROWTH)
    _cost(function, small)  # warm caches (lexicons, compiled patterns) before timing
    ratio = float("inf")
    for _ in range(3):
        ratio = min(ratio, _cost(function, large) / _cost(function, small))
        if ratio < LINEAR_LIMIT:
            break
    return ratio


INGESTERS = {
    "markdown": lambda text: parse_markdown(text, "d", "p"),
    "cord19": lambda text: parse_cord19(text, "d", "p"),
    "evidence_inference": lambda text: parse_evidence_inference(text, "d", "p"),
    "sniffed": lambda text: parse_text(text, "d", "p"),
}
# How a hostile file starts: each ingester's own header, or the front matter its patterns look for.
PREFIXES = [
    "",
    "A title\n\n",
    "key: k authors: ",
    "key: k authors: a title: t date: d journal: j DOI: x sha: s doc_id: 1 cord_uid: u ",
    "TITLE: t\nABSTRACT.BACKGROUND: ",
    "TITLE:",
    "A title\n\nReceived",
    "A title\n\nReceived:",
    "Table 1",
    "doi: 10.1234/",
]
# What repeats: long runs of spaces, punctuation, brackets, short lines, labels without their fields.
UNITS = [" ", "\t", ".", ",", ":", "-", "(", "[", "()", "[1,", "\n", "\n\n", "a\n", "word\n", ". ", "x title: ", "a title: b date: c ",
         "10.1234/", "Table 1\t", "a\tb\n", "Received 12 ", "TITLE:\n", " \n"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), unit=st.sampled_from(UNITS), suffix=st.sampled_from(["", "x", ".\n", " 2019"]))
def test_every_ingester_takes_time_in_proportion_to_the_text(prefix, unit, suffix):
    size = max(400, 3000 // len(unit))
    for name, ingest in INGESTERS.items():
        growth = _growth(ingest, lambda n: prefix + unit * n + suffix, size)
        assert growth < LINEAR_LIMIT, f"{name}: {prefix!r} + {unit!r} × n + {suffix!r} grows {growth:.1f}× for {GROWTH}× the text"


def test_the_date_pattern_after_received_is_linear_in_the_spaces_that_follow():
    growth = _growth(INGESTERS["markdown"], lambda n: "A title\n\nReceived" + " " * n + "x", 400)
    assert growth < LINEAR_LIMIT


def test_an_incomplete_cord19_header_is_refused_in_linear_time():
    growth = _growth(INGESTERS["cord19"], lambda n: "key: k authors: " + "a title: b date: c journal: d DOI: e sha: f doc_id: g " * n, 15)
    assert growth < LINEAR_LIMIT


def test_a_paragraph_growing_line_by_line_is_not_read_again_per_line():
    growth = _growth(INGESTERS["markdown"], lambda n: "A title\n\n" + "word\n" * n, 3000)
    assert growth < LINEAR_LIMIT


# ---------------------------------------------------------------- the pipeline behind the ingesters

SENTENCE = "Patients received 1 x 10^6 cells/kg of allogeneic bone marrow MSCs intravenously. "


def _extract(nlp):
    return lambda text: extract_document(parse_text(text, "d", "p"), nlp)


def test_one_line_of_many_sentences_is_linear_in_its_sentences(nlp):
    """Each field span was tested against every sentence of its paragraph."""
    growth = _growth(_extract(nlp), lambda n: "A trial of MSCs\n\nAbstract\n\n" + SENTENCE * n, 150)
    assert growth < LINEAR_LIMIT


def test_nested_brackets_are_tokenized_in_linear_time(nlp):
    """spaCy strips one bracket at a time from a word, re-reading the rest: 8,000 nested brackets took 34 s."""
    growth = _growth(_extract(nlp), lambda n: "A trial\n\nAbstract\n\nPatients received MSCs " + "(" * n + "x" + ")" * n + ".\n", 1000)
    assert growth < LINEAR_LIMIT


def test_the_tokenizer_keeps_every_character_of_an_overlong_word(nlp):
    text = "Cells (" + "([" * 300 + "x" + "])" * 300 + ")  were given  " + "A" * 1000 + " intravenously."
    doc = nlp.make_doc(text)
    assert doc.text == text
    assert all(len(token.text) <= 128 for token in doc)
    assert [t.text for t in doc][-2:] == ["intravenously", "."]
    ordinary = "Patients received 1 x 10^6 cells/kg (n = 12) intravenously [3]."
    assert [t.text for t in nlp.make_doc(ordinary)] == [t.text for t in nlp.tokenizer.tokenizer(ordinary)]


def test_a_paragraph_over_a_million_characters_is_read_in_pieces(nlp):
    """spaCy refuses a text over nlp.max_length (E088): the paper was lost as internal_error."""
    body = "Patients received intravenous allogeneic MSCs at 1 x 10^6 cells/kg and " * 15_000 + "were followed up.\n"
    assert len(body) > nlp.max_length
    result = extract_document(parse_text("A trial of MSCs\n\nMethods\n\n" + body, "d", "p"), nlp)
    values = {(v.field, v.value) for study in result.studies for v in study.values}
    assert ("route", "intravenous") in values and ("donor_type", "allogeneic") in values


def test_overlong_paragraphs_are_cut_at_sentence_ends_and_cover_the_text():
    text = "Intro.\n\n" + "A sentence that ends here. " * 10_000
    document = parse_markdown(text, "d", "p")
    pieces = bounded_paragraphs(text, document.paragraphs)
    assert all(p.end - p.start <= MAX_PARAGRAPH_CHARS for p in pieces)
    assert sum(p.end - p.start for p in pieces) == sum(p.end - p.start for p in document.paragraphs)
    assert all(text[p.end - 2 : p.end] == ". " for p in pieces[1:-1])


def test_a_paper_without_line_breaks_is_read_not_taken_for_its_title(nlp):
    one_line = " ".join(TRIAL_FECAL.read_text(encoding="utf-8").split())
    document = parse_text(one_line, "PMC5320771", "p")
    assert document.metadata.title is None
    result = extract_document(document, nlp)
    assert result.studies and sum(len(s.values) for s in result.studies) > 20


def test_a_markdown_export_without_blank_lines_keeps_its_tables_and_headings(nlp):
    text = REVIEW_004.read_text(encoding="utf-8")
    squeezed = re.sub(r"\n\s*\n", "\n", text)
    original, without_blanks = parse_text(text, "004", "p"), parse_text(squeezed, "004", "p")
    assert len(without_blanks.tables) == len(original.tables) == 1
    assert len(without_blanks.tables[0].rows) == len(original.tables[0].rows)
    assert [s.title for s in without_blanks.sections] == [s.title for s in original.sections]

    def table_values(document):
        result = extract_document(document, nlp)
        return {(s.study_key, v.field, v.value) for s in result.studies for v in s.values if v.evidence.kind == "table_cell"}

    assert table_values(without_blanks) == table_values(original)


def test_a_table_glued_to_its_paragraph_is_still_a_table():
    text = "A title\n\nResults\n\nWe list the trials below.\nTable 1 Trials\nStudy\tRoute\nSmith\tIV\nJones\tIT\n\nAfter the table.\n"
    document = parse_markdown(text, "d", "p")
    assert len(document.tables) == 1 and document.tables[0].number == "1"
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [["Smith", "IV"], ["Jones", "IT"]]


def test_a_sentence_of_many_head_counts_is_linear_in_them():
    """Each count found was checked for overlap against every count found before it in the sentence."""
    from extract.normalize.results import find_sample_size_spans

    growth = _growth(find_sample_size_spans, lambda n: "Patients were enrolled: " + "n = 3; " * n + ".", 2000)
    assert growth < LINEAR_LIMIT
