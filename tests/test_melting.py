"""The framework check on synthetic MD: a vibrating solid holds, a diffusing (molten) framework flows, whatever
the Li does and however the whole cell drifts; a molten temperature is left out of a bulk's Arrhenius fit."""

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure

from ssbi.interfaces.analysis.md import Trajectory
from ssbi.interfaces.analysis.md_run import analyse_md_run
from ssbi.interfaces.analysis.melting import FLOW_DIFFUSIVITY, framework_flow
from ssbi.workflows.flows.md import md_analysis

DT_FS = 10.0


def cell(framework_d=0.0, vibration=0.3, n_frames=250, drift=0.0, seed=5):
    """32 Li walkers (1e-5 cm²/s) and 32 I on a 4 Å grid that vibrate (Gaussian, ``vibration`` Å per axis) about
    sites that themselves random-walk with ``framework_d`` (cm²/s); ``drift`` Å per frame moves everything."""
    rng = np.random.default_rng(seed)
    sites = np.stack(np.meshgrid(*[np.arange(4) * 4.0] * 3), -1).reshape(-1, 3)[:32]

    def walk(start, d):
        sigma = np.sqrt(2 * d * 1e16 * DT_FS * 1e-15)  # Å per axis per frame
        steps = rng.normal(0, sigma, (n_frames - 1, len(start), 3))
        return np.concatenate([start[None], start[None] + np.cumsum(steps, axis=0)])

    li = walk(rng.uniform(0, 16, (32, 3)), 1e-5)
    fw = walk(sites, framework_d) + rng.normal(0, vibration, (n_frames, 32, 3))
    pos = np.concatenate([li, fw], axis=1) + drift * np.arange(n_frames)[:, None, None]
    return Trajectory(["Li"] * 32 + ["I"] * 32, np.eye(3) * 16.0, pos, DT_FS, 1000.0)


def test_a_vibrating_framework_holds_and_a_diffusing_one_flows():
    solid = framework_flow(cell())
    assert solid["species"] == ["I"] and not solid["flows"]
    assert abs(solid["diffusivity"]) < 0.2 * FLOW_DIFFUSIVITY
    assert solid["msd_A2"] == pytest.approx(2 * 3 * 0.3**2, rel=0.15)  # the plateau: twice the site variance
    liquid = framework_flow(cell(framework_d=1e-5))
    assert liquid["flows"] and liquid["diffusivity"] == pytest.approx(1e-5, rel=0.3)


def test_the_check_ignores_a_drift_of_the_whole_cell():
    assert not framework_flow(cell(drift=0.05))["flows"]  # 5 Å/ps: far beyond any framework diffusion


def test_too_short_or_frameworkless_runs_give_no_verdict():
    assert framework_flow(cell(n_frames=5)) is None
    assert framework_flow(cell(n_frames=100)) is None  # 1 ps: too little past the vibrations' rise
    only_li = Trajectory(["Li"] * 4, np.eye(3) * 5.0, np.zeros((50, 4, 3)), DT_FS, 300.0)
    assert framework_flow(only_li) is None


def test_a_molten_temperature_is_left_out_of_a_bulk_arrhenius_fit():
    """md_analysis of a bulk at three temperatures, the hottest molten: the fit uses the other two."""
    runs = []
    for temperature, fw_d in ((800.0, 0.0), (1000.0, 0.0), (1200.0, 1e-5)):
        t = cell(framework_d=fw_d, seed=int(temperature))
        runs.append({"temperature": temperature, "dt_fs": DT_FS,
                     "trajectory": {"species": t.species, "lattice": t.lattice.tolist(),
                                    "positions": t.positions.tolist()}})
    per_t = [analyse_md_run(r, None) for r in runs]
    assert [p["framework"]["flows"] for p in per_t] == [False, False, True]

    first = np.array(runs[0]["trajectory"]["positions"][0])
    structure = Structure(Lattice.cubic(16.0), ["Li"] * 32 + ["I"] * 32, first, coords_are_cartesian=True)
    engine = {"name": "test", "version": "0", "energy_scale": "raw-gga"}
    settings = {"interface_width": 4.0, "equilibration_ps": 0.2}
    bulk = md_analysis.original(runs, structure, engine, settings, "fp", "LiI bulk", 8.0, {})
    assert bulk.arrhenius["temperatures"] == [800.0, 1000.0] and bulk.arrhenius["left_out_molten"] == [1200.0]
    interface = md_analysis.original(runs, structure, engine, settings, "fp", "Li|LiI", 8.0, {})
    assert interface.arrhenius["temperatures"] == [800.0, 1000.0, 1200.0]  # an interface's framework may react
