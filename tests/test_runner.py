"""Batches on the real corpus: worker processes, Dask, a SIGKILL midway and a resume.

Every engine and every interruption must give the same output files as one
uninterrupted run. Each worker process loads spaCy (a few seconds), so the
batches here are small: the four bundled papers and the 25 committed trials,
plus renamed copies where a batch must last long enough to be killed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extract.run import discover
from extract.runner.batch import BatchOptions, run_batch
from extract.store.outputs import OUTPUT_FILES

from conftest import CORPUS, ROOT, TRIAL_DISC, kill_after_journaled

RCT_SAMPLE = ROOT / "tests" / "data" / "rct-other"


def heavy_paper(copies: int = 1) -> str:
    """The 25 sample trials in one paper whose title names a cell product: a paper that is not cell therapy is
    not read past its opening, and these tests need one that takes real work."""
    trials = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(RCT_SAMPLE.glob("*.txt"))) * copies
    return trials.replace("TITLE:", "TITLE: Mesenchymal stem cells for")


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUT_FILES}


def last_run(folder: Path) -> dict:
    return json.loads((folder / "runs.jsonl").read_text().splitlines()[-1])


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """The bundled papers, the 25 trials, and the trials again under other names (other documents to the journal)."""
    copies = tmp_path_factory.mktemp("copies")
    for path in sorted(RCT_SAMPLE.glob("*.txt")):
        shutil.copy(path, copies / f"copy-{path.name}")
    return discover([CORPUS, RCT_SAMPLE, copies])


@pytest.fixture(scope="module")
def reference(inputs, tmp_path_factory) -> Path:
    """One uninterrupted run: two local workers, results journaled as they finish."""
    out = tmp_path_factory.mktemp("reference")
    summary, stats = run_batch(inputs, out, BatchOptions(pipeline="blank", workers=2))
    assert summary.documents == len(inputs) == 54 and summary.failed == 0
    assert stats.processed == 54 and stats.workers == 2 and len(stats.peak_rss_mb) == 2
    return out


def test_reference_output_holds_the_bundled_papers_studies(reference):
    summary = json.loads((reference / "summary.json").read_text())
    assert summary["studies_per_document"]["PMC5009698"] == 1
    per_document = summary["studies_per_document"]
    bundled = {"000_99413260b5e6cc0d", "004_0683142eb9ad4bee", "PMC5009698", "PMC5320771"}
    assert summary["studies"] == sum(per_document.get(d, 0) for d in bundled)  # the negative-control trials give none
    assert per_document["004_0683142eb9ad4bee"] >= 42
    values = (reference / "values.csv").read_text().splitlines()
    assert values[0].startswith("doc_id,study_key,field,value,evidence")
    assert {line.split(",", 1)[0] for line in values[1:]} == {
        "000_99413260b5e6cc0d",
        "004_0683142eb9ad4bee",
        "PMC5009698",
        "PMC5320771",
    }


def test_killed_batch_resumes_with_only_the_rest_and_the_same_output(inputs, reference, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "extract.cli", "run", *map(str, inputs), "--out", str(out), "--pipeline", "blank"]
    done_when_killed = kill_after_journaled([*command[3:], "--workers", "1"], out / "journal.jsonl", documents=5)
    assert 5 <= done_when_killed < len(inputs)
    assert not (out / "summary.json").exists()

    rerun = subprocess.run([*command, "--workers", "2", "--resume"], cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    stats = last_run(out)
    assert stats["resumed"] == done_when_killed
    assert stats["processed"] == len(inputs) - done_when_killed
    assert outputs(out) == outputs(reference)


def test_dask_engine_gives_the_local_runners_output(inputs, reference, tmp_path):
    summary, stats = run_batch(inputs, tmp_path, BatchOptions(pipeline="blank", engine="dask", workers=2, ordered=True))
    assert stats.engine == "dask" and stats.processed == len(inputs) and len(stats.peak_rss_mb) == 2
    assert outputs(tmp_path) == outputs(reference)


def test_a_document_over_the_time_limit_is_recorded_and_the_batch_goes_on(tmp_path):
    # Twenty-five real trials in one file (113,000 words): about a second of work, far over a 0.2 s limit.
    huge = tmp_path / "huge.txt"
    huge.write_text(heavy_paper(), encoding="utf-8")
    files = [huge, TRIAL_DISC]
    summary, stats = run_batch(files, tmp_path / "out", BatchOptions(pipeline="blank", workers=1, ordered=True, timeout=0.2))
    assert [(e.path, e.code) for e in summary.errors] == [(str(huge), "timeout")]
    assert summary.studies_per_document == {"PMC5009698": 1}
    assert stats.processed == 2 and stats.failed == 1

    # --resume keeps the failure; --retry-failed extracts it again, here without a limit, and only it.
    resumed, stats = run_batch(files, tmp_path / "out", BatchOptions(pipeline="blank", workers=1, resume=True, timeout=0.2))
    assert stats.processed == 0 and stats.resumed == 2 and resumed.failed == 1
    options = BatchOptions(pipeline="blank", workers=1, resume=True, retry_failed=True, timeout=0)
    retried, stats = run_batch(files, tmp_path / "out", options)
    assert (stats.processed, stats.retried, stats.resumed, stats.failed) == (1, 1, 1, 0)
    assert retried.errors == [] and retried.documents == 2
    fresh, _ = run_batch(files, tmp_path / "fresh", BatchOptions(pipeline="blank", workers=1, timeout=0))
    assert outputs(tmp_path / "out") == outputs(tmp_path / "fresh")


def test_dask_records_a_document_over_the_time_limit_and_restarts_its_worker(tmp_path):
    from extract.runner.cluster import DaskEngine
    from extract.runner.tasks import Task

    # The 25 trials four times over: 450,000 words, several seconds of work, far over a 1 s limit.
    huge = tmp_path / "huge.txt"
    huge.write_text(heavy_paper(copies=4), encoding="utf-8")
    engine = DaskEngine("blank", workers=1, timeout=1.0)
    try:
        before = engine.warm_up()
        engine.submit(Task(order=0, key="huge", path=str(huge)))
        engine.submit(Task(order=1, key="trial", path=str(TRIAL_DISC)))
        replies = {reply.order: reply for reply in (engine.next_reply(), engine.next_reply())}
        after = engine.warm_up()
    finally:
        engine.close()
    assert replies[0].result.error.code == "timeout"
    assert replies[1].result.error is None and len(replies[1].result.studies) == 1
    # The worker that was stuck in the huge file is a new process; the trial was read by it.
    assert before != after and replies[1].worker in after


def test_a_repeated_input_is_extracted_once(tmp_path):
    summary, stats = run_batch([TRIAL_DISC, TRIAL_DISC], tmp_path, BatchOptions(pipeline="blank", workers=2))
    assert summary.documents == 1 and stats.processed == 1
    assert summary.duplicates == {str(TRIAL_DISC): str(TRIAL_DISC)}
