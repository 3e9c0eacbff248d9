"""The HTML score report: rendered from its template with autoescaping, written by `score` by default."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.report.html import render_report
from extract.score.metrics import score_paths
from extract.store.outputs import write_outputs

from conftest import ROOT

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
# What a paper's text can hold, in every place the report shows a paper's words.
HOSTILE_GOLD = [
    ("A", "1", "route", "intravenous", f"Cells were given IV. {SCRIPT}"),
    ("A", "1", "disease", f"graft-versus-host disease {IMG}", f"Patients had GvHD {IMG}."),
    ("A", f"2{SCRIPT}", "route", "intravenous", "Given IV."),
]
HOSTILE_PRED = [
    ("A", "1", "route", "intravenous", f"Cells were given IV. {SCRIPT}", "IV"),
    ("A", "1", "route", f"intra{SCRIPT}", f"Given {IMG} intra{SCRIPT} here.", f"intra{SCRIPT}"),
    ("A", "1", "disease", f"lupus {IMG}", f"Patients with lupus {IMG}.", IMG),
]


class Page(HTMLParser):
    """Every element and every piece of text, as a browser's parser would see them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.classes: Counter[str] = Counter()
        self.attributes: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self.attributes += [name for name, _ in attrs]
        for name, value in attrs:
            if name == "class":
                self.classes.update(value.split())

    def handle_data(self, data):
        self.text.append(data)


def write_tables(folder: Path, gold_rows, pred_rows) -> tuple[Path, Path]:
    gold, pred = folder / "gold", folder / "pred"
    gold.mkdir()
    pred.mkdir()
    pd.DataFrame(gold_rows, columns=["doc_id", "study_key", "field", "value", "evidence"]).to_csv(gold / "A.csv", index=False)
    frame = pd.DataFrame(pred_rows, columns=["doc_id", "study_key", "field", "value", "evidence", "mention"])
    frame["rule"] = "test"
    frame.to_csv(pred / "values.csv", index=False)
    return gold, pred


def test_a_papers_markup_shows_as_text(tmp_path):
    gold, pred = write_tables(tmp_path, HOSTILE_GOLD, HOSTILE_PRED)
    report = score_paths(gold, pred, resamples=20, seed=0)
    assert any(SCRIPT in e.value or SCRIPT in e.evidence for e in report.errors)
    html = render_report(report)
    page = Page(html)
    assert page.tags["script"] == 0 and page.tags["img"] == 0
    assert "onerror" not in page.attributes and "src" not in page.attributes
    text = "".join(page.text)
    assert SCRIPT in text and IMG in text
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    # The matched words are still marked, as text.
    assert f"<mark>{'&lt;img src=x onerror=&#34;alert(1)&#34;&gt;'}</mark>" in html
    assert "<mark>intra&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</mark>" in html


@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory, corpus_results):
    out = tmp_path_factory.mktemp("pred")
    write_outputs(corpus_results.values(), out, "blank")  # as `msc-extract run` writes them
    return out, score_paths(ROOT / "gold", out, resamples=50, seed=0)


def test_the_report_shows_scores_charts_documents_errors_headlines_and_views(corpus_report):
    _, report = corpus_report
    page = Page(render_report(report))
    text = " ".join(page.text)
    assert page.classes["field-chart"] == len(report.strict.fields) + 1 == page.tags["svg"]
    # Per chart: three ticks and six bars (P, R, F1; strict and lenient), each bar with its whisker.
    assert page.tags["rect"] == 6 * page.tags["svg"] and page.tags["line"] == 9 * page.tags["svg"]
    assert page.classes["error-row"] == len(report.errors) + sum(e.mode == "lenient" for e in report.errors)
    assert page.classes["document"] == len(report.documents) and page.classes["scores"] == 1 + len(report.views)
    assert page.tags["mark"] > 0
    assert "555" in text and "(5/13)" in text and "004 prose vs Table 1" in text
    for field in report.strict.fields:
        assert field.field in text
    assert f"{report.strict.micro.f1:.3f}" in text


def test_score_writes_the_report_beside_score_json_by_default(tmp_path):
    gold, pred = write_tables(tmp_path, HOSTILE_GOLD, HOSTILE_PRED)
    result = CliRunner().invoke(app, ["score", "--gold", str(gold), "--pred", str(pred), "--resamples", "20"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in pred.iterdir()} == {"values.csv", "score.json", "errors.csv", "report.html"}
    assert Page((pred / "report.html").read_text(encoding="utf-8")).classes["field-chart"] >= 1


def test_score_report_elsewhere_or_not_at_all(tmp_path):
    gold, pred = write_tables(tmp_path, HOSTILE_GOLD, HOSTILE_PRED)
    elsewhere = tmp_path / "reports" / "r.html"
    result = CliRunner().invoke(
        app, ["score", "--gold", str(gold), "--pred", str(pred), "--resamples", "20", "--report", str(elsewhere)]
    )
    assert result.exit_code == 0, result.output
    assert elsewhere.is_file() and not (pred / "report.html").exists()
    elsewhere.unlink()
    result = CliRunner().invoke(app, ["score", "--gold", str(gold), "--pred", str(pred), "--resamples", "20", "--no-report"])
    assert result.exit_code == 0, result.output
    assert not (pred / "report.html").exists() and not elsewhere.exists() and (pred / "score.json").is_file()
    both = CliRunner().invoke(
        app, ["score", "--gold", str(gold), "--pred", str(pred), "--report", str(elsewhere), "--no-report"]
    )
    assert both.exit_code == 2 and "contradict" in both.output
