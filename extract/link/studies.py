"""Linking values to studies: the paper itself, or the trials a review cites.

A review's sentence gives its values to the citations it carries; one value
stated for several citations goes to each, several values go each to the
citation that follows it. A sentence without citations hands its values to
the next sentence when it speaks of studies ("TESI injection in all studies
...") or the next one continues it ("Specifically, ..."). Only sentences about
patients or counted trials give values to citations; sentences about animals
or cells in a dish, plans for future work, and enumerations give nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

from extract.fields.evidence import Evidence, ExtractedValue, FieldMention, Sentence, TableStudyRow
from extract.ingest.document import Document, SectionKind
from extract.link.authors import cite_named_authors
from extract.link.records import DocumentKind, Study, StudyReference
from extract.link.trial import read_trial, says_what_is_reported_here, speaks_of_trial
from extract.paths import load_lexicon

# Fields whose several values in one sentence are parts of one trial, never a list of options: doses of its
# cohorts ("20, 100, or 200×10^6").
LIST_FIELDS = {"dose"}
# Fields whose values are keyed: a total, a treated and a control count are an account of arms ("30 patients:
# 15 ... and the remaining 15 ..."); only several values under one key are a list (screened, enrolled, completed).
KEYED_FIELDS = {"sample_size"}
PRIMARY_SECTIONS = {
    SectionKind.front,
    SectionKind.abstract,
    SectionKind.methods,
    SectionKind.results,
    SectionKind.conclusion,
    SectionKind.other,
}


@cache
def _discourse() -> dict:
    return load_lexicon("discourse")


def _evidence(document: Document, sentence: Sentence, mention: FieldMention) -> Evidence:
    return Evidence(
        doc_id=document.doc_id,
        text=sentence.text,
        start=sentence.start,
        end=sentence.end,
        mention_start=mention.start,
        mention_end=mention.end,
        mention=mention.text,
        rule=mention.rule,
        kind="sentence",
        section=sentence.section,
        page=document.page_at(sentence.start),
    )


def _value(document: Document, sentence: Sentence, mention: FieldMention) -> ExtractedValue:
    return ExtractedValue(field=mention.field, value=mention.value, evidence=_evidence(document, sentence, mention))


def _slot(sentence: Sentence, mention: FieldMention) -> int:
    """Which citation group a mention precedes: 0 for the first, len(groups) after the last."""
    return sum(1 for group in sentence.citations if group.start < mention.end)


def _usable_mentions(sentence: Sentence, review: bool = False) -> list[FieldMention]:
    """Mentions that can describe a study: not preclinical, not a list of options.

    A list is several values of one field before one citation ("from BM, AT,
    UC or WJ [1-4]"); values that each precede their own citation are a
    study-by-study account, not a list. In a review a preclinical or
    hypothetical sentence names no study; in a primary paper each mention is
    judged by the ConText modifiers whose scope covers it.
    """
    if review and (sentence.preclinical or sentence.hypothetical):
        return []
    listing = _discourse()["enumeration_limit"]
    stacking = set() if review else set(_discourse()["stacking_fields"])
    not_this_trial = set() if review else set(_discourse()["not_this_trial"])
    excluded = set(_discourse()["primary_only_fields"]) if review else set()
    distinct: dict[tuple[str, int], set[str]] = defaultdict(set)
    for mention in sentence.mentions:
        distinct[_listed_as(mention), _slot(sentence, mention)].add(mention.value)

    def not_a_list(mention: FieldMention) -> bool:
        if mention.field in LIST_FIELDS or mention.field in stacking:
            return True
        if len(distinct[_listed_as(mention), _slot(sentence, mention)]) < listing:
            return True
        # A sentence about the trial that names three routes compares them ("administered through the intravenous,
        # intrathecal, and intranasal routes"); only elsewhere are several values a list of what is possible.
        # Several totals stay a list even there: screened, enrolled and completed are stages, not one trial's size.
        return not review and mention.field not in KEYED_FIELDS and speaks_of_trial(sentence)

    return [m for m in sentence.mentions if m.field not in excluded and not not_this_trial.intersection(m.context) and not_a_list(m)]


def _listed_as(mention: FieldMention) -> str:
    return f"{mention.field}:{mention.value.split('=', 1)[0]}" if mention.field in KEYED_FIELDS else mention.field


# ---------------------------------------------------------------- primary papers


# What of a primary paper is read at all: the sections its trial's values come from, and the introduction, for
# the abbreviations it defines and its "In this report, we describe a case ..."; not the discussion.
TRIAL_REPORT_SECTIONS = PRIMARY_SECTIONS | {SectionKind.background}


def gives_trial_values(section_kind: SectionKind, text: str) -> bool:
    """Where a primary paper states its own trial's values: its title, abstract, methods and results, and an
    introduction's "In this report, we describe a case ..." (`read_sentences` reads nothing else of it)."""
    return section_kind in PRIMARY_SECTIONS or (section_kind is SectionKind.background and says_what_is_reported_here(text))


def link_primary(document: Document, sentences: list[Sentence]) -> list[Study]:
    """One study: the paper's own trial, read where the paper describes it."""
    study = Study(doc_id=document.doc_id, study_key="", kind=DocumentKind.primary)
    msc_types = set(_discourse()["msc_cell_types"])
    msc_trial = any(m.field == "cell_type" and m.value in msc_types for s in sentences for m in s.mentions)
    previous: Sentence | None = None
    about_others = False
    for sentence in sentences:
        # Once a sentence points back at another report's people, what follows it in the same section speaks of
        # them too, until a sentence speaks of this trial.
        continues = about_others and previous is not None and previous.section == sentence.section
        about_others = _points_back_at_others(sentence, previous) or (continues and not speaks_of_trial(sentence))
        previous = sentence
        # A sentence that cites others speaks of their work, unless it says what this trial did.
        if not gives_trial_values(sentence.section_kind, sentence.text) or (sentence.citations and not speaks_of_trial(sentence)):
            continue
        if about_others:
            continue
        mentions = _usable_mentions(sentence)
        if msc_trial:
            mentions = [m for m in mentions if not _of_another_product(sentence, m, msc_types)]
        study.values.extend(_value(document, sentence, m) for m in mentions)
    return [read_trial(document, study, sentences)] if study.values else []


def _points_back_at_others(sentence: Sentence, previous: Sentence | None) -> bool:
    """"One group reported 51 patients ... These patients received three injections": the second sentence speaks of
    the first one's people, and they are another study's."""
    if previous is None or previous.section != sentence.section:
        return False
    if not re.search(_discourse()["others_people"], sentence.text, re.IGNORECASE):
        return False
    if previous.mentions:
        return all("BACKGROUND" in m.context for m in previous.mentions)
    return re.search(_discourse()["reports_others"], previous.text, re.IGNORECASE) is not None


def _of_another_product(sentence: Sentence, mention: FieldMention, msc_types: set[str]) -> bool:
    """A route or dose next to mononuclear cells, PRP or placebo is theirs, unless MSCs are named as near."""
    if _discourse()["other_product"] not in mention.context:
        return False
    nearby = _discourse()["product_nearby_chars"]
    return not any(
        m.field == "cell_type" and m.value in msc_types and (m.start - mention.end <= nearby and mention.start - m.end <= nearby)
        for m in sentence.mentions
    )


# ---------------------------------------------------------------- reviews


def study_keys(citation_groups: list[list[int]], multi_bracket: list[bool]) -> dict[int, str]:
    """Citation number → study key; a reference always cited together with the one before it is the same study.

    "[50, 51]" names one trial reported in two papers when 51 is never cited
    without 50, and 50 goes without 51 only inside expanded ranges
    ("[47] [48] [49] [50] [52]"), where absence says nothing.
    """
    numbers = sorted({n for group in citation_groups for n in group})
    keys = {n: str(n) for n in numbers}
    for number in numbers:
        partner = number - 1
        if partner not in keys:
            continue
        with_number = [g for g in citation_groups if number in g]
        always_with_partner = all(partner in g for g in with_number)
        partner_alone_only_in_ranges = all(
            multi for g, multi in zip(citation_groups, multi_bracket) if partner in g and number not in g
        )
        if with_number and always_with_partner and partner_alone_only_in_ranges:
            keys[number] = keys[partner]
    merged: dict[str, list[int]] = defaultdict(list)
    for number, key in keys.items():
        merged[key].append(number)
    return {n: ",".join(str(m) for m in merged[key]) for n, key in keys.items()}


def _carries_forward(sentence: Sentence, following: Sentence | None) -> bool:
    if following is None or not following.citations or sentence.citations:
        return False
    words = set(re.findall(r"[a-z]+", sentence.text.lower()))
    speaks_of_studies = bool(words & set(_discourse()["study_nouns"]))
    opening = following.text.lower().lstrip(" -–")
    continues = any(opening.startswith(c) for c in _discourse()["continuations"])
    return speaks_of_studies or continues


def _referred_back(sentence: Sentence, previous: Sentence | None) -> list[int]:
    """The citation numbers an anaphor ("It is one of the studies ...") points back to: one group before it."""
    if previous is None or len(previous.citations) != 1 or previous.section_kind != sentence.section_kind:
        return []
    opening = sentence.text.lower().lstrip()
    if not any(opening.startswith(a) for a in _discourse()["anaphora"]):
        return []
    return list(previous.citations[0].numbers)


def _assign(sentence: Sentence, mentions: list[FieldMention]) -> list[tuple[FieldMention, list[int]]]:
    """Each mention with the citation numbers it belongs to.

    A value stated before all citations or after all of them, alone of its
    field, holds for every study cited. Otherwise a value belongs to the
    citation that follows it, unless a finer value of its field comes before
    that citation: then it is the category of all that follow ("patients with
    heart diseases, two studies in patients with ICM [46, 54], two ... HF [55,
    56]").
    """
    groups = sentence.citations
    per_field: dict[str, set[str]] = defaultdict(set)
    by_slot: dict[tuple[str, int], list[FieldMention]] = defaultdict(list)
    for mention in mentions:
        per_field[mention.field].add(mention.value)
        by_slot[mention.field, _slot(sentence, mention)].append(mention)
    every_number = [n for g in groups for n in g.numbers]
    assigned = []
    for mention in mentions:
        slot = _slot(sentence, mention)
        outside = slot == 0 or slot == len(groups)
        if len(per_field[mention.field]) == 1 and outside:
            assigned.append((mention, every_number))
        elif slot == len(groups):
            assigned.append((mention, list(groups[-1].numbers)))
        elif any(m.start > mention.end and m.value != mention.value for m in by_slot[mention.field, slot]):
            assigned.append((mention, [n for g in groups[slot:] for n in g.numbers]))
        else:
            assigned.append((mention, list(groups[slot].numbers)))
    return assigned


def link_review(document: Document, sentences: list[Sentence], table_rows: list[TableStudyRow]) -> list[Study]:
    sentences = cite_named_authors(sentences)
    groups = [c.numbers for s in sentences for c in s.citations] + [r.numbers for r in table_rows]
    multi = [c.brackets > 1 for s in sentences for c in s.citations] + [False] * len(table_rows)
    keys = study_keys(groups, multi)
    studies: dict[str, Study] = {}

    def study_for(number: int) -> Study:
        key = keys.get(number, str(number))
        if key not in studies:
            studies[key] = Study(
                doc_id=document.doc_id,
                study_key=key,
                kind=DocumentKind.review,
                reference=_reference(document, [int(n) for n in key.split(",")]),
            )
        return studies[key]

    for row in table_rows:
        for number in row.numbers[:1]:
            study_for(number).values.extend(row.values)

    carried: list[FieldMention] = []
    carried_from: Sentence | None = None
    for position, sentence in enumerate(sentences):
        if sentence.section_kind in (SectionKind.references, SectionKind.back):
            continue
        mentions = _usable_mentions(sentence, review=True)
        if not sentence.citations:
            following = sentences[position + 1] if position + 1 < len(sentences) else None
            previous = sentences[position - 1] if position else None
            if mentions and (numbers := _referred_back(sentence, previous)):
                for mention in mentions:
                    for number in numbers:
                        study_for(number).values.append(_value(document, sentence, mention))
                carried, carried_from = [], None
            elif mentions and _carries_forward(sentence, following):
                carried, carried_from = mentions, sentence
            else:
                carried, carried_from = [], None
            continue
        if not sentence.clinical:
            # Citations in a sentence about mechanisms or background name no trial.
            carried, carried_from = [], None
            continue
        for mention, numbers in _assign(sentence, mentions):
            for number in numbers:
                study_for(number).values.append(_value(document, sentence, mention))
        if carried and carried_from is not None and not sentence.preclinical:
            stated_here = {m.field for m in mentions}
            numbers = [n for g in sentence.citations for n in g.numbers]
            for mention in carried:
                if mention.field in stated_here:
                    continue
                for number in numbers:
                    study_for(number).values.append(_value(document, carried_from, mention))
        carried, carried_from = [], None

    supporting = set(_discourse()["supporting_fields"])
    linked = [s for s in studies.values() if any(v.field not in supporting for v in s.values)]
    return sorted(linked, key=lambda s: [int(n) for n in s.study_key.split(",")])


def _reference(document: Document, numbers: list[int]) -> StudyReference:
    first = next((r for r in (document.reference(n) for n in numbers) if r is not None), None)
    if first is None:
        return StudyReference(numbers=numbers)
    return StudyReference(
        numbers=numbers,
        first_author=first.first_author,
        year=first.year,
        title=first.title,
        journal=first.journal,
        doi=first.doi,
    )


def deduplicate_values(study: Study) -> Study:
    """One value per (field, value, evidence sentence): the same words read twice are one reading."""
    seen: set[tuple[str, str, int]] = set()
    kept = []
    for value in study.values:
        key = (value.field, value.value, value.evidence.start)
        if key not in seen:
            seen.add(key)
            kept.append(value)
    study.values = kept
    return study
