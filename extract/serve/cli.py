"""`msc-extract serve`: the workbench over a review dataset, on loopback unless told otherwise (registered in extract/cli.py)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from extract.dataset.database import DatasetError, connect

console = Console(stderr=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    database: Path = typer.Argument(..., help="The dataset file (DuckDB) made by `msc-extract update`."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; loopback keeps the workbench to this machine."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
    reviewer: str = typer.Option("", "--reviewer", help="Who judges: recorded with every judgement, as `review --reviewer`."),
) -> None:
    """Open the dataset in the browser: the trials grid, each value's evidence, and judging. Ctrl-C stops."""
    import uvicorn

    from extract.serve.app import LOOPBACK_NAMES, create_app

    if not database.is_file():
        console.print(f"[red]{escape(str(database))}: no such dataset (create it with `msc-extract update {escape(str(database))} PATHS...`)[/red]")
        raise typer.Exit(2)
    try:  # fail here, with one line, if the file is not a dataset or another process holds it
        connect(database).close()
    except DatasetError as error:
        console.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(2)
    allowed = LOOPBACK_NAMES if _is_loopback(host) else [*LOOPBACK_NAMES, host]
    if not _is_loopback(host):
        console.print(f"[yellow]Listening on {escape(host)}: anyone who can reach it can read and judge this dataset.[/yellow]")
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Serving {escape(str(database))} at http://{escape(shown)}:{port}/ (Ctrl-C stops)")
    uvicorn.run(create_app(database, reviewer, allowed), host=host, port=port, log_level="warning")
