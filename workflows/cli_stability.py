"""ssbi phase-diagram / analyze / window / windows / react: thermodynamic stability from entries."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from workflows.cli_app import app
from workflows.cli_exec import ENGINE_OPT, STORE_OPT, VARIANT_OPT, _locked
from workflows.console import console, fail, run_guarded

ENTRIES_OPT = typer.Option("store", "--entries", help="Entry source: store (engine's relaxations), mp, or a JSON "
                                                      "file of ComputedEntry dicts.")
SCALE_OPT = typer.Option(None, "--scale", help="Energy scale to analyse on: mp2020 or raw-gga (MP2020 corrections "
                                               "removed). Default: the entries' own.")
FILE_SCALE_OPT = typer.Option(None, "--file-scale", help="Scale of file entries that do not say (MP exports: "
                                                         "mp2020).")
OUT_OPT = typer.Option(Path("out/stability"), "-o", "--out", help="Folder for the plots.")


class Context:
    """Entries, their phase-diagram cache and labels for one command."""

    def __init__(self, formulas, entries_opt, engine, scale, file_scale, store):
        from interfaces.analysis.hull import PhaseDiagramCache, composition_of
        from interfaces.analysis.scales import common_scale, convert
        from workflows.entries import load_entries

        comps = [composition_of(f) for f in formulas]
        self.elements = sorted({el.symbol for c in comps for el in c.elements} | {"Li"})
        self.job_store = None
        if entries_opt == "store":
            from workflows.store import open_store

            self.job_store = open_store(store)
            self.source, self.engine = "store", engine
            entries = load_entries("store", self.elements, engine=engine, store=self.job_store)
        elif entries_opt == "mp":
            self.source, self.engine = "mp", "materials-project"
            entries = load_entries("mp", self.elements)
        else:
            self.source, self.engine = "file", f"file:{Path(entries_opt).name}"
            entries = load_entries("file", self.elements, file=entries_opt, file_scale=file_scale)
        self.entries = convert(entries, scale) if scale else entries
        self.scale = common_scale(self.entries)
        self.cache = PhaseDiagramCache(self.entries)

    def pd(self, formulas):
        from pymatgen.core import Composition

        els = {el.symbol for f in formulas for el in Composition(f).elements} | {"Li"}
        return self.cache.get(els)

    def save(self, docs) -> None:
        """Store derived documents beside the results (store source only)."""
        from workflows.stability import analysis_store, save

        target = self.job_store
        if target is None:
            from workflows.store import open_store

            target = open_store(None)
        save(analysis_store(target), docs)


def _windows(ctx: Context, formulas) -> list[dict]:
    """Window documents of ``formulas`` from the context's cached diagrams, stored, as plain dicts."""
    from workflows.stability import window_doc

    docs = [run_guarded(window_doc, run_guarded(ctx.pd, [f]), f, ctx.entries, ctx.source, ctx.engine, ctx.scale)
            for f in formulas]
    ctx.save(docs)
    return [d.model_dump(mode="json") for d in docs]


def _fmt_v(v) -> str:
    return "—" if v is None else f"{v:.2f}"


def window_table(doc: dict) -> Table:
    t = Table(title=f"{doc['formula']}: electrochemical window ({doc['engine']}, {doc['energy_scale']} scale)",
              show_header=False)
    t.add_column("quantity", style="bold")
    t.add_column("value")
    t.add_row("window", f"{_fmt_v(doc['reduction_limit'])} – {_fmt_v(doc['oxidation_limit'])} V vs Li/Li+")
    t.add_row("e above hull", f"{1000 * doc['e_above_hull']:.1f} meV/atom (put on the hull for the window)")
    red = " + ".join(doc["reduction_products"]) or "stable against Li metal"
    t.add_row("reduced to", f"{red} (below {_fmt_v(doc['reduction_limit'])} V)")
    t.add_row("oxidised to", f"{' + '.join(doc['oxidation_products']) or '—'} (above {_fmt_v(doc['oxidation_limit'])} V)")
    for v, e in doc["decomposition_energy"].items():
        prods = " + ".join(doc["decomposition_products"][v])
        t.add_row(f"ΔE_decomp at {v} V", f"{e:.3f} eV/atom of {doc['formula']} → {prods}")
    li = doc["interphase_vs_li"]
    t.add_row("interphase vs Li", f"{li['type']}: {li['reason']}")
    return t


def profile_table(doc: dict) -> Table:
    t = Table(title="voltage profile (each row: stable from V_low up to V_high)", header_style="bold")
    for col in ("V_low", "V_high", "Li per f.u.", "products"):
        t.add_column(col, justify="left" if col == "products" else "right")
    for p in doc["plateaus"]:
        if p["v_low"] > 5.0:
            break
        t.add_row(f"{p['v_low']:.3f}", _fmt_v(p["v_high"]), f"{p['li_per_fu']:+.3f}", " + ".join(p["products"]))
    return t


