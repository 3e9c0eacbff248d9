"""Numbered citation markers in running text: "[46, 47]", "[46–49]", "[46] [47] [48]"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_BRACKET = re.compile(r"(?<!\^)\[(\s*\d{1,4}\s*(?:(?:[,;]|[-–—])\s*\d{1,4}\s*)*)\]")
_GAP_BETWEEN_BRACKETS = re.compile(r"^[\s,;]*$")
_RANGE = re.compile(r"(\d{1,4})\s*[-–—]\s*(\d{1,4})")
_MAX_RANGE = 60


@dataclass(frozen=True)
class CitationGroup:
    """Adjacent citation brackets read as one group, with offsets into the text searched."""

    start: int
    end: int
    numbers: tuple[int, ...]
    brackets: int
    """How many separate brackets the group was written as; exports expand a range
    "[46–54]" into "[46] [47] ... [54]", so a run of brackets is a range, not a list."""


def parse_citation_numbers(inner: str) -> list[int]:
    """The numbers inside one bracket, ranges expanded ("46–49" → 46, 47, 48, 49)."""
    numbers: list[int] = []
    for part in re.split(r"[,;]", inner):
        part = part.strip()
        if not part:
            continue
        span = _RANGE.fullmatch(part)
        if span:
            low, high = int(span.group(1)), int(span.group(2))
            if low <= high and high - low <= _MAX_RANGE:
                numbers.extend(range(low, high + 1))
            else:
                numbers.extend([low, high])
        elif part.isdigit():
            numbers.append(int(part))
    return numbers


def find_citation_groups(text: str, offset: int = 0) -> list[CitationGroup]:
    groups: list[CitationGroup] = []
    for match in _BRACKET.finditer(text):
        numbers = parse_citation_numbers(match.group(1))
        if not numbers:
            continue
        previous = groups[-1] if groups else None
        if previous and _GAP_BETWEEN_BRACKETS.match(text[previous.end - offset : match.start()]):
            merged = previous.numbers + tuple(n for n in numbers if n not in previous.numbers)
            groups[-1] = CitationGroup(previous.start, offset + match.end(), merged, previous.brackets + 1)
        else:
            groups.append(CitationGroup(offset + match.start(), offset + match.end(), tuple(numbers), 1))
    return groups
