"""A self-contained HTML score report: inline CSS, inline SVG charts, no external assets."""

from __future__ import annotations

from collections import defaultdict
from html import escape
from pathlib import Path

from extract.score.models import ErrorRow, FieldScore, Interval, ScoreReport

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#222;max-width:1200px}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.25rem .5rem;vertical-align:top;text-align:left}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
mark{background:#ffe066;padding:0 .1em}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.chart{border:1px solid #eee;padding:.25rem}
.fp{color:#b00020}.fn{color:#0050b0}.small{color:#666;font-size:.8rem}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .25rem 0 1rem;vertical-align:middle}
"""

COLOURS = {"strict": "#4c78a8", "lenient": "#f58518"}


def _pct(x: float) -> str:
    return f"{x:.3f}"


def _ci(ci: Interval) -> str:
    return f"[{ci.low:.2f}, {ci.high:.2f}]"


def highlight(evidence: str, mention: str) -> str:
    """Escape the evidence and wrap the first case-insensitive occurrence of mention in <mark>."""
    if mention:
        at = evidence.lower().find(mention.lower())
        if at >= 0:
            end = at + len(mention)
            return f"{escape(evidence[:at])}<mark>{escape(evidence[at:end])}</mark>{escape(evidence[end:])}"
    return escape(evidence)


def field_chart(strict: FieldScore, lenient: FieldScore) -> str:
    """Bars for P, R, F1 (strict and lenient side by side) with 95% interval whiskers."""
    width, height, top, bottom, left = 240, 150, 22, 20, 28
    plot_h = height - top - bottom
    group_w = (width - left - 8) / 3
    bar_w = group_w / 3
    parts = [
        f'<svg class="field-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(strict.field)} precision recall F1">',
        f'<text x="{width / 2}" y="14" text-anchor="middle" font-size="12" font-weight="bold">{escape(strict.field)}</text>',
    ]
    for tick in (0, 0.5, 1):
        y = top + plot_h * (1 - tick)
        parts.append(f'<line x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 3}" y="{y + 3:.1f}" text-anchor="end" font-size="9">{tick:g}</text>')
    for g, (label, attr) in enumerate((("P", "precision"), ("R", "recall"), ("F1", "f1"))):
        x0 = left + g * group_w + bar_w / 2
        for b, score in enumerate((strict, lenient)):
            mode = "strict" if b == 0 else "lenient"
            value = getattr(score, attr)
            ci: Interval = getattr(score, f"{attr}_ci")
            x = x0 + b * bar_w
            y = top + plot_h * (1 - value)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{plot_h * value:.1f}" '
                f'fill="{COLOURS[mode]}"><title>{mode} {label} {value:.3f} 95% CI {_ci(ci)}</title></rect>'
            )
            cx = x + (bar_w - 2) / 2
            y_lo, y_hi = top + plot_h * (1 - ci.low), top + plot_h * (1 - ci.high)
            parts.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y_lo:.1f}" y2="{y_hi:.1f}" stroke="#333"/>')
        parts.append(
            f'<text x="{x0 + bar_w - 1:.1f}" y="{height - 6}" text-anchor="middle" font-size="10">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _score_table(report: ScoreReport) -> str:
    rows = []
    lenient = {s.field: s for s in report.lenient.fields}
    for s in report.strict.fields + [report.strict.micro]:
        l = lenient.get(s.field, report.lenient.micro)
        cells = [f"<td>{escape(s.field)}</td>"]
        for x in (s, l):
            cells += [f'<td class="num">{v}</td>' for v in (x.tp, x.fp, x.fn)]
            cells += [f'<td class="num">{_pct(getattr(x, a))} <span class="small">{_ci(getattr(x, a + "_ci"))}</span></td>'
                      for a in ("precision", "recall", "f1")]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    m_s, m_l = report.strict.macro, report.lenient.macro
    macro = ["<td>macro</td>"]
    for m in (m_s, m_l):
        macro += ['<td></td>'] * 3
        macro += [f'<td class="num">{_pct(getattr(m, a))} <span class="small">{_ci(getattr(m, a + "_ci"))}</span></td>'
                  for a in ("precision", "recall", "f1")]
    rows.append("<tr>" + "".join(macro) + "</tr>")
    head = ('<tr><th rowspan="2">field</th><th colspan="6">strict</th><th colspan="6">lenient</th></tr><tr>'
            + "<th>TP</th><th>FP</th><th>FN</th><th>P</th><th>R</th><th>F1</th>" * 2 + "</tr>")
    return f'<table class="scores"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _error_rows(errors: list[ErrorRow], with_doc: bool = True) -> str:
    rows = []
    for e in errors:
        doc = f"<td>{escape(e.doc_id)}</td>" if with_doc else ""
        rows.append(
            f'<tr class="error-row {e.kind.lower()}"><td>{e.mode}</td><td class="{e.kind.lower()}">{e.kind}</td>{doc}'
            f"<td>{escape(e.study_key)}</td><td>{escape(e.field)}</td><td><code>{escape(e.value)}</code></td>"
            f"<td>{highlight(e.evidence, e.mention)}</td></tr>"
        )
    doc_head = "<th>doc_id</th>" if with_doc else ""
    return (f"<table class=\"errors\"><thead><tr><th>mode</th><th>kind</th>{doc_head}<th>study</th><th>field</th>"
            f"<th>value</th><th>evidence</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _documents(report: ScoreReport) -> str:
    counts = defaultdict(dict)
    for c in report.per_document:
        counts[(c.doc_id, c.field)][c.mode] = c
    errors = defaultdict(list)
    for e in report.errors:
        if e.mode == "lenient":
            errors[e.doc_id].append(e)
    out = []
    for doc in report.documents:
        fields = sorted(f for d, f in counts if d == doc)
        rows = []
        for f in fields:
            cells = [f"<td>{escape(f)}</td>"]
            for mode in ("strict", "lenient"):
                c = counts[(doc, f)].get(mode)
                tp, fp, fn = (c.tp, c.fp, c.fn) if c else (0, 0, 0)
                p = tp / (tp + fp) if tp + fp else 0.0
                r = tp / (tp + fn) if tp + fn else 0.0
                cells += [f'<td class="num">{v}</td>' for v in (tp, fp, fn, f"{p:.2f}", f"{r:.2f}")]
            rows.append("<tr>" + "".join(cells) + "</tr>")
        head = ('<tr><th rowspan="2">field</th><th colspan="5">strict</th><th colspan="5">lenient</th></tr><tr>'
                + "<th>TP</th><th>FP</th><th>FN</th><th>P</th><th>R</th>" * 2 + "</tr>")
        out.append(
            f'<section class="document" id="doc-{escape(doc)}"><h3>{escape(doc)}</h3>'
            f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
            f"<details><summary>{len(errors[doc])} lenient errors</summary>{_error_rows(errors[doc], False)}</details>"
            "</section>"
        )
    return "".join(out)


def _headlines(report: ScoreReport) -> str:
    if not report.headlines:
        return ""
    out = ['<h2>Headline figures</h2><p class="small">What the review reports about its trials, beside the same figure '
           "recomputed from the extracted records. Where the prose gives no number, the figure says so.</p>"]
    for doc, figures in report.headlines.items():
        rows = "".join(
            f"<tr><td>{escape(f.figure)}</td><td class=\"num\">{escape(f.paper)}</td><td class=\"num\">{escape(f.extracted)}</td>"
            f"<td class=\"small\">{escape(f.basis)}</td><td class=\"small\">{escape(f.evidence)}</td></tr>"
            for f in figures
        )
        out.append(
            f'<h3>{escape(doc)}</h3><table id="headlines"><thead><tr><th>figure</th><th>paper</th><th>extracted</th>'
            f"<th>basis</th><th>paper's sentence</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return "".join(out)


def _views(report: ScoreReport) -> str:
    out = []
    for view in report.views:
        out.append(
            f'<section class="view"><h2>{escape(view.name)}</h2><p class="small">{escape(view.about)} '
            f"Only the gold's studies and fields are scored; this view does not enter the scores above.</p>"
            f"{_score_table(view.report)}</section>"
        )
    return "".join(out)


def _scopes(report: ScoreReport) -> str:
    if not report.scopes:
        return ""
    items = "".join(f"<li><code>{escape(d)}</code>: {escape(s)}</li>" for d, s in report.scopes.items())
    return (f'<p class="small">Scoped gold (other values of these documents are not judged; {report.unscored_rows} '
            f"prediction rows unscored):</p><ul class=\"small\">{items}</ul>")


def render_report(report: ScoreReport) -> str:
    lenient = {s.field: s for s in report.lenient.fields}
    charts = "".join(
        f'<div class="chart">{field_chart(s, lenient[s.field])}</div>' for s in report.strict.fields if s.field in lenient
    ) + f'<div class="chart">{field_chart(report.strict.micro, report.lenient.micro)}</div>'
    toc = " · ".join(f'<a href="#doc-{escape(d)}">{escape(d)}</a>' for d in report.documents)
    n_fp = sum(e.kind == "FP" for e in report.errors if e.mode == "lenient")
    n_fn = sum(e.kind == "FN" for e in report.errors if e.mode == "lenient")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>msc-extract score</title><style>{CSS}</style></head>
<body>
<h1>msc-extract score</h1>
<p class="small">gold <code>{escape(report.gold)}</code> · predictions <code>{escape(report.pred)}</code> ·
{len(report.documents)} documents · {report.gold_values} gold values · {report.pred_values} unique predicted values
({report.pred_rows} rows) · unit: {escape(report.unit)} · {report.resamples} resamples, seed {report.seed}, 95% intervals</p>
<p class="small">Strict: exact codes (case-sensitive) and structured values with exactly equal keys and numbers.
Lenient: codes case-insensitive; structured values compared on the keys the gold row states, numbers within 1% or 0.01.
Matching is one-to-one within (doc_id, study_key, field).
A field with no predictions has precision 0 (and F1 0) by convention; its FP column is then 0.</p>
{_scopes(report)}
<h2>Scores per field</h2>
{_score_table(report)}
{_headlines(report)}
{_views(report)}
<h2>Charts</h2>
<p class="legend small"><span style="background:{COLOURS['strict']}"></span>strict<span style="background:{COLOURS['lenient']}"></span>lenient · whiskers: 95% bootstrap interval over studies</p>
<div class="charts">{charts}</div>
<h2>Documents</h2>
<p>{toc}</p>
{_documents(report)}
<h2>Errors</h2>
<p class="small">Lenient: {n_fp} false positives (prediction evidence, mention marked), {n_fn} false negatives (gold evidence). Strict errors follow.</p>
{_error_rows(sorted(report.errors, key=lambda e: (e.mode != "lenient", e.doc_id, e.study_key, e.field, e.kind)))}
</body></html>
"""


def write_report(report: ScoreReport, path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(report), encoding="utf-8")
    return path
