"""A lexicon's `<key>_gate` words are a fast test before its `<key>` patterns: it must never turn away a match."""

from __future__ import annotations

import re

import pytest

from extract.paths import lexicons_dir, load_lexicon

from conftest import CORPUS, ROOT, SHARED, paper_sentences

GATED = [
    (path.stem, key.removesuffix("_gate"))
    for path in sorted(lexicons_dir().glob("*.json"))
    for key in load_lexicon(path.stem)
    if key.endswith("_gate") and key.removesuffix("_gate") in load_lexicon(path.stem)
]


@pytest.fixture(scope="module")
def lowered_sentences() -> list[str]:
    # Registry records write some values as fields ("Number of patients: 10"): the development sets hold real ones.
    registry = sorted((ROOT / "devset").glob("dev*/papers"))
    folders = [CORPUS, SHARED / "rct-fulltext" / "msc", ROOT / "tests" / "data" / "rct-other", *registry]
    return [s.lower() for s in paper_sentences(folders)]


def test_gated_lexicons_are_found():
    assert ("diseases", "triggers") in GATED and ("follow_up", "cues") in GATED and len(GATED) >= 5


@pytest.mark.parametrize("lexicon, key", GATED)
def test_every_sentence_a_pattern_matches_passes_its_gate(lexicon: str, key: str, lowered_sentences: list[str]):
    entries = load_lexicon(lexicon)
    # A cue is a pattern, or an object holding one (administrations.json's repeats, with their counts).
    patterns = [re.compile(p if isinstance(p, str) else p["pattern"]) for p in entries[key]]
    gate = entries[f"{key}_gate"]
    matched = [s for s in lowered_sentences if any(p.search(s) for p in patterns)]
    assert matched, f"{lexicon}.{key} matches no sentence of the test papers: the test would prove nothing"
    for sentence in matched:
        assert any(word in sentence for word in gate), f"{lexicon}.{key}_gate turns away: {sentence[:200]}"
