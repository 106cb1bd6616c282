"""ssbi alloy: the voltage profile of a Li–M alloy anode from the engine's hull, next to published plateaus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, fail
from ssbi.workflows.cli.options import STORE_OPT


@app.command()
def alloy(
    system: str = typer.Argument(..., help="Li–M system, e.g. Li-Sn, Li-Si, Li-Al, Li-In."),
    engine: str = typer.Option("chgnet", "--engine", "-e", help="Engine whose hull to use (`ssbi engines`)."),
    entries: str = typer.Option("store", "--entries", help="store (the engine's shipped and stored entries) or a "
                                                           "JSON file of entries (`ssbi reference import`)."),
    file_scale: Optional[str] = typer.Option(None, "--file-scale", help="Scale of file entries that do not say."),
    known_only: bool = typer.Option(True, "--known-phases-only/--all-phases",
                                    help="Hull without the curated hypothetical phases (default), or with them."),
    store: Optional[str] = STORE_OPT,
    fmt: str = typer.Option("table", "--format", help="table or json."),
    out: Path = typer.Option(Path("out/alloy"), "-o", "--out", help="Folder for alloy_profile.png."),
):
    """Every two-phase plateau (its phases and potential vs Li/Li+), the fully lithiated phase, the capacity, and
    the published plateaus beside them; alloy_profile.png."""
    from ssbi.interfaces.errors import SSBIError  # lazy: start-up (pymatgen)
    from ssbi.workflows.stability.alloys import alloy_report  # lazy: start-up (pymatgen)

    if fmt not in ("table", "json"):
        fail(f"--format takes table or json, not {fmt!r}")
    try:
        report = alloy_report(system, engine, store, known_only, entries, file_scale)
    except SSBIError as exc:
        fail(str(exc).splitlines()[0])
    if fmt == "json":
        print(json.dumps(report, indent=1))
        return
    p, pub = report["profile"], report["published"]
    t = Table(title=f"{report['system']} lithiation ({report['engine']}, "
                    f"{'known phases' if known_only else 'hypothetical phases included'}), from {p['metal']}",
              header_style="bold")
    for col in ("V vs Li/Li+", "Li-poorer phase", "Li-richer phase", "Li per " + p["metal"], "entries"):
        t.add_column(col, justify="right" if col.startswith(("V", "Li per")) else "left")
    for q in p["plateaus"]:
        t.add_row(f"{q['voltage']:.3f}", q["li_poor"], q["li_rich"], f"{q['x_start']:.2f} → {q['x_end']:.2f}",
                  "; ".join(q["sources"]))
    console.print(t)
    console.print(f"fully lithiated: {p['lithiated']} ({p['x_max']:.2f} Li per {p['metal']}; published: "
                  f"{pub.get('lithiated') or '—'}); capacity {p['capacity_mah_g']:.0f} mAh/g of {p['metal']}; "
                  f"average {p['average_voltage']:.3f} V")
    if report["comparison"]:
        c = Table(title=f"published plateaus ({pub.get('temperature_C', '?')} °C) vs this hull at the same Li "
                        "content", header_style="bold")
        for col in ("published phases", "published (V)", "computed (V)", "computed phases", "Δ (V)"):
            c.add_column(col, justify="right" if "(V)" in col else "left")
        for r in report["comparison"]:
            c.add_row(" / ".join(r["phases"]), f"{r['published']:.3f}",
                      "—" if r["computed"] is None else f"{r['computed']:.3f}", r["computed_phases"],
                      "—" if r["difference"] is None else f"{r['difference']:+.3f}")
        console.print(c)
    if pub.get("note") or pub.get("citation"):
        console.print(f"published: {pub.get('citation', '')}; {pub.get('note', '')}".strip("; "))
    from ssbi.workflows.report.plots import plot_alloy_profile  # lazy: start-up (matplotlib)

    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_alloy_profile(report, out / 'alloy_profile.png')}")
