"""The workbench end to end in a real browser: Debian's Chromium (/usr/bin/chromium), driven by Playwright.

A reviewer opens the grid, filters it, opens a value, sees the words the rule read marked, confirms it with its
key, corrects another (a typo first, refused by the review parsers), and adds a value by selecting words in the
paper; after Ctrl-C the dataset holds exactly those three judgements, and `msc-extract export` shows them. A paper
whose text holds a <script> and an <img onerror> shows them as text. No browser is ever downloaded: the test is
skipped, saying why, where Debian's chromium (installed by .ci/run) or Playwright (the dev extra) is missing.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from workbench_server import HOSTILE_IMAGE, HOSTILE_SCRIPT, build_dataset, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]

if not CHROMIUM.exists():
    pytest.skip("no /usr/bin/chromium (Debian's chromium; .ci/run installs it with apt-get)", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.errors = []
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    opened.on("dialog", lambda dialog: (opened.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def database(tmp_path, nlp):
    return build_dataset(tmp_path, nlp)


def rows(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def value_of(database: Path, doc_id: str, field: str, value: str) -> tuple[str, str]:
    """A value's id and the mention of its best evidence."""
    return rows(
        database,
        """SELECT value_id, mention FROM reviewed_values WHERE doc_id = ? AND field = ? AND value = ?
           ORDER BY evidence_rank NULLS LAST, start LIMIT 1""",
        [doc_id, field, value],
    )[0]


SELECT_WORDS = """(words) => {
    // Select `words` in the evidence passage as a reader's mouse would, then let go of the button.
    const passage = document.getElementById('passage');
    const walker = document.createTreeWalker(passage, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
        const at = node.data.indexOf(words);
        if (at >= 0) {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + words.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            node.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
            return true;
        }
    }
    return false;
}"""


def test_a_reviewer_confirms_corrects_and_adds_in_the_browser_and_the_export_shows_it(database, page, tmp_path):
    confirmed, confirmed_mention = value_of(database, "PMC5320771", "route", "intramuscular")
    corrected, _ = value_of(database, "PMC5009698", "sample_size", "total=5")
    with serving(database) as base:
        page.goto(base + "/")
        assert page.locator("table.table-one tbody tr").count() > 10

        # The grid, narrowed to one paper (htmx swaps the table in), then a value opened from its cell.
        page.fill("#filter-doc", "PMC5320771")
        page.dispatch_event("#filter-doc", "change")
        playwright_api.expect(page.locator("table.table-one tbody tr")).to_have_count(1)
        page.click(f'a.chip[data-value-id="{confirmed}"]')
        page.wait_for_url(f"**/value/{confirmed}")

        # The words the rule read are marked inside the marked evidence sentence.
        mention = page.locator("#passage mark.m-mention").first
        assert mention.inner_text() == confirmed_mention
        assert page.locator("#passage mark.m-evidence").count() >= 1

        # Confirm with its key; the status and the progress change without a page load.
        page.keyboard.press("c")
        playwright_api.expect(page.locator("#value-status")).to_have_text("confirmed")
        playwright_api.expect(page.locator("#progress strong")).to_have_text("1")

        # The trial's next value and back, and the next unreviewed one, by their keys.
        page.keyboard.press("j")
        page.wait_for_url(lambda url: "/value/" in url and not url.endswith(confirmed))
        page.keyboard.press("k")
        page.wait_for_url(f"**/value/{confirmed}")
        page.keyboard.press("n")
        page.wait_for_url(lambda url: "/value/" in url and not url.endswith(confirmed))
        playwright_api.expect(page.locator("#value-status")).to_have_text("unreviewed")
        page.go_back()
        page.wait_for_url(f"**/value/{confirmed}")

        # Add a value from selected words: n_administrations, stated by the route's sentence.
        assert page.evaluate(SELECT_WORDS, "into each end of the muscle")
        page.wait_for_selector("#add-form", state="visible")
        assert page.locator("#add-selected").inner_text() == "into each end of the muscle"
        page.select_option("#add-field", "n_administrations")
        page.fill("#add-value", "1")
        page.click("#add-submit")
        page.wait_for_url("**/value/*")
        assert page.locator("#value-status").text_content().strip() == "added"
        added = page.url.rsplit("/", 1)[1]

        # Correct another value: a typo is refused with the parser's reason, then the right value is kept.
        page.goto(f"{base}/value/{corrected}")
        page.keyboard.press("e")
        page.fill("#correct-value", "total=abc")
        page.keyboard.press("Enter")
        page.wait_for_selector("#judge-error")
        assert "does not parse" in page.locator("#judge-error").inner_text()
        page.fill("#correct-value", "total=6")
        page.keyboard.press("Enter")
        playwright_api.expect(page.locator("#value-status")).to_have_text("corrected")

        # The grid shows all three at once.
        page.goto(base + "/?status=corrected")
        assert page.locator(f'a.chip[data-value-id="{corrected}"] .shown').inner_text() == "6"
        page.goto(base + "/?status=added")
        assert page.locator(f'a.chip[data-value-id="{added}"]').count() == 1
        assert page.errors == []

    assert sorted(rows(database, "SELECT value_id, field, action, corrected_value FROM corrections")) == sorted([
        (confirmed, "route", "confirmed", None),
        (corrected, "sample_size", "corrected", "total=6"),
        (added, "n_administrations", "added", None),
    ])
    assert rows(database, "SELECT evidence FROM corrections WHERE action = 'added'") == [("into each end of the muscle",)]

    out = tmp_path / "export"
    subprocess.run(
        [sys.executable, "-m", "extract.cli", "export", str(database), "--out", str(out), "--format", "csv", "--format", "gold"],
        cwd=ROOT, check=True, capture_output=True,
    )
    with (out / "values.csv").open(encoding="utf-8", newline="") as handle:
        reviewed = {(row["value_id"], row["review"], row["value"]) for row in csv.DictReader(handle) if row["review"] != "unreviewed"}
    assert reviewed == {(confirmed, "confirmed", "intramuscular"), (corrected, "corrected", "total=6"), (added, "added", "1")}
    with (out / "studies.csv").open(encoding="utf-8", newline="") as handle:
        studies = {row["trial_id"]: row for row in csv.DictReader(handle)}
    assert "6" in studies["PMC5009698"]["n"].split(" | ") and "1" in studies["PMC5320771"]["injections"].split(" | ")
    gold = (out / "gold" / "PMC5320771.csv").read_text(encoding="utf-8")
    assert "n_administrations,1,into each end of the muscle" in gold and "route,intramuscular" in gold


def test_a_papers_script_and_image_markup_show_as_text(database, page):
    hostile, _ = rows(
        database,
        """SELECT value_id, mention FROM reviewed_values WHERE doc_id = 'hostile_markup' AND evidence LIKE '%<script>%'
           ORDER BY evidence_rank NULLS LAST LIMIT 1""",
    )[0]
    with serving(database) as base:
        for path in (f"/value/{hostile}", "/paper/hostile_markup"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            text = page.locator("#passage").inner_text()
            assert HOSTILE_SCRIPT in text and HOSTILE_IMAGE in text
            assert page.locator("#passage script, #passage img").count() == 0
            assert page.title() != "pwned"
        # Selecting the markup to add a value keeps it as words too.
        page.goto(f"{base}/value/{hostile}")
        assert page.evaluate(SELECT_WORDS, HOSTILE_SCRIPT)
        assert page.locator("#add-selected").inner_text() == HOSTILE_SCRIPT
        assert page.locator("#add-form script").count() == 0
        assert page.title() != "pwned" and page.errors == []
