"""What a dose column's header says about the bare numbers under it.

Tables write "Single dose of MSCs (× 10^6 cells)" once and plain "20" in each
cell: the header carries the magnitude (and sometimes "/kg"), the cells only
the mantissa.
"""

from __future__ import annotations

import re
from decimal import Decimal

from extract.normalize.dose.vocabulary import CELL_EXPONENT, units
from extract.normalize.numbers import (
    magnitude_abbreviations,
    magnitude_words,
    normalize_numeric_text,
    regex_alternation,
    to_float,
)


def header_multiplier(header: str) -> float | None:
    """How many 10^6 cells one unit of a dose column is, from its header.

    ``"Single dose of MSCs ($\\times 10^6$ cells)"`` -> 1.0 (values already in
    10^6 cells); ``"(× 10^5 cells)"`` -> 0.1; ``"(million cells)"`` -> 1.0.
    None when the header states no magnitude: the cells must then say it.
    """
    normal = normalize_numeric_text(header)
    match = re.search(r"(?<![\w.])(?:1\s*×\s*)?10\^([+-]?\d+)", normal)
    if match:
        return _in_millions(int(match.group(1)))
    words = re.search(rf"(?i:\b({regex_alternation(list(magnitude_words()))})\b)", normal)
    if words:
        return _in_millions(magnitude_words()[words.group(1).lower()])
    abbr = re.search(rf"(?<![\w])({regex_alternation(list(magnitude_abbreviations()))})(?![A-Za-z])", normal)
    if abbr:
        return _in_millions(magnitude_abbreviations()[abbr.group(1)])
    return None


def _in_millions(exponent: int) -> float:
    return to_float(Decimal(1).scaleb(exponent - CELL_EXPONENT))


def header_per(header: str) -> str | None:
    """The denominator a dose header states (``"cells/kg"`` -> ``"kg"``), else None."""
    per_units = units()["per_units"]
    pattern = rf"(?:/|\bper\s+)\s*({regex_alternation(list(per_units))})\b"
    match = re.search(pattern, normalize_numeric_text(header), re.IGNORECASE)
    return per_units[match.group(1).lower()] if match else None
