"""A review's headline figures, recomputed from what was extracted, beside what the paper says.

The paper's own figures (gold/headlines.json, each with its sentence) are
compared with sums over the extracted study records: patients, patients with
alloantibodies, the share by assay, the most common route. A sum is only as
good as its parts, so each figure says how many studies gave a number; where
the prose gives none, the figure says so instead of inventing one.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd

from extract.normalize.results import parse_serialised_result, parse_serialised_sample_size
from extract.normalize.values import AlloantibodyResult
from extract.score.models import HeadlineFigure

HEADLINES_FILE = "headlines.json"


def load_headlines(gold: Path | str) -> dict[str, dict]:
    path = Path(gold)
    path = path / HEADLINES_FILE if path.is_dir() else path.parent / HEADLINES_FILE
    if not path.exists():
        return {}
    return {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if not k.startswith("_")}


def _study_result(values: list[str]) -> AlloantibodyResult | None:
    """A study's fullest stated result: counts with a total before bare counts, bare counts before percents."""
    results = []
    for value in values:
        try:
            results.append(parse_serialised_result(value))
        except ValueError:
            continue
    with_count = [r for r in results if r.positive is not None]
    if not with_count:
        return None
    return max(with_count, key=lambda r: (r.total is not None, r.percent is not None))


def _sum_results(studies: dict[str, list[str]]) -> tuple[int, int, int, list[str]]:
    """(positives, totals, studies with a total, studies with no count) over studies' results."""
    positive = total = with_total = 0
    uncounted = []
    for key, values in studies.items():
        result = _study_result(values)
        if result is None:
            uncounted.append(key)
            continue
        positive += result.positive or 0
        if result.total:
            total += result.total
            with_total += 1
    return positive, total, with_total, uncounted


def _main_assay(values: list[str]) -> str | None:
    counts = Counter(values)
    return max(counts, key=lambda v: (counts[v], -values.index(v))) if counts else None


def headline_figures(doc_id: str, paper: dict, pred: pd.DataFrame) -> list[HeadlineFigure]:
    rows = pred[pred["doc_id"] == doc_id]
    by_study = {key: group for key, group in rows.groupby("study_key", sort=False)}
    studies = sorted(by_study, key=lambda k: [int(n) for n in k.split(",") if n.isdigit()])
    n = len(studies)

    def values(key: str, field: str) -> list[str]:
        group = by_study[key]
        return list(group.loc[group["field"] == field, "value"])

    def head_counts(keys: list[str], treated: bool) -> list[int]:
        """Each study's largest stated count (of the treated, where asked and stated)."""
        found = []
        for key in keys:
            sizes = [parse_serialised_sample_size(v) for v in values(key, "sample_size")]
            counts = [(s.treated if treated and s.treated is not None else s.total) for s in sizes]
            counts = [c for c in counts if c is not None]
            if counts:
                found.append(max(counts))
        return found

    figures: list[HeadlineFigure] = []
    allo = [k for k in studies if "allogeneic" in values(k, "donor_type")]
    for figure, key, keys, treated, basis in (
        ("patients", "patients", studies, False, "sample sizes of {found} of {n} studies; the prose states no N for the rest"),
        ("patients treated with allo-MSC", "allo_treated", allo, True,
         "{keys} of {n} studies used allogeneic cells; {found} of them state how many patients"),
    ):
        if key not in paper:
            continue
        counts = head_counts(keys, treated)
        figures.append(
            HeadlineFigure(
                figure=figure,
                paper=str(paper[key]["value"]),
                extracted=str(sum(counts)) if counts else "not stated",
                basis=basis.format(found=len(counts), n=n, keys=len(keys)),
                evidence=paper[key]["evidence"],
            )
        )
    if "with_alloantibodies" in paper:
        stated = paper["with_alloantibodies"]
        positive, total, with_total, uncounted = _sum_results({k: values(k, "alloantibody_result") for k in allo})
        figures.append(
            HeadlineFigure(
                figure="allo-MSC patients with alloantibodies",
                paper=f"{stated['positive']}/{stated['total']}",
                extracted=f"at least {positive} patients" if positive or with_total else "not stated",
                basis=(
                    f"counts from {len(allo) - len(uncounted)} of {len(allo)} allogeneic studies, totals from {with_total}"
                    f" ({total} patients); no count for {'; '.join(uncounted) or 'none'}"
                ),
                evidence=stated["evidence"],
            )
        )
    for assay, stated in paper.get("by_assay", {}).items():
        members = [k for k in studies if _main_assay(values(k, "alloantibody_assay")) == assay]
        positive, total, with_total, uncounted = _sum_results({k: values(k, "alloantibody_result") for k in members})
        figures.append(
            HeadlineFigure(
                figure=f"patients with alloantibodies, {assay} studies",
                paper=f"{stated['positive']}/{stated['total']}",
                extracted=f"at least {positive} patients" if members else "not stated",
                basis=(
                    f"{len(members)} studies measured {assay} ({'; '.join(members)}); totals from {with_total};"
                    f" no count for {'; '.join(uncounted) or 'none'}"
                ),
                evidence=stated["evidence"],
            )
        )
    if "most_common_route" in paper:
        stated = paper["most_common_route"]
        routed = {k: set(values(k, "route")) for k in studies if values(k, "route")}
        counts = Counter(route for routes in routed.values() for route in routes)
        top = counts.most_common(1)[0] if counts else None
        figures.append(
            HeadlineFigure(
                figure="most common route",
                paper=f"{stated['route']} {stated['studies']}/{stated['of']}",
                extracted=f"{top[0]} {top[1]}/{len(routed)}" if top else "not stated",
                basis=f"{len(routed)} of {n} extracted studies state a route; "
                + ", ".join(f"{r} {c}" for r, c in counts.most_common()),
                evidence=stated["evidence"],
            )
        )
    return figures
