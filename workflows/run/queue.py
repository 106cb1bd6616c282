"""Queue adapters (SLURM, PBS) from the templates in ``configs/fireworks``."""

from __future__ import annotations

from typing import Optional

import yaml

from ssbi.interfaces.errors import InputError
from ssbi.workflows.paths import CONFIG_DIR

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
