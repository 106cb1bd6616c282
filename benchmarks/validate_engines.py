"""Engine-by-engine validation of the MLIPs against experiment, published DFT and CP2K (issue 16).

For every engine, on the same structures and in the same run:

1. formation energies of the compounds of pymatgen's MP2020 fitting set (``exp_compounds.json.gz``)
   within the project's elements, against experiment (MP2020 scale): MAE and the worst five;
2. windows and products of the library electrolytes against published values (``ssbi validate``'s rows),
   from single points of the engine on the shipped CHGNet-relaxed phase set (fixed geometry);
3. elastic moduli (K, G VRH) of Li, Li2S, LLZO, Li6PS5Cl, Li3PS4 and LGPS from ±0.5 % strains with the
   ions relaxed, against cited values; the Monroe–Newman verdict G/G_Li > 2;
4. rigid W_ad of Li(100)|Li2S(100) (the cells recorded with CP2K in ``tests/data/cp2k``) and of
   Li(100)|Li3PS4(010) (the study's build settings);
5. cost: seconds per single point (96-atom Li2S) and per relaxation (Li3PS4, 16 atoms) on this machine;
6. DFT spot checks: CP2K (PBE, the project's settings, recordings in ``tests/data/cp2k``) formation
   energies of Li2S and Li3PS4 in fixed cells and the W_ad of block 4, against the MLIPs in the same cells
   (raw-GGA scale, since CP2K is uncorrected PBE).

Run: .venv/bin/python benchmarks/validate_engines.py [--engines chgnet,sevennet,sevennet-l3i5] [--blocks ...]
Results are cached per engine and block in ``benchmarks/results/engine_validation/<engine>.json`` (a re-run only
computes what is missing; ``--redo`` recomputes; engines may run in parallel processes); the tables go to the terminal and to
``benchmarks/results/engine_validation.md``. Asserts nothing. About 1.5 h for the three engines on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import statistics
import sys
import time
import warnings
from functools import lru_cache
from pathlib import Path

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
from pymatgen.core import Composition, Structure  # noqa: E402
from pymatgen.entries.computed_entries import ComputedStructureEntry  # noqa: E402
from pymatgen.io.ase import AseAtomsAdaptor  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ssbi.interfaces.analysis.mechanics import (EV_PER_A3_IN_GPA, elastic_tensor_from_stresses, moduli,  # noqa: E402
                                           monroe_newman, strain_directions, voigt_strain_matrix)
from ssbi.interfaces.analysis.scales import convert  # noqa: E402
from ssbi.workflows.engines.registry import get_engine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
CACHE_DIR = RESULTS / "engine_validation"  # one JSON per engine, so engines can run in parallel processes
ENGINES = ("chgnet", "sevennet", "sevennet-l3i5")
BLOCKS = ("cost", "adhesion", "dft", "formation", "windows", "moduli")
ELEMENTS = ("Li", "P", "S", "Ge", "Cl", "La", "Zr", "O", "N", "In")
HARTREE = 27.211386245988
EV_PER_A2_IN_J_PER_M2 = 16.0217663
STRAIN = 0.005

# reference moduli (GPa): K, G (VRH / polycrystalline), source, and whether the number was checked against the
# source here (unchecked ones are shown with "≈" and no deviation is claimed from them)
MODULI_REFERENCE = {
    "Li": (12.0, 4.2, "experiment, polycrystalline Li at room temperature (G 4.2 GPa as used by Monroe & Newman, "
                      "J. Electrochem. Soc. 152, A396 (2005))", True),
    "Li2S": (45.7, None, "experiment, K0 from high-pressure XRD (Grzechnik et al., J. Solid State Chem. 154, 603 "
                         "(2000)); no measured G", True),
    "Li7La3Zr2O12": (102.8, 59.6, "experiment, cubic Al-doped LLZO (Ni, Case & Sakamoto, J. Mater. Sci. 47, 7978 "
                                  "(2012): E 149.8, G 59.6 GPa, ν 0.257)", True),
    "Li6PS5Cl": (None, 8.5, "published 8–9 GPa (value quoted in issue 16; source not re-checked here)", False),
    "Li3PS4": (None, None, "DFT moduli of γ-Li3PS4 exist (Yang et al., ACS Appl. Mater. Interfaces 8, 25229 (2016)); "
                           "not re-checked here", False),
    "Li10GeP2S12": (None, 14.0, "DFT about 14 GPa (value quoted in issue 16; source not re-checked here)", False),
}
MODULI_MATERIALS = tuple(MODULI_REFERENCE)

console = Console(width=160)


# ----------------------------------------------------------------------------------------------- helpers


def calculator(engine: str):
    return get_engine(engine).calculator()


def atoms_of(structure: Structure, engine: str):
    atoms = AseAtomsAdaptor.get_atoms(structure)
    atoms.calc = calculator(engine)
    return atoms


def single_point(structure: Structure, engine: str) -> float:
    return float(atoms_of(structure, engine).get_potential_energy())


def relax(structure: Structure, engine: str, fmax: float = 0.05, steps: int = 300, cell: bool = True,
          optimizer: str = "FIRE"):
    """(relaxed structure, energy, steps) with ASE FIRE or LBFGS (cell and ions, or ions only)."""
    from ase import optimize
    from ase.filters import FrechetCellFilter

    atoms = atoms_of(structure, engine)
    opt = getattr(optimize, optimizer)(FrechetCellFilter(atoms) if cell else atoms, logfile=None)
    opt.run(fmax=fmax, steps=steps)
    return AseAtomsAdaptor.get_structure(atoms), float(atoms.get_potential_energy()), int(opt.nsteps)


def entry(structure: Structure, energy: float, engine: str) -> ComputedStructureEntry:
    scale = get_engine(engine).config["energy_scale"]
    return ComputedStructureEntry(structure, energy, parameters={"energy_scale": scale, "engine": engine})


def on_scale(structure: Structure, energy: float, engine: str, scale: str) -> float:
    """Total energy on ``scale`` (MP2020 applied once to raw-GGA engines, removed from CHGNet for raw-gga)."""
    return float(convert([entry(structure, energy, engine)], scale)[0].energy)


def reference_candidates(formula: str, n: int = 3, max_sites: int = 60) -> list[Structure]:
    """The ``n`` smallest reference structures of ``formula`` (configs/reference), those over ``max_sites``
    only when nothing smaller exists."""
    red = Composition(formula).reduced_formula
    rows = [r for r in csv.DictReader(open(ROOT / "configs/reference/index.csv"))
            if Composition(r["formula"]).reduced_formula == red]
    rows.sort(key=lambda r: int(r["nsites"]))
    small = [r for r in rows if int(r["nsites"]) <= max_sites] or rows[:1]
    return [Structure.from_file(ROOT / "configs/reference" / r["file"]) for r in small[:n]]


# ----------------------------------------------------------------------------------------------- blocks


def block_cost(engine: str) -> dict:
    from ssbi.interfaces.materials import load

    li2s = load("Li2S").get_primitive_structure() * (2, 2, 2) * (1, 1, 4)  # 96 atoms
    atoms = atoms_of(li2s, engine)
    atoms.get_potential_energy()  # warm-up
    times = []
    for i in range(3):
        atoms.rattle(0.01, seed=i)
        t = time.perf_counter()
        atoms.get_potential_energy()
        times.append(time.perf_counter() - t)
    start = load("Li3PS4").copy()
    start.perturb(0.05)
    start.apply_strain(0.02)
    t = time.perf_counter()
    _, _, steps = relax(start, engine, fmax=0.05, steps=500)
    wall = time.perf_counter() - t
    return {"single_point_96_atoms_s": statistics.median(times), "relax_li3ps4_s": wall, "relax_steps": steps}


def block_adhesion(engine: str) -> dict:
    from ssbi.interfaces.builder import build_interfaces
    from ssbi.interfaces.materials import load
    from ssbi.workflows.testing.cp2k import load_reference

    out = {}
    cells = {k: load_reference(k)[0] for k in ("li_slab", "li2s_slab", "li_li2s_interface")}
    area = cells["li_li2s_interface"].lattice.volume / cells["li_li2s_interface"].lattice.c
    e = {k: single_point(s, engine) for k, s in cells.items()}
    out["Li(100)|Li2S(100)"] = {"w_ad": (e["li_slab"] + e["li2s_slab"] - e["li_li2s_interface"]) / area
                                * EV_PER_A2_IN_J_PER_M2, "n_atoms": len(cells["li_li2s_interface"]),
                                "area": area}
    best = build_interfaces(load("Li"), load("Li3PS4"), (1, 0, 0), (0, 1, 0), film_thickness=6.0,
                            substrate_thickness=8.0, max_atoms=200, max_strain=0.08, vacuum=12.0)[0]
    area = best.interface.lattice.volume / best.interface.lattice.c
    ei, ef, es = (single_point(s, engine) for s in (best.interface, best.film_slab, best.substrate_slab))
    out["Li(100)|Li3PS4(010)"] = {"w_ad": (ef + es - ei) / area * EV_PER_A2_IN_J_PER_M2,
                                  "n_atoms": len(best.interface), "area": area}
    return out


def cp2k_energy(name: str) -> float:
    from ssbi.workflows.testing.cp2k import reference_path

    with gzip.open(reference_path(name) / "cp2k.out.gz", "rt") as fh:
        text = fh.read()
    return float(re.findall(r"ENERGY\| Total FORCE_EVAL \( QS \) energy \[a\.u\.\]:\s+(\S+)", text)[-1]) * HARTREE


DFT_CELLS = {"Li": "li_bulk", "S": "s_bulk", "P": "p_bulk", "Li2S": "li2s_bulk", "Li3PS4": "li3ps4_bulk"}


def formation_in_cells(energy_of) -> dict:
    """ΔE_f (eV/atom) of Li2S and Li3PS4 from ``energy_of(name) -> (structure, total energy)`` of the cells."""
    mu = {}
    for el in ("Li", "S", "P"):
        s, e = energy_of(DFT_CELLS[el])
        mu[el] = e / len(s)
    out = {}
    for phase in ("Li2S", "Li3PS4"):
        s, e = energy_of(DFT_CELLS[phase])
        comp = s.composition
        out[phase] = (e - sum(mu[el.symbol] * n for el, n in comp.items())) / comp.num_atoms
    return out


def block_dft(engine: str) -> dict:
    """The MLIP's raw-GGA formation energies in the CP2K cells (CHGNet's MP2020 corrections removed)."""
    from ssbi.workflows.testing.cp2k import load_reference

    def energy_of(name):
        s = load_reference(name)[0]
        return s, on_scale(s, single_point(s, engine), engine, "raw-gga")

    return {"formation_raw_gga": formation_in_cells(energy_of)}


def dft_reference() -> dict:
    from ssbi.workflows.testing.cp2k import load_reference, reference_path

    missing = [n for n in DFT_CELLS.values() if not (reference_path(n) / "cp2k.out.gz").exists()]
    if missing:
        return {"missing": missing}
    cells = {k: load_reference(k)[0] for k in ("li_slab", "li2s_slab", "li_li2s_interface")}
    area = cells["li_li2s_interface"].lattice.volume / cells["li_li2s_interface"].lattice.c
    w = (cp2k_energy("li_slab") + cp2k_energy("li2s_slab") - cp2k_energy("li_li2s_interface")) / area
    return {"formation_raw_gga": formation_in_cells(lambda n: (load_reference(n)[0], cp2k_energy(n))),
            "w_ad_li_li2s": w * EV_PER_A2_IN_J_PER_M2}


def exp_formulas() -> dict[str, float]:
    """Reduced formula -> experimental ΔHf (eV/atom) within the project's elements."""
    from ssbi.workflows.stability.validation import experimental_formation_energy, experimental_enthalpies

    out = {}
    for formula in experimental_enthalpies():
        comp = Composition(formula)
        if comp.is_element or not {e.symbol for e in comp.elements} <= set(ELEMENTS):
            continue
        out[comp.reduced_formula] = experimental_formation_energy(formula)
    return out


