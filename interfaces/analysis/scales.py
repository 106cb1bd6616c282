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

from ssbi.interfaces.errors import InputError

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


def _shifted(entry, energy: float, params: dict):
    """A copy of ``entry`` (structure kept where it has one) with a new total energy and parameters."""
    kwargs = dict(energy_adjustments=[], parameters=params, data=dict(entry.data), entry_id=entry.entry_id)
    if hasattr(entry, "structure"):
        return ComputedStructureEntry(entry.structure, energy, **kwargs)
    return ComputedEntry(entry.composition, energy, **kwargs)


def to_raw_gga(entries: Sequence) -> list:
    """Copies of MP2020-scale entries with the MP2020 corrections removed (raw-gga entries pass through)."""
    out = []
    for entry in entries:
        if scale_of(entry) == "raw-gga":
            out.append(entry)
            continue
        params = dict(entry.parameters)
        applied = params.pop("mp2020_correction_applied", None)  # came from to_mp2020: take back exactly that
        params.update(energy_scale="raw-gga",
                      mp2020_correction_removed=applied if applied is not None else mp2020_correction(entry))
        out.append(_shifted(entry, entry.energy - params["mp2020_correction_removed"], params))
    return out


def to_mp2020(entries: Sequence) -> list:
    """Copies of raw-GGA entries (SevenNet, uncorrected DFT) with pymatgen's MP2020 corrections applied once;
    each records ``mp2020_correction_applied`` (eV). MP2020-scale entries (CHGNet) pass through untouched, so
    no entry is ever corrected twice; an entry whose own record says it was corrected already is refused."""
    out = []
    for entry in entries:
        if scale_of(entry) == "mp2020":
            out.append(entry)
            continue
        params = dict(entry.parameters)
        if "mp2020_correction_applied" in params:
            raise InputError(f"entry {entry.composition.reduced_formula} says raw-gga but records an MP2020 "
                             "correction already applied: its scale is inconsistent")
        removed = params.pop("mp2020_correction_removed", None)  # came from to_raw_gga: give back exactly that
        correction = removed if removed is not None else mp2020_correction(entry)
        params.update(energy_scale="mp2020", mp2020_correction_applied=correction)
        out.append(_shifted(entry, entry.energy + correction, params))
    return out


def convert(entries: Sequence, scale: str) -> list:
    """Entries on ``scale``: mp2020 → raw-gga removes the MP2020 corrections, raw-gga → mp2020 applies them
    once (:func:`to_mp2020`)."""
    if scale not in ENERGY_SCALES:
        raise InputError(f"unknown energy scale {scale!r}: one of {', '.join(ENERGY_SCALES)}")
    current = common_scale(entries)
    if current == scale:
        return list(entries)
    return to_raw_gga(entries) if scale == "raw-gga" else to_mp2020(entries)
