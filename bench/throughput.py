"""Throughput and memory of batch extraction, printed, never asserted.

    .venv/bin/python bench/throughput.py [--corpus DIR] [--pdfs DIR] [--sizes 100,200,300] [--dask]

In one run, on the same texts:

* the floor: a bare ``spacy.blank("en")`` tokenizer pass (``nlp.pipe``), measured
  before and after the batches (the faster of the two is the floor used);
* the batch with 1 and with 2 local workers, through ``run_batch`` (journal
  included) with workers warmed up first, so start-up is not counted: docs/s,
  words/s, the cost of each further block of documents (100, 200, 300) and
  each worker's peak RSS at those points, so growth is visible;
* the PDF fixtures through one worker: docs/s and pages/s;
* optionally (``--dask``) 2 workers on a Dask LocalCluster.

The default corpus is 300 real trial reports that are not cell therapy. A paper
whose opening names no cell product is read no further than its opening, so to
measure extraction the benchmark reads copies whose title is prefixed with
"Mesenchymal stem cells for " (written to a temporary folder): every one is then
read in full, as a cell-therapy paper is. ``--as-found`` reads the texts as they
are, which measures that triage instead.

Figures depend on the machine and on what else it runs: the load average is
printed at the start and the end. Compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import spacy

from corpora import PDFS, trials_folder

from extract.run import discover
from extract.runner.batch import BatchOptions, BatchProgress, available_cores, run_batch
from extract.runner.tasks import Reply


TARGET_FLOOR_RATIO = 0.5
TARGET_SPEEDUP = 1.7
TARGET_RSS_MB = 500.0


class Clock(BatchProgress):
    """When each reply arrived, and what it said."""

    def __init__(self) -> None:
        self.started = 0.0
        self.arrivals: list[tuple[float, Reply]] = []

    def start(self, documents: int, resumed: int, workers: int, engine: str) -> None:
        self.started = time.perf_counter()

    def advance(self, reply: Reply) -> None:
        self.arrivals.append((time.perf_counter() - self.started, reply))


class Checkpoint:
    def __init__(self, documents: int, seconds: float, words: int, pages: int, rss: dict[str, float], errors: int):
        self.documents, self.seconds, self.words, self.pages, self.rss, self.errors = documents, seconds, words, pages, rss, errors


def checkpoints(clock: Clock, sizes: list[int]) -> list[Checkpoint]:
    found: list[Checkpoint] = []
    words = pages = errors = 0
    rss: dict[str, float] = {}
    for count, (seconds, reply) in enumerate(clock.arrivals, start=1):
        words += reply.result.words
        pages += reply.result.pages
        errors += reply.result.error is not None
        if reply.worker:
            rss[reply.worker] = max(rss.get(reply.worker, 0.0), reply.peak_rss_mb)
        if count in sizes or count == len(clock.arrivals):
            found.append(Checkpoint(count, seconds, words, pages, dict(rss), errors))
    return found


def batch(files: list[Path], workers: int, pipeline: str, engine: str = "local") -> tuple[Clock, float]:
    """Extract ``files`` with warmed-up workers; the Clock's times start at the first submission."""
    from extract.runner.cluster import DaskEngine
    from extract.runner.local import LocalEngine

    warm = LocalEngine(pipeline, workers) if engine == "local" else DaskEngine(pipeline, workers)
    warm.warm_up()
    clock = Clock()
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        run_batch(
            files,
            Path(out),
            BatchOptions(pipeline=pipeline, engine=engine, workers=workers, timeout=None),
            clock,
            engine_factory=lambda options, n: warm,
        )
        total = time.perf_counter() - started
    return clock, total


READ_IN_FULL_TITLE = "Mesenchymal stem cells for "


def read_in_full(files: list[Path], folder: Path) -> list[Path]:
    """Copies of `files` whose title names a cell product, so that none is set aside at its opening."""
    copies = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        copy = folder / path.name
        copy.write_text(text.replace("TITLE:", f"TITLE: {READ_IN_FULL_TITLE}", 1) if "TITLE:" in text else
                        f"{READ_IN_FULL_TITLE}{text}", encoding="utf-8")
        copies.append(copy)
    return copies


def floor_words_per_second(texts: list[str], words: int) -> float:
    nlp = spacy.blank("en")
    started = time.perf_counter()
    for _ in nlp.pipe(texts):
        pass
    return words / (time.perf_counter() - started)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {available_cores()} cores"


