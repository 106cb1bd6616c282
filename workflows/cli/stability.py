"""ssbi phase-diagram / analyze / window / windows / react: thermodynamic stability from entries."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, fail
from ssbi.workflows.cli.options import ENGINE_OPT, STORE_OPT, VARIANT_OPT, EntrySource, settings_options


def _query(names, source: dict, joint: bool = False):
    """The entries of the command's source for ``names`` (:class:`~ssbi.workflows.stability.queries.StabilityQuery`)."""
    from ssbi.workflows.stability.queries import StabilityQuery  # lazy: start-up (pymatgen, the stores)

    return StabilityQuery(names, source["entries"], source["engine"], source["scale"], source["file_scale"],
                          source["store"], joint=joint, arbitrary=source.get("arbitrary", False),
                          known_only=source.get("known_phases_only", True))


def _fmt_v(v) -> str:
    return "—" if v is None else f"{v:.2f}"


def window_table(doc: dict) -> Table:
    t = Table(title=f"{doc['formula']}: electrochemical window ({doc['engine']}, {doc['energy_scale']} scale)",
              show_header=False)
    t.add_column("quantity", style="bold")
    t.add_column("value")
    t.add_row("window", f"{_fmt_v(doc['reduction_limit'])} – {_fmt_v(doc['oxidation_limit'])} V vs Li/Li+")
    t.add_row("e above hull", "unknown (a glass given by composition: placed on the hull by its composition)"
              if doc["e_above_hull"] is None else
              f"{1000 * doc['e_above_hull']:.1f} meV/atom (put on the hull for the window"
              f"{'; given for this glass' if doc.get('composition_only') else ''})")
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
    from ssbi.workflows.report.plots import plot_window_profile  # lazy: start-up (matplotlib)

    out = source["out"]
    data = _query([formula], source).windows([formula])[0]
    console.print(window_table(data))
    console.print(profile_table(data))
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_window_profile(data, out / 'window_profile.png')}")


@app.command()
@settings_options(EntrySource, into="source")
def windows(formulas: list[str] = typer.Argument(..., help="Phases, e.g. Li3PS4 Li6PS5Cl Li10GeP2S12 Li7La3Zr2O12."),
            source: dict = None):
    """Windows of many phases side by side: table and windows.png (Li at 0 V, the S cathode marked)."""
    from ssbi.workflows.report.plots import plot_windows  # lazy: start-up (matplotlib)

    ctx, out = _query(formulas, source), source["out"]
    rows = ctx.windows(formulas)
    t = Table(title=f"Electrochemical windows ({ctx.engine}, {ctx.scale} scale; {ctx.cache.builds} phase "
                    "diagram(s) built)", header_style="bold")
    for col in ("phase", "E_hull (meV/at)", "reduction (V)", "reduced to", "oxidation (V)", "oxidised to",
                "ΔE at 0 V (eV/at)", "vs Li"):
        t.add_column(col, justify="left" if col in ("phase", "reduced to", "oxidised to", "vs Li") else "right")
    for d in rows:
        t.add_row(d.get("material") or d["formula"],
                  "unknown" if d["e_above_hull"] is None else f"{1000 * d['e_above_hull']:.0f}",
                  _fmt_v(d["reduction_limit"]),
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
    from ssbi.interfaces.analysis.interphase import classify_interphase  # lazy: start-up (pymatgen)
    from ssbi.workflows.report.plots import plot_reaction  # lazy: start-up (matplotlib)

    ctx, out = _query([a, b], source, joint=True), source["out"]
    d = ctx.reaction(a, b, voltage)
    cond = "closed" if voltage is None else f"open to Li at {voltage:g} V"
    t = Table(title=f"{d['a']} | {d['b']} ({cond}; {ctx.engine}, {ctx.scale} scale)", header_style="bold")
    for col in ("x", "eV/atom mixture", f"eV/atom {d['b']}", "reaction", "interphase"):
        t.add_column(col, justify="left" if col in ("reaction", "interphase") else "right")
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
    from ssbi.interfaces.analysis.hull import formula_name  # lazy: start-up (pymatgen)
    from ssbi.interfaces.analysis.window import entry_label  # lazy: start-up (pymatgen)

    ids = {formula_name(e.composition): entry_label(e) for e in ctx.pd([a, b]).stable_entries}
    shown = sorted({p for k in d["kinks"] for p in k["products"]} | set(m["products"]))
    console.print("entries of the products: " + "; ".join(f"{p}: {ids.get(p, '?')}" for p in shown))
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
                                                             "of the lowest (at most 12 per composition, or "
                                                             "--relax-lowest if larger)."),
    submit: bool = typer.Option(False, "--submit", help="Send to FireWorks instead of running here."),
):
    """The phase set of CHEMSYS with ENGINE: a single point of every reference structure, relaxations of the
    lowest polymorphs and of the library phases (stored or shipped ones are reused), then the hull and the
    analyses."""
    from ssbi.workflows.run import requests  # lazy: start-up (jobflow, pymatgen, the engine)

    def planned(analysis, plan):
        name, eng, c = "-".join(plan.elements), analysis.maker.resolved, plan.summary()
        console.print(f"{name} ({eng.name}): {c['reference']} reference structures, {c['library']} library phases")
        console.print(f"  single points: {c['screened_shipped']} shipped, {c['screened_stored']} stored, "
                      f"{c['to_screen']} to compute")
        console.print(f"  relaxations known: {c['relaxed_shipped']} shipped, {c['relaxed_stored']} stored; library "
                      f"phases to relax: {c['library_to_relax']}; the {n_lowest} lowest polymorphs per composition "
                      f"(and any within {window:g} meV/atom) are relaxed where not known")
        if plan.shipped_note:
            console.print(f"  note: {plan.shipped_note}")
        if not submit:
            status.update(f"{name}: {c['to_screen']} single point(s), {c['library_to_relax']} library "
                          f"relaxation(s), then the selected relaxations with {eng.name}")

    with console.status("planning the phase set") as status:
        req = requests.phase_set(chemsys, engine, variant, n_lowest, window, store, submit=submit, on_plan=planned)
    outcome, name, eng = req.outcome, req.analysis.systems[0], req.analysis.maker.resolved
    if submit:
        if outcome.status == "stored":
            console.print("nothing to compute: every calculation is stored or shipped")
        else:
            console.print(f"{'already queued' if outcome.status == 'queued' else 'submitted'} as workflow "
                          f"{outcome.workflow}; run it with `ssbi worker`")
        return
    if outcome.status == "failed":
        fail(outcome.message)
    doc = req.docs[0]
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
    from ssbi.workflows.stability.queries import update_documents  # lazy: start-up (pymatgen, the stores)
    from ssbi.workflows.store.jobstore import describe  # lazy: start-up

    with console.status("updating windows and reactions"):
        counts, errors = update_documents(store, engine)
    console.print(f"{describe(store)}: {counts['computed']} computed, {counts['unchanged']} unchanged, "
                  f"{counts['removed']} removed, {counts['failed']} failed")
    for line in errors[:10]:
        console.print(f"  failed: {line}")
    if counts["failed"]:
        fail(f"{counts['failed']} window/reaction document(s) could not be computed (listed above)")


