"""Adhesions whose interface build found no cell under its limits, remembered per result fingerprint in the data
folder: nothing is stored for a failure, and without this a study rebuilt every such pair on each re-run. The
fingerprint holds both structures, the build settings and the engine, so a changed limit is a new pair; ``--force``
builds again."""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Optional

from ssbi.interfaces.errors import NoMatchError
from ssbi.workflows.paths import data_dir

FILE = "no_match.json"
_MARK = f"{NoMatchError.__module__}.{NoMatchError.__qualname__}: "


def no_match_message(exc: BaseException) -> Optional[str]:
    """The builder's one line when ``exc`` is a no-match, raised here or inside a job (RunFailedError), else None."""
    if isinstance(exc, NoMatchError):
        return str(exc).splitlines()[0]
    reason = getattr(exc, "reason", None)  # RunFailedError: the failing job's last error line
    if not isinstance(reason, str) or _MARK not in reason:
        return None
    return reason.split(_MARK, 1)[1].splitlines()[0]


def _key(fingerprints: Iterable[str]) -> str:
    return "|".join(sorted(fingerprints))


@contextmanager
def _locked():
    path = data_dir() / FILE
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield path


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):  # none yet, or damaged: forgetting only costs a rebuild
        return {}


def remembered(fingerprints: Iterable[str]) -> Optional[dict]:
    """{"message", "at"} of a remembered no-match of these results, else None."""
    return _read(data_dir() / FILE).get(_key(fingerprints))


def remember(fingerprints: Iterable[str], message: str) -> None:
    """Note that these results have no cell (written atomically under a lock: workers share the data folder)."""
    with _locked() as path:
        memo = _read(path)
        memo[_key(fingerprints)] = {"message": message, "at": time.strftime("%Y-%m-%d %H:%M")}
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(memo, indent=1))
        os.replace(tmp, path)


def forget(fingerprints: Iterable[str]) -> None:
    """Drop a remembered no-match (a forced build found a cell)."""
    with _locked() as path:
        memo = _read(path)
        if memo.pop(_key(fingerprints), None) is not None:
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(memo, indent=1))
            os.replace(tmp, path)
