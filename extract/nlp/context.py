"""The `msc_context` component: ConText modifiers with direction and scope, as medspaCy has them.

A modifier is a cue ("in mice", "previously", "will", "no") with a category
(PRECLINICAL, BACKGROUND, HYPOTHETICAL, NEGATED, ...), a direction (the words
it modifies lie after it, before it, or both), a scope (at most `max_scope`
words, and never past a terminator such as "but" or ";"), and the fields it
may modify (`allowed_types`/`excluded_types`). A field mention takes the
categories of every modifier whose scope covers it: "infused intravenously in
12 patients; in mice, ..." keeps its route, since ";" ends the scope of "in mice".

Rules are data, one JSON object a line in `models/context/rules.jsonl`, with
medspaCy's ConTextRule keys. medspaCy itself pins spaCy below our version, so
this is our own small engine on its rule format.

The component writes `doc._.context_modifiers` for every sentence that holds
a field span; `ContextEngine.modifiers(text)` judges any other sentence (one
whose only targets are numbers the sentence readers found) with the same rules.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from spacy.language import Language
from spacy.tokens import Doc

from extract.paths import models_dir

RULES_FILE = "context/rules.jsonl"
_WORD = re.compile(r"\S+")


class Direction(str, Enum):
    forward = "FORWARD"
    backward = "BACKWARD"
    bidirectional = "BIDIRECTIONAL"
    terminate = "TERMINATE"
    pseudo = "PSEUDO"


class ContextRule(BaseModel):
    """One modifier rule, with medspaCy's ConTextRule keys."""

    model_config = ConfigDict(extra="forbid")

    literal: str
    category: str
    pattern: str | None = None  # a case-insensitive regular expression; default: the literal as whole words
    direction: Direction = Direction.bidirectional
    max_scope: int | None = None  # words; None: to the end of the sentence (or a terminator)
    allowed_types: list[str] | None = None  # fields it may modify; None: all
    excluded_types: list[str] = []
    terminated_by: list[str] = []  # categories of modifiers that end its scope
    gate: list[str] = []
    """Ours, not medspaCy's: lowercase words, one of which is in every text the pattern matches (the rule is tried
    only where one is; tests/test_context_gates.py checks this on real papers). Empty: tried everywhere."""

    @property
    def regex(self) -> str:
        return self.pattern or rf"\b{re.escape(self.literal)}\b"

    @property
    def lowercase(self) -> bool:
        """Written in lowercase, so matched on the lowercased sentence (several times faster than IGNORECASE);
        a rule with capitals ("PRP", "(?-i:...)" for an acronym) is matched on the sentence as written.
        A capital after a backslash is an escape (\\B, \\D, \\S, \\W), which keeps its meaning only as written."""
        return not re.search(r"(?<!\\)[A-Z]", self.regex) and "(?-i:" not in self.regex

    def modifies(self, field: str) -> bool:
        return field not in self.excluded_types and (self.allowed_types is None or field in self.allowed_types)


@dataclass(frozen=True)
class Modifier:
    """A cue found in a sentence, and the span of text it modifies (offsets into that sentence)."""

    rule: ContextRule
    start: int
    end: int
    scope_start: int
    scope_end: int

    @property
    def category(self) -> str:
        return self.rule.category

    def covers(self, start: int, end: int, field: str) -> bool:
        return self.scope_start <= start and end <= self.scope_end and self.rule.modifies(field)


def load_context_rules(path: Path | None = None) -> list[ContextRule]:
    path = path or models_dir() / RULES_FILE
    rules = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("//"):
            try:
                rules.append(ContextRule.model_validate_json(line))
            except ValueError as error:
                raise ValueError(f"{path}:{number}: bad context rule: {error}") from error
    return rules


class ContextEngine:
    def __init__(self, rules: list[ContextRule]):
        self.rules = rules
        # Lowercase rules come first: at one place, a cue of each kind keeps the order it always had.
        lower = [rule for rule in rules if rule.lowercase]
        cased = [rule for rule in rules if not rule.lowercase]
        self._lower = [_Compiled(rule, re.compile(rule.regex), frozenset(rule.gate)) for rule in lower]
        self._cased = [_Compiled(rule, re.compile(rule.regex, re.IGNORECASE), frozenset(rule.gate)) for rule in cased]
        self._gate_words = tuple(sorted({word for rule in rules for word in rule.gate}))

    def _cues(self, text: str) -> list[tuple[ContextRule, int, int]]:
        lowered = text.lower()
        # Each gate word is looked for once, however many rules it opens.
        present = {word for word in self._gate_words if word in lowered}
        if len(lowered) == len(text):
            found = _found(lowered, present, self._lower)
        else:  # a character whose lowercase is longer would shift offsets: match as written, ignoring case
            found = _found(text, present, [_Compiled(c.rule, re.compile(c.rule.regex, re.IGNORECASE), c.gate) for c in self._lower])
        found += _found(text, present, self._cased)
        # A longer cue at the same place wins ("no longer" is not "no"); pseudo-cues block what they cover.
        found.sort(key=lambda f: (f[1], -(f[2] - f[1])))
        kept: list[tuple[ContextRule, int, int]] = []
        for cue in found:
            if any(k[1] <= cue[1] and cue[2] <= k[2] and (k[0].category == cue[0].category or k[0].direction is Direction.pseudo)
                   for k in kept):
                continue
            kept.append(cue)
        return [k for k in kept if k[0].direction is not Direction.pseudo]

    def modifiers(self, text: str) -> list[Modifier]:
        """Every modifier of `text` (one sentence), with its scope."""
        if not self.rules:
            return []
        cues = self._cues(text)
        if not cues:
            return []
        terminators = [(rule, start, end) for rule, start, end in cues if rule.direction is Direction.terminate]
        modifiers = []
        for rule, start, end in cues:
            if rule.direction is Direction.terminate:
                continue
            stops = [(s, e) for r, s, e in terminators if r.category in ("TERMINATE", *rule.terminated_by)]
            stops += [(s, e) for r, s, e in cues if r.category in rule.terminated_by and r.direction is not Direction.terminate]
            # The cue's own words are in its scope: "our earlier pilot study" is not this trial's design either.
            scope_start, scope_end = start, end
            if rule.direction in (Direction.forward, Direction.bidirectional):
                limit = min([s for s, _ in stops if s >= end], default=len(text))
                scope_end = _words_after(text, end, limit, rule.max_scope)
            if rule.direction in (Direction.backward, Direction.bidirectional):
                limit = max([e for _, e in stops if e <= start], default=0)
                scope_start = _words_before(text, start, limit, rule.max_scope)
            modifiers.append(Modifier(rule, start, end, scope_start, scope_end))
        return modifiers


