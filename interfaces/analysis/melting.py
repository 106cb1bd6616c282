"""Whether the framework of an MD cell (every atom but the mobile ion) stayed a solid.

A bulk diffusivity from MD above the material's melting point (LiI melts at 742 K, Li3N at 1086 K) is that of a
liquid, and an Arrhenius fit through it says nothing about the solid. A solid's framework atoms vibrate about their
sites: the drift-free mean squared displacement (MSD) levels off within ~0.5 ps (soft anions such as I take that
long). In a liquid it keeps growing, 6 D t. So the MSD slope at long lags tells them apart. Measured with CHGNet on
2 ps runs (1.5 ps analysed, 27–48 framework atoms): solids scatter by ±1.2e-6 cm²/s about zero (Li3N at 900 K, LiI
at 900 and 1200 K: a perfect crystal without a surface superheats), Li3N at 1200 K (above its 1086 K melting point)
flows at 4e-6; molten salts reach ~1e-5. Hence 2.5e-6 cm²/s.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from ssbi.interfaces.analysis.md import Trajectory

FLOW_DIFFUSIVITY = 2.5e-6  # cm²/s: a framework that diffuses faster has melted (or amorphised and flows)
VIBRATION_FS = 500.0  # fs: the framework's MSD rises to its vibrational plateau within this lag
SHORTEST_FS = 1200.0  # fs: shorter runs give no verdict
_A2_PER_FS_TO_CM2_PER_S = 0.1  # 1 Å²/fs = 1e-16 cm² / 1e-15 s


def framework_msd(traj: Trajectory, mobile: str = "Li", origins: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Lag times (fs) and the framework's MSD (Å²) at each lag, averaged over up to ``origins`` time origins and
    every framework atom, with the framework's own drift removed."""
    fw = np.array(traj.species) != mobile
    if not fw.any():
        raise ValueError(f"no framework: every atom is {mobile}")
    pos = traj.positions[:, fw]
    pos = pos - pos.mean(axis=1, keepdims=True)  # the framework's centre of mass is the reference
    n = len(pos)
    lags = np.arange(n)
    msd = np.zeros(n)
    counts = np.zeros(n)
    for t0 in np.unique(np.linspace(0, n // 2, min(origins, n // 2 + 1)).astype(int)):
        d = pos[t0:] - pos[t0]
        msd[: len(d)] += (d**2).sum(-1).mean(-1)
        counts[: len(d)] += 1
    keep = counts > 0
    return lags[keep] * traj.dt_fs, msd[keep] / counts[keep]


def framework_flow(traj: Trajectory, mobile: str = "Li") -> Optional[dict]:
    """The framework's diffusivity (cm²/s, from the MSD slope between 20 % (at least :data:`VIBRATION_FS`) and
    75 % of the longest lag), its MSD at the longest fitted lag (Å²), and whether it flows (``diffusivity`` >
    :data:`FLOW_DIFFUSIVITY`); None when the run is shorter than :data:`SHORTEST_FS` (its MSD is still the
    vibrations' rise) or every atom is mobile."""
    if traj.n_frames < 10 or (traj.n_frames - 1) * traj.dt_fs < SHORTEST_FS or all(s == mobile for s in traj.species):
        return None
    t, msd = framework_msd(traj, mobile)
    fit = (t >= max(0.2 * t[-1], VIBRATION_FS)) & (t <= 0.75 * t[-1])
    if fit.sum() < 3:
        return None
    slope = float(np.polyfit(t[fit], msd[fit], 1)[0])  # Å²/fs
    d = slope / 6 * _A2_PER_FS_TO_CM2_PER_S
    return {"species": sorted({s for s in traj.species if s != mobile}), "diffusivity": d,
            "msd_A2": float(msd[fit][-1]), "flows": bool(d > FLOW_DIFFUSIVITY)}
