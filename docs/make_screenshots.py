"""The README's pictures of the workbench: the grid, and a value read from a PDF with its words boxed on the page.

Builds a dataset from the bundled papers as the workbench tests do (tests/workbench_server.py), judges three
values so the grid shows each status, serves it, and takes the pictures in Debian's headless Chromium.

    .venv/bin/python docs/make_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from workbench_server import build_dataset, serving  # noqa: E402

from extract.nlp.pipeline import build_pipeline  # noqa: E402
from extract.dataset.records import ReviewAction  # noqa: E402
from extract.dataset import reviews  # noqa: E402
from extract.dataset.database import connect  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def value_id(con, doc_id: str, field: str, value: str) -> str:
    return con.execute(
        "SELECT DISTINCT value_id FROM reviewed_values WHERE doc_id = ? AND field = ? AND value = ?", [doc_id, field, value]
    ).fetchone()[0]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = build_dataset(Path(folder), build_pipeline("blank"))
        con = connect(database)
        judged = [
            reviews.judgement(con, value_id(con, "PMC5320771", "route", "intramuscular"), ReviewAction.confirmed),
            reviews.judgement(con, value_id(con, "PMC5009698", "sample_size", "total=5"), ReviewAction.corrected, "total=6"),
            reviews.judgement(con, value_id(con, "PMC5009698_jats", "disease", "heart failure"), ReviewAction.rejected,
                              note="named by a cited reference"),
        ]
        reviews.record(con, judged)
        pdf_value = value_id(con, "PMC5320771_print", "route", "intramuscular")
        con.close()
        with serving(database) as base, sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.goto(base + "/?field=sample_size")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ROOT / "docs" / "workbench-grid.png"))
            page.set_viewport_size({"width": 1400, "height": 1500})
            page.goto(f"{base}/value/{pdf_value}?context=300")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ROOT / "docs" / "workbench-pdf-value.png"))
            browser.close()
    print("docs/workbench-grid.png, docs/workbench-pdf-value.png")


if __name__ == "__main__":
    main()
