"""ssbi query: stored results as tables, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Optional

import typer
from rich.table import Table

from workflows.cli.app import app
from workflows.console import console, fail

query_app = typer.Typer(help="Query stored results.", no_args_is_help=True)
app.add_typer(query_app, name="query")

FORMATS = ("table", "json", "csv")


def emit(rows: list[dict], fmt: str, title: str) -> None:
    """Print rows as a rich table, JSON or CSV."""
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "json":
        typer.echo(json.dumps(rows, default=str, indent=1))
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

    job_store = open_store(store)
    rows = calc_rows(job_store, formula=formula, material=material, engine=engine, kind=kind,
                       target=target)
    emit(rows, fmt, "Calculations")


FMT_OPT = typer.Option("table", "--format", help="table, json or csv.")
STORE_Q = typer.Option(None, "--store", help="Store name or mongodb:// URI.")
ENGINE_Q = typer.Option(None, "--engine", help="Engine name.")
STUDY_Q = typer.Option(None, "--study", help="Study name or file: its materials and engine.")
SINCE_Q = typer.Option(None, "--since", help="Only results completed on or after this date (YYYY-MM-DD).")


def _rows(frame) -> list[dict]:
    """DataFrame rows with NaN as None (JSON/CSV-safe)."""
    return [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in frame.to_dict("records")]


def _results(store):
    from workflows.query import Results
    from workflows.store import open_store

    return Results(open_store(store))


@query_app.command("adhesion")
def query_adhesion(anode: Optional[str] = typer.Option(None, help="Top material (film), e.g. Li."),
                   electrolyte: Optional[str] = typer.Option(None, help="Bottom material (substrate)."),
                   miller: Optional[str] = typer.Option(None, help="Miller index of either side, e.g. 100 or '1 1 0'."),
                   engine: Optional[str] = ENGINE_Q, study: Optional[str] = STUDY_Q, since: Optional[str] = SINCE_Q,
                   fmt: str = FMT_OPT, store: Optional[str] = STORE_Q):
    """Work of adhesion per interface."""
    frame = _results(store).adhesion(anode=anode, electrolyte=electrolyte, miller=miller, engine=engine,
                        study=study, since=since)
    emit(_rows(frame), fmt, "Adhesion")


@query_app.command("interfaces")
def query_interfaces(anode: Optional[str] = typer.Option(None), electrolyte: Optional[str] = typer.Option(None),
                     miller: Optional[str] = typer.Option(None), engine: Optional[str] = ENGINE_Q,
                     study: Optional[str] = STUDY_Q, fmt: str = FMT_OPT, store: Optional[str] = STORE_Q):
    """Interface cells behind the adhesion results."""
    frame = _results(store).interfaces(anode=anode, electrolyte=electrolyte, miller=miller,
                        engine=engine, study=study)
    emit(_rows(frame), fmt, "Interfaces")


@query_app.command("windows")
def query_windows(electrolyte: Optional[str] = typer.Option(None, help="Material, e.g. Li6PS5Cl."),
                  engine: Optional[str] = ENGINE_Q, scale: Optional[str] = typer.Option(None, help="mp2020 or raw-gga."),
                  study: Optional[str] = STUDY_Q, fmt: str = FMT_OPT, store: Optional[str] = STORE_Q):
    """Electrochemical windows and products."""
    frame = _results(store).windows(electrolyte=electrolyte, engine=engine, scale=scale, study=study)
    emit(_rows(frame.drop(columns=["key"])), fmt, "Windows")


@query_app.command("reactions")
def query_reactions(electrode: Optional[str] = typer.Option(None, help="First material, e.g. Li or S8."),
                    electrolyte: Optional[str] = typer.Option(None, help="Second material."),
                    engine: Optional[str] = ENGINE_Q, study: Optional[str] = STUDY_Q, fmt: str = FMT_OPT,
                    store: Optional[str] = STORE_Q):
    """Most negative interfacial reaction per pair (closed system)."""
    frame = _results(store).reactions(electrode=electrode, electrolyte=electrolyte, engine=engine,
                        study=study)
    emit(_rows(frame.drop(columns=["key"])), fmt, "Reactions")


@query_app.command("mechanics")
def query_mechanics(material: Optional[str] = typer.Option(None), engine: Optional[str] = ENGINE_Q,
                    study: Optional[str] = STUDY_Q, fmt: str = FMT_OPT, store: Optional[str] = STORE_Q):
    """Shear/bulk moduli and the Monroe–Newman ratio."""
    frame = _results(store).mechanics(material=material, engine=engine, study=study)
    emit(_rows(frame), fmt, "Mechanics")


@query_app.command("md")
def query_md(material: Optional[str] = typer.Option(None), engine: Optional[str] = ENGINE_Q,
             fmt: str = FMT_OPT, store: Optional[str] = STORE_Q):
    """MD results per temperature."""
    frame = _results(store).md(material=material, engine=engine)
    emit(_rows(frame), fmt, "MD")


EXPORTS = {"cif": "cif", "poscar": "poscar", "extxyz": "extxyz"}


@app.command()
def show(result_id: str = typer.Argument(..., help="uuid of a stored result."),
         structures: bool = typer.Option(False, "--structures", help="Print structures too (long)."),
         export: Optional[str] = typer.Option(None, "--export", help="Write its structures as cif, poscar or extxyz."),
         out: str = typer.Option("export", "-o", "--out", help="Folder for --export."),
         store: Optional[str] = STORE_Q):
    """Print one stored result; optionally export its structures."""
    from pathlib import Path

    from pymatgen.core import Structure

    doc = _results(store).get(result_id)
    if not doc:
        fail(f"no stored result with id {result_id!r}")
    output = doc["output"] if isinstance(doc.get("output"), dict) else {"value": doc.get("output")}
    found = {k: v for k, v in output.items() if isinstance(v, dict) and {"lattice", "sites"} <= set(v)}  # Structure,
    # Interface, Slab ...
    shown = {k: (v if structures or k not in found else f"<Structure: {len(v['sites'])} sites; --structures or "
                 "--export to see it>") for k, v in output.items()}
    typer.echo(json.dumps({"uuid": doc["uuid"], "name": doc.get("name"), "completed_at": doc.get("completed_at"),
                           "output": shown}, default=str, indent=1))
    if export:
        if export not in EXPORTS:
            fail(f"--export must be one of {', '.join(EXPORTS)}, not {export!r}")
        if not found:
            fail(f"result {result_id} holds no structures")
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for key, data in found.items():
            s = Structure.from_dict(data)
            suffix = {"cif": ".cif", "poscar": ".vasp", "extxyz": ".extxyz"}[export]
            path = folder / f"{result_id[:8]}_{key}{suffix}"
            s.to(filename=str(path), fmt=EXPORTS[export])
            console.print(f"wrote {path}")
