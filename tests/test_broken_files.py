"""One batch over broken files mixed with good ones: every broken file named with its code, the good ones extracted as if alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.ingest import printable
from extract.run import discover
from extract.runner.batch import BatchOptions, run_batch

from broken_corpus import HUGE_MB, make_broken_corpus
from conftest import CORPUS, ROOT

pytest.importorskip("reportlab")

LIMIT_MB = 20
GOOD = [CORPUS, ROOT / "tests" / "data" / "rct-other"]


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    broken_dir = tmp_path_factory.mktemp("broken")
    expected = make_broken_corpus(broken_dir)
    options = BatchOptions(pipeline="blank", workers=2, max_bytes=LIMIT_MB * 2**20)
    good_out, mixed_out = tmp_path_factory.mktemp("good"), tmp_path_factory.mktemp("mixed")
    run_batch(discover(GOOD), good_out, options)
    mixed_files = discover([*GOOD, broken_dir])
    run_batch(mixed_files, mixed_out, options)
    return expected, broken_dir, good_out, mixed_out, mixed_files


def test_the_walk_reports_broken_links_and_does_not_follow_loops(batches):
    expected, broken_dir, _, _, mixed_files = batches
    broken = sorted(printable(p.name) for p in mixed_files if broken_dir in p.parents)
    assert broken == sorted(expected)
    assert not any("loop" in p.parts for p in mixed_files)


def test_every_broken_file_is_reported_with_its_code(batches):
    expected, broken_dir, _, mixed_out, _ = batches
    summary = json.loads((mixed_out / "summary.json").read_text(encoding="utf-8"))
    codes = {Path(e["path"]).name: e["code"] for e in summary["errors"]}
    assert codes == expected
    for error in summary["errors"]:
        assert Path(error["path"]).name in error["path"] and "\n" not in error["message"]
    too_large = next(e for e in summary["errors"] if e["code"] == "too_large")
    assert f"{LIMIT_MB * 2**20:,}" in too_large["message"] and Path(too_large["path"]).stat().st_size > HUGE_MB * 10**6


def test_good_files_are_extracted_as_a_batch_without_the_broken_ones_does(batches):
    _, _, good_out, mixed_out, _ = batches
    for name in ("values.csv", "studies.jsonl"):
        assert (mixed_out / name).read_bytes() == (good_out / name).read_bytes(), name
    good = json.loads((good_out / "summary.json").read_text(encoding="utf-8"))
    mixed = json.loads((mixed_out / "summary.json").read_text(encoding="utf-8"))
    assert good["errors"] == [] and mixed["studies"] == good["studies"] > 0


def test_exit_status_is_non_zero_only_when_every_file_failed(tmp_path):
    from typer.testing import CliRunner

    from extract.cli import app

    broken_dir = tmp_path / "broken"
    make_broken_corpus(broken_dir)
    runner = CliRunner()
    only_broken = runner.invoke(app, ["run", str(broken_dir), "--out", str(tmp_path / "a"), "--pipeline", "blank", "--workers", "1", "--max-mb", str(LIMIT_MB)])
    assert only_broken.exit_code == 1, only_broken.output
    mixed = runner.invoke(app, ["run", str(broken_dir), str(CORPUS / "PMC5320771.txt"), "--out", str(tmp_path / "b"), "--pipeline", "blank", "--workers", "1", "--max-mb", str(LIMIT_MB)])
    assert mixed.exit_code == 0, mixed.output
    strict = runner.invoke(app, ["run", str(broken_dir), str(CORPUS / "PMC5320771.txt"), "--out", str(tmp_path / "c"), "--pipeline", "blank", "--workers", "1", "--max-mb", str(LIMIT_MB), "--strict"])
    assert strict.exit_code == 1, strict.output


def test_hostile_pdfs_end_in_a_named_error_not_a_crash(tmp_path):
    from extract.run import process_path

    from broken_corpus import make_hostile_pdfs

    for path in make_hostile_pdfs(tmp_path):
        result = process_path(path, None)  # ingest refuses them before the pipeline is needed
        assert result.error is not None and result.error.code in {"corrupt_pdf", "no_text_layer"}, (path.name, result.error)
        assert result.seconds < 60
