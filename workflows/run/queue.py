"""Queue jobs (SLURM, PBS) that run ``ssbi worker``: the job script from ``configs/fireworks`` and its submission."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

import yaml

from ssbi.interfaces.errors import InputError
from ssbi.workflows.errors import LaunchPadError
from ssbi.workflows.paths import CONFIG_DIR

TEMPLATES = ("slurm", "pbs")
SUBMIT_COMMANDS = {"SLURM": "sbatch", "PBS": "qsub"}
JOB_ID_PATTERNS = {"SLURM": r"Submitted batch job\s+(\d+)", "PBS": r"^\s*(\d+)"}
THREADS_KEY = {"SLURM": "cpus_per_task", "PBS": "ppnode"}


def submitting_environment() -> str:
    """Shell lines that make this interpreter's ``ssbi`` runnable in a job: its venv activated, or its conda/system
    prefix put first on PATH (recorded at submit time; a login shell or bare node would not have it)."""
    prefix = Path(sys.prefix)
    activate = prefix / "bin" / "activate"
    if sys.prefix != sys.base_prefix and activate.is_file():
        return f"source {shlex.quote(str(activate))}"
    lines = [f"export PATH={shlex.quote(str(Path(sys.executable).parent))}:\"$PATH\""]
    if os.environ.get("CONDA_PREFIX") == sys.prefix:
        lines.append(f"export CONDA_PREFIX={shlex.quote(sys.prefix)}")
    return "\n".join(lines)


def make_qadapter(template: str = "slurm", walltime: Optional[str] = None, queue: Optional[str] = None,
                  account: Optional[str] = None, pre_rocket: Optional[str] = None, job_env: Optional[dict] = None,
                  log_dir: Optional[Path] = None, **overrides):
    """A FireWorks CommonAdapter whose jobs run ``ssbi worker`` in the environment ``pre_rocket`` sets up (default:
    the template's, else :func:`submitting_environment`), with ``job_env`` (SSBI_DATA_DIR ...) exported."""
    from fireworks.utilities.fw_serializers import load_object

    if template not in TEMPLATES:
        raise InputError(f"unknown queue template {template!r}; choose one of: {', '.join(TEMPLATES)}")
    folder = CONFIG_DIR / "fireworks"
    config = yaml.safe_load((folder / f"qadapter_{template}.yaml").read_text())
    if config.get("_fw_template_file"):
        config["_fw_template_file"] = str(folder / config["_fw_template_file"])
    for key, value in {"walltime": walltime, "queue": queue, "account": account, "pre_rocket": pre_rocket,
                       **overrides}.items():
        if value is not None:
            config[key] = value
    config["pre_rocket"] = config.get("pre_rocket") or submitting_environment()
    config["threads"] = config.get(THREADS_KEY[config["_fw_q_type"]]) or 1
    config["log_dir"] = str(log_dir) if log_dir else None
    for key, value in (job_env or {}).items():
        config[f"ssbi_{key}"] = shlex.quote(str(value)) if value is not None else None
    config = {k: v for k, v in config.items() if v is not None}
    return load_object(config)


def submit_script(qadapter, script: Path) -> str:
    """Submit ``script`` with the scheduler's command; its job id, or one line saying why not."""
    command = SUBMIT_COMMANDS[qadapter.q_type]
    if shutil.which(command) is None:
        raise LaunchPadError(f"`{command}` is not on PATH: run `ssbi queue` where the {qadapter.q_type} commands are "
                             "(a login node)")
    try:
        proc = subprocess.run([command, str(script)], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise LaunchPadError(f"`{command}` did not answer within 60 s: is the scheduler up?") from None
    if proc.returncode != 0:
        reason = (proc.stderr.strip() or proc.stdout.strip() or f"exit {proc.returncode}").splitlines()[-1]
        raise LaunchPadError(f"{command} refused the job: {reason[:200]}")
    found = re.search(JOB_ID_PATTERNS[qadapter.q_type], proc.stdout)
    if found is None:
        raise LaunchPadError(f"{command} printed no job id: {proc.stdout.strip()[:200]!r}")
    return found.group(1)
