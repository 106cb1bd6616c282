"""Wetting of a substrate by Li from the work of adhesion: the Young–Dupré contact angle.

W_ad = σ_Li (1 + cos θ), so cos θ = W_ad / σ_Li − 1. W_ad ≥ 2 σ_Li: Li spreads (θ = 0, complete wetting);
W_ad ≤ 0: no adhesion (θ = 180°). θ < 90° (W_ad > σ_Li) is what a lithiophilic interlayer (Ag, Au, ZnO, Li3N) is
chosen for: Li then plates as a film instead of islands. Both numbers must come from the same engine and the
same Li face.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass
class Wetting:
    theta_deg: float
    cos_theta: float  # W_ad / σ − 1 before clipping to [−1, 1]
    w_ad: float  # J/m²
    sigma: float  # J/m², the wetting metal's surface energy
    regime: str  # spreads | wets | does not wet | no adhesion

    def as_dict(self) -> dict:
        return asdict(self)


def young_dupre(w_ad: float, sigma: float) -> Wetting:
    """Contact angle of a metal of surface energy ``sigma`` on a substrate it adheres to with ``w_ad`` (J/m²)."""
    if sigma <= 0:
        raise ValueError(f"surface energy must be positive, got {sigma}")
    cos_theta = w_ad / sigma - 1.0
    theta = math.degrees(math.acos(max(-1.0, min(1.0, cos_theta))))
    regime = ("spreads" if cos_theta >= 1.0 else "wets" if theta < 90.0 else
              "no adhesion" if cos_theta <= -1.0 else "does not wet")
    return Wetting(theta_deg=theta, cos_theta=cos_theta, w_ad=w_ad, sigma=sigma, regime=regime)
