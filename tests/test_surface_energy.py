"""Surface energies: σ of stoichiometric slabs, σ(μ_Li) of off-stoichiometric ones against the hull, the thickness
series of the surface flow, and `ssbi surface` storing one document."""

import json

import pytest
from helpers import memory_jobstore, ssbi

from ssbi.interfaces.surface_energy import (
    EV_PER_A2_TO_J_PER_M2,
    Phase,
    sigma_range,
    sigma_split,
    sigma_stoichiometric,
    sigma_vs_voltage,
)

# a toy Li–S hull (eV/atom): Li2S at −1.0, elements at 0; window 0 … 1.5 V (Li2S → S + 2 Li at 3 eV per 2 Li)
LI2S = Phase("Li2S", -1.0)
PHASES = [Phase("Li", 0.0), Phase("S", 0.0), LI2S]


def test_stoichiometric_and_split_faces():
    assert sigma_stoichiometric(-10.0, 12, -1.0, 20.0) == pytest.approx(2.0 / 40 * EV_PER_A2_TO_J_PER_M2)
    # split: half the unrelaxed cleavage energy, plus the top face's relaxation
    assert sigma_split(-10.0, -10.5, 12, -1.0, 20.0) == pytest.approx((1.0 - 0.5) / 20 * EV_PER_A2_TO_J_PER_M2)


def test_li_rich_slab_follows_the_li_potential_and_stops_at_the_window():
    # 10 Li + 4 S = 4 Li2S + 2 Li: σ = (E − 4·3ε − 2 μ_Li) / 2A, exactly, in a binary (no freedom left)
    e_slab, area = -11.0, 15.0
    for v in (0.1, 0.8, 1.4):
        r = sigma_range(e_slab, {"Li": 10, "S": 4}, area, LI2S, PHASES, v, li_metal=0.0)
        expected = (e_slab - 12 * -1.0 - 2 * (0.0 - v)) / (2 * area) * EV_PER_A2_TO_J_PER_M2
        assert r.sigma_min == pytest.approx(expected, abs=1e-6) and r.sigma_max == pytest.approx(expected, abs=1e-6)
    assert sigma_range(e_slab, {"Li": 10, "S": 4}, area, LI2S, PHASES, 1.6, li_metal=0.0) is None  # oxidised
    assert sigma_range(e_slab, {"Li": 10, "S": 4}, area, LI2S, PHASES, -0.1, li_metal=0.0) is None  # Li plates
    series = sigma_vs_voltage(e_slab, {"Li": 10, "S": 4}, area, LI2S, PHASES, 0.0, 0.0, 1.5, points=5)
    assert len(series) == 5 and series[-1].sigma_min > series[0].sigma_min  # Li-rich: cheapest at Li metal


def test_ternary_gives_a_range_and_a_stoichiometric_slab_none():
    # Li–P–S toy: Li3PS4 (−1.2), Li2S (−1.0), P2S5 (−0.3); a P-poor slab is not fixed by μ_Li alone
    bulk = Phase("Li3PS4", -1.2)
    phases = [Phase("Li", 0.0), Phase("P", 0.0), Phase("S", 0.0), Phase("Li2S", -1.0), Phase("P2S5", -0.3), bulk]
    r = sigma_range(-60.0, {"Li": 12, "P": 3, "S": 16}, 40.0, bulk, phases, 1.0, li_metal=0.0)
    assert r is not None and r.sigma_max > r.sigma_min + 1e-3
    s = sigma_range(-60.0, {"Li": 12, "P": 4, "S": 16}, 40.0, bulk, phases, 1.0, li_metal=0.0)
    assert s.sigma_max == pytest.approx(s.sigma_min, abs=1e-9)
    assert s.sigma_min == pytest.approx(sigma_stoichiometric(-60.0, 32, -1.2, 40.0), abs=1e-9)


