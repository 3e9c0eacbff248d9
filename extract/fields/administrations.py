"""How many times the cells were given: "three allo-MSC infusions" is 3, "a single infusion of allo-MSCs" is 1."""

from __future__ import annotations

import re
from functools import cache

from extract.fields.reading import SentenceText, passes_gate
from extract.normalize.numbers import parse_word_number, regex_alternation, word_number_pattern
from extract.paths import load_lexicon
from extract.schema import FieldMention

RULE = "prose.n_administrations>lexicons/administrations.json"
MAX_COUNT = 100


@cache
def _lexicon() -> dict:
    return load_lexicon("administrations")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(counted nouns: "three infusions", "a single infusion"; an article before an event noun: "an injection")."""
    lexicon = _lexicon()
    between = rf"(?P<between>(?:[\w-]+\s+){{0,{int(lexicon['max_words_between'])}}}?)"
    after = r"(?P<after>(?:\s+[\w-]+){0,3})"
    count = rf"(?P<count>(?<![\w.,])\d+(?![\w.,]\d)|{word_number_pattern()})"
    single = rf"(?P<single>{regex_alternation(lexicon['single_words'])})"
    counted = rf"(?<![\w-])(?:{single}|{count})\s+{between}(?P<noun>{regex_alternation(lexicon['nouns'])})\b{after}"
    article = (
        rf"(?<![\w-])(?P<single>{regex_alternation(lexicon['article_words'])})\s+{between}"
        rf"(?P<noun>{regex_alternation(lexicon['article_nouns'])})\b{after}"
    )
    return re.compile(counted, re.IGNORECASE), re.compile(article, re.IGNORECASE)


def _count(match: re.Match[str]) -> int | None:
    if match.group("single"):
        return 1
    text = match.group("count")
    return int(text) if text.isdigit() else parse_word_number(text.lower())


def _about_cells(match: re.Match[str]) -> bool:
    words = set(re.findall(r"[\w-]+", f"{match.group('between')} {match.group('after')}".lower()))
    return bool(words & set(_lexicon()["cell_words"]))


def administration_mentions(sentence: SentenceText) -> list[FieldMention]:
    if not passes_gate(sentence.text.lower(), "administrations", "nouns"):  # most sentences name no administration
        return []
    not_counts = set(_lexicon()["not_counts"])
    mentions: list[FieldMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _patterns():
        for match in _every_match(pattern, sentence.text):
            begin, end = match.start(), match.end("noun")
            if any(begin < e and b < end for b, e in taken):
                continue
            if set(match.group("between").lower().split()) & not_counts:
                continue
            count = _count(match)
            if not count or count > MAX_COUNT:
                continue
            # "one dose" or "a single injection" counts administrations only when it is about the cells.
            if count == 1 and not _about_cells(match):
                continue
            taken.append((begin, end))
            mentions.append(sentence.mention("n_administrations", str(count), RULE, begin, end))
    return mentions


def _every_match(pattern: re.Pattern[str], text: str):
    """Matches that may overlap: "7 MSCs with 2 separate infusions" is refused at 7 and read at 2."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        yield match
        position = match.start() + 1
