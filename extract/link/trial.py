"""Reading a primary paper, an abstract or a registry record as one trial.

The sentence readers find every candidate value; this module decides, field by
field, which belong to the paper's own trial, how sure we are of each, and in
what order its evidence is shown:

- A sentence speaks of the trial when it is the title, or says so ("the
  purpose of this study", "patients will receive", "we enrolled"). For the
  fields in `own_trial_fields`, once some such sentence states a value, values
  named only in other prose (what MSCs are, what other treatments do) are not
  the trial's.
- Each value's confidence grows with the best place that states it (title,
  methods ... background) and with each further sentence that repeats it; its
  evidence is ranked best first, and every sentence is kept.
- A value the paper does not write but that follows from what it writes
  (umbilical-cord cells given to adults come from a donor) is added as
  inferred, with its own rule name and the sentence it follows from.

The cues are data: `models/lexicons/trial.json`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache, lru_cache

from rapidfuzz import fuzz

from extract.fields.evidence import Evidence, ExtractedValue, Sentence
from extract.fields.sample_size import SINGLE_ARM
from extract.ingest.document import Document
from extract.link.records import Study
from extract.normalize.numbers import pattern_union
from extract.paths import load_lexicon


@cache
def _lexicon() -> dict:
    return load_lexicon("trial")


@cache
def _this_trial() -> re.Pattern[str]:
    # The cues are written in lowercase and matched on the lowercased sentence: several times faster than IGNORECASE.
    return re.compile(pattern_union(_lexicon()["this_trial"]))


def speaks_of_trial(sentence: Sentence) -> bool:
    """A sentence that says it is about the paper's own trial ("the purpose of this study", "patients will receive")."""
    return _speaks_of_trial(sentence.text)


@lru_cache(maxsize=4096)  # asked of each sentence by the linker and again by the trial reader
def _speaks_of_trial(text: str) -> bool:
    return _this_trial().search(text.lower()) is not None


@cache
def _reported_here() -> re.Pattern[str]:
    return re.compile(pattern_union(_lexicon()["reported_here"]), re.IGNORECASE)


def says_what_is_reported_here(text: str) -> bool:
    """An introduction's "In this study, we report a case of ..." describes the paper's own patients."""
    return _reported_here().search(text) is not None


def is_own(sentence: Sentence) -> bool:
    """About the trial by its place (title, methods, results, abstract) or by its words."""
    return sentence.section_kind.value in _lexicon()["own_sections"] or speaks_of_trial(sentence)


def _sentence_score(sentence: Sentence, own: bool) -> float:
    weights = _lexicon()["section_weight"]
    return weights.get(sentence.section_kind.value, weights["other"]) + (_lexicon()["this_trial_bonus"] if own else 0.0)


def read_trial(document: Document, study: Study, sentences: list[Sentence]) -> Study:
    """The study's values kept, scored and ranked as one trial's; inferred values added."""
    study = merge_restatements(study)
    by_start = {s.start: s for s in sentences}
    own = {s.start: is_own(s) for s in sentences}
    scored: list[tuple[ExtractedValue, float]] = []
    read: set[tuple[str, str, int]] = set()
    for value in study.values:
        if value.field in AS_WRITTEN_FIELDS:
            # The same condition in a Title Case title and in the text is one value, written as the text writes it.
            value = value.model_copy(update={"value": _as_in_text(value.value, study.values)})
        if (key := (value.field, value.value, value.evidence.start)) in read:
            continue  # the same words read twice (a rule and an abbreviation) are one reading
        read.add(key)
        sentence = by_start.get(value.evidence.start)
        score = _sentence_score(sentence, own[sentence.start]) if sentence else _lexicon()["section_weight"]["other"]
        scored.append((value, score))
    scored = _only_the_trials_own(scored, own)
    scored = _without_contradicted_single_arm_totals(scored)
    scored = _single_arm_as_total(scored)
    scored = _without_parts_of_a_combined_phase(scored)
    scored += _inferred(document, [v for v, _ in scored], sentences)
    study.values = _ranked(scored)
    return study


AS_WRITTEN_FIELDS = {"disease"}


