"""Encodings real corpora come in, Unicode tidied without moving offsets, and the text ingesters fuzzed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import pytest

from extract.ingest import load_document, parse_text
from extract.ingest.encoding import decode, normalise_unicode
from extract.ingest.errors import IngestError
from extract.run import extract_document

from conftest import CORPUS

TRIAL = CORPUS / "PMC5320771.txt"


def long_table(document, nlp) -> list[tuple[str, str, str, int, int]]:
    result = extract_document(document, nlp)
    return [(s.study_key, v.field, v.value, v.evidence.start, v.evidence.end) for s in result.studies for v in s.values]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"])
def test_a_trial_in_any_encoding_gives_the_same_values(encoding, tmp_path, nlp):
    text = TRIAL.read_text(encoding="utf-8")
    if encoding in ("cp1252", "latin-1"):
        # Those code pages cannot hold every character of the paper; keep the ones they can.
        text = text.encode(encoding, errors="ignore").decode(encoding)
    reference = tmp_path / "utf8" / "PMC5320771.txt"
    reference.parent.mkdir()
    reference.write_text(text, encoding="utf-8")
    encoded = tmp_path / encoding / "PMC5320771.txt"
    encoded.parent.mkdir()
    encoded.write_bytes(text.encode(encoding))
    expected = long_table(load_document(reference), nlp)
    assert expected, "the trial yields values"
    assert long_table(load_document(encoded), nlp) == expected


def test_binary_and_empty_files_are_named_errors(tmp_path):
    for name, data, code in [("zero.txt", b"", "empty_file"), ("blank.txt", b" \n\t\n", "empty_file"),
                             ("random.txt", bytes(range(256)) * 40, "decode_error")]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(IngestError) as error:
            load_document(path)
        assert error.value.code == code and str(path) in str(error.value)


def test_too_large_is_a_named_error(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Patients received intravenous MSCs.\n" * 1000, encoding="utf-8")
    with pytest.raises(IngestError) as error:
        load_document(path, max_bytes=1000)
    assert error.value.code == "too_large" and "1,000" in error.value.message
    assert load_document(path, max_bytes=None).text


def test_normalisation_keeps_superscripts_and_ligatures_but_plains_wide_forms():
    assert normalise_unicode("1.0 × 10⁶ cells/kg") == "1.0 × 10⁶ cells/kg"
    assert normalise_unicode("ﬁbrosis ½") == "ﬁbrosis ½"  # NFKC would lengthen these and move every offset after them
    assert normalise_unicode("ＭＳＣ\u00a0１２") == "MSC 12"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_normalisation_never_moves_a_character(text):
    normal = normalise_unicode(text)
    assert len(normal) == len(text)
    assert normalise_unicode(normal) == normal


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_decode_gives_text_or_a_named_error(data):
    try:
        assert isinstance(decode(data, "fuzz.txt"), str)
    except IngestError as error:
        assert error.code in {"empty_file", "decode_error"} and "fuzz.txt" in str(error)


def _well_formed(document) -> None:
    n = len(document.text)
    for span in [*document.sections, *document.paragraphs, *document.pages]:
        assert 0 <= span.start <= span.end <= n
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                assert document.text[cell.start : cell.end].strip() or not cell.text.strip()


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=600))
def test_text_ingesters_survive_random_unicode(text):
    try:
        _well_formed(parse_text(text, "fuzz", "fuzz.txt"))
    except IngestError:
        pass


PAPERS = sorted(p for p in CORPUS.glob("*.txt") if p.stem != "CITATIONS")


@settings(max_examples=60, deadline=None)
@given(paper=st.sampled_from(PAPERS), cut=st.floats(0, 1), splice=st.text(max_size=40))
def test_text_ingesters_survive_truncated_and_spliced_papers(paper, cut, splice):
    text = paper.read_text(encoding="utf-8")
    at = int(len(text) * cut)
    try:
        _well_formed(parse_text(text[:at] + splice + text[at : at + 2000], paper.stem, str(paper)))
    except IngestError:
        pass
