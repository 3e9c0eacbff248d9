"""The scorer: hand-computed P/R/F1 on tiny tables, the real corpus, and the HTML report in Chromium."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.report.html import highlight, write_report
from extract.score.gold import load_gold, load_predictions
from extract.score.match import free_text_match, lenient_match, one_to_one, parse_structured, strict_match
from extract.score.metrics import score_paths

from conftest import CORPUS, ROOT

GOLD_ROWS = [
    ("A", "1", "route", "intravenous", "Cells were given IV."),
    ("A", "1", "dose", "value=100;unit=1e6 cells", "100 million cells were given."),
    ("A", "1", "dose", "value=2;unit=1e6 cells;per=kg", "2 M/kg was given."),
    ("B", "", "donor_type", "allogeneic", "Allogeneic cells."),
    ("B", "", "donor_type", "autologous", "Autologous cells."),
]
PRED_ROWS = [
    ("A", "1", "route", "intravenous", "Cells were given IV.", "IV"),
    ("A", "1", "route", "intravenous", "Again intravenous.", "intravenous"),  # duplicate tuple: counted once
    ("A", "1", "route", "intramuscular", "Not IM here.", "IM"),  # FP in both modes
    ("A", "1", "dose", "value=100;unit=1e6 cells;per=total", "100 million cells in total.", "100 million"),
    ("A", "1", "dose", "value=2.01;unit=1e6 cells;per=kg", "2.01 M/kg was given.", "2.01 M/kg"),
    ("B", "", "donor_type", "Allogeneic", "Allogeneic cells.", "Allogeneic"),
    ("C", "", "route", "intravenous", "A document without gold.", "intravenous"),  # not scored
]


def write_tables(tmp_path: Path) -> tuple[Path, Path]:
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    pd.DataFrame(GOLD_ROWS[:3], columns=["doc_id", "study_key", "field", "value", "evidence"]).to_csv(
        gold_dir / "A.csv", index=False
    )
    pd.DataFrame(GOLD_ROWS[3:], columns=["doc_id", "study_key", "field", "value", "evidence"]).to_csv(
        gold_dir / "B.csv", index=False
    )
    pred_dir = tmp_path / "pred"
    pred_dir.mkdir()
    pred = pd.DataFrame(PRED_ROWS, columns=["doc_id", "study_key", "field", "value", "evidence", "mention"])
    pred["rule"] = "test"
    pred.to_csv(pred_dir / "values.csv", index=False)
    return gold_dir, pred_dir


# --- matching -------------------------------------------------------------------------


def test_parse_structured():
    assert parse_structured("value=0.3; unit=1e6 cells;per=kg;") == {"value": "0.3", "unit": "1e6 cells", "per": "kg"}


def test_strict_and_lenient_match():
    assert strict_match(" RCT ", "RCT") and not strict_match("RCT", "rct") and lenient_match("RCT", "rct")
    assert strict_match("value=1;unit=1e6 cells", "unit=1e6 cells;value=1.0")  # order free, numbers exact
    assert not strict_match("value=1;unit=1e6 cells", "value=1.005;unit=1e6 cells")
    assert lenient_match("value=1;unit=1e6 cells", "value=1.005;unit=1e6 cells")  # 0.01 absolute
    assert lenient_match("value=100", "value=100.9;per=total")  # 1% relative, extra key ignored
    assert not lenient_match("value=100", "value=101.5")
    assert not lenient_match("value=2;per=kg", "value=2")  # a key the gold states must be there
    assert not lenient_match("value=2;per=kg", "value=2;per=total")
    assert lenient_match("value=2;unit=1e6 cells", "value=2") and not lenient_match("value=2;unit=mL", "value=2")
    assert lenient_match("3", "3.0") and not lenient_match("total=18", "18")


def test_one_to_one_matching():
    # one gold value can satisfy only one of two near-identical predictions
    assert one_to_one(["value=100"], ["value=100", "value=100.5"], lenient_match) == [(0, 0)]
    # augmenting path: the greedy choice for gold 0 would leave gold 1 unmatched
    pairs = one_to_one(["value=100", "value=100.8"], ["value=100.5", "value=100"], lenient_match)
    assert len(pairs) == 2


# --- loading --------------------------------------------------------------------------


def test_loading_keeps_strings_and_empty_study_key(tmp_path):
    gold_dir, pred_dir = write_tables(tmp_path)
    gold = load_gold(gold_dir)
    assert len(gold) == 5 and set(gold.study_key) == {"1", ""}
    assert all(isinstance(v, str) for v in gold.study_key)
    assert len(load_gold(gold_dir / "B.csv")) == 2
    pred = load_predictions(pred_dir)
    assert (pred.study_key == "").sum() == 2 and len(load_predictions(pred_dir / "values.csv")) == 7


# --- metrics, hand computed ---------------------------------------------------------------


def by_field(mode):
    return {s.field: (s.tp, s.fp, s.fn, s.precision, s.recall, s.f1) for s in mode.fields}


def test_hand_computed_scores(tmp_path):
    gold_dir, pred_dir = write_tables(tmp_path)
    report = score_paths(gold_dir, pred_dir, resamples=200, seed=0)
    assert report.documents == ["A", "B"]
    assert report.gold_values == 5 and report.pred_rows == 6 and report.pred_values == 5

    strict = by_field(report.strict)
    assert strict["route"] == (1, 1, 0, 0.5, 1.0, pytest.approx(2 / 3))
    assert strict["dose"] == (0, 2, 2, 0.0, 0.0, 0.0)
    assert strict["donor_type"] == (0, 1, 2, 0.0, 0.0, 0.0)
    m = report.strict.micro
    assert (m.tp, m.fp, m.fn) == (1, 4, 4)
    assert (m.precision, m.recall, m.f1) == (pytest.approx(0.2), pytest.approx(0.2), pytest.approx(0.2))
    assert report.strict.macro.precision == pytest.approx(1 / 6)
    assert report.strict.macro.recall == pytest.approx(1 / 3)
    assert report.strict.macro.f1 == pytest.approx(2 / 9)

    lenient = by_field(report.lenient)
    assert lenient["route"] == (1, 1, 0, 0.5, 1.0, pytest.approx(2 / 3))
    assert lenient["dose"] == (2, 0, 0, 1.0, 1.0, 1.0)
    assert lenient["donor_type"] == (1, 0, 1, 1.0, 0.5, pytest.approx(2 / 3))
    m = report.lenient.micro
    assert (m.tp, m.fp, m.fn) == (4, 1, 1)
    assert (m.precision, m.recall, m.f1) == (pytest.approx(0.8), pytest.approx(0.8), pytest.approx(0.8))
    assert report.lenient.macro.precision == pytest.approx(5 / 6)
    assert report.lenient.macro.recall == pytest.approx(5 / 6)
    assert report.lenient.macro.f1 == pytest.approx(7 / 9)

    for mode in (report.strict, report.lenient):
        for s in mode.fields + [mode.micro]:
            for attr in ("precision", "recall", "f1"):
                ci = getattr(s, f"{attr}_ci")
                assert 0.0 <= ci.low <= ci.high <= 1.0

    errors = {(e.mode, e.kind, e.doc_id, e.study_key, e.field, e.value): e for e in report.errors}
    assert set(k for k in errors if k[0] == "lenient") == {
        ("lenient", "FP", "A", "1", "route", "intramuscular"),
        ("lenient", "FN", "B", "", "donor_type", "autologous"),
    }
    assert errors[("lenient", "FP", "A", "1", "route", "intramuscular")].evidence == "Not IM here."
    assert errors[("lenient", "FN", "B", "", "donor_type", "autologous")].evidence == "Autologous cells."
    assert len([k for k in errors if k[0] == "strict"]) == 8  # strict micro: 4 FP + 4 FN
    assert not any(k[2] == "C" for k in errors)


def test_bootstrap_is_reproducible(tmp_path):
    gold_dir, pred_dir = write_tables(tmp_path)
    a = score_paths(gold_dir, pred_dir, resamples=100, seed=0)
    b = score_paths(gold_dir, pred_dir, resamples=100, seed=0)
    assert a.model_dump() == b.model_dump()


def test_cli_score_writes_json_errors_and_report(tmp_path):
    gold_dir, pred_dir = write_tables(tmp_path)
    html = tmp_path / "r" / "report.html"
    result = CliRunner().invoke(
        app, ["score", "--gold", str(gold_dir), "--pred", str(pred_dir), "--report", str(html), "--resamples", "50"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((pred_dir / "score.json").read_text())
    assert data["lenient"]["micro"]["tp"] == 4
    errors = pd.read_csv(pred_dir / "errors.csv", dtype=str, keep_default_na=False)
    assert {"mode", "kind", "doc_id", "study_key", "field", "value", "evidence"} <= set(errors.columns)
    text = html.read_text()
    assert "<svg" in text and "<mark>IM</mark>" in text and "http://" not in text.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


def test_highlight_escapes_and_marks():
    assert highlight("a <b> IV c", "iv") == "a &lt;b&gt; <mark>IV</mark> c"
    assert highlight("nothing", "") == "nothing"


# --- the real corpus ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_score(tmp_path_factory):
    out = tmp_path_factory.mktemp("pred")
    result = CliRunner().invoke(app, ["run", str(CORPUS), "--out", str(out), "--pipeline", "blank"])
    assert result.exit_code == 0, result.output
    return out, score_paths(ROOT / "gold", out, resamples=200, seed=0)


def test_real_corpus_scores_are_proportions(corpus_score):
    _, report = corpus_score
    assert len(report.documents) == 4
    for mode in (report.strict, report.lenient):
        for s in mode.fields + [mode.micro]:
            for attr in ("precision", "recall", "f1"):
                assert 0.0 <= getattr(s, attr) <= 1.0
        for attr in ("precision", "recall", "f1"):
            assert 0.0 <= getattr(mode.macro, attr) <= 1.0
    # lenient never scores below strict
    assert report.lenient.micro.tp >= report.strict.micro.tp


def test_real_corpus_route_recall_in_000(corpus_score):
    _, report = corpus_score
    for mode in ("strict", "lenient"):
        (route,) = [c for c in report.per_document if c.doc_id == "000_99413260b5e6cc0d" and c.field == "route" and c.mode == mode]
        assert route.tp + route.fn == 13
        assert route.tp / (route.tp + route.fn) >= 0.9


def test_free_text_fields_match_leniently_as_written():
    gold = "no adverse events were reported due to the procedure or to the stem cell treatment"
    quoted_with_tail = gold + " 4–6 years post autologous, hypoxic cultured mesenchymal stem cell infusion"
    assert free_text_match(gold, quoted_with_tail)
    assert lenient_match("heart diseases", "Heart disease", "disease")
    assert not lenient_match("heart diseases", "Heart disease", "route")
    assert not free_text_match("diabetes", "type 2 diabetes")  # too short to be a quotation of it
    assert not strict_match(gold, quoted_with_tail)


def test_004_gold_judges_its_table_and_scores_the_prose_separately(corpus_score):
    out, report = corpus_score
    pred = load_predictions(out)
    prose_routes = pred[(pred.doc_id == "004_0683142eb9ad4bee") & (pred.field == "route")]
    assert len(prose_routes) > 0, "the 004 prose states routes the table has no column for"
    assert report.unscored_rows >= len(prose_routes)
    fp_fields_004 = {e.field for e in report.errors if e.doc_id == "004_0683142eb9ad4bee" and e.kind == "FP"}
    assert "route" not in fp_fields_004 and "cell_type" not in fp_fields_004
    (view,) = report.views
    assert view.name == "004 prose vs Table 1"
    assert view.report.documents == ["004_0683142eb9ad4bee"]
    view_fields = {f.field for f in view.report.strict.fields}
    assert view_fields <= {"disease", "donor_type", "source", "design", "dose", "effect"}
    # The prose reads donor types and sources of the table's studies, and not everything the table says.
    donor = next(f for f in view.report.strict.fields if f.field == "donor_type")
    assert donor.tp > 0 and donor.fn > 0
    assert view.report.strict.micro.f1 < report.strict.micro.f1


# --- the HTML report in a real browser --------------------------------------------------------


def test_report_renders_in_headless_chromium(corpus_score, tmp_path):
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("no /usr/bin/chromium (install it with apt-get install chromium)")
    _, report = corpus_score
    path = write_report(report, tmp_path / "report.html")
    dom = subprocess.run(
        [
            str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", path.resolve().as_uri(),
        ],
        capture_output=True, text=True, timeout=120,
    ).stdout
    assert "<svg" in dom and dom.count('class="field-chart"') == len(report.strict.fields) + 1
    assert dom.count('class="error-row') >= len(report.errors)
    assert "<mark>" in dom
    assert "msc-extract score" in dom
    assert 'id="headlines"' in dom and "555" in dom and "(5/13)" in dom
    assert "004 prose vs Table 1" in dom and dom.count('class="scores"') == 1 + len(report.views)


def test_headline_figures_of_000_beside_the_paper(corpus_score):
    _, report = corpus_score
    figures = {f.figure: f for f in report.headlines["000_99413260b5e6cc0d"]}
    assert figures["patients"].paper == "555"
    # The CORD-19 export lost the tables, so the prose states no per-trial N: said, not invented.
    assert figures["patients"].extracted == "not stated"
    assert figures["allo-MSC patients with alloantibodies"].paper == "41/356"
    assert figures["allo-MSC patients with alloantibodies"].extracted.startswith("at least ")
    assert figures["most common route"].extracted.startswith("intravenous 5/")
    assert {"patients with alloantibodies, DSA studies", "patients with alloantibodies, cPRA studies"} <= set(figures)
