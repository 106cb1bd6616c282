"""ssbi adsorb MOLECULE HOST: Li2S or a polysulfide on a carbon host, with dispersion."""

from __future__ import annotations

import json
from typing import Optional

import typer
from rich.table import Table

from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, fail, requested
from ssbi.workflows.cli.options import ENGINE_OPT, STORE_OPT


def placements_table(doc: dict) -> Table:
    table = Table(title=f"{doc['molecule']} on {doc['host']} ({doc['engine']['name']}, dispersion {doc['dispersion']})",
                  header_style="bold")
    for col in ("site", "facing", "rotation °", "E_ads (eV)", "steps", "converged"):
        table.add_column(col, justify="left" if col in ("site", "facing") else "right")
    for r in sorted(doc["placements"], key=lambda r: r["E_ads"]):
        best = r is doc["best"] or (r["site"], r["facing"], r["rotation"]) == (doc["best"]["site"],
                                                                            doc["best"]["facing"],
                                                                            doc["best"]["rotation"])
        table.add_row(r["site"] + (" ◀ best" if best else ""), r["facing"], f"{r['rotation']:.0f}",
                      f"{r['E_ads']:+.3f}", str(r["steps"]), "yes" if r["converged"] else "no")
    return table


@app.command()
def adsorb(
    molecule: str = typer.Argument(..., help="Li2S, Li2S4, Li2S6 or Li2S8."),
    host: str = typer.Argument(..., help="graphene or pyridinic-N-graphene."),
    engine: str = ENGINE_OPT,
    dispersion: str = typer.Option("d3bj", "--dispersion", help="d3bj (DFT-D3(BJ), PBE parameters) or none."),
    repeat: int = typer.Option(6, "--repeat", min=3, help="Graphene cell: repeat x repeat (72 C at 6)."),
    rotations: str = typer.Option("0,30", "--rotations", help="In-plane rotations of the molecule, degrees, "
                                                                "comma-separated (each a placement per site)."),
    facing: str = typer.Option("Li,S", "--facing", help="Element turned to the sheet: Li, S or Li,S."),
    store: Optional[str] = STORE_OPT,
    force: bool = typer.Option(False, "--force", help="Recompute even if stored."),
    submit: bool = typer.Option(False, "--submit", help="Send to FireWorks instead of running here."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
):
    """Binding energy of a molecule on a carbon host: the most stable of a small search of sites, facing and
    rotations, every placement relaxed with the engine plus DFT-D3(BJ); E_ads against the relaxed isolated molecule."""
    from ssbi.workflows.run.adsorption import adsorb as request  # lazy: start-up (jobflow, the engine)

    if fmt not in ("table", "json"):
        fail(f"--format takes table or json, not {fmt!r}")
    try:
        angles = tuple(float(x) for x in rotations.split(",") if x.strip())
    except ValueError:
        fail(f"--rotations takes comma-separated degrees such as 0,30, not {rotations!r}")
    facings = tuple(x.strip() for x in facing.split(",") if x.strip())
    req = requested(lambda progress: request(molecule, host, engine, dispersion, repeat, store, force, submit,
                                             progress=progress, rotations=angles, facings=facings))
    if req is None:
        return
    o = req.outcome
    doc = req.docs[0]["output"]
    if fmt == "json":
        keep = {k: v for k, v in doc.items() if k != "structure"}
        print(json.dumps(keep, default=str, indent=1))
        return
    console.print(placements_table(doc))
    d3 = "" if doc.get("dispersion_part") is None else f" (of which D3 {-doc['dispersion_part']:.2f} eV)"
    console.print(f"binding energy {doc['binding_energy']:.2f} eV{d3}: {doc['best']['site']}, "
                  f"{doc['best']['facing']} facing the sheet; result {req.docs[0]['uuid'][:8]} ({o.status})")
    for c in doc.get("caveats", []):
        console.print(f"[dim]caveat: {c}[/]")
