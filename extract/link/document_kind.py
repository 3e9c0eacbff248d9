"""Is a paper a review or a trial report, and is it about cell therapy at all?"""

from __future__ import annotations

import re
from functools import cache

from extract.ingest.document import Document, SectionKind
from extract.link.records import DocumentKind
from extract.nlp.sentences import sentence_spans
from extract.normalize.numbers import pattern_union
from extract.paths import load_lexicon

_OPENING_CHARACTERS = 6000


@cache
def _cues() -> dict[str, tuple[re.Pattern[str], ...]]:
    lexicon = load_lexicon("document_kind")
    return {
        name: tuple(re.compile(p, re.IGNORECASE) for p in lexicon[name])
        for name in ("review_title", "review_text", "cell_product", "not_a_product", "administration", "own_patients", "literature_search")
    }


@cache
def _any_cue(name: str) -> re.Pattern[str]:
    return re.compile(pattern_union([cue.pattern for cue in _cues()[name]]), re.IGNORECASE)


def _opening(document: Document) -> str:
    abstract = "\n".join(document.slice(p) for p in document.paragraphs if p.section_kind is SectionKind.abstract)
    return f"{document.metadata.title or ''}\n{abstract or document.text[:_OPENING_CHARACTERS]}"


def document_kind(document: Document) -> DocumentKind:
    title = document.metadata.title or ""
    banners = [line.strip().lower() for line in document.text[:400].splitlines() if line.strip()]
    if any(cue.search(title) for cue in _cues()["review_title"]) or set(banners) & set(
        load_lexicon("document_kind")["review_banner"]
    ):
        return DocumentKind.review
    if any(cue.search(_opening(document)) for cue in _cues()["review_text"]) and not _reports_own_patients(document):
        return DocumentKind.review
    return DocumentKind.primary


def _reports_own_patients(document: Document) -> bool:
    """Its methods enrol or treat patients and search no literature: a case series that calls itself a review."""
    methods = " ".join(document.slice(p) for p in document.paragraphs if p.section_kind is SectionKind.methods)
    return bool(methods) and _any_cue("own_patients").search(methods) is not None and (
        _any_cue("literature_search").search(methods) is None
    )


def gives_cell_product(text: str, aliases: tuple[str, ...] = ()) -> bool:
    """Whether `text` speaks of giving a cell product: a product word near an administration word.

    A product named near "injected", "infusion", "therapy" or a route is given to
    someone; one named only as something measured ("circulating progenitor
    cells"), mobilised or studied in a dish is not (`not_a_product`). `aliases`
    are code names the document defines as a cell product (`product_aliases`).
    """
    window = load_lexicon("document_kind")["product_to_administration_window"]
    administrations = [m.span() for m in _any_cue("administration").finditer(text)]
    if not administrations:
        return False
    excluded = [m.span() for m in _any_cue("not_a_product").finditer(text)]
    products = [m.span() for m in _any_cue("cell_product").finditer(text)]
    if aliases:
        products += [m.span() for m in re.finditer("|".join(rf"\b{re.escape(a)}\b" for a in aliases), text)]
    for start, end in products:
        if any(s <= start < e or s < end <= e for s, e in excluded):
            continue
        if any(a_start - end <= window and start - a_end <= window for a_start, a_end in administrations):
            return True
    return False


def product_aliases(text: str) -> tuple[str, ...]:
    """Code names `text` defines as a cell product: "ADR-001, adipose-derived mesenchymal stem cells (AD-MSCs)"."""
    lexicon = load_lexicon("document_kind")
    reach = int(lexicon["product_alias_reach"])
    aliases = []
    for match in re.finditer(lexicon["product_alias"], text):
        # Read past the reach so that a word at its edge is whole ("the mesenchymal phen|otype" is no product).
        following = text[match.end() : match.end() + 2 * reach]
        product = _any_cue("cell_product").search(following)
        if product is None or product.start() >= reach or _any_cue("not_a_product").search(following) is not None:
            continue
        if not re.search(lexicon["product_alias_not_cells"], following[: product.start()], re.IGNORECASE):
            aliases.append(match.group("alias"))
    return tuple(dict.fromkeys(aliases))


def is_about_cell_therapy(document: Document) -> bool:
    """The title, or a sentence of the opening, gives a cell product to patients."""
    title = document.metadata.title or ""
    headed = re.search(load_lexicon("document_kind")["product_headed_title"], title, re.IGNORECASE)
    opening = _opening(document)
    # A code name in the title or summary is often defined only further on ("X Inj. is composed of ... MSCs").
    aliases = product_aliases(f"{opening}\n{document.text[:_OPENING_CHARACTERS]}")
    return gives_cell_product(title, aliases) or headed is not None or any(
        gives_cell_product(sentence, aliases)
        # A line ends a sentence too: a title with no full stop is not one sentence with the summary after it.
        for line in f"{opening}\n{_first_description(document)}".splitlines()
        for sentence in (line[start:end] for start, end in sentence_spans(line))
        if not _CITES.search(sentence) and not re.search(load_lexicon("document_kind")["animal_sentence"], sentence, re.IGNORECASE)
    )


def _first_description(document: Document) -> str:
    """The first sentence after a short summary that says what the study is ("This is a phase I/IIa trial to
    investigate ABCB5+ MSCs ..."): a registry summary of one line may leave the product to it."""
    abstract = sum(p.end - p.start for p in document.paragraphs if p.section_kind is SectionKind.abstract)
    if not abstract or abstract >= int(load_lexicon("document_kind")["short_summary_chars"]):
        return ""
    body = next((p for p in document.paragraphs if p.section_kind is not SectionKind.abstract and p.end > p.start
                 and document.slice(p).strip() != (document.metadata.title or "").strip()), None)
    if body is None:
        return ""
    text = document.slice(body)
    for start, end in sentence_spans(text)[:3]:
        if re.search(load_lexicon("document_kind")["study_description"], text[start:end], re.IGNORECASE):
            return text[start:end]
    return ""


_CITES = re.compile(r"\[\d+(?:\s*[-–,]\s*\d+)*\]")
