"""What the review dataset costs on top of extraction, and what an update that finds nothing new costs.

Prints figures; asserts nothing. Papers: the bundled corpus plus the real
non-cell-therapy trials (the 300 in ../shared/corpus-real/rct-fulltext/other
when present, else the 25 in tests/data/rct-other). Ratios compare timings
taken in this one run, so a busy machine moves both sides.

    .venv/bin/python bench/dataset_update.py
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

from corpora import CORPUS, trial_texts

from extract.dataset.database import connect, update
from extract.dataset.exports import export
from extract.nlp.pipeline import build_pipeline
from extract.run import discover, process_path


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main() -> None:
    papers = discover([CORPUS]) + trial_texts()
    nlp = build_pipeline("blank")
    for path in papers[:5]:  # warm the lexicon caches before either side is timed
        process_path(path, nlp)
    _, extract_seconds = timed(lambda: [process_path(path, nlp) for path in papers])
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "review.duckdb"
        first, update_seconds = timed(lambda: update(database, papers, nlp=nlp))
        _, noop_seconds = timed(lambda: update(database, papers, nlp=nlp))
        _, reextract_seconds = timed(lambda: update(database, papers, nlp=nlp, reextract=True))
        con = connect(database, read_only=True)
        written, export_seconds = timed(lambda: export(con, Path(folder) / "export"))
        con.close()
        size_mb = database.stat().st_size / 1e6
    count = len(papers)
    print(f"load average {os.getloadavg()[0]:.2f} · {count} papers · {first.studies} studies · {first.values} value rows")
    print(f"extraction alone          {extract_seconds:7.2f} s  {1000 * extract_seconds / count:7.1f} ms/paper")
    print(f"update, new dataset       {update_seconds:7.2f} s  {1000 * update_seconds / count:7.1f} ms/paper"
          f"  ({update_seconds / extract_seconds:.2f}x extraction)")
    print(f"update, nothing changed   {noop_seconds:7.2f} s  {1000 * noop_seconds / count:7.1f} ms/paper"
          f"  ({noop_seconds / extract_seconds:.3f}x extraction)")
    print(f"update --reextract        {reextract_seconds:7.2f} s  {1000 * reextract_seconds / count:7.1f} ms/paper (history kept)")
    print(f"export csv+xlsx+parquet   {export_seconds:7.2f} s  ({len(written)} files)")
    print(f"dataset file              {size_mb:7.2f} MB after three updates")
    print(f"peak RSS                  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MB")


if __name__ == "__main__":
    main()
