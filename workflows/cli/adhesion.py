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


def relaxed_text(doc: dict, unit: str = " J/m²") -> str:
    """W_ad relaxed, or, where the relaxation reacted, its reaction energy (not adhesion)."""
    if doc.get("w_ad_relaxed") is None:
        return "—"
    if doc.get("reacted"):
        return f"reacted: {doc['reaction_energy']:.3f}{unit} (not adhesion)"
    return f"{doc['w_ad_relaxed']:.3f}{unit}"


RECONSTRUCTION_NOTE = 0.02  # J/m²: a side whose separated half relaxed this much lower is named


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
        ("W_ad relaxed", relaxed_text(doc)),
    ]
    if doc.get("reacted"):
        rows.append(("reaction", "; ".join(doc["reaction"]["evidence"]) + f"; largest displacement "
                                 f"{doc['reaction']['max_displacement']:.2f} Å"))
    for side, value in (doc.get("slab_reconstruction") or {}).items():
        if value > RECONSTRUCTION_NOTE:
            rows.append((f"{side} reconstructed", f"its half of the relaxed interface, relaxed apart, lies {value:.3f} "
                                                  "J/m² below its own slab relaxation and is W_ad's reference"))
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
    scan_registry: bool = typer.Option(False, "--scan-registry", help="Rigid in-plane shift scan (see --registry)."),
    registry: str = typer.Option("grid", "--registry", help="grid: 3×3 over the cell; refine: 3×3 over the shifts "
                                 "symmetry leaves distinct, then 8 around the best (17 single points)."),
    relax: bool = typer.Option(True, "--relax/--no-relax", help="Relax interface and slabs (fixed cell)."),
    relax_bulk: bool = typer.Option(True, "--relax-bulk/--no-relax-bulk", help="Relax both bulks first."),
    candidate: int = typer.Option(0, help="First ranked interface candidate to run (0 = best)."),
    candidates: int = typer.Option(1, "--candidates", help="Run this many ranked candidates (one result each)."),
    terminations: str = typer.Option("lowest", "--terminations", help="lowest: the lowest-σ faces at the electrode's "
                                     "potential where `ssbi surface` results are stored, else the builder's first; "
                                     "all: every pair rigid, then the best --relax-best relaxed."),
    relax_best: int = typer.Option(2, "--relax-best", help="With --terminations all: relax this many pairs."),
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

    if registry not in ("grid", "refine"):
        fail(f"--registry takes grid or refine, not {registry!r}")
    if terminations not in ("lowest", "all"):
        fail(f"--terminations takes lowest or all, not {terminations!r}")
    if terminations == "all":
        return _every_termination(film, substrate, film_miller, substrate_miller, engine, build, relax_best, relax_bulk,
                                  variant, store, force, submit)
    notes = []
    with console.status("checking the input") as status:
        req = requests.adhesion(film, substrate, film_miller, substrate_miller, engine, build, candidate, candidates,
                                relax, relax_bulk, scan_registry, scan_separation, variant, store, force, submit,
                                on_built=built, progress=lambda stage: status.update(stage), on_note=notes.append,
                                registry_search=registry)
    for note in notes:
        console.print(note)
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


def _every_termination(film, substrate, film_miller, substrate_miller, engine, build, relax_best, relax_bulk, variant,
                       store, force, submit) -> None:
    from ssbi.interfaces.errors import SSBIError  # lazy: start-up (pymatgen)
    from ssbi.workflows.run.surfaces import adhesion_every_termination  # lazy: start-up (jobflow, the engine)

    if submit:
        fail("--terminations all runs here (rigid first, then the best relaxed); submit pairs one by one with "
             "--film-termination/--substrate-termination")
    try:
        with console.status("every pair of faces") as status:
            rows = adhesion_every_termination(film, substrate, film_miller, substrate_miller, engine, build,
                                              relax_best, relax_bulk, variant, store, force,
                                              progress=lambda stage: status.update(stage))
    except SSBIError as exc:
        fail(str(exc).splitlines()[0])
    fm, sm = (tuple(int(x) for x in m) for m in (film_miller, substrate_miller))
    console.print(termination_pairs_table(rows, f"{film}{fm} | {substrate}{sm}: "
                                                f"{len(rows)} pairs of faces"))


def termination_pairs_table(rows: list[dict], title: str) -> Table:
    """Every pair of faces: rigid W_ad, relaxed W_ad and interface energy for the relaxed ones."""
    table = Table(title=title, header_style="bold")
    for col in ("film face", "substrate face", "atoms", "max strain %", "W_ad rigid", "W_ad relaxed", "γ (J/m²)",
                "note"):
        table.add_column(col, justify="left" if col in ("film face", "substrate face", "note") else "right")
    order = sorted(rows, key=lambda r: -(r["rigid"]["output"]["w_ad_rigid"] if r["rigid"] else -1e9))
    for r in order:
        rig = r["rigid"]["output"] if r["rigid"] else None
        rel = r["relaxed"]["output"] if r["relaxed"] else None
        table.add_row(r["film_termination"], r["substrate_termination"], str(rig["n_atoms"]) if rig else "—",
                      f"{100 * rig['max_abs_strain']:.2f}" if rig else "—",
                      f"{rig['w_ad_rigid']:.3f}" if rig else "—",
                      relaxed_text(rel, "") if rel else "—",
                      f"{rel['interface_energy']:.3f}" if rel and rel.get("interface_energy") is not None else "—",
                      r["error"] or ("" if rel else "rigid only"))
    return table


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
                      relaxed_text(o, ""))
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