@app.command()
def window(
    formula: str = typer.Argument(..., help="Phase, e.g. Li6PS5Cl."),
    entries: str = ENTRIES_OPT,
    engine: str = ENGINE_OPT,
    scale: Optional[str] = SCALE_OPT,
    file_scale: Optional[str] = FILE_SCALE_OPT,
    store: Optional[str] = STORE_OPT,
    out: Path = OUT_OPT,
):
    """Electrochemical window, products at each limit, decomposition energies; window_profile.png."""
    from workflows.plots import plot_window_profile

    ctx = run_guarded(Context, [formula], entries, engine, scale, file_scale, store)
    data = _windows(ctx, [formula])[0]
    console.print(window_table(data))
    console.print(profile_table(data))
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_window_profile(data, out / 'window_profile.png')}")


@app.command()
def windows(
    formulas: list[str] = typer.Argument(..., help="Phases, e.g. Li3PS4 Li6PS5Cl Li10GeP2S12 Li7La3Zr2O12."),
    entries: str = ENTRIES_OPT,
    engine: str = ENGINE_OPT,
    scale: Optional[str] = SCALE_OPT,
    file_scale: Optional[str] = FILE_SCALE_OPT,
    store: Optional[str] = STORE_OPT,
    out: Path = OUT_OPT,
):
    """Windows of many phases side by side: table and windows.png (Li at 0 V, the S cathode marked)."""
    from workflows.plots import plot_windows

    ctx = run_guarded(Context, formulas, entries, engine, scale, file_scale, store)
    rows = _windows(ctx, formulas)
    t = Table(title=f"Electrochemical windows ({ctx.engine}, {ctx.scale} scale; {ctx.cache.builds} phase "
                    "diagram(s) built)", header_style="bold")
    for col in ("phase", "E_hull (meV/at)", "reduction (V)", "reduced to", "oxidation (V)", "oxidised to",
                "ΔE at 0 V (eV/at)", "vs Li"):
        t.add_column(col, justify="left" if col in ("phase", "reduced to", "oxidised to", "vs Li") else "right")
    for d in rows:
        t.add_row(d["formula"], f"{1000 * d['e_above_hull']:.0f}", _fmt_v(d["reduction_limit"]),
                  " + ".join(d["reduction_products"]) or "stable vs Li", _fmt_v(d["oxidation_limit"]),
                  " + ".join(d["oxidation_products"]) or "—", f"{d['decomposition_energy']['0']:.3f}",
                  d["interphase_vs_li"]["type"])
    console.print(t)
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_windows(rows, out / 'windows.png')}")


@app.command()
def react(
    a: str = typer.Argument(..., help="First material (electrode), e.g. Li, S, Li2S."),
    b: str = typer.Argument(..., help="Second material (electrolyte)."),
    voltage: Optional[float] = typer.Option(None, "--voltage", help="Open to Li at this voltage vs Li/Li+; "
                                                                   "closed when omitted."),
    entries: str = ENTRIES_OPT,
    engine: str = ENGINE_OPT,
    scale: Optional[str] = SCALE_OPT,
    file_scale: Optional[str] = FILE_SCALE_OPT,
    store: Optional[str] = STORE_OPT,
    out: Path = OUT_OPT,
):
    """Interfacial reaction energy vs mixing ratio: kinks, minimum, interphase type; reaction.png."""
    from workflows.plots import plot_reaction
    from workflows.stability import reaction_doc

    ctx = run_guarded(Context, [a, b], entries, engine, scale, file_scale, store)
    doc = run_guarded(reaction_doc, run_guarded(ctx.pd, [a, b]), a, b, ctx.entries, ctx.source, ctx.engine,
                      ctx.scale, voltage=voltage)
    ctx.save([doc])
    d = doc.model_dump(mode="json")
    cond = "closed" if voltage is None else f"open to Li at {voltage:g} V"
    t = Table(title=f"{d['a']} | {d['b']} ({cond}; {ctx.engine}, {ctx.scale} scale)", header_style="bold")
    for col in ("x", "eV/atom mixture", f"eV/atom {d['b']}", "reaction", "interphase"):
        t.add_column(col, justify="left" if col in ("reaction", "interphase") else "right")
    from interfaces.analysis.interphase import classify_interphase

    for k in d["kinks"]:
        kind = classify_interphase(k["products"], [d["a"], d["b"]], k["energy"]).type
        t.add_row(f"{k['x']:.3f}", f"{k['energy']:.3f}", f"{k['energy_per_atom_b']:.3f}", k["reaction"], kind)
    console.print(t)
    m = d["minimum"]
    console.print(f"most negative: {m['energy']:.3f} eV/atom of mixture ({m['energy_per_atom_b']:.3f} eV per atom "
                  f"of {d['b']}) at x = {m['x']:.3f}: {m['reaction']}")
    console.print(f"interphase: {d['interphase']['type']} — {d['interphase']['reason']}")
    side = d["interphase_electrode_side"]
    console.print(f"next to {d['a']}: {' + '.join(d['electrode_side']['products'])} ({side['type']})")
    if d.get("note"):
        console.print(f"note: {d['note']}")
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_reaction(d, out / 'reaction.png')}")


