"""How fast the workbench's grid answers on a dataset of 10,000 trials.

Prints figures; asserts nothing. The dataset is the bundled corpus extracted
once (plus the same-trial JATS rendering, so some trials have two sources that
disagree), then copied in SQL until it holds --trials trials: every copy a
paper of its own (`doc_id~k`), with its own trial ids and value ids, and a
tenth of its values judged, so the grid reads a realistic mix of statuses. The
copies keep their papers' paths, so a value's evidence view reads the real file.
Then `msc-extract serve` runs on it in its own process and each page is asked
for over HTTP on loopback, the way a browser asks: the figure is the whole
response time, query, rendering and transfer.

    .venv/bin/python bench/serve_grid.py [--trials 10000] [--repeat 10]
"""

from __future__ import annotations

import argparse
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from corpora import CORPUS, ROOT

from extract.nlp.pipeline import build_pipeline
from extract.dataset.database import connect, refresh_analyses, update

SAME_TRIAL = ROOT / "tests" / "data" / "same-trial" / "PMC5009698_jats.md"
TARGET_MS = 300


def copied(expression: str) -> str:
    """A doc or trial id of copy `k`: the paper part gets `~k`, a review's `#citation` stays after it."""
    return f"""CASE WHEN contains({expression}, '#')
                    THEN split_part({expression}, '#', 1) || '~' || k || '#' || split_part({expression}, '#', 2)
                    ELSE {expression} || '~' || k END"""


def make_dataset(database: Path, trials: int) -> tuple[int, int]:
    """A dataset of at least `trials` trials made from the bundled corpus; returns (trials, value rows)."""
    seed = database.with_name("seed.duckdb")
    update(seed, [CORPUS, SAME_TRIAL], nlp=build_pipeline("blank"))
    con = connect(database)
    try:
        con.execute(f"ATTACH '{seed}' AS seed (READ_ONLY)")
        seed_trials = con.execute("SELECT count(*) FROM seed.trials").fetchone()[0]
        copies = math.ceil(trials / seed_trials)
        con.execute(f"CREATE TEMP TABLE copies AS SELECT range AS k FROM range({copies})")
        con.begin()
        con.execute("INSERT INTO runs SELECT * FROM seed.runs")
        con.execute("INSERT INTO meta SELECT * FROM seed.meta WHERE key <> 'schema_version'")
        con.execute(
            """INSERT INTO documents BY NAME
               SELECT d.* REPLACE (doc_id || '~' || k AS doc_id) FROM seed.documents AS d, copies"""
        )
        con.execute(
            f"""INSERT INTO studies BY NAME
                SELECT s.* REPLACE (doc_id || '~' || k AS doc_id, {copied('trial_id')} AS trial_id) FROM seed.studies AS s, copies"""
        )
        con.execute(
            f"""INSERT INTO trials BY NAME
                SELECT t.* REPLACE ({copied('trial_id')} AS trial_id) FROM seed.trials AS t, copies"""
        )
        con.execute(
            """INSERT INTO extracted_values BY NAME
               SELECT v.* REPLACE (
                   doc_id || '~' || k AS doc_id,
                   substr(sha1(doc_id || '~' || k || chr(31) || study_key || chr(31) || field || chr(31) || value), 1, 12) AS value_id)
               FROM seed.extracted_values AS v, copies"""
        )
        # A tenth of the values judged: confirmed, rejected or corrected to themselves with a note, by their id's hash.
        con.execute(
            """INSERT INTO corrections
               SELECT row_number() OVER (ORDER BY value_id), now()::TIMESTAMP, value_id, doc_id, study_key, field, value,
                      CASE hash(value_id) % 3 WHEN 0 THEN 'confirmed' WHEN 1 THEN 'rejected' ELSE 'corrected' END,
                      CASE WHEN hash(value_id) % 3 = 2 THEN value END, NULL, 'benchmark', 'bench'
               FROM (SELECT DISTINCT value_id, doc_id, study_key, field, value FROM extracted_values WHERE current)
               WHERE hash(value_id) % 10 = 0"""
        )
        refresh_analyses(con)
        con.commit()
        con.execute("DETACH seed")
        counts = con.execute("SELECT (SELECT count(*) FROM trials), (SELECT count(*) FROM extracted_values)").fetchone()
    finally:
        con.close()
    seed.unlink()
    return counts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"msc-extract serve exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("msc-extract serve did not start listening")


def fetch_ms(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"{url}: HTTP {response.status}")
    return 1000 * (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page (after one untimed)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "review.duckdb"
        started = time.perf_counter()
        trials, values = make_dataset(database, options.trials)
        print(f"dataset: {trials:,} trials, {values:,} value rows, {database.stat().st_size / 1e6:.0f} MB, "
              f"made in {time.perf_counter() - started:.1f} s")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "extract.cli", "serve", str(database), "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port, server)
            base = f"http://127.0.0.1:{port}"
            pages = math.ceil(trials / 50)
            some_doc = "PMC5320771~7"
            scenarios = {
                "grid, first page": "/",
                "grid, page 100": "/?page=100",
                f"grid, last page ({pages})": f"/?page={pages}",
                "grid, field dose": "/?field=dose",
                "grid, status confirmed, page 20": "/?status=confirmed&page=20",
                "grid, route unreviewed, page 5": "/?field=route&status=unreviewed&page=5",
                "grid, sources disagree": "/?disagreement=1",
                "grid, one paper": f"/?doc={some_doc}",
            }
            print(f"load average {os.getloadavg()[0]:.2f} · {options.repeat} timed requests per page, after one untimed")
            print(f"{'page':<40} {'median ms':>10} {'max ms':>8}")
            worst = 0.0
            for name, path in scenarios.items():
                fetch_ms(base + path)
                times = [fetch_ms(base + path) for _ in range(options.repeat)]
                worst = max(worst, statistics.median(times))
                print(f"{name:<40} {statistics.median(times):>10.1f} {max(times):>8.1f}")
            verdict = "met" if worst < TARGET_MS else "MISSED"
            print(f"target: every grid page under {TARGET_MS} ms (median) on {trials:,} trials: {verdict} (slowest median {worst:.1f} ms)")
            with urllib.request.urlopen(base + f"/?doc={some_doc}") as response:
                html = response.read().decode()
            value_id = html.split('data-value-id="', 1)[1].split('"', 1)[0]
            for name, path in {"a value's evidence view": f"/value/{value_id}", "a trial's sources": "/trial?id=PMC5009698~7"}.items():
                fetch_ms(base + path)
                times = [fetch_ms(base + path) for _ in range(options.repeat)]
                print(f"{name:<40} {statistics.median(times):>10.1f} {max(times):>8.1f}")
            # A judgement: the review code's transaction (trials and analyses recomputed) and the grid's summary refreshed.
            ids = [part.split('"', 1)[0] for part in html.split('data-value-id="')[1:]][: options.repeat]
            times = []
            for wanted in ids:
                request = urllib.request.Request(
                    f"{base}/value/{wanted}/judge", data=b"action=confirm", method="POST",
                    headers={"Origin": base, "Content-Type": "application/x-www-form-urlencoded"},
                )
                started = time.perf_counter()
                with urllib.request.urlopen(request) as response:  # follows the 303 to the value's page
                    response.read()
                times.append(1000 * (time.perf_counter() - started))
            print(f"{'a confirmation, then its value page':<40} {statistics.median(times):>10.1f} {max(times):>8.1f}")
            print(f"load average {os.getloadavg()[0]:.2f}")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
