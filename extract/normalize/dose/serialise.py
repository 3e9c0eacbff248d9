"""A dose in the FIELD_GUIDE long-table form, and back.

``value=100;unit=1e6 cells;arm=100M`` or ``low=0.5;high=1;unit=1e6 cells;per=kg``.
``per`` is written only where the dose has one: a bare count ("150 million cells")
states nothing about what it is per, and writing ``per=total`` for it would claim
more than the paper says.
"""

from __future__ import annotations

from extract.normalize.common import join_pairs, split_pairs
from extract.normalize.numbers import format_number
from extract.normalize.values import Dose

_NUMBER_KEYS = ("value", "low", "high")
_TEXT_KEYS = ("unit", "per", "arm")


def serialise_dose(dose: Dose) -> str:
    """Numbers are the shortest exact decimal (``0.5``, ``100``); unit is always written, per and arm where set."""
    pairs: list[tuple[str, str]] = []
    for key in _NUMBER_KEYS:
        number = getattr(dose, key)
        if number is not None:
            pairs.append((key, format_number(number)))
    pairs.append(("unit", dose.unit))
    for key in ("per", "arm"):
        text = getattr(dose, key)
        if text is not None:
            pairs.append((key, text))
    return join_pairs(pairs)


def parse_serialised_dose(text: str) -> Dose:
    """Inverse of :func:`serialise_dose`; also reads hand-written gold rows (any key order,
    spaces, a missing unit takes the FIELD_GUIDE default, a missing per stays unstated).
    Raises ValueError on an unknown key, an unknown per or an unreadable number."""
    pairs = split_pairs(text)
    unknown = set(pairs) - {*_NUMBER_KEYS, *_TEXT_KEYS}
    if unknown:
        raise ValueError(f"unknown dose keys: {sorted(unknown)}")
    fields: dict[str, object] = {}
    for key in _NUMBER_KEYS:
        if key in pairs:
            fields[key] = float(pairs[key])
    for key in _TEXT_KEYS:
        if key in pairs:
            fields[key] = pairs[key]
    return Dose(**fields)
