"""Where ssbi keeps its data: one folder per project, shared by every process.

``SSBI_DATA_DIR`` names the folder outright; otherwise it is
``$XDG_DATA_HOME/ssb-interfaces/<project>`` (``~/.local/share/...``) with the
project from ``SSBI_PROJECT`` (default ``default``).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO_ROOT / "configs"


def data_dir() -> Path:
    """The project's data folder (created on first use)."""
    env = os.environ.get("SSBI_DATA_DIR")
    if env:
        path = Path(env).expanduser()
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
        path = base / "ssb-interfaces" / os.environ.get("SSBI_PROJECT", "default")
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def user_config_dir() -> Path:
    """Per-user settings outside the repository (credentials live here)."""
    base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return base / "ssb-interfaces"
