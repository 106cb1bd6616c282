"""Analysis of (AI)MD trajectories of interfaces: Li transport per region and interphase growth.

A trajectory here is a :class:`Trajectory`: species, the (fixed) lattice, unwrapped
Cartesian positions per frame and the time between frames. Regions are slabs along
the interface normal (the c axis of builder cells), assigned by each atom's
position in the first frame. Diffusivities come from pymatgen-analysis-diffusion's
``DiffusionAnalyzer`` (which removes the drift of the framework); conductivities
from Nernst–Einstein with the Li density of the region.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional, Sequence

import numpy as np
from pymatgen.core import Lattice, Structure

E_CHARGE = 1.602176634e-19  # C
K_B = 1.380649e-23  # J/K


@dataclass
class Trajectory:
    """Unwrapped Cartesian positions (n_frames, n_atoms, 3) in Å; ``dt_fs`` between frames."""

    species: list[str]
    lattice: np.ndarray
    positions: np.ndarray
    dt_fs: float
    temperature: float

    @property
    def n_frames(self) -> int:
        return self.positions.shape[0]

    def structure(self, frame: int = 0) -> Structure:
        return Structure(Lattice(self.lattice), self.species, self.positions[frame], coords_are_cartesian=True)

    @classmethod
    def from_structures(cls, frames: Sequence[Structure], dt_fs: float, temperature: float) -> "Trajectory":
        """From wrapped structures (one per frame): unwrap by the minimum-image jump between frames."""
        lattice = frames[0].lattice.matrix
        frac = np.array([f.frac_coords for f in frames])
        jumps = np.diff(frac, axis=0)
        jumps -= np.round(jumps)
        unwrapped = np.concatenate([frac[:1], frac[:1] + np.cumsum(jumps, axis=0)])
        return cls([s.specie.symbol for s in frames[0]], lattice, unwrapped @ lattice, dt_fs, temperature)


@dataclass
class Transport:
    """Tracer diffusivity (cm²/s) and Nernst–Einstein conductivity (mS/cm) of one region."""

    region: str
    n_ions: int
    diffusivity: float
    diffusivity_std: float
    conductivity: float
    conductivity_std: float
    msd_time_ps: list
    msd: list  # Å², drift removed, averaged over the region's ions


def regions_along_normal(structure: Structure, boundary: float, width: float, axis: int = 2) -> dict:
    """Electrode above ``boundary`` (Å along the axis), electrolyte below, and an interface zone of
    ``width`` Å centred on it: {name: (low, high)} in Å."""
    length = structure.lattice.abc[axis]
    half = width / 2
    return {"electrolyte": (0.0, boundary - half), "interface": (boundary - half, boundary + half),
            "electrode": (boundary + half, length)}


def _in_region(z: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (z >= bounds[0]) & (z < bounds[1])


def diffusion(traj: Trajectory, specie: str = "Li", regions: Optional[dict] = None, axis: int = 2,
              min_obs: int = 30) -> list[Transport]:
    """Diffusivity and conductivity of ``specie`` in the whole cell and in each region.

    Region membership is by the position in the first frame; the framework (all
    other species) defines the drift that is removed.
    """
    from pymatgen.analysis.diffusion.analyzer import DiffusionAnalyzer

    disp = np.transpose(traj.positions - traj.positions[0], (1, 0, 2))  # (atoms, frames, 3)
    symbols = np.array(traj.species)
    mobile = symbols == specie
    z0 = traj.positions[0, :, axis]
    volume = abs(np.linalg.det(traj.lattice))
    area = volume / np.linalg.norm(traj.lattice[axis])
    out = []
    for name, bounds in [("cell", None), *((regions or {}).items())]:
        chosen = mobile if bounds is None else mobile & _in_region(z0, bounds)
        keep = chosen | ~mobile
        if chosen.sum() == 0:
            continue
        sub = Structure(Lattice(traj.lattice), list(symbols[keep]), traj.positions[0][keep],
                        coords_are_cartesian=True)
        # pymatgen's smoothed MSD starts at 1 ps; shorter runs use every time origin from 0
        smoothed = "max" if traj.n_frames * traj.dt_fs > 5000 else False
        da = DiffusionAnalyzer(sub, disp[keep], specie, traj.temperature, time_step=traj.dt_fs, step_skip=1,
                               smoothed=smoothed, min_obs=min_obs)
        region_volume = volume if bounds is None else area * (bounds[1] - bounds[0])
        density = chosen.sum() / (region_volume * 1e-24)  # ions per cm³
        factor = density * E_CHARGE**2 / (K_B * traj.temperature) * 1000  # (mS/cm) per (cm²/s)
        pick = np.unique(np.linspace(0, len(da.dt) - 1, min(50, len(da.dt))).astype(int))
        out.append(Transport(name, int(chosen.sum()), float(da.diffusivity), float(da.diffusivity_std_dev),
                             float(da.diffusivity * factor), float(da.diffusivity_std_dev * factor),
                             (np.asarray(da.dt)[pick] / 1000).tolist(), np.asarray(da.msd)[pick].tolist()))
    return out


def arrhenius(temperatures: Sequence[float], diffusivities: Sequence[float], structure: Structure,
              specie: str = "Li", room_temperature: float = 300.0) -> dict:
    """Activation energy (eV) and the conductivity (mS/cm) extrapolated to ``room_temperature``."""
    from pymatgen.analysis.diffusion.analyzer import fit_arrhenius, get_extrapolated_conductivity

    ea, c, sc = fit_arrhenius(temperatures, diffusivities)
    sigma = get_extrapolated_conductivity(temperatures, diffusivities, room_temperature, structure, specie)
    return {"activation_energy": float(ea), "prefactor": float(np.exp(c)), "activation_energy_std": sc,
            "conductivity_room_temperature": float(sigma), "room_temperature": room_temperature}


def composition_profile(traj: Trajectory, bins: int = 20, axis: int = 2, frames: Optional[Sequence[int]] = None
                        ) -> dict:
    """Atoms of each element per slice along the normal, per frame: {element: (n_frames, bins)}."""
    length = np.linalg.norm(traj.lattice[axis])
    frames = list(range(traj.n_frames)) if frames is None else list(frames)
    frac = (traj.positions[frames] @ np.linalg.inv(traj.lattice))[:, :, axis] % 1.0
    edges = np.linspace(0, 1, bins + 1)
    out = {"edges": edges * length, "frames": frames}
    for el in sorted(set(traj.species)):
        mask = np.array(traj.species) == el
        out[el] = np.array([np.histogram(f[mask], edges)[0] for f in frac])
    return out


def intact_units(structure: Structure, center: str = "P", ligand: str = "S", n_ligands: int = 4,
                 cutoff: float = 2.4) -> np.ndarray:
    """For each ``center`` atom: True when it has exactly ``n_ligands`` ``ligand`` neighbours
    within ``cutoff`` Å and no other ``center`` neighbour (an intact PS4 unit)."""
    idx = [i for i, s in enumerate(structure) if s.specie.symbol == center]
    intact = []
    for i in idx:
        neigh = structure.get_neighbors(structure[i], cutoff)
        n_lig = sum(1 for n in neigh if n.specie.symbol == ligand)
        n_cen = sum(1 for n in neigh if n.specie.symbol == center)
        intact.append(n_lig == n_ligands and n_cen == 0)
    return np.array(intact, dtype=bool)


# neighbour cut-offs (Å): P–S bond in PS4 ~2.05; Li–P in Li3P ~2.5–2.8; Li–Cl in LiCl 2.57, argyrodite ~2.4–2.9
ENVIRONMENT_CUTOFFS = {"P-S": 2.4, "Li-P": 2.9, "Li-Cl": 3.0}


def environment_profile(structure: Structure, edges: np.ndarray, axis: int = 2,
                        cutoffs: Optional[dict] = None) -> dict:
    """Coordination environments per slice along the normal (counts, by the atom's slice):

    ``S_bound_to_P`` and ``S_Li_only`` (S with no P within the P–S cut-off: sulfide from reduced PS4),
    ``P_Li_contacts`` (Li neighbours of P within the Li–P cut-off, summed: reduced, phosphide-like P),
    ``Cl_Li_coordination`` (mean Li neighbours per Cl; NaN where a slice has no Cl).
    """
    cut = {**ENVIRONMENT_CUTOFFS, **(cutoffs or {})}
    length = structure.lattice.abc[axis]
    z = np.array([site.frac_coords[axis] % 1.0 for site in structure]) * length
    bins = np.clip(np.digitize(z, edges) - 1, 0, len(edges) - 2)
    n = len(edges) - 1
    out = {k: np.zeros(n) for k in ("S_bound_to_P", "S_Li_only", "P_Li_contacts")}
    cl_sum, cl_n = np.zeros(n), np.zeros(n)
    r_max = max(cut.values())
    for i, site in enumerate(structure):
        el = site.specie.symbol
        if el not in ("S", "P", "Cl"):
            continue
        neigh = structure.get_neighbors(site, r_max)
        if el == "S":
            bound = any(nb.specie.symbol == "P" and nb.nn_distance <= cut["P-S"] for nb in neigh)
            out["S_bound_to_P" if bound else "S_Li_only"][bins[i]] += 1
        elif el == "P":
            out["P_Li_contacts"][bins[i]] += sum(1 for nb in neigh if nb.specie.symbol == "Li"
                                                 and nb.nn_distance <= cut["Li-P"])
        else:
            cl_sum[bins[i]] += sum(1 for nb in neigh if nb.specie.symbol == "Li" and nb.nn_distance <= cut["Li-Cl"])
            cl_n[bins[i]] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        out["Cl_Li_coordination"] = np.where(cl_n > 0, cl_sum / np.maximum(cl_n, 1), np.nan)
    return out


def reacted_thickness(profile: np.ndarray, edges: np.ndarray, reference: np.ndarray, threshold: float = 0.5
                      ) -> np.ndarray:
    """Thickness (Å) of the slices whose signal left its starting value by more than ``threshold``
    (a fraction of it), per frame. ``profile``: (n_frames, bins), e.g. intact-unit counts
    per slice; ``reference``: the signal of the first frame."""
    width = np.diff(edges)
    ref = np.where(reference > 0, reference, np.nan)
    changed = np.abs(profile - reference) / ref > threshold
    return np.nansum(np.where(changed, width, 0.0), axis=1)


@dataclass
class GrowthFit:
    law: str  # linear | parabolic
    rate: float  # Å/ps (linear) or Å/ps^0.5 (parabolic)
    offset: float
    rmse_linear: float
    rmse_parabolic: float

    def as_dict(self) -> dict:
        return asdict(self)


def fit_growth_law(times_ps: Sequence[float], thickness: Sequence[float]) -> GrowthFit:
    """Fit h = h0 + k t (reaction-limited) and h = h0 + k √t (diffusion-limited); keep the better."""
    t = np.asarray(times_ps, dtype=float)
    h = np.asarray(thickness, dtype=float)
    fits = {}
    for law, x in (("linear", t), ("parabolic", np.sqrt(t))):
        a = np.vstack([x, np.ones_like(x)]).T
        (k, h0), *_ = np.linalg.lstsq(a, h, rcond=None)
        fits[law] = (float(k), float(h0), float(np.sqrt(np.mean((a @ [k, h0] - h) ** 2))))
    best = min(fits, key=lambda k: fits[k][2])
    return GrowthFit(best, fits[best][0], fits[best][1], fits["linear"][2], fits["parabolic"][2])


def rdf(traj: Trajectory, a: str, b: str, frames: Sequence[int], r_max: float = 6.0, bins: int = 60,
        region: Optional[tuple[float, float]] = None, axis: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """g(r) of ``b`` around ``a`` (``a`` atoms in ``region`` only), averaged over ``frames``."""
    edges = np.linspace(0, r_max, bins + 1)
    counts = np.zeros(bins)
    n_a_total = 0
    symbols = np.array(traj.species)
    lattice = Lattice(traj.lattice)
    n_b = int((symbols == b).sum())
    for f in frames:
        pos = traj.positions[f]
        sel_a = symbols == a
        if region is not None:
            z = (pos @ np.linalg.inv(traj.lattice))[:, axis] % 1.0 * np.linalg.norm(traj.lattice[axis])
            sel_a &= _in_region(z, region)
        if not sel_a.any():
            continue
        fa = lattice.get_fractional_coords(pos[sel_a])
        fb = lattice.get_fractional_coords(pos[symbols == b])
        d = lattice.get_all_distances(fa, fb)
        d = d[d > 1e-6]
        counts += np.histogram(d, edges)[0]
        n_a_total += int(sel_a.sum())
    shell = 4 / 3 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    density = n_b / lattice.volume
    g = counts / max(n_a_total, 1) / (shell * density)
    return (edges[1:] + edges[:-1]) / 2, g
