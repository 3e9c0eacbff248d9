"""Render a PMC JATS article as the markdown-like text export msc-extract reads.

Used once to make PMC5009698_jats.md from the publisher's XML of the trial
whose Evidence Inference text export is corpus/PMC5009698.txt: the same paper
reached through a second source, as a reviewer's re-run search would find it.
Run: python render_jats.py PMC5009698.nxml > PMC5009698_jats.md
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

MONTHS = "January February March April May June July August September October November December".split()


def words(element: ET.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def authors(front: ET.Element) -> str:
    names = []
    for contrib in front.iter("contrib"):
        if contrib.get("contrib-type") == "author" and contrib.find("name") is not None:
            name = contrib.find("name")
            names.append(f"{words(name.find('given-names'))} {words(name.find('surname'))}".strip())
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def published(front: ET.Element) -> str:
    date = front.find(".//pub-date[@pub-type='epub']")
    day, month, year = (words(date.find(key)) for key in ("day", "month", "year"))
    return f"Published: {day} {MONTHS[int(month) - 1]} {year}"


def table_lines(wrap: ET.Element) -> list[str]:
    caption = f"{words(wrap.find('label'))} {words(wrap.find('caption'))}".strip()
    rows = ["\t".join(words(cell) for cell in row) for row in wrap.iter("tr")]
    return [caption, "", "\n".join(rows)]


def floats_out_of(paragraph: ET.Element) -> list[ET.Element]:
    """Tables and figures sit inside <p> in JATS; a text export prints them apart."""
    floats = []
    for parent in list(paragraph.iter()):
        for child in list(parent):
            if child.tag in ("table-wrap", "fig"):
                parent.remove(child)
                floats.append(child)
    return floats


def reference(ref: ET.Element) -> str:
    """Vancouver style, as publishers print it: authors. Title. Journal. Year;volume:pages. doi."""
    citation = ref.find("element-citation")
    if citation is None:
        citation = ref.find("mixed-citation")
    names = [f"{words(n.find('surname'))} {words(n.find('given-names'))}".strip() for n in citation.iter("name")]
    title = words(citation.find("article-title")) or words(citation.find("chapter-title"))
    parts = [", ".join(names), title, words(citation.find("source"))]
    year, volume = words(citation.find("year")), words(citation.find("volume"))
    pages = "-".join(p for p in (words(citation.find("fpage")), words(citation.find("lpage"))) if p)
    parts.append(f"{year};{volume}:{pages}" if volume else year)
    doi = words(citation.find("pub-id[@pub-id-type='doi']"))
    text = ". ".join(part.rstrip(".") for part in parts if part) + "."
    return f"{text} doi: {doi}" if doi else text


def section_blocks(section: ET.Element) -> list[str]:
    blocks = [words(section.find("title"))]
    for child in section:
        if child.tag == "p":
            floats = floats_out_of(child)
            blocks.append(words(child))
            for item in floats:
                if item.tag == "table-wrap":
                    blocks.extend(table_lines(item))
                else:
                    blocks.append(f"{words(item.find('label'))} {words(item.find('caption'))}".strip())
        elif child.tag == "sec":
            blocks.extend(section_blocks(child))
        elif child.tag == "table-wrap":
            blocks.extend(table_lines(child))
    return blocks


def render(path: str) -> str:
    article = ET.parse(path).getroot()
    front = article.find("front/article-meta")
    doi = words(front.find("article-id[@pub-id-type='doi']"))
    blocks = [words(front.find(".//article-title")), authors(front), f"doi: {doi}", published(front), "Abstract"]
    for section in front.find("abstract").findall("sec"):
        blocks.extend(section_blocks(section))
    for section in article.find("body").findall("sec"):
        blocks.extend(section_blocks(section))
    blocks.append("References")
    for number, ref in enumerate(article.iter("ref"), start=1):
        blocks.append(f"{number}. {reference(ref)}")
    return "\n\n".join(block for block in blocks if block) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(sys.argv[1]))