def show_batch(label: str, clock: Clock, total: float, sizes: list[int]) -> Checkpoint:
    print(f"\n{label}")
    print(f"  {'docs':>5} {'seconds':>8} {'docs/s':>7} {'words/s':>9} {'s per doc in block':>19}  peak RSS per worker (MB)")
    previous = None
    for point in checkpoints(clock, sizes):
        block = (
            (point.seconds - previous.seconds) / (point.documents - previous.documents)
            if previous
            else point.seconds / point.documents
        )
        rss = ", ".join(f"{mb:.0f}" for mb in sorted(point.rss.values()))
        print(
            f"  {point.documents:>5} {point.seconds:>8.2f} {point.documents / point.seconds:>7.2f}"
            f" {point.words / point.seconds:>9.0f} {block:>19.3f}  {rss}"
            + (f"  ({point.errors} errors)" if point.errors else "")
        )
        previous = point
    print(f"  rendering the output files and closing the workers: {total - previous.seconds:.2f} s")
    return previous


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=trials_folder())
    parser.add_argument("--pdfs", type=Path, default=PDFS)
    parser.add_argument("--sizes", default="100,200,300", help="Checkpoints (documents done); the largest is the batch size.")
    parser.add_argument("--pipeline", default="auto")
    parser.add_argument("--dask", action="store_true", help="Also run 2 workers on a Dask LocalCluster.")
    parser.add_argument(
        "--as-found", action="store_true", help="Read the texts as they are (papers that are not cell therapy stop at their opening)."
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as copies:
        return run(args, Path(copies))


def run(args: argparse.Namespace, copies: Path) -> int:

    sizes = sorted(int(s) for s in args.sizes.split(","))
    files = discover([args.corpus])[: sizes[-1]]
    if not args.as_found:
        files = read_in_full(files, copies)
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in files]
    words = sum(len(text.split()) for text in texts)
    how = "as found" if args.as_found else f"each read in full (titles prefixed {READ_IN_FULL_TITLE!r})"
    print(f"msc-extract benchmark · {len(files)} texts from {args.corpus}, {how} · {words:,} words · pipeline {args.pipeline}")
    print(f"start: {load()}")

    floor_before = floor_words_per_second(texts, words)
    one_clock, one_total = batch(files, 1, args.pipeline)
    two_clock, two_total = batch(files, 2, args.pipeline)
    dask_run = batch(files, 2, args.pipeline, engine="dask") if args.dask else None
    floor_after = floor_words_per_second(texts, words)
    floor = max(floor_before, floor_after)

    print(f"\nfloor, spacy.blank('en') tokenizer only, one process: {floor_before:,.0f} words/s before, {floor_after:,.0f} after")
    one = show_batch("1 local worker", one_clock, one_total, sizes)
    two = show_batch("2 local workers", two_clock, two_total, sizes)
    if dask_run:
        show_batch("2 Dask workers (LocalCluster)", *dask_run, sizes)

    pdf_files = discover([args.pdfs]) if args.pdfs.is_dir() else []
    if pdf_files:
        pdf_clock, pdf_total = batch(pdf_files, 1, args.pipeline)
        pdf = show_batch(f"PDF fixtures, 1 local worker ({len(pdf_files)} files from {args.pdfs})", pdf_clock, pdf_total, [])
        print(f"  {pdf.pages} pages, {pdf.pages / pdf.seconds:.2f} pages/s")
        errors = [r.result.error for _, r in pdf_clock.arrivals if r.result.error]
        if errors:
            print(f"  {len(errors)} of {len(pdf_files)} PDFs failed; the first: {errors[0].code}: {errors[0].message}")

    ratio = (one.words / one.seconds) / floor
    speedup = one.seconds / two.seconds
    first = checkpoints(one_clock, sizes)
    rss_start = max(first[0].rss.values())
    rss_end = max(first[-1].rss.values())
    rss_peak = max(max(p.rss.values()) for clock in (one_clock, two_clock) for p in checkpoints(clock, sizes))
    print("\ntargets")
    verdict = lambda ok: "ok" if ok else "MISSED"  # noqa: E731
    print(f"  end-to-end / floor, 1 worker: {ratio:.2f} (target ≥ {TARGET_FLOOR_RATIO}) {verdict(ratio >= TARGET_FLOOR_RATIO)}")
    print(f"  2 workers / 1 worker: {speedup:.2f}× (target ≥ {TARGET_SPEEDUP}) {verdict(speedup >= TARGET_SPEEDUP)}")
    print(
        f"  peak RSS per worker: {rss_peak:.0f} MB (target < {TARGET_RSS_MB:.0f}) {verdict(rss_peak < TARGET_RSS_MB)};"
        f" 1 worker at {first[0].documents} docs {rss_start:.0f} MB, at {first[-1].documents} docs {rss_end:.0f} MB"
    )
    print(f"end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
