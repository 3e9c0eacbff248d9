"""PDF ingestion: generated journal-like PDFs of the bundled papers, and eight real journal PDFs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from conftest import CORPUS, ROOT
from extract.ingest import load_document
from extract.ingest.document import DocumentFormat
from extract.ingest.pdf import layout_pdf, load_pdf

GENERATED = ROOT / "tests" / "fixtures" / "pdf"
REAL = ROOT / "tests" / "data" / "pdf"
PAPERS = ["000_99413260b5e6cc0d", "004_0683142eb9ad4bee", "PMC5009698", "PMC5320771"]
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def normalised(text: str) -> str:
    return " ".join(text.split())


def fold_powers(value: str) -> str:
    """``10⁸`` (as the PDF prints it) and ``10^8`` (as the text export writes it) are one value."""
    return re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+", lambda m: "^" + m.group(0).translate(_SUPERSCRIPT), value)


@pytest.fixture(scope="module")
def generated_texts() -> dict[str, str]:
    return {name: layout_pdf(GENERATED / f"{name}.pdf").text for name in PAPERS}


@pytest.mark.parametrize("name", PAPERS)
def test_generated_pdf_text_matches_its_source(generated_texts, name):
    source = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    assert fuzz.ratio(normalised(generated_texts[name]), normalised(source)) >= 98


def test_layout_undoes_the_typesetting(generated_texts):
    text = generated_texts["004_0683142eb9ad4bee"]
    # Superscript exponents stay exponents; superscript citations come back as brackets.
    assert "up to 2×10⁸ cells/infusion in IPF patients" in text
    assert "remission of hematological malignancies [17]." in text
    assert "MSC-based therapies [18] [19] [20] and" in text
    # Ligature glyphs expanded, soft hyphens at line ends joined, Greek and symbols intact.
    assert not re.search("[ﬀﬁﬂﬃﬄ\u00ad\ufffe]", text)
    assert "fibrosis" in text and "0.5–1.0/kg" in text
    every = " ".join(generated_texts.values())
    assert "TGF-β" in every and "HIF-1α" in every and "μg/mL" in every
    # Running heads and page numbers are gone: the title is printed once, as the title.
    title = "Allogeneic vs. autologous mesenchymal stem/stromal cells in their medication practice"
    assert text.count(title) == 1
    assert not re.search(r"^\d{1,2}$", text, re.MULTILINE)


def test_generated_pdfs_have_hyphenated_line_ends():
    """The fixtures must exercise de-hyphenation: pdfium reports the printed hyphens."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(GENERATED / "004_0683142eb9ad4bee.pdf"))
    raw = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert re.search("[a-z][\x02\ufffe]\r?\n?[a-z]", raw)


def test_pdf_document_has_pages_sections_tables_and_references():
    document = load_pdf(GENERATED / "004_0683142eb9ad4bee.pdf")
    assert document.format is DocumentFormat.pdf
    assert [p.number for p in document.pages] == list(range(1, len(document.pages) + 1))
    assert all(p.start <= p.end for p in document.pages) and document.pages[-1].end == len(document.text)
    assert {"Introduction", "References"} <= {s.title for s in document.sections}
    text_document = load_document(CORPUS / "004_0683142eb9ad4bee.txt")
    assert [r.number for r in document.references] == [r.number for r in text_document.references]
    assert document.reference(57) is not None
    table = next(t for t in document.tables if t.number == "1")
    assert table.page is not None and table.page > 1
    assert len(table.header) == 7
    # The long ruled table spans pages under "Table 1 (continued)" and comes back as one table.
    text_table = next(t for t in text_document.tables if t.number == "1")
    pdf_rows = [[fold_powers(c.text) for c in row.cells] for row in table.rows]
    text_rows = [[fold_powers(c.text) for c in row.cells] for row in text_table.rows]
    assert pdf_rows == text_rows


