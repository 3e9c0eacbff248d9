"""Commands on the review dataset: update, review, export, analyses (registered in extract/cli.py)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from extract.dataset import reviews
from extract.dataset.database import DEFAULT_DATABASE, DatasetError, checkpoint_dir, connect, frame, update as update_dataset
from extract.dataset.exports import FORMATS, analyses_table, export as export_dataset
from extract.dataset.records import ReviewAction, UpdateSummary
from extract.ingest import DEFAULT_MAX_BYTES
from extract.run import discover
from extract.runner.batch import DEFAULT_TIMEOUT
from extract.runner.progress import RichProgress

console = Console(stderr=True)
DATABASE_HELP = f"The dataset file (DuckDB); created if missing. The README's default is {DEFAULT_DATABASE}."


def one_line(error: BaseException) -> str:
    """An error as one line for the terminal (spaCy's messages run over several)."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 400 else text[:400] + " …"


def _open(database: Path, read_only: bool = False):
    try:
        return connect(database, read_only=read_only)
    except DatasetError as error:
        console.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(2)


def update(
    database: Path = typer.Argument(..., help=DATABASE_HELP),
    paths: list[Path] = typer.Argument(..., help="Files or folders of papers to add or refresh."),
    pipeline: str = typer.Option("auto", "--pipeline", help="As for `run`: auto, blank, a model name or a folder."),
    reextract: bool = typer.Option(False, "--reextract", help="Read unchanged papers again too (after new rules)."),
    strict: bool = typer.Option(False, "--strict", help="Exit non-zero if any file fails."),
    workers: int = typer.Option(0, "--workers", "-w", min=0, help="Worker processes for the papers to read; 0 = one per core."),
    timeout: float = typer.Option(
        DEFAULT_TIMEOUT, "--timeout", min=0, help="Seconds one paper may take; it is then recorded as failed (timeout). 0 = no limit."
    ),
    max_mb: float = typer.Option(
        DEFAULT_MAX_BYTES / 2**20, "--max-mb", min=0, help="Larger files are refused before they are read (too_large); 0 = no limit."
    ),
    replace_different: bool = typer.Option(
        False, "--replace-different", help="A file whose title or DOI differs from the paper held under its name replaces it."
    ),
) -> None:
    """Add new papers to DATABASE, skip unchanged ones, re-read changed ones (earlier values kept as history)."""
    if not discover(paths):
        console.print(f"[red]No .txt, .md or .pdf files under {escape(', '.join(map(str, paths)))}[/red]")
        raise typer.Exit(2)
    colours = {"added": "green", "changed": "yellow", "unchanged": "dim", "copy": "cyan", "failed": "red"}

    def show(status: str, doc_id: str, detail: str) -> None:
        console.print(f"[{colours[status]}]{status:>9}[/] " + escape(doc_id + (f" · {detail}" if detail else "")))

    progress = RichProgress(console)
    try:
        summary = update_dataset(
            database, paths, pipeline=pipeline, reextract=reextract, on_document=show, workers=workers, timeout=timeout or None,
            progress=progress, max_bytes=int(max_mb * 2**20) or None, replace_different=replace_different,
        )
    except DatasetError as error:
        console.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(2)
    except OSError as error:  # disk full, a read-only folder, a --pipeline that is not installed: one line, not a traceback
        console.print(f"[red]{escape(one_line(error))}[/red]")
        raise typer.Exit(2)
    except KeyboardInterrupt:
        console.print(f"[yellow]Interrupted: the dataset is as it was; papers already extracted are kept in"
                      f" {escape(str(checkpoint_dir(database)))} and the next update will not read them again.[/yellow]")
        raise typer.Exit(130)
    finally:
        progress.stop()
    _print_update(summary)
    con = _open(database, read_only=True)
    try:
        _print_analyses(analyses_table(con))
    finally:
        con.close()
    if summary.files and (len(summary.errors) == summary.files or (strict and summary.errors)):
        raise typer.Exit(1)


def _print_update(summary: UpdateSummary) -> None:
    Console().print(
        escape(f"run {summary.run_id} · {summary.files} files: {len(summary.added)} added, {len(summary.changed)} changed, "
        f"{summary.unchanged} unchanged, {len(summary.copies)} copies, {len(summary.errors)} failed in {summary.seconds:.1f}s"
        f" ({summary.extracted} papers extracted, {summary.resumed} taken from a killed update's checkpoint)\n"
        f"{summary.database}: {summary.documents} papers, {summary.studies} studies, {summary.trials} trials, "
        f"{summary.values} values · {summary.pipeline}")
    )


def _print_analyses(table) -> None:
    if table.empty:
        Console().print("No alloantibody results in the dataset yet.")
        return
    view = Table(title="Patients with alloantibodies", caption="counted: trials giving patients positive and tested; positive, tested and share are over those")
    for column in ("dimension", "group"):
        view.add_column(column, overflow="fold")
    for column in ("studies", "counted", "positive", "tested", "share"):
        view.add_column(column, justify="right", no_wrap=True)
    for row in table.itertuples(index=False):
        share = "" if row.share is None or row.share != row.share else f"{row.share:.1%}"
        view.add_row(escape(row.dimension), escape(row.group), str(row.studies), str(row.studies_with_counts), str(row.positive), str(row.tested), share)
    Console().print(view)


def export(
    database: Path = typer.Argument(..., help=DATABASE_HELP),
    out: Path = typer.Option(Path("out/dataset"), "--out", "-o", help="Folder for the exported files."),
    formats: list[str] = typer.Option(list(FORMATS), "--format", "-f", help="csv, xlsx, parquet, gold (repeatable)."),
) -> None:
    """Write studies (Table 1), values with evidence and analyses as CSV, Excel and Parquet, and reviewed gold rows."""
    con = _open(database, read_only=True)
    try:
        written = export_dataset(con, out, formats)
    except ValueError as error:
        console.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(2)
    finally:
        con.close()
    Console().print(escape(f"{len(written)} files → {out}/"))


def analyses(database: Path = typer.Argument(..., help=DATABASE_HELP)) -> None:
    """Print patients with alloantibodies by route, source, assay and dose band."""
    con = _open(database, read_only=True)
    try:
        _print_analyses(analyses_table(con))
    finally:
        con.close()


# ---------------------------------------------------------------- review

review_app = typer.Typer(help="Confirm, correct, reject or add values; judgements survive re-extraction.")
NOTE = typer.Option("", "--note", help="Why, for whoever reads the dataset next.")
REVIEWER = typer.Option("", "--reviewer", help="Who decided.")


def _judge(database: Path, make) -> None:
    con = _open(database)
    try:
        recorded = reviews.record(con, make(con))
    except reviews.ReviewError as error:
        console.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(2)
    finally:
        con.close()
    Console().print(escape(f"{recorded} judgement(s) recorded in {database}"))


@review_app.command("confirm")
def confirm(
    database: Path = typer.Argument(..., help=DATABASE_HELP),
    value_ids: list[str] = typer.Argument(..., help="Value ids (see `review list` or the values export)."),
    note: str = NOTE,
    reviewer: str = REVIEWER,
) -> None:
    """The values are right."""
    _judge(database, lambda con: [reviews.judgement(con, v, ReviewAction.confirmed, None, note, reviewer) for v in value_ids])


@review_app.command("reject")
def reject(
    database: Path = typer.Argument(..., help=DATABASE_HELP),
    value_ids: list[str] = typer.Argument(..., help="Value ids."),
    note: str = NOTE,
    reviewer: str = REVIEWER,
) -> None:
    """The values are wrong and have no right value (left out of studies, analyses and gold)."""
    _judge(database, lambda con: [reviews.judgement(con, v, ReviewAction.rejected, None, note, reviewer) for v in value_ids])


@review_app.command("correct")
def correct(
    database: Path = typer.Argument(..., help=DATABASE_HELP),
    value_id: str = typer.Argument(..., help="The value id."),
    value: str = typer.Argument(..., help="The right value, in FIELD_GUIDE's serialised form."),
    note: str = NOTE,
    reviewer: str = REVIEWER,
) -> None:
    """The value is wrong; VALUE is right."""
    _judge(database, lambda con: [reviews.judgement(con, value_id, ReviewAction.corrected, value, note, reviewer)])


@review_app.command("add")
def add(
    database: Path = typer.Argument(..., help=DATABASE_HELP),
    doc_id: str = typer.Argument(..., help="The paper (its file name without extension)."),
    field: str = typer.Argument(..., help="A FIELD_GUIDE field."),
    value: str = typer.Argument(..., help="The value, in FIELD_GUIDE's serialised form."),
    evidence: str = typer.Option(..., "--evidence", help="The sentence or table cell that states it."),
    study: str = typer.Option("", "--study", help="The study key in a review (citation number); empty for a trial report."),
    note: str = NOTE,
    reviewer: str = REVIEWER,
) -> None:
    """A value the pipeline missed."""
    _judge(database, lambda con: [reviews.added_value(doc_id, study, field, value, evidence, note, reviewer, con)])


@review_app.command("import")
def import_(
    database: Path = typer.Argument(..., help=DATABASE_HELP),
    csv_file: Path = typer.Argument(..., help="A values.csv from `export`, with the review (and value) columns edited."),
    reviewer: str = REVIEWER,
) -> None:
    """Record the judgements in an edited values CSV; bad rows are reported by line and the rest recorded."""
    con = _open(database)
    try:
        recorded, problems = reviews.import_csv(con, csv_file, reviewer)
    except reviews.ReviewError as error:
        console.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(2)
    finally:
        con.close()
    for problem in problems:
        console.print(f"[yellow]{escape(problem.message)}[/yellow]")
    Console().print(f"{recorded} judgement(s) recorded, {len(problems)} row(s) refused")
    if problems:
        raise typer.Exit(1)


@review_app.command("list")
def list_values(
    database: Path = typer.Argument(..., help=DATABASE_HELP),
    doc: str | None = typer.Option(None, "--doc", help="Only this paper."),
    field: str | None = typer.Option(None, "--field", help="Only this field."),
    status: str | None = typer.Option(None, "--status", help="unreviewed, confirmed, corrected, rejected or added."),
) -> None:
    """Values with their ids, review status and evidence."""
    con = _open(database, read_only=True)
    try:
        rows = frame(
            con,
            """SELECT value_id, doc_id, study_key, field, value, review, any_value(evidence) AS evidence
               FROM reviewed_values
               WHERE ($1 IS NULL OR doc_id = $1) AND ($2 IS NULL OR field = $2) AND ($3 IS NULL OR review = $3)
               GROUP BY ALL ORDER BY doc_id, study_key, field, value""",
            [doc, field, status],
        )
    finally:
        con.close()
    view = Table(title=f"{len(rows)} values")
    for column in ("value_id", "doc_id", "study", "field", "value", "review", "evidence"):
        view.add_column(column, overflow="fold", no_wrap=column != "evidence")
    for row in rows.itertuples(index=False):
        evidence = " ".join(str(row.evidence or "").split())
        view.add_row(*(escape(str(cell)) for cell in (row.value_id, row.doc_id, row.study_key, row.field, row.value, row.review, evidence[:160])))
    Console().print(view)
