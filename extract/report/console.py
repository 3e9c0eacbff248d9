"""The score as the terminal shows it: one compact table per view, then the headline figures.

Intervals and errors live in score.json, errors.csv and the HTML report; the
terminal keeps to what fits in 120 columns, so nothing is cut off in a log.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from extract.score.models import HeadlineFigure, ScoreReport

WIDTH = 120


def score_table(result: ScoreReport, title: str) -> Table:
    table = Table(title=title, caption="95% bootstrap intervals: score.json and the HTML report")
    table.add_column("field", no_wrap=True)
    for mode in ("strict", "lenient"):
        table.add_column(f"{mode} TP/FP/FN", justify="right", no_wrap=True)
        for name in ("P", "R", "F1"):
            table.add_column(name, justify="right", no_wrap=True)
    lenient = {s.field: s for s in result.lenient.fields}
    last = result.strict.fields[-1].field if result.strict.fields else None
    for s in result.strict.fields + [result.strict.micro]:
        l = lenient.get(s.field, result.lenient.micro)
        row = [s.field]
        for x in (s, l):
            row += [f"{x.tp}/{x.fp}/{x.fn}", f"{x.precision:.2f}", f"{x.recall:.2f}", f"{x.f1:.2f}"]
        table.add_row(*row, end_section=s.field == last)
    macro = ["macro"]
    for m in (result.strict.macro, result.lenient.macro):
        macro += ["", f"{m.precision:.2f}", f"{m.recall:.2f}", f"{m.f1:.2f}"]
    table.add_row(*macro)
    return table


def headline_table(doc_id: str, figures: list[HeadlineFigure]) -> Table:
    table = Table(title=f"headline figures · {doc_id}", caption="basis and the paper's sentences: score.json and the report")
    table.add_column("figure")
    table.add_column("paper", justify="right")
    table.add_column("extracted", justify="right")
    for figure in figures:
        table.add_row(figure.figure, figure.paper, figure.extracted)
    return table


def print_score(result: ScoreReport, console: Console | None = None) -> None:
    console = console or Console(width=WIDTH)
    title = f"score · {len(result.documents)} documents · {result.gold_values} gold · {result.pred_values} predicted"
    if result.unscored_rows:
        title += f" · {result.unscored_rows} rows outside scoped gold"
    console.print(score_table(result, title))
    for view in result.views:
        console.print(score_table(view.report, f"view · {view.name}"))
    for doc_id, figures in result.headlines.items():
        console.print(headline_table(doc_id, figures))
