"""W_ad (rigid, relaxed) of Li against electrolytes and interphase products with CHGNet.

Small cells (thin slabs) so that the whole table runs in minutes on 2 cores; the
numbers are for screening, not converged values. Prints a table; asserts nothing.

Run: .venv/bin/python benchmarks/table_adhesion_li.py [NAME ...]
"""

import os
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

PARTNERS = {  # substrate: (Miller index, build options)
    "Li2S": ((1, 0, 0), dict(film_thickness=6, substrate_thickness=8, max_atoms=120, max_strain=0.08)),
    "Li3PS4": ((0, 1, 0), dict(film_thickness=6, substrate_thickness=8, max_atoms=200, max_strain=0.08)),
    "Li6PS5Cl": ((1, 0, 0), dict(film_thickness=6, substrate_thickness=8, max_atoms=200, max_strain=0.06)),
    "Li7La3Zr2O12": ((1, 0, 0), dict(film_thickness=5, substrate_thickness=6, max_atoms=400, max_strain=0.08,
                                     max_area=250)),
    "Li3N": ((0, 0, 1), dict(film_thickness=6, substrate_thickness=8, max_atoms=200, max_strain=0.08)),
    "Li3P": ((1, 0, 0), dict(film_thickness=6, substrate_thickness=8, max_atoms=200, max_strain=0.08)),
    "Li2O": ((1, 0, 0), dict(film_thickness=6, substrate_thickness=8, max_atoms=120, max_strain=0.08)),
}


def main(names) -> None:
    from ssbi.interfaces.errors import SSBIError
    from ssbi.interfaces.materials import load
    from ssbi.workflows.run.local import run_flow
    from ssbi.workflows.flows.adhesion import AdhesionMaker
    from ssbi.workflows.store.jobstore import open_store

    table = Table(title="Li(100) on X: CHGNet work of adhesion (chgnet-relaxed library bulks)", header_style="bold")
    for col in ("substrate", "hkl", "atoms", "area Å²", "Li strain % (VM)", "strain E (meV/at)", "W_ad rigid", "W_ad relaxed (J/m²)",
                "wall (s)"):
        table.add_column(col, justify="left" if col == "substrate" else "right")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SSBI_DATA_DIR"] = tmp
        store = open_store("embedded")
        for name in names:
            miller, build = PARTNERS[name]
            maker = AdhesionMaker(engine="chgnet", film_miller=(1, 0, 0), substrate_miller=miller, relax_bulk=False,
                                  build={**build, "vacuum": 12})
            start = time.perf_counter()
            try:
                run_flow(maker.make(load("Li", "chgnet"), load(name, "chgnet"), "Li", name), store)
            except SSBIError as exc:
                table.add_row(name, "".join(map(str, miller)), "—", "—", "—", "—", "—", str(exc).split(": ", 1)[-1][-80:], "—")
                continue
            doc = store.query_one({"output.kind": "adhesion", "output.substrate": name}, load=False)["output"]
            table.add_row(name, "".join(map(str, miller)), str(doc["n_atoms"]), f"{doc['area']:.1f}",
                          f"{100 * doc['film_von_mises_strain']:.1f}",
                          f"{1000 * doc['strain_energy_per_atom']['film']:.1f}", f"{doc['w_ad_rigid']:.3f}",
                          f"{doc['w_ad_relaxed']:.3f}", f"{time.perf_counter() - start:.0f}")
            Console(width=150).print(f"done {name}")
    Console(width=150).print(table)


if __name__ == "__main__":
    main(sys.argv[1:] or list(PARTNERS))
