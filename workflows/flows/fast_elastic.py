"""Elastic tensors of force-field engines at a fraction of the full flow's cost, with atomate2's own deformations,
fit and :class:`ElasticDocument`.

Against atomate2's force-field elastic flow (``ForceFieldEngine.elastic_maker``) it changes only how the strained
cells are computed:
- the bulk relaxation starts from the already-relaxed bulk of the hull (``MechanicsMaker.make(start=...)``);
- the strain magnitudes are a setting (``strains``): atomate2's four by default; ±0.5 % alone halves the cells (its
  agreement measured only before converged cells were frozen: Li6PS5Cl K −4.8 % with 7net-0);
- all strained cells relax together in one batched torch-sim FIRE (:func:`workflows.engines.batched.batched_relax`),
  to the full flow's 0.002 eV/Å, without ASE's FixSymmetry (torch-sim 0.3.0 has no symmetry constraint).
``benchmarks/bench_elastic.py`` measures cost and agreement against the full flow; VASP keeps atomate2's full flow.
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
    """Tight bulk relaxation, atomate2's symmetry-reduced deformations at ``strains``, one batched fixed-cell
    relaxation of all of them (largest force below ``fmax`` eV/Å), atomate2's fit."""

    name: str = "fast elastic"
    engine: EngineLike = "chgnet"
    strains: tuple = (-0.01, -0.005, 0.005, 0.01)  # atomate2's magnitudes; (-0.005, 0.005) halves the cells
    fmax: float = 0.002  # the full flow's force criterion: at ±0.5 % a looser one moved G of Li2S by 3 %
    max_steps: int = 1000
    symprec: float = 0.1  # atomate2's SETTINGS.SYMPREC, as its flow

    def __post_init__(self):
        self.engine = as_spec(self.engine)

    def settings(self) -> dict:
        """What makes its numbers (part of a result's fingerprint)."""
        return {"protocol": "fast", "strains": list(self.strains), "fmax": self.fmax, "symprec": self.symprec}

    def make(self, structure: Structure) -> Flow:
        from atomate2.common.jobs.elastic import fit_elastic_tensor, generate_elastic_deformations

        bulk = get_engine(self.engine).elastic_maker().bulk_relax_maker.make(structure)
        deformations = generate_elastic_deformations(bulk.output.structure, order=2,
                                                     strain_magnitudes=list(self.strains),
                                                     symprec=self.symprec, sym_reduce=True)
        strained = relax_deformed(bulk.output.structure, deformations.output, self.engine, self.fmax, self.max_steps)
        fit = fit_elastic_tensor(bulk.output.structure, strained.output, equilibrium_stress=bulk.output.output.stress,
                                 order=2, symprec=self.symprec)
        return Flow([bulk, deformations, strained, fit], output=fit.output, name=self.name)


@job(name="batched strained relaxations")
def relax_deformed(structure: Structure, deformations: list, engine, fmax: float, max_steps: int) -> list[dict]:
    """Every deformed cell relaxed at fixed cell in one batch; their stresses (kbar, atomate2's force-field sign)
    in the form atomate2's ``fit_elastic_tensor`` takes."""
    import uuid

    import numpy as np
    from pymatgen.analysis.elasticity import Deformation

    from workflows.engines.batched import batched_relax

    cells = [Deformation(d).apply_to_structure(structure) for d in deformations]
    results = batched_relax(cells, get_engine(engine), fmax=fmax, max_steps=max_steps)
    tag = str(uuid.uuid4())
    return [{"stress": (-KBAR_PER_EV_A3 * np.asarray(r.stress)).tolist(), "deformation": np.asarray(d).tolist(),
             "uuid": tag, "job_dir": None, "steps": r.steps} for d, r in zip(deformations, results)]


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
