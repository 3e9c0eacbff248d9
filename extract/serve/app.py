"""The reviewer's workbench: a Starlette application over one review dataset.

Pages are rendered on the server from Jinja2 templates (autoescaped: a paper's
words are text, whatever they hold); htmx swaps the parts a click changes, and
every page also works as plain links and forms. Reads go through `queries.py`,
papers' words through `papers.py`, and every judgement through the functions
the `msc-extract review` commands call (extract/store/reviews.py), one
transaction each. No route takes a file path: papers are found by their id in
the dataset's `documents` table.
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlencode

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from extract.paths import load_lexicon
from extract.report.html import highlight
from extract.dataset.records import ReviewAction
from extract.fields.evidence import FieldName
from extract.serve import queries
from extract.serve.guard import SameOriginGuard
from extract.serve.models import STATUSES, GridFilters
from extract.serve.papers import PaperShelf, PaperUnavailable, passage, reads_as_stored
from extract.dataset import reviews
from extract.dataset.database import connect
from extract.dataset.exports import analyses_table, studies_table, values_table
from extract.store.spreadsheet import escape_frame

FIELDS = list(get_args(FieldName))
EXPORTS = {"studies.csv": studies_table, "values.csv": values_table, "analyses.csv": analyses_table}
JUDGEMENTS = {"confirm": ReviewAction.confirmed, "reject": ReviewAction.rejected, "correct": ReviewAction.corrected}
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]


class WorkbenchSettings(BaseModel):
    """models/lexicons/workbench.json."""

    page_size: int
    context_characters: int
    context_characters_max: int
    cell_values_shown: int
    paper_choices_max: int
    added_evidence_max_characters: int
    page_render_scale: float
    papers_cached: int
    pages_cached: int
    shortcuts: dict[str, str]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("extract.serve", "templates"), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["confidence"] = lambda value: "" if value is None else f"{value:.2f}"
    env.filters["percent"] = lambda value: f"{value:.1%}"
    env.globals["highlight"] = highlight
    return env


class Workbench:
    """The dataset connection and what every route needs; one per served dataset."""

    def __init__(self, database: Path, reviewer: str = ""):
        self.database = database
        self.reviewer = reviewer
        self.settings = WorkbenchSettings(**load_lexicon("workbench"))
        self.connection: duckdb.DuckDBPyConnection | None = None
        self.writing = threading.Lock()  # one judgement at a time: DuckDB refuses concurrent conflicting writes
        self.shelf = PaperShelf(self.settings.papers_cached, self.settings.pages_cached, self.settings.page_render_scale)
        self.templates = Jinja2Templates(env=_environment())

    def open(self) -> None:
        self.connection = connect(self.database)
        queries.build_summary(self.connection)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for one request: a DuckDB connection is not shared between threads."""
        if self.connection is None:
            raise RuntimeError("the workbench's dataset is not open")
        return self.connection.cursor()

    def render(self, request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
        cursor = self.cursor()
        try:
            common = {
                "database": self.database.name,
                "progress": queries.progress(cursor),
                "shortcuts": self.settings.shortcuts,
                "settings": self.settings,
                "urlencode": urlencode,
            }
        finally:
            cursor.close()
        return self.templates.TemplateResponse(request, name, {**common, **context}, status_code=status_code)


def _bench(request: Request) -> Workbench:
    return request.app.state.workbench


# ---------------------------------------------------------------- the grid


def _filters(request: Request) -> GridFilters:
    params = request.query_params
    try:
        return GridFilters(
            field=params.get("field") or None,
            status=params.get("status") or None,
            doc=params.get("doc") or None,
            disagreement=params.get("disagreement") in ("1", "on", "true"),
            page=int(params.get("page") or 1),
        )
    except (ValidationError, ValueError) as error:
        raise HTTPException(400, f"bad filter: {error}") from error


async def grid(request: Request) -> Response:
    bench = _bench(request)
    filters = _filters(request)

    def read():
        cursor = bench.cursor()
        try:
            return {
                "grid": queries.grid_page(cursor, filters, bench.settings.page_size),
                "fields": queries.fields_present(cursor),
                "papers": queries.papers(cursor, bench.settings.paper_choices_max),
            }
        finally:
            cursor.close()

    context = await run_in_threadpool(read)
    return bench.render(request, "grid.html.j2", {**context, "filters": filters, "statuses": STATUSES})


# ---------------------------------------------------------------- a value and its evidence


def _value_context(bench: Workbench, value_id: str, context_characters: int) -> dict[str, Any]:
    cursor = bench.cursor()
    try:
        value = queries.value_detail(cursor, value_id)
        if value is None:
            raise HTTPException(404, f"no value {value_id!r} in the dataset")
        info = queries.paper(cursor, value.doc_id)
        navigation = queries.neighbours(cursor, value)
        studies = queries.study_keys(cursor, value.doc_id)
    finally:
        cursor.close()
    best = next((row for row in value.evidence if row.start is not None), None)
    context: dict[str, Any] = {
        "value": value, "paper": info, "navigation": navigation, "studies": studies, "fields": FIELDS,
        "best": best, "passage": None, "supporting": [], "unavailable": None, "pages": [], "context": context_characters,
    }
    text = None
    if info is not None and best is not None:
        try:
            text = bench.shelf.text(info)
        except PaperUnavailable as error:
            context["unavailable"] = str(error)
        if text is not None and not reads_as_stored(text.text, best.start, best.end, best.evidence or ""):
            context["unavailable"] = (
                f"{info.doc_id} reads differently now than when its values were extracted (a newer reader?); "
                "run `msc-extract update --reextract` to read it again. Only the stored evidence is shown."
            )
            text = None
    if text is not None and best is not None:
        marks = [(row.start, row.end, "support") for row in value.evidence if row.start is not None and row is not best]
        marks += [(best.start, best.end, "evidence")]
        marks += [(row.mention_start, row.mention_end, "mention") for row in value.evidence if row.mention_start is not None]
        context["passage"] = passage(text.text, best.start, best.end, marks, context_characters, context_characters)
        context["supporting"] = [
            (row, passage(text.text, row.start, row.end, [(row.mention_start, row.mention_end, "mention")] if row.mention_start is not None else [], 0, 0))
            for row in value.evidence if row is not best and row.start is not None
        ]
        if text.is_pdf:
            context["pages"] = _pdf_pages(bench, info, best)
    return context


def _pdf_pages(bench: Workbench, info, best) -> list[dict[str, Any]]:
    """The pages the best evidence is printed on, with the boxes of its words and of the rule's match."""
    pages: dict[int, dict[str, Any]] = {}
    for kind, start, end in (("evidence", best.start, best.end), ("mention", best.mention_start, best.mention_end)):
        if start is None:
            continue
        try:
            boxes = bench.shelf.boxes(info, start, end)
        except PaperUnavailable:  # the page is still shown, without boxes
            boxes = []
        for box in boxes:
            page = pages.setdefault(box.page, {"number": box.page, "width": box.page_width, "height": box.page_height, "boxes": []})
            page["boxes"].append({"kind": kind, "x": box.x0, "y": box.y0, "width": box.x1 - box.x0, "height": box.y1 - box.y0})
    if not pages and best.page:
        pages[best.page] = {"number": best.page, "width": None, "height": None, "boxes": []}
    return [pages[number] for number in sorted(pages)]


async def value_page(request: Request) -> Response:
    return await _render_value(request, request.path_params["value_id"])


async def _render_value(
    request: Request, value_id: str, error: str | None = None, status_code: int = 200, form: dict | None = None
) -> Response:
    bench = _bench(request)
    try:
        wanted = int(request.query_params.get("context") or bench.settings.context_characters)
    except ValueError as problem:
        raise HTTPException(400, "context is a number of characters") from problem
    context_characters = max(0, min(wanted, bench.settings.context_characters_max))
    context = await run_in_threadpool(_value_context, bench, value_id, context_characters)
    return bench.render(request, "value.html.j2", {**context, "error": error, "form": form or {}}, status_code)


async def judge(request: Request) -> Response:
    """Confirm, reject or correct a value, through the same functions as `msc-extract review`."""
    bench = _bench(request)
    value_id = request.path_params["value_id"]
    form = await request.form()
    action = JUDGEMENTS.get(str(form.get("action", "")))
    if action is None:
        raise HTTPException(400, "action is confirm, reject or correct")
    corrected = str(form.get("value", "")).strip() if action is ReviewAction.corrected else None
    note = str(form.get("note", "")).strip()

    def write():
        with bench.writing:
            cursor = bench.cursor()
            try:
                reviews.record(cursor, [reviews.judgement(cursor, value_id, action, corrected, note, bench.reviewer)])
                queries.refresh_summary(cursor, [value_id])
            finally:
                cursor.close()

    try:
        await run_in_threadpool(write)
    except reviews.ReviewError as error:
        return await _render_value(request, value_id, str(error), 422, {"value": corrected or "", "note": note})
    return RedirectResponse(request.url_for("value", value_id=value_id), status_code=303)


async def add(request: Request) -> Response:
    """A value the pipeline missed, with the words the reviewer selected in the paper as its evidence."""
    bench = _bench(request)
    doc_id = request.path_params["doc_id"]
    form = {key: str(value) for key, value in (await request.form()).items()}
    back = form.get("back", "")

    def write() -> str:
        cursor = bench.cursor()
        try:
            info = queries.paper(cursor, doc_id)
            if info is None:
                raise reviews.ReviewError(f"no paper {doc_id!r} in the dataset")
            evidence = _selected_words(bench, info, form)
            correction = reviews.added_value(
                doc_id, form.get("study_key", "").strip(), form.get("field", "").strip(), form.get("value", "").strip(),
                evidence, form.get("note", "").strip(), bench.reviewer, cursor,
            )
            with bench.writing:
                reviews.record(cursor, [correction])
                queries.refresh_summary(cursor, [correction.value_id])
            return correction.value_id
        finally:
            cursor.close()

    try:
        added = await run_in_threadpool(write)
    except (reviews.ReviewError, ValidationError) as error:
        message = str(error) if isinstance(error, reviews.ReviewError) else "the value does not fit the dataset: " + "; ".join(
            e["msg"] for e in error.errors()
        )
        if back:
            return await _render_value(request, back, message, 422, form)
        return await _render_paper(request, doc_id, message, 422, form)
    return RedirectResponse(request.url_for("value", value_id=added), status_code=303)


def _selected_words(bench: Workbench, info, form: dict[str, str]) -> str:
    """The paper's own words between the selection's offsets; the browser's copy of them must agree."""
    try:
        start, end = int(form.get("start", "")), int(form.get("end", ""))
    except ValueError as error:
        raise reviews.ReviewError("select the words that state the value in the paper's text first") from error
    try:
        text = bench.shelf.text(info).text
    except PaperUnavailable as error:
        raise reviews.ReviewError(str(error)) from error
    if not 0 <= start < end <= len(text):
        raise reviews.ReviewError("the selection is outside the paper's text")
    if end - start > bench.settings.added_evidence_max_characters:
        raise reviews.ReviewError(
            f"the selection is {end - start} characters; select at most {bench.settings.added_evidence_max_characters} (a sentence)"
        )
    words = text[start:end]
    if " ".join(words.split()) != " ".join(form.get("selected", "").split()):
        raise reviews.ReviewError("the selection does not match the paper's text; select the words again")
    return words.strip()


# ---------------------------------------------------------------- a paper, a trial, PDF pages, exports


def _paper_context(bench: Workbench, doc_id: str, value_id: str | None) -> dict[str, Any]:
    cursor = bench.cursor()
    try:
        info = queries.paper(cursor, doc_id)
        if info is None:
            raise HTTPException(404, f"no paper {doc_id!r} in the dataset")
        spans = queries.evidence_spans(cursor, doc_id)
        value = queries.value_detail(cursor, value_id) if value_id else None
        studies = queries.study_keys(cursor, doc_id)
    finally:
        cursor.close()
    context: dict[str, Any] = {"paper": info, "passage": None, "unavailable": None, "studies": studies, "fields": FIELDS, "value": value}
    try:
        text = bench.shelf.text(info)
    except PaperUnavailable as error:
        context["unavailable"] = str(error)
        return context
    marks = [(start, end, "support") for start, end in spans]
    if value is not None:
        marks += [(row.mention_start, row.mention_end, "mention") for row in value.evidence if row.mention_start is not None]
    context["passage"] = passage(text.text, 0, len(text.text), marks, 0, len(text.text))
    return context


async def paper_page(request: Request) -> Response:
    return await _render_paper(request, request.path_params["doc_id"])


async def _render_paper(
    request: Request, doc_id: str, error: str | None = None, status_code: int = 200, form: dict | None = None
) -> Response:
    bench = _bench(request)
    context = await run_in_threadpool(_paper_context, bench, doc_id, request.query_params.get("value"))
    return bench.render(request, "paper.html.j2", {**context, "error": error, "form": form or {}}, status_code)


async def page_image(request: Request) -> Response:
    bench = _bench(request)
    doc_id, number = request.path_params["doc_id"], request.path_params["number"]

    def render():
        cursor = bench.cursor()
        try:
            info = queries.paper(cursor, doc_id)
        finally:
            cursor.close()
        if info is None:
            raise HTTPException(404, f"no paper {doc_id!r} in the dataset")
        try:
            return bench.shelf.page(info, number)
        except PaperUnavailable as error:
            raise HTTPException(404, str(error)) from error

    image = await run_in_threadpool(render)
    return Response(image.png, media_type="image/png", headers={"cache-control": "private, max-age=300"})


async def trial_page(request: Request) -> Response:
    bench = _bench(request)
    trial_id = request.query_params.get("id", "")

    def read():
        cursor = bench.cursor()
        try:
            return queries.trial_comparison(cursor, trial_id)
        finally:
            cursor.close()

    comparison = await run_in_threadpool(read)
    if comparison is None:
        raise HTTPException(404, f"no trial {trial_id!r} in the dataset")
    return bench.render(request, "trial.html.j2", {"comparison": comparison, "columns": queries.table_one()})


async def export_file(request: Request) -> Response:
    """The export tables as `msc-extract export` writes them, from the dataset as it is now."""
    bench = _bench(request)
    name = request.path_params["name"]
    make = EXPORTS.get(name)
    if make is None:
        raise HTTPException(404, f"no export {name!r}; there are {', '.join(EXPORTS)}")

    def write() -> str:
        cursor = bench.cursor()
        try:
            return escape_frame(make(cursor)).to_csv(index=False)
        finally:
            cursor.close()

    return Response(
        await run_in_threadpool(write), media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


async def not_found_or_refused(request: Request, error: HTTPException) -> Response:
    bench = _bench(request)
    return bench.render(request, "error.html.j2", {"status": error.status_code, "message": error.detail}, error.status_code)


def create_app(database: Path, reviewer: str = "", allowed_hosts: list[str] | None = None) -> Starlette:
    """The workbench over DATABASE; `allowed_hosts` are the names it answers to (loopback names by default)."""
    bench = Workbench(Path(database), reviewer)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        bench.open()
        try:
            yield
        finally:
            bench.close()

    routes = [
        Route("/", grid, name="grid"),
        Route("/value/{value_id}", value_page, name="value"),
        Route("/value/{value_id}/judge", judge, methods=["POST"], name="judge"),
        Route("/paper/{doc_id}", paper_page, name="paper"),
        Route("/paper/{doc_id}/add", add, methods=["POST"], name="add"),
        Route("/paper/{doc_id}/page/{number:int}.png", page_image, name="page_image"),
        Route("/trial", trial_page, name="trial"),
        Route("/export/{name}", export_file, name="export"),
        Mount("/static", StaticFiles(packages=[("extract.serve", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: not_found_or_refused},
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOOPBACK_NAMES),
            Middleware(SameOriginGuard),
        ],
    )
    app.state.workbench = bench
    return app
