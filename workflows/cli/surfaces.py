"""ssbi terminations and surface: the distinct faces of a material's (h k l) surface, and their surface energies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, fail, requested
from ssbi.workflows.cli.options import ENGINE_OPT, MATERIAL_ARG, STORE_OPT, VARIANT_OPT, output_folder

H_ARG = typer.Argument(..., help="Miller h.")
K_ARG = typer.Argument(..., help="Miller k.")
L_ARG = typer.Argument(..., help="Miller l.")
FTOL_OPT = typer.Option(0.25, "--ftol", help="Atoms within this distance along the normal form one plane (Å).")


def terminations_table(found: list, title: str) -> Table:
    table = Table(title=title, header_style="bold")
    for col in ("#", "label (top planes)", "top atom", "stoich. symmetric slab", "excess per cell (symmetric slab)",
                "Tasker", "dipole e·Å", "broken units", "same face at (Å)"):
        table.add_column(col, justify="right" if col in ("#", "Tasker", "dipole e·Å", "broken units") else "left")
    for t in found:
        excess = ", ".join(f"{k} {v:+.2f}" for k, v in t.symmetric_excess.items()) or "—"
        table.add_row(str(t.index), t.label, t.top_atom,
                      "yes" if t.stoichiometric_symmetric else ("no" if t.symmetric_possible else "none (polar axis)"),
                      excess, str(t.tasker), f"{t.dipole:.2f}", str(t.broken_units),
                      ", ".join(f"{h:.2f}" for h in t.equivalent_heights))
    return table


@app.command()
def terminations(
    material: str = MATERIAL_ARG,
    h: int = H_ARG,
    k: int = K_ARG,
    l: int = L_ARG,  # noqa: E741 - the Miller index
    ftol: float = FTOL_OPT,
    engine: str = typer.Option("chgnet", "--engine", "-e", help="Cut the engine's relaxed bulk, as `ssbi surface` "
                               "and `ssbi adhesion` do (the library cell where it has none)."),
    variant: str = typer.Option("experimental", help="experimental (with --engine: its relaxed bulk) or chgnet."),
    store: Optional[str] = STORE_OPT,
    fmt: str = typer.Option("table", "--format", help="table or json."),
):
    """Every distinct termination of (h k l): the planes on top, whether a symmetric stoichiometric slab exists,
    Tasker type, dipole and broken polyanion units; faces equal by symmetry are listed once."""
    from ssbi.interfaces.errors import SSBIError  # lazy: start-up (pymatgen)
    from ssbi.interfaces.terminations import terminations as find  # lazy: start-up (pymatgen)
    from ssbi.workflows.run.surfaces import cut_structure  # lazy: start-up (pymatgen, the store)

    if fmt not in ("table", "json"):
        fail(f"--format takes table or json, not {fmt!r}")
    if ftol <= 0:
        fail(f"--ftol must be positive (Å), got {ftol}")
    try:
        structure, origin = cut_structure(material, engine, store, variant)
        found = find(structure, (h, k, l), ftol=ftol)
    except SSBIError as exc:
        fail(str(exc).splitlines()[0])
    if fmt == "json":
        print(json.dumps({"material": material, "miller": [h, k, l], "ftol": ftol, "cut_from": origin,
                          "terminations": [t.as_dict() for t in found]}, indent=1))
        return
    console.print(terminations_table(found, f"{material} ({h} {k} {l}): {len(found)} distinct terminations "
                                            f"(surface cell {found[0].area:.1f} Å²; counts per cell; cut from the "
                                            f"{origin})"))
    console.print("label: atomic planes within 1 Å of the top, outermost first; Tasker 1 neutral planes, 2 charged "
                  "planes without dipole, 3 polar (dipole of the stoichiometric slab one period thick)")


def surface_table(doc: dict, title: str) -> Table:
    table = Table(title=title, header_style="bold")
    for col in ("termination", "scheme", "Tasker", "excess / cell", "thickness Å (atoms)", "σ unrelaxed",
                "σ (J/m²)", "Δ last two", "σ at reduction limit", "σ at oxidation limit"):
        table.add_column(col, justify="left" if col in ("termination", "scheme", "excess / cell") else "right")
    for t in doc["terminations"]:
        series = ", ".join(f"{s['thickness']:.1f} ({s['n_atoms']})" for s in t["slabs"])
        last = t["slabs"][-1]
        lim = t.get("sigma_at_limits") or {}

        def rng(pair):
            return "—" if not pair else (f"{pair[0]:.3f}" if abs(pair[1] - pair[0]) < 5e-4 else
                                         f"{pair[0]:.3f} … {pair[1]:.3f}")
        table.add_row(
            t["label"] + (" ◀ lowest" if t["label"] == doc.get("lowest") else ""), t["scheme"], str(t["tasker"]),
            ", ".join(f"{k} {v:+.1f}" for k, v in t.get("excess", {}).items()) or "—", series,
            "—" if last.get("sigma_unrelaxed") is None else f"{last['sigma_unrelaxed']:.3f}",
            "—" if t.get("sigma") is None else f"{t['sigma']:.3f}",
            "—" if t.get("convergence") is None else f"{t['convergence']:.3f}",
            rng(lim.get("reduction")), rng(lim.get("oxidation")))
    return table


@app.command()
def surface(
    material: str = MATERIAL_ARG,
    h: int = H_ARG,
    k: int = K_ARG,
    l: int = L_ARG,  # noqa: E741 - the Miller index
    termination: list[str] = typer.Option([], "--termination", "-t", help="Label or index from `ssbi terminations` "
                                          "(repeat; default every termination)."),
    thickness: list[float] = typer.Option([8.0, 12.0], "--thickness", help="Smallest slab thickness (Å) of each "
                                          "slab in the convergence series (repeat)."),
    engine: str = ENGINE_OPT,
    relax: bool = typer.Option(True, "--relax/--no-relax", help="Relax the slabs (fixed cell)."),
    relax_bulk: bool = typer.Option(True, "--relax-bulk/--no-relax-bulk", help="Relax the bulk first (or reuse it)."),
    vacuum: float = typer.Option(15.0, "--vacuum", help="Vacuum (Å)."),
    ftol: float = FTOL_OPT,
    known_only: bool = typer.Option(True, "--known-phases-only/--all-phases",
                                    help="Hull for σ(μ_Li) without the curated hypothetical phases (default)."),
    variant: str = VARIANT_OPT,
    store: Optional[str] = STORE_OPT,
    force: bool = typer.Option(False, "--force", help="Recompute even if stored."),
    submit: bool = typer.Option(False, "--submit", help="Send to FireWorks instead of running here."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
    out: Path = typer.Option(Path("out/surface"), "-o", "--out", callback=output_folder,
                             help="Folder for surface_energy.png."),
):
    """Surface energies of the terminations of (h k l) from symmetric slabs (a thickness series), σ(μ_Li) across
    the phase's window for off-stoichiometric ones; table and plot."""
    from ssbi.workflows.run.surfaces import surface as request  # lazy: start-up (jobflow, the engine)

    if fmt not in ("table", "json"):
        fail(f"--format takes table or json, not {fmt!r}")
    req = requested(lambda progress: request(material, (h, k, l), engine, tuple(termination), tuple(thickness), relax,
                                             relax_bulk, vacuum, ftol, variant, store, force, submit, known_only,
                                             progress=progress))
    if req is None:
        return
    o = req.outcome
    doc = req.docs[0]
    if fmt == "json":
        print(json.dumps(_without_structures(doc["output"]), indent=1, default=str))
        return
    out_doc = doc["output"]
    eng = out_doc["engine"]
    took = "" if o.status == "stored" and not o.message else f", done in {o.seconds:.0f} s"
    console.print(surface_table(out_doc, f"{out_doc['material']} ({h} {k} {l}) surface energies, "
                                         f"{eng['name']}{' relaxed' if out_doc['relaxed'] else ' unrelaxed'}{took}"))
    if out_doc.get("window"):
        w = out_doc["window"]
        console.print(f"σ(μ_Li) of off-stoichiometric slabs between {w['v_low']:.2f} and {w['v_high']:.2f} V vs "
                      f"Li/Li+ (the window on the {w['source']} hull, phase placed on it; e_above_hull "
                      f"{1000 * (w.get('e_above_hull') or 0):.0f} meV/atom); a range is the freedom of the other "
                      "chemical potentials at that μ_Li")
    for t in out_doc["terminations"]:
        if t.get("warning"):
            console.print(f"[yellow]{t['label']}: {t['warning']}[/]")
    from ssbi.workflows.report.plots import plot_surface_energy  # lazy: start-up (matplotlib)

    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_surface_energy(out_doc, out / 'surface_energy.png')}; stored as {doc['uuid']}")


