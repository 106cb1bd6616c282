"""Elastic tensors of force-field engines at a fraction of the full flow's cost, with atomate2's deformations, fit and
:class:`ElasticDocument`.

Against atomate2's force-field elastic flow (``ForceFieldEngine.elastic_maker``) it changes how the cells are
relaxed, not what they are relaxed to:

- the bulk's cell relaxation keeps atomate2's criterion (0.002 eV/Å on the atoms and on the virial per atom, under
  FixSymmetry) and BFGS, but starts from a Hessian of the right size: ASE's Exp preconditioner for the atoms and an
  elastic block for the cell (ASE's 70 eV/Å² everywhere is too stiff for soft Li sublattices and hundreds of times
  too stiff for the cell): LGPS 59 steps against 211, Li7P3S11 51 against 243 (7net-0);
- the Γ-point force constants Φ of the relaxed bulk (phonopy's symmetry-reduced ± displacements, single points
  in small batches) are the first Hessian of a BFGS (:mod:`ssbi.interfaces.analysis.internal_relaxation`) that takes
  each strained cell, under the same FixSymmetry, below a ten times tighter ``fmax`` than the full flow's
  0.002 eV/Å in 2–7 force evaluations, where FIRE takes tens to hundreds. The bulk gets the same polish first, so
  the equilibrium stress comes from equally converged positions.

Why tighter: on the soft Li sublattice of Li6PS5Cl (lowest Γ mode 0.15 eV/Å² with 7net-0) FIRE stops at 0.002 eV/Å
short of the relaxed positions and K comes out 7 % stiff (17.7 GPa; 16.5 GPa when the same flow runs to 0.0002;
16.3 here). ``benchmarks/bench_elastic.py`` measures cost and agreement with the full flow at both criteria. VASP
keeps atomate2's full flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from jobflow import Flow, job
from pymatgen.core import Structure

from ssbi.interfaces.analysis.internal_relaxation import (
    gamma_displacements,
    gamma_hessian,
    lowest_modes,
    preconditioner,
    relax_cell_preconditioned,
)
from ssbi.workflows.engines.batched import batched_static, supports_batching
from ssbi.workflows.engines.maker import EngineMaker
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.errors import EngineError

KBAR_PER_EV_A3 = 1602.1766208  # and atomate2's force-field sign: positive in compression (VASP's)


@dataclass
class FastElasticMaker(EngineMaker):
    """The bulk's cell relaxed by BFGS to ``bulk_fmax`` (atomate2's criterion), atomate2's symmetry-reduced
    deformations at ``strains``, the strained cells relaxed by BFGS from the bulk's Γ force constants to ``fmax``
    eV/Å, and atomate2's fit."""

    name: str = "fast elastic"
    strains: tuple = (-0.01, -0.005, 0.005, 0.01)  # atomate2's magnitudes (a cell costs a few evaluations here)
    fmax: float = 0.0002  # ten times the full flow's: its 0.002 leaves soft Li sublattices unrelaxed
    bulk_fmax: float = 0.002  # the bulk's cell relaxation, atomate2's elastic criterion (then polished to fmax)
    max_steps: int = 200  # BFGS steps per cell (a few are needed; more means the preconditioner is off)
    displacement: float = 0.01  # Å, phonopy's finite displacement for the force constants
    symprec: float = 0.1  # atomate2's SETTINGS.SYMPREC for the deformations and the fit, as its flow
    fix_symmetry: float = 0.01  # FixSymmetry tolerance (Å) of the relaxations, atomate2's; well below the strains'
    # displacements (≥ 0.03 Å at 0.5 %): at 0.1 the shear of LLZO is symmetrised away (G came out −98 GPa)

    def settings(self) -> dict:
        """What makes its numbers (part of a result's fingerprint)."""
        return {"protocol": "fast", "method": "gamma-preconditioned-bfgs", "hessian": "plus-minus",
                "strains": list(self.strains), "fmax": self.fmax, "displacement": self.displacement,
                "symprec": self.symprec, "fix_symmetry": self.fix_symmetry,
                "bulk_relaxation": "bfgs-exp-precon-cell-block", "bulk_fmax": self.bulk_fmax}

    def make(self, structure: Structure) -> Flow:
        from atomate2.common.jobs.elastic import fit_elastic_tensor

        cells = elastic_cells(structure, self.engine, list(self.strains), self.fmax, self.bulk_fmax, self.max_steps,
                              self.displacement, self.symprec, self.fix_symmetry)
        fit = fit_elastic_tensor(cells.output["structure"], cells.output["strained"],
                                 equilibrium_stress=cells.output["equilibrium_stress"], order=2,
                                 symprec=self.symprec)
        return Flow([cells, fit], output=fit.output, name=self.name)


