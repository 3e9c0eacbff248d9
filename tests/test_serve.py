"""The workbench over HTTP (`msc-extract serve` in its own process, asked over loopback): the grid and its filters,
the evidence view, judgements through the review code, and what keeps a paper or another site from acting
through it. The same flows in a real browser are in test_serve_browser.py."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.parse
import urllib.request

import duckdb
import pytest

from extract.serve.papers import passage
from extract.serve.queries import table_one

from test_report import Page
from workbench_server import HOSTILE_IMAGE, HOSTILE_SCRIPT, build_dataset, serving

DISC_SAMPLE_SIZE = ("PMC5009698", "sample_size", "total=5")
FECAL_ROUTE = ("PMC5320771", "route", "intramuscular")


@pytest.fixture(scope="module")
def built(tmp_path_factory, nlp):
    return build_dataset(tmp_path_factory.mktemp("workbench"), nlp)


@pytest.fixture
def database(built, tmp_path):
    """A copy of the built dataset a test may judge in (the papers stay where the dataset recorded them)."""
    copy = tmp_path / "review.duckdb"
    shutil.copy(built, copy)
    return copy


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    """One server over a copy that no test judges in; tests read the original (the server holds its file)."""
    copy = tmp_path_factory.mktemp("read-only") / "review.duckdb"
    shutil.copy(built, copy)
    with serving(copy) as base:
        yield base, built


def value_id_of(database, doc_id: str, field: str, value: str) -> str:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(
            "SELECT DISTINCT value_id FROM reviewed_values WHERE doc_id = ? AND field = ? AND value = ?", [doc_id, field, value]
        ).fetchone()[0]
    finally:
        con.close()


def query(database, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def get(url: str, headers: dict | None = None) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, fields: dict, headers: dict | None = None) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def same_origin(base: str) -> dict:
    return {"Origin": base}


# ---------------------------------------------------------------- the grid


def test_the_grid_lists_every_trial_with_the_columns_of_table_one(server):
    base, database = server
    status, html, _ = get(base + "/")
    assert status == 200
    trials = query(database, "SELECT count(*) FROM trials")[0][0]
    assert f"{trials} trials" in html
    for column in table_one():
        assert f'class="col-{column.field}' in html
    judged, total = query(
        database, "SELECT count(DISTINCT value_id) FILTER (WHERE review <> 'unreviewed'), count(DISTINCT value_id) FROM reviewed_values"
    )[0]
    assert f"<strong>{judged}</strong> of {total} values judged" in html


def test_filters_by_field_paper_status_and_disagreement(server):
    base, database = server
    with_route = {row[0] for row in query(database, "SELECT DISTINCT trial_id FROM reviewed_values WHERE field = 'route'")}
    _, html, _ = get(base + "/?field=route")
    assert f"{len(with_route)} trials" in html
    _, html, _ = get(base + "/?doc=PMC5320771_print")
    assert "1 trial ·" in html or "1 trial<" in html
    assert 'data-trial="PMC5320771"' in html and 'data-trial="PMC5009698"' not in html
    _, html, _ = get(base + "/?disagreement=1")
    # The disc trial read from its Evidence Inference text and its JATS rendering states different diseases.
    assert 'data-trial="PMC5009698"' in html and "sources disagree" in html
    _, html, _ = get(base + "/?status=confirmed")
    assert "No trial passes these filters." in html


def test_a_trial_read_from_two_sources_shows_them_side_by_side(server):
    base, _ = server
    status, html, _ = get(base + "/trial?id=PMC5009698")
    assert status == 200
    assert "PMC5009698_jats" in html and html.count('class="disagree"') >= 1


# ---------------------------------------------------------------- a value's evidence


def test_a_values_evidence_marks_the_words_the_rule_read(server):
    base, database = server
    wanted = value_id_of(database, *FECAL_ROUTE)
    status, html, _ = get(f"{base}/value/{wanted}")
    assert status == 200
    mention = query(database, "SELECT mention FROM reviewed_values WHERE value_id = ? ORDER BY evidence_rank LIMIT 1", [wanted])[0][0]
    assert f'<mark class="m-evidence m-mention">{mention}</mark>' in html


def test_a_pdf_value_shows_its_page(server):
    base, database = server
    wanted = value_id_of(database, "PMC5320771_print", "route", "intramuscular")
    _, html, _ = get(f"{base}/value/{wanted}")
    page = query(database, "SELECT page FROM reviewed_values WHERE value_id = ? ORDER BY evidence_rank LIMIT 1", [wanted])[0][0]
    assert f"/paper/PMC5320771_print/page/{page}.png" in html
    # The words' boxes from the PDF reader, drawn over the page in its own points.
    assert html.count('<rect class="box-mention"') >= 1 and html.count('<rect class="box-evidence"') >= 1
    request = urllib.request.Request(f"{base}/paper/PMC5320771_print/page/{page}.png")
    with urllib.request.urlopen(request) as response:
        assert response.headers["content-type"] == "image/png"
        assert response.read(8) == b"\x89PNG\r\n\x1a\n"
    assert get(f"{base}/paper/PMC5320771_print/page/99.png")[0] == 404
    assert get(f"{base}/paper/PMC5009698/page/1.png")[0] == 404  # a text export has no pages to render


def test_the_passage_lines_carry_the_offsets_of_their_words():
    text = "Title line\n\nFirst sentence here. Cells were given intravenously to all.\nLast line."
    start = text.index("Cells")
    end = text.index(" to all") + len(" to all.")
    mention = text.index("intravenously")
    shown = passage(text, start, end, [(start, end, "evidence"), (mention, mention + 13, "mention")], 5, 5)
    for line in shown.lines:
        joined = "".join(segment.text for segment in line.segments)
        assert text[line.start : line.start + len(joined)] == joined
    marked = [s for line in shown.lines for s in line.segments if "mention" in s.marks]
    assert [s.text for s in marked] == ["intravenously"] and marked[0].marks == ["evidence", "mention"]
    assert shown.cut_before and shown.cut_after


# ---------------------------------------------------------------- judging


def test_judgements_go_through_the_review_code_and_show_in_the_export(database):
    wanted = value_id_of(database, *DISC_SAMPLE_SIZE)
    with serving(database) as base:
        status, html = post(f"{base}/value/{wanted}/judge", {"action": "correct", "value": "total=abc"}, same_origin(base))
        assert status == 422 and "does not parse" in html
        status, _ = post(f"{base}/value/{wanted}/judge", {"action": "correct", "value": "total=6"}, same_origin(base))
        assert status == 303
        _, csv_text, headers = get(f"{base}/export/values.csv")
        assert headers["content-type"].startswith("text/csv")
        assert any(line.startswith(f"{wanted},") and ",total=6,total=5,corrected," in line for line in csv_text.splitlines())
        _, html, _ = get(f"{base}/?doc=PMC5009698")
        assert '<span class="shown">6</span>' in html
    assert query(database, "SELECT value_id, action, corrected_value FROM corrections") == [(wanted, "corrected", "total=6")]


def test_a_change_needs_a_request_from_the_workbenchs_own_pages(database):
    wanted = value_id_of(database, *FECAL_ROUTE)
    with serving(database) as base:
        assert post(f"{base}/value/{wanted}/judge", {"action": "confirm"})[0] == 403
        assert post(f"{base}/value/{wanted}/judge", {"action": "confirm"}, {"Origin": "http://evil.example"})[0] == 403
        assert post(f"{base}/value/{wanted}/judge", {"action": "confirm"}, {"Origin": "null"})[0] == 403
        assert post(f"{base}/value/{wanted}/judge", {"action": "confirm"}, {"Referer": "http://evil.example/page"})[0] == 403
        # A rebound DNS name: same origin as the host it names, but not a name the workbench answers to.
        rebound = {"Host": "evil.example:80", "Origin": "http://evil.example:80"}
        assert post(f"{base}/value/{wanted}/judge", {"action": "confirm"}, rebound)[0] == 400
        assert post(f"{base}/value/{wanted}/judge", {"action": "confirm"}, {"Referer": f"{base}/value/{wanted}"})[0] == 303
        assert get(f"{base}/value/{wanted}/judge")[0] == 405
    assert query(database, "SELECT value_id, action FROM corrections") == [(wanted, "confirmed")]


def test_an_added_value_takes_the_papers_own_words_as_evidence(database):
    back = value_id_of(database, *FECAL_ROUTE)
    sentence, start = query(database, "SELECT evidence, start FROM reviewed_values WHERE value_id = ? ORDER BY start LIMIT 1", [back])[0]
    with serving(database) as base:
        _, html, _ = get(f"{base}/paper/PMC5320771")
        page = Page(html)
        assert page.tags["form"] >= 1
        words = "into each end of the muscle"
        at = start + sentence.index(words)
        fields = {"start": at, "end": at + len(words), "selected": words, "field": "n_administrations", "value": "1",
                  "study_key": "", "back": back}
        assert post(f"{base}/paper/PMC5320771/add", {**fields, "selected": "other words"}, same_origin(base))[0] == 422
        assert post(f"{base}/paper/PMC5320771/add", {**fields, "value": "one"}, same_origin(base))[0] == 422
        assert post(f"{base}/paper/PMC5320771/add", fields, same_origin(base))[0] == 303
    assert query(database, "SELECT doc_id, field, value, action, evidence FROM corrections") == [
        ("PMC5320771", "n_administrations", "1", "added", words)
    ]


# ---------------------------------------------------------------- safety


def test_a_papers_markup_shows_as_text_on_every_page(server):
    base, database = server
    hostile = [row[0] for row in query(
        database, "SELECT DISTINCT value_id FROM reviewed_values WHERE doc_id = 'hostile_markup' AND evidence LIKE '%<script>%'"
    )]
    assert hostile
    trial = query(database, "SELECT DISTINCT trial_id FROM reviewed_values WHERE value_id = ?", [hostile[0]])[0][0]
    for path in (f"/value/{hostile[0]}", "/paper/hostile_markup", f"/trial?{urllib.parse.urlencode({'id': trial})}", "/?doc=hostile_markup"):
        status, html, headers = get(base + path)
        assert status == 200, path
        page = Page(html)
        assert page.tags["script"] == 2, path  # htmx and the workbench's own, nothing from the paper
        assert page.tags["img"] == 0, path
        assert "onerror" not in page.attributes, path
        assert "script-src 'self'" in headers["content-security-policy"], path
        if "?doc=" not in path:  # the grid shows values, not the paper's sentences
            assert HOSTILE_SCRIPT in "".join(page.text) and HOSTILE_IMAGE in "".join(page.text), path


def test_no_route_reads_a_file_outside_the_datasets_papers(server):
    base, _ = server
    for path in (
        "/paper/..%2F..%2F..%2Fetc%2Fpasswd",
        "/paper/%2Fetc%2Fpasswd",
        "/static/..%2F..%2Fapp.py",
        "/static/../queries.py",
        "/export/..%2Fetc%2Fpasswd",
        "/export/studies.parquet",
        "/value/..%2F..%2Fetc%2Fpasswd",
    ):
        status, body, _ = get(base + path)
        assert status == 404, path
        assert "root:" not in body and "import " not in body, path


def test_a_paper_changed_since_it_was_read_shows_only_its_stored_evidence(database):
    wanted = value_id_of(database, *FECAL_ROUTE)
    con = duckdb.connect(str(database))
    con.execute("UPDATE documents SET content_hash = 'not-these-bytes' WHERE doc_id = 'PMC5320771'")
    con.close()
    with serving(database) as base:
        status, html, _ = get(f"{base}/value/{wanted}")
    assert status == 200 and "changed since it was read" in html and 'id="passage"' not in html


def test_evidence_whose_offsets_no_longer_hold_its_words_is_shown_as_stored(database):
    wanted = value_id_of(database, *FECAL_ROUTE)
    con = duckdb.connect(str(database))
    con.execute('UPDATE extracted_values SET start = start + 40, "end" = "end" + 40 WHERE value_id = ?', [wanted])
    con.close()
    with serving(database) as base:
        status, html, _ = get(f"{base}/value/{wanted}")
    assert status == 200 and "reads differently now" in html and 'id="passage"' not in html
