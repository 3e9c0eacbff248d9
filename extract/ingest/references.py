"""Reference lists: numbered entries, bulleted entries, and CORD-19's run-in titles."""

from __future__ import annotations

import re
from collections.abc import Iterable

from extract.ingest.document import Reference

_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;])")
_NUMBERED = re.compile(r"^\s*(?:\[(\d{1,4})\]|(\d{1,4})\.)\s+(?=\S)")
_BULLET = re.compile(r"^\s*[-•*]\s+(?=\S)")
_ITALIC = re.compile(r"\*([^*]+)\*")


def parse_reference_lines(text: str, offset: int) -> list[Reference]:
    """Entries one per line, numbered ("32. ", "[32] ") or bulleted ("- ").

    Bulleted entries take the number after the previous entry, because exports
    often drop the printed numbers of the first entries and keep the rest.
    """
    references: list[Reference] = []
    position = offset
    next_number = 1
    for line in text.splitlines(keepends=True):
        line_start = position
        position += len(line)
        stripped = line.rstrip("\r\n")
        numbered = _NUMBERED.match(stripped)
        bullet = _BULLET.match(stripped)
        if numbered:
            number = int(numbered.group(1) or numbered.group(2))
            body_start = numbered.end()
        elif bullet:
            number = next_number
            body_start = bullet.end()
        else:
            continue
        body = stripped[body_start:].strip()
        if not body:
            continue
        start = line_start + body_start
        references.append(describe_reference(number, body, start, start + len(body)))
        next_number = number + 1
    return references


def describe_reference(number: int, text: str, start: int, end: int) -> Reference:
    """Author, year, title, journal and DOI from a Vancouver-style entry, where they can be read."""
    plain = _ITALIC.sub(r"\1", text)
    journal_match = _ITALIC.search(text)
    first_author = None
    title = None
    author_part, _, rest = plain.partition(". ")
    if rest and len(author_part) < 400 and re.match(r"^[A-ZÀ-Ýa-zß'’\- ]+ [A-Z]{1,4}\b", author_part):
        first_author = author_part.split(",")[0].strip()
        title = rest.split(". ")[0].strip().rstrip(".") or None
    else:
        title = plain.split(". ")[0].strip().rstrip(".") or None
    year_match = _YEAR.search(plain[len(author_part):] if rest else plain)
    doi_match = _DOI.search(plain)
    return Reference(
        number=number,
        text=text,
        start=start,
        end=end,
        first_author=first_author,
        year=int(year_match.group(1)) if year_match else None,
        title=title,
        journal=journal_match.group(1).strip().rstrip(".") if journal_match else None,
        doi=doi_match.group(1) if doi_match else None,
    )


# A run-in title list ("... on nomenclature Minimal criteria for ...") has no
# separators. A new title starts after a lowercase content word, at a capitalised
# word that opens a sentence-case phrase ("Minimal criteria"), an article ("The
# Importance"), or a run of capitalised words ("Extracellular Vesicles Derived").
_FUNCTION_WORDS = frozenset(
    "a an and as at between by for from in into of on or the to versus vs via with without".split()
)


def _title_starts(text: str) -> list[int]:
    tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
    starts = []
    for i in range(1, len(tokens)):
        previous, word = tokens[i - 1][1], tokens[i][1]
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        after_next = tokens[i + 2][1] if i + 2 < len(tokens) else ""
        previous_is_content = previous[:1].islower() and previous.lower().strip(".,:;") not in _FUNCTION_WORDS
        if not word[:1].isupper() or not re.search(r"[a-z0-9)?.]$", previous):
            continue
        opens_sentence_case = following[:1].islower() and following not in _FUNCTION_WORDS | {"and"}
        is_article = word in {"The", "A", "An"} and following[:1].isupper()
        opens_title_case = following[:1].isupper() and after_next[:1].isupper()
        if previous_is_content and (opens_sentence_case or opens_title_case) or (is_article and not previous[:1].isupper() or is_article and previous.endswith("s")):
            starts.append(tokens[i][0])
    return starts


def split_run_in_titles(text: str, offset: int, expected: int | None) -> list[Reference]:
    """Numbered titles from a CORD-19 run-in list, or none if the split is not trustworthy.

    The split is trusted only when it yields as many titles as the highest
    citation number in the text: a miscount would shift every number after it
    and attach the wrong paper to a study.
    """
    bounds = [0] + _title_starts(text) + [len(text)]
    pieces = [(a, b) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]
    if expected is None or len(pieces) != expected:
        return []
    references = []
    for number, (a, b) in enumerate(pieces, start=1):
        title = text[a:b].strip()
        start = offset + a + (len(text[a:b]) - len(text[a:b].lstrip()))
        references.append(
            Reference(number=number, text=title, title=title.rstrip("."), start=start, end=start + len(title))
        )
    return references


def highest_citation(numbers: Iterable[int]) -> int | None:
    values = list(numbers)
    return max(values) if values else None
