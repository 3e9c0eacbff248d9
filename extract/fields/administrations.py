"""How many times the cells were given: "three allo-MSC infusions" is 3, "a single infusion of allo-MSCs" is 1,
"infused on days 0 and 14" is 2. "Four dose cohorts" and "three dose levels" count kinds of dose, not
administrations, and "up to 12 infusions" is a limit, not a count."""

from __future__ import annotations

import re
from functools import cache

from extract.fields.evidence import FieldMention
from extract.fields.reading import SentenceText, passes_gate, section_number_end
from extract.normalize.dose.quantity import is_bounded
from extract.normalize.numbers import is_cell_word, parse_word_number, regex_alternation, word_number_pattern
from extract.paths import load_lexicon

RULE = "prose.n_administrations>lexicons/administrations.json"
MAX_COUNT = 100


@cache
def _lexicon() -> dict:
    return load_lexicon("administrations")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(counted nouns: "three infusions", "a single infusion"; an article before an event noun: "an injection")."""
    lexicon = _lexicon()
    # "one intravenous (IV) infusion": a word between may be an abbreviation in brackets.
    between = rf"(?P<between>(?:[\w.-]+\s+|\([\w-]+\)\s+){{0,{int(lexicon['max_words_between'])}}}?)"
    # The words after the noun, up to the clause's end, say what was given ("a single dose of 1 × 10^6 MSCs/kg").
    after = r"(?P<after>[^.;:]{0,80})"
    number = rf"(?<![\w.,])\d+(?![\w.,]\d)|{word_number_pattern()}"
    joiners = regex_alternation(lexicon["range_joiners"])
    count = rf"(?P<count>{number})(?:\s*(?:{joiners})\s*(?P<high>{number}))?"
    single = rf"(?P<single>{regex_alternation(lexicon['single_words'])})"
    counted = rf"(?<![\w-])(?:{single}|{count})\s+{between}(?P<noun>{regex_alternation(lexicon['nouns'])})\b{after}"
    article = (
        rf"(?<![\w-])(?P<single>{regex_alternation(lexicon['article_words'])})\s+{between}"
        rf"(?P<noun>{regex_alternation(lexicon['article_nouns'])})\b{after}"
    )
    return re.compile(counted, re.IGNORECASE), re.compile(article, re.IGNORECASE)


def _counts(match: re.Match[str]) -> list[int | None]:
    """One count, or both ends of a range ("3-4 sessions")."""
    if match.group("single"):
        return [1]
    texts = [match.group("count")] + ([match.group("high")] if match.groupdict().get("high") else [])
    return [int(text) if text.isdigit() else parse_word_number(text.lower()) for text in texts]


def _about_cells(match: re.Match[str]) -> bool:
    """The cells are named between the count and the noun, or in the few words after the noun
    that say what was given ("a single dose of 1 × 10^6 MSCs/kg"), before a time clause starts
    ("an injection within a week prior to the cells" is about something else)."""
    after: list[str] = []
    for word in re.findall(r"[\w-]+", match.group("after").lower())[: int(_lexicon()["cell_words_after"])]:
        if word in _lexicon()["clause_ends"]:
            break
        after.append(word)
    words = match.group("between").lower().split() + after
    return bool(set(words) & set(_lexicon()["cell_words"])) or any(is_cell_word(w) for w in words)


def _names_a_kind_of_dose(match: re.Match[str]) -> bool:
    """"four dose cohorts", "three dose levels", "two dose-escalation cohorts": the noun qualifies another word;
    "two doses of MSCs will be tested": the doses are compared, not given one after another; "10 injections of
    2 million cells/cm of tract": given at once, at several places."""
    following = re.match(r"[\s-]*([\w]+)", match.group("after"))
    return (bool(following) and following.group(1).lower() in _lexicon()["not_after"]) or any(
        re.match(_lexicon()[key], match.string[match.end("noun") :], re.IGNORECASE) is not None
        for key in ("kinds_after", "sites_after")
    )


