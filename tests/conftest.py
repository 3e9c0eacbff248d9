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


def negative_control_texts() -> list[Path]:
    """The 300 real non-cell-therapy trials where CI has them, else the committed sample."""
    full = SHARED / "rct-fulltext" / "other"
    folder = full if full.is_dir() else ROOT / "tests" / "data" / "rct-other"
    return sorted(folder.glob("*.txt"))
