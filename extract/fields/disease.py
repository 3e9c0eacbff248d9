"""The condition a study treats, as the paper writes it, with its abbreviation expanded.

"patients with ischemic cardiomyopathy (ICM)" gives `ischemic cardiomyopathy`;
"patients with OA", once the paper has defined OA, gives `osteoarthritis`. A
phrase is a condition when it ends in a disease word or suffix of
models/lexicons/diseases.json; nothing is guessed beyond that.
"""

from __future__ import annotations

import re
from functools import cache

from extract.fields.evidence import FieldMention
from extract.fields.reading import SentenceText, passes_gate
from extract.paths import load_lexicon

RULE = "prose.disease>lexicons/diseases.json"


@cache
def _lexicon() -> dict:
    return load_lexicon("diseases")


@cache
def _trigger() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{'|'.join(_lexicon()['triggers'])})\s+", re.IGNORECASE)


def is_condition(phrase: str) -> bool:
    lexicon = _lexicon()
    lowered = phrase.lower().strip()
    if not lowered or lowered in lexicon["not_diseases"]:
        return False
    last = lowered.split()[-1]
    return last in lexicon["heads"] or any(last.endswith(s) for s in lexicon["head_suffixes"])


def _phrase_end(text: str, start: int) -> int:
    """Where the phrase that starts at `start` stops: the first stop word or mark, or max_words words."""
    lexicon = _lexicon()
    end = len(text)
    lowered = text.lower()
    for stop in lexicon["stops"]:
        found = lowered.find(stop, start)
        if found != -1:
            end = min(end, found)
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) > lexicon["max_words"]:
        end = start + words[lexicon["max_words"] - 1].end()
    return end


def disease_mentions(sentence: SentenceText) -> list[FieldMention]:
    text = sentence.text
    if not passes_gate(text.lower(), "diseases", "triggers"):
        return []
    mentions = []
    for trigger in _trigger().finditer(text):
        start = trigger.end()
        end = _phrase_end(text, start)
        phrase = text[start:end].strip()
        if not phrase:
            continue
        end = start + len(text[start:end].rstrip())
        long_form = sentence.long_forms.get(phrase)
        if long_form and is_condition(long_form):
            mentions.append(sentence.mention("disease", long_form, f"{RULE}+abbreviation:{phrase}", start, end))
        elif is_condition(phrase):
            mentions.append(sentence.mention("disease", phrase, RULE, start, end))
    return mentions
