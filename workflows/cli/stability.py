"""ssbi phase-diagram / analyze / window / windows / react: thermodynamic stability from entries."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from workflows.cli.app import app
from workflows.cli.options import ENGINE_OPT, STORE_OPT, VARIANT_OPT, EntrySource, locked, settings_options
from workflows.console import console, fail

class Context:
    """Entries, their phase-diagram cache and labels for one command."""

    def __init__(self, formulas, entries_opt, engine, scale, file_scale, store, joint: bool = False,
                 allow_formula: bool = False):
        """``joint``: the phases react with each other (one system for all), else each stands alone."""
        from interfaces.analysis.hull import PhaseDiagramCache, composition_of
        from interfaces.analysis.scales import common_scale, convert
        from workflows.entries import load_entries

        comps = [composition_of(phase_of(f)[0]) for f in formulas]
        self.elements = sorted({el.symbol for c in comps for el in c.elements} | {"Li"})
        self.job_store = None
        if entries_opt == "store":
            from workflows.store import open_store

            self.job_store = open_store(store)
            self.source, self.engine = "store", engine
            systems = [{el.symbol for el in c.elements} | {"Li"} for c in comps]
            if joint:  # a reaction needs the system of both materials
                systems = [set().union(*systems)]
            entries = load_entries("store", self.elements, engine=engine, store=self.job_store, systems=systems)
        elif entries_opt == "mp":
            self.source, self.engine = "mp", "materials-project"
            entries = load_entries("mp", self.elements)
        else:
            self.source, self.engine = "file", f"file:{Path(entries_opt).name}"
            entries = load_entries("file", self.elements, file=entries_opt, file_scale=file_scale)
        self.entries = convert(entries, scale) if scale else entries
        self.scale = common_scale(self.entries)
        self.cache = PhaseDiagramCache(self.entries)
        self.arbitrary = [f for f in formulas if not self._known(f, allow_formula)]

    def _known(self, name: str, allow_formula: bool) -> bool:
        """A library material or a phase of the entries; else an error, unless arbitrary compositions are asked
        for (``--formula``)."""
        import difflib

        from pymatgen.core import Composition

        from interfaces.errors import InputError
        from interfaces.materials import list_materials

        formula, library_name = phase_of(name)
        phases = {e.composition.reduced_formula for e in self.entries}
        elements = {el for e in self.entries for el in e.composition.elements}
        comp = Composition(formula)
        if library_name or comp.reduced_formula in phases or not set(comp.elements) <= elements:
            return True  # known; or outside the entries, which the phase look-up then says in one line
        if allow_formula:
            return False
        names = sorted({m.name for m in list_materials()} | phases)
        close = difflib.get_close_matches(name, names, n=2, cutoff=0.6)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise InputError(f"{name!r} is not a library material nor a phase of the {self.source} entries{hint}; "
                         "add --formula to analyse it as an arbitrary composition (shown, not stored)")

    @classmethod
    def of(cls, formulas, source: dict, joint: bool = False) -> "Context":
        """From the options of :class:`~workflows.cli.options.EntrySource`."""
        return cls(formulas, source["entries"], source["engine"], source["scale"], source["file_scale"],
                   source["store"], joint=joint, allow_formula=source.get("arbitrary", False))

    def pd(self, formulas):
        from pymatgen.core import Composition

        els = {el.symbol for f in formulas for el in Composition(phase_of(f)[0]).elements} | {"Li"}
        return self.cache.get(els)

    def build(self, targets) -> list[dict]:
        """The documents of ``targets`` from this context's entries, through the stability builder (their only
        writer); stored beside the results. One line and exit 2 when one cannot be computed."""
        from workflows.builders import StabilityBuilder
        from workflows.stability import analysis_store

        target = self.job_store
        if self.arbitrary:  # an arbitrary composition is never stored as if it were a material
            from workflows.store import open_store

            target = open_store("memory")
        elif target is None:
            from workflows.store import open_store

            target = open_store(None)
        builder = StabilityBuilder(target.docs_store, analysis_store(target), engine=self.engine, targets=targets,
                                   entries=self.entries, source=self.source)
        builder.caches[(self.engine, self.scale)] = self.cache
        builder.run_all()
        docs = builder.documents()
        missing = [t for t in targets if t not in docs]
        if missing:
            fail(builder.failures.get(missing[0]) or f"{missing[0].material}: no document could be computed")
        return [docs[t] for t in targets]


def phase_of(name: str) -> tuple[str, str | None]:
    """(formula, library name) of a command-line phase: a library name or alias (beta-Li3PS4) or a formula."""
    from interfaces.errors import SSBIError
    from interfaces.materials import get_material

    try:
        mat = get_material(name)
    except SSBIError:
        return name, None
    return mat.formula, mat.name


def _windows(ctx: Context, names) -> list[dict]:
    """Window documents of ``names`` (library names or formulas) from the context's cached diagrams, stored."""
    from workflows.builders import StabilityTarget

    for name in names:  # a phase outside the entries: one line before anything is stored
        ctx.pd([phase_of(name)[0]])
    return ctx.build([StabilityTarget("window", name) for name in names])


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
    t.add_row("limits decided by", f"reduction: {'; '.join(doc.get('reduction_sources') or []) or '—'}; "
                                   f"oxidation: {'; '.join(doc.get('oxidation_sources') or []) or '—'}")
    t.add_row("entry", f"{doc.get('entry') or '?'} ({'library phase ' + doc['material'] if doc.get('material') else 'lowest of its formula'})")
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
@settings_options(EntrySource, into="source")
def window(formula: str = typer.Argument(..., help="Phase, e.g. Li6PS5Cl."), source: dict = None):
    """Electrochemical window, products at each limit, decomposition energies; window_profile.png."""
    from workflows.plots import plot_window_profile

    ctx, out = Context.of([formula], source), source["out"]
    data = _windows(ctx, [formula])[0]
    console.print(window_table(data))
    console.print(profile_table(data))
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_window_profile(data, out / 'window_profile.png')}")


