"""The command line on the real corpus: outputs written, a bad file reported, the batch goes on."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from extract.cli import app

from conftest import CORPUS, TRIAL_DISC


def test_run_writes_long_table_studies_and_summary(tmp_path):
    result = CliRunner().invoke(app, ["run", str(CORPUS), "--out", str(tmp_path), "--pipeline", "blank"])
    assert result.exit_code == 0, result.output
    values = pd.read_csv(tmp_path / "values.csv", dtype=str, keep_default_na=False)
    assert list(values.columns[:5]) == ["doc_id", "study_key", "field", "value", "evidence"]
    assert set(values.doc_id) == {"000_99413260b5e6cc0d", "004_0683142eb9ad4bee", "PMC5009698", "PMC5320771"}
    tesi = values[(values.doc_id == "000_99413260b5e6cc0d") & (values.study_key == "46") & (values.field == "route")]
    assert "transendocardial" in set(tesi.value)
    studies = [json.loads(line) for line in (tmp_path / "studies.jsonl").read_text().splitlines()]
    assert {s["study_key"] for s in studies if s["doc_id"] == "PMC5009698"} == {""}
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["documents"] == 4 and summary["failed"] == 0


def test_a_missing_file_is_reported_and_the_rest_extracted(tmp_path):
    missing = tmp_path / "gone.txt"
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = CliRunner().invoke(app, ["run", str(missing), str(empty), str(TRIAL_DISC), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert {(e["path"], e["code"]) for e in summary["errors"]} == {(str(missing), "not_found"), (str(empty), "empty_file")}
    values = pd.read_csv(tmp_path / "o" / "values.csv", dtype=str)
    assert set(values.doc_id) == {"PMC5009698"}


def test_every_file_failing_is_a_failed_run(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   ")
    result = CliRunner().invoke(app, ["run", str(empty), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
