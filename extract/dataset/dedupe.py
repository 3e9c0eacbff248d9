"""One trial behind several papers: studies matched by DOI, then by title with first author and year.

A review's study is known by the reference it cites; a trial report by its own
title page. The same trial reached through two papers (a review citing it and
the report itself, or one report from two sources) becomes one trial whose
sources are both studies. Titles are compared after folding case, accents and
punctuation, and near-duplicates (a lost hyphen, "Cord?Derived") with
rapidfuzz; a disagreeing first author or a year more than one apart (online
versus print year) keeps two studies apart, so a trial's follow-up report
(same authors, same title stem, years later) stays its own study.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from rapidfuzz import fuzz, process

from extract.dataset.records import StudyIdentity

# Titles at least this similar (0-100) are one paper even with nothing else known.
SAME_TITLE = 97.0
# Titles this similar are one paper when the first author or the year agrees too.
NEAR_TITLE = 90.0
# Shorter titles ("Bone development") are too generic to identify a paper.
MIN_TITLE_WORDS = 4
# Years one apart are the same paper published online and in print.
YEAR_SLACK = 1
# Words of a title that open and close it; two spellings of one title share one of them.
BLOCK_WORDS = 3

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi\s*:?\s*)", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_INITIALS = re.compile(r"^[A-Z]{1,3}$")

StudyRef = tuple[str, str]


def normalise_doi(doi: str | None) -> str | None:
    if not doi:
        return None
    cleaned = _DOI_PREFIX.sub("", doi.strip()).rstrip(".,;").lower()
    return cleaned or None


def normalise_title(title: str | None) -> str:
    """Case, accents and punctuation folded: 'Umbilical Cord?Derived' == 'umbilical cord-derived'."""
    if not title:
        return ""
    decomposed = unicodedata.normalize("NFKD", title)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def surname(author: str | None) -> str | None:
    """The family name of 'Hare JM' (Vancouver), 'Hare, Joshua M.' or 'Joshua M. Hare', folded."""
    if not author or not author.strip():
        return None
    name = author.strip()
    if "," in name:
        family = name.split(",", 1)[0]
    else:
        parts = name.split()
        if len(parts) > 1 and _INITIALS.match(parts[-1].replace(".", "")):
            family = " ".join(parts[:-1])
        else:
            family = parts[-1]
    folded = normalise_title(family).replace(" ", "")
    return folded or None


def study_ref(identity: StudyIdentity) -> StudyRef:
    return (identity.doc_id, identity.study_key)


def _agrees(a: StudyIdentity, b: StudyIdentity) -> tuple[bool | None, bool | None]:
    """(first authors agree, years agree); None where either side does not say."""
    author_a, author_b = surname(a.first_author), surname(b.first_author)
    authors = None if not (author_a and author_b) else fuzz.ratio(author_a, author_b) >= NEAR_TITLE
    years = None if a.year is None or b.year is None else abs(a.year - b.year) <= YEAR_SLACK
    return authors, years


def same_trial(a: StudyIdentity, b: StudyIdentity) -> bool:
    """Whether two studies are one trial, by DOI, else by title checked against author and year."""
    if a.doc_id == b.doc_id:
        return False  # one paper's citations are distinct by its authors' choice
    doi_a, doi_b = normalise_doi(a.doi), normalise_doi(b.doi)
    if doi_a and doi_a == doi_b:
        return True
    title_a, title_b = normalise_title(a.title), normalise_title(b.title)
    if len(title_a.split()) < MIN_TITLE_WORDS or len(title_b.split()) < MIN_TITLE_WORDS:
        return False
    authors, years = _agrees(a, b)
    if authors is False or years is False:
        return False
    similarity = fuzz.ratio(title_a, title_b)
    return similarity >= SAME_TITLE or (similarity >= NEAR_TITLE and (authors or years))


def _candidate_blocks(identities: list[StudyIdentity]) -> Iterable[list[int]]:
    """Groups of studies worth comparing: one DOI, one title opening or ending, one author and year."""
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, identity in enumerate(identities):
        doi = normalise_doi(identity.doi)
        if doi:
            blocks[("doi", doi)].append(index)
        words = normalise_title(identity.title).split()
        if len(words) >= MIN_TITLE_WORDS:
            blocks[("opening", " ".join(words[:BLOCK_WORDS]))].append(index)
            blocks[("ending", " ".join(words[-BLOCK_WORDS:]))].append(index)
        author = surname(identity.first_author)
        if author and identity.year is not None:
            blocks[("author", f"{author} {identity.year}")].append(index)
    return (members for members in blocks.values() if len(members) > 1)


def _similar_pairs(identities: list[StudyIdentity], members: list[int]) -> Iterable[tuple[int, int]]:
    titles = [normalise_title(identities[i].title) for i in members]
    dois = [normalise_doi(identities[i].doi) for i in members]
    scores = process.cdist(titles, titles, scorer=fuzz.ratio, score_cutoff=NEAR_TITLE, dtype=np.uint8, workers=1)
    for row, first in enumerate(members):
        for column in range(row + 1, len(members)):
            if scores[row][column] or (dois[row] and dois[row] == dois[column]):
                yield first, members[column]


def assign_trials(identities: list[StudyIdentity]) -> dict[StudyRef, str]:
    """Every study's trial id: the id of the earliest-seen study of its trial (stable as papers are added).

    A trial id reads as the paper it was first seen in: ``PMC5009698`` for a
    trial report, ``004_0683142eb9ad4bee#83`` for a review's study.
    """
    parent = list(range(len(identities)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for members in _candidate_blocks(identities):
        for first, second in _similar_pairs(identities, members):
            if root(first) != root(second) and same_trial(identities[first], identities[second]):
                parent[root(first)] = root(second)

    groups: dict[int, list[StudyIdentity]] = defaultdict(list)
    for index, identity in enumerate(identities):
        groups[root(index)].append(identity)
    assignment: dict[StudyRef, str] = {}
    for members in groups.values():
        anchor = min(members, key=lambda m: (m.first_seen_run, m.doc_id, m.study_key))
        for member in members:
            assignment[study_ref(member)] = trial_label(anchor)
    return assignment


def trial_label(identity: StudyIdentity) -> str:
    return identity.doc_id if not identity.study_key else f"{identity.doc_id}#{identity.study_key}"
