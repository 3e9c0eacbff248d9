"""Issue 18: every real ClinicalTrials.gov description of an MSC trial whose registered interventions give a cell
product yields a study; one that names cells only as something measured yields none.

The descriptions are `../shared/corpus-real/registry/records/`; the registry's own intervention list for each is
in the export beside them (see `../shared/corpus-real/SOURCES.md`), which the tool never reads.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from extract.ingest import load_document
from extract.run import extract_document

REGISTRY = Path(__file__).resolve().parents[2] / "shared" / "corpus-real" / "registry"
EXPORT = REGISTRY / "ctgov_mesenchymal_stem_or_stromal_2022.csv"
CELL_PRODUCT = re.compile(r"(?i)\b(?:[\w-]*cells?|[\w-]*mscs?|stromal|mesenchymal|mpcs?|svf)\b")
# An intervention of this type measures something (a test of cells from a biopsy); it gives nothing to anyone.
MEASURED = "Diagnostic Test"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not EXPORT.exists(), reason="../shared/corpus-real/registry is not here (a fresh clone): skipped"),
]


def _interventions() -> dict[str, list[tuple[str, str]]]:
    """NCT number -> [(type, name)] as the registry lists them: "Biological: Mesenchymal stem cell|Drug: Placebo"."""
    with EXPORT.open(encoding="utf-8") as handle:
        rows = {row["NCT Number"]: row["Interventions"] for row in csv.DictReader(handle)}
    return {
        nct: [tuple(part.split(": ", 1)) if ": " in part else ("", part) for part in listed.split("|") if part]
        for nct, listed in rows.items()
    }


def test_records_that_give_a_cell_product_yield_a_study_and_measured_cells_none(nlp):
    interventions = _interventions()
    given, measured = [], []
    for path in sorted((REGISTRY / "records").glob("NCT*.txt")):
        listed = interventions.get(path.stem)
        if listed is None:
            continue  # the export of 2022 does not list every record
        cell_types = {kind for kind, name in listed if CELL_PRODUCT.search(name)}
        if not cell_types:
            continue
        studies = extract_document(load_document(path), nlp).studies
        (measured if cell_types == {MEASURED} else given).append((path.stem, bool(studies)))
    assert len(given) >= 180, "fewer records than the export lists: was the corpus changed?"
    assert [nct for nct, yielded in given if not yielded] == []
    assert measured and [nct for nct, yielded in measured if yielded] == []
