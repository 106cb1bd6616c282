"""ssbi adhesion: work of adhesion of one interface, here or through FireWorks."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ssbi.interfaces.build_settings import BuildSettings
from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, fail
from ssbi.workflows.cli.options import ENGINE_OPT, STORE_OPT, VARIANT_OPT, output_folder, settings_options


def adhesion_table(doc: dict, title: str) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("quantity", style="bold")
    table.add_column("value")
    term = " | ".join(doc["termination"])
    rows = [
        ("interface", f"{doc['film']}{tuple(doc['film_miller'])} on {doc['substrate']}{tuple(doc['substrate_miller'])}"),
        ("terminations", f"{term} (candidate {doc.get('candidate', 0)})"),
        ("cell", f"{doc['n_atoms']} atoms ({doc['n_film_atoms']} film + {doc['n_substrate_atoms']} substrate), "
                 f"area {doc['area']:.1f} Å², {doc['n_interfaces']} interface(s)"),
        ("strain", f"{doc['strained_side']} strained; max {100 * doc['max_abs_strain']:.2f} %, von Mises film "
                   f"{100 * doc['film_von_mises_strain']:.2f} % / substrate {100 * doc['substrate_von_mises_strain']:.2f} %"),
        ("in-plane offset", f"({doc['in_plane_offset'][0]:.3f}, {doc['in_plane_offset'][1]:.3f})"),
        ("W_ad rigid", f"{doc['w_ad_rigid']:.3f} J/m²"),
        ("W_ad relaxed", "—" if doc.get("w_ad_relaxed") is None else f"{doc['w_ad_relaxed']:.3f} J/m²"),
    ]
    if doc.get("uber"):
        u = doc["uber"]
        rows.append(("UBER fit", f"W = {u['w_ad']:.3f} J/m², d0 = {u['d0']:.2f} Å, λ = {u['length']:.2f} Å "
                                 f"(rmse {u['rmse']:.3f})"))
    if doc.get("strain_energy"):
        rows.append(("strain energy", ", ".join(
            f"{k} {v:.3f} J/m² ({1000 * doc['strain_energy_per_atom'][k]:.1f} meV/atom)"
            for k, v in doc["strain_energy"].items())))
    if doc.get("surface_energy"):
        rows.append(("surface energies", ", ".join(f"{k} {v:.3f}" for k, v in doc["surface_energy"].items())
                     + " J/m²"))
    if doc.get("interface_energy") is not None:
        rows.append(("interface energy", f"{doc['interface_energy']:.3f} J/m² (vs unstrained relaxed bulks)"))
    rows += [("engine", f"{doc['engine']['name']} ({doc['engine']['version']}), {doc['engine']['energy_scale']}")]
    for key, value in rows:
        table.add_row(key, value)
    return table


@app.command()
@settings_options(BuildSettings, into="build", exclude=("film_miller", "substrate_miller", "max_candidates"),
                  defaults={"max_atoms": 200})
def adhesion(
    film: str = typer.Argument(..., help="Film (top) material, e.g. Li."),
    substrate: str = typer.Argument(..., help="Substrate (bottom) material, e.g. Li6PS5Cl."),
    film_miller: tuple[str, str, str] = typer.Option(("1", "0", "0"), "--film-miller", help="h k l of the film."),
    substrate_miller: tuple[str, str, str] = typer.Option(("1", "0", "0"), "--substrate-miller",
                                                           help="h k l of the substrate."),
    engine: str = ENGINE_OPT,
    scan_separation: bool = typer.Option(False, "--scan-separation", help="Rigid gap scan and UBER fit."),
    scan_registry: bool = typer.Option(False, "--scan-registry", help="Rigid 3x3 in-plane shift scan."),
    relax: bool = typer.Option(True, "--relax/--no-relax", help="Relax interface and slabs (fixed cell)."),
    relax_bulk: bool = typer.Option(True, "--relax-bulk/--no-relax-bulk", help="Relax both bulks first."),
    candidate: int = typer.Option(0, help="First ranked interface candidate to run (0 = best)."),
    candidates: int = typer.Option(1, "--candidates", help="Run this many ranked candidates (one result each)."),
    variant: str = VARIANT_OPT,
    store: Optional[str] = STORE_OPT,
    force: bool = typer.Option(False, "--force", help="Recompute even if stored."),
    submit: bool = typer.Option(False, "--submit", help="Send to FireWorks instead of running here."),
    out: Path = typer.Option(Path("out/adhesion"), "-o", "--out", callback=output_folder, help="Folder for uber.png / registry.png."),
    build: dict = None,
):
    """Work of adhesion (rigid and relaxed, optional UBER and registry scans); table and plots."""
    from ssbi.workflows.run import requests  # lazy: start-up (jobflow, pymatgen's interface builder, the engine)

    def built(analysis, cands, bulks, stored):
        """What is reused and what runs, before anything does."""
        for name, bulk in zip((analysis.film, analysis.substrate), bulks):
            if bulk:
                console.print(f"reusing the {analysis.maker.resolved.name} bulk relaxation of {name} "
                              f"({bulk['uuid'] or 'shipped reference entries'})")
        source = "stored relaxed bulks" if all(bulks) or not relax_bulk else \
            "input bulks; rebuilt from the relaxed bulks in the flow"
        for (i, doc), cand in zip(stored.items(), cands):
            if doc:
                console.print(f"already stored: adhesion {_label(analysis)} candidate {i} is result {doc['uuid']} "
                              "(--force recomputes)")
            else:
                console.print(f"candidate {i}: {cand.metadata.n_atoms} atoms, area {cand.metadata.area:.1f} Å² "
                              f"({source})")

    with console.status("checking the input") as status:
        req = requests.adhesion(film, substrate, film_miller, substrate_miller, engine, build, candidate, candidates,
                                relax, relax_bulk, scan_registry, scan_separation, variant, store, force, submit,
                                on_built=built, progress=lambda stage: status.update(stage))
    o, label = req.outcome, _label(req.analysis)
    if o.status == "failed":
        fail(o.message)
    if o.status == "queued":
        console.print(f"already queued: adhesion {label} is workflow {o.workflow}")
    elif o.status == "submitted":
        console.print(f"submitted adhesion {label} as workflow {o.workflow}; run it with `ssbi worker`")
    elif o.status == "stored" and not o.message:
        _report_all(req.docs, label, out)
    else:
        _report_all(req.docs, f"{label}: done in {o.seconds:.0f} s", out)
        console.print(f"stored in {req.store} as {', '.join(d['uuid'] for d in req.docs)}")


def _label(analysis) -> str:
    m = analysis.maker
    return f"{analysis.film}{m.film_miller} | {analysis.substrate}{m.substrate_miller} ({m.resolved.name})"


def _report_all(docs: list[dict], title: str, out: Path) -> None:
    """One table and plot folder per candidate (``out`` itself when there is one)."""
    if len(docs) == 1:
        return _report(docs[0], title, out)
    for doc in docs:
        index = doc["output"].get("candidate", 0)
        _report(doc, f"{title} — candidate {index}", out / f"candidate-{index}")
    console.print(candidates_table(docs, title))


def candidates_table(docs: list[dict], title: str) -> Table:
    """Candidates side by side: cell, strain, W_ad."""
    table = Table(title=title, header_style="bold")
    for col in ("candidate", "terminations", "atoms", "area Å²", "max strain %", "W_ad rigid", "W_ad relaxed (J/m²)"):
        table.add_column(col, justify="left" if col == "terminations" else "right")
    for doc in docs:
        o = doc["output"]
        table.add_row(str(o.get("candidate", "")), " | ".join(o["termination"]), str(o["n_atoms"]),
                      f"{o['area']:.1f}", f"{100 * o['max_abs_strain']:.2f}", f"{o['w_ad_rigid']:.3f}",
                      "—" if o.get("w_ad_relaxed") is None else f"{o['w_ad_relaxed']:.3f}")
    return table


def _report(doc: dict, title: str, out: Path) -> None:
    from ssbi.workflows.report.plots import plot_registry, plot_uber  # lazy: start-up (matplotlib)

    console.print(adhesion_table(doc["output"], title))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if doc["output"].get("uber"):
        written.append(plot_uber(doc["output"], out / "uber.png"))
    if doc["output"].get("registry"):
        written.append(plot_registry(doc["output"], out / "registry.png"))
    if written:
        console.print("plots: " + ", ".join(str(p) for p in written))
