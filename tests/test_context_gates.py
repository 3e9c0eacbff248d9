"""A context rule's `gate` words are a fast test before its pattern: the gate must never turn away a match."""

from __future__ import annotations

import re

import pytest

from extract.nlp.context import ContextEngine, ContextRule, load_context_rules

from conftest import CORPUS, ROOT, SHARED, paper_sentences

RULES = load_context_rules()


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    folders = [
        CORPUS,
        ROOT / "tests" / "data" / "rct-other",
        ROOT / "tests" / "data" / "abstract_cases",
        ROOT / "devset" / "dev" / "papers",
        ROOT / "devset" / "heldout" / "papers",
        SHARED / "rct-fulltext",
        SHARED / "registry" / "records",
    ]
    return paper_sentences(folders)


def _matcher(rule: ContextRule):
    """The rule's pattern as the engine runs it: lowercase rules on the lowercased sentence, others ignoring case."""
    regex = re.compile(rule.regex, 0 if rule.lowercase else re.IGNORECASE)
    return lambda sentence: regex.search(sentence.lower() if rule.lowercase else sentence)


def test_most_rules_are_gated():
    assert sum(1 for rule in RULES if rule.gate) >= 45
    assert all(word == word.lower() for rule in RULES for word in rule.gate), "gates are matched on lowercased text"


@pytest.mark.parametrize("rule", [r for r in RULES if r.gate], ids=lambda r: r.literal[:40])
def test_every_sentence_a_rule_matches_passes_its_gate(rule: ContextRule, sentences: list[str]):
    matches = _matcher(rule)
    matched = [s for s in sentences if matches(s)]
    if not matched:
        if SHARED.is_dir():
            pytest.fail(f"context rule {rule.literal!r} matches no sentence of the test papers: the test would prove nothing")
        pytest.skip(f"context rule {rule.literal!r} matches none of the bundled papers; ../shared/corpus-real has more")
    for sentence in matched:
        assert any(word in sentence.lower() for word in rule.gate), f"gate of {rule.literal!r} turns away: {sentence[:200]}"


def test_a_gate_that_turns_away_a_match_loses_the_cue():
    """The engine trusts the gate: a wrong gate word would silently drop the cue (what the test above guards)."""
    rule = ContextRule(literal="in mice", category="PRECLINICAL", pattern=r"\bin mice\b")
    assert [m.category for m in ContextEngine([rule]).modifiers("Cells were given in mice.")] == ["PRECLINICAL"]
    wrong = rule.model_copy(update={"gate": ["rats"]})
    assert ContextEngine([wrong]).modifiers("Cells were given in mice.") == []
