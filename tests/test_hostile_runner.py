"""Inputs and failures that used to stop a whole batch: odd file names, pipes, clashing names, a full disk,
a damaged journal, changed rules, and a Dask worker that holds the GIL past the time limit."""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.dataset.database import checkpoint_dir, update
from extract.run import discover
from extract.runner.batch import BatchOptions, run_batch
from extract.runner.inprocess import InProcessEngine
from extract.store.journal import JOURNAL_NAME, JournalError, StaleJournal

from conftest import ROOT, TRIAL_DISC, TRIAL_FECAL


def _in_process(nlp):
    return lambda _options, _workers: InProcessEngine(nlp)


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def _run(args: list[str]):
    return CliRunner().invoke(app, ["run", *args, "--pipeline", "blank", "--workers", "1"])


def _one_line_error(result) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) <= 3, result.output  # the message, wrapped at the terminal's width


# ---------------------------------------------------------------- names


@pytest.mark.parametrize("second", ["b/paper.txt", "a/paper.md"])
def test_two_papers_with_one_doc_id_are_not_merged_the_second_is_refused(tmp_path, nlp, second):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    shutil.copy(TRIAL_DISC, tmp_path / "a" / "paper.txt")
    shutil.copy(TRIAL_FECAL, tmp_path / second)
    files = [tmp_path / "a" / "paper.txt", tmp_path / second]
    summary, _ = run_batch(files, tmp_path / "out", BatchOptions(pipeline="blank"), engine_factory=_in_process(nlp))
    assert [(e.path, e.code) for e in summary.errors] == [(str(tmp_path / second), "doc_id_clash")]
    assert "a/paper.txt" in summary.errors[0].message and "rename" in summary.errors[0].message
    def values(out):
        studies = [json.loads(line) for line in (out / "studies.jsonl").read_text().splitlines()]
        return len(studies), [(v["field"], v["value"], v["evidence"]["start"]) for s in studies for v in s["values"]]

    run_batch([TRIAL_DISC], tmp_path / "alone", BatchOptions(pipeline="blank"), engine_factory=_in_process(nlp))
    assert values(tmp_path / "out") == values(tmp_path / "alone")


