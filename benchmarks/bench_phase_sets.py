"""Phase sets per shipped system: structures screened and relaxed, volume rejections, CHGNet CPU time.

Reads the shipped CHGNet entries (``configs/reference/entries/chgnet.json.gz``, made by
``ssbi reference build``, which records the single-thread CPU time of every job) and,
for each system of ``configs/reference/systems.yaml`` and each of its main
subsystems, prints the counts and the CPU time its phase set took; the wall time on 2
cores is about half (two worker processes). Then times the phase-set plan (what is
stored or shipped) for each system against an empty store. Asserts nothing.

Run: .venv/bin/python benchmarks/bench_phase_sets.py
"""

import time
import warnings

warnings.filterwarnings("ignore")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

EXTRA = ("Li-P-S", "Li-S", "Li-La-Zr-O", "Li-O-P")


def main() -> None:
    from jobflow import JobStore
    from maggma.stores import MemoryStore
    from pymatgen.core import Composition

    from ssbi.interfaces.reference import reference_phases
    from ssbi.workflows.flows.phase_set import PhaseSetMaker
    from ssbi.workflows.store.entries import elements_of
    from ssbi.workflows.store.shipped import load_shipped

    shipped = load_shipped("chgnet")
    if shipped is None:
        raise SystemExit("no shipped chgnet entries: run `ssbi reference build` first")
    console = Console(width=150)
    t = Table(title=f"CHGNet phase sets (shipped {shipped.generated[:10]}, {shipped.engine['version']})",
              header_style="bold")
    for col in ("system", "reference structures", "compositions", "single points", "relaxed (reference)",
                "relaxed (library)", "kept out (volume)", "CPU s (1 thread)", "≈ wall on 2 cores"):
        t.add_column(col, justify="left" if col == "system" else "right")

    def within(item, els):
        return {el.symbol for el in Composition(item["composition"]).elements} <= els

    growth: dict = {}
    for system in [*shipped.systems, *EXTRA]:
        els = set(elements_of(system))
        refs = reference_phases(els)
        screened = [i for i in shipped.screened.values() if within(i, els)]
        relaxed = [i for i in shipped.relaxed.values() if within(i, els)]
        ref_relaxed = [i for i in relaxed if i["origin"] == "reference"]
        rejected = [i for i in ref_relaxed if not (i.get("volume_check") or {}).get("accepted", True)]
        cpu = sum(i.get("cpu_seconds") or 0 for i in screened + relaxed)
        missing = sum(1 for i in screened + relaxed if i.get("cpu_seconds") is None)
        t.add_row("-".join(sorted(els)), str(len(refs)), str(len({p.formula for p in refs})), str(len(screened)),
                  str(len(ref_relaxed)), str(len(relaxed) - len(ref_relaxed)), str(len(rejected)),
                  f"{cpu:.0f}" + (f" (+{missing} untimed)" if missing else ""), f"{cpu / 2 / 60:.1f} min")
        if system in shipped.systems:
            growth.setdefault(len(els), []).append((len(refs), len(screened), len(ref_relaxed), cpu))
    console.print(t)
    g = Table(title="how the cost grows with the number of elements (shipped systems, whole phase set each)",
              header_style="bold")
    for col in ("elements", "systems", "reference structures (mean)", "relaxations (mean)", "CPU s (mean)",
                "≈ wall on 2 cores (mean)", "CPU s per structure"):
        g.add_column(col, justify="right")
    for n in sorted(growth):
        rows = growth[n]
        mean = [sum(r[i] for r in rows) / len(rows) for i in range(4)]
        g.add_row(str(n), str(len(rows)), f"{mean[0]:.0f}", f"{mean[2]:.0f}", f"{mean[3]:.0f}",
                  f"{mean[3] / 2 / 60:.1f} min", f"{mean[3] / max(mean[0], 1):.1f}")
    console.print(g)
    console.print("The cost follows the number of Materials Project structures in the system (every subsystem "
                  "included), not the element count itself: a binary with many polymorphs (SiO2 in Li-O-Si) costs "
                  "more than a quaternary sulfide system. `ssbi reference build --estimate` gives the estimate per "
                  "system before a build; the build prints the exact relaxations once the single points chose them.")
    p = Table(title="phase-set plan against an empty store (reads the structures, fingerprints, matches shipped)",
              header_style="bold")
    for col in ("system", "plan (s)", "to compute"):
        p.add_column(col, justify="left" if col == "system" else "right")
    maker = PhaseSetMaker(engine="chgnet")
    for system in shipped.systems:
        store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
        store.connect()
        start = time.perf_counter()
        plan = maker.plan(system, store)
        c = plan.summary()
        p.add_row(system, f"{time.perf_counter() - start:.2f}",
                  str(c["to_screen"] + c["library_to_relax"] + (c["to_relax"] or 0)))
    console.print(p)


if __name__ == "__main__":
    main()
