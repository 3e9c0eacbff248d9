"""Text that remembers, character by character, the glyph it was printed from.

The writer rewrites what the page shows (hyphens undone at line ends, citations
as ``[12]``, italics marked ``*…*``, a reference entry numbered ``12.``); every
step here carries the characters' origins along, so the laid-out text maps back
onto the page exactly, without searching the text for the page's words again.
A character the layout added (a space between lines, a bracket, a marker) has
no origin (``None``).
"""

from __future__ import annotations

from typing import Iterable

from extract.ingest.pdf.glyphs import Glyph


class Traced:
    __slots__ = ("text", "origins")

    def __init__(self, text: str = "", origins: list[Glyph | None] | None = None):
        self.text = text
        self.origins = origins if origins is not None else [None] * len(text)

    @classmethod
    def spread(cls, text: str, glyphs: list[Glyph | None]) -> "Traced":
        """A rewritten mark ("18–20" printed, "[18] [19] [20]" written): its characters share out the printed glyphs."""
        if not glyphs or not text:
            return cls(text)
        step = len(glyphs) / len(text)
        return cls(text, [glyphs[min(int(i * step), len(glyphs) - 1)] for i in range(len(text))])

    @classmethod
    def join(cls, separator: str, parts: Iterable["Traced"]) -> "Traced":
        texts: list[str] = []
        origins: list[Glyph | None] = []
        gap = [None] * len(separator)
        for index, part in enumerate(parts):
            if index:
                origins.extend(gap)
            texts.append(part.text)
            origins.extend(part.origins)
        return cls(separator.join(texts), origins)

    def __len__(self) -> int:
        return len(self.text)

    def __bool__(self) -> bool:
        return bool(self.text)

    def __add__(self, other: "Traced | str") -> "Traced":
        if isinstance(other, str):
            return Traced(self.text + other, self.origins + [None] * len(other))
        return Traced(self.text + other.text, self.origins + other.origins)

    def __radd__(self, other: str) -> "Traced":
        return Traced(other + self.text, [None] * len(other) + self.origins)

    def __getitem__(self, key: slice) -> "Traced":
        return Traced(self.text[key], self.origins[key])

    def strip(self) -> "Traced":
        return self.lstrip().rstrip()

    def lstrip(self) -> "Traced":
        kept = self.text.lstrip()
        return self if len(kept) == len(self.text) else self[len(self.text) - len(kept) :]

    def rstrip(self) -> "Traced":
        kept = self.text.rstrip()
        return self if len(kept) == len(self.text) else self[: len(kept)]

    def without(self, characters: str | set[str]) -> "Traced":
        """The text with every one of ``characters`` left out."""
        if not any(c in self.text for c in characters):
            return self
        kept = [i for i, c in enumerate(self.text) if c not in characters]
        return Traced("".join(self.text[i] for i in kept), [self.origins[i] for i in kept])

    def single_spaced(self) -> "Traced":
        """Every run of whitespace one space, and none at the ends."""
        text, origins = self.text, self.origins
        out: list[str] = []
        kept: list[Glyph | None] = []
        space = False
        for char, origin in zip(text, origins):
            if char.isspace():
                space = True
                continue
            if space and out:
                out.append(" ")
                kept.append(None)
            space = False
            out.append(char)
            kept.append(origin)
        return Traced("".join(out), kept)
