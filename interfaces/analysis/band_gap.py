"""Band gap from an occupation-resolved density of states (a DFT code's DOS on its SCF k-mesh)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HARTREE_EV = 27.211386245988


@dataclass(frozen=True)
class BandGap:
    """Gap (eV) between the highest filled and the lowest empty state of the mesh; 0 for a metal."""

    gap: float
    vbm: float  # eV, the code's energy zero
    cbm: float
    metallic: bool


def band_gap_from_dos(energy: np.ndarray, density: np.ndarray, occupation: np.ndarray,
                      partial: float = 0.05) -> BandGap:
    """Gap from bins of a DOS histogram: ``energy`` (eV), ``density`` (states per bin) and ``occupation``
    (electrons in the bin). A bin is filled where occupation/density is the full per-state value (the largest
    ratio), empty where it is ~0; any bin in between by more than ``partial`` (a state at the Fermi level) or an
    empty bin below a filled one makes it a metal."""
    energy, density, occupation = (np.asarray(a, float) for a in (energy, density, occupation))
    states = density > 0
    if not states.any():
        raise ValueError("the DOS has no states")
    ratio = np.where(states, occupation / np.where(states, density, 1.0), 0.0)
    full = ratio[states].max()
    if full <= 0:
        raise ValueError("the DOS has no occupied states")
    fill = ratio / full
    filled = states & (fill > 1 - partial)
    empty = states & (fill < partial)
    vbm = float(energy[filled].max()) if filled.any() else float(energy[states].min())
    if not empty.any():
        raise ValueError("the DOS has no empty states: add unoccupied orbitals (CP2K: ADDED_MOS)")
    cbm = float(energy[empty].min())
    partly = states & ~filled & ~empty
    if partly.any() or cbm < vbm:
        return BandGap(0.0, vbm, cbm, True)
    return BandGap(cbm - vbm, vbm, cbm, False)


def read_cp2k_dos(text: str) -> BandGap:
    """The gap in a CP2K ``*.dos`` file (columns: energy in Hartree, density, occupation; spin channels after)."""
    rows = [ln.split() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not rows:
        raise ValueError("empty CP2K DOS file")
    data = np.array(rows, dtype=float)
    if data.shape[1] >= 5:  # unrestricted: density and occupation per spin
        density, occupation = data[:, 1] + data[:, 3], data[:, 2] + data[:, 4]
    else:
        density, occupation = data[:, 1], data[:, 2]
    return band_gap_from_dos(data[:, 0] * HARTREE_EV, density, occupation)
