"""Doses from table cells (the header carries the unit) and from sentences."""

from __future__ import annotations

from extract.fields.evidence import FieldMention
from extract.normalize.dose import find_doses, header_multiplier, header_per, parse_doses, serialise_dose


def dose_cell_values(text: str, header: str) -> list[tuple[str, str]]:
    """A dose column's cell: bare numbers are in the unit its header states."""
    multiplier = header_multiplier(header)
    per = header_per(header)
    return [(serialise_dose(d), "table.dose>normalize.parse_doses") for d in parse_doses(text, multiplier, per)]


def dose_mentions(sentence: str, start: int) -> list[FieldMention]:
    """Doses a sentence states with their own unit ("0.3 M/kg", "150 million cells"), at the words that state them."""
    return [
        FieldMention(
            field="dose",
            value=serialise_dose(dose),
            rule="prose.dose>normalize.find_doses",
            start=start + begin,
            end=start + end,
            text=sentence[begin:end],
        )
        for begin, end, dose in find_doses(sentence)
    ]
