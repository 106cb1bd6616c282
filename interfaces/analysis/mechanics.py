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


EV_PER_A3_IN_GPA = 160.21766208


def strain_directions(crystal_system: str) -> list[int]:
    """Voigt strain components (0-5) that determine the tensor of a crystal in its standard Cartesian setting
    (axes along the conventional cell): cubic 2, tetragonal 4, any other system all 6."""
    return {"cubic": [0, 3], "tetragonal": [0, 2, 3, 5]}.get(crystal_system, [0, 1, 2, 3, 4, 5])


def voigt_strain_matrix(component: int, magnitude: float):
    """The symmetric 3x3 strain of one Voigt component (shears as engineering strain: ε_yz = γ/2)."""
    pairs = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)]
    i, j = pairs[component]
    eps = np.zeros((3, 3))
    if i == j:
        eps[i, i] = magnitude
    else:
        eps[i, j] = eps[j, i] = magnitude / 2
    return eps


def elastic_tensor_from_stresses(stresses: dict, magnitude: float, crystal_system: str):
    """6x6 Voigt tensor (GPa) from central differences of stresses.

    ``stresses``: {(component, sign): Voigt stress in GPa, positive in tension (ASE's sign)} for each
    component of :func:`strain_directions` and sign ±1, at strain ``magnitude``. The columns not strained
    are filled by the crystal system's symmetry; the result is symmetrised."""
    c = np.zeros((6, 6))
    for comp in strain_directions(crystal_system):
        c[:, comp] = (np.asarray(stresses[(comp, 1)]) - np.asarray(stresses[(comp, -1)])) / (2 * magnitude)
    if crystal_system == "cubic":
        c11, c12, c44 = c[0, 0], (c[1, 0] + c[2, 0]) / 2, c[3, 3]
        c = np.zeros((6, 6))
        c[:3, :3] = c12
        np.fill_diagonal(c[:3, :3], c11)
        c[3, 3] = c[4, 4] = c[5, 5] = c44
    elif crystal_system == "tetragonal":
        c[:, 1] = c[[1, 0, 2, 4, 3, 5], 0]  # y strain: x and y (and yz/xz) swapped
        c[:, 4] = c[[1, 0, 2, 4, 3, 5], 3]
    return (c + c.T) / 2