@lru_cache(maxsize=1)
def shipped_structures() -> dict[str, list[Structure]]:
    """Reduced formula -> the shipped phase set's relaxed polymorphs (the lowest few of all reference structures
    of that formula after CHGNet's screening)."""
    from ssbi.workflows.store.shipped import load_shipped

    out: dict[str, list[Structure]] = {}
    for e in load_shipped("chgnet").relaxed_entries(structures=True):
        out.setdefault(e.composition.reduced_formula, []).append(e.structure)
    return out


def lowest_relaxed(formula: str, engine: str) -> tuple[Structure, float, int, float]:
    """Single points of the candidates (the smallest reference structures and the shipped polymorphs), the
    lowest relaxed: (structure, energy, steps, relaxation eV/atom)."""
    red = Composition(formula).reduced_formula
    cands = reference_candidates(formula) + shipped_structures().get(red, [])
    if not cands:
        raise LookupError(f"no reference structure of {formula}")
    sp = [(single_point(s, engine) / len(s), s) for s in cands]
    e0, s0 = min(sp, key=lambda t: t[0])
    s, e, steps = relax(s0, engine)
    return s, e, steps, e / len(s) - e0


def block_formation(engine: str) -> dict:
    from rich.progress import track

    mu, rows = {}, {}
    for el in track(ELEMENTS, description=f"{engine}: elements", console=console):
        s, e, steps, _ = lowest_relaxed(el, engine)
        mu[el] = on_scale(s, e, engine, "mp2020") / len(s)
    for formula, exp in track(sorted(exp_formulas().items()), description=f"{engine}: compounds",
                              console=console):
        try:
            s, e, steps, de = lowest_relaxed(formula, engine)
        except LookupError as exc:
            rows[formula] = {"error": str(exc)}
            continue
        comp = s.composition
        e_mp = on_scale(s, e, engine, "mp2020")
        hf = (e_mp - sum(mu[el.symbol] * n for el, n in comp.items())) / comp.num_atoms
        rows[formula] = {"calc": hf, "exp": exp, "steps": steps, "relaxation_ev_per_atom": de,
                         "n_atoms": len(s)}
    return {"mu": mu, "compounds": rows}


