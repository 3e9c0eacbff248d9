"""Sentences, split one way everywhere: spaCy's sentencizer rule, reading the document as arrays instead of Token objects.

`Sentencizer.predict` makes a Token object for every token of every paragraph
to ask two questions whose answers depend on the word alone: is it a
sentence-final character, is it punctuation. Here the words come from
`Doc.to_array(ORTH)`, compared with the ids of the sentence-final characters,
and the punctuation flag is looked up only for a word after one, once per
word: the same configuration (`punct_chars`, `overwrite`) as spaCy's
`sentencizer`, under our own name, `msc_sentencizer`, so a pipeline's component
list says whose code splits its sentences. Its sentence starts are spaCy's but
for one rule: a full stop after an abbreviation (`models/lexicons/sentences.json`)
followed by a word in lowercase goes on ("1 million cells per kg. via a
peripheral vein"), where spaCy's would start a sentence.

`sentence_spans` splits text read outside a pipeline (the CORD-19 reader's
repeated passages, the opening a paper is judged by, the tests) with the same
tokenizer and rule, so no two parts of the tool disagree on where a sentence ends.
"""

from __future__ import annotations

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from extract.nlp.text import text_for_nlp
from extract.paths import load_lexicon


class ArraySentencizer(Sentencizer):
    def __init__(self, *args, continuing_abbreviations: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if continuing_abbreviations is None:
            continuing_abbreviations = load_lexicon("sentences")["continuing_abbreviations"]
        self.continuing_abbreviations = list(continuing_abbreviations)

    def predict(self, docs):
        return [self._starts(doc) for doc in docs]

    def _starts(self, doc: Doc) -> list[bool]:
        """Sentencizer.predict's rule: a sentence starts at the first plain word after a sentence-final character."""
        guesses = [False] * len(doc)
        if not guesses:
            return guesses
        ends, punct, abbreviations = self._word_tables(doc)
        guesses[0] = True
        start = 0
        seen_end = False
        orths = doc.to_array(ORTH).tolist()
        for i, orth in enumerate(orths):
            if orth in ends:
                # "per kg. via a peripheral vein": an abbreviation's stop, when the next word goes on in lowercase.
                seen_end = not (i > 0 and orths[i - 1] in abbreviations and _goes_on_in_lowercase(orths, i, doc))
            elif seen_end and not _is_punct(orth, punct, doc):
                guesses[start] = True
                start = i
                seen_end = False
        guesses[start] = True
        return guesses

    def _word_tables(self, doc: Doc) -> tuple[set[int], dict[int, bool], set[int]]:
        # Interning ~90 characters for every paragraph cost more than splitting it; once per vocabulary is enough.
        cached = getattr(self, "_tables", None)
        if cached is None or cached[0] is not doc.vocab:
            strings = doc.vocab.strings
            ends = {strings.add(char) for char in self.punct_chars}
            abbreviations = {strings.add(word) for word in self.continuing_abbreviations}
            cached = (doc.vocab, ends, {}, abbreviations)
            self._tables = cached
        return cached[1], cached[2], cached[3]


def _goes_on_in_lowercase(orths: list[int], stop: int, doc: Doc) -> bool:
    if stop + 1 >= len(orths):
        return False
    following = doc.vocab.strings[orths[stop + 1]]
    return following[:1].islower()


def _is_punct(orth: int, known: dict[int, bool], doc: Doc) -> bool:
    # Asked only of the word after a sentence end, and remembered: a lexeme flag, the same for every token of the word.
    flag = known.get(orth)
    if flag is None:
        flag = known[orth] = doc.vocab[orth].is_punct
    return flag


@Language.factory(
    "msc_sentencizer",
    assigns=["token.is_sent_start", "doc.sents"],
    default_config={
        "punct_chars": None,
        "overwrite": False,
        "continuing_abbreviations": None,  # None: models/lexicons/sentences.json
        "scorer": {"@scorers": "spacy.senter_scorer.v1"},
    },
)
def make_sentencizer(
    nlp: Language, name: str, punct_chars, overwrite: bool, continuing_abbreviations: list[str] | None, scorer
) -> ArraySentencizer:
    return ArraySentencizer(
        name, punct_chars=punct_chars, overwrite=overwrite, continuing_abbreviations=continuing_abbreviations, scorer=scorer
    )


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text` as the blank pipeline splits a paragraph (scispaCy's tokenizer
    rules, then the sentencizer's rule), offsets into `text`, white space around a sentence left out."""
    from extract.nlp.pipeline import sentence_splitter  # the pipeline module builds on this one's component

    spans = []
    for sentence in sentence_splitter()(text_for_nlp(text)).sents:
        start, end = sentence.start_char, sentence.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans
