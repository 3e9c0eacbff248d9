"""spaCy's sentencizer, reading each distinct word once.

`Sentencizer.predict` makes a Token object for every token of every paragraph
to ask two questions whose answers depend on the word alone (is it
punctuation; is it a sentence-final character). This subclass asks them once
per word and walks the document as integers: the same sentence starts, the same
configuration (`punct_chars`, `overwrite`), the same name in the pipeline.
"""

from __future__ import annotations

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

WORD, OTHER_PUNCT, SENTENCE_END = 0, 1, 2


class WordSentencizer(Sentencizer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kinds: dict[int, int] = {}

    def predict(self, docs):
        return [self._starts(doc) for doc in docs]

    def _starts(self, doc: Doc) -> list[bool]:
        """Sentencizer.predict's rule: a sentence starts at the first plain word after a sentence-final character."""
        guesses = [False] * len(doc)
        if not guesses:
            return guesses
        guesses[0] = True
        start = 0
        seen_end = False
        for i, orth in enumerate(doc.to_array(ORTH).tolist()):
            kind = self._kinds.get(orth)
            if kind is None:
                kind = self._kinds[orth] = self._kind(orth, doc)
            if seen_end and kind == WORD:
                guesses[start] = True
                start = i
                seen_end = False
            elif kind == SENTENCE_END:
                seen_end = True
        guesses[start] = True
        return guesses

    def _kind(self, orth: int, doc: Doc) -> int:
        if doc.vocab.strings[orth] in self.punct_chars:
            return SENTENCE_END
        return OTHER_PUNCT if doc.vocab[orth].is_punct else WORD


@Language.factory(
    "msc_word_sentencizer",
    assigns=["token.is_sent_start", "doc.sents"],
    default_config={"punct_chars": None, "overwrite": False, "scorer": {"@scorers": "spacy.senter_scorer.v1"}},
)
def make_word_sentencizer(nlp: Language, name: str, punct_chars, overwrite: bool, scorer) -> WordSentencizer:
    return WordSentencizer(name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer)
