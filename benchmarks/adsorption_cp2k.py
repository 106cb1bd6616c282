"""CP2K PBE-D3(BJ) check of one adsorption configuration against the MLIP + D3 of `ssbi adsorb`.

Relaxes the host sheet, the molecule in a box and one placement with the MLIP + DFT-D3(BJ) (the same functions as
``ssbi adsorb``), then single points of the three relaxed geometries with CP2K (PBE, DZVP-MOLOPT-SR-GTH, 400 Ry,
Γ point, Fermi–Dirac 300 K for the metallic sheet, D3(BJ) from CP2K's own dftd3.dat) and prints E_ads from each.
The sheet is 3 x 3 by default (18 C): a 3n x 3n sheet folds graphene's K point onto Γ, so the Γ-only CP2K run sees
the Dirac cone; the molecule's periodic images are close (7.4 Å), but both engines see the same cell and
geometries, which is what a spot check compares.

    python benchmarks/adsorption_cp2k.py [MOLECULE] [HOST] [--engine chgnet] [--site bridge] [--facing Li]

Writes benchmarks/results/adsorption_cp2k.json (Li2S on 3 x 3 graphene; other cases
adsorption_cp2k_MOLECULE_HOST_NxN.json): energies, geometry labels, timings. Needs Debian's cp2k.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ssbi.interfaces.adsorption import carbon_host, in_box, placements, polysulfide
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.flows.adsorption import _calculator, _dispersion, _relax

HARTREE = 27.211386245988
RESULTS = Path(__file__).parent / "results" / "adsorption_cp2k.json"
SHARE = Path("/usr/share/cp2k")
BASIS = {"C": "DZVP-MOLOPT-SR-GTH", "N": "DZVP-MOLOPT-SR-GTH", "S": "DZVP-MOLOPT-SR-GTH", "Li": "DZVP-MOLOPT-SR-GTH"}
VALENCE = {"C": 4, "N": 5, "S": 6, "Li": 3}


def cp2k_input(atoms, project: str, dispersion: bool = True) -> str:
    cell = atoms.cell
    coords = "\n".join(f"      {s} {x:.6f} {y:.6f} {z:.6f}" for s, (x, y, z) in
                       zip(atoms.get_chemical_symbols(), atoms.positions))
    kinds = "\n".join(f"    &KIND {el}\n      BASIS_SET {BASIS[el]}\n      POTENTIAL GTH-PBE-q{VALENCE[el]}\n"
                      f"    &END KIND" for el in sorted(set(atoms.get_chemical_symbols())))
    vdw = f"""      &VDW_POTENTIAL
        POTENTIAL_TYPE PAIR_POTENTIAL
        &PAIR_POTENTIAL
          TYPE DFTD3(BJ)
          PARAMETER_FILE_NAME {SHARE / 'dftd3.dat'}
          REFERENCE_FUNCTIONAL PBE
        &END PAIR_POTENTIAL
      &END VDW_POTENTIAL""" if dispersion else ""
    vectors = "\n".join(f"      {name} {v[0]:.6f} {v[1]:.6f} {v[2]:.6f}" for name, v in zip("ABC", cell))
    return f"""&GLOBAL
  PROJECT {project}
  RUN_TYPE ENERGY
  PRINT_LEVEL LOW
&END GLOBAL
&FORCE_EVAL
  METHOD QUICKSTEP
  &DFT
    BASIS_SET_FILE_NAME {SHARE / 'BASIS_MOLOPT'}
    POTENTIAL_FILE_NAME {SHARE / 'GTH_POTENTIALS'}
    &MGRID
      CUTOFF 400
      REL_CUTOFF 50
    &END MGRID
    &QS
      EPS_DEFAULT 1.0E-10
    &END QS
    &SCF
      EPS_SCF 1.0E-6
      MAX_SCF 200
      ADDED_MOS 60
      &SMEAR ON
        METHOD FERMI_DIRAC
        ELECTRONIC_TEMPERATURE 300
      &END SMEAR
      &MIXING
        METHOD BROYDEN_MIXING
        ALPHA 0.2
        NBUFFER 8
      &END MIXING
    &END SCF
    &XC
      &XC_FUNCTIONAL PBE
      &END XC_FUNCTIONAL
{vdw}
    &END XC
  &END DFT
  &SUBSYS
    &CELL
{vectors}
    &END CELL
    &COORD
{coords}
    &END COORD
{kinds}
  &END SUBSYS
