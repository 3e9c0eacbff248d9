""""Tompkins et al." without a number is the study the review cites elsewhere as "Tompkins et al. [52]".

A review names a trial by its first author as often as by its number. Where
a sentence pairs one author with one citation ("Hare et al. [54]", or one
"X et al." in a sentence citing one study), the name is learnt; a later
sentence that names only the author then cites that study. A name learnt for
two different studies is ambiguous and cites nothing. Spellings are compared
with rapidfuzz, since reviews misspell ("Alvaro-Garcia" for "Álvaro-Gracia").
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

from extract.fields.evidence import CitationMention, Sentence

AUTHOR = re.compile(r"\b(?P<name>[A-ZÀ-Ý][\w'’-]+(?:[ -][A-ZÀ-Ý][\w'’-]+)?)\s+et\s+al\.?,?")
SAME_NAME_RATIO = 85


def _folded(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def learn_authors(sentences: list[Sentence]) -> dict[str, set[str]]:
    """Folded first-author name → the citation groups (as "50,51" keys) it is paired with."""
    names: dict[str, set[str]] = {}
    for sentence in sentences:
        authors = list(AUTHOR.finditer(sentence.text))
        for author in authors:
            after = [c for c in sentence.citations if c.start - sentence.start >= author.end()]
            directly = [c for c in after if c.start - sentence.start - author.end() <= 2]
            if directly:
                group = directly[0]
            elif len(authors) == 1 and len(sentence.citations) == 1:
                group = sentence.citations[0]
            else:
                continue
            names.setdefault(_folded(author.group("name")), set()).add(",".join(map(str, group.numbers)))
    return names


def _study_of(name: str, names: dict[str, set[str]]) -> list[int] | None:
    matches = {key for known, keys in names.items() if fuzz.ratio(name, known) >= SAME_NAME_RATIO for key in keys}
    if len(matches) != 1:
        return None
    return [int(n) for n in next(iter(matches)).split(",")]


def cite_named_authors(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences with no citation of their own, given the study their sole named author stands for."""
    names = learn_authors(sentences)
    cited = []
    for sentence in sentences:
        authors = list(AUTHOR.finditer(sentence.text))
        if sentence.citations or len(authors) != 1:
            cited.append(sentence)
            continue
        author = authors[0]
        numbers = _study_of(_folded(author.group("name")), names)
        if numbers is None:
            cited.append(sentence)
            continue
        start, end = sentence.start + author.start(), sentence.start + author.end()
        citation = CitationMention(start=start, end=end, numbers=numbers, brackets=0)
        cited.append(sentence.model_copy(update={"citations": [citation]}))
    return cited
