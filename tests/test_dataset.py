"""The review dataset on real papers: updates that change nothing, changed papers with history,
judgements that survive re-extraction, one trial from two papers, and a killed update."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from extract.dataset import reviews
from extract.dataset.database import DatasetError, checkpoint_dir, connect, update, value_id
from extract.dataset.records import ReviewAction

from conftest import REVIEW_000, REVIEW_004, ROOT, TRIAL_DISC, TRIAL_FECAL, kill_after_journaled

TRIAL_DISC_JATS = ROOT / "tests" / "data" / "same-trial" / "PMC5009698_jats.md"
# Tables whose content is the dataset; `runs` only logs that an update happened.
DATA_TABLES = ("documents", "document_versions", "studies", "trials", "extracted_values", "corrections", "analyses")
# A paragraph of PMC5009698 stating one patient's dose: the erratum in these tests drops it.
DROPPED_SENTENCE = "In November 2009, this patient received an intra-discal injection of 27.68 million autologous"


def snapshot(database: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return {table: sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in DATA_TABLES}
    finally:
        con.close()


def query(database: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def rows(database: Path, sql: str) -> list[list]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return [list(row) for row in con.execute(sql).fetchall()]
    finally:
        con.close()


@pytest.fixture
def papers(tmp_path):
    """Copies of two real trial reports, so a test can edit them as a publisher's correction would."""
    folder = tmp_path / "papers"
    folder.mkdir()
    for paper in (TRIAL_DISC, TRIAL_FECAL):
        shutil.copy(paper, folder / paper.name)
    return folder


def drop_dose_paragraph(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines(keepends=True) if DROPPED_SENTENCE not in line]
    assert len(lines) == len(text.splitlines()) - 1
    path.write_text("".join(lines), encoding="utf-8")


def test_updating_twice_with_the_same_papers_changes_nothing(tmp_path, papers, nlp):
    database = tmp_path / "review.duckdb"
    first = update(database, [papers], nlp=nlp)
    assert sorted(first.added) == ["PMC5009698", "PMC5320771"] and not first.errors
    before = snapshot(database)
    assert len(before["extracted_values"]) == first.values > 0

    second = update(database, [papers], nlp=nlp)

    assert second.added == [] and second.changed == [] and second.unchanged == 2
    assert snapshot(database) == before
    runs = query(database, "SELECT run_id, added, unchanged FROM runs ORDER BY run_id")
    assert runs.values.tolist() == [[1, 2, 0], [2, 0, 2]]


def test_a_byte_identical_copy_is_recorded_once_and_not_read_again(tmp_path, papers, nlp):
    database = tmp_path / "review.duckdb"
    shutil.copy(TRIAL_DISC, papers / "PMC5009698_copy.txt")
    first = update(database, [papers], nlp=nlp)
    assert first.copies == ["PMC5009698_copy"] and sorted(first.added) == ["PMC5009698", "PMC5320771"]
    copy = rows(database, "SELECT status, copy_of FROM documents WHERE doc_id = 'PMC5009698_copy'")
    assert copy == [["copy", "PMC5009698"]]
    assert rows(database, "SELECT count(*) FROM extracted_values WHERE doc_id = 'PMC5009698_copy'") == [[0]]
    before = snapshot(database)
    second = update(database, [papers], nlp=nlp)
    assert second.unchanged == 3 and snapshot(database) == before


def test_a_changed_paper_replaces_its_values_and_keeps_the_old_ones_as_history(tmp_path, papers, nlp):
    database = tmp_path / "review.duckdb"
    update(database, [papers], nlp=nlp)
    old_dose = "value=27.68;unit=1e6 cells"
    assert old_dose in set(query(database, "SELECT value FROM reviewed_values WHERE doc_id = 'PMC5009698'").value)

    drop_dose_paragraph(papers / "PMC5009698.txt")
    summary = update(database, [papers], nlp=nlp)

    assert summary.changed == ["PMC5009698"] and summary.unchanged == 1
    current = query(database, "SELECT value FROM extracted_values WHERE doc_id = 'PMC5009698' AND current")
    assert old_dose not in set(current.value)
    assert "intradiscal" in set(current.value)
    history = query(
        database, "SELECT value, run_id, superseded_run FROM extracted_values WHERE doc_id = 'PMC5009698' AND NOT current"
    )
    assert old_dose in set(history.value)
    assert set(history.run_id) == {1} and set(history.superseded_run) == {2}
    versions = query(database, "SELECT run_id, status FROM document_versions WHERE doc_id = 'PMC5009698' ORDER BY run_id")
    assert versions.values.tolist() == [[1, "extracted"], [2, "extracted"]]
    untouched = query(database, "SELECT DISTINCT run_id FROM extracted_values WHERE doc_id = 'PMC5320771'")
    assert untouched.run_id.tolist() == [1]


