"""Field rules as data: one JSON object a line in models/patterns/*.jsonl.

A rule names the field and normalised value it recognises, its own id (which
travels with every value as evidence), and either `phrases` (matched on
lowercase text, tokenised like the document) or a spaCy token `pattern`.
Unknown keys are errors: a misspelt `"phrase"` would otherwise be dropped and
the rule would silently match nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extract.paths import patterns_dir


class FieldRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str
    field: str
    value: str
    phrases: list[str] = Field(default_factory=list)
    pattern: list[dict] | None = None

    @property
    def label(self) -> str:
        return f"{self.field}={self.value}"


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
