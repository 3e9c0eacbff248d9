"""Patients with alloantibodies by route, source, assay and dose band (the seed review's Table 2).

Input is the reviewed long table (one row per value, with its trial); output
one row per dimension and group. Each trial counts once in each group it
belongs to (a trial giving two routes counts under both). A trial's result is
the one that states the most: a count with its denominator first (the largest
denominator when several), then a percent or a count whose denominator is the
trial's sample size (treated patients when stated, else all), then a bare count
or percent, which makes it a study with a result but adds no patients.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
from pydantic import BaseModel

from extract.normalize.dose import parse_serialised_dose
from extract.normalize.results import parse_serialised_result, parse_serialised_sample_size
from extract.normalize.values import AlloantibodyResult, Dose, SampleSize
from extract.paths import load_lexicon

NOT_STATED = "not stated"
ALL = "all"


class GroupCount(BaseModel):
    dimension: str
    group: str
    studies: int
    """Trials in the group that report an alloantibody result."""
    studies_with_counts: int
    """Of those, trials whose result gives patients positive and patients tested."""
    positive: int
    tested: int
    share: float | None
    """positive / tested over the trials with counts."""


ANALYSIS_COLUMNS = list(GroupCount.model_fields)


def _parsed(values: list[str], parse):
    parsed = []
    for value in values:
        try:
            parsed.append(parse(value))
        except ValueError:
            continue  # a malformed value is the reviewer's to fix; it does not count
    return parsed


def trial_counts(results: list[AlloantibodyResult], sizes: list[SampleSize]) -> tuple[int | None, int | None]:
    """(patients positive, patients tested) for one trial; None where the paper does not say."""
    counted = [r for r in results if r.positive is not None and r.total]
    if counted:
        best = max(counted, key=lambda r: (r.total, r.positive))
        return best.positive, best.total
    treated = [s.treated for s in sizes if s.treated]
    totals = [s.total for s in sizes if s.total]
    size = max(treated) if treated else max(totals, default=None)
    for result in results:
        if result.positive is not None and size:
            return result.positive, size
    for result in results:
        if result.percent is not None and size:
            return round(result.percent * size / 100), size
    positive = max((r.positive for r in results if r.positive is not None), default=None)
    return positive, None


def dose_band(doses: list[Dose]) -> str | None:
    """The band of the highest dose in 10^6 cells, per kg where the trial doses by weight."""
    bands = load_lexicon("review_tables")["dose_bands"]
    cells = [d for d in doses if d.unit == "1e6 cells" and (d.value is not None or d.high is not None)]
    per_kg = [d for d in cells if d.per == "kg"]
    chosen, scale = (per_kg, bands["per_kg"]) if per_kg else (cells, bands["absolute"])
    if not chosen:
        return None
    highest = max(d.high if d.high is not None else d.value for d in chosen)
    return next(band["label"] for band in scale if band["below"] is None or highest < band["below"])


def _trial_groups(values: pd.DataFrame) -> dict[str, dict[str, list[str]]]:
    """trial -> field -> values, with dose_band derived from the doses."""
    trials: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for trial, field, value in values[["trial_id", "field", "value"]].itertuples(index=False):
        if value not in trials[trial][field]:
            trials[trial][field].append(value)
    for fields in trials.values():
        band = dose_band(_parsed(fields.get("dose", []), parse_serialised_dose))
        if band:
            fields["dose_band"] = [band]
    return trials


def alloantibody_table(values: pd.DataFrame) -> pd.DataFrame:
    """Counts and shares of patients with alloantibodies, by each dimension of review_tables.json.

    ``values`` has columns trial_id, field, value (the reviewed value; rejected
    values already left out).
    """
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for fields in _trial_groups(values).values():
        results = _parsed(fields.get("alloantibody_result", []), parse_serialised_result)
        if not results:
            continue
        positive, tested = trial_counts(results, _parsed(fields.get("sample_size", []), parse_serialised_sample_size))
        memberships = [(ALL, ALL)] + [
            (dimension, group)
            for dimension in load_lexicon("review_tables")["analyses"]
            for group in (fields.get(dimension) or [NOT_STATED])
        ]
        for key in memberships:
            row = rows.setdefault(key, {"studies": 0, "studies_with_counts": 0, "positive": 0, "tested": 0})
            row["studies"] += 1
            if positive is not None and tested:
                row["studies_with_counts"] += 1
                row["positive"] += positive
                row["tested"] += tested
    counts = [
        GroupCount(
            dimension=dimension,
            group=group,
            share=round(row["positive"] / row["tested"], 4) if row["tested"] else None,
            **row,
        )
        for (dimension, group), row in rows.items()
    ]
    order = [ALL, *load_lexicon("review_tables")["analyses"]]
    counts.sort(key=lambda c: (order.index(c.dimension), -c.studies, c.group))
    return pd.DataFrame([c.model_dump() for c in counts], columns=ANALYSIS_COLUMNS)
