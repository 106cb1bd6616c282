"""Where ssbi keeps its data: one folder per project, shared by every process.

``data_dir`` (``SSBI_DATA_DIR``, see :mod:`ssbi.configs.settings`) names the folder
outright; otherwise it is ``$XDG_DATA_HOME/ssb-interfaces/<project>``
(``~/.local/share/...``) with ``project`` (``SSBI_PROJECT``, default ``default``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ssbi.configs import CONFIG_DIR  # noqa: F401 - re-exported; configs/ here, inside the wheel when installed
from ssbi.configs.settings import settings, settings_file
from ssbi.configs.settings import user_config_dir as folder
from ssbi.interfaces.errors import InputError

REPO_ROOT = Path(__file__).resolve().parent.parent  # the source tree (tests and their recorded data only)


def data_dir() -> Path:
    """The project's data folder (created on first use); one line naming the setting when it cannot be."""
    current = settings()
    _check_settings_file()
    if current.data_dir:
        path = Path(current.data_dir).expanduser()
        name = "SSBI_DATA_DIR"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
        path = base / "ssb-interfaces" / current.project
        name = "the data folder (XDG_DATA_HOME / SSBI_PROJECT)"
    fix = "set SSBI_DATA_DIR to a folder you can write"
    if path.exists() and not path.is_dir():
        raise InputError(f"{name} {path} is a file, not a folder: {fix}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{name} {path} cannot be made ({exc.strerror or type(exc).__name__}"
                         f"{': ' + str(exc.filename) if exc.filename and str(exc.filename) != str(path) else ''}): "
                         f"{fix}") from None
    return path.resolve()


def user_config_dir() -> Path:
    """Per-user settings outside the installation (credentials, the settings file live here)."""
    return folder()


_WARNED: set = set()
_SECRET = re.compile(r"(?im)^\s*(password|passwd|pwd)\s*:\s*\S|mongodb(\+srv)?://[^/\s:@]+:[^/\s@]+@")


def _check_settings_file() -> None:
    """The user's settings file (it may hold ``mongodb_uri`` with a password) checked by :func:`check_private`."""
    import stat

    path = settings_file()
    try:
        if path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH) and str(path) not in _WARNED:
            check_private(path, path.read_text(errors="replace"))
    except OSError:
        return


def check_private(path: Path, text: str) -> None:
    """A settings file that holds a password and that others may read: one warning line naming it and the fix (once
    per file and process). The password itself is never printed."""
    import stat
    import sys

    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH) and _SECRET.search(text) and str(path) not in _WARNED:
        _WARNED.add(str(path))
        print(f"warning: {path} holds a password and others can read it: chmod 600 {path}", file=sys.stderr)


RUN_LOCK, RUN_DONE = ".ssbi-run.lock", ".ssbi-run.done"  # in each run folder (ssbi.workflows.run.local.run_flow)


def lock_state(path: Path) -> str:
    """``held`` (a live process holds the ``flock`` on ``path``; the kernel drops it when the process dies),
    ``free``, or ``missing``."""
    import fcntl

    try:
        with open(path) as fh:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return "free"
    except BlockingIOError:
        return "held"
    except OSError:
        return "missing"


def run_is_alive(folder: Path) -> bool:
    """Whether a process still runs the flow of this run folder (it holds the folder's lock)."""
    return lock_state(folder / RUN_LOCK) == "held"


def leftover_runs(folder: Path | None = None) -> list[Path]:
    """Run folders of killed runs under ``<data dir>/runs``: not ended (no done marker) and no process holds them;
    job folders of earlier versions (``runs/job_*``, no marker at all) count too."""
    runs = (folder or data_dir()) / "runs"
    if not runs.is_dir():
        return []
    return sorted(p for p in runs.iterdir() if p.is_dir() and (
        p.name.startswith("job_") or (p.name.startswith("run_") and not (p / RUN_DONE).exists()
                                      and not run_is_alive(p))))
