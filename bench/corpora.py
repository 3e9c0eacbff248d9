"""The papers the benchmarks read, found the same way by each of them (and independent of the tests' code).

The real non-cell-therapy trials are the 300 in ../shared/corpus-real/rct-fulltext/other
when that folder is there, else the 25 committed in tests/data/rct-other.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared" / "corpus-real"
REAL_TRIALS = SHARED / "rct-fulltext" / "other"
COMMITTED_TRIALS = ROOT / "tests" / "data" / "rct-other"
PDFS = SHARED / "pdf"


def trials_folder() -> Path:
    return REAL_TRIALS if REAL_TRIALS.is_dir() else COMMITTED_TRIALS


def trial_texts() -> list[Path]:
    return sorted(trials_folder().glob("*.txt"))
