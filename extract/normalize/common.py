"""Shared plumbing for the normalisers: lexicon loading and the `key=value;...` form.

Kept apart from the parsers so every normaliser reads its vocabulary the same
way (one JSON file per topic under ``models/lexicons``, read once) and writes
structured values in the single form FIELD_GUIDE.md fixes.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from extract.paths import load_lexicon  # noqa: F401  (re-exported for the normalisers)

_ESCAPED_EVERYWHERE = frozenset("%;=")
_ESCAPE_SEQUENCE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def escape_value(text: str) -> str:
    """Percent-encode what would break a `key=value;...` string.

    Only ``%``, ``;``, ``=`` and whitespace at either end are encoded, so
    ordinary labels ("100M", "1e6 cells") stay readable in the CSV, yet any
    string survives a round trip, including ones a hand-written gold file
    would pad with spaces.
    """
    if not text:
        return text
    chars = list(text)
    out: list[str] = []
    last = len(chars) - 1
    for index, char in enumerate(chars):
        at_edge = index == 0 or index == last
        if char in _ESCAPED_EVERYWHERE or (at_edge and char.isspace()):
            out.append(quote(char, safe=""))
        else:
            out.append(char)
    return "".join(out)


def unescape_value(text: str) -> str:
    """Inverse of :func:`escape_value` (decodes every ``%XX`` run)."""
    return _ESCAPE_SEQUENCE.sub(lambda m: unquote(m.group(0), errors="strict"), text)


def join_pairs(pairs: list[tuple[str, str]]) -> str:
    """``[("value", "100"), ("per", "kg")]`` -> ``"value=100;per=kg"``."""
    return ";".join(f"{key}={escape_value(value)}" for key, value in pairs)


def split_pairs(text: str) -> dict[str, str]:
    """Parse ``key=value;key=value`` (any order, spaces around parts allowed).

    Raises ValueError on a part without ``=`` or a key given twice, because a
    malformed gold row should fail loudly rather than score as empty.
    """
    pairs: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"not a key=value pair: {part!r}")
        key, value = part.split("=", 1)
        key = key.strip()
        if key in pairs:
            raise ValueError(f"key given twice: {key!r}")
        pairs[key] = unescape_value(value.strip())
    return pairs
