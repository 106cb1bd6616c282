"""MD of an interface (or any structure) at one or more temperatures, with analysis.

``AIMDMaker(engine).make(structure)``: one checkpointed ``md_run`` job per
temperature (its trajectory goes to the store's ``data`` store, not into the
document) and ``md_analysis``, which turns the trajectories into one
:class:`AIMDDoc`. Checkpoints live under ``<data dir>/md/<fingerprint>/T<K>``,
so running the same flow again (``ssbi rerun`` or the same command) continues
from the last chunk instead of starting over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from jobflow import Flow, job
from pymatgen.core import Structure

from ssbi.interfaces.analysis.md import arrhenius
from ssbi.interfaces.analysis.md_run import MDAnalysisSettings, analyse_md_run
from ssbi.interfaces.errors import InputError
from ssbi.interfaces.fingerprint import fingerprint
from ssbi.workflows.engines.maker import EngineMaker
from ssbi.workflows.engines.md import run_md
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.engines.spec import EngineLike
from ssbi.workflows.paths import data_dir
from ssbi.workflows.schemas import AIMDDoc, EngineInfo
from ssbi.workflows.store.jobstore import open_store


@dataclass
class AIMDMaker(EngineMaker):
    """NVT MD with ``engine``: MLIPs run our checkpointed ASE MD in-process; CP2K and VASP run the
    engine's atomate2 MD maker (one job per temperature) whose stored trajectory is converted for the
    same analysis."""

    name: str = "aimd"
    temperatures: tuple[float, ...] = (600.0,)
    timestep_fs: float = 2.0
    ps: float = 1.0
    equilibration_ps: float = 0.2
    thermostat: str = "langevin"
    save_every: int = 10
    chunk_steps: int = 200
    fix_bottom: bool = True
    interface_width: float = 4.0  # Å, the interface zone around the boundary
    seed: int = 42

    def settings(self) -> dict:
        return {k: getattr(self, k) for k in ("temperatures", "timestep_fs", "ps", "equilibration_ps",
                                              "thermostat", "save_every", "chunk_steps", "fix_bottom",
                                              "interface_width", "seed")}

    def fingerprint(self, structure: Structure) -> str:
        return fingerprint({"kind": "aimd", "structure": structure, "settings": self.settings(),
                            "engine": self.resolved.describe()})

    def make(self, structure: Structure, label: Optional[str] = None, boundary: Optional[float] = None) -> Flow:
        """``boundary``: height (Å along c) of the interface plane; default from the ``region`` site labels."""
        eng = self.resolved
        fp = self.fingerprint(structure)
        n_steps = int(round(self.ps * 1000 / self.timestep_fs))
        name = label or structure.composition.reduced_formula
        runs, jobs = [], []
        for t in self.temperatures:
            if eng.in_process_md:  # MLIP: our checkpointed ASE MD
                run = md_run(structure, self.engine, float(t), n_steps, self.timestep_fs, self.save_every,
                             self.chunk_steps, self.thermostat, self.fix_bottom, self.seed, f"{fp}/T{int(t)}")
                jobs.append(run)
            else:  # DFT: the engine's own MD job (atomate2 CP2K/VASP MD maker), then its trajectory converted
                start = structure if self.fix_bottom else _unconstrained(structure)
                target = "interface" if structure.site_properties.get("region") else "bulk"
                dft = eng.md_maker(float(t), n_steps, self.timestep_fs, self.thermostat, target).make(start)
                run = md_from_task(dft.output, float(t), self.timestep_fs, self.save_every)
                jobs += [dft, run]
            run.name = f"md {name} {int(t)} K"
            runs.append(run)
        analysis = md_analysis([r.output for r in runs], structure, eng.describe(), self.settings(), fp, name,
                               boundary, {r.name: r.uuid for r in runs})
        analysis.name = "md analysis"
        return Flow([*jobs, analysis], output=analysis.output, name=f"md {label or ''} ({eng.name})")


def interface_boundary(structure: Structure) -> Optional[float]:
    """Height of the plane between the substrate (bottom) and film (top) of a builder cell."""
    regions = structure.site_properties.get("region")
    if not regions:
        return None
    z = structure.cart_coords[:, 2]
    sub = [zz for zz, r in zip(z, regions) if r == "substrate"]
    film = [zz for zz, r in zip(z, regions) if r == "film"]
    return float((max(sub) + min(film)) / 2) if sub and film else None


def _unconstrained(structure: Structure) -> Structure:
    structure = structure.copy()
    if "selective_dynamics" in structure.site_properties:
        structure.remove_site_property("selective_dynamics")
    return structure


def trajectory_from_task(task, save_every: int = 1) -> dict:
    """Our trajectory dict (species, lattice, unwrapped Cartesian positions, energies) from the pymatgen
    Trajectory that atomate2 stores in a CP2K or VASP MD task document, keeping every ``save_every``-th step."""
    from pymatgen.core.trajectory import Trajectory as PmgTrajectory

    get = task.get if isinstance(task, dict) else lambda k: getattr(task, k, None)
    objects = get("cp2k_objects") or get("vasp_objects") or {}
    traj = next((v for k, v in objects.items() if str(getattr(k, "value", k)).lower() == "trajectory"), None)
    if traj is None:
        raise ValueError("the MD task document holds no trajectory (atomate2 store_trajectory was off)")
    if isinstance(traj, dict):
        traj = PmgTrajectory.from_dict(traj)
    structures = [traj.get_structure(i) for i in range(len(traj))]
    lattice = structures[0].lattice
    frac = np.array([s.frac_coords for s in structures])
    jumps = np.round(np.diff(frac, axis=0))  # undo wrapping between consecutive steps
    frac[1:] -= np.cumsum(jumps, axis=0)
    keep = list(range(0, len(structures), save_every))
    props = traj.frame_properties or [{}] * len(structures)  # one dict per frame (CP2K .ener / VASP)
    energies = [float(p.get("potential_energy", p.get("e_0_energy", np.nan))) for p in props]
    return {"species": [sp.symbol for sp in structures[0].species], "lattice": lattice.matrix,
            "positions": np.array([lattice.get_cartesian_coords(frac[i]) for i in keep]),
            "energies": np.array([energies[i] for i in keep]), "steps": np.array(keep)}


@job(data="trajectory")
def md_from_task(task, temperature: float, timestep_fs: float, save_every: int) -> dict:
    """A DFT MD task document turned into the ``md_run`` output the analysis reads."""
    traj = trajectory_from_task(task, save_every)
    return {"temperature": temperature, "dt_fs": timestep_fs * save_every, "n_frames": len(traj["steps"]),
            "steps": traj["steps"].tolist(), "checkpoint": None,
            "trajectory": {"species": traj["species"], "lattice": traj["lattice"].tolist(),
                           "positions": traj["positions"].tolist(), "energies": traj["energies"].tolist()}}


@job(data="trajectory")
def md_run(structure: Structure, engine: EngineLike, temperature: float, n_steps: int, timestep_fs: float,
           save_every: int, chunk_steps: int, thermostat: str, fix_bottom: bool, seed: int, key: str) -> dict:
    """Checkpointed NVT MD with the engine of ``engine`` (resolved once, here); the trajectory goes to the ``data``
    store."""
    from ase.constraints import FixAtoms
    from pymatgen.io.ase import AseAtomsAdaptor

    calculator = get_engine(engine).calculator()
    atoms = AseAtomsAdaptor.get_atoms(structure)
    atoms.set_constraint()
    fixed = structure.site_properties.get("selective_dynamics")
    if fix_bottom and fixed is not None:
        atoms.set_constraint(FixAtoms(indices=[i for i, f in enumerate(fixed) if not any(f)]))
    traj = run_md(atoms, calculator, data_dir() / "md" / key, temperature, n_steps,
                  timestep_fs, save_every, chunk_steps, thermostat, seed=seed)
    return {"temperature": temperature, "dt_fs": timestep_fs * save_every, "n_frames": len(traj["steps"]),
            "steps": traj["steps"].tolist(), "checkpoint": key,
            "trajectory": {"species": traj["species"], "lattice": traj["lattice"].tolist(),
                           "positions": traj["positions"].tolist(), "energies": traj["energies"].tolist()}}


def bulk_label(material: str) -> str:
    """The label of a material's bulk MD (an interface's is "film|substrate")."""
    return f"{material} bulk"


def is_bulk(label: str) -> bool:
    return label.endswith(" bulk")


@job
def md_analysis(runs: list[dict], structure: Structure, engine_info: dict, settings: dict, fp: str, label: str,
                boundary: Optional[float], job_uuids: dict) -> AIMDDoc:
    """All temperatures analysed; Arrhenius fit when there are several."""
    boundary = boundary if boundary is not None else interface_boundary(structure)
    options = MDAnalysisSettings(interface_width=settings["interface_width"],
                                 equilibration_ps=settings["equilibration_ps"])
    per_t = [analyse_md_run(r, boundary, options) for r in runs]
    arr = None
    # a bulk whose framework flowed at a temperature was molten there: its D is a liquid's, left out of the fit
    # (an interface's framework moves where it reacts, so there every temperature counts)
    melted = [p["temperature"] for p in per_t if is_bulk(label) and (p.get("framework") or {}).get("flows")]
    solid = [p for p in per_t if p["temperature"] not in melted]
    temps = [p["temperature"] for p in solid]
    cell_d = [next((t["diffusivity"] for t in p["transport"] if t["region"] == "cell"), None) for p in solid]
    if len(temps) >= 2 and all(d and d > 0 for d in cell_d):
        arr = {**arrhenius(temps, cell_d, structure), "temperatures": temps, "left_out_molten": melted}
    return AIMDDoc(fingerprint=fp, materials=label.split("|"), formula=structure.composition.reduced_formula,
                   engine=EngineInfo(**engine_info), label=label, settings=settings, n_atoms=len(structure),
                   boundary=boundary, temperatures=per_t, arrhenius=arr, trajectory_jobs=job_uuids)


def reanalyse_stored(result_id: str, width: float = 4.0, store: Optional[str] = None) -> dict:
    """A stored MD result (AIMDDoc, by uuid) analysed again from its stored trajectories, with an interface zone
    of ``width`` Å: its ``output`` with the new per-temperature analysis (nothing is stored)."""
    job_store = open_store(store)
    doc = job_store.query_one({"uuid": result_id, "output.kind": "aimd"}, load=True)
    if not doc:
        raise InputError(f"no stored MD result with id {result_id!r}")
    output = doc["output"]
    options = MDAnalysisSettings(interface_width=width, equilibration_ps=output["settings"]["equilibration_ps"])
    per_t = []
    for uuid in output["trajectory_jobs"].values():
        run = job_store.query_one({"uuid": uuid}, load=True)
        if not run:
            raise InputError(f"the trajectory job {uuid} of result {result_id} is not in the store")
        per_t.append(analyse_md_run(run["output"], output["boundary"], options))
    output["temperatures"] = per_t
    return output
