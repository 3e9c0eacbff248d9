"""The `msc_field_matcher` component: every field rule of models/patterns applied to a Doc.

Matches go to `doc.spans["fields"]`, labelled `field=value`, with the rule id as
the span's id, so a value never loses the rule that read it.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extract.nlp.patterns import FieldRule, load_rules

SPAN_KEY = "fields"


class FieldMatcher:
    def __init__(self, nlp: Language, rules: list[FieldRule]):
        self.rules = {rule.rule: rule for rule in rules}
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.token_matcher = Matcher(nlp.vocab)
        for rule in rules:
            if rule.phrases:
                self.phrase_matcher.add(rule.rule, list(nlp.tokenizer.pipe(rule.phrases)))
            if rule.pattern:
                self.token_matcher.add(rule.rule, [rule.pattern])

    def __call__(self, doc: Doc) -> Doc:
        by_field: dict[str, list[Span]] = {}
        for matcher in (self.phrase_matcher, self.token_matcher):
            for match_id, start, end in matcher(doc):
                rule = self.rules[doc.vocab.strings[match_id]]
                span = Span(doc, start, end, label=rule.label, span_id=rule.rule)
                by_field.setdefault(rule.field, []).append(span)
        spans: list[Span] = []
        for field_spans in by_field.values():
            # Within one field the longest reading wins ("umbilical cord blood" is cord blood).
            spans.extend(filter_spans(field_spans))
        doc.spans[SPAN_KEY] = sorted(spans, key=lambda s: (s.start, s.end))
        return doc


@Language.factory("msc_field_matcher", default_config={"patterns_dir": None})
def make_field_matcher(nlp: Language, name: str, patterns_dir: str | None) -> FieldMatcher:
    return FieldMatcher(nlp, load_rules(Path(patterns_dir) if patterns_dir else None))