@app.command()
@settings_options(EntrySource, into="source")
def windows(formulas: list[str] = typer.Argument(..., help="Phases, e.g. Li3PS4 Li6PS5Cl Li10GeP2S12 Li7La3Zr2O12."),
            source: dict = None):
    """Windows of many phases side by side: table and windows.png (Li at 0 V, the S cathode marked)."""
    from workflows.plots import plot_windows

    ctx, out = Context.of(formulas, source), source["out"]
    rows = _windows(ctx, formulas)
    t = Table(title=f"Electrochemical windows ({ctx.engine}, {ctx.scale} scale; {ctx.cache.builds} phase "
                    "diagram(s) built)", header_style="bold")
    for col in ("phase", "E_hull (meV/at)", "reduction (V)", "reduced to", "oxidation (V)", "oxidised to",
                "ΔE at 0 V (eV/at)", "vs Li"):
        t.add_column(col, justify="left" if col in ("phase", "reduced to", "oxidised to", "vs Li") else "right")
    for d in rows:
        t.add_row(d.get("material") or d["formula"], f"{1000 * d['e_above_hull']:.0f}", _fmt_v(d["reduction_limit"]),
                  " + ".join(d["reduction_products"]) or "stable vs Li", _fmt_v(d["oxidation_limit"]),
                  " + ".join(d["oxidation_products"]) or "—", f"{d['decomposition_energy']['0']:.3f}",
                  d["interphase_vs_li"]["type"])
    console.print(t)
    src = Table(title="entries that decide each limit (library name or reference id)", header_style="bold")
    for col in ("phase", "entry", "reduction limit", "oxidation limit"):
        src.add_column(col)
    for d in rows:
        src.add_row(d.get("material") or d["formula"], d.get("entry", ""), "; ".join(d.get("reduction_sources") or []),
                    "; ".join(d.get("oxidation_sources") or []))
    console.print(src)
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_windows(rows, out / 'windows.png')}")


@app.command()
@settings_options(EntrySource, into="source")
def react(
    a: str = typer.Argument(..., help="First material (electrode), e.g. Li, S, Li2S."),
    b: str = typer.Argument(..., help="Second material (electrolyte)."),
    voltage: Optional[float] = typer.Option(None, "--voltage", help="Open to Li at this voltage vs Li/Li+; "
                                                                   "closed when omitted."),
    source: dict = None,
):
    """Interfacial reaction energy vs mixing ratio: kinks, minimum, interphase type; reaction.png."""
    from workflows.builders import StabilityTarget
    from workflows.plots import plot_reaction

    ctx, out = Context.of([a, b], source, joint=True), source["out"]
    ctx.pd([phase_of(a)[0], phase_of(b)[0]])  # a missing phase: one line before anything is stored
    d = ctx.build([StabilityTarget("reaction", b, a, voltage)])[0]
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
    n_lowest: int = typer.Option(2, "--relax-lowest", help="Polymorphs relaxed per composition (by single point)."),
    window: float = typer.Option(50.0, "--relax-within", help="Also relax polymorphs within this many meV/atom "
                                                             "of the lowest."),
    submit: bool = typer.Option(False, "--submit", help="Send to FireWorks instead of running here."),
):
    """The phase set of CHEMSYS with ENGINE: a single point of every reference structure, relaxations of the
    lowest polymorphs and of the library phases (stored or shipped ones are reused), then the hull and the
    analyses."""
    from workflows.engines import get_engine
    from workflows.entries import elements_of
    from workflows.flows.phase_set import PhaseSetMaker, missing_element_hint
    from workflows.store import open_store

    elements = elements_of(chemsys)
    eng = get_engine(engine)
    eng.check()
    job_store = open_store(store)
    maker = PhaseSetMaker(engine=eng.spec, variant=variant, n_lowest=n_lowest, window=window / 1000)
    plan = maker.plan(elements, job_store)
    if plan.missing_elements:
        fail(missing_element_hint(plan.missing_elements[0]))
    name = "-".join(plan.elements)
    c = plan.summary()
    console.print(f"{name} ({eng.name}): {c['reference']} reference structures, {c['library']} library phases")
    console.print(f"  single points: {c['screened_shipped']} shipped, {c['screened_stored']} stored, "
                  f"{c['to_screen']} to compute")
    console.print(f"  relaxations known: {c['relaxed_shipped']} shipped, {c['relaxed_stored']} stored; library "
                  f"phases to relax: {c['library_to_relax']}; the {n_lowest} lowest polymorphs per composition "
                  f"(and any within {window:g} meV/atom) are relaxed where not known")
    if plan.shipped_note:
        console.print(f"  note: {plan.shipped_note}")
    from workflows.analyses import PhaseSetAnalysis
    from workflows.executor import Executor

    analysis = PhaseSetAnalysis([name], maker)
    if submit:
        from workflows import launchpad as fw

        with locked("ssbi phase-diagram --submit"):
            (o,) = Executor(job_store).submit([analysis], fw.get_launchpad())
        if o.status == "stored":
            console.print("nothing to compute: every calculation is stored or shipped")
        else:
            console.print(f"{'already queued' if o.status == 'queued' else 'submitted'} as workflow {o.workflow}; "
                          "run it with `ssbi worker`")
        return
    with console.status(f"{name}: {c['to_screen']} single point(s), {c['library_to_relax']} library relaxation(s), "
                        f"then the selected relaxations with {eng.name}"):
        outcome = Executor(job_store).run_one(analysis)
    if outcome.status == "failed":
        fail(outcome.message)
    if outcome.status == "done":  # the flow's hull update stored the summary
        doc = job_store.query_one({"output.kind": "phase_diagram", "output.chemsys": name,
                                   "output.engine": eng.name}, load=True, sort={"completed_at": -1})["output"]
    else:  # all stored or shipped: the same summary, read here
        from workflows.flows.phase_diagram import summarize_hull

        doc = summarize_hull(job_store, name, eng.spec, {}, [], {**c, "selection": {
            "screened": len(plan.screened), "selected": sorted(plan.relaxed), "relaxed_here": []}}).model_dump()
    table = hull_table(doc, f"{doc['chemsys']} hull ({eng.name}, {doc['energy_scale']} scale)")
    caption, table.caption = table.caption, None
    console.print(table)
    console.print(caption)
    console.print(f"{outcome.status} in {outcome.seconds:.0f} s")
    failed = (doc.get("analysis") or {}).get("failed", 0)
    if failed or doc.get("missing_elements"):
        fail(f"{name}: {failed} analyses failed" if failed else
             f"{name}: no elemental reference for {', '.join(doc['missing_elements'])}; the hull is incomplete")


def hull_table(doc: dict, title: str) -> Table:
    t = Table(title=title, header_style="bold")
    for col in ("phase", "E above hull (meV/atom)", "stable"):
        t.add_column(col, justify="left" if col == "phase" else "right")
    for f, e in sorted(doc["e_above_hull"].items(), key=lambda kv: (kv[1], kv[0])):
        if e > 0.1 and f not in doc["stable"]:
            continue  # far above the hull: counted below, not listed
        t.add_row(f, f"{1000 * e:.1f}", "yes" if f in doc["stable"] else "")
    a, ps = doc["analysis"], doc.get("phase_set") or {}
    sel = ps.get("selection") or {}
    far = sum(1 for f, e in doc["e_above_hull"].items() if e > 0.1 and f not in doc["stable"])
    t.caption = (f"{doc['n_entries']} entries ({doc.get('n_shipped_entries', 0)} shipped); {far} compositions more "
                 f"than 100 meV/atom above the hull not listed; single points: {sel.get('screened', '?')}; "
                 f"relaxed here: {len(sel.get('relaxed_here', []))}; kept out by the volume check: "
                 f"{len(doc.get('rejected', []))}; analyses: {a.get('computed', 0)} computed, {a.get('unchanged', 0)} "
                 f"unchanged, {a.get('removed', 0)} removed, {a.get('failed', 0)} failed")
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

    job_store = open_store(store)
    builder = StabilityBuilder(job_store.docs_store, analysis_store(job_store), engine=engine)
    with console.status("updating windows and reactions"):
        counts = builder.run_all()
    console.print(f"{describe(store)}: {counts['computed']} computed, {counts['unchanged']} unchanged, "
                  f"{counts['removed']} removed, {counts['failed']} failed")
    for line in builder.errors[:10]:
        console.print(f"  failed: {line}")
    if counts["failed"]:
        fail(f"{counts['failed']} window/reaction document(s) could not be computed (listed above)")