def block_windows(engine: str) -> dict:
    """Windows from the engine's single points on the shipped CHGNet-relaxed phase set (CHGNet: its own
    shipped energies)."""
    from rich.progress import track

    from ssbi.workflows.store.shipped import load_shipped
    from ssbi.workflows.stability.validation import validation_rows

    shipped = load_shipped("chgnet")
    base = shipped.relaxed_entries(structures=True)
    if engine == "chgnet":
        entries = base
    else:
        entries = []
        for e in track(base, description=f"{engine}: {len(base)} single points", console=console):
            new = entry(e.structure, single_point(e.structure, engine), engine)
            new.data = dict(e.data)
            new.entry_id = e.entry_id.replace("chgnet", engine)
            entries.append(new)
    by_scale = {"mp2020": convert(entries, "mp2020"), "raw-gga": convert(entries, "raw-gga")}
    rows = validation_rows(by_scale, engine)
    return {"rows": [{"phase": r.phase, "kind": r.kind, "source": r.source, "compare_scale": r.compare_scale,
                      "computed": r.computed.get(r.compare_scale, {}), "published": r.published,
                      "deviation": r.deviation} for r in rows]}


def crystal_system(structure: Structure) -> str:
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    sga = SpacegroupAnalyzer(structure, symprec=0.01)
    system = sga.get_crystal_system()
    if system == "tetragonal" and sga.get_point_group_symbol() not in ("422", "4mm", "-42m", "-4m2", "4/mmm"):
        return "tetragonal-4/m"  # C16 ≠ 0: all six strains
    return system