@app.command()
def validate(
    engine: str = ENGINE_OPT,
    store: Optional[str] = STORE_OPT,
    markdown: Optional[Path] = typer.Option(None, "--markdown", help="Also write the tables as Markdown here."),
    known_only: bool = typer.Option(True, "--known-phases-only/--all-phases",
                                    help="Hull without the curated hypothetical phases (default), or with them."),
):
    """Computed windows of the library's electrolytes and Li binaries next to published values: limits,
    products, ΔE at 0 V, E_hull, formation energies, each on its energy scale, with deviations and sources."""
    from ssbi.workflows.stability.queries import validation  # lazy: start-up (pymatgen, the stores)
    from ssbi.workflows.stability.validation import products_agree, published  # lazy: start-up (pymatgen)

    with console.status("computing windows on both scales"):
        results = validation(engine, store, known_only)

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

    hull = "known phases" if known_only else "hypothetical phases included"
    t = Table(title=f"Validation: windows vs published ({engine}, {hull}; V vs Li/Li+; products: reduced | "
                    "oxidised)",
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
        ehull = "—" if mine.get("e_above_hull") is None else f"{1000 * mine['e_above_hull']:.0f}"
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
    from ssbi.workflows.stability.alloys import alloy_validation, published_alloys  # lazy: start-up (pymatgen)

    a = Table(title=f"Alloy anodes: two-phase plateaus vs published ({engine}; V vs Li/Li+, computed at the "
                    "published plateau's Li content)", header_style="bold")
    for col in ("system", "phases (published)", "T (°C)", "published (V)", "computed (V)", "computed phases",
                "Δ (V)", "lithiated: computed / published", "src"):
        a.add_column(col, justify="right" if col in ("T (°C)", "published (V)", "computed (V)", "Δ (V)") else "left")
    alines = ["| system | phases (published) | T (°C) | published (V) | computed (V) | computed phases | Δ (V) | "
              "fully lithiated: computed / published | source |", "|---|---|---|---|---|---|---|---|---|"]
    for r in alloy_validation(engine, store, known_only):
        if "error" in r:
            cells = [r["system"], "—", "", "", "", r["error"][:60], "", "", ""]
        else:
            cells = [r["system"], r["phases"], str(r.get("temperature_C") or ""),
                     _fmt_v(r["published"]) if r["published"] is not None else "—", _fmt_v(r["computed"]),
                     r.get("computed_phases", "") or r.get("note", "")[:60],
                     "—" if r["difference"] is None else f"{r['difference']:+.2f}",
                     f"{r['lithiated']} / {r['lithiated_published'] or '—'}", r.get("source") or "—"]
        a.add_row(*cells)
        alines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    console.print(a)
    for key, src in published_alloys()["sources"].items():
        console.print(f"[{key}] {src['citation']}{' (doi:' + src['doi'] + ')' if src.get('doi') else ''}")
    sources, _ = published()
    for key, src in sources.items():
        console.print(f"[{key}] {src['citation']} (doi:{src.get('doi', '—')}); compared on: "
                      f"{', '.join(f'{k} → {v}' for k, v in src['scale'].items())}. {src.get('note', '')}")
    console.print("✓/✗: computed products equal / differ from the published ones. Limits are put on the hull "
                  "(metastable phases); E_hull is the phase's own entry.")
    if markdown:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text("\n".join(lines) + "\n\n" + "\n".join(blines) + "\n\n" + "\n".join(alines) + "\n")
        console.print(f"wrote {markdown}")