@pytest.mark.parametrize("name", PAPERS)
def test_pdf_gives_the_same_study_values_as_the_text(nlp, name):
    from extract.run import process_path

    def long_table(result):
        assert result.error is None, result.error
        return {(s.study_key, v.field, fold_powers(v.value)) for s in result.studies for v in s.values}

    from_text = process_path(CORPUS / f"{name}.txt", nlp)
    from_pdf = process_path(GENERATED / f"{name}.pdf", nlp)
    assert long_table(from_pdf) == long_table(from_text)
    assert long_table(from_pdf)
    # Every value from the PDF names the page its evidence is printed on.
    assert all(v.evidence.page for s in from_pdf.studies for v in s.values)


# --- real journal PDFs ---------------------------------------------------------------------------

# A sentence from the first column and one from the second column of the same page, as printed.
READING_ORDER = {
    "acl-2020.acl-main.207_s2orc": (
        "Using the above method with an “off-the-shelf” SciBERT does not take global inter-document information into account.",
        "This inductive bias has been also found to be effective in content-based citation recommendation applications (Bhagavatula et al., 2018).",
    ),
    "acl-N18-3011_s2orc": (
        "These assumptions, while useful for developing and benchmarking new methods, are unrealistic for many domains and applications.",
        "Each node of this type represents a unique author, with attributes such as ‘first name’ and ‘last name’.",
    ),
    "bmc-dvt-prophylaxis-review-2010_cermine-test1": (
        "In studies involving non-trauma patients with permanent retrievable filters, filter migration occurred between 3% and 8%, and IVC occlusion rates were reported between 4% and 15% [72-75,77,78].",
        "The risk of insertion related complications, such as arterial puncture, hematoma, infection, and pneumothorax is calculated to be 2.6%.",
    ),
    "bmc-health-services-malawi-2014_cermine-example2": (
        "The requisite knowledge about quality approaches and their implementation are often lacking among health personnel [3].",
        "The Medical Department has a bed capacity of 117 and the entire KCH has over 1000 beds in total.",
    ),
    "clin-sci-2014-ace-inhibitors_cermine-example3": (
        "ACE (angiotensin-1-converting enzyme; EC 3.4.15.1) is a zinc dipeptidyl carboxypeptidase that plays a critical role in blood pressure regulation and electrolyte homoeostasis [1,2].",
        "Ac-SDKP was first discovered owing to its ability to halt differentiation of the haematopoietic system [11,12].",
    ),
    "hindawi-heart-failure-programmes-2010_cermine-test2": (
        "Developing an in-depth understanding of the disease in patients is a fundamental aspect of therapy and essential for adherence to self-management practices [7].",
        "The focus groups were transcribed verbatim and the resulting data was qualitatively analysed using content analysis [9].",
    ),
    "int-psychogeriatr-2014-dementia_cermine-example1": (
        "However, studies exploring the relationship between stressful events and the risk of dementia are relatively scarce.",
        "Another methodological issue of vital importance is that prior studies have often neglected the fact that there is heterogeneity between individuals regarding the experience or perceived influence of a given life event.",
    ),
    "peerj-cs-2017_cermine-test6": (
        "In this way the ‘‘foreground lineage’’ is compared to all other lineages in the dataset in an attempt to determine lineage specific selective pressure variation.",
        "Some well-known examples of selective pressure variation on foreground lineages include the identification of positive selection in reproductive proteins",
    ),
}


@pytest.fixture(scope="module")
def real_documents():
    return {path.stem: load_pdf(path) for path in sorted(REAL.glob("*.pdf"))}


def test_all_real_pdfs_are_committed(real_documents):
    assert set(real_documents) == set(READING_ORDER)


@pytest.mark.parametrize("name", sorted(READING_ORDER))
def test_real_pdf_reads_columns_in_order(real_documents, name):
    text = normalised(real_documents[name].text)
    first, second = READING_ORDER[name]
    assert first in text
    assert second in text
    assert text.index(first) < text.index(second)


@pytest.mark.parametrize(
    ("name", "number", "row"),
    [
        ("bmc-health-services-malawi-2014_cermine-example2", "1", ["Privacy given", "99", "1", "97"]),
        ("int-psychogeriatr-2014-dementia_cermine-example1", "1", None),
        ("clin-sci-2014-ace-inhibitors_cermine-example3", "3", None),
        ("peerj-cs-2017_cermine-test6", "2", None),
    ],
)
def test_real_pdf_tables_come_out_as_cells(real_documents, name, number, row):
    document = real_documents[name]
    table = next(t for t in document.tables if t.number == number)
    assert table.page is not None
    assert len(table.header) >= 3 and len(table.rows) >= 3
    cells = [[c.text for c in r.cells] for r in table.rows]
    assert all(len(r) == len(table.header) for r in cells)
    if row is not None:
        assert row in cells


