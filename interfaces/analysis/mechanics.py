"""Elastic moduli and the Monroe–Newman dendrite criterion (pure functions)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from pymatgen.analysis.elasticity import ElasticTensor

MONROE_NEWMAN_RATIO = 2.0  # G_electrolyte / G_Li above which Li protrusions are suppressed


@dataclass
class Moduli:
    """Voigt, Reuss and Hill bulk and shear moduli (GPa) of one elastic tensor."""

    k_voigt: float
    k_reuss: float
    k_vrh: float
    g_voigt: float
    g_reuss: float
    g_vrh: float
    mechanically_stable: bool  # all eigenvalues of the Voigt matrix positive (Born criteria)

    def as_dict(self) -> dict:
        return asdict(self)


def moduli(voigt_gpa) -> Moduli:
    """Moduli of a 6x6 Voigt elastic tensor in GPa."""
    c = np.asarray(voigt_gpa, dtype=float)
    if c.shape != (6, 6):
        raise ValueError(f"an elastic tensor in Voigt notation is 6x6, got {c.shape}")
    tensor = ElasticTensor.from_voigt(c)
    return Moduli(k_voigt=float(tensor.k_voigt), k_reuss=float(tensor.k_reuss), k_vrh=float(tensor.k_vrh),
                  g_voigt=float(tensor.g_voigt), g_reuss=float(tensor.g_reuss), g_vrh=float(tensor.g_vrh),
                  mechanically_stable=bool(np.all(np.linalg.eigvalsh((c + c.T) / 2) > 0)))


def monroe_newman(g_electrolyte: float, g_li: float) -> dict:
    """G_electrolyte / G_Li and the verdict of the Monroe–Newman criterion (ratio > 2 suppresses dendrites)."""
    if g_li <= 0:
        raise ValueError(f"the shear modulus of Li must be positive, got {g_li} GPa")
    ratio = g_electrolyte / g_li
    suppressing = ratio > MONROE_NEWMAN_RATIO
    return {"g_electrolyte": g_electrolyte, "g_li": g_li, "ratio": ratio, "suppresses_dendrites": suppressing,
            "verdict": (f"dendrite-suppressing (G/G_Li = {ratio:.1f} > {MONROE_NEWMAN_RATIO:g})" if suppressing
                        else f"not dendrite-suppressing (G/G_Li = {ratio:.1f} ≤ {MONROE_NEWMAN_RATIO:g})")}
