"""Running a flow in this process (jobflow ``run_locally``), its job folders under the data folder."""

from __future__ import annotations

import fcntl
import logging
import os
from datetime import datetime
from pathlib import Path

from jobflow import Flow, JobStore, run_locally

from ssbi.interfaces.errors import SSBIError
from ssbi.workflows.paths import RUN_DONE, RUN_LOCK, data_dir


class RunFailedError(SSBIError):
    """A job raised; the message is its last error line (``reason``) and where its job folders are (``folder``)."""

    def __init__(self, message: str, reason: str = "", folder: Path | None = None):
        super().__init__(message)
        self.reason, self.folder = reason or message, folder


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.failures: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if "failed with exception" in message:
            lines = [ln for ln in message.splitlines() if ln.strip()]
            self.failures.append(lines[-1] if lines else message)


def run_flow(flow: Flow, store: JobStore) -> dict:
    """Run ``flow`` in this process into ``store`` (jobflow ``run_locally``).

    Job folders go under ``<data dir>/runs/run_<time>_<pid>/``, whose lock this process holds while the flow runs
    and which gets a ``.done`` marker when it ends (a folder with neither is a killed run's:
    :func:`ssbi.workflows.paths.leftover_runs`). Raises :class:`RunFailedError` with the failing job's error
    when any job fails.
    """
    root = data_dir() / "runs" / f"run_{datetime.now():%Y-%m-%d-%H-%M-%S-%f}_{os.getpid()}"
    root.mkdir(parents=True, exist_ok=True)
    with open(root / RUN_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _run(flow, store, root)
        finally:
            (root / RUN_DONE).touch()


def _run(flow: Flow, store: JobStore, root: Path) -> dict:
    logger = logging.getLogger("jobflow")
    capture = _Capture()
    logger.addHandler(capture)
    level, logger.level = logger.level, logging.INFO
    try:
        responses = run_locally(flow, store=store, root_dir=root, create_folders=True, log=False,
                                ensure_success=False)
    finally:
        logger.removeHandler(capture)
        logger.setLevel(level)
    if capture.failures or any(job.uuid not in responses for job, _ in flow.iterflow()):
        reason = capture.failures[0] if capture.failures else "a job did not run"
        raise RunFailedError(f"{flow.name} failed: {reason} (job folders under {root})", reason, root)
    return responses
