"""ClinicalTrials.gov study records: the API's JSON (v2, `protocolSection`) and the legacy XML (`<clinical_study>`).

Both are read into one shape and laid out as text (extract/ingest/layout_text.py),
as the registry's own study page shows a record:

    NCT01234567
    <brief title>                      paragraph (the record's abstract)
    <official title>                   paragraph
    Brief summary / <summary>          paragraphs, then "Intervention given — <name> (biological)." for each
    Detailed description / <text>      paragraphs
    Conditions / Condition: <each>     structured fields
    Design / Phase: ..., Allocation: ..., Masking: ..., Enrollment: ...
    Arms and interventions             a paragraph per arm and per intervention, with its description

Summaries, descriptions, arms and interventions are prose the field rules
read; the structured fields are `Document.record_fields`, spans of their
values in the text, which extract/fields/registry.py turns into values whose
evidence kind is `registry_field`. Offsets index into the laid-out text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from extract.ingest.errors import IngestError
from extract.ingest.layout_text import Layout, Record, clean, local_name, parse_xml, unique_ids
from extract.ingest.document import (
    Document,
    DocumentFormat,
    DocumentMetadata,
    Paragraph,
    RecordField,
    Section,
    SectionKind,
)

_NCT = re.compile(r"NCT\d{8}")
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")


@dataclass
class _Arm:
    label: str
    type: str = ""
    description: str = ""


@dataclass
class _Intervention:
    name: str
    type: str = ""
    description: str = ""
    other_names: list[str] = field(default_factory=list)


@dataclass
class _Study:
    """What both encodings of a registry record say, before it is laid out."""

    nct_id: str = ""
    brief_title: str = ""
    official_title: str = ""
    brief_summary: str = ""
    detailed_description: str = ""
    conditions: list[str] = field(default_factory=list)
    study_type: str = ""
    phases: list[str] = field(default_factory=list)
    allocation: str = ""
    intervention_model: str = ""
    masking: str = ""
    enrollment: str = ""
    enrollment_type: str = ""
    start_date: str = ""
    sponsor: str = ""
    arms: list[_Arm] = field(default_factory=list)
    interventions: list[_Intervention] = field(default_factory=list)


# ---------------------------------------------------------------- JSON (API v2)


def looks_like_ctgov_json(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("protocolSection"), dict)


def ctgov_records(data: Any) -> list[Record] | None:
    """The studies of a search response (`{"studies": [...]}`) or a list of studies; None for one study or other JSON."""
    studies = data.get("studies") if isinstance(data, dict) and "protocolSection" not in data else data
    if not isinstance(studies, list) or not studies or not all(looks_like_ctgov_json(s) for s in studies):
        return None
    ids = []
    for number, study in enumerate(studies, 1):
        nct = _get(study, "protocolSection", "identificationModule", "nctId")
        ids.append(nct if isinstance(nct, str) and nct else f"record{number}")
    return [
        Record(doc_id, json.dumps(study, sort_keys=True, ensure_ascii=False), "ctgov_json")
        for doc_id, study in zip(unique_ids(ids), studies)
    ]


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _string(value: Any) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def _strings(value: Any) -> list[str]:
    return [s for s in (_string(v) for v in value) if s] if isinstance(value, list) else []


def _enum_words(value: str) -> str:
    """The API's enumerations as the registry's page writes them: PHASE1 → Phase 1, NON_RANDOMIZED → Non-randomized."""
    if not value or not re.fullmatch(r"[A-Z0-9_]+", value):
        return value
    words = re.sub(r"(?<=[A-Z])(?=\d)", " ", value).replace("NON_", "NON-").replace("_", " ").lower()
    return words[:1].upper() + words[1:]


def parse_ctgov_study(data: Any, doc_id: str, path: str) -> Document:
    if not looks_like_ctgov_json(data):
        raise IngestError(path, "malformed_record", "a ClinicalTrials.gov record without its protocolSection")
    protocol = data["protocolSection"]
    design = protocol.get("designModule") or {}
    design_info = design.get("designInfo") or {}
    enrollment = design.get("enrollmentInfo") or {}
    arms_module = protocol.get("armsInterventionsModule") or {}
    study = _Study(
        nct_id=_string(_get(protocol, "identificationModule", "nctId")),
        brief_title=_string(_get(protocol, "identificationModule", "briefTitle")),
        official_title=_string(_get(protocol, "identificationModule", "officialTitle")),
        brief_summary=_string(_get(protocol, "descriptionModule", "briefSummary")),
        detailed_description=_string(_get(protocol, "descriptionModule", "detailedDescription")),
        conditions=_strings(_get(protocol, "conditionsModule", "conditions")),
        study_type=_enum_words(_string(design.get("studyType"))),
        phases=[_enum_words(p) for p in _strings(design.get("phases"))],
        allocation=_enum_words(_string(design_info.get("allocation"))),
        intervention_model=_enum_words(_string(design_info.get("interventionModel"))),
        masking=_masking_words(design_info.get("maskingInfo")),
        enrollment=_string(enrollment.get("count")),
        enrollment_type=_enum_words(_string(enrollment.get("type"))),
        start_date=_string(_get(protocol, "statusModule", "startDateStruct", "date")),
        sponsor=_string(_get(protocol, "sponsorCollaboratorsModule", "leadSponsor", "name")),
        arms=[
            _Arm(_string(a.get("label")), _enum_words(_string(a.get("type"))), _string(a.get("description")))
            for a in arms_module.get("armGroups") or []
            if isinstance(a, dict)
        ],
        interventions=[
            _Intervention(
                _string(i.get("name")), _enum_words(_string(i.get("type"))), _string(i.get("description")), _strings(i.get("otherNames"))
            )
            for i in arms_module.get("interventions") or []
            if isinstance(i, dict)
        ],
    )
    return _document(study, doc_id, path, DocumentFormat.ctgov_json)


def _masking_words(masking: Any) -> str:
    if not isinstance(masking, dict):
        return ""
    words = _enum_words(_string(masking.get("masking")))
    who = [_enum_words(w) for w in _strings(masking.get("whoMasked"))]
    return f"{words} ({', '.join(who)})" if words and who else words


# ---------------------------------------------------------------- legacy XML


def parse_ctgov_xml(text: str, doc_id: str, path: str) -> Document:
    root = parse_xml(text, path)
    if local_name(root.tag) != "clinical_study":
        raise IngestError(path, "malformed_record", f"the root element is <{local_name(root.tag)}>, not <clinical_study>")

    def value(*names: str) -> str:
        node: Element | None = root
        for name in names:
            node = next((c for c in node if local_name(c.tag) == name), None) if node is not None else None
        return _block_text(node)

    def all_of(name: str) -> list[Element]:
        return [c for c in root if local_name(c.tag) == name]

    design = _design_fields(root)
    enrollment = next((c for c in root if local_name(c.tag) == "enrollment"), None)
    study = _Study(
        nct_id=value("id_info", "nct_id"),
        brief_title=value("brief_title"),
        official_title=value("official_title"),
        brief_summary=value("brief_summary", "textblock") or value("brief_summary"),
        detailed_description=value("detailed_description", "textblock") or value("detailed_description"),
        conditions=[_block_text(c) for c in all_of("condition") if _block_text(c)],
        study_type=value("study_type"),
        phases=[p for p in re.split(r"\s*/\s*", value("phase")) if p],
        allocation=design.get("allocation", ""),
        intervention_model=design.get("intervention model", ""),
        masking=design.get("masking", ""),
        enrollment=_block_text(enrollment),
        enrollment_type=(enrollment.get("type") or "") if enrollment is not None else "",
        start_date=value("start_date"),
        sponsor=value("sponsors", "lead_sponsor", "agency"),
        arms=[
            _Arm(_child_text(a, "arm_group_label"), _child_text(a, "arm_group_type"), _child_text(a, "description"))
            for a in all_of("arm_group")
        ],
        interventions=[
            _Intervention(
                _child_text(i, "intervention_name"),
                _child_text(i, "intervention_type"),
                _child_text(i, "description"),
                [_block_text(o) for o in i if local_name(o.tag) == "other_name"],
            )
            for i in all_of("intervention")
        ],
    )
    return _document(study, doc_id, path, DocumentFormat.ctgov_xml)


def _child_text(element: Element, name: str) -> str:
    return _block_text(next((c for c in element if local_name(c.tag) == name), None))


def _block_text(element: Element | None) -> str:
    """An element's text with its paragraph breaks kept (registry text blocks are preformatted)."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _design_fields(root: Element) -> dict[str, str]:
    """`<study_design_info>`'s elements, or the older single `<study_design>` line ("Allocation: Randomized, Masking: ...")."""
    info = next((c for c in root if local_name(c.tag) == "study_design_info"), None)
    if info is not None:
        return {local_name(c.tag).replace("_", " "): _block_text(c) for c in info}
    line = _block_text(next((c for c in root if local_name(c.tag) == "study_design"), None))
    fields: dict[str, str] = {}
    for match in re.finditer(r"([A-Z][A-Za-z ]+):\s*(.*?)(?=,\s*[A-Z][A-Za-z ]+:|$)", line):
        fields[match.group(1).strip().lower()] = match.group(2).strip()
    return fields


