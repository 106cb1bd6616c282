"""ssbi adhesion: work of adhesion of one interface, here or through FireWorks."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from interfaces.builder import BuildSettings
from workflows.cli.app import app
from workflows.cli.options import ENGINE_OPT, STORE_OPT, VARIANT_OPT, locked, settings_options
from workflows.console import console, fail


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


def _build_options(build: dict) -> dict:
    """The builder options that identify the result: those always given, and any other set away from its
    default (so that results stored before an option existed keep their fingerprint)."""
    always = ("max_atoms", "max_strain", "max_area", "film_thickness", "substrate_thickness", "vacuum", "gap")
    return {k: v for k, v in build.items() if k in always or v != BuildSettings.model_fields[k].default}


def _stored_bulk(job_store, engine: str, structure, name: str, variant: str) -> Optional[dict]:
    """The relaxed bulk the hull or an earlier run left (stored, or shipped for library cells)."""
    from workflows.bulks import stored_bulk as library_bulk
    from workflows.flows.adhesion import stored_bulk

    found = library_bulk(job_store, engine, name) if variant == "experimental" else None
    found = found or stored_bulk(job_store, engine, structure)
    if found:
        where = found["uuid"] or "shipped reference entries"
        console.print(f"reusing the {engine} bulk relaxation of {name} ({where})")
    return found


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
    out: Path = typer.Option(Path("out/adhesion"), "-o", "--out", help="Folder for uber.png / registry.png."),
    build: dict = None,
):
    """Work of adhesion (rigid and relaxed, optional UBER and registry scans); table and plots."""
    from interfaces.materials import get_material, load
    from interfaces.slabs import check_miller
    from workflows.engines import get_engine
    from workflows.analyses import AdhesionAnalysis
    from workflows.execution import find_result
    from workflows.executor import Executor
    from workflows.flows.adhesion import AdhesionMaker
    from workflows.store import describe, open_store

    fm = check_miller(film_miller, "film Miller index")
    sm = check_miller(substrate_miller, "substrate Miller index")
    job_store = open_store(store)
    eng = get_engine(engine)
    eng.check()
    if not eng.runs_here and not submit:
        fail(f"engine {engine!r} does not run on this machine; add --submit to send it to HPC")
    names = [get_material(n).name for n in (film, substrate)]
    film_s, sub_s = load(film, variant), load(substrate, variant)
    maker = AdhesionMaker(engine=eng.spec, film_miller=fm, substrate_miller=sm, candidate=candidate,
                          n_candidates=candidates, relax=relax, relax_bulk=relax_bulk, scan_registry=scan_registry,
                          scan_separation=scan_separation,
                          build=_build_options(build))
    bulks = [_stored_bulk(job_store, eng.name, s, n, variant) if relax_bulk else None
             for s, n in zip((film_s, sub_s), names)]
    check_film, check_sub = (b["structure"] if b else s for b, s in zip(bulks, (film_s, sub_s)))
    with console.status("matching lattices and building the interface"):
        cands = maker.build_candidates(check_film, check_sub)  # no match / overlap: fail before any job
    label = f"{names[0]}{fm} | {names[1]}{sm} ({eng.name})"
    analysis = AdhesionAnalysis(names[0], names[1], film_s, sub_s, maker, bulks=tuple(bulks))
    fps = dict(zip(maker.candidate_indices(), analysis.fingerprints()))
    stored = {i: find_result(job_store, fp) for i, fp in fps.items()}
    todo = [i for i in fps if force or not stored[i]]
    for i in fps:
        if i not in todo:
            console.print(f"already stored: adhesion {label} candidate {i} is result {stored[i]['uuid']} (--force "
                          "recomputes)")
    if not todo:
        return _report_all([stored[i] for i in fps], label, out)
    for i, cand in zip(maker.candidate_indices(), cands):
        if i in todo:
            source = "stored relaxed bulks" if all(bulks) or not relax_bulk else \
                "input bulks; rebuilt from the relaxed bulks in the flow"
            console.print(f"candidate {i}: {cand.metadata.n_atoms} atoms, area {cand.metadata.area:.1f} Å² ({source})")
    executor = Executor(job_store, force=force)
    if submit:
        from workflows import launchpad as fw

        with locked("ssbi adhesion --submit"):
            (o,) = executor.submit([analysis], fw.get_launchpad())
        if o.status == "queued":
            console.print(f"already queued: adhesion {label} is workflow {o.workflow}")
        else:
            console.print(f"submitted adhesion {label} as workflow {o.workflow}; run it with `ssbi worker`")
        return
    with console.status(f"adhesion {label}: relaxations and single points"):
        outcome = executor.run_one(analysis)
    if outcome.status == "failed":
        fail(outcome.message)
    docs = [job_store.query_one({"output.fingerprint": fps[i], "output.kind": "adhesion"}, load=True,
                                sort={"completed_at": -1}) for i in fps]
    _report_all(docs, f"{label}: done in {outcome.seconds:.0f} s", out)
    console.print(f"stored in {describe(store)} as {', '.join(d['uuid'] for d in docs)}")


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
    from workflows.plots import plot_registry, plot_uber

    console.print(adhesion_table(doc["output"], title))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if doc["output"].get("uber"):
        written.append(plot_uber(doc["output"], out / "uber.png"))
    if doc["output"].get("registry"):
        written.append(plot_registry(doc["output"], out / "registry.png"))
    if written:
        console.print("plots: " + ", ".join(str(p) for p in written))
