"""Glyphs to lines: runs of characters on one baseline, with superscripts kept apart.

A PDF reader that sorts characters by position flattens ``10⁶`` to ``106`` and
a citation ``cells¹²`` to ``cells12``. Here a glyph that is both smaller than
its line and raised above its baseline is a superscript, and the line keeps it
as a separate piece, so the writer can print an exponent as ``10⁶`` and a
citation as ``[12]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from extract.ingest.pdf.glyphs import Glyph
from extract.paths import load_lexicon


def settings() -> dict:
    return load_lexicon("pdf_layout")


@dataclass
class Piece:
    text: str
    superscript: bool = False
    italic: bool = False
    origins: list[Glyph | None] = field(default_factory=list)
    """The glyph each character of ``text`` was printed from (None for a space the layout put in)."""


@dataclass
class Line:
    glyphs: list[Glyph]
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    baseline: float = 0.0
    size: float = 0.0
    bold: bool = False
    pieces: list[Piece] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def build_lines(glyphs: list[Glyph]) -> list[Line]:
    """Runs in content order, split where the text jumps, then joined when they share a baseline."""
    config = settings()
    same_line, run_gap = config["same_line"], config["run_gap"]
    runs: list[list[Glyph]] = []
    current: list[Glyph] = []
    size = 0.0
    baseline = 0.0
    previous = None
    for glyph in glyphs:
        if current:
            reference = size if size > glyph.size else glyph.size
            gap = glyph.x0 - previous.x1
            # A change of size across a wide gap is another block of text (a side column's small
            # print beside the body), not the next word.
            resized = gap > 0.5 * reference and not 0.85 < glyph.size / (size or 1.0) < 1.18
            if abs(glyph.baseline - baseline) > same_line * reference or gap > run_gap * reference or gap < -0.5 * reference or resized:
                runs.append(current)
                current = []
        if not current or glyph.size > size * 1.15:
            size, baseline = glyph.size, glyph.baseline
        current.append(glyph)
        previous = glyph
    if current:
        runs.append(current)
    shaped = [_Run(run) for run in runs]
    shaped = _attach_raised_runs(_merge_same_baseline(shaped, config), config)
    lines = [describe(run.glyphs) for run in shaped]
    return [line for line in lines if line.pieces and line.text.strip()]


class _Run:
    """Glyphs in a row, with the size and baseline of their main (not raised) text."""

    __slots__ = ("glyphs", "size", "baseline")

    def __init__(self, glyphs: list[Glyph]):
        self.glyphs = glyphs
        self.size = max(g.size for g in glyphs)
        floor = 0.9 * self.size
        self.baseline = median([g.baseline for g in glyphs if g.size >= floor])


def _attach_raised_runs(runs: list[_Run], config: dict) -> list[_Run]:
    """Superscripts a PDF wrote apart from their line (author marks, citations) go back into it."""
    if len(runs) < 2:
        return runs
    limit = config["superscript"]["max_size"]
    largest = max(run.size for run in runs)
    merged_into: dict[int, int] = {}
    for i, run in enumerate(runs):
        if run.size > limit * largest:
            continue  # only runs smaller than some other run can be raised marks
        for j, other in enumerate(runs):
            if i == j or j in merged_into or run.size > limit * other.size:
                continue
            raise_by = other.baseline - run.baseline
            if not (0.15 * other.size < raise_by < 0.75 * other.size):
                continue
            if run.glyphs[0].x0 >= other.glyphs[0].x0 - other.size and run.glyphs[-1].x1 <= other.glyphs[-1].x1 + other.size:
                merged_into[i] = j
                break
    if not merged_into:
        return runs
    combined = {j: list(run.glyphs) for j, run in enumerate(runs) if j not in merged_into}
    for i, j in merged_into.items():
        while j in merged_into:
            j = merged_into[j]
        combined[j].extend(runs[i].glyphs)
    targets = set(merged_into.values())
    return [_Run(sorted(glyphs, key=lambda g: g.x0)) if j in targets else runs[j] for j, glyphs in sorted(combined.items())]


def _merge_same_baseline(runs: list[_Run], config: dict) -> list[_Run]:
    """Join runs that a PDF wrote out of order but that sit side by side on one line."""
    if len(runs) < 2:
        return runs
    run_gap = config["run_gap"]
    keyed = sorted(runs, key=lambda r: (r.baseline, r.glyphs[0].x0))
    merged: list[_Run] = [keyed[0]]
    for run in keyed[1:]:
        last = merged[-1]
        gap = run.glyphs[0].x0 - last.glyphs[-1].x1
        resized = gap > 0.5 * last.size and not 0.85 < run.size / last.size < 1.18
        if abs(run.baseline - last.baseline) < 0.3 * last.size and -0.3 * last.size < gap <= run_gap * last.size and not resized:
            joined = _Run.__new__(_Run)
            joined.glyphs, joined.size, joined.baseline = last.glyphs + run.glyphs, max(last.size, run.size), last.baseline
            merged[-1] = joined
        else:
            merged.append(run)
    # Back to reading order within the page: top to bottom, then left to right.
    return sorted(merged, key=lambda r: (round(r.baseline), r.glyphs[0].x0))


def describe(glyphs: list[Glyph]) -> Line:
    config = settings()
    size = max(g.size for g in glyphs)
    floor = 0.9 * size
    body = [g for g in glyphs if g.size >= floor]
    baseline = median([g.baseline for g in body])
    superscript = config["superscript"]
    smallest_raised, least_raise = superscript["max_size"] * size, superscript["min_raise"] * size
    ligatures = config["ligatures"]
    word_gap = config["word_gap"]
    # Runs of one style as [characters, origins, raised, italic]; a space between runs is a run of its own.
    runs: list[list] = []
    last: list | None = None
    previous: Glyph | None = None
    x0, x1, top, bottom = glyphs[0].x0, glyphs[0].x1, glyphs[0].top, glyphs[0].bottom
    for glyph in glyphs:
        if glyph.x0 < x0:
            x0 = glyph.x0
        if glyph.x1 > x1:
            x1 = glyph.x1
        if glyph.top < top:
            top = glyph.top
        if glyph.bottom > bottom:
            bottom = glyph.bottom
        raised = glyph.size <= smallest_raised and baseline - glyph.baseline > least_raise
        italic = glyph.italic and not raised
        char = glyph.char
        if char in ligatures:
            char = ligatures[char]
        if previous is None:
            spaced = False
        elif glyph.space_before:
            spaced = True
        else:
            # a gap wider than word_gap of the smaller of the line's size and the larger glyph's
            larger = glyph.size if glyph.size > previous.size else previous.size
            spaced = glyph.x0 - previous.x1 > word_gap * (size if size < larger else larger)
        previous = glyph
        if last is not None and last[2] == raised and (last[3] == italic or (spaced and raised)):
            if spaced:
                # a space inside a run of one style stays in it ("1, 2", "in vitro")
                last[0].append(" ")
                last[1].append(None)
        else:
            if spaced:
                runs.append([[" "], [None], False, False])
            last = [[], [], raised, italic]
            runs.append(last)
        last[0].append(char)
        if len(char) == 1:
            last[1].append(glyph)
        else:
            last[1].extend([glyph] * len(char))
    bold_share = sum(1 for g in body if g.bold) / len(body)
    return Line(
        glyphs=glyphs,
        x0=x0,
        x1=x1,
        top=top,
        bottom=bottom,
        baseline=baseline,
        size=size,
        bold=bold_share > 0.8,
        pieces=_merge_runs(runs),
    )


def _merge_runs(runs: list[list]) -> list[Piece]:
    """Neighbouring runs of one style (a space between two plain runs) become one piece."""
    merged: list[Piece] = []
    for characters, origins, raised, italic in runs:
        if merged and merged[-1].superscript == raised and merged[-1].italic == italic:
            merged[-1].text += "".join(characters)
            merged[-1].origins += origins
        else:
            merged.append(Piece("".join(characters), raised, italic, origins))
    return merged


def split_at_gaps(line: Line, gap: float) -> list[Line]:
    """A line cut where the space between glyphs is wider than ``gap`` font sizes: table cells."""
    parts: list[list[Glyph]] = [[line.glyphs[0]]]
    for previous, glyph in zip(line.glyphs, line.glyphs[1:]):
        if glyph.x0 - previous.x1 > gap * line.size:
            parts.append([glyph])
        else:
            parts[-1].append(glyph)
    return [describe(part) for part in parts]
