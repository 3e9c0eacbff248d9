"""Bytes to text: the encodings real corpora come in, and Unicode tidied without moving a character.

Evidence offsets count characters of the decoded text, so normalisation may
only replace one character with one character: a full-width digit or a
no-break space becomes its plain form (NFKC), while superscripts (the ⁶ of
10⁶), ligatures and fractions, which NFKC would flatten or lengthen, are kept.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from pathlib import Path
from typing import TYPE_CHECKING

from extract.ingest.errors import IngestError

if TYPE_CHECKING:  # a result is read here, never built: the ingest stage does not import the link stage
    from extract.link.records import DocumentResult

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


def _utf8_with_stray_bytes(data: bytes) -> str | None:
    """UTF-8 text with a few bytes of another encoding pasted in (a `×` from a Windows editor): those bytes read as
    Windows-1252, the rest as UTF-8. Decoding the whole file as Windows-1252 would turn every `×` into `Ã—`.

    Taken for UTF-8 when its valid multi-byte characters are at least as many as its invalid bytes; a Windows-1252 file
    rarely holds even one valid UTF-8 sequence."""
    text = data.decode("utf-8-sig", errors="surrogateescape")
    stray = sum(1 for char in text if "\udc80" <= char <= "\udcff")
    multibyte = sum(1 for char in text if ord(char) > 0x7F and not "\udc80" <= char <= "\udcff")
    if not stray or multibyte < stray:
        return None
    return "".join(
        bytes([ord(char) - 0xDC00]).decode("cp1252", errors="replace") if "\udc80" <= char <= "\udcff" else char for char in text
    )


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
    repaired = _utf8_with_stray_bytes(data)
    if repaired is not None:
        return repaired
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


# Characters with no glyph that sit inside words when text is copied from PDFs and web pages: soft hyphen,
# zero-width space, non-joiner and joiner, word joiner, byte-order mark, left-to-right and right-to-left marks
# and the bidirectional embeddings and isolates. "intra\u00advenously" must read as "intravenously".
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE_TABLE = dict.fromkeys(map(ord, INVISIBLE))


_ANY_INVISIBLE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")


def without_invisible(text: str) -> tuple[str, list[int]]:
    """The text with invisible characters left out, and their positions in the original (for `file_offset`)."""
    if text.isascii() or not _ANY_INVISIBLE.search(text):
        return text, []
    positions = [match.start() for match in _ANY_INVISIBLE.finditer(text)]
    return (text.translate(_INVISIBLE_TABLE), positions) if positions else (text, [])


def restore_file_offsets(result: DocumentResult, invisible: list[int]) -> None:
    """Evidence offsets into the text without invisible characters, made offsets into the file's text again.

    A start lands on the character it named; an end stays right after the last character it covered.
    The evidence's words stay as read (without the invisible characters)."""
    if not invisible:
        return
    removed_before = [position - index for index, position in enumerate(invisible)]

    def start(offset: int) -> int:
        return offset + bisect_right(removed_before, offset)

    def end(offset: int) -> int:
        return start(offset - 1) + 1 if offset > 0 else 0

    for study in result.studies:
        for value in study.values:
            evidence = value.evidence
            evidence.start, evidence.end = start(evidence.start), end(evidence.end)
            evidence.mention_start, evidence.mention_end = start(evidence.mention_start), end(evidence.mention_end)
