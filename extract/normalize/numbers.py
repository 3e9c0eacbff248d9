"""Numbers as papers write them, read exactly.

Papers and their exports write one quantity many ways: ``1,000``, ``0.5``,
``−2`` (unicode minus), ``twenty-five``, ``one single``, ``1e6``, ``10⁶``,
``10^6``, LaTeX (``$2.65 \\pm 0.8 \\times 10^4$``), and, after a PDF or XML
export drops a superscript, ``6 × 106 cells`` meaning 6 × 10^6. This module
turns all of them into one plain-text shape (``2.65 ± 0.8 × 10^4``) and reads
that shape with :class:`decimal.Decimal`, so ``2.65 × 10^4 / 10^6`` is
exactly ``0.0265`` and never ``0.026500000000000003``.

Everything here is pure; vocabulary (number words, magnitude words) comes from
``models/lexicons/numbers.json``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from extract.normalize.common import load_lexicon

# A digit number: thousands groups ("1,000" but not "20, 100"), decimals, an
# optional e-exponent. Not preceded by a letter or digit, so "CD4", "L5" and
# the "5" of "2.5" are not numbers of their own.
DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?:\.\d+)?|\.\d+"
NUMBER = rf"(?<![\w.])(?:{DIGITS})(?:[eE][+-]?\d+(?![\w]))?"
NUMBER_RE = re.compile(NUMBER)

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_RANGE_DASH = "–"

_LATEX_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    (r"\times", " × "),
    (r"\pm", " ± "),
    (r"\cdot", " × "),
    (r"\le", " ≤ "),
    (r"\ge", " ≥ "),
    (r"\%", "%"),
    (r"\,", " "),
    (r"\;", " "),
    (r"\ ", " "),
    (r"\mu", "µ"),
    (r"\textendash", "–"),
    (r"\sim", "~"),
)
_LATEX_POWER = re.compile(r"\^\s*\{\s*([+-]?\s*\d+)\s*\}")
_LATEX_COMMAND = re.compile(r"\\(?:mathrm|text|textrm|mathit|rm)\s*\{([^{}]*)\}")
_MULTIPLY_BETWEEN = re.compile(r"(?<=[\d)])\s*[xX*·]\s*(?=10(?:\d?\b|\^|\s\d))")
_TIMES_SPACING = re.compile(r"\s*×\s*")
_PM_SPACING = re.compile(r"\s*±\s*")
_RANGE_BETWEEN_DIGITS = re.compile(rf"(?<=\d)\s*[-{_DASHES}]\s*(?=\.?\d)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_LOST_EXPONENT = re.compile(r"×\s?10(?:\s([1-9])|([1-9]))(?![\d.,]\d|\d|\^)")
# PubMed writes a superscript in parentheses: "2 × 10(6)/kg", "x10(8)", "2 times 10(6)".
_PARENTHESISED_POWER = re.compile(r"(?P<times>(?:[×xX*·]|\btimes)\s*)10\((?P<exp>[+-]?\d{1,2})\)")
# "10e6", "4*10e8", "5x10E6": clinicians write "10e" for "10 to the", never "10 × 10^6"
# (no one writes a mantissa of ten after another mantissa), so the 10 is the base.
_TEN_E_POWER = re.compile(r"(?<![\d.])(?<![A-WYZa-wyz_])10[eE](?P<exp>[+-]?\d{1,2})(?![\w.])")
# European exports write decimal commas ("1,5-3,0 10E6 MSC/kg", "1,5-2,0 mln"). A comma followed by one
# or two digits is never a thousands separator; it is read as a decimal point only before a magnitude,
# where a list ("1,2 and 3") cannot be meant.
_DECIMAL_COMMA = re.compile(
    rf"(?<![\d.,])(?P<int>\d{{1,3}}),(?P<frac>\d{{1,2}})(?!\d)"
    rf"(?=(?:\s*[-{_DASHES}]\s*\d{{1,3}},\d{{1,2}})?\s*(?:[×xX*·]\s*10|10[\^eE(]|(?i:mln|million)\b|M\b))"
)
# "3.0 10^6 MSC/kg": a decimal mantissa and a power of ten with nothing between are one number.
_UNWRITTEN_TIMES = re.compile(r"(?:(?<=\.\d)|(?<=\.\d\d))\s+(?=10\^[+-]?\d)")
_TIMES_WORD = re.compile(r"(?<=\d)\s+times\s+(?=10\^)")
# Exports that space every character break a decimal ("0. 5x106", "1. 0* 108"); only right before a
# multiplication by ten is that surely one number and not a sentence end and a new number.
# A range or an e-notation may come between ("0. 5-1. 0 * 106", "1. 0E+6").
_BROKEN_DECIMAL = re.compile(
    rf"(?<![\w.])(?P<int>\d{{1,2}})\. (?P<frac>\d{{1,2}})"
    rf"(?=[eE][+-]?\d|\s*(?:[-{_DASHES}]\s*\d{{1,3}}(?:\. ?\d{{1,2}})?\s*)?(?:(?:[×xX*·]|\\times)\s*10|(?i:million|billion|mln)\b))"
)
# The same exports break a lost superscript from its ten: "1 x 10. 6 MSCs" is 1 × 10 6, restored below
# (like "× 10 6") only where cells follow.
_BROKEN_POWER = re.compile(r"(?<=[×xX*])(?P<space>\s?)10\. (?=[1-9](?!\d))")


@dataclass(frozen=True)
class Measurement:
    """A reported number, its ± spread if any, and its power of ten.

    ``2.65 ± 0.8 × 10^4`` is Measurement(Decimal("2.65"), Decimal("0.8"), 4);
    ``value`` applies the exponent.
    """

    mantissa: Decimal
    spread: Decimal | None = None
    exponent: int = 0

    @property
    def value(self) -> float:
        return to_float(self.mantissa.scaleb(self.exponent))


def to_float(number: Decimal) -> float:
    """The float nearest a Decimal: exact decimal arithmetic, one rounding."""
    return float(number)


def format_number(number: float | int | Decimal) -> str:
    """Shortest plain decimal that reads back as the same float.

    Uses the float's shortest round-trip repr and writes it positionally
    (``1e-05`` -> ``0.00001``, ``100.0`` -> ``100``), so serialised values are
    exact and free of noise like ``0.50000001``.
    """
    if isinstance(number, Decimal):
        number = float(number)
    if isinstance(number, int):
        return str(number)
    if not math.isfinite(number):
        return repr(number)
    if number != 0 and not 1e-6 <= abs(number) < 1e16:
        return repr(number)
    text = format(Decimal(repr(number)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def to_decimal(digits: str) -> Decimal | None:
    """``"1,000.5"`` -> Decimal("1000.5"); None when it is not a number."""
    try:
        return Decimal(digits.replace(",", "").strip())
    except InvalidOperation:
        return None


# ---------------------------------------------------------------- words


@functools.cache
def _number_words() -> dict[str, int]:
    lex = load_lexicon("numbers")
    words: dict[str, int] = {}
    for key in ("units", "tens", "hundreds", "scales"):
        words.update({w.lower(): int(v) for w, v in lex[key].items()})
    return words


@functools.cache
def _phrases() -> dict[str, int]:
    return {p.lower(): int(v) for p, v in load_lexicon("numbers")["phrases"].items()}


@functools.cache
def magnitude_words() -> dict[str, int]:
    """Lowercase magnitude word -> power of ten (``million`` -> 6)."""
    return {w.lower(): int(v) for w, v in load_lexicon("numbers")["magnitude_words"].items()}


@functools.cache
def magnitude_abbreviations() -> dict[str, int]:
    """Case-sensitive abbreviations (``M`` -> 6, as in ``100 M``)."""
    return {w: int(v) for w, v in load_lexicon("numbers")["magnitude_abbreviations"].items()}


def regex_alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def pattern_union(patterns: list[str]) -> str:
    """Regular expressions as one alternation, the word boundary most of them open with tested once: Python's
    engine tries every alternative at every position, and a shared leading ``\\b`` it tries first turns most
    positions away at once (several times faster on a lexicon of cues)."""
    bounded = [p[2:] for p in patterns if p.startswith("\\b")]
    others = [p for p in patterns if not p.startswith("\\b")]
    parts = ([rf"\b(?:{'|'.join(f'(?:{p})' for p in bounded)})"] if bounded else []) + [f"(?:{p})" for p in others]
    return "|".join(parts)


@functools.cache
def word_number_pattern() -> str:
    """Regex (no groups) for a spelled-out number: ``one``, ``twenty-five``,
    ``one hundred and twenty``, ``one single``.

    Million/billion are left out on purpose: they are magnitudes, read by the
    dose grammar as units of 10^6 and 10^9 cells.
    """
    words = regex_alternation(list(_number_words()))
    fillers = regex_alternation(load_lexicon("numbers")["fillers"])
    phrases = regex_alternation(list(_phrases()))
    word = rf"(?:{words})"
    # "and" only after "hundred" ("one hundred and two"), so "one and two"
    # stays two numbers; separators are unambiguous and the length bounded
    # (no number needs more than seven words) to keep matching linear.
    compound = rf"{word}(?:[\s-]+(?:(?<=hundred[\s-])and[\s-]+)?{word}){{0,6}}(?:\s+(?:{fillers}))?"
    return rf"(?i:\b(?:{phrases}|{compound})\b)"


def parse_word_number(text: str) -> int | None:
    """``"twenty-five"`` -> 25, ``"one single"`` -> 1, ``"one hundred and two"``
    -> 102; None when a word is not a number word or the words do not form one
    number (``"one two"``, ``"twenty thirty"``)."""
    cleaned = " ".join(text.lower().split())
    if cleaned in _phrases():
        return _phrases()[cleaned]
    tokens = [t for t in re.split(r"[\s-]+", cleaned) if t]
    fillers = {f.lower() for f in load_lexicon("numbers")["fillers"]}
    while len(tokens) > 1 and tokens[-1] in fillers:
        tokens.pop()
    words = _number_words()
    if not tokens or any(t not in words and t != "and" for t in tokens):
        return None
    if not _well_formed([t for t in tokens], words):
        return None
    total, current = 0, 0
    for token in tokens:
        if token == "and":
            continue
        value = words[token]
        if value == 100:
            current = (current or 1) * 100
        elif value >= 1000:
            total += (current or 1) * value
            current = 0
        else:
            current += value
    return total + current


def _kind(value: int) -> str:
    if value == 0:
        return "zero"
    if value < 10:
        return "unit"
    if value < 20:
        return "teen"
    if value < 100:
        return "ten"
    return "hundred" if value == 100 else "scale"


# Which kind of number word may follow which: "twenty" + "five", "one" +
# "hundred", "hundred" + "and" + "two", "five" + "thousand".
_FOLLOWS: dict[str | None, set[str]] = {
    None: {"zero", "unit", "teen", "ten", "hundred", "scale"},
    "zero": set(),
    "unit": {"hundred", "scale"},
    "teen": {"hundred", "scale"},
    "ten": {"unit", "scale"},
    "hundred": {"unit", "teen", "ten", "scale", "and"},
    "scale": {"unit", "teen", "ten", "and"},
    "and": {"unit", "teen", "ten"},
}


def _well_formed(tokens: list[str], words: dict[str, int]) -> bool:
    previous: str | None = None
    for token in tokens:
        kind = "and" if token == "and" else _kind(words[token])
        if kind not in _FOLLOWS[previous]:
            return False
        previous = kind
    return previous != "and"


# ---------------------------------------------------------------- text


@dataclass(frozen=True)
class MappedText:
    """Text rewritten by substitutions that remembers where each character came
    from, so a value read from normalised text can point back at the paper's
    own characters (FIELD_GUIDE: every value is traceable to its words).

    ``origin[i]`` is the offset in the original text of character ``i``;
    ``origin`` has one extra entry, the original length.
    """

    text: str
    origin: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> MappedText:
        return cls(text, tuple(range(len(text) + 1)))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) of the normalised slice ``[start:end]``."""
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1

    def sub(
        self,
        pattern: re.Pattern[str] | str,
        replacement: str | Callable[[re.Match[str]], str],
    ) -> MappedText:
        """``re.sub`` that carries the offsets along; replaced characters map
        into the span they replace."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        # A replacement without group references is itself; re's template
        # expansion per match was most of the time spent here.
        literal = replacement if isinstance(replacement, str) and "\\" not in replacement else None
        if regex.search(self.text) is None:
            return self  # most patterns find nothing in most sentences: no string is rebuilt
        if literal is not None and regex.sub(literal, self.text) == self.text:
            return self  # every match already reads as its replacement ("  " -> " " finds single spaces)
        pieces: list[str] = []
        origin: list[int] = []
        last = 0
        for match in regex.finditer(self.text):
            start, end = match.span()
            if literal is not None:
                new = literal
            else:
                new = replacement(match) if callable(replacement) else match.expand(replacement)
            if new == match.group(0):
                continue
            pieces.append(self.text[last:start])
            origin.extend(self.origin[last:start])
            pieces.append(new)
            width = end - start
            origin.extend(self.origin[start + (i * width) // len(new)] if width else self.origin[start] for i in range(len(new)))
            last = end
        if not pieces:
            return self
        pieces.append(self.text[last:])
        origin.extend(self.origin[last:])
        return MappedText("".join(pieces), tuple(origin))


def without_broken_number_stops(text: str) -> str:
    """`text` with the full stops of broken numbers removed, keeping its length: "0. 5x106" -> "00.5x106",
    "1 x 10. 6 MSCs" -> "1 x 10  6 MSCs". For the sentence splitter, which would end a sentence there."""
    if ". " not in text:
        return text
    text = _BROKEN_DECIMAL.sub(lambda m: f"0{m.group('int')}.{m.group('frac')}", text)
    return _BROKEN_POWER.sub(lambda m: f"{m.group('space')}10  ", text)


def normalize_numeric_text(text: str, cell_context: bool = False) -> str:
    """Rewrite every way of writing a number into one plain shape.

    LaTeX (``$\\times 10^{6}$``) and unicode (``10⁶``, ``−``, ``–``, thin
    spaces) become ``× 10^6``, ``±``, ``-`` and ``–``; a dash between two
    numbers becomes the range dash ``–``; ``x``/``*``/``·`` between a number
    and ``10`` become ``×``. PubMed's ``× 10(6)``, ``10e6`` (ten to the sixth),
    ``2 times 10^6`` and a decimal broken by a space before ``× 10`` (``0. 5x106``)
    become ``× 10^6`` forms. Superscripts lost in export (``× 106``,
    ``× 10 6``) are restored by :func:`restore_lost_exponents`.
    """
    return normalize_mapped(text, cell_context).text


_OTHER_DASHES = "[" + "".join(d for d in _DASHES if d != _RANGE_DASH) + "]"


def normalize_mapped(text: str, cell_context: bool = False) -> MappedText:
    """:func:`normalize_numeric_text` keeping offsets into ``text``."""
    out = MappedText.of(text).sub(r"\$", " ")
    # Every LaTeX command starts with a backslash; most text has none to rewrite.
    if "\\" in out.text:
        out = out.sub(_LATEX_COMMAND, r"\1")
    out = out.sub(_LATEX_POWER, lambda m: "^" + m.group(1).replace(" ", ""))
    if "\\" in out.text:
        for latex, plain in _LATEX_REPLACEMENTS:
            out = out.sub(re.escape(latex) + r"(?![A-Za-z])", plain)
    out = out.sub(r"[{}]", "")
    out = out.sub(_SUPERSCRIPT_RUN, lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS))
    out = out.sub(r"\^ ", "^")
    out = out.sub(_SPACES, " ")
    if ". " in out.text:
        out = out.sub(_BROKEN_DECIMAL, r"\g<int>.\g<frac>")
        out = out.sub(_BROKEN_POWER, r"\g<space>10 ")
    if "," in out.text:
        out = out.sub(_DECIMAL_COMMA, r"\g<int>.\g<frac>")
    if "10" in out.text:  # every form below writes a 10; most sentences hold none
        out = out.sub(_PARENTHESISED_POWER, r"\g<times>10^\g<exp>")
        out = out.sub(_TEN_E_POWER, r"10^\g<exp>")
        out = out.sub(_TIMES_WORD, " × ")
        out = out.sub(_UNWRITTEN_TIMES, " × ")
    out = out.sub(_RANGE_BETWEEN_DIGITS, _RANGE_DASH)
    out = out.sub(_OTHER_DASHES, "-")
    out = out.sub(_MULTIPLY_BETWEEN, " × ")
    out = out.sub(_TIMES_SPACING, " × ")
    out = out.sub(_PM_SPACING, " ± ")
    out = out.sub(_SPACES, " ")
    return _restore_lost_exponents(out, cell_context)


def restore_lost_exponents(text: str, cell_context: bool = False) -> str:
    """``6 × 106 hADSCs`` -> ``6 × 10^6 hADSCs`` when the words after make it a
    cell count.

    A lost superscript is only assumed right after ``×`` and when a cell word,
    a ``per``/``/`` denominator, or (with ``cell_context``, e.g. a table cell
    under a "× 10^6 cells" header) the end of the text follows; ``3 × 106 mm``
    stays a product.
    """
    return _restore_lost_exponents(MappedText.of(text), cell_context).text


def _restore_lost_exponents(mapped: MappedText, cell_context: bool) -> MappedText:
    def replace(match: re.Match[str]) -> str:
        digit = match.group(1) or match.group(2)
        if _cell_context_follows(mapped.text, match.end(), cell_context):
            return f"× 10^{digit}"
        return match.group(0)

    return mapped.sub(_LOST_EXPONENT, replace)


@functools.cache
def _cell_suffix_re() -> re.Pattern[str]:
    suffixes = load_lexicon("dose_units")["cell_word_suffixes"]
    return re.compile(rf"(?i)^[\w-]*(?:{regex_alternation(suffixes)})$")


def is_cell_word(token: str) -> bool:
    """``cells``, ``MSCs``, ``hADSCs``, ``BM-MSCs``, ``ISCs`` ... (lexicon suffixes)."""
    return bool(_cell_suffix_re().match(token.strip(".,;:()[]")))


def names_cells(words: list[str]) -> bool:
    """Whether these words (the few after a number) name cells: a cell word ("MSCs"), or a product
    named without one ("adipose-derived stromal vascular fraction")."""
    if any(is_cell_word(w) for w in words):
        return True
    joined = " ".join(words).lower()
    return any(phrase in joined for phrase in load_lexicon("dose_units")["cell_phrases"])


_CELL_WORD_WINDOW = 5
# The first end of a range whose second end carries its own (lost) power: "2 × 106 – 6 × 106/kg".
_RANGE_TO_POWER = re.compile(r"\s*–\s*\.?\d[\d.,]*\s*×\s?10(?:\^[+-]?\d{1,2}|\s?[1-9])(?![\d.,]\d|\d)")


def _cell_context_follows(text: str, position: int, at_end_is_cells: bool) -> bool:
    rest = text[position:]
    range_end = _RANGE_TO_POWER.match(rest)
    if range_end:
        return _cell_context_follows(text, position + range_end.end(), at_end_is_cells)
    if not rest.strip() or re.match(r"\s*[)\].;,]?\s*$", rest):
        return at_end_is_cells
    if re.match(r"\s*(?:/|per\b)", rest, re.IGNORECASE):
        return True
    # "2 × 106 of autologous mesenchymal stem cells": a cell word may follow a few qualifiers.
    words = re.findall(r"[\w-]+", rest[:80])
    return names_cells(words[:_CELL_WORD_WINDOW])


# ---------------------------------------------------------------- parsing

_MEASUREMENT_RE = re.compile(
    rf"^\s*(?P<sign>[-+])?(?P<num>{NUMBER})?\s*(?:±\s*(?P<spread>{NUMBER}))?"
    rf"\s*(?:(?P<times>×)?\s*10\^(?P<exp>[+-]?\d+))?\s*$"
)


def parse_measurement(text: str, cell_context: bool = False) -> Measurement | None:
    """Read a whole string as one reported number (with optional ± and ×10^N).

    ``"3.08 \\pm 0.52"`` -> mantissa 3.08, spread 0.52;
    ``"$2.65 \\pm 0.8 \\times 10^4$"`` -> 2.65, 0.8, exponent 4;
    ``"10⁶"`` -> 1 × 10^6; ``"1e6"`` -> 1 × 10^6; ``"twenty-five"`` -> 25.
    Returns None for anything that is not exactly one number.
    """
    normal = normalize_numeric_text(text, cell_context=cell_context).strip()
    word = parse_word_number(normal)
    if word is not None:
        return Measurement(Decimal(word))
    match = _MEASUREMENT_RE.match(normal)
    if not match or not (match.group("num") or match.group("exp")):
        return None
    if match.group("num") and match.group("exp") and not match.group("times"):
        return None  # "5 10^6" is two numbers, not one
    if match.group("spread") and not match.group("num"):
        return None
    exponent = int(match.group("exp")) if match.group("exp") else 0
    mantissa_text = match.group("num") or "1"
    mantissa, e_exponent = split_e_notation(mantissa_text)
    if match.group("sign") == "-":
        mantissa = -mantissa
    spread = None
    if match.group("spread"):
        spread_value, spread_exp = split_e_notation(match.group("spread"))
        spread = spread_value.scaleb(spread_exp)
    return Measurement(mantissa, spread, exponent + e_exponent)


def split_e_notation(number_text: str) -> tuple[Decimal, int]:
    """``"1.5e6"`` -> (Decimal("1.5"), 6); ``"1,000"`` -> (Decimal("1000"), 0)."""
    head, _, exp = number_text.lower().partition("e")
    mantissa = to_decimal(head)
    if mantissa is None:
        raise ValueError(f"not a number: {number_text!r}")
    return mantissa, int(exp) if exp else 0


def parse_number(text: str, cell_context: bool = False) -> float | None:
    """One number in any of the forms papers use, as a float; None otherwise.

    The ± spread is dropped (it is not the value); ``×10^N`` is applied:
    ``parse_number("1,000")`` -> 1000.0, ``parse_number("−0.5")`` -> -0.5,
    ``parse_number("10^6")`` -> 1e6. A lost superscript (``"6 × 106"``) is
    read as 6 × 10^6 only with ``cell_context=True``; without it, it is not a
    single number and gives None.
    """
    measurement = parse_measurement(text, cell_context=cell_context)
    return None if measurement is None else measurement.value


def parse_exponent(text: str) -> int | None:
    """The N of a power of ten written ``10^N``, ``10⁶``, ``10^{6}``, ``1e6``
    or ``× 10 6`` / ``× 106`` (lost superscript); None if not a power of ten."""
    normal = normalize_numeric_text(text, cell_context=True).strip()
    normal = re.sub(r"^×\s*", "", normal)
    match = re.fullmatch(r"10\^([+-]?\d+)|1?[eE]([+-]?\d+)", normal)
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def find_numbers(text: str) -> list[tuple[int, int, float]]:
    """Every digit or word number in already-normalised text, as
    (start, end, value); the simple scanner the other normalisers share."""
    found: list[tuple[int, int, float]] = []
    pattern = re.compile(rf"{NUMBER}|{word_number_pattern()}")
    for match in pattern.finditer(text):
        token = match.group(0)
        value: float | None
        if token[0].isdigit() or token[0] == ".":
            mantissa, exponent = split_e_notation(token)
            value = to_float(mantissa.scaleb(exponent))
        else:
            word = parse_word_number(token)
            value = None if word is None else float(word)
        if value is not None:
            found.append((match.start(), match.end(), value))
    return found