def test_continued_table_is_joined_across_pages(real_documents):
    table = next(t for t in real_documents["peerj-cs-2017_cermine-test6"].tables if t.number == "2")
    pages = {real_documents["peerj-cs-2017_cermine-test6"].page_at(r.cells[0].start) for r in table.rows}
    assert len(pages) >= 2


def test_real_pdfs_yield_no_studies(nlp):
    """None of the eight real papers is about MSC therapy: nothing may be made up from them."""
    from extract.run import process_path

    for path in sorted(REAL.glob("*.pdf")):
        result = process_path(path, nlp)
        assert result.error is None, result.error
        assert result.studies == [], path.name


# --- broken files ----------------------------------------------------------------------------------


def _error_code(path: Path) -> tuple[str, str]:
    from extract.run import process_path

    result = process_path(path, None)  # ingest fails before the pipeline is needed
    assert result.error is not None
    assert "\n" not in result.error.message
    return result.error.code, result.error.message


def test_html_saved_as_pdf_is_not_a_pdf(tmp_path):
    path = tmp_path / "paper.pdf"
    path.write_text("<!DOCTYPE html><html><body>Access denied</body></html>")
    code, message = _error_code(path)
    assert code == "not_a_pdf" and "HTML" in message


def test_random_bytes_are_not_a_pdf(tmp_path):
    path = tmp_path / "noise.pdf"
    path.write_bytes(bytes((i * 7919) % 251 for i in range(4000)))
    assert _error_code(path)[0] == "not_a_pdf"


def test_truncated_pdf_is_corrupt(tmp_path):
    data = (GENERATED / "PMC5009698.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert _error_code(path)[0] == "corrupt_pdf"


def test_encrypted_pdf_needs_a_password(tmp_path):
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    path = tmp_path / "locked.pdf"
    page = canvas.Canvas(str(path), encrypt="secret")
    page.drawString(72, 720, "Mesenchymal stromal cells were given intravenously.")
    page.save()
    assert _error_code(path)[0] == "encrypted_pdf"


def test_scanned_pdf_has_no_text_layer(tmp_path):
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    scan = Image.new("L", (600, 800), 255)
    ImageDraw.Draw(scan).text((40, 40), "Mesenchymal stromal cells", fill=0)
    path = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(path))
    page.drawImage(ImageReader(scan), 0, 0, 595, 842)
    page.save()
    code, message = _error_code(path)
    assert code == "no_text_layer" and "image" in message


def test_batch_goes_on_past_a_broken_pdf(tmp_path, nlp):
    from extract.run import discover, process_path

    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    good = tmp_path / "PMC5009698.pdf"
    good.write_bytes((GENERATED / "PMC5009698.pdf").read_bytes())
    results = [process_path(path, nlp) for path in discover([tmp_path])]
    by_name = {Path(r.path).name: r for r in results}
    assert by_name["broken.pdf"].error.code == "corrupt_pdf"
    assert by_name["PMC5009698.pdf"].error is None and by_name["PMC5009698.pdf"].studies


# --- the generator ---------------------------------------------------------------------------------


def test_fixture_generator_still_renders_a_paper(tmp_path):
    pytest.importorskip("reportlab")
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_pdfs", ROOT / "tests" / "fixtures" / "make_pdfs.py")
    make_pdfs = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = make_pdfs  # its dataclasses look themselves up there
    spec.loader.exec_module(make_pdfs)
    try:
        out = make_pdfs.build_pdf(CORPUS / "PMC5009698.txt", tmp_path / "PMC5009698.pdf")
    except FileNotFoundError as missing:  # the DejaVu fonts are a Debian package, not a Python one
        pytest.skip(str(missing))
    source = (CORPUS / "PMC5009698.txt").read_text(encoding="utf-8")
    assert fuzz.ratio(normalised(layout_pdf(out).text), normalised(source)) >= 98
