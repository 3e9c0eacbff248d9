"""Exports open in pandas and openpyxl and hold the dataset's studies; edited CSVs come back as
judgements; the commands work end to end."""

from __future__ import annotations


import duckdb
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.dataset import reviews
from extract.dataset.database import connect, value_id
from extract.dataset.exports import export

from conftest import built_dataset, private_copy, REVIEW_004, ROOT, TRIAL_DISC, TRIAL_FECAL

TRIAL_DISC_JATS = ROOT / "tests" / "data" / "same-trial" / "PMC5009698_jats.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory, nlp):
    return built_dataset(tmp_path_factory, nlp, [TRIAL_DISC, TRIAL_DISC_JATS, TRIAL_FECAL, REVIEW_004])


@pytest.fixture
def database(built, tmp_path):
    return private_copy(built, tmp_path)


def in_db(database, sql):
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_exports_open_in_pandas_and_openpyxl_and_hold_the_same_studies(built, tmp_path):
    con = connect(built, read_only=True)
    written = export(con, tmp_path)
    con.close()
    trials = set(in_db(built, "SELECT trial_id FROM trials").trial_id)
    value_count = len(in_db(built, "SELECT * FROM reviewed_values"))
    assert len(trials) > 40 and {p.name for p in written} >= {"studies.csv", "values.csv", "dataset.xlsx", "studies.parquet"}

    sheets = pd.read_excel(tmp_path / "dataset.xlsx", sheet_name=None, dtype=str, engine="openpyxl")
    assert list(sheets) == ["studies", "values", "analyses"]
    studies = {
        "csv": pd.read_csv(tmp_path / "studies.csv", dtype=str),
        "xlsx": sheets["studies"],
        "parquet": pd.read_parquet(tmp_path / "studies.parquet"),
    }
    for kind, table in studies.items():
        assert set(table.trial_id) == trials and len(table) == len(trials), kind
    values = {
        "csv": pd.read_csv(tmp_path / "values.csv", dtype=str, keep_default_na=False),
        "xlsx": sheets["values"],
        "parquet": pd.read_parquet(tmp_path / "values.parquet"),
    }
    for kind, table in values.items():
        assert len(table) == value_count and set(table.trial_id) == trials, kind
    workbook = openpyxl.load_workbook(tmp_path / "dataset.xlsx", read_only=True)
    assert workbook.sheetnames == ["studies", "values", "analyses"]
    workbook.close()


def test_the_study_table_reads_like_a_review_table_one(built, tmp_path):
    con = connect(built, read_only=True)
    export(con, tmp_path, ["csv"])
    con.close()
    studies = pd.read_csv(tmp_path / "studies.csv", dtype=str, keep_default_na=False).set_index("trial_id")
    assert list(studies.columns[6:]) == ["disease", "n", "dose", "injections", "route", "origin", "donor", "assay", "result"]
    # Review 004's Table 1 row for reference 116 (gold: placenta, Allo, "1.0 or 2.0/kg").
    chambers = studies.loc["004_0683142eb9ad4bee#116"]
    assert (chambers.author, chambers.year) == ("Chambers DC", "2014")
    assert (chambers.origin, chambers.donor, chambers.dose) == ("placenta", "allogeneic", "1 x10^6/kg | 2 x10^6/kg")
    disc = studies.loc["PMC5009698"]
    assert disc.sources == "PMC5009698; PMC5009698_jats" and disc.route == "intradiscal"
    order = list(studies.index)
    assert order.index("004_0683142eb9ad4bee#44") < order.index("004_0683142eb9ad4bee#116")


