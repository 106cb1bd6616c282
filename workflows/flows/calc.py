"""Relaxation or single point of one structure with any engine, summarised as a CalcDoc."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from jobflow import Flow, job
from pymatgen.core import Structure

from ssbi.interfaces.phase_set import volume_verdict
from ssbi.workflows.engines.maker import EngineMaker
from ssbi.workflows.schemas import CalcDoc, EngineInfo
from ssbi.workflows.store.identity import calc_fingerprint


@job
def summarize_calc(task_doc, kind: str, target: str, fingerprint: str, engine_info: dict,
                   material: Optional[str] = None, study: Optional[str] = None, task_uuid: str = "",
                   initial: Optional[Structure] = None) -> CalcDoc:
    """Boil an engine's task document down to the queried fields.

    ``initial``: the input cell of a relaxed reference phase; its volume verdict is recorded.
    """
    output = task_doc.output
    structure = getattr(output, "structure", None) or task_doc.structure
    energy = float(output.energy)
    check = volume_verdict(initial, structure).as_dict() if initial is not None else None
    return CalcDoc(
        kind=kind, target=target, fingerprint=fingerprint, study=study,
        materials=[material] if material else [structure.composition.reduced_formula],
        formula=structure.composition.reduced_formula, reduced_formula=structure.composition.reduced_formula,
        chemsys=structure.composition.chemical_system, n_atoms=len(structure), energy=energy,
        energy_per_atom=energy / len(structure), volume=structure.volume, structure=structure,
        engine=EngineInfo(**engine_info), task_uuid=task_uuid, volume_check=check,
    )


@dataclass
class CalcMaker(EngineMaker):
    """Relax (``kind="relax"``) or single point (``"static"``) with ``engine``.

    ``target``: ``bulk`` relaxes the cell; ``slab``/``interface`` keep it and
    honour ``selective_dynamics``.
    """

    name: str = "calc"
    kind: str = "relax"
    target: str = "bulk"
    check_volume: bool = False  # reference phases: record whether the relaxed volume is trusted (phase sets)

    def fingerprint(self, structure: Structure) -> str:
        return calc_fingerprint(structure, self.kind, self.target, self.resolved.describe())

    def make(self, structure: Structure, material: Optional[str] = None, study: Optional[str] = None) -> Flow:
        engine = self.resolved
        maker = engine.relax_maker(self.target) if self.kind == "relax" else engine.static_maker(self.target)
        calc = maker.make(structure)
        summary = summarize_calc(calc.output, self.kind, self.target, self.fingerprint(structure), engine.describe(),
                                 material=material, study=study, task_uuid=calc.uuid,
                                 initial=structure if self.check_volume and self.kind == "relax" else None)
        summary.name = f"summary {self.kind} {structure.composition.reduced_formula}"
        label = material or structure.composition.reduced_formula
        jobs = [calc, summary]  # windows and reactions follow from the builder, run once by whoever asks for them
        return Flow(jobs, output=summary.output, name=f"{self.kind} {label} ({engine.name})")
