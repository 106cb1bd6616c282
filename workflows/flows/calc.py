"""Relaxation or single point of one structure with any engine, summarised as a CalcDoc."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from jobflow import Flow, Maker, job
from pymatgen.core import Structure

from interfaces.fingerprint import fingerprint
from workflows.engines import DEFAULT_ENGINE, EngineLike, as_spec, get_engine
from workflows.schemas import CalcDoc, EngineInfo


def calc_fingerprint(structure: Structure, kind: str, target: str, engine_info: dict) -> str:
    """Identity of a calculation: structure (with constraints), kind, target, engine and settings."""
    return fingerprint({
        "kind": kind, "target": target, "structure": structure,
        "fixed": structure.site_properties.get("selective_dynamics"),
        "engine": engine_info,
    })


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
    check = None
    if initial is not None:
        from interfaces.phase_set import volume_verdict

        check = volume_verdict(initial, structure).as_dict()
    return CalcDoc(
        kind=kind, target=target, fingerprint=fingerprint, study=study,
        materials=[material] if material else [structure.composition.reduced_formula],
        formula=structure.composition.reduced_formula, reduced_formula=structure.composition.reduced_formula,
        chemsys=structure.composition.chemical_system, n_atoms=len(structure), energy=energy,
        energy_per_atom=energy / len(structure), volume=structure.volume, structure=structure,
        engine=EngineInfo(**engine_info), task_uuid=task_uuid, volume_check=check,
    )


@dataclass
class CalcMaker(Maker):
    """Relax (``kind="relax"``) or single point (``"static"``) with ``engine``.

    ``target``: ``bulk`` relaxes the cell; ``slab``/``interface`` keep it and
    honour ``selective_dynamics``.
    """

    name: str = "calc"
    engine: EngineLike = DEFAULT_ENGINE  # a name (its YAML defaults) or an EngineSpec; held as a spec
    kind: str = "relax"
    target: str = "bulk"
    check_volume: bool = False  # reference phases: record whether the relaxed volume is trusted (phase sets)

    def __post_init__(self):
        self.engine = as_spec(self.engine)

    def fingerprint(self, structure: Structure) -> str:
        return calc_fingerprint(structure, self.kind, self.target, get_engine(self.engine).describe())

    def make(self, structure: Structure, material: Optional[str] = None, study: Optional[str] = None) -> Flow:
        engine = get_engine(self.engine)
        maker = engine.relax_maker(self.target) if self.kind == "relax" else engine.static_maker(self.target)
        calc = maker.make(structure)
        info = engine.describe()
        summary = summarize_calc(calc.output, self.kind, self.target, self.fingerprint(structure), info,
                                 material=material, study=study, task_uuid=calc.uuid,
                                 initial=structure if self.check_volume and self.kind == "relax" else None)
        summary.name = f"summary {self.kind} {structure.composition.reduced_formula}"
        label = material or structure.composition.reduced_formula
        jobs = [calc, summary]  # windows and reactions follow from the builder, run once by whoever asks for them
        return Flow(jobs, output=summary.output, name=f"{self.kind} {label} ({engine.name})")
