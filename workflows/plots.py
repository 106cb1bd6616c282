"""Plots of stored results (matplotlib, written as PNG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from interfaces.adhesion import uber  # noqa: E402


def plot_uber(doc: dict, path: Path) -> Path:
    """Binding energy vs gap with the UBER fit."""
    data = doc["uber"]
    gaps = np.array(data["gaps"])
    fine = np.linspace(gaps.min(), gaps.max(), 200)
    fig, ax = plt.subplots(figsize=(5, 3.6), dpi=150)
    ax.plot(gaps, data["binding_energy"], "o", color="C0", label=f"{doc['engine']['name']} single points")
    ax.plot(fine, uber(fine, data["w_ad"], data["d0"], data["length"]), "-", color="C1",
            label=f"UBER: W = {data['w_ad']:.2f} J/m², d0 = {data['d0']:.2f} Å, λ = {data['length']:.2f} Å")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("film–substrate gap (Å)")
    ax.set_ylabel("binding energy (J/m²)")
    ax.set_title(f"{doc['film']}{tuple(doc['film_miller'])} | {doc['substrate']}{tuple(doc['substrate_miller'])}",
                 fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)


def plot_registry(doc: dict, path: Path) -> Path:
    """Heat map of the binding energy over in-plane film shifts."""
    data = doc["registry"]
    shifts = np.array(data["shifts"])
    n = int(round(np.sqrt(len(shifts))))
    grid = np.array(data["binding_energy"]).reshape(n, n)
    fig, ax = plt.subplots(figsize=(4.2, 3.6), dpi=150)
    image = ax.imshow(grid.T, origin="lower", cmap="viridis", extent=(-0.5 / n, 1 - 0.5 / n, -0.5 / n, 1 - 0.5 / n))
    for (a, b), value in zip(shifts, data["binding_energy"]):
        ax.text(a, b, f"{value:.3f}", ha="center", va="center", fontsize=7, color="white")
    ax.plot(*data["best"], "r+", ms=14)
    ax.set_xlabel("shift along a (fraction)")
    ax.set_ylabel("shift along b (fraction)")
    ax.set_title("rigid binding energy (J/m²)", fontsize=9)
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)
