"""Deterministic fingerprints of structures and build settings."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pymatgen.core import Structure


def structure_token(structure: Structure, decimals: int = 6) -> dict[str, Any]:
    """Canonical, rounded description of a structure (lattice, species, fractional coords)."""
    return {
        "lattice": [[round(float(x), decimals) for x in row] for row in structure.lattice.matrix],
        "sites": [
            [site.species_string, [round(float(x) % 1.0, decimals) for x in site.frac_coords]]
            for site in structure
        ],
    }


def fingerprint(payload: Any) -> str:
    """SHA-256 of the canonical JSON of ``payload`` (structures as ``structure_token``)."""

    def default(obj):
        if isinstance(obj, Structure):
            return structure_token(obj)
        if hasattr(obj, "tolist"):
            return obj.tolist()
        raise TypeError(f"cannot fingerprint {type(obj).__name__}")

    text = json.dumps(payload, sort_keys=True, default=default, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
