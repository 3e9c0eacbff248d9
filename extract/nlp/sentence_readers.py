"""The `msc_sentence_readers` component: the field readers of extract/fields run over each sentence of a Doc.

Fields with numbers or free text (dose, alloantibody results, presensitisation,
administrations, disease, sample size, follow-up, safety) are read by rule
readers, pure functions from a `SentenceText` to `FieldMention`s, one module a
field family (extract/fields/). This component runs them, in the order its
`readers` config names them, over every sentence of the Doc and writes what
they find where the field matcher writes its own: spans in
`doc.spans["readings"]`, labelled `field=value`, with the rule as the span's id.

What a reader needs from outside the Doc reaches it through the Doc:

* `doc.user_data["msc_reading"]` (`reading_input`): the paper's own characters
  of this Doc (the Doc holds them with dash look-alikes made one, and the
  readers read the paper's words), where the Doc begins in the paper (so
  mentions carry the paper's offsets) and its section kind. Without it a Doc is
  read alone: its own text, from offset 0, as a section of kind `other`.
* `values_wanted(section_kind, text)`, passed per call as spaCy passes settings
  to a component (`nlp.pipe(docs, component_cfg={"msc_sentence_readers":
  {"values_wanted": ...}})`): the sentences it turns down are not read at all.
* The abbreviations the Doc defines (`doc._.abbreviations`, the first
  definition of a short form wins). A paper may define one in a later
  paragraph than the one that uses it: the group's attrs note, sentence by
  sentence, each short form a reader asked for and what it was told
  (`long_forms_asked`), so whoever reads the whole paper re-reads the few
  sentences where the paper's definitions say otherwise (`needs_rereading`).

A reader's mention is at characters, a span at whole words: where the two
differ ("in 1/3 participants": the 3), or the words are not the paper's
slice at those characters, the group's attrs keep the mention's own
(`mentions`), so `readings` gives back exactly what the readers returned.

Config: `readers` (names of `READERS`, in order), `span_key`, and
`docs_per_turn` (`nlp.pipe` reads that many Docs at a time, see `pipe`). The
readers are code with their cue words in models/lexicons/ (installed with the
package): a saved pipeline carries their names, not their rules.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import minibatch

from extract.fields.administrations import administration_mentions
from extract.fields.alloantibodies import presensitized_mentions, result_mentions
from extract.fields.disease import disease_mentions
from extract.fields.dose import dose_mentions
from extract.fields.evidence import FieldMention
from extract.fields.follow_up import follow_up_mentions
from extract.fields.reading import SentenceReader, SentenceText
from extract.fields.safety import safety_mentions
from extract.fields.sample_size import sample_size_mentions
from extract.ingest.document import SectionKind

READINGS_KEY = "readings"
INPUT_KEY = "msc_reading"


def _doses(sentence: SentenceText) -> list[FieldMention]:
    return dose_mentions(sentence.text, sentence.start)


# Every reader a pipeline may name in its config, by the field it reads; the default config names them all,
# in the order their mentions are listed (where two start at the same place, the earlier reader's comes first).
READERS: dict[str, SentenceReader] = {
    "dose": _doses,
    "alloantibody_result": result_mentions,
    "presensitized": presensitized_mentions,
    "n_administrations": administration_mentions,
    "disease": disease_mentions,
    "sample_size": sample_size_mentions,
    "follow_up": follow_up_mentions,
    "safety": safety_mentions,
}


def reading_input(text: str, start: int = 0, section_kind: SectionKind = SectionKind.other) -> dict:
    """What `doc.user_data["msc_reading"]` holds: the paper's own characters of the Doc, where it begins in the
    paper, and its section kind (plain values, so the Doc still serialises)."""
    return {"text": text, "start": start, "section_kind": section_kind.value}


class _Asked(Mapping[str, str]):
    """The Doc's abbreviations as a reader sees them, noting each short form it asks for and what it was told."""

    def __init__(self, known: dict[str, str]):
        self._known = known
        self.asked: dict[str, str | None] = {}
        self.whole = False  # it looked at all of them (iterated, counted, compared)

    def __getitem__(self, short: str) -> str:
        long = self._known.get(short)
        self.asked.setdefault(short, long)
        if long is None:
            raise KeyError(short)
        return long

    def __iter__(self) -> Iterator[str]:
        self._all()
        return iter(self._known)

    def __len__(self) -> int:
        self._all()
        return len(self._known)

    def _all(self) -> None:
        self.whole = True
        for short, long in self._known.items():
            self.asked.setdefault(short, long)


def needs_rereading(asked: dict, long_forms: dict[str, str]) -> bool:
    """Whether a sentence read with the abbreviations noted in `asked` (one entry of `long_forms_asked`) would be
    read otherwise with `long_forms`, the whole paper's."""
    told = asked["told"]
    if any(long_forms.get(short) != long for short, long in told.items()):
        return True
    return asked["whole"] and len(long_forms) != sum(long is not None for long in told.values())


@dataclass
class SentenceReading:
    """What the readers found in one sentence, rebuilt from the Doc's spans."""

    mentions: list[FieldMention] = field(default_factory=list)
    asked: dict | None = None  # the abbreviations its readers asked for (`needs_rereading`), if any


