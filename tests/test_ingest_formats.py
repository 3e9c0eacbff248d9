"""The formats bulk users hold: JATS XML, PubMed exports (MEDLINE, PubMed XML), ClinicalTrials.gov records.

Each is sniffed from its content, laid out as text with offsets that slice
back to the words, and read by the same field rules as a text export; a
file of many records is a batch of one document per record.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from extract.fields.registry import registry_values
from extract.ingest import list_records, load_document
from extract.ingest.document import DocumentFormat, SectionKind
from extract.ingest.errors import IngestError
from extract.link.records import DocumentKind
from extract.run import discover, process_path
from extract.runner.batch import BatchOptions, run_batch
from extract.runner.inprocess import InProcessEngine

from conftest import ROOT, SHARED

FORMATS = ROOT / "tests" / "data" / "formats"
REVIEW_JATS = FORMATS / "jats" / "msc_review.nxml"
REVIEW_TEXT = FORMATS / "jats" / "msc_review.md"
MEDLINE = FORMATS / "pubmed" / "msc_search.nbib"
PUBMED_XML = FORMATS / "pubmed" / "msc_search.xml"
CTGOV_JSON = FORMATS / "ctgov" / "NCT01182662.json"
CTGOV_XML = FORMATS / "ctgov" / "NCT01182662.xml"
CTGOV_OLD_XML = FORMATS / "ctgov" / "NCT00734396.xml"
CTGOV_SEARCH = FORMATS / "ctgov" / "search_results.json"

needs_shared = pytest.mark.skipif(not (SHARED / "jats").is_dir(), reason="../shared/corpus-real/jats is not here")


def study_values(result) -> set[tuple[str, str, str]]:
    return {(s.study_key, v.field, v.value) for s in result.studies for v in s.values}


def _fold_quotes(value: str) -> str:
    # The Evidence Inference text exports straighten typographic apostrophes; the publisher's XML keeps them.
    return value.replace("\u2019", "'").replace("\u2018", "'")


# ---------------------------------------------------------------- JATS


def test_jats_is_sniffed_by_content_not_by_suffix(tmp_path):
    renamed = tmp_path / "review.txt"
    shutil.copy(REVIEW_JATS, renamed)
    document = load_document(renamed)
    assert document.format is DocumentFormat.jats
    assert document.doc_id == "review"
    assert document.metadata.title == "Mesenchymal stromal cells in joint and bowel disease: a review of clinical trials"
    assert document.metadata.authors == ["Hana Reviewer", "Ivo Reader"]
    assert (document.metadata.pmid, document.metadata.pmcid, document.metadata.doi) == ("99990021", "PMC9999021", "10.9999/test.review.21")
    assert document.metadata.journal == "Test Reviews in Cell Therapy"
    assert document.metadata.year == 2022  # the electronic date, before the collection's


def test_jats_sections_have_kinds_and_offsets_slice_back_to_the_words():
    document = load_document(REVIEW_JATS)
    kinds = {s.title: s.kind for s in document.sections}
    assert kinds["Title"] is SectionKind.front
    assert document.slice(document.paragraphs[0]) == document.metadata.title  # the title is read as prose
    assert kinds["Abstract"] is SectionKind.abstract
    assert kinds["Introduction"] is SectionKind.background  # sec-type="intro"
    assert kinds["Conclusions"] is SectionKind.conclusion
    assert kinds["Acknowledgements"] is SectionKind.back
    assert kinds["References"] is SectionKind.references
    assert "Cells for joints and fistulas" not in document.text  # a teaser abstract is not the abstract
    for section in document.sections:
        if section.kind is not SectionKind.front:  # the title has no heading of its own
            assert document.text[section.start :].startswith(section.title)
    for paragraph in document.paragraphs:
        assert document.slice(paragraph) == document.slice(paragraph).strip() != ""
    for reference in document.references:
        assert document.slice(reference) == reference.text
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                assert document.slice(cell) == cell.text


def test_jats_citations_are_written_in_square_brackets_and_tied_to_their_references():
    text = load_document(REVIEW_JATS).text
    assert "umbilical cord [1]." in text
    assert "knees of 18 patients [3]." in text  # a superscript citation
    assert "(Tester et al., 2019 [4])" in text  # author-year: the name kept, the number added
    assert "intravenous MSCs [5] followed" in text  # "(5)" becomes "[5]"
    assert "across trials [2–4]." in text  # a range keeps its dash
    assert "in another trial [5]. Its patients" in text  # printed after the full stop, written before it
    assert "gave 10⁷ adipose-derived" in text  # a power stays a power


def test_jats_table_spans_are_filled_and_header_rows_joined():
    document = load_document(REVIEW_JATS)
    (table,) = document.tables
    assert table.number == "1" and table.caption == "Trials of MSCs in perianal fistulas."
    assert table.header == ["Disease", "Cell Source", "Cell Donor type", "Ref."]
    first, second = ([c.text for c in row.cells] for row in table.rows)
    assert first == ["Crohn’s disease", "Adipose tissue", "Autologous", "[6]"]
    assert second == ["Crohn’s disease", "Bone marrow", "Allogeneic^{a}", "[7]"]
    assert table.rows[1].cells[0].start == table.rows[0].cells[0].start  # the spanned cell points at its one writing
    assert document.slice(table).startswith("Table 1 Trials of MSCs")
    footnote = next(p for p in document.paragraphs if document.slice(p).startswith("^{a}"))
    assert "unrelated donors" in document.slice(footnote)


def test_jats_references_keep_their_structured_fields():
    references = {r.number: r for r in load_document(REVIEW_JATS).references}
    assert len(references) == 7
    first = references[1]
    assert (first.first_author, first.year, first.title, first.journal, first.doi) == (
        "Alpha", 2010, "Where stromal cells come from", "Test Cell Biol", "10.9999/test.ref.1"
    )
    assert first.text.startswith("Alpha AB, et al. Where stromal cells come from.")
    assert references[3].text == "Gamma D. Marrow cells for knee cartilage. Test Knee. 2017;4:20–28."  # printed punctuation kept
    assert references[5].first_author == "Test Infusion Group"


def test_a_review_in_jats_links_values_to_its_studies_as_its_text_export_does(nlp):
    from_jats = process_path(REVIEW_JATS, nlp)
    from_text = process_path(REVIEW_TEXT, nlp)
    assert from_jats.kind is from_text.kind is DocumentKind.review
    assert study_values(from_jats) == study_values(from_text)
    assert {("2", "route", "intra-articular"), ("6", "source", "adipose_tissue"), ("7", "source", "bone_marrow")} <= study_values(from_jats)
    study = next(s for s in from_jats.studies if s.study_key == "2")
    assert (study.reference.first_author, study.reference.year) == ("Beta", 2018)
    for value in (v for s in from_jats.studies for v in s.values):
        assert load_document(REVIEW_JATS).text[value.evidence.start : value.evidence.end] == value.evidence.text


@needs_shared
@pytest.mark.parametrize("paper", ["PMC5009698", "PMC5320771"])
def test_jats_and_text_export_of_an_msc_trial_give_the_same_study(nlp, paper):
    text_export = SHARED / "rct-fulltext" / "msc" / f"{paper}.txt"
    if not text_export.exists():
        pytest.skip(f"{text_export} is not here")
    from_jats = process_path(SHARED / "jats" / f"{paper}.nxml", nlp)
    from_text = process_path(text_export, nlp)
    assert from_jats.error is None and len(from_jats.studies) == len(from_text.studies) == 1
    document = load_document(SHARED / "jats" / f"{paper}.nxml")
    (title,) = [p for p in document.paragraphs if p.section == "Title"]
    # Compare what both readers read: the JATS title is prose; where the text reader leaves its TITLE out, so do we.
    text_reads_title = any(p.section == "TITLE" for p in load_document(text_export).paragraphs)
    read_by_both = lambda v: text_reads_title or v.evidence.kind != "sentence" or v.evidence.start >= title.end  # noqa: E731
    pairs = lambda result, keep: {(v.field, _fold_quotes(v.value)) for s in result.studies for v in s.values if keep(v)}  # noqa: E731
    assert pairs(from_jats, read_by_both) == pairs(from_text, lambda v: True)
    for value in from_jats.studies[0].values:
        assert document.text[value.evidence.start : value.evidence.end] == value.evidence.text
        # The mention's span lies in the sentence and is as long as the mention (rules may read a tidied copy of the words).
        assert value.evidence.start <= value.evidence.mention_start <= value.evidence.mention_end <= value.evidence.end
        assert value.evidence.mention_end - value.evidence.mention_start == len(value.evidence.mention)


@needs_shared
def test_jats_that_are_not_cell_therapy_trials_read_without_error_and_give_no_study(nlp):
    papers = sorted((SHARED / "pdf-jats").glob("*.nxml")) + [
        p for p in sorted((SHARED / "jats").glob("*.nxml")) if p.stem not in ("PMC5009698", "PMC5320771")
    ]
    assert len(papers) == 38
    outcome = {p.name: (r.error.code if r.error else None, len(r.studies)) for p in papers if (r := process_path(p, nlp))}
    assert outcome == {p.name: (None, 0) for p in papers}


@needs_shared
def test_jats_tables_and_references_match_the_xml(tmp_path):
    import xml.etree.ElementTree as ET

    for path in sorted((SHARED / "pdf-jats").glob("*.nxml"))[:10]:
        root = ET.parse(path).getroot()
        document = load_document(path)
        assert len(document.references) == len(root.findall(".//ref-list/ref")), path.name
        assert len(document.tables) == len([t for t in root.iter("table-wrap") if t.find(".//table") is not None]), path.name
        for table in document.tables:
            assert all(len(row.cells) == len(table.rows[0].cells) for row in table.rows), path.name


# ---------------------------------------------------------------- files we cannot read


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE article [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<article><front><article-meta><title-group><article-title>&lol3;</article-title></title-group></article-meta></front></article>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE article [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<article><body><p>&secret;</p></body></article>
"""


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("bomb.nxml", BILLION_LAUGHS, "xml_forbidden"),
        ("external.xml", EXTERNAL_ENTITY, "xml_forbidden"),
        ("cut.nxml", '<?xml version="1.0"?>\n<article><front><article-meta><title-group>', "xml_malformed"),
        ("other.xml", '<?xml version="1.0"?>\n<svg width="10"></svg>', "unknown_xml"),
        ("package.json", '{"name": "not-a-trial", "version": "1.0.0"}', "unknown_json"),
        ("cut.json", '{"protocolSection": {"identificationModule": ', "json_malformed"),
        ("empty-study.json", '{"protocolSection": {"designModule": {"phases": ["PHASE1"]}}}', "empty_record"),
        ("cut-search.xml", '<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation>', "xml_malformed"),
    ],
)
def test_a_file_we_cannot_read_says_why(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        load_document(path)
    assert caught.value.code == code
    assert str(path) in str(caught.value)
    result = process_path(path, None)  # ingest refuses it before the pipeline is needed
    assert result.error is not None and result.error.code == code


def test_a_multi_record_file_read_as_one_document_names_its_records(tmp_path):
    with pytest.raises(IngestError) as caught:
        load_document(MEDLINE)
    assert caught.value.code == "several_records" and "99990001" in caught.value.message
    with pytest.raises(IngestError) as missing:
        load_document(MEDLINE, record="12345")
    assert missing.value.code == "record_not_found"


# ---------------------------------------------------------------- PubMed exports


def test_medline_records_are_documents_read_as_abstracts_with_their_title():
    records = list_records(MEDLINE)
    assert [r.doc_id for r in records] == ["99990001", "99990002", "99990003", "99990004"]
    document = load_document(MEDLINE, record="99990001")
    assert document.format is DocumentFormat.medline and document.doc_id == "99990001"
    assert document.metadata.title.startswith("Intra-articular allogeneic umbilical cord mesenchymal stromal cells for knee osteoarthritis:")
    assert document.metadata.authors == ["Ada Example", "Ben Sample"]
    assert (document.metadata.year, document.metadata.doi, document.metadata.registry_id) == (2019, "10.9999/test.2019.0001", "NCT99990001")
    title, abstract = document.paragraphs
    assert document.slice(title) == document.metadata.title  # continuation lines joined
    assert title.section_kind is abstract.section_kind is SectionKind.abstract
    assert "randomized to one\n" not in document.slice(abstract) and "randomized to one intra-articular" in document.slice(abstract)
    with pytest.raises(IngestError) as caught:
        load_document(MEDLINE, record="99990004")
    assert caught.value.code == "empty_record"


def test_pubmed_xml_records_keep_labels_powers_and_ids():
    assert [r.doc_id for r in list_records(PUBMED_XML)] == ["99990011", "99990012", "99990013"]
    document = load_document(PUBMED_XML, record="99990011")
    assert document.format is DocumentFormat.pubmed_xml
    assert (document.metadata.year, document.metadata.doi, document.metadata.pmid) == (2017, "10.9999/test.2017.0011", "99990011")
    paragraphs = [document.slice(p) for p in document.paragraphs]
    assert paragraphs[1].startswith("BACKGROUND: ")
    assert "2 x 10⁶ cells/kg" in paragraphs[2]
    assert load_document(PUBMED_XML, record="99990012").metadata.year == 2021  # a MedlineDate


def _in_process(nlp):
    return lambda _options, _workers: InProcessEngine(nlp)


def test_an_export_is_a_batch_of_one_document_per_record_and_resumes_by_record(nlp, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(MEDLINE, folder)
    shutil.copy(PUBMED_XML, folder)
    out = tmp_path / "out"
    options = BatchOptions(pipeline="blank", workers=1)
    summary, stats = run_batch(discover([folder]), out, options, engine_factory=_in_process(nlp))
    assert summary.documents == stats.processed == 7
    assert [e.code for e in summary.errors] == ["empty_record"]
    assert summary.errors[0].path.endswith("msc_search.nbib#99990004")
    assert summary.studies_per_document == {
        "99990001": 1, "99990002": 1, "99990003": 0, "99990011": 1, "99990012": 1, "99990013": 0,
    }
    rows = (out / "values.csv").read_text(encoding="utf-8").splitlines()
    assert {line.split(",", 1)[0] for line in rows[1:]} == {"99990001", "99990002", "99990011", "99990012"}

    resumed_summary, resumed = run_batch(discover([folder]), out, options.model_copy(update={"resume": True}), engine_factory=_in_process(nlp))
    assert (resumed.processed, resumed.resumed) == (0, 7)
    assert resumed_summary.studies == summary.studies

    # The export grows by one record: a resumed batch reads only that one.
    grown = MEDLINE.read_text(encoding="utf-8").rstrip("\n") + (
        "\n\nPMID- 99990005\nTI  - Umbilical cord mesenchymal stromal cells given intravenously in heart failure.\n"
        "AB  - Twenty patients with heart failure received one intravenous infusion of umbilical cord\n"
        "      mesenchymal stromal cells.\n"
    )
    (folder / MEDLINE.name).write_text(grown, encoding="utf-8")
    grown_summary, grown_stats = run_batch(discover([folder]), out, options.model_copy(update={"resume": True}), engine_factory=_in_process(nlp))
    assert (grown_stats.processed, grown_stats.resumed) == (1, 7)
    assert grown_summary.documents == 8 and grown_summary.studies_per_document["99990005"] == 1


def test_the_command_line_runs_an_export_in_worker_processes(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out"
    command = [sys.executable, "-m", "extract.cli", "run", str(PUBMED_XML), "--out", str(out), "--pipeline", "blank", "--workers", "1"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["documents"] == 3 and summary["failed"] == 0
    assert summary["studies_per_document"] == {"99990011": 1, "99990012": 1, "99990013": 0}


# ---------------------------------------------------------------- ClinicalTrials.gov


def _registry_values(result) -> dict[tuple[str, str], object]:
    return {(v.field, v.value): v for s in result.studies for v in s.values if v.evidence.kind == "registry_field"}


@pytest.mark.parametrize("path, fmt", [(CTGOV_JSON, DocumentFormat.ctgov_json), (CTGOV_XML, DocumentFormat.ctgov_xml)])
def test_a_registry_record_of_an_msc_trial_gives_its_study(nlp, path, fmt):
    result = process_path(path, nlp)
    assert result.error is None and result.format is fmt and result.kind is DocumentKind.primary
    assert result.metadata.registry_id == "NCT01182662" and result.metadata.year == 2010
    (study,) = result.studies
    assert set(_registry_values(result)) == {
        ("design", "phase II"),
        ("design", "RCT"),
        ("design", "single-blind"),
        ("sample_size", "total=30"),
        ("disease", "Aplastic Anemia"),
    }
    document = load_document(path)
    for value in _registry_values(result).values():
        assert document.text[value.evidence.start : value.evidence.end] == value.evidence.text
        assert value.evidence.text.endswith(value.evidence.mention)
        assert value.evidence.rule.startswith("registry.")
    prose = {(v.field, v.value) for v in study.values if v.evidence.kind == "sentence"}
    assert {("source", "umbilical_cord"), ("cell_type", "MSC"), ("dose", "value=1;unit=1e6 cells;per=kg")} <= prose
    arm = next(v for v in study.values if v.field == "source" and v.evidence.section == "Arms and interventions")
    assert arm.evidence.text.startswith("Intervention: Human umbilical cord-derived MSCs")


def test_the_json_and_the_xml_of_one_record_give_the_same_study(nlp):
    assert study_values(process_path(CTGOV_JSON, nlp)) == study_values(process_path(CTGOV_XML, nlp))


def test_an_old_registry_xml_with_its_design_on_one_line(nlp):
    result = process_path(CTGOV_OLD_XML, nlp)
    assert set(_registry_values(result)) == {
        ("design", "phase I/II"),
        ("design", "single-arm"),
        ("design", "open-label"),
        ("sample_size", "total=15"),
        ("disease", "Organ Transplantation"),
    }
    assert ("route", "intravenous") in {(v.field, v.value) for s in result.studies for v in s.values}


def test_a_registry_search_is_one_document_per_study(nlp, tmp_path):
    assert [r.doc_id for r in list_records(CTGOV_SEARCH)] == ["NCT01182662", "NCT00734396"]
    assert list_records(CTGOV_JSON) is None  # one study is one document, named by its file
    summary, _ = run_batch([CTGOV_SEARCH], tmp_path / "out", BatchOptions(pipeline="blank"), engine_factory=_in_process(nlp))
    assert summary.studies_per_document == {"NCT01182662": 1, "NCT00734396": 1}
    document = load_document(CTGOV_SEARCH, record="NCT00734396")
    assert ("design", "phase I/II") in {(v.field, v.value) for v in registry_values(document)}


def test_a_registry_record_is_about_cell_therapy_through_its_interventions(nlp, tmp_path):
    """A title and summary that never name the cells: the intervention does."""
    record = json.loads(CTGOV_JSON.read_text())
    protocol = record["protocolSection"]
    protocol["identificationModule"] = {"nctId": "NCT01182662", "briefTitle": "A Treatment Study in Severe Aplastic Anemia"}
    protocol["descriptionModule"] = {"briefSummary": "This study tests a new treatment for severe aplastic anemia."}
    path = tmp_path / "NCT01182662.json"
    path.write_text(json.dumps(record))
    result = process_path(path, nlp)
    assert len(result.studies) == 1
    assert ("design", "phase II") in {(v.field, v.value) for v in result.studies[0].values}


def test_a_killed_export_batch_resumes_with_only_the_records_left(tmp_path):
    """One export of 60 records, killed midway: --resume reads only the rest and writes what one run writes."""
    import subprocess
    import sys

    from conftest import kill_after_journaled
    from extract.store.outputs import OUTPUT_FILES

    records = [r for r in list_records(MEDLINE) if r.doc_id != "99990004"]
    export = tmp_path / "export.nbib"
    export.write_text(
        "\n\n".join(records[n % len(records)].source.replace(f"PMID- {records[n % len(records)].doc_id}", f"PMID- {98000000 + n}", 1) for n in range(60))
        + "\n",
        encoding="utf-8",
    )
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    arguments = ["run", str(export), "--pipeline", "blank"]
    held = kill_after_journaled([*arguments, "--out", str(out), "--workers", "1"], out / "journal.jsonl", documents=10)
    assert 10 <= held < 60
    rerun = subprocess.run([sys.executable, "-m", "extract.cli", *arguments, "--out", str(out), "--resume"], cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    stats = json.loads((out / "runs.jsonl").read_text().splitlines()[-1])
    assert (stats["processed"], stats["resumed"]) == (60 - held, held)
    once = subprocess.run([sys.executable, "-m", "extract.cli", *arguments, "--out", str(fresh)], cwd=ROOT, capture_output=True, text=True)
    assert once.returncode == 0, once.stderr
    assert {name: (out / name).read_bytes() for name in OUTPUT_FILES} == {name: (fresh / name).read_bytes() for name in OUTPUT_FILES}
    assert json.loads((out / "summary.json").read_text())["documents"] == 60


def test_a_file_of_one_record_is_named_by_its_file(nlp, tmp_path):
    single = tmp_path / "one-abstract.nbib"
    single.write_text(next(r for r in list_records(MEDLINE) if r.doc_id == "99990002").source + "\n", encoding="utf-8")
    assert list_records(single) is None
    document = load_document(single)
    assert document.doc_id == "one-abstract" and document.metadata.pmid == "99990002"
    summary, _ = run_batch([single], tmp_path / "out", BatchOptions(pipeline="blank"), engine_factory=_in_process(nlp))
    assert summary.studies_per_document == {"one-abstract": 1}


def test_the_dataset_keeps_a_document_per_file_and_says_so_for_an_export(nlp, tmp_path):
    from extract.dataset.database import update

    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(MEDLINE, folder)
    shutil.copy(CTGOV_JSON, folder)
    summary = update(tmp_path / "review.duckdb", [folder], nlp=nlp)
    assert [(Path(e.path).name, e.code) for e in summary.errors] == [("msc_search.nbib", "several_records")]
    assert summary.studies == 1  # the registry record
