"""The `msc_field_matcher` component: every field rule of models/patterns applied to a Doc.

Matches go to `doc.spans["fields"]`, labelled `field=value`, with the rule id as
the span's id, so a value never loses the rule that read it.

The rules are the component's state, as a SpanRuler's patterns are: `initialize`
reads them from models/patterns (or another folder), and `nlp.to_disk()` writes
them beside the pipeline as `rules.jsonl` (the format of models/patterns), so a
saved pipeline loads with its own rules wherever it goes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.attrs import LOWER, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, filter_spans

from extract.nlp.patterns import FieldRule, check_unique, load_rules, phrase_variants, read_rules, rules_jsonl
from extract.nlp.text import text_for_nlp

SPAN_KEY = "fields"
RULES_FILE = "rules.jsonl"
# Fields whose values stack on the same words: "randomized, double-blind, placebo-controlled"
# is RCT and double-blind and placebo-controlled, not the longest of the three.
STACKING_FIELDS = frozenset({"design"})


class FieldMatcher:
    def __init__(self, nlp: Language, rules: Iterable[FieldRule] = (), name: str = "msc_field_matcher"):
        self.nlp = nlp  # its tokenizer splits the phrases of rules set after construction (from_disk)
        self.name = name
        self.set_rules(rules)

    def set_rules(self, rules: Iterable[FieldRule]) -> None:
        """Replace every rule, and what was cached about words under the old ones."""
        nlp = self.nlp
        rules = check_unique(list(rules), self.name)
        self.rules = {rule.rule: rule for rule in rules}
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.token_matcher = Matcher(nlp.vocab)
        # One-token regex rules ("^TESI$") are read once per distinct word, not
        # once per token as spaCy's Matcher does: the same answer, at a fraction
        # of the cost on a long paper.
        self.word_regexes: list[tuple[str, re.Pattern[str], bool]] = []  # (rule, regex, on the lowercase form)
        self._rules_of_word: dict[int, tuple[str, ...]] = {}
        self._words_read: set[int] = set()
        self.near_rules: list[tuple[str, frozenset[int], frozenset[int], int]] = []  # (rule, word ids, then ids, within)
        for rule in rules:
            if rule.phrases:
                variants = [text_for_nlp(v) for phrase in rule.phrases for v in phrase_variants(phrase, rule.suffixes)]
                self.phrase_matcher.add(rule.rule, list(nlp.tokenizer.pipe(variants)))
            if rule.near:
                self.near_rules.append((
                    rule.rule,
                    frozenset(nlp.vocab.strings.add(w) for w in rule.near.words),
                    frozenset(nlp.vocab.strings.add(w) for w in rule.near.then),
                    rule.near.within,
                ))
            if rule.pattern and (one_token := _one_token_regex(rule.pattern)) is not None:
                regex, lower = one_token
                self.word_regexes.append((rule.rule, re.compile(regex), lower))
            elif rule.pattern:
                self.token_matcher.add(rule.rule, [rule.pattern])
        # Most words match no rule: one search for "any rule at all" spares the rule-by-rule test.
        self._any_cased = _any_of([regex for _, regex, lower in self.word_regexes if not lower])
        self._any_lowercase = _any_of([regex for _, regex, lower in self.word_regexes if lower])

    def initialize(
        self, get_examples: Callable | None = None, *, nlp: Language | None = None, patterns_dir: str | None = None
    ) -> None:
        """Read the rules of `patterns_dir` (default: models/patterns)."""
        self.set_rules(load_rules(Path(patterns_dir) if patterns_dir else None))

    # Serialisation: the rules travel with nlp.to_disk()/to_bytes(), one JSON object a line.

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / RULES_FILE).write_text(rules_jsonl(self.rules.values()), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> FieldMatcher:
        file = ensure_path(path) / RULES_FILE
        self.set_rules(read_rules(file.read_text(encoding="utf-8"), str(file)))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return rules_jsonl(self.rules.values()).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> FieldMatcher:
        self.set_rules(read_rules(data.decode("utf-8"), f"{self.name} (bytes)"))
        return self

    def __call__(self, doc: Doc) -> Doc:
        by_field: dict[str, list[Span]] = {}
        for rule_id, start, end in self._matches(doc):
            rule = self.rules[rule_id]
            if (rule.not_after or rule.not_before) and _excluded_by_neighbours(rule, doc, start, end):
                continue
            span = Span(doc, start, end, label=rule.label, span_id=rule.rule)
            # Phases stay one group: "phase I/II" is not also "phase I".
            group = f"{rule.field}:{rule.value.split()[0]}" if rule.field in STACKING_FIELDS else rule.field
            by_field.setdefault(group, []).append(span)
        spans: list[Span] = []
        for field_spans in by_field.values():
            # Within one field the longest reading wins ("umbilical cord blood" is cord blood).
            spans.extend(filter_spans(field_spans))
        doc.spans[SPAN_KEY] = sorted(spans, key=lambda s: (s.start, s.end))
        return doc

    def _matches(self, doc: Doc) -> list[tuple[str, int, int]]:
        matches = [(doc.vocab.strings[key], start, end) for key, start, end in self.phrase_matcher(doc)]
        word_matches: list[tuple[str, int, int]] = []
        if self.word_regexes:
            orths = doc.to_array(ORTH).tolist()
            unique = set(orths)
            for orth in unique - self._words_read:
                self._read_word(orth, doc)
            hits = unique & self._rules_of_word.keys()
            if hits:
                for i, orth in enumerate(orths):
                    if orth in hits:
                        word_matches.extend((rule_id, i, i + 1) for rule_id in self._rules_of_word[orth])
        if len(self.token_matcher):  # an empty Matcher warns on every call
            word_matches += [(doc.vocab.strings[key], start, end) for key, start, end in self.token_matcher(doc)]
        if self.near_rules:
            word_matches += self._near_matches(doc)
        return matches + sorted(word_matches, key=lambda m: (m[1], m[2]))

    def _near_matches(self, doc: Doc) -> list[tuple[str, int, int]]:
        lowers = doc.to_array(LOWER).tolist()
        present = set(lowers)
        found = []
        for rule_id, words, then, within in self.near_rules:
            if not words & present:
                continue
            for i, word in enumerate(lowers):
                if word in words:
                    j = next((k for k in range(i + 1, min(len(lowers), i + 1 + within)) if lowers[k] in then), None)
                    if j is not None:
                        found.append((rule_id, i, j + 1))
        return found

    def _read_word(self, orth: int, doc: Doc) -> None:
        word = doc.vocab.strings[orth]
        lowered = word.lower()
        self._words_read.add(orth)
        if not self._any_cased.search(word) and not self._any_lowercase.search(lowered):
            return
        rules = tuple(rule_id for rule_id, regex, lower in self.word_regexes if regex.search(lowered if lower else word))
        if rules:
            self._rules_of_word[orth] = rules


def _neighbour_is(words: list[str], token) -> bool:
    return token.lower_ in words or ("<number>" in words and token.like_num)


def _excluded_by_neighbours(rule: FieldRule, doc: Doc, start: int, end: int) -> bool:
    """A neighbouring word turns the match into something else ("stage IV", "MSC 7510")."""
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    return (before is not None and _neighbour_is(rule.not_after, before)) or (
        after is not None and _neighbour_is(rule.not_before, after)
    )


def _any_of(regexes: list[re.Pattern[str]]) -> re.Pattern[str]:
    """One regex that matches where any of `regexes` does (and never, for none)."""
    if not regexes:
        return re.compile(r"(?!)")
    try:
        return re.compile("|".join(f"(?:{regex.pattern})" for regex in regexes))
    except re.error:  # a rule with inline flags cannot join others: match everything, test rule by rule
        return re.compile("")


def _one_token_regex(pattern: list[dict]) -> tuple[str, bool] | None:
    """(regex, on the lowercase form) of a pattern that tests one token's TEXT or LOWER, else None."""
    if len(pattern) != 1 or list(pattern[0]) not in (["TEXT"], ["LOWER"]):
        return None
    attr = next(iter(pattern[0]))
    condition = pattern[0][attr]
    if isinstance(condition, dict) and list(condition) == ["REGEX"]:
        return condition["REGEX"], attr == "LOWER"
    if isinstance(condition, str):
        return f"^{re.escape(condition)}$", attr == "LOWER"
    return None


@Language.factory("msc_field_matcher")
def make_field_matcher(nlp: Language, name: str) -> FieldMatcher:
    """Without rules until `initialize()` reads them or `from_disk`/`from_bytes` restores a saved pipeline's."""
    return FieldMatcher(nlp, name=name)
