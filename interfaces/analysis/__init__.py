"""Thermodynamic analyses over pymatgen entries: hulls, windows, reactions, interphases.

Pure functions: they take entries or phase diagrams and return plain results; the
workflow layer decides where the entries come from and stores what comes out.
"""

from ssbi.interfaces.analysis.hull import PhaseDiagramCache, e_above_hull, entries_in_chemsys, place_on_hull
from ssbi.interfaces.analysis.interphase import classify_interphase, load_band_gaps
from ssbi.interfaces.analysis.reactions import interfacial_reaction
from ssbi.interfaces.analysis.scales import ENERGY_SCALES, to_raw_gga
from ssbi.interfaces.analysis.window import stability_window, voltage_profile

__all__ = [
    "ENERGY_SCALES",
    "PhaseDiagramCache",
    "classify_interphase",
    "e_above_hull",
    "entries_in_chemsys",
    "interfacial_reaction",
    "load_band_gaps",
    "place_on_hull",
    "stability_window",
    "to_raw_gga",
    "voltage_profile",
]