def relax_symmetric(structure: Structure, engine: str, cell: bool, fmax: float, steps: int, symprec: float):
    """Relaxation keeping the structure's space group (ASE FixSymmetry): no slide into a lower-symmetry basin
    between the strained cells. Returns (structure, steps, converged)."""
    from ase.constraints import FixSymmetry
    from ase.filters import FrechetCellFilter
    from ase.optimize import FIRE, LBFGS

    atoms = atoms_of(structure, engine)
    atoms.set_constraint(FixSymmetry(atoms, symprec=symprec))
    opt = (FIRE(FrechetCellFilter(atoms), logfile=None) if cell else LBFGS(atoms, logfile=None))
    converged = bool(opt.run(fmax=fmax, steps=steps))
    atoms.set_constraint()
    return AseAtomsAdaptor.get_structure(atoms), int(opt.nsteps), converged


def block_moduli(engine: str) -> dict:
    """±0.5 % strains of the symmetry-determining Voigt components on the engine's symmetry-constrained
    relaxation of the hull's (shipped CHGNet) bulk; ions relaxed in each strained cell, within its symmetry."""
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    from ssbi.workflows.store.shipped import load_shipped

    shipped = {e.data["material"]: e for e in load_shipped("chgnet").relaxed_entries(structures=True)
               if e.data.get("origin") == "library"}
    out = {}
    for name in MODULI_MATERIALS:
        t0 = time.perf_counter()
        start = SpacegroupAnalyzer(shipped[name].structure, symprec=0.01).get_primitive_standard_structure()
        system = crystal_system(start)
        ref, steps, ref_ok = relax_symmetric(start, engine, cell=True, fmax=0.005, steps=500, symprec=0.01)
        ref = Structure(ref.lattice, ref.species, ref.frac_coords)
        stresses, unconverged = {}, 0
        for comp in strain_directions(system):
            for sign in (1, -1):
                eps = voigt_strain_matrix(comp, sign * STRAIN)
                strained = Structure(type(ref.lattice)(ref.lattice.matrix @ (np.eye(3) + eps)), ref.species,
                                     ref.frac_coords)
                if len(strained) > 1:
                    strained, _, ok = relax_symmetric(strained, engine, cell=False, fmax=0.005, steps=300,
                                                      symprec=1e-4)
                    unconverged += not ok
                atoms = atoms_of(strained, engine)
                stresses[(comp, sign)] = atoms.get_stress(voigt=True) * EV_PER_A3_IN_GPA
        kind = system if system in ("cubic", "tetragonal") else "other"
        raw = np.zeros((6, 6))
        for comp in strain_directions(system):
            raw[:, comp] = (stresses[(comp, 1)] - stresses[(comp, -1)]) / (2 * STRAIN)
        asym = (float(np.abs(raw - raw.T).max() / np.abs(raw).max()) if kind == "other" else None)
        c = elastic_tensor_from_stresses(stresses, STRAIN, kind)
        m = moduli(c)
        out[name] = {"k_vrh": m.k_vrh, "g_vrh": m.g_vrh, "stable": m.mechanically_stable,
                     "c": c.round(2).tolist(), "crystal_system": system, "n_atoms": len(ref),
                     "relax_steps": steps, "reference_converged": ref_ok, "unconverged_strained": unconverged,
                     "asymmetry": asym, "seconds": time.perf_counter() - t0}
        console.print(f"  {engine} {name}: K {m.k_vrh:.1f} G {m.g_vrh:.1f} GPa ({system}, {len(ref)} atoms, "
                      f"{time.perf_counter() - t0:.0f} s, asymmetry {asym}, unconverged {unconverged})")
    return out