def test_judgements_survive_reextraction_and_a_changed_paper(tmp_path, papers, nlp):
    database = tmp_path / "review.duckdb"
    update(database, [papers], nlp=nlp)
    route = value_id("PMC5009698", "", "route", "intradiscal")
    lost_dose = value_id("PMC5009698", "", "dose", "value=27.68;unit=1e6 cells")
    donor = value_id("PMC5320771", "", "donor_type", "allogeneic")
    fecal_route = value_id("PMC5320771", "", "route", "intramuscular")
    con = connect(database)
    reviews.record(
        con,
        [
            reviews.judgement(con, route, ReviewAction.confirmed, note="methods, first paragraph"),
            reviews.judgement(con, lost_dose, ReviewAction.confirmed, note="patient 1"),
            reviews.judgement(con, donor, ReviewAction.rejected, note="a judgement to keep"),
            reviews.judgement(con, fecal_route, ReviewAction.corrected, "intralesional", note="a judgement to keep"),
        ],
    )
    con.close()

    update(database, [papers], nlp=nlp, reextract=True)
    drop_dose_paragraph(papers / "PMC5009698.txt")
    update(database, [papers], nlp=nlp)

    reviewed = query(database, "SELECT DISTINCT value_id, value, review, origin FROM reviewed_values")
    status = {row.value_id: (row.value, row.review, row.origin) for row in reviewed.itertuples()}
    assert status[route] == ("intradiscal", "confirmed", "pipeline")
    assert status[donor][1:] == ("rejected", "pipeline")
    assert status[fecal_route] == ("intralesional", "corrected", "pipeline")
    # The paper no longer states this dose, but the reviewer read it there: the value stays, held by the reviewer.
    assert status[lost_dose] == ("value=27.68;unit=1e6 cells", "confirmed", "reviewer")
    assert query(database, "SELECT count(*) AS n FROM extracted_values WHERE value_id = ? AND current", [lost_dose]).n[0] == 0

    con = connect(database, read_only=True)
    gold = reviews.gold_rows(con)
    con.close()
    assert set(map(tuple, gold[["doc_id", "field", "value"]].values)) == {
        ("PMC5009698", "route", "intradiscal"),
        ("PMC5009698", "dose", "value=27.68;unit=1e6 cells"),
        ("PMC5320771", "route", "intralesional"),
    }
    assert all("27.68 million" in e for e in gold[gold.field == "dose"].evidence)


def test_two_papers_about_one_trial_give_one_trial_with_two_sources(tmp_path, nlp):
    """The trial of PMC5009698 from its Evidence Inference text and from the publisher's JATS (with DOI and authors)."""
    database = tmp_path / "review.duckdb"
    summary = update(database, [TRIAL_DISC, TRIAL_DISC_JATS, TRIAL_FECAL], nlp=nlp)

    assert summary.studies == 3 and summary.trials == 2
    trials = query(database, "SELECT * FROM trials ORDER BY trial_id")
    disc = trials[trials.trial_id == "PMC5009698"].iloc[0]
    assert disc.papers == 2 and disc.sources == "PMC5009698; PMC5009698_jats"
    assert disc.doi == "10.1186/s12967-016-1015-5" and disc.year == 2016 and disc.first_author == "Christian Elabd"
    by_paper = query(database, "SELECT DISTINCT doc_id, trial_id FROM reviewed_values ORDER BY doc_id")
    assert by_paper.values.tolist() == [
        ["PMC5009698", "PMC5009698"],
        ["PMC5009698_jats", "PMC5009698"],
        ["PMC5320771", "PMC5320771"],
    ]


