"""Energy scales of entries: ``mp2020`` (MP2020 anion/U corrections included) and ``raw-gga``.

CHGNet's pretrained energies are already on the MP2020 scale (its training labels
had MaterialsProject2020Compatibility applied); applying MP2020 again counts the
anion corrections twice. ``to_raw_gga`` removes them instead, to compare with
literature computed without anion corrections. Every entry carries its scale in
``entry.parameters["energy_scale"]``; never build one hull from mixed scales.
"""

from __future__ import annotations

from typing import Sequence

from pymatgen.entries.computed_entries import ComputedEntry, ComputedStructureEntry

from interfaces.errors import InputError

ENERGY_SCALES = ("mp2020", "raw-gga")


def scale_of(entry) -> str:
    scale = (getattr(entry, "parameters", None) or {}).get("energy_scale")
    if scale not in ENERGY_SCALES:
        raise InputError(f"entry {entry.composition.reduced_formula} ({getattr(entry, 'entry_id', '?')}) has no "
                         f"energy_scale in its parameters (one of {', '.join(ENERGY_SCALES)})")
    return scale


def common_scale(entries: Sequence) -> str:
    """The one scale of ``entries``; mixed scales are an error."""
    scales = {scale_of(e) for e in entries}
    if len(scales) != 1:
        raise InputError(f"entries on mixed energy scales {sorted(scales)}: convert them first (--scale)")
    return scales.pop()


def mp2020_correction(entry) -> float:
    """The total MP2020 correction (eV) a raw-GGA entry of this structure would receive."""
    from pymatgen.entries.compatibility import MaterialsProject2020Compatibility

    probe = (ComputedStructureEntry(entry.structure, 0.0, parameters={"run_type": "GGA", "hubbards": {}})
             if hasattr(entry, "structure") else
             ComputedEntry(entry.composition, 0.0, parameters={"run_type": "GGA", "hubbards": {}}))
    compat = MaterialsProject2020Compatibility(check_potcar=False)
    return float(sum(adj.value for adj in compat.get_adjustments(probe)))


def to_raw_gga(entries: Sequence) -> list:
    """Copies of MP2020-scale entries with the MP2020 corrections removed (raw-gga entries pass through)."""
    out = []
    for entry in entries:
        if scale_of(entry) == "raw-gga":
            out.append(entry)
            continue
        params = {**entry.parameters, "energy_scale": "raw-gga", "mp2020_correction_removed": mp2020_correction(entry)}
        kwargs = dict(energy_adjustments=[], parameters=params, data=dict(entry.data), entry_id=entry.entry_id)
        energy = entry.energy - params["mp2020_correction_removed"]
        if hasattr(entry, "structure"):
            out.append(ComputedStructureEntry(entry.structure, energy, **kwargs))
        else:
            out.append(ComputedEntry(entry.composition, energy, **kwargs))
    return out


def convert(entries: Sequence, scale: str) -> list:
    """Entries on ``scale`` (only mp2020 → raw-gga is defined; the reverse would need the raw data)."""
    if scale not in ENERGY_SCALES:
        raise InputError(f"unknown energy scale {scale!r}: one of {', '.join(ENERGY_SCALES)}")
    current = common_scale(entries)
    if current == scale:
        return list(entries)
    if scale == "raw-gga":
        return to_raw_gga(entries)
    raise InputError("raw-gga entries cannot be put on the mp2020 scale here: apply MP2020 to the raw "
                     "calculations (pymatgen MaterialsProject2020Compatibility) before loading them")
