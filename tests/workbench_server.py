"""A review dataset built from the bundled papers, and `msc-extract serve` running over it, for the workbench tests."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from extract.dataset.database import update

from conftest import CORPUS, ROOT, TRIAL_DISC

PDF_FIXTURE = ROOT / "tests" / "fixtures" / "pdf" / "PMC5320771.pdf"
SAME_TRIAL_JATS = ROOT / "tests" / "data" / "same-trial" / "PMC5009698_jats.md"
HOSTILE_SCRIPT = "<script>document.title='pwned'</script>"
HOSTILE_IMAGE = "<img src=x onerror=\"document.title='pwned'\">"


def hostile_paper(folder: Path) -> Path:
    """A real trial report whose title, the evidence of several values, carries markup a browser would run."""
    text = TRIAL_DISC.read_text(encoding="utf-8")
    marked = text.replace("Intra-discal injection of autologous", f"Intra-discal injection {HOSTILE_SCRIPT} {HOSTILE_IMAGE} of autologous", 1)
    assert marked != text
    path = folder / "hostile_markup.txt"
    path.write_text(marked, encoding="utf-8")
    return path


def build_dataset(folder: Path, nlp) -> Path:
    """The bundled corpus, its disc trial's JATS rendering (one trial, two sources), a PDF of the fecal
    incontinence trial under its own name (a PDF value view) and the hostile paper, updated into one dataset."""
    papers = folder / "papers"
    papers.mkdir()
    for paper in sorted(CORPUS.glob("*.txt")):
        shutil.copy(paper, papers / paper.name)
    shutil.copy(SAME_TRIAL_JATS, papers / SAME_TRIAL_JATS.name)
    shutil.copy(PDF_FIXTURE, papers / "PMC5320771_print.pdf")
    hostile_paper(papers)
    database = folder / "review.duckdb"
    summary = update(database, [papers], nlp=nlp)
    assert not summary.errors, summary.errors
    return database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(database: Path, *options: str) -> Iterator[str]:
    """`msc-extract serve DATABASE` on a free loopback port; yields its base URL, stops it with Ctrl-C (SIGINT)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "extract.cli", "serve", str(database), "--port", str(port), *options],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise AssertionError(f"serve exited with {server.returncode}: {server.stdout.read()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("serve did not start listening within 60 s")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            raise AssertionError("serve did not stop on Ctrl-C (SIGINT)")
