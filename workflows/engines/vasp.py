"""VASP through atomate2's VASP makers with bulk/slab/interface input sets.

VASP is licensed: here its inputs are written and checked (``ssbi inputs``); the
jobs run on HPC through FireWorks. PBE (GGA = PE) with one ENCUT, EDIFF and
smearing for bulk, slab and interface so their energies can be subtracted.
Slabs and interfaces keep the cell (ISIF = 2), carry a dipole correction along c
and one k-point along c.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import numpy as np
from atomate2.vasp.jobs.core import RelaxMaker, StaticMaker
from atomate2.vasp.sets.base import VaspInputGenerator
from pymatgen.io.vasp import Kpoints

from ssbi.workflows.engines.base import Engine


@dataclass
class SsbiVaspSetGenerator(VaspInputGenerator):
    """atomate2 VASP input generator for ``run_type`` relax/static of a bulk, slab or interface."""

    run_type: str = "relax"
    target: str = "bulk"
    shared_incar: dict = field(default_factory=dict)
    slab_incar: dict = field(default_factory=dict)
    reciprocal_density: float = 64
    slab_length_density: float = 25
    md: dict = field(default_factory=dict)  # temperature, timestep_fs, n_steps, thermostat, friction (1/fs)

    @property
    def incar_updates(self) -> dict:
        updates = {"GGA": "Pe", "METAGGA": None, "ALGO": "Normal", **self.shared_incar}
        if self.run_type == "relax":
            updates.update(NSW=200, IBRION=2, ISIF=3 if self.target == "bulk" else 2)
        elif self.run_type == "md":
            md = self.md
            updates.update(IBRION=0, ISIF=2, ISYM=0, NSW=md["n_steps"], POTIM=md["timestep_fs"],
                           TEBEG=md["temperature"], TEEND=md["temperature"], NELMIN=4, LCHARG=False, LWAVE=False,
                           NBLOCK=1, KBLOCK=100)
            if md["thermostat"] == "langevin":  # LANGEVIN_GAMMA per species, in 1/ps
                n_types = len(self.structure.composition) if self.structure is not None else 1
                updates.update(MDALGO=3, LANGEVIN_GAMMA=[md["friction"] * 1000] * n_types)
            else:
                updates.update(MDALGO=2, SMASS=0)
        else:
            updates.update(NSW=0, IBRION=-1)
        if self.target != "bulk":
            updates.update(self.slab_incar)
            if updates.get("LDIPOL") and self.structure is not None:
                updates["DIPOL"] = [round(float(x), 4) for x in _centre_of_mass(self.structure)]
        return updates

    @property
    def kpoints_updates(self):
        if self.run_type == "md":  # MD cells are supercells: Gamma only
            return Kpoints.gamma_automatic((1, 1, 1))
        if self.target == "bulk":
            return {"reciprocal_density": self.reciprocal_density}
        a, b, _ = self.structure.lattice.abc
        mesh = (max(1, math.ceil(self.slab_length_density / a)), max(1, math.ceil(self.slab_length_density / b)), 1)
        return Kpoints.gamma_automatic(mesh)


def _centre_of_mass(structure) -> np.ndarray:
    masses = np.array([site.specie.atomic_mass for site in structure])
    return (structure.frac_coords * masses[:, None]).sum(axis=0) / masses.sum()


class VaspEngine(Engine):
    """VASP (inputs here, runs on HPC)."""

    runs_here = False

    def check(self) -> None:
        """Inputs can always be written; running is for HPC workers (VASP_CMD there)."""

    def version(self) -> str:
        found = shutil.which("vasp_std")
        return f"VASP ({'vasp_std on PATH' if found else 'not on this machine'}); atomate2 {version('atomate2')}"

    def input_generator(self, run_type: str, target: str) -> SsbiVaspSetGenerator:
        cfg = self.config
        kp = cfg.get("kpoints", {})
        return SsbiVaspSetGenerator(
            run_type=run_type, target=self._check_target(target), shared_incar=dict(cfg.get("incar") or {}),
            slab_incar=dict(cfg.get("slab_incar") or {}), reciprocal_density=kp.get("reciprocal_density", 64),
            slab_length_density=kp.get("slab_length_density", 25),
        )

    def write_inputs(self, structure, kind: str, target: str, folder) -> list[str]:
        """INCAR, KPOINTS, POSCAR and POTCAR.spec (POTCARs are licensed: the symbols only)."""
        self.input_generator(kind, target).get_input_set(structure, potcar_spec=True).write_input(folder)
        return sorted(p.name for p in Path(folder).iterdir())

    def relax_maker(self, target: str = "bulk"):
        return RelaxMaker(name=f"vasp relax {target}", input_set_generator=self.input_generator("relax", target))

    def static_maker(self, target: str = "bulk"):
        return StaticMaker(name=f"vasp static {target}", input_set_generator=self.input_generator("static", target))

    def md_maker(self, temperature: float, n_steps: int, timestep_fs: float = 1.0, thermostat: str = "langevin",
                 target: str = "interface"):
        """atomate2's VASP MD maker (NVT, Langevin or Nose-Hoover); runs on HPC."""
        from atomate2.vasp.jobs.md import MDMaker

        gen = self.input_generator("md", target)
        gen.md = self._md_settings(temperature, n_steps, timestep_fs, thermostat, ("langevin", "nose-hoover"))
        return MDMaker(name=f"vasp md {target} {int(temperature)} K", input_set_generator=gen)

    def elastic_maker(self):
        """atomate2's VASP elastic flow (tight relaxation, strained cells, fit); runs on HPC."""
        from atomate2.vasp.flows.elastic import ElasticMaker

        return ElasticMaker()

    def write_md_inputs(self, structure, folder, **md) -> list[str]:
        """INCAR, KPOINTS, POSCAR and POTCAR.spec of one MD run (``md``: md_maker arguments)."""
        self.md_maker(**md).input_set_generator.get_input_set(structure, potcar_spec=True).write_input(folder)
        return sorted(p.name for p in Path(folder).iterdir())