def _without_structures(doc: dict) -> dict:
    out = {k: v for k, v in doc.items()}
    out["terminations"] = [{**t, "slabs": [{k: v for k, v in s.items() if k != "structure"} for s in t["slabs"]]}
                           for t in doc["terminations"]]
    return out


@app.command()
def facets(
    material: str = MATERIAL_ARG,
    max_index: int = typer.Option(1, "--max-index", help="Largest Miller index (1, or 2 for more facets)."),
    thickness: list[float] = typer.Option([10.0], "--thickness", help="Slab thickness series (Å, repeat)."),
    voltage: Optional[float] = typer.Option(None, "--voltage", help="V vs Li/Li+ at which off-stoichiometric "
                                            "terminations are compared (default: the middle of the phase's window)."),
    engine: str = ENGINE_OPT,
    relax: bool = typer.Option(True, "--relax/--no-relax", help="Relax the slabs (fixed cell)."),
    known_only: bool = typer.Option(True, "--known-phases-only/--all-phases",
                                    help="Hull for σ(μ_Li) without the curated hypothetical phases (default)."),
    variant: str = VARIANT_OPT,
    store: Optional[str] = STORE_OPT,
    force: bool = typer.Option(False, "--force", help="Recompute even if stored."),
    submit: bool = typer.Option(False, "--submit", help="Send to FireWorks instead of running here."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
    out: Path = typer.Option(Path("out/facets"), "-o", "--out", callback=output_folder, help="Folder for wulff.png."),
):
    """σ of every distinct low-index facet (each at its lowest termination), the Wulff shape and the area each
    facet takes; the lowest-σ facets are the ones a study uses when it gives no Miller index."""
    from ssbi.interfaces.errors import SSBIError  # lazy: start-up (pymatgen)
    from ssbi.workflows.run.surfaces import facets as request  # lazy: start-up (jobflow, the engine)

    if fmt not in ("table", "json"):
        fail(f"--format takes table or json, not {fmt!r}")
    try:
        with console.status("checking the input") as status:
            res = request(material, max_index, engine, tuple(thickness), relax, voltage, variant, store, force,
                          submit, known_only, progress=lambda stage: status.update(stage))
    except SSBIError as exc:
        fail(str(exc).splitlines()[0])
    if res["pending"]:
        console.print(f"queued or submitted: {', '.join(res['pending'])}; run them with `ssbi worker`, then again")
        return
    shape = res["wulff"]
    fractions = {tuple(k): v for k, v in shape.area_fraction_dict.items()} if shape else {}
    rows = sorted(res["facets"], key=lambda r: (r["sigma"] is None, r["sigma"]))
    for r in rows:
        r["area_fraction"] = fractions.get(r["miller"])
    if fmt == "json":
        print(json.dumps({"material": material, "voltage": voltage, "facets": rows,
                          "weighted_surface_energy": shape.weighted_surface_energy if shape else None,
                          "anisotropy": shape.anisotropy if shape else None}, indent=1, default=list))
        return
    volts = sorted({round(r["voltage"], 2) for r in rows if r.get("voltage") is not None})
    where = f"at {', '.join(f'{v:g}' for v in volts) or '—'} V vs Li/Li+" + (" (mid-window)" if voltage is None else "")
    table = Table(title=f"{material} facets (max index {max_index}), lowest termination {where}", header_style="bold")
    for col in ("facet", "lowest termination", "σ (J/m²)", "Wulff area %", "terminations"):
        table.add_column(col, justify="left" if col in ("facet", "lowest termination") else "right")
    for r in rows:
        table.add_row(str(r["miller"]), r["termination"] or "—", "—" if r["sigma"] is None else f"{r['sigma']:.3f}",
                      "—" if r["area_fraction"] is None else f"{100 * r['area_fraction']:.1f}",
                      str(r["n_terminations"]))
    console.print(table)
    if shape is None:
        console.print("[yellow]no Wulff shape: a facet has no positive σ at this potential (negative: an adlayer of "
                      "Li wets it, an interface rather than a surface)[/]")
        return
    console.print(f"area-weighted σ {shape.weighted_surface_energy:.3f} J/m², anisotropy {shape.anisotropy:.3f}; "
                  f"a study without Miller indices takes {', '.join(str(r['miller']) for r in rows[:2])}")
    from ssbi.workflows.report.plots import plot_wulff  # lazy: start-up (matplotlib)

    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_wulff(shape, material, out / 'wulff.png')}")
