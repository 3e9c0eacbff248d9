"""The msc-extract command line."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from extract.dataset.cli import one_line
from extract.ingest import DEFAULT_MAX_BYTES
from extract.run import discover
from extract.runner.batch import DEFAULT_TIMEOUT, BatchOptions, run_batch
from extract.runner.progress import RichProgress
from extract.runner.stats import RunStats
from extract.store.journal import JournalError
from extract.store.outputs import RunSummary
from extract.store.spreadsheet import escape_frame

app = typer.Typer(add_completion=False, help="Read MSC therapy papers into study records with evidence.")
console = Console(stderr=True)


@app.callback()
def main() -> None:
    """msc-extract: route, source, donor type, dose and alloantibody results, each with its sentence."""


@app.command()
def run(
    paths: list[Path] = typer.Argument(..., help="Files or folders of papers (.txt, .md, .pdf, JATS .nxml/.xml, PubMed .nbib/.xml, ClinicalTrials.gov .json/.xml)."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for values.csv, studies.jsonl, summary.json."),
    pipeline: str = typer.Option(
        "auto", "--pipeline", help="'auto' (a scispaCy model if installed, else blank), 'blank', a model name or a pipeline folder."
    ),
    strict: bool = typer.Option(False, "--strict", help="Exit non-zero if any file fails."),
    workers: int = typer.Option(0, "--workers", "-w", min=0, help="Worker processes; 0 = one per available core."),
    engine: str = typer.Option("local", "--engine", help="'local' (worker processes here) or 'dask'."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (tcp://host:8786); without it, a LocalCluster on loopback."
    ),
    ordered: bool = typer.Option(False, "--ordered/--unordered", help="Journal results in input order, or as they finish."),
    resume: bool = typer.Option(False, "--resume", help="Skip documents OUT's journal already holds (same content and name)."),
    retry_failed: bool = typer.Option(
        False, "--retry-failed", help="Resume, and extract again the documents the journal holds as failed (a timeout, a dead worker)."
    ),
    timeout: float = typer.Option(
        DEFAULT_TIMEOUT, "--timeout", min=0, help="Seconds one document may take; its worker is then replaced (a Dask worker restarted). 0 = no limit."
    ),
    max_mb: float = typer.Option(
        DEFAULT_MAX_BYTES / 2**20, "--max-mb", min=0, help="Larger files are refused unread (too_large); 0 = no limit."
    ),
) -> None:
    """Extract every paper under PATHS into OUT, in parallel, resumably."""
    if engine not in ("local", "dask"):
        console.print(f"[red]--engine must be 'local' or 'dask', not '{escape(engine)}'[/red]")
        raise typer.Exit(2)
    if scheduler and engine != "dask":
        console.print("[red]--scheduler needs --engine dask[/red]")
        raise typer.Exit(2)
    files = discover(paths)
    if not files:
        console.print(f"[red]No papers (.txt, .md, .pdf, .xml, .nxml, .json, .nbib) under {escape(', '.join(map(str, paths)))}[/red]")
        raise typer.Exit(2)
    options = BatchOptions(
        pipeline=pipeline, engine=engine, workers=workers, scheduler=scheduler, ordered=ordered, resume=resume or retry_failed,
        retry_failed=retry_failed, timeout=timeout,
        max_bytes=int(max_mb * 2**20) or None,
    )
    progress = RichProgress(console)
    try:
        summary, stats = run_batch(files, out, options, progress)
    except JournalError as error:
        console.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(2)
    except OSError as error:  # disk full, a read-only --out, a --pipeline that is not installed: one line, not a traceback
        console.print(f"[red]{escape(one_line(error))}[/red]")
        raise typer.Exit(2)
    except KeyboardInterrupt:
        console.print(f"[yellow]Interrupted: what was extracted is in {escape(str(out))}/journal.jsonl; rerun with --resume to finish.[/yellow]")
        raise typer.Exit(130)
    finally:
        progress.stop()
    print_summary(summary, stats, out)
    if summary.documents and (summary.failed == summary.documents or (strict and summary.failed)):
        raise typer.Exit(1)


def print_summary(summary: RunSummary, stats: RunStats, out: Path) -> None:
    table = Table(title=f"msc-extract {summary.version} · {summary.pipeline}")
    table.add_column("document")
    table.add_column("studies", justify="right")
    for doc_id, count in summary.studies_per_document.items():
        if count or len(summary.studies_per_document) <= 50:
            table.add_row(escape(doc_id), str(count))
    for error in summary.errors:
        table.add_row(f"[red]{escape(Path(error.path).name)}[/red]", f"[red]{error.code}[/red]")
    Console().print(table)
    seconds = max(stats.seconds, 1e-9)
    Console().print(
        escape(f"{summary.documents} documents ({summary.failed} failed), {summary.studies} studies, {summary.values} values"
        f" → {out}/values.csv, {out}/studies.jsonl, {out}/summary.json\n"
        f"this run: {stats.processed} extracted ({stats.retried} of them retried after failing),"
        f" {stats.resumed} resumed from the journal, {len(summary.duplicates)} duplicates;"
        f" {stats.engine} × {stats.workers} in {stats.seconds:.1f}s ({stats.processed / seconds:.1f} docs/s,"
        f" {stats.words / seconds / 1000:.1f}k words/s)")
    )



@app.command()
def score(
    gold: Path = typer.Option(Path("gold"), "--gold", help="A folder of gold CSVs, or one gold CSV."),
    pred: Path = typer.Option(..., "--pred", help="A run output folder (its values.csv) or a values.csv file."),
    report: Path | None = typer.Option(
        None, "--report", help="Where to write the self-contained HTML report (default: report.html beside score.json)."
    ),
    no_report: bool = typer.Option(False, "--no-report", help="Write no HTML report."),
    out: Path | None = typer.Option(None, "--out", help="Folder for score.json and errors.csv (default: the --pred folder)."),
    resamples: int = typer.Option(1000, "--resamples", help="Bootstrap resamples of studies for the 95% intervals."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
) -> None:
    """Score predictions against gold: strict and lenient P/R/F1 per field, with errors."""
    from extract.report.console import print_score
    from extract.report.html import write_report
    from extract.score.metrics import errors_frame, score_paths

    if no_report and report is not None:
        console.print("[red]--report and --no-report contradict each other: give one[/red]")
        raise typer.Exit(2)
    try:
        result = score_paths(gold, pred, resamples=resamples, seed=seed)
    except (FileNotFoundError, ValueError) as error:
        console.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(2)
    out_dir = out or (pred if pred.is_dir() else pred.parent)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "score.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    escape_frame(errors_frame(result)).to_csv(out_dir / "errors.csv", index=False)

    print_score(result)
    written = f"{out_dir}/score.json, {out_dir}/errors.csv"
    if not no_report:
        written += f", {write_report(result, report or out_dir / 'report.html')}"
    Console().print(escape(f"→ {written}"))


# The review dataset (extract/dataset/cli.py): one DuckDB file kept for the life of a review.
from extract.dataset.cli import analyses, export, review_app, update  # noqa: E402

app.command()(update)
app.command()(export)
app.command()(analyses)
app.add_typer(review_app, name="review")

# The reviewer's workbench (extract/serve/): the dataset in the browser.
from extract.serve.cli import serve  # noqa: E402

app.command()(serve)


if __name__ == "__main__":
    app()
