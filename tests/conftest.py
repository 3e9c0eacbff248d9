from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared" / "corpus-real"
REVIEW_000 = CORPUS / "000_99413260b5e6cc0d.txt"
REVIEW_004 = CORPUS / "004_0683142eb9ad4bee.txt"
TRIAL_DISC = CORPUS / "PMC5009698.txt"
TRIAL_FECAL = CORPUS / "PMC5320771.txt"


@pytest.fixture(scope="session")
def nlp():
    from extract.nlp.pipeline import build_pipeline

    return build_pipeline("blank")


@pytest.fixture(scope="session")
def corpus_results(nlp):
    from extract.run import discover, process_path

    return {r.doc_id: r for r in (process_path(p, nlp) for p in discover([CORPUS]))}


def paper_sentences(folders: list[Path]) -> list[str]:
    """Every sentence of every paragraph of the papers under `folders`, split as the pipeline splits them."""
    from extract.ingest import load_document
    from extract.nlp.sentences import sentence_spans
    from extract.run import discover

    sentences = []
    for path in discover([folder for folder in folders if folder.is_dir()]):
        document = load_document(path)
        for paragraph in document.paragraphs:
            text = document.slice(paragraph)
            sentences.extend(text[start:end] for start, end in sentence_spans(text))
    return sentences


def built_dataset(tmp_path_factory, nlp, papers: list[Path]) -> Path:
    """A review dataset updated with `papers`, once per test module (callers make it a module fixture)."""
    from extract.dataset.database import update

    database = tmp_path_factory.mktemp("dataset") / "review.duckdb"
    update(database, papers, nlp=nlp)
    return database


def private_copy(database: Path, folder: Path) -> Path:
    """A copy of a built dataset, for a test that records judgements without touching the module's."""
    import shutil

    copy = folder / "review.duckdb"
    shutil.copy(database, copy)
    return copy


def negative_control_texts() -> list[Path]:
    """The 300 real non-cell-therapy trials where CI has them, else the committed sample."""
    full = SHARED / "rct-fulltext" / "other"
    folder = full if full.is_dir() else ROOT / "tests" / "data" / "rct-other"
    return sorted(folder.glob("*.txt"))


def kill_after_journaled(command: list[str], journal: Path, documents: int) -> int:
    """Run an msc-extract command and SIGKILL it, with its worker processes, once `journal` holds
    `documents` results; return how many it held then (a kill can land mid-write)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "extract.cli", *command],
        cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if journal.exists() and journal.read_bytes().count(b"\n") >= documents + 1:  # the header, then one line each
                break
            time.sleep(0.02)
        assert process.poll() is None, f"{command[0]} ended before it could be killed"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return journal.read_bytes().count(b"\n") - 1