@cache
def _schedule_pattern() -> re.Pattern[str]:
    """A cell administration followed by the days it happened on: "infused on days 0 and 14"."""
    lexicon = _lexicon()
    verbs = regex_alternation(lexicon["schedule_verbs"])
    unit = regex_alternation(lexicon["schedule_units"])
    day = r"(?<![\w.])\d{1,3}(?![\w.]\d|\w)"
    # "on days 0 and 14", "on day 0, day 7 and day 14", "on day 0 and again on day 7"
    days = rf"{day}(?:\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)(?:again\s+)?(?:(?:on|at)\s+)?(?:{unit}\s+)?{day})+"
    # "treated with 1x10^6 cells/kg in 0,1,2,3,5,7 week", "cell injection 1 and 4 months after aspiration": the unit after.
    listed = rf"{day}(?:\s*(?:,\s*(?:and\s+)?|and\s+|&\s*){day})+"
    return re.compile(
        rf"(?<![\w-])(?P<verb>(?:{verbs})[\w-]*)(?:(?P<between>(?:\s+[\w-]+){{0,4}}?)\s+(?:on|at)\s+(?:{unit})\s+(?P<days>{days})"
        rf"|(?P<between_before_unit>(?:\s+[\w/^().×*-]+){{0,6}}?)\s+(?:(?:in|at|on)\s+(?:the\s+)?)?(?P<listed>{listed})\s*(?:{unit})\b)",
        re.IGNORECASE,
    )


def _schedule_mentions(sentence: SentenceText) -> list[FieldMention]:
    if not passes_gate(sentence.text.lower(), "administrations", "schedule"):
        return []
    refused = _lexicon()["schedule_not_between"]
    mentions: list[FieldMention] = []
    for match in _schedule_pattern().finditer(sentence.text):
        between = ((match.group("between") if match.group("days") else match.group("between_before_unit")) or "").lower().split()
        if any(word.startswith(stem) for word in between for stem in refused):
            continue
        count = len(re.findall(r"\d+", match.group("days") or match.group("listed")))
        if 2 <= count <= MAX_COUNT:
            mentions.append(sentence.mention("n_administrations", str(count), RULE, match.start(), match.end()))
    return mentions


@cache
def _ordinal_words() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{regex_alternation(_lexicon()['schedule_ordinals'])})\b")


@cache
def _ordinal_schedule() -> re.Pattern[str]:
    """"at the first and fourth week": a list of two or more ordinals, then the unit they count."""
    ordinal = _ordinal_words().pattern
    joiner = r"(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)"
    units = regex_alternation(_lexicon()["schedule_ordinal_units"])
    return re.compile(rf"\b(?:at|on|in|during) (?:the )?(?P<list>{ordinal}(?:{joiner}{ordinal})+) (?:{units})s?\b")


def _listed_day_mentions(sentence: SentenceText) -> list[FieldMention]:
    """"at the first and fourth week", "D0, D7 and D14": a list of the days the cells were given, counted."""
    lowered = sentence.text.lower()
    if not passes_gate(lowered, "administrations", "listed_days"):
        return []
    ordinal_lists = list(_ordinal_schedule().finditer(lowered))
    day_code_lists = list(re.finditer(_lexicon()["day_codes"], sentence.text))
    if not (ordinal_lists or day_code_lists) or not re.search(_lexicon()["repeat_context"], lowered):
        return []
    mentions = []
    ordinals = _ordinal_words()
    for match in ordinal_lists:
        if _times_of_something_else(lowered, match):
            continue
        count = len(ordinals.findall(match.group("list")))
        mentions.append(sentence.mention("n_administrations", str(count), RULE, match.start(), match.end()))
    for match in day_code_lists:
        count = len(re.findall(r"[dD]\d", match.group()))
        if count <= MAX_COUNT:
            mentions.append(sentence.mention("n_administrations", str(count), RULE, match.start(), match.end()))
    return mentions


def _times_of_something_else(lowered: str, match: re.Match[str]) -> bool:
    """"examined in the third, sixth and twelfth month after implantation": times of visits, counted from the cells."""
    clause = re.split(r"[.;:]", lowered[: match.start()])[-1]
    return bool(re.match(_lexicon()["after_the_administration"], lowered[match.end() :])) or any(
        word.startswith(stem) for word in clause.split() for stem in _lexicon()["visit_words"]
    )


