"""The cost model of a study's submission: measured wall seconds per task (``configs/fireworks/cost_estimates.yaml``)."""

from __future__ import annotations

import yaml

from ssbi.interfaces.build_settings import BuildSettings
from ssbi.workflows.flows.mechanics import MechanicsMaker
from ssbi.workflows.paths import CONFIG_DIR
from ssbi.workflows.store.lookup import bulk_cell
from ssbi.workflows.study.spec import adhesion_relaxes


def cost_estimates() -> dict:
    """Measured wall seconds per task (``configs/fireworks/cost_estimates.yaml``)."""
    return yaml.safe_load((CONFIG_DIR / "fireworks" / "cost_estimates.yaml").read_text())


def estimate_core_hours(task, runner) -> float:
    """Core-hours of one study task from the measured costs: the hull from its plan (what is shipped or stored
    costs a look-up), mechanics per material and elastic protocol (measured, else per atom of the primitive
    cell), adhesion rigid or relaxed and scaled to the pair's cell limit, the rest per task."""
    cost = cost_estimates()
    kind = task.analysis
    if kind == "hull":
        plans = runner.analysis(task).plans(runner.store)
        h = cost["hull"]
        seconds = 0.0
        for p in plans.values():
            if p.complete:
                seconds += h["shipped_system"]
                continue
            # before its single points, a system relaxes a few polymorphs of each formula it has not relaxed yet
            new = {p.formulas[i] for i in p.to_screen} - {p.formulas[i] for i in p.relaxed if i in p.formulas}
            relax = len(p.library_to_relax) + (len(p.to_relax) if p.to_relax is not None else
                                               h["polymorphs_per_formula"] * len(new))
            seconds += len(p.to_screen) * h["single_point"] + relax * h["relaxation"]
    elif kind == "mechanics":
        name = task.materials[0]
        protocol = MechanicsMaker(engine=runner.mechanics_engine, protocol=runner.mechanics_protocol).elastic_protocol()
        m = cost["mechanics"][protocol]
        seconds = m["measured"].get(name) or m["per_atom"] * len(bulk_cell(name).get_primitive_structure())
    elif kind == "adhesion":
        seconds = adhesion_seconds(cost["adhesion"], adhesion_relaxes(runner.spec, task),
                                   runner.adhesion_build(*task.materials, task.options.get("stack", False)))
    else:
        seconds = float(cost.get(kind, 0) or 0)
    return seconds * cost["cores"] / 3600


def adhesion_seconds(cost: dict, relaxed: bool, build: dict) -> float:
    """Wall seconds of one adhesion: the measured rigid or relaxed seconds at the measured cell limit
    (``cost["at_max_atoms"]``), scaled to the pair's ``max_atoms`` by ``(max_atoms / at_max_atoms) ** exponent``
    (rigid: single points, linear; relaxed: steps x atoms, ``relaxed_exponent``). The built cell is not known
    before the build, so its limit stands for it: pairs whose cells are far below their limit are overestimated."""
    limit = build.get("max_atoms", BuildSettings.model_fields["max_atoms"].default)
    ratio = float(limit) / cost["at_max_atoms"]
    if relaxed:
        return cost["relaxed"] * ratio ** cost["relaxed_exponent"]
    return cost["rigid"] * ratio
