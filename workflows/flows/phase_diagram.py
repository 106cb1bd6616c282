"""Relax every library phase of a chemical system with one engine, then update the analyses.

``PhaseDiagramMaker(engine).make("Li-P-S-Cl")``: one bulk relaxation (``CalcMaker``)
per library phase whose elements lie in the system (the caller skips those already
stored), then ``update_stability``, which runs the :class:`StabilityBuilder` on the
store the flow runs with (locally or on a FireWorks worker) and returns a
:class:`PhaseDiagramDoc`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from jobflow import Flow, Maker, job
from pydantic import BaseModel, Field

from workflows.engines import DEFAULT_ENGINE, get_engine
from workflows.entries import elements_of


class PhaseDiagramDoc(BaseModel):
    """Summary of one engine's hull of a chemical system after the relaxations."""

    kind: str = "phase_diagram"
    chemsys: str
    engine: str
    energy_scale: str
    n_entries: int
    stable: list[str]
    e_above_hull: dict[str, float] = Field(description="eV/atom, lowest entry per formula")
    missing_elements: list[str] = Field(default_factory=list)
    analysis: dict = Field(default_factory=dict, description="builder counts: computed, unchanged, removed, failed")
    errors: list[str] = Field(default_factory=list)


def library_phases(chemsys) -> list[str]:
    """Library materials made only of the elements of ``chemsys``."""
    from pymatgen.core import Composition

    from interfaces.materials import list_materials

    elements = set(elements_of(chemsys))
    return [m.name for m in list_materials()
            if {el.symbol for el in Composition(m.formula).elements} <= elements]


@dataclass
class PhaseDiagramMaker(Maker):
    """Bulk relaxations of a system's library phases with ``engine`` and the stability update."""

    name: str = "phase diagram"
    engine: str = DEFAULT_ENGINE
    variant: str = "experimental"

    def structure(self, name: str):
        """The cell relaxed for ``name``: the primitive cell of its library structure (bulk energy only)."""
        from interfaces.materials import load

        return load(name, self.variant).get_primitive_structure()

    def calc_flows(self, chemsys, skip: Sequence[str] = ()) -> list[Flow]:
        from workflows.flows.calc import CalcMaker

        maker = CalcMaker(engine=self.engine, kind="relax", target="bulk", refresh_stability=False)
        return [maker.make(self.structure(name), material=name) for name in library_phases(chemsys)
                if name not in skip]

    def make(self, chemsys, skip: Sequence[str] = ()) -> Flow:
        """``skip``: library names already relaxed with this engine (their stored results are used)."""
        elements = elements_of(chemsys)
        calcs = self.calc_flows(elements, skip)
        update = update_stability("-".join(elements), self.engine, [c.output.uuid for c in calcs])
        update.name = f"stability update {'-'.join(elements)}"
        update.config.expose_store = True  # it reads the entries and writes the analyses
        return Flow([*calcs, update], output=update.output,
                    name=f"phase diagram {'-'.join(elements)} ({get_engine(self.engine).name})")


@job
def update_stability(chemsys: str, engine: str, after: Optional[list] = None) -> PhaseDiagramDoc:
    """Run the stability builder on the store this job runs with; summarise the system's hull.

    ``after`` only orders this job behind the relaxations.
    """
    from jobflow import CURRENT_JOB

    from workflows.builders import StabilityBuilder
    from workflows.stability import analysis_store

    store = CURRENT_JOB.store
    builder = StabilityBuilder(store.docs_store, analysis_store(store), engine=engine)
    counts = builder.run_all()
    return summarize_hull(store, chemsys, engine, counts, builder.errors)


@job
def refresh_stability(engine: str, after=None) -> dict:
    """Bring the window/reaction documents up to date after a new entry (never fails the flow)."""
    from jobflow import CURRENT_JOB

    from workflows.builders import StabilityBuilder
    from workflows.stability import analysis_store

    try:
        store = CURRENT_JOB.store
        builder = StabilityBuilder(store.docs_store, analysis_store(store), engine=engine)
        return {**builder.run_all(), "errors": builder.errors}
    except Exception as exc:  # noqa: BLE001 - the relaxation itself is stored; analyses can be redone
        return {"errors": [f"stability refresh failed: {exc}"]}


def summarize_hull(store, chemsys: str, engine: str, counts: dict, errors: list[str]) -> PhaseDiagramDoc:
    from interfaces.analysis.hull import e_above_hull, phase_diagram
    from interfaces.analysis.scales import common_scale
    from interfaces.errors import SSBIError
    from workflows.entries import entries_from_store

    elements = elements_of(chemsys)
    entries = entries_from_store(store, elements, engine)
    have = {el.symbol for e in entries for el in e.composition.elements if e.composition.is_element}
    missing = [el for el in elements if el not in have]
    scale = common_scale(entries) if entries else "unknown"
    stable, above = [], {}
    if entries and not missing:
        try:
            pd = phase_diagram(entries, elements)
            stable = sorted(e.composition.reduced_formula for e in pd.stable_entries)
            for e in entries:
                f = e.composition.reduced_formula
                above[f] = min(above.get(f, float("inf")), e_above_hull(pd, e))
        except SSBIError as exc:
            errors = [*errors, str(exc)]
    return PhaseDiagramDoc(chemsys="-".join(elements), engine=engine, energy_scale=scale, n_entries=len(entries),
                           stable=stable, e_above_hull=above, missing_elements=missing, analysis=counts,
                           errors=errors)
