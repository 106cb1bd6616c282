"""MD analysis on synthetic trajectories with known answers."""

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure

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

D_SET = 1e-5  # cm²/s
DT_FS = 20.0


def random_walk(n_li=64, n_frames=1500, d_cm2s=D_SET, drift_a_per_frame=0.0, seed=3):
    """Li walkers (Gaussian steps, 2 D dt per axis) among fixed S framework atoms in a 20 Å box."""
    rng = np.random.default_rng(seed)
    box = 20.0
    n_fw = 64
    sigma = np.sqrt(2 * d_cm2s * 1e16 * DT_FS * 1e-15)  # Å per axis per frame
    start_li = rng.uniform(0, box, (n_li, 3))
    start_fw = np.stack(np.meshgrid(*[np.arange(4) * 5.0] * 3), -1).reshape(-1, 3)[:n_fw]
    steps = rng.normal(0, sigma, (n_frames - 1, n_li, 3))
    li = np.concatenate([start_li[None], start_li[None] + np.cumsum(steps, axis=0)])
    fw = np.repeat(start_fw[None], n_frames, axis=0)
    pos = np.concatenate([li, fw], axis=1)
    pos += drift_a_per_frame * np.arange(n_frames)[:, None, None] * np.array([1.0, 0.5, 0.0])
    return Trajectory(["Li"] * n_li + ["S"] * n_fw, np.eye(3) * box, pos, DT_FS, 600.0)


def test_random_walk_diffusivity_is_recovered():
    cell = diffusion(random_walk())[0]
    assert cell.region == "cell" and cell.diffusivity == pytest.approx(D_SET, rel=0.10)
    assert cell.conductivity > 0 and cell.diffusivity_std > 0


def test_drift_of_the_whole_frame_is_removed():
    drifting = diffusion(random_walk(drift_a_per_frame=0.05))[0]  # 1 Å/ps drift, far above the diffusion
    assert drifting.diffusivity == pytest.approx(D_SET, rel=0.10)


def test_regions_split_fast_and_slow_li():
    fast, slow = random_walk(seed=1, d_cm2s=4e-5), random_walk(seed=2, d_cm2s=5e-6)
    # fast Li start in the upper half, slow Li in the lower half; same framework
    pos = np.concatenate([fast.positions[:, :64], slow.positions[:, :64], fast.positions[:, 64:]], axis=1)
    start_z = np.linspace(0.5, 9.5, 64)
    pos[:, :64, 2] += 10.0 + start_z - pos[0, :64, 2]  # fast Li start at z = 10.5 ... 19.5 Å
    pos[:, 64:128, 2] += start_z - pos[0, 64:128, 2]  # slow Li start at z = 0.5 ... 9.5 Å
    traj = Trajectory(["Li"] * 128 + ["S"] * 64, np.eye(3) * 20.0, pos, DT_FS, 600.0)
    regions = {"electrolyte": (0.0, 10.0), "electrode": (10.0, 20.0)}
    by = {t.region: t for t in diffusion(traj, regions=regions)}
    assert by["electrode"].n_ions == 64 and by["electrolyte"].n_ions == 64
    assert by["electrode"].diffusivity == pytest.approx(4e-5, rel=0.15)
    assert by["electrolyte"].diffusivity == pytest.approx(5e-6, rel=0.15)
    # same Li density in both halves: conductivity follows D
    assert by["electrode"].conductivity / by["electrolyte"].conductivity == pytest.approx(8, rel=0.25)


def test_regions_along_the_normal():
    s = Structure(Lattice.from_parameters(10, 10, 40, 90, 90, 90), ["Li"], [[0, 0, 0]])
    regions = regions_along_normal(s, boundary=20.0, width=4.0)
    assert regions == {"electrolyte": (0.0, 18.0), "interface": (18.0, 22.0), "electrode": (22.0, 40.0)}


@pytest.mark.parametrize("law, truth", [("linear", lambda t: 2.0 + 1.5 * t), ("parabolic", lambda t: 1.0 + 3.0 * np.sqrt(t))])
def test_growth_law_is_recovered(law, truth):
    t = np.linspace(0.1, 10, 40)
    rng = np.random.default_rng(0)
    fit = fit_growth_law(t, truth(t) + rng.normal(0, 0.05, t.size))
    assert fit.law == law
    assert fit.rate == pytest.approx(1.5 if law == "linear" else 3.0, rel=0.05)


