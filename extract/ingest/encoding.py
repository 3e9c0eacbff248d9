"""Bytes to text: the encodings real corpora come in, and Unicode tidied without moving a character.

Evidence offsets count characters of the decoded text, so normalisation may
only replace one character with one character: a full-width digit or a
no-break space becomes its plain form (NFKC), while superscripts (the ⁶ of
10⁶), ligatures and fractions, which NFKC would flatten or lengthen, are kept.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from extract.ingest.errors import IngestError

# Decomposition tags whose NFKC form says the same thing; <super>, <sub> and <fraction> do not.
SAFE_COMPATIBILITY_TAGS = ("<compat>", "<noBreak>", "<wide>", "<narrow>", "<font>", "<small>", "<square>", "<vertical>")
BINARY_CONTROL_SHARE = 0.05  # more than this share of control bytes: not a text file


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 written without a byte-order mark: every other byte of ASCII text is NUL."""
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    encoding = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > BINARY_CONTROL_SHARE * len(sample)


def decode(data: bytes, path: Path | str) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with or without BOM), else Windows-1252, else Latin-1."""
    if not data.strip():
        raise IngestError(path, "empty_file", "the file is empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise IngestError(path, "decode_error", f"a UTF-16 byte-order mark, but not UTF-16 text ({error.reason})") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if _looks_binary(data):
        raise IngestError(path, "decode_error", "binary data, not text in UTF-8, UTF-16, Windows-1252 or Latin-1")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _safe_form(char: str) -> str:
    if unicodedata.decomposition(char).startswith(SAFE_COMPATIBILITY_TAGS):
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1:
            return folded
    return char


def normalise_unicode(text: str) -> str:
    """NFKC one character at a time, where it keeps one character and the meaning."""
    if text.isascii():
        return text
    table = {ord(c): folded for c in set(text) if not c.isascii() and (folded := _safe_form(c)) != c}
    return text.translate(table) if table else text


def read_text(path: Path) -> str:
    return normalise_unicode(decode(path.read_bytes(), path))