def _as_in_text(text: str, values: list[ExtractedValue]) -> str:
    same = [v.value for v in values if v.value.casefold() == text.casefold() and v.value != text]
    lowered = [v for v in same if not v.istitle()]
    return lowered[0] if lowered else text


def merge_restatements(study: Study) -> Study:
    """One finding stated twice is one value with two sentences of evidence.

    A result restated less fully ("19%" beside "19% (9/48)", "three patients"
    beside "3 of 12") takes the fuller value; safety findings worded alike
    ("MRI showed no neoplasms ..." after each patient) take the first wording.
    """
    values = study.values
    structured = [v for v in values if v.field in RESTATED_FIELDS]
    free = [v for v in values if v.field in RESTATED_FREE_TEXT]
    merged = []
    for value in values:
        if value.field in RESTATED_FIELDS:
            fuller = next((o for o in structured if o is not value and o.field == value.field
                           and _restates(value.value, o.value)), None)
            if fuller is not None:
                value = value.model_copy(update={"value": fuller.value})
        elif value.field in RESTATED_FREE_TEXT:
            first = next(o for o in free if o.field == value.field and _alike(o.value, value.value))
            value = value.model_copy(update={"value": first.value})
        merged.append(value)
    study.values = merged
    return study


RESTATED_FIELDS = {"alloantibody_result"}
RESTATED_FREE_TEXT = {"safety"}
_ALIKE = 85


def _pairs(value: str) -> dict[str, float]:
    pairs = {}
    for part in value.split(";"):
        key, _, number = part.partition("=")
        try:
            pairs[key] = float(number)
        except ValueError:
            return {}
    return pairs


def _restates(less: str, more: str) -> bool:
    """`less` states a subset of `more`'s keys, each with the same number, and `more` states more."""
    a, b = _pairs(less), _pairs(more)
    return bool(a) and a.keys() < b.keys() and all(abs(a[k] - b[k]) <= max(0.5, 0.01 * abs(b[k])) for k in a)


def _alike(a: str, b: str) -> bool:
    return a == b or fuzz.token_set_ratio(a.casefold(), b.casefold()) >= _ALIKE


def _only_the_trials_own(scored: list[tuple[ExtractedValue, float]], own: dict[int, bool]) -> list[tuple[ExtractedValue, float]]:
    fields = set(_lexicon()["own_trial_fields"])
    stated_in_trial_prose: dict[str, set[str]] = defaultdict(set)
    for value, _ in scored:
        if value.field in fields and own.get(value.evidence.start, False):
            stated_in_trial_prose[value.field].add(value.value)
    only_own = set(_lexicon()["own_prose_only_fields"])
    return [
        (value, score)
        for value, score in scored
        if (value.field not in stated_in_trial_prose and value.field not in only_own)
        or value.value in stated_in_trial_prose[value.field]
    ]


def _without_contradicted_single_arm_totals(scored: list[tuple[ExtractedValue, float]]) -> list[tuple[ExtractedValue, float]]:
    """"Implantation will be done in 30 patients" reads as a single arm of 30, unless the trial also has a control
    arm or states another total: then 30 counts the treated only."""
    sizes = [v for v, _ in scored if v.field == "sample_size"]
    controls = any(v.value.startswith("control=") for v in sizes)
    stated_totals = {v.value for v in sizes if v.value.startswith("total=") and not v.evidence.rule.endswith(SINGLE_ARM)}

    def single_arm_contradicted(value: ExtractedValue) -> bool:
        if value.field != "sample_size" or not value.evidence.rule.endswith(SINGLE_ARM):
            return False
        return controls or bool(stated_totals - {value.value})

    return [(v, s) for v, s in scored if not single_arm_contradicted(v)]


def _single_arm_as_total(scored: list[tuple[ExtractedValue, float]]) -> list[tuple[ExtractedValue, float]]:
    """A trial with no control arm treats all it enrols: "20 patients will be enrolled and receive the cells" is one
    number, its total, not a total and a treated count. Where the total is stated apart ("(n = 5)"), a sentence of
    how many received the cells ("Five patients received ...") says something more, and its count is kept."""
    sizes = [v for v, _ in scored if v.field == "sample_size"]
    if any(v.value.startswith("control=") for v in sizes):
        return scored
    sentences: dict[str, set[int]] = defaultdict(set)
    for v in sizes:
        sentences[v.value].add(v.evidence.start)

    def restates_a_total(value: ExtractedValue) -> bool:
        if value.field != "sample_size" or not value.value.startswith("treated="):
            return False
        total = f"total={value.value.split('=', 1)[1]}"
        return total in sentences and sentences[value.value] == sentences[total]

    return [(v, s) for v, s in scored if not restates_a_total(v)]