def test_an_edited_values_csv_comes_back_as_judgements_and_grows_the_gold(database, tmp_path):
    con = connect(database)
    export(con, tmp_path, ["csv"])
    values = pd.read_csv(tmp_path / "values.csv", dtype=str, keep_default_na=False)
    route = value_id("PMC5009698", "", "route", "intradiscal")
    dose = value_id("PMC5009698", "", "dose", "value=27.68;unit=1e6 cells")
    values.loc[values.value_id == route, "review"] = "confirmed"
    values.loc[values.value_id == dose, ["review", "value", "note"]] = ["corrected", "value=27.7;unit=1e6 cells", "Table 1"]
    fecal_dose = values.index[(values.doc_id == "PMC5320771") & (values.field == "dose")][0]
    values.loc[fecal_dose, ["review", "value"]] = ["corrected", "value=abc"]
    added = {"doc_id": "PMC5320771", "study_key": "", "field": "sample_size", "value": "total=18", "review": "added",
             "evidence": "18 patients were randomly assigned"}
    unknown = {"value_id": "000000000000", "review": "rejected"}
    edited = pd.concat([values, pd.DataFrame([added, unknown])], ignore_index=True).fillna("")
    edited.to_csv(tmp_path / "edited.csv", index=False)

    recorded, problems = reviews.import_csv(con, tmp_path / "edited.csv", reviewer="test")
    assert recorded == 3
    assert [p.message.split(": ", 1)[0].rsplit(":", 1)[1] for p in problems] == [
        str(i + 2) for i in edited.index[(edited.value == "value=abc") | (edited.value_id == "000000000000")]
    ]
    assert any("does not parse" in p.message for p in problems) and any("no value with id" in p.message for p in problems)
    again, _ = reviews.import_csv(con, tmp_path / "edited.csv")
    assert again == 0

    export(con, tmp_path / "out", ["gold"])
    con.close()
    gold = pd.read_csv(tmp_path / "out" / "gold" / "PMC5009698.csv", dtype=str, keep_default_na=False)
    assert set(zip(gold.field, gold.value)) == {("route", "intradiscal"), ("dose", "value=27.7;unit=1e6 cells")}
    assert list(gold.columns) == ["doc_id", "study_key", "field", "value", "evidence"]
    added_gold = pd.read_csv(tmp_path / "out" / "gold" / "PMC5320771.csv", dtype=str, keep_default_na=False)
    assert added_gold[["field", "value"]].values.tolist() == [["sample_size", "total=18"]]


def test_the_commands_end_to_end(tmp_path):
    database = tmp_path / "review.duckdb"
    runner = CliRunner(env={"COLUMNS": "160"})
    result = runner.invoke(app, ["update", str(database), str(TRIAL_DISC), str(TRIAL_FECAL), "--pipeline", "blank"])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    route = value_id("PMC5320771", "", "route", "intramuscular")
    assert runner.invoke(app, ["review", "confirm", str(database), route]).exit_code == 0
    result = runner.invoke(
        app, ["review", "add", str(database), "PMC5320771", "alloantibody_result", "positive=0;total=9",
              "--evidence", "no patient developed donor-specific antibodies", "--note", "a test judgement"],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["analyses", str(database)])
    assert result.exit_code == 0 and "intramuscular" in result.output
    result = runner.invoke(app, ["review", "list", str(database), "--status", "confirmed"])
    assert result.exit_code == 0 and route in result.output
    same = runner.invoke(app, ["review", "correct", str(database), route, "intramuscular"])
    assert same.exit_code == 2 and "different" in same.output
    unknown = runner.invoke(app, ["review", "reject", str(database), "000000000000"])
    assert unknown.exit_code == 2 and "no value with id" in unknown.output
    result = runner.invoke(app, ["export", str(database), "--out", str(tmp_path / "out"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    analyses = pd.read_csv(tmp_path / "out" / "analyses.csv")
    assert analyses[analyses.group == "intramuscular"][["studies", "positive", "tested"]].values.tolist() == [[1, 0, 9]]
    # The analyses are recomputed by every update, and the reviewer's value outlives it.
    result = runner.invoke(app, ["update", str(database), str(TRIAL_DISC), str(TRIAL_FECAL), "--pipeline", "blank", "--reextract"])
    assert result.exit_code == 0, result.output
    assert "intramuscular" in runner.invoke(app, ["analyses", str(database)]).output
    missing = runner.invoke(app, ["export", str(tmp_path / "absent.duckdb")])
    assert missing.exit_code == 2 and "no such dataset" in missing.output
