"""The analysis of one interface MD run, with its choices in one settings model.

:func:`analyse_md_run` turns a trajectory into what the MD document stores: Li
transport per region (after equilibration), composition and environment profiles
along the normal, the intact-PS4 fraction and reacted-zone thickness from the first
contact with its growth law, and RDFs of the last frames.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from pydantic import BaseModel, Field

from ssbi.interfaces.analysis.md import (
    Trajectory,
    composition_profile,
    diffusion,
    environment_profile,
    fit_growth_law,
    intact_units,
    rdf,
    reacted_thickness,
    regions_along_normal,
)
from ssbi.interfaces.analysis.melting import framework_flow


class MDAnalysisSettings(BaseModel):
    """Bins, slices and frames of the analysis (the defaults are what every stored MD document used)."""

    interface_width: float = Field(4.0, description="Å, the interface zone around the boundary")
    equilibration_ps: float = Field(0.2, description="ps left out of transport and RDFs")
    diffusion_min_obs: int = Field(5, description="fewest MSD observations for a diffusivity")
    profile_frames: int = Field(20, description="about this many frames for profiles and the reacted zone")
    profile_bins: int = Field(20, description="bins of the composition profile along the normal")
    slice_width: float = Field(3.0, description="Å, slices of the reacted-zone count (thermal motion stays in one)")
    rdf_frames: int = Field(3, description="last frames averaged in the RDFs")
    rdf_r_max: float = Field(6.0, description="Å")
    rdf_bins: int = 60


def analyse_md_run(run: dict, boundary: Optional[float], settings: MDAnalysisSettings = MDAnalysisSettings()) -> dict:
    """Per-temperature analysis of one MD run ({"trajectory": {species, lattice, positions}, "dt_fs",
    "temperature"}): transport per region after equilibration, whether the framework flowed (melted), composition
    and environment profiles, intact PS4 and the reacted zone from the first contact, its growth law, RDFs."""
    width, equilibration_ps = settings.interface_width, settings.equilibration_ps

    data = run["trajectory"]
    positions = np.array(data["positions"])
    skip = int(round(equilibration_ps * 1000 / run["dt_fs"]))
    skip = min(skip, max(len(positions) - 2, 0))
    # transport and RDFs after equilibration; the reaction front from the first contact (t = 0)
    full = Trajectory(data["species"], np.array(data["lattice"]), positions, run["dt_fs"], run["temperature"])
    traj = Trajectory(data["species"], np.array(data["lattice"]), positions[skip:], run["dt_fs"], run["temperature"])
    regions = regions_along_normal(traj.structure(0), boundary, width) if boundary is not None else None
    out: dict = {"temperature": run["temperature"], "n_frames": traj.n_frames, "dt_fs": run["dt_fs"],
                 "equilibration_frames": skip, "regions": regions}
    try:
        out["transport"] = [vars(t) for t in diffusion(traj, regions=regions, min_obs=settings.diffusion_min_obs)]
    except ValueError as exc:  # too short for a diffusivity
        out["transport"] = []
        out["transport_note"] = str(exc)
    out["framework"] = framework_flow(traj)  # did the non-Li atoms stay a solid (a molten cell's D is a liquid's)
    frames = list(range(0, full.n_frames, max(1, full.n_frames // settings.profile_frames)))
    times = [f * run["dt_fs"] / 1000 for f in frames]
    out["times_ps"] = times
    prof = composition_profile(full, bins=settings.profile_bins, frames=frames)
    out["profile_edges"] = prof["edges"].tolist()
    out["composition_profile"] = {el: prof[el].tolist() for el in set(data["species"])}
    if "P" in data["species"] and "S" in data["species"]:
        # intact PS4 per frame, once: its fraction, and the reacted zone = slices of ~slice_width (thermal motion
        # stays inside one) that lost more than half of their intact units
        length = prof["edges"][-1]
        edges = np.linspace(0, length, max(2, int(length // settings.slice_width)) + 1)
        fractions, counts, env = [], [], []
        for f in frames:
            s = full.structure(f)
            env.append(environment_profile(s, np.array(prof["edges"])))
            intact = intact_units(s)
            z = np.array([site.frac_coords[2] % 1.0 for site in s if site.specie.symbol == "P"]) * length
            fractions.append(float(intact.mean()))
            counts.append(np.histogram(z[intact], edges)[0])
        counts = np.array(counts, dtype=float)
        thickness = reacted_thickness(counts, edges, counts[0])
        out["intact_ps4_fraction"] = fractions
        # per slice (profile_edges) and frame: S bound to P vs Li only, P–Li contacts, Cl's Li coordination
        out["environments"] = {k: [[None if np.isnan(v) else float(v) for v in e[k]] for e in env]
                               for k in env[0] if "Cl" not in k or "Cl" in data["species"]}
        out["reacted_thickness"] = thickness.tolist()
        if len(times) >= 3 and np.ptp(thickness) > 0:
            out["growth"] = fit_growth_law(times[1:], thickness[1:]).as_dict()
    pairs = [("Li", "S"), ("P", "S")] if "S" in data["species"] else [("Li", "Li")]
    out["rdf"] = {}
    for a, b in pairs:
        if a in data["species"] and b in data["species"]:
            last = [traj.n_frames - 1 - i for i in range(min(settings.rdf_frames, traj.n_frames))]
            r, g = rdf(traj, a, b, last, r_max=settings.rdf_r_max, bins=settings.rdf_bins)
            out["rdf"][f"{a}-{b}"] = {"r": r.tolist(), "g": g.tolist()}
    return out
