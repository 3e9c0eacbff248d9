"""A self-contained HTML score report: inline CSS, inline SVG charts, no external assets.

The page is `templates/report.html.j2`, rendered by Jinja2 with autoescaping:
values, evidence sentences and document names come from papers, which are
untrusted input, and show as text whatever they hold. This module only shapes
the scores into rows and the charts into coordinates.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from extract.score.models import ErrorRow, FieldScore, Interval, ScoreReport

COLOURS = {"strict": "#4c78a8", "lenient": "#f58518"}


def highlight(evidence: str, mention: str) -> Markup:
    """Escape the evidence and wrap the first case-insensitive occurrence of mention in <mark>."""
    if mention:
        at = evidence.lower().find(mention.lower())
        if at >= 0:
            end = at + len(mention)
            return escape(evidence[:at]) + Markup("<mark>") + escape(evidence[at:end]) + Markup("</mark>") + escape(evidence[end:])
    return escape(evidence)


def _ci(ci: Interval) -> str:
    return f"[{ci.low:.2f}, {ci.high:.2f}]"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("extract.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = lambda x: f"{x:.3f}"
    env.filters["ci"] = _ci
    env.globals["highlight"] = highlight
    return env


def _chart(strict: FieldScore, lenient: FieldScore) -> dict:
    """Coordinates of the bars for P, R, F1 (strict and lenient side by side) and their 95% interval whiskers."""
    width, height, top, bottom, left = 240, 150, 22, 20, 28
    plot_h = height - top - bottom
    group_w = (width - left - 8) / 3
    bar_w = group_w / 3
    ticks = []
    for tick in (0, 0.5, 1):
        y = top + plot_h * (1 - tick)
        ticks.append({"y": f"{y:.1f}", "label_x": left - 3, "label_y": f"{y + 3:.1f}", "label": f"{tick:g}"})
    groups = []
    for g, (label, attr) in enumerate((("P", "precision"), ("R", "recall"), ("F1", "f1"))):
        x0 = left + g * group_w + bar_w / 2
        bars = []
        for b, (mode, score) in enumerate((("strict", strict), ("lenient", lenient))):
            value = getattr(score, attr)
            ci: Interval = getattr(score, f"{attr}_ci")
            x = x0 + b * bar_w
            bars.append({
                "x": f"{x:.1f}", "y": f"{top + plot_h * (1 - value):.1f}", "width": f"{bar_w - 2:.1f}",
                "height": f"{plot_h * value:.1f}", "colour": COLOURS[mode],
                "title": f"{mode} {label} {value:.3f} 95% CI {_ci(ci)}",
                "cx": f"{x + (bar_w - 2) / 2:.1f}",
                "y_low": f"{top + plot_h * (1 - ci.low):.1f}", "y_high": f"{top + plot_h * (1 - ci.high):.1f}",
            })
        groups.append({"label": label, "x": f"{x0 + bar_w - 1:.1f}", "bars": bars})
    return {"field": strict.field, "width": width, "height": height, "left": left, "ticks": ticks, "groups": groups}


def _scores(report: ScoreReport) -> dict:
    """Rows of the score table: each field (and micro) with its strict and lenient scores; then macro."""
    lenient = {s.field: s for s in report.lenient.fields}
    rows = [
        {"field": s.field, "modes": (s, lenient.get(s.field, report.lenient.micro))}
        for s in report.strict.fields + [report.strict.micro]
    ]
    return {"rows": rows, "macro": (report.strict.macro, report.lenient.macro)}


def _documents(report: ScoreReport) -> list[dict]:
    counts: dict[tuple[str, str], dict] = defaultdict(dict)
    for c in report.per_document:
        counts[(c.doc_id, c.field)][c.mode] = c
    errors: dict[str, list[ErrorRow]] = defaultdict(list)
    for e in report.errors:
        if e.mode == "lenient":
            errors[e.doc_id].append(e)
    documents = []
    for doc in report.documents:
        rows = []
        for field in sorted(f for d, f in counts if d == doc):
            cells: list = []
            for mode in ("strict", "lenient"):
                c = counts[(doc, field)].get(mode)
                tp, fp, fn = (c.tp, c.fp, c.fn) if c else (0, 0, 0)
                p = tp / (tp + fp) if tp + fp else 0.0
                r = tp / (tp + fn) if tp + fn else 0.0
                cells += [tp, fp, fn, f"{p:.2f}", f"{r:.2f}"]
            rows.append({"field": field, "cells": cells})
        documents.append({"id": doc, "rows": rows, "errors": errors[doc]})
    return documents


def render_report(report: ScoreReport) -> str:
    lenient = {s.field: s for s in report.lenient.fields}
    charts = [_chart(s, lenient[s.field]) for s in report.strict.fields if s.field in lenient]
    charts.append(_chart(report.strict.micro, report.lenient.micro))
    return _environment().get_template("report.html.j2").render(
        report=report,
        colours=COLOURS,
        scores=_scores(report),
        views=[{"name": v.name, "about": v.about, "scores": _scores(v.report)} for v in report.views],
        charts=charts,
        documents=_documents(report),
        lenient_fp=sum(e.kind == "FP" for e in report.errors if e.mode == "lenient"),
        lenient_fn=sum(e.kind == "FN" for e in report.errors if e.mode == "lenient"),
        errors=sorted(report.errors, key=lambda e: (e.mode != "lenient", e.doc_id, e.study_key, e.field, e.kind)),
    )


def write_report(report: ScoreReport, path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(report), encoding="utf-8")
    return path