@dataclass(frozen=True)
class _Compiled:
    rule: ContextRule
    regex: re.Pattern[str]
    gate: frozenset[str]


def _found(text: str, gate_words: set[str], rules: list[_Compiled]) -> list[tuple[ContextRule, int, int]]:
    """Each cue of `rules` in `text`; a rule none of whose gate words the sentence holds cannot match, and is not tried."""
    found: list[tuple[ContextRule, int, int]] = []
    for compiled in rules:
        if compiled.gate and compiled.gate.isdisjoint(gate_words):
            continue
        position = 0
        # Every place the rule matches, overlapping ones too: the search goes on from the next character.
        while (match := compiled.regex.search(text, position)) is not None:
            if match.end() > match.start():
                found.append((compiled.rule, match.start(), match.end()))
            position = match.start() + 1
    return found


def _words_after(text: str, begin: int, limit: int, count: int | None) -> int:
    if count is None:
        return limit
    words = list(_WORD.finditer(text, begin, limit))
    return words[count - 1].end() if len(words) >= count else limit


def _words_before(text: str, end: int, limit: int, count: int | None) -> int:
    if count is None:
        return limit
    words = list(_WORD.finditer(text, limit, end))
    return words[-count].start() if len(words) >= count else limit


@cache
def context_engine() -> ContextEngine:
    """The engine on the rules in `models/`, for readers that judge a sentence outside the pipeline."""
    return ContextEngine(load_context_rules())


if not Doc.has_extension("context_modifiers"):
    Doc.set_extension("context_modifiers", default=None)


class ContextComponent:
    """Judges the sentences that hold a field span; the rules travel with the component."""

    def __init__(self, nlp: Language, rules: list[ContextRule], span_key: str):
        self.engine = ContextEngine(rules)
        self.span_key = span_key

    def initialize(self, get_examples=None, *, nlp: Language | None = None, rules_file: str | None = None) -> None:
        """Read the rules of `rules_file` (default: models/context/rules.jsonl)."""
        self.engine = ContextEngine(load_context_rules(Path(rules_file) if rules_file else None))

    def __call__(self, doc: Doc) -> Doc:
        targets = doc.spans[self.span_key] if self.span_key in doc.spans else []
        judged: dict[int, list[Modifier]] = {}
        for span in targets:
            sentence = span.sent
            if sentence.start_char not in judged:
                judged[sentence.start_char] = [
                    Modifier(m.rule, m.start + sentence.start_char, m.end + sentence.start_char,
                             m.scope_start + sentence.start_char, m.scope_end + sentence.start_char)
                    for m in self.engine.modifiers(sentence.text)
                ]
        doc._.context_modifiers = judged
        return doc

    def to_disk(self, path, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "rules.jsonl").write_text(
            "".join(json.dumps(r.model_dump(mode="json", exclude_defaults=True)) + "\n" for r in self.engine.rules),
            encoding="utf-8",
        )

    def from_disk(self, path, exclude=()) -> "ContextComponent":
        self.engine = ContextEngine(load_context_rules(Path(path) / "rules.jsonl"))
        return self

    def to_bytes(self, exclude=()) -> bytes:
        return "".join(json.dumps(r.model_dump(mode="json", exclude_defaults=True)) + "\n" for r in self.engine.rules).encode()

    def from_bytes(self, data: bytes, exclude=()) -> "ContextComponent":
        lines = [line for line in data.decode("utf-8").splitlines() if line.strip()]
        self.engine = ContextEngine([ContextRule.model_validate_json(line) for line in lines])
        return self


@Language.factory("msc_context", default_config={"span_key": "fields"})
def make_context(nlp: Language, name: str, span_key: str) -> ContextComponent:
    """Without rules until `initialize()` reads them or `from_disk` restores a saved pipeline's."""
    return ContextComponent(nlp, [], span_key)