@app.command()
def validate(
    engine: str = ENGINE_OPT,
    store: Optional[str] = STORE_OPT,
    markdown: Optional[Path] = typer.Option(None, "--markdown", help="Also write the tables as Markdown here."),
):
    """Computed windows of the library's electrolytes and Li binaries next to published values: limits,
    products, ΔE at 0 V, E_hull, formation energies, each on its energy scale, with deviations and sources."""
    from interfaces.analysis.scales import convert
    from workflows.store import open_store
    from workflows.validation import products_agree, published, validation_rows

    job_store = open_store(store)
    _, rows = published()
    from interfaces.materials import list_materials

    names = {r["phase"] for r in rows} | {m.name for m in list_materials() if "electrolyte" in m.roles}
    elements = sorted({el.symbol for n in names for el in _composition(n).elements} | {"Li"})
    # one entry set per engine and scale; systems that are not covered stay out (their rows say so)
    entries = _covered_entries(job_store, elements, engine)
    by_scale = {"mp2020": entries, "raw-gga": convert(entries, "raw-gga")}
    with console.status("computing windows on both scales"):
        results = validation_rows(by_scale, engine)

    def window(w):
        if not w or "window" not in w:
            return (w or {}).get("error", "—")[:40]
        lo, hi = w["window"]
        return f"{_fmt_v(lo)}–{_fmt_v(hi)}"

    def dev(d, side):
        v = d.get(side)
        return "—" if v is None else f"{v:+.2f}"

    def agree(flag):
        return "" if flag is None else (" ✓" if flag else " ✗")

    t = Table(title=f"Validation: windows vs published ({engine}; V vs Li/Li+; products: reduced | oxidised)",
              header_style="bold")
    for col in ("phase", "scale", "E_hull", "window", "products", "ΔE 0 V", "published", "products (published)",
                "Δ red/ox", "src"):
        t.add_column(col, justify="left" if col in ("phase", "products", "products (published)", "src", "scale")
                     else "right", overflow="fold")
    lines = ["| phase | scale | E_hull (meV/atom) | window (V) | reduced to \\| oxidised to | ΔE at 0 V (eV/atom) | "
             "published window (V) | published products | Δ reduction / Δ oxidation (V) | other scale (V) | source |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        mine = r.computed.get(r.compare_scale, {})
        other = r.computed.get("raw-gga" if r.compare_scale == "mp2020" else "mp2020", {})
        pub = r.published
        red = "+".join(mine.get("reduced_to") or []) or ("stable" if "window" in mine else "—")
        ox = "+".join(mine.get("oxidised_to") or []) or "—"
        red += agree(products_agree(mine.get("reduced_to"), pub.get("reduced_to")))
        ox += agree(products_agree(mine.get("oxidised_to"), pub.get("oxidised_to")))
        pub_p = (f"{'+'.join(pub.get('reduced_to') or ['—'])} | {'+'.join(pub.get('oxidised_to') or ['—'])}"
                 if pub.get("oxidised_to") or pub.get("reduced_to") else "—")
        src = {"zhu2015": "Zhu 2015", "exp-thermo": "exp. ΔHf", "none": "none"}[r.source]
        ehull = f"{1000 * mine['e_above_hull']:.0f}" if "e_above_hull" in mine else "—"
        de = f"{mine['dE_0V']:.3f}" if "dE_0V" in mine else "—"
        devs = f"{dev(r.deviation, 'reduction')}/{dev(r.deviation, 'oxidation')}"
        t.add_row(r.phase, r.compare_scale, ehull, window(mine), f"{red} | {ox}", de, window(pub) if pub else "—",
                  pub_p, devs, src)
        lines.append(f"| {r.phase} | {r.compare_scale} | {ehull} | {window(mine)} | {red} \\| {ox} | {de} | "
                     f"{window(pub) if pub else '—'} | {pub_p.replace('|', chr(92) + '|')} | {devs} | {window(other)} | "
                     f"{src}{' (' + r.note + ')' if r.source == 'none' and r.note else ''} |")
    console.print(t)
    b = Table(title="Li binaries: formation energy and oxidation limit vs experiment (mp2020 scale)",
              header_style="bold")
    for col in ("phase", "ΔHf calc (eV/at)", "ΔHf exp (eV/at)", "Δ (eV/at)", "oxidation calc (V)",
                "oxidation exp (V)", "Δ (V)", "oxidised to"):
        b.add_column(col, justify="left" if col in ("phase", "oxidised to") else "right")
    blines = ["| phase | ΔHf calc (eV/atom) | ΔHf exp (eV/atom) | Δ (eV/atom) | oxidation calc (V) | oxidation exp (V) "
              "| Δ (V) | oxidised to |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        if r.kind != "binary" or r.source == "zhu2015":
            continue
        mine = r.computed.get("mp2020", {})
        hf, hx = mine.get("formation_energy"), r.published.get("formation_energy")
        ox_c = (mine.get("window") or [None, None])[1]
        ox_x = (r.published.get("window") or [None, None])[1]
        cells = [r.phase, "—" if hf is None else f"{hf:.3f}", "—" if hx is None else f"{hx:.3f}",
                 dev(r.deviation, "formation_energy").replace("+", "+") if hx is not None else "—", _fmt_v(ox_c),
                 _fmt_v(ox_x), dev(r.deviation, "oxidation"), " + ".join(mine.get("oxidised_to") or [])]
        b.add_row(*cells)
        blines.append("| " + " | ".join(cells) + " |")
    console.print(b)
    sources, _ = published()
    for key, src in sources.items():
        console.print(f"[{key}] {src['citation']} (doi:{src.get('doi', '—')}); compared on: "
                      f"{', '.join(f'{k} → {v}' for k, v in src['scale'].items())}. {src.get('note', '')}")
    console.print("✓/✗: computed products equal / differ from the published ones. Limits are put on the hull "
                  "(metastable phases); E_hull is the phase's own entry.")
    if markdown:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text("\n".join(lines) + "\n\n" + "\n".join(blines) + "\n")
        console.print(f"wrote {markdown}")


def _composition(name: str):
    from pymatgen.core import Composition

    return Composition(phase_of(name)[0])


def _covered_entries(job_store, elements, engine):
    """The engine's entries (store and shipped) within ``elements``."""
    from workflows.entries import entries_from_store

    entries = entries_from_store(job_store, elements, engine)
    if not entries:
        from interfaces.errors import InputError

        raise InputError(f"no {engine} entries: run `ssbi phase-diagram` for the systems of the published phases")
    return entries