def test_front_moving_at_set_speed_gives_its_thickness():
    """Intact units disappear slice by slice behind a front moving at 1 Å/ps into a 40 Å electrolyte."""
    edges = np.linspace(0, 40, 41)
    times = np.arange(0, 20.0, 0.5)  # ps
    reference = np.full(40, 2.0)
    profile = np.array([np.where(edges[1:] <= 1.0 * t, 0.0, 2.0) for t in times])
    h = reacted_thickness(profile, edges, reference)
    assert h == pytest.approx(np.floor(times))
    fit = fit_growth_law(times[1:], h[1:])
    assert fit.law == "linear" and fit.rate == pytest.approx(1.0, rel=0.05)


def test_intact_ps4_units_and_profiles():
    # one PS4 tetrahedron and one P bonded to another P (not intact)
    ps4 = [[5, 5, 5], [6.2, 6.2, 6.2], [3.8, 3.8, 6.2], [3.8, 6.2, 3.8], [6.2, 3.8, 3.8]]
    p2 = [[15, 15, 15], [15, 15, 17.2]]
    s = Structure(Lattice.cubic(25), ["P", "S", "S", "S", "S", "P", "P"], ps4 + p2, coords_are_cartesian=True)
    assert intact_units(s).tolist() == [True, False, False]
    traj = Trajectory([x.specie.symbol for x in s], s.lattice.matrix, np.array([s.cart_coords] * 3), 10.0, 300.0)
    prof = composition_profile(traj, bins=5)
    assert prof["S"].shape == (3, 5) and prof["S"].sum(axis=1).tolist() == [4, 4, 4]
    r, g = rdf(traj, "P", "S", frames=[0, 1, 2], r_max=5.0, bins=50)
    assert r[np.argmax(g)] == pytest.approx(np.sqrt(3) * 1.2, abs=0.1)  # the P-S bond


def test_environment_profile_counts_bonds_per_slice():
    """A PS4 unit low in the cell; above it an S with only Li, a P with three Li (phosphide-like) and a Cl
    with two Li neighbours: each environment lands in its own slice."""
    d = 1.2  # PS4: S at (±d, ±d, ±d) patterns, P–S 2.08 Å
    species = ["P", "S", "S", "S", "S", "S", "Li", "P", "Li", "Li", "Li", "Cl", "Li", "Li"]
    coords = [[5, 5, 3], [5 + d, 5 + d, 3 + d], [5 - d, 5 - d, 3 + d], [5 - d, 5 + d, 3 - d], [5 + d, 5 - d, 3 - d],
              [5, 5, 9], [5, 5, 11.4],                               # S with one Li, no P (slice 2)
              [15, 15, 13], [17.5, 15, 13], [15, 17.5, 13], [15, 15, 10.5],  # P with three Li at 2.5 Å (slice 3)
              [5, 15, 21], [7.6, 15, 21], [5, 15, 18.4]]             # Cl with two Li at 2.6 Å (slice 4)
    s = Structure(Lattice.cubic(25), species, coords, coords_are_cartesian=True)
    env = environment_profile(s, np.linspace(0, 25, 6))
    assert env["S_bound_to_P"].tolist() == [4, 0, 0, 0, 0]
    assert env["S_Li_only"].tolist() == [0, 1, 0, 0, 0]
    assert env["P_Li_contacts"].tolist() == [0, 0, 3, 0, 0]
    assert env["Cl_Li_coordination"][4] == 2 and np.isnan(env["Cl_Li_coordination"][0])


def test_arrhenius_recovers_the_activation_energy():
    from ssbi.interfaces.analysis.md import arrhenius
    from ssbi.interfaces.materials import load

    temps = np.array([500.0, 600.0, 700.0, 800.0, 900.0])
    d = 1e-2 * np.exp(-0.30 / (8.617333e-5 * temps))
    fit = arrhenius(temps, d, load("Li3PS4"))
    assert fit["activation_energy"] == pytest.approx(0.30, rel=1e-3)
    # extrapolated to 300 K: D(300 K) through Nernst-Einstein, positive and far below the 500 K value
    assert 0 < fit["conductivity_room_temperature"] < 1e3
