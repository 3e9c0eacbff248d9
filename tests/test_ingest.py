"""Each real export format becomes a Document whose offsets point back into the file."""

from __future__ import annotations

from extract.ingest import load_document, parse_text
from extract.ingest.document import DocumentFormat, SectionKind

from conftest import REVIEW_000, REVIEW_004, TRIAL_DISC, TRIAL_FECAL, negative_control_texts


def test_cord19_header_becomes_metadata():
    doc = load_document(REVIEW_000)
    assert doc.format is DocumentFormat.cord19
    assert doc.metadata.doi == "10.3390/jcm10132991"
    assert doc.metadata.journal == "J Clin Med"
    assert doc.metadata.year == 2021
    assert doc.metadata.authors[0] == "Sanabria-de la Torre, Raquel"
    assert len(doc.metadata.authors) == 7
    assert doc.metadata.title.startswith("Alloreactive Immune Response")


def test_cord19_repeated_passages_are_marked_and_not_read_twice():
    doc = load_document(REVIEW_000)
    duplicates = [p for p in doc.paragraphs if p.duplicate_of is not None]
    assert duplicates, "the export repeats passages; they must be found"
    passage = "Xenogeneic MSCs treatment is often unsuccessful due to irreconcilable inter-species differences."
    readable = [doc.slice(p) for p in doc.paragraphs if p.duplicate_of is None]
    assert sum(text.count(passage) for text in readable) == 1
    assert doc.text.count(passage) == 2
    for paragraph in duplicates:
        first = doc.text[paragraph.duplicate_of : paragraph.duplicate_of + 40]
        assert " ".join(doc.slice(paragraph).split())[:40].split()[0] in first


def test_cord19_reference_titles_are_not_numbered_when_the_count_is_off():
    # The export lists 67 titles for 70 cited numbers: numbering them would attach wrong papers.
    doc = load_document(REVIEW_000)
    assert doc.references == []
    assert any(s.kind is SectionKind.references for s in doc.sections)


def test_evidence_inference_sections_and_title():
    doc = load_document(TRIAL_DISC)
    assert doc.format is DocumentFormat.evidence_inference
    assert doc.metadata.title.startswith("Intra-discal injection of autologous")
    kinds = {s.title: s.kind for s in doc.sections}
    assert kinds["ABSTRACT.METHODS"] is SectionKind.abstract
    assert kinds["BODY.METHODS.STUDY OVERVIEW"] is SectionKind.methods
    assert kinds["BODY.RESULTS.PATIENT 3"] is SectionKind.results
    assert kinds["BODY.DISCUSSION"] is SectionKind.discussion
    for paragraph in doc.paragraphs:
        assert doc.slice(paragraph).strip() == doc.slice(paragraph)


def test_evidence_inference_title_on_its_own_line():
    path = next(p for p in negative_control_texts() if p.read_text(encoding="utf-8").startswith("TITLE: \n"))
    doc = load_document(path)
    assert doc.metadata.title and not doc.metadata.title.startswith("ABSTRACT")


def test_markdown_front_matter_sections_and_table():
    doc = load_document(REVIEW_004)
    assert doc.format is DocumentFormat.markdown
    assert doc.metadata.title == "Allogeneic vs. autologous mesenchymal stem/stromal cells in their medication practice"
    assert doc.metadata.authors == ["Chenghai Li", "Hua Zhao", "Linna Cheng", "Bin Wang"]
    assert doc.metadata.year == 2021
    kinds = {s.title: s.kind for s in doc.sections}
    assert kinds["Abstract"] is SectionKind.abstract
    assert kinds["Introduction"] is SectionKind.background
    assert kinds["References"] is SectionKind.references
    assert "REVIEW" not in kinds


def test_markdown_table_continued_blocks_join_into_42_rows():
    doc = load_document(REVIEW_004)
    (table,) = doc.tables
    assert table.number == "1"
    assert len(table.rows) == 42
    assert table.header[4] == "Single dose of MSCs (× 10^6 cells)"
    assert [row.cells[-1].text for row in table.rows[:2]] == ["[44]", "[45]"]


def test_markdown_shifted_rows_are_realigned_and_latex_rendered():
    doc = load_document(REVIEW_004)
    rows = doc.tables[0].rows
    assert [r.realigned for r in rows].count(True) == 2
    last = rows[-1]
    assert last.realigned and last.cells[1].text == "Allo" and last.cells[2].text == "UC" and last.cells[6].text == "[117]"
    latex_cell = rows[1].cells[4]
    assert latex_cell.text == "3.08 ± 0.52"
    assert doc.text[latex_cell.start : latex_cell.end] == "3.08 \\pm 0.52"


def test_markdown_reference_list_numbers_bullets_and_numbered_entries():
    doc = load_document(REVIEW_004)
    assert [r.number for r in doc.references] == list(range(1, 160))
    ref44 = doc.reference(44)
    assert ref44.first_author == "Chin SP" and ref44.year == 2011 and ref44.journal == "Cytotherapy"
    assert ref44.title.startswith("Intramyocardial and intracoronary autologous bone marrow-derived")
    assert doc.reference(1).first_author == "Vodyanik MA"
    assert doc.text[ref44.start : ref44.end] == ref44.text


def test_markdown_page_broken_paragraph_is_joined():
    doc = load_document(REVIEW_004)
    joined = [doc.slice(p) for p in doc.paragraphs if "MSCs were initially described and" in doc.slice(p)]
    assert joined and "identified in the 1970s" in joined[0]


def test_format_is_sniffed_from_content_not_name():
    text = TRIAL_FECAL.read_text(encoding="utf-8")
    assert parse_text(text, "x", "x.md").format is DocumentFormat.evidence_inference


def test_every_negative_control_parses():
    for path in negative_control_texts():
        doc = load_document(path)
        assert doc.paragraphs, path
