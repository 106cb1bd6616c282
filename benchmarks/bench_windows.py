"""Windows + products for every Li compound of four chemical systems: cached diagrams vs a naive loop.

Entries: the CHGNet phase sets (shipped reference entries plus what the store of
SSBI_DATA_DIR holds; a system that is neither is computed first with PhaseSetMaker). Each (phase, system) pair is one
window question, about 20 in all. Cached: one PhaseDiagramCache, four diagrams.
Naive: a new PhaseDiagram of the system for every question. Prints a table and
the ratio; asserts nothing.

Run: .venv/bin/python benchmarks/bench_windows.py
"""

import time
import warnings

warnings.filterwarnings("ignore")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from ssbi.workflows.engines.registry import get_engine  # noqa: E402

SYSTEMS = ("Li-P-S-Cl", "Li-Ge-P-S", "Li-La-Zr-O", "Li-P-O-N")


def main() -> None:
    from ssbi.workflows.flows.phase_set import PhaseSetMaker
    from ssbi.workflows.run.local import run_flow
    from ssbi.workflows.store.entries import entries_from_store
    from ssbi.workflows.store.jobstore import open_store

    store = open_store(None)
    maker = PhaseSetMaker(engine="chgnet")
    for system in SYSTEMS:
        plan = maker.plan(system, store)
        if not plan.complete:
            Console().print(f"computing the {system} phase set with CHGNet first")
            run_flow(maker.make(system, store, plan=plan), store)
    elements = sorted({el for s in SYSTEMS for el in s.split("-")})
    entries = entries_from_store(store, elements, get_engine("chgnet"))
    questions = []
    for system in SYSTEMS:
        els = set(system.split("-"))
        for e in entries:
            comp = e.composition
            names = {el.symbol for el in comp.elements}
            if "Li" in names and len(names) > 1 and names <= els:
                questions.append((comp.reduced_formula, system))
    questions = sorted(set(questions))

    console = Console(width=150)
    for copies in (0, 10, 100):
        pool = entries + metastable_copies(entries, copies)
        cached, t_cached, builds = run_cached(pool, questions)
        naive, t_naive = run_naive(pool, questions)
        if copies == 0:
            console.print(window_table(cached, naive, questions, len(pool)))
        label = "phase-set entries" if copies == 0 else f"+ {copies} metastable copies per compound entry"
        console.print(f"{label}: {len(pool)} entries; cached {t_cached:.2f} s ({builds} diagrams built), naive "
                      f"{t_naive:.2f} s ({len(questions)} diagrams built): {t_naive / t_cached:.1f}x")


def metastable_copies(entries, n: int):
    """``n`` copies of every compound entry, 20-400 meV/atom above it (stand-ins for MP's polymorphs)."""
    import numpy as np
    from pymatgen.entries.computed_entries import ComputedEntry

    rng = np.random.default_rng(0)
    out = []
    for e in entries:
        if e.composition.is_element:
            continue
        for i in range(n):
            shift = rng.uniform(0.02, 0.4) * e.composition.num_atoms
            out.append(ComputedEntry(e.composition, e.energy + shift, entry_id=f"{e.entry_id}-meta{i}",
                                     parameters=dict(e.parameters)))
    return out


def run_cached(entries, questions):
    from ssbi.interfaces.analysis.hull import PhaseDiagramCache
    from ssbi.interfaces.analysis.window import stability_window

    start = time.perf_counter()
    cache = PhaseDiagramCache(entries)
    for system in SYSTEMS:
        cache.prime(system.split("-"))
    out = {(f, s): stability_window(cache.get(s.split("-")), f) for f, s in questions}
    return out, time.perf_counter() - start, cache.builds


def run_naive(entries, questions):
    from ssbi.interfaces.analysis.hull import phase_diagram
    from ssbi.interfaces.analysis.window import stability_window

    start = time.perf_counter()
    out = {(f, s): stability_window(phase_diagram(entries, s.split("-")), f) for f, s in questions}
    return out, time.perf_counter() - start


def window_table(cached, naive, questions, n_entries) -> Table:
    table = Table(title=f"{len(questions)} window questions over {len(SYSTEMS)} systems (CHGNet entries, "
                        f"{n_entries} entries)", header_style="bold")
    for col in ("phase", "system", "window (V)", "reduced to", "ΔE at 0 V (eV/at)", "same as naive"):
        table.add_column(col)
    for key in questions:
        w, n = cached[key], naive[key]
        same = abs(w.reduction_limit - n.reduction_limit) < 1e-9 and w.reduction_products == n.reduction_products
        hi = "—" if w.oxidation_limit is None else f"{w.oxidation_limit:.2f}"
        table.add_row(key[0], key[1], f"{w.reduction_limit:.2f}–{hi}", " + ".join(w.reduction_products) or "—",
                      f"{w.decomposition_energy['0']:.3f}", "yes" if same else "NO")
    return table


if __name__ == "__main__":
    main()
