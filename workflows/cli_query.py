"""ssbi query: stored results as tables, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Optional

import typer
from rich.table import Table

from workflows.cli_app import app
from workflows.console import console, fail, run_guarded

query_app = typer.Typer(help="Query stored results.", no_args_is_help=True)
app.add_typer(query_app, name="query")

FORMATS = ("table", "json", "csv")


def emit(rows: list[dict], fmt: str, title: str) -> None:
    """Print rows as a rich table, JSON or CSV."""
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "json":
        console.print_json(json.dumps(rows, default=str))
        return
    if fmt == "csv":
        buf = io.StringIO()
        if rows:
            writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        console.print(buf.getvalue(), end="", markup=False, highlight=False, soft_wrap=True)
        return
    table = Table(title=f"{title}: {len(rows)} result(s)", header_style="bold")
    for col in rows[0] if rows else ["(none)"]:
        table.add_column(col, justify="right" if rows and isinstance(rows[0][col], (int, float)) else "left",
                         no_wrap=col == "id")
    for row in rows:
        table.add_row(*[f"{v:.6f}" if isinstance(v, float) else str(v) for v in row.values()])
    console.print(table)


@query_app.command("tasks")
def query_tasks(
    formula: Optional[str] = typer.Option(None, help="Reduced formula, e.g. Li2S."),
    material: Optional[str] = typer.Option(None, help="Library material name."),
    engine: Optional[str] = typer.Option(None, help="Engine name."),
    kind: Optional[str] = typer.Option(None, help="relax or static."),
    target: Optional[str] = typer.Option(None, help="bulk, slab or interface."),
    fmt: str = typer.Option("table", "--format", help="table, json or csv."),
    store: Optional[str] = typer.Option(None, "--store", help="Store name or mongodb:// URI."),
):
    """Stored relaxations and single points."""
    from workflows.query import calc_rows
    from workflows.store import open_store

    job_store = run_guarded(open_store, store)
    rows = run_guarded(calc_rows, job_store, formula=formula, material=material, engine=engine, kind=kind,
                       target=target)
    emit(rows, fmt, "Calculations")