def _repeat_mentions(sentence: SentenceText) -> list[FieldMention]:
    """"twice", "for 3 times", "the second transplantation", "single-dose": counts without a counted noun."""
    lowered = sentence.text.lower()
    if not passes_gate(lowered, "administrations", "repeats") or not re.search(_lexicon()["repeat_context"], lowered):
        return []
    mentions = []
    for repeat in _lexicon()["repeats"]:
        for match in re.finditer(repeat["pattern"], lowered):
            if "count" in repeat:
                count = repeat["count"]
            else:
                word = match.group("n")
                count = int(word) if word.isdigit() else _lexicon()["ordinals"].get(word) or parse_word_number(word)
            if count and 1 <= count <= MAX_COUNT and not is_bounded(sentence.text, match.start()):
                mentions.append(sentence.mention("n_administrations", str(count), RULE, match.start(), match.end()))
    return mentions


def administration_mentions(sentence: SentenceText) -> list[FieldMention]:
    mentions = _counted_mentions(sentence)
    schedules = _schedule_mentions(sentence) + _listed_day_mentions(sentence) + _repeat_mentions(sentence)
    # "a cell injection 2 and 6 months after aspiration", "a three-time injection": the times count, not the article.
    mentions = [m for m in mentions if not (m.value == "1" and any(m.start < s.end and s.start < m.end for s in schedules))]
    taken = [(m.start, m.end) for m in mentions]
    for mention in schedules:
        if not any(mention.start < e and b < mention.end for b, e in taken):
            mentions.append(mention)
    return _schedule_in_sequence(sentence, sorted(mentions, key=lambda m: m.start))


def _schedule_in_sequence(sentence: SentenceText, mentions: list[FieldMention]) -> list[FieldMention]:
    """"three intrathecal injections ... followed by one intravenous injection": one schedule of 4, not 3 and 1."""
    if len(mentions) != 2:
        return mentions
    first, second = mentions
    between = sentence.text[first.end - sentence.start : second.start - sentence.start]
    if not re.search(_lexicon()["sequence_joiners"], between, re.IGNORECASE):
        return mentions
    total = int(first.value) + int(second.value)
    return [sentence.mention("n_administrations", str(total), RULE, first.start - sentence.start, second.end - sentence.start)]


def _counted_mentions(sentence: SentenceText) -> list[FieldMention]:
    """"three infusions", "a single dose of MSCs": a count before an administration noun."""
    if not passes_gate(sentence.text.lower(), "administrations", "nouns"):  # most sentences name no administration
        return []
    not_counts = set(_lexicon()["not_counts"])
    mentions: list[FieldMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _patterns():
        for match in _every_match(pattern, sentence.text):
            begin, end = match.start(), match.end("noun")
            if any(begin < e and b < end for b, e in taken) or begin < section_number_end(sentence.text):
                continue
            if set(match.group("between").lower().split()) & not_counts:
                continue
            if _names_a_kind_of_dose(match) or is_bounded(sentence.text, begin):
                continue
            before = sentence.text[max(0, begin - 30) : begin]
            if re.search(_lexicon()["not_before"], before, re.IGNORECASE):
                continue  # "will compare two doses of MPCs and placebo": kinds of dose
            if (previous := re.search(r"([\w.]+)\s*$", before)) and previous.group(1).lower() in _lexicon()["id_nouns_before"]:
                continue  # "Subjects 6-10 will receive the lowest dose": a label
            counts = _counts(match)
            if not all(counts) or max(counts) > MAX_COUNT:
                continue
            # "one dose" or "a single injection" counts administrations only when it is about the cells, or about
            # the product a statement of the trial's purpose names ("to evaluate a single administration of FAB-1").
            if counts == [1] and not _about_cells(match) and not re.search(_lexicon()["purpose_statement"], sentence.text, re.IGNORECASE):
                continue
            taken.append((begin, end))
            mentions += [sentence.mention("n_administrations", str(count), RULE, begin, end) for count in counts]
    return mentions


def _every_match(pattern: re.Pattern[str], text: str):
    """Matches that may overlap: "7 MSCs with 2 separate infusions" is refused at 7 and read at 2."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        yield match
        position = match.start() + 1
