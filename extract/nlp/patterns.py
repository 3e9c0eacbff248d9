"""Field rules as data: one JSON object a line in models/patterns/*.jsonl.

A rule names the field and normalised value it recognises, its own id (which
travels with every value as evidence), and either `phrases` (matched on
lowercase text, tokenised like the document), a spaCy token `pattern`, or a
`near` rule (one word, then another within a few words). Unknown keys are
errors: a misspelt `"phrase"` would otherwise be dropped and the rule would
silently match nothing.

A phrase is written once: its spelling variants are made when the rules are
loaded (`phrase_variants`): the joins between its words may be a space, a
hyphen or nothing ("intra-articular", "intra articular", "intraarticular"),
and each of the rule's `suffixes` may be glued to its last word, as papers
write compounds ("Wharton's jelly-derived"). `not_after`/`not_before` name
neighbouring words that make a match something else ("stage IV" is no route;
"MSC 7510" is a mail stop): lowercase words, or `<number>`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extract.paths import patterns_dir


class NearRule(BaseModel):
    """One of `words`, then one of `then` at most `within` words later ("randomized ... or placebo").

    spaCy's Matcher can say this with a wildcard, at the cost of a state per word of every
    paper; two set look-ups over the lowercase words cost almost nothing.
    """

    model_config = ConfigDict(extra="forbid")

    words: list[str]
    then: list[str]
    within: int


class FieldRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str
    field: str
    value: str
    phrases: list[str] = Field(default_factory=list)
    pattern: list[dict] | None = None
    suffixes: list[str] = Field(default_factory=list)
    not_after: list[str] = Field(default_factory=list)
    not_before: list[str] = Field(default_factory=list)
    near: NearRule | None = None

    @property
    def label(self) -> str:
        return f"{self.field}={self.value}"


# A phrase with more joins than this keeps its written joins plus all-space and all-hyphen forms:
# 3**n variants grow fast, and long phrases are rarely re-hyphenated word by word.
_MAX_FREE_JOINS = 4
_JOIN = re.compile(r"[ -]")


def phrase_variants(phrase: str, suffixes: list[str] = ()) -> list[str]:
    """Every spelling of `phrase` with its joins as space, hyphen or nothing, each with each suffix glued on."""
    words = _JOIN.split(phrase.strip())
    joins = _JOIN.findall(phrase.strip())
    if len(joins) <= _MAX_FREE_JOINS:
        join_choices = itertools.product((" ", "-", ""), repeat=len(joins))
    else:
        join_choices = iter([tuple(joins), (" ",) * len(joins), ("-",) * len(joins)])
    variants: list[str] = []
    for choice in join_choices:
        # Short parts are never run together: "phase i-ii" must not become "phase iii".
        if any(j == "" and (len(a) < 3 or len(b) < 3) for j, a, b in zip(choice, words, words[1:])):
            continue
        text = words[0] + "".join(j + w for j, w in zip(choice, words[1:]))
        for suffix in ("", *suffixes):
            if text + suffix not in variants:
                variants.append(text + suffix)
    return variants


def read_rules(text: str, source: str) -> list[FieldRule]:
    """The rules of one JSONL text; a bad line is an error naming `source` and the line."""
    rules: list[FieldRule] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            rules.append(FieldRule.model_validate_json(line))
        except ValidationError as error:
            raise ValueError(f"{source}:{number}: bad rule: {error}") from error
    return rules


def rules_jsonl(rules: Iterable[FieldRule]) -> str:
    """The rules as models/patterns writes them, one a line: `read_rules` reads this back."""
    return "".join(rule.model_dump_json(exclude_defaults=True) + "\n" for rule in rules)


def check_unique(rules: list[FieldRule], source: str) -> list[FieldRule]:
    ids = [r.rule for r in rules]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"rule ids used twice in {source}: {sorted(duplicates)}")
    return rules


def load_rules(directory: Path | None = None) -> list[FieldRule]:
    directory = directory or patterns_dir()
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        # An empty rule set matches nothing and reports nothing wrong: refuse it.
        raise FileNotFoundError(f"no rule files (*.jsonl) in {directory}")
    rules = [rule for path in files for rule in read_rules(path.read_text(encoding="utf-8"), str(path))]
    return check_unique(rules, str(directory))
