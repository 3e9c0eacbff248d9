"""Scores on real papers the rules were not written from: the development set, the held-out set,
and abstracts of real MSC trials retold in our own words.

Each set's gold was written by reading the papers (devset/README.md,
tests/data/abstract_cases/SOURCES.md; the bundled papers' in gold/). The floors in devset/floors.json are
the scores reached when they were last raised: a change that lowers a field's
F1 below its floor fails here. They are development scores, reported apart
from the bundled papers' (README, "How well it reads").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.run import discover, run_paths
from extract.score.gold import load_gold
from extract.score.metrics import score_frames
from extract.score.scope import load_scopes
from extract.store.outputs import values_frame

ROOT = Path(__file__).resolve().parent.parent
FLOORS = json.loads((ROOT / "devset" / "floors.json").read_text(encoding="utf-8"))
SETS = {
    "dev": (ROOT / "devset" / "dev" / "papers", ROOT / "devset" / "dev" / "gold"),
    "heldout": (ROOT / "devset" / "heldout" / "papers", ROOT / "devset" / "heldout" / "gold"),
    "heldout2": (ROOT / "devset" / "heldout2" / "papers", ROOT / "devset" / "heldout2" / "gold"),
    "dev2": (ROOT / "devset" / "dev2" / "papers", ROOT / "devset" / "dev2" / "gold"),
    "dev3": (ROOT / "devset" / "dev3" / "papers", ROOT / "devset" / "dev3" / "gold"),
    "dev4": (ROOT / "devset" / "dev4" / "papers", ROOT / "devset" / "dev4" / "gold"),
    "dev5": (ROOT / "devset" / "dev5" / "papers", ROOT / "devset" / "dev5" / "gold"),
    "dev6": (ROOT / "devset" / "dev6" / "papers", ROOT / "devset" / "dev6" / "gold"),
    "abstracts": (ROOT / "tests" / "data" / "abstract_cases", ROOT / "tests" / "data" / "abstract_cases"),
    "bundled": (ROOT / "corpus", ROOT / "gold"),
}


@pytest.fixture(scope="module", params=sorted(SETS))
def scored(request):
    papers, gold = SETS[request.param]
    paths = [p for p in discover([papers]) if p.suffix.lower() in {".txt", ".pdf"}]
    predictions = values_frame(run_paths(paths, "blank"))
    return request.param, score_frames(load_gold(gold), predictions, resamples=0, scopes=load_scopes(gold))


def _f1(report, field: str) -> float:
    return next((f.f1 for f in report.strict.fields if f.field == field), 0.0)


def test_every_gold_document_is_a_paper_of_its_set():
    for name, (papers, gold) in SETS.items():
        if name == "bundled":
            continue  # gold/ also holds notes and scopes; its papers are checked by test_gold.py
        stems = {p.stem for p in papers.iterdir() if p.suffix in {".txt", ".pdf"}}
        assert {g.stem for g in gold.glob("*.csv")} <= stems


def test_field_scores_hold_their_floors(scored):
    name, report = scored
    floors = FLOORS[name]
    below = {
        field: (round(_f1(report, field), 3), floor)
        for field, floor in floors["strict_f1"].items()
        if _f1(report, field) < floor
    }
    assert not below, f"{name}: F1 below its floor (score, floor): {below}"
    assert report.strict.micro.f1 >= floors["micro_f1"], (name, report.strict.micro.f1)