@job(name="elastic cells, force-constant preconditioned")
def elastic_cells(structure: Structure, engine, strains: list, fmax: float, bulk_fmax: float = 0.002,
                  max_steps: int = 200, displacement: float = 0.01, symprec: float = 0.1,
                  fix_symmetry: Optional[float] = 0.01) -> dict:
    """The cell of ``structure`` relaxed (:func:`relax_cell_preconditioned`, to ``bulk_fmax``); atomate2's
    symmetry-reduced deformations of the relaxed cell at ``strains``; the bulk and each deformed cell relaxed at
    fixed cell from the relaxed bulk's Γ force constants (:func:`relax_strained`). The relaxed ``structure``, and
    :func:`relax_strained`'s output with the bulk's ``bulk_steps`` and the total ``evaluations``. ``engine``: the
    spec the job carries, resolved once here."""
    import logging

    from atomate2.common.jobs.elastic import generate_elastic_deformations
    from pymatgen.io.ase import AseAtomsAdaptor
    from threadpoolctl import threadpool_limits

    eng = get_engine(engine)
    atoms = AseAtomsAdaptor.get_atoms(structure)
    atoms.calc = eng.calculator()
    # one BLAS thread: beside torch's OpenMP threads a 2-thread BLAS waits on them, and BFGS's eigh of a
    # 159 x 159 Hessian took 45 ms instead of 1.6 (LGPS bulk relaxation 21 s -> 13 s; 2 cores)
    with threadpool_limits(1, user_api="blas"):
        try:
            bulk_steps = relax_cell_preconditioned(atoms, bulk_fmax, steps=max_steps * 10, fix_symmetry=fix_symmetry)
        except RuntimeError as exc:
            raise EngineError(str(exc)) from None
        atoms.set_constraint()
        relaxed = AseAtomsAdaptor.get_structure(atoms)
        deformations = generate_elastic_deformations.original(relaxed, order=2, strain_magnitudes=list(strains),
                                                               symprec=symprec, sym_reduce=True)
        out = relax_strained(relaxed, deformations, eng, fmax, max_steps, fix_symmetry, displacement=displacement)
    out.update(structure=relaxed, bulk_steps=bulk_steps, evaluations=bulk_steps + 1 + out["evaluations"])
    logging.getLogger(__name__).info(
        "elastic: bulk cell in %d BFGS steps, %d cells below %g eV/Å; %d force evaluations (%d for the force "
        "constants)", bulk_steps, len(deformations) + 1, fmax, out["evaluations"], out["hessian_evaluations"])
    return out


def gamma_force_constants(structure: Structure, engine, displacement: float = 0.01) -> tuple[np.ndarray, int]:
    """The Γ force constants of ``structure`` (eV/Å²) from phonopy's ± displacements, their single points in
    small batches (:func:`~ssbi.workflows.engines.batched.batched_static`) with the resolved ``engine``; and how
    many single points."""
    phonon, shifted = gamma_displacements(structure, displacement)
    return gamma_hessian(phonon, [r.forces for r in batched_static(shifted, engine)]), len(shifted)


def relax_strained(structure: Structure, deformations: list, engine, fmax: float, max_steps: int = 200,
                   fix_symmetry: Optional[float] = 0.01, displacement: float = 0.01) -> dict:
    """The bulk and every deformed cell relaxed at fixed cell by BFGS starting from the bulk's Γ force constants,
    each keeping its own symmetry (ASE ``FixSymmetry`` at ``fix_symmetry`` Å, as atomate2's strained cells; None: off); their stresses (kbar, atomate2's force-field sign) in the form atomate2's
    ``fit_elastic_tensor`` takes (``strained``), the bulk's (``equilibrium_stress``), and what it cost (force
    ``evaluations`` of these cells, BFGS ``steps`` per cell, the force constants' ``lowest_modes``, eV/Å²)."""
    import uuid

    from ase.constraints import FixSymmetry
    from ase.optimize import BFGS
    from pymatgen.analysis.elasticity import Deformation
    from pymatgen.io.ase import AseAtomsAdaptor

    eng = engine  # resolved
    hessian, n_hessian = gamma_force_constants(structure, eng, displacement)
    start = preconditioner(hessian)
    cells = [structure] + [Deformation(d).apply_to_structure(structure) for d in deformations]
    calc, stresses, steps = eng.calculator(), [], []
    for cell in cells:
        atoms = AseAtomsAdaptor.get_atoms(cell)
        atoms.calc = calc
        if fix_symmetry:
            atoms.set_constraint(FixSymmetry(atoms, symprec=fix_symmetry))
        opt = BFGS(atoms, logfile=None, maxstep=0.1)
        opt.H0 = start.copy()  # ASE's BFGS starts from H0 (set in its initialize); Φ instead of 70·I
        if not opt.run(fmax=fmax, steps=max_steps):
            raise EngineError(f"strained cell of {structure.composition.reduced_formula}: forces not below {fmax} "
                              f"eV/Å after {max_steps} BFGS steps")
        stresses.append(-KBAR_PER_EV_A3 * atoms.get_stress(voigt=False))
        steps.append(int(opt.nsteps))
    tag = str(uuid.uuid4())
    return {"strained": [{"stress": s.tolist(), "deformation": np.asarray(d).tolist(), "uuid": tag, "job_dir": None,
                          "steps": n} for d, s, n in zip(deformations, stresses[1:], steps[1:])],
            "equilibrium_stress": stresses[0].tolist(), "evaluations": n_hessian + sum(steps) + len(cells),
            "hessian_evaluations": n_hessian, "lowest_modes": lowest_modes(hessian)}


def fast_elastic_supported(engine) -> bool:
    """Force fields with batched evaluation take the fast path; DFT engines keep atomate2's full flow (``engine``:
    resolved)."""
    return supports_batching(engine)


def elastic_flow(engine, structure: Structure, protocol: Optional[str] = None) -> Flow:
    """The elastic flow of the resolved ``engine`` for ``structure``: ``fast`` where supported, else atomate2's
    ``full``."""
    protocol = protocol or ("fast" if fast_elastic_supported(engine) else "full")
    if protocol == "fast":
        return FastElasticMaker(engine=engine).make(structure)
    return engine.elastic_maker().make(structure)
