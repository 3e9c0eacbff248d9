"""Bounds on the work one paragraph or one word can ask of spaCy, whatever a paper holds.

Two inputs are superlinear in spaCy: a paragraph longer than `nlp.max_length`
(1,000,000 characters) is refused outright (E088), and the tokenizer strips
prefixes and suffixes from a word one at a time, re-reading the rest of the
word each time, so a "word" of 8,000 nested brackets takes half a minute.
Paragraphs are therefore cut (at a sentence end when there is one) before they
reach the pipeline, and a run of characters without whitespace is tokenized
in slices. Both keep every character where it was, so offsets into the paper
stay true; neither touches text a real paper holds (its longest paragraph is
~17,000 characters, its longest word well under 100).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from extract.ingest.document import Paragraph
from extract.nlp.sentences import sentence_spans

MAX_PARAGRAPH_CHARS = 50_000
"""A paragraph longer than this is read in pieces of at most this length."""
MAX_WORD_CHARS = 128
"""A run of non-space characters longer than this is tokenized in slices of this length."""

_SPACE = re.compile(r"\s+")
# Starts only where a run starts, so finding the long runs reads each character once.
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_WORD_CHARS + 1},}}")


def bounded_paragraphs(text: str, paragraphs: list[Paragraph], limit: int = MAX_PARAGRAPH_CHARS) -> list[Paragraph]:
    """The paragraphs, with any longer than `limit` cut into consecutive pieces no longer than it."""
    bounded: list[Paragraph] = []
    for paragraph in paragraphs:
        if paragraph.end - paragraph.start <= limit:
            bounded.append(paragraph)
            continue
        start = paragraph.start
        while paragraph.end - start > limit:
            cut = _cut(text, start + limit // 2, start + limit)
            bounded.append(paragraph.model_copy(update={"start": start, "end": cut}))
            start = cut
        bounded.append(paragraph.model_copy(update={"start": start, "end": paragraph.end}))
    return bounded


def _cut(text: str, earliest: int, latest: int) -> int:
    """Where to end a piece: where the last sentence that starts in [earliest, latest] starts (the pipeline's
    sentences, extract/nlp/sentences.py), else after the last space, else `latest`."""
    window = text[earliest:latest]
    sentences = sentence_spans(window)
    if len(sentences) > 1:
        return earliest + sentences[-1][0]
    last = None
    for last in _SPACE.finditer(window):
        pass
    return earliest + last.end() if last is not None else latest


class BoundedTokenizer:
    """A spaCy tokenizer that reads overlong runs of non-space characters in slices.

    Text without such a run goes to the wrapped tokenizer whole, so ordinary
    papers get exactly the tokens they always got. spaCy splits on whitespace
    before anything else, so the text between long runs (cut where the runs
    start and end) tokenizes as it would have in place.
    """

    def __init__(self, tokenizer, limit: int = MAX_WORD_CHARS):
        self.tokenizer = tokenizer
        self.limit = limit

    def __call__(self, text: str) -> Doc:
        runs = list(_LONG_RUN.finditer(text)) if len(text) > self.limit else []
        if not runs:
            return self.tokenizer(text)
        words: list[str] = []
        spaces: list[bool] = []
        position = 0
        for run in runs:
            self._extend(words, spaces, text[position : run.start()])
            for slice_start in range(run.start(), run.end(), self.limit):
                self._extend(words, spaces, text[slice_start : min(slice_start + self.limit, run.end())])
            position = run.end()
        self._extend(words, spaces, text[position:])
        return Doc(self.tokenizer.vocab, words=words, spaces=spaces)

    def _extend(self, words: list[str], spaces: list[bool], piece: str) -> None:
        if piece:
            doc = self.tokenizer(piece)
            words.extend(token.text for token in doc)
            spaces.extend(bool(token.whitespace_) for token in doc)

    def __getattr__(self, name: str):
        # vocab, explain, to_bytes …: whatever else spaCy asks of a tokenizer is the wrapped one's.
        if name == "tokenizer":  # not set yet (unpickling)
            raise AttributeError(name)
        return getattr(self.tokenizer, name)
