"""Throughput of batched MLIP evaluation (torch-sim, :mod:`ssbi.workflows.engines.batched`) against one-at-a-time ASE.

Run: .venv/bin/python benchmarks/bench_batched.py [ENGINES]   (default chgnet,sevennet)
For 3-, 12-, 16-, 96- and 192-atom cells (rattled copies of Li2S, primitive and conventional, and Li3PS4): structures per second one at a time (the
engine's ASE calculator: energy, forces, stress) and batched, in model calls of ≤ 200 atoms (the CPU default,
``BATCH_ATOMS``) and of ≤ 2000 atoms (the GPU default, and the CPU default before 2026-12-04), their ratios, and
the largest energy difference (eV/atom). Asserts nothing.
"""
import sys
import time
import warnings

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
from pymatgen.io.ase import AseAtomsAdaptor  # noqa: E402

from ssbi.interfaces.materials import load  # noqa: E402
from ssbi.workflows.engines.registry import get_engine  # noqa: E402
from ssbi.workflows.engines.batched import batched_static  # noqa: E402


def copies(name: str, n: int, supercell=None, seed: int = 0):
    rng = np.random.default_rng(seed)
    base = load(name, "chgnet")
    if supercell == "primitive":
        base = base.get_primitive_structure()
    elif supercell:
        base.make_supercell(supercell)
    out = []
    for _ in range(n):
        s = base.copy()
        for i, shift in enumerate(rng.normal(0, 0.03, (len(s), 3))):
            s.translate_sites([i], shift, frac_coords=False)
        out.append(s)
    return out


SETS = [("Li2S", 64, "primitive"), ("Li2S", 64, None), ("Li3PS4", 32, None), ("Li2S", 8, [2, 2, 2]), ("Li2S", 8, [4, 2, 2])]


def main(engines: list[str]) -> None:
    print("| engine | cell | n | one at a time | batched ≤ 200 atoms | ratio | batched ≤ 2000 atoms | ratio | "
          "max ΔE (eV/atom) |\n|" + " --- |" * 9)
    for name in engines:
        eng = get_engine(name)
        calc = eng.calculator()
        for material, n, supercell in SETS:
            cells = copies(material, n, supercell)
            batched_static(cells[:2], eng)  # warm-up (model load, first graph)
            start = time.time()
            single = []
            for s in cells:
                atoms = AseAtomsAdaptor.get_atoms(s)
                atoms.calc = calc
                single.append(atoms.get_potential_energy() / len(s))
                atoms.get_forces(), atoms.get_stress()
            t_single = time.time() - start
            start = time.time()
            batched = batched_static(cells, eng)
            t_batched = time.time() - start
            start = time.time()
            large = batched_static(cells, eng, max_atoms=2000)
            t_large = time.time() - start
            de = max(abs(b.energy_per_atom - e) for r in (batched, large) for b, e in zip(r, single))
            print(f"| {name} | {len(cells[0])}-atom {material} | {n} | {n / t_single:.1f}/s | {n / t_batched:.1f}/s | "
                  f"{t_single / t_batched:.1f}x | {n / t_large:.1f}/s | {t_single / t_large:.1f}x | {de:.1e} |",
                  flush=True)


if __name__ == "__main__":
    main(sys.argv[1].split(",") if len(sys.argv) > 1 else ["chgnet", "sevennet"])