&END FORCE_EVAL
"""


def cp2k_energy(atoms, name: str, folder: Path, cores: int = 2) -> tuple[float, float]:
    """(total energy eV, seconds) of one CP2K single point."""
    (folder / f"{name}.inp").write_text(cp2k_input(atoms, name))
    mpi = ["mpirun", "--allow-run-as-root", "-np", str(cores)] if cores > 1 else []
    start = time.time()
    run = subprocess.run([*mpi, "cp2k.psmp", "-i", f"{name}.inp", "-o", f"{name}.out"], cwd=folder,
                         capture_output=True, text=True, env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    text = (folder / f"{name}.out").read_text() if (folder / f"{name}.out").exists() else run.stderr
    found = re.findall(r"ENERGY\| Total FORCE_EVAL \( QS \) energy \[a\.u\.\]:\s+(-?\d+\.\d+)", text)
    if not found:
        raise RuntimeError(f"CP2K gave no energy for {name}: {text[-800:]}")
    return float(found[-1]) * HARTREE, time.time() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("molecule", nargs="?", default="Li2S")
    ap.add_argument("host", nargs="?", default="graphene")
    ap.add_argument("--engine", default="chgnet")
    ap.add_argument("--site", default="bridge")
    ap.add_argument("--facing", default="Li")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not shutil.which("cp2k.psmp"):
        raise SystemExit("cp2k.psmp not found (Debian: apt-get install cp2k cp2k-data openmpi-bin)")
    eng = get_engine(args.engine)
    calc = _calculator(eng, "d3bj")
    sheet = carbon_host(args.host, args.repeat)
    e_sheet, _, _ = _relax(sheet, calc, 0.05, 400)
    mol = in_box(polysulfide(args.molecule))
    e_mol, _, _ = _relax(mol, calc, 0.05, 400)
    centred = mol.copy()
    centred.positions -= centred.get_center_of_mass()
    chosen = next(p for p in placements(sheet, centred, rotations=(0.0,), facings=(args.facing,))
                  if p.site == args.site)
    complex_ = chosen.atoms
    e_complex, steps, converged = _relax(complex_, calc, 0.05, 400)
    d3 = _dispersion("d3bj")

    def d3_of(atoms):
        a = atoms.copy()
        a.calc = d3
        return float(a.get_potential_energy())

    mlip = {"E_ads": e_complex - e_sheet - e_mol,
            "D3_part": d3_of(complex_) - d3_of(sheet) - d3_of(mol)}
    # the molecule in the sheet's cell at its adsorbed-free geometry: same box for CP2K's basis-set and grid errors
    mol_in_cell = mol.copy()
    mol_in_cell.cell = complex_.cell
    mol_in_cell.center()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        out, seconds = {}, {}
        for name, atoms in (("complex", complex_), ("sheet", sheet), ("molecule", mol_in_cell)):
            out[name], seconds[name] = cp2k_energy(atoms, name, folder)
            print(f"CP2K {name}: {out[name]:.4f} eV in {seconds[name]:.0f} s", flush=True)
    dft = {"E_ads": out["complex"] - out["sheet"] - out["molecule"], "D3_part": mlip["D3_part"]}
    result = {"molecule": args.molecule, "host": args.host, "site": args.site, "facing": args.facing,
              "engine": args.engine, "n_atoms": len(complex_), "mlip_relax_steps": steps, "converged": converged,
              "mlip_plus_d3": mlip, "cp2k_pbe_d3bj": dft, "cp2k_seconds": seconds,
              "cp2k_settings": "PBE, DZVP-MOLOPT-SR-GTH, 400/50 Ry, Γ, Fermi-Dirac 300 K, DFTD3(BJ) dftd3.dat",
              "geometry": "MLIP + D3 relaxed (fixed for CP2K)"}
    default = (args.molecule, args.host, args.repeat) == ("Li2S", "graphene", 3)
    path = RESULTS if default else RESULTS.with_name(f"adsorption_cp2k_{args.molecule}_{args.host}_"
                                                     f"{args.repeat}x{args.repeat}.json")
    result["repeat"] = args.repeat
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1))
    print(f"E_ads {args.molecule} on {args.host} ({args.site}, {args.facing} down): {args.engine} + D3 "
          f"{mlip['E_ads']:+.3f} eV (D3 {mlip['D3_part']:+.3f}); CP2K PBE-D3(BJ) {dft['E_ads']:+.3f} eV; "
          f"Δ {mlip['E_ads'] - dft['E_ads']:+.3f} eV")


if __name__ == "__main__":
    main()