def test_a_file_name_that_is_not_utf8_is_read_and_recorded(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9 trial.txt")
    shutil.copy(TRIAL_DISC, folder / name)
    result = _run([str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert _summary(tmp_path / "out")["studies_per_document"] == {"caf\ufffd trial": 1}


def test_brackets_in_a_path_are_not_read_as_markup(tmp_path):
    folder = tmp_path / "papers["  # with the separator, ".../papers[/red] empty.txt" is a closing tag to rich
    folder.mkdir()
    (folder / "red] empty.txt").write_bytes(b"")
    shutil.copy(TRIAL_DISC, folder / "[bold]trial.txt")
    result = _run([str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "papers[/red] empty.txt: empty_file" in result.output.replace("\n", "")
    assert "[bold]trial" in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
def test_a_pipe_or_a_link_to_a_device_named_like_a_paper_does_not_hang_the_batch(tmp_path, nlp):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/zero", folder / "zeros.txt")
    shutil.copy(TRIAL_DISC, folder / "trial.txt")
    outcome: dict = {}
    worker = threading.Thread(
        target=lambda: outcome.update(
            summary=run_batch(discover([folder]), tmp_path / "out", BatchOptions(pipeline="blank"), engine_factory=_in_process(nlp))[0]
        ),
        daemon=True,
    )
    worker.start()
    worker.join(120)  # a generous bound: before the fix, hashing the pipe blocked for ever
    assert not worker.is_alive(), "the batch hung on a pipe or a device"
    summary = outcome["summary"]
    assert {Path(e.path).name: e.code for e in summary.errors} == {"pipe.txt": "not_a_file", "zeros.txt": "not_a_file"}
    assert summary.studies_per_document == {"trial": 1}


# ---------------------------------------------------------------- failures of the output folder


def test_a_read_only_output_folder_is_one_line_and_no_traceback(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only folders")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    try:
        _one_line_error(_run([str(TRIAL_DISC), "--out", str(out)]))
    finally:
        out.chmod(0o700)


def test_an_output_path_under_a_file_is_one_line_and_no_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _one_line_error(_run([str(TRIAL_DISC), "--out", str(blocker / "out")]))


def test_an_unknown_pipeline_is_one_line_and_no_traceback(tmp_path):
    result = CliRunner().invoke(app, ["run", str(TRIAL_DISC), "--out", str(tmp_path / "out"), "--pipeline", "no_such_model_xyz"])
    _one_line_error(result)
    assert "no_such_model_xyz" in result.output
    update_result = CliRunner().invoke(app, ["update", str(tmp_path / "r.duckdb"), str(TRIAL_DISC), "--pipeline", "no_such_model_xyz"])
    _one_line_error(update_result)


def test_a_full_disk_while_writing_outputs_leaves_no_temporary_file(tmp_path, monkeypatch, nlp):
    import extract.store.outputs as outputs

    out = tmp_path / "out"
    run_batch([TRIAL_DISC], out, BatchOptions(pipeline="blank"), engine_factory=_in_process(nlp))
    before = {path.name: path.read_bytes() for path in out.iterdir() if path.name in outputs.OUTPUT_FILES}

    class FullDisk:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def fsync(_fd):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "os", FullDisk())
    with pytest.raises(OSError, match="No space left"):
        run_batch([TRIAL_DISC, TRIAL_FECAL], out, BatchOptions(pipeline="blank"), engine_factory=_in_process(nlp))
    assert not list(out.glob(".*.tmp"))
    assert {name: (out / name).read_bytes() for name in before} == before


# ---------------------------------------------------------------- journals


def test_resume_refuses_results_read_with_other_rules(tmp_path, monkeypatch, nlp):
    out = tmp_path / "out"
    run_batch([TRIAL_DISC], out, BatchOptions(pipeline="blank"), engine_factory=_in_process(nlp))
    models = tmp_path / "models"
    shutil.copytree(ROOT / "models", models)
    with (models / "patterns" / "route.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"rule": "route.test.word", "field": "route", "value": "intravenous", "phrases": ["into a vein"]}\n')
    monkeypatch.setenv("MSC_EXTRACT_MODELS", str(models))
    with pytest.raises(StaleJournal, match="other rules"):
        run_batch([TRIAL_DISC], out, BatchOptions(pipeline="blank", resume=True), engine_factory=_in_process(nlp))


def test_a_damaged_journal_line_says_what_to_do(tmp_path, nlp):
    out = tmp_path / "out"
    run_batch([TRIAL_DISC, TRIAL_FECAL], out, BatchOptions(pipeline="blank"), engine_factory=_in_process(nlp))
    lines = (out / JOURNAL_NAME).read_bytes().splitlines(keepends=True)
    (out / JOURNAL_NAME).write_bytes(lines[0] + b'{"key": "damaged"\n' + b"".join(lines[1:]))
    with pytest.raises(JournalError, match="Run without --resume") as error:
        run_batch([TRIAL_DISC], out, BatchOptions(pipeline="blank", resume=True), engine_factory=_in_process(nlp))
    assert "another batch" not in str(error.value)


def test_a_damaged_update_checkpoint_is_discarded_not_taken_for_a_running_update(tmp_path, nlp):
    database = tmp_path / "review.duckdb"
    folder = checkpoint_dir(database)
    folder.mkdir()
    (folder / JOURNAL_NAME).write_bytes(b'{"journal": "msc-extract", "version": "0", "pipeline": "x"}\n{"key": "torn"\n{"also": 1}\n')
    summary = update(database, [TRIAL_DISC], nlp=nlp)
    assert summary.added == ["PMC5009698"] and not folder.exists()


def test_update_refuses_an_oversized_file_before_reading_it(tmp_path, nlp, monkeypatch):
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(3 * 2**20)  # sparse: three megabytes that cost nothing to make
    read = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or original(self))
    summary = update(tmp_path / "review.duckdb", [big, TRIAL_DISC], nlp=nlp, max_bytes=2**20)
    assert [(Path(e.path).name, e.code) for e in summary.errors] == [("big.txt", "too_large")]
    assert big not in read
    result = CliRunner().invoke(app, ["update", str(tmp_path / "r2.duckdb"), str(big), "--max-mb", "1", "--pipeline", "blank"])
    assert "too_large" in result.output and result.exit_code == 1


# ---------------------------------------------------------------- the Dask time limit


def test_dask_time_limit_holds_while_a_worker_holds_the_gil():
    pytest.importorskip("distributed")
    from extract.runner.cluster import DaskEngine
    from extract.runner.tasks import Task, extract_task

    def holds_the_gil(task, pipeline):
        import re

        if task.order == 0:
            re.match(r"(a+)+$", "a" * 64 + "b")  # exponential backtracking inside C: the GIL is never released
        return extract_task(task, pipeline)

    engine = DaskEngine("blank", workers=1, timeout=2.0, function=holds_the_gil)
    replies: dict = {}
    try:
        engine.submit(Task(order=0, key="stuck", path=str(TRIAL_DISC)))
        engine.submit(Task(order=1, key="trial", path=str(TRIAL_FECAL)))
        waiter = threading.Thread(target=lambda: replies.update({r.order: r for r in (engine.next_reply(), engine.next_reply())}), daemon=True)
        waiter.start()
        waiter.join(180)  # a generous bound: without the fix the engine waits for ever
        assert not waiter.is_alive(), "the engine never gave up on the document holding the GIL"
    finally:
        engine.close(cancel=True)
    assert replies[0].result.error.code == "timeout"
    assert replies[1].result.error is None and len(replies[1].result.studies) == 1


def test_another_paper_under_a_held_name_is_not_taken_for_a_new_version(tmp_path, nlp):
    database, paper = tmp_path / "review.duckdb", tmp_path / "papers" / "paper.txt"
    paper.parent.mkdir()
    shutil.copy(TRIAL_DISC, paper)
    update(database, [paper], nlp=nlp)
    shutil.copy(TRIAL_FECAL, paper)  # a different trial saved over the first one's file
    refused = update(database, [paper], nlp=nlp)
    assert [e.code for e in refused.errors] == ["different_paper"] and refused.changed == []
    assert "--replace-different" in refused.errors[0].message
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    held = con.execute("SELECT count(*) FROM extracted_values WHERE current AND field = 'route' AND value = 'intradiscal'").fetchone()[0]
    con.close()
    assert held >= 1  # the paper held keeps its values
    replaced = update(database, [paper], nlp=nlp, replace_different=True)
    assert replaced.changed == ["paper"] and replaced.errors == []


def test_dask_engine_times_a_document_from_the_schedulers_account_when_no_announcement_comes(monkeypatch):
    """A worker holding the GIL cannot send its announcement: the scheduler still says which documents it holds."""
    import threading as threads

    from extract.runner import cluster
    from extract.runner.cluster import DaskEngine
    from extract.runner.tasks import Task

    class Future:
        def __init__(self, key):
            self.key = key

        def cancel(self):
            pass

    class Scheduler:
        holds: dict = {}

        def processing(self):
            return self.holds

    clock = [100.0]
    monkeypatch.setattr(cluster.time, "monotonic", lambda: clock[0])
    engine = DaskEngine.__new__(DaskEngine)
    engine.timeout, engine._client, engine._lock = 5.0, Scheduler(), threads.Lock()
    engine._futures, engine._order, engine._tasks, engine._started = {}, {}, {}, {}
    engine._handed, engine._held, engine._freed, engine._warm = {}, {}, {}, {"tcp://w1"}
    restarted = []
    engine._restart = restarted.append
    for order in (0, 1):
        engine._futures[order], engine._order[f"k{order}"] = Future(f"k{order}"), order
        engine._tasks[order] = Task(order=order, key=f"k{order}", path=f"/p/{order}.txt")
    Scheduler.holds = {"tcp://w1": ("k1", "k0")}  # both handed to one worker: it runs the earlier one
    assert engine._overdue() is None
    clock[0] = 104.0
    assert engine._overdue() is None  # 4 s: within the limit
    clock[0] = 105.5
    reply = engine._overdue()
    assert reply.order == 0 and reply.result.error.code == "timeout" and restarted == ["tcp://w1"]
    # The second document's clock starts when the first leaves the worker, not when it was handed over.
    Scheduler.holds = {"tcp://w1": ("k1",)}
    clock[0] = 106.0
    assert engine._overdue() is None
    clock[0] = 110.0
    assert engine._overdue() is None
    clock[0] = 111.5
    assert engine._overdue().order == 1
