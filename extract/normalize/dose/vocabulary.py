"""The dose vocabulary (``models/lexicons/dose_units.json``) and the units a dose is written in."""

from __future__ import annotations

import functools
from typing import Literal, get_args, get_origin

from extract.normalize.common import load_lexicon
from extract.normalize.values import Dose

CELL_UNIT = "1e6 cells"
CELL_EXPONENT = 6


def _literal_values(annotation: object) -> tuple[str, ...]:
    """The strings of a ``Literal[...] | None`` annotation."""
    if get_origin(annotation) is Literal:
        return tuple(a for a in get_args(annotation) if isinstance(a, str))
    return tuple(v for arg in get_args(annotation) for v in _literal_values(arg))


# What a dose may be per; `per` itself is optional (FIELD_GUIDE: written only where the paper says it).
PER_VALUES: tuple[str, ...] = _literal_values(Dose.model_fields["per"].annotation)


@functools.cache
def units() -> dict:
    return load_lexicon("dose_units")
