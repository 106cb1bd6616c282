"""Helpers shared by the tests: the command line in a fresh process, an in-memory job store."""

import os
import subprocess
import sys


def ssbi(*args, data_dir, env=None, timeout=900, check=False):
    """Run the installed command line in a fresh process with its own data folder."""
    full_env = {**os.environ, "SSBI_DATA_DIR": str(data_dir), "COLUMNS": "200", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "ssbi.workflows.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"ssbi {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def memory_jobstore():
    """A connected jobflow JobStore in memory (mongomock), with the ``data`` store the MD and elastic flows use."""
    from jobflow import JobStore
    from maggma.stores import MemoryStore

    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    store.connect()
    return store