class SentenceReaders:
    def __init__(self, nlp: Language, name: str, readers: Iterable[str], span_key: str, docs_per_turn: int):
        self.name = name
        self.reader_names = list(readers)
        unknown = [reader for reader in self.reader_names if reader not in READERS]
        if unknown:
            raise ValueError(f"{name}: no sentence reader named {', '.join(map(repr, unknown))} (known: {', '.join(READERS)})")
        self.readers = tuple(READERS[reader] for reader in self.reader_names)
        self.span_key = span_key
        self.docs_per_turn = max(1, docs_per_turn)

    def read(self, sentence: SentenceText) -> list[FieldMention]:
        """Every reader's mentions in one sentence, reader after reader."""
        return [mention for reader in self.readers for mention in reader(sentence)]

    def pipe(
        self, docs: Iterable[Doc], *, batch_size: int | None = None, values_wanted: Callable[[SectionKind, str], bool] | None = None
    ) -> Iterator[Doc]:
        """The Docs read in turns of `docs_per_turn`: the components before this one go through a turn's Docs,
        then the readers do (each code stays warm; ~3% of a paper's time). Not spaCy's `batch_size`, a
        thousand Docs: a paper's paragraph Docs are let go a few at a time (tests/test_hostile_text.py)."""
        for turn in minibatch(docs, size=self.docs_per_turn):
            for doc in turn:
                self(doc, values_wanted)
            yield from turn

    def __call__(self, doc: Doc, values_wanted: Callable[[SectionKind, str], bool] | None = None) -> Doc:
        given = doc.user_data.get(INPUT_KEY)
        if given is None:
            text, offset, section_kind = doc.text, 0, SectionKind.other
        else:
            text, offset, section_kind = given["text"], given["start"], SectionKind(given["section_kind"])
        known: dict[str, str] = {}
        for abbreviation in doc._.abbreviations:  # the first definition wins, as in the whole paper
            known.setdefault(abbreviation.text, abbreviation._.long_form.text)
        spans: list[Span] = []
        exact: dict[str, dict] = {}
        asked: list[dict] = []
        previous = ""
        for sent in doc.sents:
            # Sliced from the paper's characters, not Span.text: that rebuilds the string token by token.
            sentence_text = text[sent.start_char : sent.end_char]
            if not sentence_text.strip():
                continue
            if values_wanted is None or values_wanted(section_kind, sentence_text):
                long_forms = _Asked(known)
                sentence = SentenceText(sentence_text, offset + sent.start_char, previous, long_forms, section_kind)
                for mention in self.read(sentence):
                    span, kept = _span(doc, sent, mention, offset, text)
                    if kept:
                        exact[str(len(spans))] = kept
                    spans.append(span)
                if long_forms.asked:
                    asked.append({"sentence": sent.start_char, "told": long_forms.asked, "whole": long_forms.whole})
            previous = sentence_text
        doc.spans[self.span_key] = SpanGroup(
            doc, name=self.span_key, spans=spans, attrs={"mentions": exact, "long_forms_asked": asked}
        )
        return doc


def _span(doc: Doc, sent: Span, mention: FieldMention, offset: int, text: str) -> tuple[Span, dict]:
    """The mention as a span over the words it touches, and what of the mention the span does not say."""
    begin, end = mention.start - offset, mention.end - offset
    label = f"{mention.field}={mention.value}"
    span = doc.char_span(begin, end, label=label, span_id=mention.rule, alignment_mode="expand")
    if span is None or span.start < sent.start or span.end > sent.end:  # no word at those characters
        starts = [token.idx for token in sent]
        at = min(max(bisect_right(starts, begin) - 1, 0), len(starts) - 1) + sent.start
        span = Span(doc, at, at + 1, label=label, span_id=mention.rule)
    kept: dict = {}
    if (span.start_char, span.end_char) != (begin, end):
        kept.update(start=begin, end=end)
    if mention.text != text[begin:end]:
        kept["text"] = mention.text
    if mention.context:
        kept["context"] = list(mention.context)
    return span, kept


def readings(doc: Doc, span_key: str = READINGS_KEY) -> dict[int, SentenceReading]:
    """The readers' mentions of each sentence (by the sentence's first character in the Doc), in the order the
    readers returned them, at the paper's offsets and in its words."""
    if span_key not in doc.spans:
        return {}
    group = doc.spans[span_key]
    given = doc.user_data.get(INPUT_KEY)
    text, offset = (given["text"], given["start"]) if given is not None else (doc.text, 0)
    exact = group.attrs.get("mentions", {})
    found: dict[int, SentenceReading] = {}
    if len(group):
        # A span's sentence, found by bisection: Span.sent walks the tokens to the sentence's ends.
        sentence_starts = [0, *np.flatnonzero(doc.to_array(SENT_START) == 1).tolist()]
    for index, span in enumerate(group):
        kept = exact.get(str(index), {})
        begin, end = kept.get("start", span.start_char), kept.get("end", span.end_char)
        field_name, value = span.label_.split("=", 1)
        mention = FieldMention(
            field=field_name,
            value=value,
            rule=span.id_,
            start=offset + begin,
            end=offset + end,
            text=kept.get("text", text[begin:end]),
            context=kept.get("context", []),
        )
        sentence = doc[sentence_starts[bisect_right(sentence_starts, span.start) - 1]].idx
        found.setdefault(sentence, SentenceReading()).mentions.append(mention)
    for asked in group.attrs.get("long_forms_asked", ()):
        found.setdefault(asked["sentence"], SentenceReading()).asked = asked
    return found


@Language.factory(
    "msc_sentence_readers",
    default_config={"readers": list(READERS), "span_key": READINGS_KEY, "docs_per_turn": 32},
)
def make_sentence_readers(nlp: Language, name: str, readers: list[str], span_key: str, docs_per_turn: int) -> SentenceReaders:
    """The readers are code (extract/fields/), with their cue words in models/lexicons/: the config names them."""
    return SentenceReaders(nlp, name, readers, span_key, docs_per_turn)
