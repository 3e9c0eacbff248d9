"""Reading prose: sentences with their field mentions, citations and context.

Abbreviations are resolved across the whole document: "intradiscal (ID)" in
one paragraph makes "via ID" in another an intradiscal route, using the
definitions scispaCy's abbreviation detector finds, never a guess.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from extract.fields.evidence import CitationMention, FieldMention, Sentence
from extract.fields.reading import SentenceText
from extract.ingest.document import Document, Paragraph, SectionKind
from extract.nlp.bounds import bounded_paragraphs
from extract.nlp.context import ContextEngine, Modifier
from extract.nlp.field_matcher import SPAN_KEY
from extract.nlp.sentence_readers import INPUT_KEY, SentenceReaders, SentenceReading, needs_rereading, reading_input, readings
from extract.nlp.text import text_for_nlp
from extract.normalize.citations import find_citation_groups
from extract.normalize.numbers import pattern_union
from extract.paths import load_lexicon

SKIPPED_SECTIONS = {SectionKind.references, SectionKind.back}
CONTEXT = "msc_context"
READERS = "msc_sentence_readers"


@cache
def _context_cues(category: str) -> re.Pattern[str]:
    # One alternation per category: one scan of the sentence instead of one per cue.
    return re.compile(pattern_union(load_lexicon("context")[category]))


def has_context(sentence: str, category: str) -> bool:
    """Whether a sentence carries a cue of a sentence category of models/lexicons/context.json."""
    return _context_cues(category).search(sentence.lower()) is not None


def readable_paragraphs(document: Document) -> list[Paragraph]:
    return bounded_paragraphs(document.text, [
        p
        for p in document.paragraphs
        if p.duplicate_of is None and p.section_kind not in SKIPPED_SECTIONS and p.end > p.start
    ])


def read_sentences(
    document: Document,
    nlp: Language,
    values_wanted: Callable[[SectionKind, str], bool] | None = None,
    sections: set[SectionKind] | None = None,
) -> list[Sentence]:
    """Every readable sentence of `document` with its mentions, citations and context.

    `sections`, where given, are the only sections read at all (a trial report's discussion states no value
    of its own trial). `values_wanted(section_kind, text)`, where given, says which of the sentences read the
    caller takes values from: the sentence readers run only on those; the field rules' mentions and the
    citations are kept for every sentence read.

    Every mention comes from the spans the pipeline writes on a paragraph's Doc: the field matcher's
    (`doc.spans["fields"]`) and the sentence readers' (`doc.spans["readings"]`). Paragraph Docs are read a few
    at a time (the readers' `docs_per_turn`) and let go: a Doc costs far more than its text, and a paper dense
    with values would otherwise hold every one of them at once. Only a definition found later in the paper ("intradiscal (ID)") needs a
    second look, and only at the sentences that hold its short form.
    """
    paragraphs = [p for p in readable_paragraphs(document) if sections is None or p.section_kind in sections]
    context = nlp.get_pipe(CONTEXT).engine
    readers = nlp.get_pipe(READERS)
    long_forms: dict[str, str] = {}
    read: list[_ReadSentence] = []
    docs = (_paragraph_doc(document, p, nlp) for p in paragraphs)
    settings = {READERS: {"values_wanted": values_wanted}}
    for paragraph, doc in zip(paragraphs, nlp.pipe(docs, component_cfg=settings)):
        for abbreviation in doc._.abbreviations:  # the first definition in the paper wins
            long_forms.setdefault(abbreviation.text, abbreviation._.long_form.text)
        found = readings(doc, readers.span_key)
        previous = ""
        for sent in doc.sents:
            # Sliced from the paper, not Span.text: that rebuilds the string token by token on every call.
            text = document.text[paragraph.start + sent.start_char : paragraph.start + sent.end_char]
            if not text.strip():
                continue
            reading = SentenceText(text, paragraph.start + sent.start_char, previous, section_kind=paragraph.section_kind)
            read.append(_read(paragraph, doc, sent, reading, found.get(sent.start_char)))
            previous = text
    paper = _Paper(long_forms, _abbreviation_values(long_forms, nlp), nlp, context, readers)
    return [_sentence(index, item, paper) for index, item in enumerate(read)]


def _paragraph_doc(document: Document, paragraph: Paragraph, nlp: Language) -> Doc:
    """A paragraph's Doc before the pipeline's components, told what its sentence readers need from the paper."""
    text = document.text[paragraph.start : paragraph.end]
    doc = nlp.make_doc(text_for_nlp(text))
    doc.user_data[INPUT_KEY] = reading_input(text, paragraph.start, paragraph.section_kind)
    return doc


@dataclass
class _Paper:
    """What every sentence of one paper is read with, once all its paragraphs have been through the pipeline."""

    long_forms: dict[str, str]  # the paper's own abbreviations
    abbreviation_values: dict[str, list[tuple[str, str, str]]]  # short form -> (field, value, rule) of its long form
    nlp: Language
    context: ContextEngine
    readers: SentenceReaders

    def __post_init__(self) -> None:
        values = self.abbreviation_values
        self.short_forms = re.compile("|".join(re.escape(s) for s in sorted(values, key=len, reverse=True))) if values else None


@dataclass
class _ReadSentence:
    """What a sentence's paragraph Doc told about it, kept after the Doc is let go."""

    paragraph: Paragraph
    reading: SentenceText
    mentions: list[FieldMention]  # the field matcher's
    readings: SentenceReading | None  # the sentence readers'; None where they found nothing and asked nothing
    modifiers: list[Modifier] | None  # the context component's judgement; None where it judged nothing


def _read(paragraph: Paragraph, doc: Doc, sent, reading: SentenceText, found: SentenceReading | None) -> _ReadSentence:
    text = reading.text
    offset = paragraph.start
    mentions = [
        FieldMention(
            field=span.label_.split("=", 1)[0],
            value=span.label_.split("=", 1)[1],
            rule=span.id_,
            start=offset + span.start_char,
            end=offset + span.end_char,
            # The paper's own words: the pipeline read them with dash look-alikes made one (extract/nlp/text.py).
            text=text[span.start_char - sent.start_char : span.end_char - sent.start_char],
        )
        for span in _spans_within(doc, sent)
    ]
    judged = (doc._.context_modifiers or {}).get(sent.start_char)
    modifiers = None if judged is None else [
        Modifier(m.rule, m.start - sent.start_char, m.end - sent.start_char,
                 m.scope_start - sent.start_char, m.scope_end - sent.start_char)
        for m in judged
    ]
    return _ReadSentence(paragraph, reading, mentions, found, modifiers)


def _sentence(index: int, item: _ReadSentence, paper: _Paper) -> Sentence:
    paragraph, mentions = item.paragraph, item.mentions
    reading = replace(item.reading, long_forms=paper.long_forms)
    text, start = reading.text, reading.start
    if paper.short_forms is not None and paper.short_forms.search(text_for_nlp(text)):
        mentions += _abbreviation_mentions(reading, mentions, paper.abbreviation_values, paper.nlp)
    if item.readings is not None:
        if item.readings.asked is not None and needs_rereading(item.readings.asked, paper.long_forms):
            # Its readers asked for a short form the paper defines elsewhere (or otherwise) than in its paragraph.
            mentions.extend(paper.readers.read(reading))
        else:
            mentions.extend(item.readings.mentions)
    citations = [
        CitationMention(start=g.start, end=g.end, numbers=list(g.numbers), brackets=g.brackets)
        for g in find_citation_groups(text, start)
    ]
    targets = bool(mentions or citations)
    # As in medspaCy, context modifies targets: a sentence with no mention and no citation is not judged.
    modifiers = None if not targets else item.modifiers if item.modifiers is not None else paper.context.modifiers(text)
    for mention in mentions:
        begin, end = mention.start - start, mention.end - start
        mention.context = sorted({m.category for m in modifiers or () if m.covers(begin, end, mention.field)})
    categories = {m.category for m in modifiers} if modifiers is not None else None
    return Sentence(
        index=index,
        start=start,
        end=start + len(text),
        text=text,
        section=paragraph.section,
        section_kind=paragraph.section_kind,
        citations=citations,
        mentions=sorted(mentions, key=lambda m: m.start),
        preclinical=None if categories is None else "PRECLINICAL" in categories,
        hypothetical=None if categories is None else "HYPOTHETICAL" in categories,
        clinical=has_context(text, "clinical") if targets else None,
    )


def _abbreviation_mentions(
    reading: SentenceText, mentions: list[FieldMention], abbreviation_values: dict[str, list[tuple[str, str, str]]], nlp: Language
) -> list[FieldMention]:
    """A short form the paper defines anywhere ("intradiscal (ID)") read where a token of this sentence is it."""
    covered = {(m.field, m.start) for m in mentions}
    found = []
    for token in nlp.make_doc(text_for_nlp(reading.text)):
        for field, value, rule in abbreviation_values.get(token.text, ()):
            start = reading.start + token.idx
            if (field, start) not in covered:
                found.append(
                    FieldMention(field=field, value=value, rule=rule, start=start, end=start + len(token.text),
                                 text=reading.text[token.idx : token.idx + len(token.text)])
                )
    return found


def _spans_within(doc: Doc, sent) -> list:
    """The matcher's spans inside one sentence, found by bisection: testing every span against every sentence was quadratic."""
    index = doc.user_data.get("msc_spans_by_start")
    if index is None:
        spans = sorted(doc.spans[SPAN_KEY], key=lambda span: span.start)  # stable: equal starts keep the group's order
        index = doc.user_data["msc_spans_by_start"] = ([span.start for span in spans], spans)
    starts, spans = index
    return [span for span in spans[bisect_left(starts, sent.start) : bisect_left(starts, sent.end)] if span.end <= sent.end]


def _abbreviation_values(long_forms: dict[str, str], nlp: Language) -> dict[str, list[tuple[str, str, str]]]:
    """Short form → the field values its document-defined long form carries."""
    matcher = nlp.get_pipe("msc_field_matcher")
    values: dict[str, list[tuple[str, str, str]]] = {}
    for short, long in long_forms.items():
        long_doc = matcher(nlp.make_doc(long))
        for span in long_doc.spans[SPAN_KEY]:
            field, value = span.label_.split("=", 1)
            values.setdefault(short, []).append((field, value, f"abbreviation:{short}={long}>{span.id_}"))
    return values