@app.command("phase-diagram")
def phase_diagram_cmd(
    chemsys: str = typer.Argument(..., help="Chemical system, e.g. Li-P-S-Cl."),
    engine: str = ENGINE_OPT,
    variant: str = VARIANT_OPT,
    store: Optional[str] = STORE_OPT,
    submit: bool = typer.Option(False, "--submit", help="Send to FireWorks instead of running here."),
):
    """Relax every library phase of CHEMSYS with ENGINE (stored ones are reused), then update the analyses."""
    from interfaces.materials import load
    from workflows.engines import get_engine
    from workflows.entries import elements_of
    from workflows.execution import find_result, run_flow
    from workflows.flows.calc import CalcMaker
    from workflows.flows.phase_diagram import PhaseDiagramMaker, library_phases
    from workflows.store import open_store

    elements = run_guarded(elements_of, chemsys)
    eng = run_guarded(get_engine, engine)
    run_guarded(eng.check)
    job_store = run_guarded(open_store, store)
    phases = library_phases(elements)
    if not phases:
        fail(f"no library phases in {'-'.join(elements)}")
    calc = CalcMaker(engine=eng.name, kind="relax", target="bulk")
    maker = PhaseDiagramMaker(engine=eng.name, variant=variant)
    stored = [n for n in phases if find_result(job_store, calc.fingerprint(maker.structure(n)))]
    missing_refs = [el for el in elements if not any(load(n).composition.is_element and
                                                      load(n).composition.elements[0].symbol == el for n in phases)]
    if missing_refs:
        console.print(f"warning: the library has no elemental reference for {', '.join(missing_refs)}; "
                      "the hull of this system cannot be built")
    console.print(f"{'-'.join(elements)}: {len(phases)} library phases, {len(stored)} already relaxed with "
                  f"{eng.name} ({', '.join(stored) or 'none'})")
    flow = maker.make(elements, skip=stored)
    if submit:
        from workflows import launchpad as fw

        with _locked("ssbi phase-diagram --submit"):
            lp = run_guarded(fw.get_launchpad)
            wf_id = fw.submit(lp, flow, f"phase-diagram|{'-'.join(elements)}|{eng.name}|{len(stored)}",
                              {"ssbi_kind": "phase_diagram", "materials": phases, "engine": eng.name})
        console.print(f"submitted as workflow {wf_id}; run it with `ssbi worker`")
        return
    start = time.time()
    todo = [n for n in phases if n not in stored]
    with console.status(f"relaxing {len(todo)} phase(s) with {eng.name}: {', '.join(todo) or 'none'}"):
        run_guarded(run_flow, flow, job_store)
    doc = job_store.query_one({"uuid": flow.jobs[-1].uuid}, load=True)["output"]
    console.print(hull_table(doc, f"{doc['chemsys']} hull ({eng.name}, {doc['energy_scale']} scale): done in "
                                  f"{time.time() - start:.0f} s"))


def hull_table(doc: dict, title: str) -> Table:
    t = Table(title=title, header_style="bold")
    for col in ("phase", "E above hull (meV/atom)", "stable"):
        t.add_column(col, justify="left" if col == "phase" else "right")
    for f, e in sorted(doc["e_above_hull"].items(), key=lambda kv: kv[1]):
        t.add_row(f, f"{1000 * e:.1f}", "yes" if f in doc["stable"] else "")
    a = doc["analysis"]
    t.caption = (f"analyses: {a.get('computed', 0)} computed, {a.get('unchanged', 0)} unchanged, "
                 f"{a.get('removed', 0)} removed, {a.get('failed', 0)} failed")
    if doc.get("missing_elements"):
        t.caption += f"; no elemental reference for {', '.join(doc['missing_elements'])}"
    return t


@app.command()
def analyze(
    engine: Optional[str] = typer.Option(None, "--engine", help="Only this engine's entries (default: all)."),
    store: Optional[str] = STORE_OPT,
):
    """Bring window and reaction documents up to date with the stored entries (incremental)."""
    from workflows.builders import StabilityBuilder
    from workflows.stability import analysis_store
    from workflows.store import describe, open_store

    job_store = run_guarded(open_store, store)
    builder = StabilityBuilder(job_store.docs_store, analysis_store(job_store), engine=engine)
    with console.status("updating windows and reactions"):
        counts = builder.run_all()
    console.print(f"{describe(store)}: {counts['computed']} computed, {counts['unchanged']} unchanged, "
                  f"{counts['removed']} removed, {counts['failed']} failed")
    for line in builder.errors[:10]:
        console.print(f"  failed: {line}")
