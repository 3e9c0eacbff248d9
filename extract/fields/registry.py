"""A registry record's structured fields as values: phase, allocation, masking, enrollment, conditions.

The words of each field map to FIELD_GUIDE's vocabulary through
models/lexicons/registry_fields.json. Each value's evidence is the field's
line in the record's laid-out text, of kind `registry_field`, so a reviewer
can tell a value the registry states in a field from one read in prose.
"""

from __future__ import annotations

import re
from functools import cache

from extract.fields.evidence import Evidence, ExtractedValue
from extract.ingest.document import Document, RecordField
from extract.link.records import DocumentKind, Study
from extract.paths import load_lexicon


@cache
def _lexicon() -> dict:
    return load_lexicon("registry_fields")


@cache
def _patterns(name: str) -> tuple[tuple[re.Pattern[str], str | None], ...]:
    return tuple((re.compile(pattern, re.IGNORECASE), value) for pattern, value in _lexicon().get(name, []))


def is_registry_record(document: Document) -> bool:
    return bool(document.record_fields)


def _first(name: str, text: str) -> tuple[str | None, bool]:
    """(value, matched): the first pattern that matches decides, even when it says "no value"."""
    for pattern, value in _patterns(name):
        if pattern.search(text):
            return value, True
    return None, False


def phase_value(text: str) -> str | None:
    """'Phase 1, Phase 2' → 'phase I/II'; None where no part names a phase FIELD_GUIDE knows."""
    numerals: list[str] = []
    for part in re.split(r"\s*[,/|]\s*", text):
        numeral, _ = _first("phase", part)
        if numeral and numeral not in numerals:
            numerals.append(numeral)
    if not numerals:
        return None
    order = ["I", "II", "III", "IV"]
    numerals.sort(key=lambda n: order.index(n) if n in order else len(order))
    return _lexicon()["phase_value"].format(numerals=_lexicon()["phase_joiner"].join(numerals))


def field_values(record_field: RecordField) -> list[str]:
    """The FIELD_GUIDE values one structured field states."""
    name, text = record_field.name, record_field.value
    if name == "phase":
        value = phase_value(text)
        return [value] if value else []
    if name == "enrollment":
        count = re.match(_lexicon()["enrollment"], text)
        return [f"total={int(count.group(1))}"] if count else []
    if name == "condition":
        return [text]
    value, _ = _first(name, text)
    return [value] if value else []


def registry_values(document: Document) -> list[ExtractedValue]:
    values: list[ExtractedValue] = []
    targets = _lexicon()["fields"]
    for record_field in document.record_fields:
        target = targets.get(record_field.name)
        if target is None:
            continue
        for value in field_values(record_field):
            values.append(
                ExtractedValue(
                    field=target,
                    value=value,
                    evidence=Evidence(
                        doc_id=document.doc_id,
                        text=document.text[record_field.line_start : record_field.line_end],
                        start=record_field.line_start,
                        end=record_field.line_end,
                        mention_start=record_field.start,
                        mention_end=record_field.end,
                        mention=document.text[record_field.start : record_field.end],
                        rule=f"registry.{record_field.name}",
                        kind="registry_field",
                        section=_section_of(document, record_field.line_start),
                    ),
                )
            )
    return values


def _section_of(document: Document, offset: int) -> str | None:
    for section in document.sections:
        if section.start <= offset < section.end:
            return section.title
    return None


def with_registry_values(document: Document, studies: list[Study]) -> list[Study]:
    """A registry record is one study, the registered trial: its field values join what its prose states."""
    values = registry_values(document)
    if not values:
        return studies
    if not studies:
        return [Study(doc_id=document.doc_id, study_key="", kind=DocumentKind.primary, values=values)]
    studies[0].values.extend(values)
    return studies
