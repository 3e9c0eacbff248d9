"""Alloantibody results and presensitisation, from the words that state them.

A count or share is a result only where the sentence, or the one just before
it ("TESI injection in all studies led to the development of alloantibodies.
The values were variable, ranging from one single patient [46, 47] ..."),
speaks of alloantibodies. A negation ("no patient developed DSA") is a result
of 0. A share is a presensitisation only where the sentence speaks of
antibodies before treatment and does not compare groups ("30% vs. 11%").
"""

from __future__ import annotations

from extract.fields.evidence import FieldMention
from extract.fields.reading import SentenceText, has_cue
from extract.nlp.context import context_engine
from extract.normalize.results import find_alloantibody_result_spans, find_percent_spans, serialise_percent, serialise_result
from extract.normalize.values import AlloantibodyResult

LEXICON = "alloantibodies"


def speaks_of_alloantibodies(text: str) -> bool:
    return has_cue(text, LEXICON, "antibody_cues")


def result_mentions(sentence: SentenceText) -> list[FieldMention]:
    if has_cue(sentence.text, LEXICON, "presensitized_cues"):
        return []
    own_topic = speaks_of_alloantibodies(sentence.text)
    # A sentence that only continues the one before may not change the subject to adverse events.
    borrowed_topic = speaks_of_alloantibodies(sentence.previous) and not has_cue(sentence.text, "safety", "cues")
    if not (own_topic or borrowed_topic):
        return []
    negations = [m for m in context_engine().modifiers(sentence.text) if m.category == "NEGATED_EXISTENCE"]
    mentions = []
    for begin, end, result in find_alloantibody_result_spans(sentence.text):
        rule = "prose.alloantibody_result>normalize.results"
        if result.positive and result.total is None and result.percent is None and any(
            m.covers(begin, end, "alloantibody_result") for m in negations
        ):
            # "DSA was not detected in 5 patients": none of the 5, unless they are the rest of a count before.
            if has_cue(sentence.text[max(0, begin - 25) : begin], LEXICON, "complement_cues"):
                continue
            result, rule = AlloantibodyResult(positive=0, total=result.positive), f"{rule}:negated"
        # A bare negation must deny antibodies in its own words, not "did not elicit proliferative responses".
        if own_topic or result.positive != 0 or result.total is not None:
            mentions.append(sentence.mention("alloantibody_result", serialise_result(result), rule, begin, end))
    return mentions


def presensitized_mentions(sentence: SentenceText) -> list[FieldMention]:
    text = sentence.text
    if not has_cue(text, LEXICON, "presensitized_cues") or not has_cue(text, LEXICON, "presensitized_share_cues"):
        return []
    if has_cue(text, LEXICON, "comparison_cues"):
        return []
    return [
        sentence.mention("presensitized", serialise_percent(percent), "prose.presensitized>normalize.results", begin, end)
        for begin, end, percent in find_percent_spans(text)
    ]
