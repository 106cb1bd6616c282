"""Helpers shared by the tests: the command line (in this process, or a fresh one where that is what is tested), an
in-memory job store."""

import os
import subprocess
import sys
import traceback
from dataclasses import dataclass


@dataclass
class Completed:
    """What a finished command left: its exit code and output (as subprocess.CompletedProcess has them)."""

    args: list
    returncode: int
    stdout: str
    stderr: str


def ssbi(*args, data_dir, env=None, timeout=900, check=False, fresh_process=False):
    """Run the command line with its own data folder: in this process (typer's CliRunner: models and modules are
    loaded once per test worker), or in a fresh one (``fresh_process``: where the process itself is under test).
    Returns a CompletedProcess-like object either way."""
    args = [str(a) for a in args]
    full_env = {"SSBI_DATA_DIR": str(data_dir), "COLUMNS": "200", **(env or {})}
    if fresh_process:
        proc = subprocess.run([sys.executable, "-m", "ssbi.workflows.cli", *args], capture_output=True, text=True,
                              env={**os.environ, **full_env}, timeout=timeout)
        done = Completed(proc.args, proc.returncode, proc.stdout, proc.stderr)
    else:
        done = _in_process(args, full_env)
    if check and done.returncode != 0:
        raise AssertionError(f"ssbi {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def _in_process(args: list[str], env: dict) -> Completed:
    from typer.testing import CliRunner

    from ssbi.workflows.cli import app

    result = CliRunner().invoke(app, args, env=env, catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # as a fresh process would show it: the traceback on stderr, exit code 1
        stderr += "".join(traceback.format_exception(result.exception))
    return Completed(["ssbi", *args], result.exit_code, result.stdout, stderr)


def memory_jobstore():
    """A connected jobflow JobStore in memory (mongomock), with the ``data`` store the MD and elastic flows use."""
    from jobflow import JobStore
    from maggma.stores import MemoryStore

    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    store.connect()
    return store
