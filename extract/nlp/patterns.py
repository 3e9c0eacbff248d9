"""Field rules as data: one JSON object a line in models/patterns/*.jsonl.

A rule names the field and normalised value it recognises, its own id (which
travels with every value as evidence), and either `phrases` (matched on
lowercase text, tokenised like the document) or a spaCy token `pattern`.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from extract.paths import patterns_dir


class FieldRule(BaseModel):
    rule: str
    field: str
    value: str
    phrases: list[str] = Field(default_factory=list)
    pattern: list[dict] | None = None

    @property
    def label(self) -> str:
        return f"{self.field}={self.value}"


def load_rules(directory: Path | None = None) -> list[FieldRule]:
    directory = directory or patterns_dir()
    rules: list[FieldRule] = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                rules.append(FieldRule.model_validate_json(line))
            except ValueError as error:
                raise ValueError(f"{path}:{number}: bad rule: {error}") from error
    ids = [r.rule for r in rules]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"rule ids used twice in {directory}: {sorted(duplicates)}")
    return rules


def rules_as_json(rules: list[FieldRule]) -> str:
    return json.dumps([r.model_dump(exclude_none=True) for r in rules])
