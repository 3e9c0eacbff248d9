"""Building the spaCy pipeline, offline.

The default is a blank English pipeline with scispaCy's tokenizer rules and
abbreviation detector (both ship as code); a scispaCy model such as
en_core_sci_sm, or any pipeline directory, is used instead when named and installed.

Our components go in under our own names: `msc_sentencizer` (unless the base
already sets sentences), `msc_abbreviation_definitions`, `msc_field_matcher`,
`msc_sentence_readers` (the rule readers of extract/fields over each sentence)
and `msc_context` (ConText modifiers of the matcher's spans).
A folder saved from this pipeline (`nlp.to_disk`) already holds them, the field
matcher with the rules it was saved with; they are kept, not added twice.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import cache

import spacy
from spacy.language import Language

import extract.nlp.abbreviations  # noqa: F401  (registers msc_abbreviation_definitions)
import extract.nlp.context  # noqa: F401  (registers msc_context)
import extract.nlp.field_matcher  # noqa: F401  (registers msc_field_matcher)
import extract.nlp.sentence_readers  # noqa: F401  (registers msc_sentence_readers)
import extract.nlp.sentences  # noqa: F401  (registers msc_sentencizer)
from extract.nlp.bounds import BoundedTokenizer
from extract.paths import load_lexicon

BLANK = "blank"
SENTENCIZER = "msc_sentencizer"
ABBREVIATIONS = "msc_abbreviation_definitions"
FIELD_MATCHER = "msc_field_matcher"
SENTENCE_READERS = "msc_sentence_readers"
CONTEXT = "msc_context"
# Components (by factory) that already set sentence boundaries.
SENTENCE_SETTERS = {"parser", "senter", "sentencizer", SENTENCIZER}
PREFERRED_MODELS = ("en_core_sci_md", "en_core_sci_sm")


def _blank_scientific() -> Language:
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    nlp = spacy.blank("en")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        nlp.tokenizer = combined_rule_tokenizer(nlp)
    return nlp


def resolve_pipeline_name(name: str | None) -> str:
    """`auto` (or None) picks an installed scispaCy model, else the blank pipeline."""
    if name in (None, "auto"):
        for model in PREFERRED_MODELS:
            if spacy.util.is_package(model):
                return model
        return BLANK
    return name


@cache
def build_pipeline(name: str | None = "auto") -> Language:
    resolved = resolve_pipeline_name(name)
    if resolved == BLANK:
        nlp = _blank_scientific()
    else:
        # A model or a pipeline directory; components we don't need stay off for speed.
        nlp = spacy.load(resolved, exclude=["ner", "lemmatizer", "attribute_ruler", "tagger"])
    nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)  # extract/nlp/bounds.py: no word may cost quadratic time
    if not set(nlp.pipe_factories.values()) & SENTENCE_SETTERS:
        _add_ours(nlp, SENTENCIZER, _sentencizer_config())  # spaCy's rule, faster (extract/nlp/sentences.py)
    _add_ours(nlp, ABBREVIATIONS)  # scispaCy's detector, definitions only (extract/nlp/abbreviations.py)
    if (matcher := _add_ours(nlp, FIELD_MATCHER)) is not None:
        matcher.initialize()  # the rules of models/patterns; a saved pipeline's came with it
    _add_ours(nlp, SENTENCE_READERS)  # the readers of extract/fields, named in its config
    if (context := _add_ours(nlp, CONTEXT)) is not None:
        context.initialize()  # the rules of models/context, likewise
    nlp.meta["msc_extract_base"] = resolved
    return nlp


@cache
def sentence_splitter() -> Language:
    """The blank pipeline's tokenizer and sentence splitter alone, for text read outside a pipeline
    (`extract.nlp.sentences.sentence_spans`)."""
    nlp = _blank_scientific()
    nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    _add_ours(nlp, SENTENCIZER, _sentencizer_config())
    return nlp


def _sentencizer_config() -> dict:
    # The abbreviations go into the component's config, so a saved pipeline carries them.
    return {"continuing_abbreviations": load_lexicon("sentences")["continuing_abbreviations"]}


def _add_ours(nlp: Language, factory: str, config: dict | None = None) -> Callable | None:
    """Add our component under its factory's name, unless the base has one (a folder saved from this pipeline)."""
    if factory in nlp.pipe_factories.values():
        return None
    return nlp.add_pipe(factory, config=config or {})


def pipeline_description(nlp: Language) -> str:
    return f"{nlp.meta.get('msc_extract_base', nlp.meta.get('name'))}: {' > '.join(nlp.pipe_names)}"
