"""What identifies a stored calculation: its fingerprint (structure with constraints, kind, target, engine)."""

from __future__ import annotations

from pymatgen.core import Structure

from ssbi.interfaces.fingerprint import fingerprint


def calc_fingerprint(structure: Structure, kind: str, target: str, engine_info: dict) -> str:
    """Identity of a calculation: structure (with constraints), kind, target, engine and settings."""
    return fingerprint({
        "kind": kind, "target": target, "structure": structure,
        "fixed": structure.site_properties.get("selective_dynamics"),
        "engine": engine_info,
    })
