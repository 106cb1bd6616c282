"""Many structures through one MLIP call: batched single points and fixed-cell relaxations with torch-sim.

torch-sim (``torch-sim-atomistic``) stacks the structures into one graph per model call and runs its FIRE on all of
them at once, dropping the converged ones. SevenNet comes with torch-sim's own wrapper; CHGNet, which torch-sim
does not wrap, goes through :class:`CHGNetBatchModel` (CHGNet's own batched graph forward). The weights are those
of the engine's process-wide ASE calculator, so the numbers are the same model's as one-at-a-time runs.

Units: energies eV, forces eV/Å, stresses eV/Å³ positive in tension (ASE's sign).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Iterable, Optional

import numpy as np
from pymatgen.core import Structure

from ssbi.workflows.errors import EngineError

log = logging.getLogger(__name__)
BATCH_ATOMS = 200  # atoms per model call on the CPU: the structures are split into chunks of about this size.
# Measured on 2 cores (7net-0, 50-atom LGPS cells, s per structure): one at a time 0.20, chunks of 100–200 atoms 0.21,
# 400 atoms 0.31, 1200 atoms 0.58; CHGNet (42-atom Li7P3S11): 0.09, 0.07, 0.07, 0.29. Large chunks only pay on a GPU.
BATCH_ATOMS_GPU = 2000
_MODELS: dict[str, object] = {}


@dataclass
class BatchResult:
    """One structure after a batched single point or relaxation."""

    structure: Structure
    energy: float  # eV (total)
    forces: np.ndarray  # (n, 3) eV/Å
    stress: np.ndarray  # (3, 3) eV/Å³, ASE sign (positive in tension)
    steps: int = 0  # optimiser steps (relaxations)

    @property
    def energy_per_atom(self) -> float:
        return self.energy / len(self.structure)


def supports_batching(engine) -> bool:
    """True for the engines torch-sim can drive here (CHGNet, SevenNet)."""
    return getattr(engine, "config", {}).get("package") in ("chgnet", "sevenn")


def batch_model(engine):
    """The torch-sim model of a force-field engine, built once per process from the engine's shared calculator."""
    if not supports_batching(engine):
        raise EngineError(f"engine {engine.name!r} has no batched evaluation (CHGNet and SevenNet do)")
    key = repr(engine.identity())
    if key not in _MODELS:
        calc = engine.calculator()
        _MODELS[key] = (SevenNetBatchModel if engine.config["package"] == "sevenn" else CHGNetBatchModel)(calc)
    return _MODELS[key]


def _model_class():
    from torch_sim.models.interface import ModelInterface

    return ModelInterface


def _chunks(structures: list[Structure], max_atoms: int) -> Iterable[list[int]]:
    """Indices of consecutive chunks of at most ``max_atoms`` atoms (a larger structure goes alone)."""
    chunk, size = [], 0
    for i, s in enumerate(structures):
        if chunk and size + len(s) > max_atoms:
            yield chunk
            chunk, size = [], 0
        chunk.append(i)
        size += len(s)
    if chunk:
        yield chunk


def _results(state, model, steps=None) -> list[BatchResult]:
    out = model(state)  # forces come from autograd: no no_grad here
    structures = state.to_structures()
    n = np.bincount(state.system_idx.cpu().numpy(), minlength=len(structures))
    forces = np.split(out["forces"].detach().cpu().double().numpy(), np.cumsum(n)[:-1])
    energy = out["energy"].detach().cpu().double().numpy()
    stress = out["stress"].detach().cpu().double().numpy()
    return [BatchResult(structure=s, energy=float(e), forces=f, stress=st,
                        steps=int(steps[i]) if steps is not None else 0)
            for i, (s, e, f, st) in enumerate(zip(structures, energy, forces, stress))]


def chunk_atoms(model) -> int:
    """Atoms per model call: :data:`BATCH_ATOMS` on the CPU, :data:`BATCH_ATOMS_GPU` on a GPU."""
    return BATCH_ATOMS if str(getattr(model, "device", "cpu")).startswith("cpu") else BATCH_ATOMS_GPU


def batched_static(structures: list[Structure], engine, max_atoms: Optional[int] = None) -> list[BatchResult]:
    """Energies, forces and stresses of ``structures``, in model calls of up to ``max_atoms`` atoms (default
    :func:`chunk_atoms`)."""
    import torch_sim as ts

    model = batch_model(engine)
    max_atoms = max_atoms or chunk_atoms(model)
    results: list[Optional[BatchResult]] = [None] * len(structures)
    for chunk in _chunks(structures, max_atoms):
        state = ts.initialize_state([structures[i] for i in chunk], model.device, model.dtype)
        for i, r in zip(chunk, _results(state, model)):
            results[i] = r
    return results


