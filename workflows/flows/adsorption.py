"""Adsorption of Li2S and Li2Sn on a carbon host with an MLIP, dispersion added (DFT-D3(BJ), simple-dftd3).

``AdsorptionMaker(engine).make(host, molecule)``: one job that relaxes the host sheet, the molecule alone in a
box and the molecule over each placement of :func:`ssbi.interfaces.adsorption.placements` (fixed cell, every atom
free), and returns an :class:`AdsorptionDoc` with the most stable placement. Machine-learned potentials only: a DFT
check of one configuration is `benchmarks/adsorption_cp2k.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobflow import job
from pymatgen.io.ase import AseAtomsAdaptor

from ssbi.interfaces.adsorption import carbon_host, in_box, placements, polysulfide
from ssbi.interfaces.fingerprint import fingerprint
from ssbi.workflows.engines.maker import EngineMaker
from ssbi.workflows.engines.spec import EngineLike
from ssbi.workflows.errors import EngineError
from ssbi.workflows.schemas import AdsorptionDoc, EngineInfo

CAVEATS = [
    "MPtrj-trained MLIPs saw bulk crystals, not molecules on sheets: molecule-surface energies are outside their "
    "training domain; measured for CHGNet: Li2S8 on 6x6 graphene binds 3.20 eV with D3 against CP2K PBE-D3(BJ)'s "
    "1.84 eV at the same geometry, all of the 1.37 eV excess in the MLIP's own part, so read MLIP bindings as upper "
    "bounds and rankings (benchmarks/adsorption_cp2k.py)",
    "dispersion from DFT-D3(BJ) with PBE parameters added to the MLIP (its PBE training data has none)",
    "no charge transfer beyond what the MLIP learnt: N-doped carbon's binding of Li is electrostatic and may be "
    "underestimated",
]


def _dispersion(name: str):
    if name == "none":
        return None
    from dftd3.ase import DFTD3

    return DFTD3(method="PBE", damping="d3bj")


def _calculator(engine, dispersion: str):
    base = engine.calculator()
    d3 = _dispersion(dispersion)
    if d3 is None:
        return base
    from ase.calculators.mixing import SumCalculator

    return SumCalculator([base, d3])


def _relax(atoms, calc, fmax: float, steps: int) -> tuple[float, int, bool]:
    from ase.optimize import FIRE

    atoms.calc = calc
    opt = FIRE(atoms, logfile=None)
    converged = bool(opt.run(fmax=fmax, steps=steps))
    return float(atoms.get_potential_energy()), int(opt.nsteps), converged


@dataclass
class AdsorptionMaker(EngineMaker):
    """The most stable placement of ``molecule`` on ``host`` from a small search (sites x facing x rotations)."""

    name: str = "adsorption"
    dispersion: str = "d3bj"
    repeat: int = 6  # graphene cell: repeat x repeat
    height: float = 2.2  # Å, starting height of the molecule's lowest atom
    rotations: tuple[float, ...] = (0.0, 30.0)
    facings: tuple[str, ...] = ("Li", "S")
    fmax: float = 0.05
    steps: int = 400

    def settings(self) -> dict:
        return {k: getattr(self, k) for k in ("dispersion", "repeat", "height", "rotations", "facings", "fmax",
                                              "steps")}

    def fingerprint(self, host: str, molecule: str) -> str:
        return fingerprint({"kind": "adsorption", "host": host, "molecule": molecule, "settings": self.settings(),
                            "engine": self.resolved.describe()})

    def make(self, host: str, molecule: str):
        if not self.resolved.in_process_md:
            raise EngineError(f"adsorption searches run with a machine-learned potential (chgnet, sevennet), not "
                              f"{self.resolved.name}: the DFT check of one configuration is "
                              "benchmarks/adsorption_cp2k.py")
        j = adsorption_search(self.engine, host, molecule, self.settings(), self.fingerprint(host, molecule))
        j.name = f"adsorption {molecule} on {host}"
        return j


@job
def adsorption_search(engine: EngineLike, host: str, molecule: str, settings: dict, fp: str) -> AdsorptionDoc:
    """Relax host, molecule and every placement; the lowest E_ads wins."""
    from ssbi.workflows.engines.registry import get_engine  # lazy: a worker resolves the engine here

    eng = get_engine(engine)
    calc = _calculator(eng, settings["dispersion"])
    sheet = carbon_host(host, settings["repeat"])
    e_host, _, _ = _relax(sheet, calc, settings["fmax"], settings["steps"])
    mol = in_box(polysulfide(molecule))
    e_mol, _, _ = _relax(mol, calc, settings["fmax"], settings["steps"])
    relaxed_mol = mol.copy()
    relaxed_mol.positions -= relaxed_mol.get_center_of_mass()
    rows, best, best_atoms = [], None, None
    for p in placements(sheet, relaxed_mol, settings["height"], tuple(settings["rotations"]),
                        tuple(settings["facings"])):
        energy, steps, converged = _relax(p.atoms, calc, settings["fmax"], settings["steps"])
        row = {"site": p.site, "facing": p.facing, "rotation": p.rotation, "E_ads": energy - e_host - e_mol,
               "steps": steps, "converged": converged}
        rows.append(row)
        if converged and (best is None or row["E_ads"] < best["E_ads"]):
            best, best_atoms = row, p.atoms.copy()
    if best is None:  # none converged: the lowest, flagged
        best = min(rows, key=lambda r: r["E_ads"])
        best_atoms = None
    d3_part = None
    d3 = _dispersion(settings["dispersion"])
    if d3 is not None and best_atoms is not None:
        def d3_energy(atoms):
            atoms = atoms.copy()
            atoms.calc = d3
            return float(atoms.get_potential_energy())
        d3_part = d3_energy(best_atoms) - d3_energy(sheet) - d3_energy(mol)
    structure = AseAtomsAdaptor.get_structure(best_atoms if best_atoms is not None else sheet)
    return AdsorptionDoc(fingerprint=fp, materials=[host, molecule], formula=molecule,
                         engine=EngineInfo(**eng.describe()),
                         host=host, molecule=molecule, dispersion=settings["dispersion"],
                         energies={"host": e_host, "molecule": e_mol, "complex": e_host + e_mol + best["E_ads"]},
                         placements=rows, best=best, binding_energy=-best["E_ads"], dispersion_part=d3_part,
                         structure=structure, caveats=CAVEATS if settings["dispersion"] != "none" else
                         [CAVEATS[0], "no dispersion: physisorption is missing (dispersion: none)"])
