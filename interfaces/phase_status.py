"""What is known about a reference phase: hypothetical (never made: LiS4, Li2S2, P2S7 ...) or of unstated origin.

The curated list is ``configs/reference/phase_status.yaml`` (the reference CIFs carry no ICSD ids, so the data
cannot tell). A hull "of known phases" leaves the hypothetical ones out: a chemist does not write LiS4 as a product.
An entry is recognised by its reference id (``data.material`` of shipped and stored entries, or an MP id at the
start of ``entry_id``: ``mp-1546006-GGA``) and, for entries with neither, by its reduced formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import yaml
from pymatgen.core import Composition

from ssbi.configs.settings import settings

_MP_ID = re.compile(r"^(mp-\d+)")


@dataclass(frozen=True)
class PhaseStatus:
    status: str  # hypothetical | unknown
    why: str = ""


def status_file() -> Path:
    return Path(settings().config_dir) / "reference" / "phase_status.yaml"


@lru_cache(maxsize=2)
def _curated(path: str) -> tuple[dict[str, str], dict[str, str]]:
    """(reduced formula -> why, reference id -> reduced formula) of the hypothetical phases."""
    raw = yaml.safe_load(Path(path).read_text())["hypothetical"]
    formulas = {Composition(f).reduced_formula: " ".join(row["why"].split()) for f, row in raw.items()}
    ids = {i: Composition(f).reduced_formula for f, row in raw.items() for i in row.get("ids", [])}
    return formulas, ids


def curated() -> tuple[dict[str, str], dict[str, str]]:
    return _curated(str(status_file()))


def phase_status(ref_id: Optional[str] = None, formula: Optional[str] = None) -> PhaseStatus:
    """Status of a reference id or formula (either)."""
    formulas, ids = curated()
    reduced = ids.get(ref_id or "") or (Composition(formula).reduced_formula if formula else None)
    if reduced in formulas:
        return PhaseStatus("hypothetical", formulas[reduced])
    return PhaseStatus("unknown")


def entry_ref_id(entry) -> Optional[str]:
    """The reference (MP) id of an entry: its ``data.material`` when that is an id, else an MP ``entry_id``."""
    entry = getattr(entry, "original_entry", entry)
    for value in ((getattr(entry, "data", None) or {}).get("material"), getattr(entry, "entry_id", None)):
        match = _MP_ID.match(str(value or ""))
        if match:
            return match.group(1)
    return None


def is_hypothetical(entry) -> bool:
    """A curated hypothetical phase (by id; by formula for an entry of a reference id or without a name). A library
    material with a hypothetical formula is the user's own phase and is kept."""
    ref = entry_ref_id(entry)
    material = (getattr(getattr(entry, "original_entry", entry), "data", None) or {}).get("material")
    if ref is None and material:  # a library phase: the user put it there
        return False
    return phase_status(ref, entry.composition.reduced_formula).status == "hypothetical"


def known_phases(entries: Iterable) -> list:
    """``entries`` without the curated hypothetical phases."""
    return [e for e in entries if not is_hypothetical(e)]
