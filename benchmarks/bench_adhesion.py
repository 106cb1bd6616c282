"""Wall time of the CHGNet adhesion flow for Li(100) | Li6PS5Cl(100) on this machine.

Two runs, without scans and with both scans, each split into interface building,
engine jobs (relaxations, single points) and store writes (embedded store).

Run: .venv/bin/python benchmarks/bench_adhesion.py [max_atoms]   (prints tables; asserts nothing)
"""

import logging
import os
import sys
import tempfile
import time
import warnings
from collections import defaultdict

warnings.filterwarnings("ignore")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402


class JobTimer(logging.Handler):
    """Collects jobflow's 'Starting job'/'Finished job' times per job name."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.started, self.seconds = {}, defaultdict(float)

    def emit(self, record):
        msg = record.getMessage()
        if msg.startswith(("Starting job - ", "Finished job - ")):
            name = msg.split(" - ", 1)[1].rsplit(" (", 1)[0]
            if msg.startswith("Starting"):
                self.started[name] = record.created
            else:
                self.seconds[name] += record.created - self.started.pop(name, record.created)


def run_case(label, maker_kwargs, max_atoms):
    from ssbi.interfaces.materials import load
    from ssbi.workflows.run.local import run_flow
    from ssbi.workflows.flows.adhesion import AdhesionMaker
    from ssbi.workflows.store.jobstore import open_store

    film, sub = load("Li", "chgnet"), load("Li6PS5Cl", "chgnet")
    maker = AdhesionMaker(engine="chgnet", relax_bulk=False, build={"max_atoms": max_atoms}, **maker_kwargs)
    start = time.perf_counter()
    cand = maker.check_build(film, sub)
    build_s = time.perf_counter() - start
    store = open_store("embedded")
    write_s = [0.0]
    original = store.update

    def timed_update(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            write_s[0] += time.perf_counter() - t0

    store.update = timed_update
    timer = JobTimer()
    logging.getLogger("jobflow").addHandler(timer)
    logging.getLogger("jobflow").setLevel(logging.INFO)
    start = time.perf_counter()
    run_flow(maker.make(film, sub, "Li", "Li6PS5Cl"), store)
    total = time.perf_counter() - start
    logging.getLogger("jobflow").removeHandler(timer)
    groups = defaultdict(float)
    for name, sec in timer.seconds.items():
        key = "relaxations" if "relax" in name else "single points" if ("static" in name or "gap" in name
                                                                         or "registry " in name) else "other jobs"
        groups[key] += sec
    doc = store.query_one({"output.kind": "adhesion"}, load=False, sort={"completed_at": -1})["output"]
    return {"label": label, "atoms": cand.metadata.n_atoms, "build": build_s, "total": total + build_s,
            "store": write_s[0], **groups, "w_rigid": doc["w_ad_rigid"], "w_relaxed": doc["w_ad_relaxed"]}


def main(max_atoms: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SSBI_DATA_DIR"] = tmp
        rows = [run_case("no scans", {}, max_atoms),
                run_case("registry 3x3 + 9 gaps", {"scan_registry": True, "scan_separation": True}, max_atoms)]
    table = Table(title="CHGNet adhesion flow, Li(100) | Li6PS5Cl(100), 2 cores", header_style="bold")
    for col in ("run", "atoms", "total (s)", "build (s)", "relaxations (s)", "single points (s)", "store writes (s)",
                "W_ad rigid", "W_ad relaxed (J/m²)"):
        table.add_column(col, justify="left" if col == "run" else "right")
    for r in rows:
        table.add_row(r["label"], str(r["atoms"]), f"{r['total']:.0f}", f"{r['build']:.1f}",
                      f"{r.get('relaxations', 0):.0f}", f"{r.get('single points', 0):.0f}", f"{r['store']:.1f}",
                      f"{r['w_rigid']:.3f}", f"{r['w_relaxed']:.3f}")
    Console(width=150).print(table)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
