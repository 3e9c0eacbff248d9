"""Structured records (XML, JSON) laid out as text, and untrusted XML parsed safely.

A structured format has no text of its own that a reviewer reads, so its
reader writes one: a heading or a paragraph a line, blank lines between
blocks, a table as its caption then tab-separated rows — the shape the
markdown and PDF readers use. ``Document.text`` is that text and every
offset indexes into it, so evidence is found by slicing it, as for a PDF.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from extract.ingest.document import TextSpan
from extract.ingest.encoding import normalise_unicode
from extract.ingest.errors import IngestError

_SPACE = re.compile(r"\s+")
_POWER = re.compile(r"[-−+]?\d{1,2}")


@dataclass(frozen=True)
class Record:
    """One document of a file that holds several: its id (a PMID, an NCT number), its own source text, its format."""

    doc_id: str
    source: str
    format: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()


def unique_ids(ids: list[str]) -> list[str]:
    """An id that appears twice in one export names two documents; the second gets a suffix."""
    seen: dict[str, int] = {}
    unique = []
    for doc_id in ids:
        seen[doc_id] = seen.get(doc_id, 0) + 1
        unique.append(doc_id if seen[doc_id] == 1 else f"{doc_id}_{seen[doc_id]}")
    return unique


def clean(text: str | None) -> str:
    """One line of text: Unicode tidied as for text files, whitespace runs folded to one space."""
    if not text:
        return ""
    return _SPACE.sub(" ", normalise_unicode(text)).strip()


def local_name(tag: object) -> str:
    """An element's name without its namespace (JATS may come with or without a default namespace)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def rendered_text(element: Element) -> str:
    """An element's words with a raised number written as a power (10<sup>6</sup> → 10⁶), as the PDF reader does."""
    from extract.paths import load_lexicon

    digits = load_lexicon("pdf_layout")["superscript_digits"]
    pieces = [element.text or ""]
    for child in element:
        inner = rendered_text(child)
        if local_name(child.tag) == "sup" and inner:
            pieces.append("".join(digits.get(c, c) for c in inner) if _POWER.fullmatch(inner) else "^{" + inner + "}")
        else:
            pieces.append(inner)
        pieces.append(child.tail or "")
    return clean("".join(pieces))


def parse_xml(text: str, path: str) -> Element:
    """Parse untrusted XML: a DOCTYPE may name its DTD, but entity declarations are refused.

    Entity expansion is how a few kilobytes become gigabytes ("billion laughs"),
    and external entities read other files; no format we read needs either.
    """
    try:
        return fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise IngestError(path, "xml_forbidden", f"refused: the XML declares entities or external references ({error})") from error
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise IngestError(path, "xml_malformed", f"not well-formed XML at line {line}, column {column}: {error}") from error


def first_element_name(text: str) -> str | None:
    """The root element's name, read from the opening of an XML text without parsing it all."""
    head = text[:20000].lstrip("\ufeff \t\r\n")
    if not head.startswith("<"):
        return None
    # Skip the declaration, processing instructions, comments and the DOCTYPE.
    head = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", "", head, flags=re.DOTALL)
    match = re.match(r"\s*<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)", head)
    return match.group(2) if match else None


class Layout:
    """The text being written, with the span of everything written into it."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.length = 0

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def write(self, text: str) -> TextSpan:
        start = self.length
        self._parts.append(text)
        self.length += len(text)
        return TextSpan(start=start, end=self.length)

    def block(self, line: str) -> TextSpan:
        """A heading or paragraph on its own line, a blank line before it."""
        self.separate()
        span = self.write(line)
        self.write("\n")
        return span

    def separate(self) -> None:
        if not self.length:
            return
        tail = self._parts[-1][-2:] if len(self._parts[-1]) >= 2 else "".join(self._parts[-2:])[-2:]
        if tail.endswith("\n\n"):
            return
        self.write("\n" if tail.endswith("\n") else "\n\n")