# ---------------------------------------------------------------- the record as a document


def _paragraphs_of(text: str) -> list[str]:
    """A registry text block's paragraphs: blank lines separate them, single line breaks only wrap."""
    return [clean(block) for block in re.split(r"\n\s*\n", text or "") if clean(block)]


def _document(study: _Study, doc_id: str, path: str, fmt: DocumentFormat) -> Document:
    if not (study.brief_title or study.official_title or study.brief_summary):
        raise IngestError(path, "empty_record", f"record {doc_id} has no title and no summary")
    layout = Layout()
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    fields: list[RecordField] = []

    def open_section(title: str, kind: SectionKind) -> None:
        span = layout.block(title)
        if sections:
            sections[-1].end = span.start
        sections.append(Section(title=title, kind=kind, start=span.start, end=span.start))

    def paragraph(text: str, section: str, kind: SectionKind) -> None:
        span = layout.block(text)
        paragraphs.append(Paragraph(start=span.start, end=span.end, section=section, section_kind=kind))

    def record_field(name: str, label: str, value: str) -> None:
        value = clean(value)
        if not value:
            return
        layout.separate()
        line = layout.write(f"{label}: ")
        span = layout.write(value)
        layout.write("\n")
        fields.append(RecordField(name=name, value=value, start=span.start, end=span.end, line_start=line.start, line_end=span.end))

    if study.nct_id:
        layout.block(clean(study.nct_id))
    # The titles and the brief summary are the record's abstract: what decides whether it is a cell-therapy trial.
    open_section("Title", SectionKind.abstract)
    for title in dict.fromkeys(t for t in (clean(study.brief_title), clean(study.official_title)) if t):
        paragraph(title, "Title", SectionKind.abstract)
    if study.brief_summary or study.interventions:
        open_section("Brief summary", SectionKind.abstract)
        for text in _paragraphs_of(study.brief_summary):
            paragraph(text, "Brief summary", SectionKind.abstract)
        names = [clean(i.name).rstrip(".") + (f" ({i.type.lower()})" if i.type else "") for i in study.interventions if clean(i.name)]
        if names:
            # What the registry's intervention field means: what participants are given (a sentence each, with no
            # colon, so that a reader splitting at colons keeps each product with the word that gives it).
            paragraph(" ".join(f"Intervention given — {name}." for name in names), "Brief summary", SectionKind.abstract)
    if study.detailed_description:
        open_section("Detailed description", SectionKind.other)
        for text in _paragraphs_of(study.detailed_description):
            paragraph(text, "Detailed description", SectionKind.other)
    if study.conditions:
        open_section("Conditions", SectionKind.methods)
        for condition in study.conditions:
            record_field("condition", "Condition", condition)
    open_section("Design", SectionKind.methods)
    record_field("study_type", "Study type", study.study_type)
    record_field("phase", "Phase", ", ".join(study.phases))
    record_field("allocation", "Allocation", study.allocation)
    record_field("intervention_model", "Intervention model", study.intervention_model)
    record_field("masking", "Masking", study.masking)
    enrollment = f"{clean(study.enrollment)} ({study.enrollment_type})" if study.enrollment and study.enrollment_type else study.enrollment
    record_field("enrollment", "Enrollment", enrollment)
    for arm in study.arms:
        record_field("arm_type", f"Arm type ({clean(arm.label)})", arm.type)
    if study.arms or study.interventions:
        open_section("Arms and interventions", SectionKind.methods)
        for arm in study.arms:
            head = f"Arm: {clean(arm.label)}" + (f" ({arm.type.lower()})" if arm.type else "")
            paragraph(f"{head}. {clean(arm.description)}" if clean(arm.description) else head, "Arms and interventions", SectionKind.methods)
        for intervention in study.interventions:
            head = f"Intervention: {clean(intervention.name)}" + (f" ({intervention.type.lower()})" if intervention.type else "")
            if intervention.other_names:
                head += f", also called {', '.join(clean(n) for n in intervention.other_names)}"
            text = f"{head}. {clean(intervention.description)}" if clean(intervention.description) else head
            paragraph(text, "Arms and interventions", SectionKind.methods)
    if sections:
        sections[-1].end = layout.length
    year = _YEAR.search(study.start_date)
    nct = _NCT.search(study.nct_id)
    metadata = DocumentMetadata(
        title=clean(study.official_title) or clean(study.brief_title) or None,
        authors=[clean(study.sponsor)] if clean(study.sponsor) else [],
        year=int(year.group(1)) if year else None,
        registry_id=nct.group() if nct else None,
    )
    return Document(
        doc_id=doc_id,
        path=path,
        format=fmt,
        text=layout.text,
        metadata=metadata,
        sections=sections,
        paragraphs=paragraphs,
        record_fields=fields,
    )