def test_surface_flow_converges_for_li_100():
    from jobflow import run_locally

    from ssbi.interfaces.materials import load
    from ssbi.workflows.flows.surface import SurfaceMaker

    store = memory_jobstore()
    flow = SurfaceMaker(engine="chgnet", miller=(1, 0, 0), thicknesses=(6.0, 9.0, 12.0)).make(load("Li"), "Li")
    run_locally(flow, store=store, ensure_success=True, log=False)
    doc = store.query_one({"output.kind": "surface"}, load=True)["output"]
    (term,) = doc["terminations"]
    assert term["scheme"] == "symmetric stoichiometric" and [s["n_atoms"] for s in term["slabs"]] == [4, 6, 8]
    # CHGNet: 0.33 J/m² (PBE 0.46, Tran et al. 2016: MLIPs soften surfaces); converged to < 5 mJ/m²
    assert 0.25 < term["sigma"] < 0.5 and term["convergence"] < 0.005
    assert doc["lowest"] == "Li" and term["slabs"][-1]["sigma"] <= term["slabs"][-1]["sigma_unrelaxed"] + 1e-6


@pytest.mark.slow
def test_surface_command_stores_li2s_111_with_sigma_of_mu(tmp_path, monkeypatch):
    args = ("surface", "Li2S", "1", "1", "1", "--thickness", "8", "--format", "json")
    doc = json.loads(ssbi(*args, data_dir=tmp_path, check=True).stdout)
    by = {t["label"]: t for t in doc["terminations"]}
    assert set(by) == {"S4+Li4", "Li4+S4", "Li4"} and doc["window"]["v_high"] == pytest.approx(2.2, abs=0.2)
    assert by["Li4+S4"]["scheme"] == "symmetric stoichiometric" and 0.15 < by["Li4+S4"]["sigma"] < 0.4
    li_rich, s_rich = by["Li4"]["sigma_at_limits"], by["S4+Li4"]["sigma_at_limits"]
    # the Li-rich face is cheapest against Li metal and dearest at the oxidation limit; the S-rich face the reverse
    assert li_rich["reduction"][0] < by["Li4+S4"]["sigma"] < li_rich["oxidation"][0]
    assert s_rich["reduction"][0] > s_rich["oxidation"][0]
    again = ssbi(*args, data_dir=tmp_path, check=True)
    assert json.loads(again.stdout)["fingerprint"] == doc["fingerprint"]
    from ssbi.workflows.store.jobstore import open_store

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    assert open_store(None).count({"output.kind": "surface"}) == 1


def test_hull_around_is_ordered_so_fingerprints_repeat(tmp_path, monkeypatch):
    """The competing phases come from a set; unordered, the surface result's fingerprint changed between processes
    and every re-run recomputed it."""
    from ssbi.workflows.run.surfaces import hull_around

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    hull = hull_around("Li2S", "chgnet")
    assert hull["phases"] == sorted(hull["phases"]) and len(hull["phases"]) >= 3
    assert hull["v_low"] == 0.0 and 1.8 < hull["v_high"] < 2.6  # Li2S: stable from Li metal to its oxidation


def test_surface_terminations_are_named_on_the_cell_it_cuts(tmp_path, monkeypatch):
    """`ssbi surface -t LABEL` checks LABEL against the faces of the relaxed bulk the flow cuts (as `ssbi
    terminations` lists them), not the library cell's (LLZO: 16 faces against 12)."""
    from ssbi.interfaces.errors import InputError
    from ssbi.workflows.run.surfaces import surface

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    with pytest.raises(InputError) as err:
        surface("LLZO", (1, 0, 0), terminations=("nope",))
    assert "choose one of" in str(err.value) and "15: " in str(err.value)  # 16 faces, indices 0-15
    listed = json.loads(ssbi("terminations", "LLZO", "1", "0", "0", "--format", "json", data_dir=tmp_path,
                             check=True).stdout)["terminations"]
    assert all(t["label"] in str(err.value) for t in listed)