RUNNERS = {"cost": block_cost, "adhesion": block_adhesion, "dft": block_dft, "formation": block_formation,
           "windows": block_windows, "moduli": block_moduli}


# ----------------------------------------------------------------------------------------------- report


MAX_ASYMMETRY = 0.2  # |C_ij − C_ji| / max|C| of the unsymmetrised tensor above which a fit is not trusted


def reliable(m: dict) -> bool:
    """A finite-strain tensor worth quoting: Born-stable and (all six strains) nearly symmetric before
    symmetrisation; large asymmetry means the ions fell into another basin under one of the strains."""
    return bool(m["stable"]) and (m.get("asymmetry") or 0.0) <= MAX_ASYMMETRY


def fmt(v, spec=".2f", none="—"):
    return none if v is None else format(v, spec)


def render(data: dict, engines: list[str]) -> str:
    """Markdown of every block, engines side by side; also printed as rich tables."""
    md = []

    def table(title, header, rows, note=""):
        t = Table(title=title, header_style="bold")
        for i, h in enumerate(header):
            t.add_column(h, justify="left" if i == 0 else "right", overflow="fold")
        for r in rows:
            t.add_row(*r)
        console.print(t)
        md.extend([f"**{title}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)])
        md.extend("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows)
        if note:
            console.print(note)
            md.extend(["", note])
        md.append("")

    get = lambda e, b: data.get(e, {}).get(b)  # noqa: E731
    # 1 formation energies
    rows, worst = [], {}
    for e in engines:
        f = get(e, "formation")
        if not f:
            continue
        d = {k: v["calc"] - v["exp"] for k, v in f["compounds"].items() if "calc" in v}
        worst[e] = sorted(d.items(), key=lambda kv: -abs(kv[1]))[:5]
        relax_de = [v["relaxation_ev_per_atom"] for v in f["compounds"].values() if "calc" in v]
        li = [abs(v) for k, v in d.items() if "Li" in Composition(k)]
        sulf = [abs(v) for k, v in d.items() if "S" in Composition(k) and "O" not in Composition(k)]
        rows.append([e, str(len(d)), fmt(statistics.mean(map(abs, d.values())), ".3f"),
                     fmt(statistics.median(map(abs, d.values())), ".3f"), fmt(statistics.mean(d.values()), "+.3f"),
                     f"{statistics.mean(li):.3f} ({len(li)})", f"{statistics.mean(sulf):.3f} ({len(sulf)})",
                     fmt(statistics.mean(map(abs, relax_de)), ".3f"),
                     ", ".join(f"{k} {v:+.2f}" for k, v in worst[e])])
    if rows:
        table("1. Formation energies vs experiment (MP2020 scale, eV/atom; pymatgen exp_compounds)",
              ["engine", "compounds", "MAE", "median |Δ|", "mean signed", "MAE Li compounds (n)",
               "MAE sulfides (n)", "mean relaxation from start (eV/atom)", "worst five (calc − exp)"], rows,
              "Same candidates for every engine: the smallest reference structures of each formula and the shipped "
              "phase set's polymorphs; each engine relaxes its own lowest. 'Relaxation from start' is how far the "
              "energy moved on relaxing: it bounds the error of block 2's fixed-geometry single points.")
    # 2 windows
    wrows = {}
    for e in engines:
        w = get(e, "windows")
        if not w:
            continue
        for r in w["rows"]:
            if r["kind"] != "electrolyte" or not r["published"].get("window"):
                continue
            c = r["computed"]
            cw = c.get("window")
            text = ("—" if not cw else f"{fmt(cw[0])}–{fmt(cw[1])}") + (
                f" ({'+'.join(c.get('reduced_to') or [])})" if c.get("reduced_to") else "")
            pw = r["published"]["window"]
            pub = f"{fmt(pw[0])}–{fmt(pw[1])}"
            wrows.setdefault(r["phase"], {"published": pub, "scale": r["compare_scale"]})[e] = (
                text + f" Δ {fmt(r['deviation'].get('reduction'), '+.2f')}/"
                f"{fmt(r['deviation'].get('oxidation'), '+.2f')}")
    if wrows:
        table("2. Windows (V vs Li/Li+; reduced to; Δ reduction/oxidation vs published)",
              ["phase", "published", "scale", *engines],
              [[p, v["published"], v["scale"], *[v.get(e, "—") for e in engines]] for p, v in wrows.items()],
              "Published: Zhu, He & Mo, ACS Appl. Mater. Interfaces 7, 23685 (2015) (raw GGA) or experimental "
              "enthalpies; SevenNet single points on the CHGNet-relaxed phase set (fixed geometry, see block 1's "
              "relaxation energies for the size of that approximation).")
    # 3 moduli
    mrows, verdicts = [], []
    for name, (k_ref, g_ref, src, checked) in MODULI_REFERENCE.items():
        cells = []
        for e in engines:
            m = (get(e, "moduli") or {}).get(name)
            if m and not reliable(m):
                cells.append(f"n/a: {'asymmetry ' + format(m['asymmetry'], '.0%') if m.get('asymmetry') else ''}"
                             f"{', ' if m.get('asymmetry') and not m['stable'] else ''}"
                             f"{'not Born-stable' if not m['stable'] else ''}")
                continue
            devs = [f"{100 * (m[key] - ref) / ref:+.0f} % {label}" for key, ref, label in
                    (("k_vrh", k_ref, "K"), ("g_vrh", g_ref, "G")) if m and ref and checked]
            dev = f" ({', '.join(devs)})" if devs else ""
            cells.append("—" if not m else f"{m['k_vrh']:.1f} / {m['g_vrh']:.1f}{dev}")
        approx = "" if checked else "≈ "
        mrows.append([name, f"{approx}{fmt(k_ref, 'g')} / {approx}{fmt(g_ref, 'g')}", *cells])
    if any(get(e, "moduli") for e in engines):
        table("3. Elastic moduli K / G (VRH, GPa; ±0.5 % strains, ions relaxed)", ["material", "reference",
              *engines], mrows, "n/a: the fit is not trusted (not Born-stable, or the unsymmetrised tensor is more "
              f"than {MAX_ASYMMETRY:.0%} asymmetric: the ions of the ordered P1 model rearrange under one sign of "
              "strain). References: " + "; ".join(f"{k}: {v[2]}" for k, v in MODULI_REFERENCE.items()))
        for name in MODULI_MATERIALS:
            if name == "Li":
                continue
            cells = []
            for e in [*engines, "reference"]:
                if e == "reference":
                    g, gl = MODULI_REFERENCE[name][1], MODULI_REFERENCE["Li"][1]
                    approx = "" if MODULI_REFERENCE[name][3] else "≈ "
                    if g is None:
                        cells.append("—")
                        continue
                else:
                    m = get(e, "moduli") or {}
                    if name not in m or "Li" not in m or not reliable(m[name]):
                        cells.append("—")
                        continue
                    g, gl = m[name]["g_vrh"], m["Li"]["g_vrh"]
                exp = monroe_newman(g, MODULI_REFERENCE["Li"][1])
                exp_text = f"{exp['ratio']:.1f} {'✓' if exp['suppresses_dendrites'] else '✗'}"
                if e == "reference":
                    cells.append(approx + exp_text)
                    continue
                own = ("G_Li ≤ 0" if gl <= 0 else
                       f"{monroe_newman(g, gl)['ratio']:.1f} {'✓' if monroe_newman(g, gl)['suppresses_dendrites'] else '✗'}")
                cells.append(f"{own} / {exp_text}")
            verdicts.append([name, *cells])
        table("3b. Monroe–Newman G/G_Li (✓ > 2 suppresses dendrites): with the engine's own G_Li / with the "
              "experimental G_Li = 4.2 GPa",
              ["electrolyte", *engines, "reference"], verdicts,
              "For comparison, the study's atomate2 elastic flow (measured separately, 2026-12-01): LLZO G 32.6 GPa "
              "with CHGNet, 52.5 with 7net-0; CHGNet LGPS 3.8, Li6PS5Cl 5.3, Li 6.1 GPa (issue 16). The protocol "
              "(strain set, ion convergence, symmetry) moves LLZO's G by up to a quarter: it matters as much as the "
              "model.")
    # 4 adhesion + DFT
    dft = data.get("dft_reference") or {}
    arows = []
    for iface in ("Li(100)|Li2S(100)", "Li(100)|Li3PS4(010)"):
        cells = []
        for e in engines:
            a = (get(e, "adhesion") or {}).get(iface)
            cells.append("—" if not a else fmt(a["w_ad"]))
        ref = fmt(dft.get("w_ad_li_li2s")) if iface.startswith("Li(100)|Li2S") else "—"
        arows.append([iface, ref, *cells])
    if any(get(e, "adhesion") for e in engines):
        table("4. Rigid work of adhesion (J/m², same cells for every engine)", ["interface", "CP2K PBE", *engines],
              arows)
    # 5 cost
    crows = []
    for e in engines:
        c = get(e, "cost")
        if c:
            crows.append([e, fmt(c["single_point_96_atoms_s"]), f"{c['relax_li3ps4_s']:.1f} ({c['relax_steps']} "
                          "steps)"])
    if crows:
        table("5. Cost on 2 cores (s)", ["engine", "single point, Li2S 96 atoms", "relaxation, Li3PS4 16 atoms"],
              crows)
    # 6 DFT spot checks
    if dft.get("formation_raw_gga"):
        drows = []
        for phase in ("Li2S", "Li3PS4"):
            ref = dft["formation_raw_gga"][phase]
            cells = []
            for e in engines:
                d = get(e, "dft")
                cells.append("—" if not d else f"{d['formation_raw_gga'][phase]:.3f} "
                             f"({d['formation_raw_gga'][phase] - ref:+.3f})")
            drows.append([phase, f"{ref:.3f}", *cells])
        w_ref = dft["w_ad_li_li2s"]
        drows.append(["W_ad Li(100)|Li2S(100) (J/m²)", f"{w_ref:.2f}",
                      *["—" if not get(e, "adhesion") else
                        f"{get(e, 'adhesion')['Li(100)|Li2S(100)']['w_ad']:.2f} "
                        f"({get(e, 'adhesion')['Li(100)|Li2S(100)']['w_ad'] - w_ref:+.2f})" for e in engines]])
        table("6. DFT spot checks: CP2K PBE vs MLIP in the same fixed cells (raw-GGA formation energies, eV/atom; "
              "MLIP − DFT in brackets)", ["quantity", "CP2K", *engines], drows,
              "CP2K: PBE, DZVP-MOLOPT-SR-GTH, 400 Ry, recorded in tests/data/cp2k (li_bulk, s_bulk, p_bulk, "
              "li2s_bulk, li3ps4_bulk; the library's experimental cells, not relaxed). CHGNet's MP2020 "
              "corrections are removed for this comparison.")
    elif dft.get("missing"):
        console.print(f"DFT spot checks: recordings missing {dft['missing']}")
    return "\n".join(md)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engines", default=",".join(ENGINES))
    p.add_argument("--blocks", default=",".join(BLOCKS))
    p.add_argument("--redo", action="store_true", help="recompute the blocks named even when cached")
    p.add_argument("--report-only", action="store_true")
    args = p.parse_args()
    engines, blocks = args.engines.split(","), args.blocks.split(",")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    data = {p.stem: json.loads(p.read_text()) for p in sorted(CACHE_DIR.glob("*.json"))}
    if not args.report_only:
        for engine in engines:
            for block in blocks:
                if block in data.get(engine, {}) and not args.redo:
                    continue
                t = time.perf_counter()
                console.print(f"[bold]{engine}: {block}[/bold]")
                result = RUNNERS[block](engine)
                path = CACHE_DIR / f"{engine}.json"  # re-read: another process may have stored other blocks
                data[engine] = json.loads(path.read_text()) if path.exists() else {}
                data[engine][block] = result
                data[engine].setdefault("seconds", {})[block] = time.perf_counter() - t
                data[engine]["version"] = get_engine(engine).version()
                path.write_text(json.dumps(data[engine], indent=1, default=float))
                console.print(f"  {block} done in {time.perf_counter() - t:.0f} s")
    data = {p.stem: json.loads(p.read_text()) for p in sorted(CACHE_DIR.glob("*.json"))}  # other processes' too
    data["dft_reference"] = dft_reference()
    engines = [e for e in ENGINES if e in data] if args.report_only else engines
    md = render(data, [e for e in engines if e in data])
    versions = "; ".join(f"{e}: {data[e].get('version', '?')}" for e in engines if e in data)
    (RESULTS / "engine_validation.md").write_text(f"Engine validation ({versions}); "
                                                  f"`benchmarks/validate_engines.py`\n\n{md}\n")


if __name__ == "__main__":
    main()
