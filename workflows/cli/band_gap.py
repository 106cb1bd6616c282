"""ssbi gap MATERIAL: a DFT band gap spot check; the stored gap then overrides the shipped table."""

from __future__ import annotations

import json
from typing import Optional

import typer
from rich.table import Table

from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, fail, requested
from ssbi.workflows.cli.options import STORE_OPT


def gap_table(doc: dict, shipped: Optional[dict]) -> Table:
    table = Table(title=f"band gap of {doc['materials'][0]} ({doc['engine']['name']})", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    rows = [("formula", doc["formula"]), ("atoms", str(doc["n_atoms"])),
            ("gap", "metal (a partly filled state)" if doc["metallic"] else f"{doc['gap']:.2f} eV"),
            ("VBM / CBM", f"{doc['vbm']:.2f} / {doc['cbm']:.2f} eV"),
            ("electrons", "conducts" if doc["conducts"] else "blocked (an electronic insulator)"),
            ("what it is", doc["source"]),
            ("shipped table", "no entry" if shipped is None else f"{shipped['gap']:.1f} eV, {shipped['kind']} "
                                                                  f"({shipped['source']})")]
    for key, value in rows:
        table.add_row(key, value)
    return table


@app.command()
def gap(
    material: str = typer.Argument(..., help="Library material, reference phase id (mp-1550) or structure file."),
    engine: str = typer.Option("cp2k", "--engine", "-e", help="A DFT engine that writes a DOS (cp2k)."),
    store: Optional[str] = STORE_OPT,
    force: bool = typer.Option(False, "--force", help="Recompute even if stored."),
    submit: bool = typer.Option(False, "--submit", help="Send to FireWorks instead of running here."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
):
    """DFT band gap of a bulk phase (primitive cell, PBE single point, gap on its k-mesh): whether it blocks
    electrons. Stored, it overrides configs/band_gaps.yaml in interphase types and stacks."""
    from ssbi.interfaces.analysis.interphase import load_band_gaps  # lazy: start-up (pymatgen)
    from ssbi.workflows.run.band_gap import band_gap  # lazy: start-up (jobflow, the engine)

    if fmt not in ("table", "json"):
        fail(f"--format takes table or json, not {fmt!r}")
    req = requested(lambda progress: band_gap(material, engine, store, force, submit, progress=progress))
    if req is None:
        return
    doc = req.docs[0]["output"]
    info = load_band_gaps().get(doc["formula"])
    shipped = None if info is None else {"gap": info.gap, "kind": info.kind, "source": info.source}
    if fmt == "json":
        keep = {k: v for k, v in doc.items() if k != "structure"}
        print(json.dumps({**keep, "shipped": shipped}, default=str, indent=1))
        return
    console.print(gap_table(doc, shipped))
    console.print(f"result {req.docs[0]['uuid'][:8]} ({req.outcome.status}); semi-local DFT underestimates gaps "
                  "(typically by 30–50 %): the check is whether electrons are blocked, not the gap's size")
