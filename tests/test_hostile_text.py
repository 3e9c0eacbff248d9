"""Text that reads the same to a person but not to a rule: invisible characters inside words, and a
UTF-8 file with one byte from another encoding."""

from __future__ import annotations

import pytest

from extract.ingest import load_document, parse_text
from extract.ingest.encoding import INVISIBLE, decode
from extract.run import extract_document, process_path

from conftest import TRIAL_FECAL

PAPER = (
    "A trial of mesenchymal stromal cells\n\nMethods\n\n"
    "Patients received allo{c}geneic bone marrow MSCs intra{c}venously at 1 x 10^6 cells/{c}kg.\n"
)


def _values(text: str, nlp) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    result = extract_document(parse_text(text, "d", "p"), nlp)
    return {
        (v.field, v.value): (v.evidence.start, v.evidence.end, v.evidence.mention_start, v.evidence.mention_end)
        for s in result.studies
        for v in s.values
    }


@pytest.mark.parametrize("char", sorted(INVISIBLE), ids=lambda c: f"U+{ord(c):04X}")
def test_an_invisible_character_inside_a_word_hides_no_value(char, nlp):
    plain = _values(PAPER.format(c=""), nlp)
    text = PAPER.format(c=char)
    found = _values(text, nlp)
    assert set(found) == set(plain)
    assert {("route", "intravenous"), ("donor_type", "allogeneic"), ("dose", "value=1;unit=1e6 cells;per=kg")} <= set(found)
    for (field, _), (start, end, mention_start, mention_end) in found.items():
        # Offsets index the file's own text, invisible characters included.
        assert text[start:end].replace(char, "").startswith("Patients received allogeneic") and text[end - 1] == "."
        assert char not in text[mention_start] + text[mention_end - 1]
    assert text[slice(*found[("route", "intravenous")][2:])] == f"intra{char}venously"


def test_offsets_of_a_paper_with_soft_hyphens_index_its_file(tmp_path, nlp):
    original = TRIAL_FECAL.read_text(encoding="utf-8")
    hyphenated = original.replace("intravenous", "intra\u00advenous").replace("allogeneic", "allo\u00adgeneic")
    path = tmp_path / "PMC5320771.txt"
    path.write_text(hyphenated, encoding="utf-8")
    plain = process_path(TRIAL_FECAL, nlp)
    soft = process_path(path, nlp)
    assert [(v.field, v.value) for s in soft.studies for v in s.values] == [(v.field, v.value) for s in plain.studies for v in s.values]
    for study in soft.studies:
        for value in study.values:
            quoted = hyphenated[value.evidence.start : value.evidence.end]
            assert quoted.replace("\u00ad", "") == value.evidence.text


def test_one_windows_1252_byte_in_a_utf8_file_is_repaired_alone():
    text = "Patients received 1 × 10^6 cells/kg – intravenously (n = 12; 50 % women)."
    data = text.encode("utf-8").replace("–".encode("utf-8"), b"\x96")
    assert decode(data, "x.txt") == text


def test_a_windows_1252_file_is_still_read_whole_as_windows_1252():
    text = "Patients received 1 × 10^6 cells/kg – intravenously; café."
    assert decode(text.encode("cp1252"), "x.txt") == text


def test_a_stray_byte_keeps_the_values_and_offsets_of_the_utf8_paper(tmp_path, nlp):
    data = TRIAL_FECAL.read_bytes()
    assert "×".encode("utf-8") in data or "–".encode("utf-8") in data or "μ".encode("utf-8") in data
    damaged = tmp_path / "PMC5320771.txt"
    damaged.write_bytes(data.replace(b"patients", b"patients\x92", 1))
    document = load_document(damaged)
    assert "Ã" not in document.text and "patients’" in document.text


def test_a_paper_dense_with_values_is_read_without_holding_every_paragraph_doc(nlp):
    """Issue 16: a paper of nothing but dose sentences held every paragraph's Doc while it was read, ~170 bytes
    of Python objects per byte of text; Docs are let go paragraph by paragraph now (tracemalloc counts them)."""
    import tracemalloc

    from extract.fields.prose import read_sentences

    sentences = (f"Patient {i} received {i % 9 + 1} × 10^6 cells/kg intravenously on day {i % 30}." for i in range(2000))
    text = "A dense paper\n\nMETHODS\n\n" + "\n\n".join(sentences) + "\n"
    document = parse_text(text, "dense", "dense.txt")
    tracemalloc.start()
    try:
        read = read_sentences(document, nlp)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(read) >= 2000
    assert peak / len(text) < 110, f"{peak / len(text):.0f} bytes held per byte of text"
