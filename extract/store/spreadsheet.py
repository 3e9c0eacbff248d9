"""CSV cells a spreadsheet will not run: the text a paper or a reviewer wrote stays text.

Excel, LibreOffice and Google Sheets evaluate a cell that starts with `=`,
`+`, `-` or `@` (and, after a tab or carriage return, whatever follows) as a
formula, so an evidence sentence such as `=HYPERLINK("http://…"&A1,"Click")`
would run when a reviewer opens values.csv. As spreadsheet-safe CSV writers do
(OWASP's advice), such a cell is written with a leading apostrophe, which a
spreadsheet shows as text. A cell that already starts with an apostrophe gets
one more, so `unescape_cell` gives back exactly what was written: `review
import` reads an exported file losslessly. A plain number (`-5`, `+1.5e3`) is
no formula and stays as it is, so numeric columns keep their negative numbers.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_HEX_ID = re.compile(r"[0-9a-f]+")


def escape_cell(value: object) -> object:
    """The cell as written to a CSV a spreadsheet may open; non-text values pass unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(ESCAPE) or (value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value)):
        return ESCAPE + value
    return value


def unescape_cell(value: object) -> object:
    """Inverse of `escape_cell` (a cell a spreadsheet saved without the apostrophe is returned as is)."""
    if isinstance(value, str) and value.startswith(ESCAPE) and value[1:2] in (*FORMULA_STARTS, ESCAPE):
        return value[1:]
    return value


def escape_id(value: object) -> object:
    """An id of hex digits that a spreadsheet would read as a number (`012345678901`, `1234e5678901`) kept as text."""
    if isinstance(value, str) and _NUMBER.fullmatch(value) and _HEX_ID.fullmatch(value):
        return ESCAPE + value
    return escape_cell(value)


def unescape_id(value: str) -> str:
    return value[1:] if value.startswith(ESCAPE) and _HEX_ID.fullmatch(value[1:]) else str(unescape_cell(value))


def escape_frame(frame: pd.DataFrame, id_columns: tuple[str, ...] = ("value_id",)) -> pd.DataFrame:
    """A copy of `frame` with every text cell escaped (id columns kept as text too)."""
    escaped = frame.copy()
    for column in escaped.columns:
        if escaped[column].dtype == object or pd.api.types.is_string_dtype(escaped[column]):
            escaped[column] = escaped[column].map(escape_id if column in id_columns else escape_cell)
    return escaped
