"""The hull update after a phase set.

``update_stability`` runs the :class:`StabilityBuilder` on the store the job runs
with (locally or on a FireWorks worker) and returns a :class:`PhaseDiagramDoc`: how
many structures were screened and relaxed (here, stored before, or shipped), which
relaxations the volume check kept out, and the hull. The phase set itself is
:mod:`ssbi.workflows.flows.phase_set`.
"""

from __future__ import annotations

from typing import Optional

from jobflow import CURRENT_JOB, job
from pydantic import BaseModel, Field

from ssbi.interfaces.analysis.hull import e_above_hull, formula_name, phase_diagram
from ssbi.interfaces.analysis.scales import common_scale
from ssbi.interfaces.errors import SSBIError
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.engines.spec import EngineLike
from ssbi.workflows.stability.builder import StabilityBuilder
from ssbi.workflows.store.derived import analysis_store
from ssbi.workflows.store.entries import elements_of, entries_from_store, rejected_relaxations


class PhaseDiagramDoc(BaseModel):
    """Summary of one engine's hull of a chemical system after its phase set."""

    kind: str = "phase_diagram"
    chemsys: str
    engine: str
    energy_scale: str
    n_entries: int
    n_shipped_entries: int = Field(0, description="entries taken from the shipped reference set")
    stable: list[str]
    e_above_hull: dict[str, float] = Field(description="eV/atom, lowest entry per formula")
    phase_set: dict = Field(default_factory=dict, description="reference structures, library phases, single points "
                                                               "and relaxations: computed here, stored or shipped")
    rejected: list[dict] = Field(default_factory=list, description="relaxations kept out of the hull by the volume "
                                                                   "check (label, formula, volume change, reason)")
    missing_elements: list[str] = Field(default_factory=list)
    analysis: dict = Field(default_factory=dict, description="builder counts: computed, unchanged, removed, failed")
    errors: list[str] = Field(default_factory=list)


@job
def update_stability(chemsys: str, engine: EngineLike, after: Optional[list] = None,
                     phase_set: Optional[dict] = None) -> PhaseDiagramDoc:
    """Run the stability builder on the store this job runs with; summarise the system's hull.

    ``engine``: the spec the job carries (resolved once, here). ``after`` only orders this job behind the
    relaxations; ``phase_set``: the plan's counts and the selection.
    """
    store, eng = CURRENT_JOB.store, get_engine(engine)
    builder = StabilityBuilder(store.docs_store, analysis_store(store), engine=eng)
    counts = builder.run_all()
    return summarize_hull(store, chemsys, eng, counts, builder.errors, phase_set or {})


def summarize_hull(store, chemsys: str, engine, counts: dict, errors: list[str],
                   phase_set: Optional[dict] = None) -> PhaseDiagramDoc:
    """The :class:`PhaseDiagramDoc` of ``chemsys`` from the stored and shipped entries of the resolved ``engine``."""
    elements = elements_of(chemsys)
    entries = entries_from_store(store, elements, engine)
    have = {el.symbol for e in entries for el in e.composition.elements if e.composition.is_element}
    missing = [el for el in elements if el not in have]
    scale = common_scale(entries) if entries else "unknown"
    stable, above = [], {}
    if entries and not missing:
        try:
            pd = phase_diagram(entries, elements)
            stable = sorted({formula_name(e.composition) for e in pd.stable_entries})
            for e in entries:
                f = formula_name(e.composition)
                above[f] = min(above.get(f, float("inf")), e_above_hull(pd, e))
        except SSBIError as exc:
            errors = [*errors, str(exc)]
    shipped = sum(1 for e in entries if (e.parameters or {}).get("origin") == "shipped")
    return PhaseDiagramDoc(chemsys="-".join(elements), engine=engine.name, energy_scale=scale, n_entries=len(entries),
                           n_shipped_entries=shipped, stable=stable, e_above_hull=above, phase_set=phase_set or {},
                           rejected=rejected_relaxations(store, elements, engine), missing_elements=missing,
                           analysis=counts, errors=errors)
