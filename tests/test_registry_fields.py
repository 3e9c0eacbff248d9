"""A registry's structured fields in FIELD_GUIDE's words (models/lexicons/registry_fields.json)."""

from __future__ import annotations

import pytest

from extract.fields.registry import field_values, phase_value
from extract.ingest.document import RecordField


@pytest.mark.parametrize(
    "written, value",
    [
        ("Phase 1", "phase I"),
        ("Phase 2", "phase II"),
        ("Phase 1, Phase 2", "phase I/II"),
        ("Phase 2/Phase 3", "phase II/III"),
        ("Phase 3", "phase III"),
        ("Phase 4", "phase IV"),
        ("Phase 2, Phase 1", "phase I/II"),
        ("Early phase 1", None),
        ("Not Applicable", None),
        ("N/A", None),
        ("", None),
    ],
)
def test_phases(written, value):
    assert phase_value(written) == value


def _field(name: str, value: str) -> RecordField:
    return RecordField(name=name, value=value, start=0, end=len(value), line_start=0, line_end=len(value))


@pytest.mark.parametrize(
    "name, written, values",
    [
        ("allocation", "Randomized", ["RCT"]),
        ("allocation", "Non-randomized", []),
        ("allocation", "N/A", []),
        ("masking", "None (Open Label)", ["open-label"]),
        ("masking", "Open Label", ["open-label"]),
        ("masking", "Single (Outcomes Assessor)", ["single-blind"]),
        ("masking", "Double (Participant, Investigator)", ["double-blind"]),
        ("masking", "Quadruple (Participant, Care Provider, Investigator, Outcomes Assessor)", ["double-blind"]),
        ("intervention_model", "Single Group Assignment", ["single-arm"]),
        ("intervention_model", "Parallel Assignment", []),
        ("arm_type", "Placebo Comparator", ["placebo-controlled"]),
        ("arm_type", "Experimental", []),
        ("enrollment", "30 (Anticipated)", ["total=30"]),
        ("enrollment", "unknown", []),
        ("condition", "Knee Osteoarthritis", ["Knee Osteoarthritis"]),
    ],
)
def test_design_fields(name, written, values):
    assert field_values(_field(name, written)) == values