def _without_parts_of_a_combined_phase(scored: list[tuple[ExtractedValue, float]]) -> list[tuple[ExtractedValue, float]]:
    """"This phase I/II trial ..." and "a phase I, dose-escalation study followed by phase II": one phase I/II trial,
    not three phases. A trial that names its phases only apart ("Phase 1 (open label) ... Phase 2 ...") keeps both."""
    parts: set[str] = set()
    for value, _ in scored:
        if value.field == "design" and value.value.startswith("phase ") and "/" in value.value:
            for numeral in value.value.removeprefix("phase ").split("/"):
                parts |= {f"phase {numeral}", f"phase {numeral.rstrip('ab')}"}
    return [(v, s) for v, s in scored if not (v.field == "design" and v.value in parts)]


def _inferred(document: Document, values: list[ExtractedValue], sentences: list[Sentence]) -> list[tuple[ExtractedValue, float]]:
    """Values that follow from what the paper states: from a value it states (`when_field`), or from a sentence about
    the trial (`when_own_sentence`); `if_own_text` asks for further words anywhere in the trial's own sentences."""
    inferred = []
    stated = {(v.field, v.value) for v in values}
    stated_fields = {v.field for v in values}
    # The sentences about the trial, unhedged: a background "randomized study" is another's.
    own = [s for s in sentences if is_own(s) and not s.hypothetical]
    own_text = "\n".join(s.text for s in own)
    for rule in _lexicon()["inferences"]:
        if (rule["field"], rule["value"]) in stated or rule.get("unless_field_stated") in stated_fields:
            continue
        if "unless_text" in rule and re.search(rule["unless_text"], own_text, re.IGNORECASE):
            continue
        if not all(re.search(pattern, own_text, re.IGNORECASE) for pattern in rule.get("if_own_text", ())):
            continue
        evidence = _stated_basis(rule, values) if "when_field" in rule else _sentence_basis(document, rule, own)
        if evidence is not None:
            inferred.append((ExtractedValue(field=rule["field"], value=rule["value"], evidence=evidence), rule["confidence"]))
    return inferred


def _stated_basis(rule: dict, values: list[ExtractedValue]) -> Evidence | None:
    basis = next((v for v in values if v.field == rule["when_field"] and v.value in rule["when_values"]), None)
    return None if basis is None else basis.evidence.model_copy(update={"rule": f"{rule['rule']}<{basis.evidence.rule}"})


def _sentence_basis(document: Document, rule: dict, own: list[Sentence]) -> Evidence | None:
    for sentence in own:
        if (found := re.search(rule["when_own_sentence"], sentence.text, re.IGNORECASE)) is not None:
            return Evidence(
                doc_id=document.doc_id, text=sentence.text, start=sentence.start, end=sentence.end,
                mention_start=sentence.start + found.start(), mention_end=sentence.start + found.end(),
                mention=found.group(), rule=rule["rule"], section=sentence.section, page=document.page_at(sentence.start),
            )
    return None


def _ranked(scored: list[tuple[ExtractedValue, float]]) -> list[ExtractedValue]:
    """Each (field, value) with its confidence; its evidence best first, fields in the order first read."""
    groups: dict[tuple[str, str], list[tuple[ExtractedValue, float]]] = defaultdict(list)
    for value, score in scored:
        groups[value.field, value.value].append((value, score))
    ranked: list[ExtractedValue] = []
    step = _lexicon()["each_further_sentence"]
    for readings in groups.values():
        readings.sort(key=lambda r: -r[1])  # stable: equal scores keep reading order
        sentences = {r[0].evidence.start for r in readings}
        confidence = min(0.99, readings[0][1] + step * (len(sentences) - 1))
        for rank, (value, _) in enumerate(readings, start=1):
            ranked.append(value.model_copy(update={"confidence": round(confidence, 2), "evidence_rank": rank}))
    return ranked
