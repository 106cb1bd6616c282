"""Queue adapters (SLURM, PBS) from the templates in ``configs/fireworks``."""

from __future__ import annotations

from typing import Optional

import yaml

from interfaces.errors import InputError
from workflows.paths import CONFIG_DIR

TEMPLATES = ("slurm", "pbs")


def make_qadapter(template: str = "slurm", walltime: Optional[str] = None, queue: Optional[str] = None,
                  account: Optional[str] = None, **overrides):
    """A FireWorks CommonAdapter whose jobs run ``ssbi worker``."""
    from fireworks.utilities.fw_serializers import load_object

    if template not in TEMPLATES:
        raise InputError(f"unknown queue template {template!r}; choose one of: {', '.join(TEMPLATES)}")
    config = yaml.safe_load((CONFIG_DIR / "fireworks" / f"qadapter_{template}.yaml").read_text())
    for key, value in {"walltime": walltime, "queue": queue, "account": account, **overrides}.items():
        if value is not None:
            config[key] = value
    config = {k: v for k, v in config.items() if v is not None}
    return load_object(config)


def cost_estimates() -> dict:
    """Measured wall seconds per task (``configs/fireworks/cost_estimates.yaml``)."""
    return yaml.safe_load((CONFIG_DIR / "fireworks" / "cost_estimates.yaml").read_text())


def estimate_core_hours(task, runner) -> float:
    """Core-hours of one study task from the measured costs: the hull from its plan (what is shipped or stored
    costs a look-up), mechanics per material and elastic protocol (measured, else per atom of the primitive
    cell), the rest per task."""
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
            relax = len(p.library_to_relax) + (len(p.to_relax) if p.to_relax is not None else
                                               h["polymorphs_per_formula"] * len(set(p.formulas.values())))
            seconds += len(p.to_screen) * h["single_point"] + relax * h["relaxation"]
    elif kind == "mechanics":
        from workflows.bulks import bulk_cell
        from workflows.flows.mechanics import MechanicsMaker

        name = task.materials[0]
        protocol = MechanicsMaker(engine=runner.mechanics_spec, protocol=runner.mechanics_protocol).elastic_protocol()
        m = cost["mechanics"][protocol]
        seconds = m["measured"].get(name) or m["per_atom"] * len(bulk_cell(name).get_primitive_structure())
    else:
        seconds = float(cost.get(kind, 0) or 0)
    return seconds * cost["cores"] / 3600