def batched_relax(structures: list[Structure], engine, fmax: float = 0.05, max_steps: int = 500,
                  max_atoms: Optional[int] = None) -> list[BatchResult]:
    """Fixed-cell FIRE relaxations of ``structures`` together, each until its largest force is below ``fmax``
    (eV/Å) or ``max_steps``; a converged structure stays where it converged (it is still evaluated with the
    batch: torch-sim's in-flight batcher would drop it, not done here yet). Raises when one does not converge."""
    import torch
    import torch_sim as ts

    model = batch_model(engine)
    max_atoms = max_atoms or chunk_atoms(model)
    results: list[Optional[BatchResult]] = [None] * len(structures)
    for chunk in _chunks(structures, max_atoms):
        state = ts.initialize_state([structures[i] for i in chunk], model.device, model.dtype)
        init, step = ts.optimizers.fire(model=model)
        opt = init(state)
        steps = np.zeros(len(chunk), dtype=int)
        done = _converged(opt, fmax)
        start = time.time()
        frozen = opt.positions.clone()  # a system stops where it converged, as a one-at-a-time relaxation does
        while not done.all() and steps.max() < max_steps:
            opt = step(opt)
            steps[~done] += 1
            still = torch.as_tensor(done)[opt.system_idx]
            opt.positions[still] = frozen[still]
            opt.velocities[still] = 0.0
            newly = _converged(opt, fmax) & ~done
            atoms = torch.as_tensor(newly)[opt.system_idx]
            frozen[atoms] = opt.positions[atoms]
            done = done | newly
            if steps.max() % 50 == 0:
                log.info("batched relaxation: %d/%d converged after %d steps (%.0f s)", done.sum(), len(done),
                         steps.max(), time.time() - start)
        if not done.all():
            bad = [structures[chunk[k]].composition.reduced_formula for k in np.flatnonzero(~done)]
            raise EngineError(f"batched relaxation: {len(bad)} structure(s) ({', '.join(sorted(set(bad)))}) not "
                              f"below fmax {fmax} eV/Å after {max_steps} steps")
        final = ts.SimState(positions=opt.positions, masses=opt.masses, cell=opt.cell, pbc=opt.pbc,
                            atomic_numbers=opt.atomic_numbers, system_idx=opt.system_idx)
        for i, r in zip(chunk, _results(final, model, steps)):
            results[i] = r
    return results


def _converged(opt, fmax: float) -> np.ndarray:
    """Per system: is its largest atomic force below ``fmax``?"""
    import torch

    norm = torch.linalg.norm(opt.forces, dim=1)
    n = int(opt.system_idx.max().item()) + 1
    worst = torch.zeros(n, dtype=norm.dtype).scatter_reduce(0, opt.system_idx, norm, reduce="amax")
    return (worst < fmax).cpu().numpy()


class _BatchModel:
    """Base of the torch-sim adapters below (torch-sim's ModelInterface is subclassed on first use)."""

    def __new__(cls, *args, **kwargs):
        base = _model_class()
        if not issubclass(cls, base):
            cls = type(cls.__name__, (cls, base), {})
        return object.__new__(cls)

    def __init__(self):
        import torch

        torch.nn.Module.__init__(self)
        self._device = torch.device("cpu")
        self._dtype = torch.float32
        self._compute_stress = True
        self._compute_forces = True
        self._memory_scales_with = "n_atoms"


class CHGNetBatchModel(_BatchModel):
    """CHGNet for torch-sim: one batched CHGNet forward (``task="efs"``) for all systems of a state."""

    def __init__(self, calculator):
        super().__init__()
        self.chgnet = calculator.model

    def forward(self, state, **kwargs) -> dict:
        import torch

        structures = state.to_structures()
        out = self.chgnet([self.chgnet.graph_converter(s) for s in structures], task="efs")
        n = torch.tensor([len(s) for s in structures], dtype=torch.float64)
        energy = out["e"].detach().double() * n  # CHGNet predicts eV/atom
        forces = torch.cat([f.detach() for f in out["f"]])
        # CHGNet's stress: GPa with ASE's sign (its calculator only converts units), as torch-sim's
        stress = torch.stack([s.detach() for s in out["s"]]).double() / 160.21766208
        return {"energy": energy.to(self._dtype), "forces": forces.to(self._dtype), "stress": stress.to(self._dtype)}


class SevenNetBatchModel(_BatchModel):
    """SevenNet for torch-sim: sevenn's own graphs of each system, collated into one batch for one forward.

    (torch-sim 0.3.0's SevenNet wrapper imports names sevenn 0.13 no longer has, and sevenn's own wrapper needs a
    newer torch-sim than PyPI offers here.)"""

    def __init__(self, calculator):
        import copy

        super().__init__()
        self.model = copy.deepcopy(calculator.model)  # the calculator's copy stays in single-graph mode
        self.model.set_is_batch_data(True)
        self.model.eval()
        self.cutoff = float(calculator.cutoff)
        self.modal = getattr(calculator, "modal", None)

    def forward(self, state, **kwargs) -> dict:
        import sevenn._keys as KEY
        import torch
        from pymatgen.io.ase import AseAtomsAdaptor
        from sevenn.atom_graph_data import AtomGraphData
        from sevenn.train.dataload import unlabeled_atoms_to_graph
        from torch_geometric.data import Batch

        graphs = []
        for s in state.to_structures():
            g = AtomGraphData.from_numpy_dict(unlabeled_atoms_to_graph(AseAtomsAdaptor.get_atoms(s), self.cutoff,
                                                                       with_shift=False))
            if self.modal:
                g[KEY.DATA_MODALITY] = self.modal
            graphs.append(g)
        out = self.model(Batch.from_data_list(graphs))
        stress = -out[KEY.PRED_STRESS].detach()[:, [0, 1, 2, 4, 5, 3]]  # as sevenn's calculator: ASE's sign
        full = torch.stack([stress[:, 0], stress[:, 5], stress[:, 4], stress[:, 5], stress[:, 1], stress[:, 3],
                            stress[:, 4], stress[:, 3], stress[:, 2]], dim=1).reshape(-1, 3, 3)
        return {"energy": out[KEY.PRED_TOTAL_ENERGY].detach().reshape(-1).to(self._dtype),
                "forces": out[KEY.PRED_FORCE].detach().to(self._dtype), "stress": full.to(self._dtype)}
