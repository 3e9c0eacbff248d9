"""The msc-extract command line."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from extract.run import describe_pipeline, discover, run_paths, summarise
from extract.schema import DocumentResult, RunSummary
from extract.store.outputs import write_outputs

app = typer.Typer(add_completion=False, help="Read MSC therapy papers into study records with evidence.")
console = Console(stderr=True)


@app.callback()
def main() -> None:
    """msc-extract: route, source, donor type, dose and alloantibody results, each with its sentence."""


@app.command()
def run(
    paths: list[Path] = typer.Argument(..., help="Files or folders of papers (.txt, .md, .pdf)."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for values.csv, studies.jsonl, summary.json."),
    pipeline: str = typer.Option(
        "auto", "--pipeline", help="'auto' (a scispaCy model if installed, else blank), 'blank', a model name or a pipeline folder."
    ),
    strict: bool = typer.Option(False, "--strict", help="Exit non-zero if any file fails."),
) -> None:
    """Extract every paper under PATHS into OUT."""
    files = discover(paths)
    if not files:
        console.print(f"[red]No .txt, .md or .pdf files under {', '.join(map(str, paths))}[/red]")
        raise typer.Exit(2)
    started = time.perf_counter()
    results: list[DocumentResult] = []
    errors = 0
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} · errors {task.fields[errors]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("extracting", total=len(files), rate="", errors=0)
        characters = 0
        for result in run_paths(files, pipeline):
            results.append(result)
            characters += result.characters
            if result.error:
                errors += 1
                console.print(f"[yellow]{result.error.path}: {result.error.code}: {result.error.message}[/yellow]")
            elapsed = max(time.perf_counter() - started, 1e-9)
            progress.update(task, advance=1, rate=f"{characters / elapsed / 1000:.0f}k chars/s", errors=errors)
    summary = summarise(results, describe_pipeline(pipeline), time.perf_counter() - started)
    write_outputs(results, summary, out)
    print_summary(summary, out)
    if summary.documents and (summary.failed == summary.documents or (strict and summary.failed)):
        raise typer.Exit(1)


def print_summary(summary: RunSummary, out: Path) -> None:
    table = Table(title=f"msc-extract {summary.version} · {summary.pipeline}")
    table.add_column("document")
    table.add_column("studies", justify="right")
    for doc_id, count in summary.studies_per_document.items():
        table.add_row(doc_id, str(count))
    for error in summary.errors:
        table.add_row(f"[red]{Path(error.path).name}[/red]", f"[red]{error.code}[/red]")
    Console().print(table)
    Console().print(
        f"{summary.documents} documents ({summary.failed} failed), {summary.studies} studies, "
        f"{summary.values} values in {summary.seconds:.1f}s → {out}/values.csv, {out}/studies.jsonl, {out}/summary.json"
    )



@app.command()
def score(
    gold: Path = typer.Option(Path("gold"), "--gold", help="A folder of gold CSVs, or one gold CSV."),
    pred: Path = typer.Option(..., "--pred", help="A run output folder (its values.csv) or a values.csv file."),
    report: Path | None = typer.Option(None, "--report", help="Write a self-contained HTML report here."),
    out: Path | None = typer.Option(None, "--out", help="Folder for score.json and errors.csv (default: the --pred folder)."),
    resamples: int = typer.Option(1000, "--resamples", help="Bootstrap resamples of studies for the 95% intervals."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
) -> None:
    """Score predictions against gold: strict and lenient P/R/F1 per field, with errors."""
    from extract.report.console import print_score
    from extract.report.html import write_report
    from extract.score.metrics import errors_frame, score_paths

    try:
        result = score_paths(gold, pred, resamples=resamples, seed=seed)
    except (FileNotFoundError, ValueError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2)
    out_dir = out or (pred if pred.is_dir() else pred.parent)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "score.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    errors_frame(result).to_csv(out_dir / "errors.csv", index=False)

    print_score(result)
    written = f"{out_dir}/score.json, {out_dir}/errors.csv"
    if report is not None:
        write_report(result, report)
        written += f", {report}"
    Console().print(f"→ {written}")


# The review dataset (extract/store/dataset_cli.py): one DuckDB file kept for the life of a review.
from extract.store.dataset_cli import analyses, export, review_app, update  # noqa: E402

app.command()(update)
app.command()(export)
app.command()(analyses)
app.add_typer(review_app, name="review")


if __name__ == "__main__":
    app()