def test_an_update_killed_midway_leaves_the_dataset_as_before_and_a_rerun_completes_it(tmp_path, nlp):
    database = tmp_path / "review.duckdb"
    update(database, [TRIAL_FECAL], nlp=nlp)
    before = snapshot(database)
    # The trial first, then the two long reviews: the kill lands while a review is being read.
    command = [sys.executable, "-c", "from extract.cli import app; app()", "update", str(database),
               str(TRIAL_DISC), str(REVIEW_004), str(REVIEW_000), "--pipeline", "blank"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT)
    seen = []
    for line in process.stderr:
        seen.append(line)
        if "added" in line and "PMC5009698" in line:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL, "".join(seen)

    assert snapshot(database) == before
    assert query(database, "SELECT count(*) AS n FROM runs").n[0] == 1

    rerun = update(database, [TRIAL_DISC, REVIEW_004, REVIEW_000], nlp=nlp)
    assert sorted(rerun.added) == ["000_99413260b5e6cc0d", "004_0683142eb9ad4bee", "PMC5009698"]
    assert rerun.unchanged == 0 and rerun.documents == 4
    assert query(database, "SELECT run_id FROM runs ORDER BY run_id").run_id.tolist() == [1, 2]


def test_an_update_killed_while_extracting_resumes_from_its_checkpoint(tmp_path, nlp):
    papers = [TRIAL_DISC, TRIAL_FECAL, *sorted((ROOT / "tests" / "data" / "rct-other").glob("*.txt"))]
    database = tmp_path / "review.duckdb"
    command = ["update", str(database), *map(str, papers), "--pipeline", "blank", "--workers", "1"]
    extracted_when_killed = kill_after_journaled(command, checkpoint_dir(database) / "journal.jsonl", documents=3)
    assert 3 <= extracted_when_killed < len(papers)
    assert snapshot(database)["documents"] == []  # nothing was written to the dataset itself

    rerun = update(database, papers, pipeline="blank", nlp=nlp)
    assert rerun.resumed == extracted_when_killed and rerun.extracted == len(papers) - extracted_when_killed
    assert not checkpoint_dir(database).exists()
    fresh = tmp_path / "fresh.duckdb"
    update(fresh, papers, pipeline="blank", nlp=nlp)
    assert snapshot(database) == snapshot(fresh)


def test_bad_files_are_reported_by_name_and_the_update_goes_on(tmp_path, papers, nlp):
    database = tmp_path / "review.duckdb"
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    missing = tmp_path / "gone.txt"
    clash = tmp_path / "other" / TRIAL_DISC.name
    clash.parent.mkdir()
    clash.write_text(TRIAL_FECAL.read_text(encoding="utf-8"), encoding="utf-8")
    disc = papers / TRIAL_DISC.name
    summary = update(database, [empty, missing, disc, clash], nlp=nlp)

    assert summary.added == ["PMC5009698"]
    assert {(Path(e.path).name, e.code) for e in summary.errors} == {
        ("empty.txt", "empty_file"),
        ("gone.txt", "not_found"),
        ("PMC5009698.txt", "doc_id_clash"),
    }
    failed = query(database, "SELECT doc_id, status, error_code FROM documents WHERE status = 'failed'")
    assert failed.values.tolist() == [["empty", "failed", "empty_file"]]

    # A paper already read keeps its values when its new version cannot be read; a failed file is retried.
    values_before = query(database, "SELECT * FROM extracted_values WHERE doc_id = 'PMC5009698' ORDER BY ALL")
    disc.write_bytes(b"")
    empty.write_text(TRIAL_FECAL.read_text(encoding="utf-8"), encoding="utf-8")
    again = update(database, [empty, disc], nlp=nlp)

    assert again.added == ["empty"]
    assert [(Path(e.path).name, e.code) for e in again.errors] == [("PMC5009698.txt", "empty_file")]
    documents = rows(database, "SELECT doc_id, status, error_code FROM documents ORDER BY doc_id")
    assert documents == [["PMC5009698", "extracted", "empty_file"], ["empty", "extracted", None]]
    assert query(database, "SELECT * FROM extracted_values WHERE doc_id = 'PMC5009698' ORDER BY ALL").equals(values_before)


def test_a_file_that_is_not_a_dataset_is_refused_by_name(tmp_path):
    bogus = tmp_path / "notes.duckdb"
    bogus.write_text("a reviewer's notes, not a database\n" * 100)
    with pytest.raises(DatasetError, match="notes.duckdb"):
        connect(bogus)
    with pytest.raises(DatasetError, match="no such dataset"):
        connect(tmp_path / "absent.duckdb", read_only=True)
