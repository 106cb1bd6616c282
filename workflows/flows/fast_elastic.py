"""Elastic tensors of force-field engines at a fraction of the full flow's cost, with atomate2's own bulk relaxation,
deformations, fit and :class:`ElasticDocument`.

Against atomate2's force-field elastic flow (``ForceFieldEngine.elastic_maker``) it changes how the cells are
relaxed, not what they are relaxed to. The full flow runs FIRE under FixSymmetry on each strained cell to 0.002 eV/Å
(tens to hundreds of steps each); here the Γ-point force constants of the relaxed bulk (phonopy's
symmetry-reduced ± displacements, evaluated in one batch) are the first Hessian of a BFGS
(:mod:`interfaces.analysis.internal_relaxation`), under the same FixSymmetry, that takes each strained cell below a
ten times tighter ``fmax`` in 2–7 force evaluations (7net-0). The bulk gets the same polish first, so the
equilibrium stress comes from equally converged positions, and its cell relaxation is atomate2's with BFGS in
place of FIRE (Li7P3S11, 7net-0: 241 steps against 844).

Why tighter: on the soft Li sublattice of Li6PS5Cl (lowest Γ mode 0.15 eV/Å² with 7net-0) FIRE stops at 0.002 eV/Å
short of the relaxed positions and K comes out 7 % stiff (17.7 GPa; 16.5 GPa when the same flow runs to 0.0002;
16.3 here). ``benchmarks/bench_elastic.py`` measures cost and agreement with the full flow at both criteria. VASP
keeps atomate2's full flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from jobflow import Flow, Maker, job
from pymatgen.core import Structure

from workflows.engines import EngineLike, as_spec, get_engine

KBAR_PER_EV_A3 = 1602.1766208  # and atomate2's force-field sign: positive in compression (VASP's)


@dataclass
class FastElasticMaker(Maker):
    """atomate2's tight bulk relaxation and symmetry-reduced deformations at ``strains``; the strained cells
    relaxed by BFGS from the bulk's Γ force constants (largest force below ``fmax`` eV/Å); atomate2's fit."""

    name: str = "fast elastic"
    engine: EngineLike = "chgnet"
    strains: tuple = (-0.01, -0.005, 0.005, 0.01)  # atomate2's magnitudes (a cell costs a few evaluations here)
    fmax: float = 0.0002  # ten times the full flow's: its 0.002 leaves soft Li sublattices unrelaxed
    max_steps: int = 200  # BFGS steps per cell (a few are needed; more means the preconditioner is off)
    displacement: float = 0.01  # Å, phonopy's finite displacement for the force constants
    symprec: float = 0.1  # atomate2's SETTINGS.SYMPREC for the deformations and the fit, as its flow
    fix_symmetry: float = 0.01  # FixSymmetry tolerance (Å) of the relaxations, atomate2's; well below the strains'
    # displacements (≥ 0.03 Å at 0.5 %): at 0.1 the shear of LLZO is symmetrised away (G came out −98 GPa)
    bulk_optimizer: str = "BFGS"  # of atomate2's bulk relaxation; its FIRE took 844 steps for Li7P3S11, BFGS 241

    def __post_init__(self):
        self.engine = as_spec(self.engine)

    def settings(self) -> dict:
        """What makes its numbers (part of a result's fingerprint)."""
        return {"protocol": "fast", "method": "gamma-preconditioned-bfgs", "hessian": "plus-minus",
                "strains": list(self.strains), "fmax": self.fmax, "displacement": self.displacement,
                "symprec": self.symprec, "fix_symmetry": self.fix_symmetry, "bulk_optimizer": self.bulk_optimizer}

    def make(self, structure: Structure) -> Flow:
        from atomate2.common.jobs.elastic import fit_elastic_tensor, generate_elastic_deformations

        from dataclasses import replace

        relax = get_engine(self.engine).elastic_maker().bulk_relax_maker
        relax = replace(relax, optimizer_kwargs={**relax.optimizer_kwargs, "optimizer": self.bulk_optimizer},
                        symprec=self.fix_symmetry)
        bulk = relax.make(structure)
        deformations = generate_elastic_deformations(bulk.output.structure, order=2,
                                                     strain_magnitudes=list(self.strains),
                                                     symprec=self.symprec, sym_reduce=True)
        strained = relax_deformed(bulk.output.structure, deformations.output, self.engine, self.fmax,
                                  self.max_steps, self.displacement, self.fix_symmetry)
        fit = fit_elastic_tensor(bulk.output.structure, strained.output["strained"],
                                 equilibrium_stress=strained.output["equilibrium_stress"], order=2,
                                 symprec=self.symprec)
        return Flow([bulk, deformations, strained, fit], output=fit.output, name=self.name)


@job(name="strained cells, force-constant preconditioned")
def relax_deformed(structure: Structure, deformations: list, engine, fmax: float, max_steps: int = 200,
                   displacement: float = 0.01, fix_symmetry: Optional[float] = 0.01) -> dict:
    """The bulk and every deformed cell relaxed at fixed cell by BFGS starting from the bulk's Γ force constants,
    each keeping its own symmetry (ASE ``FixSymmetry`` at ``fix_symmetry`` Å, as atomate2's strained cells; None: off);
    their stresses (kbar, atomate2's force-field sign) in the form atomate2's ``fit_elastic_tensor`` takes
    (``strained``), the bulk's (``equilibrium_stress``), and what it cost (force ``evaluations``, BFGS ``steps``
    per cell, the force constants' ``lowest_modes``, eV/Å²)."""
    import logging
    import uuid

    import numpy as np
    from ase.constraints import FixSymmetry
    from ase.optimize import BFGS
    from pymatgen.analysis.elasticity import Deformation
    from pymatgen.io.ase import AseAtomsAdaptor

    from interfaces.analysis.internal_relaxation import (gamma_displacements, gamma_hessian, lowest_modes,
                                                         preconditioner)
    from workflows.engines.batched import batched_static
    from workflows.errors import EngineError

    log = logging.getLogger(__name__)
    eng = get_engine(engine)
    phonon, shifted = gamma_displacements(structure, displacement)
    hessian = gamma_hessian(phonon, [r.forces for r in batched_static(shifted, eng)])
    start = preconditioner(hessian)
    cells = [structure] + [Deformation(d).apply_to_structure(structure) for d in deformations]
    calc, stresses, steps = eng.calculator(), [], []
    for cell in cells:
        atoms = AseAtomsAdaptor.get_atoms(cell)
        atoms.calc = calc
        if fix_symmetry:
            atoms.set_constraint(FixSymmetry(atoms, symprec=fix_symmetry))
        opt = BFGS(atoms, logfile=None, maxstep=0.1)
        opt.H0 = start.copy()  # ASE's BFGS starts from H0 (set in its initialize); the bulk's Φ instead of 70·I
        if not opt.run(fmax=fmax, steps=max_steps):
            raise EngineError(f"strained cell of {structure.composition.reduced_formula}: forces not below {fmax} "
                              f"eV/Å after {max_steps} BFGS steps")
        stresses.append(-KBAR_PER_EV_A3 * atoms.get_stress(voigt=False))
        steps.append(int(opt.nsteps))
    evaluations = len(shifted) + sum(steps) + len(cells)
    log.info("elastic: %d cells below %g eV/Å in %d force evaluations (%d for the force constants)", len(cells),
             fmax, evaluations, len(shifted))
    tag = str(uuid.uuid4())
    return {"strained": [{"stress": s.tolist(), "deformation": np.asarray(d).tolist(), "uuid": tag, "job_dir": None,
                          "steps": n} for d, s, n in zip(deformations, stresses[1:], steps[1:])],
            "equilibrium_stress": stresses[0].tolist(), "evaluations": evaluations,
            "hessian_evaluations": len(shifted), "lowest_modes": lowest_modes(hessian)}


def fast_elastic_supported(engine) -> bool:
    """Force fields with batched evaluation take the fast path; DFT engines keep atomate2's full flow."""
    from workflows.engines.batched import supports_batching

    return supports_batching(get_engine(engine))


def elastic_flow(engine, structure: Structure, protocol: Optional[str] = None) -> Flow:
    """The elastic flow of ``engine`` for ``structure``: ``fast`` where supported, else atomate2's ``full``."""
    protocol = protocol or ("fast" if fast_elastic_supported(engine) else "full")
    if protocol == "fast":
        return FastElasticMaker(engine=engine).make(structure)
    return get_engine(engine).elastic_maker().make(structure)
