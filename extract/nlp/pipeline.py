"""Building the spaCy pipeline, offline.

The default is a blank English pipeline with scispaCy's tokenizer rules and
abbreviation detector (both ship as code); a scispaCy model such as
en_core_sci_sm, or any pipeline directory, is used instead when named and installed.
"""

from __future__ import annotations

import warnings
from functools import cache

import spacy
from spacy.language import Language

import extract.nlp.abbreviations  # noqa: F401  (registers msc_abbreviation_definitions)
import extract.nlp.context  # noqa: F401  (registers msc_context)
import extract.nlp.field_matcher  # noqa: F401  (registers msc_field_matcher)
import extract.nlp.sentences  # noqa: F401  (registers msc_array_sentencizer)
from extract.nlp.bounds import BoundedTokenizer

BLANK = "blank"
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
    if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
        nlp.add_pipe("msc_array_sentencizer", name="sentencizer")  # spaCy's rule, faster (extract/nlp/sentences.py)
    # scispaCy's detector, definitions only (extract/nlp/abbreviations.py).
    nlp.add_pipe("msc_abbreviation_definitions", name="abbreviation_detector")
    nlp.add_pipe("msc_field_matcher")
    nlp.add_pipe("msc_context")  # ConText modifiers of the matcher's spans (extract/nlp/context.py)
    nlp.meta["msc_extract_base"] = resolved
    return nlp


def pipeline_description(nlp: Language) -> str:
    return f"{nlp.meta.get('msc_extract_base', nlp.meta.get('name'))}: {' > '.join(nlp.pipe_names)}"
